"""GenomeData: one NEAT genome as plain arrays, the form the native population reads and writes.

A genome is two gene lists, as in neat-python and the 2002 paper:

- node genes, one per hidden or output node (inputs are implicit: keys -1, -2, ...,
  -num_inputs), sorted by key. Outputs are 0 .. num_outputs - 1, hidden nodes
  num_outputs and above, as neat-python numbers them. Each has a bias, a response, an
  activation and an aggregation (indices into the configuration's
  ``activation_options`` / ``aggregation_options``).
- connection genes, sorted by innovation number (the paper's and SharpNEAT's order), each
  with its source and target node keys, a weight and an enabled flag. Disabled genes stay:
  crossover and the compatibility distance read them.

A node computes ``act(bias + response * agg(w_i * x_i))`` over its enabled incoming
connections, neat-python's formula.

A third list, empty unless Neataptic's mutations are on (``gate_add_prob`` ...), holds
gate genes, sorted by innovation number: gate k lets node ``gate_node[k]`` gate the
connection ``gate_in[k] -> gate_out[k]`` (Synaptic's gain: the gater's activation
multiplies the connection). A connection has at most one gate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .._exceptions import InputError

__all__ = ["GenomeData", "check_genome_data"]

_INT_FIELDS = ("node_key", "node_activation", "node_aggregation", "conn_innovation",
               "conn_in", "conn_out")
_FLOAT_FIELDS = ("node_bias", "node_response", "conn_weight")
_NODE_FIELDS = ("node_key", "node_bias", "node_response", "node_activation",
                "node_aggregation")
_CONN_FIELDS = ("conn_innovation", "conn_in", "conn_out", "conn_weight", "conn_enabled")
_GATE_FIELDS = ("gate_innovation", "gate_node", "gate_in", "gate_out")


def _no_gates() -> npt.NDArray[np.int64]:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class GenomeData:
    """One genome's genes as arrays (see the module docstring for their meaning).

    **Fields**
    - ``key``: the genome's id, unique within a run (neat-python's ``genome.key``).
    - ``node_key`` int64[n], ``node_bias`` float64[n], ``node_response`` float64[n],
      ``node_activation`` int64[n], ``node_aggregation`` int64[n]: hidden and output
      nodes, sorted by key.
    - ``conn_innovation`` int64[m], ``conn_in`` int64[m], ``conn_out`` int64[m],
      ``conn_weight`` float64[m], ``conn_enabled`` bool[m]: connections, sorted by
      innovation number.
    - ``fitness``: None until evaluated. ``species``: the species id, or None.
    - ``gate_innovation``, ``gate_node``, ``gate_in``, ``gate_out`` int64[g]: gate genes,
      sorted by innovation number (empty by default).
    """

    key: int
    node_key: npt.NDArray[np.int64]
    node_bias: npt.NDArray[np.float64]
    node_response: npt.NDArray[np.float64]
    node_activation: npt.NDArray[np.int64]
    node_aggregation: npt.NDArray[np.int64]
    conn_innovation: npt.NDArray[np.int64]
    conn_in: npt.NDArray[np.int64]
    conn_out: npt.NDArray[np.int64]
    conn_weight: npt.NDArray[np.float64]
    conn_enabled: npt.NDArray[np.bool_]
    fitness: float | None = None
    species: int | None = None
    gate_innovation: npt.NDArray[np.int64] = field(default_factory=_no_gates)
    gate_node: npt.NDArray[np.int64] = field(default_factory=_no_gates)
    gate_in: npt.NDArray[np.int64] = field(default_factory=_no_gates)
    gate_out: npt.NDArray[np.int64] = field(default_factory=_no_gates)

    @property
    def num_gates(self) -> int:
        """How many gate genes."""
        return int(self.gate_innovation.shape[0])

    def gates(self) -> tuple[npt.NDArray[np.int64], ...]:
        """The gate arrays (innovation, node, in, out), to pass on to a new GenomeData."""
        return self.gate_innovation, self.gate_node, self.gate_in, self.gate_out

    @property
    def num_nodes(self) -> int:
        """How many node genes (hidden and output nodes)."""
        return int(self.node_key.shape[0])

    @property
    def num_connections(self) -> int:
        """How many connection genes, disabled ones included."""
        return int(self.conn_innovation.shape[0])

    @classmethod
    def build(cls, key: int, nodes: Any, connections: Any, *, fitness: float | None = None,
              species: int | None = None, gates: Any = ()) -> GenomeData:
        """Build from plain Python gene lists (sorts them; for tests and conversions).

        **Arguments**
        - ``key``: the genome's id.
        - ``nodes``: iterable of ``(key, bias, response, activation_index,
          aggregation_index)``.
        - ``connections``: iterable of ``(innovation, in_key, out_key, weight, enabled)``.
        - ``fitness``, ``species``: as the fields.
        - ``gates``: iterable of ``(innovation, gater_key, in_key, out_key)``.

        **Returns** a ``GenomeData`` with its genes sorted (nodes by key, connections by
        innovation number).
        """
        ns = sorted((int(k), float(b), float(r), int(a), int(g)) for k, b, r, a, g in nodes)
        cs = sorted((int(i), int(u), int(v), float(w), bool(e))
                    for i, u, v, w, e in connections)
        gs = sorted((int(i), int(n), int(u), int(v)) for i, n, u, v in gates)
        return cls(
            key=int(key),
            node_key=np.array([n[0] for n in ns], dtype=np.int64),
            node_bias=np.array([n[1] for n in ns], dtype=np.float64),
            node_response=np.array([n[2] for n in ns], dtype=np.float64),
            node_activation=np.array([n[3] for n in ns], dtype=np.int64),
            node_aggregation=np.array([n[4] for n in ns], dtype=np.int64),
            conn_innovation=np.array([c[0] for c in cs], dtype=np.int64),
            conn_in=np.array([c[1] for c in cs], dtype=np.int64),
            conn_out=np.array([c[2] for c in cs], dtype=np.int64),
            conn_weight=np.array([c[3] for c in cs], dtype=np.float64),
            conn_enabled=np.array([c[4] for c in cs], dtype=np.bool_),
            fitness=fitness, species=species,
            gate_innovation=np.array([g[0] for g in gs], dtype=np.int64),
            gate_node=np.array([g[1] for g in gs], dtype=np.int64),
            gate_in=np.array([g[2] for g in gs], dtype=np.int64),
            gate_out=np.array([g[3] for g in gs], dtype=np.int64))


def check_genome_data(data: GenomeData, *, num_inputs: int, num_outputs: int,
                      num_activations: int, num_aggregations: int) -> None:
    """Check that ``data`` is a well-formed genome for a configuration.

    **Arguments**
    - ``data``: the genome.
    - ``num_inputs``, ``num_outputs``: the configuration's counts.
    - ``num_activations``, ``num_aggregations``: lengths of its ``activation_options`` and
      ``aggregation_options``.

    **Returns** None. **Raises** ``InputError`` naming the first offending field or gene:
    wrong dtype or shape, unsorted or repeated keys / innovation numbers, a missing output
    node, a connection into an input or from/to an unknown node, a repeated (in, out)
    pair, an out-of-range activation/aggregation index, a non-finite number, or a gate on
    an unknown node or connection (or a second gate on one connection).
    """
    where = f"genome {data.key}"
    for name in _INT_FIELDS:
        a = getattr(data, name)
        if not isinstance(a, np.ndarray) or a.dtype != np.int64 or a.ndim != 1:
            raise InputError(f"{where}: {name} must be a 1-D int64 array")
    for name in _FLOAT_FIELDS:
        a = getattr(data, name)
        if not isinstance(a, np.ndarray) or a.dtype != np.float64 or a.ndim != 1:
            raise InputError(f"{where}: {name} must be a 1-D float64 array")
        if not np.all(np.isfinite(a)):
            k = int(np.argmin(np.isfinite(a)))
            raise InputError(f"{where}: {name}[{k}] is {a[k]}, not a finite number")
    e = data.conn_enabled
    if not isinstance(e, np.ndarray) or e.dtype != np.bool_ or e.ndim != 1:
        raise InputError(f"{where}: conn_enabled must be a 1-D bool array")
    n, m = data.node_key.shape[0], data.conn_innovation.shape[0]
    for name in _NODE_FIELDS:
        if getattr(data, name).shape[0] != n:
            raise InputError(f"{where}: {name} has {getattr(data, name).shape[0]} entries, "
                             f"node_key has {n}")
    for name in _CONN_FIELDS:
        if getattr(data, name).shape[0] != m:
            raise InputError(f"{where}: {name} has {getattr(data, name).shape[0]} entries, "
                             f"conn_innovation has {m}")
    keys = data.node_key
    if n > 1 and not np.all(keys[1:] > keys[:-1]):
        k = int(np.argmin(keys[1:] > keys[:-1])) + 1
        raise InputError(f"{where}: node_key is not strictly ascending at [{k}] "
                         f"({int(keys[k - 1])}, {int(keys[k])})")
    if n and int(keys[0]) < 0:
        raise InputError(f"{where}: node key {int(keys[0])} is negative (input keys are "
                         "implicit and not stored)")
    have = set(keys.tolist())
    for o in range(num_outputs):
        if o not in have:
            raise InputError(f"{where}: output node {o} is missing")
    for name, count, label in (("node_activation", num_activations, "activation_options"),
                               ("node_aggregation", num_aggregations,
                                "aggregation_options")):
        a = getattr(data, name)
        bad = (a < 0) | (a >= count)
        if np.any(bad):
            k = int(np.argmax(bad))
            raise InputError(f"{where}: {name}[{k}] = {int(a[k])} is not an index into "
                             f"{label} (0..{count - 1})")
    inn = data.conn_innovation
    if m > 1 and not np.all(inn[1:] > inn[:-1]):
        k = int(np.argmin(inn[1:] > inn[:-1])) + 1
        raise InputError(f"{where}: conn_innovation is not strictly ascending at [{k}] "
                         f"({int(inn[k - 1])}, {int(inn[k])})")
    if m and int(inn[0]) < 0:
        raise InputError(f"{where}: innovation number {int(inn[0])} is negative")
    pairs: set[tuple[int, int]] = set()
    for k in range(m):
        u, v = int(data.conn_in[k]), int(data.conn_out[k])
        if v < 0:
            raise InputError(f"{where}: connection {int(inn[k])} ({u} -> {v}) ends at an "
                             "input node")
        if v not in have:
            raise InputError(f"{where}: connection {int(inn[k])} ({u} -> {v}) ends at an "
                             "unknown node")
        if u < 0 and -u > num_inputs:
            raise InputError(f"{where}: connection {int(inn[k])} ({u} -> {v}) starts at "
                             f"input {u}, but there are {num_inputs} inputs")
        if u >= 0 and u not in have:
            raise InputError(f"{where}: connection {int(inn[k])} ({u} -> {v}) starts at an "
                             "unknown node")
        if (u, v) in pairs:
            raise InputError(f"{where}: connection {u} -> {v} appears twice")
        pairs.add((u, v))
    for name in _GATE_FIELDS:
        a = getattr(data, name)
        if not isinstance(a, np.ndarray) or a.dtype != np.int64 or a.ndim != 1:
            raise InputError(f"{where}: {name} must be a 1-D int64 array")
        if a.shape[0] != data.gate_innovation.shape[0]:
            raise InputError(f"{where}: {name} has {a.shape[0]} entries, gate_innovation "
                             f"has {data.gate_innovation.shape[0]}")
    gi = data.gate_innovation
    if gi.shape[0] > 1 and not np.all(gi[1:] > gi[:-1]):
        k = int(np.argmin(gi[1:] > gi[:-1])) + 1
        raise InputError(f"{where}: gate_innovation is not strictly ascending at [{k}]")
    gated: set[tuple[int, int]] = set()
    for k in range(gi.shape[0]):
        node, u, v = int(data.gate_node[k]), int(data.gate_in[k]), int(data.gate_out[k])
        if int(gi[k]) < 0:
            raise InputError(f"{where}: gate innovation number {int(gi[k])} is negative")
        if node not in have:
            raise InputError(f"{where}: gate {int(gi[k])}: gater node {node} is not a node "
                             "of the genome")
        if (u, v) not in pairs:
            raise InputError(f"{where}: gate {int(gi[k])} gates {u} -> {v}, which is not a "
                             "connection of the genome")
        if (u, v) in gated:
            raise InputError(f"{where}: connection {u} -> {v} has two gates")
        gated.add((u, v))
