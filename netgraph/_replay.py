"""Training you can watch: a page with a slider that replays recorded weights.

``render_training(net, result, "xor.html")`` takes the snapshots that
``net.train(..., record_every=N)`` kept and writes the network's page (see
``_page``) with a slider over them: the synapses' colours and widths and the
neurons' biases follow the epoch chosen, beside the error curve. The forward pass
of the page runs with the weights of the epoch shown.

A page holds at most ``max_frames`` snapshots (half of them evenly spaced, half on
a log scale of epochs, for the first epochs change most; the first and the last
always) and about ``_NUMBERS`` weights and biases in all: the seed's XOR net
recorded every epoch for 20,000 epochs makes a page of about 180 kB.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Unpack

import numpy as np

from ._exceptions import InputError
from ._files import write_atomically
from ._page import PageOptions, _asset, page_data, render_html
from ._train import TrainResult

__all__ = ["render_training"]

_NUMBERS = 150_000  # weights and biases in all frames together (~3 MB of text at most)
_CURVE = 600  # points of the error curve


def _spread(count: int, wanted: int, early: bool = False) -> list[int]:
    """About ``wanted`` indices of ``range(count)``, first and last included: evenly
    spread, or with ``early`` half of them evenly and half on a log scale, because a
    network learns most in its first epochs."""
    if count <= wanted:
        return list(range(count))
    even = {round(k * (count - 1) / (wanted - 1)) for k in range(wanted)}
    if not early:
        return sorted(even)
    half = max(wanted // 2, 2)
    even = {round(k * (count - 1) / (half - 1)) for k in range(half)}
    log = {round(v) - 1 for v in np.geomspace(1, count, half)}
    return sorted(even | log)


def render_training(net: Any, result: TrainResult, path: str | Path, *, max_frames: int = 400,
                    **options: Unpack[PageOptions]) -> Path:
    """Write a page replaying ``result.snapshots`` on ``net``'s drawing; see the module.

    **Arguments** ``net``: the trained ``Network`` (its synapses and neurons must be
    those that were recorded); ``result``: what ``net.train(..., record_every=N)``
    returned; ``path``: the ``.html`` file to write; ``max_frames`` (400): the most
    snapshots the page keeps; ``options``: as for the page (``title``, ``colors``,
    ``rankdir``, ``layout``, ...). **Returns** the path written.
    """
    snapshots = result.snapshots
    if not snapshots:
        raise InputError("the training result has no snapshots: train with record_every=N")
    if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 2:
        raise ValueError(f"max_frames must be a whole number >= 2, got {max_frames!r}")
    G = net.graph
    first = snapshots[0]
    if first.synapses != list(G.edges) or first.neurons != list(G.nodes):
        raise InputError("the snapshots were recorded on other synapses or neurons than the "
                         "network has now")
    data = page_data(net, **options)
    per_frame = len(first.weights) + len(first.biases)
    frames = min(max_frames, max(2, _NUMBERS // max(per_frame, 1)))
    chosen = [snapshots[k] for k in _spread(len(snapshots), frames, early=True)]
    # the page's synapse k is _synapses()' k-th, which is graph order, as recorded
    history = np.asarray(result.history, dtype=float)
    points = _spread(len(history), _CURVE)
    data["replay"] = {
        "iterations": [s.iteration for s in chosen],
        "errors": [s.error if math.isfinite(s.error) else None for s in chosen],
        "weights": [s.weights.tolist() for s in chosen],
        "biases": [s.biases.tolist() for s in chosen],
        "recorded": len(snapshots),
        "curve": {"x": [k + 1 for k in points],
                  "y": [float(history[k]) if math.isfinite(history[k]) else None
                        for k in points]},
    }
    if not data["title"]:
        data["title"] = f"Training: {result.iterations:,} epochs"
    text = render_html(data, _asset("explore.js") + _asset("replay.js"))
    return write_atomically(Path(path), text.encode("utf-8"))
