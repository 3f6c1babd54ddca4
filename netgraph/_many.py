"""Many networks at once: training and gradients of a population on the same data.

Evolution (NEAT with learning) trains and differentiates thousands of small, different
networks on one data set. Calling ``net.train`` on each pays Python's per-call
overhead (parsing the data, checking options, building the kernel's arrays) once per
network; here the data and options are checked once, each network costs a few cheap
checks, and every network's training loop runs in one native call
(``netgraph/_native/many.c``) with the GIL released, spread over ``threads``.
Each network runs the very kernel ``Network.train`` runs for it, so the weights are the
same bits as training the networks one after another.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from . import _core, _fast
from ._activations import ACTIVATIONS
from ._compile import Plan
from ._costs import get_cost
from ._exceptions import DivergenceError, InputError, TopologyError
from ._graph import _finite
from ._train import (
    Rate,
    Stopped,
    TrainResult,
    _check_target_range,
    _Rates,
    _sequences,
    as_dataset,
    train,
)

if TYPE_CHECKING:
    from ._network import Gradient, Network

_ONLINE, _GRADIENT, _SEQUENCES = 0, 1, 2
# the activations' ranges by code, for the cheap check of the targets against them
_LOW = [a.low for a in ACTIVATIONS.values()]
_HIGH = [a.high for a in ACTIVATIONS.values()]
# targets in this interval are in every activation's range: no network needs the check
_EVERY_LOW, _EVERY_HIGH = max(_LOW), min(_HIGH)
# epochs per native call: bounds the memory of the errors (and shuffled orders) per call
_CHUNK_EPOCHS = 4096


def _networks(networks: Iterable[Any]) -> list[Network]:
    """The networks as a list; InputError naming the item that is not a Network or that
    repeats an earlier one (it would be trained twice at once)."""
    from ._network import Network

    try:
        nets = list(networks)
    except TypeError:
        raise InputError(f"networks must be a list of Network, got "
                         f"{type(networks).__name__}") from None
    seen: dict[int, int] = {}
    for k, net in enumerate(nets):
        if not isinstance(net, Network):
            raise InputError(f"networks[{k}] is a {type(net).__name__}, not a Network")
        first = seen.setdefault(id(net._graph), k)
        if first != k:
            raise InputError(f"networks[{k}] is networks[{first}]: each network may be "
                             "listed once")
    return nets


class _Held:
    """Holds every network's lock (``_fast.exclusive``) until the block ends: another
    thread using one of them is refused (``ConcurrencyError``)."""

    def __init__(self, nets: list[Network]) -> None:
        self.locks = [net._graph._store.lock for net in nets]
        self.taken: list[int] = []

    def __enter__(self) -> _Held:
        acquire, taken = _core.acquire, self.taken
        try:
            for lock in self.locks:
                taken.append(acquire(lock))
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        release = _core.release
        for lock, previous in zip(reversed(self.locks[:len(self.taken)]),
                                  reversed(self.taken), strict=True):
            release(lock, previous)
        self.taken.clear()


def _ready(nets: list[Network]) -> list[Any]:
    """Each network's engine (``Network._ready``), the compiled ones' without a call."""
    engines = []
    for net in nets:
        plan, engine = net._plan_cache, net._engine
        if plan is None or plan.version != net._graph._store.version or engine.plan is not plan:
            engine = net._ready()
        engines.append(engine)
    return engines


def train_many(
    networks: Iterable[Network],
    data: Any,
    targets: Any = None,
    *,
    threads: int = 1,
    rate: Rate | None = None,
    iterations: int = 100_000,
    error: float = 0.005,
    cost: str = "mse",
    shuffle: bool = False,
    batch_size: int = 1,
    momentum: float = 0.0,
    optimizer: str = "sgd",
    schedule: Any = None,
    cross_validate: Any = None,
    seed: int | np.random.Generator | None = None,
    progress: bool | None = None,
    log: int = 0,
    sequences: bool = False,
    record_every: int | None = None,
) -> list[TrainResult]:
    """Train many different networks on the same data; one ``TrainResult`` per network.

    The options and results are ``Network.train``'s, and each network ends with the same
    weights, bit for bit, as after ``net.train(data, targets, **options)`` called on the
    networks one after another. The networks must all have the data's number of inputs
    and outputs; each is held (other threads refused) for the whole call.

    Runs natively, in one call for the whole population with the GIL released, for
    feed-forward, recurrent and gated networks with numeric or list rates, any cost,
    ``sgd`` (online, minibatch, momentum) and ``adam``, ``shuffle`` (with an int seed or
    each network's own generator), ``cross_validate`` and ``sequences``. These go the
    way of ``Network.train`` instead, one network after another, with the same results:
    a callable ``rate``, ``schedule``, ``log``, ``record_every``, ``progress=True``,
    ``shuffle`` with a shared ``np.random.Generator`` as ``seed`` (the networks draw
    from it in turn), and large layered networks (which train through BLAS). No progress
    bar is drawn on the native path.

    **Arguments**
    - ``networks``: the networks (each at most once).
    - ``data``, ``targets``: as ``Network.train``.
    - ``threads``: how many threads share the networks (the results do not depend on it).
    - the rest: ``Network.train``'s options.

    **Returns** a list of ``TrainResult``, in the order of ``networks``; ``time`` is the
    seconds spent on that network. Raises ``InputError`` naming ``networks[i]`` for a
    network that does not fit the data or options, and ``DivergenceError`` naming the
    first network whose training diverged, once every network has run (the others keep
    their trained weights; that one, the weights before the diverging epoch).
    """
    nets = _networks(networks)
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise InputError(f"threads must be a whole number >= 1, got {threads!r}")
    options: dict[str, Any] = dict(
        rate=rate, iterations=iterations, error=error, cost=cost, shuffle=shuffle,
        batch_size=batch_size, momentum=momentum, optimizer=optimizer, schedule=schedule,
        cross_validate=cross_validate, seed=seed, progress=progress, log=log,
        sequences=sequences, record_every=record_every)
    if not nets:
        return []
    if callable(rate) or schedule is not None or log or record_every is not None or \
            progress or (shuffle and isinstance(seed, np.random.Generator)):
        # Python looks in between epochs, or a generator is shared in turn: train's path
        with _Held(nets):
            return [_one(k, net, data, targets, options) for k, net in enumerate(nets)]
    return _native(nets, data, targets, int(threads), options)


def _one(k: int, net: Network, data: Any, targets: Any, options: dict[str, Any]
         ) -> TrainResult:
    """``train`` on one network, its InputError naming it."""
    try:
        return train(net, data, targets, **options)
    except InputError as e:
        raise InputError(f"networks[{k}]: {e}") from None


def _native(nets: list[Network], data: Any, targets: Any, threads: int,
            options: dict[str, Any]) -> list[TrainResult]:
    # the options, checked once as train checks them
    iterations, batch_size = options["iterations"], options["batch_size"]
    if not isinstance(iterations, (int, np.integer)) or iterations < 1:
        raise InputError(f"iterations must be a whole number >= 1, got {iterations!r}")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise InputError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    iterations, batch_size = int(iterations), int(batch_size)
    c = get_cost(options["cost"])
    optimizer = str(options["optimizer"]).lower()
    if optimizer not in ("sgd", "adam"):
        raise InputError(f"unknown optimizer {optimizer!r}; known: sgd, adam")
    momentum = float(options["momentum"])
    if not 0.0 <= momentum < 1.0:
        raise InputError(f"momentum must be in [0, 1), got {momentum}")
    online = optimizer == "sgd" and batch_size == 1 and momentum == 0.0
    if not online and not c.differentiable:
        raise InputError(f"the {c.name!r} cost has no gradient to descend; use it with "
                         "online sgd (batch_size=1) or pick mse, cross_entropy or mae")
    rate = options["rate"]
    rates = _Rates((0.001 if optimizer == "adam" else 0.2) if rate is None else rate,
                   iterations).chunk(1, iterations)
    stop_error = float(options["error"])
    sequences, shuffle, seed = options["sequences"], options["shuffle"], options["seed"]

    with _Held(nets):
        engines = _ready(nets)
        plans: list[Plan] = [engine.plan for engine in engines]
        n_in, n_out = plans[0].n_inputs, plans[0].n_outputs
        try:
            if sequences:
                if targets is not None:
                    raise InputError("with sequences=True, pass the sequences as data")
                X, T, starts = _sequences(data, n_in, n_out)
            else:
                X, T = as_dataset(data, targets, n_in, n_out)
                starts = np.arange(len(X) + 1)
        except InputError as e:
            raise InputError(f"networks[0]: {e}") from None
        Xv = Tv = np.empty((0, 0))
        cv_error = -math.inf
        cross_validate = options["cross_validate"]
        if cross_validate is not None:
            if isinstance(cross_validate, dict):
                size = cross_validate.get("test_size", cross_validate.get("testSize"))
                target = cross_validate.get("test_error", cross_validate.get("testError", 0.0))
            else:
                size, target = cross_validate
            test_size = _finite("cross_validate test_size", size, InputError)
            if not 0 < test_size < 1:
                raise InputError(f"cross_validate test_size must be in (0, 1), got {test_size}")
            n_train = math.ceil((1 - test_size) * len(X))
            X, Xv, T, Tv = X[:n_train], X[n_train:], T[:n_train], T[n_train:]
            cv_error = _finite("cross_validate test_error", target, InputError)
            stop_error = max(stop_error, cv_error)
            # (sequences are refused with held-out samples: the kernels see the rest as
            # one sequence, whatever the split left)
            starts = np.array([0, len(X)])
        # each output's targets against its activation's range, as train checks them
        # (train's own check, which names the outputs, runs only for a network that fails)
        ranges = list(zip(T.min(axis=0).tolist(), T.max(axis=0).tolist(), strict=True))
        if any(lo < _EVERY_LOW or hi > _EVERY_HIGH for lo, hi in ranges):
            for net, plan in zip(nets, plans, strict=True):
                codes = plan.codes[plan.output_pos].tolist()
                for o, (lo, hi) in enumerate(ranges):
                    if lo < _LOW[codes[o]] or hi > _HIGH[codes[o]]:
                        _check_target_range(net, T)
                        break
        starts = np.ascontiguousarray(starts, dtype=np.int64)

        # which kernel trains each network, and where its optimizer's state (moments),
        # fresh as train makes it, sits in one shared allocation
        validating, held_out = cross_validate is not None, len(Xv) > 0
        # (the usual plan, small and feed-forward with the data's widths, without a call)
        usual = _ONLINE if online else _GRADIENT
        kinds = np.array([
            usual if plan.n_inputs == n_in and plan.n_outputs == n_out and plan.feedforward
            and plan.recurrent is None and len(plan.synapses) < _fast.DENSE_MIN_SYNAPSES
            else _kind(k, plan, online, validating, held_out, n_in, n_out)
            for k, plan in enumerate(plans)], dtype=np.int64)
        sizes = np.array([len(plan.synapses) + len(plan.neurons) for plan in plans],
                         dtype=np.int64) if usual == _GRADIENT else np.zeros(len(nets), np.int64)
        offsets = np.zeros(len(nets) + 1, dtype=np.int64)
        np.cumsum(np.where(kinds == _GRADIENT, 2 * sizes, 0), out=offsets[1:])
        native = np.flatnonzero(kinds >= 0)
        python = np.flatnonzero(kinds < 0).tolist()

        results: list[TrainResult | None] = [None] * len(nets)
        run = _run if shuffle and seed is None else _run_shared
        diverged = run(nets, engines, native, kinds, offsets, X, T, Xv, Tv, starts, rates,
                       c.code, stop_error, cv_error, optimizer, momentum, batch_size,
                       sequences, shuffle, seed, threads, results)
        for k in python:
            results[k] = _one(k, nets[k], data, targets, options)
    if diverged:
        k, at = diverged[0]
        raise DivergenceError(
            f"networks[{k}]: training diverged at iteration {at}: the error or a weight "
            "became NaN or infinite; that network keeps the weights (and, if it is "
            "recurrent, the state) it had before that iteration (try a smaller rate); "
            "the other networks are trained")
    return cast(list[TrainResult], results)


def _kind(k: int, plan: Plan, online: bool, validating: bool, held_out: bool, n_in: int,
          n_out: int) -> int:
    """Which kernel trains network k, as train's runner picks it (-1: train itself, for
    a network that trains through BLAS)."""
    if (plan.n_inputs, plan.n_outputs) != (n_in, n_out):
        raise InputError(f"networks[{k}] has {plan.n_inputs} inputs and {plan.n_outputs} "
                         f"outputs; the data (and networks[0]) has {n_in} and {n_out}")
    if not plan.feedforward and not online:
        raise InputError(f"networks[{k}]: networks with delayed or gated synapses train "
                         "online only: optimizer='sgd', batch_size=1, momentum=0")
    if not plan.feedforward and validating:
        raise InputError(f"networks[{k}]: cross_validate is for feed-forward networks")
    if plan.recurrent is not None and online:
        if held_out:
            raise InputError(f"networks[{k}]: cross_validate is for feed-forward networks "
                             "without fixed neurons")
        return _SEQUENCES
    if online:
        return _ONLINE
    return -1 if _fast.dense(plan) else _GRADIENT


def _run(nets: list[Network], engines: list[Any], native_slots: np.ndarray,
         kinds: np.ndarray, offsets: np.ndarray, X: np.ndarray, T: np.ndarray,
         Xv: np.ndarray, Tv: np.ndarray, starts: np.ndarray, rates: np.ndarray, cost: int,
         stop_error: float, cv_error: float, optimizer: str, momentum: float,
         batch_size: int, sequences: bool, shuffle: bool,
         seed: int | np.random.Generator | None, threads: int,
         results: list[TrainResult | None]) -> list[tuple[int, int]]:
    """Every native network's epochs, in chunks of at most _CHUNK_EPOCHS, one job tuple
    per network (for orders drawn from each network's own generator); fills
    ``results`` and returns the diverged networks (index, iteration)."""
    native: list[int] = native_slots.tolist()
    state = np.zeros(int(offsets[-1]))
    steps = np.zeros(len(nets), dtype=np.int64)
    jobs: list[tuple[Any, ...]] = []
    for k in native:
        kind = int(kinds[k])
        if kind == _GRADIENT:
            plan = engines[k].plan
            at, w = int(offsets[k]), 2 * len(plan.synapses)
            jobs.append((engines[k], kind, state[at:at + w], state[at + w:int(offsets[k + 1])],
                         steps[k:k + 1]))
        else:
            jobs.append((engines[k], kind, None, None, None))
    iterations = len(rates)
    histories: list[list[np.ndarray]] = [[] for _ in jobs]
    seconds = [0.0] * len(jobs)
    units = [len(starts) - 1 if job[1] == _SEQUENCES else len(X) for job in jobs]
    # the shuffled orders: an int seed gives every network the same generator afresh
    # (shared here, per number of units); seed=None, each network's own
    streams: dict[Any, list[Any]] = {}

    def stream(q: int) -> list[Any]:
        key: Any = ("seed", units[q]) if seed is not None else ("net", q)
        if key not in streams:
            rng = np.random.default_rng(seed) if seed is not None else nets[native[q]]._rng
            streams[key] = [rng, np.arange(units[q]), -1, None]
        return streams[key]

    op = _core.SGD if optimizer == "sgd" else _core.ADAM
    empty = np.empty((0, 0), dtype=np.int64)
    active = list(range(len(jobs)))
    diverged: list[tuple[int, int]] = []
    stopped: dict[int, Stopped] = {}
    done = 0
    while active and done < iterations:
        size = min(_CHUNK_EPOCHS, iterations - done)
        chunk_rates = np.ascontiguousarray(rates[done:done + size])
        calls = []
        errors = np.empty((len(active), size))
        for row, q in enumerate(active):
            order = empty
            if shuffle:
                s = stream(q)
                if s[2] != done:  # this chunk's orders, drawn once per stream
                    rng, now = s[0], s[1]
                    orders = np.empty((size, len(now)), dtype=np.int64)
                    for e in range(size):
                        orders[e] = now
                        now = now[rng.permutation(len(now))]
                    s[1], s[2], s[3] = now, done, orders
                order = s[3]
            engine, kind, sw, sb, step = jobs[q]
            calls.append((engine, kind, order, errors[row], sw, sb, step))
        out = _core.train_many(calls, X, T, Xv, Tv, starts, chunk_rates, cost, stop_error, op,
                               momentum, batch_size, sequences, threads)
        still = []
        for q, call, (ran, status, took) in zip(active, calls, out, strict=True):
            histories[q].append(call[3][:ran])
            seconds[q] += took
            if status == 2:
                diverged.append((native[q], done + ran))
            elif status == 1:
                last = float(call[3][ran - 1])
                stopped[q] = "cross_validation" if last <= cv_error else "goal"
            else:
                still.append(q)
        active = still
        done += size
    for q in range(len(jobs)):
        parts = histories[q]
        history = parts[0].copy() if len(parts) == 1 else np.concatenate(parts)
        results[native[q]] = TrainResult(
            error=float(history[-1]) if len(history) else 0.0, iterations=len(history),
            time=seconds[q], history=history, stopped=stopped.get(q, "iterations"))
    diverged.sort()
    return diverged


def _run_shared(nets: list[Network], engines: list[Any], native: np.ndarray,
                kinds: np.ndarray, offsets: np.ndarray, X: np.ndarray, T: np.ndarray,
                Xv: np.ndarray, Tv: np.ndarray, starts: np.ndarray, rates: np.ndarray,
                cost: int, stop_error: float, cv_error: float, optimizer: str,
                momentum: float, batch_size: int, sequences: bool, shuffle: bool,
                seed: int | np.random.Generator | None, threads: int,
                results: list[TrainResult | None]) -> list[tuple[int, int]]:
    """As ``_run`` when every network sees the same orders (none, or an int seed's),
    with no Python object per network and call: the population's arrays go to
    ``_core.train_engines`` whole, in chunks of at most _CHUNK_EPOCHS epochs."""
    iterations = len(rates)
    state = np.zeros(int(offsets[-1]))
    steps = np.zeros(len(nets), dtype=np.int64)
    op = _core.SGD if optimizer == "sgd" else _core.ADAM
    n_rows, n_seq = len(X), len(starts) - 1
    empty = np.empty((0, 0), dtype=np.int64)
    # an int seed gives every network the same generator afresh: one stream of orders
    # per number of units (samples, or sequences for the recurrent kernel)
    streams: dict[int, list[Any]] = {}
    order_units = {n_rows} | ({n_seq} if (kinds[native] == _SEQUENCES).any() else set())
    if shuffle:
        for units in order_units:
            streams[units] = [np.random.default_rng(seed), np.arange(units)]
    active = native
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    ran_all = np.zeros(len(nets), dtype=np.int64)
    status_all = np.zeros(len(nets), dtype=np.int64)
    seconds_all = np.zeros(len(nets))
    done = 0
    while len(active) and done < iterations:
        size = min(_CHUNK_EPOCHS, iterations - done)
        chunk_rates = np.ascontiguousarray(rates[done:done + size])
        orders: dict[int, np.ndarray] = {}
        for units, s in streams.items():  # this chunk's orders, drawn once per stream
            rng, now = s
            block = np.empty((size, units), dtype=np.int64)
            for e in range(size):
                block[e] = now
                now = now[rng.permutation(units)]
            s[1], orders[units] = now, block
        errors = np.empty((len(active), size))
        ran = np.empty(len(active), dtype=np.int64)
        status = np.empty(len(active), dtype=np.int64)
        seconds = np.empty(len(active))
        _core.train_engines([engines[k] for k in active.tolist()], active, kinds, offsets,
                            state, steps, X, T, Xv, Tv, starts, chunk_rates, cost, stop_error,
                            op, momentum, batch_size, sequences, threads,
                            orders.get(n_rows, empty), orders.get(n_seq, empty), errors, ran,
                            status, seconds)
        pieces.append((active, errors, ran, seconds))
        ran_all[active] += ran
        status_all[active] = status
        seconds_all[active] += seconds
        active = active[status == 0]
        done += size
    # the histories: one chunk (the usual case) gives its rows, more are joined; finals,
    # each network's last error, where known without reading its history
    finals: dict[int, float] = {}
    if len(pieces) == 1:
        rows, ran_native = pieces[0][1], ran_all[native]
        if len(rows) and (ran_native == rows.shape[1]).all():
            # every network ran every epoch: one copy of the block, a row per network
            # (numpy makes the row views in one call, not a slice and a copy each)
            block = rows.copy()
            histories = dict(zip(native.tolist(), list(block), strict=True))
            finals = dict(zip(native.tolist(), block[:, -1].tolist(), strict=True))
        else:
            histories = dict(zip(native.tolist(), (rows[q, :r].copy() for q, r in
                                                    enumerate(ran_native.tolist())),
                                 strict=True))
    else:
        parts: dict[int, list[np.ndarray]] = {k: [] for k in native.tolist()}
        for chunk_active, rows, ran, _ in pieces:
            for q, (k, r) in enumerate(zip(chunk_active.tolist(), ran.tolist(), strict=True)):
                parts[k].append(rows[q, :r])
        histories = {k: np.concatenate(p) for k, p in parts.items()}
    diverged: list[tuple[int, int]] = []
    for k, st, took in zip(native.tolist(), status_all[native].tolist(),
                           seconds_all[native].tolist(), strict=True):
        history = histories[k]
        stopped: Stopped = "iterations"
        if st == 2:
            diverged.append((k, int(ran_all[k])))
        elif st == 1:
            stopped = "cross_validation" if history[-1] <= cv_error else "goal"
        last = finals.get(k)
        if last is None:
            last = float(history[-1]) if len(history) else 0.0
        results[k] = TrainResult(error=last, iterations=len(history), time=took,
                                 history=history, stopped=stopped)
    return diverged


def gradients(networks: Iterable[Network], inputs: Any, targets: Any, cost: str = "mse"
              ) -> list[Gradient]:
    """The exact gradients of many feed-forward networks on one batch: for each network,
    the same ``Gradient`` as ``net.gradient(inputs, targets, cost)``, bit for bit.

    The batch and cost are checked once; each network then runs the native column
    kernels (or BLAS, for a large layered one) while it is held.

    **Arguments**
    - ``networks``: feed-forward networks (each at most once), all with the batch's
      number of inputs and outputs.
    - ``inputs``: shape (n_samples, n_inputs), or one sample, 1-D.
    - ``targets``: shape (n_samples, n_outputs), or 1-D for one sample.
    - ``cost``: ``"mse"``, ``"cross_entropy"`` or ``"mae"``.

    **Returns** a list of ``Gradient``, in the order of ``networks``. Raises
    ``InputError`` (or ``TopologyError``, for a recurrent or gated network) naming
    ``networks[i]``.
    """
    from ._network import Gradient

    nets = _networks(networks)
    c = get_cost(cost)
    if not c.differentiable:
        raise InputError(f"the {c.name!r} cost has no gradient")
    out: list[Gradient] = []
    if not nets:
        return out
    with _Held(nets):
        plans = [net._plan() for net in nets]
        n_in, n_out = plans[0].n_inputs, plans[0].n_outputs
        try:
            X, _ = nets[0]._inputs(inputs, n_in)
        except InputError as e:
            raise InputError(f"networks[0]: {e}") from None
        T = np.atleast_2d(np.asarray(targets, dtype=float))
        if T.shape != (len(X), n_out):
            raise InputError(f"networks[0]: targets must have shape {(len(X), n_out)}, "
                             f"got {T.shape}")
        if not np.isfinite(T).all():
            raise InputError("targets must be finite numbers")
        for k, plan in enumerate(plans):
            if (plan.n_inputs, plan.n_outputs) != (n_in, n_out):
                raise InputError(f"networks[{k}] has {plan.n_inputs} inputs and "
                                 f"{plan.n_outputs} outputs; the batch (and networks[0]) "
                                 f"has {n_in} and {n_out}")
            if not plan.feedforward:
                raise TopologyError(f"networks[{k}]: gradients() needs feed-forward "
                                    "networks; networks with delayed or gated synapses learn "
                                    "online with propagate/train")
        for net, plan in zip(nets, plans, strict=True):
            value, gw, gb, _ = _fast.gradient(net._ready(), X, T, c)
            out.append(Gradient(value, gw, gb, list(plan.synapses), list(plan.neurons)))
    return out


__all__ = ["gradients", "train_many"]
