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
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import networkx as nx

__all__ = ["BlockPlacement", "Placement", "place", "place_blocks", "ranks"]


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


# ------------------------------------------------------------------ memory blocks
#: A memory block's neurons sit on a half ring below its core (the core's
#: self-connection loops above it): ``_RING`` from the core, in a box this padded.
_RING, _RADIUS, _PAD, _LABEL = 52.0, 17.0, 12.0, 16.0
_GRID_FROM = 6  # more blocks than this on one rank are laid out as a grid


@dataclass
class BlockPlacement:
    """Coordinates of every neuron, and each block's box ``(x0, y0, x1, y1)`` (its
    label sits in the top ``_LABEL`` points of it)."""

    x: dict[Any, float]
    y: dict[Any, float]
    boxes: list[tuple[float, float, float, float]]
    width: float
    height: float


def _block_shape(members: Sequence[Any], core: Any) -> tuple[dict[Any, tuple[float, float]],
                                                            float, float]:
    """Offsets of a block's neurons from its box's top-left corner, and the box's size."""
    others = [n for n in members if n != core]
    half_width = _RING + _RADIUS + _PAD
    offsets = {core: (half_width, _LABEL + _PAD + _RADIUS + 30.0)}  # room for the loop
    cx, cy = offsets[core]
    for k, n in enumerate(others):
        # from the left (where inputs come in) down and round to the right
        angle = math.pi * (1 - k / max(len(others) - 1, 1)) if len(others) > 1 else math.pi / 2
        offsets[n] = (cx + _RING * math.cos(angle), cy + _RING * math.sin(angle))
    height = cy + (_RING if others else 0.0) + _RADIUS + _PAD
    return offsets, 2 * half_width, height


def place_blocks(G: nx.DiGraph[Any], units: Sequence[Sequence[Any]],
                 blocks: Sequence[tuple[Sequence[Any], Any]],
                 undelayed: Iterable[tuple[Any, Any]], *, pitch: float = 44.0,
                 rank_gap: float = 160.0, rankdir: str = "LR") -> BlockPlacement:
    """A layout where each memory block is one unit of fixed size.

    **Arguments** ``units``: groups of neurons that share a rank (a layer whose neurons
    are not wired among themselves; every other neuron alone), in drawing order,
    without the blocks' neurons; ``blocks``: ``(members, core)`` of each block;
    ``undelayed``: the synapses that order the ranks. Units wired into a cycle share a
    rank (an LSTM's blocks, linked by their peepholes); a rank with more than
    ``_GRID_FROM`` blocks lays them out as a grid, so thirty blocks make a square,
    not a ribbon. The box of a block is the same collapsed or expanded, so expanding
    one moves nothing.
    """
    unit_of: dict[Any, int] = {}
    for k, unit in enumerate(units):
        for n in unit:
            unit_of[n] = k
    for b, (members, _core) in enumerate(blocks):
        for n in members:
            unit_of[n] = len(units) + b
    count = len(units) + len(blocks)
    U: nx.DiGraph[int] = nx.DiGraph()
    U.add_nodes_from(range(count))
    U.add_edges_from({(unit_of[u], unit_of[v]) for u, v in undelayed
                      if unit_of[u] != unit_of[v]})
    C = nx.condensation(U)
    first = {c: min(C.nodes[c]["members"]) for c in C}
    rank_of_c: dict[int, int] = {}
    for c in nx.lexicographical_topological_sort(C, key=first.__getitem__):
        rank_of_c[c] = max((rank_of_c[p] + 1 for p in C.pred[c]), default=0)
    rank = {u: rank_of_c[C.graph["mapping"][u]] for u in range(count)}
    n_ranks = max(rank.values(), default=-1) + 1

    shapes = [_block_shape(members, core) for members, core in blocks]
    # a block keeps its shape (label on top, core's loop above it) in every direction:
    # its extent along the ranks is its width for LR/RL and its height for TB/BT
    across_ranks = rankdir in ("LR", "RL")
    extent = [(bw, bh) if across_ranks else (bh, bw) for _o, bw, bh in shapes]
    # each rank: rows of (width, height, [(unit, x offset in the row)])
    rows: list[list[tuple[float, float, list[tuple[int, float]]]]] = [[] for _ in range(n_ranks)]
    for r in range(n_ranks):
        plain = [u for u in range(len(units)) if rank[u] == r]
        for u in plain:
            rows[r] += [(2 * _RADIUS, pitch, [(u, 0.0)]) for _n in units[u]]
        boxed = [len(units) + b for b in range(len(blocks)) if rank[len(units) + b] == r]
        across = math.ceil(math.sqrt(len(boxed))) if len(boxed) > _GRID_FROM else 1
        for start in range(0, len(boxed), across):
            row = boxed[start:start + across]
            offset = 0.0
            placed = []
            for u in row:
                placed.append((u, offset))
                offset += extent[u - len(units)][0] + _PAD
            # a gap below each row of blocks keeps their boxes apart
            height = max(extent[u - len(units)][1] for u in row) + _PAD
            rows[r].append((offset, height, placed))
    x: dict[Any, float] = {}
    y: dict[Any, float] = {}
    boxes: list[tuple[float, float, float, float]] = [(0.0, 0.0, 0.0, 0.0)] * len(blocks)
    widths = [max((w for w, _h, _p in rows[r]), default=0.0) for r in range(n_ranks)]
    heights = [sum(h for _w, h, _p in rows[r]) for r in range(n_ranks)]
    tallest = max(heights, default=0.0)
    along = 0.0
    for r in range(n_ranks):
        # plain neurons have a row each, in the order the rows were made
        pending = iter([n for u in range(len(units)) if rank[u] == r for n in units[u]])
        down = (tallest - heights[r]) / 2
        for w, h, placed in rows[r]:
            left = along + (widths[r] - w) / 2
            for u, dx in placed:
                if u < len(units):
                    n = next(pending)
                    x[n], y[n] = left + _RADIUS, down + h / 2
                    continue
                b = u - len(units)
                bw, bh = extent[b]
                x0, y0 = left + dx, down + (h - bh) / 2
                boxes[b] = (x0, y0, x0 + bw, y0 + bh)
            down += h
        along += widths[r] + rank_gap
    width = max(along - rank_gap, 0.0)
    if rankdir in ("TB", "BT"):  # ranks as rows: swap the axes, blocks keep their shape
        x, y = y, x
        boxes = [(y0, x0, y1, x1) for x0, y0, x1, y1 in boxes]
        width, tallest = tallest, width
    if rankdir in ("RL", "BT"):
        if rankdir == "RL":
            x = {n: width - v for n, v in x.items()}
            boxes = [(width - x1, y0, width - x0, y1) for x0, y0, x1, y1 in boxes]
        else:
            y = {n: tallest - v for n, v in y.items()}
            boxes = [(x0, tallest - y1, x1, tallest - y0) for x0, y0, x1, y1 in boxes]
    for (offsets, _bw, _bh), (x0, y0, _x1, _y1) in zip(shapes, boxes, strict=True):
        for n, (ox, oy) in offsets.items():
            x[n], y[n] = x0 + ox, y0 + oy
    return BlockPlacement(x, y, boxes, width, tallest)
