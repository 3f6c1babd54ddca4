"""How long the HTML page takes to expand every layer of a 784-128-10 network in a browser.

    python benchmarks/bench_page.py              # median of 5 clicks
    python benchmarks/bench_page.py --repeat 9
    python benchmarks/bench_page.py --against main   # also the page's scripts at a git
                                                     # revision, alternating, in the same run

Opens ``net.render("net.html")`` of ``Perceptron(784, 128, 10)`` (101,632 synapses; it
opens collapsed) in headless Chromium (Debian's ``/usr/bin/chromium`` through Playwright,
as the tests do), then times a click on "Expand all" until the browser has drawn the
result (two animation frames after the click's handler returns), in a new tab each
time. Not a test: it prints figures for the README and the issue.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import chromium

from netgraph._page import _asset
from netgraph.architect import Perceptron

ROOT = Path(__file__).resolve().parent.parent

CLICK = """async (id) => {
  const t0 = performance.now();
  document.getElementById(id).click();
  const script = performance.now() - t0;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return [script, performance.now() - t0];
}"""


def at_revision(text: str, revision: str) -> str:
    """The page ``text`` with the page's script and style as they were at ``revision``."""
    for name in ("draw.js", "explore.js", "page.css", "page.html"):
        old = subprocess.run(["git", "show", f"{revision}:netgraph/page/{name}"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        text = text.replace(_asset(name), old)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="also time the page at this git revision")
    args = parser.parse_args()
    net = Perceptron(784, 128, 10, seed=0)
    with tempfile.TemporaryDirectory() as folder, chromium() as browser:
        pages = {"this": net.render(Path(folder) / "net.html")}
        if args.against:
            pages[args.against] = Path(folder) / "old.html"
            pages[args.against].write_text(at_revision(pages["this"].read_text(), args.against))
        times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in pages}
        for _ in range(args.repeat):
            for name, path in pages.items():  # alternating, so both see the same load
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                page.goto(path.resolve().as_uri())
                page.wait_for_function("() => window.netgraph !== undefined")
                s, t = page.evaluate(CLICK, "expand-all")
                assert page.locator(".neuron").count() == 922
                page.close()
                times[name][0].append(s)
                times[name][1].append(t)
        for name, (script, total) in times.items():
            print(f"{name}: expand all, 784-128-10 ({net.graph.number_of_edges():,} synapses), "
                  f"median of {args.repeat}: handler {statistics.median(script):.0f} ms, "
                  f"drawn {statistics.median(total):.0f} ms "
                  f"(min {min(total):.0f}, max {max(total):.0f})")


if __name__ == "__main__":
    main()
