// ------------------------------------------------------------------ evolution
// The run (DATA.evolution): fitness and species per generation, and each generation's
// champion, drawn with every node at one place for the whole run. Everything from
// the run is data, shown with textContent; the frame (pan, zoom, tooltip) is the
// network page's (draw.js).
const EVO = DATA.evolution;
const GENS = EVO.generations;
const PLACE = EVO.place;
const evo = { shown: GENS.length - 1, hover: null, diff: false, against: Math.max(GENS.length - 2, 0) };

function section(html) {
  const s = document.createElement("section");
  s.id = "evolution";
  s.innerHTML = html; // our own markup only: no text from the run goes in here
  return s;
}

const side = document.getElementById("side");
side.prepend(section(`
  <h2>Evolution</h2>
  <input id="generation" type="range" min="0" max="0" value="0" step="1" aria-label="generation">
  <div class="buttons"><button id="evo-play" type="button">Play</button><span id="evo-label"></span></div>
  <svg id="fitness-chart" class="chart" viewBox="0 0 380 120" preserveAspectRatio="none" aria-label="fitness per generation"></svg>
  <p class="note"><span class="evo-key" style="border-color:#d62728"></span> best
    <span class="evo-key" style="border-color:#3182bd"></span> mean, band: \u00b1 1 sd</p>
  <svg id="species-chart" class="chart" viewBox="0 0 380 120" preserveAspectRatio="none" aria-label="species sizes per generation"></svg>
  <p class="note">Species stacked by size; \u25cf a birth, \u00d7 an extinction. Hover a species to draw its best genome.</p>
  <h2>Difference</h2>
  <div class="buttons"><label><input id="diff" type="checkbox"> compare with generation</label>
    <input id="against" type="number" min="0" step="1"></div>
  <p class="note"><span class="evo-key" style="border-color:#1a9850"></span> added
    <span class="evo-key" style="border-color:#d73027;border-top-style:dashed"></span> removed
    <span class="evo-key" style="border-color:#999;border-top-style:dotted"></span> disabled</p>
  <p class="note" id="genome-note"></p>`));
for (const id of ["values", "layer-panel", "replay"]) {
  const s = document.getElementById(id);
  if (s) s.hidden = true;
}

// ------------------------------------------------------------------ a genome drawn
const COLUMN = 220, ROW = 48; // the champion's drawing: a node's place, in page units
function at(key) {
  const p = PLACE[String(key)];
  return p ? { x: 60 + p[0] * COLUMN, y: 40 + p[1] * ROW } : { x: 60, y: 0 };
}

function roleOf(key) {
  return key < 0 ? "input" : key < EVO.outputs ? "output" : "hidden";
}

function geneKey(c) { return `${c[0]}>${c[1]}`; }

// Draw genome `g`; with `other`, mark what changed from `other` to `g`.
function drawGenome(g, other) {
  const boxes = document.getElementById("boxes"), edges = document.getElementById("edges");
  const gates = document.getElementById("gates"), nodes = document.getElementById("nodes");
  for (const e of [boxes, edges, gates, nodes]) e.replaceChildren();
  const before = other ? new Map(other.conns.map((c) => [geneKey(c), c])) : null;
  const now = new Set(g.conns.map(geneKey));
  const wmax = Math.max(1e-9, ...g.conns.map((c) => Math.abs(c[2])));
  const keys = [];
  for (let k = -1; k >= -EVO.inputs; k--) keys.push(k);
  keys.push(...g.nodes);
  const ghosts = other ? other.nodes.filter((k) => !g.nodes.includes(k)) : [];
  const drawConn = (c, cls) => {
    const a = at(c[0]), b = at(c[1]);
    const grp = el("g", { class: "synapse", "data-gene": geneKey(c) }, edges);
    const p = el("path", { d: curve(a, b, c[0] === c[1]), class: `syn ${cls}`,
                           stroke: colorOf(c[2]), "stroke-width": widthOf(c[2], wmax).toFixed(2),
                           "marker-end": "url(#arrow)" }, grp);
    if (!c[3]) p.setAttribute("stroke-dasharray", "2 4");
    el("path", { d: p.getAttribute("d"), class: "hit" }, grp);
    grp.addEventListener("mouseover", (ev) => { ev.stopPropagation(); showTooltip(ev, `${c[0]} \u2192 ${c[1]}`,
      [`weight ${c[2]}`, c[3] ? "enabled" : "disabled", `innovation ${c[4]}`,
       ...(cls ? [cls.replace("gene-", "")] : [])]); });
  };
  for (const c of g.conns) {
    let cls = "";
    if (before) {
      const was = before.get(geneKey(c));
      if (!was) cls = "gene-added";
      else if (was[3] && !c[3]) cls = "gene-disabled";
    } else if (!c[3]) cls = "gene-disabled";
    drawConn(c, cls);
  }
  if (before) for (const c of other.conns) if (!now.has(geneKey(c))) drawConn(c, "gene-removed");
  const bias = new Map(g.nodes.map((k, i) => [k, g.bias[i]]));
  const drawNode = (key, cls) => {
    const p = at(key);
    const grp = el("g", { class: `neuron ${cls}`, "data-node": key }, nodes);
    neuronShape(grp, { x: p.x, y: p.y, role: roleOf(key), kind: "" });
    el("text", { x: p.x, y: p.y }, grp).textContent = String(key);
    grp.addEventListener("mouseover", (ev) => { ev.stopPropagation(); showTooltip(ev, `node ${key}`,
      [roleOf(key), ...(bias.has(key) ? [`bias ${bias.get(key)}`] : []),
       ...(cls ? [cls.replace("node-", "")] : [])]); });
  };
  for (const k of keys) drawNode(k, other && k >= 0 && !other.nodes.includes(k) ? "node-added" : "");
  for (const k of ghosts) drawNode(k, "node-removed");
}

// ------------------------------------------------------------------ charts
function chartScale(values, lo0) {
  const v = values.filter((x) => x !== null && Number.isFinite(x));
  let lo = lo0 !== undefined ? lo0 : Math.min(...v), hi = Math.max(...v);
  if (!(hi > lo)) hi = lo + 1;
  return (x) => 112 - 104 * (x - lo) / (hi - lo);
}
const xOfGen = (k) => 4 + 372 * k / Math.max(GENS.length - 1, 1);
let fitnessMarker = null, speciesMarker = null;

function drawFitness() {
  const svg = document.getElementById("fitness-chart");
  const band = EVO.mean.map((m, k) => (m === null || EVO.stdev[k] === null ? null : [m - EVO.stdev[k], m + EVO.stdev[k]]));
  const y = chartScale([...EVO.best, ...band.flat()]);
  const up = [], down = [];
  band.forEach((b, k) => { if (b) { up.push(`${xOfGen(k)},${y(b[1])}`); down.unshift(`${xOfGen(k)},${y(b[0])}`); } });
  if (up.length) el("polygon", { points: [...up, ...down].join(" "), fill: "#c6dbef", stroke: "none" }, svg);
  const line = (vals, color, w) => el("polyline", {
    points: vals.map((v, k) => (v === null ? null : `${xOfGen(k)},${y(v)}`)).filter((p) => p).join(" "),
    fill: "none", stroke: color, "stroke-width": w, "vector-effect": "non-scaling-stroke" }, svg);
  line(EVO.mean, "#3182bd", 1.2);
  line(EVO.best, "#d62728", 1.6);
  fitnessMarker = el("line", { y1: 0, y2: 120, stroke: "#333", "stroke-width": 1, "vector-effect": "non-scaling-stroke" }, svg);
}

const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
function drawSpecies() {
  const svg = document.getElementById("species-chart");
  const totals = GENS.map((_, k) => EVO.sizes.reduce((t, s) => t + s[k], 0));
  const y = chartScale(totals, 0);
  const floor = GENS.map(() => 0);
  EVO.species.forEach((sp, i) => {
    const sizes = EVO.sizes[i];
    const top = [], bottom = [];
    sizes.forEach((n, k) => {
      if (!n && !(k > 0 && sizes[k - 1]) && !(k + 1 < sizes.length && sizes[k + 1])) return;
      bottom.unshift(`${xOfGen(k)},${y(floor[k])}`);
      top.push(`${xOfGen(k)},${y(floor[k] + n)}`);
    });
    const band = el("polygon", { points: [...top, ...bottom].join(" "), fill: PALETTE[i % PALETTE.length],
                                 class: "species-band", "data-species": i }, svg);
    band.addEventListener("mouseover", (ev) => hoverSpecies(ev, i));
    band.addEventListener("mouseleave", () => { evo.hover = null; tooltip.hidden = true; show(); });
    const born = GENS.indexOf(sp.born);
    el("circle", { cx: xOfGen(born), cy: y(floor[born] + sizes[born] / 2), r: 2.2, fill: "#1a9850",
                   "pointer-events": "none" }, svg);
    if (sp.extinct) {
      const end = GENS.indexOf(sp.last);
      const cy = y(floor[end] + sizes[end] / 2), cx = xOfGen(end);
      el("path", { d: `M${cx - 3},${cy - 3} L${cx + 3},${cy + 3} M${cx - 3},${cy + 3} L${cx + 3},${cy - 3}`,
                   stroke: "#d73027", "stroke-width": 1.2, "pointer-events": "none" }, svg);
    }
    sizes.forEach((n, k) => { floor[k] += n; });
  });
  speciesMarker = el("line", { y1: 0, y2: 120, stroke: "#333", "stroke-width": 1, "vector-effect": "non-scaling-stroke",
                               "pointer-events": "none" }, svg);
}

function hoverSpecies(ev, i) {
  const sp = EVO.species[i];
  const lines = [`born generation ${sp.born}`, sp.extinct ? `extinct after generation ${sp.last}` : "alive at the end"];
  if (sp.best) {
    const g = EVO.genomes[sp.best];
    lines.push(`best genome ${g.key}: fitness ${g.fitness}`, `${g.nodes.length} nodes, ${g.conns.filter((c) => c[3]).length} enabled connections`);
    evo.hover = sp.best;
    show();
  } else lines.push("never held the champion");
  showTooltip(ev, `species ${sp.id}`, lines);
}

// ------------------------------------------------------------------ stepping
const genSlider = document.getElementById("generation");
const genLabel = document.getElementById("evo-label");
const against = document.getElementById("against");

function show() {
  const k = evo.shown;
  const key = evo.hover || EVO.champion[k];
  const g = EVO.genomes[key];
  const other = evo.diff ? EVO.genomes[EVO.champion[Math.min(Math.max(evo.against, 0), GENS.length - 1)]] : null;
  drawGenome(g, other);
  const best = EVO.best[k];
  genLabel.textContent = `generation ${GENS[k]}, best ${best === null ? "-" : best.toPrecision(4)}`;
  genSlider.setAttribute("aria-valuetext", genLabel.textContent);
  document.getElementById("genome-note").textContent = evo.hover
    ? `showing genome ${g.key} (species ${g.species})`
    : `champion: genome ${g.key}, ${g.nodes.length} nodes, ${g.conns.filter((c) => c[3]).length} enabled connections`;
  document.getElementById("title").textContent = EVO.title;
  for (const m of [fitnessMarker, speciesMarker]) if (m) { m.setAttribute("x1", xOfGen(k)); m.setAttribute("x2", xOfGen(k)); }
}

function step(k) {
  evo.shown = k;
  genSlider.value = String(k);
  if (!document.getElementById("diff").checked) evo.against = Math.max(k - 1, 0);
  against.value = String(GENS[evo.against]);
  show();
}

genSlider.max = String(GENS.length - 1);
genSlider.addEventListener("input", () => step(Number(genSlider.value)));
document.getElementById("diff").addEventListener("change", (ev) => { evo.diff = ev.target.checked; show(); });
against.addEventListener("input", () => {
  const k = GENS.indexOf(Number(against.value));
  if (k >= 0) { evo.against = k; show(); }
});
let evoTimer = null;
document.getElementById("evo-play").addEventListener("click", (ev) => {
  if (evoTimer) { clearInterval(evoTimer); evoTimer = null; ev.target.textContent = "Play"; return; }
  if (evo.shown >= GENS.length - 1) step(0);
  ev.target.textContent = "Pause";
  evoTimer = setInterval(() => {
    if (evo.shown >= GENS.length - 1) { clearInterval(evoTimer); evoTimer = null; ev.target.textContent = "Play"; return; }
    step(evo.shown + 1);
  }, 120);
});

// For scripts and tests.
window.netgraph = {
  generation: () => GENS[evo.shown],
  step: (k) => step(k),
  drawn: () => ({ nodes: [...document.querySelectorAll("#nodes [data-node]")].map((n) => n.getAttribute("data-node")),
                  genes: [...document.querySelectorAll("#edges [data-gene]")].map((n) => n.getAttribute("data-gene")) }),
};

document.getElementById("search").closest("label").hidden = true;
drawFitness();
drawSpecies();
start();
against.max = String(GENS[GENS.length - 1]);
step(GENS.length - 1);
fit();
const reading = document.querySelectorAll("#legend p");
if (reading.length > 1) {
  reading[0].lastChild.textContent = "|. Dotted: a disabled gene.";
  reading[1].textContent = "Drag to pan, wheel to zoom. Hover a node or a connection for its numbers, "
    + "a species for its best genome.";
}
document.getElementById("layout-note").textContent =
  "Each node keeps its place for the whole run: a column per depth, inputs first, outputs last.";

