"""Reading a foreign document under netgraph's loader contract.

Every reader in ``interop`` takes its source through ``read_json`` (or ``read_bytes``):
a parsed ``dict``/``list``, JSON text, UTF-8 bytes, or a path. Each source is capped in
size before it is decoded, and every failure (a missing file, bad UTF-8, bad JSON,
``NaN``, an integer too long to convert, nesting too deep) is a ``NetworkFormatError``
naming the place. Nothing read is ever evaluated.

The small checkers (``number``, ``integer``, ``index``, ...) raise ``NetworkFormatError``
with the location they are given (``nodes[3].bias``), so that a reader states where a
document went wrong, never with a stray ``TypeError`` or ``KeyError``.
"""

from __future__ import annotations

import json
import math
import os
from os import PathLike
from typing import Any

from .._exceptions import NetworkFormatError

__all__ = [
    "MAX_BYTES",
    "Where",
    "boolean",
    "integer",
    "mapping",
    "number",
    "read_bytes",
    "read_json",
    "sequence",
    "text",
]

MAX_BYTES = 512 * 1024 * 1024  # the cap of netgraph's own loader


class Where:
    """A location prefix for error messages: ``Where("brain.json")("layers[2]")``."""

    def __init__(self, label: str = "") -> None:
        self.label = label

    def __call__(self, place: str) -> str:
        if not self.label:
            return place or "the document"
        return f"{self.label}: {place}" if place else self.label

    def error(self, place: str, message: str) -> NetworkFormatError:
        return NetworkFormatError(f"{self(place)}: {message}")


def _looks_like_json(text: str) -> bool:
    return text.lstrip(" \t\r\n\ufeff").startswith(("{", "["))


def _reject_constant(name: str) -> Any:
    raise NetworkFormatError(f"not valid JSON: {name} is not a number JSON allows")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise NetworkFormatError(f"not valid: key {k!r:.60} appears twice in one object")
            seen.add(k)
    return d


def parse_json(text: str, where: Where) -> Any:
    """``text`` parsed as strict JSON (no NaN/Infinity, no repeated keys)."""
    try:
        return json.loads(text.lstrip("\ufeff"), parse_constant=_reject_constant,
                          object_pairs_hook=_object)
    except NetworkFormatError as e:
        raise where.error("", str(e)) from None
    except json.JSONDecodeError as e:
        raise where.error("", f"not valid JSON: {e.msg} at line {e.lineno} column "
                              f"{e.colno}") from None
    except RecursionError:
        raise where.error("", "not valid JSON: nested too deeply") from None
    except ValueError as e:  # an integer with more digits than Python converts
        raise where.error("", f"not valid JSON: {e}") from None


def _read_path(path: str | PathLike[str], max_bytes: int) -> bytes:
    shown = os.fspath(path)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                raise NetworkFormatError(f"{shown}: larger than {max_bytes} bytes")
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise NetworkFormatError(f"cannot read {shown}: {e.strerror or e}") from None
    except ValueError as e:  # e.g. a NUL character in the path
        raise NetworkFormatError(f"cannot read {shown!r:.200}: {e}") from None
    if len(data) > max_bytes:
        raise NetworkFormatError(f"{shown}: larger than {max_bytes} bytes")
    return data


def read_bytes(source: Any, max_bytes: int = MAX_BYTES) -> tuple[bytes | str | Any, Where]:
    """The raw content of ``source`` and a location for messages.

    **Returns** ``(content, where)``: ``content`` is the ``bytes`` of a file or of a bytes
    source, the ``str`` of JSON text, or the object itself when it is already parsed
    (``dict``/``list``). A ``str`` that does not start like JSON is a path.
    """
    if isinstance(source, (dict, list)):
        return source, Where()
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) > max_bytes:
            raise NetworkFormatError(f"the document is larger than {max_bytes} bytes")
        return bytes(source), Where()
    if isinstance(source, str):
        if len(source) > max_bytes:
            raise NetworkFormatError(f"the document is larger than {max_bytes} characters")
        if _looks_like_json(source):
            return source, Where()
        if not source or len(source) > 4096 or "\n" in source:
            raise NetworkFormatError("expected a document (JSON text) or a path; this text is "
                                     "neither")
        return _read_path(source, max_bytes), Where(source)
    if isinstance(source, PathLike):
        return _read_path(source, max_bytes), Where(os.fspath(source))
    raise NetworkFormatError(f"expected a dict, JSON text, bytes or a path, got "
                             f"{type(source).__name__}")


def decode(content: bytes | str, where: Where) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise where.error("", f"not UTF-8 text ({e.reason} at byte {e.start})") from None


def read_json(source: Any, max_bytes: int = MAX_BYTES) -> tuple[Any, Where]:
    """``source`` (dict, list, JSON text, bytes or path) as parsed JSON, and its location."""
    content, where = read_bytes(source, max_bytes)
    if isinstance(content, (dict, list)):
        return content, where
    return parse_json(decode(content, where), where), where


# ------------------------------------------------------------------ checkers
def number(where: Where, place: str, value: Any) -> float:
    """A finite JSON number as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise where.error(place, f"expected a number, got {_show(value)}")
    try:
        x = float(value)
    except OverflowError:
        raise where.error(place, f"{_show(value)} is too large") from None
    if not math.isfinite(x):
        raise where.error(place, f"{x} is not a finite number")
    return x


def integer(where: Where, place: str, value: Any, low: int | None = None,
            high: int | None = None) -> int:
    """A JSON integer (``1.0`` is refused), optionally within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(place, f"expected an integer, got {_show(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"from {low}" if high is None else f"from {low} to {high}"
        raise where.error(place, f"expected an integer {bounds}, got {_show(value)}")
    return value


def boolean(where: Where, place: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise where.error(place, f"expected true or false, got {_show(value)}")
    return value


def text(where: Where, place: str, value: Any) -> str:
    if not isinstance(value, str):
        raise where.error(place, f"expected a string, got {_show(value)}")
    return value


def mapping(where: Where, place: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(place, f"expected an object, got {_show(value)}")
    return value


def sequence(where: Where, place: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise where.error(place, f"expected a list, got {_show(value)}")
    return value


def _show(value: Any) -> str:
    """A short, safe rendering of a document value for a message."""
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return "a very large integer"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
