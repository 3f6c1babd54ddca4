"""The JSON Schemas of netgraph's file format, as shipped with the package.

Installed, the schemas are package data (``netgraph/schemas/`` inside the wheel) and are
read through ``importlib.resources``, so they are found wherever and however netgraph is
installed (a folder, a zip). A source checkout may still keep them in the top-level
``schemas/`` folder beside the package; that place is the fallback.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ._exceptions import NetworkFormatError

__all__ = ["schema", "schema_file"]

_CHECKOUT = Path(__file__).resolve().parent.parent / "schemas"


def _file_name(version: int) -> str:
    return f"netgraph-network-v{version}.schema.json"


def schema_file(version: int | None = None) -> Traversable:
    """Where the JSON Schema of a format version is: package data first, then a checkout's
    ``schemas/`` folder.

    **Arguments**
    - ``version``: the format version (default: the one this netgraph writes).

    **Returns** an ``importlib.resources`` ``Traversable`` (a ``pathlib.Path`` in a checkout).
    Raises ``NetworkFormatError`` for a version that has no schema.
    """
    from ._document import VERSION

    if version is None:
        version = VERSION
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        raise NetworkFormatError(f"no JSON Schema for format version {version!r}; this netgraph "
                                 f"has versions 1 to {VERSION}")
    name = _file_name(version)
    packaged = resources.files("netgraph") / "schemas" / name
    if packaged.is_file():
        return packaged
    checkout = _CHECKOUT / name
    if checkout.is_file():
        return checkout
    raise NetworkFormatError(f"the JSON Schema {name} is missing from this installation of "
                             f"netgraph (looked in {packaged} and {checkout})")


def schema(version: int | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of netgraph's network format, as a dict.

    Use it to check documents with any JSON Schema validator, e.g.
    ``jsonschema.Draft202012Validator(netgraph.schema()).validate(document)``;
    ``Network.load`` checks all of it and more by itself.

    **Arguments**
    - ``version``: the format version (default: the one this netgraph writes).

    **Returns** the schema, parsed; ``schema()["$id"]`` names its version.
    """
    text = schema_file(version).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result
