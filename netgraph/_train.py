"""Training: Synaptic's Trainer loop and minibatch descent, run in compiled chunks.

The loop over epochs and samples runs inside the native kernels (``netgraph/_native``); Python
only returns between chunks of epochs to call schedules, print logs and draw the
progress bar, so a callback every N iterations costs one return every N epochs.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast

import numpy as np

from . import _core, _fast
from ._activations import get_activation
from ._arguments import flag, real, seed_generator, whole
from ._compile import Plan
from ._costs import Cost, get_cost
from ._exceptions import DivergenceError, InputError, TargetRangeWarning
from ._network import _rate
from ._progress import ProgressBar, Show

if TYPE_CHECKING:
    from ._network import Network

Rate = float | Sequence[float] | Callable[[int, float], float]


class TrainOptions(TypedDict, total=False):
    """The keyword options of ``Network.train`` (documented there), spelt out for type
    checkers and editors: a misspelt or mistyped option shows before the code runs."""

    rate: Rate | None
    iterations: int
    error: float
    cost: str
    shuffle: bool
    batch_size: int
    momentum: float
    optimizer: str
    schedule: Mapping[str, Any] | tuple[int, Callable[[dict[str, Any]], Any]] | None
    cross_validate: Mapping[str, float] | tuple[float, float] | None
    seed: int | np.random.Generator | None
    progress: Show
    log: int
    sequences: bool
    record_every: int | None


_CHUNK_SECONDS = 0.25  # how long a compiled chunk may run before Python looks in


Stopped = Literal["goal", "iterations", "schedule", "cross_validation"]

# Renamed values of TrainResult.stopped: the old name still compares equal, with a warning.
_RENAMED = {"error": "goal"}


class _StopReason(str):
    """``TrainResult.stopped``: a plain string, which also equals the name it had before a
    rename (``"error"`` is now ``"goal"``), with a ``DeprecationWarning``."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str) and not isinstance(other, _StopReason) and \
                _RENAMED.get(other) == str(self):
            warnings.warn(f"TrainResult.stopped {other!r} is now called {str(self)!r}; "
                          f"compare with {str(self)!r}", DeprecationWarning, stacklevel=2)
            return True
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    def __repr__(self) -> str:
        return repr(str(self))


@dataclass
class TrainResult:
    """What ``Network.train`` did.

    **Fields**
    - ``error``: the last epoch's error (the validation set's when cross-validating).
    - ``iterations``: the epochs run.
    - ``time``: seconds spent training.
    - ``history``: every epoch's error, float64, shape (iterations,).
    - ``stopped``: why training stopped: ``"goal"`` (the error reached the goal set by
      ``error=``: success), ``"iterations"`` (ran them all), ``"schedule"`` (a callback
      asked to stop) or ``"cross_validation"`` (the validation error reached its
      target). ``"goal"`` used to be called ``"error"``, which read like a failure;
      comparing with the old name still works, with a ``DeprecationWarning``.
    """

    error: float
    iterations: int
    time: float
    history: np.ndarray = field(repr=False)
    stopped: Stopped = "iterations"
    #: with ``record_every=N``: the weights and biases before training, every N epochs
    #: and at the end (see ``Snapshot``); ``netgraph.render_training`` replays them
    snapshots: list[Snapshot] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.stopped = cast(Stopped, _StopReason(_RENAMED.get(self.stopped, self.stopped)))


@dataclass(frozen=True)
class Snapshot:
    """A network's weights and biases after ``iteration`` epochs (0: before training).

    ``weights`` (float64, one per synapse, in the order of ``synapses``) and
    ``biases`` (float64, one per neuron, in the order of ``neurons``) are copies;
    ``error`` is that epoch's error (NaN for iteration 0).
    """

    iteration: int
    error: float
    weights: np.ndarray = field(repr=False)
    biases: np.ndarray = field(repr=False)
    synapses: list[tuple[Any, Any]] = field(repr=False)
    neurons: list[Any] = field(repr=False)


class _Recorder:
    """Copies the weights and biases, in graph order, out of the compiled plan (the
    graph's own storage), following the network if a callback changes its structure."""

    def __init__(self, net: Network, every: int) -> None:
        self.net = net
        self.every = every
        self.version = -1
        self.snapshots: list[Snapshot] = []

    def record(self, iteration: int, error: float) -> None:
        if self.snapshots and self.snapshots[-1].iteration == iteration:
            return
        plan = self.net._plan()
        if plan.version != self.version:
            G = self.net.graph
            self.synapses, self.neurons = list(G.edges), list(G.nodes)
            where = {e: k for k, e in enumerate(plan.synapses)}
            self.w_order = np.array([where[e] for e in self.synapses], dtype=np.intp)
            self.b_order = np.array([plan.index[n] for n in self.neurons], dtype=np.intp)
            self.version = plan.version
        self.snapshots.append(Snapshot(iteration, error, plan.weights[self.w_order],
                                       plan.biases[self.b_order], self.synapses, self.neurons))


def as_dataset(data: Any, targets: Any, n_in: int, n_out: int, what: str = "data"
               ) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets) as two float64 2-D arrays from any of the accepted forms.

    Accepts ``train(X, T)`` with a 2-D ``X`` (rows = samples; pandas DataFrames too) and
    ``T`` 2-D, or 1-D (a list, array or pandas Series) for a single-output network; a
    pair ``(X, T)``; a list of ``(input, target)`` pairs or of Synaptic's ``{"input":
    ..., "output": ...}``. With one input, ``X`` may be 1-D as well.

    **Returns** ``X`` of shape (n_samples, n_in) and ``T`` of shape (n_samples, n_out).
    Raises ``InputError`` naming what is wrong with what was passed.
    """
    if targets is None:
        if isinstance(data, tuple) and len(data) == 2 and np.ndim(data[1]) >= 1 and \
                _numeric_ndim(data[0]) == 2:
            data, targets = data
        elif (shape := _numeric_shape(data)) is not None and (len(shape) == 2 or n_in == 1) \
                and not (shape[1:] == (2,) and n_in == n_out == 1):
            # a numeric matrix (or a column, for one input): inputs with their targets left
            # out. Pairs of vectors make 3 dimensions (or none, when ragged); pairs of
            # numbers, for one input and one output, are rows of two.
            n = shape[0]
            looks = "inputs" if len(shape) == 2 and shape[1] == n_in else "an array"
            single = f", or 1-D with shape ({n},)" if n_out == 1 else ""
            raise InputError(
                f"{what}: got {looks} of shape {shape} and no targets; pass the targets "
                f"too: train(X, T), with X of shape ({n}, {n_in}) and T of shape "
                f"({n}, {n_out}){single}")
        else:
            data, targets = _pairs(data, what)
    X = _matrix(data, n_in, "input", what)
    T = _matrix(targets, n_out, "target", what)
    if len(X) != len(T):
        raise InputError(f"{what}: {len(X)} inputs but {len(T)} targets")
    return X, T


def _numeric_shape(data: Any) -> tuple[int, ...] | None:
    """The shape of ``data`` if it is a rectangular array of numbers of 1 or 2 dimensions."""
    if isinstance(data, dict):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's warning on ragged nested lists
            A = np.asarray(data)
    except (ValueError, TypeError):
        return None
    if A.dtype.kind not in "biuf" or A.ndim not in (1, 2) or A.size == 0:
        return None
    return A.shape


def _numeric_ndim(data: Any) -> int:
    shape = _numeric_shape(data)
    return -1 if shape is None else len(shape)


def _pairs(data: Any, what: str) -> tuple[list[Any], list[Any]]:
    """Inputs and targets from ``(input, target)`` pairs or ``{"input", "output"}`` dicts."""
    try:
        rows = list(data)
    except TypeError:
        raise InputError(f"{what} must be (input, target) pairs, {{'input', 'output'}} dicts, "
                         f"or inputs and targets: train(X, T); got {type(data).__name__}"
                         ) from None
    inputs, targets = [], []
    for k, row in enumerate(rows):
        if isinstance(row, dict):
            missing = [key for key in ("input", "output") if key not in row]
            if missing:
                raise InputError(f"{what}[{k}] has no {missing[0]!r} key: each sample is "
                                 "{'input': [...], 'output': [...]}")
            inputs.append(row["input"])
            targets.append(row["output"])
        else:
            try:
                n = len(row)
            except TypeError:
                n = -1
            if n != 2:
                raise InputError(
                    f"{what}[{k}] is not an (input, target) pair: got "
                    f"{type(row).__name__}{'' if n < 0 else f' of length {n}'}; pass "
                    "(input, target) pairs, {'input', 'output'} dicts, or train(X, T)")
            inputs.append(row[0])
            targets.append(row[1])
    return inputs, targets


def _matrix(rows: Any, width: int, name: str, what: str) -> np.ndarray:
    try:
        A = np.asarray(rows)
    except ValueError:
        raise InputError(f"{what}: every {name} must have {width} values") from None
    if A.size == 0:
        raise InputError(f"{what}: no samples")
    if A.dtype.kind not in "biuf":
        raise InputError(f"{what}: {name}s must be numbers, got an array of {A.dtype}")
    A = np.ascontiguousarray(A, dtype=np.float64)
    if A.ndim == 1 and width == 1:
        A = A.reshape(-1, 1)  # one value per sample: a 1-D column (a list, a pandas Series)
    if A.ndim != 2 or A.shape[1] != width:
        single = " (or 1-D, one value per sample)" if width == 1 else ""
        extra = ""
        if A.ndim == 1 and name == "target":
            extra = f"; 1-D targets are for networks with one output, this one has {width}"
        raise InputError(f"{what}: {name}s must have shape (n_samples, {width}){single}, "
                         f"got {A.shape}{extra}")
    bad = np.argwhere(~np.isfinite(A))
    if len(bad):
        r, c = bad[0]
        raise InputError(f"{what}: {name} [{r}, {c}] is {A[r, c]}; values must be finite")
    return A


def _check_target_range(net: Network, T: np.ndarray) -> None:
    """Warn (once) when targets lie outside what the output neurons' activations produce:
    such targets cannot be reached, and training would run on without saying why."""
    nodes = net.graph.nodes
    problems = []
    for k, neuron in enumerate(net.outputs):
        activation = get_activation(nodes[neuron]["activation"])
        column = T[:, k]
        low, high = float(column.min()), float(column.max())
        if low < activation.low or high > activation.high:
            problems.append(f"output {neuron!r} ({activation.name}) has targets in "
                            f"[{low:.4g}, {high:.4g}], outside its range "
                            f"[{activation.low:.4g}, {activation.high:.4g}]")
    if problems:
        warnings.warn(
            "; ".join(problems) + ": training cannot reach them. Scale the targets into "
            "that range, or use an output activation that covers them (for regression: "
            "Perceptron(..., output_activation='identity'))", TargetRangeWarning,
            stacklevel=4)


class _Rates:
    """Synaptic's rate forms: a number, a list spread evenly over the iterations, a callable."""

    def __init__(self, rate: Rate, iterations: int) -> None:
        self.fn = rate if callable(rate) else None
        self.table: list[float] | None = None
        if self.fn is None:
            if isinstance(rate, (list, tuple, np.ndarray)):
                if len(rate) == 0:
                    raise InputError("a rate schedule needs at least one rate")
                self.table = [_rate(r) for r in rate]
                self.bucket = iterations // len(self.table)
                self.current = self.table[0]
            else:
                self.current = _rate(rate)

    def chunk(self, first: int, size: int) -> np.ndarray:
        """Rates for iterations ``first .. first+size-1`` (not for callables)."""
        if self.table is None or self.bucket == 0:
            return np.full(size, self.current)
        k = np.arange(first, first + size) // self.bucket
        table = np.array(self.table)
        # past the table's end Synaptic keeps the last rate it used
        out = table[np.minimum(k, len(table) - 1)]
        self.current = float(out[-1])
        return out

    def at(self, iteration: int, last_error: float) -> float:
        """Rate for 1-based ``iteration``, as Synaptic's Trainer picks it."""
        if self.fn is not None:
            return _rate(self.fn(iteration, last_error))
        if self.table is not None and self.bucket > 0:
            k = iteration // self.bucket
            if k < len(self.table):
                self.current = self.table[k]
        return self.current


def _schedule(schedule: Any) -> tuple[int, Callable[[dict[str, Any]], Any]] | None:
    if schedule is None:
        return None
    if isinstance(schedule, Mapping):
        every, do = schedule.get("every"), schedule.get("do")
    elif isinstance(schedule, (tuple, list)) and len(schedule) == 2:
        every, do = schedule
    else:
        raise InputError("schedule must be {'every': N, 'do': callable} or (N, callable), got "
                         f"{type(schedule).__name__}")
    every = whole("schedule every", every)
    if not callable(do):
        raise InputError(f"schedule 'do' must be callable, got {type(do).__name__}")
    return every, do


def _cross_validate(option: Any) -> tuple[float, float] | None:
    """(test_size, test_error) from ``cross_validate`` (a dict, Synaptic's camelCase keys
    too, or a pair)."""
    if option is None:
        return None
    if isinstance(option, Mapping):
        size = option.get("test_size", option.get("testSize"))
        target = option.get("test_error", option.get("testError", 0.0))
    elif isinstance(option, (tuple, list)) and len(option) == 2:
        size, target = option
    else:
        raise InputError("cross_validate must be {'test_size': s, 'test_error': e} or "
                         f"(s, e), got {type(option).__name__}")
    test_size = real("cross_validate test_size", size)
    if not 0 < test_size < 1:
        raise InputError(f"cross_validate test_size must be in (0, 1), got {test_size}")
    return test_size, real("cross_validate test_error", target)


def train(
    net: Network,
    data: Any,
    targets: Any = None,
    *,
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
    progress: Show = None,
    log: int = 0,
    sequences: bool = False,
    record_every: int | None = None,
) -> TrainResult:
    """See ``Network.train``."""
    # Every option is checked before the data are read or anything runs: a mistyped
    # option is an InputError naming it, never a numpy error or a silent default.
    if record_every is not None:
        record_every = whole("record_every", record_every)
    iterations = whole("iterations", iterations)
    batch_size = whole("batch_size", batch_size)
    log = whole("log", log, low=0)
    shuffle = flag("shuffle", shuffle)
    sequences = flag("sequences", sequences)
    if not (progress is None or isinstance(progress, bool)
            or (isinstance(progress, str) and progress == "auto")):
        raise InputError(f"progress must be True, False or 'auto', got {progress!r}")
    stop_error = real("error", error)
    momentum = real("momentum", momentum, 0.0, 1.0, high_open=True)
    if not isinstance(optimizer, str):
        raise InputError(f"optimizer must be a name (str), got {type(optimizer).__name__}")
    optimizer = optimizer.lower()
    if optimizer not in ("sgd", "adam"):
        raise InputError(f"unknown optimizer {optimizer!r}; known: sgd, adam")
    c = get_cost(cost)
    rates = _Rates((0.001 if optimizer == "adam" else 0.2) if rate is None else rate,
                   iterations)
    sched = _schedule(schedule)
    cv = _cross_validate(cross_validate)
    rng = net._rng if shuffle and seed is None else seed_generator(seed)
    plan = net._plan()
    if sequences:
        if targets is not None:
            raise InputError("with sequences=True, pass the sequences as data")
        X, T, starts = _sequences(data, plan.n_inputs, plan.n_outputs)
    else:
        X, T = as_dataset(data, targets, plan.n_inputs, plan.n_outputs)
        starts = np.arange(len(X) + 1)
    _check_target_range(net, T)
    online = optimizer == "sgd" and batch_size == 1 and momentum == 0.0
    if not plan.feedforward and not online:
        raise InputError("networks with delayed or gated synapses train online only: "
                         "optimizer='sgd', batch_size=1, momentum=0")
    if not plan.feedforward and cross_validate is not None:
        raise InputError("cross_validate is for feed-forward networks")
    if not online and not c.differentiable:
        raise InputError(f"the {c.name!r} cost has no gradient to descend; use it with "
                         "online sgd (batch_size=1) or pick mse, cross_entropy or mae")
    Xv = Tv = np.empty((0, 0))
    cv_error = -math.inf
    if cv is not None:
        test_size, cv_error = cv
        n_train = math.ceil((1 - test_size) * len(X))
        X, Xv, T, Tv = X[:n_train], X[n_train:], T[:n_train], T[n_train:]
        stop_error = max(stop_error, cv_error)

    def runner() -> tuple[Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[int, int]], int]:
        """The compiled loop for the network as it stands, and how many units (samples,
        or sequences) an epoch shuffles."""
        engine = net._ready()
        plan = engine.plan
        if (plan.n_inputs, plan.n_outputs) != (X.shape[1], T.shape[1]):
            raise InputError(f"the network now has {plan.n_inputs} inputs and "
                             f"{plan.n_outputs} outputs; the data has {X.shape[1]} and "
                             f"{T.shape[1]}")
        if not plan.feedforward and not online:
            raise InputError("networks with delayed or gated synapses train online only: "
                             "optimizer='sgd', batch_size=1, momentum=0")
        if plan.recurrent is not None and online:
            if len(Xv):
                raise InputError("cross_validate is for feed-forward networks without fixed "
                                 "neurons")
            # shuffling permutes sequences (or samples)
            return _sequence_runner(engine, X, T, starts, c, stop_error, sequences), len(starts) - 1
        return _runner(engine, X, T, Xv, Tv, c, online, optimizer, int(batch_size), momentum,
                       stop_error), len(X)

    # Other threads are refused while training runs (ConcurrencyError); this thread's own
    # callbacks may change the network: see the structural check in the loop.
    with _fast.exclusive(net.graph), ProgressBar(int(iterations), desc="train", unit="epoch",
                                                 show=progress) as progress_bar:
        run, n_units = runner()
        version = net.graph.version
        history = np.empty(int(iterations))
        start = time.perf_counter()
        done, status, last_error, stopped = 0, 0, 0.0, "iterations"
        chunk = 1
        every = math.gcd(sched[0], log) if sched and log else (sched[0] if sched else log)
        recorder = None
        if record_every is not None:
            recorder = _Recorder(net, int(record_every))
            recorder.record(0, math.nan)
            every = math.gcd(every, recorder.every) if every else recorder.every
        # The order of the samples in epoch e (1-based) is the order left by epoch e-1's
        # shuffle, as in Synaptic, which shuffles after each epoch.
        order_now = np.arange(n_units)
        while done < iterations:
            if rates.fn is not None:
                size = 1
                epoch_rates = np.array([rates.at(done + 1, last_error)])
            else:
                size = min(chunk, int(iterations) - done)
                if every:
                    size = min(size, every - done % every)
                epoch_rates = rates.chunk(done + 1, size)
            if net.graph.version != version:
                # A callback (schedule, rate) changed the network's structure: training
                # goes on with the network as it now is. Its state starts afresh, as after
                # any structural change, and so do Adam's moments and the momentum.
                run, units = runner()
                version = net.graph.version
                if units != n_units:
                    n_units, order_now = units, np.arange(units)
            if shuffle:
                orders = np.empty((size, n_units), dtype=np.int64)
                for k in range(size):
                    orders[k] = order_now
                    order_now = order_now[rng.permutation(n_units)]
            else:
                orders = np.empty((0, 0), dtype=np.int64)
            errors = np.empty(size)
            t0 = time.perf_counter()
            ran, status = run(orders, epoch_rates, errors)
            elapsed = time.perf_counter() - t0
            history[done:done + ran] = errors[:ran]
            done += ran
            if status == 2:
                raise DivergenceError(
                    f"training diverged at iteration {done}: the error or a weight became NaN "
                    "or infinite; the network keeps the weights (and, if it is recurrent, "
                    "the state) it had before that iteration (try a smaller rate)")
            last_error = float(errors[ran - 1])
            progress_bar.update(ran, error=last_error)
            if recorder is not None and (done % recorder.every == 0 or status == 1):
                recorder.record(done, last_error)
            if log and done % log == 0:
                # stderr, like the progress bar: stdout is the user's (a CLI's result, a pipe)
                print(f"iterations {done} error {last_error} rate {epoch_rates[ran - 1]}",
                      file=sys.stderr, flush=True)
            if sched and done % sched[0] == 0 and sched[1](
                    {"error": last_error, "iterations": done,
                     "rate": float(epoch_rates[ran - 1])}):
                stopped = "schedule"
                break
            if status == 1:
                stopped = "cross_validation" if last_error <= cv_error else "goal"
                break
            # grow chunks until each runs about _CHUNK_SECONDS, so Python rarely looks in
            if elapsed < _CHUNK_SECONDS / 2:
                chunk = min(chunk * 4, 1 << 20)
        if recorder is not None:
            recorder.record(done, last_error)  # the end, if not on an N-epoch boundary
    return TrainResult(
        error=last_error, iterations=done, time=time.perf_counter() - start,
        history=history[:done].copy(), stopped=cast(Stopped, stopped),
        snapshots=recorder.snapshots if recorder is not None else [])


def _runner(engine: _core.Engine, X: np.ndarray, T: np.ndarray, Xv: np.ndarray,
            Tv: np.ndarray, cost: Cost, online: bool, optimizer: str, batch_size: int,
            momentum: float, stop_error: float
            ) -> Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[int, int]]:
    """A function running a chunk of epochs: ``run(orders, rates, errors) -> (ran, status)``.

    Status 0: all ran; 1: the error reached ``stop_error``; 2: diverged (the weights are
    back to the start of the last epoch). See ``ff_train_online`` in
    ``netgraph/_native/feedforward.c``.
    """
    plan: Plan = engine.plan
    W, B = plan.weights, plan.biases
    if online:
        def run_online(orders: np.ndarray, rates: np.ndarray, errors: np.ndarray
                       ) -> tuple[int, int]:
            return engine.train_online(X, T, orders, rates, cost.code, stop_error, Xv, Tv,
                                       errors)
        return run_online

    opt = _core.SGD if optimizer == "sgd" else _core.ADAM
    state_w, state_b = np.zeros((2, len(W))), np.zeros((2, len(B)))
    step = np.zeros(1, dtype=np.int64)
    # input neurons' biases are unused; fixed neurons learn neither bias nor weights
    input_mask = ((plan.roles != 0) & (plan.fixed == 0)).astype(np.float64)
    weight_mask = np.ones(len(W))
    weight_mask[:len(plan.in_src)] = np.repeat(1.0 - plan.fixed, np.diff(plan.in_ptr))
    if not _fast.dense(plan):
        def run_compiled(orders: np.ndarray, rates: np.ndarray, errors: np.ndarray
                         ) -> tuple[int, int]:
            return engine.train_gradient(X, T, orders, rates, batch_size, cost.code,
                                         stop_error, Xv, Tv, opt, momentum, 0.9, 0.999, 1e-8,
                                         state_w, state_b, step, input_mask, weight_mask,
                                         errors)
        return run_compiled

    backup_w, backup_b = np.empty_like(W), np.empty_like(B)

    def run_blas(orders: np.ndarray, rates: np.ndarray, errors: np.ndarray) -> tuple[int, int]:
        # Large layered nets: each batch is a few BLAS products; Python's overhead per
        # batch is small beside them. A diverging run overflows on its way to the check
        # below, which is what reports it.
        with np.errstate(over="ignore", invalid="ignore"), \
                _fast.blas_threads(plan, min(batch_size, len(X))):  # once for the chunk
            return blas_epochs(orders, rates, errors)

    def blas_epochs(orders: np.ndarray, rates: np.ndarray, errors: np.ndarray
                    ) -> tuple[int, int]:
        for ep in range(len(rates)):
            backup_w[:], backup_b[:] = W, B
            total = 0.0
            for first in range(0, len(X), batch_size):
                rows = orders[ep, first:first + batch_size] if len(orders) else slice(
                    first, first + batch_size)
                xb, tb = X[rows], T[rows]
                value, gw, gb, _ = _fast.gradient(engine, xb, tb, cost)
                total += value * len(xb)
                gb *= input_mask
                gw *= weight_mask
                step[0] += 1
                _core.optimizer_step(opt, W, gw, float(rates[ep]), momentum, state_w[0],
                                     state_w[1], int(step[0]), 0.9, 0.999, 1e-8)
                _core.optimizer_step(opt, B, gb, float(rates[ep]), momentum, state_b[0],
                                     state_b[1], int(step[0]), 0.9, 0.999, 1e-8)
            err = total / len(X)
            if len(Xv):
                _, Yv, _ = _fast.forward(engine, np.ascontiguousarray(Xv.T))
                err = cost.value(Yv[plan.output_pos].T, Tv, plan.softmax_outputs)
            if not (math.isfinite(err) and np.isfinite(W).all() and np.isfinite(B).all()):
                W[:], B[:] = backup_w, backup_b
                errors[ep] = math.nan
                return ep + 1, 2
            errors[ep] = err
            if err <= stop_error:
                return ep + 1, 1
        return len(rates), 0
    return run_blas


def _sequences(data: Any, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack sequences (each in any form ``as_dataset`` takes) into X, T and start rows."""
    parts = []
    try:
        items = list(data)
    except TypeError:
        raise InputError("data: sequences must be a list of sequences") from None
    for q, seq in enumerate(items):
        parts.append(as_dataset(seq, None, n_in, n_out, what=f"sequence {q}"))
    if not parts:
        raise InputError("data: no sequences")
    starts = np.zeros(len(parts) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(x) for x, _ in parts])
    return (np.concatenate([x for x, _ in parts]), np.concatenate([t for _, t in parts]),
            starts)


def _sequence_runner(engine: _core.Engine, X: np.ndarray, T: np.ndarray, starts: np.ndarray,
                     cost: Cost, stop_error: float, fresh: bool
                     ) -> Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[int, int]]:
    """Online training of a recurrent network, its state carried in the network."""
    starts = np.ascontiguousarray(starts, dtype=np.int64)

    def run(orders: np.ndarray, rates: np.ndarray, errors: np.ndarray) -> tuple[int, int]:
        return engine.train_sequences(X, T, starts, orders, rates, cost.code, stop_error,
                                      fresh, errors)
    return run


def test(net: Network, data: Any, targets: Any = None, cost: str = "mse") -> float:
    """Mean cost of the network's outputs over a data set (a recurrent network runs
    through it as one sequence, from its current state)."""
    plan = net._plan()
    X, T = as_dataset(data, targets, plan.n_inputs, plan.n_outputs)
    return get_cost(cost).value(net.activate(X), T, plan.softmax_outputs)
