"""Types that help: mypy --strict on a user's script that uses the public API passes, and
catches a misspelt name, a misspelt training option and a wrong return type."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GOOD = '''
from pathlib import Path

import graphviz
import numpy as np

import netgraph
from netgraph import Layer, Network, TrainOptions, TrainResult
from netgraph.architect import Perceptron

net: Network = Perceptron(2, 3, 1, output_activation="identity", seed=0)
X = np.zeros((4, 2))
options: TrainOptions = {"rate": 0.3, "iterations": 10, "error": 0.0}
result: TrainResult = net.train(X, np.zeros(4), **options)
also = net.train(X, np.zeros(4), rate=[0.3, 0.1], shuffle=True, seed=1, log=0)
stopped: str = result.stopped
errors: float = result.error + also.error
saved: Path = net.save("net.json", layout="rows", name="xor")
text: str = saved.read_text()
drawn: Path = net.render("net.svg")
dot: graphviz.Digraph = net.diagram()
a: str = net.add_neuron(role="input")
b: int = net.add_neuron(7, role="hidden")
net.connect(a, b, 0.5)
layer = Layer(3)
schema: dict[str, object] = netgraph.schema()
document = netgraph.NetworkDocument
'''

BAD = '''
import numpy as np

from netgraph import Netwrok
from netgraph.architect import Perceptron

net = Perceptron(2, 3, 1, seed=0)
net.train(np.zeros((4, 2)), np.zeros(4), rat=0.1)
net.train(np.zeros((4, 2)), np.zeros(4), iterations="10")
count: int = net.save("net.json")
name: int = net.add_neuron()
'''


def mypy(tmp_path: Path, files: dict[str, str]) -> dict[str, list[str]]:
    """Run ``mypy --strict`` on the files; its error lines, by file."""
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    env = {**os.environ, "MYPYPATH": ""}
    # follow netgraph's own modules silently: this is about what a user's script sees
    command = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
               "--ignore-missing-imports", "--no-incremental", "--cache-dir",
               str(tmp_path / "cache"), "--python-version", "3.11", *files]
    out = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode in (0, 1), out.stdout + out.stderr
    found: dict[str, list[str]] = {name: [] for name in files}
    for line in out.stdout.splitlines():
        m = re.match(r"(\w+\.py):(\d+): error: (.*)", line)
        if m:
            found[m[1]].append(f"{m[2]}: {m[3]}")
    return found


def test_mypy_strict_accepts_a_script_using_the_public_api_and_catches_mistakes(tmp_path):
    found = mypy(tmp_path, {"good.py": GOOD, "bad.py": BAD})
    assert found["good.py"] == [], "\n".join(found["good.py"])
    bad = "\n".join(found["bad.py"])
    assert 'Module "netgraph" has no attribute "Netwrok"' in bad, bad
    assert 'Unexpected keyword argument "rat"' in bad, bad
    assert re.search(r'Argument "iterations" to "train" of "Network" has incompatible type '
                     r'"str"; expected "int"', bad), bad
    assert re.search(r'Incompatible types in assignment \(expression has type "Path", '
                     r'variable has type "int"\)', bad), bad
    assert re.search(r'Incompatible types in assignment \(expression has type "str", '
                     r'variable has type "int"\)', bad), bad
    assert len(found["bad.py"]) == 5, bad
