"""Run programs in real Neataptic and brain.js under Node (``tests/*_peer.js``).

Needs Node and ``benchmarks/node_modules`` (``bash scripts/bootstrap`` installs both, as
root; otherwise it prints the commands). A missing peer fails the test that needs it, saying
what to install: it never skips.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
MODULES = ROOT / "benchmarks" / "node_modules"


def missing(package: str) -> str | None:
    """What to install to run the JavaScript ``package`` here, or None if it can run."""
    why = []
    if shutil.which("node") is None:
        why.append("the `node` program is not on PATH (sudo apt-get install nodejs npm)")
    if not (MODULES / package / "package.json").exists():
        why.append(f"{MODULES / package} is missing (cd benchmarks && npm ci)")
    if not why:
        return None
    return (f"the real {package} under Node is needed: " + "; ".join(why)
            + ". `bash scripts/bootstrap` (as root) installs both")


def require(package: str) -> str:
    """The ``node`` program; fails the calling test, saying what to install, if ``package``
    cannot run (never a skip: one policy for every missing peer)."""
    why = missing(package)
    assert why is None, why
    node = shutil.which("node")
    assert node is not None
    return node


def _run(script: str, package: str, programs: list[dict[str, Any]],
         timeout: float = 600) -> list[dict[str, Any]]:
    node = require(package)
    proc = subprocess.run([node, str(HERE / script)], input=json.dumps(programs), text=True,
                          capture_output=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{script} failed: {proc.stderr[-2000:]}")
    replies = json.loads(proc.stdout)
    for reply in replies:
        assert "error" not in reply, reply["error"]
    return replies


def neataptic(programs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each program's reply from real Neataptic (see ``neataptic_peer.js``)."""
    return _run("neataptic_peer.js", "neataptic", programs)


def brain(programs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each program's reply from real brain.js (see ``brain_peer.js``)."""
    return _run("brain_peer.js", "brain.js", programs)


def worst(a: Any, b: Any) -> float:
    """The largest absolute difference between two runs' outputs (inf if shapes differ or
    only one of them has a non-finite value)."""
    A, B = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if A.shape != B.shape:
        return float("inf")
    if not np.array_equal(np.isfinite(A), np.isfinite(B)):
        return float("inf")
    finite = np.isfinite(A)
    return float(np.abs(A[finite] - B[finite]).max()) if finite.any() else 0.0
