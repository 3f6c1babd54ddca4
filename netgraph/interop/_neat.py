"""neat-python networks: ``export_network_json`` documents and genomes, read and written.

neat-python (2.0) evaluates a node as ``act(bias + response * agg(w_i * x_i))``. netgraph
sums ``bias + sum(w_i * x_i)``, so a node imports as one neuron whose synapse weights carry
the response (``response * w_i``; for ``mean``, ``response * w_i / n``): the same sum,
rounded once more (about 1e-16 relative; with neat's default response 1 not at all).
neat's activations scale and clamp their argument (its ``sigmoid`` is
``1/(1+exp(-clamp(5z, -60, 60)))``); each imports as netgraph's activation of the same
form (``neat_sigmoid``, ``neat_tanh``, ...; see ``_activations.py``), so nothing is folded
or approximated. Aggregations: ``sum`` and ``mean`` always; ``median`` of up to two
inputs (neat averages two); ``product``, ``max``, ``min``, ``maxabs`` and ``median``
wherever a node has at most one input, where they equal the sum (an empty ``product``
is 1, added to the bias as ``response``). Anything else is refused by name.

Which nodes exist and which connections they read follow neat-python's own ``create``:
``from_neat`` calls it, and ``export_network_json`` writes its result. A feed-forward
network evaluates in topological order. In a recurrent one (``RecurrentNetwork``) a
connection from an input reads the current input, and one from any other node reads
that node's value from the previous step: a delayed synapse in netgraph. A node's
connection to itself also reads its previous value, where netgraph's self-connection
feeds back the previous *state* (Synaptic's memory cell); such a loop goes through a
relay neuron ``"<key>:prev"`` (identity, bias 0, weight 1 in, the loop's weight out),
which computes exactly the same. A recurrent network's nodes without inputs are never
evaluated by neat-python and read 0: they are left out (an output among them becomes
an identity neuron with bias 0).

Neuron ids are neat's integer keys (inputs -1, -2, ..., outputs 0, 1, ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .._exceptions import NetworkFormatError, TopologyError
from .._fast import reads_whole
from ._detect import FORMATS, detect_document
from ._source import (
    MAX_BYTES,
    Where,
    boolean,
    integer,
    mapping,
    number,
    read_json,
    sequence,
    text,
)

if TYPE_CHECKING:
    from .._network import Network

__all__ = ["ACTIVATIONS", "AGGREGATIONS", "from_neat", "from_neat_json", "to_neat_json"]

# neat-python's built-in activations and the netgraph activation computing each exactly
ACTIVATIONS: dict[str, str] = {
    "sigmoid": "neat_sigmoid", "tanh": "neat_tanh", "sin": "neat_sin", "gauss": "neat_gauss",
    "relu": "relu", "elu": "elu", "lelu": "neat_lelu", "selu": "selu",
    "softplus": "neat_softplus", "identity": "identity", "clamped": "hard_tanh",
    "inv": "neat_inv", "log": "neat_log", "exp": "neat_exp", "abs": "absolute", "hat": "hat",
    "square": "square", "cube": "cube",
}
AGGREGATIONS = ("sum", "mean", "median", "product", "max", "min", "maxabs")

# netgraph activation -> (neat activation, a, c) with f(s) == neat_f(a * s + c): written as
# response a and bias a * bias + c. Exact for a = 1, c = 0; otherwise to rounding (and,
# for the clamped forms, beyond the clamp: logistic's error there is below 1e-26).
_TO_NEAT: dict[str, tuple[str, float, float]] = {
    **{ng: (neat, 1.0, 0.0) for neat, ng in ACTIVATIONS.items()},
    "logistic": ("sigmoid", 0.2, 0.0),
    "tanh": ("tanh", 0.4, 0.0),
    "bipolar_sigmoid": ("tanh", 0.2, 0.0),
    "gaussian": ("gauss", 1.0 / math.sqrt(5.0), 0.0),
    "inverse": ("identity", -1.0, 1.0),
    "brain_leaky_relu": ("relu", 0.01, 0.0),
}
FORMAT_VERSION = "1.0"
_KINDS = ("feedforward", "recurrent")


@dataclass
class _Node:
    key: int
    activation: str  # neat's name
    aggregation: str
    bias: float
    response: float
    links: list[tuple[int, float]] = field(default_factory=list)
    # each link's innovation number (netgraph.neat genomes), written on its synapse
    innovations: list[int] | None = None


@dataclass
class _Spec:
    """What neat-python evaluates: a network's inputs, outputs and evaluated nodes."""

    kind: str
    inputs: list[int]
    outputs: list[int]
    nodes: list[_Node]
    info: dict[str, Any] = field(default_factory=dict)


# ====================================================================== reading
def _function(where: Where, place: str, value: Any, kind: str, known: Any) -> str:
    if isinstance(value, str):  # tolerate the bare name
        value = {"name": value}
    value = mapping(where, place, value)
    name = text(where, f"{place}.name", value.get("name"))
    if "custom" in value and boolean(where, f"{place}.custom", value["custom"]):
        raise where.error(place, f"a custom {kind} {name!r:.40}: its code is not in the "
                                 "document, so it cannot be imported")
    if name not in known:
        raise where.error(f"{place}.name", f"{name!r:.40} is not one of neat-python's "
                                           f"{kind}s ({', '.join(known)})")
    return name


def _keys(where: Where, place: str, value: Any) -> list[int]:
    items = sequence(where, place, value)
    keys = [integer(where, f"{place}[{k}]", v) for k, v in enumerate(items)]
    if len(set(keys)) != len(keys):
        raise where.error(place, "a key is listed twice")
    return keys


def _spec_from_document(doc: Any, where: Where) -> _Spec:
    if not isinstance(doc, dict):
        raise where.error("", "a neat-python network is a JSON object")
    kind = doc.get("network_type")
    if kind == "ctrnn":
        raise where.error("network_type", "a CTRNN (continuous-time recurrent network): its "
                          "nodes integrate with time constants, which netgraph does not "
                          "model; only 'feedforward' and 'recurrent' networks import")
    if kind == "iznn":
        raise where.error("network_type", "an IZNN (spiking Izhikevich neurons), which "
                          "netgraph does not model; only 'feedforward' and 'recurrent' "
                          "networks import")
    if kind not in _KINDS:
        found = detect_document(doc)
        if found not in (None, "neat"):
            raise where.error("", f"this is {FORMATS[found][0]}, not neat-python JSON")
        raise where.error("network_type", f"expected 'feedforward' or 'recurrent', got "
                          f"{kind!r:.40}")
    version = doc.get("format_version", FORMAT_VERSION)
    if not isinstance(version, str) or version.split(".")[0] != "1":
        raise where.error("format_version", f"{version!r:.40} is not a version this reader "
                                            "knows (1.x)")
    topology = mapping(where, "topology", doc.get("topology"))
    inputs = _keys(where, "topology.input_keys", topology.get("input_keys"))
    outputs = _keys(where, "topology.output_keys", topology.get("output_keys"))
    for count, keys in (("num_inputs", inputs), ("num_outputs", outputs)):
        if count in topology and integer(where, f"topology.{count}", topology[count]) != \
                len(keys):
            raise where.error(f"topology.{count}", f"is {topology[count]}, but "
                              f"{len(keys)} keys are listed")
    if not inputs or not outputs:
        raise where.error("topology", "a network needs at least one input and one output")
    both = set(inputs) & set(outputs)
    if both:
        raise where.error("topology", f"key {min(both)} is both an input and an output")
    nodes: dict[int, _Node] = {}
    seen_inputs: set[int] = set()
    for k, raw in enumerate(sequence(where, "nodes", doc.get("nodes"))):
        place = f"nodes[{k}]"
        node = mapping(where, place, raw)
        key = integer(where, f"{place}.id", node.get("id"))
        role = node.get("type")
        if role not in ("input", "hidden", "output"):
            raise where.error(f"{place}.type", f"expected 'input', 'hidden' or 'output', got "
                                               f"{role!r:.40}")
        if key in nodes or key in seen_inputs:
            raise where.error(f"{place}.id", f"node {key} is listed twice")
        if (role == "input") != (key in inputs) or (role == "output") != (key in outputs):
            raise where.error(f"{place}.type", f"node {key} is {role!r}, but the topology's "
                              "input_keys and output_keys say otherwise")
        if role == "input":
            seen_inputs.add(key)
            continue
        nodes[key] = _Node(
            key,
            _function(where, f"{place}.activation", node.get("activation"), "activation",
                      ACTIVATIONS),
            _function(where, f"{place}.aggregation", node.get("aggregation"), "aggregation",
                      AGGREGATIONS),
            number(where, f"{place}.bias", node.get("bias")),
            number(where, f"{place}.response", node.get("response", 1.0)),
        )
    pairs: set[tuple[int, int]] = set()
    input_set = set(inputs)
    for k, raw in enumerate(sequence(where, "connections", doc.get("connections"))):
        place = f"connections[{k}]"
        c = mapping(where, place, raw)
        u = integer(where, f"{place}.from", c.get("from"))
        v = integer(where, f"{place}.to", c.get("to"))
        w = number(where, f"{place}.weight", c.get("weight"))
        if not boolean(where, f"{place}.enabled", c.get("enabled", True)):
            continue  # as neat-python's create: a disabled connection is not expressed
        if v not in nodes:
            raise where.error(f"{place}.to", f"node {v} is not among the network's nodes"
                              + (" (it is an input)" if v in input_set else ""))
        if u not in nodes and u not in input_set and kind == "feedforward":
            raise where.error(f"{place}.from", f"node {u} is neither an input nor one of the "
                                               "network's nodes")
        if (u, v) in pairs:
            raise where.error(place, f"the connection {u} -> {v} is listed twice")
        pairs.add((u, v))
        nodes[v].links.append((u, w))
    metadata = doc.get("metadata")
    info = {"network_type": kind}
    if isinstance(metadata, dict):
        info.update({k: v for k, v in metadata.items() if isinstance(k, str)
                     and (isinstance(v, (str, bool, int)) or
                          (isinstance(v, float) and math.isfinite(v)))
                     and not (isinstance(v, int) and abs(v) > 2**63)})
    return _Spec(kind, inputs, outputs, list(nodes.values()), info)


def _weights(where: Where, node: _Node) -> tuple[float, list[float]]:
    """The netgraph bias and weights computing ``bias + response * agg(w * x)``."""
    n, r = len(node.links), node.response
    agg = node.aggregation
    if agg == "sum" or (n <= 1 and agg in ("product", "max", "min", "maxabs")) or (
            agg in ("mean", "median") and n <= 1):
        bias = node.bias + r if (n == 0 and agg == "product") else node.bias
        return bias, [r * w for _, w in node.links]
    if agg == "mean" or (agg == "median" and n == 2):  # neat's median of two is their mean
        return node.bias, [r * w / n for _, w in node.links]
    raise where.error("", f"node {node.key} aggregates its {n} inputs with {agg!r}, which "
                          "a weighted sum cannot compute (sum and mean import; product, max, "
                          "min, maxabs and median only where a node has one input, median "
                          "also with two)")


def _activation(name: str) -> str:
    """The netgraph activation for a node's: neat-python's names map through ACTIVATIONS;
    a netgraph name (netgraph.neat's ``steep_sigmoid``) stands for itself."""
    return ACTIVATIONS.get(name, name)


def _build(spec: _Spec, where: Where) -> Network:
    from .._network import Network

    net = Network()
    G = net.graph
    evaluated = {node.key: node for node in spec.nodes}
    inputs = set(spec.inputs)
    for key in spec.inputs:
        G.add_node(key, bias=0.0, activation="identity", role="input", layer="input")
    outputs = set(spec.outputs)
    hidden = [n for n in spec.nodes if n.key not in outputs]
    ordered = hidden + [evaluated[k] for k in spec.outputs if k in evaluated]
    synapses: list[tuple[Any, Any, dict[str, Any]]] = []
    relays: list[int] = []
    params = {node.key: _weights(where, node) for node in ordered}
    for node in hidden:
        G.add_node(node.key, bias=params[node.key][0], activation=_activation(node.activation),
                   role="hidden", layer="hidden")
    # outputs in output-key order: their order in the graph is the output vector's
    for key in spec.outputs:
        if key in evaluated:
            G.add_node(key, bias=params[key][0],
                       activation=_activation(evaluated[key].activation), role="output",
                       layer="output")
        else:  # never computed by neat-python: reads 0 for ever
            G.add_node(key, bias=0.0, activation="identity", role="output", layer="output")
    for node in ordered:
        tags: list[dict[str, Any]] = [{} for _ in node.links] if node.innovations is None \
            else [{"innovation": i} for i in node.innovations]
        for (u, _), w, tag in zip(node.links, params[node.key][1], tags, strict=True):
            if spec.kind == "feedforward" or u in inputs:
                synapses.append((u, node.key, {"weight": w, **tag}))
            elif u == node.key:
                relays.append(u)
                synapses.append((f"{u}:prev", u, {"weight": w, "delay": 1, **tag}))
            elif u in evaluated:
                synapses.append((u, node.key, {"weight": w, "delay": 1, **tag}))
            # else: a node neat-python never evaluates, whose value stays 0
    for u in relays:
        G.add_node(f"{u}:prev", bias=0.0, activation="identity", role="hidden", layer="relay")
        synapses.append((u, f"{u}:prev", {"weight": 1.0}))
    # incoming order is summation order: add each neuron's synapses in neat's link order
    G.add_edges_from(synapses)
    G.graph["neat"] = spec.info
    try:
        net._plan()
    except TopologyError as e:
        raise where.error("", f"not a network netgraph can evaluate: {e}") from None
    return net


def from_neat_json(source: Any, *, max_bytes: int = MAX_BYTES) -> Network:
    """Read neat-python's ``neat.export.export_network_json`` format.

    **Arguments**
    - ``source``: the document as a dict, JSON text, bytes, or a path.
    - ``max_bytes``: refuse larger sources (default 512 MiB).

    **Returns** a ``Network`` computing what neat-python's ``FeedForwardNetwork`` or
    ``RecurrentNetwork`` computes, step by step (to rounding, ~1e-16 relative). Neuron ids
    are neat's keys; ``graph.graph["neat"]`` keeps the network type and the document's
    metadata (fitness, generation, ...). CTRNN and IZNN networks, custom activations and
    aggregations a weighted sum cannot compute are refused with ``NetworkFormatError``,
    naming the node.
    """
    doc, where = read_json(source, max_bytes)
    return _build(_spec_from_document(doc, where), where)


def _builtin_name(function: Any, module: Any, suffix: str, known: Any, key: int,
                  kind: str) -> str:
    name = getattr(function, "__name__", "?")
    base = name[: -len(suffix)] if name.endswith(suffix) else name
    if base in known and getattr(module, f"{base}{suffix}", None) is function:
        return base
    raise NetworkFormatError(f"node {key} uses {kind} {name!r:.40}, which is not one of "
                             f"neat-python's built-in {kind}s: its code cannot be imported")


def from_neat(genome: Any, config: Any, *, recurrent: bool = False) -> Network:
    """Import a neat-python genome, as neat-python's own ``create`` builds it.

    **Arguments**
    - ``genome``: a ``neat.DefaultGenome`` (e.g. ``population.run(...)``'s winner).
    - ``config``: the ``neat.Config`` it was evolved with.
    - ``recurrent``: False builds what ``neat.nn.FeedForwardNetwork.create`` builds, True
      what ``neat.nn.RecurrentNetwork.create`` builds (each drops disabled connections
      and the nodes it does not need in its own way; this follows it by calling it).

    **Returns** a ``Network`` whose ``activate`` equals neat-python's, step by step.
    Needs neat-python (``pip install 'netgraph-nn[neat]'``). CTRNN and IZNN networks are
    not supported; an IZNN genome is refused.
    """
    try:
        import neat
        import neat.activations
        import neat.aggregations
    except ImportError:
        raise ImportError("from_neat needs neat-python: pip install 'netgraph-nn[neat]' "
                          "(or pip install neat-python)") from None
    iz = getattr(getattr(neat, "iznn", None), "IZGenome", None)
    if iz is not None and isinstance(genome, iz):
        raise NetworkFormatError("an IZNN genome (spiking Izhikevich neurons), which netgraph "
                                 "does not model")
    maker = neat.nn.RecurrentNetwork if recurrent else neat.nn.FeedForwardNetwork
    try:
        made = maker.create(genome, config)
        evals = list(made.node_evals)
        inputs, outputs = list(made.input_nodes), list(made.output_nodes)
    except (AttributeError, KeyError, TypeError, ValueError, AssertionError,
            RuntimeError) as e:
        raise NetworkFormatError(f"neat-python could not build a network from this genome: "
                                 f"{type(e).__name__}: {e}") from None
    nodes = []
    for key, act, agg, bias, response, links in evals:
        nodes.append(_Node(
            int(key),
            _builtin_name(act, neat.activations, "_activation", ACTIVATIONS, key,
                          "activation"),
            _builtin_name(agg, neat.aggregations, "_aggregation", AGGREGATIONS, key,
                          "aggregation"),
            float(bias), float(response), [(int(u), float(w)) for u, w in links]))
    where = Where("genome")
    for node in nodes:
        for place, value in (("bias", node.bias), ("response", node.response)):
            if not math.isfinite(value):
                raise where.error(f"node {node.key}", f"{place} is {value}")
        for u, w in node.links:
            if not math.isfinite(w):
                raise where.error(f"connection {u} -> {node.key}", f"weight is {w}")
    kind = "recurrent" if recurrent else "feedforward"
    info: dict[str, Any] = {"network_type": kind}
    for attr in ("key", "fitness"):
        found = getattr(genome, attr, None)
        if isinstance(found, (int, float)) and not isinstance(found, bool) and \
                math.isfinite(found):
            info["genome_id" if attr == "key" else attr] = found
    return _build(_Spec(kind, inputs, outputs, nodes, info), where)


# ====================================================================== writing
def _neat_ids(net: Network, plan_order: list[Any]) -> dict[Any, int]:
    """netgraph id -> neat key: kept when they already follow neat's convention (inputs
    -1, -2, ..., outputs 0, 1, ..., other integers for the rest), else renumbered."""
    G = net.graph
    inputs, outputs = net.inputs, net.outputs
    others = [n for n in plan_order if G.nodes[n]["role"] == "hidden"]
    ints = all(isinstance(n, int) and not isinstance(n, bool) for n in plan_order)
    if ints and inputs == [-k - 1 for k in range(len(inputs))] and \
            outputs == list(range(len(outputs))) and all(n >= len(outputs) for n in others):
        return {n: n for n in plan_order}
    ids: dict[Any, int] = {n: -k - 1 for k, n in enumerate(inputs)}
    ids.update({n: k for k, n in enumerate(outputs)})
    ids.update({n: len(outputs) + k for k, n in enumerate(others)})
    return ids


def _relays(net: Network) -> dict[Any, Any]:
    """Relay neurons (what ``from_neat`` makes of a recurrent self-loop): identity, bias 0,
    one undelayed weight-1 synapse in from a non-input neuron, only delayed ones out.
    Maps each to the neuron it relays."""
    G = net.graph
    out: dict[Any, Any] = {}
    for r, a in G.nodes(data=True):
        if a["role"] != "hidden" or a["activation"] != "identity" or a["bias"] != 0.0:
            continue
        pred = list(G.pred[r])
        if len(pred) != 1 or pred[0] == r or G.nodes[pred[0]]["role"] == "input":
            continue
        s = G[pred[0]][r]
        if s["weight"] != 1.0 or s.get("delay") or s.get("gater") is not None:
            continue
        if G.succ[r] and all(e.get("delay") and e.get("gater") is None and v != r
                             for v, e in G.succ[r].items()):
            out[r] = pred[0]
    return out


@reads_whole
def to_neat_json(net: Network, *, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write a network in neat-python's ``export_network_json`` format (format 1.0).

    **Arguments**
    - ``net``: a feed-forward network, or a recurrent one whose every synapse from a
      non-input neuron is delayed (neat-python's ``RecurrentNetwork`` reads those from the
      previous step) and from an input is not. Gates and state-feeding self-connections
      (Synaptic's memory cells) have no neat-python form and are refused by name.
    - ``metadata``: extra entries for the document's ``metadata`` (fitness, ...).

    **Returns** the document as a dict (``json.dumps`` it to save it). Activations with a
    neat-python form are written as it: neat's own forms exactly, ``logistic`` as neat's
    ``sigmoid`` with response 0.2 (it computes ``sigmoid(5z)``), ``tanh`` with response
    0.4, ``inverse`` as ``identity`` with response -1, and so on, exact to rounding. Others
    (``hlim``, ``softsign``, ...) raise ``NetworkFormatError`` naming the neuron. Neurons
    whose ids are not neat's convention (inputs -1, -2, ...; outputs 0, 1, ...) are
    renumbered. ``fixed`` is training state neat-python does not have; it is not written.
    In a recurrent network a neuron without inputs gets a weight-0 connection from the
    first input: neat-python's ``RecurrentNetwork`` evaluates only nodes with one.
    """
    from .. import __version__

    plan = net._plan()
    G = net.graph
    relays = _relays(net) if not plan.feedforward else {}
    for u, v, a in G.edges(data=True):
        if a.get("gater") is not None:
            raise NetworkFormatError(f"synapse {u!r} -> {v!r} is gated by {a['gater']!r}; "
                                     "neat-python has no gates")
    kind = "feedforward" if plan.feedforward else "recurrent"
    order = [n for n in plan.neurons if n not in relays]
    ids = _neat_ids(net, order)
    inputs = set(net.inputs)
    links: dict[Any, list[tuple[Any, float]]] = {n: [] for n in order}
    for v in order:
        for u, a in G.pred[v].items():
            source = relays.get(u, u)
            delayed = bool(a.get("delay")) or u == v
            if kind == "recurrent":
                if u == v:
                    raise NetworkFormatError(
                        f"the self-connection of {v!r} feeds back its state (Synaptic's "
                        "memory cell); neat-python's self-connections read the previous "
                        "activation")
                if u in inputs and delayed:
                    raise NetworkFormatError(
                        f"synapse {u!r} -> {v!r} reads the previous input; neat-python's "
                        "recurrent networks read inputs as they are now")
                if u not in inputs and not delayed and u not in relays:
                    raise NetworkFormatError(
                        f"synapse {u!r} -> {v!r} reads this step's value; neat-python's "
                        "recurrent networks read every non-input neuron's previous value")
            if any(s == source for s, _ in links[v]):
                raise NetworkFormatError(f"{source!r} reaches {v!r} twice (once through a "
                                         "relay); neat-python has one connection per pair")
            links[v].append((source, a["weight"]))
    nodes: list[dict[str, Any]] = []
    connections: list[dict[str, Any]] = []
    for n in order:
        a = G.nodes[n]
        if a["role"] == "input":
            continue
        form = _TO_NEAT.get(a["activation"])
        if form is None:
            raise NetworkFormatError(
                f"neuron {n!r} uses {a['activation']!r}, which neat-python cannot compute "
                f"(it can: {', '.join(sorted(_TO_NEAT))})")
        name, scale, shift = form
        if kind == "recurrent" and not links[n]:
            # neat-python's RecurrentNetwork evaluates only nodes with a connection in (a
            # node without one reads 0); a weight-0 one from an input makes it compute
            # act(bias), as netgraph does
            links[n].append((net.inputs[0], 0.0))
        nodes.append({
            "id": ids[n], "type": a["role"],
            "activation": {"name": name, "custom": False},
            "aggregation": {"name": "sum", "custom": False},
            "bias": a["bias"] if scale == 1.0 and shift == 0.0 else scale * a["bias"] + shift,
            "response": scale,
        })
        connections.extend({"from": ids[u], "to": ids[n], "weight": w, "enabled": True}
                           for u, w in links[n])
    for n in net.inputs:
        nodes.append({"id": ids[n], "type": "input",
                      "activation": {"name": "identity", "custom": False},
                      "aggregation": {"name": "none", "custom": False},
                      "bias": 0.0, "response": 1.0})
    meta: dict[str, Any] = {
        "created_timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "exported_by": f"netgraph {__version__}",
    }
    source_info = G.graph.get("neat")
    if isinstance(source_info, dict):  # what an import kept (fitness, genome_id, ...)
        meta.update({k: v for k, v in source_info.items()
                     if k not in ("network_type", "created_timestamp", "neat_python_version")})
    meta.update(metadata or {})
    return {
        "format_version": FORMAT_VERSION,
        "network_type": kind,
        "metadata": meta,
        "topology": {"num_inputs": len(net.inputs), "num_outputs": len(net.outputs),
                     "input_keys": [ids[n] for n in net.inputs],
                     "output_keys": [ids[n] for n in net.outputs]},
        "nodes": nodes,
        "connections": connections,
    }
