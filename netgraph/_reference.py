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
from ._costs import get_cost, output_gradient


def _f(name: str, s: float) -> tuple[float, float]:
    """Activation and its derivative at state s."""
    a = get_activation(name)
    with np.errstate(over="ignore"):
        y = float(a.function(np.asarray(s, dtype=np.float64)))
        return y, float(a.derivative(np.asarray(s, dtype=np.float64),
                                     np.asarray(y, dtype=np.float64)))


def into(G: nx.DiGraph[Any], j: Any) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """Every synapse into j but its self-connection, as (key, source, attributes), in the
    order they are summed: each pair's first synapse, then its parallel ones."""
    out: list[tuple[tuple[Any, ...], Any, Any]] = []
    for i, a in G.pred[j].items():
        if i != j:
            out.append(((i, j), i, a))
            out += [((i, j, k), i, p) for k, p in enumerate(a.get("parallel") or (), 1)]
    return out


def out_of(G: nx.DiGraph[Any], j: Any) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """Every synapse out of j but its self-connection, as (key, target, attributes)."""
    out: list[tuple[tuple[Any, ...], Any, Any]] = []
    for k, a in G.succ[j].items():
        if k != j:
            out.append(((j, k), k, a))
            out += [((j, k, q), k, p) for q, p in enumerate(a.get("parallel") or (), 1)]
    return out


def all_synapses(G: nx.DiGraph[Any]) -> list[tuple[tuple[Any, ...], Any]]:
    """Every synapse, self-connections included, as (key, attributes)."""
    out: list[tuple[tuple[Any, ...], Any]] = []
    for u, v, a in G.edges(data=True):
        out.append(((u, v), a))
        out += [((u, v, k), p) for k, p in enumerate(a.get("parallel") or (), 1)]
    return out


def inputs_of(G: nx.DiGraph[Any]) -> list[Any]:
    return [n for n, a in G.nodes(data=True) if a.get("role") == "input"]


def outputs_of(G: nx.DiGraph[Any]) -> list[Any]:
    return [n for n, a in G.nodes(data=True) if a.get("role") == "output"]


def activate(G: nx.DiGraph[Any], x: Sequence[float]) -> dict[str, dict[Any, float]]:
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
        for _, i, a in into(G, j):  # in the order the synapses were made
            total += a["weight"] * y[i]
        s[j] = total
        y[j], dy[j] = _f(G.nodes[j]["activation"], total)
    # softmax outputs, once all are summed: exp(s - max) / sum over the group (slope 1:
    # the gradients take the group's Jacobian, see gradient)
    group = softmax_group(G)
    if group:
        top = max(s[j] for j in group)
        e = {j: float(np.exp(s[j] - top)) for j in group}
        total = sum(e.values())
        for j in group:
            y[j] = e[j] / total
    return {"s": s, "y": y, "dy": dy}


def softmax_group(G: nx.DiGraph[Any]) -> list[Any]:
    """The output neurons whose activation is softmax, in output order."""
    return [o for o in outputs_of(G) if get_activation(G.nodes[o]["activation"]).grouped]


def propagate(G: nx.DiGraph[Any], values: dict[str, dict[Any, float]], rate: float,
              target: Sequence[float]) -> None:
    """Synaptic's propagate, in place on G's weights and biases.

    Outputs: d = t - y (for softmax outputs that is exactly minus the gradient of the
    categorical cross-entropy with respect to their sums). Others: d = f' * sum(d_k *
    w_kj), where w_kj has already been updated in this pass. Each neuron updates its
    incoming weights and its bias before any neuron upstream computes its error.
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
            d[j] = dy[j] * sum(d[k] * a["weight"] for _, k, a in out_of(G, j))
        if G.nodes[j].get("fixed"):
            continue
        for _, i, a in into(G, j):
            a["weight"] += rate * d[j] * y[i]
        G.nodes[j]["bias"] += rate * d[j]


def gradient(
    G: nx.DiGraph[Any], X: np.ndarray, T: np.ndarray, cost: str = "mse"
) -> tuple[dict[tuple[Any, Any], float], dict[Any, float]]:
    """d(mean cost over rows)/d(weight) and /d(bias), by backpropagation per edge."""
    c = get_cost(cost)
    outputs = outputs_of(G)
    group = np.array([get_activation(G.nodes[o]["activation"]).grouped for o in outputs])
    gw = {key: 0.0 for key, _ in all_synapses(G)}
    gb = {n: 0.0 for n in G}
    for x, t in zip(X, T, strict=True):
        v = activate(G, x)
        y_out = np.array([v["y"][o] for o in outputs])
        # d cost / d y at each output; d cost / d s at softmax ones (their slope dy is 1)
        g = output_gradient(c, y_out[None, :], np.asarray(t, dtype=np.float64)[None, :],
                            group)[0]
        dC_dy = dict(zip(outputs, g / len(X), strict=True))
        dC_ds: dict[Any, float] = {}
        for j in reversed(list(nx.topological_sort(G))):
            if G.nodes[j]["role"] == "input":
                continue
            upstream = dC_dy.get(j, 0.0) + sum(dC_ds[k] * a["weight"]
                                               for _, k, a in out_of(G, j))
            dC_ds[j] = upstream * v["dy"][j]
            gb[j] += dC_ds[j]
            for key, i, _ in into(G, j):
                gw[key] += dC_ds[j] * v["y"][i]
    return gw, gb


class Recurrent:
    """Synaptic's gated, self-connected neuron model, one synapse at a time.

    The state (states, activations, gains, traces, errors) lives here, keyed by
    neuron and synapse (a synapse key as ``into`` gives it: ``(i, j)``, or ``(i, j, k)``
    for a parallel one); weights and biases are read from and written to the graph.
    A self-connection feeds back the neuron's previous *state*; any other delayed
    synapse reads its source's activation from the previous step.
    """

    def __init__(self, G: nx.DiGraph[Any]) -> None:
        self.G = G
        undelayed: nx.DiGraph[Any] = nx.DiGraph()
        undelayed.add_nodes_from(G)
        undelayed.add_edges_from((key[0], key[1]) for key, a in all_synapses(G)
                                 if not a.get("delay"))
        rank = {n: k for k, n in enumerate(G)}
        inputs = inputs_of(G)
        self.order = inputs + [n for n in nx.lexicographical_topological_sort(
            undelayed, key=rank.__getitem__) if n not in inputs]
        self.attrs = dict(all_synapses(G))
        self.s = dict.fromkeys(G, 0.0)
        self.old = dict.fromkeys(G, 0.0)
        self.y = dict.fromkeys(G, 0.0)
        self.dy = dict.fromkeys(G, 0.0)
        self.gain = dict.fromkeys(self.attrs, 1.0)
        self.elig = {e: 0.0 for e in self.attrs if e[0] != e[1]}
        self.xtrace: dict[tuple[Any, ...], float] = {}  # (j, k, synapse into j) -> x^k_ji
        self.resp = dict.fromkeys(G, 0.0)

    def gated_by(self, j: Any) -> dict[Any, list[tuple[Any, ...]]]:
        """{k: [synapses into k gated by j]}, k in activation order."""
        out: dict[Any, list[tuple[Any, ...]]] = {}
        for k in self.order:
            for e, a in self.attrs.items():
                if e[1] == k and a.get("gater") == j:
                    out.setdefault(k, []).append(e)
        return out

    def self_term(self, k: Any) -> float:
        return self.gain[(k, k)] * self.G[k][k]["weight"] if self.G.has_edge(k, k) else 0.0

    def influence(self, j: Any, k: Any, synapses: list[tuple[Any, ...]]) -> float:
        """I_k: what j's activation multiplies in k's state, at current values."""
        total = self.old[k] if (k, k) in synapses else 0.0
        for e in synapses:
            total += self.attrs[e]["weight"] * self.y[e[0]]
        return total

    def activate(self, x: Sequence[float]) -> list[float]:
        G = self.G
        previous = dict(self.y)

        def read(e: tuple[Any, ...], a: Any) -> float:
            return previous[e[0]] if a.get("delay") else self.y[e[0]]

        for n, value in zip(inputs_of(G), x, strict=True):
            self.y[n] = float(value)
            self.dy[n] = 0.0
        for j in self.order:
            if G.nodes[j]["role"] == "input":
                continue
            self.old[j] = self.s[j]
            total = self.self_term(j) * self.s[j] + G.nodes[j]["bias"]
            for e, _, a in into(G, j):
                total += read(e, a) * a["weight"] * self.gain[e]
            self.s[j] = total
            self.y[j], self.dy[j] = _f(G.nodes[j]["activation"], total)
            for e, a in self.attrs.items():
                if a.get("gater") == j:
                    self.gain[e] = self.y[j]
            for e, _, a in into(G, j):
                self.elig[e] = self.self_term(j) * self.elig[e] + self.gain[e] * read(e, a)
            for k, synapses in self.gated_by(j).items():
                influence = self.influence(j, k, synapses)
                for e, _, _ in into(G, j):
                    key = (j, k, e)
                    self.xtrace[key] = (self.self_term(k) * self.xtrace.get(key, 0.0)
                                        + self.dy[j] * self.elig[e] * influence)
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
                projected = self.dy[j] * sum(self.resp[k] * self.gain[e] * a["weight"]
                                             for e, k, a in out_of(G, j))
                gated = sum(self.resp[k] * self.influence(j, k, synapses)
                            for k, synapses in gated_map.items())
                d = projected + self.dy[j] * gated
            self.resp[j] = d
            if G.nodes[j].get("fixed"):
                continue
            # an output neuron learns from its eligibility traces only, even when it gates
            extended = {} if j in targets else gated_map
            for e, _, a in into(G, j):
                g = projected * self.elig[e]
                for k in extended:
                    g += self.resp[k] * self.xtrace.get((j, k, e), 0.0)
                a["weight"] += rate * g
            G.nodes[j]["bias"] += rate * d

    def clear(self) -> None:
        """Traces and errors to 0; self-connection gains read 1 again."""
        self.elig = dict.fromkeys(self.elig, 0.0)
        self.xtrace = {}
        self.resp = dict.fromkeys(self.resp, 0.0)
        for n in self.G:
            if self.G.has_edge(n, n):
                self.gain[(n, n)] = 1.0
