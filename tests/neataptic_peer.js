'use strict';
// Runs programs in the real Neataptic (the version pinned in benchmarks/package.json) for
// netgraph's import tests.
//
// Reads a JSON list of programs on stdin and writes a JSON list of replies on stdout.
// A program:
//   {"seed": 7,                           Math.random is replaced by a seeded generator
//    "build": {"kind": "Perceptron" | "LSTM" | "GRU" | "NARX" | "Random" | "Network",
//              "args": [...]}             architect.<kind>(...args) or new Network(...args)
//           | {"kind": "json", "network": <toJSON document>}         Network.fromJSON
//    "mutate": {"methods": ["ADD_NODE", ...] | "ALL" | "FFW", "count": 40},
//    "train": {"set": [{"input": [...], "output": [...]}], "options": {...}},
//    "inputs": [[...], ...]}             activated in turn
// A reply: {"json": toJSON after building, mutating and training,
//           "outputs": [each input's output from Network.fromJSON(json), activated in turn],
//           "original": [the same from the network itself, when it was never activated]}
// or {"error": message}. Numbers go through JSON.stringify, which writes doubles exactly.

const { seed, requirePeer, serve } = require('./peer_common');

const neataptic = requirePeer('neataptic');
const { Network, architect, methods, config } = neataptic;
config.warnings = false;

function build(spec) {
  if (spec.kind === 'json') return Network.fromJSON(spec.network);
  if (spec.kind === 'Network') return new Network(...spec.args);
  if (!Object.prototype.hasOwnProperty.call(architect, spec.kind)) {
    throw new Error('unknown architecture ' + spec.kind);
  }
  return architect[spec.kind](...spec.args);
}

function mutations(spec) {
  if (spec.methods === 'ALL' || spec.methods === 'FFW') return methods.mutation[spec.methods];
  return spec.methods.map((name) => methods.mutation[name]);
}

function runProgram(program) {
  seed(program.seed);
  const net = build(program.build);
  let touched = false;
  if (program.mutate) {
    const pool = mutations(program.mutate);
    for (let k = 0; k < program.mutate.count; k++) {
      net.mutate(pool[Math.floor(Math.random() * pool.length)]);
    }
  }
  if (program.train) {
    net.train(program.train.set, program.train.options);
    touched = true;
  }
  const json = net.toJSON();
  const copy = Network.fromJSON(JSON.parse(JSON.stringify(json)));
  const inputs = program.inputs || [];
  const reply = { json: json, outputs: inputs.map((x) => copy.activate(x)) };
  if (!touched) reply.original = inputs.map((x) => net.activate(x));
  return reply;
}

serve(runProgram, { stack: true });
