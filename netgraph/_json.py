"""Writing and reading netgraph JSON: ``to_json``, ``from_json``, ``save``, ``load``.

The document format is described in ``_document``. Writing goes straight from the
graph to text: weights are gathered in bulk from the graph's array and written as the
shortest decimals that read back as the same float64 (Python's ``repr`` for rows,
pydantic-core's Ryu-based serializer for columns), so every number round-trips bit
for bit. The writer makes the same checks a reader makes: what ``save`` writes,
``load`` reads. ``save`` writes a temporary file next to the target and renames it
over the target, so the old file survives a crash or a kill mid-write.

Reading parses, upgrades old versions, checks everything (``NetworkDocument``) and
only then builds the network; any problem is a ``NetworkFormatError`` naming the
place. Large documents keep their synapses in columns, checked with numpy and added
to the graph in bulk.
"""

from __future__ import annotations

import gc
import json
import math
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

import numpy as np
from pydantic import ValidationError
from pydantic_core import to_json as _fast_json

from ._activations import get_activation
from ._document import (
    FLOAT_MAX,
    FORMAT,
    GRAPH_FIELDS,
    MAX_DEPTH,
    VERSION,
    Arrays,
    DocumentError,
    Metadata,
    TrainingState,
    check_structure,
    error_message,
)
from ._exceptions import ActivationError, NetworkFormatError, TopologyError
from ._files import write_atomically
from ._graph import ROLES, creation_order
from ._reader import CheckedDocument, check_members, parse_members

if TYPE_CHECKING:
    from ._network import Network

__all__ = ["MAX_BYTES", "ROWS_UP_TO", "from_json", "load", "read_document", "save", "to_json"]

MAX_BYTES = 512 * 1024 * 1024  # larger documents are refused unless max_bytes says otherwise
ROWS_UP_TO = 1000  # layout="auto" writes synapses as rows up to this many, else as columns
_BUILD_CHUNK = 1 << 14  # synapses per bulk insertion when loading (bounds its temporaries)

Layout = Literal["auto", "rows", "columns"]


# ====================================================================== writing
def _fail(message: str) -> NetworkFormatError:
    return NetworkFormatError(f"cannot write the network as JSON: {message}")


def _id_out(n: Any) -> str | int:
    if isinstance(n, str) or (isinstance(n, int) and not isinstance(n, bool)):
        return n
    if isinstance(n, np.integer):
        return int(n)
    raise _fail(f"neuron {n!r}: ids must be strings or integers, not {type(n).__name__}")


def _plain(value: Any, where: str, depth: int = 0) -> Any:
    """A copy of ``value`` as plain JSON data (numpy scalars become Python numbers)."""
    if depth > MAX_DEPTH:
        raise _fail(f"{where} is nested too deeply (more than {MAX_DEPTH} levels of lists "
                    "and dicts)")
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        if not -FLOAT_MAX <= value <= FLOAT_MAX:  # a reader takes every number as float64
            raise _fail(f"{where} is {int(value)!r:.40}, beyond float64's range")
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if not math.isfinite(x):
            raise _fail(f"{where} is {x}; JSON numbers must be finite")
        return x
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, list):
        return [_plain(x, f"{where}[{k}]", depth + 1) for k, x in enumerate(value)]
    if isinstance(value, Mapping):
        out = {}
        for k, x in value.items():
            if not isinstance(k, str):
                raise _fail(f"{where}: key {k!r} is not a string")
            out[k] = _plain(x, f"{where}[{k!r}]", depth + 1)
        return out
    raise _fail(f"{where} is a {type(value).__name__}, which JSON cannot hold (use strings, "
                "numbers, booleans, None, lists and dicts)")


def _neuron_out(n: Any, attrs: Any) -> tuple[dict[str, Any], str]:
    a = dict(attrs)
    record: dict[str, Any] = {"id": _id_out(n)}
    for key in ("role", "activation", "bias"):
        if key not in a:
            raise _fail(f"neuron {n!r} has no {key!r} attribute")
    bias = a.pop("bias")
    if isinstance(bias, bool) or not isinstance(bias, (int, float, np.integer, np.floating)):
        raise _fail(f"neuron {n!r} has bias {bias!r:.40}; biases are numbers")
    bias = float(bias)
    if not math.isfinite(bias):
        raise _fail(f"neuron {n!r} has bias {bias}; biases must be finite")
    role = a.pop("role")
    if role not in ROLES:
        raise _fail(f"neuron {n!r} has role {role!r}; expected one of {', '.join(ROLES)}")
    try:
        activation = get_activation(a.pop("activation")).name
    except ActivationError as e:
        raise _fail(f"neuron {n!r}: {e}") from None
    layer = a.pop("layer", role)
    if isinstance(layer, np.integer):
        layer = int(layer)
    if not (layer is None or isinstance(layer, str)
            or (isinstance(layer, int) and not isinstance(layer, bool))):
        raise _fail(f"neuron {n!r} has layer {layer!r}; layer labels must be strings, "
                    "integers or None")
    record.update(role=role, activation=activation, bias=bias, layer=layer)
    fixed = a.pop("fixed", False)
    if not isinstance(fixed, (bool, np.bool_)):
        raise _fail(f"neuron {n!r} has fixed={fixed!r}; expected True or False")
    if fixed:
        record["fixed"] = True
    if a:
        record["attrs"] = _plain(a, f"neuron {n!r} attribute")
    return record, role


class _Gathered:
    """A network's content in document order, ready to format."""

    def __init__(self, neurons: list[dict[str, Any]], arrays: Arrays) -> None:
        self.neurons = neurons
        self.ids = [r["id"] for r in neurons]
        self.arrays = arrays


class _Table:
    """All synapses in ``G.edges`` order: target indices, weights, and which have extra
    attributes (delay, gater, user keys)."""

    def __init__(self, m: int, n: int) -> None:
        self.dst = np.empty(m, dtype=np.int64)
        self.weight = np.empty(m, dtype=np.float64)
        self.missing = np.zeros(m, dtype=bool)  # synapses with no weight at all
        self.counts = np.zeros(n, dtype=np.int64)
        self.extras = False


def _synapse_table(G: Any, nodes: list[Any], lookup: Any) -> _Table:
    """Read the synapses in bulk.

    A NetGraph keeps each synapse's weight in slot ``_slot`` of one array; reading the
    slots (and checking, per source, that no attribute object holds anything but its
    slot) takes a few C-level passes instead of a Python call per synapse. A graph
    whose attribute objects look different is read through the public mapping API.
    """
    succ = G._succ
    t = _Table(sum(map(len, succ.values())), len(nodes))
    slots = np.empty(len(t.dst), dtype=np.int64)
    weights: np.ndarray | None = getattr(getattr(G, "_store", None), "weights", None)
    get_slot = attrgetter("_slot")
    last_keys: tuple[Any, ...] = ()
    targets = np.empty(0, dtype=np.int64)
    pos = 0
    for k, u in enumerate(nodes):
        nbrs = succ[u]
        c = len(nbrs)
        if not c:
            continue
        t.counts[k] = c
        # Neurons of one layer usually share their targets: reuse the previous lookup.
        keys = tuple(nbrs)
        if keys != last_keys:
            targets = np.fromiter(map(lookup, keys), np.int64, c)
            last_keys = keys
        t.dst[pos:pos + c] = targets
        values = nbrs.values()
        if weights is not None:
            try:
                slots[pos:pos + c] = np.fromiter(map(get_slot, values), np.int64, c)
                # Each attribute object refers to its class and its slot number, and to a
                # dict only if it holds extra keys: any other count means look closer.
                if not t.extras and len(gc.get_referents(*values)) != 2 * c:
                    t.extras = True
            except AttributeError:  # unexpected attribute objects: the slow, public way
                _from_slots(t, weights, slots[:pos], 0)
                weights = None
        if weights is None:
            got = [a.get("weight") for a in values]
            t.missing[pos:pos + c] = [w is None for w in got]
            t.weight[pos:pos + c] = [0.0 if w is None else _weight_out(w) for w in got]
            t.extras = t.extras or any(len(a) > 1 or "weight" not in a for a in values)
        pos += c
    if weights is not None:
        _from_slots(t, weights, slots, 0)
    return t


def _from_slots(t: _Table, weights: np.ndarray, slots: np.ndarray, start: int) -> None:
    """Weights from their slots; a negative slot is a synapse with no weight."""
    stop = start + len(slots)
    t.missing[start:stop] = slots < 0
    t.weight[start:stop] = weights[np.maximum(slots, 0)]


def _weight_out(w: Any) -> float:
    if isinstance(w, bool) or not isinstance(w, (int, float, np.integer, np.floating)):
        raise _fail(f"a synapse has weight {w!r:.40}; weights are numbers")
    try:
        return float(w)
    except OverflowError:
        return math.inf


def _gather(net: Network) -> _Gathered:
    """Read the network in bulk and check it as a reader would."""
    G = net.graph
    nodes = list(G._node)
    if not nodes:
        raise _fail("the network has no neurons")
    neurons, roles = [], []
    for n, a in G._node.items():
        record, role = _neuron_out(n, a)
        neurons.append(record)
        roles.append(role)
    index = {n: k for k, n in enumerate(nodes)}
    lookup = index.__getitem__
    t = _synapse_table(G, nodes, lookup)
    src, dst, weight = np.repeat(np.arange(len(nodes), dtype=np.int64), t.counts), t.dst, t.weight
    pred = G._pred
    if not _incoming_in_node_order(nodes, pred, lookup):
        psrc = np.fromiter((lookup(u) for v in nodes for u in pred[v]), np.int64, len(dst))
        pdst = np.repeat(np.arange(len(nodes), dtype=np.int64),
                         np.fromiter(map(len, (pred[v] for v in nodes)), np.int64, len(nodes)))
        perm = creation_order(src, dst, psrc, pdst)
        if perm is not None:
            src, dst, weight = src[perm], dst[perm], weight[perm]
            t.missing = t.missing[perm]
    for bad, what in ((t.missing, "no 'weight' attribute"), (~np.isfinite(weight), "weight")):
        k = int(np.argmax(bad)) if len(bad) else 0
        if len(bad) and bad[k]:
            u, v = nodes[int(src[k])], nodes[int(dst[k])]
            if what == "weight":
                what = f"weight {weight[k]}; weights must be finite"
            raise _fail(f"synapse {u!r} -> {v!r} has {what}")
    delay = gater = attrs = None
    if t.extras:
        delay, gater, attrs = _synapse_extras(G, nodes, index, src, dst)
    out = _Gathered(neurons, Arrays(src, dst, weight, delay, gater, attrs))
    for role in ("input", "output"):
        if role not in roles:
            raise _fail(f"the network has no {role} neuron (role {role!r})")
    try:
        check_structure(out.ids, roles, out.arrays, columnar=False)
    except DocumentError as e:
        raise _fail(e.detail) from None
    return out


def _incoming_in_node_order(nodes: list[Any], pred: Any, lookup: Any) -> bool:
    """Does every neuron list its incoming synapses with sources in node order?

    Then adding the synapses source by source reproduces every ``G.pred[v]`` order.
    """
    last: tuple[Any, ...] = ()
    for v in nodes:
        p = pred[v]
        c = len(p)
        if c < 2:
            continue
        keys = tuple(p)
        if keys == last:  # the same sources as the previous neuron: already checked
            continue
        s = np.fromiter(map(lookup, keys), np.int64, c)
        if not bool(np.all(s[1:] > s[:-1])):
            return False
        last = keys
    return True


def _synapse_extras(G: Any, nodes: list[Any], index: dict[Any, int], src: np.ndarray,
                    dst: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None,
                                              list[dict[str, Any] | None] | None]:
    m = len(src)
    delay = np.zeros(m, dtype=np.int8)
    gater = np.full(m, -1, dtype=np.int64)
    attrs: list[dict[str, Any] | None] = [None] * m
    for k, (i, j) in enumerate(zip(src.tolist(), dst.tolist(), strict=True)):
        u, v = nodes[i], nodes[j]
        a = dict(G._succ[u][v])
        a.pop("weight", None)
        d = a.pop("delay", 0)
        if d is not None:
            if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d not in (0, 1):
                raise _fail(f"synapse {u!r} -> {v!r} has delay {d!r}; delays are 0 or 1")
            delay[k] = int(d)
        g = a.pop("gater", None)
        if g is not None:
            if g not in index:
                raise _fail(f"synapse {u!r} -> {v!r} is gated by {g!r}, which is not a neuron")
            gater[k] = index[g]
        if a:
            attrs[k] = _plain(a, f"synapse {u!r} -> {v!r} attribute")
    return (delay if delay.any() else None, gater if (gater >= 0).any() else None,
            attrs if any(x is not None for x in attrs) else None)


def _training(net: Network, training: Any) -> dict[str, Any] | None:
    if training is None:
        training = net.graph.graph.get("training")
    if training is None:
        return None
    try:
        if isinstance(training, TrainingState):
            state = training
        else:
            state = TrainingState.model_validate(_plain(training, "training"))
    except ValidationError as e:
        raise _fail(f"training: {error_message(e)}") from None
    return state.model_dump(exclude_none=True) or None


def _metadata(net: Network, name: Any, description: Any, created: Any) -> dict[str, Any]:
    from . import __version__

    graph = net.graph.graph
    meta: dict[str, Any] = {}
    for key, value in (("name", name), ("description", description)):
        value = graph.get(key) if value is None else value
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            raise _fail(f"{key} must be a string, got {type(value).__name__}")
        meta[key] = value
    meta["netgraph_version"] = __version__
    if created is None:  # kept from the document the network was loaded from, or now
        created = graph.get("created") or datetime.now(UTC).replace(microsecond=0)
    if isinstance(created, datetime):
        if created.tzinfo is None:
            raise _fail(f"created={created!r} has no time zone; give one (e.g. "
                        "datetime.now(timezone.utc))")
        created = created.isoformat().replace("+00:00", "Z")
    meta["created"] = created
    try:  # what the reader checks, the writer checks
        Metadata.model_validate(meta)
    except ValidationError as e:
        raise _fail(f"metadata.{error_message(e)}") from None
    return meta


_ENCODER = json.JSONEncoder(ensure_ascii=True, allow_nan=False)
_dumps = _ENCODER.encode


def to_json(
    net: Network,
    *,
    layout: Layout = "auto",
    name: str | None = None,
    description: str | None = None,
    training: TrainingState | Mapping[str, Any] | None = None,
    created: datetime | str | None = None,
) -> str:
    """The network as netgraph JSON text (see ``Network.to_json``)."""
    return b"".join(_render(net, layout, name, description, training, created)).decode("ascii")


def _render(net: Network, layout: Layout, name: Any, description: Any, training: Any,
            created: Any) -> list[bytes]:
    """The document as a list of ASCII byte strings (joined, they are the JSON text)."""
    try:
        return _render_parts(net, layout, name, description, training, created)
    except RecursionError:
        raise _fail(f"an attribute is nested too deeply (more than {MAX_DEPTH} levels of "
                    "lists and dicts)") from None


def _render_parts(net: Network, layout: Layout, name: Any, description: Any, training: Any,
                  created: Any) -> list[bytes]:
    if layout not in ("auto", "rows", "columns"):
        raise ValueError(f"layout must be 'auto', 'rows' or 'columns', got {layout!r}")
    meta = _metadata(net, name, description, created)
    state = _training(net, training)
    graph_attrs: dict[str, Any] | None = {k: v for k, v in net.graph.graph.items()
                                          if k not in GRAPH_FIELDS}
    graph_attrs = _plain(graph_attrs, "graph attribute") if graph_attrs else None
    was_enabled = gc.isenabled()
    gc.disable()  # nothing here makes cycles; collections would rescan the whole graph
    try:
        g = _gather(net)
    finally:
        if was_enabled:
            gc.enable()
    rows = layout == "rows" or (layout == "auto" and len(g.arrays.source) <= ROWS_UP_TO)
    head = ["{", f'  "format": {_dumps(FORMAT)},', f'  "version": {VERSION},',
            f'  "metadata": {_dumps(meta)},', '  "neurons": [',
            ",\n".join("    " + _dumps(r) for r in g.neurons), "  ],\n"]
    parts = ["\n".join(head).encode("ascii")]
    parts += _rows(g) if rows else _columns(g)
    tail = ""
    if state is not None:
        tail += f',\n  "training": {_dumps(state)}'
    if graph_attrs:
        tail += f',\n  "attrs": {_dumps(graph_attrs)}'
    parts.append((tail + "\n}\n").encode("ascii"))
    return parts


def _rows(g: _Gathered) -> list[bytes]:
    """Synapses as one object per line, neurons named by id (for people)."""
    a, ids = g.arrays, g.ids
    if not len(a.source):
        return [b'  "synapses": []']
    lines = []
    for k, (i, j, w) in enumerate(zip(a.source.tolist(), a.target.tolist(), a.weight.tolist(),
                                      strict=True)):
        row: dict[str, Any] = {"source": ids[i], "target": ids[j], "weight": w}
        if a.delay is not None and a.delay[k]:
            row["delay"] = int(a.delay[k])
        if a.gater is not None and a.gater[k] >= 0:
            row["gater"] = ids[int(a.gater[k])]
        if a.attrs is not None and a.attrs[k] is not None:
            row["attrs"] = a.attrs[k]
        lines.append("    " + _dumps(row))
    return [('  "synapses": [\n' + ",\n".join(lines) + "\n  ]").encode("ascii")]


def _columns(g: _Gathered) -> list[bytes]:
    """Synapses as parallel lists, neurons named by index (for size and speed).

    pydantic-core's serializer writes each float as the shortest decimal that reads
    back as the same float64 (Ryu), several times faster than ``repr``.
    """
    a = g.arrays
    cols = [("source", a.source.tolist()), ("target", a.target.tolist()),
            ("weight", a.weight.tolist())]
    if a.delay is not None:
        cols.append(("delay", a.delay.tolist()))
    if a.gater is not None:
        cols.append(("gater", [None if x < 0 else x for x in a.gater.tolist()]))
    parts = [b'  "synapses": {\n']
    for k, (key, values) in enumerate(cols):
        parts += [b'    "' + key.encode("ascii") + b'": ', _fast_json(values),
                  b",\n" if k + 1 < len(cols) or a.attrs is not None else b"\n"]
    if a.attrs is not None:
        parts.append(f'    "attrs": {_dumps(a.attrs)}\n'.encode("ascii"))
    parts.append(b"  }")
    return parts


def save(net: Network, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write ``to_json(net, **options)`` to ``path`` atomically; return ``path`` as a
    ``Path`` (see ``Network.save``)."""
    unknown = set(options) - {"layout", "name", "description", "training", "created"}
    if unknown:
        raise TypeError(f"save() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    parts = _render(net, options.get("layout", "auto"), options.get("name"),
                    options.get("description"), options.get("training"), options.get("created"))
    write_atomically(path, parts)
    return Path(path)


# ====================================================================== reading
def _decode(source: Any, max_bytes: int) -> str:
    """The document's text; ``max_bytes`` bounds its size in bytes (UTF-8 for a str)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        size = memoryview(source).nbytes
        if size > max_bytes:
            raise DocumentError("", f"the document is {size} bytes, larger than max_bytes="
                                    f"{max_bytes} (raise max_bytes to read it)")
        try:
            return str(source, "utf-8-sig")
        except UnicodeDecodeError as e:
            from .interop._detect import foreign  # another format's bytes (ONNX)?

            raise DocumentError("", foreign(source) or f"not valid UTF-8 text: {e.reason} "
                                f"at byte {e.start}") from None
    if isinstance(source, str):
        # A character is at least one byte: count the bytes only when it could matter.
        if len(source) > max_bytes or (not source.isascii() and _utf8_size(source) > max_bytes):
            raise DocumentError("", f"the document is larger than max_bytes={max_bytes} bytes "
                                    "as UTF-8 (raise max_bytes to read it)")
        return source[1:] if source.startswith("\ufeff") else source
    raise DocumentError("", f"expected JSON text (str or bytes), got {type(source).__name__}")


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _check_max_bytes(max_bytes: Any) -> int:
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a whole number of bytes >= 1, got {max_bytes!r}")
    return max_bytes


def _read(box: list[Any], max_bytes: int) -> CheckedDocument:
    """Parse and check the document in ``box`` (emptied, so that the caller's reference
    does not keep the text alive once it is decoded)."""
    source = box.pop()
    if isinstance(source, dict):
        return check_members(source)
    text = _decode(source, max_bytes)
    del source
    members = parse_members(text)
    del text  # from here on the parsed form is all there is: the text can go
    try:
        return check_members(members, owned=True)
    except DocumentError as e:  # no format marker: say which format it is, if known
        from .interop._detect import foreign

        unknown = e.path == "format" and e.detail.endswith("not a netgraph network document")
        hint = foreign(members) if unknown and "format" not in members else None
        if hint is None:
            raise
    raise DocumentError("format", f"missing: {hint}")


def read_document(source: Any, *, max_bytes: int = MAX_BYTES) -> CheckedDocument:
    """Parse, upgrade and check a document (JSON text, bytes, or an already parsed dict)
    without building a network. Raises ``NetworkFormatError``.

    **Returns** a ``CheckedDocument``: ``metadata`` (``Metadata``), ``training``
    (``TrainingState`` or None), ``attrs``, ``nodes`` ((id, attributes) pairs),
    ``arrays`` (the synapses as index arrays) and ``columnar``.
    """
    _check_max_bytes(max_bytes)
    return _checked(_read, [source], max_bytes)


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _checked(fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    path: str | None = ""
    try:
        return fn(*args, **kwargs)
    except DocumentError as e:
        message, path = str(e), e.path
    except RecursionError:
        message = "the document is nested too deeply"
    # Raised out here, the error has no __context__ whose frames would keep the
    # refused document's text alive as long as the caller keeps the error.
    raise NetworkFormatError(message, path=path)


def _build(doc: CheckedDocument, network_class: type[Network] | None) -> Network:
    from ._network import Network

    net = (network_class or Network)()
    G = net.graph
    meta = doc.metadata
    if doc.attrs:
        G.graph.update(doc.attrs)
    if meta.name is not None:
        G.graph["name"] = meta.name
    if meta.description is not None:
        G.graph["description"] = meta.description
    if meta.created is not None:
        G.graph["created"] = meta.created  # kept by the next save
    if doc.training is not None:
        G.graph["training"] = doc.training.model_dump(exclude_none=True)
    ids = [n for n, _ in doc.nodes]
    G._add_neurons_fast(doc.nodes)  # checked: new distinct ids, finite float biases
    doc.nodes = []
    a = doc.arrays
    for start in range(0, len(a.source), _BUILD_CHUNK):
        stop = start + _BUILD_CHUNK
        edges = list(zip(map(ids.__getitem__, a.source[start:stop].tolist()),
                         map(ids.__getitem__, a.target[start:stop].tolist()), strict=True))
        G._add_synapses_fast(edges, a.weight[start:stop])
    special = a.delay is not None or a.gater is not None
    if a.attrs is not None:  # parallel synapses (in attrs) may be gated or delayed too
        special = special or any(x and "parallel" in x for x in a.attrs)
    if special or a.attrs is not None:
        for k in range(len(a.source)):
            attrs = G._succ[ids[int(a.source[k])]][ids[int(a.target[k])]]
            if a.attrs is not None and a.attrs[k]:
                attrs.update(a.attrs[k])
            if a.delay is not None and a.delay[k]:
                attrs["delay"] = int(a.delay[k])
            if a.gater is not None and a.gater[k] >= 0:
                attrs["gater"] = ids[int(a.gater[k])]
    if special:  # delays and gates are for the compiler to accept or refuse
        try:
            net._plan()
        except TopologyError as e:
            raise DocumentError("synapses", f"this version of netgraph cannot evaluate the "
                                            f"network: {e}") from None
    return net


def _load(box: list[Any], max_bytes: int, network_class: type[Network] | None) -> Network:
    doc = _read(box, max_bytes)
    was_enabled = gc.isenabled()
    gc.disable()  # a million new attribute objects would trigger pointless full collections
    try:
        return _build(doc, network_class)
    finally:
        if was_enabled:
            gc.enable()


def from_json(source: Any, *, max_bytes: int = MAX_BYTES,
              network_class: type[Network] | None = None) -> Network:
    """Build a network from netgraph JSON (see ``Network.from_json``)."""
    _check_max_bytes(max_bytes)
    return _checked(_load, [source], max_bytes, network_class)


def load(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES,
         network_class: type[Network] | None = None) -> Network:
    """Read a network saved with ``save`` (see ``Network.load``)."""
    _check_max_bytes(max_bytes)
    return _checked(_load, [_read_file(path, max_bytes)], max_bytes, network_class)


def _read_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    too_big = NetworkFormatError(f"{os.fspath(path)}: the document is larger than max_bytes="
                                 f"{max_bytes} bytes (raise max_bytes to read it)")
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > max_bytes:
            raise too_big
        data = f.read(size + 1)  # +1: notice a file that grew since fstat
        if len(data) > size:
            data += f.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:
        raise too_big
    return data
