"""A layered layout of our own: ranks, order within each rank and coordinates.

Used where Graphviz is not (the HTML page without ``dot``) and to size the Graphviz
diagrams before ``dot`` runs. It is Sugiyama's scheme, kept short:

1. **Ranks.** A layer whose neurons are not wired among themselves (``ranked``)
   shares one rank; every other neuron is placed on its own. Rank = the longest
   path of undelayed synapses leading to it, so every undelayed synapse points
   forward. Delayed synapses and self-connections do not constrain the ranks.
2. **Order.** A ranked layer keeps its neurons in graph order; other ranks are
   sorted by the mean position of each neuron's sources (the barycentre rule), ties
   by graph order.
3. **Coordinates.** Ranks are columns ``rank_gap`` apart (rows for ``"TB"``), neurons
   ``pitch`` apart and centred on the middle line.

Everything is deterministic: ties are broken by graph order, never by hashing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import networkx as nx

__all__ = ["Placement", "place", "ranks"]


class LayerLike(Protocol):
    key: Any
    members: list[Any]
    ranked: bool
    cyclic: bool


def ranks(G: nx.DiGraph[Any], layers: Sequence[LayerLike],
          undelayed: Iterable[tuple[Any, Any]], linked: nx.DiGraph[Any]) -> dict[Any, int]:
    """Each neuron's rank (0 = first column).

    **Arguments** ``layers``: the layers in drawing order (``_diagram._layers``);
    ``undelayed``: the synapses ``(source, target)`` that constrain the ranks;
    ``linked``: the layer graph (an edge where undelayed synapses link two layers).
    **Returns** ``{neuron: rank}`` for every neuron of ``G``.
    """
    unit: dict[Any, Any] = {}
    order: list[Any] = []  # units in drawing order
    for layer in layers:
        if layer.ranked:
            order.append(("layer", layer.key))
            for n in layer.members:
                unit[n] = order[-1]
        else:
            for n in layer.members:
                order.append(("neuron", n))
                unit[n] = order[-1]
    U: nx.DiGraph[Any] = nx.DiGraph()
    U.add_nodes_from(order)
    # a set first: a collapsed 784-128-10 net has 101,632 synapses but 2 unit edges
    U.add_edges_from({(a, b) for a, b in ((unit[u], unit[v]) for u, v in undelayed) if a != b})
    # consecutive layers keep their order even when no synapse links them
    for a, b in itertools.pairwise(layers):
        if not (a.cyclic or b.cyclic or linked.has_edge(a.key, b.key)):
            U.add_edge(unit[a.members[0]], unit[b.members[0]])
    position = {u: k for k, u in enumerate(order)}
    if not nx.is_directed_acyclic_graph(U):
        # Only a graph that is not a valid network gets here (an undelayed cycle): drop
        # the edges that point back in drawing order.
        U.remove_edges_from([(a, b) for a, b in list(U.edges)
                             if position[a] >= position[b]])
    rank_of: dict[Any, int] = {}
    for u in nx.lexicographical_topological_sort(U, key=position.__getitem__):
        rank_of[u] = max((rank_of[p] + 1 for p in U.pred[u]), default=0)
    return {n: rank_of[unit[n]] for n in G}


@dataclass
class Placement:
    """Coordinates of every neuron (``x``, ``y`` in points, y growing downwards), the
    columns (``columns[r]``: the neurons of rank r in drawing order) and the extent."""

    x: dict[Any, float]
    y: dict[Any, float]
    columns: list[list[Any]]
    width: float
    height: float


def place(G: nx.DiGraph[Any], rank: dict[Any, int], keep: set[Any],
          undelayed: Sequence[tuple[Any, Any]], *, pitch: float = 48.0,
          rank_gap: float = 120.0, rankdir: str = "LR") -> Placement:
    """Order each rank and give every neuron coordinates.

    **Arguments** ``rank``: from ``ranks``; ``keep``: neurons whose rank keeps graph
    order (members of ranked layers); ``undelayed``: the synapses used by the
    barycentre rule; ``pitch``: distance between neighbours in a rank; ``rank_gap``:
    distance between ranks; ``rankdir``: ``"LR"``, ``"RL"``, ``"TB"`` or ``"BT"``.
    """
    index = {n: k for k, n in enumerate(G)}
    n_ranks = max(rank.values(), default=-1) + 1
    columns: list[list[Any]] = [[] for _ in range(n_ranks)]
    for n in G:
        columns[rank[n]].append(n)
    sources: dict[Any, list[Any]] = {n: [] for n in G}
    for u, v in undelayed:
        if u != v:
            sources[v].append(u)
    slot: dict[Any, float] = {}
    for column in columns:
        if not all(n in keep for n in column):
            def key(n: Any) -> tuple[float, int]:
                placed = [slot[u] for u in sources[n] if u in slot]
                centre = sum(placed) / len(placed) if placed else float(index[n])
                return (centre, index[n])
            column.sort(key=key)
        middle = (len(column) - 1) / 2
        for k, n in enumerate(column):
            # relative to the middle line, so barycentres compare across ranks
            slot[n] = k - middle
    along = {n: rank[n] * rank_gap for n in G}
    across = {n: slot[n] * pitch for n in G}
    tallest = max((len(c) for c in columns), default=1)
    extent_along = max(n_ranks - 1, 0) * rank_gap
    extent_across = max(tallest - 1, 0) * pitch
    if rankdir in ("RL", "BT"):
        along = {n: extent_along - a for n, a in along.items()}
    shift = extent_across / 2
    across = {n: a + shift for n, a in across.items()}
    if rankdir in ("LR", "RL"):
        return Placement(along, across, columns, extent_along, extent_across)
    return Placement(across, along, columns, extent_across, extent_along)
