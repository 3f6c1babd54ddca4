"""Benchmark: netgraph.neat's parallel evaluators (issue 23) against the serial loop.

1. **Speed-up.** One generation's evaluation (``evaluator.evaluate(fitness, genomes,
   config)``, what ``Population.run`` calls) of a per-genome fitness that burns a fixed
   amount of CPU time (10 ms or 1 ms of ``time.thread_time``), at pop 40, 200 and 1,000:
   serial, ``RayEvaluator(2)``, ``ProcessEvaluator(2)``, ``ThreadEvaluator(2)``. Each
   evaluator is warmed up first (workers started, function shipped); the figure is the
   median of ``--reps`` generations. Targets: Ray 2 workers >= 1.6x serial at 10 ms,
   >= 1.3x at 1 ms (on this 2-core machine).
2. **Driver-side reproduction and speciation**: ``advance()`` of a pop-1,280 population
   (time per 1,280 offspring); target well under 10 ms (the issue's bound: 0.64 s).
3. **Per-generation overhead against worker count**: a free fitness (returns 0.0) and a
   native ``Dataset`` at pop 1,280 on ``RayEvaluator(n)``, n = 1, 2, 4: what chunking,
   encoding, shipping and assembling cost per generation (median wall time, and the CPU
   time of the driver and of the workers); and the free fitness at pop 40 on 2 Ray
   workers and 2 processes (the fixed cost the 1 ms x 40 target pays).

Usage: python benchmarks/bench_neat_ray.py [--reps 3] [--json] [--quick] [--overhead]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import netgraph.neat as neat
from netgraph.neat._evaluators import (
    ProcessEvaluator,
    RayEvaluator,
    ThreadEvaluator,
)


def burn(genome: Any, config: Any, cpu: float) -> float:
    """Spend ``cpu`` seconds of this thread's CPU time, then a fitness from the key."""
    end = time.thread_time() + cpu
    x = 0
    while time.thread_time() < end:
        x += 1
    return float(genome.key % 7)


def free(genome: Any, config: Any) -> float:
    return 0.0


class Burn:
    """burn() with its CPU budget (picklable by reference: this module is importable)."""

    def __init__(self, cpu: float) -> None:
        self.cpu = cpu

    def __call__(self, genome: Any, config: Any) -> float:
        return burn(genome, config, self.cpu)


def genomes(pop_size: int) -> tuple[list[Any], neat.Config]:
    config = neat.Config.paper(num_inputs=2, num_outputs=1)
    config = neat.Config.from_values(dict(config.values, pop_size=pop_size))
    pop = neat.Population(config, seed=1)
    return list(pop.genomes.values()), config


def timed(evaluator: Any, fitness: Any, gs: list[Any], config: Any, reps: int) -> float:
    evaluator.evaluate(fitness, gs, config)  # warm-up: workers up, function shipped
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        evaluator.evaluate(fitness, gs, config)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def speedups(reps: int, sizes: list[int], costs: list[float], ray_eval: Any,
             proc_eval: Any, thread_eval: Any) -> list[dict[str, Any]]:
    rows = []
    serial = neat.SerialEvaluator()
    for cpu in costs:
        fitness = Burn(cpu)
        for n in sizes:
            gs, config = genomes(n)
            r = max(1, reps if n * cpu < 3 else 1)
            row: dict[str, Any] = {"cpu_ms": cpu * 1e3, "pop": n}
            row["serial_s"] = timed(serial, fitness, gs, config, r)
            for name, ev in (("ray2", ray_eval), ("process2", proc_eval),
                             ("thread2", thread_eval)):
                row[f"{name}_s"] = timed(ev, fitness, gs, config, r)
                row[f"{name}_x"] = row["serial_s"] / row[f"{name}_s"]
            rows.append(row)
            print(f"{cpu * 1e3:4.0f} ms x {n:5d}: serial {row['serial_s']:.3f} s | "
                  f"ray2 {row['ray2_s']:.3f} s ({row['ray2_x']:.2f}x) | process2 "
                  f"{row['process2_s']:.3f} s ({row['process2_x']:.2f}x) | thread2 "
                  f"{row['thread2_s']:.3f} s ({row['thread2_x']:.2f}x)", flush=True)
    return rows


def reproduction(generations: int = 8) -> dict[str, float]:
    """Median time of the driver's advance() (reproduce + speciate) at pop 1,280."""
    _, config = genomes(1280)
    pop = neat.Population(config, seed=2)
    native = pop._native
    rng = np.random.default_rng(0)
    times = []
    for _ in range(generations):
        native.set_fitness(rng.uniform(0.0, 4.0, native.size))
        t = time.perf_counter()
        native.advance()
        times.append(time.perf_counter() - t)
    out = {"median_ms": statistics.median(times) * 1e3, "max_ms": max(times) * 1e3,
           "offspring": float(native.size)}
    print(f"driver reproduction + speciation, pop 1,280: median {out['median_ms']:.2f} ms, "
          f"max {out['max_ms']:.2f} ms per {native.size} offspring", flush=True)
    return out


def cpu_per_generation(evaluator: Any, fitness: Any, gs: list[Any], config: Any,
                       reps: int) -> tuple[float, float, float]:
    """Median wall time, the driver's CPU time and the workers' CPU time (all their
    threads, psutil) of one generation, in ms, after a warm-up."""
    import psutil

    evaluator.evaluate(fitness, gs, config)
    workers = [psutil.Process(p) for p in evaluator.pids()]

    def used() -> float:
        return sum(sum(w.cpu_times()[:2]) for w in workers)

    w0, d0, times = used(), time.process_time(), []
    for _ in range(reps):
        t = time.perf_counter()
        evaluator.evaluate(fitness, gs, config)
        times.append(time.perf_counter() - t)
    return (statistics.median(times) * 1e3, (time.process_time() - d0) / reps * 1e3,
            (used() - w0) / reps * 1e3)


def overhead(reps: int, workers: list[int]) -> list[dict[str, Any]]:
    gs, config = genomes(1280)
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    data = neat.Dataset(x, np.array([0.0, 1.0, 1.0, 0.0]), cost="sse", offset=4.0)
    rows = []
    serial = {"free": timed(neat.SerialEvaluator(), free, gs, config, reps),
              "dataset": timed(neat.SerialEvaluator(), data, gs, config, reps)}
    print(f"serial, pop 1,280: free fitness {serial['free'] * 1e3:.1f} ms, data set "
          f"{serial['dataset'] * 1e3:.1f} ms (per genome, alone)", flush=True)
    rows.append({"workers": 0, "free_ms": serial["free"] * 1e3,
                 "dataset_ms": serial["dataset"] * 1e3})
    for n in workers:
        with RayEvaluator(n) as ev:
            f, f_driver, f_workers = cpu_per_generation(ev, free, gs, config, 10 * reps)
            d, d_driver, d_workers = cpu_per_generation(ev, data, gs, config, 10 * reps)
        rows.append({"workers": n, "free_ms": f, "dataset_ms": d, "free_driver_cpu_ms":
                     f_driver, "free_workers_cpu_ms": f_workers, "dataset_driver_cpu_ms":
                     d_driver, "dataset_workers_cpu_ms": d_workers})
        print(f"ray {n} workers, pop 1,280: free fitness {f:.1f} ms (CPU: driver "
              f"{f_driver:.1f} ms, workers {f_workers:.1f} ms), data set {d:.1f} ms (CPU: "
              f"driver {d_driver:.1f} ms, workers {d_workers:.1f} ms) per generation",
              flush=True)
    # the smallest population of the speed-up targets: the fixed cost of a generation
    small = genomes(40)
    for name, ctor in (("ray", RayEvaluator), ("process", ProcessEvaluator)):
        with ctor(2) as ev:
            f, f_driver, f_workers = cpu_per_generation(ev, free, *small, 10 * reps)
        rows.append({"workers": 2, "pop": 40, "evaluator": name, "free_ms": f,
                     "free_driver_cpu_ms": f_driver, "free_workers_cpu_ms": f_workers})
        print(f"{name} 2 workers, pop 40: free fitness {f:.1f} ms (CPU: driver "
              f"{f_driver:.1f} ms, workers {f_workers:.1f} ms) per generation", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="pop 40 and 200 only")
    parser.add_argument("--overhead", action="store_true",
                        help="reproduction and overhead only (no speed-ups)")
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    ray.init(address="local", num_cpus=4, include_dashboard=False, log_to_driver=False)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()}", flush=True)
    result: dict[str, Any] = {"reproduction": reproduction()}
    result["overhead"] = overhead(args.reps, [1, 2, 4])
    sizes = [40, 200] if args.quick else [40, 200, 1000]
    if not args.overhead:
        with RayEvaluator(2) as r2, ProcessEvaluator(2) as p2, ThreadEvaluator(2) as t2:
            result["speedup"] = speedups(args.reps, sizes, [0.010, 0.001], r2, p2, t2)
    result["load_after"] = os.getloadavg()
    ray.shutdown()
    if args.json:
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
