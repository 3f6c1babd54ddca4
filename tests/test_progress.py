"""The training progress bar (netgraph/_progress.py): in a real Jupyter kernel (nbclient, as
test_notebook.py), on a real terminal (a pseudo-terminal), and silent where nobody watches.

Each case runs both bars: tqdm's (installed by the [test] extra, as [notebook] installs it)
and the plain one netgraph draws without tqdm (tqdm hidden from the import system)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from netgraph import InputError
from netgraph._progress import ProgressBar

ROOT = Path(__file__).resolve().parent.parent
HIDE_TQDM = "import sys; sys.modules['tqdm'] = None  # as if tqdm were not installed\n"
TRAIN = textwrap.dedent("""
    from netgraph.architect import Perceptron
    XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
    net = Perceptron(2, 3, 1, seed=0)
    result = net.train(XOR, rate=0.3, iterations=3000, error=0, progress={progress!r})
    print("trained", result.iterations)
""")


def test_the_bar_counts_steps_and_keeps_the_latest_values():
    with ProgressBar(10, desc="evolve", unit="generation", show=False) as bar:
        for k in range(4):
            bar.update(1, fitness=k / 2)
        bar.update(3)
    assert bar.n == 7 and bar.closed
    assert bar.postfix == {"fitness": 1.5}  # an update without values keeps the last ones
    assert re.fullmatch(r"evolve \[#{21}-{9}\] 7/10 generation \d+\.\ds fitness=1\.5",
                        bar.text())
    bar.close()  # closing twice is harmless


def test_a_disabled_bar_writes_nothing(capsys):
    with ProgressBar(5, show=False) as bar:
        bar.update(5, error=0.1)
    assert capsys.readouterr() == ("", "")


def test_a_bad_progress_value_is_refused():
    from netgraph.architect import Perceptron

    with pytest.raises(InputError, match="progress must be True, False or 'auto', got 'yes'"):
        Perceptron(2, 2, 1, seed=0).train([([0, 0], [0])], iterations=2, progress="yes")


def run(code: str, *, terminal: bool) -> tuple[str, str]:
    """Run ``code`` in a fresh interpreter; stdout and stderr (a pseudo-terminal's output
    with ``terminal``, else a pipe)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not terminal:
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, timeout=300, check=True)
        return out.stdout, out.stderr
    leader, follower = pty.openpty()
    # a terminal 24 rows by 120 columns, as a real one has a size
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                            stderr=follower, text=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.stdout is not None
    with proc.stdout:
        stdout = proc.stdout.read()
    assert proc.wait(timeout=300) == 0, b"".join(chunks).decode(errors="replace")
    return stdout, b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("tqdm", [True, False], ids=["tqdm", "plain"])
def test_a_terminal_shows_the_bar_to_the_last_epoch(tqdm):
    code = ("" if tqdm else HIDE_TQDM) + TRAIN.format(progress=True)
    stdout, terminal = run(code, terminal=True)
    assert "trained 3000" in stdout
    # what the line shows at the end: the last text drawn after a carriage return
    last = [part for part in terminal.replace("\r\n", "\n").split("\r") if part.strip()][-1]
    if tqdm:
        assert re.search(r"train: 100%\|.*\| 3000/3000 .*error=", last), terminal[-500:]
    else:
        assert re.search(r"train \[#{30}\] 3000/3000 epoch \d+\.\ds error=\S+\n", last), last


def test_by_default_a_script_whose_output_is_not_a_terminal_prints_no_bar():
    stdout, stderr = run(TRAIN.format(progress="auto"), terminal=False)
    assert "trained 3000" in stdout
    assert stderr == ""


def test_a_jupyter_kernel_shows_the_bar_in_the_cell():
    cells = [TRAIN.format(progress=True),  # tqdm's widget (tqdm and ipywidgets installed)
             HIDE_TQDM + "import netgraph._progress\n" + TRAIN.format(progress=True)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    # the python3 kernel runs this interpreter (sys.executable), where netgraph is installed
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    widget, plain = nb.cells
    views = [o for o in widget.outputs
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1, widget.outputs
    # the widget's final state (nbclient stores it in the notebook): the bar is full and its
    # labels read 100% and 3000/3000 with the last error
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    box = state[views[0].data["application/vnd.jupyter.widget-view+json"]["model_id"]]
    left, bar, right = (state[child.removeprefix("IPY_MODEL_")]["state"]
                        for child in box["state"]["children"])
    assert bar["value"] == bar["max"] == 3000
    assert re.fullmatch(r"train:\W*100%", left["value"]), left
    assert re.search(r"3000/3000.*error=\d", right["value"]), right
    assert "trained 3000" in "".join(o.get("text", "") for o in widget.outputs)
    # without tqdm: one display, updated in place to the last epoch
    shown = [o for o in plain.outputs if o.output_type == "display_data"]
    assert len(shown) == 1, plain.outputs
    assert re.fullmatch(r"train \[#{30}\] 3000/3000 epoch \d+\.\ds error=\S+",
                        shown[0].data["text/plain"]), shown[0].data
    for cell in nb.cells:  # no warning (e.g. tqdm's "IProgress not found") on the way
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], cell.outputs
