"""Evolve XOR on Ray, and check that it is the same run, bit for bit, as on one core.

    python examples/neat_ray.py                          # starts a local Ray instance
    RAY_ADDRESS=head-node:6379 python examples/neat_ray.py   # joins a running cluster

``neat.RayEvaluator`` sends each generation to long-lived Ray actors, one chunk of
genomes per worker, as compact gene arrays; reproduction and speciation stay here, on
the driver. The fitness below is a plain function defined in this script (``__main__``):
Ray ships it by value, as it would a notebook cell's. The same code runs on a cluster
made by the Ray cluster launcher or KubeRay: set ``RAY_ADDRESS`` (or pass
``address="auto"`` on a cluster node), nothing else changes.

Needs Ray: ``pip install 'netgraph-nn[ray]'``.
"""

from __future__ import annotations

import numpy as np

import netgraph.neat as neat
from netgraph.neat._evaluators import RayEvaluator  # neat.RayEvaluator once exported

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])
SEED = 23
GENERATIONS = 15


def fitness(genome: neat.Genome, config: neat.Config) -> float:
    """neat-python's XOR fitness: 4 minus the squared errors over the four cases."""
    net = neat.nn.FeedForwardNetwork.create(genome, config)
    error = 0.0
    for x, target in zip(XOR_INPUTS, XOR_TARGETS, strict=True):
        error += (net.activate(x)[0] - target) ** 2
    return 4.0 - error


def evolve(evaluator: neat.SerialEvaluator | RayEvaluator) -> neat.Population:
    """Run GENERATIONS generations of the paper's NEAT with ``evaluator``."""
    config = neat.Config.paper(num_inputs=2, num_outputs=1)
    population = neat.Population(config, seed=SEED)
    population.run(fitness, GENERATIONS, evaluator=evaluator)
    return population


def summary(population: neat.Population) -> list[tuple[object, ...]]:
    """Each generation's record as plain values (the champion's genes as bytes), exact."""
    out: list[tuple[object, ...]] = []
    for r in population.history:
        genes = tuple(np.asarray(getattr(r.best, f)).tobytes() for f in (
            "node_key", "node_bias", "node_response", "conn_innovation", "conn_in",
            "conn_out", "conn_weight", "conn_enabled"))
        out.append((r.generation, r.evaluations, r.best_fitness.hex(), r.mean_fitness.hex(),
                    r.stdev_fitness.hex(), r.species, r.best_key, r.best_size, genes))
    return out


def main() -> None:
    with RayEvaluator(num_workers=2) as ray_evaluator:
        on_ray = evolve(ray_evaluator)
        print(f"Ray: {ray_evaluator.workers} workers")
    here = evolve(neat.SerialEvaluator())
    for record in on_ray.history:
        print(f"generation {record.generation:2d}: best {record.best_fitness:.6f}, "
              f"{len(record.species)} species, {record.evaluations} evaluations")
    print(f"champion {on_ray.best.key}: fitness {on_ray.best.fitness:.6f}")
    same = (summary(on_ray) == summary(here) and on_ray.best.key == here.best.key
            and on_ray.evaluations == here.evaluations)
    if not same:
        raise SystemExit("the Ray run differs from the serial run")
    print("the same history, champion and evaluation count on Ray as on one core")


if __name__ == "__main__":
    main()
