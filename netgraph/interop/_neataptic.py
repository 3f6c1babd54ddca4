"""Neataptic (1.4.7) ``network.toJSON()`` / ``Network.fromJSON`` interchange.

Neataptic keeps Synaptic's neuron: ``state = gain_self * w_self * state + bias +
sum(activation_from * weight * gain)``, ``activation = squash(state) * mask``, nodes
activated in list order, so that a connection from a node at or after its target reads
that node's previous activation (a delayed synapse in netgraph), a self-connection
feeds back the previous state, and a gate's gain is its gater's latest activation.
Inputs come first and take the input vector in order; outputs are read in node order.
A ``constant`` node is a hidden node whose bias and incoming weights never learn:
netgraph's ``fixed``.

What Neataptic keeps that netgraph does not model is named in a ``ConversionWarning``:
a dropout mask below 1 (what ``train`` leaves on hidden nodes: ``activate`` multiplies
their activation by it) is folded into the weights of the node's outgoing and gated
connections, which computes the same; the ``dropout`` rate itself is training state and
is not imported; a connection into an input node, which Neataptic never reads, is left
out. Neataptic's ``noTraceActivate`` ignores masks, so with masks below 1 it and
``activate`` differ; the import follows ``activate``.

Fresh networks agree step by step (gains start at 1 in both). Neataptic's ``clear()``
sets the gains of gated connections to 0, where netgraph's ``clear`` (like Synaptic's)
lets them read 1 until their gater runs. Training follows netgraph's (Synaptic's) rule,
not Neataptic's variant of the traces, and Neataptic's ``SOFTSIGN`` derivative
(``x / (1 + |x|)^2``) is not the derivative of its function; netgraph uses the true one.
"""

from __future__ import annotations

import heapq
import warnings
from typing import TYPE_CHECKING, Any

from .._exceptions import ConversionWarning, NetworkFormatError, TopologyError
from .._fast import reads_whole
from ._detect import FORMATS, detect_document
from ._source import MAX_BYTES, integer, mapping, number, read_json, sequence

if TYPE_CHECKING:
    from .._network import Network

__all__ = ["SQUASHES", "from_neataptic", "to_neataptic"]

SQUASHES = {
    "LOGISTIC": "logistic", "TANH": "tanh", "IDENTITY": "identity", "STEP": "step",
    "RELU": "relu", "SOFTSIGN": "softsign", "SINUSOID": "sinusoid", "GAUSSIAN": "gaussian",
    "BENT_IDENTITY": "bent_identity", "BIPOLAR": "bipolar",
    "BIPOLAR_SIGMOID": "bipolar_sigmoid", "HARD_TANH": "hard_tanh", "ABSOLUTE": "absolute",
    "INVERSE": "inverse", "SELU": "selu",
}
_TO_SQUASH = {v: k for k, v in SQUASHES.items()}
_TYPES = ("input", "hidden", "output", "constant")


def _warn(message: str) -> None:
    warnings.warn(message, ConversionWarning, stacklevel=3)


def _listing(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def from_neataptic(source: Any, *, max_bytes: int = MAX_BYTES) -> Network:
    """Read Neataptic's ``network.toJSON()`` document.

    **Arguments**
    - ``source``: the document as a dict, JSON text, bytes, or a path.
    - ``max_bytes``: refuse larger sources (default 512 MiB).

    **Returns** a ``Network`` whose ``activate`` equals Neataptic's ``activate``, step by
    step, from a fresh state (gated LSTMs and GRUs included). Neurons are named ``i0..``,
    ``h0..`` (hidden and constant nodes) and ``o0..`` in node order. Dropout masks are
    folded into weights and the dropout rate is dropped, each with a
    ``ConversionWarning`` naming it. Raises ``NetworkFormatError`` naming the place for
    anything else it cannot read (an unknown squash, a missing mask, ...).
    """
    from .._network import Network

    doc, where = read_json(source, max_bytes)
    found = detect_document(doc)
    if found not in (None, "neataptic"):
        raise where.error("", f"this is {FORMATS[found][0]}, not Neataptic JSON")
    if not isinstance(doc, dict):
        raise where.error("", "a Neataptic network is a JSON object with nodes and "
                              "connections")
    nodes = sequence(where, "nodes", doc.get("nodes"))
    connections = sequence(where, "connections", doc.get("connections"))
    n = len(nodes)
    n_in = integer(where, "input", doc.get("input"), 1, n)
    n_out = integer(where, "output", doc.get("output"), 1, n)
    dropout = number(where, "dropout", doc.get("dropout", 0))
    ids: list[str] = []
    kinds: list[str] = []
    masks: list[float] = []
    attrs: list[dict[str, Any]] = []
    counts = {"input": 0, "hidden": 0, "output": 0}
    for k, raw in enumerate(nodes):
        place = f"nodes[{k}]"
        node = mapping(where, place, raw)
        kind = node.get("type")
        if kind not in _TYPES:
            raise where.error(f"{place}.type", f"expected one of {', '.join(_TYPES)}, got "
                                               f"{kind!r:.40}")
        if (kind == "input") != (k < n_in):
            raise where.error(f"{place}.type", f"Neataptic gives input[k] to the node at "
                              f"position k: the first {n_in} nodes (input: {n_in}) must be "
                              "the input nodes, and only they")
        role = "hidden" if kind == "constant" else kind
        bias = number(where, f"{place}.bias", node.get("bias", 0))
        if kind == "input":  # Neataptic sets an input's activation: squash, mask unused
            activation, mask = "identity", 1.0
        else:
            squash = node.get("squash")
            if not isinstance(squash, str) or squash not in SQUASHES:
                raise where.error(f"{place}.squash", f"{squash!r:.60} is not one of "
                                  f"Neataptic's squash functions ({', '.join(SQUASHES)}); a "
                                  "custom function cannot be imported")
            activation = SQUASHES[squash]
            if "mask" not in node:
                raise where.error(f"{place}.mask", "missing (Neataptic multiplies the "
                                                   "activation by it)")
            mask = number(where, f"{place}.mask", node["mask"])
            if role == "output" and mask != 1.0:
                raise where.error(f"{place}.mask", f"{mask!r} on an output node: its "
                                  "activation is the network's output, so the mask cannot "
                                  "move into weights")
        ids.append(f"{role[0]}{counts[role]}")
        counts[role] += 1
        kinds.append(kind)
        masks.append(mask)
        a: dict[str, Any] = {"bias": bias, "activation": activation, "role": role,
                             "layer": role}
        if kind == "constant":
            a["fixed"] = True
        attrs.append(a)
    if counts["output"] != n_out:
        raise where.error("output", f"is {n_out}, but {counts['output']} nodes are outputs")

    def index(place: str, value: Any) -> int:
        return integer(where, place, value, 0, n - 1)

    edges: list[tuple[str, str, dict[str, Any]]] = []
    seen: set[tuple[int, int]] = set()
    into_inputs: list[str] = []
    for k, raw in enumerate(connections):
        place = f"connections[{k}]"
        c = mapping(where, place, raw)
        u = index(f"{place}.from", c.get("from"))
        v = index(f"{place}.to", c.get("to"))
        w = number(where, f"{place}.weight", c.get("weight"))
        gater = c.get("gater")
        g = None if gater is None else index(f"{place}.gater", gater)
        if (u, v) in seen:
            raise where.error(place, f"the connection {u} -> {v} is listed twice")
        seen.add((u, v))
        if kinds[v] == "input":
            into_inputs.append(f"{ids[u]} -> {ids[v]}")
            continue
        # activate() multiplies a node's activation by its mask: whatever reads that
        # activation (a connection from it, a gain it sets) carries the factor instead
        if u != v and kinds[u] != "input":
            w *= masks[u]
        if g is not None and kinds[g] != "input":
            w *= masks[g]
        a = {"weight": w}
        if u >= v:  # a node at or after its target: the previous step's value
            a["delay"] = 1
        if g is not None:
            a["gater"] = ids[g]
        edges.append((ids[u], ids[v], a))
    masked = [f"{ids[k]} ({masks[k]!r})" for k in range(n) if masks[k] != 1.0]
    if masked:
        _warn(f"Neataptic's dropout masks were folded into the weights of the connections "
              f"these nodes send or gate, computing what Neataptic's activate() computes: "
              f"{_listing(masked)}")
    if dropout:
        _warn(f"the dropout rate {dropout!r} is training state netgraph does not model; it "
              "was not imported")
    if into_inputs:
        _warn(f"connections into input nodes, which Neataptic never reads, were left out: "
              f"{_listing(into_inputs)}")
    net = Network()
    G = net.graph
    G.add_nodes_from(zip(ids, attrs, strict=True))
    G.add_edges_from(edges)
    try:
        net._plan()
    except TopologyError as e:
        raise where.error("", f"not a network netgraph can evaluate: {e}") from None
    return net


# ====================================================================== writing
class _Relay:
    """A node ``to_neataptic`` adds: it repeats ``source``'s activation (identity, bias 0,
    weight 1 in). A constant one lets whatever reads it before it runs read ``source``'s
    previous value; an output one stands for an output that must run early."""

    def __init__(self, source: Any, output: bool = False) -> None:
        self.source = source
        self.output = output

    def __repr__(self) -> str:
        return f"relay of {self.source!r}"


Synapse = tuple[Any, Any, dict[str, Any]]


def _with_relays(net: Network, pos: dict[Any, float]) -> tuple[list[Synapse], list[_Relay]]:
    """The synapses, each delayed one whose source netgraph runs first (or is an input)
    read through a relay of its source, which Neataptic can place after the target."""
    inputs = set(net.inputs)
    relays: dict[Any, _Relay] = {}
    synapses: list[Synapse] = []
    for v in net.graph:
        for u, a in net.graph.pred[v].items():
            if a.get("delay") and u != v and (u in inputs or pos[u] < pos[v]):
                if u not in relays:
                    relays[u] = _Relay(u)
                    pos[relays[u]] = pos[u] + 0.5
                synapses.append((relays[u], v, dict(a)))
            else:
                synapses.append((u, v, dict(a)))
    synapses += [(u, r, {"weight": 1.0}) for u, r in relays.items()]
    return synapses, list(relays.values())


def _order(net: Network, synapses: list[Synapse], relays: list[_Relay],
           pos: dict[Any, float], outputs: list[Any]) -> list[Any] | None:
    """The neurons (and relays) in an order Neataptic can activate them in: inputs first,
    ``outputs`` as late as possible and in their order, every undelayed synapse forward,
    every delayed one back, each gate's gater on the same side of its synapse's target as
    in netgraph. None if no order fits."""
    inputs = net.inputs
    rank: dict[Any, tuple[int, float]] = {n: (0, k) for k, n in enumerate(inputs)}
    rank.update({n: (2, k) for k, n in enumerate(outputs)})
    nodes = [*net.graph, *relays]
    after: dict[Any, set[Any]] = {n: set() for n in nodes}  # n -> what must follow n
    for u, v, a in synapses:
        if u == v:
            pass
        elif a.get("delay"):
            if u in rank and rank[u][0] == 0:
                return None  # an input runs first: nothing reads its previous value
            after[v].add(u)
        else:
            after[u].add(v)
        g = a.get("gater")
        if g is not None and g != v:
            if pos[g] < pos[v]:
                after[g].add(v)
            else:
                after[v].add(g)
    waiting = dict.fromkeys(nodes, 0)
    for n in nodes:
        for m in after[n]:
            waiting[m] += 1

    def key(n: Any) -> tuple[tuple[int, float], float]:
        return rank.get(n, (1, pos[n])), pos[n]

    heap = [(key(n), k, n) for k, n in enumerate(nodes) if waiting[n] == 0]
    heapq.heapify(heap)
    tie = {n: k for k, n in enumerate(nodes)}
    order: list[Any] = []
    while heap:
        _, _, n = heapq.heappop(heap)
        order.append(n)
        for m in after[n]:
            waiting[m] -= 1
            if waiting[m] == 0:
                heapq.heappush(heap, (key(m), tie[m], m))
    if len(order) < len(nodes) or order[: len(inputs)] != inputs:
        return None
    return order


@reads_whole
def to_neataptic(net: Network) -> dict[str, Any]:
    """Write a network as Neataptic's ``network.toJSON()`` (``Network.fromJSON`` reads it).

    **Returns** the document as a dict. Nodes are ordered so that Neataptic's list-order
    activation computes what netgraph computes: inputs first, outputs last, undelayed
    synapses forward, delayed ones backward. A delayed synapse no order can point
    backward (one from an input, or one beside an undelayed path the other way) reads a
    relay: a constant identity node repeating its source, placed after its target, as
    Neataptic's own memory layers do. Outputs that must run before a hidden neuron (or
    in another order than the network's) are read through identity output nodes at the
    end, with a ``ConversionWarning``. An activation Neataptic lacks raises
    ``NetworkFormatError`` naming the neuron. ``hlim`` is
    written as Neataptic's ``STEP`` (the same function; its derivative is 0 where
    Synaptic's ``hlim`` passes 1 back) with a ``ConversionWarning``, as is a fixed output
    (Neataptic's outputs always learn). A fixed hidden neuron becomes a ``constant`` node.
    """
    plan = net._plan()
    G = net.graph
    pos: dict[Any, float] = {n: float(k) for n, k in plan.index.items()}
    synapses: list[Synapse] = [(u, v, dict(a)) for v in G for u, a in G.pred[v].items()]
    relays: list[_Relay] = []
    outputs: list[Any] = net.outputs
    order = _order(net, synapses, relays, pos, outputs)
    if order is None:
        synapses, relays = _with_relays(net, pos)
        order = _order(net, synapses, relays, pos, outputs)
    if order is None:  # pragma: no cover - relays leave only netgraph's own order's rules
        raise NetworkFormatError("Neataptic activates nodes in one fixed order, and no "
                                 "order fits this network")
    if order[len(order) - len(outputs):] != outputs:
        early = [repr(n) for n in outputs if n not in order[len(order) - len(outputs):]]
        # Neataptic reads its outputs in node order and its propagate expects them last:
        # outputs that must run earlier are read through identity output nodes at the end
        relayed = [_Relay(n, output=True) for n in outputs]
        for r in relayed:
            pos[r] = len(pos) + 1.0
        synapses += [(r.source, r, {"weight": 1.0}) for r in relayed]
        relays += relayed
        outputs = relayed
        order = _order(net, synapses, relays, pos, outputs)
        assert order is not None  # sinks added to an order that fits
        _warn(f"Neataptic reads its outputs last, in order, but these outputs must run "
              f"earlier: {_listing(early)}; the outputs were written as identity output "
              "nodes repeating them, which compute the same (Neataptic's training would "
              "also train those nodes)")
    where = {n: k for k, n in enumerate(order)}
    nodes: list[dict[str, Any]] = []
    as_step: list[str] = []
    fixed_outputs: list[str] = []
    for k, n in enumerate(order):
        if isinstance(n, _Relay):
            nodes.append({"bias": 0.0, "type": "output" if n.output else "constant",
                          "squash": "IDENTITY", "mask": 1, "index": k})
            continue
        a = G.nodes[n]
        kind = "hidden" if a["role"] == "output" and n not in outputs else a["role"]
        if kind == "input":
            squash = "LOGISTIC"  # an input's squash is never called
        else:
            name = a["activation"]
            if name == "hlim":
                as_step.append(repr(n))
                name = "step"
            if name not in _TO_SQUASH:
                raise NetworkFormatError(
                    f"neuron {n!r} uses {a['activation']!r}, which Neataptic does not have "
                    f"(it has {', '.join(SQUASHES)})")
            squash = _TO_SQUASH[name]
            if a.get("fixed"):
                if a["role"] == "hidden":
                    kind = "constant"
                else:
                    fixed_outputs.append(repr(n))
        nodes.append({"bias": a["bias"], "type": kind, "squash": squash, "mask": 1,
                      "index": k})
    if as_step:
        _warn(f"hlim neurons were written as Neataptic's STEP, the same function with "
              f"derivative 0 where hlim passes 1 back: {_listing(as_step)}")
    if fixed_outputs:
        _warn(f"Neataptic's output nodes always learn; these fixed outputs will not stay "
              f"fixed there: {_listing(fixed_outputs)}")

    def record(u: Any, v: Any, a: dict[str, Any]) -> dict[str, Any]:
        g = a.get("gater")
        return {"weight": a["weight"], "from": where[u], "to": where[v],
                "gater": None if g is None else where[g]}

    # as Neataptic writes them: self-connections first, then the rest; each node's
    # incoming connections keep their order, which is the order they are summed in
    connections = [record(u, v, a) for u, v, a in synapses if u == v]
    connections += [record(u, v, a) for u, v, a in synapses if u != v]
    return {"nodes": nodes, "connections": connections, "input": len(net.inputs),
            "output": len(outputs), "dropout": 0}
