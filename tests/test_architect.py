"""The Architect's networks: the same synapses, in the same order, as Synaptic builds."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import load_fixture, replay

from netgraph import Network, TopologyError, _reference
from netgraph.architect import GRU, LSTM, NARX, Hopfield, Liquid, Perceptron


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


def test_liquid_is_seeded_gated_and_runs_as_the_reference_model_does():
    a, b = Liquid(3, 20, 2, connections=30, gates=10, seed=5), Liquid(3, 20, 2, 30, 10, seed=5)
    assert list(a.graph.edges(data=True)) == list(b.graph.edges(data=True))
    assert any(g is not None for *_, g in a.graph.edges(data="gater"))
    assert a._plan().recurrent is not None
    ref = _reference.Recurrent(b.graph)  # Synaptic's neuron model, one synapse at a time
    rng = np.random.default_rng(0)
    for _ in range(6):
        x, t = rng.uniform(0, 1, 3), rng.uniform(0, 1, 2)
        np.testing.assert_allclose(a.activate(x), ref.activate(x), rtol=0, atol=1e-12)
        a.propagate(0.1, t)
        ref.propagate(0.1, t)
    np.testing.assert_allclose([w for *_, w in a.graph.edges(data="weight")],
                               [w for *_, w in b.graph.edges(data="weight")], rtol=0, atol=1e-12)


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


def _fixed_params(net):
    G = net.graph
    fixed = [n for n in G if G.nodes[n].get("fixed")]
    return fixed, [G.nodes[n]["bias"] for n in fixed] + [
        G[u][v]["weight"] for v in fixed for u in G.pred[v]]


def test_gru_structure_and_training_keeps_fixed_neurons():
    net = GRU(2, 3, 1, seed=4)
    assert len(net.neurons) == 2 + 6 * 3 + 1
    fixed, before = _fixed_params(net)
    assert len(fixed) == 6  # inverse update gate and previous output
    G = net.graph
    assert {G.nodes[n]["activation"] for n in fixed} == {"inverse", "identity"}
    slow = Network.from_graph(G)
    ref = _reference.Recurrent(slow.graph)
    rng = np.random.default_rng(0)
    for _ in range(30):
        x, t = rng.uniform(0, 1, 2), rng.uniform(0, 1, 1)
        np.testing.assert_allclose(net.activate(x), ref.activate(x), rtol=1e-12)
        net.propagate(0.3, t)
        ref.propagate(0.3, t)
    assert _fixed_params(net)[1] == before
    np.testing.assert_allclose([w for *_, w in net.graph.edges(data="weight")],
                               [w for *_, w in slow.graph.edges(data="weight")], rtol=1e-11)


def test_gru_output_mixes_old_and_new_by_the_update_gate():
    net = GRU(1, 1, 1, seed=0)
    G = net.graph
    update, inverse, reset, memory, output, previous = (f"h{k}" for k in range(6))
    # previous output feeds `output` through a synapse the update gate gates, the memory
    # through one the inverse gate (1 - z) gates
    assert G[previous][output]["gater"] == update
    assert G[memory][output]["gater"] == inverse
    assert G[previous][memory]["gater"] == reset
    # the previous output copies this step's output; the gates read it one step later
    assert "delay" not in G[output][previous] and G[previous][update]["delay"] == 1
    net.activate([0.5])
    plan = net._plan()
    y = net._state[2]
    assert y[plan.index[inverse]] == pytest.approx(1 - y[plan.index[update]], rel=1e-15)


def test_narx_memories_hold_past_inputs():
    net = NARX(2, [4], 1, 3, 2, seed=1)
    X = np.arange(1, 13, dtype=float).reshape(6, 2) / 10
    for x in X:
        net.activate(x)
    plan, y = net._plan(), net._state[2]
    G = net.graph
    memory = [plan.index[n] for n in plan.neurons if G.nodes[n].get("fixed")
              and G.nodes[n]["layer"].startswith("input_memory")]
    # after step t the input memory holds x(t-2), x(t-1), x(t): the hidden layer reads
    # them (delayed) at step t+1 as the last three inputs
    np.testing.assert_allclose(y[memory], X[-3:].ravel(), rtol=1e-15)


def test_fixed_neurons_in_a_feed_forward_net(rng):
    net = Perceptron(2, 4, 1, seed=3)
    h = net.layers["hidden0"][0]
    net.graph.nodes[h]["fixed"] = True
    _, before = _fixed_params(net)
    X, T = rng.uniform(0, 1, (8, 2)), rng.uniform(0, 1, (8, 1))
    net.train(X, T, iterations=5, error=0)
    assert _fixed_params(net)[1] == before
    net.train(X, T, iterations=5, error=0, batch_size=4, optimizer="adam")
    assert _fixed_params(net)[1] == before
    assert net.gradient(X, T).weights.shape == (12,)
    net.graph.nodes[h]["fixed"] = "yes"
    with pytest.raises(TopologyError, match="fixed='yes'"):
        net.activate([0, 1])
