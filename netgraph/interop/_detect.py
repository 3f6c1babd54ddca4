"""Which format is this? netgraph, Synaptic, Neataptic, brain.js, neat-python or ONNX.

``detect`` looks at a document's shape (its keys, never its values' meaning) and names
the format, or returns None. ONNX is recognised from its bytes (a protobuf ``ModelProto``
with an IR version and a graph) without importing ``onnx``. ``describe`` gives the name
to show a user and the function that reads the format, so that each reader can say what
a document really is when it is handed the wrong one. ``load`` reads any of them into a
``Network`` and says which format it found.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from typing import TYPE_CHECKING, Any, NamedTuple

from .._exceptions import NetworkFormatError
from ._source import MAX_BYTES, Where, decode, parse_json, read_bytes

if TYPE_CHECKING:
    from .._network import Network

__all__ = ["FORMATS", "Loaded", "describe", "detect", "detect_document", "foreign", "load",
           "looks_like_onnx"]

# format key: (what to call it, the function that reads it)
FORMATS: dict[str, tuple[str, str]] = {
    "netgraph": ("netgraph JSON", "netgraph.Network.from_json"),
    "synaptic": ("Synaptic.js JSON (network.toJSON())", "netgraph.interop.from_synaptic"),
    "neataptic": ("Neataptic JSON (network.toJSON())", "netgraph.interop.from_neataptic"),
    "brain": ("brain.js JSON (net.toJSON())", "netgraph.interop.from_brain"),
    "neat": ("neat-python JSON (neat.export.export_network_json)",
             "netgraph.interop.from_neat_json"),
    "onnx": ("an ONNX model", "netgraph.interop.from_onnx"),
}

SHORT_NAMES = {"netgraph": "netgraph", "synaptic": "Synaptic", "neataptic": "Neataptic",
               "brain": "brain.js", "neat": "neat-python", "onnx": "ONNX"}
BRAIN_RECURRENT_TYPES = frozenset({"RNN", "LSTM", "GRU", "RNNTimeStep", "LSTMTimeStep",
                                   "GRUTimeStep"})


def describe(fmt: str) -> str:
    """``"Neataptic JSON (network.toJSON()); read it with netgraph.interop.from_neataptic"``."""
    name, reader = FORMATS[fmt]
    return f"{name}; read it with {reader}"


def foreign(content: Any) -> str | None:
    """What to tell a netgraph JSON reader handed another format: ``"this is an ONNX
    model; read it with netgraph.interop.load (or netgraph.interop.from_onnx)"``, or None
    when ``content`` (bytes or a parsed document) is not another known format."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        fmt = "onnx" if looks_like_onnx(bytes(content)) else None
    else:
        fmt = detect_document(content)
    if fmt is None or fmt == "netgraph":
        return None
    name, reader = FORMATS[fmt]
    return f"this is {name}; read it with netgraph.interop.load (or {reader})"


def _first_dict(items: Any) -> dict[str, Any]:
    if isinstance(items, list):
        for item in items[:8]:
            if isinstance(item, dict):
                return item
    return {}


def detect_document(doc: Any) -> str | None:
    """The format of an already parsed JSON document, from its keys; None if unknown.

    **Returns** one of ``"netgraph"``, ``"synaptic"``, ``"neataptic"``, ``"brain"``,
    ``"neat"``, or None. Only the top-level keys and the keys of the first few nodes are
    looked at; whether the document is valid is for the format's reader to say.
    """
    if not isinstance(doc, dict):
        return None
    if "format" in doc and doc.get("format") == "netgraph-network":
        return "netgraph"
    if "network_type" in doc and ("format_version" in doc or "topology" in doc):
        return "neat"
    if "sizes" in doc and "layers" in doc:
        return "brain"
    kind = doc.get("type")
    if isinstance(kind, str) and kind in BRAIN_RECURRENT_TYPES and (
            "hiddenLayers" in doc or "outputConnector" in doc or "options" in doc):
        return "brain"
    if "nodes" in doc and "connections" in doc:
        node = _first_dict(doc["nodes"])
        if "aggregation" in node or "response" in node or "topology" in doc:
            return "neat"
        return "neataptic"
    if "neurons" in doc and "connections" in doc:
        return "synaptic"
    if "neurons" in doc and "synapses" in doc:
        return "netgraph"  # without its format marker: its reader will say what is wrong
    return None


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while shift < 70:
        if pos >= len(data):
            return -1, pos
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7
    return -1, pos


def looks_like_onnx(data: bytes) -> bool:
    """Whether ``data`` parses as a protobuf message with ONNX ``ModelProto``'s
    ``ir_version`` (field 1, a varint) and ``graph`` (field 7, length-delimited).

    Only the top-level fields are walked, so a model of any size costs a few steps.
    """
    pos, n, seen = 0, len(data), set()
    steps = 0
    while pos < n:
        steps += 1
        if steps > 100_000:
            return False
        key, pos = _varint(data, pos)
        if key <= 0:
            return False
        field, wire = key >> 3, key & 7
        if (field == 1 and wire != 0) or (field == 7 and wire != 2):
            return False
        if wire == 0:
            value, pos = _varint(data, pos)
            if value < 0:
                return False
        elif wire == 1:
            pos += 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            if length < 0:
                return False
            pos += length
        elif wire == 5:
            pos += 4
        else:  # groups (3, 4) are not in ONNX; 6, 7 are not wire types
            return False
        if pos > n:
            return False
        seen.add(field)
    return 1 in seen and 7 in seen


def _content(source: Any, max_bytes: int) -> tuple[Any, Where, str | None]:
    """(parsed JSON or ONNX bytes, location, detected format)."""
    content, where = read_bytes(source, max_bytes)
    if isinstance(content, (dict, list)):
        return content, where, detect_document(content)
    if isinstance(content, bytes) and looks_like_onnx(content):
        return content, where, "onnx"
    doc = parse_json(decode(content, where), where)
    return doc, where, detect_document(doc)


def detect(source: Any, *, max_bytes: int = MAX_BYTES) -> str | None:
    """The format of a document, a file or bytes: a key of ``FORMATS`` or None.

    **Arguments**
    - ``source``: a parsed document (dict), JSON text, bytes, or a path.

    Raises ``NetworkFormatError`` only when the source cannot be read at all (a missing
    file, text that is neither JSON nor ONNX, more than ``max_bytes``).
    """
    return _content(source, max_bytes)[2]


class Loaded(NamedTuple):
    """What ``load`` found: the network and the format it was read from (a key of
    ``FORMATS``: ``"netgraph"``, ``"synaptic"``, ``"neataptic"``, ``"brain"``, ``"neat"``,
    ``"onnx"``)."""

    network: Network
    format: str


def _known() -> str:
    return ", ".join(name for name, _ in FORMATS.values())


def load(source: Any, *, format: str = "auto", max_bytes: int | None = None) -> Loaded:
    """Read a network in any format netgraph knows, recognising the format on sight.

    **Arguments**
    - ``source``: a parsed document (dict), JSON text, bytes, or a path to a netgraph,
      Synaptic, Neataptic, brain.js, neat-python (``export_network_json``) or ONNX file.
    - ``format``: ``"auto"`` (default), or the format the caller expects (a key of
      ``FORMATS``), whose reader then reads the source under its own size cap. A
      document that plainly is another format is refused, naming it.
    - ``max_bytes``: refuse larger sources (default: each reader's own cap, 512 MiB).

    **Returns** ``Loaded(network, format)``: ``net, found = load("winner.json")``.
    Raises ``NetworkFormatError`` (naming the place) for anything it cannot read.
    """
    if not isinstance(format, str) or (format != "auto" and format not in FORMATS):
        raise NetworkFormatError(f"unknown format {format!r:.40}; known: auto, "
                                 f"{', '.join(FORMATS)}")
    if format == "auto":
        content, where, found = _content(source, max_bytes or MAX_BYTES)
        if found is None:
            raise where.error("", f"not a network format netgraph recognises ({_known()})")
        return Loaded(_read(found, content, source, where, max_bytes or MAX_BYTES), found)
    where = Where(os.fspath(source) if _is_path(source) else "")
    cap = max_bytes or _default_cap(format)
    try:
        return Loaded(_read_named(format, source, cap), format)
    except NetworkFormatError as e:
        found = None
        with contextlib.suppress(NetworkFormatError):  # within the reader's cap
            found = detect(source, max_bytes=cap)
        if found is not None and found != format:
            raise where.error("", f"this is {FORMATS[found][0]}, not "
                                  f"{FORMATS[format][0]}") from None
        if where.label and not str(e).startswith(where.label):
            raise where.error("", str(e)) from None
        raise


def _default_cap(fmt: str) -> int:
    if fmt == "synaptic":  # its reader's own cap, read when called
        from . import _synaptic

        return int(_synaptic.MAX_DOCUMENT_BYTES)
    return MAX_BYTES


def _read_named(fmt: str, source: Any, max_bytes: int) -> Network:
    """``source`` read by the reader of ``fmt`` itself, under that reader's own cap."""
    from .._network import Network

    if fmt == "onnx":
        network: Network = _onnx_reader(Where())(source)
        return network
    if fmt == "netgraph":
        if _is_path(source):
            try:
                return Network.load(source, max_bytes=max_bytes)
            except OSError as e:
                raise NetworkFormatError(f"cannot read {os.fspath(source)}: "
                                         f"{e.strerror or e}") from None
        if isinstance(source, (bytearray, memoryview)):
            source = bytes(source)
        if not isinstance(source, (dict, str, bytes)):
            raise NetworkFormatError(f"expected a dict, JSON text, bytes or a path, got "
                                     f"{type(source).__name__}")
        return Network.from_json(source, max_bytes=max_bytes)
    if fmt == "synaptic":
        from ._synaptic import from_synaptic

        return from_synaptic(source, max_bytes=max_bytes)
    if fmt == "neataptic":
        from ._neataptic import from_neataptic

        return from_neataptic(source, max_bytes=max_bytes)
    if fmt == "brain":
        from ._brain import from_brain

        return from_brain(source, max_bytes=max_bytes)
    from ._neat import from_neat_json

    return from_neat_json(source, max_bytes=max_bytes)


def _is_path(source: Any) -> bool:
    """Whether the readers take ``source`` for a path (a str that does not open JSON)."""
    return isinstance(source, os.PathLike) or (
        isinstance(source, str) and bool(source)
        and not source.lstrip(" \t\r\n\ufeff").startswith(("{", "[")))


def _onnx_reader(where: Where) -> Any:
    try:
        return importlib.import_module("netgraph.interop._onnx").from_onnx
    except (ImportError, AttributeError):
        raise where.error("", "this is an ONNX model, and this netgraph has no ONNX "
                              "reader") from None


def _read(fmt: str, content: Any, source: Any, where: Where, max_bytes: int) -> Network:
    from .._network import Network

    if fmt == "onnx":
        path_given = isinstance(source, (str, os.PathLike)) and where.label
        network: Network = _onnx_reader(where)(source if path_given else content)
        return network
    if isinstance(content, bytes):  # ONNX bytes handed to a JSON reader
        raise where.error("", f"this is an ONNX model, not {FORMATS[fmt][0]}")
    if not isinstance(content, dict):
        raise where.error("", f"a {SHORT_NAMES[fmt]} network is a JSON object, not a list")
    try:
        if fmt == "netgraph":
            return Network.from_json(content, max_bytes=max_bytes)
        if fmt == "synaptic":
            from ._synaptic import from_synaptic

            return from_synaptic(content)
        if fmt == "neataptic":
            from ._neataptic import from_neataptic

            return from_neataptic(content)
        if fmt == "brain":
            from ._brain import from_brain

            return from_brain(content)
        from ._neat import from_neat_json

        return from_neat_json(content)
    except NetworkFormatError as e:
        if where.label and not str(e).startswith(where.label):
            raise where.error("", str(e)) from None
        raise
