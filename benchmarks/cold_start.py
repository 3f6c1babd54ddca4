"""Cold starts: whole processes right after a fresh install, against the same runs warm.

A user's first run used to pay for numba's JIT (seconds); the native core is compiled at
install, so a first run should cost what every later one does. This module builds a wheel
of this checkout, installs it into a fresh virtual environment (benchmarks/.work/cold-venv),
and for each program below times

- cold: the first run right after (re)installing netgraph from the wheel;
- warm: the run right after that one;

both medians over several such rounds (a busy machine moves single runs by tenths of a
second either way),

each a whole process (``python -c`` / the ``netgraph`` command), wall-clock time. The seed
tutorial is also timed whole-process under Node + Synaptic.js 1.1.4 (median of the runs).

    python benchmarks/cold_start.py        # prints one JSON line (run.py calls cold_figures)
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
XOR_CSV = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


# A user's environment: Python writes and reads its bytecode caches (a developer's
# PYTHONDONTWRITEBYTECODE would make every run compile netgraph's sources anew).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=True, env=ENV, **kw)


def fresh_install(log: Any = print) -> tuple[Path, Path]:
    """A wheel of this checkout and a fresh venv with it installed: (venv python, wheel)."""
    WORK.mkdir(exist_ok=True)
    wheels = WORK / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    src = WORK / "src"
    shutil.rmtree(src, ignore_errors=True)
    log("cold_start: building a wheel from a clean copy of this checkout")
    _run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(src)])
    # the working tree, not just the last commit
    for name in _run(["git", "ls-files", "-m", "-o", "--exclude-standard"],
                     cwd=ROOT).stdout.split():
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(wheels)])
    (wheel,) = wheels.glob("*.whl")
    venv = WORK / "cold-venv"
    shutil.rmtree(venv, ignore_errors=True)
    log("cold_start: making a fresh venv and installing the wheel (and its dependencies)")
    _run([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    _run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)])
    return py, wheel


def reinstall(py: Path, wheel: Path) -> None:
    """netgraph installed anew from the wheel: a fresh install, its bytecode compiled by pip
    as at any install, nothing else left from earlier runs."""
    _run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check",
          "--force-reinstall", "--no-deps", str(wheel)])


def seconds(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    _run(cmd, cwd=cwd)
    return time.perf_counter() - t0


def cold_and_warm(py: Path, wheel: Path, cmd: list[str], cwd: Path, cycles: int
                  ) -> dict[str, float]:
    """Medians over `cycles` rounds of: reinstall, the first run (cold), the next (warm).
    A busy machine moves single runs by tenths of a second either way; medians of paired
    runs show what a fresh install itself costs."""
    cold, warm = [], []
    for _ in range(cycles):
        reinstall(py, wheel)
        cold.append(seconds(cmd, cwd))
        warm.append(seconds(cmd, cwd))
    return {"cold_s": statistics.median(cold), "warm_s": statistics.median(warm),
            "cold_min_s": min(cold), "warm_min_s": min(warm)}


def cold_figures(quick: bool = False, log: Any = print) -> dict[str, Any]:
    """Every figure of the cold_start task (see run.py)."""
    py, wheel = fresh_install(log)
    bindir = py.parent
    work = WORK / "cold-run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    (work / "xor.csv").write_text(XOR_CSV)
    runs = 3 if quick else 7
    out: dict[str, Any] = {"rounds": runs}
    programs = {
        "tutorial": [str(py), str(HERE / "seed_tutorial.py")],
        "train": [str(bindir / "netgraph"), "train", "--layers", "2,3,1", "--data", "xor.csv",
                  "-o", "net.json", "--rate", "0.3", "--iterations", "20000", "--error", "0"],
        "predict": [str(bindir / "netgraph"), "predict", "net.json", "--input", "0,1"],
        "common": [str(py), str(HERE / "common_paths.py"), str(work)],
    }
    for name, cmd in programs.items():
        log(f"cold_start: {name}")
        figures = cold_and_warm(py, wheel, cmd, work, runs)
        for key, value in figures.items():
            out[f"{name}_{key}"] = value
        out[f"{name}_cold_over_warm"] = figures["cold_s"] / figures["warm_s"]
    node = [seconds(["node", str(HERE / "peers" / "synaptic_tutorial.js")], HERE)
            for _ in range(runs)]
    out["synaptic_tutorial_s"] = statistics.median(node)
    out["synaptic_tutorial_min_s"] = min(node)
    return out


if __name__ == "__main__":
    print(json.dumps(cold_figures("--quick" in sys.argv, log=lambda m: print(m, file=sys.stderr))))
    sys.stdout.flush()
    os._exit(0)
