"""Gaters follow the graph: removing a gater ungates, relabelling renames gaters, and a
feed-forward view serves networkx's DAG algorithms."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from netgraph import Network, NeuronError, TopologyError, _reference, feedforward_view, relabel
from netgraph.architect import LSTM, Liquid


def test_removing_a_gater_ungates_what_it_gated():
    net = LSTM(2, 2, 1, seed=1)
    gater = net.graph["h4"]["h4"]["gater"]  # the forget gate of the first memory cell
    gated = [(u, v) for u, v, g in net.graph.edges(data="gater") if g == gater]
    net.remove_neuron(gater)
    assert all(net.graph[u][v].get("gater") is None for u, v in gated if u in net.graph)
    x = np.random.default_rng(0).uniform(0, 1, (5, 2))
    ref = _reference.Recurrent(net.graph)  # the ungated synapse has gain 1
    np.testing.assert_allclose(net.activate(x), [ref.activate(r) for r in x], atol=1e-14)


def test_removing_a_gater_of_parallel_synapses():
    net = Liquid(2, 6, 1, connections=40, gates=30, seed=2)
    gaters = {p.get("gater") for _, _, ps in net.graph.edges(data="parallel") if ps for p in ps}
    gaters.discard(None)
    assert gaters
    g = sorted(gaters)[0]
    net.remove_neuron(g)
    assert all(p.get("gater") != g for _, _, ps in net.graph.edges(data="parallel") if ps
               for p in ps)
    net.activate([0.1, 0.2])


def test_relabel_renames_gaters_and_computes_the_same():
    net = Liquid(2, 6, 2, connections=30, gates=10, seed=4)
    new = relabel(net, lambda n: f"n_{n}")
    assert sorted(new.neurons) == sorted(f"n_{n}" for n in net.neurons)
    gaters = [g for _, _, g in new.graph.edges(data="gater") if g is not None]
    assert gaters and all(g.startswith("n_") for g in gaters)
    x = np.random.default_rng(1).uniform(-1, 1, (20, 2))
    np.testing.assert_array_equal(new.activate(x), net.activate(x))
    partial = relabel(net, {"h0": "first"})
    assert "first" in partial.graph and "h0" not in partial.graph and "h1" in partial.graph
    with pytest.raises(NeuronError, match="no neuron 'zz'"):
        relabel(net, {"zz": "a"})
    with pytest.raises(TopologyError, match="would both be named 'h1'"):
        relabel(net, {"h0": "h1"})


def test_networkx_relabel_leaves_gaters_dangling_and_from_graph_says_so():
    net = LSTM(1, 1, 1, seed=0)
    G = nx.relabel_nodes(net.graph, {n: n.upper() for n in net.graph})
    with pytest.raises(TopologyError, match=r"is gated by 'h\d', which is not a neuron"):
        Network.from_graph(G)


def test_feedforward_view_is_a_dag_for_networkx():
    net = LSTM(2, 3, 1, hidden_to_hidden=True, output_to_gates=True, seed=0)
    with pytest.raises(nx.NetworkXUnfeasible):
        list(nx.topological_sort(net.graph))
    view = feedforward_view(net)
    assert nx.is_directed_acyclic_graph(view)
    order = list(nx.topological_sort(view))
    assert set(order) == set(net.neurons)
    plan = net._plan()
    assert all(plan.index[u] < plan.index[v] for u, v in view.edges)
    removed = {(u, v) for u, v, d in net.graph.edges(data="delay") if d}
    assert removed and not removed & set(view.edges)
    net.graph.remove_edge(*next(iter(view.edges)))  # a live view
    assert view.number_of_edges() == net.graph.number_of_edges() - len(removed)
