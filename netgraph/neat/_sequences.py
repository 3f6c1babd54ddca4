"""Fitness on sequence data: ``neat.Sequences``, for recurrent (and gated) genomes.

A ``Dataset`` reads its rows as one stream; ``Sequences`` holds many sequences and clears
each genome's state before every one of them, as a Python loop would call
``net.reset()`` between sequences. The whole population is evaluated in one native call
(``netgraph/_native/neat_seq.c``) with the GIL released.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._exceptions import InputError
from ._fitness import _COSTS

__all__ = ["Sequences"]

class Sequences:
    """Sequence data whose fitness is ``offset - cost`` over every scored step of every
    sequence, for every genome of a population in one native call (the GIL released).

    Each sequence starts from the cleared state (``RecurrentNetwork.reset()``, every
    node 0), and its steps are fed in order, one ``activate`` each; the outputs of a step
    are compared with that step's targets.

    **Arguments**
    - ``inputs``: the input sequences: a list of arrays, each of shape (steps,
      num_inputs) (a 1-D array is one input per step), or one 3-D array (sequences,
      steps, num_inputs). Sequences may differ in length.
    - ``targets``: the target sequences, in the same form, shape (steps, num_outputs)
      each, as many steps as the matching input sequence.
    - ``cost``: ``"mse"`` (the mean of squared errors over scored steps and outputs),
      ``"sse"`` (their sum), ``"mae"`` or ``"sae"`` (absolute errors), as ``Dataset``.
    - ``offset``: the fitness of a perfect genome.
    - ``washout``: how many steps at the start of each sequence are run but not scored
      (0: every step counts). Use it when early outputs cannot be right yet, e.g. while
      a signal travels through a recurrent network, one node per step. Every sequence
      must be longer than ``washout``.
    - ``threads``: native threads for the evaluation (1: the calling thread).

    Costs accumulate sequence by sequence, step by step, output by output, as
    ``Dataset`` does over its rows: a feed-forward genome scored on ``Sequences`` with
    ``washout=0`` gets the same bits as on the ``Dataset`` of all steps in turn; so does
    a recurrent genome on a single sequence. ``Sequences`` pickles (its arrays are
    plain numpy), so evaluators ship it as they ship a ``Dataset``.

    **Raises** ``InputError`` naming the offending sequence, step and column: ragged or
    mismatched shapes, widths that differ between sequences, empty sequences,
    non-finite values, an unknown cost, a bad ``washout`` or ``threads``.
    """

    def __init__(self, inputs: npt.ArrayLike | Sequence[npt.ArrayLike],
                 targets: npt.ArrayLike | Sequence[npt.ArrayLike], cost: str = "mse",
                 offset: float = 0.0, *, washout: int = 0, threads: int = 1) -> None:
        xs = _sequences(inputs, "inputs")
        ys = _sequences(targets, "targets")
        if len(xs) != len(ys):
            raise InputError(f"inputs has {len(xs)} sequences and targets {len(ys)}")
        for s, (x, y) in enumerate(zip(xs, ys, strict=True)):
            if x.shape[0] != y.shape[0]:
                raise InputError(f"sequence {s}: inputs has {x.shape[0]} steps and targets "
                                 f"{y.shape[0]}")
        if cost not in _COSTS:
            raise InputError(f"cost {cost!r} is not one of {', '.join(_COSTS)}")
        offset = float(offset)
        if not math.isfinite(offset):
            raise InputError(f"offset {offset!r} is not a finite number")
        if isinstance(washout, bool) or not isinstance(washout, (int, np.integer)) \
                or washout < 0:
            raise InputError(f"washout must be a non-negative int, got {washout!r}")
        for s, x in enumerate(xs):
            if x.shape[0] <= washout:
                raise InputError(f"sequence {s} has {x.shape[0]} steps, not more than "
                                 f"washout = {washout}: none of its steps would be scored")
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise InputError(f"threads must be a positive int, got {threads!r}")
        lengths = np.array([x.shape[0] for x in xs], dtype=np.int64)
        #: every step of every sequence, in turn: (total steps, num_inputs)
        self.X = np.ascontiguousarray(np.concatenate(xs))
        #: the targets of those steps: (total steps, num_outputs)
        self.Y = np.ascontiguousarray(np.concatenate(ys))
        #: sequence s is rows starts[s] .. starts[s + 1] of X and Y
        self.starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.cost = cost
        self.offset = offset
        self.washout = int(washout)
        self.threads = threads

    @property
    def num_inputs(self) -> int:
        """Inputs per step."""
        return int(self.X.shape[1])

    @property
    def num_outputs(self) -> int:
        """Targets per step."""
        return int(self.Y.shape[1])

    def __len__(self) -> int:
        """The number of sequences."""
        return int(self.starts.shape[0] - 1)

    def sequence(self, s: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """**Returns** sequence ``s`` as (inputs, targets), views of shape (steps, width)."""
        if not -len(self) <= s < len(self):
            raise InputError(f"sequence {s} does not exist ({len(self)} sequences)")
        s %= len(self)
        a, b = int(self.starts[s]), int(self.starts[s + 1])
        return self.X[a:b], self.Y[a:b]

    def _evaluate(self, native: Any, threads: int) -> Any:
        from ._native import COSTS

        return native.evaluate_sequences(self.X, self.Y, self.starts, self.washout,
                                         COSTS[self.cost], self.offset, threads)

    def __call__(self, genome: Any, config: Any = None) -> float:
        """The fitness of one ``Genome``, evaluated natively: the per-genome form
        (``fitness(genome, config) -> float``) evaluators call; the same number the
        whole-population evaluation gives it.

        **Arguments**
        - ``genome``: a ``netgraph.neat.Genome``. ``config``: accepted for the
          evaluators' signature (the genome knows its configuration).

        **Returns** its fitness, a float.
        """
        from ._gated import gated_outputs, neataptic_mode, sequence_fitness
        from ._native import single_population

        native = single_population(genome)
        if neataptic_mode(genome.config.values):  # a gated genome (see netgraph.neat._gated)
            from ._native import COSTS

            fits, done = native.evaluate_gated_sequences(self.X, self.Y, self.starts,
                                                         self.washout, COSTS[self.cost],
                                                         self.offset)
            if done[0]:
                return float(fits[0])
            out = gated_outputs(native, 0, lambda: genome, self.X, self.starts[:-1])
            return sequence_fitness(out, self.Y, self.starts, self.washout, self.cost,
                                    self.offset)
        return float(self._evaluate(native, 1)[0])

    def __repr__(self) -> str:
        return (f"Sequences({len(self)} sequences, {self.X.shape[0]} steps, "
                f"{self.num_inputs} -> {self.num_outputs}, cost={self.cost!r}, "
                f"offset={self.offset!r}, washout={self.washout})")


def _sequences(data: Any, name: str) -> list[npt.NDArray[np.float64]]:
    """The sequences of ``data`` as 2-D float arrays of one width."""
    if isinstance(data, np.ndarray) and data.ndim == 3:
        items: list[Any] = list(data)
    elif isinstance(data, np.ndarray):
        # a 2-D array could be one sequence or many of width 1: refused, not guessed
        raise InputError(f"{name} is an array of shape {data.shape}: give a list of "
                         "sequences or a 3-D array (sequences, steps, columns)")
    elif isinstance(data, (str, bytes)) or not isinstance(data, (Sequence, np.ndarray)):
        raise InputError(f"{name} must be a list of sequences or a 3-D array, got "
                         f"{type(data).__name__}")
    else:
        items = list(data)
    if not items:
        raise InputError(f"{name} holds no sequences")
    out = []
    width = None
    for s, item in enumerate(items):
        try:
            m = np.array(item, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"{name}[{s}] is not an array of numbers (ragged steps?)") \
                from None
        if m.ndim == 1:
            m = m[:, None]
        if m.ndim != 2:
            raise InputError(f"{name}[{s}] must be 2-D (steps, columns), got shape {m.shape}")
        if m.shape[0] == 0:
            raise InputError(f"{name}[{s}] has no steps")
        if width is None:
            width = m.shape[1]
        elif m.shape[1] != width:
            raise InputError(f"{name}[{s}] has {m.shape[1]} columns, {name}[0] {width}")
        if not np.all(np.isfinite(m)):
            r, c = np.argwhere(~np.isfinite(m))[0]
            raise InputError(f"{name}[{s}][{r}, {c}] is {m[r, c]}, not a finite number")
        out.append(m)
    return out
