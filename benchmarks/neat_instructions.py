"""Benchmark: instructions, L1 data misses and mispredicted branches per NEAT generation.

Wall times on a shared machine move by tens of percent from run to run; these counts do
not. Valgrind's cachegrind (with its cache and branch simulation) runs a fresh process
that makes neat-python's XOR population (its own config, fitness threshold out of reach)
and runs `generations` generations after a first one, and a second process that runs only
the first; the difference over `generations` is one steady generation. Reported per
generation: instructions, L1 data misses (reads and writes) and mispredicted branches
(conditional and indirect), for the whole process and for netgraph's native code alone
(the Python share of a difference of two processes carries some noise from imports).

Usage: python benchmarks/neat_instructions.py [--pop 150] [--generations 30] [--json]
(needs valgrind; takes a few minutes, valgrind runs programs ~50x slower)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

DRIVER = """
import sys
sys.path.insert(0, {repo!r})
import numpy as np
from netgraph.neat import Config, Dataset, Population
base = Config.from_file({config!r}).values
config = Config.from_values({{**base, "fitness_threshold": 100.0, "pop_size": {pop}}})
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
data = Dataset(X, np.array([0.0, 1.0, 1.0, 0.0]), cost="sse", offset=4.0)
pop = Population(config, seed=0)
pop.run(data, 1)
if {generations}:
    pop.run(data, {generations})
"""

EVENTS = ("Ir", "D1mr", "D1mw", "Bcm", "Bim")


def cachegrind(script: Path, out: Path) -> None:
    # one BLAS thread and a fixed hash seed: the two processes differ only in the run
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=yes", "--branch-sim=yes",
                    f"--cachegrind-out-file={out}", sys.executable, str(script)],
                   env=env, check=True, capture_output=True)


def counts(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Totals of the whole process, and of functions in netgraph/_native sources."""
    total = dict.fromkeys(EVENTS, 0)
    native = dict.fromkeys(EVENTS, 0)
    events: list[str] = []
    in_native = False
    for line in path.read_text().splitlines():
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith("fl="):
            in_native = "/_native/" in line
        elif line.startswith("summary:"):
            total = {e: int(v) for e, v in zip(events, line.split()[1:], strict=True)
                     if e in EVENTS}
        elif in_native and re.match(r"^\d", line):
            values = line.split()[1:]  # the line number first
            for e, v in zip(events, values, strict=False):
                if e in native:
                    native[e] += int(v)
    return total, native


def per_generation(pop: int, generations: int) -> dict[str, dict[str, float]]:
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    config = REPO / "tests" / "fixtures" / "neat" / "xor-config-feedforward"
    with tempfile.TemporaryDirectory() as tmp:
        got = []
        for gens in (0, generations):
            script = Path(tmp) / f"drive{gens}.py"
            script.write_text(DRIVER.format(repo=str(REPO), config=str(config), pop=pop,
                                            generations=gens))
            out = Path(tmp) / f"cg{gens}.out"
            cachegrind(script, out)
            got.append(counts(out))
    result = {}
    for part, k in (("process", 0), ("native", 1)):
        a, b = got[0][k], got[1][k]
        d = {e: (b[e] - a[e]) / generations for e in EVENTS}
        result[part] = {"instructions": d["Ir"], "l1d_misses": d["D1mr"] + d["D1mw"],
                        "mispredicted_branches": d["Bcm"] + d["Bim"]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pop", type=int, default=150)
    parser.add_argument("--generations", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = per_generation(args.pop, args.generations)
    if args.json:
        print(json.dumps({"pop": args.pop, "generations": args.generations, **result},
                         indent=2))
        return
    print(f"NEAT, neat-python's XOR config, pop {args.pop}: per generation "
          f"(cachegrind, {args.generations} generations after the first)")
    for part, r in result.items():
        print(f"  {part:8s} instructions {r['instructions']:>11,.0f}   L1d misses "
              f"{r['l1d_misses']:>8,.0f}   mispredicted branches "
              f"{r['mispredicted_branches']:>8,.0f}")


if __name__ == "__main__":
    main()
