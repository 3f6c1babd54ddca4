"""The README runs as written: each Python block alone in a fresh interpreter (readers copy
one block at a time), all of them in order in one, and every ``netgraph`` command line on
files the repository ships or an earlier step made.

Shell lines that are not ``netgraph`` commands are listed in ``OTHER_LINES`` with the test
that runs them, so a new one has to be looked at.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)

# Shell lines run elsewhere, and where.
OTHER_LINES = {
    "bash scripts/xor": "test_examples.py runs examples/xor.py, which scripts/xor runs",
    "bash scripts/test": "the suite itself",
    "python3 -m venv .venv": "scripts/bootstrap (every CI run)",
    ".venv/bin/pip install -e .": "scripts/bootstrap (every CI run)",
    "pip wheel . --no-deps -w dist": "test_packaging.py builds and installs the wheel",
    "pip install dist/netgraph_nn-*.whl": "test_packaging.py builds and installs the wheel",
}


def fenced(language: str) -> list[str]:
    return [text for lang, text in FENCE.findall(README) if lang == language]


def shell_lines() -> list[str]:
    """Each command of the ``sh`` blocks, comments dropped."""
    lines = []
    for block in fenced("sh"):
        for line in block.splitlines():
            command = line.split("  #")[0].split(" # ")[0].strip()
            if command:
                lines.append(command)
    return lines


def test_the_readme_has_blocks_of_both_kinds():
    assert len(fenced("python")) >= 6
    assert sum(line.startswith("netgraph ") for line in shell_lines()) >= 6
    # no other languages hide code from these tests
    assert {lang for lang, _ in FENCE.findall(README)} <= {"python", "sh"}


@pytest.mark.parametrize("k", range(1, len(fenced("python")) + 1),
                         ids=lambda k: f"block{k}")
def test_each_python_block_runs_alone_in_a_fresh_interpreter(tmp_path, k):
    block = fenced("python")[k - 1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f"README python block {k} alone:\n{block}\n{out.stderr[-3000:]}"


def test_the_longest_path_example_counts_synapses_not_weights():
    # the README's example: with the default weight="weight", networkx adds synaptic weights
    # as lengths, and a skip connection with a large weight becomes the "longest" path
    import networkx as nx

    from netgraph import Layer, Network, feedforward_view

    inp, hid, out = Layer(2), Layer(3), Layer(1)
    inp.project(hid)
    hid.project(out)
    net = Network(input=inp, hidden=[hid], output=out, seed=1)
    net.graph.add_edge("i1", "o0", weight=5.0)
    assert nx.dag_longest_path(net.graph) == ["i1", "o0"]
    assert len(nx.dag_longest_path(feedforward_view(net), weight=None)) == 3
    assert "weight=None" in fenced("python")[0]


def test_python_blocks_run_in_order(tmp_path):
    blocks = fenced("python")
    runner = textwrap.dedent('''
        import sys, traceback
        blocks = {blocks!r}
        namespace = {{"__name__": "__main__"}}
        for k, block in enumerate(blocks, 1):
            try:
                exec(compile(block, f"README python block {{k}}", "exec"), namespace)
            except BaseException:
                traceback.print_exc()
                sys.exit(f"README python block {{k}} failed:\\n{{block}}")
        print("all", len(blocks), "blocks ran")
    ''').format(blocks=blocks)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", runner], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]
    assert f"all {len(blocks)} blocks ran" in out.stdout


def test_every_command_line_runs(tmp_path):
    lines = shell_lines()
    others = [line for line in lines if not line.startswith("netgraph ")]
    assert sorted(others) == sorted(OTHER_LINES), others
    # what the Quick start made (out/xor.json) and the files the repository ships
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    made = subprocess.run([sys.executable, str(ROOT / "examples" / "xor.py"), "out"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for line in lines:
        if not line.startswith("netgraph "):
            continue
        args = shlex.split(line)[1:]
        out = subprocess.run([sys.executable, "-m", "netgraph", *args], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, f"{line}\n{out.stdout}{out.stderr}"
        assert "Traceback" not in out.stderr, line
