// netgraph's page: draws the embedded network and lets a reader explore it.
// Written for netgraph; no library. Everything from the network is data (read with
// JSON.parse, shown with textContent); ACTIVATIONS (above) is netgraph's own code.

const DATA = JSON.parse(document.getElementById("netgraph-data").textContent);
const SVGNS = "http://www.w3.org/2000/svg";
const COLORS = DATA.colors;
const NEURONS = DATA.neurons;
const SYN = DATA.synapses;
const N = NEURONS.length;
const BLOCKS = DATA.blocks || []; // memory blocks: a cell and its gates, one unit each
const L = DATA.layers.length;
const S = SYN.source.length;
const LR = DATA.rankdir === "LR" || DATA.rankdir === "RL";
const FORWARD = DATA.rankdir === "LR" || DATA.rankdir === "TB" ? 1 : -1;
const R = 14; // a neuron's radius on the page
const BATCH = 2000; // past this many synapses drawn one by one, they are drawn in bulk

// ------------------------------------------------------------------ the model
const ACT = DATA.activations.map((name) => ACTIVATIONS[name]);
const INPUTS = [];
const OUTPUTS = [];
NEURONS.forEach((n, k) => {
  if (n.role === "input") INPUTS.push(k);
  if (n.role === "output") OUTPUTS.push(k);
});
const incoming = Array.from({ length: N }, () => []); // synapse indices, self-loops apart
const selfLoop = new Int32Array(N).fill(-1);
const gatedBy = Array.from({ length: N }, () => []);
for (let e = 0; e < S; e++) {
  const s = SYN.source[e], t = SYN.target[e];
  if (s === t) selfLoop[t] = e; else incoming[t].push(e);
  if (SYN.gater[e] >= 0) gatedBy[SYN.gater[e]].push(e);
}

const model = {
  weights: SYN.weight.slice(),
  biases: NEURONS.map((n) => n.bias),
  s: new Float64Array(N), y: new Float64Array(N), gain: new Float64Array(S).fill(1),
  contribution: new Float64Array(S),
};

function resetState() {
  model.s.fill(0); model.y.fill(0); model.gain.fill(1); model.contribution.fill(0);
}

// One step of the network, as netgraph's reference evaluator takes it: inputs, then
// each neuron in activation order; a self-connection adds gain * weight * the previous
// state, a delayed synapse reads its source's previous activation, a gated synapse is
// multiplied by its gater's latest activation. A feed-forward network starts from a
// cleared state every time, so a step is simply its forward pass.
function activate(x) {
  if (x.length !== INPUTS.length) throw new Error(`expected ${INPUTS.length} inputs`);
  if (!DATA.recurrent) resetState();
  const w = model.weights, b = model.biases, s = model.s, y = model.y, gain = model.gain;
  const previous = Float64Array.from(y);
  INPUTS.forEach((n, k) => { s[n] = x[k]; y[n] = x[k]; });
  for (const j of DATA.order) {
    if (NEURONS[j].role === "input") continue;
    const loop = selfLoop[j];
    let total = (loop >= 0 ? gain[loop] * w[loop] * s[j] : 0) + b[j];
    if (loop >= 0) model.contribution[loop] = gain[loop] * w[loop] * s[j];
    for (const e of incoming[j]) {
      const i = SYN.source[e];
      const c = (SYN.delay[e] ? previous[i] : y[i]) * w[e] * gain[e];
      model.contribution[e] = c;
      total += c;
    }
    s[j] = total;
    y[j] = ACT[NEURONS[j].act](total);
    for (const e of gatedBy[j]) gain[e] = y[j];
  }
  // softmax outputs, once all are summed: exp(s - max) / sum over the group
  const soft = OUTPUTS.filter((n) => DATA.activations[NEURONS[n].act] === "softmax");
  if (soft.length) {
    const top = Math.max(...soft.map((n) => s[n]));
    let sum = 0;
    for (const n of soft) { y[n] = Math.exp(s[n] - top); sum += y[n]; }
    for (const n of soft) y[n] /= sum;
  }
  return OUTPUTS.map((n) => y[n]);
}

// ------------------------------------------------------------------ helpers
function el(name, attrs, parent) {
  const node = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

function fmt(x) {
  const text = x.toFixed(DATA.precision);
  return Number(text) === 0 ? text.replace("-", "") : text;
}

function colorOf(v) {
  if (!v) return COLORS.neutral;
  return v > 0 ? COLORS.positive : COLORS.negative;
}

function widthOf(v, max) {
  return max > 0 ? 0.6 + 3.4 * Math.min(Math.abs(v) / max, 1) : 0.6;
}

const view = { x: 0, y: 0, k: 1, collapsed: DATA.layers.map((l) => l.collapsed),
               shut: BLOCKS.map((b) => b.collapsed),
               values: false, highlight: -1, matches: new Set(), wmax: 0, batched: false };
const canvas = document.getElementById("canvas");
const viewport = document.getElementById("viewport");
const tooltip = document.getElementById("tooltip");

function members(layer) {
  const out = [];
  NEURONS.forEach((n, k) => { if (n.layer === layer) out.push(k); });
  return out;
}
const MEMBERS = DATA.layers.map((_, k) => members(k));

// A drawn node that stands for many neurons: layer k is -1 - k, block b is -1 - L - b.
function blockOf(node) { return -1 - L - node; }

// The box of block b: its own (netgraph's block layout) or around its neurons.
function blockBox(b) {
  if (BLOCKS[b].box) return BLOCKS[b].box;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const m of BLOCKS[b].members) {
    const n = NEURONS[m];
    x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y); x1 = Math.max(x1, n.x); y1 = Math.max(y1, n.y);
  }
  return [x0 - R - 10, y0 - R - 26, x1 + R + 10, y1 + R + 10];
}

function blockCentre(b) {
  const [x0, y0, x1, y1] = blockBox(b);
  return { x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
}

function layerCentre(layer) {
  if (layer >= L) return blockCentre(layer - L);
  const m = MEMBERS[layer].filter((k) => !(NEURONS[k].block >= 0));
  let x = 0, y = 0;
  for (const k of m) { x += NEURONS[k].x; y += NEURONS[k].y; }
  return { x: x / m.length, y: y / m.length };
}

// What draws neuron k: itself (a number >= 0), its collapsed block (-1 - L - block)
// or its collapsed layer (-1 - layer). A block's neurons follow their block only.
function shownAs(k) {
  const b = NEURONS[k].block;
  if (b >= 0) return view.shut[b] ? -1 - L - b : k;
  const layer = NEURONS[k].layer;
  return view.collapsed[layer] ? -1 - layer : k;
}

function pointOf(node) {
  return node >= 0 ? NEURONS[node] : layerCentre(-1 - node);
}

// A synapse's curve in netgraph's own layout: forward ones bend along the ranks, those
// going back or within a rank arc out to the side, self-connections loop.
// How far from its centre a drawn node's outline is, in the direction (ux, uy).
function reach(node, ux, uy) {
  if (node >= 0) return R;
  return Math.min(52 / Math.max(Math.abs(ux), 1e-9), 22 / Math.max(Math.abs(uy), 1e-9));
}

// Coordinates to a tenth of a pixel: short numbers make short path text, which is most of
// the cost of drawing a hundred thousand synapses (JavaScript writes every double in full).
function r1(v) { return Math.round(v * 10) / 10; }

function along(p) { return (LR ? p.x : p.y) * FORWARD; }

function curve(a, b, self, from = 0, to = 0) {
  if (self) {
    // a memory block's core has room above it whatever the direction (its gates are below)
    const x = r1(a.x), y = r1(a.y);
    return LR || a.block >= 0 ? `M${x - 5},${y - R} C${x - 26},${y - R - 34} ${x + 26},${y - R - 34} ${x + 5},${y - R}`
      : `M${x - R},${y - 5} C${x - R - 34},${y - 26} ${x - R - 34},${y + 26} ${x - R},${y + 5}`;
  }
  // Math.sqrt, not Math.hypot: several times faster, and called once per synapse
  const dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
  const ux = dx / len, uy = dy / len;
  const ra = from >= 0 ? R : reach(from, ux, uy), rb = to >= 0 ? R : reach(to, ux, uy);
  const sx = r1(a.x + ux * ra), sy = r1(a.y + uy * ra);
  const ex = r1(b.x - ux * (rb + 2)), ey = r1(b.y - uy * (rb + 2));
  if (along(b) > along(a)) {
    if (LR) { const m = r1((sx + ex) / 2); return `M${sx},${sy}C${m},${sy} ${m},${ey} ${ex},${ey}`; }
    const m = r1((sy + ey) / 2); return `M${sx},${sy}C${sx},${m} ${ex},${m} ${ex},${ey}`;
  }
  const bend = 40 + 0.25 * len;
  const nx = -uy * bend, ny = ux * bend;
  return `M${sx},${sy}C${r1(sx + nx)},${r1(sy + ny)} ${r1(ex + nx)},${r1(ey + ny)} ${ex},${ey}`;
}

// A straight synapse, rim to rim: what the bulk drawing uses (a browser strokes a hundred
// thousand straight segments several times faster than as many curves).
function line(a, b) {
  const dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
  const ux = dx / len * R, uy = dy / len * R;
  return `M${r1(a.x + ux)},${r1(a.y + uy)}L${r1(b.x - ux)},${r1(b.y - uy)}`;
}

function neuronShape(g, n) {
  const x = n.x, y = n.y;
  const fill = n.kind === "gate" ? COLORS.gate_fill : n.kind === "memory" ? COLORS.memory
    : COLORS[n.role];
  let shape;
  if (n.kind === "gate") {
    shape = el("polygon", { points: `${x},${y - R - 3} ${x + R + 3},${y} ${x},${y + R + 3} ${x - R - 3},${y}` }, g);
  } else if (n.kind === "memory") {
    const a = R * 0.42, b = R;
    shape = el("polygon", { points: [[-a, -b], [a, -b], [b, -a], [b, a], [a, b], [-a, b], [-b, a], [-b, -a]]
      .map(([dx, dy]) => `${x + dx},${y + dy}`).join(" ") }, g);
  } else if (n.role === "input") {
    shape = el("rect", { x: x - R, y: y - R * 0.75, width: 2 * R, height: 1.5 * R, rx: 2 }, g);
  } else {
    shape = el("circle", { cx: x, cy: y, r: R }, g);
    if (n.role === "output") el("circle", { cx: x, cy: y, r: R + 3, fill: "none", stroke: COLORS.line }, g);
  }
  shape.setAttribute("class", "shape");
  shape.setAttribute("fill", fill);
  shape.setAttribute("stroke", COLORS.line);
  return shape;
}

// ------------------------------------------------------------------ drawing
const drawn = { synapses: [], neurons: [] };

function render() {
  const boxes = document.getElementById("boxes"), edges = document.getElementById("edges");
  const gates = document.getElementById("gates"), nodes = document.getElementById("nodes");
  for (const g of [boxes, edges, gates, nodes]) g.replaceChildren();
  drawn.synapses = new Array(S).fill(null);
  drawn.neurons = new Array(N).fill(null);

  // layer boxes (expanded) and layer nodes (collapsed)
  DATA.layers.forEach((layer, k) => {
    if (layer.blocked) return; // drawn as its blocks
    if (view.collapsed[k]) {
      const c = layerCentre(k);
      const g = el("g", { class: "layer-node", "data-layer": k }, nodes);
      el("rect", { x: c.x - 52, y: c.y - 22, width: 104, height: 44, rx: 4, fill: COLORS[layer.role],
                   stroke: COLORS.line, class: "shape" }, g);
      el("text", { x: c.x, y: c.y - 7 }, g).textContent = layer.name;
      el("text", { x: c.x, y: c.y + 9 }, g).textContent =
        `${MEMBERS[k].length.toLocaleString("en")} neuron${MEMBERS[k].length === 1 ? "" : "s"}`;
      return;
    }
    if (!layer.boxed || layer.blocked) return;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const m of MEMBERS[k]) {
      if (NEURONS[m].block >= 0) continue;
      const n = NEURONS[m];
      x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y); x1 = Math.max(x1, n.x); y1 = Math.max(y1, n.y);
    }
    const pad = R + 10;
    const g = el("g", { class: "box", "data-box": k }, boxes);
    el("rect", { x: x0 - pad, y: y0 - pad - 12, width: x1 - x0 + 2 * pad, height: y1 - y0 + 2 * pad + 12,
                 rx: 8, fill: COLORS.cluster }, g);
    const label = el("text", { x: (x0 + x1) / 2, y: y0 - pad, "text-anchor": "middle", "data-layer": k }, g);
    label.textContent = layer.name;
  });

  BLOCKS.forEach((block, b) => drawBlock(block, b, boxes, nodes));

  // synapses: single ones between shown neurons, grouped ones where a layer is collapsed
  let wmax = 0;
  const values = view.values;
  document.getElementById("encoded").textContent = values ? "contribution (weight \u00d7 value)" : "weight";
  document.getElementById("encoded-abs").textContent = values ? "contribution" : "weight";
  for (let e = 0; e < S; e++) wmax = Math.max(wmax, Math.abs(values ? model.contribution[e] : model.weights[e]));
  if (!values && view.wmax) wmax = view.wmax; // one scale for every frame of a replay
  const groups = new Map();
  const hits = S <= 4000;
  // Past BATCH synapses drawn one by one (a 784-128-10 net expanded has 101,632), one SVG
  // element each is what makes the page slow: tens of thousands of elements to build,
  // style and hit-test. Then synapses of the same colour, width and dash share one path
  // element (a few dozen in all), as straight lines without arrowheads (at that density
  // arrows are noise and curves cost the browser several times more to paint; the layout
  // runs forward); a clicked neuron's synapses are drawn one by one on top.
  let single = 0;
  for (let e = 0; e < S; e++) if (shownAs(SYN.source[e]) >= 0 && shownAs(SYN.target[e]) >= 0) single++;
  const batched = single > BATCH ? new Map() : null;
  view.batched = batched !== null;
  for (let e = 0; e < S; e++) {
    const a = shownAs(SYN.source[e]), b = shownAs(SYN.target[e]);
    if (a >= 0 && b >= 0) {
      const v = values ? model.contribution[e] : model.weights[e];
      if (batched) {
        const d = SYN.path[e] || (a === b ? curve(NEURONS[a], NEURONS[b], true) : line(NEURONS[a], NEURONS[b]));
        // colour (sign), width to a tenth and dash, as one number
        const key = (Math.sign(v) + 1) * 1000 + Math.round(widthOf(v, wmax) * 10) * 2 + (SYN.delay[e] ? 1 : 0);
        let parts = batched.get(key);
        if (!parts) { parts = []; batched.set(key, parts); }
        parts.push(d);
        continue;
      }
      const d = SYN.path[e] || curve(NEURONS[a], NEURONS[b], a === b);
      const g = el("g", { class: "synapse", "data-s": e }, edges);
      const p = el("path", { d, class: "syn", stroke: colorOf(v), "stroke-width": widthOf(v, wmax).toFixed(2),
                             "marker-end": "url(#arrow)" }, g);
      if (SYN.delay[e]) p.setAttribute("stroke-dasharray", "5 3");
      if (hits) el("path", { d, class: "hit" }, g);
      drawn.synapses[e] = p;
    } else {
      const key = `${a}>${b}>${SYN.delay[e] ? 1 : 0}`;
      let grp = groups.get(key);
      if (!grp) { grp = { a, b, delayed: SYN.delay[e] > 0, count: 0, total: 0, first: e }; groups.set(key, grp); }
      grp.count += 1; grp.total += Math.abs(model.weights[e]);
    }
  }
  if (batched) {
    for (const [key, parts] of batched) {
      const stroke = colorOf(Math.floor(key / 1000) - 1), width = (Math.floor(key % 1000 / 2) / 10).toFixed(1);
      const p = el("path", { d: parts.join(""), class: "syn batch", stroke, "stroke-width": width,
                             "data-count": parts.length }, edges);
      if (key % 2) p.setAttribute("stroke-dasharray", "5 3");
    }
  }
  let gmax = 0;
  // Between two shut blocks (an LSTM's peepholes) there can be a curve for every pair:
  // drawn only while few; a block's details count them.
  const between = [...groups.values()].filter((grp) => grp.a < -L && grp.b < -L);
  const hideBetween = between.length > 40;
  for (const grp of groups.values()) gmax = Math.max(gmax, grp.total / grp.count);
  for (const grp of groups.values()) {
    if (hideBetween && grp.a < -L && grp.b < -L) continue;
    const pa = pointOf(grp.a), pb = pointOf(grp.b);
    const g = el("g", { class: "synapse-group", "data-group": `${grp.a},${grp.b},${grp.count},${grp.total / grp.count}` }, edges);
    const d = curve(pa, pb, grp.a === grp.b, grp.a, grp.b);
    const p = el("path", { d, class: "syn", stroke: COLORS.neutral, "stroke-width": widthOf(grp.total / grp.count, gmax).toFixed(2),
                           "marker-end": "url(#arrow)" }, g);
    if (grp.delayed) p.setAttribute("stroke-dasharray", "5 3");
    el("path", { d, class: "hit" }, g);
    if (grp.a < -L || grp.b < -L) continue; // many small groups: counts in the details
    const t = el("text", { x: (pa.x + pb.x) / 2, y: (pa.y + pb.y) / 2 - 6, class: "group-label" }, g);
    t.textContent = `${grp.count.toLocaleString("en")} synapse${grp.count === 1 ? "" : "s"}`;
  }

  // gate connectors: from a gater to what it gates (once per pair)
  const links = new Set();
  for (let e = 0; e < S; e++) {
    if (SYN.gater[e] < 0) continue;
    const a = shownAs(SYN.gater[e]), b = shownAs(SYN.target[e]);
    const key = `${a}>${b}`;
    if (links.has(key) || a === b) continue;
    links.add(key);
    const pa = pointOf(a), pb = pointOf(b);
    el("path", { d: `M${pa.x},${pa.y} L${pb.x},${pb.y}`, class: "gate-link", stroke: COLORS.gate,
                 "data-gate": `${a},${b}` }, gates);
  }

  // neurons
  for (let k = 0; k < N; k++) {
    if (shownAs(k) < 0) continue;
    const n = NEURONS[k];
    const g = el("g", { class: "neuron", "data-n": k }, nodes);
    neuronShape(g, n);
    el("text", { x: n.x, y: n.y }, g).textContent = n.id.length > 6 ? n.id.slice(0, 5) + "\u2026" : n.id;
    if (values) {
      const t = el("text", { x: n.x, y: n.y + R + 10, class: "value" }, g);
      t.textContent = fmt(model.y[k]);
    }
    drawn.neurons[k] = g;
  }
  applyMarks();
}

// A memory block: a labelled box around its neurons, or one node when shut.
function drawBlock(block, b, boxes, nodes) {
  const [x0, y0, x1, y1] = blockBox(b);
  if (view.shut[b]) {
    const c = blockCentre(b);
    const g = el("g", { class: "block-node", "data-block": b }, nodes);
    el("rect", { x: c.x - 52, y: c.y - 22, width: 104, height: 44, rx: 10, fill: COLORS.memory,
                 stroke: COLORS.line, class: "shape" }, g);
    el("text", { x: c.x, y: c.y - 7 }, g).textContent =
      block.name.length > 16 ? block.name.slice(0, 15) + "\u2026" : block.name;
    el("text", { x: c.x, y: c.y + 9 }, g).textContent = `${block.members.length} neurons`;
    return;
  }
  const g = el("g", { class: "box block-box", "data-box-block": b }, boxes);
  el("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 10, fill: COLORS.cluster,
               stroke: COLORS.gate }, g);
  const label = el("text", { x: (x0 + x1) / 2, y: y0 + 12, "text-anchor": "middle", "data-block": b }, g);
  label.textContent = block.name.length > 24 ? block.name.slice(0, 23) + "\u2026" : block.name;
}

// ------------------------------------------------------------------ highlight, search
function applyMarks() {
  const h = view.highlight;
  const near = new Set();
  const edges = new Set();
  if (h >= 0) {
    near.add(h);
    for (let e = 0; e < S; e++) {
      if (SYN.source[e] === h || SYN.target[e] === h) {
        edges.add(e); near.add(SYN.source[e]); near.add(SYN.target[e]);
      }
    }
  }
  if (view.batched) {
    // the bulk paths dim as a whole; the neuron's own synapses are drawn one by one above
    for (const p of document.querySelectorAll(".batch")) p.classList.toggle("dim", h >= 0);
    const layer = document.getElementById("edges");
    for (const g of layer.querySelectorAll(".synapse.hl")) g.remove();
    drawn.synapses = new Array(S).fill(null);
    for (const e of edges) {
      const a = shownAs(SYN.source[e]), b = shownAs(SYN.target[e]);
      if (a < 0 || b < 0) continue;
      const d = SYN.path[e] || (a === b ? curve(NEURONS[a], NEURONS[b], true) : line(NEURONS[a], NEURONS[b]));
      const v = view.values ? model.contribution[e] : model.weights[e];
      const g = el("g", { class: "synapse hl", "data-s": e }, layer);
      const p = el("path", { d, class: "syn", stroke: colorOf(v), "stroke-width": 1.5,
                             "marker-end": "url(#arrow)" }, g);
      if (SYN.delay[e]) p.setAttribute("stroke-dasharray", "5 3");
      el("path", { d, class: "hit" }, g);
      drawn.synapses[e] = p;
    }
  } else {
    drawn.synapses.forEach((p, e) => {
      if (!p) return;
      p.parentNode.classList.toggle("dim", h >= 0 && !edges.has(e));
      p.parentNode.classList.toggle("hl", edges.has(e));
    });
  }
  drawn.neurons.forEach((g, k) => {
    if (!g) return;
    g.classList.toggle("dim", h >= 0 && !near.has(k));
    g.classList.toggle("hl", k === h);
    g.classList.toggle("match", view.matches.has(k));
  });
  for (const g of document.querySelectorAll(".synapse-group, .gate-link, .block-node")) g.classList.toggle("dim", h >= 0);
}

function search(text) {
  const q = text.trim().toLowerCase();
  view.matches = new Set();
  if (q) NEURONS.forEach((n, k) => { if (n.id.toLowerCase().includes(q)) view.matches.add(k); });
  document.getElementById("search-count").textContent =
    q ? `${view.matches.size} match${view.matches.size === 1 ? "" : "es"}` : "";
  applyMarks();
}

function focusNeuron(k) {
  const layer = NEURONS[k].layer, b = NEURONS[k].block;
  if (b >= 0 && view.shut[b]) { view.shut[b] = false; render(); updateLayerList(); }
  if (!(b >= 0) && view.collapsed[layer]) { view.collapsed[layer] = false; render(); updateLayerList(); }
  const box = canvas.getBoundingClientRect();
  view.k = Math.max(view.k, 1);
  view.x = box.width / 2 - NEURONS[k].x * view.k;
  view.y = box.height / 2 - NEURONS[k].y * view.k;
  applyView();
}

// ------------------------------------------------------------------ pan and zoom
function applyView() {
  viewport.setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`);
}

function fit() {
  const box = canvas.getBoundingClientRect();
  const bb = viewport.getBBox();
  if (!bb.width || !bb.height || !box.width || !box.height) return;
  const k = Math.min(box.width / (bb.width + 40), box.height / (bb.height + 40), 2);
  view.k = k;
  view.x = (box.width - bb.width * k) / 2 - bb.x * k;
  view.y = (box.height - bb.height * k) / 2 - bb.y * k;
  applyView();
}

let drag = null;
canvas.addEventListener("pointerdown", (ev) => {
  drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
  canvas.setPointerCapture(ev.pointerId);
});
canvas.addEventListener("pointermove", (ev) => {
  if (!drag) return;
  const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
  if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; canvas.classList.add("dragging"); }
  if (drag.moved) { view.x = drag.vx + dx; view.y = drag.vy + dy; applyView(); }
});
canvas.addEventListener("pointerup", (ev) => {
  const moved = drag && drag.moved;
  drag = null;
  canvas.classList.remove("dragging");
  if (!moved) click(ev);
});
canvas.addEventListener("wheel", (ev) => {
  ev.preventDefault();
  const box = canvas.getBoundingClientRect();
  const mx = ev.clientX - box.left, my = ev.clientY - box.top;
  const k = Math.min(Math.max(view.k * Math.exp(-ev.deltaY * 0.0015), 0.02), 40);
  view.x = mx - (mx - view.x) * (k / view.k);
  view.y = my - (my - view.y) * (k / view.k);
  view.k = k;
  applyView();
}, { passive: false });

function click(ev) {
  const target = document.elementFromPoint(ev.clientX, ev.clientY);
  const layerLabel = target && target.closest("[data-layer]");
  const neuron = target && target.closest("[data-n]");
  const block = target && target.closest("[data-block]");
  if (block && !neuron) {
    toggleBlock(Number(block.getAttribute("data-block")));
    return;
  }
  if (layerLabel && !neuron) {
    toggleLayer(Number(layerLabel.getAttribute("data-layer")));
    return;
  }
  view.highlight = neuron ? Number(neuron.getAttribute("data-n")) : -1;
  applyMarks();
}

// ------------------------------------------------------------------ details on hover
function full(x) { return String(x); }

function neuronDetails(k) {
  const n = NEURONS[k];
  const lines = [`layer ${DATA.layers[n.layer].name} (${n.role}${n.kind ? ", " + n.kind : ""})`];
  if (n.role !== "input") {
    lines.push(`activation ${DATA.activations[n.act]}`, `bias ${full(model.biases[k])}`);
  }
  if (view.values) {
    if (n.role === "input") lines.push(`value ${full(model.y[k])}`);
    else lines.push(`sum ${full(model.s[k])}`, `output ${full(model.y[k])}`);
  }
  return [n.id, lines];
}

function synapseDetails(e) {
  const a = NEURONS[SYN.source[e]], b = NEURONS[SYN.target[e]];
  const lines = [`weight ${full(model.weights[e])}`];
  if (SYN.delay[e]) lines.push(`delay ${SYN.delay[e]} step${SYN.delay[e] === 1 ? "" : "s"}`);
  if (SYN.gater[e] >= 0) lines.push(`gated by ${NEURONS[SYN.gater[e]].id}`);
  if (view.values) lines.push(`contribution ${full(model.contribution[e])}`);
  return [`${a.id} \u2192 ${b.id}`, lines];
}

function blockDetails(b) {
  const block = BLOCKS[b];
  const inside = new Set(block.members);
  let into = 0, out = 0;
  for (let e = 0; e < S; e++) {
    const s = inside.has(SYN.source[e]), t = inside.has(SYN.target[e]);
    if (t && !s) into += 1;
    if (s && !t) out += 1;
  }
  const kinds = block.members.map((m) => `${NEURONS[m].id} (${NEURONS[m].kind || NEURONS[m].role})`);
  return [block.name, [`memory block of ${NEURONS[block.core].id}: ${block.members.length} neurons`,
          ...kinds, `${into} synapses in, ${out} out`, `click to ${view.shut[b] ? "expand" : "collapse"}`]];
}

function layerDetails(k) {
  const layer = DATA.layers[k];
  const acts = [...new Set(MEMBERS[k].map((m) => DATA.activations[NEURONS[m].act]))];
  return [`layer ${layer.name}`, [`${MEMBERS[k].length} neurons (${layer.role})`, acts.join(", "),
          "click to expand"]];
}

function showTooltip(ev, head, lines) {
  tooltip.replaceChildren();
  const h = document.createElement("div");
  h.className = "head";
  h.textContent = head;
  tooltip.appendChild(h);
  for (const line of lines) {
    const d = document.createElement("div");
    d.textContent = line;
    tooltip.appendChild(d);
  }
  tooltip.hidden = false;
  moveTooltip(ev);
}

function moveTooltip(ev) {
  const w = tooltip.offsetWidth, h = tooltip.offsetHeight;
  const x = Math.min(ev.clientX + 14, window.innerWidth - w - 4);
  const y = Math.min(ev.clientY + 14, window.innerHeight - h - 4);
  tooltip.style.left = `${Math.max(x, 0)}px`;
  tooltip.style.top = `${Math.max(y, 0)}px`;
}

canvas.addEventListener("mouseover", (ev) => {
  const t = ev.target;
  const n = t.closest("[data-n]"), s = t.closest("[data-s]"), l = t.closest(".layer-node");
  const grp = t.closest("[data-group]");
  if (n) showTooltip(ev, ...neuronDetails(Number(n.getAttribute("data-n"))));
  else if (s) showTooltip(ev, ...synapseDetails(Number(s.getAttribute("data-s"))));
  else if (l) showTooltip(ev, ...layerDetails(Number(l.getAttribute("data-layer"))));
  else if (t.closest(".block-node")) showTooltip(ev, ...blockDetails(Number(t.closest(".block-node").getAttribute("data-block"))));
  else if (grp) {
    const [a, b, count, mean] = grp.getAttribute("data-group").split(",").map(Number);
    const name = (x) => (x >= 0 ? NEURONS[x].id : x < -L ? BLOCKS[blockOf(x)].name
      : `layer ${DATA.layers[-1 - x].name}`);
    showTooltip(ev, `${name(a)} \u2192 ${name(b)}`, [`${count} synapses`, `mean |weight| ${full(mean)}`]);
  } else tooltip.hidden = true;
});
canvas.addEventListener("mousemove", (ev) => { if (!tooltip.hidden) moveTooltip(ev); });
canvas.addEventListener("mouseleave", () => { tooltip.hidden = true; });

// ------------------------------------------------------------------ layers panel
function toggleLayer(k) {
  view.collapsed[k] = !view.collapsed[k];
  render();
  updateLayerList();
}

function toggleBlock(b) {
  view.shut[b] = !view.shut[b];
  render();
  updateLayerList();
}

function updateLayerList() {
  const list = document.getElementById("layer-list");
  list.replaceChildren();
  BLOCKS.forEach((block, b) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("aria-expanded", String(!view.shut[b]));
    button.setAttribute("data-block-button", b);
    button.textContent = `${view.shut[b] ? "\u25b8" : "\u25be"} ${block.name} (${block.members.length})`;
    button.addEventListener("click", () => toggleBlock(b));
    li.appendChild(button);
    list.appendChild(li);
  });
  DATA.layers.forEach((layer, k) => {
    if (layer.blocked) return; // all its neurons are in blocks: the blocks open and shut
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.setAttribute("aria-expanded", String(!view.collapsed[k]));
    b.setAttribute("data-layer-button", k);
    b.textContent = `${view.collapsed[k] ? "\u25b8" : "\u25be"} ${layer.name} (${MEMBERS[k].length})`;
    b.addEventListener("click", () => toggleLayer(k));
    li.appendChild(b);
    list.appendChild(li);
  });
}

document.getElementById("collapse-all").addEventListener("click", () => {
  view.collapsed = view.collapsed.map(() => true); view.shut = view.shut.map(() => true);
  render(); updateLayerList();
});
document.getElementById("expand-all").addEventListener("click", () => {
  view.collapsed = view.collapsed.map(() => false); view.shut = view.shut.map(() => false);
  render(); updateLayerList();
});
document.getElementById("fit").addEventListener("click", fit);
document.getElementById("search").addEventListener("input", (ev) => search(ev.target.value));
document.getElementById("search").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && view.matches.size) focusNeuron([...view.matches][0]);
});

function start() {
  document.getElementById("title").textContent = DATA.title || "netgraph network";
  document.querySelector(".swatch.pos").style.background = COLORS.positive;
  document.querySelector(".swatch.neg").style.background = COLORS.negative;
  document.getElementById("layout-note").textContent = DATA.layout === "dot"
    ? "Laid out by Graphviz's dot." : "Laid out by netgraph's own layered layout.";
  updateLayerList();
  render();
  fit();
}
