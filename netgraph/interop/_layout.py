"""How the exports lay a compiled plan out: levels of neurons computed together, and the
explicit state of a recurrent network's one-step form.

Every export (ONNX, torch, standalone code) reads the network through its compiled plan
(``Network._plan()``): neurons in topological order, synapses in CSR arrays. Reading the
CSR arrays, never ``graph.edges``, keeps parallel synapses (two CSR entries between one
pair of neurons) right.

**The state of a recurrent network** (one with delayed or gated synapses), shared by all
exports, is three arrays:

- ``state`` (n_neurons,): each neuron's state ``s`` (its weighted sum), in the order of
  ``StateLayout.neurons``; a self-connection feeds it back.
- ``activation`` (n_neurons,): each neuron's activation ``y`` after the last step; a
  delayed synapse reads it.
- ``gain`` (n_gated,): the gain of each gated synapse (``StateLayout.gated``): its
  gater's most recent activation, 1 before the gater first ran.

A fresh network (or ``net.clear(states=True)``) starts from states 0, activations 0 and
gains 1. Eligibility traces matter only for training and are not part of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._activations import ACTIVATION_NAMES
from .._compile import Plan

__all__ = ["Level", "StateLayout", "levels", "recurrent_view", "state_layout"]

_NAMES = list(ACTIVATION_NAMES)  # by code: softmax last


@dataclass(frozen=True)
class StateLayout:
    """What the explicit state of a recurrent export holds, position by position.

    ``neurons[k]`` is the neuron whose state and activation sit at position k (the
    compiled topological order: inputs first); ``gated[q]`` is the synapse
    ``(source, target)`` (``(source, target, key)`` for a parallel one) whose gain sits at
    position q, and ``gaters[q]`` its gater.
    ``recurrent`` is False for a feed-forward network, which has no state.
    """

    neurons: list[Any]
    gated: list[tuple[Any, ...]]
    gaters: list[Any]
    inputs: list[Any]
    outputs: list[Any]
    recurrent: bool


@dataclass(frozen=True)
class RecurrentView:
    """The plan's recurrent arrays, named, for code that evaluates one step.

    ``delay[e]`` for CSR synapse e; ``self_e[k]``: k's self-connection (a synapse index
    past the CSR ones) or -1; ``gain_of[c]``: the state slot of synapse c's gain, or -1
    if ungated; ``gater[c]``: its gater's position or -1; ``gate_ptr``/``gate_slot``:
    the gain slots each neuron sets after it runs (input neurons never run).
    """

    delay: np.ndarray
    self_e: np.ndarray
    gater: np.ndarray
    gain_of: np.ndarray
    gate_ptr: np.ndarray
    gate_slot: np.ndarray
    n_gated: int


def recurrent_view(plan: Plan) -> RecurrentView:
    """Name the arrays of ``plan.recurrent`` (see ``_compile._recurrent_arrays``)."""
    n, m, n_csr = len(plan.neurons), len(plan.synapses), len(plan.in_src)
    if plan.recurrent is None:
        return RecurrentView(np.zeros(n_csr, np.int64), np.full(n, -1, np.int64),
                             np.full(m, -1, np.int64), np.full(m, -1, np.int64),
                             np.zeros(n + 1, np.int64), np.zeros(0, np.int64), 0)
    R = plan.recurrent
    delay, self_e, gater = R[0], R[1], R[2]
    gated = np.flatnonzero(gater >= 0)
    gain_of = np.full(m, -1, dtype=np.int64)
    gain_of[gated] = np.arange(len(gated))
    lists: list[list[int]] = [[] for _ in range(n)]
    for c in gated:
        g = int(gater[c])
        if g >= plan.n_inputs:  # input neurons never run, so never set a gain
            lists[g].append(int(gain_of[c]))
    gate_ptr = np.zeros(n + 1, dtype=np.int64)
    gate_ptr[1:] = np.cumsum([len(x) for x in lists])
    gate_slot = np.array([q for x in lists for q in x], dtype=np.int64)
    return RecurrentView(delay, self_e, gater, gain_of, gate_ptr, gate_slot, len(gated))


def state_layout(net: Any) -> StateLayout:
    """Which neuron and which synapse each slot of an export's explicit state holds.

    **Arguments**
    - ``net``: a ``Network``.

    **Returns** a ``StateLayout``: ``neurons`` (the order of the ``state`` and
    ``activation`` arrays), ``gated`` and ``gaters`` (the order of the ``gain`` array),
    ``inputs`` and ``outputs`` (the order of the input and output vectors).
    """
    plan = net._plan()
    view = recurrent_view(plan)
    gated = [int(c) for c in np.flatnonzero(view.gain_of >= 0)]
    return StateLayout(
        neurons=list(plan.neurons),
        gated=[plan.synapses[c] for c in gated],
        gaters=[plan.neurons[int(view.gater[c])] for c in gated],
        inputs=list(plan.neurons[: plan.n_inputs]),
        outputs=[plan.neurons[int(k)] for k in plan.output_pos],
        recurrent=plan.recurrent is not None and not plan.feedforward,
    )


@dataclass(frozen=True)
class Level:
    """Neurons that depend only on neurons of earlier levels, computed together.

    ``targets``: their positions, grouped by activation (``groups``: (activation name,
    start, stop) slices of ``targets``). For each target, the terms of its sum:
    ``src``/``gain``/``weight`` of shape (len(targets), width), padded with
    ``src = gain = -1`` and ``weight = -1`` (a term that adds nothing). ``src`` and
    ``gain`` are *slots* (see ``levels``); ``weight`` indexes ``plan.weights``.
    """

    targets: np.ndarray
    groups: list[tuple[str, int, int]]
    src: np.ndarray
    gain: np.ndarray
    weight: np.ndarray

    @property
    def gated(self) -> bool:
        return bool((self.gain >= 0).any())


# Slots: where a term's factors come from, for a network of n neurons and g gated synapses.
#   [0, n)        this step's activation of neuron k (inputs: the input value)
#   [n, 2n)       the previous step's activation of neuron k (delayed synapses)
#   [2n, 3n)      the previous state of neuron k (self-connections)
#   [3n, 3n+g)    the gain kept in the state for gated synapse q
def levels(plan: Plan) -> list[Level]:
    """Cut the plan's non-input neurons into levels, each as early as its sources allow.

    A neuron depends on the sources of its undelayed synapses and on the gaters of its
    synapses that run before it (their gain is this step's activation); everything
    else it reads comes from the previous step.
    """
    n, n_in = len(plan.neurons), plan.n_inputs
    view = recurrent_view(plan)
    in_ptr, in_src, codes = plan.in_ptr, plan.in_src, plan.codes
    n_csr = len(in_src)
    dst = np.repeat(np.arange(n), np.diff(in_ptr))
    delayed = view.delay.astype(bool)

    def gain_slots(c: np.ndarray, j: np.ndarray) -> np.ndarray:
        q, g = view.gain_of[c], view.gater[c]
        ran = (g >= n_in) & (g < j)  # the gater ran earlier in this step: its activation
        return np.where(q < 0, -1, np.where(ran, g, 3 * n + q))

    # every term of every neuron's sum: its self-connection first, then its synapses
    selfs = np.flatnonzero(view.self_e >= 0)
    se = view.self_e[selfs]
    owner = np.concatenate([selfs, dst])
    src = np.concatenate([2 * n + selfs, np.where(delayed, n + in_src, in_src)])
    gain = np.concatenate([gain_slots(se, selfs), gain_slots(np.arange(n_csr), dst)])
    weight = np.concatenate([se, np.arange(n_csr)])
    order = np.argsort(owner, kind="stable")
    owner, src, gain, weight = owner[order], src[order], gain[order], weight[order]
    t_ptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(t_ptr, owner + 1, 1)
    t_ptr = np.cumsum(t_ptr)
    # what each term waits for: an undelayed source, a gater that ran earlier
    dep = np.maximum(np.where(src < n, src, -1), np.where((gain >= 0) & (gain < n), gain, -1))
    level = np.zeros(n + 1, dtype=np.int64)  # level[-1] = 0 stands for "nothing"
    for j in range(n_in, n):
        a, b = t_ptr[j], t_ptr[j + 1]
        level[j] = 1 + (level[dep[a:b]].max() if b > a else 0)
    level = level[:n]
    out: list[Level] = []
    for lv in range(1, int(level.max(initial=0)) + 1):
        members = np.flatnonzero(level == lv)
        members = members[np.argsort(codes[members], kind="stable")]
        mc = codes[members]
        cuts = np.flatnonzero(np.diff(mc)) + 1
        starts = np.concatenate([[0], cuts])
        stops = np.concatenate([cuts, [len(members)]])
        groups = [(_NAMES[int(mc[a])], int(a), int(b)) for a, b in zip(starts, stops,
                                                                         strict=True)]
        counts = t_ptr[members + 1] - t_ptr[members]
        width = max(1, int(counts.max()))
        rows = np.repeat(np.arange(len(members)), counts)
        first = np.repeat(t_ptr[members], counts)
        cols = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
        at = first + cols
        S = np.full((len(members), width), -1, dtype=np.int64)
        Gn, Wt = S.copy(), S.copy()
        S[rows, cols], Gn[rows, cols], Wt[rows, cols] = src[at], gain[at], weight[at]
        out.append(Level(members, groups, S, Gn, Wt))
    return out


def unique_sources(level: Level) -> tuple[np.ndarray, np.ndarray]:
    """The distinct source slots of a level, and each term's column among them (-1: pad)."""
    used = level.src[level.src >= 0]
    uniq = np.unique(used)
    col = np.full(level.src.shape, -1, dtype=np.int64)
    mask = level.src >= 0
    col[mask] = np.searchsorted(uniq, level.src[mask])
    return uniq, col


def float_text(values: Sequence[float] | np.ndarray) -> list[str]:
    """Each number as the shortest text that reads back as the same float64."""
    return [repr(float(v)) for v in values]
