'use strict';
// Runs programs in the real brain.js (the version pinned in benchmarks/package.json) for
// netgraph's import tests.
//
// Reads a JSON list of programs on stdin and writes a JSON list of replies on stdout.
// A program:
//   {"seed": 7,                            Math.random is replaced by a seeded generator
//    "options": {...},                     new brain.NeuralNetwork(options)
//    "train": {"data": [...], "options": {...}},
//    "json": <toJSON document>,            instead of options/train: net.fromJSON(json)
//    "recurrent": "LSTM",                  instead: a brain.recurrent.<kind> trained on
//                                          "train".data (its toJSON is the reply)
//    "inputs": [...]}                      each given to net.run (arrays or objects)
// A reply: {"json": net.toJSON(), "outputs": [net.run(input) for each input]} or
// {"error": message}. Outputs are brain.js's Float32Array values, as plain numbers.

const { seed, requirePeer, serve } = require('./peer_common');

const brain = requirePeer('brain.js');

function plain(value) {
  if (value && typeof value.length === 'number' && typeof value !== 'string') {
    return Array.from(value);
  }
  return value;
}

function runProgram(program) {
  seed(program.seed);
  if (program.recurrent) {
    const net = new brain.recurrent[program.recurrent](program.options || {});
    net.train(program.train.data, program.train.options || {});
    return { json: net.toJSON(), outputs: [] };
  }
  let net;
  if (program.json) {
    net = new brain.NeuralNetwork();
    net.fromJSON(program.json);
  } else {
    net = new brain.NeuralNetwork(program.options || {});
    net.train(program.train.data, program.train.options || {});
  }
  const outputs = (program.inputs || []).map((x) => plain(net.run(x)));
  return { json: net.toJSON(), outputs: outputs };
}

serve(runProgram, { stack: true });
