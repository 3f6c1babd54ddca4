"""The netgraph side of each benchmark: one small function per task, public API only.

Every task function takes a ``Config`` and returns a dict with at least ``value`` (the figure
compared with the peer) and ``unit``; extra keys are details that go into results.json. A task
whose netgraph API is not there (yet) raises ``Unavailable`` with the reason; run.py turns any
exception into an "n/a" cell and carries on.
"""

from __future__ import annotations

import gc
import itertools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_T = [[0.0], [1.0], [1.0], [0.0]]


def cold_start(cfg: Config) -> dict[str, Any]:
    """The cold-start figures cold_peer measured (whole processes, in a fresh venv)."""
    if not cfg.cold:
        raise Unavailable("the cold-start run failed (see the peer cell)")
    return cfg.cold


class Unavailable(Exception):
    """The netgraph API this task needs is missing; the message says what."""


@dataclass
class Config:
    quick: bool = False
    cold: dict[str, Any] = field(default_factory=dict)  # filled by run.py's cold_peer
    # xor_seed
    xor_iterations: int = 20_000
    xor_rate: float = 0.3
    xor_repeats: int = 5
    # mnist_online
    online_samples: int = 2_000
    online_rate: float = 0.3
    online_repeats: int = 3
    online_budget_s: float = 8.0
    # mnist_minibatch
    batch_samples: int = 8_192
    batch_size: int = 32
    batch_rate: float = 0.3
    batch_epochs: int = 5
    batch_budget_s: float = 8.0
    # sparse_dag
    dag_json: str = ""
    dag_batch: int = 10_000
    dag_single: int = 2_000
    dag_repeats: int = 3
    dag_budget_s: float = 6.0
    # build_1m
    build_size: int = 1_000
    build_repeats: int = 3
    # lstm_dsr (the Synaptic peer has its own repeats and budget: run.py passes them)
    dsr_iterations: int = 250_000
    dsr_repeats: int = 5
    dsr_budget_s: float = 40.0
    dsr_peer_repeats: int = 9
    dsr_peer_budget_s: float = 20.0
    # lstm_timing
    timing_repeats: int = 5
    timing_budget_s: float = 25.0
    # lstm_steps
    steps_rows: int = 20_000
    steps_repeats: int = 3
    steps_budget_s: float = 4.0
    seed: int = 1

    @classmethod
    def make(cls, quick: bool) -> Config:
        if not quick:
            return cls()
        return cls(
            quick=True,
            xor_repeats=2,
            online_samples=500,
            online_repeats=2,
            online_budget_s=3.0,
            batch_samples=4_096,
            batch_epochs=2,
            batch_budget_s=3.0,
            dag_batch=2_000,
            dag_single=500,
            dag_repeats=2,
            dag_budget_s=2.0,
            build_repeats=1,
            dsr_repeats=3,
            dsr_budget_s=12.0,
            dsr_peer_repeats=3,
            dsr_peer_budget_s=6.0,
            timing_repeats=2,
            timing_budget_s=8.0,
            steps_rows=5_000,
            steps_repeats=2,
            steps_budget_s=1.5,
        )


def _netgraph() -> Any:
    try:
        import netgraph
    except Exception as e:  # ImportError, or the package failing while it is being written
        raise Unavailable(f"import netgraph failed: {type(e).__name__}: {e}") from None
    return netgraph


def _api(module: Any, *names: str) -> list[Any]:
    missing = [n for n in names if not hasattr(module, n)]
    if missing:
        raise Unavailable(f"netgraph has no {', '.join(missing)}")
    return [getattr(module, n) for n in names]


def _method(obj: Any, name: str) -> Callable[..., Any]:
    m = getattr(obj, name, None)
    if not callable(m):
        raise Unavailable(f"{type(obj).__name__} has no {name}()")
    return m


def _layered(sizes: Iterable[int], seed: int) -> Any:
    """A fully connected layered Network built the Synaptic way."""
    Layer, Network = _api(_netgraph(), "Layer", "Network")
    layers = [Layer(n) for n in sizes]
    for a, b in itertools.pairwise(layers):
        a.project(b)
    return Network(input=layers[0], hidden=layers[1:-1], output=layers[-1], seed=seed)


def _budgeted(step: Callable[[Any], Any], items: list[Any], budget_s: float) -> tuple[int, float]:
    """Run ``step`` over ``items`` until done or ``budget_s`` is spent: (count, seconds)."""
    done = 0
    t0 = time.perf_counter()
    deadline = t0 + budget_s
    for item in items:
        step(item)
        done += 1
        if done % 64 == 0 and time.perf_counter() > deadline:
            break
    return done, time.perf_counter() - t0


# --------------------------------------------------------------------------- xor_seed
def xor_seed(cfg: Config) -> dict[str, Any]:
    """ms for xor_iterations x 4 online steps (activate then propagate) on a fresh 2-3-1 net.

    As in the Synaptic peer: one warm-up run (the plan is built there), then the best of
    xor_repeats fresh networks; each timing starts after the network is built and so includes
    the first activate's plan compilation. Fewer repeats when one run is slow (~20 s cap).
    """

    def run_once(seed: int) -> tuple[float, list[float]]:
        net = _layered((2, 3, 1), seed)
        activate, propagate = _method(net, "activate"), _method(net, "propagate")
        xs = [np.array(x) for x in XOR_X]
        ts = [np.array(t) for t in XOR_T]
        pairs = list(zip(xs, ts, strict=True))
        rate = cfg.xor_rate
        t0 = time.perf_counter()
        for _ in range(cfg.xor_iterations):
            for x, t in pairs:
                activate(x)
                propagate(rate, t)
        ms = (time.perf_counter() - t0) * 1e3
        return ms, [float(np.asarray(activate(x)).reshape(-1)[0]) for x in xs]

    warm_ms, _ = run_once(cfg.seed)
    times, outputs = [], []
    for r in range(_repeats(cfg.xor_repeats, warm_ms / 1e3)):
        ms, outputs = run_once(cfg.seed + 1 + r)
        times.append(ms)
    mse = float(np.mean((np.array(outputs) - np.array(XOR_T).reshape(-1)) ** 2))
    return {
        "value": min(times),
        "unit": "ms",
        "steps": 4 * cfg.xor_iterations,
        "ms_all": times,
        "final_outputs": outputs,
        "final_mse": mse,
    }


def _repeats(wanted: int, one_run_s: float, cap_s: float = 20.0) -> int:
    return max(1, min(wanted, int(cap_s / max(one_run_s, 1e-9))))


def xor_train(cfg: Config) -> dict[str, Any]:
    """The same 20000 x 4 online steps through ``net.train``, if the Network has one.

    Timed like xor_seed: a fresh network, best of xor_repeats after a warm-up run.
    """
    X, T = np.array(XOR_X), np.array(XOR_T)

    def run_once(seed: int) -> tuple[float, Any, Any]:
        net = _layered((2, 3, 1), seed)
        call = _train_call(_method(net, "train"), X, T, cfg.xor_rate, iterations=cfg.xor_iterations)
        t0 = time.perf_counter()
        result = call()
        ms = (time.perf_counter() - t0) * 1e3
        _check_iterations(result, cfg.xor_iterations)
        return ms, result, net

    warm_ms, _, _ = run_once(cfg.seed)
    times, result, net = [], None, None
    for r in range(_repeats(cfg.xor_repeats, warm_ms / 1e3)):
        ms, result, net = run_once(cfg.seed + 1 + r)
        times.append(ms)
    outputs = [float(np.asarray(net.activate(x)).reshape(-1)[0]) for x in X]
    return {
        "value": min(times),
        "unit": "ms",
        "steps": 4 * cfg.xor_iterations,
        "ms_all": times,
        "train_returned": _jsonable(result),
        "final_outputs": outputs,
    }


def _train_call(
    train: Callable[..., Any],
    X: np.ndarray,
    T: np.ndarray,
    rate: float,
    *,
    iterations: int,
    batch_size: int = 1,
) -> Callable[[], Any]:
    """A no-argument call of ``net.train(X, T, ...)`` for ``iterations`` epochs over (X, T).

    ``error=0`` so it never stops early; ``batch_size=1`` with the default SGD and no
    momentum is netgraph's online mode (Synaptic's rule); no progress bar.
    """
    if not callable(train):
        raise Unavailable("Network has no train()")
    options = {
        "rate": rate,
        "iterations": iterations,
        "error": 0.0,
        "batch_size": batch_size,
        "progress": False,
    }
    return lambda: train(X, T, **options)


def _check_iterations(result: Any, wanted: int) -> None:
    """Raise if ``net.train``'s result says it stopped before ``wanted`` passes."""
    ran = getattr(result, "iterations", None)
    if isinstance(ran, (int, np.integer)) and not isinstance(ran, bool) and ran < wanted:
        raise RuntimeError(f"net.train stopped after {ran} of {wanted} iterations")


def _jsonable(value: Any) -> Any:
    """``net.train``'s result for results.json (its scalar fields)."""
    fields = ("error", "iterations", "time", "stopped")
    if all(hasattr(value, f) for f in fields):
        return {f: _jsonable(getattr(value, f)) for f in fields}
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    try:
        json.dumps(value)
        return value
    except TypeError:
        return repr(value)


# ------------------------------------------------------------------------ mnist_online
def _mnist_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.random((n, 784))
    T = np.zeros((n, 10))
    T[np.arange(n), rng.integers(0, 10, n)] = 1.0
    return X, T


def mnist_online(cfg: Config) -> dict[str, Any]:
    """Samples/s of online SGD (activate then propagate, one sample at a time), 784-128-10.

    Best of online_repeats passes over online_samples random samples, each pass cut short
    after online_budget_s; a short warm-up pass comes first.
    """
    net = _layered((784, 128, 10), cfg.seed)
    activate, propagate = _method(net, "activate"), _method(net, "propagate")
    X, T = _mnist_data(cfg.online_samples, cfg.seed)
    pairs = list(zip(X, T, strict=True))
    rate = cfg.online_rate

    def step(pair: tuple[np.ndarray, np.ndarray]) -> None:
        activate(pair[0])
        propagate(rate, pair[1])

    _budgeted(step, pairs[:32], 60.0)
    rates, counts = [], []
    for _ in range(cfg.online_repeats):
        done, seconds = _budgeted(step, pairs, cfg.online_budget_s)
        rates.append(done / seconds)
        counts.append(done)
    return {"value": max(rates), "unit": "samples/s", "rates_all": rates, "samples": counts}


def mnist_online_train(cfg: Config) -> dict[str, Any]:
    """Samples/s of the same online SGD through ``net.train`` (one pass per timing)."""
    X, T = _mnist_data(cfg.online_samples, cfg.seed)
    net = _layered((784, 128, 10), cfg.seed)
    call = _train_call(_method(net, "train"), X, T, cfg.online_rate, iterations=1)
    t0 = time.perf_counter()
    _check_iterations(call(), 1)  # warm-up
    one = time.perf_counter() - t0
    rates = []
    for _ in range(_repeats(cfg.online_repeats, one, cap_s=3 * cfg.online_budget_s)):
        t0 = time.perf_counter()
        _check_iterations(call(), 1)
        rates.append(len(X) / (time.perf_counter() - t0))
    out = {"value": max(rates), "unit": "samples/s", "rates_all": rates, "samples": len(X)}
    floor = cache_floor()
    if floor is not None:
        # the per-sample time cache bandwidth allows (benchmarks/cache_limit.c), and how
        # close netgraph's per-sample time comes to it
        out["cache_floor_us"] = floor
        out["cache_floor_ratio"] = (1e6 / max(rates)) / floor
    return out


def cache_floor() -> float | None:
    """Microseconds per pass of benchmarks/cache_limit.c: reading and writing the first
    layer's 100,352 weights once, alone (None without a C compiler)."""
    import shutil
    import subprocess
    from pathlib import Path

    here = Path(__file__).resolve().parent
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    exe = here / ".work" / "cache_limit"
    exe.parent.mkdir(exist_ok=True)
    subprocess.run([cc, "-O3", "-ffp-contract=off", str(here / "cache_limit.c"), "-o",
                    str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["us_per_pass"])


# --------------------------------------------------------------------- mnist_minibatch
def mnist_minibatch(cfg: Config) -> dict[str, Any]:
    """Samples/s of minibatch SGD (batch 32, MSE), 784-128-10, through ``net.train``.

    Without ``net.train`` this is n/a, but the throughput of ``net.gradient`` (forward and
    backward on each minibatch, no weight update) is measured and given in the reason.
    """
    net = _layered((784, 128, 10), cfg.seed)
    X, T = _mnist_data(cfg.batch_samples, cfg.seed)
    train = getattr(net, "train", None)
    if not callable(train):
        details: dict[str, Any] = {}
        gradient = getattr(net, "gradient", None)
        if callable(gradient):
            try:
                details["gradient_only_samples_per_s"] = _gradient_rate(gradient, X, T, cfg)
            except Exception as e:
                details["gradient_only_error"] = f"{type(e).__name__}: {e}"
        raise Unavailable("Network has no train() (minibatch)" + _detail_note(details))
    call = _train_call(train, X, T, cfg.batch_rate, iterations=1, batch_size=cfg.batch_size)
    t0 = time.perf_counter()
    _check_iterations(call(), 1)  # warm-up epoch
    one = time.perf_counter() - t0
    rates = []
    for _ in range(_repeats(cfg.batch_epochs, one, cap_s=3 * cfg.batch_budget_s)):
        t0 = time.perf_counter()
        _check_iterations(call(), 1)
        rates.append(len(X) / (time.perf_counter() - t0))
    return {"value": max(rates), "unit": "samples/s", "rates_all": rates}


def _gradient_rate(
    gradient: Callable[..., Any], X: np.ndarray, T: np.ndarray, cfg: Config
) -> float:
    b = cfg.batch_size
    batches = [(X[i : i + b], T[i : i + b]) for i in range(0, len(X), b)]
    _budgeted(lambda xt: gradient(xt[0], xt[1], "mse"), batches[:4], 60.0)
    best = 0.0
    for _ in range(2 if cfg.quick else 3):
        done, seconds = _budgeted(
            lambda xt: gradient(xt[0], xt[1], "mse"), batches, cfg.batch_budget_s
        )
        best = max(best, done * b / seconds)
    return best


def _detail_note(details: dict[str, Any]) -> str:
    rate = details.get("gradient_only_samples_per_s")
    return f"; net.gradient alone: {rate:,.0f} samples/s" if rate else ""


# --------------------------------------------------------------------------- sparse_dag
def load_dag(path: str) -> tuple[Any, dict[str, Any]]:
    """The peer's DAG as a networkx.DiGraph with netgraph's attributes, and the raw JSON."""
    import networkx as nx

    with open(path, encoding="utf-8") as f:
        dag = json.load(f)
    G = nx.DiGraph()
    for d in dag["nodes"]:  # listing order: input-role nodes appear in dag["inputs"] order
        G.add_node(
            d["id"],
            bias=float(d["bias"]),
            activation=dag["activation"],
            role=d["role"],
            layer=d["role"],
        )
    G.add_weighted_edges_from((u, v, float(w)) for u, v, w in dag["edges"])
    return G, dag


def sparse_dag(cfg: Config) -> dict[str, Any]:
    """Activations/s on the neat-python peer's DAG, as a 2-D batch and one sample at a time.

    The outputs for the peer's check inputs are compared with neat-python's first.
    """
    ng = _netgraph()
    (Network,) = _api(ng, "Network")
    if not hasattr(Network, "from_graph"):
        raise Unavailable("Network has no from_graph()")
    if not cfg.dag_json:
        raise Unavailable("no DAG from the neat-python peer")
    G, dag = load_dag(cfg.dag_json)
    net = Network.from_graph(G, seed=cfg.seed)
    activate = _method(net, "activate")

    check_x = np.array(dag["check_inputs"])
    want = np.array(dag["check_outputs"])
    got_batch = np.asarray(activate(check_x))
    got_single = np.array([np.asarray(activate(x)) for x in check_x])
    diff = float(max(np.max(np.abs(got_batch - want)), np.max(np.abs(got_single - want))))

    rng = np.random.default_rng(cfg.seed + 7)
    n_in = len(dag["inputs"])
    Xb = rng.random((cfg.dag_batch, n_in))
    Xs = list(rng.random((cfg.dag_single, n_in)))

    activate(Xb[:16])  # warm-up
    batch_rates = []
    for _ in range(cfg.dag_repeats):
        t0 = time.perf_counter()
        activate(Xb)
        batch_rates.append(len(Xb) / (time.perf_counter() - t0))
    single_rates = []
    for _ in range(cfg.dag_repeats):
        done, seconds = _budgeted(activate, Xs, cfg.dag_budget_s)
        single_rates.append(done / seconds)
    return {
        "value": max(batch_rates),
        "unit": "activations/s",
        "per_sample": max(single_rates),
        "batch_rates_all": batch_rates,
        "per_sample_rates_all": single_rates,
        "batch_rows": cfg.dag_batch,
        "max_abs_diff_vs_peer": diff,
        "neurons": G.number_of_nodes(),
        "synapses": G.number_of_edges(),
    }


# ----------------------------------------------------------------------------- build_1m
def build_1m(cfg: Config) -> dict[str, Any]:
    """Seconds to build Layer(n).project(Layer(n)) + Network(input=..., output=...).

    Best of build_repeats; the garbage collector is run (not disabled) before each build.
    """
    ng = _netgraph()
    Layer, Network = _api(ng, "Layer", "Network")
    n = cfg.build_size

    def build() -> Any:
        a, b = Layer(n), Layer(n)
        a.project(b)
        return Network(input=a, output=b, seed=cfg.seed)

    times: list[float] = []
    synapses = 0
    for _ in range(cfg.build_repeats):
        net = None
        gc.collect()
        t0 = time.perf_counter()
        net = build()
        times.append(time.perf_counter() - t0)
        synapses = net.graph.number_of_edges()
        del net
    gc.collect()
    return {"value": min(times), "unit": "s", "synapses": synapses, "s_all": times}


def networkx_build(cfg: Config) -> dict[str, Any]:
    """The build_1m baseline: the same graph put into a bare networkx.DiGraph.

    2n nodes named as netgraph names them ("i0".., "o0"..) with the same attributes (bias,
    activation, role, layer), then the n*n weighted edges, source by source, with uniform
    (-0.1, 0.1) weights, through add_nodes_from and add_weighted_edges_from. The node and
    edge lists are made before the timer starts. Best of build_repeats.
    """
    import networkx as nx

    n = cfg.build_size
    rng = np.random.default_rng(cfg.seed)
    nodes = []
    for prefix, role in (("i", "input"), ("o", "output")):
        biases = rng.uniform(-0.1, 0.1, n).tolist()
        nodes += [
            (f"{prefix}{k}", {"bias": b, "activation": "logistic", "role": role, "layer": role})
            for k, b in enumerate(biases)
        ]
    src = [f"i{k}" for k in range(n)]
    dst = [f"o{k}" for k in range(n)]
    weights = iter(rng.uniform(-0.1, 0.1, n * n).tolist())
    edges = [(u, v, next(weights)) for u in src for v in dst]

    times: list[float] = []
    for _ in range(cfg.build_repeats):
        G = None
        gc.collect()
        t0 = time.perf_counter()
        G = nx.DiGraph()
        G.add_nodes_from(nodes)
        G.add_weighted_edges_from(edges)
        times.append(time.perf_counter() - t0)
        del G
    del edges
    gc.collect()
    return {
        "peer": "networkx",
        "version": nx.__version__,
        "task": "build_1m",
        "synapses": n * n,
        "s": min(times),
        "s_all": times,
    }


# ------------------------------------------------------------------ recurrent (LSTM) tasks
DSR_OPTIONS: dict[str, Any] = {
    "targets": (2, 4),
    "distractors": (3, 5),
    "prompts": (0, 1),
    "length": 9,
    "rate": 0.17,
}
DSR_CRITERION = 0.95  # tasks.dsr's (and Trainer.DSR's) default ``success``
DSR_MIN_CAP = 5_000  # no further DSR run starts if the budget left affords fewer trials
LSTM_STEP_NETS = {"small": (2, 7, 1), "large": (10, 30, 10)}


def _recurrent() -> tuple[Any, Any]:
    """netgraph.architect.LSTM and the netgraph.tasks module."""
    _netgraph()
    try:
        from netgraph import tasks as ng_tasks
        from netgraph.architect import LSTM
    except ImportError as e:
        raise Unavailable(f"netgraph has no LSTM/tasks: {e}") from None
    return LSTM, ng_tasks


def _median_bounds(values: list[float], censored: list[bool]) -> tuple[float, float]:
    """Bounds on the median of runs some of which were cut short (their value a lower bound).

    The low one takes a cut run's value as it is, the high one as infinite; they are equal
    when the cut runs cannot move the median.
    """
    low = float(np.median(values))
    high = float(np.median([np.inf if c else v for v, c in zip(values, censored, strict=True)]))
    return low, high


def _spread(values: list[float]) -> dict[str, float]:
    q1, q3 = np.quantile(values, [0.25, 0.75])
    return {"min": min(values), "q1": float(q1), "q3": float(q3), "max": max(values)}


def lstm_dsr(cfg: Config) -> dict[str, Any]:
    """Synaptic's DSR task on LSTM(6, 3, 2) (``DSR_OPTIONS``) through ``tasks.dsr``.

    Up to ``dsr_repeats`` runs, seeds cfg.seed + r (the same seed for the weights and the
    sequences), after a short warm-up run. Within the ``dsr_budget_s`` budget each run may
    use an equal share of what is left (so early finishers leave more to the later runs):
    its ``iterations`` is capped at the trials that share affords at the rate measured so
    far, a multiple of 1000, at most ``dsr_iterations`` (250,000). A capped run that stops
    at its cap unsolved is "cut": it would have needed more trials, so its iterations and
    time are lower bounds, and the medians are reported as lower bounds when cut runs could
    move them. ``ms_per_1000_trials`` is the median over the runs of each run's time per
    1000 trials. No run after the first starts when the budget left affords fewer than
    DSR_MIN_CAP trials. ``solved`` counts runs that reached the criterion.
    """
    LSTM, ng_tasks = _recurrent()
    warm = cfg.seed + 1000
    ng_tasks.dsr(LSTM(6, 3, 2, seed=warm), **DSR_OPTIONS, iterations=100, seed=warm)  # JIT
    t0 = time.perf_counter()  # then the trial rate, for the first run's cap
    probe = ng_tasks.dsr(LSTM(6, 3, 2, seed=warm), **DSR_OPTIONS, iterations=1000, seed=warm)
    trials_per_s = probe.iterations / max(time.perf_counter() - t0, 1e-9)
    deadline = time.perf_counter() + cfg.dsr_budget_s
    runs: list[dict[str, Any]] = []
    for r in range(cfg.dsr_repeats):
        left = deadline - time.perf_counter()
        if r > 0 and left <= 0:
            break
        share = max(left, 0.0) / (cfg.dsr_repeats - r)
        cap = min(cfg.dsr_iterations, max(1000, int(share * trials_per_s) // 1000 * 1000))
        if r > 0 and cap < min(DSR_MIN_CAP, cfg.dsr_iterations):
            break  # too little budget left for a run worth reporting
        net = LSTM(6, 3, 2, seed=cfg.seed + r)
        t1 = time.perf_counter()
        res = ng_tasks.dsr(net, **DSR_OPTIONS, iterations=cap, seed=cfg.seed + r)
        seconds = time.perf_counter() - t1
        solved = res.success is not None and res.success >= DSR_CRITERION
        cut = not solved and res.iterations >= cap and cap < cfg.dsr_iterations
        runs.append(
            {
                "seed": cfg.seed + r,
                "cap": cap,
                "iterations": res.iterations,
                "success": res.success,
                "error": res.error,
                "ms": seconds * 1e3,
                "solved": solved,
                "cut": cut,
            }
        )
        done_its = sum(x["iterations"] for x in runs)
        trials_per_s = done_its / max(sum(x["ms"] for x in runs) / 1e3, 1e-9)
    its = [float(x["iterations"]) for x in runs]
    ms = [x["ms"] for x in runs]
    cut = [x["cut"] for x in runs]
    its_low, its_high = _median_bounds(its, cut)
    ms_low, ms_high = _median_bounds(ms, cut)
    lower = [
        k
        for k, (lo, hi) in {
            "iterations_median": (its_low, its_high),
            "ms_median": (ms_low, ms_high),
        }.items()
        if lo != hi
    ]
    return {
        "value": its_low,
        "unit": "iterations",
        "iterations_median": its_low,
        "ms_median": ms_low,
        "ms_per_1000_trials": float(np.median([1e3 * m / i for m, i in zip(ms, its, strict=True)])),
        "lower_bounds": lower,
        "runs": len(runs),
        "solved": sum(x["solved"] for x in runs),
        "cut": sum(cut),
        "success_rate": sum(x["solved"] for x in runs) / len(runs),
        "capped_by_budget": len(runs) < cfg.dsr_repeats,
        "iterations_spread": _spread(its),
        "ms_spread": _spread(ms),
        "budget_s": cfg.dsr_budget_s,
        "options": {**DSR_OPTIONS, "iterations": cfg.dsr_iterations},
        "runs_all": runs,
    }


def lstm_timing(cfg: Config) -> dict[str, Any]:
    """Synaptic's timing task on LSTM(2, 7, 1) through ``tasks.timing_task`` (its defaults).

    Up to ``timing_repeats`` runs (seeds cfg.seed + r), none started after
    ``timing_budget_s``, after a one-iteration warm-up (the plan). Medians of the test
    error and of the wall time (training and the test); steps/s counts every training step
    (iterations x 7000) and the 1000 test steps over the summed wall time.
    """
    LSTM, ng_tasks = _recurrent()
    train_samples, test_samples = 7000, 1000
    ng_tasks.timing_task(
        LSTM(2, 7, 1, seed=cfg.seed + 1000), seed=cfg.seed + 1000, iterations=1, progress=False
    )
    deadline = time.perf_counter() + cfg.timing_budget_s
    runs: list[dict[str, Any]] = []
    for r in range(cfg.timing_repeats):
        if r > 0 and time.perf_counter() > deadline:
            break
        net = LSTM(2, 7, 1, seed=cfg.seed + r)
        t0 = time.perf_counter()
        res = ng_tasks.timing_task(net, seed=cfg.seed + r, progress=False)
        seconds = time.perf_counter() - t0
        runs.append(
            {
                "seed": cfg.seed + r,
                "iterations": res.iterations,
                "train_error": res.error,
                "test_error": res.test_error,
                "ms": seconds * 1e3,
            }
        )
    steps = sum(x["iterations"] * train_samples + test_samples for x in runs)
    test_errors = [x["test_error"] for x in runs]
    ms = [x["ms"] for x in runs]
    return {
        "value": float(np.median(test_errors)),
        "unit": "mse",
        "test_error_median": float(np.median(test_errors)),
        "test_error_spread": _spread(test_errors),
        "train_error_median": float(np.median([x["train_error"] for x in runs])),
        "iterations_median": float(np.median([x["iterations"] for x in runs])),
        "iterations_spread": _spread([float(x["iterations"]) for x in runs]),
        "ms_median": float(np.median(ms)),
        "ms_spread": _spread(ms),
        "steps_per_s": steps / (sum(ms) / 1e3),
        "runs": len(runs),
        "capped_by_budget": len(runs) < cfg.timing_repeats,
        "budget_s": cfg.timing_budget_s,
        "runs_all": runs,
    }


def lstm_steps(cfg: Config) -> dict[str, Any]:
    """Online steps/s of LSTM(2, 7, 1) and LSTM(10, 30, 10) on random data.

    Two ways over the same ``steps_rows`` rows (uniform [0, 1) inputs and targets), state
    carried from row to row: a Python loop of ``net.activate(x); net.propagate(0.1, t)``
    (each pass cut short after ``steps_budget_s``), and ``net.train(X, T, rate=0.1,
    iterations=1, error=0, progress=False)``, which runs the same steps in compiled code.
    Best of ``steps_repeats`` after a warm-up on the first 200 rows.
    """
    LSTM, _ = _recurrent()
    out: dict[str, Any] = {"value": None, "unit": "steps/s", "rate": 0.1}
    rng = np.random.default_rng(cfg.seed)
    for name, sizes in LSTM_STEP_NETS.items():
        X = rng.random((cfg.steps_rows, sizes[0]))
        T = rng.random((cfg.steps_rows, sizes[-1]))
        details = _lstm_steps_one(LSTM(*sizes, seed=cfg.seed), X, T, cfg)
        details["network"] = f"LSTM{sizes}"
        out[f"{name}_loop_steps_per_s"] = max(details["loop_rates_all"])
        out[f"{name}_train_steps_per_s"] = max(details["train_rates_all"])
        out[name] = details
    out["value"] = out["small_loop_steps_per_s"]
    return out


def _lstm_steps_one(net: Any, X: np.ndarray, T: np.ndarray, cfg: Config) -> dict[str, Any]:
    activate, propagate = _method(net, "activate"), _method(net, "propagate")
    train = _method(net, "train")
    pairs = list(zip(X, T, strict=True))

    def step(pair: tuple[np.ndarray, np.ndarray]) -> None:
        activate(pair[0])
        propagate(0.1, pair[1])

    _budgeted(step, pairs[:200], 60.0)  # warm-up
    loop_rates, loop_steps = [], []
    for _ in range(cfg.steps_repeats):
        done, seconds = _budgeted(step, pairs, cfg.steps_budget_s)
        loop_rates.append(done / seconds)
        loop_steps.append(done)

    def train_pass(rows: int) -> float:
        t0 = time.perf_counter()
        res = train(X[:rows], T[:rows], rate=0.1, iterations=1, error=0, progress=False)
        seconds = time.perf_counter() - t0
        _check_iterations(res, 1)
        return seconds

    train_pass(200)  # warm-up (the plan)
    one = train_pass(len(X))
    train_rates = [len(X) / one]
    for _ in range(_repeats(cfg.steps_repeats, one, cap_s=3 * cfg.steps_budget_s) - 1):
        train_rates.append(len(X) / train_pass(len(X)))
    return {
        "neurons": net.graph.number_of_nodes(),
        "synapses": net.graph.number_of_edges(),
        "rows": len(X),
        "loop_rates_all": loop_rates,
        "loop_steps": loop_steps,
        "train_rates_all": train_rates,
    }
