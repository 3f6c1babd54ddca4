"""Training plans built straight from a genome's genes, for NEAT with learning.

``neat.Learn`` trains every genome of a generation. Building each genome's ``Network``
(a networkx graph, then its compiled plan) costs about a millisecond and a half of Python
per genome, more than the training itself. The kernels need none of it: they run on a
plan's index arrays, weights and biases. This module makes those arrays from the genes,
exactly as ``genome.network`` followed by compiling would lay them out (the same neuron
order, the same synapse order under each neuron, the same folded weights), so the
training gives the same bits as ``net.train`` on ``genome.network``.

A genome whose phenotype would train another way (a layered network large enough for
BLAS, a softmax output) or whose genes do not map one to one onto synapses is reported
as None: the caller builds its ``Network`` instead.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _core, _fast
from .._activations import SOFTMAX, get_activation
from .._compile import _blocks
from ..interop._neat import _activation, _weights
from ..interop._source import Where

__all__ = ["Trainable", "trainable"]

_I64 = np.int64


class _Store:
    """What an engine reads to tell a stale plan: a version that never changes (the
    arrays below are made once and never restructured)."""

    version = 0


_STORE = _Store()


@dataclass(eq=False)
class Trainable:
    """One genome's phenotype as the native kernels take it.

    ``engine`` runs it; ``weights``/``biases`` are the arrays the engine trains in place
    (plan order); ``keys[k]`` is the neuron key at position k (inputs first);
    ``gene[e]`` is synapse e's connection gene (index into the genome's connection arrays);
    ``fan_in[k]`` its number of synapses in; ``n_inputs``, ``n_synapses``, ``n_neurons``
    the sizes the optimizer's state needs."""

    engine: _core.Engine
    weights: npt.NDArray[np.float64]
    biases: npt.NDArray[np.float64]
    keys: list[int]
    gene: npt.NDArray[np.int64]
    fan_in: npt.NDArray[np.int64]
    n_inputs: int

    @property
    def n_synapses(self) -> int:
        return len(self.weights)

    @property
    def n_neurons(self) -> int:
        return len(self.biases)


class _PlanView:
    """The attributes of a ``Plan`` code reads off an engine made here (``engine.plan``)."""

    def __init__(self, n_inputs: int, arrays: tuple[npt.NDArray[np.int64], ...]) -> None:
        self.arrays = arrays  # Plan.arrays: in_ptr, in_src, in_start, codes, roles, ...
        output_pos = arrays[6]
        self.n_inputs = n_inputs
        self.output_pos = output_pos
        self.n_outputs = len(output_pos)
        self.recurrent = None
        self.feedforward = True
        self.blocks = None


def trainable(key: int, inputs: list[int], outputs: list[int], nodes: list[Any],
              conn_innovation: npt.NDArray[np.int64], lock: npt.NDArray[np.uint64]
              ) -> Trainable | None:
    """The native plan of the feed-forward phenotype ``interop._neat._build`` makes from
    ``expressed(genome, recurrent=False)``, without building it.

    **Arguments**
    - ``key``: the genome's key (named by an error).
    - ``inputs``, ``outputs``, ``nodes``: ``expressed``'s answer (input keys, output keys,
      the evaluated nodes in evaluation order with the links each reads).
    - ``conn_innovation``: the genome's connection genes' innovation numbers (sorted),
      to name each synapse's gene.
    - ``lock``: the lock array the engine takes (one may serve many engines held
      together).

    **Returns** a ``Trainable``, or None where the phenotype must be built instead.
    """
    output_set = set(outputs)
    evaluated = {node.key: node for node in nodes}
    hidden = [node for node in nodes if node.key not in output_set]
    ordered = hidden + [evaluated[k] for k in outputs if k in evaluated]
    where = Where(f"genome {key}")
    # the graph's insertion order: inputs, hidden nodes, then every output by key
    keys_in_order = list(inputs) + [node.key for node in hidden] + list(outputs)
    rank = {k: r for r, k in enumerate(keys_in_order)}
    if len(rank) != len(keys_in_order):
        return None
    bias = dict.fromkeys(keys_in_order, 0.0)
    code = dict.fromkeys(keys_in_order, get_activation("identity").code)
    pred: dict[int, list[tuple[int, float, int]]] = {k: [] for k in keys_in_order}
    succ: dict[int, list[int]] = {k: [] for k in keys_in_order}
    for node in ordered:
        b, ws = _weights(where, node)
        bias[node.key] = b
        code[node.key] = get_activation(_activation(node.activation)).code
        innovations = node.innovations or []
        if len(innovations) != len(node.links):
            return None
        seen = set()
        for (u, _), w, i in zip(node.links, ws, innovations, strict=True):
            if u not in rank or u == node.key or u in seen:
                return None  # a pair networkx would merge, or a node it would invent
            seen.add(u)
            pred[node.key].append((u, w, i))
            succ[u].append(node.key)
    # networkx's lexicographical topological sort keyed by insertion order: Kahn's
    # algorithm taking the earliest-inserted ready neuron each time
    indegree = {k: len(pred[k]) for k in keys_in_order}
    ready = [rank[k] for k in keys_in_order if indegree[k] == 0]
    heapq.heapify(ready)
    input_set = set(inputs)
    rest: list[int] = []
    while ready:
        k = keys_in_order[heapq.heappop(ready)]
        if k not in input_set:
            rest.append(k)
        for v in succ[k]:
            indegree[v] -= 1
            if indegree[v] == 0:
                heapq.heappush(ready, rank[v])
    order = list(inputs) + rest
    if len(order) != len(keys_in_order):
        return None  # a cycle: compiling would refuse it
    index = {k: p for p, k in enumerate(order)}
    n = len(order)
    ptr = [0]
    src: list[int] = []
    weights: list[float] = []
    innovation: list[int] = []
    # each neuron's first source if its sources run s, s+1, ... (_contiguous_sources's
    # answer, in plain Python: these plans are a few synapses, numpy's overhead dominates)
    start = [-1] * n
    for p, v in enumerate(order):
        first = len(src)
        for u, w, i in pred[v]:
            src.append(index[u])
            weights.append(w)
            innovation.append(i)
        ptr.append(len(src))
        if len(src) > first and all(src[e] == src[e - 1] + 1 for e in range(first + 1,
                                                                            len(src))):
            start[p] = src[first]
    codes = np.array([code[k] for k in order], dtype=_I64)
    if SOFTMAX.code in codes.tolist():
        return None
    in_ptr = np.array(ptr, dtype=_I64)
    in_src = np.array(src, dtype=_I64)
    in_start = np.array(start, dtype=_I64)
    if len(src) >= _fast.DENSE_MIN_SYNAPSES and \
            _blocks(in_ptr, in_start, codes, len(inputs)) is not None:
        return None  # this one trains through BLAS
    roles = [1] * n
    roles[:len(inputs)] = [0] * len(inputs)
    out_pos = [index[o] for o in outputs]
    out_index = [-1] * n
    for o, p in enumerate(out_pos):
        roles[p] = 2
        out_index[p] = o
    output_pos = np.array(out_pos, dtype=_I64)
    output_index = np.array(out_index, dtype=_I64)
    fixed = np.zeros(n, dtype=_I64)
    w_arr = np.array(weights, dtype=np.float64)
    b_arr = np.array([bias[k] for k in order], dtype=np.float64)
    gene = np.searchsorted(conn_innovation, np.array(innovation, dtype=_I64)).astype(_I64)
    state = (np.zeros(n), np.zeros(0), np.zeros(n), np.zeros(n), np.zeros(0), np.ones(0),
             np.zeros(0), np.zeros(0), np.zeros(n))
    arrays = (in_ptr, in_src, in_start, codes, np.array(roles, dtype=_I64), output_index,
              output_pos)
    engine = _core.Engine(
        _PlanView(len(inputs), arrays), (*arrays, fixed), None, len(inputs), len(w_arr),
        w_arr, b_arr, state, np.zeros(1, dtype=_I64), lock, _STORE, _STORE.version)
    fan_in = np.array([ptr[p + 1] - ptr[p] for p in range(n)], dtype=_I64)
    return Trainable(engine, w_arr, b_arr, order, gene, fan_in, len(inputs))
