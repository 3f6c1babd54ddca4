'use strict';
// Synaptic.js 1.1.4's tutorial as a whole program: build the 2-3-1 network, run 20,000
// passes over the four XOR samples (activate, then propagate at rate 0.3), print the four
// outputs. benchmarks/cold_start.py times the whole process, Node's start included,
// against benchmarks/seed_tutorial.py, the same program in netgraph.
const { Layer, Network } = require('synaptic');

const input = new Layer(2);
const hidden = new Layer(3);
const output = new Layer(1);
input.project(hidden);
hidden.project(output);
const net = new Network({ input, hidden: [hidden], output });

const samples = [[[0, 0], [0]], [[0, 1], [1]], [[1, 0], [1]], [[1, 1], [0]]];
for (let i = 0; i < 20000; i++) {
  for (const [x, t] of samples) {
    net.activate(x);
    net.propagate(0.3, t);
  }
}
console.log(samples.map(([x]) => net.activate(x)[0].toFixed(4)).join(' '));
