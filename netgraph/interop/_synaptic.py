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
import os
import warnings
from os import PathLike
from typing import TYPE_CHECKING, Any

from .._exceptions import NetworkFormatError, SynapticFidelityWarning, TopologyError

if TYPE_CHECKING:
    from .._network import Network

SQUASHES = {"LOGISTIC": "logistic", "TANH": "tanh", "IDENTITY": "identity", "HLIM": "hlim",
            "RELU": "relu"}
_TO_SQUASH = {v: k for k, v in SQUASHES.items()}
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024


def _read(data: Any, max_bytes: int) -> Any:
    """The parsed document from a dict, JSON text, bytes, a path or a binary/text file,
    reading at most ``max_bytes`` from any source."""
    if isinstance(data, dict):
        return data
    where = "the document"
    if isinstance(data, str) and data.lstrip().startswith(("{", "[")):
        text: str | bytes = data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        text = bytes(data)
    elif isinstance(data, (str, PathLike)):
        where = os.fspath(data) if isinstance(data, str) else str(data)
        try:
            with open(data, "rb") as f:
                text = _read_capped(f, max_bytes, where)
        except OSError as e:
            raise NetworkFormatError(f"cannot read {where}: {e.strerror or e}") from None
        except ValueError as e:  # a NUL or other character no path can hold
            raise NetworkFormatError(f"cannot read {where!r:.80}: {e}") from None
    elif hasattr(data, "read"):
        where = str(getattr(data, "name", "the file"))
        text = _read_capped(data, max_bytes, where)
    else:
        raise NetworkFormatError("expected a dict, JSON text, bytes, a path or a file, got "
                                 f"{type(data).__name__}")
    if len(text) > max_bytes:
        raise NetworkFormatError(f"{where}: larger than {max_bytes} bytes (raise max_bytes "
                                 "to read it)")
    if isinstance(text, bytes):
        if b"\x00" in text:  # JSON never holds a NUL byte; UTF-16 and UTF-32 text does
            raise NetworkFormatError(f"{where}: not UTF-8 text (NUL at byte "
                                     f"{text.index(0)}: UTF-16 or UTF-32?)")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise NetworkFormatError(f"{where}: not UTF-8 text ({e.reason} at byte {e.start})"
                                     ) from None
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as e:
        raise NetworkFormatError(f"{where}: not valid JSON: {e.msg} at line {e.lineno} "
                                 f"column {e.colno}") from None
    except RecursionError:
        raise NetworkFormatError(f"{where}: not valid JSON: nested too deeply") from None


def _read_capped(f: Any, max_bytes: int, where: str) -> bytes | str:
    """Up to ``max_bytes`` + 1 from a file object, whatever its size claims (``/dev/zero``
    claims 0)."""
    try:
        data = f.read(max_bytes + 1)
    except OSError as e:
        raise NetworkFormatError(f"cannot read {where}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise NetworkFormatError(f"{where}: not UTF-8 text ({e.reason} at byte {e.start})"
                                 ) from None
    if not isinstance(data, (bytes, str)):
        raise NetworkFormatError(f"{where}: read() gave {type(data).__name__}, not text")
    return data


def _parse_int(digits: str) -> int | float:
    # Python refuses to convert integers of more than 4,300 digits; no weight, bias or
    # index needs more than a float holds, so a longer one becomes a float (infinite,
    # and refused by the check of the field that holds it).
    return int(digits) if len(digits) <= 4000 else float(digits)


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NetworkFormatError(f"{where}: expected a number, got {_show(value)}")
    try:
        value = float(value)
    except OverflowError:
        raise NetworkFormatError(f"{where}: {_show(value)} is too large for a float") from None
    if not math.isfinite(value):
        raise NetworkFormatError(f"{where}: {value} is not a finite number")
    return value


def _show(value: Any) -> str:
    """A short, printable rendering of a value from a document."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _looks_foreign(doc: dict[str, Any]) -> str | None:
    """What a document that is not Synaptic's looks like, or None."""
    if doc.get("format") == "netgraph-network":
        return "netgraph's own JSON (read it with Network.from_json or netgraph.load)"
    if isinstance(doc.get("nodes"), list) and "neurons" not in doc:
        return ("a Neataptic network (it has \"nodes\" where Synaptic has \"neurons\", "
                "as Neataptic's toJSON writes)")
    if isinstance(doc.get("sizes"), list) and isinstance(doc.get("layers"), list):
        return 'a brain.js network (it has "sizes" and "layers", as brain.js\'s toJSON writes)'
    return None


def _index(where: str, value: Any, n: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise NetworkFormatError(f"{where}: expected a neuron index, got {_show(value)}")
    if not 0 <= value < n:
        raise NetworkFormatError(f"{where}: unknown neuron {_show(value)} (there are {n})")
    return value


def from_synaptic(data: Any, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Network:
    """Build a Network from Synaptic's toJSON output (see ``Network.from_synaptic``).

    Every bad input raises ``NetworkFormatError`` naming the place; at most ``max_bytes``
    are read from any source.
    """
    from .._network import Network

    doc = _read(data, max_bytes)
    if not isinstance(doc, dict):
        raise NetworkFormatError("a Synaptic network is a JSON object with neurons and connections")
    foreign = _looks_foreign(doc)
    if foreign is not None:
        raise NetworkFormatError(f"not a Synaptic network: this looks like {foreign}")
    for key in ("neurons", "connections"):
        if not isinstance(doc.get(key), list):
            raise NetworkFormatError(f"{key}: expected a list")
    neurons, connections = doc["neurons"], doc["connections"]
    n = len(neurons)
    ids: list[str] = []
    attrs_list: list[dict[str, Any]] = []
    values: list[list[float]] = []  # each neuron's state, old, activation
    counts = {"input": 0, "hidden": 0, "output": 0}
    for k, neuron in enumerate(neurons):
        where = f"neurons[{k}]"
        if not isinstance(neuron, dict):
            raise NetworkFormatError(f"{where}: expected an object")
        layer = neuron.get("layer")
        if layer in ("input", "output"):
            role, label = layer, layer
        elif isinstance(layer, int) and not isinstance(layer, bool) and 0 <= layer < 2**32 - 1:
            role, label = "hidden", f"hidden{layer}"
        else:
            raise NetworkFormatError(f"{where}.layer: expected 'input', 'output' or a hidden "
                                     f"layer index, got {_show(layer)}")
        squash = neuron.get("squash")
        if not isinstance(squash, str) or squash not in SQUASHES:
            raise NetworkFormatError(
                f"{where}.squash: {_show(squash)} is not one of Synaptic's squash functions "
                f"({', '.join(SQUASHES)}); a custom function (null) cannot be imported")
        bias = _number(f"{where}.bias", neuron.get("bias"))
        values.append([_number(f"{where}.{key}", neuron.get(key, 0))
                       for key in ("state", "old", "activation")])
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
        for k in range(n):
            pos = plan.index[ids[k]]
            for slot in range(3):
                state[slot][pos] = values[k][slot]
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
