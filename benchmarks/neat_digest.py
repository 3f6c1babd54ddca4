"""Digests of NEAT runs, to show that a change to the engine is a pure speed-up.

For several configurations (neat-python's XOR config at pop 150 and 1,000, Config.paper
with tasks.XOR, a recurrent config with mixed activations, the multiplexer on one and two
threads, the pole tasks, an eval_genomes callback) and seeds, a SHA-256 of everything a
run leaves: pop.history (every record, the best genome's genes included), pop.best, the
counters and the native state (random generator, genomes, species, innovations). Run it
in two checkouts and compare the JSON: equal digests mean bit-identical runs.

Usage: python benchmarks/neat_digest.py CHECKOUT_DIR [quick] > digests.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).parent.parent
sys.path.insert(0, str(REPO))

from netgraph.neat import Config, Dataset, Population, tasks  # noqa: E402


def feed(h: Any, x: Any) -> None:
    """Hash x exactly: arrays by their bytes, floats by their hex form."""
    if isinstance(x, np.ndarray):
        h.update(str(x.dtype).encode())
        h.update(np.ascontiguousarray(x).tobytes())
    elif isinstance(x, float):
        h.update(float.hex(x).encode())
    elif isinstance(x, (list, tuple)):
        h.update(b"[")
        for y in x:
            feed(h, y)
        h.update(b"]")
    elif isinstance(x, dict):
        h.update(b"{")
        for k in sorted(x, key=str):
            feed(h, k)
            feed(h, x[k])
        h.update(b"}")
    elif hasattr(x, "__match_args__") and not isinstance(x, (int, str, bytes)):
        for s in type(x).__match_args__:  # public fields (a record's best is lazy)
            feed(h, s)
            feed(h, getattr(x, s))
    elif hasattr(x, "__slots__") and not isinstance(x, (int, str, bytes)):
        for s in type(x).__slots__:
            feed(h, s)
            feed(h, getattr(x, s))
    else:
        h.update(repr(x).encode())


def digest(pop: Population) -> str:
    """The digest of everything a run leaves."""
    h = hashlib.sha256()
    feed(h, pop.history)
    feed(h, pop.best.data if pop.best is not None else None)
    feed(h, pop.evaluations)
    feed(h, pop.generation)
    feed(h, pop._native.state())
    return h.hexdigest()[:16]


def main() -> None:
    quick = len(sys.argv) > 2
    xs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    xor = Dataset(xs, np.array([0.0, 1.0, 1.0, 0.0]), cost="sse", offset=4.0)
    base = Config.from_file(REPO / "tests/fixtures/neat/xor-config-feedforward").values
    out: dict[str, str] = {}

    def run(name: str, cfg: Config, fitness: Any, gens: int, seeds: Any) -> None:
        for s in seeds:
            pop = Population(cfg, seed=s)
            try:
                pop.run(fitness, gens)
                out[f"{name}/{s}"] = digest(pop)
            except Exception as e:  # an error is a result too: it must match
                out[f"{name}/{s}"] = "EXC " + type(e).__name__ + str(e)[:60]

    seeds = range(3) if quick else range(6)
    run("xorcfg150", Config.from_values({**base, "fitness_threshold": 100.0}), xor, 120, seeds)
    run("xorcfg150solve", Config.from_values(base), xor, 300, seeds)
    run("xorcfg1000", Config.from_values({**base, "fitness_threshold": 100.0,
                                          "pop_size": 1000}), xor, 25, range(2))
    run("paperxor", Config.paper(2, 1), tasks.XOR(), 200, seeds)
    run("paperxor_np", Config.paper(2, 1, compatibility_distance="neat-python",
                                    spawn_method="neat-python", node_split_reuse=False),
        tasks.XOR(), 100, seeds)
    rec = {**base, "fitness_threshold": 100.0, "feed_forward": False,
           "initial_connection": "partial_direct 0.5", "conn_add_prob": 0.3,
           "node_add_prob": 0.2, "activation_options": "sigmoid tanh relu",
           "activation_mutate_rate": 0.1, "aggregation_options": "sum mean",
           "aggregation_mutate_rate": 0.1, "response_mutate_rate": 0.2,
           "enabled_mutate_rate": 0.05, "num_hidden": 1}
    run("recurrent", Config.from_values(rec), xor, 80, seeds)
    mixed = {**rec, "feed_forward": True, "initial_connection": "full_nodirect",
             "single_structural_mutation": True, "compatibility_threshold": 8.0,
             "pop_size": 200}
    run("ffmix", Config.from_values(mixed), xor, 80, seeds)
    mux = Config(num_inputs=11, num_outputs=1, pop_size=100, fitness_threshold=1e9,
                 conn_add_prob=0.3, node_add_prob=0.1, conn_delete_prob=0.05,
                 node_delete_prob=0.02, initial_connection="full_direct")
    run("mux", mux, tasks.Multiplexer(11), 12, range(2))
    mux2 = tasks.Multiplexer(11)
    mux2.threads = 2
    run("mux_t2", mux, mux2, 12, range(1))
    run("dpole", Config.paper(7, 1), tasks.DoublePole(velocities=True), 15, range(2))
    run("cpole", Config.paper(4, 1), tasks.CartPole(), 15, range(2))

    def eval_genomes(genomes: Any, config: Any) -> None:
        for _, g in genomes:
            w = g.data.conn_weight
            g.fitness = float(w.sum()) if w.size else 0.0

    run("callback", Config.from_values({**base, "fitness_threshold": 1e9}), eval_genomes, 30,
        range(2))
    print(json.dumps(out, indent=0))


if __name__ == "__main__":
    main()
