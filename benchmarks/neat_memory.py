"""Benchmark: memory of a large native NEAT population (target: under 2 GB).

10,000 genomes of 2,500 connections each: 50 inputs fully connected to 50 outputs
(``initial_connection = full_direct``), no hidden nodes, 25 million connection genes in
all. The run creates the population, evaluates it on a 16-row data set, and makes the
next generation (reproduction keeps the previous generation's arrays for reuse, so two
generations are alive at once), then reports the process's peak resident memory
(``ru_maxrss``) and the genes' bytes. TensorNEAT pads every genome to a dense maximum and
runs out of memory at this size (tensorneat issue #38).

Usage: python benchmarks/neat_memory.py [--genomes 10000] [--side 50] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from netgraph.neat import Config, Dataset, Population


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--genomes", type=int, default=10_000)
    parser.add_argument("--side", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    side = args.side
    start = peak_mb()
    config = Config(num_inputs=side, num_outputs=side, pop_size=args.genomes,
                    initial_connection="full_direct", fitness_threshold=1e9,
                    conn_add_prob=0.05, node_add_prob=0.02, conn_delete_prob=0.0,
                    node_delete_prob=0.0)
    t = time.perf_counter()
    pop = Population(config, seed=0)
    created = time.perf_counter() - t
    after_create = peak_mb()
    rng = np.random.default_rng(0)
    data = Dataset(rng.normal(size=(16, side)), rng.uniform(size=(16, side)), cost="mse",
                   threads=2)
    t = time.perf_counter()
    pop.run(data, 1)
    generation = time.perf_counter() - t
    after_generation = peak_mb()
    conns = pop.history[-1].best_size[1]
    genes = args.genomes * side * side
    result = {"genomes": args.genomes, "connections_each": side * side,
              "connection_genes": genes, "best_enabled_connections": conns,
              "bytes_per_connection_gene": 25,
              "gene_mb_one_generation": genes * 25 / 2 ** 20,
              "peak_mb_start": start, "peak_mb_created": after_create,
              "peak_mb_after_generation": after_generation,
              "create_s": created, "generation_s": generation,
              "under_2gb": after_generation < 2048}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for k, v in result.items():
        print(f"{k:>28}: {v:.1f}" if isinstance(v, float) else f"{k:>28}: {v}")


if __name__ == "__main__":
    main()
