"""Reading a netgraph document with cost bounded by its size, stopping at the first error.

The text is read one top-level member at a time with the standard library's C JSON
scanner. Once ``format`` and ``version`` have been read and are current (netgraph
writes them first), the lists ``neurons`` and ``synapses`` (rows) are read one item at
a time and each item is checked as soon as it is parsed: the first bad item ends the
read, so a document of a million bad neurons is refused after parsing one. A good item
is turned at once into what the graph will hold, and its parsed form is dropped.
Everything else (a document whose header comes later, an older version to upgrade,
synapse columns, metadata) is parsed whole and then checked section by section, each
check stopping at its first error. No step builds a list of errors.

**Memory.** Loading holds the document's text (as ``bytes`` while reading a file, then
as ``str``), the parsed form of at most one section at a time, and the network being
built. For a document that loads, the peak stays below ``4 x`` the document's size plus
the loaded network's own size; a document refused late in the read (its fault near the
end, or its header last) peaks at up to ``5.5 x`` its size, the network built so far
included (``benchmarks/bench_load_bounds.py`` measures both). ``max_bytes`` bounds the
size.

The checks are those of the pydantic models in ``_document`` (the source of the
published JSON Schema): the fast paths here accept only items those models accept,
with the same result, and anything else goes through the models themselves, which also
word the error.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import math
import re
from collections.abc import Callable
from typing import Any, TypeGuard

import numpy as np
from pydantic import ValidationError

from . import _document
from ._activations import ACTIVATION_NAMES
from ._document import (
    COLUMNS,
    FLOAT_MAX,
    FORMAT,
    NEURON_FIELDS,
    REQUIRED_COLUMNS,
    SYNAPSE_FIELDS,
    Arrays,
    DocumentError,
    Metadata,
    Neuron,
    NonFinite,
    Synapse,
    SynapseColumns,
    TrainingState,
    check_column_lengths,
    check_structure,
    error_parts,
    graph_attrs,
    integer,
    join_path,
    loc_path,
    show,
    suggest,
    upgrade,
)
from ._graph import ROLES

__all__ = ["CheckedDocument", "check_members", "parse_and_check", "parse_members"]

_WS = re.compile(r"[ \t\n\r]*")
_TOO_MANY_DIGITS = re.compile(r"integer string conversion: value has (\d+) digits")
# json's own scanner of string literals (C); typeshed does not declare it
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_TOP_KEYS = ("format", "version", "metadata", "neurons", "synapses", "training", "attrs")
_REQUIRED = ("format", "version", "neurons", "synapses")
_NEURON_KEYS = frozenset({"id", *NEURON_FIELDS, "attrs"})
_SYNAPSE_KEYS = frozenset({"source", "target", *SYNAPSE_FIELDS, "attrs"})
_ROLES = frozenset(ROLES)
_ACTIVATIONS = frozenset(ACTIVATION_NAMES)


class CheckedDocument:
    """A document that passed every check, in the form the network is built from.

    ``nodes`` are (id, attributes) pairs in document order; ``arrays`` the synapses as
    indices into ``nodes``; ``metadata``, ``training`` and ``attrs`` as documented in
    ``NetworkDocument``; ``columnar`` tells which form the synapses had.
    """

    __slots__ = ("arrays", "attrs", "columnar", "metadata", "nodes", "training")

    def __init__(self, metadata: Metadata, training: TrainingState | None,
                 attrs: dict[str, Any] | None, nodes: list[tuple[Any, dict[str, Any]]],
                 arrays: Arrays, columnar: bool) -> None:
        self.metadata, self.training, self.attrs = metadata, training, attrs
        self.nodes, self.arrays, self.columnar = nodes, arrays, columnar


# ---------------------------------------------------------------- JSON scanning
class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise _DuplicateKey(k)
            seen.add(k)
    return d


class _Found:
    """Where the locating scan met a duplicate key: the path to its object."""

    __slots__ = ("key", "path")

    def __init__(self, path: tuple[Any, ...], key: str) -> None:
        self.path, self.key = path, key


def _in_list(items: list[Any]) -> _Found | None:
    types = set(map(type, items))
    if _Found in types or list in types:
        for k, x in enumerate(items):
            found = x if type(x) is _Found else _in_list(x) if type(x) is list else None
            if found is not None:
                return _Found((k, *found.path), found.key)
    return None


def _locating_object(pairs: list[tuple[str, Any]]) -> Any:
    """The hook of the second, slower scan of a value known to hold a duplicate key:
    objects hand the duplicate's place up to their parents."""
    seen: set[str] = set()
    for k, _ in pairs:
        if k in seen:
            return _Found((), k)
        seen.add(k)
    for k, v in pairs:
        found = v if type(v) is _Found else _in_list(v) if type(v) is list else None
        if found is not None:
            return _Found((k, *found.path), found.key)
    return dict(pairs)


def _scanner(hook: Callable[[list[tuple[str, Any]]], Any]) -> Any:
    decoder = json.JSONDecoder(parse_constant=NonFinite, object_pairs_hook=hook)
    return json.scanner.make_scanner(decoder)  # type: ignore[arg-type]  # a decoder is its context


_scan = _scanner(_object)
_locate_scan = _scanner(_locating_object)


def _syntax(s: str, idx: int, msg: str) -> DocumentError:
    e = json.JSONDecodeError(msg, s, idx)
    # some of json's messages end in "at" ("Unterminated string starting at")
    return DocumentError("", f"not valid JSON: {msg.removesuffix(' at')} at line {e.lineno} "
                             f"column {e.colno}")


def _value(s: str, idx: int, path: str) -> tuple[Any, int]:
    """The JSON value starting at ``s[idx]`` and the index after it."""
    try:
        value, end = _scan(s, idx)
        return value, int(end)
    except StopIteration as e:
        raise _syntax(s, e.value, "Expecting value") from None
    except json.JSONDecodeError as e:
        raise _syntax(s, e.pos, e.msg) from None
    except RecursionError:
        raise DocumentError(path, "not valid JSON: nested too deeply") from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        digits = _TOO_MANY_DIGITS.search(str(e))
        if digits:  # no weight, bias or index needs a tenth of Python's 4,300 digits
            raise DocumentError(path, f"an integer of {digits[1]} digits is too large: not "
                                      "representable as a float64") from None
        raise DocumentError(path, f"not valid JSON: {e}") from None
    except _DuplicateKey as e:
        raise _duplicate(s, idx, path, e.key) from None


def _duplicate(s: str, idx: int, path: str, key: str) -> DocumentError:
    """Name the object holding the duplicate key: scan the value again, tracking places."""
    try:
        value, _ = _locate_scan(s, idx)
    except (RecursionError, ValueError, StopIteration):  # pragma: no cover - parsed before
        value = None
    found = value if type(value) is _Found else _in_list(value) if type(value) is list else None
    where = join_path(path, loc_path(found.path)) if found is not None else path
    return DocumentError(where, f"key {key!r} appears twice in one object")


def _ws(s: str, idx: int) -> int:
    # _WS matches (maybe nothing) at every index, so never None
    return _WS.match(s, idx).end()  # type: ignore[union-attr]


def _items(s: str, idx: int, path: str, check: Callable[[Any, int], Any], defer: bool
           ) -> tuple[list[Any] | DocumentError, int]:
    """Read the list at ``s[idx] == '['`` item by item, keeping ``check(item, k)`` of each.

    ``defer``: the document's header is not known yet, so a failed check may not be the
    error to report (a wrong format is); then the rest of the list is only skipped, and
    the error is returned instead of raised.
    """
    out: list[Any] = []
    idx = _ws(s, idx + 1)
    if s.startswith("]", idx):
        return out, idx + 1
    append = out.append
    k = 0
    while True:
        item, idx = _value(s, idx, f"{path}[{k}]")
        try:
            append(check(item, k))
        except DocumentError as e:
            if not defer:
                raise
            return e, _skip_rest(s, idx)
        k += 1
        idx = _ws(s, idx)
        c = s[idx:idx + 1]
        if c == ",":
            idx = _ws(s, idx + 1)
        elif c == "]":
            return out, idx + 1
        else:
            raise _syntax(s, idx, "Expecting ',' delimiter")


# Reads JSON only to find where it ends: objects and numbers become small ints (``len``
# is a C function), so skimming a million objects allocates next to nothing.
# (make_scanner is typed as taking a context: a decoder is one, as in _scanner)
_skim = json.scanner.make_scanner(json.JSONDecoder(  # type: ignore[arg-type]
    object_pairs_hook=len, parse_float=len, parse_int=len, parse_constant=len))


def _skip_rest(s: str, idx: int) -> int:
    """The index after the list whose items continue at ``s[idx]`` (after an item), read
    at the C scanner's full speed and thrown away."""
    tail = "[" + s[idx:].lstrip(" \t\n\r").removeprefix(",")
    offset = len(s) - len(tail)  # tail[j] is s[j + offset] for j >= 1
    try:
        _, end = _skim(tail, 0)
    except StopIteration as e:
        raise _syntax(s, max(e.value + offset, idx), "Expecting value") from None
    except json.JSONDecodeError as e:
        raise _syntax(s, max(e.pos + offset, idx), e.msg) from None
    except RecursionError:
        raise DocumentError("", "not valid JSON: nested too deeply") from None
    except ValueError as e:
        raise DocumentError("", f"not valid JSON: {e}") from None
    return end + offset


class _Streamed:
    """A list section already checked item by item while it was read."""

    __slots__ = ("items",)

    def __init__(self, items: list[Any]) -> None:
        self.items = items


def _header(members: dict[str, Any]) -> str:
    """'current' when format and version say this netgraph's version, 'unknown' while
    either is still to come, else 'other' (an older version, or an error to report)."""
    if "format" not in members or "version" not in members:
        return "unknown"
    if members["format"] == FORMAT and integer(members["version"]) == _document.VERSION:
        return "current"
    return "other"


def _object_members(s: str, idx: int, path: str,
                    read: Callable[[dict[str, Any], str, int], tuple[Any, int]]
                    ) -> tuple[dict[str, Any], int]:
    """The object at ``s[idx] == '{'``, each member's value read by ``read(members so
    far, key, index of the value)``; returns the members and the index after the object."""
    members: dict[str, Any] = {}
    idx = _ws(s, idx + 1)
    if s.startswith("}", idx):
        return members, idx + 1
    while True:
        if not s.startswith('"', idx):
            raise _syntax(s, idx, "Expecting property name enclosed in double quotes")
        try:
            key, idx = _scanstring(s, idx + 1)
        except json.JSONDecodeError as e:
            raise _syntax(s, e.pos, e.msg) from None
        idx = _ws(s, idx)
        if not s.startswith(":", idx):
            raise _syntax(s, idx, "Expecting ':' delimiter")
        idx = _ws(s, idx + 1)
        if key in members:
            raise DocumentError(path, f"key {key!r} appears twice "
                                      f"{'in one object' if path else 'at the top level'}")
        members[key], idx = read(members, key, idx)
        idx = _ws(s, idx)
        c = s[idx:idx + 1]
        if c == ",":
            idx = _ws(s, idx + 1)
        elif c == "}":
            return members, idx + 1
        else:
            raise _syntax(s, idx, "Expecting ',' delimiter")


class _StreamedColumns:
    """Synapse columns, each checked (and made an array) as soon as it was read."""

    __slots__ = ("columns",)

    def __init__(self, columns: dict[str, Any]) -> None:
        self.columns = columns


def _columns(s: str, idx: int) -> tuple[_StreamedColumns, int]:
    """The synapse columns at ``s[idx] == '{'``: each list becomes an array before the next
    is parsed, so the parsed form of only one column exists at a time."""

    def read(columns: dict[str, Any], key: str, idx: int) -> tuple[Any, int]:
        check = COLUMNS.get(key)
        if check is None:
            raise DocumentError(f"synapses.{key}", suggest("unknown key", key))
        where = f"synapses.{key}"
        value, idx = _value(s, idx, where)
        return _section_check(check, value, where), idx

    columns, idx = _object_members(s, idx, "synapses", read)
    return _StreamedColumns(columns), idx


def _members(s: str) -> dict[str, Any]:
    """The top-level object of the document, ``neurons`` and synapse rows checked while read.

    Items are checked as they are read when the header before them is current, and
    also while it is still unknown if this netgraph reads no older version (so nothing
    else could be accepted): the first failure is then kept, the rest of its list is
    skipped, and it is raised once the header is known to be fine.
    """
    idx = _ws(s, 0)
    if not s.startswith("{", idx):
        value, end = _value(s, idx, "")
        if _ws(s, end) != len(s):
            raise _syntax(s, _ws(s, end), "Extra data")
        raise DocumentError("", "a netgraph document is a JSON object, got "
                                f"{'a list' if isinstance(value, list) else show(value)}")
    deferred: DocumentError | None = None

    def read(members: dict[str, Any], key: str, idx: int) -> tuple[Any, int]:
        nonlocal deferred
        header = _header(members)
        stream = header == "current" or (header == "unknown" and not _document.MIGRATIONS
                                         and deferred is None)
        if stream and key in ("neurons", "synapses") and s.startswith("[", idx):
            items, idx = _items(s, idx, key, _neuron if key == "neurons" else _row,
                                defer=header != "current")
            if isinstance(items, DocumentError):
                deferred, items = items, []
            return _Streamed(items), idx
        if header == "current" and key == "synapses" and s.startswith("{", idx):
            return _columns(s, idx)
        return _value(s, idx, key)

    members, idx = _object_members(s, idx, "", read)
    idx = _ws(s, idx)
    if idx != len(s):
        raise _syntax(s, idx, "Extra data")
    if deferred is not None:
        upgrade(members)  # a wrong or missing header is the error to report first
        raise deferred
    return members


# ---------------------------------------------------------------- item checks
def _model_error(path: str, e: ValidationError) -> DocumentError:
    where, detail = error_parts(e)
    return DocumentError(join_path(path, where), detail)


def _finite(v: Any) -> TypeGuard[float]:
    """``v`` is a finite float, or an int within float64's range."""
    return (type(v) is float and math.isfinite(v)) or (type(v) is int
                                                      and -FLOAT_MAX <= v <= FLOAT_MAX)


def _neuron(d: Any, k: int) -> tuple[Any, dict[str, Any]]:
    """A neuron item as (id, graph attributes)."""
    if type(d) is dict and d.keys() <= _NEURON_KEYS:
        i, role, act, bias = d.get("id"), d.get("role"), d.get("activation"), d.get("bias")
        layer, fixed, attrs = d.get("layer", role), d.get("fixed", False), d.get("attrs")
        if ((type(i) is str or type(i) is int) and type(role) is str and role in _ROLES
                and type(act) is str and act in _ACTIVATIONS and _finite(bias)
                and (layer is None or type(layer) is str or type(layer) is int)
                and (fixed is False or fixed is True) and attrs is None):
            a = {"bias": float(bias), "activation": act,
                 "role": role, "layer": layer}
            if fixed:
                a["fixed"] = True
            return i, a
    try:  # anything less plain: the model decides, and words the error
        nr = Neuron.model_validate(d)
    except ValidationError as e:
        raise _model_error(f"neurons[{k}]", e) from None
    a = {"bias": nr.bias, "activation": nr.activation, "role": nr.role,
         "layer": nr.layer if "layer" in nr.model_fields_set else nr.role}
    if nr.fixed:
        a["fixed"] = True
    if nr.attrs:
        a.update(nr.attrs)
    return nr.id, a


def _row(d: Any, k: int) -> tuple[Any, ...]:
    """A synapse row as (source, target, weight, delay, gater, attrs)."""
    if type(d) is dict and d.keys() <= _SYNAPSE_KEYS:
        u, v, w = d.get("source"), d.get("target"), d.get("weight")
        delay, gater, attrs = d.get("delay", 0), d.get("gater"), d.get("attrs")
        if ((type(u) is str or type(u) is int) and (type(v) is str or type(v) is int)
                and _finite(w) and (delay == 0 or delay == 1) and type(delay) is int
                and (gater is None or type(gater) is str or type(gater) is int)
                and attrs is None):
            return u, v, float(w), delay, gater, None
    try:
        r = Synapse.model_validate(d)
    except ValidationError as e:
        raise _model_error(f"synapses[{k}]", e) from None
    return r.source, r.target, r.weight, r.delay, r.gater, r.attrs


# ---------------------------------------------------------------- the document
def parse_and_check(text: str) -> CheckedDocument:
    """Parse and check a whole document (JSON text). Raises ``DocumentError``."""
    return check_members(parse_members(text), owned=True)


def parse_members(text: str) -> dict[str, Any]:
    """The document's top-level members, its neurons and synapse rows already checked
    (see ``_members``). Raises ``DocumentError``."""
    return _members(text)


def check_members(doc: dict[str, Any], *, owned: bool = False) -> CheckedDocument:
    """Check a parsed document (its top-level object). ``owned``: the parsed lists may be
    emptied as they are checked, to free memory early."""
    doc = upgrade(doc)
    for key in doc:
        if key not in _TOP_KEYS:
            raise DocumentError(key, suggest("unknown key", key))
    for key in _REQUIRED:
        if key not in doc:
            raise DocumentError(key, "missing (it is required)")
    metadata = _section(Metadata, doc.get("metadata", {}), "metadata")
    training = doc.get("training")
    if training is not None:
        training = _section(TrainingState, training, "training")
    attrs = None
    if doc.get("attrs") is not None:
        attrs = _section_check(graph_attrs, doc["attrs"], "attrs")
    nodes = _checked_list(doc["neurons"], "neurons", _neuron, owned)
    syn = doc["synapses"]
    ids = [n for n, _ in nodes]
    index = _unique_ids(ids)
    roles = [a["role"] for _, a in nodes]
    for role in ("input", "output"):
        if role not in roles:
            raise DocumentError("neurons", f"the network has no {role} neuron (role {role!r})")
    if isinstance(syn, _StreamedColumns):
        for name in REQUIRED_COLUMNS:
            if name not in syn.columns:
                raise DocumentError(f"synapses.{name}", "missing (it is required)")
        columns = SynapseColumns.model_construct(**syn.columns)
        _section_check(check_column_lengths, columns, "synapses")
        arrays = _document.columns_to_arrays(columns, len(ids))
        columnar = True
    elif isinstance(syn, dict):
        columns = _section(SynapseColumns, syn, "synapses")
        if owned:
            syn.clear()  # the parsed lists: the columns are arrays now
        arrays = _document.columns_to_arrays(columns, len(ids))
        columnar = True
    elif isinstance(syn, (list, _Streamed)):
        arrays = _rows_to_arrays(_checked_list(syn, "synapses", _row, owned), index)
        columnar = False
    else:
        raise DocumentError("synapses", "expected a list of synapse objects or an object of "
                                        "columns (source, target, weight)")
    check_structure(ids, roles, arrays, columnar=columnar)
    return CheckedDocument(metadata, training, attrs, nodes, arrays, columnar)


def _section(model: Any, value: Any, path: str) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as e:
        raise _model_error(path, e) from None


def _section_check(check: Callable[[Any], Any], value: Any, path: str) -> Any:
    try:
        return check(value)
    except DocumentError as e:
        raise DocumentError(join_path(path, e.path), e.detail) from None


def _checked_list(value: Any, path: str, check: Callable[[Any, int], Any], owned: bool
                  ) -> list[Any]:
    if isinstance(value, _Streamed):
        return value.items
    if not isinstance(value, list):
        raise DocumentError(path, f"expected a list, got {show(value)}")
    out = []
    for k in range(len(value)):
        out.append(check(value[k], k))
        if owned:
            value[k] = None  # the parsed item is no longer needed
    return out


def _unique_ids(ids: list[Any]) -> dict[Any, int]:
    index: dict[Any, int] = {}
    for k, i in enumerate(ids):
        j = index.setdefault(i, k)
        if j != k:
            raise DocumentError(f"neurons[{k}].id", f"duplicate id {i!r} (also neurons[{j}])")
    return index


def _rows_to_arrays(rows: list[tuple[Any, ...]], index: dict[Any, int]) -> Arrays:
    m = len(rows)
    src, dst = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64)
    weight = np.empty(m, dtype=np.float64)
    delay: np.ndarray | None = None
    gater: np.ndarray | None = None
    attrs: list[dict[str, Any] | None] | None = None
    get = index.get
    for k, (u, v, w, d, g, a) in enumerate(rows):
        i, j = get(u), get(v)
        if i is None or j is None:
            name, x = ("source", u) if i is None else ("target", v)
            raise DocumentError(f"synapses[{k}].{name}", f"unknown neuron {x!r}")
        src[k], dst[k], weight[k] = i, j, w
        if d:
            if delay is None:
                delay = np.zeros(m, dtype=np.int8)
            delay[k] = d
        if g is not None:
            gi = get(g)
            if gi is None:
                raise DocumentError(f"synapses[{k}].gater", f"unknown neuron {g!r}")
            if gater is None:
                gater = np.full(m, -1, dtype=np.int64)
            gater[k] = gi
        if a is not None:
            if attrs is None:
                attrs = [None] * m
            attrs[k] = a
    return Arrays(src, dst, weight, delay, gater, attrs)
