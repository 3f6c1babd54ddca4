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

from ._activations import get_activation, softmax
from ._exceptions import InputError

__all__ = ["Learning", "Step", "activation_order", "backward_step", "forward_step"]


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


def activation_order(G: nx.DiGraph[Any]) -> list[Any]:
    """The order neurons activate in: inputs, then a topological order of the
    undelayed synapses with ties broken by graph order (as the evaluators do)."""
    rank = {n: k for k, n in enumerate(G)}
    inputs = [n for n, a in G.nodes(data=True) if a.get("role") == "input"]
    undelayed: nx.DiGraph[Any] = nx.DiGraph()
    undelayed.add_nodes_from(G)
    undelayed.add_edges_from((u, v) for u, v, a in G.edges(data=True)
                             if not a.get("delay") and u != v)
    taken = set(inputs)
    return inputs + [n for n in nx.lexicographical_topological_sort(
        undelayed, key=rank.__getitem__) if n not in taken]


def forward_step(G: nx.DiGraph[Any], x: Sequence[float]) -> Step:
    """Activate ``G`` once on the input values ``x`` (one per input neuron, in graph
    order) from a fresh state; see the module's docstring.

    **Arguments** ``G``: a DiGraph with netgraph's attributes; ``x``: a sequence of
    floats, one per input neuron. **Returns** a ``Step``. Raises ``InputError`` for
    a wrong number of values or a value that is not a finite number.
    """
    inputs = [n for n, a in G.nodes(data=True) if a.get("role") == "input"]
    values = np.asarray(x, dtype=object).ravel() if not isinstance(x, np.ndarray) else x.ravel()
    if len(values) != len(inputs):
        raise InputError(f"the network has {len(inputs)} inputs, got {len(values)} values")
    xs = _numbers(values, "input")
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
        rule = get_activation(a["activation"]).function
        with np.errstate(over="ignore"):
            output[j] = float(rule(np.asarray(total)))
    group = [n for n, a in G.nodes(data=True)
             if a.get("role") == "output" and get_activation(a["activation"]).grouped]
    if group:  # softmax outputs: normalized together once all are summed
        for n, p in zip(group, softmax(np.array([state[n] for n in group])), strict=True):
            output[n] = float(p)
    outs = [output[n] for n, a in G.nodes(data=True) if a.get("role") == "output"]
    return Step(xs, state, output, contribution, read, gain, outs)


@dataclass(frozen=True)
class Learning:
    """What one ``propagate(rate, target)`` after a ``Step`` changes, by Synaptic's rule.

    ``error[n]`` is neuron n's error (its responsibility): ``target - output`` at an
    output, ``f'(sum) * sum(error[k] * weight[n, k])`` elsewhere, the weights
    downstream already updated in this pass (as Synaptic updates them);
    ``weight_change[(u, v)] = rate * error[v] * output[u]`` and
    ``bias_change[n] = rate * error[n]`` (0 for fixed neurons).
    """

    rate: float
    target: list[float]
    error: dict[Any, float]
    weight_change: dict[tuple[Any, Any], float]
    bias_change: dict[Any, float]


def backward_step(G: nx.DiGraph[Any], step: Step, target: Sequence[float], rate: float) -> Learning:
    """The changes ``propagate(rate, target)`` makes after the forward ``step`` of a
    feed-forward network (Raises ``InputError`` for a network with delayed or gated
    synapses, a wrong number of targets or a value that is not a finite number)."""
    if any(d or g is not None or u == v for u, v, d, g in _synapse_kinds(G)):
        raise InputError("the propagate view is for feed-forward networks (no delayed or "
                         "gated synapses)")
    outputs = [n for n, a in G.nodes(data=True) if a.get("role") == "output"]
    ts = _numbers(target, "target")
    if len(ts) != len(outputs):
        raise InputError(f"the network has {len(outputs)} outputs, got {len(ts)} targets")
    (r,) = _numbers([rate], "rate")
    wanted = dict(zip(outputs, ts, strict=True))
    error: dict[Any, float] = {}
    weight_change: dict[tuple[Any, Any], float] = {}
    bias_change: dict[Any, float] = {}
    new_weight: dict[tuple[Any, Any], float] = {}
    for j in reversed(activation_order(G)):
        a = G.nodes[j]
        if a["role"] == "input":
            continue
        if j in wanted:
            d = wanted[j] - step.output[j]
        else:
            act = get_activation(a["activation"])
            with np.errstate(over="ignore"):
                dy = float(act.derivative(np.asarray(step.state[j]),
                                          np.asarray(step.output[j])))
            d = dy * sum(error[k] * new_weight[(j, k)] for k in G.succ[j])
        error[j] = d
        fixed = bool(a.get("fixed"))
        for i in G.pred[j]:
            change = 0.0 if fixed else r * d * step.output[i]
            weight_change[(i, j)] = change
            new_weight[(i, j)] = float(G[i][j]["weight"]) + change
        bias_change[j] = 0.0 if fixed else r * d
    return Learning(r, ts, error, weight_change, bias_change)


def _synapse_kinds(G: nx.DiGraph[Any]) -> list[tuple[Any, Any, Any, Any]]:
    return [(u, v, e.get("delay"), e.get("gater")) for u, v, e in G.edges(data=True)]


def _numbers(values: Any, what: str) -> list[float]:
    if isinstance(values, (str, bytes)):
        raise InputError(f"{what} must be numbers, got {values!r}")
    out = []
    for k, v in enumerate(np.asarray(values, dtype=object).ravel()):
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise InputError(f"{what}[{k}] is {v!r}; it must be a number") from None
        if isinstance(v, (bool, np.bool_)) or not np.isfinite(f):
            raise InputError(f"{what}[{k}] is {v!r}; it must be a finite number")
        out.append(f)
    return out
