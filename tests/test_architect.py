"""The Architect's networks: the same synapses, in the same order, as Synaptic builds."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import load_fixture, replay

from netgraph import Network, TopologyError
from netgraph.architect import LSTM, Hopfield, Liquid, Perceptron


def _structure(doc):
    return [(n["layer"], n["squash"]) for n in doc["neurons"]], [
        (c["from"], c["to"], c["gater"]) for c in doc["connections"]]


def test_lstm_is_synaptics_lstm():
    fx = load_fixture("lstm-2-3-1")
    net = LSTM(2, 3, 1, seed=0)
    assert _structure(net.to_synaptic()) == _structure(fx["initial"])
    assert [n["bias"] for n in net.to_synaptic()["neurons"][2:8]] == [1.0] * 6  # gate biases
    # with Synaptic's weights it replays Synaptic's run
    plan, G = net._plan(), net.graph
    for k, neuron in enumerate(fx["initial"]["neurons"]):
        G.nodes[plan.neurons[k]]["bias"] = neuron["bias"]
    for c in fx["initial"]["connections"]:
        G[plan.neurons[c["from"]]][plan.neurons[c["to"]]]["weight"] = c["weight"]
    np.testing.assert_allclose(replay(net, fx["steps"]), fx["outputs"], atol=1e-9)


def test_lstm_options():
    plain = LSTM(2, 3, 1)
    rich = LSTM(2, 3, 1, hidden_to_hidden=True, output_to_hidden=True, output_to_gates=True,
                input_to_output=False)
    n = plain.graph.number_of_edges()
    # +6 cell<->cell (all to else), +3 output->cells, +9 output->gates, -2 input->output
    assert rich.graph.number_of_edges() == n + 6 + 3 + 9 - 2
    two_blocks = LSTM(2, 3, 4, 1)
    assert len(two_blocks.neurons) == 2 + 4 * 3 + 4 * 4 + 1
    with pytest.raises(TopologyError):
        LSTM(2, 1)


def test_liquid_is_seeded_and_gated():
    a, b = Liquid(3, 20, 2, connections=30, gates=10, seed=5), Liquid(3, 20, 2, 30, 10, seed=5)
    assert list(a.graph.edges(data=True)) == list(b.graph.edges(data=True))
    assert any(g is not None for *_, g in a.graph.edges(data="gater"))
    assert a._plan().recurrent is not None
    x = [0.1, 0.5, 0.9]
    np.testing.assert_array_equal(a.activate(x), b.activate(x))


def test_hopfield_recalls_patterns():
    net = Hopfield(10, seed=1)
    patterns = [[0, 1, 0, 1, 0, 1, 0, 1, 0, 1], [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]]
    result = net.learn(patterns)
    assert result.error <= 0.00005
    assert net.feed([0, 1, 0, 1, 0, 1, 0, 1, 1, 1]).tolist() == patterns[0]
    assert net.feed([1, 1, 1, 1, 1, 0, 0, 0, 1, 0]).tolist() == patterns[1]


def test_perceptron_sizes():
    net = Perceptron(3, 4, 5, 2)
    assert [len(v) for v in net.layers.values()] == [3, 4, 5, 2]
    assert isinstance(net, Network) and net._plan().blocks is not None
