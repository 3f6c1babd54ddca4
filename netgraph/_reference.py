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
        if G.nodes[j].get("fixed"):
            continue
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


class Recurrent:
    """Synaptic's gated, self-connected neuron model, one synapse at a time.

    The state (states, activations, gains, traces, errors) lives here, keyed by
    neuron and synapse; weights and biases are read from and written to the graph.
    A self-connection feeds back the neuron's previous *state*; any other delayed
    synapse reads its source's activation from the previous step.
    """

    def __init__(self, G: nx.DiGraph) -> None:
        self.G = G
        undelayed = nx.DiGraph()
        undelayed.add_nodes_from(G)
        undelayed.add_edges_from((u, v) for u, v, d in G.edges(data="delay") if not d)
        rank = {n: k for k, n in enumerate(G)}
        inputs = inputs_of(G)
        self.order = inputs + [n for n in nx.lexicographical_topological_sort(
            undelayed, key=rank.__getitem__) if n not in inputs]
        self.s = dict.fromkeys(G, 0.0)
        self.old = dict.fromkeys(G, 0.0)
        self.y = dict.fromkeys(G, 0.0)
        self.dy = dict.fromkeys(G, 0.0)
        self.gain = dict.fromkeys(G.edges, 1.0)
        self.elig = {e: 0.0 for e in G.edges if e[0] != e[1]}
        self.xtrace: dict[tuple, float] = {}  # (j, k, (i, j)) -> x^k_ji
        self.resp = dict.fromkeys(G, 0.0)

    def inputs_into(self, j):
        return [i for i in self.G.pred[j] if i != j]

    def gated_by(self, j):
        """{k: [synapses into k gated by j]}, k in activation order."""
        out: dict = {}
        for k in self.order:
            for i in self.G.pred[k]:
                if self.G[i][k].get("gater") == j:
                    out.setdefault(k, []).append((i, k))
        return out

    def self_term(self, k) -> float:
        return self.gain[(k, k)] * self.G[k][k]["weight"] if self.G.has_edge(k, k) else 0.0

    def influence(self, j, k, synapses) -> float:
        """I_k: what j's activation multiplies in k's state, at current values."""
        total = self.old[k] if (k, k) in synapses else 0.0
        for i, _ in synapses:
            total += self.G[i][k]["weight"] * self.y[i]
        return total

    def activate(self, x: Sequence[float]) -> list[float]:
        G = self.G
        previous = dict(self.y)

        def read(i, j):
            return previous[i] if G[i][j].get("delay") else self.y[i]

        for n, value in zip(inputs_of(G), x, strict=True):
            self.y[n] = float(value)
            self.dy[n] = 0.0
        for j in self.order:
            if G.nodes[j]["role"] == "input":
                continue
            self.old[j] = self.s[j]
            total = self.self_term(j) * self.s[j] + G.nodes[j]["bias"]
            for i in self.inputs_into(j):
                total += read(i, j) * G[i][j]["weight"] * self.gain[(i, j)]
            self.s[j] = total
            self.y[j], self.dy[j] = _f(G.nodes[j]["activation"], total)
            for e in G.edges:
                if G.edges[e].get("gater") == j:
                    self.gain[e] = self.y[j]
            for i in self.inputs_into(j):
                self.elig[(i, j)] = (self.self_term(j) * self.elig[(i, j)]
                                     + self.gain[(i, j)] * read(i, j))
            for k, synapses in self.gated_by(j).items():
                influence = self.influence(j, k, synapses)
                for i in self.inputs_into(j):
                    key = (j, k, (i, j))
                    self.xtrace[key] = (self.self_term(k) * self.xtrace.get(key, 0.0)
                                        + self.dy[j] * self.elig[(i, j)] * influence)
        return [self.y[o] for o in outputs_of(G)]

    def propagate(self, rate: float, target: Sequence[float]) -> None:
        G = self.G
        targets = dict(zip(outputs_of(G), target, strict=True))
        for j in reversed(self.order):
            if G.nodes[j]["role"] == "input":
                continue
            gated_map = self.gated_by(j)
            if j in targets:
                projected = targets[j] - self.y[j]
                d = projected
            else:
                projected = self.dy[j] * sum(
                    self.resp[k] * self.gain[(j, k)] * G[j][k]["weight"]
                    for k in G.succ[j] if k != j)
                gated = sum(self.resp[k] * self.influence(j, k, synapses)
                            for k, synapses in gated_map.items())
                d = projected + self.dy[j] * gated
            self.resp[j] = d
            if G.nodes[j].get("fixed"):
                continue
            # an output neuron learns from its eligibility traces only, even when it gates
            extended = {} if j in targets else gated_map
            for i in self.inputs_into(j):
                g = projected * self.elig[(i, j)]
                for k in extended:
                    g += self.resp[k] * self.xtrace.get((j, k, (i, j)), 0.0)
                G[i][j]["weight"] += rate * g
            G.nodes[j]["bias"] += rate * d

    def clear(self) -> None:
        """Traces and errors to 0; self-connection gains read 1 again."""
        self.elig = dict.fromkeys(self.elig, 0.0)
        self.xtrace = {}
        self.resp = dict.fromkeys(self.resp, 0.0)
        for n in self.G:
            if self.G.has_edge(n, n):
                self.gain[(n, n)] = 1.0
