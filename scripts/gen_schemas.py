"""Write the JSON Schema of netgraph's document format to ``schemas/``.

The schema is generated from the pydantic models in ``netgraph/_document.py`` and
written as ``schemas/netgraph-network-v<VERSION>.schema.json``. Schemas of older
versions stay as they were (documents of those versions keep loading through the
migrations). ``tests/test_schema.py`` fails when the file drifts from the models.

Usage: python scripts/gen_schemas.py [--check]
  --check   write nothing; exit 1 if the file is missing or differs from the models
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netgraph._document import VERSION, schema_path, schema_text


def main(argv: list[str]) -> int:
    path = schema_path(VERSION)
    text = schema_text()
    if "--check" in argv:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"{path} is out of date: run python scripts/gen_schemas.py", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
