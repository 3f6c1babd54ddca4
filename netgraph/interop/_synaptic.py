"""Synaptic.js ``toJSON``/``fromJSON`` interchange.

Synaptic lists neurons in activation order, each with ``layer`` ("input",
"output" or a hidden layer's index) and ``squash``, and connections as
``{from, to, weight, gater}`` by neuron index. netgraph names the neurons
``i0.., h0.., o0..`` in that order, labels hidden layers ``hidden<index>`` and adds
the synapses in document order (which fixes each neuron's summation order).
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import warnings
from os import PathLike
from typing import TYPE_CHECKING, Any

from .._exceptions import NetworkFormatError, SynapticFidelityWarning, TopologyError
from .._fast import reads_whole
from .._graph import synapse_attrs, synapse_keys
from ._detect import describe, detect_document

if TYPE_CHECKING:
    from .._network import Network

SQUASHES = {"LOGISTIC": "logistic", "TANH": "tanh", "IDENTITY": "identity", "HLIM": "hlim",
            "RELU": "relu"}
_TO_SQUASH = {v: k for k, v in SQUASHES.items()}
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024
_SPACE_OR_BOM = " \t\r\n\ufeff"


def _read(data: Any, max_bytes: int) -> Any:
    """The parsed document from a dict, JSON text, bytes, a path or a binary/text file,
    reading at most ``max_bytes`` from any source."""
    if isinstance(data, dict):
        return data
    where = "the document"
    if isinstance(data, str) and data.lstrip(_SPACE_OR_BOM).startswith(("{", "[")):
        # JSON text, maybe behind a byte order mark (text read with utf-8, not utf-8-sig)
        text: str | bytes = data.lstrip(_SPACE_OR_BOM)
    elif isinstance(data, (bytes, bytearray, memoryview)):
        text = bytes(data)
    elif isinstance(data, (str, PathLike)):
        where = os.fspath(data) if isinstance(data, str) else str(data)
        try:
            with open(data, "rb") as f:
                _refuse_by_size(f, max_bytes, where)
                text = _read_capped(f, max_bytes, where)
        except NetworkFormatError:
            raise
        except OSError as e:
            raise NetworkFormatError(f"cannot read {where}: {e.strerror or e}") from None
        except ValueError as e:  # a NUL or other character no path can hold
            raise NetworkFormatError(f"cannot read {where!r:.80}: {e}") from None
    elif hasattr(data, "read"):
        where = str(getattr(data, "name", "the file"))
        _refuse_by_size(data, max_bytes, where)
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


def _refuse_by_size(f: Any, max_bytes: int, where: str) -> None:
    """Refuse a regular file whose size left to read is over ``max_bytes`` before reading
    any of it (a pipe or device has no size to trust: ``_read_capped`` bounds those)."""
    try:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            return
        left = st.st_size - (f.tell() if f.seekable() else 0)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return  # no descriptor (BytesIO, a wrapper): read it capped
    if left > max_bytes:
        raise NetworkFormatError(f"{where}: larger than {max_bytes} bytes ({left} bytes; raise "
                                 "max_bytes to read it)")


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


class _LongInteger:
    """An integer literal of more digits than Python converts (4,300): no weight, bias or
    index needs a tenth of that, so it is kept as its length, for the message that
    refuses it where it is used."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"an integer of {self.digits} digits"


def _parse_int(digits: str) -> int | _LongInteger:
    return int(digits) if len(digits) <= 4000 else _LongInteger(len(digits.lstrip("-")))


def _number(where: str, value: Any) -> float:
    if isinstance(value, _LongInteger):
        raise NetworkFormatError(f"{where}: {value!r} is too large: not representable as a "
                                 "float64")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NetworkFormatError(f"{where}: expected a number, got {_show(value)}")
    try:
        x = float(value)
    except OverflowError:
        raise NetworkFormatError(f"{where}: {_show(value)} is too large: not representable "
                                 "as a float64") from None
    if not math.isfinite(x):
        raise NetworkFormatError(f"{where}: {x} is not a finite number")
    return x


def _show(value: Any) -> str:
    """A short, printable rendering of a value from a document."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
    fmt = detect_document(doc)
    if fmt not in (None, "synaptic"):
        raise NetworkFormatError(f"not a Synaptic network: this looks like {describe(fmt)}")
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
    parallel: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for k, (source, target, a) in enumerate(edges):
        if G.has_edge(source, target):
            # Synaptic makes a second u -> v synapse when u.project(v) finds v -> u first
            # (Liquid does): a parallel synapse with its own weight, gater and traces.
            if source == target:
                raise NetworkFormatError(f"connections[{k}]: the self-connection of {source} "
                                         "is listed twice")
            parallel.setdefault((source, target), []).append(a)
        else:
            G.add_edge(source, target, **a)
    for (source, target), extra in parallel.items():
        G[source][target]["parallel"] = extra
    try:
        plan = net._plan()
    except TopologyError as e:
        raise NetworkFormatError(f"not a network netgraph can evaluate: {e}") from None
    _warn_stale_accumulator(G)
    _warn_compiled_roles(G, list(G))  # Synaptic ran such neurons as extra inputs/outputs
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
    gaters = {a.get("gater") for _, a in _all_attrs(G)}
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


@reads_whole
def to_synaptic(net: Network, *, strict: bool = True) -> dict[str, Any]:
    """Write a Network in Synaptic's toJSON format; see ``Network.to_synaptic``."""
    plan = net._plan()
    G = net.graph
    pos = plan.index
    problems: list[str] = []  # what Synaptic's fromJSON would compute differently
    # fromJSON lists neurons by layer: inputs, hidden layers by index, outputs. Each run of
    # hidden neurons sharing a label becomes one Synaptic layer, so hidden order is kept.
    roles = [G.nodes[n]["role"] for n in plan.neurons]
    layer_of: dict[Any, Any] = {}
    runs, last = -1, object()
    for n, role in zip(plan.neurons, roles, strict=True):
        if role == "hidden":
            label = G.nodes[n].get("layer")
            if label != last or runs < 0:
                runs += 1
            layer_of[n], last = runs, label
        else:
            layer_of[n], last = role, object()
    rank = {"input": 0, "hidden": 1, "output": 2}
    order = sorted(plan.neurons, key=lambda n: (rank[G.nodes[n]["role"]], pos[n]))
    index = {n: k for k, n in enumerate(order)}
    keys = [key for u in plan.neurons for v in G.succ[u] for key in synapse_keys(G, u, v)]
    if order != plan.neurons:
        _check_order(G, keys, pos, index, problems)
    neurons = []
    for n in order:
        a = G.nodes[n]
        squash = _TO_SQUASH.get(a["activation"])
        if squash is None:
            raise NetworkFormatError(
                f"neuron {n!r} uses {a['activation']!r}, which Synaptic does not have "
                f"(it knows {', '.join(SQUASHES)})")
        if a.get("fixed"):
            problems.append(f"neuron {n!r} is fixed (its bias and incoming weights never "
                            "learn); Synaptic has no such neuron and would train it")
        neurons.append({"trace": {"elegibility": {}, "extended": {}}, "state": 0, "old": 0,
                        "activation": 0, "bias": a["bias"], "layer": layer_of[n],
                        "squash": squash})
    state = net._state if plan.recurrent is not None and net._state_version == plan.version \
        else None
    if state is not None:  # Synaptic keeps a recurrent net's state in its JSON
        for n in order:
            k = pos[n]
            neurons[index[n]].update(state=float(state[0][k]), old=float(state[1][k]),
                                     activation=float(state[2][k]))
    connections: list[dict[str, Any]] = []
    parallel_rows: list[dict[str, Any]] = []
    for u in order:
        # Synaptic lists a neuron's self-connection after its projections
        succ = [v for v in G.succ[u] if v != u] + ([u] if u in G.succ[u] else [])
        for v in succ:
            pair = synapse_keys(G, u, v)
            if len(pair) > 1 and not G.has_edge(v, u):
                problems.append(
                    f"synapse {u!r} -> {v!r} has {len(pair) - 1} parallel synapse(s) and "
                    f"there is no {v!r} -> {u!r}: Synaptic's fromJSON merges them into one "
                    f"(its project makes a second {u!r} -> {v!r} only after {v!r} -> {u!r})")
            for key in pair:
                syn = synapse_attrs(G, key)
                delayed = bool(syn.get("delay")) or u == v
                # in netgraph's own order (a change of order is a problem noted above)
                if pos[v] <= pos[u] and not delayed:
                    raise NetworkFormatError(
                        f"synapse {u!r} -> {v!r} reads this step's value from a neuron that "
                        "runs later; Synaptic cannot express that")
                if delayed and pos[u] < pos[v]:
                    raise NetworkFormatError(
                        f"synapse {u!r} -> {v!r} is delayed but runs forward; Synaptic cannot "
                        "express that")
                if u == v and syn["weight"] != 1:
                    problems.append(
                        f"self-connection {u!r} -> {u!r} has weight {syn['weight']!r}; "
                        "Synaptic's fromJSON sets every self-connection's weight to 1")
                gater = syn.get("gater")
                row = {"from": index[u], "to": index[v], "weight": syn["weight"],
                       "gater": None if gater is None else index[gater]}
                (connections if len(key) == 2 else parallel_rows).append(row)
    # fromJSON makes the rows in list order; u.project(v) makes a second u -> v only once
    # v -> u exists. Parallel rows come last, after every pair's first synapse.
    connections += parallel_rows
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        if strict:
            raise NetworkFormatError(f"Synaptic would compute this network differently: "
                                     f"{problems[0]}{more}; to_synaptic(strict=False) writes "
                                     "it anyway")
        warnings.warn("written for Synaptic, which will compute it differently: "
                      + "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)"
                                                   if len(problems) > 5 else ""),
                      SynapticFidelityWarning, stacklevel=3)
    _warn_compiled_roles(G, order)
    return {"neurons": neurons, "connections": connections}


def _check_order(G: Any, keys: list[tuple[Any, ...]], old: dict[Any, int],
                 new: dict[Any, int], problems: list[str]) -> None:
    """Synaptic runs outputs last. That changes nothing if every pair of neurons a synapse
    or a gate links keeps its order; name the first that does not."""
    def same(a: Any, b: Any) -> bool:
        return (old[a] < old[b]) == (new[a] < new[b]) and (old[a] > old[b]) == (new[a] > new[b])

    for key in keys:
        u, v = key[0], key[1]
        gater = synapse_attrs(G, key).get("gater")
        pairs = [(u, v)] + ([(gater, v), (gater, u)] if gater is not None else [])
        for a, b in pairs:
            if not same(a, b):
                first, second = (a, b) if old[a] < old[b] else (b, a)
                out = first if G.nodes[first]["role"] == "output" else second
                problems.append(
                    f"output neuron {out!r} runs before hidden neurons here, and Synaptic runs "
                    f"outputs last, which changes the order of {first!r} and {second!r} "
                    f"(synapse {u!r} -> {v!r}" + (f", gated by {gater!r})" if gater is not None
                                                  else ")"))
                return


def _warn_compiled_roles(G: Any, order: list[Any]) -> None:
    """E4: Synaptic's compiled mode takes a hidden neuron that neither projects nor gates
    for one more output, and one with no incoming synapse for one more input."""
    gaters = {a.get("gater") for key, a in _all_attrs(G)}
    dead = [n for n in order if G.nodes[n]["role"] == "hidden"
            and not any(v != n for v in G.succ[n]) and n not in gaters]
    sourceless = [n for n in order if G.nodes[n]["role"] != "input"
                  and not any(u != n for u in G.pred[n])]
    notes = []
    if dead:
        notes.append(f"hidden neuron(s) {', '.join(map(repr, dead[:5]))} feed nothing: "
                     "Synaptic's compiled mode treats each as one more output (it takes a "
                     "target and is returned by activate)")
    if sourceless:
        notes.append(f"neuron(s) {', '.join(map(repr, sourceless[:5]))} have no incoming "
                     "synapse: Synaptic's compiled mode treats each as one more input")
    if notes:
        warnings.warn("; ".join(notes), SynapticFidelityWarning, stacklevel=3)


def _all_attrs(G: Any) -> list[tuple[tuple[Any, ...], Any]]:
    return [(key, synapse_attrs(G, key)) for u, v in G.edges for key in synapse_keys(G, u, v)]
