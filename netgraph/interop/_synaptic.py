"""Synaptic.js ``toJSON``/``fromJSON`` interchange.

Synaptic lists neurons in activation order, each with ``layer`` ("input",
"output" or a hidden layer's index) and ``squash``, and connections as
``{from, to, weight, gater}`` by neuron index. netgraph names the neurons
``i0.., h0.., o0..`` in that order, labels hidden layers ``hidden<index>`` and adds
the synapses in document order (which fixes each neuron's summation order).
"""

from __future__ import annotations

import json
import math
import warnings
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._exceptions import NetworkFormatError, SynapticFidelityWarning, TopologyError

if TYPE_CHECKING:
    from .._network import Network

SQUASHES = {"LOGISTIC": "logistic", "TANH": "tanh", "IDENTITY": "identity", "HLIM": "hlim",
            "RELU": "relu"}
_TO_SQUASH = {v: k for k, v in SQUASHES.items()}
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024


def _read(data: dict | str | PathLike) -> Any:
    if isinstance(data, dict):
        return data
    if isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8", errors="strict")
    if isinstance(data, str) and data.lstrip().startswith(("{", "[")):
        text = data
    elif isinstance(data, (str, PathLike)):
        path = Path(data)
        try:
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise NetworkFormatError(f"{path}: larger than {MAX_DOCUMENT_BYTES} bytes")
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise NetworkFormatError(f"cannot read {path}: {e.strerror or e}") from None
    else:
        raise NetworkFormatError(f"expected a dict, JSON text or a path, got {type(data).__name__}")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError, UnicodeDecodeError) as e:
        raise NetworkFormatError(f"not valid JSON: {e}") from None


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NetworkFormatError(f"{where}: expected a number, got {value!r:.60}")
    value = float(value)
    if not math.isfinite(value):
        raise NetworkFormatError(f"{where}: {value} is not a finite number")
    return value


def _index(where: str, value: Any, n: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise NetworkFormatError(f"{where}: expected a neuron index, got {value!r:.60}")
    if not 0 <= value < n:
        raise NetworkFormatError(f"{where}: unknown neuron {value} (there are {n})")
    return value


def from_synaptic(data: dict | str | PathLike) -> Network:
    """Build a Network from Synaptic's toJSON output (see ``Network.from_synaptic``)."""
    from .._network import Network

    doc = _read(data)
    if not isinstance(doc, dict):
        raise NetworkFormatError("a Synaptic network is a JSON object with neurons and connections")
    for key in ("neurons", "connections"):
        if not isinstance(doc.get(key), list):
            raise NetworkFormatError(f"{key}: expected a list")
    neurons, connections = doc["neurons"], doc["connections"]
    n = len(neurons)
    ids: list[str] = []
    attrs_list: list[dict[str, Any]] = []
    counts = {"input": 0, "hidden": 0, "output": 0}
    for k, neuron in enumerate(neurons):
        where = f"neurons[{k}]"
        if not isinstance(neuron, dict):
            raise NetworkFormatError(f"{where}: expected an object")
        layer = neuron.get("layer")
        if layer in ("input", "output"):
            role, label = layer, layer
        elif isinstance(layer, int) and not isinstance(layer, bool) and layer >= 0:
            role, label = "hidden", f"hidden{layer}"
        else:
            raise NetworkFormatError(f"{where}.layer: expected 'input', 'output' or a hidden "
                                     f"layer index, got {layer!r:.60}")
        squash = neuron.get("squash")
        if squash not in SQUASHES:
            raise NetworkFormatError(
                f"{where}.squash: {squash!r:.60} is not one of Synaptic's squash functions "
                f"({', '.join(SQUASHES)}); a custom function (null) cannot be imported")
        bias = _number(f"{where}.bias", neuron.get("bias"))
        ids.append(f"{role[0]}{counts[role]}")
        counts[role] += 1
        attrs_list.append({"bias": bias, "activation": SQUASHES[squash], "role": role,
                           "layer": label})
    edges = []
    for k, c in enumerate(connections):
        where = f"connections[{k}]"
        if not isinstance(c, dict):
            raise NetworkFormatError(f"{where}: expected an object")
        u = _index(f"{where}.from", c.get("from"), n)
        v = _index(f"{where}.to", c.get("to"), n)
        w = _number(f"{where}.weight", c.get("weight"))
        attrs: dict[str, Any] = {"weight": w}
        # Synaptic activates in list order: a synapse from a neuron that runs at or
        # after its target reads the previous step's value.
        if u >= v:
            attrs["delay"] = 1
        if c.get("gater") is not None:
            attrs["gater"] = ids[_index(f"{where}.gater", c.get("gater"), n)]
        edges.append((ids[u], ids[v], attrs))
    net = Network()
    G = net.graph
    G.add_nodes_from(zip(ids, attrs_list, strict=True))
    for u, v, a in edges:
        if G.has_edge(u, v):
            raise NetworkFormatError(f"connections: {u} -> {v} is listed twice")
        G.add_edge(u, v, **a)
    try:
        plan = net._plan()
    except TopologyError as e:
        raise NetworkFormatError(f"not a network netgraph can evaluate: {e}") from None
    _warn_stale_accumulator(G)
    if plan.recurrent is not None:  # carry Synaptic's state over
        net._ready()
        state = net._state
        assert state is not None
        for k, neuron in enumerate(neurons):
            pos = plan.index[ids[k]]
            for slot, key in ((0, "state"), (1, "old"), (2, "activation")):
                state[slot][pos] = _number(f"neurons[{k}].{key}", neuron.get(key, 0))
    return net


def stale_accumulator_neurons(G: Any) -> list[Any]:
    """Neurons whose training Synaptic's compiled mode gets wrong (the stale accumulator).

    A hidden neuron with inputs that both projects and gates sums its projected error
    in a scratch variable that Synaptic's generated code never resets (``aux``), so its
    error starts from whatever was last written there. netgraph starts the sum at 0.
    """
    gaters = {g for _, _, g in G.edges(data="gater") if g is not None}
    return [n for n in G if n in gaters and G.nodes[n]["role"] == "hidden"
            and any(u != n for u in G.pred[n]) and any(v != n for v in G.succ[n])]


def _warn_stale_accumulator(G: Any) -> None:
    hit = stale_accumulator_neurons(G)
    if hit:
        names = ", ".join(map(str, hit[:10])) + (f" and {len(hit) - 10} more" if len(hit) > 10
                                                 else "")
        warnings.warn(
            f"neurons {names} both project and gate: Synaptic's compiled mode trains them "
            "from a stale accumulator (its projected error starts from a leftover value); "
            "netgraph computes the defined rule (the sum starts at 0). Activation is the "
            "same; training differs.", SynapticFidelityWarning, stacklevel=3)


def to_synaptic(net: Network) -> dict[str, Any]:
    """Write a Network in Synaptic's toJSON format; see ``Network.to_synaptic``."""
    plan = net._plan()
    G = net.graph
    index = plan.index
    hidden_index: dict[Any, int] = {}
    neurons = []
    for n in plan.neurons:
        a = G.nodes[n]
        squash = _TO_SQUASH.get(a["activation"])
        if squash is None:
            raise NetworkFormatError(
                f"neuron {n!r} uses {a['activation']!r}, which Synaptic does not have "
                f"(it knows {', '.join(SQUASHES)})")
        if a["role"] == "hidden":
            layer: Any = hidden_index.setdefault(a["layer"], len(hidden_index))
        else:
            layer = a["role"]
        neurons.append({"trace": {"elegibility": {}, "extended": {}}, "state": 0, "old": 0,
                        "activation": 0, "bias": a["bias"], "layer": layer, "squash": squash})
    state = net._state if plan.recurrent is not None and net._state_version == plan.version \
        else None
    if state is not None:  # Synaptic keeps a recurrent net's state in its JSON
        for k in range(len(neurons)):
            neurons[k].update(state=float(state[0][k]), old=float(state[1][k]),
                              activation=float(state[2][k]))
    connections = []
    for u in plan.neurons:
        # Synaptic lists a neuron's self-connection after its projections
        succ = [(v, a) for v, a in G.succ[u].items() if v != u]
        succ += [(u, G.succ[u][u])] if u in G.succ[u] else []
        for v, a in succ:
            if index[v] <= index[u] and not a.get("delay"):
                raise NetworkFormatError(
                    f"synapse {u!r} -> {v!r} reads this step's value from a neuron that runs "
                    "later; Synaptic cannot express that")
            if a.get("delay") and index[u] < index[v]:
                raise NetworkFormatError(
                    f"synapse {u!r} -> {v!r} is delayed but runs forward; Synaptic cannot "
                    "express that")
            gater = a.get("gater")
            connections.append({"from": index[u], "to": index[v], "weight": a["weight"],
                                "gater": None if gater is None else index[gater]})
    return {"neurons": neurons, "connections": connections}
