"""Benchmark: reading a network from ONNX against reading the same network from netgraph JSON.

Each case is written once as an ONNX model and, through ``from_onnx``, as netgraph JSON
(the same network, so the two readers build the same thing). Each read runs in a fresh
subprocess, best of ``--repeats``:

- time: wall clock of ``netgraph.interop.from_onnx(path)`` / ``Network.load(path)``, and
  the process's CPU time for it (steadier than the wall clock on a loaded machine);
- memory: the process's peak resident size during the read (``VmHWM``) less its
  resident size just before it (interpreter, numpy, onnx and netgraph already imported).

Cases:
- ``gemm1000``: one 1000x1000 float32 ``Gemm`` (3.8 MiB), the issue's model;
- ``mlp``: a 500-400-10 logistic perceptron exported by ``to_onnx`` (float64);
- ``chain``: ``--chain`` one-neuron layers (``Gemm`` 1x1 + ``Tanh`` each);
- ``identity-chain``: a ``Gemm`` followed by ``--chain - 1`` ``Identity`` nodes (ONNX
  only: a 100,000-node chain of values the reader must walk without a loop).

Target (issue 25): ONNX costs no more than 1.5x netgraph JSON in time and memory.
On a shared machine, compare the two columns of one run, not runs with each other.
Usage: python benchmarks/bench_onnx_import.py [--repeats 3] [--chain 100000] [--json]
       [--pythonpath DIR]  (another netgraph source tree, e.g. an older commit's)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import gc, json, sys, time
import onnx
import netgraph
import netgraph.interop
from netgraph import Network
from netgraph.interop import from_onnx

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
kind, path = sys.argv[1], sys.argv[2]
gc.collect()
before = status("VmRSS:")
t, c = time.perf_counter(), time.process_time()
net = from_onnx(path) if kind == "onnx" else Network.load(path)
seconds, cpu = time.perf_counter() - t, time.process_time() - c
peak = status("VmHWM:")  # this process's own high-water mark (ru_maxrss survives exec)
print(json.dumps({"seconds": seconds, "cpu": cpu, "bytes": peak - before, "neurons": len(net.graph),
                  "synapses": net.graph.number_of_edges(), "netgraph": netgraph.__file__}))
"""


def gemm_model(size: int = 1000):
    from onnx import TensorProto, helper, numpy_helper

    W = np.random.default_rng(0).normal(size=(size, size)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "W"], ["y"])], "gemm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", size])],
        initializer=[numpy_helper.from_array(W, "W")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def chain_model(n: int, identity: bool = False):
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(1)
    nodes, inits, current = [], [], "x"
    layers = 1 if identity else n
    for k in range(layers):
        inits.append(numpy_helper.from_array(rng.normal(size=(1, 1)), f"w{k}"))
        inits.append(numpy_helper.from_array(rng.normal(size=(1,)), f"b{k}"))
        nodes.append(helper.make_node("Gemm", [current, f"w{k}", f"b{k}"], [f"s{k}"]))
        current = f"s{k}"
        if not identity:
            nodes.append(helper.make_node("Tanh", [current], [f"t{k}"]))
            current = f"t{k}"
    for k in range(n - 1 if identity else 0):
        nodes.append(helper.make_node("Identity", [current], [f"v{k}"]))
        current = f"v{k}"
    graph = helper.make_graph(
        nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["batch", 1])],
        [helper.make_tensor_value_info(current, TensorProto.DOUBLE, ["batch", 1])],
        initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def measure(kind: str, path: Path, repeats: int, pythonpath: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=pythonpath, OPENBLAS_NUM_THREADS="1")
    runs = []
    for _ in range(repeats):
        # run from the files' folder: `python -c` puts the working directory first
        out = subprocess.run([sys.executable, "-c", CHILD, kind, str(path)], env=env,
                             cwd=path.parent, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"seconds": min(r["seconds"] for r in runs), "cpu": min(r["cpu"] for r in runs),
            "MiB": min(r["bytes"] for r in runs) / 2**20,
            "neurons": runs[0]["neurons"], "synapses": runs[0]["synapses"],
            "netgraph": runs[0]["netgraph"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--chain", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--pythonpath", default=str(ROOT),
                        help="the netgraph source tree the reads run against")
    parser.add_argument("--cases", default="gemm1000,mlp,chain,identity-chain")
    args = parser.parse_args()
    from netgraph.architect import Perceptron
    from netgraph.interop import from_onnx, to_onnx

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for case in args.cases.split(","):
            onnx_path, json_path = folder / f"{case}.onnx", folder / f"{case}.json"
            if case == "gemm1000":
                onnx_path.write_bytes(gemm_model().SerializeToString())
            elif case == "mlp":
                to_onnx(Perceptron(500, 400, 10, seed=0), onnx_path)
            elif case == "chain":
                onnx_path.write_bytes(chain_model(args.chain).SerializeToString())
            elif case == "identity-chain":
                onnx_path.write_bytes(chain_model(args.chain, identity=True)
                                      .SerializeToString())
            else:
                raise SystemExit(f"unknown case {case!r}")
            row = {"onnx": measure("onnx", onnx_path, args.repeats, args.pythonpath),
                   "onnx_bytes": onnx_path.stat().st_size}
            if case != "identity-chain":
                from_onnx(onnx_path).save(json_path)
                row["json"] = measure("json", json_path, args.repeats, args.pythonpath)
                row["time_ratio"] = row["onnx"]["seconds"] / row["json"]["seconds"]
                row["cpu_ratio"] = row["onnx"]["cpu"] / row["json"]["cpu"]
                row["memory_ratio"] = row["onnx"]["MiB"] / max(row["json"]["MiB"], 1e-9)
            results[case] = row
            if not args.json:
                o = row["onnx"]
                line = (f"{case:15s} ONNX {o['seconds']:7.3f} s (CPU {o['cpu']:.3f} s) "
                        f"{o['MiB']:7.1f} MiB "
                        f"({o['neurons']} neurons, {o['synapses']} synapses)")
                if "json" in row:
                    j = row["json"]
                    line += (f" | JSON {j['seconds']:7.3f} s (CPU {j['cpu']:.3f} s) "
                             f"{j['MiB']:7.1f} MiB | ratio time {row['time_ratio']:.2f}x "
                             f"(CPU {row['cpu_ratio']:.2f}x) memory {row['memory_ratio']:.2f}x")
                print(line, flush=True)
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
