"""The native kernels at their edges, each checked from behaviour against an independent
value: batches across the 128-sample blocks against the reference evaluator and single
activates, wide neurons whose sources straddle inputs and hidden neurons against finite
differences and the reference propagate, each cost by hand, the error target reached
exactly, the divergence guard, the bounds every array is checked against, and DSR's
first trial."""

from __future__ import annotations

import copy
import subprocess
import sys
import threading

import networkx as nx
import numpy as np
import pytest
from conftest import random_dag

from netgraph import DivergenceError, InputError, Network, _core, _reference
from netgraph._costs import get_cost
from netgraph._tasks import _dsr_by_calls
from netgraph.architect import LSTM, Perceptron

ROWS = [1, 127, 128, 129, 256, 300]


def _sparse(seed: int = 1) -> Network:
    # irregular: batches run in the native column kernels, not BLAS
    return Network.from_graph(random_dag(np.random.default_rng(seed), 4, 30, 3, p=0.4))


def _straddling(seed: int = 2, n_in: int = 8, n_hidden: int = 10) -> Network:
    """Inputs, then hidden neurons fed by a few inputs, then two outputs each summing
    every input and every hidden neuron: 18 consecutive sources that straddle the
    inputs and the hidden neurons (the kernels' wide, non-input-fed loop)."""
    rng = np.random.default_rng(seed)
    G = nx.DiGraph()
    ins = [f"i{k}" for k in range(n_in)]
    hid = [f"h{k}" for k in range(n_hidden)]
    for n in ins:
        G.add_node(n, role="input", bias=0.0, activation="identity")
    for k, h in enumerate(hid):
        G.add_node(h, role="hidden", bias=float(rng.normal(0, 0.3)),
                   activation=["tanh", "logistic", "softsign"][k % 3])
    for o in ("o0", "o1"):
        G.add_node(o, role="output", bias=float(rng.normal(0, 0.3)),
                   activation="identity" if o == "o0" else "tanh")
    for k, h in enumerate(hid):
        for i in ins[k % n_in: k % n_in + 3]:
            G.add_edge(i, h, weight=float(rng.normal(0, 0.7)))
    for o in ("o0", "o1"):
        for src in ins + hid:
            G.add_edge(src, o, weight=float(rng.normal(0, 0.4)))
    net = Network.from_graph(G)
    plan = net._plan()
    for o in ("o0", "o1"):
        k = plan.index[o]
        width = int(plan.in_ptr[k + 1] - plan.in_ptr[k])
        start = int(plan.in_start[k])
        # the path under test: wide, contiguous, and not fed by inputs alone
        assert width >= _core.WIDE and start >= 0 and start + width > plan.n_inputs
        assert start < plan.n_inputs
    return net


def _reference_rows(G: nx.DiGraph, X: np.ndarray) -> np.ndarray:
    outs = _reference.outputs_of(G)
    return np.array([[_reference.activate(G, x)["y"][o] for o in outs] for x in X])


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("make", [_sparse, _straddling])
def test_batches_across_block_boundaries_match_the_reference_and_single_activates(make,
                                                                                   rows):
    # A kernel that skipped the last sample of every full 128-sample block, or ran one
    # sample too many, passed every batch of fewer than 128 rows.
    net = make()
    X = np.random.default_rng(rows).uniform(-1, 1, (rows, len(net.inputs)))
    batch = net.activate(X)
    assert batch.shape == (rows, len(net.outputs))
    singles = np.array([copy.deepcopy(net).activate(x) for x in X])
    np.testing.assert_allclose(batch, singles, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(batch, _reference_rows(net.graph, X), rtol=1e-12, atol=1e-13)
    # the column kernels (gradient, test) over the same rows
    T = np.random.default_rng(rows + 1).uniform(0, 1, (rows, len(net.outputs)))
    want = np.mean([get_cost("mse").value(y[None], t[None]) for y, t in zip(singles, T,
                                                                             strict=True)])
    assert net.test(X, T) == pytest.approx(want, rel=1e-12)
    # the gradient of the mean cost is the mean of each row's (one-column batches never
    # reach a block boundary)
    g = net.gradient(X, T, "mse")
    rows_g = [net.gradient(x[None], t[None], "mse") for x, t in zip(X, T, strict=True)]
    np.testing.assert_allclose(g.weights, np.mean([r.weights for r in rows_g], axis=0),
                               rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(g.biases, np.mean([r.biases for r in rows_g], axis=0),
                               rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("rows", ROWS)
def test_blas_batches_across_block_boundaries_match_single_activates(rows):
    net = Perceptron(5, 70, 70, 3, seed=3)
    X = np.random.default_rng(rows).uniform(-1, 1, (rows, 5))
    np.testing.assert_allclose(net.activate(X), np.array([net.activate(x) for x in X]),
                               rtol=1e-12, atol=1e-13)


def _numeric_gradient(net: Network, X: np.ndarray, T: np.ndarray, cost: str,
                      synapses: list, neurons: list) -> tuple[np.ndarray, np.ndarray]:
    """Central differences of the mean cost, one weight and bias at a time."""
    G, c = net.graph, get_cost(cost)
    h = 1e-6

    def value() -> float:
        return float(c.value(_reference_rows(G, X), T))

    gw = []
    for u, v in synapses:
        w = G[u][v]["weight"]
        G[u][v]["weight"] = w + h
        up = value()
        G[u][v]["weight"] = w - h
        down = value()
        G[u][v]["weight"] = w
        gw.append((up - down) / (2 * h))
    gb = []
    for n in neurons:
        if G.nodes[n]["role"] == "input":
            gb.append(0.0)
            continue
        b = G.nodes[n]["bias"]
        G.nodes[n]["bias"] = b + h
        up = value()
        G.nodes[n]["bias"] = b - h
        down = value()
        G.nodes[n]["bias"] = b
        gb.append((up - down) / (2 * h))
    return np.array(gw), np.array(gb)


@pytest.mark.parametrize("rows", [1, 3, 129])
def test_wide_straddling_neurons_pass_their_gradient_back(rows):
    net = _straddling()
    X = np.random.default_rng(4).uniform(-1, 1, (rows, 8))
    T = np.random.default_rng(5).uniform(-1, 1, (rows, 2))
    g = net.gradient(X, T, "mse")
    gw, gb = _numeric_gradient(net, X, T, "mse", g.synapses, g.neurons)
    np.testing.assert_allclose(g.weights, gw, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g.biases, gb, rtol=1e-6, atol=1e-8)
    hidden_weights = [k for k, (u, v) in enumerate(g.synapses) if v.startswith("h")]
    assert np.abs(g.weights[hidden_weights]).min() > 0  # the error did reach them


@pytest.mark.parametrize("rows", [2, 5])
def test_minibatch_training_of_wide_straddling_neurons_follows_the_gradient(rows):
    # one epoch of one batch (of 2 or more: batch_size=1 is Synaptic's online rule), plain
    # SGD: w <- w - rate * dC/dw, the gradient checked against finite differences above
    net = _straddling()
    X = np.random.default_rng(22).uniform(-1, 1, (rows, 8))
    T = np.random.default_rng(23).uniform(-1, 1, (rows, 2))
    g = net.gradient(X, T, "mse")
    G = net.graph
    before_w = np.array([G[u][v]["weight"] for u, v in g.synapses])
    before_b = np.array([G.nodes[n]["bias"] for n in g.neurons])
    net.train(X, T, rate=0.5, iterations=1, error=-1.0, batch_size=rows, optimizer="sgd",
              shuffle=False)
    after_w = np.array([G[u][v]["weight"] for u, v in g.synapses])
    after_b = np.array([G.nodes[n]["bias"] for n in g.neurons])
    np.testing.assert_allclose(after_w, before_w - 0.5 * g.weights, rtol=1e-12, atol=1e-14)
    learned = [k for k, n in enumerate(g.neurons) if G.nodes[n]["role"] != "input"]
    np.testing.assert_allclose(after_b[learned], (before_b - 0.5 * g.biases)[learned],
                               rtol=1e-12, atol=1e-14)


def _weights(net: Network) -> np.ndarray:
    G = net.graph
    return np.array([G[u][v]["weight"] for u, v in G.edges] + [G.nodes[n]["bias"] for n in G])


def test_wide_straddling_neurons_propagate_as_the_reference():
    net = _straddling()
    G = copy.deepcopy(net.graph)
    rng = np.random.default_rng(6)
    for _ in range(5):
        x, t = rng.uniform(-1, 1, 8), rng.uniform(-1, 1, 2)
        net.activate(x)
        net.propagate(0.2, t)
        _reference.propagate(G, _reference.activate(G, x), 0.2, t)
    mine = _weights(net)
    ref = np.array([G[u][v]["weight"] for u, v in G.edges] + [G.nodes[n]["bias"] for n in G])
    np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-14)
    hidden = [k for k, (u, v) in enumerate(G.edges) if v.startswith("h")]
    assert not np.array_equal(mine[hidden], _weights(_straddling())[hidden])


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("make", [_sparse, _straddling, lambda: Perceptron(5, 70, 70, 3,
                                                                            seed=7)])
def test_propagate_after_a_batch_learns_from_its_last_row(make, rows):
    net = make()
    twin = copy.deepcopy(net)
    X = np.random.default_rng(rows).uniform(-1, 1, (rows, len(net.inputs)))
    t = np.linspace(0.1, 0.9, len(net.outputs))
    net.activate(X)
    net.propagate(0.3, t)
    twin.activate(X[-1])
    twin.propagate(0.3, t)
    np.testing.assert_allclose(_weights(net), _weights(twin), rtol=1e-11, atol=1e-13)


# ------------------------------------------------------------------- costs by hand
def _constant(outputs: list[float]) -> Network:
    """One input, identity outputs that ignore it: output k is outputs[k] exactly."""
    G = nx.DiGraph()
    G.add_node("x", role="input", bias=0.0, activation="identity")
    for k, y in enumerate(outputs):
        G.add_node(f"o{k}", role="output", bias=y, activation="identity")
        G.add_edge("x", f"o{k}", weight=0.0)
    return Network.from_graph(G)


CASES = [
    # outputs, target, {cost: value by hand}
    ([0.5, -0.25, 2.0], [1.0, 0.0, 0.5],
     {"mse": (0.25 + 0.0625 + 2.25) / 3, "mae": (0.5 + 0.25 + 1.5) / 3,
      # Math.round(2t) != Math.round(2y): 2 vs 1, 0 vs Math.round(-0.5) = -0 (no miss),
      # 1 vs 4
      "binary": 2.0}),
    ([0.25, 0.75], [0.0, 1.0],
     # Math.round(0.5) = 1 != 0: a miss; Math.round(1.5) = 2 == 2: none
     {"mse": (0.0625 + 0.0625) / 2, "mae": 0.25, "binary": 1.0,
      "cross_entropy": -np.log(1 + 1e-15 - 0.25) - np.log(0.75 + 1e-15)}),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_each_cost_is_its_value_by_hand(case):
    outputs, target, values = CASES[case]
    for cost, want in values.items():
        net = _constant(outputs)
        # the Python path
        assert net.test([([1.0], target)], cost=cost) == pytest.approx(want, rel=1e-14)
        # the native training kernels report the same per-sample cost (rate 0 learns
        # nothing, so every epoch sees these outputs)
        for options in (dict(), dict(batch_size=2)) if cost != "binary" else (dict(),):
            r = net.train([([1.0], target), ([-1.0], target)], rate=0.0, iterations=2,
                          error=-1.0, cost=cost, **options)
            assert r.error == pytest.approx(want, rel=1e-14), (cost, options)


def test_the_native_binary_cost_rounds_half_up_as_javascript():
    # outputs at exactly k + 0.5 after doubling: -0.25 -> Math.round(-0.5) = -0,
    # 0.25 -> 1, -0.75 -> Math.round(-1.5) = -1, 1.25 -> 3
    net = _constant([-0.25, 0.25, -0.75, 1.25])
    r = net.train([([0.0], [0.0, 0.5, -0.5, 1.5])], rate=0.0, iterations=1, error=-1.0,
                  cost="binary")
    assert r.error == 0.0


# --------------------------------------------------------------- the error target
def _train_twice(make, data, **options):
    """The error one epoch reaches, then a run with exactly that as its target."""
    first = make().train(*data, iterations=1, error=-1.0, **options)
    second = make().train(*data, iterations=50, error=first.error, **options)
    return first, second


@pytest.mark.parametrize("options", [dict(), dict(batch_size=2), dict(cost="mae")])
def test_training_stops_when_the_error_reaches_the_target_exactly(options):
    rng = np.random.default_rng(8)
    X, T = rng.uniform(-1, 1, (6, 3)), rng.uniform(0, 1, (6, 2))
    first, second = _train_twice(lambda: Perceptron(3, 4, 2, seed=9), (X, T), rate=0.0,
                                 **options)
    assert second.iterations == 1 and second.stopped == "goal"
    assert second.error == first.error


def test_sequence_training_stops_when_the_error_reaches_the_target_exactly():
    rng = np.random.default_rng(10)
    X, T = rng.uniform(-1, 1, (6, 2)), rng.uniform(0, 1, (6, 1))
    _, second = _train_twice(lambda: LSTM(2, 3, 1, seed=11), (X, T), rate=0.0)
    assert second.iterations == 1 and second.stopped == "goal"


# ------------------------------------------------------------ the divergence guard
def test_propagate_refuses_an_overflowing_weight_even_when_every_bias_stays_finite():
    # narrow neurons; y = w * 1e300 overflows nothing, but the weight's update,
    # rate * (t - y) * 1e300, does, while the bias's, rate * (t - y), does not
    G = nx.DiGraph()
    G.add_node("x", role="input", bias=0.0, activation="identity")
    G.add_node("o", role="output", bias=0.0, activation="identity")
    G.add_edge("x", "o", weight=0.5)
    net = Network.from_graph(G)
    net.activate([1e300])
    with pytest.raises(DivergenceError):
        net.propagate(1.0, [0.0])
    assert net.graph["x"]["o"]["weight"] == 0.5 and net.graph.nodes["o"]["bias"] == 0.0


def test_propagate_refuses_an_overflowing_weight_of_a_wide_neuron_with_a_finite_bias():
    # the same on the wide path: 16 consecutive sources (see plan.h WIDE)
    G = nx.DiGraph()
    ins = [f"x{k}" for k in range(_core.WIDE)]
    for n in ins:
        G.add_node(n, role="input", bias=0.0, activation="identity")
    G.add_node("o", role="output", bias=0.0, activation="identity")
    for n in ins:
        G.add_edge(n, "o", weight=0.5 / _core.WIDE)
    net = Network.from_graph(G)
    plan = net._plan()
    k = plan.index["o"]
    assert plan.in_start[k] == 0 and plan.in_ptr[k + 1] - plan.in_ptr[k] >= _core.WIDE
    before = _weights(net).tolist()
    net.activate([1e300] * _core.WIDE)
    with pytest.raises(DivergenceError):
        net.propagate(1.0, [0.0])
    assert _weights(net).tolist() == before


# ----------------------------------------------------------------- activation state
@pytest.mark.parametrize("make", [_sparse, lambda: Perceptron(5, 70, 70, 3, seed=12),
                                  lambda: LSTM(2, 3, 1, seed=13)])
def test_an_empty_batch_does_not_count_as_an_activation(make):
    net = make()
    out = net.activate(np.empty((0, len(net.inputs))))
    assert out.shape == (0, len(net.outputs))
    with pytest.raises(InputError, match="activate first"):
        net.propagate(0.1, np.zeros(len(net.outputs)))


@pytest.mark.parametrize("make", [_sparse, lambda: LSTM(2, 3, 1, seed=14)])
def test_a_sample_or_target_of_the_wrong_length_is_refused_on_the_fast_path(make):
    net = make()
    n_in, n_out = len(net.inputs), len(net.outputs)
    net.activate([0.0] * n_in)  # the engine is ready: the next calls take the fast path
    for x in ([0.1] * (n_in + 1), (0.1,) * (n_in + 1), np.full(n_in + 1, 0.1),
              [0.1] * (n_in - 1), np.full(n_in - 1, 0.1)):
        with pytest.raises(InputError, match="inputs"):
            net.activate(x)
    net.activate([0.0] * n_in)
    for t in ([0.1] * (n_out + 1), np.full(n_out + 1, 0.1), [0.1] * (n_out - 1)):
        with pytest.raises(InputError, match="outputs"):
            net.propagate(0.1, t)


# ------------------------------------------------- bounds of the arrays Engine takes
def _engine_args(net: Network) -> list:
    from netgraph import _fast

    plan = net._plan()
    state, flags = _fast.new_state(plan)
    return [plan, [a.copy() for a in (*plan.arrays, plan.fixed)], plan.recurrent,
            plan.n_inputs, len(plan.synapses), plan.weights, plan.biases, state, flags,
            net.graph._store.lock, net.graph._store, plan.version]


def _engine(args: list) -> _core.Engine:
    a = list(args)
    a[1] = tuple(a[1])
    return _core.Engine(*a)


# (index in arrays, name, lowest allowed, one past the highest allowed)
def _bounds(plan) -> list[tuple[int, str, int, int]]:
    n, n_out = len(plan.neurons), plan.n_outputs
    return [(1, "in_src", 0, n), (2, "in_start", -1, n), (3, "codes", 0, _core.N_ACTIVATIONS),
            (4, "roles", 0, 3), (5, "output_index", -1, n_out), (6, "output_pos", 0, n),
            (7, "fixed", 0, 2)]


@pytest.mark.parametrize("which", range(7))
def test_every_index_array_is_checked_at_both_of_its_bounds(which):
    net = _sparse()
    plan = net._plan()
    pos, name, lo, hi = _bounds(plan)[which]
    args = _engine_args(net)
    arr = args[1][pos]
    k = len(arr) - 1  # the last entry: a check that stops one short misses it
    for bad in (hi, lo - 1):
        a = copy.deepcopy(args)
        a[1][pos][k] = bad
        with pytest.raises(ValueError, match=name):
            _engine(a)
    assert isinstance(arr, np.ndarray)
    _engine(args)  # the plan as compiled is accepted


def test_an_order_array_is_checked_at_its_bounds():
    net = Perceptron(2, 3, 1, seed=15)
    engine = net._ready()
    X, T = np.zeros((4, 2)), np.zeros((4, 1))
    rates, errors = np.full(1, 0.1), np.zeros(1)
    for bad in (4, -1):
        order = np.array([[0, 1, 2, bad]])
        with pytest.raises(ValueError, match="order"):
            engine.train_online(X, T, order, rates, 0, -1.0, X[:0], T[:0], errors)
    engine.train_online(X, T, np.array([[0, 1, 2, 3]]), rates, 0, -1.0, X[:0], T[:0], errors)


def test_dsr_symbols_and_answers_are_checked_at_their_bounds():
    net = LSTM(10, 3, 4, seed=16)
    engine = net._ready()
    good_s, good_a = np.zeros((1, 3), dtype=np.int64), np.full((1, 3), -1, dtype=np.int64)
    for s, a, name in ((10, -1, "symbols"), (-1, -1, "symbols"), (0, 4, "answers"),
                       (0, -2, "answers")):
        sym, ans = good_s.copy(), good_a.copy()
        sym[0, -1], ans[0, -1] = s, a
        with pytest.raises(ValueError, match=name):
            engine.dsr_trials(sym, ans, 4, 0.1, 0, False)
    sym, ans = good_s.copy(), good_a.copy()
    sym[0, -1], ans[0, -1] = 9, 3
    engine.dsr_trials(sym, ans, 4, 0.1, 0, False)


def test_the_gradient_kernel_refuses_batch_size_0():
    # batch_size=0 made the minibatch loop run forever; a subprocess keeps a regression
    # from hanging the suite
    code = """
import numpy as np
from netgraph.architect import Perceptron
net = Perceptron(2, 3, 1, seed=1)
engine = net._ready()
plan = engine.plan
n, n_syn = len(plan.neurons), len(plan.synapses)
X, T = np.zeros((4, 2)), np.zeros((4, 1))
try:
    engine.train_gradient(X, T, np.empty((0, 0), dtype=np.int64), np.full(1, 0.1), 0, 0, -1.0,
                          X[:0], T[:0], 0, 0.0, 0.9, 0.999, 1e-8, np.zeros(2 * n_syn),
                          np.zeros(2 * n), np.zeros(1, dtype=np.int64), np.ones(n),
                          np.ones(n_syn), np.zeros(1))
except ValueError as e:
    print("refused:", e)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.startswith("refused: batch_size")


# ------------------------------------------------------------------------ the GIL
def test_another_thread_runs_python_while_a_large_single_activate_runs():
    # Counted, not timed: a Python thread that counts the moments it finds the network
    # held by the main thread can only find it so if the activate let go of the GIL.
    net = Perceptron(3000, 8, 1, seed=17)
    x = np.random.default_rng(18).uniform(-1, 1, 3000)
    net.activate(x)  # compiled now: later calls hold the network only inside the kernel
    lock = net.graph._store.lock
    me = threading.get_ident()
    stop = threading.Event()
    seen = [0]

    def count() -> None:
        while not stop.is_set():
            if lock[0] == me:
                seen[0] += 1

    t = threading.Thread(target=count)
    t.start()
    try:
        for _ in range(2000):
            net.activate(x)
            if seen[0] >= 3:
                break
    finally:
        stop.set()
        t.join()
    assert seen[0] >= 3


# ------------------------------------------------------------------------------ DSR
def test_dsr_leaves_the_first_trial_of_a_block_uncounted_when_asked():
    # Outputs pinned near 0 and answers that all ask for no target: every trial is
    # right, so the count is the number of trials, less the first when skip_first.
    net = LSTM(10, 3, 4, seed=19)
    for o in net.outputs:
        net.graph.nodes[o]["bias"] = -40.0
    symbols = np.random.default_rng(20).integers(0, 10, (7, 5))
    answers = np.full((7, 5), -1)
    cost = get_cost("cross_entropy")
    for skip in (True, False):
        a, b = copy.deepcopy(net), copy.deepcopy(net)
        right, _ = a._ready().dsr_trials(symbols, answers, 4, 0.1, cost.code, skip)
        by_calls, _ = _dsr_by_calls(b, symbols, answers, 10, 4, 0.1, cost, skip)
        assert right == by_calls == (6 if skip else 7)
