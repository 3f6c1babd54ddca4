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

from .._activations import ACTIVATIONS
from .._compile import Plan

__all__ = ["Level", "StateLayout", "levels", "recurrent_view", "state_layout"]

_NAMES = list(ACTIVATIONS)


@dataclass(frozen=True)
class StateLayout:
    """What the explicit state of a recurrent export holds, position by position.

    ``neurons[k]`` is the neuron whose state and activation sit at position k (the
    compiled topological order: inputs first); ``gated[q]`` is the synapse
    ``(source, target)`` whose gain sits at position q, and ``gaters[q]`` its gater.
    ``recurrent`` is False for a feed-forward network, which has no state.
    """

    neurons: list[Any]
    gated: list[tuple[Any, Any]]
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
    g_base = 3 * n
    level = np.zeros(n, dtype=np.int64)
    terms: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]

    def gain_slot(c: int, j: int) -> int:
        q = int(view.gain_of[c])
        if q < 0:
            return -1
        g = int(view.gater[c])
        if n_in <= g < j:  # the gater ran earlier in this step
            return g
        return g_base + q

    for j in range(n_in, n):
        lv = 0
        mine = terms[j]
        se = int(view.self_e[j])
        if se >= 0:
            gs = gain_slot(se, j)
            mine.append((2 * n + j, gs, se))
            if 0 <= gs < n:
                lv = max(lv, int(level[gs]))
        for e in range(int(in_ptr[j]), int(in_ptr[j + 1])):
            i = int(in_src[e])
            if view.delay[e]:
                src = n + i
            else:
                src = i
                lv = max(lv, int(level[i]))
            gs = gain_slot(e, j)
            if 0 <= gs < n:
                lv = max(lv, int(level[gs]))
            mine.append((src, gs, e))
        level[j] = lv + 1
    out: list[Level] = []
    for lv in range(1, int(level.max(initial=0)) + 1):
        members = np.flatnonzero(level == lv)
        members = members[np.argsort(codes[members], kind="stable")]
        groups: list[tuple[str, int, int]] = []
        start = 0
        for k in range(1, len(members) + 1):
            if k == len(members) or codes[members[k]] != codes[members[start]]:
                groups.append((_NAMES[int(codes[members[start]])], start, k))
                start = k
        width = max(1, max(len(terms[j]) for j in members))
        src = np.full((len(members), width), -1, dtype=np.int64)
        gain = np.full((len(members), width), -1, dtype=np.int64)
        weight = np.full((len(members), width), -1, dtype=np.int64)
        for r, j in enumerate(members):
            for t, (s, g, w) in enumerate(terms[j]):
                src[r, t], gain[r, t], weight[r, t] = s, g, w
        out.append(Level(members, groups, src, gain, weight))
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
