"""Benchmark: NEAT with learning (neat.Learn) against plain NEAT, same evaluation budget.

Two tasks, each fitness ``1 - mse`` over a fixed data set (``neat.Dataset(cost="mse",
offset=1)``), the paper's parameters (``Config.paper``: steep sigmoid, pop 150):

- two-spirals (Lang & Witbrock 1988): 194 points, 97 per spiral, inputs scaled by 1/6.5,
  targets 0/1;
- Pagie-1 style regression: f(x, y) = 1/(1 + x^-4) + 1/(1 + y^-4) on the 26 x 26 grid
  -5, -4.6, ..., 5 (no point at 0), inputs scaled by 1/5, targets f/2 (into the sigmoid's
  range).

Plain NEAT evolves weights and topology only. The hybrid runs ``pop.run(data, 1,
learn=neat.Learn(steps=k, optimizer="adam", rate=r, batch_size=rows))``: every genome
is trained k full-batch Adam steps before its fitness is taken, and the trained weights
are written back (Lamarckian).

Evaluations, counted two ways:
- fitness evaluations: genomes whose fitness was taken (``pop.evaluations``);
- all evaluations: fitness evaluations + 2 per training step (each step is one forward
  pass over the whole data set, the cost of a fitness evaluation, and one backward pass,
  counted as another).
Both methods get the same budget of *all* evaluations (or plain NEAT more, which can
only help it); a run reaches the target when a generation's best genome has mse <= the
target (its trained network's, for the hybrid), or, on two-spirals, when the best genome
so far classifies at most 10% of the points wrongly (output on the wrong side of 0.5: a
target fixed before it was measured; the mse is reported beside it).

Usage: python benchmarks/neat_learn.py [--task spirals|pagie|both] [--seeds 30]
       [--budget N] [--target MSE] [--steps 10] [--rate 0.1] [--json]
       [--set key=value ...] [--hybrid-set key=value ...] [--plain-set key=value ...]
       [--methods plain,hybrid]

The README's rows (30 seeds each; ``--set`` changes both methods, ``--plain-set`` and
``--hybrid-set`` one):
- Pagie-1, mse <= 0.03 (and ``--target 0.01``): ``--set pop_size=50`` with the paper's
  mutation power (2.5) or ``--set weight_mutate_power=0.25 --set bias_mutate_power=0.25``,
  plain ``--budget 120000``; hybrid ``--steps 5`` or ``20``, ``--rate 0.1``.
- two-spirals: ``--budget 100000 --set pop_size=50 --set
  activation_options='["steep_sigmoid","tanh","sin","gauss"]' --set
  activation_mutate_rate=0.1 --set num_hidden=8 --set initial_connection='"full_direct"'``
  for both, with the mutation power 0.25; hybrid ``--steps 50 --rate 0.05``; plain also
  ``--budget 366125`` (5x the hybrid's median).
Each method prints a histogram of the evaluations its successful runs took.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netgraph.neat import Config, Dataset, Learn, Population

TARGETS = {"spirals": 0.20, "pagie": 0.03}
# two-spirals is a classification task: its target, fixed before it was measured, is a
# classification error (points whose output is on the wrong side of 0.5) of at most 10%
# for the best genome so far; the mse target above is reported beside it
CLASSIFY = {"spirals": 0.10}
# the evaluation budgets (all evaluations)
BUDGETS = {"spirals": 15_000, "pagie": 40_000}


def two_spirals() -> tuple[np.ndarray, np.ndarray]:
    """Lang & Witbrock's 194 points: spiral 1 (target 1) and its mirror (target 0)."""
    rows, targets = [], []
    for i in range(97):
        angle = i * math.pi / 16.0
        radius = 6.5 * (104 - i) / 104.0
        x, y = radius * math.sin(angle), radius * math.cos(angle)
        rows += [(x / 6.5, y / 6.5), (-x / 6.5, -y / 6.5)]
        targets += [1.0, 0.0]
    return np.array(rows), np.array(targets)[:, None]


def pagie() -> tuple[np.ndarray, np.ndarray]:
    """Pagie-1 on a 26 x 26 grid in [-5, 5]^2, inputs /5, targets /2."""
    grid = np.round(np.arange(-5.0, 5.0001, 0.4), 10)
    xs, ys = np.meshgrid(grid, grid, indexing="ij")
    x, y = xs.ravel(), ys.ravel()
    f = 1.0 / (1.0 + x ** -4) + 1.0 / (1.0 + y ** -4)
    return np.column_stack([x / 5.0, y / 5.0]), (f / 2.0)[:, None]


def one_run(task: str, seed: int, learn: bool, budget: int, steps: int, rate: float,
            target: float, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    X, y = two_spirals() if task == "spirals" else pagie()
    data = Dataset(X, y, cost="mse", offset=1.0)
    config = Config.paper(2, 1, **{"fitness_threshold": 10.0, **(changes or {})})
    pop = Population(config, seed=seed)
    teacher = Learn(steps=steps, optimizer="adam", rate=rate, batch_size=len(X)) \
        if learn else None
    reached: tuple[int, int] | None = None
    best = math.inf
    wrong = math.inf  # the best genome's classification error (spirals)
    scored: Any = None
    t0 = time.perf_counter()
    while True:
        trained = teacher.iterations if teacher else 0
        spent = pop.evaluations + 2 * trained
        pop_size = config.values["pop_size"]
        if spent + pop_size * (1 + 2 * steps * learn) > budget:
            break
        pop.run(data, 1, learn=teacher)
        trained = teacher.iterations if teacher else 0
        mse = 1.0 - pop.history[-1].best_fitness
        best = min(best, mse)
        if task in CLASSIFY and pop.best is not scored:
            scored = pop.best
            out = scored.network.activate(X)[:, 0]
            wrong = min(wrong, float(np.mean((out > 0.5) != (y[:, 0] > 0.5))))
        if (wrong <= CLASSIFY[task]) if task in CLASSIFY else mse <= target:
            reached = (pop.evaluations, pop.evaluations + 2 * trained)
            break
    return {"seed": seed, "reached": reached, "best_mse": best, "best_wrong": wrong,
            "generations": pop.generation, "seconds": time.perf_counter() - t0,
            "fitness_evaluations": pop.evaluations,
            "all_evaluations": pop.evaluations + 2 * (teacher.iterations if teacher else 0)}


def histogram(values: list[int], lo: int, hi: int, width: int = 30, bins: int = 10
              ) -> list[str]:
    step = max(1, (hi - lo) // bins + 1)
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, (v - lo) // step)] += 1
    top = max(counts) or 1
    return [f"  {lo + k * step:>8}-{lo + (k + 1) * step - 1:<8} "
            f"{'#' * round(width * c / top):<{width}} {c}" for k, c in enumerate(counts)]


def summary(runs: list[dict[str, Any]], budget: int) -> dict[str, Any]:
    """Runs that reached the target, medians of both evaluation counts, best errors."""
    done = [r for r in runs if r["reached"]]
    n = len(runs)
    # a run that never reached the target counts as more than the budget: the median is
    # defined while at least half the runs reached it
    def median(k: int) -> float | None:
        values = sorted(r["reached"][k] for r in done) + [math.inf] * (n - len(done))
        m = statistics.median(values)
        return None if math.isinf(m) else float(m)
    return {"reached": len(done), "runs": n,
            "median_fitness_evaluations": median(0), "median_all_evaluations": median(1),
            "mean_all_evaluations_reached": statistics.mean(r["reached"][1] for r in done)
            if done else None,
            "median_best_mse": statistics.median(r["best_mse"] for r in runs),
            "median_best_wrong": statistics.median(r["best_wrong"] for r in runs),
            "seconds": sum(r["seconds"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", default="both", choices=["spirals", "pagie", "both"])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--budget", type=int, default=None,
                        help="all evaluations per run (default: 15,000 spirals, 40,000 pagie)")
    parser.add_argument("--target", type=float, default=None,
                        help="the mse target (default: 0.20 spirals, 0.03 pagie); spirals "
                        "also stops at a classification error <= 0.10")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--methods", default="plain,hybrid",
                        help="which to run: plain, hybrid or both (plain,hybrid)")
    parser.add_argument("--set", action="append", default=[],
                        help="a configuration change for both methods, key=value (JSON)")
    parser.add_argument("--hybrid-set", action="append", default=[],
                        help="a configuration change for the hybrid only, key=value (JSON)")
    parser.add_argument("--plain-set", action="append", default=[],
                        help="a configuration change for plain NEAT only, key=value (JSON)")
    args = parser.parse_args()
    changes = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}
    own = {name: {**changes, **{k: json.loads(v) for k, v in
                                (item.split("=", 1) for item in items)}}
           for name, items in (("plain", args.plain_set), ("hybrid", args.hybrid_set))}
    tasks = ["spirals", "pagie"] if args.task == "both" else [args.task]
    report: dict[str, Any] = {}
    for task in tasks:
        target = TARGETS[task] if args.target is None else args.target
        budget = args.budget or BUDGETS[task]
        goal = (f"classification error <= {CLASSIFY[task]} (mse reported)"
                if task in CLASSIFY else f"mse <= {target}")
        print(f"\n== {task}: target {goal}, budget {budget} evaluations "
              f"(all), {args.seeds} seeds; hybrid: Learn(steps={args.steps}, adam, "
              f"rate={args.rate}, full batch, Lamarckian); config changes: plain "
              f"{own['plain']}, hybrid {own['hybrid']}",
              flush=True)
        out: dict[str, Any] = {}
        for name, learn in (("plain", False), ("hybrid", True)):
            if name not in args.methods.split(","):
                continue
            runs = []
            for seed in range(args.seeds):
                runs.append(one_run(task, seed, learn, budget, args.steps, args.rate, target,
                                    own[name]))
                r = runs[-1]
                print(f"  {name} seed {seed}: reached {r['reached']}, best mse "
                      f"{r['best_mse']:.4g}, "
                      + (f"classification error {r['best_wrong']:.3g}, "
                         if task in CLASSIFY else "") + f"{r['seconds']:.1f} s",
                      file=sys.stderr, flush=True)
            out[name] = {"summary": summary(runs, budget), "runs": runs}
            s = out[name]["summary"]
            print(f"{name:>7}: reached {s['reached']}/{s['runs']}; median evaluations to "
                  f"target: fitness {s['median_fitness_evaluations']}, all "
                  f"{s['median_all_evaluations']}; median best mse "
                  f"{s['median_best_mse']:.4g}; "
                  + (f"median best classification error {s['median_best_wrong']:.3g}; "
                     if task in CLASSIFY else "") + f"{s['seconds']:.0f} s", flush=True)
            reached = [r["reached"][1] for r in runs if r["reached"]]
            if reached:
                print("  all evaluations to target, runs that reached it:")
                print("\n".join(histogram(reached, 0, budget)))
        if len(out) < 2:
            report[task] = out
            continue
        p, h = out["plain"]["summary"], out["hybrid"]["summary"]
        if p["median_all_evaluations"] and h["median_all_evaluations"]:
            ratio = p["median_all_evaluations"] / h["median_all_evaluations"]
            print(f"  plain / hybrid, median all evaluations: {ratio:.1f}x")
        elif h["median_all_evaluations"]:
            print(f"  plain NEAT's median is beyond the budget: > "
                  f"{budget / h['median_all_evaluations']:.1f}x")
        report[task] = out
    if args.json:
        print(json.dumps({t: {k: v["summary"] for k, v in o.items()}
                          for t, o in report.items()}, indent=1))


if __name__ == "__main__":
    main()
