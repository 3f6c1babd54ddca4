"""Benchmark: NEAT evaluation throughput on the binary 11-multiplexer.

SharpNEAT 4.1 reports about 1.2 million evaluations per 60 s on the 11-multiplexer
(2,048 cases per evaluation, population 600) on 8 threads. Here: ``tasks.Multiplexer(11)``,
pop 600, neat-python's default genome settings with 11 inputs and 1 output (plus some
structural mutation so genomes grow), evolved for ``--generations`` generations on
``--threads`` native threads; reported: evaluations per 60 s of wall time for the whole
run (evaluation, reproduction and speciation included), and for evaluation alone; and
the same per 60 s of one core's CPU time (the process's, all threads summed), which the
load of a shared machine does not inflate.

Usage: python benchmarks/neat_throughput.py [--generations 20] [--threads 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netgraph.neat import Config, Population, tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generations", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    config = Config(num_inputs=11, num_outputs=1, pop_size=600, fitness_threshold=1e9,
                    conn_add_prob=0.3, node_add_prob=0.1, conn_delete_prob=0.05,
                    node_delete_prob=0.02, initial_connection="full_direct")
    task = tasks.Multiplexer(11)
    task.threads = args.threads
    pop = Population(config, seed=0)
    native = pop._native
    evaluating = evaluating_cpu = 0.0
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(args.generations):
        t, tc = time.perf_counter(), time.process_time()
        native.evaluate_task(task._code, task._params(native), args.threads)
        evaluating += time.perf_counter() - t
        evaluating_cpu += time.process_time() - tc
        native.advance()
    whole = time.perf_counter() - start
    whole_cpu = time.process_time() - start_cpu
    evaluations = 600 * args.generations
    _, conns = native.sizes()
    result = {"threads": args.threads, "generations": args.generations,
              "evaluations": evaluations, "cases_per_evaluation": 2048,
              "mean_enabled_connections": float(conns.mean()),
              "per_60s_whole_run": evaluations / whole * 60,
              "per_60s_evaluation_only": evaluations / evaluating * 60,
              # per 60 s of one core's CPU time (all threads summed): what a loaded
              # machine cannot distort; on idle cores multiply by the threads
              "per_60s_cpu_one_core_whole_run": evaluations / whole_cpu * 60,
              "per_60s_cpu_one_core_evaluation_only": evaluations / evaluating_cpu * 60,
              "sharpneat_8_threads_per_60s": 1.2e6, "load_average": os.getloadavg()[0]}
    # the public path, for the record: pop.run on the same task
    t = time.perf_counter()
    pop.run(task, 3)
    result["per_60s_pop_run"] = 600 * 3 / (time.perf_counter() - t) * 60
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for k, v in result.items():
        print(f"{k:>36}: {v:,.1f}" if isinstance(v, float) else f"{k:>36}: {v}")


if __name__ == "__main__":
    main()
