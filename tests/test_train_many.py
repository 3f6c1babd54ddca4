"""netgraph.train_many and netgraph.gradients: each network ends as ``net.train`` leaves
it, bit for bit; gradients equal ``net.gradient`` and finite differences."""

from __future__ import annotations

import pickle
import threading
from typing import Any

import networkx as nx
import numpy as np
import pytest

import netgraph
from netgraph import ConcurrencyError, DivergenceError, InputError, Network, TopologyError, _fast
from netgraph.architect import GRU, LSTM, Perceptron


def random_network(rng: np.random.Generator, n_in: int = 3, n_out: int = 2,
                   recurrent: bool = False) -> Network:
    """A random topology of 10..50 synapses; with ``recurrent``, some delayed synapses,
    self-connections and gates too."""
    net = Network(seed=int(rng.integers(1 << 30)))
    inputs = [net.add_neuron(role="input") for _ in range(n_in)]
    kinds = ["logistic", "tanh"] + ([] if recurrent else ["relu"])  # relu loops blow up
    hidden = [net.add_neuron(activation=str(rng.choice(kinds)))
              for _ in range(int(rng.integers(2, 9)))]
    outputs = [net.add_neuron(role="output") for _ in range(n_out)]
    order = inputs + hidden + outputs
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:] if b not in inputs]
    rng.shuffle(pairs)
    for a, b in pairs[:int(rng.integers(10, 51))]:
        net.connect(a, b)
    for out in outputs:  # every output reads the inputs (else train warns it does not)
        if not any(nx.has_path(net.graph, x, out) for x in inputs):
            net.connect(inputs[0], out)
    if recurrent:
        for h in hidden[:2]:
            net.connect(h, h)
        net.connect(outputs[0], hidden[0], delay=1)
        gated = next(iter(net.graph.in_edges(outputs[-1])))
        net.connect(*gated, gater=hidden[-1], replace=True)
    return net


def clone(net: Network) -> Network:
    """An exact copy, its generator's state included (``copy()`` reseeds it)."""
    return pickle.loads(pickle.dumps(net))


def params(net: Network) -> tuple[np.ndarray, np.ndarray]:
    plan = net._plan()
    return plan.weights.copy(), plan.biases.copy()


def check_same(nets: list[Network], data: Any, targets: Any = None, threads: int = 1,
               **options: Any) -> None:
    """train_many on copies of nets equals net.train on each in turn."""
    loop = [clone(n) for n in nets]
    many = [clone(n) for n in nets]
    expected = [n.train(data, targets, progress=False, **options) for n in loop]
    got = netgraph.train_many(many, data, targets, threads=threads, **options)
    assert len(got) == len(nets)
    for k, (a, b, ra, rb) in enumerate(zip(loop, many, expected, got, strict=True)):
        wa, ba = params(a)
        wb, bb = params(b)
        assert np.array_equal(wa, wb), f"network {k}: weights differ"
        assert np.array_equal(ba, bb), f"network {k}: biases differ"
        assert np.array_equal(ra.history, rb.history), f"network {k}: histories differ"
        assert (ra.iterations, str(ra.stopped), ra.error) == \
            (rb.iterations, str(rb.stopped), rb.error), f"network {k}"
        # the state the next activation starts from is train's too
        x = np.asarray(data)[0] if targets is not None else np.array([0.3, -0.2, 0.5])
        assert np.array_equal(a.activate(x), b.activate(x)), f"network {k}: states differ"


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    return rng.uniform(-1, 1, (16, 3)), rng.uniform(0.05, 0.95, (16, 2))


@pytest.fixture(scope="module")
def population() -> list[Network]:
    rng = np.random.default_rng(11)
    return [random_network(rng) for _ in range(12)]


@pytest.mark.parametrize("options", [
    {"optimizer": "adam", "iterations": 10, "error": 0.0},
    {"optimizer": "adam", "iterations": 7, "batch_size": 16, "rate": 0.05, "error": 0.0},
    {"iterations": 6, "error": 0.0},                                     # online sgd
    {"iterations": 6, "error": 0.0, "rate": [0.3, 0.1, 0.05]},           # rate list
    {"iterations": 5, "batch_size": 4, "momentum": 0.5, "error": 0.0},
    {"iterations": 5, "batch_size": 3, "error": 0.0, "cost": "cross_entropy"},
    {"iterations": 5, "error": 0.0, "cost": "mae", "optimizer": "adam", "batch_size": 2},
    {"iterations": 5, "error": 0.0, "cost": "binary"},                   # online only
    {"iterations": 6, "error": 0.0, "shuffle": True, "seed": 4},
    {"iterations": 6, "error": 0.0, "shuffle": True, "optimizer": "adam"},  # own generators
    {"iterations": 8, "error": 0.0, "cross_validate": {"test_size": 0.25, "test_error": 0.0}},
    {"iterations": 200, "error": 0.06, "rate": 0.1},                    # some reach the goal
    {"iterations": 4, "error": 0.0, "schedule": {"every": 2, "do": lambda info: False}},
])
def test_feedforward_bits_equal_train(population: list[Network],
                                      data: tuple[np.ndarray, np.ndarray],
                                      options: dict[str, Any]) -> None:
    X, T = data
    check_same(population, X, T, **options)


def test_large_layered_networks_take_trains_path(population: list[Network],
                                                 data: tuple[np.ndarray, np.ndarray]) -> None:
    X, T = data
    nets = [population[0], Perceptron(3, 70, 70, 2, seed=4), population[1]]  # BLAS between
    check_same(nets, X, T, optimizer="adam", batch_size=4, iterations=3, error=0.0)


def test_some_networks_stop_early(population: list[Network],
                                  data: tuple[np.ndarray, np.ndarray]) -> None:
    X, T = data
    results = netgraph.train_many([clone(n) for n in population], X, T, iterations=200,
                                  error=0.06, rate=0.1)
    stops = {str(r.stopped) for r in results}
    assert stops == {"goal", "iterations"}, stops  # the test above covers both ways


@pytest.mark.parametrize("options", [
    {"iterations": 40, "error": 0.06, "rate": 0.1},                     # some stop mid-way
    {"optimizer": "adam", "batch_size": 4, "iterations": 10, "error": 0.0},  # moments kept
    {"iterations": 7, "error": 0.0, "shuffle": True, "seed": 3},        # orders go on
    {"iterations": 7, "error": 0.0, "shuffle": True},                   # own generators
])
def test_chunks_of_epochs_join_as_one_run(population: list[Network],
                                          data: tuple[np.ndarray, np.ndarray],
                                          monkeypatch: pytest.MonkeyPatch,
                                          options: dict[str, Any]) -> None:
    """Long runs go to the native core in chunks of epochs: cut them every 3 epochs, and
    the weights, histories and stops are still train's."""
    monkeypatch.setattr(netgraph._many, "_CHUNK_EPOCHS", 3)
    X, T = data
    check_same(population, X, T, **options)


def test_threads_give_the_same_bits(data: tuple[np.ndarray, np.ndarray]) -> None:
    rng = np.random.default_rng(2)
    nets = [random_network(rng) for _ in range(40)]
    X, T = data
    one, two = [clone(n) for n in nets], [clone(n) for n in nets]
    ra = netgraph.train_many(one, X, T, optimizer="adam", iterations=20, error=0.0, threads=1)
    rb = netgraph.train_many(two, X, T, optimizer="adam", iterations=20, error=0.0, threads=2)
    for a, b, x, y in zip(one, two, ra, rb, strict=True):
        assert np.array_equal(params(a)[0], params(b)[0])
        assert np.array_equal(params(a)[1], params(b)[1])
        assert np.array_equal(x.history, y.history)


def test_a_network_held_by_another_thread_is_refused(
        data: tuple[np.ndarray, np.ndarray]) -> None:
    """train_many holds every network; one another thread holds is refused
    (ConcurrencyError), nothing is trained, and the networks it took are given back."""
    rng = np.random.default_rng(3)
    nets = [random_network(rng) for _ in range(4)]
    before = [params(n) for n in nets]
    X, T = data
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with _fast.exclusive(nets[2].graph):
            holding.set()
            done.wait(10)

    other = threading.Thread(target=hold)
    other.start()
    try:
        assert holding.wait(10)
        with pytest.raises(ConcurrencyError):
            netgraph.train_many(nets, X, T, optimizer="adam", iterations=3, error=0.0)
    finally:
        done.set()
        other.join()
    for net, (w, b) in zip(nets, before, strict=True):
        assert np.array_equal(params(net)[0], w) and np.array_equal(params(net)[1], b)
    # every lock is free again: this thread and a new one can train them all
    worker = threading.Thread(target=lambda: netgraph.train_many(nets, X, T, iterations=2))
    worker.start()
    worker.join()
    assert not np.array_equal(params(nets[0])[0], before[0][0])


def test_recurrent_and_gated_bits_equal_train(data: tuple[np.ndarray, np.ndarray]) -> None:
    rng = np.random.default_rng(8)
    nets = [random_network(rng, recurrent=True) for _ in range(5)]
    nets += [LSTM(3, 3, 2, seed=1), LSTM(3, 2, 2, 2, seed=2), GRU(3, 2, 2, seed=3)]
    nets.append(random_network(rng))  # a feed-forward one among them
    X, T = data
    check_same(nets, X, T, iterations=4, error=0.0, rate=0.05)
    check_same(nets, X, T, iterations=4, error=0.0, rate=0.05, shuffle=True, seed=1,
               threads=2)
    seqs = [(X[:5], T[:5]), (X[5:12], T[5:12]), (X[12:], T[12:])]
    check_same(nets, seqs, iterations=3, error=0.0, rate=0.05, sequences=True)
    check_same(nets, seqs, iterations=3, error=0.0, rate=0.05, sequences=True, shuffle=True,
               seed=9)


def test_recurrent_refuses_minibatches(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, T = data
    nets = [Perceptron(3, 2, 2, seed=0), LSTM(3, 2, 2, seed=1)]
    with pytest.raises(InputError, match=r"networks\[1\].*online only"):
        netgraph.train_many(nets, X, T, optimizer="adam", iterations=2)


def test_divergence_names_the_network(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, T = data
    calm = Perceptron(3, 4, 2, seed=0)  # logistic: bounded steps
    wild = Perceptron(3, 4, 2, seed=1, activation="identity", output_activation="identity")
    options: dict[str, Any] = {"iterations": 50, "error": 0.0, "rate": 50.0}
    with pytest.raises(DivergenceError):
        clone(wild).train(X, T, **options)
    trained = clone(calm)
    trained.train(X, T, **options)
    with pytest.raises(DivergenceError, match=r"networks\[1\]: training diverged"):
        netgraph.train_many([calm, wild], X, T, **options)
    assert np.array_equal(params(calm)[0], params(trained)[0])  # the other one trained
    assert np.isfinite(params(wild)[0]).all()


def test_targets_out_of_range_warn_as_train(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, T = data
    nets = [Perceptron(3, 2, 2, seed=0), Perceptron(3, 2, 2, seed=1, output_activation="identity")]
    with pytest.warns(netgraph.TargetRangeWarning, match="output 'o0' \\(logistic\\)") as seen:
        netgraph.train_many(nets, X, T * 3, iterations=2, error=0.0)
    assert len(seen) == 1  # the identity outputs reach any target


def test_bad_inputs_are_named(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, T = data
    a, b = Perceptron(3, 2, 2, seed=0), Perceptron(3, 2, 2, seed=1)
    with pytest.raises(InputError, match=r"networks\[1\] is a str, not a Network"):
        netgraph.train_many([a, "net"], X, T, iterations=1)  # type: ignore[list-item]
    with pytest.raises(InputError, match=r"networks\[2\] is networks\[0\]"):
        netgraph.train_many([a, b, a], X, T, iterations=1)
    with pytest.raises(InputError, match=r"networks\[1\] has 4 inputs"):
        netgraph.train_many([a, Perceptron(4, 2, 2, seed=2)], X, T, iterations=1)
    with pytest.raises(InputError, match="threads"):
        netgraph.train_many([a], X, T, iterations=1, threads=0)
    with pytest.raises(InputError, match="networks must be a list"):
        netgraph.train_many(5, X, T)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"networks\[2\] is networks\[0\]"):
        netgraph.gradients([a, b, a], X, T)
    with pytest.raises(InputError, match=r"networks\[1\] has 4 inputs"):
        netgraph.gradients([a, Perceptron(4, 2, 2, seed=2)], X, T)
    with pytest.raises(TopologyError, match=r"networks\[1\]"):
        netgraph.gradients([a, LSTM(3, 2, 2, seed=0)], X, T)
    assert netgraph.train_many([], X, T) == [] and netgraph.gradients([], X, T) == []


@pytest.mark.parametrize("cost", ["mse", "cross_entropy", "mae"])
def test_gradients_equal_net_gradient_and_finite_differences(
        population: list[Network], data: tuple[np.ndarray, np.ndarray], cost: str) -> None:
    X, T = data
    nets = [*population[:6], Perceptron(3, 70, 70, 2, seed=4)]  # the last: through BLAS
    got = netgraph.gradients(nets, X, T, cost)
    c = netgraph.get_cost(cost)
    for k, (net, g) in enumerate(zip(nets, got, strict=True)):
        ref = net.gradient(X, T, cost)
        assert np.array_equal(g.weights, ref.weights), f"network {k}"
        assert np.array_equal(g.biases, ref.biases), f"network {k}"
        assert g.value == ref.value and g.synapses == ref.synapses
        if k == len(nets) - 1:
            continue  # 5,000 synapses: net.gradient above is its reference
        plan = net._plan()
        h = 1e-6
        for store, grad in ((plan.weights, g.weights), (plan.biases, g.biases)):
            for i in range(len(store)):
                if store is plan.biases and plan.roles[i] == 0:
                    continue  # input neurons' biases are unused
                keep = store[i]
                store[i] = keep + h
                up = c.value(net.activate(X), T)
                store[i] = keep - h
                down = c.value(net.activate(X), T)
                store[i] = keep
                numeric = (up - down) / (2 * h)
                assert grad[i] == pytest.approx(numeric, rel=1e-4, abs=1e-7), \
                    f"network {k}, parameter {i}"
