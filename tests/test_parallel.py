"""Parallel synapses: a second (third, ...) synapse between the same two neurons, kept in
``G[u][v]["parallel"]`` with live weights, evaluated as synapses of their own."""

from __future__ import annotations

import copy
import pickle

import networkx as nx
import numpy as np
import pytest

from netgraph import Network, TopologyError, _reference


def net_with_parallels(gated=False):
    net = Network(seed=0)
    for n in ("i0", "i1"):
        net.add_neuron(n, role="input")
    net.add_neuron("h0", activation="tanh", bias=0.1)
    net.add_neuron("h1", bias=-0.3)
    net.add_neuron("o0", role="output", bias=0.2)
    net.connect("i0", "h0", 0.5)
    net.connect("i1", "h0", -0.7)
    net.connect("h0", "h1", 0.9)
    net.connect("h1", "h0", 0.4, delay=1)
    net.connect("h1", "o0", 1.2)
    net.connect("h0", "o0", -0.6)
    net.graph["i0"]["h0"]["parallel"] = [{"weight": 0.25}, {"weight": -1.5}]
    extra = {"gater": "h1"} if gated else {}
    net.graph["h0"]["h1"]["parallel"] = [{"weight": -0.8, **extra}]
    return net


def test_attribute_is_read_only_list_of_live_weights():
    net = net_with_parallels()
    G = net.graph
    par = G["i0"]["h0"]["parallel"]
    assert isinstance(par, list) and [p["weight"] for p in par] == [0.25, -1.5]
    with pytest.raises(TypeError, match="cannot be changed in place"):
        par.append({"weight": 1.0})
    version = G.version
    par[0]["weight"] = 0.3  # a weight: not structural
    assert G.version == version and G["i0"]["h0"]["parallel"][0]["weight"] == 0.3
    G["i0"]["h0"]["parallel"] = [{"weight": 0.3}]  # structural
    assert G.version > version
    with pytest.raises(TypeError, match=r"parallel\[0\] must be a mapping with a 'weight'"):
        G["i0"]["h0"]["parallel"] = [0.5]
    with pytest.raises(ValueError, match=r"parallel\[0\].weight must be finite"):
        G["i0"]["h0"]["parallel"] = [{"weight": float("nan")}]
    G["i0"]["h0"]["parallel"] = []
    assert "parallel" not in G["i0"]["h0"]


@pytest.mark.parametrize("gated", [False, True])
def test_compiled_matches_reference_and_trains_each_synapse(gated):
    net = net_with_parallels(gated)
    ref_graph = copy.deepcopy(net.graph)
    ref = _reference.Recurrent(ref_graph)
    rng = np.random.default_rng(0)
    for _ in range(30):
        x, t = rng.uniform(-1, 1, 2), rng.uniform(0, 1, 1)
        np.testing.assert_allclose(net.activate(x), ref.activate(x), rtol=0, atol=1e-13)
        net.propagate(0.3, t)
        ref.propagate(0.3, t)
    mine = [p["weight"] for p in net.graph["i0"]["h0"]["parallel"]]
    theirs = [p["weight"] for p in ref_graph["i0"]["h0"]["parallel"]]
    np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
    assert mine != [0.25, -1.5]  # they learned, each on its own


def test_feed_forward_parallels_match_the_reference_and_gradient():
    net = Network(seed=0)
    net.add_neuron("i0", role="input")
    net.add_neuron("o0", role="output", activation="tanh", bias=0.0)
    net.connect("i0", "o0", 0.5)
    net.graph["i0"]["o0"]["parallel"] = [{"weight": 0.25}]
    assert net._plan().feedforward
    np.testing.assert_allclose(net.activate([2.0]), np.tanh([1.5]), atol=1e-15)
    g = net.gradient([[2.0]], [[0.0]])
    gw, _ = _reference.gradient(net.graph, np.array([[2.0]]), np.array([[0.0]]))
    assert g.synapses == [("i0", "o0"), ("i0", "o0", 1)]
    np.testing.assert_allclose(g.weights, [gw[("i0", "o0")], gw[("i0", "o0", 1)]], atol=1e-15)


@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_json_round_trip_and_copies(layout):
    net = net_with_parallels(gated=True)
    x = np.random.default_rng(1).uniform(-1, 1, (10, 2))
    expected = net_with_parallels(gated=True).activate(x)
    for twin in (Network.from_json(net.to_json(layout=layout)), net.copy(),
                 Network.from_graph(pickle.loads(pickle.dumps(net.graph))),
                 Network.from_graph(nx.DiGraph(net.graph))):
        # (nx.DiGraph(G) rebuilds incoming orders source by source: sums round differently)
        np.testing.assert_allclose(twin.activate(x), expected, rtol=0, atol=1e-15)
        assert twin.graph["h0"]["h1"]["parallel"][0]["gater"] == "h1"
    bad = net.to_json().replace('"gater": "h1"', '"gater": "nobody"')
    with pytest.raises(ValueError, match=r"'h0' -> 'h1' \(parallel 1\) is gated by 'nobody'"):
        Network.from_json(bad)


def test_parallel_self_connection_is_refused_and_drawing_works():
    net = net_with_parallels()
    assert "h0" in net.to_dot()
    net.connect("h1", "h1")
    net.graph["h1"]["h1"]["parallel"] = [{"weight": 1.0}]
    with pytest.raises(TopologyError, match="self-connection 'h1' -> 'h1' has parallel"):
        net.activate([0, 0])


def test_reset_draws_parallel_weights_too():
    net = net_with_parallels()
    net.reset(seed=1)
    weights = [p["weight"] for p in net.graph["i0"]["h0"]["parallel"]]
    assert all(-0.1 <= w < 0.1 for w in weights) and weights != [0.25, -1.5]
