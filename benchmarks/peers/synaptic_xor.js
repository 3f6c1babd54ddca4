'use strict';
// Synaptic.js 1.1.4 XOR tutorial loop, timed.
//
// Builds the tutorial's 2-3-1 network (Layer(2) -> Layer(3) -> Layer(1)), then runs
// ITERATIONS passes over the four XOR samples, each sample being one activate(x)
// followed by one propagate(rate, [t]). The whole loop is timed on a fresh network
// (so Synaptic's lazy optimize(), done on the first activate, is inside the timing);
// one warm-up run comes first, and the best of REPEATS fresh networks is reported.
//
// Usage: node synaptic_xor.js [--iterations N] [--repeats R] [--rate LR]
// Prints one JSON line.

const { Layer, Network } = require('synaptic');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const ITERATIONS = arg('--iterations', 20000);
const REPEATS = arg('--repeats', 5);
const RATE = arg('--rate', 0.3);

const SAMPLES = [
  [[0, 0], [0]],
  [[0, 1], [1]],
  [[1, 0], [1]],
  [[1, 1], [0]],
];

function buildNetwork() {
  const input = new Layer(2);
  const hidden = new Layer(3);
  const output = new Layer(1);
  input.project(hidden);
  hidden.project(output);
  return new Network({ input, hidden: [hidden], output });
}

function runOnce() {
  const net = buildNetwork();
  const t0 = process.hrtime.bigint();
  for (let it = 0; it < ITERATIONS; it++) {
    for (let s = 0; s < 4; s++) {
      net.activate(SAMPLES[s][0]);
      net.propagate(RATE, SAMPLES[s][1]);
    }
  }
  const t1 = process.hrtime.bigint();
  const outputs = SAMPLES.map((s) => net.activate(s[0])[0]);
  return { ms: Number(t1 - t0) / 1e6, outputs };
}

function firstActivateMs() {
  // Cost of the first activate() on a fresh network (Synaptic compiles it then).
  const net = buildNetwork();
  const t0 = process.hrtime.bigint();
  net.activate([0, 1]);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

runOnce(); // warm-up: lets V8 tier up Synaptic's own code
const times = [];
let last = null;
for (let r = 0; r < REPEATS; r++) {
  last = runOnce();
  times.push(last.ms);
}
const compileMs = Math.min(firstActivateMs(), firstActivateMs(), firstActivateMs());
const mse = last.outputs.reduce((acc, y, i) => acc + (y - SAMPLES[i][1][0]) ** 2, 0) / 4;

console.log(JSON.stringify({
  peer: 'synaptic',
  version: require('synaptic/package.json').version,
  node: process.version,
  task: 'xor_seed',
  iterations: ITERATIONS,
  steps: ITERATIONS * 4,
  rate: RATE,
  repeats: REPEATS,
  ms: Math.min(...times),
  ms_all: times,
  first_activate_ms: compileMs,
  final_outputs: last.outputs,
  final_mse: mse,
}));
