'use strict';
// Runs programs in the real Synaptic.js (the version pinned in benchmarks/package.json)
// for netgraph's fidelity tests and scripts/synaptic_differential.py.
//
// Reads a JSON list of programs on stdin and writes a JSON list of replies on stdout.
// A program:
//   {"seed": 7,                         Math.random is replaced by a seeded generator
//    "build": <one of>
//      {"kind": "layers", "layers": [{"size": 3, "squash": "TANH"}, ...],
//       "input": 0, "hidden": [1, 2], "output": 3,
//       "ops": [["project", from, to, type|null, weight|null],     -> a projection
//               ["gate", gater, projection, type],                  (layer indices;
//               ["neuron_project", layer, i, layer, j, weight|null], projection by
//               ["neuron_gate", layer, i, projection, k]]}           creation index)
//      {"kind": "LSTM", "sizes": [2, 3, 1], "options": {...}}
//      {"kind": "Liquid", "args": [inputs, hidden, outputs, connections, gates]}
//      {"kind": "Hopfield", "size": 4}
//      {"kind": "json", "network": <toJSON document>}          Network.fromJSON
//    "scale": 1.5,                    optional: weights and biases from uniform(-1.5, 1.5)
//    "steps": [{"op": "activate", "input": [...]}, {"op": "propagate", "rate": r,
//              "target": [...]}, {"op": "clear"}]}
// A reply: {"initial": toJSON before any step, "outputs": [every activate's output],
//   "final": toJSON after the steps, "skipped": ops Synaptic refused or ignored,
//   "multi_gated": how many synapses more than one gate() call reached (toJSON keeps one)}
// or {"error": message}. Numbers go through JSON.stringify, which writes doubles exactly.

const { seed, requirePeer, serve } = require('./peer_common');

const synaptic = requirePeer('synaptic');
const { Network, Layer, Neuron, Architect } = synaptic;

const CONNECTION = {
  all_to_all: Layer.connectionType.ALL_TO_ALL,
  one_to_one: Layer.connectionType.ONE_TO_ONE,
  all_to_else: Layer.connectionType.ALL_TO_ELSE,
};
const GATE = {
  input: Layer.gateType.INPUT,
  output: Layer.gateType.OUTPUT,
  one_to_one: Layer.gateType.ONE_TO_ONE,
};

function buildLayers(spec, skipped) {
  const layers = spec.layers.map((l) => {
    const layer = new Layer(l.size);
    if (l.squash) layer.set({ squash: Neuron.squash[l.squash] });
    return layer;
  });
  const projections = [];
  const gates = [];
  for (const op of spec.ops) {
    if (op[0] === 'project') {
      const [, a, b, type, weight] = op;
      const p = layers[a].project(layers[b], type == null ? undefined : CONNECTION[type],
        weight == null ? undefined : weight);
      if (p === undefined) skipped.push(op);
      projections.push(p);
    } else if (op[0] === 'gate') {
      const [, g, k, type] = op;
      if (projections[k] === undefined) { skipped.push(op); continue; }
      layers[g].gate(projections[k], GATE[type]);
    } else if (op[0] === 'neuron_project') {
      const [, a, i, b, j, weight] = op;
      const c = layers[a].list[i].project(layers[b].list[j], weight == null ? undefined : weight);
      projections.push({ single: c });
    } else if (op[0] === 'neuron_gate') {
      const [, g, i, k] = op;
      const p = projections[k];
      if (p === undefined || !p.single) { skipped.push(op); continue; }
      gates.push([layers[g].list[i], p.single]);
      layers[g].list[i].gate(p.single);
    } else {
      throw new Error(`unknown op ${op[0]}`);
    }
  }
  return new Network({
    input: layers[spec.input],
    hidden: spec.hidden.map((k) => layers[k]),
    output: layers[spec.output],
  });
}

function build(spec, skipped) {
  switch (spec.kind) {
    case 'layers': return buildLayers(spec, skipped);
    case 'LSTM': {
      const options = Object.assign({}, spec.options || {});
      if (options.peepholes) options.peepholes = CONNECTION[options.peepholes.toLowerCase()];
      return new Architect.LSTM(...spec.sizes, options);
    }
    case 'Liquid': return new Architect.Liquid(...spec.args);
    case 'Hopfield': return new Architect.Hopfield(spec.size);
    case 'json': return Network.fromJSON(spec.network);
    default: throw new Error(`unknown build kind ${spec.kind}`);
  }
}

// Synapses whose gain more than one gate() call sets: Synaptic runs every such gater,
// but toJSON records one, so no JSON reader can reproduce them.
function multiGated(net) {
  const count = new Map();
  for (const { neuron } of net.neurons()) {
    for (const id in neuron.trace.influences) {
      for (const c of neuron.trace.influences[id]) count.set(c, (count.get(c) || 0) + 1);
    }
  }
  let n = 0;
  for (const v of count.values()) if (v > 1) n += 1;
  return n;
}

// Draw every weight (but self-connections) and bias from uniform(-scale, scale), so that
// squashes work away from 0 and differences show.
function randomize(net, scale) {
  for (const { neuron, layer } of net.neurons()) {
    if (layer !== 'input') neuron.bias = (Math.random() * 2 - 1) * scale;
    for (const id in neuron.connections.projected) {
      neuron.connections.projected[id].weight = (Math.random() * 2 - 1) * scale;
    }
  }
}

function run(program) {
  seed(program.seed);
  const skipped = [];
  const net = build(program.build, skipped);
  if (program.scale) randomize(net, program.scale);
  const initial = net.toJSON();
  const outputs = [];
  for (const step of program.steps || []) {
    if (step.op === 'activate') outputs.push(Array.from(net.activate(step.input)));
    else if (step.op === 'propagate') net.propagate(step.rate, step.target);
    else if (step.op === 'clear') net.clear();
    else throw new Error(`unknown step ${step.op}`);
  }
  return { initial, outputs, final: net.toJSON(), skipped, multi_gated: multiGated(net) };
}

serve(run);
