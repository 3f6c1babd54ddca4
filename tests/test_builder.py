"""Building networks: layers in Synaptic's vocabulary, and neuron by neuron."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from conftest import xor_net

from netgraph import (
    Layer,
    Network,
    NeuronError,
    TopologyError,
    UnreachableOutputWarning,
    _reference,
)


def test_seed_tutorial_shape():
    net = xor_net()
    assert net.inputs == ["i0", "i1"] and net.outputs == ["o0"]
    assert net.layers == {"input": ["i0", "i1"], "hidden0": ["h0", "h1", "h2"], "output": ["o0"]}
    # Synaptic's order: for each source neuron, each target
    assert net.synapses[:3] == [("i0", "h0"), ("i0", "h1"), ("i0", "h2")]
    assert repr(net) == "Network(2-3-1: 6 neurons, 9 synapses)"


def test_seeded_initialisation_is_reproducible_and_uniform():
    a, b, c = xor_net(seed=7), xor_net(seed=7), xor_net(seed=8)
    wa = [w for *_, w in a.graph.edges(data="weight")]
    assert wa == [w for *_, w in b.graph.edges(data="weight")]
    assert wa != [w for *_, w in c.graph.edges(data="weight")]
    with pytest.warns(UnreachableOutputWarning, match="output neurons 'o0', 'o1' are reached"):
        gen = Network(input=Layer(2), output=Layer(2), seed=np.random.default_rng(7))
    assert gen.graph.number_of_edges() == 0
    big_in, big_out = Layer(50), Layer(40)
    big_in.project(big_out)
    big = Network(input=big_in, output=big_out, seed=1)
    w = np.array([w for *_, w in big.graph.edges(data="weight")])
    b = np.array([b for _, b in big.graph.nodes(data="bias")])
    assert w.min() >= -0.1 and w.max() < 0.1 and abs(w.mean()) < 0.01
    assert b.min() >= -0.1 and b.max() < 0.1


def test_connection_types():
    a, b, c = Layer(3), Layer(3), Layer(2)
    a.project(b, "one_to_one")
    b.project(b, "all_to_else")  # would be a cycle; only its pairs are checked here
    b.project(c, "all_to_all", weight=0.5)
    pairs = [p.pairs() for p in a.projections + b.projections]
    assert pairs[0] == [(0, 0), (1, 1), (2, 2)]
    assert pairs[1] == [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]
    assert pairs[2] == [(i, j) for i in range(3) for j in range(2)]
    with pytest.raises(TopologyError, match="equal size"):
        a.project(c, "one_to_one")
    with pytest.raises(TopologyError, match="unknown connection"):
        a.project(c, "some_to_some")
    d = Layer(2)  # a self-projection defaults to one-to-one, as in Synaptic
    own = d.project(d)
    assert own.connection == "one_to_one" and own.pairs() == [(0, 0), (1, 1)]
    e, f = Layer(2), Layer(3)
    assert e.project(f).connection == "all_to_all"  # between layers: all to all


def test_weights_given_as_a_matrix_and_bias_as_values():
    inp, out = Layer(2, "identity"), Layer(3, "identity", bias=[0.1, 0.2, 0.3])
    W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])  # [target, source]
    inp.project(out, weight=W)
    net = Network(input=inp, output=out)
    np.testing.assert_allclose(net.activate([1.0, -1.0]), W @ [1.0, -1.0] + [0.1, 0.2, 0.3])
    with pytest.raises(TopologyError, match="does not fit 6 synapses"):
        a, b = Layer(2), Layer(3)
        a.project(b, weight=np.ones((2, 3)))
        Network(input=a, output=b)


def test_layer_set_before_and_after_building():
    inp, hid, out = Layer(2), Layer(3), Layer(1)
    inp.project(hid)
    hid.project(out)
    hid.set(activation="tanh", bias=0.0)
    net = Network(input=inp, hidden=[hid], output=out, seed=0)
    assert {net.graph.nodes[n]["activation"] for n in hid.neurons} == {"tanh"}
    assert {net.graph.nodes[n]["bias"] for n in hid.neurons} == {0.0}
    hid.set(activation="relu", bias=[0.1, 0.2, 0.3])
    assert [net.graph.nodes[n]["bias"] for n in hid.neurons] == [0.1, 0.2, 0.3]
    x = [0.3, 0.9]
    v = _reference.activate(net.graph, x)
    np.testing.assert_allclose(net.activate(x), [v["y"]["o0"]], atol=1e-15)


def test_project_after_building_adds_synapses():
    inp, hid, out = Layer(2), Layer(3), Layer(1)
    inp.project(hid)
    hid.project(out)
    net = Network(input=inp, hidden=[hid], output=out, seed=0)
    p = inp.project(out, weight=0.25)  # a skip connection, added to the live graph
    assert p.synapses == [("i0", "o0"), ("i1", "o0")]
    assert net.graph["i1"]["o0"]["weight"] == 0.25
    before = [net.graph[h]["o0"]["weight"] for h in hid.neurons]
    # as in Synaptic, projecting again onto layers already connected changes nothing
    assert hid.project(out, weight=1.0).synapses == []
    assert net.graph.number_of_edges() == 11
    assert [net.graph[h]["o0"]["weight"] for h in hid.neurons] == before


def test_layer_errors():
    with pytest.raises(TopologyError, match="whole number"):
        Layer(0)
    with pytest.raises(TopologyError, match="whole number"):
        Layer(2.5)  # type: ignore[arg-type]
    a, b, stray = Layer(1), Layer(1), Layer(1)
    a.project(stray)
    with pytest.raises(TopologyError, match="not in the network"):
        Network(input=a, output=b)
    a2, b2 = Layer(1), Layer(1)
    with pytest.warns(UnreachableOutputWarning):
        Network(input=a2, output=b2)
    with pytest.raises(TopologyError, match="already belongs"):
        Network(input=a2, output=Layer(1))
    with pytest.raises(TopologyError, match="same network"):
        a2.project(Layer(1))
    with pytest.raises(TopologyError, match="both an input and an output"):
        Network(input=Layer(1))


def test_neuron_by_neuron():
    net = Network(seed=3)
    x1 = net.add_neuron("x1", role="input")
    x2 = net.add_neuron(role="input")
    h = net.add_neuron(activation="tanh", bias=0.5)
    y = net.add_neuron("y", role="output", activation="identity", bias=0.0)
    assert (x2, h) == ("i1", "h0")
    net.connect(x1, h, 1.0)
    net.connect(x2, h, -1.0)
    net.connect(h, y, 2.0)
    net.connect(x1, y, 0.5)  # skip connection
    assert net.activate([1.0, 3.0])[0] == pytest.approx(2 * math.tanh(-1.5) + 0.5)
    with pytest.raises(TopologyError, match=r"already a synapse 'h0' -> 'y' \(weight 2.0\); "
                                            "pass replace=True"):
        net.connect(h, y, 3.0)  # a trained weight is never overwritten by accident
    assert net.graph[h][y]["weight"] == 2.0
    net.connect(h, y, 3.0, replace=True)
    assert net.graph[h][y]["weight"] == 3.0
    net.disconnect(x1, y)
    assert net.activate([1.0, 3.0])[0] == pytest.approx(3 * math.tanh(-1.5))
    net.remove_neuron(h)
    with pytest.warns(UnreachableOutputWarning, match="output neuron 'y' is reached from no"):
        assert net.synapses == [] and net.activate([1.0, 3.0])[0] == 0.0
    assert net.inputs == ["x1", "i1"] and net.outputs == ["y"]


def test_neuron_editing_errors():
    net = xor_net()
    with pytest.raises(NeuronError, match="no neuron 'zz'"):
        net.connect("zz", "o0")
    with pytest.raises(NeuronError, match="no synapse 'i0' -> 'o0'"):
        net.disconnect("i0", "o0")
    with pytest.raises(NeuronError, match="no neuron 'zz'"):
        net.remove_neuron("zz")
    with pytest.raises(TopologyError, match="already a neuron 'h0'"):
        net.add_neuron("h0")
    with pytest.raises(TopologyError, match="'i1' is an input"):
        net.connect("h0", "i1")
    with pytest.raises(TopologyError, match="role must be"):
        net.add_neuron(role="visible")
    with pytest.raises(TopologyError, match="must be finite"):
        net.connect("i0", "o0", float("nan"))
    assert not net.graph.has_edge("i0", "o0")


def test_copy_is_independent():
    net = xor_net()
    twin = net.copy()
    twin.activate([1, 0])
    twin.propagate(0.5, [1])
    assert net.graph["h0"]["o0"]["weight"] != twin.graph["h0"]["o0"]["weight"]
    assert list(twin.graph) == list(net.graph)


def test_connect_refuses_an_existing_synapse_unless_told_to_replace_it():
    net = xor_net(seed=0)
    w = net.graph["h0"]["o0"]["weight"]
    with pytest.raises(TopologyError, match=rf"already a synapse 'h0' -> 'o0' \(weight {w!r}\)"):
        net.connect("h0", "o0")  # not even a random weight is drawn
    assert net.graph["h0"]["o0"]["weight"] == w
    order = net.synapses
    net.add_neuron("g")
    net.connect("i0", "g", 1.0)
    net.connect("h0", "o0", 0.5, delay=1, gater="g", replace=True)
    assert dict(net.graph["h0"]["o0"]) == {"weight": 0.5, "delay": 1, "gater": "g"}
    # replaced: the old delay and gater go, the synapse keeps its place in the order
    net.connect("h0", "o0", -0.5, replace=True)
    assert dict(net.graph["h0"]["o0"]) == {"weight": -0.5}
    assert [s for s in net.synapses if s != ("i0", "g")] == order
    np.testing.assert_allclose(net.activate([1.0, 0.0]),
                               [_reference.activate(net.graph, [1.0, 0.0])["y"]["o0"]],
                               rtol=0, atol=1e-15)


def _caught(fn):
    import warnings

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = fn()
    return result, [w for w in seen if issubclass(w.category, UnreachableOutputWarning)]


def test_an_output_no_input_reaches_is_named_once_per_structure():
    # from layers: named where the layers are put together, not again when run
    inp, hid, out = Layer(2), Layer(2), Layer(1)
    inp.project(hid)  # hid never projected onto out
    net, seen = _caught(lambda: Network(input=inp, hidden=[hid], output=out, seed=0))
    assert len(seen) == 1 and seen[0].message.outputs == ["o0"]
    assert "output neuron 'o0' is reached from no input" in str(seen[0].message)
    assert seen[0].filename == __file__  # pointed at the caller
    _, seen = _caught(lambda: [net.activate([0, 1]) for _ in range(3)])
    assert seen == []
    # neuron by neuron: at the first run after the change that cut it off
    net = Network(seed=0)
    net.add_neuron("x", role="input")
    net.add_neuron("y", role="output")
    net.add_neuron("z", role="output")
    net.connect("x", "y")
    _, seen = _caught(lambda: [net.activate([1.0]) for _ in range(3)])
    assert [w.message.outputs for w in seen] == [["z"]]
    net.connect("y", "z")
    _, seen = _caught(lambda: net.activate([1.0]))
    assert seen == []
    net.disconnect("x", "y")
    _, seen = _caught(lambda: net.activate([1.0]))
    assert [w.message.outputs for w in seen] == [["y", "z"]]
    # from a graph: at once
    D = nx.DiGraph()
    D.add_node("a", role="input", bias=0.0, activation="identity")
    D.add_node("b", role="output", bias=0.0, activation="identity")
    _, seen = _caught(lambda: Network.from_graph(D))
    assert [w.message.outputs for w in seen] == [["b"]]


def test_gates_and_delayed_synapses_reach_an_output():
    net = Network(seed=0)
    net.add_neuron("x", role="input")
    net.add_neuron("g")  # reached from x; gates h -> y, so y depends on x through the gate
    net.add_neuron("h")
    net.add_neuron("y", role="output")
    net.connect("x", "g", 1.0)
    net.connect("h", "y", 1.0, gater="g")
    _, seen = _caught(lambda: net.activate([1.0]))
    assert seen == []
    assert net.activate([5.0]) != pytest.approx(net.activate([-5.0]))  # it does depend on x
    chain = Network(seed=0)
    chain.add_neuron("x", role="input")
    chain.add_neuron("y", role="output")
    chain.add_neuron("late")  # made after y: y reads it one step late
    chain.connect("x", "late", 1.0)
    chain.connect("late", "y", 1.0, delay=1)
    _, seen = _caught(lambda: chain.activate([1.0]))
    assert seen == []


def test_a_chain_is_walked_to_its_end():
    # neurons in a line: the walk goes step by step through thousands of narrow steps
    D = nx.DiGraph()
    D.add_edges_from((k, k + 1) for k in range(3_000))
    net, seen = _caught(lambda: Network.from_graph(D, seed=0))
    assert seen == [] and net.outputs == [3_000] and net.inputs == [0]
    D.remove_edge(1_499, 1_500)  # cut in the middle; both ends stay hidden
    D.nodes[1_499]["role"] = D.nodes[1_500]["role"] = "hidden"
    _, seen = _caught(lambda: Network.from_graph(D, seed=0))
    assert [w.message.outputs for w in seen] == [[3_000]]


def test_a_copy_is_not_warned_about_again():
    net, seen = _caught(lambda: Network(input=Layer(1), output=Layer(1), seed=0))
    assert len(seen) == 1
    twin, seen = _caught(net.copy)
    assert seen == [] and twin.outputs == net.outputs
    twin.add_neuron("z", role="output")
    _, seen = _caught(lambda: twin.activate([1.0]))
    assert [w.message.outputs for w in seen] == [["o0", "z"]]  # a new cut-off output is news


def test_a_network_read_from_a_file_is_taken_as_it_says_until_edited():
    net = Network(seed=0)
    net.add_neuron("x", role="input")
    net.add_neuron("y", role="output")
    text = net.to_json()  # y takes no synapse: NEAT genomes are often like this
    loaded, seen = _caught(lambda: Network.from_json(text))
    _, more = _caught(lambda: loaded.activate([1.0]))
    assert seen == more == []
    loaded.add_neuron("z", role="output")  # the caller builds on it: now it is news
    _, seen = _caught(lambda: loaded.activate([1.0]))
    assert [w.message.outputs for w in seen] == [["y", "z"]]
