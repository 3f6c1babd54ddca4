"""Training: equals the activate/propagate loop, descends the exact gradient, stops safely."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import load_fixture, random_dag, xor_net

from netgraph import DivergenceError, InputError, Layer, Network, _fast, _reference
from netgraph.architect import Perceptron

XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def _weights(net):
    return [w for *_, w in net.graph.edges(data="weight")] + [
        b for _, b in net.graph.nodes(data="bias")]


def test_train_replays_the_seed_fixture():
    fx = load_fixture("xor-2-3-1-seed")
    net = Network.from_synaptic(fx["initial"])
    result = net.train(XOR, rate=0.3, iterations=20000, error=0)
    assert result.iterations == 20000 and result.stopped == "iterations"
    probes = net.activate([x for x, _ in XOR])
    np.testing.assert_allclose(probes, fx["outputs"][-4:], rtol=0, atol=1e-9)
    # every epoch's error is the mean MSE of the outputs Synaptic recorded in that epoch
    seen = np.array(fx["outputs"][:-4]).reshape(20000, 4)
    targets = np.array([t for _, t in XOR]).ravel()
    expected = ((seen - targets) ** 2).mean(axis=1)
    np.testing.assert_allclose(result.history, expected, rtol=0, atol=1e-9)


def test_train_equals_the_activate_propagate_loop(rng):
    G = random_dag(rng, 3, 9, 2, activations=["logistic", "tanh", "softsign"])
    a, b = Network.from_graph(G), Network.from_graph(G)
    X, T = rng.uniform(-1, 1, (10, 3)), rng.uniform(0, 1, (10, 2))
    a.train(X, T, rate=0.1, iterations=30, error=0)
    for _ in range(30):
        for x, t in zip(X, T, strict=True):
            b.activate(x)
            b.propagate(0.1, t)
    assert _weights(a) == _weights(b)  # bit for bit


def test_shuffled_training_is_reproducible_and_follows_the_shuffle(rng):
    G = random_dag(rng, 2, 5, 1, activations=["logistic"])
    a, b, c = (Network.from_graph(G) for _ in range(3))
    X, T = rng.uniform(0, 1, (6, 2)), rng.uniform(0, 1, (6, 1))
    a.train(X, T, iterations=5, error=0, shuffle=True, seed=4)
    b.train(X, T, iterations=5, error=0, shuffle=True, seed=4)
    assert _weights(a) == _weights(b)
    # Synaptic's order: epoch 1 as given, then reshuffled after every epoch
    gen, order = np.random.default_rng(4), np.arange(6)
    for _ in range(5):
        for i in order:
            c.activate(X[i])
            c.propagate(0.2, T[i])
        order = order[gen.permutation(6)]
    assert _weights(a) == _weights(c)


def test_minibatch_step_is_minus_rate_times_the_gradient(rng):
    G = random_dag(rng, 3, 6, 2, activations=["tanh", "logistic", "softplus"])
    for cost in ("mse", "cross_entropy", "mae"):
        for n, role in G.nodes(data="role"):
            if role == "output":
                G.nodes[n]["activation"] = "logistic"
        net = Network.from_graph(G)
        X, T = rng.normal(0, 1, (8, 3)), rng.uniform(0, 1, (8, 2))
        g = net.gradient(X, T, cost=cost)
        before = {e: net.graph.edges[e]["weight"] for e in g.synapses}
        bias_before = {n: net.graph.nodes[n]["bias"] for n in g.neurons}
        net.train(X, T, rate=0.05, iterations=1, error=0, batch_size=8, cost=cost)
        for k, e in enumerate(g.synapses):
            assert net.graph.edges[e]["weight"] - before[e] == pytest.approx(
                -0.05 * g.weights[k], rel=1e-9, abs=1e-15)
        for k, n in enumerate(g.neurons):
            if net.graph.nodes[n]["role"] != "input":
                assert net.graph.nodes[n]["bias"] - bias_before[n] == pytest.approx(
                    -0.05 * g.biases[k], rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("batch", [4, 1])  # 1: momentum must not be dropped for online SGD
def test_minibatches_and_momentum_match_a_numpy_loop(rng, batch):
    G = random_dag(rng, 2, 5, 1, activations=["tanh"])
    net, ref = Network.from_graph(G), Network.from_graph(G)
    X, T = rng.normal(0, 1, (10, 2)), rng.uniform(-0.5, 0.5, (10, 1))
    net.train(X, T, rate=0.1, iterations=3, error=0, batch_size=batch, momentum=0.9)
    vw = vb = 0.0
    for _ in range(3):
        for start in range(0, 10, batch):
            g = ref.gradient(X[start:start + batch], T[start:start + batch])
            vw = 0.9 * vw - 0.1 * g.weights
            vb = 0.9 * vb - 0.1 * g.biases
            for k, e in enumerate(g.synapses):
                ref.graph.edges[e]["weight"] += vw[k]
            for k, n in enumerate(g.neurons):
                if ref.graph.nodes[n]["role"] != "input":
                    ref.graph.nodes[n]["bias"] += vb[k]
    np.testing.assert_allclose(_weights(net), _weights(ref), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("rate", "expected"), [(0.01, 0.01), (None, 0.001)])  # the default
def test_adam_matches_its_textbook_update(rng, rate, expected):
    G = random_dag(rng, 2, 4, 1, activations=["logistic"])
    net, ref = Network.from_graph(G), Network.from_graph(G)
    X, T = rng.normal(0, 1, (6, 2)), rng.uniform(0, 1, (6, 1))
    net.train(X, T, optimizer="adam", rate=rate, iterations=4, error=0, batch_size=3)
    m = v = 0.0
    step = 0
    for _ in range(4):
        for start in (0, 3):
            g = ref.gradient(X[start:start + 3], T[start:start + 3])
            grads = np.concatenate([g.weights, g.biases])
            step += 1
            m = 0.9 * m + 0.1 * grads
            v = 0.999 * v + 0.001 * grads**2
            delta = -expected * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
            for k, e in enumerate(g.synapses):
                ref.graph.edges[e]["weight"] += delta[k]
            for k, n in enumerate(g.neurons):
                if ref.graph.nodes[n]["role"] != "input":
                    ref.graph.nodes[n]["bias"] += delta[len(g.synapses) + k]
    np.testing.assert_allclose(_weights(net), _weights(ref), rtol=1e-10, atol=1e-13)


def test_error_target_stops_training_and_history_is_the_cost():
    net = xor_net(seed=3)
    r = net.train(XOR, rate=0.5, iterations=100000, error=0.01)
    assert r.stopped == "goal" and r.error <= 0.01 and r.iterations < 100000
    assert r.history[-1] == r.error and r.history[:-1].min() > 0.01
    # the test error by hand from the reference evaluator: mean over samples of (t - y)^2
    by_hand = np.mean([(t[0] - _reference.activate(net.graph, x)["y"]["o0"]) ** 2
                       for x, t in XOR])
    assert net.test(XOR) == pytest.approx(by_hand, rel=1e-12)


def test_schedules_and_rates():
    seen = []

    def every(info):
        seen.append((info["iterations"], info["rate"]))
        return info["iterations"] >= 30

    net = xor_net()
    r = net.train(XOR, rate=[0.5, 0.4, 0.3], iterations=60, error=0,
                  schedule={"every": 10, "do": every})
    assert r.stopped == "schedule" and r.iterations == 30
    # Synaptic: bucket = 60 // 3 = 20; rate index = iteration // 20
    assert seen == [(10, 0.5), (20, 0.4), (30, 0.4)]
    calls = []

    def rate(iteration, last_error):
        calls.append((iteration, last_error))
        return 0.3

    net = xor_net()
    r = net.train(XOR, rate=rate, iterations=5, error=0)
    assert [c[0] for c in calls] == [1, 2, 3, 4, 5]
    assert calls[0][1] == 0 and calls[1][1] == r.history[0]


def test_rate_schedule_matches_a_manual_loop():
    a, b = xor_net(seed=5), xor_net(seed=5)
    a.train(XOR, rate=[0.5, 0.1], iterations=10, error=0)
    for it in range(1, 11):
        rate = [0.5, 0.1][min(it // 5, 1)]
        for x, t in XOR:
            b.activate(x)
            b.propagate(rate, t)
    assert _weights(a) == _weights(b)


def test_cross_validation_reports_the_held_out_error():
    rng = np.random.default_rng(2)
    X = rng.uniform(0, 1, (10, 2))
    T = (X.sum(axis=1, keepdims=True) > 1).astype(float)
    net, twin = xor_net(seed=1), xor_net(seed=1)
    r = net.train(X, T, rate=0.2, iterations=3, error=0,
                  cross_validate={"test_size": 0.3, "test_error": 0.0})
    twin.train(X[:7], T[:7], rate=0.2, iterations=3, error=0)
    assert _weights(net) == _weights(twin)  # trained on the first ceil(0.7 * 10) only
    assert r.error == pytest.approx(twin.test(X[7:], T[7:]), rel=1e-14)
    r = xor_net(seed=1).train(X, T, iterations=100000, error=0,
                              cross_validate={"test_size": 0.3, "test_error": 0.2})
    assert r.stopped == "cross_validation" and r.error <= 0.2


def test_divergence_stops_with_the_last_finite_weights():
    def make():
        inp, out = Layer(1, "identity", bias=0.0), Layer(1, "identity", bias=0.0)
        inp.project(out, weight=1.0)
        return Network(input=inp, output=out)

    data = [([100.0], [0.0])]
    net = make()
    with pytest.raises(DivergenceError, match=r"diverged at iteration \d+") as info:
        net.train(data, rate=1.0, iterations=1000, error=0)
    k = int(re.search(r"iteration (\d+)", str(info.value)).group(1))
    assert k > 1 and all(np.isfinite(_weights(net)))
    twin = make()
    twin.train(data, rate=1.0, iterations=k - 1, error=0)  # the last epoch that stayed finite
    assert _weights(twin) == _weights(net)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": float("nan")}, "rate must be finite"),
        ({"rate": []}, "at least one rate"),
        ({"iterations": 0}, "iterations must be"),
        ({"batch_size": 0}, "batch_size must be"),
        ({"optimizer": "rmsprop"}, "unknown optimizer"),
        ({"momentum": 1.5}, "momentum must be"),
        ({"momentum": 1.0}, r"momentum must be in \[0, 1\), got 1.0"),  # 1 never decays
        ({"momentum": -0.1}, "momentum must be"),
        ({"cost": "hinge"}, "unknown cost"),
        ({"cost": "binary", "batch_size": 2}, "no gradient"),
        ({"schedule": {"every": 0, "do": print}}, "schedule every must be"),
        ({"cross_validate": {"test_size": 1.5, "test_error": 0.1}}, "test_size"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(InputError, match=message):
        xor_net().train(XOR, **kwargs)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([([0, 0], [0]), ([0], [1])], "every input must have 2 values|shape"),
        ([([0, float("nan")], [0])], r"input \[0, 1\] is nan"),
        ([([0, 1], [0, 1])], r"targets must have shape \(n_samples, 1\)"),
        ([], "no samples"),
        ([1, 2, 3], "pairs"),
    ],
)
def test_bad_data(data, message):
    with pytest.raises(InputError, match=message):
        xor_net().train(data)


def test_data_forms_are_equivalent():
    X = np.array([x for x, _ in XOR], dtype=float)
    T = np.array([t for _, t in XOR], dtype=float)
    runs = [
        lambda n: n.train(XOR, iterations=3, error=0),
        lambda n: n.train(X, T, iterations=3, error=0),
        lambda n: n.train((X, T), iterations=3, error=0),
        lambda n: n.train([{"input": x, "output": t} for x, t in XOR], iterations=3, error=0),
    ]
    results = []
    for run in runs:
        net = xor_net(seed=9)
        run(net)
        results.append(_weights(net))
    assert all(r == results[0] for r in results)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_blas_and_compiled_minibatch_runners_agree(monkeypatch, optimizer):
    rng = np.random.default_rng(7)
    X, T = rng.normal(0, 1, (40, 3)), rng.uniform(0, 1, (40, 2))
    kwargs = dict(rate=0.05, iterations=3, error=0, batch_size=8, momentum=0.5, shuffle=True,
                  seed=3, optimizer=optimizer)
    if optimizer == "adam":
        kwargs.pop("momentum")
    a, b = Perceptron(3, 40, 30, 2, seed=1), Perceptron(3, 40, 30, 2, seed=1)
    monkeypatch.setattr(_fast, "DENSE_MIN_SYNAPSES", 0)
    assert _fast.dense(a._plan())
    ra = a.train(X, T, **kwargs)
    monkeypatch.setattr(_fast, "DENSE_MIN_SYNAPSES", 10**9)
    assert not _fast.dense(b._plan())
    rb = b.train(X, T, **kwargs)
    np.testing.assert_allclose(_weights(a), _weights(b), rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(ra.history, rb.history, rtol=1e-11)


@pytest.mark.parametrize("cv", [{"test_error": 0.1}, {"test_size": "0.3"}, (0.3, None)])
def test_bad_cross_validation_options(cv):
    with pytest.raises(InputError, match="cross_validate"):
        xor_net().train(XOR, cross_validate=cv)
