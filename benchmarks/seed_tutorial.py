"""Synaptic's tutorial as a whole program, in netgraph: build the 2-3-1 network, run
20,000 passes over the four XOR samples (activate, then propagate at rate 0.3), print the
four outputs. benchmarks/cold_start.py times the whole process, Python's start included,
against benchmarks/peers/synaptic_tutorial.js."""

from netgraph import Layer, Network

input_layer, hidden_layer, output_layer = Layer(2), Layer(3), Layer(1)
input_layer.project(hidden_layer)
hidden_layer.project(output_layer)
net = Network(input=input_layer, hidden=[hidden_layer], output=output_layer)

samples = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
for _ in range(20000):
    for x, t in samples:
        net.activate(x)
        net.propagate(0.3, t)
print(" ".join(f"{net.activate(x)[0]:.4f}" for x, _ in samples))
