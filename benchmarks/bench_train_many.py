"""Benchmark: ``netgraph.train_many`` against a Python loop of ``net.train`` calls.

A population of ``--networks`` (1,000) small, different feed-forward topologies, as
evolution makes them: 3 inputs, 2 outputs, 2 to 8 hidden neurons (logistic, tanh or
relu), and 10 to 50 synapses drawn at random among the forward pairs. Each network is
trained 10 Adam steps (``optimizer="adam"``, ``error=0`` so that every step runs) on the
same data set of 4, 16 or 64 samples, two ways:

- ``full batch``: ``batch_size`` = the number of samples, ``iterations=10``: 10 steps;
- ``per sample``: ``batch_size=1``, ``iterations=10``: 10 epochs of one step per sample.

Measured, best of ``--repeats``: the loop ``[net.train(X, T, **options) for net in nets]``
against ``netgraph.train_many(nets, X, T, **options)`` (and with ``--threads``), on
copies of the same networks; the weights after both are checked to be the same bits.
Both sides start from the same state: every network compiled (``net._ready()``) outside
the timings, as in evolution's loop once a genome's network exists. ``kernel s`` is
the training kernels' own time summed over the networks (``TrainResult.time`` of the
one-thread ``train_many``): the same kernels run inside the loop of ``train``, so
``loop s / kernel s`` bounds what any one-thread ``train_many`` can reach.
Target: train_many >= 50x faster than the loop.
Usage: python benchmarks/bench_train_many.py [--networks 1000] [--repeats 3] [--threads 2]
       [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

import netgraph
from netgraph import Network


def population(n: int, seed: int) -> list[Network]:
    """n random feed-forward networks of 10..50 synapses (3 inputs, 2 outputs)."""
    rng = np.random.default_rng(seed)
    nets = []
    for _ in range(n):
        net = Network(seed=int(rng.integers(1 << 30)))
        inputs = [net.add_neuron(role="input") for _ in range(3)]
        hidden = [net.add_neuron(activation=str(rng.choice(["logistic", "tanh", "relu"])))
                  for _ in range(int(rng.integers(2, 9)))]
        outputs = [net.add_neuron(role="output") for _ in range(2)]
        order = inputs + hidden + outputs
        pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:]
                 if b not in inputs]
        rng.shuffle(pairs)
        for a, b in pairs[:int(rng.integers(10, 51))]:
            net.connect(a, b)
        nets.append(net)
    return nets


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def loop_of_train(nets: list[Network], X: np.ndarray, T: np.ndarray,
                  options: dict[str, Any]) -> list[Any]:
    return [n.train(X, T, **options) for n in nets]


def same_weights(a: list[Network], b: list[Network]) -> bool:
    return all(np.array_equal(x._plan().weights, y._plan().weights) and
               np.array_equal(x._plan().biases, y._plan().biases)
               for x, y in zip(a, b, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    # some random topologies leave an output unreached: both sides train them alike
    warnings.simplefilter("ignore", netgraph.UnreachableOutputWarning)
    nets = population(args.networks, 0)
    rng = np.random.default_rng(1)
    rows = []
    for samples in (4, 16, 64):
        X = rng.uniform(-1, 1, (samples, 3))
        T = rng.uniform(0, 1, (samples, 2))
        for name, batch in (("full batch", samples), ("per sample", 1)):
            options = dict(optimizer="adam", iterations=10, error=0.0, batch_size=batch,
                           rate=0.01)
            loop = many = many_t = kernel = float("inf")
            identical = True
            for _ in range(args.repeats):
                a = [n.copy() for n in nets]
                b = [n.copy() for n in nets]
                c = [n.copy() for n in nets]
                for group in (a, b, c):  # compile outside the timings, as both reuse plans
                    for n in group:
                        n._ready()
                t, _ = timed(loop_of_train, a, X, T, options)
                loop = min(loop, t)
                t, results = timed(netgraph.train_many, b, X, T, **options)
                many = min(many, t)
                kernel = min(kernel, sum(r.time for r in results))
                t, _ = timed(netgraph.train_many, c, X, T, threads=args.threads, **options)
                many_t = min(many_t, t)
                identical &= same_weights(a, b) and same_weights(a, c)
            rows.append({"samples": samples, "steps": name, "loop_s": loop, "many_s": many,
                         "many_threads_s": many_t, "speedup": loop / many,
                         "speedup_threads": loop / many_t, "kernel_s": kernel,
                         "loop_over_kernel": loop / kernel, "identical": identical})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{args.networks} networks, 10..50 synapses, Adam, best of {args.repeats} "
          f"(threads={args.threads} in the last columns)")
    print(f"{'samples':>7} {'steps':>10} {'loop s':>8} {'many s':>8} {'x':>6} "
          f"{'many_t s':>8} {'x':>6} {'kernel s':>8} {'loop/k':>6} same bits")
    for r in rows:
        print(f"{r['samples']:>7} {r['steps']:>10} {r['loop_s']:>8.3f} {r['many_s']:>8.3f} "
              f"{r['speedup']:>6.1f} {r['many_threads_s']:>8.3f} {r['speedup_threads']:>6.1f} "
              f"{r['kernel_s']:>8.3f} {r['loop_over_kernel']:>6.1f} {r['identical']}")


if __name__ == "__main__":
    main()
