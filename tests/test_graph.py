"""The graph is the one truth: it shows current weights, and edits through networkx are followed."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from conftest import random_dag, xor_net

from netgraph import ActivationError, NetGraph, Network, TopologyError, _reference


def _expected(net, x):
    v = _reference.activate(net.graph, x)
    return np.array([v["y"][o] for o in net.outputs])


def test_graph_is_a_networkx_digraph_with_the_documented_attributes():
    net = xor_net()
    G = net.graph
    assert isinstance(G, nx.DiGraph)
    assert list(G) == ["i0", "i1", "h0", "h1", "h2", "o0"]
    for _, a in G.nodes(data=True):
        assert set(a) == {"bias", "activation", "role", "layer"}
        assert isinstance(a["bias"], float)
    assert all(isinstance(w, float) for _, _, w in G.edges(data="weight"))
    assert G.number_of_edges() == 9
    assert nx.is_directed_acyclic_graph(G)
    assert nx.shortest_path(G, "i0", "o0") == ["i0", "h0", "o0"]


def test_graph_shows_weights_right_after_propagate():
    net = xor_net()
    G = net.graph
    held = G["h1"]["o0"]  # a user's reference, taken before training
    before = held["weight"]
    y = net.activate([1, 0])[0]
    h1 = _reference.activate(G, [1, 0])["y"]["h1"]
    net.propagate(0.3, [1])
    d = 1 - y
    assert held["weight"] == pytest.approx(before + 0.3 * d * h1, abs=1e-15)
    assert G.edges["h1", "o0"]["weight"] == held["weight"]


def test_weight_edits_through_networkx_are_used_at_once():
    net = xor_net()
    net.activate([1, 1])
    net.graph["h0"]["o0"]["weight"] = 2.5
    net.graph.nodes["o0"]["bias"] = -1.0
    np.testing.assert_allclose(net.activate([1, 1]), _expected(net, [1, 1]), atol=1e-15)
    for _, _, a in net.graph.edges(data=True):
        a["weight"] = 0.0
    assert net.activate([1, 1])[0] == pytest.approx(1 / (1 + math.exp(1.0)), abs=1e-15)


def test_structural_edits_through_networkx_are_followed():
    net = xor_net()
    net.activate([0, 1])
    G = net.graph
    G.add_node("h9", bias=0.3, activation="tanh", role="hidden", layer="extra")
    G.add_edge("i0", "h9", weight=1.5)
    G.add_edge("h9", "o0", weight=-2.0)
    G.add_edge("i1", "o0", weight=0.7)  # a skip connection
    np.testing.assert_allclose(net.activate([0.5, 1]), _expected(net, [0.5, 1]), atol=1e-15)
    G.remove_node("h1")
    np.testing.assert_allclose(net.activate([0.5, 1]), _expected(net, [0.5, 1]), atol=1e-15)
    G.nodes["h0"]["activation"] = "relu"
    np.testing.assert_allclose(net.activate([0.5, 1]), _expected(net, [0.5, 1]), atol=1e-15)
    nx.relabel_nodes(G, {"h2": "renamed"}, copy=False)
    np.testing.assert_allclose(net.activate([0.5, 1]), _expected(net, [0.5, 1]), atol=1e-15)
    assert "renamed" in net.graph and G["renamed"]["o0"]["weight"] == G.edges["renamed", "o0"][
        "weight"]


def test_missing_attributes_are_named():
    net = xor_net()
    net.graph.add_edge("h0", "new")  # a new neuron with nothing set, a synapse with no weight
    with pytest.raises(TopologyError, match="neuron 'new' has no 'role' attribute"):
        net.activate([0, 1])
    net.graph.nodes["new"].update(role="output", activation="logistic", bias=0.0)
    with pytest.raises(TopologyError, match="synapse 'h0' -> 'new' has no 'weight'"):
        net.activate([0, 1])
    net.graph["h0"]["new"]["weight"] = 0.5
    assert net.activate([0, 1]).shape == (2,)


def test_bad_values_are_refused_where_they_are_set():
    G = xor_net().graph
    with pytest.raises(ValueError, match="weight must be finite"):
        G["h0"]["o0"]["weight"] = float("nan")
    with pytest.raises(TypeError, match="bias must be a real number"):
        G.nodes["h0"]["bias"] = "0.5"
    G.nodes["h0"]["activation"] = "nope"
    with pytest.raises(ActivationError, match="neuron 'h0': unknown activation 'nope'"):
        Network.from_graph(G)


def test_from_graph_copies_and_names_what_is_missing():
    G = nx.DiGraph()
    G.add_node("a", role="input", bias=0.0, activation="identity")
    G.add_node("b", role="output", bias=0.1, activation="tanh")
    G.add_edge("a", "b", weight=0.5)
    net = Network.from_graph(G)
    G["a"]["b"]["weight"] = 9.0  # the network holds its own copy
    assert net.graph["a"]["b"]["weight"] == 0.5
    assert net.graph.nodes["a"]["layer"] == "input"
    assert net.activate([2.0])[0] == pytest.approx(math.tanh(1.1))
    G.nodes["b"]["role"] = "middle"
    with pytest.raises(TopologyError, match="neuron 'b' has role 'middle'"):
        Network.from_graph(G)


def test_networkx_copies_and_conversions_work():
    net = Network.from_graph(random_dag(np.random.default_rng(3), 3, 6, 2))
    copy = net.graph.copy()
    assert isinstance(copy, NetGraph)
    assert nx.utils.graphs_equal(copy, net.graph)
    plain = nx.DiGraph(net.graph)
    assert dict(plain.edges) == {e: dict(a) for e, a in net.graph.edges.items()}
    u, v = next(iter(copy.edges))  # independent storage, both ways:
    original = net.graph[u][v]["weight"]
    copy[u][v]["weight"] = 123.0
    assert net.graph[u][v]["weight"] == original != 123.0
    net.graph[u][v]["weight"] = -7.0
    assert copy[u][v]["weight"] == 123.0
    again = Network.from_graph(plain)
    x = np.array([0.1, 0.2, 0.3])
    np.testing.assert_array_equal(again.activate(x), net.activate(x))


def test_user_attributes_are_kept():
    net = xor_net()
    net.graph.nodes["h0"]["note"] = "mine"
    net.graph["h0"]["o0"]["color"] = "red"
    net.activate([0, 1])
    assert net.graph.nodes["h0"]["note"] == "mine"
    assert net.graph["h0"]["o0"]["color"] == "red"


def test_pickle_and_deepcopy_keep_weights_and_independence():
    import copy
    import pickle

    net = xor_net(seed=4)
    net.graph["h0"]["o0"]["note"] = "kept"
    for clone in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert list(clone.graph.edges(data=True)) == list(net.graph.edges(data=True))
        np.testing.assert_array_equal(clone.activate([1, 0]), net.activate([1, 0]))
        clone.graph["h0"]["o0"]["weight"] = 5.0
        assert net.graph["h0"]["o0"]["weight"] != 5.0
        clone.graph.add_edge("i0", "o0", weight=1.0)  # the clone's graph still works
        assert clone.activate([1, 0]).shape == (1,)


def test_attribute_get_and_networkx_weighted_algorithms():
    net = xor_net(seed=2)
    a = net.graph["h0"]["o0"]
    assert a.get("weight") == a["weight"] and a.get("missing", 7) == 7
    del a["weight"]
    assert a.get("weight", "none") == "none" and "weight" not in a
    a["weight"] = 0.5
    M = nx.to_numpy_array(net.graph, weight="weight")
    k = list(net.graph).index
    assert M[k("h0"), k("o0")] == 0.5


def test_from_graph_and_copy_keep_every_neurons_summation_order():
    # Large opposite weights make the result depend on the order inputs are summed in.
    G = nx.DiGraph()
    for n in ("a", "b", "c"):
        G.add_node(n, role="input", bias=0.0, activation="identity")
    G.add_node("o", role="output", bias=0.0, activation="identity")
    G.add_edge("c", "o", weight=1e16)
    G.add_edge("a", "o", weight=1.0)
    G.add_edge("b", "o", weight=-1e16)
    x = [1.0, 1.0, 1.0]
    expected = (1e16 + 1.0) - 1e16  # c, then a, then b: the order the synapses were made
    net = Network.from_graph(G)
    assert list(net.graph.pred["o"]) == ["c", "a", "b"]
    assert net.activate(x)[0] == expected == _expected(net, x)[0]
    assert net.copy().activate(x)[0] == expected


def test_a_nan_weight_or_bias_stays_in_the_graph():
    # NaN is a value like any other in the store, never a "not set" mark: what a kernel
    # writes stays visible, and networkx never falls back to its default weight of 1.
    net = xor_net(seed=1)
    plan = net._plan()
    k = plan.synapses.index(("h0", "o0"))
    plan.weights[k] = math.nan
    plan.biases[plan.neurons.index("h1")] = math.nan
    G = net.graph
    assert "weight" in G["h0"]["o0"] and math.isnan(G["h0"]["o0"]["weight"])
    assert math.isnan(G.edges["h0", "o0"]["weight"]) and math.isnan(G.nodes["h1"]["bias"])
    assert dict(G["h0"]["o0"]).keys() == {"weight"} and len(G.nodes["h1"]) == 4
    M = nx.to_numpy_array(G, weight="weight")
    k = list(G).index
    assert math.isnan(M[k("h0"), k("o0")])


def test_a_deleted_weight_or_bias_is_reported_by_name_not_run_as_nan():
    net = xor_net(seed=1)
    net.activate([1, 0])  # a compiled plan exists
    del net.graph["h1"]["o0"]["weight"]
    with pytest.raises(TopologyError, match="synapse 'h1' -> 'o0' has no 'weight' attribute"):
        net.activate([1, 0])
    with pytest.raises(TopologyError, match="synapse 'h1' -> 'o0' has no 'weight'"):
        net.propagate(0.3, [1])
    net.graph["h1"]["o0"]["weight"] = 0.25  # set again: the network runs, with that weight
    np.testing.assert_allclose(net.activate([1, 0]), _expected(net, [1, 0]), atol=1e-15)
    del net.graph.nodes["h2"]["bias"]
    with pytest.raises(TopologyError, match="neuron 'h2' has no 'bias' attribute"):
        net.activate([1, 0])
    with pytest.raises(KeyError):
        del net.graph.nodes["h2"]["bias"]


def _state(net):
    G = net.graph
    return (list(G.nodes(data=True)), list(G.edges(data=True)), G.version)


@pytest.mark.parametrize(("edit", "error"), [
    (lambda net: net.add_neuron("x", bias=10**400), TopologyError),
    (lambda net: net.add_neuron("x", bias=math.inf), TopologyError),
    (lambda net: net.add_neuron("x", bias="0.1"), TopologyError),
    (lambda net: net.connect("i0", "o0", weight=10**400), TopologyError),
    (lambda net: net.connect("h0", "o0", weight=math.nan), TopologyError),
    (lambda net: net.graph.add_node("x", bias=10**400, role="hidden"), ValueError),
    (lambda net: net.graph.add_node("h0", role="output", bias=math.nan), ValueError),
    (lambda net: net.graph.add_edge("h0", "new", weight=math.nan), ValueError),
    (lambda net: net.graph.add_edge("h0", "o0", delay=1, weight="w"), TypeError),
    (lambda net: net.graph.add_edge(None, "o0", weight=1.0), ValueError),
    (lambda net: net.graph.add_nodes_from([("a", {"bias": 0.0}), ("b", {"bias": -math.inf})]),
     ValueError),
    (lambda net: net.graph.add_nodes_from(["a", "b"], bias=10**400), ValueError),
    (lambda net: net.graph.add_nodes_from(["a", None]), ValueError),
    (lambda net: net.graph.add_edges_from([("i0", "a", {"weight": 1.0}),
                                           ("i0", "b", {"weight": math.inf})]), ValueError),
    (lambda net: net.graph.add_edges_from([("i0", "a"), ("i0", "b", {}, 1)]), nx.NetworkXError),
    (lambda net: net.graph.nodes["h0"].update(layer="x", bias=10**400), ValueError),
    (lambda net: net.graph["h0"]["o0"].update(delay=1, weight=math.nan), ValueError),
])
def test_adding_neurons_and_synapses_is_all_or_nothing(edit, error):
    net = xor_net(seed=3)
    before = _state(net)
    with pytest.raises(error):
        edit(net)
    assert _state(net) == before
    assert "x" not in net.graph and "a" not in net.graph and "new" not in net.graph


def _logistic(s):
    return 1 / (1 + math.exp(-s))


def test_from_graph_fills_in_what_a_plain_digraph_lacks():
    D = nx.DiGraph([("a", "h"), ("b", "h"), ("h", "y"), ("a", "y")])
    D.add_node("alone")  # no edge at all: in-degree 0 makes it an input
    net = Network.from_graph(D, seed=5)
    G = net.graph
    assert {n: G.nodes[n]["role"] for n in G} == {
        "a": "input", "h": "hidden", "b": "input", "y": "output", "alone": "input"}
    assert all(G.nodes[n]["activation"] == "logistic" for n in G)  # Synaptic's default
    assert all(G.nodes[n]["layer"] == G.nodes[n]["role"] for n in G)
    # uniform(-0.1, 0.1) from the seed: the biases in node order, then the weights in edge order
    draws = np.random.default_rng(5).uniform(-0.1, 0.1, len(D) + D.number_of_edges())
    assert [G.nodes[n]["bias"] for n in D] == draws[:len(D)].tolist()
    assert [G[u][v]["weight"] for u, v in D.edges] == draws[len(D):].tolist()
    # and it runs what those attributes say, checked by hand
    b, w = G.nodes, lambda u, v: G[u][v]["weight"]
    x = {"a": 0.7, "b": -1.2, "alone": 3.0}
    h = _logistic(b["h"]["bias"] + w("a", "h") * x["a"] + w("b", "h") * x["b"])
    y = _logistic(b["y"]["bias"] + w("h", "y") * h + w("a", "y") * x["a"])
    assert net.inputs == ["a", "b", "alone"]
    assert net.activate([x["a"], x["b"], x["alone"]])[0] == pytest.approx(y, abs=1e-15)
    # the same seed gives the same network, another seed another one
    again = Network.from_graph(D, seed=5)
    assert [a["bias"] for _, a in again.graph.nodes(data=True)] == [
        a["bias"] for _, a in G.nodes(data=True)]
    other = Network.from_graph(D, seed=6)
    assert [w for *_, w in other.graph.edges(data="weight")] != [
        w for *_, w in G.edges(data="weight")]


def test_from_graph_defaults_only_what_is_missing():
    D = nx.DiGraph()
    D.add_node("x", activation="identity")  # a role from its degrees, its own activation
    D.add_node("s", role="output", bias=0.25)  # an output that also feeds another one
    D.add_node("t", activation="tanh")
    D.add_edge("x", "s", weight=2.0)
    D.add_edge("s", "t")
    net = Network.from_graph(D, seed=0)
    G = net.graph
    assert (G.nodes["x"]["role"], G.nodes["x"]["activation"]) == ("input", "identity")
    assert (G.nodes["s"]["role"], G.nodes["s"]["bias"]) == ("output", 0.25)
    assert (G.nodes["t"]["role"], G.nodes["t"]["activation"]) == ("output", "tanh")
    assert G["x"]["s"]["weight"] == 2.0 and -0.1 <= G["s"]["t"]["weight"] < 0.1
    assert D.nodes["x"] == {"activation": "identity"}  # the caller's graph is not touched
    assert "weight" not in D["s"]["t"]
