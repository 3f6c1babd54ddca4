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

const path = require('path');

let rngState = 1;
Math.random = function random() {
  rngState = (rngState + 0x6D2B79F5) | 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const brain = require(path.join(__dirname, '..', 'benchmarks', 'node_modules', 'brain.js'));

function plain(value) {
  if (value && typeof value.length === 'number' && typeof value !== 'string') {
    return Array.from(value);
  }
  return value;
}

function runProgram(program) {
  rngState = program.seed | 0;
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

let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { text += chunk; });
process.stdin.on('end', () => {
  const replies = JSON.parse(text).map((program) => {
    try {
      return runProgram(program);
    } catch (e) {
      return { error: String(e && e.stack ? e.stack : e) };
    }
  });
  process.stdout.write(JSON.stringify(replies));
});
