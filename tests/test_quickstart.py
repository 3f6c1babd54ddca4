"""The README's Quick start, as a newcomer runs it: a fresh ``git clone`` of this repository
(its committed state) into a temporary folder, then ``bash scripts/xor`` and
``bash scripts/test`` there, each setting up its own ``.venv`` from nothing.

The full suite inside the suite would take too long, so ``scripts/test`` runs one named
test file (its pytest arguments); it must end with no failure, error or skip. pip's cache
(and npm's) is shared with this environment, so packages are not downloaded again, but
every one is installed into the clone's own environment, as on a fresh machine.

Also a check of the whole suite's policy: no test may skip (a missing peer fails, saying
what to install).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sh(command: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    # the clone's scripts make and use the clone's own .venv, whatever runs this test
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_the_quick_start_works_from_a_fresh_clone(tmp_path):
    clone = tmp_path / "netgraph"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True,
                   timeout=300)
    assert not (clone / ".venv").exists()

    # 1. the demo: only netgraph and its runtime dependencies, said aloud while installing
    xor = sh(["bash", "scripts/xor"], clone, timeout=900)
    assert xor.returncode == 0, xor.stdout[-3000:] + xor.stderr[-5000:]
    for name in ("xor.json", "xor.svg", "xor.png"):
        assert (clone / "out" / name).stat().st_size > 0, name
    assert "installing netgraph and its runtime dependencies" in xor.stderr
    assert "Installing collected packages" in xor.stdout + xor.stderr  # pip is not silent
    python = clone / ".venv" / "bin" / "python"
    present = subprocess.run(
        [python, "-c", "import importlib.util as u; "
                       "print([m for m in ('torch', 'pytest', 'sklearn', 'onnxruntime') "
                       "if u.find_spec(m)])"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert present == "[]", f"the demo installed test tools: {present}"
    assert (clone / ".venv" / ".netgraph-installed").read_text().startswith("runtime ")

    # 2. the tests: the test tools and the peers are added; one named file, all green
    test = sh(["bash", "scripts/test", "tests/test_evaluate.py", "-q", "-p", "no:cacheprovider"],
              clone, timeout=3000)
    out = test.stdout + test.stderr
    assert test.returncode == 0, out[-5000:]
    assert "with its test tools" in test.stderr
    summary = test.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in .*", summary), summary  # no failed, error, skipped
    assert (clone / ".venv" / ".netgraph-installed").read_text().startswith("test ")
    assert (clone / "benchmarks" / "node_modules" / "synaptic" / "package.json").exists()

    # 3. an edited C source is rebuilt, at the level already installed
    source = sorted((clone / "netgraph" / "_native").glob("*.c"))[0]
    source.write_text(source.read_text() + "\n/* edited */\n")
    again = sh(["bash", "scripts/bootstrap", "--runtime"], clone, timeout=1800)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "building netgraph's native core" in again.stderr
    assert (clone / ".venv" / ".netgraph-installed").read_text().startswith("test ")
    quiet = sh(["bash", "scripts/bootstrap"], clone, timeout=300)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr  # nothing to redo
