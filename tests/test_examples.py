"""Every example runs, as a user would run it, and writes what it promises.

Each ``examples/*.py`` runs in a subprocess with a temporary output folder as its
argument; the ``python`` blocks of ``examples/notebook.md`` run in order in one
namespace, as the cells of a notebook. Pictures need Graphviz's ``dot``: without
it the examples write DOT source instead (``draw.py`` and the notebook need it, and
are skipped unless ``CI`` or ``NETGRAPH_REQUIRE_GRAPHVIZ`` is set).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HAVE_DOT = shutil.which("dot") is not None
REQUIRE_DOT = bool(os.environ.get("CI") or os.environ.get("NETGRAPH_REQUIRE_GRAPHVIZ"))
needs_dot = pytest.mark.skipif(
    not HAVE_DOT and not REQUIRE_DOT,
    reason="Graphviz 'dot' is not installed (apt-get/brew/conda install graphviz)",
)

PICTURE = ".svg" if HAVE_DOT or REQUIRE_DOT else ".dot"

# What each example writes into its output folder (pictures as svg, or dot without dot).
EXPECTED = {
    "xor.py": ["xor.json", "xor.svg", "xor.png"] if HAVE_DOT or REQUIRE_DOT
    else ["xor.json", "xor.dot"],
    "draw.py": ["xor.svg", "xor.png"],
    "custom_topology.py": ["custom_topology.json", f"custom_topology_full{PICTURE}",
                           f"custom_topology_pruned{PICTURE}"],
    "export_import.py": ["net.json", "net.synaptic.json", "net.node_link.json"],
    "sequence_lstm.py": ["timing_lstm.json", f"timing_lstm{PICTURE}",
                         f"timing_lstm_layers{PICTURE}"],
}
PRINTS = {
    "xor.py": "the outputs round to XOR",
    "draw.py": "wrote",
    "custom_topology.py": "pruned the hidden neurons",
    "export_import.py": "networkx node-link JSON",
    "sequence_lstm.py": "held-out error",
}


def python_blocks(markdown: str) -> list[str]:
    """The contents of the fenced ```python blocks of a markdown text, in order."""
    return re.findall(r"^```python[ \t]*\n(.*?)^```[ \t]*$", markdown, re.S | re.M)


def test_every_example_is_tested():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", [
    "xor.py",
    pytest.param("draw.py", marks=needs_dot),
    "custom_topology.py",
    "export_import.py",
    "sequence_lstm.py",
])
def test_example_runs_and_writes_its_files(name, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(EXAMPLES / name), str(out)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert PRINTS[name] in result.stdout
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(EXPECTED[name]), written
    for file in EXPECTED[name]:
        assert (out / file).stat().st_size > 0, file
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # nothing written elsewhere


@needs_dot
def test_notebook_code_runs_in_order(tmp_path):
    blocks = python_blocks((EXAMPLES / "notebook.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    for k, block in enumerate(blocks):
        compile(block, f"notebook.md block {k + 1}", "exec")  # each cell is valid Python
    script = tmp_path / "notebook.py"
    script.write_text("\n\n".join(f"# --- cell {k + 1}\n{b}" for k, b in enumerate(blocks)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "['image/svg+xml', 'text/plain']" in result.stdout
    assert "saved and reloaded xor.json" in result.stdout
    for name in ("xor.json", "xor.svg", "xor.dot"):
        assert (tmp_path / name).stat().st_size > 0


def test_python_blocks_are_found():
    text = "a\n```python\nx = 1\n```\n```bash\nls\n```\n```python\ny = 2\n```\n"
    assert python_blocks(text) == ["x = 1\n", "y = 2\n"]
