"""Fuzz the foreign readers (neat-python, Neataptic, brain.js, interop.load) at length.

Runs ``tests/test_interop_fuzz.py`` with many more examples than the suite does, on
fresh random draws: every mutated, random or garbled document must load (and run) or
raise ``NetworkFormatError``.

Usage: python scripts/fuzz_interop.py [EXAMPLES]   (default 3000 per test)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    examples = argv[1] if len(argv) > 1 else "3000"
    if not examples.isdigit():
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    env = dict(os.environ, NETGRAPH_FUZZ_EXAMPLES=examples, NETGRAPH_FUZZ_SEED="random")
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            str(ROOT / "tests" / "test_interop_fuzz.py")], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
