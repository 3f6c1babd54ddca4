"""The netgraph JSON document: its pydantic models, its checks, its schema, its versions.

A document describes one network::

    {
      "format": "netgraph-network",
      "version": 1,
      "metadata": {"name": "xor", "netgraph_version": "0.1.0", "created": "2025-01-01T00:00:00Z"},
      "neurons": [
        {"id": "i0", "role": "input", "activation": "logistic", "bias": 0.0, "layer": "input"},
        ...
      ],
      "synapses": [
        {"source": "i0", "target": "h0", "weight": 0.25},
        ...
      ],
      "training": {"optimizer": "sgd", "rate": 0.3, "iterations": 20000}
    }

``neurons`` are listed in the graph's node order (which fixes input and output
order). ``synapses`` take one of two forms, chosen by the writer:

- **rows** (small networks, for people): a list of objects naming neurons by id;
- **columns** (large networks, for speed): ``{"source": [...], "target": [...],
  "weight": [...]}``, parallel lists naming neurons by their *index* in ``neurons``.

Either way synapses are listed in an order in which adding them one by one gives
every neuron its outgoing order (``Network.synapses``) and its incoming order (the
order its inputs are summed, which decides the last bit of every activation).
``delay`` (0 or 1: the source's value from the previous step) and ``gater`` (a
neuron whose activation scales the synapse) describe recurrent and gated networks;
rows leave them out when 0 / null, columns leave out a column that is all 0 / null.
Neurons, synapses (rows) and the document may carry extra attributes (``attrs``:
any JSON values) for whatever else the graph holds. Numbers are JSON numbers
written as the shortest decimal that reads back as the same float64, so every
weight and bias survives bit for bit; NaN and infinity are not allowed.

Everything a document says is checked here before anything is built: the pydantic
models check each field, ``NetworkDocument``'s final check the cross-references
(unique ids, synapse ends, duplicates, inputs without incoming synapses, cycles
without a delayed synapse). Errors are ``DocumentError`` naming the place
(``synapses[17].target: unknown neuron 'h9'``); ``_json`` turns them into
``NetworkFormatError``. Nothing from a document is ever evaluated: activation names
are keys into the registry, everything else is data.

**Versions.** ``VERSION`` is the version this netgraph writes. A document of an
older version is upgraded step by step by ``MIGRATIONS[v]`` (a function taking a
version-``v`` document, as parsed JSON, to version ``v + 1``) before it is
validated, so old files keep loading. The JSON Schema of each version lives in
``schemas/`` (``python scripts/gen_schemas.py`` writes the current one; older ones
stay frozen).
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    FailFast,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    Tag,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from ._activations import ACTIVATION_NAMES
from ._graph import ROLES

__all__ = [
    "FORMAT",
    "MIGRATIONS",
    "VERSION",
    "DocumentError",
    "Metadata",
    "NetworkDocument",
    "Neuron",
    "Synapse",
    "SynapseColumns",
    "TrainingState",
    "json_schema",
    "schema_path",
    "schema_text",
    "upgrade",
]

FORMAT = "netgraph-network"
VERSION = 1
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

# MIGRATIONS[v]: a version-v document (parsed JSON) -> the same network as version v+1.
# Append one when VERSION goes up; never edit or remove one. A migration returns a new
# dict (or the one it got, changed at the top level only): nested values are shared
# with the caller's document and must not be modified in place.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

NEURON_FIELDS = ("bias", "activation", "role", "layer", "fixed")
SYNAPSE_FIELDS = ("weight", "delay", "gater")
GRAPH_FIELDS = ("name", "description", "created", "training")  # graph keys with own places


def schema_id(version: int = VERSION) -> str:
    return f"urn:netgraph:schema:network:v{version}"


def schema_path(version: int = VERSION) -> Path:
    """Where the JSON Schema of a format version is kept."""
    return SCHEMAS / f"netgraph-network-v{version}.schema.json"


# ---------------------------------------------------------------------- errors
class DocumentError(ValueError):
    """A document fails a check. ``path`` names the place, ``detail`` the problem.

    A ``path`` starting with ``[`` continues the path of the field it was raised for.
    """

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}" if path else detail)
        self.path = path
        self.detail = detail


class NonFinite:
    """What the JSON reader puts where a document says NaN, Infinity or -Infinity.

    Standard JSON has no such numbers; keeping a marker (instead of failing inside the
    parser) lets the checks name the place.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def show(value: Any) -> str:
    """A short description of a document value for an error message."""
    if isinstance(value, NonFinite):
        return value.text
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = "null" if value is None else "true" if value is True else (
        "false" if value is False else repr(value))
    return text if len(text) <= 60 else text[:57] + "..."


def join_path(base: str, sub: str) -> str:
    if not sub:
        return base
    if not base or sub.startswith("["):
        return base + sub
    return f"{base}.{sub}"


def loc_path(loc: Iterable[Any]) -> str:
    path = ""
    for part in loc:
        path = join_path(path, f"[{part}]" if isinstance(part, int) else str(part))
    return path


# ------------------------------------------------------------ field validators
# The rules follow JSON's data model, as JSON Schema does: a number is a number however
# it is written, so 1.0 is the integer 1 wherever an integer is expected (and becomes
# one); true and false are booleans, never numbers; a number must lie within float64's
# range (``FLOAT_MAX``) except where an integer is named (ids, counts).
FLOAT_MAX = sys.float_info.max


def integer(v: Any) -> int | None:
    """``v`` as an int if it is a JSON integer (``1`` or ``1.0``), else None."""
    if type(v) is int:
        return v
    if type(v) is float and v.is_integer():
        return int(v)
    return None


def _neuron_id(v: Any) -> str | int:
    if type(v) is str:
        return v
    i = integer(v)
    if i is not None:
        return i
    raise DocumentError("", f"expected a neuron id (a string or an integer), got {show(v)}")


_RANGE = " (NaN, infinity and numbers beyond float64's range are not allowed)"


def _number(v: Any) -> float:
    if isinstance(v, float) or (isinstance(v, int) and not isinstance(v, bool)):
        try:
            x = float(v)
        except OverflowError:
            x = math.inf
        if math.isfinite(x):
            return x
        raise DocumentError("", f"{show(v)} is not a finite number{_RANGE}")
    if isinstance(v, NonFinite):
        raise DocumentError("", f"{v.text} is not a finite number{_RANGE}")
    raise DocumentError("", f"expected a number, got {show(v)}")


def _count(v: Any) -> int:
    i = integer(v)
    if i is not None and i >= 0:
        return i
    raise DocumentError("", f"expected a whole number >= 0, got {show(v)}")


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    raise DocumentError("", f"expected a string, got {show(v)}")


def _choice(what: str, allowed: Iterable[str]) -> Callable[[Any], str]:
    allowed = tuple(allowed)

    def check(v: Any) -> str:
        if isinstance(v, str) and v in allowed:
            return v
        raise DocumentError("", f"unknown {what} {show(v)}; expected one of "
                                f"{', '.join(allowed)}")

    return check


def _label(v: Any) -> str | int | None:
    if v is None or type(v) is str:
        return v
    i = integer(v)
    if i is not None:
        return i
    raise DocumentError("", f"expected a layer label (a string, an integer or null), "
                            f"got {show(v)}")


def _delay(v: Any) -> int:
    i = integer(v)
    if i in (0, 1):
        return i
    raise DocumentError("", f"expected a delay of 0 or 1, got {show(v)}")


def _flag(v: Any) -> bool:
    if v is True or v is False:
        return v
    raise DocumentError("", f"expected true or false, got {show(v)}")


# RFC 3339's date-time (the JSON Schema "date-time" format), checked by its form alone.
# It ends with "no character follows" rather than "$", which Python (and so the
# jsonschema package) also matches before a final newline.
TIMESTAMP_PATTERN = (r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]"
                     r"([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?"
                     r"([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])(?![\s\S])")
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN)


def _timestamp(v: Any) -> str:
    if type(v) is str and _TIMESTAMP.match(v):
        return v
    raise DocumentError("", f"expected an RFC 3339 date-time like '2025-01-31T12:00:00Z', "
                            f"got {show(v)}")


MAX_DEPTH = 64  # how deeply extra attributes may nest lists and objects


class _Bad(Exception):
    """A value ``check_json_value`` refuses; ``parts`` is filled in on the way out."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        self.parts: list[Any] = []


_V = TypeVar("_V")


def check_json_value(value: _V, path: str = "") -> _V:
    """Check that ``value`` is plain JSON data (finite numbers within float64's range,
    string keys, at most ``MAX_DEPTH`` levels of lists and objects); return it.

    The place of a bad value is worked out only once one is found, and long lists of
    plain strings or numbers are checked in a few C-level passes."""
    try:
        _check_value(value, 0)
    except _Bad as e:
        where = path
        for part in reversed(e.parts):
            where = join_path(where, f"[{part}]" if isinstance(part, int) else part)
        raise DocumentError(where, e.detail) from None
    return value


_PLAIN = frozenset({str, bool, type(None)})


def _check_item(x: Any, depth: int, part: Any) -> None:
    """``_check_value`` on an item of a list or object, its place added to any error."""
    try:
        _check_value(x, depth + 1)
    except _Bad as e:
        e.parts.append(part)
        raise


def _check_value(v: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _Bad(f"nested too deeply (more than {MAX_DEPTH} levels)")
    t = type(v)
    if t in _PLAIN:
        return
    if t is list:
        if not v:
            return
        if depth < MAX_DEPTH:
            types = set(map(type, v))
            if types <= _PLAIN:
                return
            try:
                if types == {float} and math.isfinite(sum(v)):
                    return  # an infinite or NaN item would make the sum so
                if types == {int} and min(v) >= -FLOAT_MAX and max(v) <= FLOAT_MAX:
                    return
            except OverflowError:
                pass
        for k, x in enumerate(v):
            if type(x) not in _PLAIN:
                _check_item(x, depth, k)
        return
    if t is dict:
        for k, x in v.items():
            if not isinstance(k, str):
                raise _Bad(f"key {k!r} is not a string")
            if type(x) not in _PLAIN:
                _check_item(x, depth, k)
        return
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return
    if isinstance(v, int):
        if type(v) is not int:  # an int subclass (numpy ints are not ints at all)
            raise _Bad(f"{type(v).__name__} is not a JSON value")
        if not -FLOAT_MAX <= v <= FLOAT_MAX:
            raise _Bad(f"{show(v)} is beyond float64's range")
        return
    if isinstance(v, float):
        if not math.isfinite(v):
            raise _Bad(f"{v} is not a finite number")
        return
    if isinstance(v, (list, dict)):  # subclasses: the slow way, item by item
        _check_value(list(v) if isinstance(v, list) else dict(v), depth)
        return
    if isinstance(v, NonFinite):
        raise _Bad(f"{v.text} is not a finite number")
    raise _Bad(f"a {type(v).__name__} is not a JSON value (use strings, numbers, booleans, "
               "null, lists and objects)")


def _attrs(reserved: tuple[str, ...]) -> Callable[[Any], dict[str, Any] | None]:
    def check(v: Any) -> dict[str, Any] | None:
        if v is None:
            return None
        if not isinstance(v, dict):
            raise DocumentError("", f"expected an object of extra attributes, got {show(v)}")
        for key in reserved:
            if key in v:
                raise DocumentError(key, "is a field of its own, not an extra attribute")
        return check_json_value(v)

    return check


def graph_attrs(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise DocumentError("", f"expected an object of graph attributes, got {show(v)}")
    for key in GRAPH_FIELDS:
        if key in v:
            raise DocumentError(key, "has its own place in the document (metadata or "
                                     "training), not among the graph attributes")
    return check_json_value(v)


# -- columns: whole lists checked with numpy, never item by item through pydantic
def _index_column(v: Any) -> np.ndarray:
    if not isinstance(v, list):
        raise DocumentError("", f"expected a list of neuron indices, got {show(v)}")
    if not v:
        return np.empty(0, dtype=np.int64)
    types = set(map(type, v))
    if types <= {int}:
        try:
            a = np.array(v, dtype=np.int64)
        except OverflowError:
            a = None
        if a is not None and int(a.min()) >= 0:
            return a
    out = np.empty(len(v), dtype=np.int64)
    for k, x in enumerate(v):
        i = integer(x)
        if i is None or not 0 <= i < 2**63:
            raise DocumentError(f"[{k}]", f"expected a neuron index (a whole number >= 0), "
                                          f"got {show(x)}")
        out[k] = i
    return out


def _float_column(v: Any) -> np.ndarray:
    if not isinstance(v, list):
        raise DocumentError("", f"expected a list of numbers, got {show(v)}")
    if not v:
        return np.empty(0, dtype=np.float64)
    if set(map(type, v)) <= {float, int}:
        try:
            a = np.array(v, dtype=np.float64)
        except OverflowError:
            a = None
        if a is not None:
            bad = np.flatnonzero(~np.isfinite(a))
            if not len(bad):
                return a
            k = int(bad[0])
            raise DocumentError(f"[{k}]", f"{show(v[k])} is not a finite number{_RANGE}")
    for k, x in enumerate(v):
        try:
            _number(x)
        except DocumentError as e:
            raise DocumentError(f"[{k}]", e.detail) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _delay_column(v: Any) -> np.ndarray | None:
    if v is None:
        return None
    if not isinstance(v, list):
        raise DocumentError("", f"expected a list of delays (0 or 1), got {show(v)}")
    if set(map(type, v)) <= {int} and all(map((0).__le__, v)) and all(map((1).__ge__, v)):
        return np.array(v, dtype=np.int8)
    out = np.empty(len(v), dtype=np.int8)
    for k, x in enumerate(v):
        try:
            out[k] = _delay(x)
        except DocumentError as e:
            raise DocumentError(f"[{k}]", e.detail) from None
    return out


def _gater_column(v: Any) -> np.ndarray | None:
    """Gater indices, -1 for none."""
    if v is None:
        return None
    if not isinstance(v, list):
        raise DocumentError("", f"expected a list of neuron indices or nulls, got {show(v)}")
    out = np.full(len(v), -1, dtype=np.int64)
    for k, x in enumerate(v):
        if x is None:
            continue
        i = integer(x)
        if i is None or not 0 <= i < 2**63:
            raise DocumentError(f"[{k}]", f"expected a neuron index or null, got {show(x)}")
        out[k] = i
    return out


def _attrs_column(v: Any) -> list[dict[str, Any] | None] | None:
    if v is None:
        return None
    if not isinstance(v, list):
        raise DocumentError("", f"expected a list of objects or nulls, got {show(v)}")
    check = _attrs(SYNAPSE_FIELDS)
    for k, x in enumerate(v):
        try:
            check(x)
        except DocumentError as e:
            raise DocumentError(join_path(f"[{k}]", e.path), e.detail) from None
    return v


def _column_list(a: np.ndarray | None) -> list[Any] | None:
    return None if a is None else a.tolist()


def _gater_list(a: np.ndarray | None) -> list[int | None] | None:
    return None if a is None else [None if g < 0 else g for g in a.tolist()]


# Field types: each checked by its own function (PlainValidator), with the JSON Schema
# written out (WithJsonSchema); the first argument of Annotated is what the check returns.
_ID_SCHEMA = {"anyOf": [{"type": "string"}, {"type": "integer"}],
              "description": "A neuron id: a string or an integer."}
_NUMBER = {"type": "number", "minimum": -FLOAT_MAX, "maximum": FLOAT_MAX}
NeuronId = Annotated[str | int, PlainValidator(_neuron_id), WithJsonSchema(_ID_SCHEMA)]
Number = Annotated[float, PlainValidator(_number),
                   WithJsonSchema({**_NUMBER, "description": "A finite number (float64)."})]
OptNumber = Annotated[float | None, PlainValidator(lambda v: None if v is None else _number(v)),
                      WithJsonSchema({"anyOf": [_NUMBER, {"type": "null"}]})]
Flag = Annotated[bool, PlainValidator(_flag), WithJsonSchema({"type": "boolean"})]
OptCount = Annotated[int | None, PlainValidator(lambda v: None if v is None else _count(v)),
                     WithJsonSchema({"type": ["integer", "null"], "minimum": 0})]
OptText = Annotated[str | None, PlainValidator(lambda v: None if v is None else _text(v)),
                    WithJsonSchema({"type": ["string", "null"]})]
Role = Annotated[str, PlainValidator(_choice("role", ROLES)),
                 WithJsonSchema({"enum": list(ROLES)})]
ActivationName = Annotated[str, PlainValidator(_choice("activation", ACTIVATION_NAMES)),
                           WithJsonSchema({"enum": list(ACTIVATION_NAMES), "description":
                                           "An activation's name in netgraph's registry."})]
LayerLabel = Annotated[str | int | None, PlainValidator(_label),
                       WithJsonSchema({"type": ["string", "integer", "null"]})]
Delay = Annotated[int, PlainValidator(_delay), WithJsonSchema({"enum": [0, 1]})]
OptNeuronId = Annotated[
    str | int | None, PlainValidator(lambda v: None if v is None else _neuron_id(v)),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})]


_VALUE_REF = "netgraph-json-value"  # a placeholder: pydantic resolves every $ref itself


def _object_schema(reserved: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "object", "description": "Extra attributes: any JSON values (finite "
            f"numbers, at most {MAX_DEPTH} levels deep), but not "
            f"{', '.join(reserved)}, which are fields of their own.",
            "propertyNames": {"not": {"enum": list(reserved)}},
            "additionalProperties": {_VALUE_REF: 1}}  # see json_schema()


_OBJECT = _object_schema(SYNAPSE_FIELDS)
NeuronAttrs = Annotated[dict[str, Any] | None, PlainValidator(_attrs(NEURON_FIELDS)),
                        WithJsonSchema({"anyOf": [_object_schema(NEURON_FIELDS),
                                                  {"type": "null"}]})]
SynapseAttrs = Annotated[dict[str, Any] | None, PlainValidator(_attrs(SYNAPSE_FIELDS)),
                         WithJsonSchema({"anyOf": [_OBJECT, {"type": "null"}]})]
GraphAttrs = Annotated[dict[str, Any] | None, PlainValidator(graph_attrs),
                       WithJsonSchema({"anyOf": [_object_schema(GRAPH_FIELDS),
                                                 {"type": "null"}]})]
Timestamp = Annotated[str | None, PlainValidator(lambda v: None if v is None else _timestamp(v)),
                      WithJsonSchema({"anyOf": [{"type": "string", "pattern": TIMESTAMP_PATTERN,
                                                 "description": "An RFC 3339 date-time."},
                                                {"type": "null"}]})]
_INDEX = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
IndexColumn = Annotated[np.ndarray, PlainValidator(_index_column),
                        WithJsonSchema({"type": "array", "items": _INDEX}),
                        PlainSerializer(_column_list)]
FloatColumn = Annotated[np.ndarray, PlainValidator(_float_column),
                        WithJsonSchema({"type": "array", "items": _NUMBER}),
                        PlainSerializer(_column_list)]
DelayColumn = Annotated[np.ndarray | None, PlainValidator(_delay_column),
                        WithJsonSchema({"anyOf": [{"type": "array", "items": {"enum": [0, 1]}},
                                                  {"type": "null"}]}),
                        PlainSerializer(_column_list)]
GaterColumn = Annotated[np.ndarray | None, PlainValidator(_gater_column),
                        WithJsonSchema({"anyOf": [{"type": "array", "items": {
                                                      "anyOf": [_INDEX, {"type": "null"}]}},
                                                  {"type": "null"}]}),
                        PlainSerializer(_gater_list)]
COLUMNS: dict[str, Callable[[Any], Any]] = {
    "source": _index_column, "target": _index_column, "weight": _float_column,
    "delay": _delay_column, "gater": _gater_column, "attrs": _attrs_column}
REQUIRED_COLUMNS = ("source", "target", "weight")
AttrsColumn = Annotated[list[dict[str, Any] | None] | None, PlainValidator(_attrs_column),
                        WithJsonSchema({"anyOf": [{"type": "array", "items": {
                                                      "anyOf": [_OBJECT, {"type": "null"}]}},
                                                  {"type": "null"}]})]


def _format(v: Any) -> str:
    if v == FORMAT:
        marker: str = v  # equal to FORMAT: a string
        return marker
    hint = ""
    if v is None:
        hint = "; this is not a netgraph network document"
    raise DocumentError("", f"expected {FORMAT!r}, got {show(v)}{hint}")


def _version(v: Any) -> int:
    if integer(v) == VERSION:
        return VERSION
    raise DocumentError("", f"this model reads version {VERSION}, got {show(v)}; "
                            "older versions are upgraded by netgraph's loader")


FormatMarker = Annotated[str, PlainValidator(_format), WithJsonSchema({"const": FORMAT})]
FormatVersion = Annotated[int, PlainValidator(_version), WithJsonSchema({"const": VERSION})]


# ---------------------------------------------------------------------- models
class _Model(BaseModel):
    # defer_build: a model's validator is built the first time it validates, not at
    # import (~60 ms of every `netgraph` command); loading a valid file never needs one
    model_config = ConfigDict(extra="forbid", validate_default=False, defer_build=True)


class Metadata(_Model):
    """About the document: what the network is, and who wrote it when."""

    name: OptText = Field(default=None, description="The network's name (graph attribute "
                                                    "``name``).")
    description: OptText = Field(default=None, description="Free text (graph attribute "
                                                           "``description``).")
    netgraph_version: OptText = Field(default=None,
                                      description="The netgraph version that wrote it.")
    created: Timestamp = Field(default=None, description="When it was written (ISO 8601).")


class TrainingState(_Model):
    """How the network was trained, if that is worth keeping (every field optional)."""

    optimizer: OptText = Field(default=None, description="e.g. 'sgd' or 'adam'.")
    cost: OptText = Field(default=None, description="e.g. 'mse' or 'cross_entropy'.")
    rate: OptNumber = Field(default=None, description="The (last) learning rate.")
    momentum: OptNumber = None
    batch_size: OptCount = None
    iterations: OptCount = Field(default=None, description="Epochs trained so far.")
    error: OptNumber = Field(default=None, description="The last error reached.")


class Neuron(_Model):
    """A neuron: a node of the graph. ``layer`` omitted means the role."""

    id: NeuronId
    role: Role
    activation: ActivationName
    bias: Number
    layer: LayerLabel = None
    fixed: Flag = Field(default=False, description="True: the bias and incoming weights are "
                                                   "never learned.")
    attrs: NeuronAttrs = None


class Synapse(_Model):
    """A synapse (an edge), naming its neurons by id."""

    source: NeuronId
    target: NeuronId
    weight: Number
    delay: Delay = Field(default=0, description="1: the source's value from the previous "
                                                "activation (recurrent networks).")
    gater: OptNeuronId = Field(default=None, description="A neuron whose activation scales "
                                                         "this synapse (gated networks).")
    attrs: SynapseAttrs = None


class SynapseColumns(_Model):
    """Synapses as parallel lists; ``source``, ``target`` and ``gater`` are indices into
    ``neurons``. ``delay``, ``gater`` and ``attrs`` may be omitted (all 0 / null)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, defer_build=True)

    source: IndexColumn
    target: IndexColumn
    weight: FloatColumn
    delay: DelayColumn = None
    gater: GaterColumn = None
    attrs: AttrsColumn = None

    @model_validator(mode="after")
    def _same_length(self) -> SynapseColumns:
        check_column_lengths(self)
        return self


def check_column_lengths(columns: Any) -> None:
    """Every column present is as long as ``source``."""
    n = len(columns.source)
    for name in ("target", "weight", "delay", "gater", "attrs"):
        col = getattr(columns, name)
        if col is not None and len(col) != n:
            raise DocumentError(name, f"{len(col)} items, but source has {n}")


def _synapse_form(v: Any) -> str | None:
    return "rows" if isinstance(v, list) else "columns" if isinstance(v, dict) else None


Synapses = Annotated[
    Annotated[list[Synapse], Tag("rows")] | Annotated[SynapseColumns, Tag("columns")],
    Discriminator(_synapse_form, custom_error_type="synapse_form",
                  custom_error_message="expected a list of synapse objects or an object of "
                                       "columns (source, target, weight)"),
]


class Arrays:
    """A checked document's synapses as arrays, in document order (built by the checks)."""

    __slots__ = ("attrs", "delay", "gater", "source", "target", "weight")

    def __init__(self, source: np.ndarray, target: np.ndarray, weight: np.ndarray,
                 delay: np.ndarray | None, gater: np.ndarray | None,
                 attrs: list[dict[str, Any] | None] | None) -> None:
        self.source, self.target, self.weight = source, target, weight
        self.delay, self.gater, self.attrs = delay, gater, attrs


class NetworkDocument(_Model):
    """A netgraph network: neurons, synapses, and what is known about them.

    Beyond this schema a document must have unique neuron ids, at least one input and
    one output neuron, synapses between existing neurons with at most one synapse per
    (source, target) pair, no synapse into an input neuron, and no cycle made only of
    synapses with delay 0.
    """

    model_config = ConfigDict(
        extra="forbid",
        defer_build=True,
        title="netgraph network",
        json_schema_extra={"$schema": SCHEMA_DIALECT, "$id": schema_id()},
    )

    format: FormatMarker
    version: FormatVersion
    metadata: Metadata = Field(default_factory=Metadata)
    neurons: Annotated[list[Neuron], FailFast()]
    synapses: Synapses = Field(description="Rows (ids) or columns (indices into neurons).")
    training: TrainingState | None = None
    attrs: GraphAttrs = Field(default=None, description="Other graph attributes.")

    _arrays: Arrays | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> NetworkDocument:
        self._arrays = check_document(self)
        return self

    @property
    def arrays(self) -> Arrays:
        """The synapses as checked arrays (indices into ``neurons``), in document order."""
        assert self._arrays is not None
        return self._arrays

    @property
    def columnar(self) -> bool:
        return isinstance(self.synapses, SynapseColumns)


# ---------------------------------------------------------------- cross checks
def _first_duplicate(keys: list[Any]) -> tuple[int, int] | None:
    seen: dict[Any, int] = {}
    for k, key in enumerate(keys):
        j = seen.setdefault(key, k)
        if j != k:
            return j, k
    return None


def columns_to_arrays(c: SynapseColumns, n: int) -> Arrays:
    """A column document's synapses as arrays, once every index names a neuron."""
    for name in ("source", "target", "gater"):
        col = getattr(c, name)
        if col is None or not len(col):
            continue
        bad = np.flatnonzero(col >= n)
        if len(bad):
            k = int(bad[0])
            raise DocumentError(f"synapses.{name}[{k}]", f"no neuron at index {int(col[k])} "
                                                         f"(there are {n} neurons)")
    return Arrays(c.source, c.target, c.weight, c.delay, c.gater, c.attrs)


def check_document(doc: NetworkDocument) -> Arrays:
    """The checks a schema cannot express. Returns the synapses as arrays."""
    ids = [n.id for n in doc.neurons]
    n = len(ids)
    dup = _first_duplicate(ids)
    if dup:
        raise DocumentError(f"neurons[{dup[1]}].id",
                            f"duplicate id {ids[dup[1]]!r} (also neurons[{dup[0]}])")
    roles = [nr.role for nr in doc.neurons]
    for role in ("input", "output"):
        if role not in roles:
            raise DocumentError("neurons", f"the network has no {role} neuron (role {role!r})")
    syn = doc.synapses
    if isinstance(syn, SynapseColumns):
        arrays = columns_to_arrays(syn, n)
    else:
        arrays = _rows_to_arrays(syn, {i: k for k, i in enumerate(ids)})
    check_structure(ids, roles, arrays, columnar=isinstance(syn, SynapseColumns))
    return arrays


def _rows_to_arrays(rows: list[Synapse], index: dict[Any, int]) -> Arrays:
    m = len(rows)
    src, dst = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64)
    weight = np.empty(m, dtype=np.float64)
    delay = gater = None
    attrs: list[dict[str, Any] | None] | None = None
    for k, r in enumerate(rows):
        for name in ("source", "target"):
            i = index.get(getattr(r, name))
            if i is None:
                raise DocumentError(f"synapses[{k}].{name}",
                                    f"unknown neuron {getattr(r, name)!r}")
            (src if name == "source" else dst)[k] = i
        weight[k] = r.weight
        if r.delay:
            if delay is None:
                delay = np.zeros(m, dtype=np.int8)
            delay[k] = r.delay
        if r.gater is not None:
            g = index.get(r.gater)
            if g is None:
                raise DocumentError(f"synapses[{k}].gater", f"unknown neuron {r.gater!r}")
            if gater is None:
                gater = np.full(m, -1, dtype=np.int64)
            gater[k] = g
        if r.attrs is not None:
            if attrs is None:
                attrs = [None] * m
            attrs[k] = r.attrs
    return Arrays(src, dst, weight, delay, gater, attrs)


def check_structure(ids: list[Any], roles: list[str], a: Arrays, *, columnar: bool) -> None:
    """Duplicate synapses, synapses into inputs, cycles without a delayed synapse.

    Raises ``DocumentError`` naming the synapse (as ``synapses[k]`` in either form).
    """
    n, src, dst = len(ids), a.source, a.target

    def where(k: int, field: str = "") -> str:
        if columnar:
            return f"synapses.{field}[{k}]" if field else f"synapses[{k}]"
        return join_path(f"synapses[{k}]", field)

    def name(k: int) -> str:
        return f"{ids[int(src[k])]!r} -> {ids[int(dst[k])]!r}"

    if not len(src):
        return
    key = src * n + dst
    if not bool(np.all(key[1:] > key[:-1])):  # not strictly increasing: look for repeats
        order = np.argsort(key, kind="stable")
        sk = key[order]
        rep = np.flatnonzero(sk[1:] == sk[:-1])
        if len(rep):
            later = order[rep + 1]
            j = int(np.argmin(later))
            k, first = int(later[j]), int(order[rep[j]])
            raise DocumentError(where(k), f"duplicate synapse {name(k)} (also {where(first)})")
    is_input = np.array([r == "input" for r in roles], dtype=bool)
    bad = np.flatnonzero(is_input[dst])
    if len(bad):
        k = int(bad[0])
        raise DocumentError(where(k, "target"), f"{ids[int(dst[k])]!r} is an input neuron; "
                                                "input neurons take no synapses")
    live = np.ones(len(src), dtype=bool) if a.delay is None else a.delay == 0
    cycle = find_cycle(n, src, dst, live)
    if cycle:
        names = [repr(ids[int(src[k])]) for k in cycle]
        path = " -> ".join([*names, names[0]])
        items = ", ".join(where(k) for k in cycle)
        raise DocumentError("synapses", f"cycle without a delayed synapse: {path} ({items})")


def find_cycle(n: int, src: np.ndarray, dst: np.ndarray, live: np.ndarray) -> list[int] | None:
    """Synapse indices of one cycle among the ``live`` synapses, or None if there is none.

    Kahn's algorithm, peeling all sourceless neurons at once with numpy (one round per
    level of the graph); what is left when it stops lies on or after a cycle.
    """
    edges = np.flatnonzero(live)
    if not len(edges):
        return None
    s, d = src[edges], dst[edges]
    if bool(np.all(s < d)):  # every synapse runs forward in neuron order: no cycle
        return None
    if bool(np.any(s == d)):
        return [int(edges[int(np.argmax(s == d))])]
    by_src = np.argsort(s, kind="stable")
    s_sorted, d_sorted = s[by_src], d[by_src]
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s_sorted, minlength=n), out=ptr[1:])
    indeg = np.bincount(d, minlength=n)
    frontier = np.flatnonzero(indeg == 0)
    while len(frontier):
        starts, lens = ptr[frontier], ptr[frontier + 1] - ptr[frontier]
        total = int(lens.sum())
        if not total:
            break
        offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total)
        targets = d_sorted[offsets]
        if total > n // 4:
            dec = np.bincount(targets, minlength=n)
            indeg -= dec
            touched = np.flatnonzero(dec)
        else:
            np.subtract.at(indeg, targets, 1)
            touched = np.unique(targets)
        frontier = touched[indeg[touched] == 0]
    if not bool(np.any(indeg > 0)):
        return None
    # Every neuron left has a live synapse from another neuron left: walk back to a repeat.
    by_dst = np.argsort(d, kind="stable")
    dptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(d, minlength=n), out=dptr[1:])
    v = int(np.argmax(indeg > 0))
    seen: dict[int, int] = {}
    path: list[int] = []  # synapse indices (into edges), walking backwards
    while v not in seen:
        seen[v] = len(path)
        for j in by_dst[dptr[v]:dptr[v + 1]]:
            u = int(s[j])
            if indeg[u] > 0:
                path.append(int(j))
                v = u
                break
        else:  # pragma: no cover - impossible by the argument above
            raise AssertionError("cycle walk lost its way")
    loop = path[seen[v]:][::-1]
    return [int(edges[j]) for j in loop]


# ------------------------------------------------------------ versions, errors
def upgrade(doc: dict[str, Any]) -> dict[str, Any]:
    """Bring a parsed document of any known version up to ``VERSION``.

    Checks ``format`` and ``version`` first; raises ``DocumentError``.
    """
    fmt = doc.get("format")
    if fmt != FORMAT:
        if "format" not in doc:
            hint = ("; this looks like Synaptic's JSON: use Network.from_synaptic"
                    if "neurons" in doc and "connections" in doc
                    else "; this is not a netgraph network document")
            raise DocumentError("format", f"missing{hint}")
        raise DocumentError("format", f"expected {FORMAT!r}, got {show(fmt)}")
    if "version" not in doc:
        raise DocumentError("version", "missing")
    version = integer(doc["version"])
    if version is None or version < 1:
        raise DocumentError("version", f"expected a format version (1, 2, ...), got "
                                       f"{show(doc['version'])}")
    if version > VERSION:
        raise DocumentError("version", f"version {version} is newer than this netgraph "
                                       f"reads (up to {VERSION}); upgrade netgraph")
    if version < VERSION:
        doc = dict(doc)  # migrations may change the top level: not the caller's dict
    while version < VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise DocumentError("version", f"version {version} is no longer supported")
        try:
            doc = step(doc)
        except DocumentError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
            raise DocumentError("", f"cannot upgrade this version {version} document: "
                                    f"{type(e).__name__}: {e}") from None
        version += 1
        doc["version"] = version
    return doc


_FIELDS = sorted({f for m in (Metadata, TrainingState, Neuron, Synapse, SynapseColumns,
                              NetworkDocument) for f in m.model_fields})


def suggest(detail: str, key: Any) -> str:
    """``detail``, with the field name ``key`` was probably meant to be."""
    close = difflib.get_close_matches(str(key), _FIELDS, n=1)
    return detail + (f"; did you mean {close[0]!r}?" if close else "")


def error_message(e: ValidationError) -> str:
    """The first error of a pydantic ``ValidationError`` as ``place: problem``."""
    path, detail = error_parts(e)
    return f"{path}: {detail}" if path else detail


def error_parts(e: ValidationError) -> tuple[str, str]:
    """The first error of a pydantic ``ValidationError`` as (place, problem)."""
    errors = e.errors(include_url=False)
    err = errors[0]
    # A misspelt key shows up as a missing field and an unknown key: report the key.
    if err["type"] == "missing":
        for other in errors:
            if other["type"] == "extra_forbidden" and other["loc"][:-1] == err["loc"][:-1]:
                err = other
                break
    loc = list(err["loc"])
    if len(loc) > 1 and loc[0] == "synapses" and loc[1] in ("rows", "columns"):
        del loc[1]
    path = loc_path(loc)
    cause = (err.get("ctx") or {}).get("error")
    kind, value = err["type"], err.get("input")
    if isinstance(cause, DocumentError):
        path, detail = join_path(path, cause.path), cause.detail
    elif kind == "missing":
        detail = "missing (it is required)"
    elif kind == "extra_forbidden":
        detail = suggest("unknown key", loc[-1])
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        detail = f"expected an object, got {show(value)}"
    elif kind == "list_type":
        detail = f"expected a list, got {show(value)}"
    else:
        detail = f"{err['msg']} (got {show(value)})"
    return path, detail


def _json_value_defs() -> dict[str, Any]:
    """``JsonValue<k>``: a JSON value at depth k of an attribute object (the object itself
    is at depth 0), as ``check_json_value`` accepts them: finite numbers, at most
    ``MAX_DEPTH`` levels of lists and objects."""
    defs: dict[str, Any] = {}
    scalar = [{"type": ["null", "boolean", "string"]}, _NUMBER]
    for k in range(1, MAX_DEPTH + 1):
        nested: list[dict[str, Any]]
        if k < MAX_DEPTH:
            inner = {"$ref": f"#/$defs/JsonValue{k + 1}"}
            nested = [{"type": "array", "items": inner},
                      {"type": "object", "additionalProperties": inner}]
        else:
            nested = [{"type": "array", "maxItems": 0}, {"type": "object", "maxProperties": 0}]
        defs[f"JsonValue{k}"] = {"anyOf": [*scalar, *nested]}
    return defs


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the current version, as written to ``schemas/``."""
    schema = NetworkDocument.model_json_schema(mode="validation")
    head = {"$schema": schema.pop("$schema"), "$id": schema.pop("$id")}
    schema["$defs"].update(_json_value_defs())
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "additionalProperties" in node and isinstance(node["additionalProperties"], dict) \
                    and _VALUE_REF in node["additionalProperties"]:
                node["additionalProperties"] = {"$ref": "#/$defs/JsonValue1"}
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return {**head, **schema}


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
