"""Functions that take a network and give another view of it: renamed neurons, or the
feed-forward part that networkx's DAG algorithms need.

Gaters are neuron ids stored on synapses (``gater``, also inside ``parallel``);
networkx knows nothing of them, so ``nx.relabel_nodes`` renames the neurons but leaves
the gaters naming the old ids. ``relabel`` renames both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from ._compile import undelayed
from ._exceptions import NeuronError, TopologyError
from ._graph import synapse_order

if TYPE_CHECKING:
    from ._network import Network

__all__ = ["feedforward_view", "relabel"]


def relabel(net: Network, mapping: Mapping[Any, Any] | Callable[[Any], Any]) -> Network:
    """A copy of ``net`` with neurons renamed, gaters included.

    **Arguments**
    - ``net``: the network (left unchanged).
    - ``mapping``: old id -> new id, as a mapping (ids it leaves out keep their name) or
      a function of the old id.

    **Returns** a new ``Network`` with the same neurons, synapses, weights, biases and
    order (so it computes exactly what ``net`` computes from a fresh state), every
    ``gater`` renamed with its neuron. Raises ``NeuronError`` if the mapping names a
    neuron the network does not have, ``TopologyError`` if two neurons would share a name.
    """
    from ._network import Network

    G = net.graph
    if callable(mapping) and not isinstance(mapping, Mapping):
        new = {n: mapping(n) for n in G}
    else:
        unknown = [n for n in mapping if n not in G]
        if unknown:
            raise NeuronError(f"relabel: no neuron {unknown[0]!r} in the network")
        new = {n: mapping.get(n, n) for n in G}
    seen: dict[Any, Any] = {}
    for old, name in new.items():
        if name in seen:
            raise TopologyError(f"relabel: {seen[name]!r} and {old!r} would both be named "
                                f"{name!r}")
        seen[name] = old

    def synapse(a: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(a)
        if out.get("gater") is not None:
            out["gater"] = new[out["gater"]]
        if out.get("parallel"):
            out["parallel"] = [synapse(p) for p in out["parallel"]]
        return out

    H: nx.DiGraph[Any] = nx.DiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((new[n], dict(a)) for n, a in G.nodes(data=True))
    # in an order that keeps every neuron's outgoing and incoming (summation) order
    H.add_edges_from((new[u], new[v], synapse(G[u][v])) for u, v in synapse_order(G))
    out = Network.from_graph(H)
    out._rng = np.random.default_rng(net._rng.integers(2**63))
    return out


def feedforward_view(net: Network) -> nx.DiGraph[Any]:
    """A read-only view of ``net.graph`` without delayed synapses and self-connections.

    It is a DAG (the compiler checks that the undelayed synapses form no cycle), so
    networkx algorithms that need one work on it: ``nx.topological_sort``,
    ``nx.dag_longest_path``, ``nx.ancestors`` along this step's signal flow, ... A pair
    whose first synapse is delayed but one of whose parallel synapses is not counts as
    undelayed. The view follows later changes to the graph.

    **Returns** a ``networkx`` subgraph view (no copy) of the live graph.
    """
    G = net.graph
    succ = G._succ
    return nx.subgraph_view(G, filter_edge=lambda u, v: u != v and undelayed(succ[u][v]))
