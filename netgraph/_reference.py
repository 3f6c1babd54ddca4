"""The reference evaluator: the rules, one synapse at a time, straight off the graph.

It is deliberately plain and slow. It shares nothing with the compiled path but
the activation registry and the cost rules, so the tests can hold the fast path
against it. Everything here works on any networkx DiGraph carrying netgraph's
attributes (``bias``, ``activation``, ``role`` on neurons, ``weight`` on synapses).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np

from ._activations import get_activation
from ._costs import get_cost


def _f(name: str, s: float) -> tuple[float, float]:
    """Activation and its derivative at state s."""
    a = get_activation(name)
    with np.errstate(over="ignore"):
        y = float(a.function(np.float64(s)))
        return y, float(a.derivative(np.float64(s), np.float64(y)))


def inputs_of(G: nx.DiGraph) -> list[Any]:
    return [n for n, role in G.nodes(data="role") if role == "input"]


def outputs_of(G: nx.DiGraph) -> list[Any]:
    return [n for n, role in G.nodes(data="role") if role == "output"]


def activate(G: nx.DiGraph, x: Sequence[float]) -> dict[str, dict[Any, float]]:
    """Forward pass for one sample. Returns {"s": states, "y": activations, "dy": f'}."""
    s: dict[Any, float] = {}
    y: dict[Any, float] = {}
    dy: dict[Any, float] = {}
    for n, value in zip(inputs_of(G), x, strict=True):
        s[n] = y[n] = float(value)
        dy[n] = 0.0
    for j in nx.topological_sort(G):
        if j in y:
            continue
        total = G.nodes[j]["bias"]
        for i in G.pred[j]:  # in the order the synapses were made
            total += G[i][j]["weight"] * y[i]
        s[j] = total
        y[j], dy[j] = _f(G.nodes[j]["activation"], total)
    return {"s": s, "y": y, "dy": dy}


def propagate(G: nx.DiGraph, values: dict, rate: float, target: Sequence[float]) -> None:
    """Synaptic's propagate, in place on G's weights and biases.

    Outputs: d = t - y. Others: d = f' * sum(d_k * w_kj), where w_kj has already
    been updated in this pass. Each neuron updates its incoming weights and its
    bias before any neuron upstream computes its error.
    """
    y, dy = values["y"], values["dy"]
    targets = dict(zip(outputs_of(G), target, strict=True))
    d: dict[Any, float] = {}
    for j in reversed(list(nx.topological_sort(G))):
        if G.nodes[j]["role"] == "input":
            continue
        if j in targets:
            d[j] = targets[j] - y[j]
        else:
            d[j] = dy[j] * sum(d[k] * G[j][k]["weight"] for k in G.succ[j])
        for i in G.pred[j]:
            G[i][j]["weight"] += rate * d[j] * y[i]
        G.nodes[j]["bias"] += rate * d[j]


def gradient(
    G: nx.DiGraph, X: np.ndarray, T: np.ndarray, cost: str = "mse"
) -> tuple[dict[tuple[Any, Any], float], dict[Any, float]]:
    """d(mean cost over rows)/d(weight) and /d(bias), by backpropagation per edge."""
    c = get_cost(cost)
    outputs = outputs_of(G)
    gw = {e: 0.0 for e in G.edges}
    gb = {n: 0.0 for n in G}
    for x, t in zip(X, T, strict=True):
        v = activate(G, x)
        y_out = np.array([v["y"][o] for o in outputs])
        dC_dy = dict(zip(outputs, c.derivative(y_out, np.asarray(t)) / len(X), strict=True))
        dC_ds: dict[Any, float] = {}
        for j in reversed(list(nx.topological_sort(G))):
            if G.nodes[j]["role"] == "input":
                continue
            upstream = dC_dy.get(j, 0.0) + sum(dC_ds[k] * G[j][k]["weight"] for k in G.succ[j])
            dC_ds[j] = upstream * v["dy"][j]
            gb[j] += dC_ds[j]
            for i in G.pred[j]:
                gw[(i, j)] += dC_ds[j] * v["y"][i]
    return gw, gb
