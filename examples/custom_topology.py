"""A network that is not a stack of layers, built neuron by neuron, then pruned.

    python examples/custom_topology.py [output folder]   # default: out/

1. Build XOR's network by hand: ``Network()``, ``add_neuron``, ``connect``. Besides
   inputs -> hidden -> output it has *skip connections*, inputs -> output.
2. Ask networkx about it (``net.graph`` is a live ``networkx.DiGraph``): the order
   neurons run in, each neuron's depth, which synapses skip a layer, how many
   paths lead from each input to the output.
3. Train it with ``net.train``.
4. Prune it: ``disconnect`` the hidden neurons that matter least from the output,
   find with networkx the neurons that can no longer reach any output, and
   ``remove_neuron`` them. Retrain briefly: one hidden neuron and the skip
   connections still compute XOR.
5. Save it and draw it before and after (``net.render``; without Graphviz the DOT
   source is written instead).
"""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import numpy as np

from netgraph import GraphvizNotFoundError, Network

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
T = np.array([[0], [1], [1], [0]], dtype=float)
INPUTS, HIDDEN, OUTPUT = ("x0", "x1"), ("h0", "h1", "h2"), "y"


def build(seed: int = 0) -> Network:
    """XOR's 2-3-1 network plus a synapse from each input straight to the output.

    **Arguments**
    - ``seed``: seeds the random initial weights and biases.

    **Returns** the new, untrained ``Network``.
    """
    net = Network(seed=seed)
    for x in INPUTS:
        net.add_neuron(x, role="input", layer="input")
    for h in HIDDEN:
        net.add_neuron(h, activation="logistic", layer="hidden")
    net.add_neuron(OUTPUT, role="output", activation="logistic", layer="output")
    for x in INPUTS:
        for h in HIDDEN:
            net.connect(x, h)
        net.connect(x, OUTPUT)  # a skip connection
    for h in HIDDEN:
        net.connect(h, OUTPUT)
    return net


def describe(net: Network) -> dict[str, int]:
    """Print what networkx says about the graph.

    **Arguments**
    - ``net``: a feed-forward network.

    **Returns** each neuron's depth (the longest path to it from an input).
    """
    G = net.graph
    order = list(nx.topological_sort(G))
    depth = dict.fromkeys(order, 0)
    for v in order:
        for u in G.predecessors(v):
            depth[v] = max(depth[v], depth[u] + 1)
    skips = [(u, v) for u, v in G.edges if depth[v] - depth[u] > 1]
    print(f"{G.number_of_nodes()} neurons, {G.number_of_edges()} synapses; "
          f"run order {' '.join(order)}")
    print(f"depth of each neuron: {depth}")
    print(f"synapses that skip a layer: {skips}")
    for x in net.inputs:
        for y in net.outputs:
            paths = list(nx.all_simple_paths(G, x, y))
            print(f"{len(paths)} paths {x} -> {y}: "
                  + ", ".join("-".join(p) for p in paths))
    return depth


def prune(net: Network, keep: int = 1) -> list[str]:
    """Keep the ``keep`` hidden neurons with the strongest synapse to the output.

    The others are disconnected from the output; then every neuron from which no
    output can be reached any more (found with ``networkx.ancestors``) is removed,
    with its synapses.

    **Arguments**
    - ``net``: the trained network (changed in place).
    - ``keep``: how many hidden neurons to keep.

    **Returns** the removed neurons' ids.
    """
    G = net.graph
    hidden = [n for n in net.neurons if G.nodes[n]["role"] == "hidden"]
    hidden.sort(key=lambda h: abs(G[h][OUTPUT]["weight"]), reverse=True)
    for h in hidden[keep:]:
        net.disconnect(h, OUTPUT)
    useful = set(net.outputs).union(*(nx.ancestors(G, y) for y in net.outputs))
    dead = [n for n in net.neurons if n not in useful and G.nodes[n]["role"] == "hidden"]
    for n in dead:
        net.remove_neuron(n)
    return dead


def draw(net: Network, path: Path, title: str) -> Path:
    """Render ``net`` to ``path`` (an .svg); without Graphviz, write the .dot instead.

    **Arguments**
    - ``net``: the network to draw.
    - ``path``: where the picture goes.
    - ``title``: the diagram's title.

    **Returns** the file written.
    """
    try:
        return net.render(path, title=title, biases=True)
    except GraphvizNotFoundError:
        return net.render(path.with_suffix(".dot"), title=title, biases=True)


def check_xor(net: Network) -> None:
    """Print the network's outputs on XOR's four samples; fail unless they round right.

    **Arguments**
    - ``net``: a network with two inputs and one output.

    **Returns** nothing; raises ``AssertionError`` if an output rounds wrong.
    """
    Y = net.activate(X)
    for x, y, t in zip(X, Y[:, 0], T[:, 0], strict=True):
        print(f"  {x.astype(int).tolist()} -> {y:.4f} (target {int(t)})")
    assert np.array_equal(np.round(Y), T), "the outputs do not round to XOR"


def main(out: Path) -> None:
    """Build, inspect, train, prune, retrain, save and draw; files go to ``out``.

    **Arguments**
    - ``out``: the output folder (created if missing).

    **Returns** nothing.
    """
    out.mkdir(parents=True, exist_ok=True)
    net = build(seed=0)
    describe(net)

    result = net.train(X, T, rate=0.5, iterations=20_000, error=0.005, seed=0)
    print(f"trained: error {result.error:.5f} after {result.iterations} iterations")
    check_xor(net)
    print("drew", draw(net, out / "custom_topology_full.svg", "XOR with skip connections"))

    removed = prune(net, keep=1)
    print(f"pruned the hidden neurons {removed}: {net.graph.number_of_nodes()} neurons, "
          f"{net.graph.number_of_edges()} synapses left")
    describe(net)
    result = net.train(X, T, rate=0.5, iterations=20_000, error=0.005, seed=0)
    print(f"retrained: error {result.error:.5f} after {result.iterations} iterations")
    check_xor(net)

    path = net.save(out / "custom_topology.json", name="xor-skip-pruned")
    assert np.array_equal(Network.load(path).activate(X), net.activate(X))
    print("saved", path)
    print("drew", draw(net, out / "custom_topology_pruned.svg", "XOR after pruning"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out"))
