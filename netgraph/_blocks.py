"""Memory blocks, found from a network's structure so that drawings can group them.

A memory block is what an LSTM's block of one cell is: a neuron that keeps a state
(its *core*) with the gates that control what enters it, what it keeps and what
leaves it, and the peepholes between them. Drawn one neuron at a time these are the
tangle of gate connectors that makes a recurrent network unreadable; drawn as one
unit each, an ``LSTM(10, 30, 10)`` reads as inputs, thirty blocks, outputs.

Blocks are found from the synapses alone (layer names help only to break ties), so
that evolved genomes, which have no layer names, are grouped too:

1. **Cores.** A neuron with a self-connection, or a neuron ``c`` in a two-neuron
   loop ``c -> p -> c`` whose partner ``p`` reads nothing but ``c`` (a GRU's
   "previous output" copy: ``p`` joins ``c``'s block).
2. **Gates.** A neuron that gates synapses joins a block when every synapse it
   gates enters, leaves or loops on that block's core (or on a neuron already in
   the block): an LSTM's input, forget and output gates, a GRU's update gates.
3. **Feeders.** A neuron whose synapses into cores are gated by those cores' own
   gates joins that block (a GRU's candidate memory), with the gates that gate
   only its own inputs (the GRU's reset gate). When it could join several blocks,
   the block whose core has the same place in its layer as the neuron in its own
   wins; if that does not decide, it stays out of every block.

A core with no gate is not a block (a self-connected neuron of a liquid state
machine is just a neuron). Everything is deterministic: blocks and their members
come in graph order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

__all__ = ["Block", "memory_blocks"]


@dataclass
class Block:
    """One memory block: its ``core`` (the neuron that keeps the state) and its
    ``members`` (core included) in graph order."""

    core: Any
    members: list[Any]


def _loop_partners(G: nx.DiGraph[Any], self_looped: set[Any],
                   outside: set[Any]) -> dict[Any, Any]:
    """``{core: partner}`` for two-neuron loops ``c -> p -> c`` where ``p`` reads only ``c``."""
    partners: dict[Any, Any] = {}
    taken: set[Any] = set()
    for p in G:
        if p in self_looped or p in taken or p in outside or G.in_degree(p) != 1:
            continue
        (c,) = G.pred[p]
        if (c == p or c in outside or c in self_looped or c in partners or c in taken
                or not G.has_edge(p, c)):
            continue
        partners[c] = p
        taken.update((c, p))
    return partners


def _within_layer(G: nx.DiGraph[Any], layer_of: Mapping[Any, Any]) -> dict[Any, int]:
    """Each neuron's place among the neurons of its layer (graph order)."""
    seen: dict[Any, int] = {}
    place: dict[Any, int] = {}
    for n in G:
        key = layer_of[n]
        place[n] = seen.get(key, 0)
        seen[key] = place[n] + 1
    return place


def memory_blocks(G: nx.DiGraph[Any], synapses: Sequence[tuple[Any, Any, Any, int, Any]],
                  layer_of: Mapping[Any, Any], outside: set[Any]) -> list[Block]:
    """The memory blocks of ``G`` (see the module docstring), in graph order.

    **Arguments** ``synapses``: ``(source, target, weight, delay, gater)`` for every
    synapse (``_diagram._synapses``); ``layer_of``: each neuron's layer key, used only
    to break ties; ``outside``: neurons that stay out of every block (the inputs and
    outputs). **Returns** a list of ``Block``; a neuron is in at most one.
    """
    gated: dict[Any, list[tuple[Any, Any]]] = {}
    for u, v, _w, _d, g in synapses:
        if g is not None and g in G and g not in outside:
            gated.setdefault(g, []).append((u, v))
    if not gated:
        return []
    self_looped = {u for u, v, *_ in synapses if u == v and u not in outside}
    partners = _loop_partners(G, self_looped, outside)
    block_of: dict[Any, Any] = {}  # neuron -> its block's core
    for c in self_looped:
        block_of[c] = c
    for c, p in partners.items():
        block_of[c] = block_of[p] = c
    gates: dict[Any, int] = {c: 0 for c in set(block_of.values())}
    index = {n: k for k, n in enumerate(G)}

    def join(n: Any, c: Any) -> None:
        block_of[n] = c
        if n in gated:
            gates[c] += 1

    # gates: the one block that every synapse they gate touches
    for g, pairs in gated.items():
        if g in block_of:
            continue
        common: set[Any] | None = None
        for u, v in pairs:
            touched = {block_of[x] for x in (u, v) if x in block_of}
            common = touched if common is None else common & touched
            if not common:
                break
        if common is not None and len(common) == 1:
            join(g, next(iter(common)))

    # feeders: neurons wired to blocks through gated synapses, with their own gates
    place = _within_layer(G, layer_of)
    private: dict[Any, list[Any]] = {}  # neuron -> loose gates of its synapses only
    near: dict[Any, set[Any]] = {}  # neuron -> blocks its gated synapses reach
    for g, pairs in gated.items():
        if g in block_of:
            continue
        for ends in ({u for u, _v in pairs}, {v for _u, v in pairs}):
            if len(ends) == 1:
                private.setdefault(next(iter(ends)), []).append(g)
    for u, v, _w, _d, g in synapses:
        if g is None:
            continue
        for a, b in ((u, v), (v, u)):
            reached = {block_of[x] for x in (b, g) if x in block_of}
            if reached:
                near.setdefault(a, set()).update(reached)
    for t in G:
        if t in block_of or t in outside or t not in near:
            continue
        choices = sorted(near[t], key=index.__getitem__)
        if len(choices) > 1:
            choices = [c for c in choices if place[c] == place[t]]
        if len(choices) != 1:
            continue
        join(t, choices[0])
        for g in private.get(t, []):
            if g not in block_of:
                join(g, choices[0])

    members: dict[Any, list[Any]] = {}
    for n in G:
        c = block_of.get(n)
        if c is not None and gates[c]:
            members.setdefault(c, []).append(n)
    return sorted((Block(c, m) for c, m in members.items()),
                  key=lambda b: index[b.members[0]])
