"""Benchmark: minibatch training beside two busy processes, with the default BLAS threads
and with one (issue 20, item 4).

The README's 784-128-10 minibatch case (batch 32, Adam, float64, ``net.train``) runs each
layer pair as a BLAS product. Those products are small (at most 128 x 784 x 32
multiply-adds), and on a busy machine BLAS threads that split them wait for each other
behind other processes: training ran 3-11x slower with OpenBLAS's default threads than
with ``OPENBLAS_NUM_THREADS=1``. netgraph now runs such small products on one BLAS thread
itself (``netgraph._fast.BLAS_ONE_THREAD_WORK``, through threadpoolctl).

Each row trains in a fresh Python process while two processes spin on the CPU beside it
(started before, stopped after). Settings:

- ``default``: the environment as it is: netgraph's choice of threads per product;
- ``one-thread``: ``OPENBLAS_NUM_THREADS=1`` (and ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``):
  the figure to reach;
- ``blas-default``: netgraph's choice switched off (``BLAS_ONE_THREAD_WORK = 0``): every
  product on the BLAS's default threads, as before the change.

Rows run interleaved, ``--repeats`` times each; the figure is the median samples/s. The
target: ``default`` at least 0.8x ``one-thread``. The exit status is 1 when it is missed.

Usage: python benchmarks/bench_threads.py [--repeats 5] [--samples 4000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One training run: prints samples/s of the epochs after a warm-up epoch.
_TRAIN = """
import sys, time
import numpy as np
sys.path.insert(0, {root!r})
from netgraph import _fast
from netgraph.architect import Perceptron
if {switch_off}:
    _fast.BLAS_ONE_THREAD_WORK = 0
rng = np.random.default_rng(0)
X = rng.uniform(0, 1, ({samples}, 784))
T = np.eye(10)[rng.integers(0, 10, {samples})]
net = Perceptron(784, 128, 10, seed=0)
train = dict(iterations=1, error=0.0, optimizer="adam", batch_size=32, rate=0.001,
             progress=False, seed=0)
net.train(X, T, **train)  # warm-up: the plan, the BLAS threads, the caches
t0 = time.perf_counter()
for _ in range({epochs}):
    net.train(X, T, **train)
print({epochs} * len(X) / (time.perf_counter() - t0))
"""

_SPIN = "while True:\n    pass\n"

SETTINGS = {
    "default": ({}, False),
    "one-thread": ({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                    "MKL_NUM_THREADS": "1"}, False),
    "blas-default": ({}, True),
}


def run_once(setting: str, samples: int, epochs: int) -> float:
    """Samples/s of one training run in a fresh process, two spinning processes beside it."""
    extra, switch_off = SETTINGS[setting]
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env.update(extra)
    spinners = [subprocess.Popen([sys.executable, "-c", _SPIN]) for _ in range(2)]
    try:
        time.sleep(0.2)  # let them take their share of the cores first
        code = _TRAIN.format(root=str(ROOT), switch_off=switch_off, samples=samples,
                             epochs=epochs)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, timeout=900, check=True)
    finally:
        for p in spinners:
            p.kill()
        for p in spinners:
            p.wait()
    return float(out.stdout.strip())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--samples", type=int, default=4000)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    rates: dict[str, list[float]] = {name: [] for name in SETTINGS}
    for _ in range(args.repeats):
        for name in SETTINGS:  # interleaved, so drifting load hits every setting alike
            rates[name].append(run_once(name, args.samples, args.epochs))
    median = {name: statistics.median(r) for name, r in rates.items()}
    ratio = median["default"] / median["one-thread"]
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"samples_per_s": rates, "median": median,
                          "default_over_one_thread": ratio, "loadavg": load}, indent=2))
    else:
        print(f"784-128-10, minibatch 32, Adam, float64, two busy processes beside it; "
              f"{args.repeats} runs each, load average {load[0]:.2f}")
        print("| setting | samples/s (median) | runs | vs one-thread |")
        print("|---|---|---|---|")
        for name in SETTINGS:
            runs = ", ".join(f"{r:,.0f}" for r in rates[name])
            print(f"| {name} | {median[name]:,.0f} | {runs} | "
                  f"{median[name] / median['one-thread']:.2f}x |")
        verdict = "met" if ratio >= 0.8 else "NOT met"
        print(f"target: default >= 0.8x one-thread: {ratio:.2f}x ({verdict})")
    return 0 if ratio >= 0.8 else 1


if __name__ == "__main__":
    sys.exit(main())
