"""Benchmark: netgraph JSON save/load of a 1M-synapse network.

The network is a 1000 x 1000 all-to-all layer pair (``Layer(1000).project(Layer(1000))``,
``Network(input=..., output=..., seed=0)``). Measured, best of ``--repeats``:

- ``save``: ``net.save(path)`` (gather, check, format, atomic write), against the
  standard library's ``json.dumps`` of the same document (the saved file, parsed);
- ``load``: ``Network.load(path)`` (parse, check everything, build the graph), against
  adding the same 1M weighted edges to a bare ``networkx.DiGraph``
  (``add_weighted_edges_from``), measured both as a user runs it (garbage collector
  on) and with the collector off;
- peak memory while loading (tracemalloc), against what the loaded network holds
  once loading is over.

Targets: save no slower than json.dumps; load within 2x networkx; peak under 2x.
Usage: python benchmarks/bench_json.py [--size 1000] [--repeats 5] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx
import numpy as np

from netgraph import Layer, Network


def best(repeats: int, fn, *args) -> float:
    """The shortest of ``repeats`` timed calls of ``fn(*args)``."""
    times = []
    for _ in range(repeats):
        gc.collect()
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return min(times)


def bare_networkx(edges: list, collect: bool) -> None:
    """The baseline: the same weighted edges added to a bare networkx DiGraph."""
    if not collect:
        gc.disable()
    try:
        H = nx.DiGraph()
        H.add_weighted_edges_from(edges)
    finally:
        gc.enable()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1000, help="neurons per layer")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="print one JSON line only")
    args = ap.parse_args()
    n, r = args.size, args.repeats

    inp, out = Layer(n), Layer(n)
    inp.project(out)
    net = Network(input=inp, output=out, seed=0)
    G = net.graph
    folder = tempfile.mkdtemp(prefix="netgraph-bench-")
    path = os.path.join(folder, "net.json")

    net.save(path)
    size = os.path.getsize(path)
    doc = json.loads(Path(path).read_text())
    t_dumps = best(r, json.dumps, doc)
    doc = None
    t_save = best(r, net.save, path)
    t_to_json = best(r, net.to_json)
    edges = list(G.edges(data="weight"))
    t_nx = best(r, bare_networkx, edges, True)
    t_nx_nogc = best(r, bare_networkx, edges, False)
    edges = None
    t_load = best(r, Network.load, path)

    gc.collect()
    tracemalloc.start()
    loaded = Network.load(path)
    gc.collect()
    own, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    x = np.random.default_rng(1).uniform(-1, 1, (4, n))
    exact = net.activate(x).tobytes() == loaded.activate(x).tobytes()
    os.remove(path)
    os.rmdir(folder)

    res = {
        "synapses": G.number_of_edges(),
        "file_mb": round(size / 1e6, 1),
        "save_s": round(t_save, 3),
        "to_json_s": round(t_to_json, 3),
        "json_dumps_s": round(t_dumps, 3),
        "save_vs_dumps": round(t_save / t_dumps, 2),
        "load_s": round(t_load, 3),
        "nx_add_edges_s": round(t_nx, 3),
        "nx_add_edges_nogc_s": round(t_nx_nogc, 3),
        "load_vs_nx": round(t_load / t_nx, 2),
        "load_vs_nx_nogc": round(t_load / t_nx_nogc, 2),
        "load_peak_mb": round(peak / 1e6, 1),
        "loaded_net_mb": round(own / 1e6, 1),
        "peak_vs_net": round(peak / own, 2),
        "activations_bit_identical": exact,
    }
    if args.json:
        print(json.dumps(res))
        return
    print(f"{res['synapses']:,} synapses, file {res['file_mb']} MB")
    print(f"save  {t_save:.3f} s (to_json {t_to_json:.3f} s)  vs json.dumps {t_dumps:.3f} s"
          f"  -> {res['save_vs_dumps']}x   (target <= 1)")
    print(f"load  {t_load:.3f} s  vs networkx add_weighted_edges_from {t_nx:.3f} s "
          f"(gc off: {t_nx_nogc:.3f} s)  -> {res['load_vs_nx']}x ({res['load_vs_nx_nogc']}x)"
          "   (target <= 2)")
    print(f"load peak {res['load_peak_mb']} MB vs loaded network {res['loaded_net_mb']} MB"
          f"  -> {res['peak_vs_net']}x   (target < 2)")
    print(f"activations bit-identical after reload: {exact}")


if __name__ == "__main__":
    main()
