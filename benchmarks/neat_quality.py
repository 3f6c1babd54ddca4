"""Benchmark: the quality of evolution, against the 2002 NEAT paper's figures.

Stanley & Miikkulainen 2002 (Evol. Comput. 10(2)) report, with their parameters:
XOR solved in 100 of 100 runs, 4,755 evaluations on average (worst 13,459); double pole
balancing with velocities in 3,600 evaluations on average; without velocities (Gruau's
damping fitness and generalisation test) 33,184 on average.

Here each run is ``Population(Config.paper(...), seed=s).run(task, generations)`` with
the task of ``netgraph.neat.tasks``, counting ``pop.evaluations`` (the initial population
included) at the generation the task called a genome solved. Reported: solved runs,
mean / median / worst evaluations of the solved ones, and text histograms, counted two
ways: whole generations (``pop.evaluations``), and the paper's way, up to and including
the winning network in its generation's evaluation order (NEAT C++'s ``pop_size * (gen -
1) + winner``); the first is larger by up to one population, half of one on average.

Usage: python benchmarks/neat_quality.py [--task xor|xor-bias|pole|pole-nv] [--seeds 100]
       [--first-seed 0] [--generations 300] [--budget seconds] [--json]
       [--set key=value ...]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netgraph.neat import Config, Population, tasks

PAPER = {"xor": (4755, 13459), "xor-bias": (4755, 13459), "pole": (3600, None),
         "pole-nv": (33184, None)}


def make(task_name: str, changes: dict[str, Any]) -> tuple[Config, tasks.Task]:
    if task_name == "xor":
        return Config.paper(2, 1, **changes), tasks.XOR()
    if task_name == "xor-bias":
        # NEAT C++'s XOR: a bias input (1.0, first) instead of node biases
        return (Config.paper(3, 1, **{"bias_input": True, "bias_input_index": 0, **changes}),
                tasks.XOR(bias_input=True))
    # the paper's configurations for the double pole (see DoublePole.config): with
    # velocities, Config.paper with the bias input (0.5, the 7th); without, the paper's
    # population of 1,000, link rate 0.3, c3 = 3.0, delta_t = 4.0, recurrent genomes and
    # NEAT C++'s p2nv.ne sizes
    velocities = task_name == "pole"
    return (tasks.DoublePole.config(velocities, **changes),
            tasks.DoublePole(velocities=velocities))


def histogram(values: list[int], width: int = 40, bins: int = 10) -> list[str]:
    if not values:
        return []
    lo, hi = min(values), max(values)
    step = max(1, (hi - lo) // bins + 1)
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, (v - lo) // step)] += 1
    top = max(counts)
    rows = []
    for k, c in enumerate(counts):
        bar = "#" * round(width * c / top)
        rows.append(f"{lo + k * step:>8}-{lo + (k + 1) * step - 1:<8} {bar:<{width}} {c}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", default="xor", choices=sorted(PAPER))
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--generations", type=int, default=None,
                        help="the generation limit (default 300; without velocities "
                             "400,000 evaluations' worth, the paper's limit)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds: start no further seed after this much wall time "
                             "(the summary covers the seeds run)")
    parser.add_argument("--set", action="append", default=[],
                        help="a configuration change, key=value (value as Python literal)")
    args = parser.parse_args()
    changes = {}
    for item in args.set:
        key, value = item.split("=", 1)
        try:
            changes[key] = json.loads(value)
        except ValueError:
            changes[key] = value
    if args.generations is None:
        config, _ = make(args.task, changes)
        args.generations = 400_000 // config.pop_size if args.task == "pole-nv" else 300
    runs = []
    start = time.perf_counter()
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        if args.budget is not None and time.perf_counter() - start > args.budget:
            break
        config, task = make(args.task, changes)
        pop = Population(config, seed=seed)
        pop.run(task, args.generations)
        solved = pop.history[-1].solved is not None
        # the paper's count: the generations before, then up to and including the winner
        # in evaluation order (NEAT C++: pop_size * (gen - 1) + the winner's number)
        to_winner = None
        if solved:
            keys = [int(k) for k in pop._native.keys().tolist()]
            to_winner = pop.evaluations - len(keys) + keys.index(pop.history[-1].solved) + 1
        if not args.json:
            extra = ""
            if solved:
                extra = f" ({to_winner} up to the winner"
                general = getattr(task, "generalisation", None)
                extra += f"; generalisation {general}/625)" if general is not None else ")"
            print(f"seed {seed}: {'solved' if solved else 'unsolved'} at "
                  f"{pop.evaluations} evaluations{extra}", file=sys.stderr, flush=True)
        runs.append({"seed": seed, "solved": solved, "evaluations": pop.evaluations,
                     "evaluations_to_winner": to_winner,
                     "generations": len(pop.history),
                     "champion_size": list(pop.history[-1].best_size)})
    elapsed = time.perf_counter() - start
    ok = [r["evaluations"] for r in runs if r["solved"]]
    paper_mean, paper_worst = PAPER[args.task]
    upto = [r["evaluations_to_winner"] for r in runs if r["solved"]]
    summary = {
        "task": args.task, "changes": changes, "seeds": len(runs),
        "generation_limit": args.generations, "solved": len(ok),
        "mean_evaluations": statistics.mean(ok) if ok else None,
        "median_evaluations": statistics.median(ok) if ok else None,
        "worst_evaluations": max(ok) if ok else None,
        "mean_evaluations_to_winner": statistics.mean(upto) if upto else None,
        "median_evaluations_to_winner": statistics.median(upto) if upto else None,
        "worst_evaluations_to_winner": max(upto) if upto else None,
        "paper_mean": paper_mean, "paper_worst": paper_worst,
        "seconds": elapsed, "load_average": os.getloadavg()[0], "runs": runs}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{args.task}: {len(ok)}/{len(runs)} solved within {args.generations} generations "
          f"({elapsed:.0f} s, load {summary['load_average']:.1f})")
    if ok:
        print(f"evaluations: mean {summary['mean_evaluations']:.0f}, median "
              f"{summary['median_evaluations']:.0f}, worst {summary['worst_evaluations']} "
              f"(paper: mean {paper_mean}" + (f", worst {paper_worst})" if paper_worst else ")"))
        print(f"up to the winner (the paper's count): mean "
              f"{summary['mean_evaluations_to_winner']:.0f}, median "
              f"{summary['median_evaluations_to_winner']:.0f}, worst "
              f"{summary['worst_evaluations_to_winner']}")
        print("whole generations:")
        print("\n".join(histogram(ok)))
        print("up to the winner:")
        print("\n".join(histogram(upto)))


if __name__ == "__main__":
    main()
