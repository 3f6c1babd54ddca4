
// ------------------------------------------------------------------ the value view
// Inputs typed into the page run through the embedded weights (activate, above).
const inputBox = document.getElementById("inputs");
const MANY = INPUTS.length > 24;

function buildInputs() {
  inputBox.replaceChildren();
  if (MANY) {
    const area = document.createElement("textarea");
    area.id = "input-list";
    area.value = DATA.input.join(", ");
    area.setAttribute("aria-label", `${INPUTS.length} input values, separated by commas`);
    inputBox.appendChild(area);
    return;
  }
  INPUTS.forEach((n, k) => {
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.textContent = NEURONS[n].id;
    const input = document.createElement("input");
    input.type = "text";
    input.inputMode = "decimal";
    input.value = String(DATA.input[k]);
    input.setAttribute("data-input", k);
    label.append(name, input);
    inputBox.appendChild(label);
  });
}

// The typed input as numbers; throws an Error naming the first bad value.
function readInputs() {
  const texts = MANY ? document.getElementById("input-list").value.split(",")
    : [...inputBox.querySelectorAll("input")].map((i) => i.value);
  if (texts.length !== INPUTS.length) {
    throw new Error(`type ${INPUTS.length} numbers, separated by commas (got ${texts.length})`);
  }
  const x = texts.map((t) => Number(t.trim()));
  const bad = x.findIndex((v, k) => !Number.isFinite(v) || texts[k].trim() === "");
  if (bad >= 0) {
    throw new Error(`input ${NEURONS[INPUTS[bad]].id}: "${texts[bad].trim()}" is not a number`);
  }
  return x;
}

// Outputs and values shown for an earlier input must not stay beside an input that no
// longer gives them: an invalid input clears them, and says which value is wrong.
function clearOutputs(message) {
  document.querySelector("#outputs tbody").replaceChildren();
  document.getElementById("value-note").textContent = message;
  if (view.values) { view.values = false; render(); }
}

function showOutputs(y) {
  const body = document.querySelector("#outputs tbody");
  body.replaceChildren();
  OUTPUTS.forEach((n, k) => {
    const tr = document.createElement("tr");
    const name = document.createElement("td");
    name.textContent = NEURONS[n].id;
    const value = document.createElement("td");
    value.textContent = fmt(y[k]);
    value.setAttribute("data-value", String(y[k]));
    value.title = String(y[k]);
    tr.append(name, value);
    body.appendChild(tr);
  });
}

let steps = 0;
function run() {
  const note = document.getElementById("value-note");
  let x;
  try {
    x = readInputs();
  } catch (err) {
    clearOutputs(err.message);
    return null;
  }
  const y = activate(x);
  steps += 1;
  view.values = true;
  showOutputs(y);
  note.textContent = DATA.recurrent
    ? `Step ${steps} from a cleared state (delayed and gated synapses carry the state from step to step).`
    : "Each neuron: sum = bias + contributions, output = activation(sum).";
  render();
  return y;
}

document.getElementById("run").addEventListener("click", run);
document.getElementById("reset").addEventListener("click", () => {
  resetState(); steps = 0; view.values = false;
  document.querySelector("#outputs tbody").replaceChildren();
  render();
});
document.getElementById("clear-values").addEventListener("click", () => {
  view.values = false; render();
});
if (!DATA.recurrent) document.getElementById("reset").hidden = true;

// For scripts and tests: the page's own forward pass and the values it shows.
window.netgraph = {
  activate: (x) => activate(x),
  reset: resetState,
  values: () => ({ state: Array.from(model.s), output: Array.from(model.y),
                   contribution: Array.from(model.contribution) }),
  neurons: NEURONS.map((n) => n.id),
};

buildInputs();
// checked as the reader types: a value that stops being a number clears the outputs at once
inputBox.addEventListener("input", () => {
  try { readInputs(); } catch (err) { clearOutputs(err.message); }
});
start();
document.getElementById("value-note").textContent = DATA.recurrent
  ? "This network has delayed or gated synapses: each Run is one time step."
  : "Type an input and Run: each neuron shows its output.";
