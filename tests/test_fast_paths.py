"""Fast paths against the reference evaluator where a mutation audit found no test.

Each test names the wrong code it catches. The compiled paths must agree with
``netgraph._reference`` (the plain per-synapse rules), not with themselves.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from netgraph import DivergenceError, Layer, Network, _fast, _reference
from netgraph.architect import Perceptron


def _weights(net: Network) -> dict:
    G = net.graph
    return {**{(u, v): G[u][v]["weight"] for u, v in G.edges},
            **{n: G.nodes[n]["bias"] for n in G}}


def _reference_online(G: nx.DiGraph, X: np.ndarray, T: np.ndarray, rate: float,
                      epochs: int) -> None:
    for _ in range(epochs):
        for x, t in zip(X, T, strict=True):
            v = _reference.activate(G, x)
            _reference.propagate(G, v, rate, t)


def _assert_same_weights(a: Network, b: nx.DiGraph, tol: float) -> None:
    for u, v in b.edges:
        assert a.graph[u][v]["weight"] == pytest.approx(b[u][v]["weight"], abs=tol), (u, v)
    for n in b:
        assert a.graph.nodes[n]["bias"] == pytest.approx(b.nodes[n]["bias"], abs=tol), n


@pytest.mark.parametrize("how", ["train", "calls"])
def test_online_training_of_wide_neurons_matches_the_reference(how):
    # 20 inputs feed 18 hidden neurons, which feed 3 outputs: every neuron reads 16 or
    # more consecutive sources, so the kernels take their vectorized wide loops, and the
    # outputs pass their error back into hidden neurons through just-updated weights.
    # Catches: the error passed back through the old weight, or not passed back at all.
    rng = np.random.default_rng(4)
    net = Perceptron(20, 18, 3, seed=2)
    for n in net.graph:
        net.graph.nodes[n]["bias"] = float(rng.normal(0, 0.5))
    for u, v in net.graph.edges:
        net.graph[u][v]["weight"] = float(rng.normal(0, 0.4))
    ref = nx.DiGraph(net.graph)
    X, T = rng.uniform(-1, 1, (12, 20)), rng.uniform(0, 1, (12, 3))
    if how == "train":
        net.train(X, T, rate=0.5, iterations=6, error=0)
    else:
        for _ in range(6):
            for x, t in zip(X, T, strict=True):
                net.activate(x)
                net.propagate(0.5, t)
    _reference_online(ref, X, T, 0.5, 6)
    moved = max(abs(ref[u][v]["weight"] - net.graph[u][v]["weight"]) for u, v in ref.edges)
    assert moved < 1e-12
    _assert_same_weights(net, ref, 1e-12)
    # the hidden neurons did learn from the outputs' errors
    h = next(n for n in net.graph if net.graph.nodes[n]["role"] == "hidden")
    assert ref.nodes[h]["bias"] != nx.DiGraph(Perceptron(20, 18, 3, seed=2).graph).nodes[h]["bias"]


def _order_sensitive_values(rng: np.random.Generator, made: list[int]
                            ) -> tuple[list[float], list[float]]:
    """Weights and inputs whose sum, from a bias of 0.25, is right only in the order
    ``made``: the reversed, node-ordered, weight-sorted and rotated orders all differ."""
    n = len(made)
    while True:
        w = (rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-6, 17, n)).tolist()
        x = rng.uniform(0.5, 2.0, n).tolist()
        right = _sequential([w[k] * x[k] for k in made], 0.25)
        wrong = [list(reversed(made)), list(range(n)), sorted(range(n), key=lambda k: w[k]),
                 made[1:] + made[:1], made[-1:] + made[:-1]]
        if all(_sequential([w[k] * x[k] for k in order], 0.25) != right for order in wrong):
            return w, x


def _sequential(terms: list[float], start: float = 0.0) -> float:
    total = start
    for t in terms:
        total += t
    return total


@pytest.mark.parametrize("seed", range(5))
def test_each_neuron_sums_its_synapses_in_the_order_they_were_made(seed):
    # Magnitudes from 1e-6 to 1e17 make every reordering round differently (checked
    # above), so only the creation order gives the expected sum, bit for bit. Synapses
    # are made in a shuffled order unrelated to the neurons' order in the graph.
    # Catches: reversed, sorted or source-ordered summation, in compiled code or copies.
    rng = np.random.default_rng(seed)
    n = 11
    G = nx.DiGraph()
    for k in range(n):
        G.add_node(f"i{k}", role="input", bias=0.0, activation="identity")
    G.add_node("h", role="hidden", bias=0.25, activation="identity")
    G.add_node("o", role="output", bias=0.0, activation="identity")
    made = rng.permutation(n).tolist()
    w, x = _order_sensitive_values(rng, made)
    for k in made:
        G.add_edge(f"i{k}", "h", weight=w[k])
    G.add_edge("h", "o", weight=1.0)
    inputs = [x[k] for k in range(n)]
    expected = _sequential([w[k] * x[k] for k in made], 0.25)
    net = Network.from_graph(G)
    assert net.activate(inputs)[0] == expected
    assert net.activate([inputs, inputs])[0, 0] == expected  # the batch kernels
    assert net.copy().activate(inputs)[0] == expected
    assert Network.from_json(net.to_json()).activate(inputs)[0] == expected
    v = _reference.activate(net.graph, inputs)
    assert v["y"]["o"] == expected


def _dense_net(seed: int = 1) -> Network:
    net = Perceptron(3, 90, 60, 2, seed=seed)
    assert _fast.dense(net._plan()), "this net must take the BLAS path"
    return net


def test_blas_runner_cross_validation_reports_the_held_out_error():
    # Catches: the BLAS runner ignoring the validation set, or reporting the training error.
    rng = np.random.default_rng(3)
    X, T = rng.normal(0, 1, (20, 3)), rng.uniform(0, 1, (20, 2))
    net = _dense_net()
    r = net.train(X, T, rate=0.1, iterations=3, error=0, batch_size=4,
                  cross_validate={"test_size": 0.25, "test_error": 0.0})
    assert r.iterations == 3
    G = net.graph
    outputs = np.array([[_reference.activate(G, x)["y"][o] for o in net.outputs] for x in X[15:]])
    held_out = float(np.mean((T[15:] - outputs) ** 2))
    assert r.error == pytest.approx(held_out, rel=1e-12)
    twin = _dense_net()
    twin.train(X[:15], T[:15], rate=0.1, iterations=3, error=0, batch_size=4)
    np.testing.assert_allclose(list(_weights(net).values()), list(_weights(twin).values()),
                               rtol=0, atol=0)
    stop = _dense_net().train(X, T, rate=0.1, iterations=50, error=0, batch_size=4,
                              cross_validate={"test_size": 0.25, "test_error": 1.0})
    assert stop.iterations == 1 and stop.stopped == "cross_validation"


def test_blas_runner_stops_at_the_error_target():
    # Catches: the BLAS runner never checking the error target.
    rng = np.random.default_rng(5)
    X, T = rng.normal(0, 1, (16, 3)), rng.uniform(0.4, 0.6, (16, 2))
    full = _dense_net().train(X, T, rate=0.05, iterations=30, error=0, batch_size=4)
    target = float(full.history[9])  # reached at iteration 10 (history falls from there)
    first = int(np.argmax(full.history <= target)) + 1
    r = _dense_net().train(X, T, rate=0.05, iterations=30, error=target, batch_size=4)
    assert r.stopped == "goal" and r.iterations == first <= 10
    assert r.error == full.history[first - 1]


def test_blas_runner_divergence_keeps_the_last_finite_weights():
    # Catches: the BLAS runner missing divergence, or keeping the diverged weights.
    rng = np.random.default_rng(6)
    X, T = rng.normal(0, 3, (8, 3)), rng.normal(0, 3, (8, 2))

    def make() -> Network:
        net = _dense_net(seed=4)
        for n in net.graph:
            net.graph.nodes[n]["activation"] = "identity"
        return net

    net = make()
    with pytest.raises(DivergenceError, match=r"iteration (\d+)") as info:
        net.train(X, T, rate=0.5, iterations=200, error=0, batch_size=4)
    k = int(str(info.value).split("iteration ")[1].split(":")[0])
    assert k > 1
    twin = make()
    twin.train(X, T, rate=0.5, iterations=k - 1, error=0, batch_size=4)
    assert _weights(net) == _weights(twin)
    assert all(np.isfinite(list(_weights(net).values())))


def _gated_identity_net() -> Network:
    """in -> out (identity), with a gated, delayed synapse: a recurrent plan."""
    net = Network(seed=0)
    net.add_neuron("x", role="input", activation="identity", bias=0.0)
    net.add_neuron("g", activation="logistic", bias=0.0)
    net.add_neuron("y", role="output", activation="identity", bias=0.0)
    net.connect("x", "g", 0.5)
    net.connect("x", "y", 1.0, gater="g")
    net.connect("y", "y", 0.0)  # a self-connection: the recurrent kernels run it
    return net


def test_recurrent_training_that_diverges_through_a_bias_keeps_the_last_finite_bias():
    # One sample, one epoch: the epoch's error (measured before propagate) and every
    # weight stay finite, while the output's bias overflows. A real bug: the recurrent
    # divergence check read the error and the weights, not the biases.
    net = _gated_identity_net()
    before = _weights(net)
    with pytest.raises(DivergenceError):
        net.train([([0.0], [1e150])], rate=1e200, iterations=1, error=0)
    assert _weights(net) == before


def test_a_live_projection_after_activate_is_used_at_once():
    # Layer.project on a built network adds its synapses in bulk (no per-edge networkx
    # call). Catches: that bulk insertion not telling the network its plan is stale.
    inp, hid, out = Layer(2), Layer(3), Layer(1)
    inp.project(hid)
    hid.project(out)
    net = Network(input=inp, hidden=[hid], output=out, seed=1)
    net.activate([1.0, 0.5])
    inp.project(out, weight=0.75)  # a skip connection, made live
    y = net.activate([1.0, 0.5])[0]
    assert y == pytest.approx(_reference.activate(net.graph, [1.0, 0.5])["y"]["o0"], abs=1e-15)
    assert y != pytest.approx(Network.from_graph(_without(net.graph, [("i0", "o0"), ("i1", "o0")]))
                              .activate([1.0, 0.5])[0], abs=1e-6)


def test_removing_a_synapse_after_activate_is_used_at_once():
    # Catches: remove_edge not telling the network its plan is stale.
    inp, hid, out = Layer(2), Layer(3), Layer(1)
    inp.project(hid)
    hid.project(out, weight=2.0)
    net = Network(input=inp, hidden=[hid], output=out, seed=1)
    before = net.activate([1.0, 0.5])[0]
    net.graph.remove_edge("h1", "o0")
    after = net.activate([1.0, 0.5])[0]
    assert after == pytest.approx(_reference.activate(net.graph, [1.0, 0.5])["y"]["o0"],
                                  abs=1e-15)
    assert abs(after - before) > 1e-3


def _without(G: nx.DiGraph, edges: list[tuple[str, str]]) -> nx.DiGraph:
    H = nx.DiGraph(G)
    H.remove_edges_from(edges)
    return H


@pytest.mark.parametrize("shuffle", [False, True])
def test_online_training_equals_the_activate_propagate_loop_bit_for_bit(shuffle):
    # net.train defers the updates of neurons fed only by inputs into the next sample's
    # forward pass; that must change no bit. Catches: a fused update applied in another
    # order, a pending update lost at an epoch's end or applied twice.
    rng = np.random.default_rng(8)
    X, T = rng.uniform(-1, 1, (9, 20)), rng.uniform(0, 1, (9, 3))
    net, twin = Perceptron(20, 18, 3, seed=5), Perceptron(20, 18, 3, seed=5)
    net.connect("i0", "o1", 0.3)  # a skip connection: o1 reads inputs and hidden neurons
    twin.connect("i0", "o1", 0.3)
    net.train(X, T, rate=0.4, iterations=5, error=0, shuffle=shuffle, seed=1)
    order_rng = np.random.default_rng(1)
    order = np.arange(len(X))
    for _ in range(5):
        for i in order:
            twin.activate(X[i])
            twin.propagate(0.4, T[i])
        if shuffle:
            order = order[order_rng.permutation(len(X))]
    assert _weights(net) == _weights(twin)
