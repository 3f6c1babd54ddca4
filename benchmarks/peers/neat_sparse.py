"""neat-python peer: FeedForwardNetwork.activate on a sparse random DAG.

Builds a random DAG of N neurons (inputs, hidden, outputs) and E synapses: the neurons get a
random topological order (inputs first, outputs last, hidden in between) and random node ids
that do not follow that order; each synapse goes from an earlier to a later neuron, never into
an input and never out of an output. Every non-input neuron computes
logistic(bias + sum(w * x)).

neat-python 2.0.0's stock sigmoid_activation is 1 / (1 + exp(-clamp(5 z, -60, 60))) and its
FeedForwardNetwork computes act(bias + response * sum(links)), so each node is given
bias / 5 and response 0.2: act(bias / 5 + 0.2 * s) = logistic(bias + s) (the clamp only
matters when |bias + s| > 60, where the logistic is within 1e-26 of 0 or 1).

The network is built directly with FeedForwardNetwork(inputs, outputs, node_evals), where
node_evals holds (node, activation, aggregation, bias, response, [(in_node, weight), ...]) in
topological order, and activate() is timed over many random inputs (best of a few rounds,
after a warm-up). The same DAG is written as JSON to the path given on the command line, with
a few check inputs and neat-python's outputs for them, so the netgraph side can evaluate the
identical graph and verify its answers. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import time


def make_dag(
    n_inputs: int, n_hidden: int, n_outputs: int, n_edges: int, seed: int
) -> dict[str, object]:
    rng = random.Random(seed)
    n = n_inputs + n_hidden + n_outputs
    ids = list(range(n))
    rng.shuffle(ids)  # ids[position] = node id; positions are the topological order
    first_output = n_inputs + n_hidden

    def role(pos: int) -> str:
        if pos < n_inputs:
            return "input"
        return "hidden" if pos < first_output else "output"

    max_edges = 0
    for v in range(n_inputs, n):
        max_edges += min(v, first_output)
    if n_edges > max_edges:
        raise ValueError(f"at most {max_edges} synapses fit, asked for {n_edges}")

    edges: set[tuple[int, int]] = set()
    while len(edges) < n_edges:
        v = rng.randrange(n_inputs, n)  # target: a hidden or output position
        u = rng.randrange(0, min(v, first_output))  # source: earlier, not an output
        edges.add((u, v))

    nodes = []
    for pos in range(n):
        nodes.append(
            {
                "id": ids[pos],
                "role": role(pos),
                "bias": 0.0 if pos < n_inputs else rng.uniform(-1.0, 1.0),
                "position": pos,
            }
        )
    nodes.sort(key=lambda d: d["id"])  # listing order != topological order
    edge_list = sorted(
        ([ids[u], ids[v], rng.uniform(-1.0, 1.0)] for u, v in edges),
        key=lambda e: (e[0], e[1]),
    )
    # Input and output order follows the node listing (ids ascending), as Network.from_graph
    # takes the order of input-role nodes in the graph.
    inputs = [d["id"] for d in nodes if d["role"] == "input"]
    outputs = [d["id"] for d in nodes if d["role"] == "output"]
    return {
        "format": "netgraph-benchmark-dag/1",
        "activation": "logistic",
        "seed": seed,
        "nodes": nodes,
        "edges": edge_list,
        "inputs": inputs,
        "outputs": outputs,
    }


def build_neat(dag: dict, neat_module) -> object:
    from neat.activations import sigmoid_activation
    from neat.aggregations import sum_aggregation

    incoming: dict[int, list[tuple[int, float]]] = {}
    for u, v, w in dag["edges"]:
        incoming.setdefault(v, []).append((u, w))
    node_evals = []
    for d in sorted(dag["nodes"], key=lambda d: d["position"]):
        if d["role"] == "input":
            continue
        node_evals.append(
            (
                d["id"],
                sigmoid_activation,
                sum_aggregation,
                d["bias"] / 5.0,
                0.2,
                incoming.get(d["id"], []),
            )
        )
    return neat_module.nn.FeedForwardNetwork(list(dag["inputs"]), list(dag["outputs"]), node_evals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dag_json", help="where to write the DAG (JSON)")
    parser.add_argument("--inputs", type=int, default=100)
    parser.add_argument("--hidden", type=int, default=890)
    parser.add_argument("--outputs", type=int, default=10)
    parser.add_argument("--edges", type=int, default=10_000)
    parser.add_argument("--activations", type=int, default=2000, help="per timed round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checks", type=int, default=16, help="check inputs saved with the DAG")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import neat

    dag = make_dag(args.inputs, args.hidden, args.outputs, args.edges, args.seed)
    net = build_neat(dag, neat)

    rng = random.Random(args.seed + 1)
    batch = [[rng.random() for _ in range(args.inputs)] for _ in range(args.activations)]

    for x in batch[: min(200, len(batch))]:  # warm-up
        net.activate(x)
    rates = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for x in batch:
            net.activate(x)
        rates.append(len(batch) / (time.perf_counter() - t0))

    checks = batch[: args.checks]
    dag["check_inputs"] = checks
    dag["check_outputs"] = [list(net.activate(x)) for x in checks]
    with open(args.dag_json, "w", encoding="utf-8") as f:
        json.dump(dag, f)

    print(
        json.dumps(
            {
                "peer": "neat-python",
                "version": getattr(neat, "__version__", "unknown"),
                "task": "sparse_dag",
                "neurons": len(dag["nodes"]),
                "synapses": len(dag["edges"]),
                "inputs": args.inputs,
                "outputs": args.outputs,
                "activations": args.activations,
                "rounds": args.rounds,
                "activations_per_s": max(rates),
                "activations_per_s_all": rates,
                "dag_json": args.dag_json,
            }
        )
    )


if __name__ == "__main__":
    main()
