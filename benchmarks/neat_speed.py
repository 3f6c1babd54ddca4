"""Benchmark: time per NEAT generation, netgraph.neat against neat-python 2.0.0.

The task is neat-python's own XOR example: its configuration file
(``examples/xor/config-feedforward``, kept as tests/fixtures/neat/xor-config-feedforward)
and its fitness, ``4 - sum((output - target)^2)`` over the four cases, evaluated by
neat-python through its ``eval_genomes`` callback and ``nn.FeedForwardNetwork``, and by
netgraph as ``neat.Dataset(X, y, cost="sse", offset=4.0)`` (the same numbers to the bit:
tests/test_neat_population.py). A generation is neat-python's loop body: evaluate every
genome, reproduce (stagnation, spawn, crossover, mutation), speciate.

Both run the same generations (after a first, untimed one: 30 at pop 150, 10 at pop
1,000), with the fitness threshold out of reach so neither stops early, interleaved rep by
rep so that both see the same machine load. Reported per generation: wall time (median
over reps of a run's mean) and CPU time of this process, and their ratios; plus netgraph's
cold first generation against its steady generations. Cold means a fresh process: each of
``--cold-procs`` new interpreters imports netgraph, makes the population and times its
first ``run(data, 1)`` (a generation: evaluate, reproduce, speciate), the first call of
everything; the median of those, over the median steady generation of this process (wall
time, and CPU time: under load a 0.3 ms wall time is mostly other processes' turns).

Usage: python benchmarks/neat_speed.py [--generations 30] [--reps 5] [--cold-procs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import neat as neat_python
import numpy as np

from netgraph.neat import Config, Dataset, Population

CONFIG = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "neat" / \
    "xor-config-feedforward"
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])
XOR_IN = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
XOR_OUT = [(0.0,), (1.0,), (1.0,), (0.0,)]


def eval_genomes(genomes, config) -> None:
    """neat-python's examples/xor/evolve-feedforward.py fitness, verbatim in substance."""
    for _, genome in genomes:
        genome.fitness = 4.0
        net = neat_python.nn.FeedForwardNetwork.create(genome, config)
        for xi, xo in zip(XOR_IN, XOR_OUT, strict=True):
            output = net.activate(xi)
            genome.fitness -= (output[0] - xo[0]) ** 2


def neat_python_config(pop_size: int, folder: Path) -> neat_python.Config:
    text = CONFIG.read_text()
    text = text.replace("fitness_threshold     = 3.9", "fitness_threshold     = 100.0")
    text = text.replace("pop_size              = 150", f"pop_size              = {pop_size}")
    path = folder / f"xor-{pop_size}.ini"
    path.write_text(text)
    return neat_python.Config(neat_python.DefaultGenome, neat_python.DefaultReproduction,
                              neat_python.DefaultSpeciesSet, neat_python.DefaultStagnation,
                              str(path))


def time_neat_python(pop_size: int, generations: int, seed: int, folder: Path
                     ) -> tuple[float, float]:
    config = neat_python_config(pop_size, folder)
    random.seed(seed)
    pop = neat_python.Population(config)
    pop.run(eval_genomes, 1)  # as netgraph's: the first generation is not timed here
    w, c = time.perf_counter(), time.process_time()
    pop.run(eval_genomes, generations)
    return ((time.perf_counter() - w) / generations, (time.process_time() - c) / generations)


def netgraph_config(pop_size: int) -> Config:
    base = Config.from_file(CONFIG).values
    return Config.from_values({**base, "fitness_threshold": 100.0, "pop_size": pop_size})


def time_netgraph(pop_size: int, generations: int, seed: int) -> tuple[float, float, float]:
    config = netgraph_config(pop_size)
    data = Dataset(X, Y, cost="sse", offset=4.0)
    pop = Population(config, seed=seed)
    w0 = time.perf_counter()
    pop.run(data, 1)
    cold = time.perf_counter() - w0
    w, c = time.perf_counter(), time.process_time()
    pop.run(data, generations)
    return ((time.perf_counter() - w) / generations, (time.process_time() - c) / generations,
            cold)


def cold_child(pop_size: int, seed: int) -> None:
    """In a fresh interpreter: the first generation of a new population, in ms (JSON)."""
    config = netgraph_config(pop_size)
    data = Dataset(X, Y, cost="sse", offset=4.0)
    w0 = time.perf_counter()
    pop = Population(config, seed=seed)
    w1, c1 = time.perf_counter(), time.process_time()
    pop.run(data, 1)
    w2, c2 = time.perf_counter(), time.process_time()
    print(json.dumps({"create_ms": (w1 - w0) * 1e3, "first_ms": (w2 - w1) * 1e3,
                      "first_cpu_ms": (c2 - c1) * 1e3}))


def cold_first(pop_size: int, procs: int) -> tuple[float, float, float]:
    """Medians over `procs` fresh processes, in s: the first generation's wall and CPU
    time, and the population's creation."""
    firsts, cpus, creates = [], [], []
    for seed in range(procs):
        out = subprocess.run([sys.executable, __file__, "--cold-child", str(pop_size),
                              str(seed)], capture_output=True, text=True, check=True)
        got = json.loads(out.stdout.strip().splitlines()[-1])
        firsts.append(got["first_ms"] / 1e3)
        cpus.append(got["first_cpu_ms"] / 1e3)
        creates.append(got["create_ms"] / 1e3)
    return statistics.median(firsts), statistics.median(cpus), statistics.median(creates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generations", type=int, default=30)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--cold-procs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cold-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        cold_child(*args.cold_child)
        return
    folder = Path(os.environ.get("TMPDIR", "/tmp"))
    results = {}
    for pop_size in (150, 1000):
        theirs, ours, warm_firsts = [], [], []
        gens_theirs = args.generations if pop_size == 150 else max(5, args.generations // 3)
        for rep in range(args.reps):
            theirs.append(time_neat_python(pop_size, gens_theirs, rep, folder))
            # the same generations as neat-python's (genomes grow as a run goes on)
            w, c, first = time_netgraph(pop_size, gens_theirs, rep)
            ours.append((w, c))
            warm_firsts.append(first)
        tw = statistics.median(t[0] for t in theirs)
        tc = statistics.median(t[1] for t in theirs)
        ow = statistics.median(o[0] for o in ours)
        oc = statistics.median(o[1] for o in ours)
        cold, cold_cpu, create = cold_first(pop_size, args.cold_procs)
        results[pop_size] = {
            "neat_python_wall_ms": tw * 1e3, "neat_python_cpu_ms": tc * 1e3,
            "netgraph_wall_ms": ow * 1e3, "netgraph_cpu_ms": oc * 1e3,
            "speedup_wall": tw / ow, "speedup_cpu": tc / oc,
            "netgraph_cold_first_ms": cold * 1e3, "cold_over_steady": cold / ow,
            "netgraph_cold_first_cpu_ms": cold_cpu * 1e3, "cold_over_steady_cpu": cold_cpu / oc,
            "netgraph_create_cold_ms": create * 1e3,
            "netgraph_first_in_warm_process_ms": statistics.median(warm_firsts) * 1e3,
        }
    load = os.getloadavg()[0]
    if args.json:
        print(json.dumps({"load_average": load, "results": results}, indent=2))
        return
    print(f"NEAT generation time, neat-python 2.0.0 XOR config (load average {load:.1f} "
          f"on {os.cpu_count()} CPUs)")
    print(f"{'pop':>6} {'neat-python ms':>15} {'netgraph ms':>12} {'speedup':>8} "
          f"{'cpu speedup':>12} {'cold/steady':>12} {'(cpu)':>6}")
    for pop_size, r in results.items():
        print(f"{pop_size:>6} {r['neat_python_wall_ms']:>15.3f} {r['netgraph_wall_ms']:>12.4f} "
              f"{r['speedup_wall']:>7.0f}x {r['speedup_cpu']:>11.0f}x "
              f"{r['cold_over_steady']:>11.2f}x {r['cold_over_steady_cpu']:>5.2f}x")


if __name__ == "__main__":
    main()
