'use strict';
// Interop check between netgraph and the real Synaptic.js (the version pinned in
// package.json), run by tests/test_synaptic_interop.py.
//
// Reads one JSON request on stdin:
//   {
//     "load": [{"name": ..., "network": <Synaptic toJSON document>, "inputs": [[...], ...]}],
//     "make": [{"name": ..., "sizes": [2, 3, 1], "squash": ["TANH", "IDENTITY"],
//               "train": {"iterations": N, "rate": r, "set": [[input, target], ...]},
//               "inputs": [[...], ...]}]
//   }
// "load": Synaptic.Network.fromJSON(network) (netgraph's export), then activate each
//   input; reports the outputs and Synaptic's own toJSON of what it loaded.
// "make": Synaptic builds an Architect.Perceptron(...sizes), sets each non-input
//   layer's squash, trains it (activate/propagate, Synaptic's tutorial loop), and
//   reports its toJSON and its outputs for the inputs (for netgraph to import).
// Writes one JSON object on stdout: {"synaptic": version, "load": [...], "make": [...]}.
// Numbers go through JSON.stringify, which writes every double exactly.

const synaptic = require('synaptic');
const version = require('synaptic/package.json').version;

const { Network, Neuron, Architect } = synaptic;

function activateAll(net, inputs) {
  return inputs.map((x) => Array.from(net.activate(x)));
}

function load(item) {
  const net = Network.fromJSON(item.network);
  const outputs = activateAll(net, item.inputs);
  return { name: item.name, outputs, json: net.toJSON() };
}

function make(item) {
  const net = new Architect.Perceptron(...item.sizes);
  const layers = [...net.layers.hidden, net.layers.output];
  (item.squash || []).forEach((name, k) => {
    if (!(name in Neuron.squash)) throw new Error(`unknown squash ${name}`);
    layers[k].set({ squash: Neuron.squash[name] });
  });
  const train = item.train;
  if (train) {
    for (let it = 0; it < train.iterations; it++) {
      for (const [x, t] of train.set) {
        net.activate(x);
        net.propagate(train.rate, t);
      }
    }
  }
  const json = net.toJSON();
  const outputs = activateAll(Network.fromJSON(json), item.inputs);
  return { name: item.name, network: json, outputs };
}

function main() {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const reply = {
      synaptic: version,
      load: (request.load || []).map(load),
      make: (request.make || []).map(make),
    };
    process.stdout.write(JSON.stringify(reply));
  });
}

main();
