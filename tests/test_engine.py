"""The native engine as users meet it: pickling at any time, processes, threads and the
GIL, propagate's divergence guard, and networks edited while they train."""

from __future__ import annotations

import copy
import multiprocessing
import os
import pickle
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from conftest import load_fixture, random_dag, random_recurrent, xor_net

from netgraph import ConcurrencyError, DivergenceError, InputError, Network, _reference
from netgraph.architect import LSTM, Perceptron

XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def _weights(net: Network) -> list[float]:
    G = net.graph
    return [G[u][v]["weight"] for u, v in G.edges] + [G.nodes[n]["bias"] for n in G]


def _steps(net: Network, rng_seed: int, n: int) -> list[np.ndarray]:
    """n activate/propagate steps on seeded random data; the outputs of each."""
    rng = np.random.default_rng(rng_seed)
    out = []
    for _ in range(n):
        out.append(net.activate(rng.uniform(-1, 1, len(net.inputs))))
        net.propagate(0.1, rng.uniform(0, 1, len(net.outputs)))
    return out


@pytest.mark.parametrize("kind", ["feedforward", "lstm", "recurrent"])
@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_used_network_copies_and_continues_exactly_where_it_was(kind, how):
    # A copy made mid-sequence carries its weights, states, gains and traces: it and the
    # original then compute the same bits. Catches: state or traces not pickled, a plan
    # pickled (it holds the native engine), the activated flag lost.
    if kind == "feedforward":
        net = Network.from_graph(random_dag(np.random.default_rng(1), 3, 8, 2))
    elif kind == "lstm":
        net = LSTM(3, 4, 2, seed=3)
    else:
        net = Network.from_graph(random_recurrent(np.random.default_rng(2), 3, 6, 2))
    _steps(net, 10, 7)
    net.activate([0.3, -0.2, 0.9])  # the copy must be able to propagate this one
    twin = pickle.loads(pickle.dumps(net)) if how == "pickle" else copy.deepcopy(net)
    net.propagate(0.2, [0.1, 0.7])
    twin.propagate(0.2, [0.1, 0.7])
    assert _weights(twin) == _weights(net)
    mine, theirs = _steps(net, 11, 9), _steps(twin, 11, 9)
    for a, b in zip(mine, theirs, strict=True):
        assert a.tolist() == b.tolist()
    assert _weights(twin) == _weights(net)
    # and they are independent
    twin.propagate(0.5, [1.0, 0.0])
    assert _weights(twin) != _weights(net)


def test_an_unused_and_an_unpickled_network_refuse_propagate_until_activated():
    net = pickle.loads(pickle.dumps(xor_net()))
    with pytest.raises(InputError, match="activate first"):
        net.propagate(0.3, [1])
    net.activate([0, 1])
    net.clear()
    with pytest.raises(InputError, match="activate first"):  # clear() forgets the activation
        net.propagate(0.3, [1])


def _train_in_worker(blob: bytes) -> tuple[list[float], list[float], bytes]:
    net = pickle.loads(blob)
    before = net.activate([1.0, 0.0]).tolist()
    net.train(XOR, rate=0.3, iterations=200, error=0)
    return before, _weights(net), pickle.dumps(net)


def test_networks_cross_process_boundaries_and_train_there():
    # Fresh interpreters (spawn): the workers import netgraph and rebuild the plan.
    nets = [xor_net(seed=s) for s in range(3)]
    for net in nets:
        _steps(net, 4, 5)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        results = list(pool.map(_train_in_worker, [pickle.dumps(n) for n in nets]))
    for net, (before, weights, blob) in zip(nets, results, strict=True):
        assert before == net.activate([1.0, 0.0]).tolist()
        net.train(XOR, rate=0.3, iterations=200, error=0)
        assert weights == _weights(net)
        back = pickle.loads(blob)
        assert back.activate([0.0, 1.0]).tolist() == net.activate([0.0, 1.0]).tolist()


def _sparse_net(seed: int) -> Network:
    # Irregular (no BLAS): a batch runs in the native column kernels.
    return Network.from_graph(random_dag(np.random.default_rng(seed), 8, 60, 4, p=0.3))


def test_native_calls_release_the_gil_and_hold_the_networks_lock():
    # While one thread runs a long native call, another thread runs Python: it sees the
    # network's lock held by the first thread (the lock is only ever set inside such a
    # call, with the GIL released), is refused with ConcurrencyError when it tries to
    # use or change that network, and evaluates a different network in parallel.
    # Catches: a kernel that keeps the GIL (this thread never runs meanwhile), or one
    # that lets two threads into one network.
    net, other = _sparse_net(1), _sparse_net(2)
    X = np.random.default_rng(0).uniform(-1, 1, (100_000, 8))
    expected = _sparse_net(1).activate(X[:100])
    observed, results = threading.Event(), []

    def work():
        # long batches until the main thread has looked in during one (a busy machine
        # may not schedule it during the first)
        while not observed.is_set() and len(results) < 100:
            results.append(net.activate(X))

    worker = threading.Thread(target=work)
    lock = net.graph._store.lock
    worker.start()
    while worker.is_alive() and not observed.is_set():
        if lock[0] != worker.ident:
            continue
        refused = 0
        try:
            net.activate(X[0])
        except ConcurrencyError:
            refused += 1
        try:
            net.graph.add_node("intruder", role="hidden", bias=0.0, activation="tanh")
        except ConcurrencyError:
            refused += 1
        in_parallel = other.activate(X[:50]).shape == (50, 4)
        if refused == 2 and in_parallel and lock[0] == worker.ident:
            observed.set()  # all of it while the worker was still inside its call
        elif "intruder" in net.graph:  # the worker's call ended just now: look again
            net.graph.remove_node("intruder")
    worker.join()
    assert observed.is_set(), "never saw the worker inside a native call"
    assert "intruder" not in net.graph
    for y in results:
        np.testing.assert_array_equal(y[:100], expected)


def test_threads_training_their_own_networks_get_what_sequential_training_gets():
    nets = [Perceptron(6, 20, 3, seed=s) for s in range(4)]
    rng = np.random.default_rng(9)
    X, T = rng.uniform(-1, 1, (64, 6)), rng.uniform(0, 1, (64, 3))
    twins = [copy.deepcopy(n) for n in nets]
    threads = [threading.Thread(target=n.train, args=(X, T),
                                kwargs=dict(rate=0.1, iterations=300, error=0, batch_size=8))
               for n in nets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for twin, net in zip(twins, nets, strict=True):
        twin.train(X, T, rate=0.1, iterations=300, error=0, batch_size=8)
        assert _weights(twin) == _weights(net)


def test_a_network_training_in_one_thread_refuses_another():
    net = Perceptron(8, 40, 4, seed=0)
    rng = np.random.default_rng(1)
    X, T = rng.uniform(-1, 1, (500, 8)), rng.uniform(0, 1, (500, 4))
    twin = copy.deepcopy(net)
    errors: list[BaseException] = []
    started = threading.Event()

    def work():
        started.set()
        net.train(X, T, rate=0.05, iterations=40, error=0)

    worker = threading.Thread(target=work)
    worker.start()
    started.wait()
    lock = net.graph._store.lock
    while worker.is_alive() and lock[0] != worker.ident:
        pass  # until the worker's train() holds the network
    refused = succeeded = edits_refused = 0
    while lock[0] == worker.ident:
        try:
            net.train(X, T, rate=0.05, iterations=1, error=0)
            succeeded += 1  # only possible once the worker has just finished
        except ConcurrencyError as e:
            refused += 1
            errors.append(e)
        try:  # a structural edit from this thread while the other trains: refused too
            net.add_neuron("intruder")
            net.remove_neuron("intruder")  # (the worker had just finished)
        except ConcurrencyError:
            edits_refused += 1
    worker.join()
    assert refused > 0 and "another thread" in str(errors[0]) and succeeded <= 1
    assert edits_refused > 0
    twin.train(X, T, rate=0.05, iterations=40, error=0)
    for _ in range(succeeded):
        twin.train(X, T, rate=0.05, iterations=1, error=0)
    assert _weights(twin) == _weights(net)  # nothing from the refused calls leaked in


@pytest.mark.parametrize("kind", ["narrow", "wide", "recurrent"])
def test_propagate_that_would_diverge_changes_nothing(kind):
    # Catches: a propagate without the guard (train has one; single calls had none), or
    # a guard that restores only some of what it touched.
    if kind == "narrow":
        net = xor_net(seed=1)
        x, t = [1.0, 1.0], [1e300]
    elif kind == "wide":
        net = Perceptron(20, 18, 3, seed=1)
        x, t = np.ones(20), [1e300, 0.0, 1e300]
    else:
        net = LSTM(2, 3, 1, seed=1)
        x, t = [1.0, 1.0], [1e300]
    _steps(net, 3, 4)
    net.activate(x)
    before = _weights(net)
    with pytest.raises(DivergenceError, match="before the call"):
        net.propagate(1e10, t)
    assert _weights(net) == before
    assert np.isfinite(net.activate(x)).all()
    net.propagate(0.1, np.zeros(len(net.outputs)))  # still usable
    assert _weights(net) != before


def test_lstm_divergence_in_training_restores_its_state_with_its_weights():
    # After DivergenceError the LSTM computes exactly as a twin that never took the
    # diverging epoch: weights and state (states, gains, traces) restored. It used to
    # keep a NaN state until clear(states=True). Both first train normally, so the
    # state to restore is a mid-stream one, not the fresh one.
    fx = load_fixture("lstm-2-3-1")
    data = [([1.0, 0.0], [1.0]), ([0.0, 1.0], [0.0]), ([1.0, 1.0], [1.0])]
    net, twin = Network.from_synaptic(fx["initial"]), Network.from_synaptic(fx["initial"])
    for n in (net, twin):
        n.train(data, rate=0.3, iterations=25, error=0)
    with pytest.raises(DivergenceError, match="iteration 1:"):
        net.train(data, rate=1e100, iterations=5, error=0)
    assert _weights(net) == _weights(twin)
    for x in ([1.0, 0.0], [0.0, 1.0], [1.0, 1.0]):
        a, b = net.activate(x), twin.activate(x)
        assert np.isfinite(a).all() and a.tolist() == b.tolist()
    net.propagate(0.3, [1.0])
    twin.propagate(0.3, [1.0])  # the traces were restored too
    assert _weights(net) == _weights(twin)


def test_a_neuron_added_by_a_schedule_is_trained_from_then_on():
    # Catches: training silently going on with the plan from before the edit (the graph
    # then kept its epoch-50 weights while the result claimed 100 iterations).
    def grow(net: Network) -> None:
        h = net.add_neuron("extra", activation="tanh", bias=0.05)
        net.connect("i0", h, 0.3)
        net.connect(h, "o0", -0.2)

    net = xor_net(seed=4)

    def at_50(info: dict) -> None:
        if info["iterations"] == 50:
            grow(net)

    r = net.train(XOR, rate=0.3, iterations=100, error=0, schedule={"every": 10, "do": at_50})
    assert r.iterations == 100 and "extra" in net.graph
    twin = xor_net(seed=4)
    twin.train(XOR, rate=0.3, iterations=50, error=0)
    grow(twin)
    twin.train(XOR, rate=0.3, iterations=50, error=0)
    assert _weights(net) == _weights(twin)


def test_a_neuron_removed_by_a_schedule_is_gone_from_the_training():
    def shrink(net: Network) -> None:
        net.remove_neuron("h1")

    net = xor_net(seed=5)

    def at_30(info: dict) -> None:
        if info["iterations"] == 30:
            shrink(net)

    net.train(XOR, rate=0.3, iterations=80, error=0, schedule={"every": 10, "do": at_30})
    twin = xor_net(seed=5)
    twin.train(XOR, rate=0.3, iterations=30, error=0)
    shrink(twin)
    twin.train(XOR, rate=0.3, iterations=50, error=0)
    assert "h1" not in net.graph
    assert _weights(net) == _weights(twin)
    # and the network that never lost h1 ends elsewhere
    kept = xor_net(seed=5)
    kept.train(XOR, rate=0.3, iterations=80, error=0)
    assert [w for (u, v), w in zip(kept.graph.edges, _weights(kept), strict=False)
            if "h1" not in (u, v)] != [net.graph[u][v]["weight"] for u, v in net.graph.edges]


def test_a_schedule_that_changes_the_inputs_stops_training_clearly():
    net = xor_net(seed=6)

    def add_input(info: dict) -> None:
        net.add_neuron("i9", role="input")

    with pytest.raises(InputError, match="3 inputs"):
        net.train(XOR, rate=0.3, iterations=20, error=0, schedule={"every": 5, "do": add_input})


def test_reference_agrees_after_every_edit_during_training():
    net = xor_net(seed=7)

    def rewire(info: dict) -> None:
        if info["iterations"] == 20:
            net.connect("i0", "o0", 0.25)

    net.train(XOR, rate=0.3, iterations=40, error=0, schedule={"every": 20, "do": rewire})
    for x, _ in XOR:
        v = _reference.activate(net.graph, x)
        assert net.activate(x)[0] == pytest.approx(v["y"]["o0"], abs=1e-15)


def test_nothing_is_compiled_or_cached_at_run_time(tmp_path):
    # A read-only install run by a user without a home: numba needed a writable cache
    # for its JIT and crashed there. The native core was compiled at install.
    script = ("import sys, netgraph\n"
              "from netgraph.architect import Perceptron\n"
              "net = Perceptron(2, 3, 1, seed=1)\n"
              "net.train([([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])],"
              " rate=0.3, iterations=50, error=0)\n"
              "assert 'numba' not in sys.modules and 'llvmlite' not in sys.modules\n"
              "print(net.activate([0, 1])[0])\n")
    env = {**os.environ, "HOME": str(tmp_path / "missing"), "PYTHONDONTWRITEBYTECODE": "1",
           "XDG_CACHE_HOME": str(tmp_path / "missing")}
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path,
                         capture_output=True, text=True, check=True)
    net = Perceptron(2, 3, 1, seed=1)
    net.train(XOR, rate=0.3, iterations=50, error=0)
    assert float(out.stdout) == net.activate([0, 1])[0]
    assert list(tmp_path.iterdir()) == []
