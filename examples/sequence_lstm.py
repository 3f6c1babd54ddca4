"""An LSTM learns Synaptic's timing task: hold an output for as long as it is told.

    python examples/sequence_lstm.py [output folder]   # default: out/

Each sample is one time step with two inputs: a pulse (1 at the start of an
interval, else 0) and a duration n/20 announced with it. The target is 0.5 for
the n steps after each pulse, then 0 until the next pulse. No single step says
when to stop: the network has to count, keeping state from step to step.

``architect.LSTM(2, 7, 1)`` (one block of 7 memory cells with input, forget and
output gates, as Synaptic's Architect builds it) learns this in a few seconds
with ``netgraph.tasks.timing_task``: Synaptic's own training set-up, 7000 steps
as one stream, then 1000 held-out steps to test on. The script then prints its
answer on a fresh sequence, saves the network, reloads it, checks that the copy
runs the same sequence to the same outputs, and draws it twice: every neuron,
and one node per layer.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from netgraph import GraphvizNotFoundError, Network, tasks
from netgraph.architect import LSTM


def show(X: np.ndarray, T: np.ndarray, Y: np.ndarray) -> None:
    """Print a sequence step by step with a bar for the output.

    **Arguments**
    - ``X``: inputs (pulse, duration), one step per row.
    - ``T``, ``Y``: targets and outputs, one column.

    **Returns** nothing.
    """
    print("step  pulse  duration  target  output")
    for k, (x, t, y) in enumerate(zip(X, T[:, 0], Y[:, 0], strict=True)):
        bar = "#" * round(max(0.0, min(y, 1.0)) * 40)
        print(f"{k:4d}  {'*' if x[0] else ' ':>5}  {x[1]:8.2f}  {t:6.1f}  {y:6.3f} {bar}")


def draw(net: Network, path: Path, **options: object) -> Path:
    """Render ``net`` to ``path``; without Graphviz, write the DOT source instead.

    **Arguments**
    - ``net``: the network.
    - ``path``: an .svg path.
    - ``options``: diagram options (``title``, ``collapse``, ...).

    **Returns** the file written.
    """
    try:
        return net.render(path, **options)
    except GraphvizNotFoundError:
        return net.render(path.with_suffix(".dot"), **options)


def main(out: Path) -> None:
    """Train, test, show, save, reload and draw; files go to ``out``.

    **Arguments**
    - ``out``: the output folder (created if missing).

    **Returns** nothing.
    """
    out.mkdir(parents=True, exist_ok=True)
    net = LSTM(2, 7, 1, seed=0)
    print(f"LSTM(2, 7, 1): {len(net.neurons)} neurons, {len(net.synapses)} synapses")
    result = tasks.timing_task(net, seed=0, progress=False)
    print(f"timing task: training error {result.error:.5f} after {result.iterations} "
          f"passes over 7000 steps ({result.time:.1f} s); "
          f"held-out error {result.test_error:.5f}")
    assert result.test_error < 0.05, "the LSTM did not learn the timing task"

    # A fresh sequence, from a zeroed state (as a newly loaded network starts).
    X, T = tasks.timing_samples(np.random.default_rng(1), 400)
    net.clear(states=True)
    Y = net.activate(X)  # a 2-D batch is a sequence: rows run in order, state carried
    show(X[:40], T[:40], Y[:40])
    right = np.abs(Y - T) < 0.25
    print(f"within 0.25 of the target on {right.mean():.0%} of {len(X)} fresh steps")

    path = net.save(out / "timing_lstm.json", name="timing-lstm",
                    description="architect.LSTM(2, 7, 1) trained on Synaptic's timing task")
    again = Network.load(path)
    np.testing.assert_array_equal(again.activate(X), Y)
    print(f"saved {path}; the reloaded network runs the sequence to the same outputs")

    print("drew", draw(net, out / "timing_lstm.svg", weights=False,
                       title="LSTM(2, 7, 1) after the timing task"))
    print("drew", draw(net, out / "timing_lstm_layers.svg", collapse=True,
                       title="LSTM(2, 7, 1), one node per layer"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out"))
