"""Fitness for a NEAT run: data sets evaluated natively, and the evaluator protocol.

``pop.run(fitness, ...)`` takes four kinds of fitness (see ``Population.run``); this module
holds ``Dataset`` (fitness = offset - cost over a whole data set, for the whole population
in one native call), and the protocol of evaluators, which run a per-genome function
``fitness(genome, config) -> float`` (neat-python's ``ParallelEvaluator`` contract):

    class MyEvaluator:
        def evaluate(self, function, genomes, config) -> list[float]:
            ...   # function(genome, config) for each genome, in any order or place;
                  # return the fitnesses in the order of ``genomes``

``SerialEvaluator`` is the plain loop. Evaluators must not change the genomes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .._exceptions import InputError

__all__ = ["Dataset", "Evaluator", "SerialEvaluator", "check_fitness"]

_COSTS = ("sse", "mse", "mae", "sae")


class Dataset:
    """A data set whose fitness is ``offset - cost``, for every genome of a population in
    one native call (the GIL released).

    **Arguments**
    - ``X``: inputs, shape (rows, num_inputs) (a 1-D array is one column).
    - ``y``: targets, shape (rows, num_outputs) (a 1-D array is one column).
    - ``cost``: ``"sse"`` (sum of squared errors), ``"mse"`` (their mean over rows and
      outputs), ``"mae"`` (mean absolute error) or ``"sae"`` (sum of absolute errors).
    - ``offset``: the fitness of a perfect genome. neat-python's XOR example,
      ``fitness = 4 - sum((o - t)^2)``, is ``Dataset(X, y, cost="sse", offset=4.0)``.
    - ``threads``: native threads for the evaluation (1: the calling thread).

    ``"sse"`` and ``"sae"`` subtract each row's term in turn from ``offset``, exactly as
    neat-python's example writes ``genome.fitness -= (output[0] - xo[0]) ** 2``, so that
    callback and this data set give the same bits. A recurrent genome reads the rows as
    successive steps from a cleared state, as one ``RecurrentNetwork`` would.

    **Raises** ``InputError`` for shapes that do not match, non-finite values or an
    unknown cost.
    """

    def __init__(self, X: npt.ArrayLike, y: npt.ArrayLike, cost: str = "sse",
                 offset: float = 0.0, *, threads: int = 1) -> None:
        self.X = _matrix(X, "X")
        self.y = _matrix(y, "y")
        if self.X.shape[0] != self.y.shape[0]:
            raise InputError(f"X has {self.X.shape[0]} rows and y {self.y.shape[0]}")
        if self.X.shape[0] == 0:
            raise InputError("the data set has no rows")
        if cost not in _COSTS:
            raise InputError(f"cost {cost!r} is not one of {', '.join(_COSTS)}")
        offset = float(offset)
        if not math.isfinite(offset):
            raise InputError(f"offset {offset!r} is not a finite number")
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise InputError(f"threads must be a positive int, got {threads!r}")
        self.cost = cost
        self.offset = offset
        self.threads = threads

    @property
    def num_inputs(self) -> int:
        """Columns of X."""
        return int(self.X.shape[1])

    @property
    def num_outputs(self) -> int:
        """Columns of y."""
        return int(self.y.shape[1])

    def __call__(self, genome: Any, config: Any = None) -> float:
        """The fitness of one ``Genome``, evaluated natively: the per-genome form
        (``fitness(genome, config) -> float``) evaluators call. The same number the
        whole-population evaluation gives it."""
        from ._gated import dataset_fitness, neataptic_mode
        from ._native import COSTS, single_population

        native = single_population(genome)
        if neataptic_mode(genome.config.values):
            # a gated genome: natively as netgraph's recurrent kernel runs its network, or,
            # without a delayed, gated or self synapse, its network itself (see _gated)
            f, done = native.evaluate_gated(self.X, self.y, COSTS[self.cost], self.offset)
            if done[0]:
                return float(f[0])
            return dataset_fitness(genome.network, self.X, self.y, self.cost, self.offset)
        f = native.evaluate_dataset(self.X, self.y, COSTS[self.cost], self.offset, 1)
        return float(f[0])

    def __repr__(self) -> str:
        return (f"Dataset({self.X.shape[0]} rows, {self.num_inputs} -> {self.num_outputs}, "
                f"cost={self.cost!r}, offset={self.offset!r})")


def _matrix(a: npt.ArrayLike, name: str) -> npt.NDArray[np.float64]:
    try:
        m = np.array(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} is not an array of numbers") from None
    if m.ndim == 1:
        m = m[:, None]
    if m.ndim != 2:
        raise InputError(f"{name} must be 2-D (rows, columns), got shape {m.shape}")
    if not np.all(np.isfinite(m)):
        r, c = np.argwhere(~np.isfinite(m))[0]
        raise InputError(f"{name}[{r}, {c}] is {m[r, c]}, not a finite number")
    return np.ascontiguousarray(m)


class Evaluator(Protocol):
    """What ``pop.run(..., evaluator=...)`` needs: ``evaluate(function, genomes, config)``
    returning one fitness per genome, in order."""

    def evaluate(self, function: Callable[[Any, Any], float], genomes: Sequence[Any],
                 config: Any) -> Sequence[float]: ...


class SerialEvaluator:
    """Calls ``function(genome, config)`` for each genome in turn, in this process."""

    def evaluate(self, function: Callable[[Any, Any], float], genomes: Sequence[Any],
                 config: Any) -> list[float]:
        """**Returns** ``[function(g, config) for g in genomes]``."""
        return [function(g, config) for g in genomes]

    def __enter__(self) -> SerialEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def check_fitness(value: object, key: int) -> float:
    """A fitness a callback gave, as a float; ``InputError`` naming the genome when it is
    missing (None), not a number, NaN or infinite."""
    if value is None:
        raise InputError(f"genome {key}: the fitness function set no fitness (None)")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"genome {key}: fitness {value!r} is not a number")
    f = float(value)
    if not math.isfinite(f):
        # NaN and infinities break NEAT's fitness sharing (inf - inf): refused by name
        raise InputError(f"genome {key}: fitness is {f}, not a finite number")
    return f
