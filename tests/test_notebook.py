"""examples/netgraph.ipynb runs top to bottom in a real Jupyter kernel (nbclient and
ipykernel), and the network cell shows the network as SVG."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "netgraph.ipynb"
SVG = "{http://www.w3.org/2000/svg}"


def read() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_the_notebook_is_committed_valid_and_without_outputs():
    nb = read()
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) >= 10
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert nb.metadata.kernelspec.name == "python3"
    # one cell is marked as the network cell
    assert sum("network" in c.metadata.get("tags", []) for c in code) == 1


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[nbformat.NotebookNode, Path]:
    folder = tmp_path_factory.mktemp("notebook")
    nb = read()
    # jupyter_client starts the "python3" kernel with this Python (sys.executable), the
    # test environment where netgraph is installed; the files go to a temporary folder
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on error
    return nb, folder


def text_of(cell: nbformat.NotebookNode) -> str:
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif "text/plain" in out.get("data", {}):
            parts.append(out.data["text/plain"])
    return "".join(parts)


def test_the_network_cell_shows_the_network_as_svg(executed):
    nb, _ = executed
    (cell,) = [c for c in nb.cells if "network" in c.metadata.get("tags", [])]
    (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert result.data["text/plain"] == "Network(2-3-1: 6 neurons, 9 synapses)"
    root = ET.fromstring(result.data["image/svg+xml"])

    def titles(kind: str) -> list[str | None]:
        return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")  # type: ignore[union-attr]
                if kind in g.get("class", "").split()]
    assert sorted(titles("node")) == ["h0", "h1", "h2", "i0", "i1", "o0"]
    assert sorted(titles("edge")) == sorted(f"{u}->{v}" for u in ("i0", "i1", "h0", "h1", "h2")
                                            for v in ("h0", "h1", "h2", "o0")
                                            if (u[0], v[0]) in (("i", "h"), ("h", "o")))


def test_every_cell_ran_and_said_what_it_should(executed):
    nb, folder = executed
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []
    out = "\n".join(text_of(c) for c in code)
    assert "6 neurons, 9 synapses" in out
    assert "goal" in out  # training reached its error goal
    assert "TargetRangeWarning: output 'o0' (logistic) has targets in" in out
    assert "saved and reloaded xor.json" in out
    assert "file         xor.json" in out  # the netgraph command, run from a cell
    assert "cross-validated R^2" in out
    for name in ("xor.json", "xor.svg", "xor.dot"):
        assert (folder / name).stat().st_size > 0
    json.loads((folder / "xor.json").read_text())
    # the last cell shows the estimator's network, drawn
    assert "image/svg+xml" in code[-1].outputs[-1].data
