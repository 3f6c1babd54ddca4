"""Moving a network in and out of netgraph, losing nothing on the way.

    python examples/export_import.py [output folder]   # default: out/

A trained 3-5-4-2 network (tanh and identity neurons) makes three round trips,
and after each one the copy must give *exactly* the outputs of the original (the
same float64 bits, not just close ones):

1. netgraph's own JSON: ``net.save(path)`` / ``Network.load(path)``. Ids, order,
   weights and biases are kept bit for bit; the file says how it was trained.
2. Synaptic.js's ``toJSON()`` format: ``net.to_synaptic()`` /
   ``Network.from_synaptic(path)``. In JavaScript, ``synaptic.Network.fromJSON(
   JSON.parse(text))`` reads the file this writes.
3. networkx's node-link JSON (``networkx.node_link_data`` /
   ``node_link_graph``, which D3.js and many graph tools read), then
   ``Network.from_graph``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import networkx as nx
import numpy as np

from netgraph import Layer, Network


def trained_network(seed: int = 0) -> tuple[Network, np.ndarray]:
    """A 3-5-4-2 network trained briefly on a smooth function, and probe inputs.

    **Arguments**
    - ``seed``: seeds the weights and the data.

    **Returns** ``(net, probes)``: the network and 50 inputs to compare outputs on.
    """
    rng = np.random.default_rng(seed)
    inp, hid1, hid2, out = Layer(3), Layer(5, "tanh"), Layer(4, "tanh"), Layer(2, "identity")
    inp.project(hid1)
    hid1.project(hid2)
    hid2.project(out)
    net = Network(input=inp, hidden=[hid1, hid2], output=out, seed=seed)
    X = rng.uniform(-1, 1, (200, 3))
    T = np.column_stack([np.sin(X[:, 0] + X[:, 1]), X[:, 1] * X[:, 2]])
    result = net.train(X, T, rate=0.05, iterations=200, error=1e-4, shuffle=True, seed=seed)
    print(f"trained a 3-5-4-2 net: error {result.error:.5f} after {result.iterations} epochs")
    return net, rng.uniform(-1, 1, (50, 3))


def node_link_data(graph: nx.DiGraph) -> dict:
    """``networkx.node_link_data`` with the edges under ``"edges"``, on any networkx.

    **Arguments**
    - ``graph``: the graph to describe.

    **Returns** the node-link dict (plain JSON data).
    """
    try:
        return nx.node_link_data(graph, edges="edges")
    except TypeError:  # networkx < 3.4 calls it link=
        return nx.node_link_data(graph, link="edges")


def node_link_graph(data: dict) -> nx.DiGraph:
    """The inverse of ``node_link_data``: a ``DiGraph`` from node-link data.

    **Arguments**
    - ``data``: the dict ``node_link_data`` made (after a JSON round trip).

    **Returns** a new ``networkx.DiGraph``.
    """
    try:
        return nx.node_link_graph(data, directed=True, edges="edges")
    except TypeError:  # networkx < 3.4
        return nx.node_link_graph(data, directed=True, link="edges")


def same_outputs(what: str, original: Network, copy: Network, probes: np.ndarray) -> None:
    """Check that ``copy`` computes exactly what ``original`` computes.

    **Arguments**
    - ``what``: a name for the round trip, for the message.
    - ``original``, ``copy``: the two networks.
    - ``probes``: inputs, one sample per row.

    **Returns** nothing; raises ``AssertionError`` on any difference, even in the
    last bit.
    """
    assert copy.inputs == original.inputs and copy.outputs == original.outputs, what
    assert copy.synapses == original.synapses, f"{what}: synapses differ"
    np.testing.assert_array_equal(copy.activate(probes), original.activate(probes),
                                  err_msg=what)
    print(f"{what}: identical outputs on {len(probes)} inputs")


def main(out: Path) -> None:
    """Make the three round trips, writing each file into ``out``.

    **Arguments**
    - ``out``: the output folder (created if missing).

    **Returns** nothing.
    """
    out.mkdir(parents=True, exist_ok=True)
    net, probes = trained_network()

    # 1. netgraph JSON
    path = net.save(out / "net.json", name="demo", description="3-5-4-2, tanh",
                    training={"optimizer": "sgd", "rate": 0.05, "iterations": 200})
    same_outputs(f"netgraph JSON ({path})", net, Network.load(path), probes)

    # 2. Synaptic.js JSON
    synaptic_path = out / "net.synaptic.json"
    synaptic_path.write_text(json.dumps(net.to_synaptic()), encoding="utf-8")
    same_outputs(f"Synaptic JSON ({synaptic_path})", net,
                 Network.from_synaptic(synaptic_path), probes)

    # 3. networkx node-link JSON: plain data any graph tool can read
    node_link_path = out / "net.node_link.json"
    node_link_path.write_text(json.dumps(node_link_data(net.graph), indent=1),
                              encoding="utf-8")
    graph = node_link_graph(json.loads(node_link_path.read_text(encoding="utf-8")))
    same_outputs(f"networkx node-link JSON ({node_link_path})", net,
                 Network.from_graph(graph), probes)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out"))
