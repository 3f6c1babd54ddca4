"""Benchmark: what loading costs for hostile and for large documents (issue 12's bounds).

Rows, each measured in a fresh Python process (so that peak memory is that document's):

- ``hostile-3MB``: 10**6 empty neurons (``{"neurons": [{}, {}, ...]}`` after a current
  header), rejected by ``Network.load`` and by ``netgraph validate``;
- ``10MB-*``: documents of about 10 MB, bad and good, that try to be expensive: empty
  neurons with the header last, a duplicate key at the very end, deep nesting, one
  huge string, a long list of numbers in an attribute, a good document of neurons in
  rows, a good document in columns;
- ``valid-100MB``: a good layered network of about 100 MB (3.3 million synapses in
  columns), loaded; ``valid-100MB-neurons``: about 100 MB of neurons (a million), loaded.

For each: the time of the call (best of ``--repeats``), the time the standard library's
C parser alone takes on the same text (``json.loads``, a yardstick for how busy the
machine is), the peak memory Python allocated during the call (tracemalloc), and the
process's peak resident memory above what it held before the call. ``netgraph
validate`` is also timed as a whole command (interpreter start and imports included).

Bounds (issue 12): every document up to 10 MB rejected or loaded in under 1 s and
300 MB; the 3 MB hostile one in under 0.2 s; peak memory at most 4x the document's size
plus the loaded network.

Usage: python benchmarks/bench_load_bounds.py [--repeats 3] [--skip-100mb] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = '{"format": "netgraph-network", "version": 1, '
NEURON = ('{"id": "h%d", "role": "hidden", "activation": "logistic", '
          '"bias": 0.012345678901234567, "layer": "hidden"}')


def _good_neurons(n: int) -> str:
    """A valid document: n hidden neurons between one input and one output neuron."""
    rows = [NEURON % k for k in range(n)]
    rows.insert(0, '{"id": "in", "role": "input", "activation": "identity", "bias": 0}')
    rows.append('{"id": "out", "role": "output", "activation": "identity", "bias": 0}')
    return HEADER + '"neurons": [' + ",\n".join(rows) + '], "synapses": []}'


def documents(size: int) -> dict[str, str]:
    """Hostile and good documents of about ``size`` characters."""
    one_neuron = '{"id": "a", "role": "input", "activation": "identity", "bias": 0}'
    per = len(NEURON % 100000) + 2
    return {
        "empty-neurons": HEADER + '"neurons": [' + ", ".join(["{}"] * (size // 4))
        + '], "synapses": []}',
        "empty-neurons-header-last": '{"neurons": [' + ",".join(["{}"] * (size // 3))
        + '], "synapses": [], "format": "netgraph-network", "version": 1}',
        "duplicate-key-at-end": _good_neurons(size // per)[:-1] + ', "attrs": {"a": 1, "a": 2}}',
        "deep-nesting": HEADER + '"neurons": [], "synapses": [], "attrs": {"x": '
        + "[" * 60 + ", ".join(["0"] * (size // 3)) + "]" * 60 + "}}",
        "huge-string": HEADER + '"metadata": {"name": "' + "x" * size + '"}, "neurons": [' +
        one_neuron + '], "synapses": []}',
        "numbers-in-attrs": HEADER + '"neurons": [' + one_neuron + '], "synapses": [], '
        '"attrs": {"x": [' + ", ".join(["0.1234567890123"] * (size // 17)) + "]}}",
        "good-rows": _good_neurons(size // per),
    }


def _columns_network(target_bytes: int) -> str:
    from netgraph import Layer, Network

    n = int((target_bytes / 30) ** 0.5)  # about 30 bytes a synapse in columns
    a, b = Layer(n), Layer(n)
    a.project(b)
    return Network(input=a, output=b, seed=0).to_json(layout="columns")


CHILD = r"""
import gc, json, os, resource, sys, time, tracemalloc
sys.path.insert(0, sys.argv[1])
from netgraph import Network, NetworkFormatError
from netgraph._cli import main
path, how, repeats = sys.argv[2], sys.argv[3], int(sys.argv[4])
def call():
    if how == "validate":
        import contextlib, io
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return main(["validate", path])
    try:
        return Network.load(path)
    except NetworkFormatError as e:
        return e
try:  # warm up: imports and pydantic's first validations
    Network.from_json('{"format": "netgraph-network", "version": 1, "neurons": [], '
                      '"synapses": []}')
except NetworkFormatError:
    pass
gc.collect()
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t = time.perf_counter()
result = call()
first = time.perf_counter() - t
own = tracemalloc.get_traced_memory()[0]
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = None
gc.collect()
times = []
for _ in range(repeats):
    t = time.perf_counter()
    result = call()
    times.append(time.perf_counter() - t)
    outcome = ("error: " + str(result)[:80]) if isinstance(result, Exception) else (
        "exit %d" % result if isinstance(result, int) else "loaded")
    result = None
    gc.collect()
# A yardstick for this machine at this moment: the standard library's C parser alone.
text = open(path, encoding="utf-8").read()
parse = []
for _ in range(repeats):
    t = time.perf_counter()
    json.loads(text)
    parse.append(time.perf_counter() - t)
del text
print(json.dumps({"seconds": min(times), "json_loads_seconds": min(parse),
                  "first_seconds_traced": first, "peak_mb": peak / 1e6,
                  "kept_mb": own / 1e6, "rss_growth_mb": (rss1 - rss0) / 1024,
                  "outcome": outcome}))
"""


def measure(path: str, how: str, repeats: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), path, how, str(repeats)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def whole_command(path: str, repeats: int) -> tuple[float, float]:
    """``netgraph validate PATH`` as a user runs it: seconds (best) and peak RSS (MB)."""
    best, rss = float("inf"), 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "netgraph", "validate", path],
                       capture_output=True, check=False, cwd=ROOT)
        best = min(best, time.perf_counter() - t)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return best, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-100mb", action="store_true")
    ap.add_argument("--json", action="store_true", help="print one JSON line only")
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="netgraph-bounds-")
    rows = []

    def row(name: str, text: str, how: str = "load") -> dict:
        path = os.path.join(folder, name + ".json")
        Path(path).write_text(text)
        r = {"document": name, "how": how, "mb": round(len(text) / 1e6, 1),
             **measure(path, how, args.repeats)}
        rows.append(r)
        if not args.json:
            print(f"{name:<30} {how:<9} {r['mb']:>6.1f} MB  {r['seconds']:8.3f} s  "
                  f"(json.loads {r['json_loads_seconds']:6.3f} s)  "
                  f"peak {r['peak_mb']:7.1f} MB  rss +{r['rss_growth_mb']:7.1f} MB  "
                  f"kept {r['kept_mb']:6.1f} MB  {r['outcome']}", flush=True)
        return r

    hostile = HEADER + '"neurons": [' + ",".join(["{}"] * 10**6) + '], "synapses": []}'
    row("hostile-3MB", hostile)
    row("hostile-3MB", hostile, "validate")
    seconds, rss = whole_command(os.path.join(folder, "hostile-3MB.json"), args.repeats)
    rows.append({"document": "hostile-3MB", "how": "command", "seconds": seconds,
                 "rss_mb": rss})
    if not args.json:
        print(f"{'hostile-3MB':<30} {'command':<9} {3.0:>6.1f} MB  {seconds:8.3f} s  "
              f"(netgraph validate as a command, interpreter start included; "
              f"peak RSS {rss:.0f} MB)", flush=True)
    for name, text in documents(10 * 10**6).items():
        row(f"10MB-{name}", text)
    row("10MB-good-columns", _columns_network(10 * 10**6))
    if not args.skip_100mb:
        row("valid-100MB", _columns_network(100 * 10**6))
        per = len(NEURON % 100000) + 2
        row("valid-100MB-neurons", _good_neurons(100 * 10**6 // per))
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    os.rmdir(folder)
    if args.json:
        print(json.dumps(rows))


if __name__ == "__main__":
    main()
