"""The evolution page of a long run: its size, how long it takes to write, and how
long Chromium takes to open it (navigation to the champion drawn).

    python benchmarks/bench_evolution_page.py                 # 300 generations, pop 150
    python benchmarks/bench_evolution_page.py --generations 100 --repeat 3

The run: XOR as a data set (neat-python's fitness, 4 - SSE) under Config.paper, which
never stops on fitness, so all the generations are recorded and the champions grow.
Targets from issue 24: under 3 MB, open in under 1 s. For scale, the same browser opens
the page of a 2-3-1 network (``render("x.html")``) in the same run. Not a test: it
prints figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import netgraph.neat as neat
from netgraph.architect import Perceptron
from netgraph.neat._pictures import render_evolution

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import chromium


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--generations", type=int, default=300)
    parser.add_argument("--pop", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    pop = neat.Population(neat.Config.paper(2, 1, pop_size=args.pop), seed=1)
    t = time.perf_counter()
    pop.run(neat.Dataset(X, y, cost="sse", offset=4.0), args.generations)
    run_s = time.perf_counter() - t
    last = pop.history[-1]
    print(f"run: {len(pop.history)} generations of {args.pop} in {run_s:.2f} s; champion "
          f"{last.best_size[0]} nodes, {last.best_size[1]} connections; "
          f"{len({s for r in pop.history for s, _n in r.species})} species in all")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "evolution.html"
        writes = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            render_evolution(pop, path)
            writes.append(time.perf_counter() - t)
        size = path.stat().st_size
        small = Perceptron(2, 3, 1, seed=1).render(Path(folder) / "small.html")
        opens, inside, baseline = [], [], []
        with chromium() as browser:
            for _ in range(args.repeat):
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                t = time.perf_counter()
                page.goto(small.as_uri())
                page.wait_for_function("() => window.netgraph !== undefined")
                baseline.append(time.perf_counter() - t)
                page.close()
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                t = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_function("() => window.netgraph && window.netgraph.drawn "
                                       "&& window.netgraph.drawn().nodes.length > 0")
                opens.append(time.perf_counter() - t)
                inside.append(page.evaluate("performance.now()") / 1e3)
                page.close()
    print(f"page: {size / 1e6:.2f} MB (target < 3 MB)")
    print(f"write: median {statistics.median(writes) * 1e3:.0f} ms over {args.repeat}")
    print(f"open in Chromium (navigation to the champion drawn): median "
          f"{statistics.median(opens) * 1e3:.0f} ms, max {max(opens) * 1e3:.0f} ms "
          f"over {args.repeat} (target < 1 s)")
    print(f"  of which the page's own clock (navigation start to drawn): median "
          f"{statistics.median(inside) * 1e3:.0f} ms")
    print(f"for scale, the 2-3-1 network's page: median {statistics.median(baseline) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
