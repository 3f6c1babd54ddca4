"""Neataptic interchange, held against real Neataptic 1.4.7 under Node.

Networks built by Neataptic's architect (Perceptron, LSTM, GRU, NARX, Random) and grown
by its own mutations (gates, back and self connections, every squash) are imported and
run beside Neataptic, step by step; netgraph networks are written with ``to_neataptic``,
loaded by Neataptic's ``Network.fromJSON`` and run there.
"""

from __future__ import annotations

import warnings

import js_peers
import networkx as nx
import numpy as np
import pytest
from conftest import random_dag, random_recurrent, xor_net

from netgraph import ConversionWarning, Network, NetworkFormatError, get_activation
from netgraph.architect import LSTM
from netgraph.interop import from_neataptic, to_neataptic, to_synaptic

EXACT = 1e-13  # what separates two orders of the same sums; most agree to the last bit
GROW = ["ADD_NODE", "ADD_NODE", "ADD_CONN", "ADD_CONN", "ADD_GATE", "ADD_BACK_CONN",
        "ADD_SELF_CONN", "MOD_ACTIVATION", "MOD_WEIGHT", "MOD_BIAS", "SUB_CONN", "SUB_GATE",
        "SWAP_NODES"]


def run(net: Network, inputs) -> list[list[float]]:
    return [net.activate(np.asarray(x)).tolist() for x in inputs]


def quiet_import(doc):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fresh network needs no warning
        return from_neataptic(doc)


@pytest.fixture(scope="module")
def programs():
    rng = np.random.default_rng(5)
    specs = [("Perceptron", [2, 4, 3, 1]), ("LSTM", [2, 3, 1]), ("LSTM", [1, 2, 2, 1]),
             ("GRU", [1, 3, 1]), ("GRU", [2, 2, 2, 1]), ("NARX", [2, [3], 1, 2, 2]),
             ("Random", [3, 5, 2, {"gates": 3, "backconnections": 3, "selfconnections": 2}])]
    out = [{"seed": k + 1, "build": {"kind": kind, "args": args},
            "inputs": rng.uniform(-1, 1, (20, args[0])).tolist()}
           for k, (kind, args) in enumerate(specs)]
    out += [{"seed": 100 + k, "build": {"kind": "Network", "args": [3, 2]},
             "mutate": {"methods": GROW, "count": 80},
             "inputs": rng.uniform(-1, 1, (20, 3)).tolist()} for k in range(12)]
    return out, js_peers.neataptic(out)


def test_architectures_and_evolved_networks_run_as_in_neataptic(programs):
    progs, replies = programs
    squashes, gates, back = set(), 0, 0
    for program, reply in zip(progs, replies, strict=True):
        doc = reply["json"]
        net = quiet_import(doc)
        got = run(net, program["inputs"])
        assert js_peers.worst(got, reply["outputs"]) <= EXACT, program["build"]
        assert js_peers.worst(got, reply["original"]) <= EXACT, program["build"]
        squashes |= {node["squash"] for node in doc["nodes"] if node["type"] != "input"}
        gates += sum(c["gater"] is not None for c in doc["connections"])
        back += sum(c["from"] >= c["to"] for c in doc["connections"])
    assert len(squashes) >= 12 and gates > 50 and back > 20  # the programs reach far


def test_lstm_and_gru_keep_their_gates_and_constants(programs):
    _, replies = programs
    gru = quiet_import(replies[3]["json"])
    assert sum(1 for _, a in gru.graph.nodes(data=True) if a.get("fixed")) == 6
    assert sum(1 for *_, g in gru.graph.edges(data="gater") if g is not None) == 27
    lstm = quiet_import(replies[1]["json"])
    assert any(u == v and g is not None for u, v, g in lstm.graph.edges(data="gater"))


def test_dropout_masks_fold_into_weights_with_a_warning():
    rng = np.random.default_rng(2)
    xor = [{"input": [a, b], "output": [a ^ b]} for a in (0, 1) for b in (0, 1)]
    program = {"seed": 4, "build": {"kind": "Perceptron", "args": [2, 5, 1]},
               "train": {"set": xor, "options": {"iterations": 30, "dropout": 0.4,
                                                 "rate": 0.3}},
               "inputs": rng.uniform(0, 1, (6, 2)).tolist()}
    reply = js_peers.neataptic([program])[0]
    masks = {node["mask"] for node in reply["json"]["nodes"] if node["type"] == "hidden"}
    assert masks == {0.6}
    with pytest.warns(ConversionWarning) as caught:
        net = from_neataptic(reply["json"])
    messages = " | ".join(str(w.message) for w in caught)
    assert "h0 (0.6)" in messages and "dropout rate 0.4" in messages
    assert js_peers.worst(run(net, program["inputs"]), reply["outputs"]) <= EXACT


def test_step_is_neataptics_and_hlim_is_written_as_step():
    doc = {"nodes": [{"bias": 0, "type": "input", "squash": "LOGISTIC", "mask": 1},
                     {"bias": -0.5, "type": "output", "squash": "STEP", "mask": 1}],
           "connections": [{"from": 0, "to": 1, "weight": 1.0, "gater": None}],
           "input": 1, "output": 1, "dropout": 0}
    net = quiet_import(doc)
    assert net.graph.nodes["o0"]["activation"] == "step"
    assert get_activation("step").derivative(np.array([1.0]), np.array([1.0]))[0] == 0.0
    net.graph.nodes["o0"]["activation"] = "hlim"
    with pytest.warns(ConversionWarning, match="STEP"):
        assert to_neataptic(net)["nodes"][1]["squash"] == "STEP"


def _neataptic_ready(G: nx.DiGraph) -> nx.DiGraph:
    for n in G:
        if G.nodes[n]["activation"] not in ("logistic", "tanh", "softsign"):
            G.nodes[n]["activation"] = "tanh"
    return G


def _outputs_last(G: nx.DiGraph) -> nx.DiGraph:
    """Outputs that feed nothing, gate nothing and read no previous values or gains can
    come last, where Neataptic's propagate expects them."""
    out = {n for n in G if G.nodes[n]["role"] == "output"}
    G.remove_edges_from([(u, v) for u, v, d in G.edges(data="delay")
                         if u in out or (v in out and d)])
    for _, v, a in G.edges(data=True):
        if a.get("gater") in out or v in out:
            a.pop("gater", None)
    return G


# the raw random gated nets need output nodes at the end: tested to compute the same
@pytest.mark.filterwarnings("ignore:Neataptic reads its outputs last")
def test_netgraph_networks_run_in_neataptic_and_come_back(rng):
    nets = [xor_net(seed=3), LSTM(2, 3, 1, seed=4), LSTM(1, 2, 2, 1, seed=5)]
    nets += [Network.from_graph(_outputs_last(random_dag(rng, activations=[
        "logistic", "tanh", "identity", "relu", "softsign", "sinusoid", "gaussian",
        "bent_identity", "bipolar_sigmoid", "hard_tanh", "absolute", "inverse", "selu",
        "bipolar", "step"]))) for _ in range(3)]
    nets += [Network.from_graph(_outputs_last(_neataptic_ready(random_recurrent(rng))))
             for _ in range(6)]
    nets += [Network.from_graph(_neataptic_ready(random_recurrent(rng))) for _ in range(4)]
    programs = []
    for net in nets:
        inputs = rng.uniform(-1, 1, (15, len(net.inputs)))
        programs.append({"seed": 1, "build": {"kind": "json", "network": to_neataptic(net)},
                         "inputs": inputs.tolist()})
    replies = js_peers.neataptic(programs)
    for net, program, reply in zip(nets, programs, replies, strict=True):
        want = run(net, program["inputs"])
        assert js_peers.worst(want, reply["outputs"]) <= EXACT
        back = quiet_import(program["build"]["network"])
        assert js_peers.worst(run(back, program["inputs"]), want) <= EXACT


def test_delayed_synapses_forward_in_netgraph_are_reordered_or_relayed(rng):
    """netgraph lets a delayed synapse run forward, or read the previous input; Neataptic
    needs its target first: reordered, or through a relay when no order fits."""
    nets = []
    for relay in (False, True):
        net = Network.from_graph(_outputs_last(_neataptic_ready(random_recurrent(rng))))
        h = [n for n in net.neurons if n.startswith("hid")]
        if net.graph.has_edge(h[0], h[1]):
            net.disconnect(h[0], h[1])
        order = net._plan().index
        a, b = sorted(h[:2], key=order.__getitem__)
        net.connect(a, b, 0.7, delay=1)  # forward, yet reading the previous step
        if relay:
            u, v = next((u, v) for u, v in net.graph.edges if u.startswith("in"))
            net.graph[u][v]["delay"] = 1  # the previous input
        nets.append(net)
    docs = [to_neataptic(net) for net in nets]
    constants = [sum(n["type"] == "constant" for n in doc["nodes"]) for doc in docs]
    assert constants[1] >= 1  # a relay for the previous input
    inputs = rng.uniform(-1, 1, (10, 2))
    replies = js_peers.neataptic([{"seed": 1, "build": {"kind": "json", "network": doc},
                                   "inputs": inputs.tolist()} for doc in docs])
    for net, reply in zip(nets, replies, strict=True):
        assert js_peers.worst(run(net, inputs), reply["outputs"]) <= EXACT


def test_outputs_that_must_run_early_are_read_through_output_nodes():
    G = nx.DiGraph()
    for n, role in (("i", "input"), ("o1", "output"), ("h", "hidden"), ("o2", "output")):
        G.add_node(n, role=role, activation="tanh", bias=0.1)
    G.add_edges_from([("i", "o1"), ("o1", "h"), ("h", "o2"), ("i", "o2")], weight=0.5)
    feeding = Network.from_graph(G)  # o1 feeds a hidden neuron
    G.remove_edges_from([("i", "o2"), ("o1", "h")])
    G.add_edge("o2", "o1", weight=1.0)
    G.add_edge("i", "h", weight=0.7)
    reversed_ = Network.from_graph(G)  # o2 must run before o1
    docs = []
    for net in (feeding, reversed_):
        with pytest.warns(ConversionWarning, match="identity output nodes"):
            docs.append(to_neataptic(net))
        assert [n["squash"] for n in docs[-1]["nodes"][-2:]] == ["IDENTITY"] * 2
    inputs = [[0.3], [-0.7], [0.9]]
    replies = js_peers.neataptic([{"seed": 1, "build": {"kind": "json", "network": doc},
                                   "inputs": inputs} for doc in docs])
    for net, reply in zip((feeding, reversed_), replies, strict=True):
        assert js_peers.worst(run(net, inputs), reply["outputs"]) <= EXACT


def test_what_neataptic_cannot_express_is_refused():
    net = xor_net(seed=1)
    net.graph.nodes["h0"]["activation"] = "softplus"
    with pytest.raises(NetworkFormatError, match="neuron 'h0' uses 'softplus'"):
        to_neataptic(net)


def _doc(**changes):
    doc = {"nodes": [{"bias": 0.1, "type": "input", "squash": "LOGISTIC", "mask": 1},
                     {"bias": 0.2, "type": "hidden", "squash": "TANH", "mask": 1},
                     {"bias": -0.3, "type": "output", "squash": "LOGISTIC", "mask": 1}],
           "connections": [{"weight": 0.5, "from": 0, "to": 1, "gater": None},
                           {"weight": -1.5, "from": 1, "to": 2, "gater": None},
                           {"weight": 0.25, "from": 2, "to": 1, "gater": 2}],
           "input": 1, "output": 1, "dropout": 0}
    doc.update(changes)
    return doc


def test_a_small_document_by_hand():
    net = quiet_import(_doc())
    assert net.neurons == ["i0", "h0", "o0"]
    assert net.graph["o0"]["h0"] == {"weight": 0.25, "delay": 1, "gater": "o0"}
    h = np.tanh(0.2 + 0.5 * 0.3)  # the gain starts at 1 and the output at 0
    o = 1 / (1 + np.exp(0.3 + 1.5 * h))
    assert net.activate([0.3])[0] == pytest.approx(o, rel=1e-15)


@pytest.mark.parametrize(("change", "message"), [
    ({"input": 2}, r"nodes\[1\].type: Neataptic gives input\[k\]"),
    ({"output": 2}, "output: is 2, but 1 nodes are outputs"),
    ({"nodes": [{"bias": 0, "type": "input", "mask": 1},
                {"bias": 0, "type": "hidden", "squash": "SWISH", "mask": 1},
                {"bias": 0, "type": "output", "squash": "TANH", "mask": 1}]},
     r"nodes\[1\].squash: 'SWISH' is not one of Neataptic's"),
    ({"nodes": [{"bias": 0, "type": "input"}, {"bias": 0, "type": "hidden", "squash": "TANH"},
                {"bias": 0, "type": "output", "squash": "TANH", "mask": 1}]},
     r"nodes\[1\].mask: missing"),
    ({"nodes": [{"bias": 0, "type": "input"}, {"bias": 0, "type": "hidden", "squash": "TANH",
                                               "mask": 1},
                {"bias": 0, "type": "output", "squash": "TANH", "mask": 0.5}]},
     r"nodes\[2\].mask: 0.5 on an output node"),
    ({"connections": [{"weight": 1, "from": 0, "to": 3}]}, r"connections\[0\].to: expected an "
                                                           "integer from 0 to 2"),
    ({"connections": [{"weight": 1, "from": 0, "to": 1}] * 2}, "listed twice"),
    ({"connections": [{"weight": None, "from": 0, "to": 1}]}, "weight: expected a number"),
    ({"nodes": "x"}, "nodes: expected a list"),
])
def test_bad_documents_name_the_place(change, message):
    with pytest.raises(NetworkFormatError, match=message):
        from_neataptic(_doc(**change))


def test_connections_into_inputs_are_named_in_a_warning():
    doc = _doc(connections=[{"weight": 0.5, "from": 0, "to": 1},
                            {"weight": 0.5, "from": 1, "to": 0},
                            {"weight": 1.0, "from": 1, "to": 2}])
    with pytest.warns(ConversionWarning, match="h0 -> i0"):
        net = from_neataptic(doc)
    assert not net.graph.pred["i0"]


def test_other_formats_are_named():
    with pytest.raises(NetworkFormatError, match="Synaptic"):
        from_neataptic(to_synaptic(xor_net()))
    with pytest.raises(NetworkFormatError, match=r"brain\.js"):
        from_neataptic({"sizes": [1, 1], "layers": [{}, {}]})
