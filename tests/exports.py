"""Networks the export tests run everywhere (ONNX, torch, Python, JavaScript, C), and
what netgraph itself computes on them."""

from __future__ import annotations

import networkx as nx
import numpy as np
from conftest import random_dag, random_recurrent

from netgraph import ACTIVATIONS, Network, _reference
from netgraph.architect import GRU, LSTM, NARX, Hopfield, Liquid, Perceptron

# Strings that must never reach generated code unescaped.
HOSTILE = ['*/ system("rm -rf /"); /*', "\n__import__('os').system('x')", "</script><b>",
           "'\"`${x}\\", "nul\x00byte", "lone \ud800 surrogate", "#include <stdio.h>\n",
           "\\u0027); alert(1); //"]


def every_activation(seed: int = 0) -> Network:
    """Two inputs, one hidden neuron per activation (each reading both inputs with a
    large weight, so the tails are reached), each feeding its own output."""
    rng = np.random.default_rng(seed)
    G = nx.DiGraph()
    for k in range(2):
        G.add_node(f"x{k}", role="input", bias=0.0, activation="identity")
    for name in ACTIVATIONS:
        G.add_node(f"h_{name}", role="hidden", bias=float(rng.normal()), activation=name)
        G.add_edge("x0", f"h_{name}", weight=3.0)
        G.add_edge("x1", f"h_{name}", weight=float(rng.normal()))
    for name in ACTIVATIONS:
        G.add_node(f"o_{name}", role="output", bias=0.1, activation="identity")
        G.add_edge(f"h_{name}", f"o_{name}", weight=1.0)
    return Network.from_graph(G)


def every_activation_inputs() -> np.ndarray:
    s = np.concatenate([np.linspace(-4, 4, 41), [-300.0, -30.0, -1.0, 0.0, 1.0, 30.0, 300.0]])
    return np.stack([s, np.cos(np.arange(len(s)))], axis=1)


def hand_gated(seed: int = 0) -> Network:
    """Gates of every kind: a gater that runs before its synapse's target, one that runs
    after it (the previous step's gain), a gated self-connection, an input gater, a
    neuron gating its own input, and a delayed back edge."""
    net = Network(seed=seed)
    a, b = net.add_neuron("a", role="input"), net.add_neuron("b", role="input")
    g1 = net.add_neuron("g1", activation="logistic")
    h = net.add_neuron("h", activation="tanh")
    m = net.add_neuron("m", activation="identity")
    g2 = net.add_neuron("g2", activation="logistic")
    o = net.add_neuron("o", role="output", activation="logistic")
    net.connect(a, g1, 0.7)
    net.connect(b, g1, -0.4)
    net.connect(a, h, 0.9, gater=g1)  # gater ran earlier in this step
    net.connect(b, h, -1.1, gater=a)  # an input gates: its gain never changes
    net.connect(h, m, 1.3, gater=g2)  # g2 runs later: last step's gain
    net.connect(m, m, 0.8, gater=g1)  # a gated memory
    net.connect(a, g2, 0.5)
    net.connect(m, g2, -0.6)
    net.connect(h, h, 0.3, gater=h)  # a neuron gating its own self-connection
    net.connect(m, o, 0.9)
    net.connect(g2, o, -0.7)
    net.connect(o, h, 0.4, delay=1)  # a back edge
    return net


def feedforward_zoo() -> dict[str, Network]:
    rng = np.random.default_rng(7)
    every = list(ACTIVATIONS)
    nets = {f"dag{k}": Network.from_graph(random_dag(rng, 3, 12, 3, p=0.4, activations=every))
            for k in range(3)}
    nets["every_activation"] = every_activation()
    nets["perceptron"] = Perceptron(4, 6, 5, 2, seed=1)
    nets["hopfield"] = Hopfield(6, seed=2)
    return nets


def recurrent_zoo() -> dict[str, Network]:
    rng = np.random.default_rng(11)
    return {
        "lstm": LSTM(2, 3, 2, 1, seed=3),
        "gru": GRU(2, 3, 1, seed=4),
        "liquid": Liquid(2, 10, 2, 25, 8, seed=5),
        "liquid_parallel": _with_parallel_synapses(Liquid(2, 8, 2, 30, 10, seed=0)),
        "narx": NARX(2, 4, 1, 2, 2, seed=6),
        "hand_gated": hand_gated(),
        "random": Network.from_graph(random_recurrent(rng)),
    }


def _with_parallel_synapses(net: Network) -> Network:
    """``net``, checked to hold parallel synapses (two between one pair of neurons)."""
    assert any(len(s) == 3 for s in net._plan().synapses)
    return net


def inputs_for(net: Network, rows: int = 25, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 1.5, size=(rows, len(net.inputs)))


def expected_sequence(net: Network, X: np.ndarray) -> np.ndarray:
    """netgraph's outputs for the rows of X as one sequence from a fresh state, checked
    against the reference evaluator first."""
    ref = _reference.Recurrent(net.graph.copy())
    theirs = np.array([ref.activate(x) for x in X])
    twin = net.copy()
    ours = twin.activate(X)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    return ours


def expected_batch(net: Network, X: np.ndarray) -> np.ndarray:
    """netgraph's outputs for a feed-forward batch, checked against the reference."""
    outs = _reference.outputs_of(net.graph)
    theirs = np.array([[_reference.activate(net.graph, x)["y"][o] for o in outs] for x in X])
    ours = net.activate(X)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    return ours
