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
from typing import Any

import networkx as nx
import numpy as np

from ._activations import SOFTMAX, get_activation
from ._exceptions import ActivationError, CycleError, TopologyError
from ._graph import ROLES, NetGraph, synapse_attrs

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
    synapses: list[tuple[Any, ...]]  # (u, v), or (u, v, k) for a parallel one (synapse_attrs)
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
    recurrent: tuple[np.ndarray, ...] | None  # see _recurrent_arrays; None: plain feed-forward
    feedforward: bool  # no delayed or gated synapse (fixed neurons allowed)
    fixed: np.ndarray  # 1 for neurons whose bias and incoming weights are never learned
    graph: NetGraph = field(repr=False)
    # the softmax group (``_activations.SOFTMAX``): its neurons' positions, normalized
    # together after each forward pass, and which outputs they are (a mask over outputs)
    softmax: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    softmax_outputs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        # Views of the graph's own storage. The store only swaps its arrays when it
        # grows or is relocated, and both change the graph's version, which retires
        # this plan first.
        self.weights = self.graph._store.weights[: len(self.synapses)]
        self.biases = self.graph._store.biases[: len(self.neurons)]

    @property
    def arrays(self) -> tuple[np.ndarray, ...]:
        """The index arrays the kernels take, as one tuple (see ``netgraph/_native/plan.h``)."""
        return (self.in_ptr, self.in_src, self.in_start, self.codes, self.roles,
                self.output_index, self.output_pos)

    @property
    def n_outputs(self) -> int:
        return len(self.output_pos)


def _name(n: Any) -> str:
    return repr(n)


def check_neurons(G: nx.DiGraph[Any]) -> tuple[list[Any], list[Any]]:
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
        if not isinstance(a.get("fixed", False), (bool, np.bool_)):
            raise TopologyError(f"neuron {_name(n)} has fixed={a['fixed']!r}; expected True or "
                                "False")
    if not inputs:
        raise TopologyError("the network has no input neuron (role 'input')")
    if not outputs:
        raise TopologyError("the network has no output neuron (role 'output')")
    return inputs, outputs


def check_synapses(G: nx.DiGraph[Any]) -> bool:
    """Check every synapse's attributes (parallel synapses too); return whether any is
    delayed or gated."""
    recurrent = False
    for u, v, main in G.edges(data=True):
        parallel = main.get("parallel") or ()
        if parallel and u == v:
            raise TopologyError(f"self-connection {_name(u)} -> {_name(v)} has parallel "
                                "synapses; a neuron has one self-connection")
        for k, a in enumerate((main, *parallel)):
            name = f"synapse {_name(u)} -> {_name(v)}" + (f" (parallel {k})" if k else "")
            if "weight" not in a:
                raise TopologyError(f"{name} has no 'weight' attribute")
            delay = a.get("delay", 0)
            if delay is None:
                delay = 0
            if isinstance(delay, bool) or delay not in (0, 1):
                raise TopologyError(f"{name} has delay {delay!r}; "
                                    "a delay is 0 (this step) or 1 (the previous step)")
            gater = a.get("gater")
            if gater is not None and gater not in G:
                raise TopologyError(f"{name} is gated by {_name(gater)}, "
                                    "which is not a neuron of the network")
            recurrent = recurrent or bool(delay) or gater is not None
    return recurrent


def undelayed(a: Any) -> bool:
    """Whether any synapse of this pair (the first or a parallel one) reads this step."""
    return not a.get("delay") or any(not p.get("delay") for p in a.get("parallel") or ())


def topological_order(G: nx.DiGraph[Any], inputs: list[Any], recurrent: bool = False) -> list[Any]:
    """Inputs first, then a topological order of the undelayed synapses, ties broken by
    insertion order."""
    rank = {n: k for k, n in enumerate(G)}
    first = set(inputs)
    key = rank.__getitem__
    if recurrent:  # delayed synapses read the previous step: they do not order neurons
        H: nx.DiGraph[Any] = nx.DiGraph()
        H.add_nodes_from(G)
        H.add_edges_from((u, v) for u, v, a in G.edges(data=True) if undelayed(a))
    else:
        H = G
    try:
        rest = [n for n in nx.lexicographical_topological_sort(H, key=key) if n not in first]
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(H)
        path = " -> ".join(_name(u) for u, _ in cycle) + f" -> {_name(cycle[0][0])}"
        raise CycleError(f"cycle without a delayed synapse: {path}", list(cycle)) from None
    return list(inputs) + rest


def compile_plan(G: NetGraph) -> Plan:
    """Check ``G`` and compile it. Raises TopologyError / CycleError / ActivationError."""
    inputs, outputs = check_neurons(G)
    recurrent = check_synapses(G)
    order = topological_order(G, inputs, recurrent)
    index = {n: k for k, n in enumerate(order)}
    n = len(order)
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    synapses: list[tuple[Any, ...]] = []
    src: list[int] = []
    pred = G._pred
    loops: list[Any] = []
    for k, v in enumerate(order):
        for u, a in pred[v].items():
            if u == v:  # self-connections sit apart: they feed back the state
                loops.append(v)
                continue
            synapses.append((u, v))
            src.append(index[u])
            parallel = a.get("parallel")
            if parallel:  # each its own synapse, right after the first (see synapse_attrs)
                synapses.extend((u, v, q) for q in range(1, len(parallel) + 1))
                src.extend([index[u]] * len(parallel))
        in_ptr[k + 1] = len(synapses)
    self_e = np.full(n, -1, dtype=np.int64)
    for v in loops:
        self_e[index[v]] = len(synapses)
        synapses.append((v, v))
    nodes = G.nodes
    codes = np.array([get_activation(nodes[v]["activation"]).code for v in order],
                     dtype=np.int64)
    role_code = {"input": INPUT, "hidden": HIDDEN, "output": OUTPUT}
    roles = np.array([role_code[nodes[v]["role"]] for v in order], dtype=np.int64)
    output_pos = np.array([index[o] for o in outputs], dtype=np.int64)
    output_index = np.full(n, -1, dtype=np.int64)
    output_index[output_pos] = np.arange(len(outputs))
    in_start = _contiguous_sources(in_ptr, np.array(src, dtype=np.int64))
    blocks = _blocks(in_ptr, in_start, codes, len(inputs))
    in_src = np.array(src, dtype=np.int64)
    fixed = np.array([1 if nodes[v].get("fixed") else 0 for v in order], dtype=np.int64)
    # Fixed neurons also take the general kernels: the feed-forward ones learn everything.
    gated = _recurrent_arrays(G, order, index, synapses, in_ptr, in_src, self_e, fixed) \
        if recurrent or fixed.any() else None
    softmax = np.flatnonzero(codes == SOFTMAX.code)
    if len(softmax):
        check_softmax(G, [order[k] for k in softmax], recurrent or bool(fixed.any()))
    G._relocate(order, synapses)

    return Plan(
        version=G.version,
        neurons=order,
        synapses=synapses,
        index=index,
        in_ptr=in_ptr,
        in_src=in_src,
        codes=codes,
        roles=roles,
        n_inputs=len(inputs),
        output_pos=output_pos,
        output_index=output_index,
        in_start=in_start,
        blocks=None if recurrent else blocks,
        recurrent=gated,
        feedforward=not recurrent,
        fixed=fixed,
        graph=G,
        softmax=softmax,
        softmax_outputs=codes[output_pos] == SOFTMAX.code,
    )


def check_softmax(G: NetGraph, group: list[Any], general: bool) -> None:
    """Refuse a softmax neuron where the group's normalization would be wrong: softmax
    couples the outputs after the forward pass, so each must be an output that nothing
    reads, in a feed-forward network whose neurons all learn (``general``: delayed, gated
    or fixed neurons, which take other kernels). Raises ActivationError naming the neuron."""
    for v in group:
        if G.nodes[v]["role"] != "output":
            raise ActivationError(
                f"neuron {_name(v)} is {G.nodes[v]['role']} with activation 'softmax'; softmax "
                "normalizes the output neurons together, so only output neurons may take it "
                "(use an element-wise activation such as 'logistic' or 'relu' here)")
        reader = next((w for w in G.succ[v]), None)
        if reader is not None:
            raise ActivationError(
                f"softmax output {_name(v)} has a synapse to {_name(reader)}; a softmax "
                "output's value is known only once the whole group is, so nothing may read it")
    if general:
        raise ActivationError(
            f"softmax output {_name(group[0])} is in a network with delayed, gated or fixed "
            "synapses or neurons; softmax outputs are for feed-forward networks")


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


def _recurrent_arrays(G: NetGraph, order: list[Any], index: dict[Any, int],
                      synapses: list[tuple[Any, ...]], in_ptr: np.ndarray, in_src: np.ndarray,
                      self_e: np.ndarray, fixed: np.ndarray) -> tuple[np.ndarray, ...]:
    """Index arrays for Synaptic's gated, self-connected neuron model (the native core's
    ``Gates``, ``netgraph/_native/plan.h``).

    Returns, as int64 arrays:
    0 ``in_delay[e]``: 1 if CSR synapse e reads its source's previous activation;
    1 ``self_e[k]``: the synapse index of k's self-connection, or -1;
    2 ``gater[c]``: position of synapse c's gater, or -1;
    3, 4 ``gate_ptr``/``gate_syn``: the synapses each neuron gates;
    5, 6, 7 ``out_ptr``/``out_syn``/``out_dst``: each neuron's outgoing synapses but its
      self-connection, for the error it takes back;
    8 ``pair_ptr``: for gater j, its pairs p = (j, k) over the neurons k it gates into;
    9 ``pair_k``, 10 ``pair_self`` (1 if j gates k's self-connection),
    11, 12 ``pair_c_ptr``/``pair_c``: the synapses into k that j gates (self included),
    13 ``pair_c_src``: their sources' positions,
    14 ``xt_off``: where pair p's extended traces (one per synapse into j) start;
    15 ``fixed[k]``: 1 if neuron k's bias and incoming weights are never learned.
    """
    n, m = len(order), len(synapses)
    in_delay = np.zeros(len(in_src), dtype=np.int64)
    gater = np.full(m, -1, dtype=np.int64)
    for c, key in enumerate(synapses):
        a = synapse_attrs(G, key)
        if c < len(in_src) and a.get("delay"):
            in_delay[c] = 1
        g = a.get("gater")
        if g is not None:
            gater[c] = index[g]
    gate_lists: list[list[int]] = [[] for _ in range(n)]
    for gated in np.flatnonzero(gater >= 0).tolist():
        gate_lists[int(gater[gated])].append(gated)
    gate_ptr, gate_syn = _csr(gate_lists)
    out_lists: list[list[int]] = [[] for _ in range(n)]
    for c in range(len(in_src)):
        out_lists[in_src[c]].append(c)
    out_ptr, out_syn = _csr(out_lists)
    dst = np.repeat(np.arange(n), np.diff(in_ptr))
    out_dst = dst[out_syn] if len(out_syn) else np.zeros(0, dtype=np.int64)
    pair_ptr = [0]
    pair_k: list[int] = []
    pair_self: list[int] = []
    pair_c: list[list[int]] = []
    xt_off: list[int] = []
    xt = 0
    for j in range(n):
        by_k: dict[int, list[int]] = {}
        for c in gate_lists[j]:
            k = index[synapses[c][1]]
            by_k.setdefault(k, []).append(c)
        for k, cs in sorted(by_k.items()):  # in activation order of k
            pair_k.append(k)
            pair_self.append(int(self_e[k] >= 0 and self_e[k] in cs))
            pair_c.append(cs)
            xt_off.append(xt)
            xt += int(in_ptr[j + 1] - in_ptr[j])
        pair_ptr.append(len(pair_k))
    pair_c_ptr, pair_c_flat = _csr(pair_c)
    pair_c_src = np.array([index[synapses[c][0]] for c in pair_c_flat], dtype=np.int64)
    i64 = np.int64
    return (in_delay, self_e, gater, gate_ptr, gate_syn, out_ptr, out_syn, out_dst.astype(i64),
            np.array(pair_ptr, dtype=i64), np.array(pair_k, dtype=i64),
            np.array(pair_self, dtype=i64), pair_c_ptr, pair_c_flat, pair_c_src,
            np.array([*xt_off, xt], dtype=i64), fixed)


def _csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    flat = np.array([c for x in lists for c in x], dtype=np.int64)
    return ptr, flat
