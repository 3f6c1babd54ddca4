"""Shared by the evaluator tests: a run's exact summary and a few fitness functions."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import numpy as np

import netgraph.neat as neat

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])
GENES = ("node_key", "node_bias", "node_response", "node_activation", "node_aggregation",
         "conn_innovation", "conn_in", "conn_out", "conn_weight", "conn_enabled")


def xor_fitness(genome: Any, config: Any) -> float:
    """neat-python's XOR fitness through netgraph.neat.nn (plain Python)."""
    net = neat.nn.FeedForwardNetwork.create(genome, config)
    error = 0.0
    for x, t in zip(X, Y, strict=True):
        error += (net.activate(x)[0] - t) ** 2
    return 4.0 - error


def dying_fitness(genome: Any, config: Any, flag: str) -> float:
    """xor_fitness, but the first worker to see ``flag`` removes it and kills its own
    process (SIGKILL: no clean-up, as an out-of-memory kill)."""
    try:
        os.unlink(flag)
    except FileNotFoundError:
        return xor_fitness(genome, config)
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def raising_fitness(genome: Any, config: Any, flag: str) -> float:
    """xor_fitness, but raises ValueError while ``flag`` exists."""
    if Path(flag).exists():
        raise ValueError(f"fitness failed on genome {genome.key}")
    return xor_fitness(genome, config)


def config() -> neat.Config:
    return neat.Config.paper(num_inputs=2, num_outputs=1)


def summary(pop: neat.Population) -> list[tuple[Any, ...]]:
    """The run's history as exact plain values (floats as hex, genes as bytes)."""
    out: list[tuple[Any, ...]] = []
    for r in pop.history:
        genes = tuple(np.asarray(getattr(r.best, f)).tobytes() for f in GENES)
        out.append((r.generation, r.evaluations, r.best_fitness.hex(), r.mean_fitness.hex(),
                    r.stdev_fitness.hex(), tuple(map(tuple, r.species)), r.best_key,
                    tuple(int(v) for v in r.best_size), r.solved, genes))
    return out


def run(fitness: Any, evaluator: Any, generations: int = 6, seed: int = 5,
        pop: neat.Population | None = None) -> tuple[Any, ...]:
    """(summary, champion key, champion fitness, evaluations) of a run."""
    pop = pop or neat.Population(config(), seed=seed)
    best = pop.run(fitness, generations, evaluator=evaluator)
    return summary(pop), best.key, float(best.fitness).hex(), pop.evaluations


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped) is not a running worker
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False
