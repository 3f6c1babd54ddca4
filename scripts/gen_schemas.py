"""Write the JSON Schemas of netgraph's document format and NEAT checkpoint to ``schemas/``.

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
from netgraph.neat import _checkpoint


def main(argv: list[str]) -> int:
    # the network document, and the NEAT checkpoint (netgraph/neat/_checkpoint.py)
    files = [(schema_path(VERSION), schema_text()),
             (_checkpoint.schema_path(), _checkpoint.schema_text())]
    if "--check" in argv:
        stale = 0
        for path, text in files:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path} is out of date: run python scripts/gen_schemas.py",
                      file=sys.stderr)
                stale = 1
            else:
                print(f"{path} is up to date")
        return stale
    for path, text in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
