"""Gated genomes: the phenotype of a genome evolved with Neataptic's mutations.

When a configuration turns on any of Neataptic's structural mutations
(``gate_add_prob``, ``gate_delete_prob``, ``self_connection_add_prob``,
``self_connection_delete_prob``, ``back_connection_add_prob``,
``back_connection_delete_prob``), its genomes are Synaptic/Neataptic networks rather than
neat-python ``RecurrentNetwork`` ones, and ``genome.network`` builds them so:

- every node gene is a neuron (inputs first, then hidden nodes by key, then outputs);
  it computes ``act(state)``, ``state = bias + sum(response * w * x * gain)`` plus, with a
  self-connection ``(k, k)``, ``response * w * gain * previous state`` (Synaptic's
  memory). The response is folded into the weights, as netgraph's neat-python reader does;
  the aggregation must be ``sum`` (Neataptic has no other).
- an enabled connection gene is a synapse. One that, taken in innovation order, closes a
  cycle of the undelayed connections before it (disabled ones included) is a
  back-connection: a delayed synapse reading its source's previous activation. The rule
  depends on the genes alone, so a genome always means the same network.
- a gate gene (node, in, out) gates that synapse: its gain is the gater's latest
  activation (netgraph's Synaptic-exact gating; ``interop.to_neataptic`` writes it as a
  Neataptic gater).

The population evaluates a ``Dataset`` natively (``evaluate_gated`` in neat_gates.c),
restating netgraph's recurrent kernel over the genes so the fitness is bit for bit what
the network gives (rows as successive steps from a fresh state). A genome without any
delayed, gated or self synapse is a feed-forward network, which netgraph runs with its
feed-forward kernel (wide neurons sum in eight lanes): the native evaluator restates that
kernel for it, but for softmax outputs, where it is evaluated through its ``Network``
(``dataset_fitness``). ``Sequences`` are evaluated the same way, their cost summed
natively too (``neat_seq.c``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._exceptions import InputError

if TYPE_CHECKING:
    from .._network import Network
    from ._genes import GenomeData

__all__ = ["NEATAPTIC_RATES", "back_flags", "dataset_fitness", "gated_outputs",
           "gated_phenotype", "neataptic_mode", "sequence_fitness"]

NEATAPTIC_RATES = ("gate_add_prob", "gate_delete_prob", "self_connection_add_prob",
                   "self_connection_delete_prob", "back_connection_add_prob",
                   "back_connection_delete_prob")


def neataptic_mode(values: Mapping[str, Any]) -> bool:
    """Whether a configuration's genomes are Synaptic/Neataptic networks: any of
    Neataptic's mutation rates is above 0."""
    return any(float(values.get(k, 0.0)) > 0.0 for k in NEATAPTIC_RATES)


def back_flags(data: GenomeData, num_inputs: int) -> list[int]:
    """Each connection gene's kind, in gene order: 0 undelayed, 1 back-connection (closes
    a cycle of the undelayed genes before it in innovation order), 2 self-connection.

    **Arguments**
    - ``data``: the genome's genes. ``num_inputs``: the configuration's input count.

    **Returns** one int per connection gene.
    """
    del num_inputs  # inputs are never targets, so a connection from one closes no cycle
    succ: dict[int, list[int]] = {}
    flags = []
    for u, v in zip(data.conn_in.tolist(), data.conn_out.tolist(), strict=True):
        if u == v:
            flags.append(2)
            continue
        found = False
        if u >= 0:  # does v reach u through the undelayed genes so far?
            stack, seen = [v], {v}
            while stack and not found:
                for w in succ.get(stack.pop(), ()):
                    if w == u:
                        found = True
                        break
                    if w not in seen:
                        seen.add(w)
                        stack.append(w)
        flags.append(int(found))
        if not found:
            succ.setdefault(u, []).append(v)
    return flags


def gated_phenotype(data: GenomeData, values: Mapping[str, Any],
                    activation_names: list[str]) -> Network:
    """The netgraph ``Network`` of a genome under Neataptic's semantics (module docstring).

    **Arguments**
    - ``data``: the genes. ``values``: the configuration's values.
    - ``activation_names``: the netgraph activation of each ``activation_options`` index.

    **Returns** a new ``Network``; synapses carry their gene's ``innovation``.
    **Raises** ``InputError`` for a node whose aggregation is not ``sum``.
    """
    from .._network import Network

    aggs = values["aggregation_options"]
    net = Network()
    G = net.graph
    n_in, n_out = int(values["num_inputs"]), int(values["num_outputs"])
    for i in range(n_in):
        G.add_node(-i - 1, bias=0.0, activation="identity", role="input", layer="input")
    keys = data.node_key.tolist()
    response = dict(zip(keys, data.node_response.tolist(), strict=True))
    nodes = list(zip(keys, data.node_bias.tolist(), data.node_activation.tolist(),
                     data.node_aggregation.tolist(), strict=True))
    for role in ("hidden", "output"):
        for k, b, a, g in nodes:
            if (k < n_out) != (role == "output"):
                continue
            if aggs[g] != "sum":
                raise InputError(f"genome {data.key}: node {k} aggregates with "
                                 f"{aggs[g]!r}; with Neataptic's mutations on, a node sums "
                                 "its inputs (aggregation 'sum')")
            G.add_node(k, bias=float(b), activation=activation_names[a], role=role,
                       layer=role)
    gates = {(u, v): n for n, u, v in zip(data.gate_node.tolist(), data.gate_in.tolist(),
                                          data.gate_out.tolist(), strict=True)}
    flags = back_flags(data, n_in)
    for i, u, v, w, e, f in zip(data.conn_innovation.tolist(), data.conn_in.tolist(),
                                data.conn_out.tolist(), data.conn_weight.tolist(),
                                data.conn_enabled.tolist(), flags, strict=True):
        if not e:
            continue
        attrs: dict[str, Any] = {"weight": response[v] * w, "innovation": i}
        if f:  # back-connections, and self-connections (netgraph marks them delayed)
            attrs["delay"] = 1
        if (u, v) in gates:
            attrs["gater"] = gates[(u, v)]
        G.add_edge(u, v, **attrs)
    G.graph["neat"] = {"network_type": "recurrent", "semantics": "synaptic",
                       "genome_id": data.key}
    net._plan()
    return net


def dataset_fitness(network: Network, X: np.ndarray, y: np.ndarray, cost: str,
                    offset: float) -> float:
    """``offset - cost`` of a gated genome's network over a data set whose rows are
    successive steps from a cleared state; the cost summed as the native evaluator sums
    it (``sse``/``sae`` subtract each term in turn from ``offset``).

    **Returns** the fitness (a float).
    """
    network.clear(states=True)
    # one row at a time: a feed-forward network's batch may sum in another order
    out = np.array([network.activate(x) for x in X], dtype=np.float64).reshape(y.shape)
    f, acc = float(offset), 0.0
    for r in range(y.shape[0]):
        for o in range(y.shape[1]):
            d = float(out[r, o]) - float(y[r, o])
            if cost == "sse":
                f -= d * d
            elif cost == "sae":
                f -= abs(d)
            elif cost == "mse":
                acc += d * d
            else:
                acc += abs(d)
    if cost in ("mse", "mae"):
        f = float(offset) - acc / (float(y.shape[0]) * float(y.shape[1]))
    return f


def gated_outputs(native: Any, i: int, genome: Any, X: np.ndarray,
                  resets: np.ndarray) -> np.ndarray:
    """Genome ``i``'s outputs over rows ``X``, the state fresh at row 0 and at each row in
    ``resets``: natively when its network has a delayed, gated or self synapse, else
    through ``genome()``'s network, row by row.

    **Arguments**
    - ``native``: the native population. ``i``: the genome's index in it.
    - ``genome``: a function returning the ``Genome`` (made only when needed).
    - ``X``: rows (steps, num_inputs). ``resets``: ascending row indices.

    **Returns** the outputs, shape (steps, num_outputs).
    """
    out = native.activate_gated(i, X, resets)
    if out is not None:
        return np.asarray(out)
    network = genome().network
    fresh = set(resets.tolist()) | {0}
    rows = []
    for r, x in enumerate(X):
        if r in fresh:
            network.clear(states=True)
        rows.append(network.activate(x))
    return np.array(rows, dtype=np.float64).reshape(X.shape[0], -1)


def sequence_fitness(out: np.ndarray, Y: np.ndarray, starts: np.ndarray, washout: int,
                     cost: str, offset: float) -> float:
    """``offset - cost`` over every scored step of every sequence (rows ``starts[s] ..
    starts[s + 1]``, the first ``washout`` of each not scored), accumulated as
    ``neat.Sequences``' native kernel does.

    **Returns** the fitness.
    """
    f, acc, counted = float(offset), 0.0, 0
    # Python floats once, not a numpy scalar per element: the same numbers, a fraction of
    # the time (this loop ran once per genome per generation)
    outs, ys, bounds = out.tolist(), Y.tolist(), starts.tolist()
    for a, b in itertools.pairwise(bounds):
        for r in range(a + washout, b):
            counted += 1
            for got, want in zip(outs[r], ys[r], strict=True):
                e = got - want
                if cost == "sse":
                    f -= e * e
                elif cost == "sae":
                    f -= abs(e)
                elif cost == "mse":
                    acc += e * e
                else:
                    acc += abs(e)
    if cost in ("mse", "mae"):
        f = float(offset) - acc / (float(counted) * float(Y.shape[1]))
    return f
