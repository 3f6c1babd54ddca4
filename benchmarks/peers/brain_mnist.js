'use strict';
// brain.js 1.6.1 NeuralNetwork, 784-128-10 sigmoid, online SGD on random MNIST-shaped data.
//
// brain.js's train() runs trainingTick() once per iteration; with its errorCheckInterval
// of 1 each tick is calculateTrainingError(), which calls trainPattern() on every sample:
// runInput (forward), calculateDeltas (backward) and adjustWeights (per-sample update, with
// momentum). So one iteration = data.length online updates. We pass Float32Array inputs and
// outputs so train()'s formatData() does no per-call conversion, warm up with one iteration
// (this also initializes the weights), then time train(data, {iterations: k, errorThresh: 1e-9})
// and report samples per second = k * data.length / seconds, best of REPEATS.
// brain.js 1.6.1 rejects errorThresh <= 0 and momentum <= 0 ("out of normal training range"),
// so errorThresh is a tiny positive number (never reached on random targets) and momentum is
// brain.js's default 0.1.
//
// Usage: node brain_mnist.js [--samples N] [--iterations K] [--repeats R] [--seed S]
// Prints one JSON line.

const brain = require('brain.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const SAMPLES = arg('--samples', 2000);
const ITERATIONS = arg('--iterations', 1);
const REPEATS = arg('--repeats', 3);
const SEED = arg('--seed', 1);
const N_IN = 784;
const N_HIDDEN = 128;
const N_OUT = 10;
const LEARNING_RATE = 0.3;
const MOMENTUM = 0.1; // brain.js's default; it must be > 0
const ERROR_THRESH = 1e-9; // must be > 0; random targets never get there

// Small deterministic PRNG (mulberry32) for the data; brain.js's own weight init uses
// Math.random, which does not matter for timing.
function mulberry32(a) {
  return function () {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeData(n, rand) {
  const data = new Array(n);
  for (let i = 0; i < n; i++) {
    const input = new Float32Array(N_IN);
    for (let j = 0; j < N_IN; j++) input[j] = rand();
    const output = new Float32Array(N_OUT);
    output[Math.floor(rand() * N_OUT)] = 1;
    data[i] = { input, output };
  }
  return data;
}

const data = makeData(SAMPLES, mulberry32(SEED));
const net = new brain.NeuralNetwork({ hiddenLayers: [N_HIDDEN] });
const opts = { learningRate: LEARNING_RATE, momentum: MOMENTUM, errorThresh: ERROR_THRESH };

net.train(data, Object.assign({ iterations: 1 }, opts)); // warm-up + weight init
if (net.sizes.join(',') !== [N_IN, N_HIDDEN, N_OUT].join(',')) {
  throw new Error('unexpected brain.js layer sizes ' + net.sizes);
}

const rates = [];
let status = null;
for (let r = 0; r < REPEATS; r++) {
  const t0 = process.hrtime.bigint();
  status = net.train(data, Object.assign({ iterations: ITERATIONS }, opts));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (status.iterations !== ITERATIONS) {
    throw new Error('brain.js stopped after ' + status.iterations + ' iterations');
  }
  rates.push((ITERATIONS * SAMPLES) / seconds);
}

console.log(JSON.stringify({
  peer: 'brain.js',
  version: require('brain.js/package.json').version,
  node: process.version,
  task: 'mnist_online',
  sizes: net.sizes,
  samples: SAMPLES,
  iterations: ITERATIONS,
  learning_rate: LEARNING_RATE,
  momentum: MOMENTUM,
  repeats: REPEATS,
  samples_per_s: Math.max(...rates),
  samples_per_s_all: rates,
  final_error: status.error,
}));
