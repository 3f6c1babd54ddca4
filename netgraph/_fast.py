"""The one seam between the network and its fast paths.

A compiled ``Plan`` runs in the native core (``netgraph._core``, C compiled at install:
``netgraph/_native``) through an ``Engine``: the plan's arrays bound to the graph's
weight storage and to the network's evaluation state. Python hands it arrays it has
already checked; the kernels loop over them.

Batches travel in column layout, one row per neuron and one column per sample
(``S``, ``Y``, ``DY`` of shape (n_neurons, n_samples)), so that:
- a layered plan (``Plan.blocks``) large enough to pay for numpy's call overhead
  runs each layer pair as one BLAS matrix product over the graph's own weights;
- any other graph runs the native column kernels, whose per-synapse loops then stride
  over samples at unit stride.
Single samples run in the native row kernels. Every path here is tested against the
reference evaluator (``_reference``).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar, cast

import numpy as np

from . import _core
from ._activations import ACTIVATIONS, SOFTMAX, softmax
from ._compile import Plan
from ._costs import Cost, output_gradient
from ._graph import NetGraph

# Below this many synapses numpy's per-call overhead outweighs BLAS (measured on the
# 784-128-10 and 2-3-1 benchmarks; see benchmarks/).
DENSE_MIN_SYNAPSES = 4096
_BY_CODE = [*ACTIVATIONS.values(), SOFTMAX]

# A BLAS product of fewer multiply-adds than this runs on one thread. Such products take
# milliseconds at most; splitting them over threads gains little on an idle machine and,
# on a busy one, the threads wait for each other behind other processes: the README's
# 784-128-10 minibatch case ran 3-11x slower with OpenBLAS's default threads than with
# one (benchmarks/bench_threads.py). Larger products keep the BLAS's own setting
# (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, threadpoolctl.threadpool_limits).
BLAS_ONE_THREAD_WORK = 1 << 24
_blas: list[Any] = []  # threadpoolctl's controller, made on first use (it scans libraries)
_one_thread = [0]  # how many blas_threads contexts hold the limit (it is process-wide)
_one_thread_lock = threading.Lock()


@contextmanager
def _limited() -> Iterator[None]:
    # Setting and restoring the limit costs ~60 us: the outermost context does it (a
    # training chunk), the products inside it find it in place.
    with _one_thread_lock:
        _one_thread[0] += 1
        if _one_thread[0] == 1:
            if not _blas:
                from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]
                _blas.append(ThreadpoolController())
            _blas.append(_blas[0].limit(limits=1, user_api="blas"))
    try:
        yield
    finally:
        with _one_thread_lock:
            _one_thread[0] -= 1
            if _one_thread[0] == 0:
                _blas.pop().restore_original_limits()


def blas_threads(plan: Plan, m: int) -> AbstractContextManager[Any]:
    """A context in which the BLAS products of ``plan`` on ``m`` samples run: one thread
    if the largest is under ``BLAS_ONE_THREAD_WORK`` multiply-adds, else BLAS's own."""
    assert plan.blocks is not None
    work = m * max((b.t1 - b.t0) * (b.s1 - b.s0) for b in plan.blocks)
    if work >= BLAS_ONE_THREAD_WORK:
        return nullcontext()
    return _limited()

Engine = _core.Engine
State = tuple[np.ndarray, ...]
EMPTY = _core.Engine()  # hands every call back to Python: a network before its first plan


def new_state(plan: Plan) -> tuple[State, np.ndarray]:
    """A fresh evaluation state for ``plan``, and its flags (``[0]``: activated).

    The state is (s, old, y, dy, y_prev, gain, elig, xtrace, resp), as
    ``netgraph/_native/plan.h`` documents: everything 0 but the gains, which read 1
    until their gater first runs. Feed-forward plans use s, y, dy and resp only.
    """
    n, n_syn = len(plan.neurons), len(plan.synapses)
    gated = plan.recurrent is not None
    n_csr = len(plan.in_src) if gated else 0
    n_xtrace = int(plan.recurrent[14][-1]) if plan.recurrent is not None else 0
    state = (np.zeros(n), np.zeros(n if gated else 0), np.zeros(n), np.zeros(n),
             np.zeros(n if gated else 0), np.ones(n_syn if gated else 0), np.zeros(n_csr),
             np.zeros(n_xtrace), np.zeros(n))
    return state, np.zeros(1, dtype=np.int64)


def engine(plan: Plan, state: State, flags: np.ndarray) -> _core.Engine:
    """The native engine running ``plan`` on the graph's weights and this state."""
    G: NetGraph = plan.graph
    return _core.Engine(
        plan, (*plan.arrays, plan.fixed), plan.recurrent, plan.n_inputs, len(plan.synapses),
        plan.weights, plan.biases, state, flags, G._store.lock, G._store, plan.version)


@contextmanager
def exclusive(G: NetGraph) -> Iterator[None]:
    """Hold the graph's lock for this thread (see ``ConcurrencyError``): other threads
    are refused until the block ends. Nests within one thread."""
    previous = _core.acquire(G._store.lock)
    try:
        yield
    finally:
        _core.release(G._store.lock, previous)


_F = TypeVar("_F", bound=Callable[..., Any])


def held(method: _F) -> _F:
    """A network method that holds the network while it runs (``exclusive``): one that
    reads all of it (copies, pickles, documents: never a mid-epoch state) or changes it
    in several steps (never half done). Another thread holding it gets it refused."""
    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        with exclusive(self.graph):
            return method(self, *args, **kwargs)
    return cast(_F, run)


def reads_whole(function: _F) -> _F:
    """A function whose first argument is a network (or its graph) and which reads all of
    it (an exporter, a diagram): it holds the network while it runs, as ``held`` does for
    methods, so it never sees a mid-epoch state or half-written weights and is refused
    while another thread holds the network. Anything else passed first (a plain networkx
    graph) goes through unheld."""
    @functools.wraps(function)
    def run(net: Any, *args: Any, **kwargs: Any) -> Any:
        G: Any = net if getattr(net, "_store", None) is not None else getattr(net, "graph", None)
        if getattr(G, "_store", None) is None:
            return function(net, *args, **kwargs)
        with exclusive(G):
            return function(net, *args, **kwargs)
    return cast(_F, run)


def dense(plan: Plan) -> bool:
    """Whether batches of this plan go through BLAS, layer pair by layer pair."""
    return plan.blocks is not None and len(plan.synapses) >= DENSE_MIN_SYNAPSES


def forward(engine: _core.Engine, Xt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Activate a batch given as ``Xt`` (n_inputs, n_samples); returns S, Y, DY."""
    plan: Plan = engine.plan
    n, m = len(plan.neurons), Xt.shape[1]
    S, Y, DY = np.empty((n, m)), np.empty((n, m)), np.empty((n, m))
    if not dense(plan):
        engine.forward_columns(Xt, S, Y, DY)
        return S, Y, DY
    k = plan.n_inputs
    S[:k] = Y[:k] = Xt
    DY[:k] = 0.0
    W, b = plan.weights, plan.biases
    assert plan.blocks is not None
    with exclusive(plan.graph), np.errstate(over="ignore"), blas_threads(plan, m):
        for blk in plan.blocks:
            nt, ns = blk.t1 - blk.t0, blk.s1 - blk.s0
            Wb = W[blk.e0:blk.e0 + nt * ns].reshape(nt, ns)
            s = S[blk.t0:blk.t1]
            s[:] = Wb @ Y[blk.s0:blk.s1]
            s += b[blk.t0:blk.t1, None]
            a = _BY_CODE[blk.code]
            Y[blk.t0:blk.t1] = a.function(s)
            DY[blk.t0:blk.t1] = a.derivative(s, Y[blk.t0:blk.t1])
    if len(plan.softmax):  # the softmax group, normalized once all its sums are known
        Y[plan.softmax] = softmax(S[plan.softmax], axis=0)
    return S, Y, DY


def activate_batch(engine: _core.Engine, X: np.ndarray) -> np.ndarray:
    """The outputs of a feed-forward batch (rows = samples); the network's state takes the
    last row's values, for a propagate that follows."""
    plan: Plan = engine.plan
    if not dense(plan):
        out = np.empty((len(X), plan.n_outputs))
        engine.activate_batch(X, out)  # keeps only the outputs: its scratch stays in cache
        return out
    S, Y, DY = forward(engine, np.ascontiguousarray(X.T))
    if len(X):
        engine.set_last(S[:, -1].copy(), Y[:, -1].copy(), DY[:, -1].copy())
    return np.ascontiguousarray(Y[plan.output_pos].T)


def backward(engine: _core.Engine, Y: np.ndarray, DY: np.ndarray, dC_dy: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """dC/dw and dC/db summed over the batch, given dC/dy (n_outputs, n_samples); at
    softmax outputs, dC/ds (``_costs.output_gradient``; their DY is 1)."""
    plan: Plan = engine.plan
    D = np.zeros_like(Y)
    D[plan.output_pos] = dC_dy
    gw, gb = np.zeros(len(plan.synapses)), np.zeros(len(plan.neurons))
    if not dense(plan):
        engine.backward_columns(Y, DY, D, gw, gb)
        return gw, gb
    W = plan.weights
    assert plan.blocks is not None
    with exclusive(plan.graph), blas_threads(plan, Y.shape[1]):
        for blk in reversed(plan.blocks):
            nt, ns = blk.t1 - blk.t0, blk.s1 - blk.s0
            Wb = W[blk.e0:blk.e0 + nt * ns].reshape(nt, ns)
            dS = D[blk.t0:blk.t1] * DY[blk.t0:blk.t1]
            gb[blk.t0:blk.t1] = dS.sum(axis=1)
            # (matmul with out= into the flat gradient ran 10x slower than this copy)
            gw[blk.e0:blk.e0 + nt * ns] = (dS @ Y[blk.s0:blk.s1].T).ravel()
            if blk.s1 > plan.n_inputs:  # no error to pass back into the inputs
                D[blk.s0:blk.s1] += Wb.T @ dS
    return gw, gb


def gradient(engine: _core.Engine, X: np.ndarray, T: np.ndarray, cost: Cost
             ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Mean cost over the rows of X, T and its gradient; also the outputs (rows = samples)."""
    plan: Plan = engine.plan
    _, Y, DY = forward(engine, np.ascontiguousarray(X.T))
    out = Y[plan.output_pos].T
    group = plan.softmax_outputs
    dC_dy = np.ascontiguousarray((output_gradient(cost, out, T, group) / len(X)).T)
    gw, gb = backward(engine, Y, DY, dC_dy)
    return cost.value(out, T, group), gw, gb, out
