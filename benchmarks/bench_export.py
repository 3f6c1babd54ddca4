"""Benchmark: ONNX export of an irregular 1,000-neuron, 10,000-synapse random DAG.

The network: 20 inputs, 970 hidden and 10 output neurons in a random order; each
non-input neuron takes 10 synapses from neurons chosen uniformly among those before
it (so skip connections of every length), activations drawn from logistic, tanh, relu,
identity and softsign, weights N(0, 1/10), seed 0. Measured, best of ``--repeats``:

- ``export``: ``netgraph.interop.to_onnx(net)`` (compile levels, build, serialize);
- ``size``: the serialized model's bytes (float64 and float32);
- ``batch``: a 10,000-row batch through an onnxruntime ``InferenceSession`` (default
  options, the machine's threads) against ``net.activate(X)`` on the same rows, in the
  same run, and the largest difference between the two.

On a shared machine the export's CPU time (``time.process_time``) is printed beside its
wall time. Targets: export < 1 s, model < 1 MB, onnxruntime within 3x of netgraph's batch time.
Usage: python benchmarks/bench_export.py [--repeats 5] [--rows 10000] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx
import numpy as np

from netgraph import Network


def best(repeats: int, fn, *args, clock=time.perf_counter) -> float:
    """The shortest of ``repeats`` timed calls of ``fn(*args)`` (wall clock by default)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        t = clock()
        fn(*args)
        times.append(clock() - t)
    return min(times)


def random_dag(n: int = 1000, n_in: int = 20, n_out: int = 10, fan_in: int = 10,
               seed: int = 0) -> Network:
    """The benchmark's network (see the module docstring)."""
    rng = np.random.default_rng(seed)
    G = nx.DiGraph()
    names = ["logistic", "tanh", "relu", "identity", "softsign"]
    order = rng.permutation(n - n_in) + n_in  # ids not in topological order
    for k in range(n_in):
        G.add_node(k, role="input", bias=0.0, activation="identity", layer="input")
    for rank, k in enumerate(order):
        role = "output" if rank >= n - n_in - n_out else "hidden"
        G.add_node(int(k), role=role, bias=float(rng.normal(0, 0.5)),
                   activation=str(rng.choice(names)), layer=role)
    ranked = list(range(n_in)) + [int(k) for k in order]
    for j in range(n_in, n):
        for i in rng.choice(j, min(j, fan_in), replace=False):
            G.add_edge(ranked[int(i)], ranked[j], weight=float(rng.normal(0, fan_in ** -0.5)))
    return Network.from_graph(G)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    import onnxruntime as ort

    from netgraph.interop import to_onnx

    net = random_dag()
    rng = np.random.default_rng(1)
    X = rng.normal(size=(args.rows, len(net.inputs)))
    to_onnx(net)  # warm-up: imports, the compiled plan
    export_s = best(args.repeats, lambda: to_onnx(net).SerializeToString())
    # CPU time too: on a shared machine the wall clock also counts other jobs' turns
    export_cpu_s = best(args.repeats, lambda: to_onnx(net).SerializeToString(),
                        clock=time.process_time)
    model = to_onnx(net).SerializeToString()
    model32 = to_onnx(net, dtype="float32").SerializeToString()
    session = ort.InferenceSession(model)
    session32 = ort.InferenceSession(model32)
    X32 = X.astype(np.float32)
    ours = net.activate(X)
    theirs = session.run(None, {"input": X})[0]
    theirs32 = session32.run(None, {"input": X32})[0]
    netgraph_s = best(args.repeats, net.activate, X)
    ort_s = best(args.repeats, lambda: session.run(None, {"input": X}))
    ort32_s = best(args.repeats, lambda: session32.run(None, {"input": X32}))
    figures = {
        "neurons": len(net.neurons), "synapses": len(net.synapses),
        "nodes": len(to_onnx(net).graph.node), "rows": args.rows,
        "export_s": export_s, "export_cpu_s": export_cpu_s, "model_bytes": len(model),
        "model32_bytes": len(model32),
        "netgraph_batch_s": netgraph_s, "onnxruntime_batch_s": ort_s,
        "onnxruntime32_batch_s": ort32_s, "ratio": ort_s / netgraph_s,
        "max_abs_diff_float64": float(np.abs(ours - theirs).max()),
        "max_abs_diff_float32": float(np.abs(ours - theirs32).max()),
        "load_average": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"network: {figures['neurons']} neurons, {figures['synapses']} synapses; "
          f"model: {figures['nodes']} ONNX nodes")
    print(f"export          {export_s * 1e3:8.1f} ms   (target < 1000 ms; CPU time "
          f"{export_cpu_s * 1e3:.1f} ms)")
    print(f"model size      {len(model) / 1e3:8.1f} kB   float32: {len(model32) / 1e3:.1f} kB "
          "(target < 1000 kB)")
    print(f"netgraph batch  {netgraph_s * 1e3:8.1f} ms   ({args.rows} rows, net.activate)")
    print(f"onnxruntime     {ort_s * 1e3:8.1f} ms   = {ort_s / netgraph_s:.2f}x netgraph "
          f"(target <= 3x); float32: {ort32_s * 1e3:.1f} ms")
    print(f"max |difference| float64 {figures['max_abs_diff_float64']:.2e}, "
          f"float32 {figures['max_abs_diff_float32']:.2e}")
    print(f"load average {figures['load_average']:.2f}")


if __name__ == "__main__":
    main()
