"""Compile a NetGraph into a flat evaluation plan.

The plan is the graph in arrays: neurons in a deterministic topological order
(inputs first, in input order; then each neuron as early as its sources allow,
ties broken by the order neurons were added), and every synapse listed under its
target in that order (CSR layout), each target's synapses in the order they were
made. Compiling also relocates the graph's weights and biases into that layout
so the plan works on the graph's own arrays: no copy, nothing to go stale.

The plan holds numbers and indices only; no text from any document reaches code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import networkx as nx
import numpy as np

from ._activations import ACTIVATIONS, get_activation
from ._exceptions import ActivationError, CycleError, TopologyError
from ._graph import ROLES, NetGraph

INPUT, HIDDEN, OUTPUT = 0, 1, 2


@dataclass(frozen=True)
class Block:
    """Targets ``t0..t1-1`` all read sources ``s0..s1-1``, in order, with one activation.

    Their weights are ``weights[e0 : e0 + (t1-t0)*(s1-s0)]``, row-major [target, source]:
    a dense matrix over the graph's own storage.
    """

    t0: int
    t1: int
    s0: int
    s1: int
    e0: int
    code: int


@dataclass(eq=False)
class Plan:
    """A compiled view of one version of a graph.

    ``neurons[k]`` is the neuron at position k; inputs occupy positions
    ``0 .. n_inputs-1`` in input order. Synapses ``in_ptr[k] .. in_ptr[k+1]-1`` enter
    neuron k from positions ``in_src[...]``; ``weights[e]`` and ``biases[k]`` are views
    of the graph's own storage.
    """

    version: int
    neurons: list[Any]
    synapses: list[tuple[Any, Any]]
    index: dict[Any, int]
    in_ptr: np.ndarray
    in_src: np.ndarray
    codes: np.ndarray
    roles: np.ndarray
    n_inputs: int
    output_pos: np.ndarray
    output_index: np.ndarray  # for each position, its index among outputs or -1
    in_start: np.ndarray  # first source position if a neuron's sources are contiguous, else -1
    blocks: list[Block] | None  # the whole net as dense blocks, when it is layered
    graph: NetGraph = field(repr=False)
    kernels: ModuleType = field(repr=False)

    @property
    def weights(self) -> np.ndarray:
        return self.graph._store.weights[: len(self.synapses)]

    @property
    def biases(self) -> np.ndarray:
        return self.graph._store.biases[: len(self.neurons)]

    @property
    def arrays(self) -> tuple[np.ndarray, ...]:
        """The index arrays the kernels take, as one tuple (see ``_kernels``)."""
        return (self.in_ptr, self.in_src, self.in_start, self.codes, self.roles,
                self.output_index, self.output_pos)

    @property
    def n_outputs(self) -> int:
        return len(self.output_pos)


def _name(n: Any) -> str:
    return repr(n)


def check_neurons(G: nx.DiGraph) -> tuple[list[Any], list[Any]]:
    """Check every neuron's attributes; return (inputs, outputs) in graph order."""
    if G.number_of_nodes() == 0:
        raise TopologyError("the network has no neurons")
    inputs, outputs = [], []
    for n, a in G.nodes(data=True):
        for key in ("role", "activation", "bias"):
            if key not in a:
                raise TopologyError(f"neuron {_name(n)} has no {key!r} attribute")
        role = a["role"]
        if role not in ROLES:
            raise TopologyError(
                f"neuron {_name(n)} has role {role!r}; expected one of {', '.join(ROLES)}"
            )
        try:
            get_activation(a["activation"])
        except ActivationError as e:
            raise ActivationError(f"neuron {_name(n)}: {e}") from None
        if role == "input":
            inputs.append(n)
            if G.in_degree(n):
                src = next(iter(G.pred[n]))
                raise TopologyError(
                    f"input neuron {_name(n)} has an incoming synapse from {_name(src)}; "
                    "inputs only take the input value"
                )
        elif role == "output":
            outputs.append(n)
    if not inputs:
        raise TopologyError("the network has no input neuron (role 'input')")
    if not outputs:
        raise TopologyError("the network has no output neuron (role 'output')")
    return inputs, outputs


def check_synapses(G: nx.DiGraph) -> None:
    for u, v, a in G.edges(data=True):
        if "weight" not in a:
            raise TopologyError(f"synapse {_name(u)} -> {_name(v)} has no 'weight' attribute")
        if a.get("delay") or a.get("gater") is not None:
            raise TopologyError(
                f"synapse {_name(u)} -> {_name(v)} is delayed or gated; "
                "this version of netgraph evaluates feed-forward graphs only"
            )


def topological_order(G: nx.DiGraph, inputs: list[Any]) -> list[Any]:
    """Inputs first, then a topological order with ties broken by insertion order."""
    rank = {n: k for k, n in enumerate(G)}
    first = set(inputs)
    key = rank.__getitem__
    try:
        rest = [
            n
            for n in nx.lexicographical_topological_sort(G, key=key)
            if n not in first
        ]
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(G)
        path = " -> ".join(_name(u) for u, _ in cycle) + f" -> {_name(cycle[0][0])}"
        raise CycleError(f"cycle without a delayed synapse: {path}", list(cycle)) from None
    return list(inputs) + rest


def compile_plan(G: NetGraph) -> Plan:
    """Check ``G`` and compile it. Raises TopologyError / CycleError / ActivationError."""
    inputs, outputs = check_neurons(G)
    check_synapses(G)
    order = topological_order(G, inputs)
    index = {n: k for k, n in enumerate(order)}
    n = len(order)
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    synapses: list[tuple[Any, Any]] = []
    src: list[int] = []
    pred = G._pred
    for k, v in enumerate(order):
        for u in pred[v]:
            synapses.append((u, v))
            src.append(index[u])
        in_ptr[k + 1] = len(synapses)
    nodes = G.nodes
    codes = np.array([ACTIVATIONS[get_activation(nodes[v]["activation"]).name].code
                      for v in order], dtype=np.int64)
    role_code = {"input": INPUT, "hidden": HIDDEN, "output": OUTPUT}
    roles = np.array([role_code[nodes[v]["role"]] for v in order], dtype=np.int64)
    output_pos = np.array([index[o] for o in outputs], dtype=np.int64)
    output_index = np.full(n, -1, dtype=np.int64)
    output_index[output_pos] = np.arange(len(outputs))
    in_start = _contiguous_sources(in_ptr, np.array(src, dtype=np.int64))
    blocks = _blocks(in_ptr, in_start, codes, len(inputs))
    G._relocate(order, synapses)
    from . import _kernels  # numba loads on first compile, not at import

    return Plan(
        version=G.version,
        neurons=order,
        synapses=synapses,
        index=index,
        in_ptr=in_ptr,
        in_src=np.array(src, dtype=np.int64),
        codes=codes,
        roles=roles,
        n_inputs=len(inputs),
        output_pos=output_pos,
        output_index=output_index,
        in_start=in_start,
        blocks=blocks,
        graph=G,
        kernels=_kernels,
    )


def _contiguous_sources(in_ptr: np.ndarray, in_src: np.ndarray) -> np.ndarray:
    """For each neuron, its first source's position if its sources are s, s+1, ...; else -1.

    The kernels walk such neurons with unit-stride loops, which the compiler vectorizes.
    """
    n = len(in_ptr) - 1
    out = np.full(n, -1, dtype=np.int64)
    if len(in_src) == 0:
        return out
    # a step other than +1 between consecutive synapses of one neuron breaks the run
    breaks = np.zeros(len(in_src), dtype=np.int64)
    breaks[1:] = np.diff(in_src) != 1
    breaks[in_ptr[:-1][in_ptr[:-1] < len(in_src)]] = 0  # each neuron's first synapse
    counts = np.diff(in_ptr)
    has = counts > 0
    per_neuron = np.add.reduceat(breaks, in_ptr[:-1][has])
    ok = np.zeros(n, dtype=bool)
    ok[np.flatnonzero(has)] = per_neuron == 0
    out[ok] = in_src[in_ptr[:-1][ok]]
    return out


def _blocks(in_ptr: np.ndarray, in_start: np.ndarray, codes: np.ndarray, n_in: int
            ) -> list[Block] | None:
    """Cut the non-input neurons into dense blocks, or None if some neuron does not fit one."""
    blocks: list[Block] = []
    k, n = n_in, len(codes)
    while k < n:
        s0 = int(in_start[k])
        width = int(in_ptr[k + 1] - in_ptr[k])
        if s0 < 0:
            return None
        j = k + 1
        while (j < n and in_start[j] == s0 and in_ptr[j + 1] - in_ptr[j] == width
               and codes[j] == codes[k] and s0 + width <= k):
            j += 1
        if s0 + width > k:  # a block must not read its own targets
            return None
        blocks.append(Block(k, j, s0, s0 + width, int(in_ptr[k]), int(codes[k])))
        k = j
    return blocks
