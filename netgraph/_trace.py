"""One forward step with every intermediate value kept, for pictures that explain it.

``forward_step(G, x)`` activates a graph once, from a fresh state, and keeps what a
learner wants to see on the drawing: each neuron's state (the sum) and activation
(its output) and each synapse's contribution to its target's sum. It follows the
rules of the reference evaluator (``_reference.Recurrent.activate``) from a cleared,
zeroed state: a delayed synapse reads its source's previous activation (0 on the
first step), a self-connection the neuron's previous state (0), and a gated synapse
is multiplied by its gater's activation once the gater has run in this step (1
before). For a feed-forward network that is simply the forward pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from ._activations import get_activation
from ._exceptions import InputError

__all__ = ["Step", "activation_order", "forward_step"]


@dataclass(frozen=True)
class Step:
    """The values of one forward step, keyed by neuron and by synapse ``(source, target)``.

    ``state[n]`` is neuron n's sum (bias + contributions; an input's value),
    ``output[n]`` its activation; ``contribution[(u, v)]`` is what synapse u -> v
    added to v's sum: ``weight * gain * read`` where ``read[(u, v)]`` is the source
    value it read and ``gain[(u, v)]`` its gater's activation (1.0 if ungated).
    ``inputs`` are the input values and ``outputs`` the output neurons' activations,
    both in graph order.
    """

    inputs: list[float]
    state: dict[Any, float]
    output: dict[Any, float]
    contribution: dict[tuple[Any, Any], float]
    read: dict[tuple[Any, Any], float]
    gain: dict[tuple[Any, Any], float]
    outputs: list[float]


def activation_order(G: nx.DiGraph) -> list[Any]:
    """The order neurons activate in: inputs, then a topological order of the
    undelayed synapses with ties broken by graph order (as the evaluators do)."""
    rank = {n: k for k, n in enumerate(G)}
    inputs = [n for n, role in G.nodes(data="role") if role == "input"]
    undelayed = nx.DiGraph()
    undelayed.add_nodes_from(G)
    undelayed.add_edges_from((u, v) for u, v, d in G.edges(data="delay") if not d and u != v)
    taken = set(inputs)
    return inputs + [n for n in nx.lexicographical_topological_sort(
        undelayed, key=rank.__getitem__) if n not in taken]


def forward_step(G: nx.DiGraph, x: Sequence[float]) -> Step:
    """Activate ``G`` once on the input values ``x`` (one per input neuron, in graph
    order) from a fresh state; see the module's docstring.

    **Arguments** ``G``: a DiGraph with netgraph's attributes; ``x``: a sequence of
    floats, one per input neuron. **Returns** a ``Step``. Raises ``InputError`` for
    a wrong number of values or a value that is not a finite number.
    """
    inputs = [n for n, role in G.nodes(data="role") if role == "input"]
    values = np.asarray(x, dtype=object).ravel() if not isinstance(x, np.ndarray) else x.ravel()
    if len(values) != len(inputs):
        raise InputError(f"the network has {len(inputs)} inputs, got {len(values)} values")
    xs: list[float] = []
    for k, v in enumerate(values):
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise InputError(f"input[{k}] is {v!r}; inputs must be numbers") from None
        if isinstance(v, (bool, np.bool_)) or not np.isfinite(f):
            raise InputError(f"input[{k}] is {v!r}; inputs must be finite numbers")
        xs.append(f)
    state: dict[Any, float] = {}
    output: dict[Any, float] = {}
    contribution: dict[tuple[Any, Any], float] = {}
    read: dict[tuple[Any, Any], float] = {}
    gain: dict[tuple[Any, Any], float] = {}
    for n, value in zip(inputs, xs, strict=True):
        state[n] = output[n] = value
    for j in activation_order(G):
        if j in output:
            continue
        a = G.nodes[j]
        total = float(a["bias"])
        for i in G.pred[j]:
            e = G[i][j]
            gater = e.get("gater")
            g = output[gater] if gater is not None and gater in output else 1.0
            # a self-connection reads the previous state, a delayed synapse the previous
            # activation: both are 0 on a fresh state
            r = 0.0 if i == j or e.get("delay") or i not in output else output[i]
            c = float(e["weight"]) * g * r
            gain[(i, j)], read[(i, j)], contribution[(i, j)] = g, r, c
            if i != j:  # the self term is added first in the evaluators; it is 0 here
                total += c
        state[j] = total
        f = get_activation(a["activation"]).function
        with np.errstate(over="ignore"):
            output[j] = float(f(np.float64(total)))
    outs = [output[n] for n, role in G.nodes(data="role") if role == "output"]
    return Step(xs, state, output, contribution, read, gain, outs)
