"""Memory blocks in the Graphviz diagram: each cell with its gates in one box.

Checked on the structure dot itself reports (``dot -Tjson``: which neurons each
cluster holds), against the blocks the architectures build (LSTM: a block's input,
forget and output gate and its cell share a place in their layers; GRU: the six
neurons of one unit), and against a network with no layer names at all.
"""

from __future__ import annotations

import json
import subprocess

import networkx as nx
import pytest
from test_diagram import needs_dot

from netgraph._blocks import memory_blocks
from netgraph._diagram import _layer_key, _role, _synapses, to_dot
from netgraph.architect import GRU, LSTM, Liquid, Perceptron


def clusters(net) -> dict[str, set[str]]:
    """``{cluster name: the names of the neurons in it}``, as dot lays them out."""
    run = subprocess.run(["dot", "-Tjson"], input=net.to_dot().encode(), capture_output=True,
                         check=True)
    data = json.loads(run.stdout)
    objects = data["objects"]
    out = {}
    for o in objects:
        if o["name"].startswith("cluster"):
            out[o["name"]] = {objects[k]["name"] for k in o.get("nodes", [])}
    return out


def by_place(net, *names: str) -> list[set[str]]:
    """The k-th neuron of each named layer, together: the blocks the architect built."""
    layers = net.layers
    return [set(group) for group in zip(*(layers[n] for n in names), strict=True)]


@needs_dot
@pytest.mark.parametrize("shape", [(2, 4, 1), (3, 2, 3, 2)])
def test_lstm_blocks_are_clusters_of_a_cell_and_its_three_gates(shape):
    net = LSTM(*shape, seed=1)
    found = clusters(net)
    blocks = {k: v for k, v in found.items() if k.startswith("cluster_block_")}
    expected = []
    for b in range(len(shape) - 2):
        expected += by_place(net, f"input_gate{b}", f"forget_gate{b}", f"memory_cell{b}",
                             f"output_gate{b}")
    assert sorted(map(sorted, blocks.values())) == sorted(map(sorted, expected))
    # the gate layers are no longer boxes of their own; inputs and outputs still are
    in_layers = set().union(*(v for k, v in found.items() if k not in blocks))
    assert in_layers == set(net.layers["input"]) | set(net.layers["output"])


@needs_dot
def test_gru_blocks_hold_one_unit_each():
    net = GRU(2, 3, 1, seed=1)
    blocks = [v for k, v in clusters(net).items() if k.startswith("cluster_block_")]
    expected = by_place(net, "update_gate0", "inverse_update_gate0", "reset_gate0", "memory0",
                        "block_output0", "previous_output0")
    assert sorted(map(sorted, blocks)) == sorted(map(sorted, expected))


def test_blocks_are_found_without_layer_names():
    """An LSTM's graph with every layer name and role of its hidden neurons removed,
    and its neurons renamed: the same blocks, found from the synapses alone."""
    net = LSTM(2, 3, 1, seed=1)
    rename = {n: f"n{k}" for k, n in enumerate(reversed(list(net.graph)))}
    G = nx.relabel_nodes(net.graph, rename)
    for _u, _v, a in G.edges(data=True):
        if a.get("gater") is not None:
            a["gater"] = rename[a["gater"]]
    for _n, a in G.nodes(data=True):
        a.pop("layer", None)
    syn = _synapses(G)
    outside = {n for n, a in G.nodes(data=True) if _role(a) != "hidden"}
    found = memory_blocks(G, syn, {n: _layer_key(a) for n, a in G.nodes(data=True)}, outside)
    expected = [{rename[n] for n in group} for group in by_place(
        net, "input_gate0", "forget_gate0", "memory_cell0", "output_gate0")]
    assert sorted(sorted(b.members) for b in found) == sorted(map(sorted, expected))
    cells = {rename[n] for n in net.layers["memory_cell0"]}
    assert {b.core for b in found} == cells


def test_no_blocks_without_gates():
    """Self-connections alone (no gate) and feed-forward networks make no block."""
    G = Perceptron(2, 3, 1, seed=1).graph.copy()
    hidden = [n for n, a in G.nodes(data=True) if a.get("role") == "hidden"]
    for n in hidden:
        G.add_edge(n, n, weight=0.5)
    syn = _synapses(G)
    assert memory_blocks(G, syn, {n: 0 for n in G}, set()) == []
    assert "cluster_block" not in to_dot(G)


@needs_dot
def test_a_liquid_machine_draws_every_neuron_once():
    net = Liquid(2, 10, 1, 30, 10, seed=1)
    found = clusters(net)
    drawn = [n for members in found.values() for n in members]
    assert len(drawn) == len(set(drawn))
    assert set(drawn) <= set(net.graph)
