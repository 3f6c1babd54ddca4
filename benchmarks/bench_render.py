"""How long diagrams take: DOT generation and real Graphviz rendering.

    python benchmarks/bench_render.py              # median of 5 runs per row
    python benchmarks/bench_render.py --repeat 11

Rows: the trained 2-3-1 XOR net (every synapse drawn and labelled); a 784-128-10
net, collapsed to one node per layer as it is by default; and, for scale, a
25-40-25 net drawn neuron by neuron (2,000 labelled synapses, over the default
collapse threshold). Building the networks is timed separately and not included.
Not a test: it prints figures for the README and the issue.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from netgraph import Layer, Network


def layered(*sizes: int, seed: int = 0) -> Network:
    layers = [Layer(n) for n in sizes]
    for a, b in itertools.pairwise(layers):
        a.project(b)
    return Network(input=layers[0], hidden=layers[1:-1], output=layers[-1], seed=seed)


def xor_net() -> Network:
    net = layered(2, 3, 1)
    samples = [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 0)]
    for _ in range(2_000):
        for x, t in samples:
            net.activate(x)
            net.propagate(0.3, [t])
    return net


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per row (median)")
    args = parser.parse_args(argv)
    if shutil.which("dot") is None:
        print("Graphviz 'dot' is not installed; only DOT generation can be timed",
              file=sys.stderr)
        return 1
    dot_version = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    print(f"Python {platform.python_version()}, {dot_version}, {platform.machine()}")
    print(f"median of {args.repeat} runs\n")

    cases: list[tuple[str, Callable[[], Network], dict]] = [
        ("2-3-1 XOR, trained", xor_net, {}),
        ("784-128-10, collapsed (default)", lambda: layered(784, 128, 10), {}),
        ("25-40-25, every synapse", lambda: layered(25, 40, 25), {"collapse": False}),
    ]
    header = f"{'network':34} {'build':>8} {'to_dot':>8} {'svg':>8} {'png':>8}  drawn"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name, build, options in cases:
            t = time.perf_counter()
            net = build()
            built = time.perf_counter() - t
            to_dot = median_time(lambda net=net, o=options: net.to_dot(**o), args.repeat)
            svg = median_time(lambda net=net, o=options: net.render(out / "n.svg", **o),
                              args.repeat)
            png = median_time(lambda net=net, o=options: net.render(out / "n.png", **o),
                              args.repeat)
            dot = net.to_dot(**options)
            nodes = dot.count('class="neuron ') + dot.count('class="layer ')
            edges = dot.count("class=synapse") + dot.count('class="synapse')
            print(f"{name:34} {built:7.3f}s {to_dot:7.3f}s {svg:7.3f}s {png:7.3f}s  "
                  f"{nodes} nodes, {edges} edges "
                  f"(of {net.graph.number_of_nodes():,} neurons, "
                  f"{net.graph.number_of_edges():,} synapses)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
