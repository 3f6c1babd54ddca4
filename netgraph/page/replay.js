
// ------------------------------------------------------------------ replaying training
// The slider picks a recorded epoch; its weights and biases replace the model's, so
// the drawing, the details on hover and the forward pass all show that epoch.
const REPLAY = DATA.replay;
const slider = document.getElementById("frame");
const frameLabel = document.getElementById("frame-label");
const chart = document.getElementById("error-chart");
let marker = null;

function showFrame(k) {
  model.weights = REPLAY.weights[k].slice();
  model.biases = REPLAY.biases[k].slice();
  if (view.values) {
    view.values = false; // the values shown belonged to other weights
    document.querySelector("#outputs tbody").replaceChildren();
  }
  const e = REPLAY.errors[k];
  frameLabel.textContent = `epoch ${REPLAY.iterations[k].toLocaleString("en")}` +
    (e === null ? " (before training)" : `, error ${e.toPrecision(3)}`);
  slider.setAttribute("aria-valuetext", frameLabel.textContent);
  render();
  if (marker) {
    const x = xOf(REPLAY.iterations[k]);
    marker.setAttribute("x1", x); marker.setAttribute("x2", x);
  }
}

const CURVE = REPLAY.curve;
const lastX = Math.max(CURVE.x[CURVE.x.length - 1] || 1, 1);
const logs = CURVE.y.filter((v) => v !== null && v > 0).map(Math.log10);
const lo = Math.min(...logs), hi = Math.max(...logs);
function xOf(i) { return 4 + 252 * i / lastX; }
function yOf(v) { return hi > lo ? 6 + 78 * (hi - Math.log10(v)) / (hi - lo) : 45; }

function drawChart() {
  const points = [];
  CURVE.x.forEach((x, k) => {
    const v = CURVE.y[k];
    if (v !== null && v > 0) points.push(`${xOf(x).toFixed(1)},${yOf(v).toFixed(1)}`);
  });
  el("polyline", { points: points.join(" "), fill: "none", stroke: COLORS.line, "stroke-width": 1.2,
                   "vector-effect": "non-scaling-stroke" }, chart);
  marker = el("line", { x1: 4, x2: 4, y1: 0, y2: 90, stroke: COLORS.negative, "stroke-width": 1.5,
                        "vector-effect": "non-scaling-stroke" }, chart);
  const t = el("title", {}, chart);
  t.textContent = logs.length ? `error per epoch, log scale: ${Math.pow(10, hi).toPrecision(3)} to ${Math.pow(10, lo).toPrecision(3)}` : "error per epoch";
}

let timer = null;
document.getElementById("play").addEventListener("click", (ev) => {
  if (timer) { clearInterval(timer); timer = null; ev.target.textContent = "Play"; return; }
  if (Number(slider.value) >= REPLAY.iterations.length - 1) slider.value = "0";
  ev.target.textContent = "Pause";
  timer = setInterval(() => {
    const k = Number(slider.value) + 1;
    if (k >= REPLAY.iterations.length) {
      clearInterval(timer); timer = null; ev.target.textContent = "Play"; return;
    }
    slider.value = String(k);
    showFrame(k);
  }, 60);
});

document.getElementById("replay").hidden = false;
view.wmax = Math.max(...REPLAY.weights.map((w) => Math.max(0, ...w.map(Math.abs))));
slider.max = String(REPLAY.iterations.length - 1);
slider.addEventListener("input", () => showFrame(Number(slider.value)));
drawChart();
slider.value = "0";
showFrame(0);
