"""Exact gradients against central finite differences and the reference backprop."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from conftest import ALL, random_dag

from netgraph import InputError, Network, _fast, _reference, get_cost
from netgraph.architect import Perceptron


def _cost(net, X, T, cost):
    """The mean cost, computed by hand from the reference evaluator's outputs (not the
    compiled path the gradient comes from)."""
    Y = np.array([[_reference.activate(net.graph, x)["y"][o] for o in net.outputs] for x in X])
    T = np.asarray(T, dtype=float)
    if cost == "mse":
        return float(np.mean(np.mean((T - Y) ** 2, axis=1)))
    eps = 1e-15  # Synaptic's cross-entropy: summed over outputs, logs kept off 0
    return float(np.mean(-np.sum(T * np.log(Y + eps) + (1 - T) * np.log(1 + eps - Y), axis=1)))


def _finite_differences(net, X, T, cost, eps=1e-6):
    G = net.graph
    gw = {}
    for u, v in net.synapses:
        w = G[u][v]["weight"]
        G[u][v]["weight"] = w + eps
        up = _cost(net, X, T, cost)
        G[u][v]["weight"] = w - eps
        down = _cost(net, X, T, cost)
        G[u][v]["weight"] = w
        gw[(u, v)] = (up - down) / (2 * eps)
    gb = {}
    for n in net.neurons:
        if G.nodes[n]["role"] == "input":
            continue
        b = G.nodes[n]["bias"]
        G.nodes[n]["bias"] = b + eps
        up = _cost(net, X, T, cost)
        G.nodes[n]["bias"] = b - eps
        down = _cost(net, X, T, cost)
        G.nodes[n]["bias"] = b
        gb[n] = (up - down) / (2 * eps)
    return gw, gb


@pytest.mark.parametrize("activation", ALL)
@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
def test_gradient_matches_finite_differences(activation, cost):
    rng = np.random.default_rng(zlib.crc32(f"{activation}/{cost}".encode()))
    G = random_dag(rng, n_in=3, n_hidden=7, n_out=2, p=0.5, activations=[activation])
    if cost == "cross_entropy":  # outputs must lie in (0, 1)
        for n, role in G.nodes(data="role"):
            if role == "output":
                G.nodes[n]["activation"] = "logistic"
    net = Network.from_graph(G)
    X = rng.normal(0, 1, (6, 3))
    T = rng.uniform(0, 1, (6, 2))
    g = net.gradient(X, T, cost=cost)
    gw, gb = _finite_differences(net, X, T, cost)
    assert g.value == pytest.approx(_cost(net, X, T, cost), rel=1e-14)
    for (u, v), expected in gw.items():
        assert g.weight(u, v) == pytest.approx(expected, rel=1e-5, abs=1e-8), (u, v)
    for n, expected in gb.items():
        assert g.bias(n) == pytest.approx(expected, rel=1e-5, abs=1e-8), n


@pytest.mark.parametrize("seed", range(5))
def test_gradient_matches_reference_backprop(seed):
    rng = np.random.default_rng(seed)
    net = Network.from_graph(random_dag(rng, 3, 12, 3, p=0.4))
    X, T = rng.normal(0, 1, (4, 3)), rng.uniform(0, 1, (4, 3))
    g = net.gradient(X, T)
    gw, gb = _reference.gradient(net.graph, X, T, "mse")
    for (u, v), expected in gw.items():
        assert g.weight(u, v) == pytest.approx(expected, rel=1e-12, abs=1e-14)
    for n, expected in gb.items():
        if net.graph.nodes[n]["role"] != "input":
            assert g.bias(n) == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_gradient_leaves_the_network_unchanged(rng):
    net = Network.from_graph(random_dag(rng, 2, 5, 1))
    before = net.graph.copy()
    net.gradient([[0, 1], [1, 0]], [[1], [0]])
    assert all(before[u][v] == net.graph[u][v] for u, v in before.edges)


def test_gradient_rejects_bad_targets_and_costs(rng):
    net = Network.from_graph(random_dag(rng, 2, 3, 1))
    with pytest.raises(InputError, match=r"targets must have shape \(2, 1\)"):
        net.gradient([[0, 1], [1, 0]], [[1, 0]])
    with pytest.raises(InputError, match="unknown cost 'hinge'"):
        net.gradient([0, 1], [1], cost="hinge")
    with pytest.raises(InputError, match="no gradient"):
        net.gradient([0, 1], [1], cost="binary")


def test_blas_gradient_of_a_layered_net_matches_reference_backprop(rng):
    net = Perceptron(4, 70, 60, 3, seed=2)
    for n in net.graph:
        net.graph.nodes[n]["activation"] = "tanh" if n.startswith("h") else "logistic"
    assert _fast.dense(net._plan())
    X, T = rng.normal(0, 1, (5, 4)), rng.uniform(0, 1, (5, 3))
    g = net.gradient(X, T, cost="cross_entropy")
    gw, gb = _reference.gradient(net.graph, X, T, "cross_entropy")
    np.testing.assert_allclose(g.weights, [gw[e] for e in g.synapses], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose([g.bias(n) for n in net.graph if not n.startswith("i")],
                               [gb[n] for n in net.graph if not n.startswith("i")],
                               rtol=1e-10, atol=1e-15)


# ------------------------------------------------------------- costs by hand
def test_binary_cost_counts_the_misses():
    # Synaptic's BINARY: round(2t) != round(2y), half up, summed per sample
    Y = np.array([[0.2, 0.9, 0.6], [0.7, 0.1, 0.4]])
    T = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
    # 2y rounds to (0, 2, 1) and (1, 0, 1); 2t is (0, 2, 0) and (2, 2, 0): 1 and 3 misses
    assert get_cost("binary").value(Y, T) == 2.0
    assert get_cost("binary").value(T, T) == 0.0


def test_cross_entropy_of_outputs_exactly_0_or_1_is_finite():
    ce = get_cost("cross_entropy")
    # log is pushed 1e-15 away from 0, as Synaptic does: -log(1e-15) = 34.54
    assert ce.value(np.array([[0.0]]), np.array([[1.0]])) == pytest.approx(34.5388, rel=1e-3)
    assert ce.value(np.array([[1.0]]), np.array([[0.0]])) == pytest.approx(34.5388, rel=1e-2)
    assert ce.value(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])) == pytest.approx(
        0.0, abs=1e-14)
    for y, t in ((0.0, 1.0), (1.0, 0.0)):
        g = ce.derivative(np.array([y]), np.array([t]))
        assert np.all(np.isfinite(g)) and abs(g[0]) == pytest.approx(1e15, rel=0.2)


@pytest.mark.parametrize(("name", "cost"), [
    ("crossentropy", "cross_entropy"), ("ce", "cross_entropy"),
    ("Cross-Entropy", "cross_entropy"), ("CROSS_ENTROPY", "cross_entropy"), (" MSE ", "mse"),
    ("mae", "mae"), ("Binary", "binary")])
def test_cost_names_and_aliases(name, cost):
    assert get_cost(name).name == cost
