"""netgraph <-> the real Synaptic.js 1.1.4, both ways, through ``benchmarks/interop_synaptic.js``.

Needs Node and ``benchmarks/node_modules/synaptic`` (``cd benchmarks && npm ci``).
Without them these tests fail, saying what to install; they never skip.
"""

from __future__ import annotations

import json
import subprocess
from contextlib import nullcontext
from pathlib import Path

import js_peers
import numpy as np
import pytest
from conftest import xor_net

from netgraph import Layer, Network, SynapticFidelityWarning
from netgraph.architect import LSTM, Liquid

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPT = BENCH / "interop_synaptic.js"
SYNAPTIC = BENCH / "node_modules" / "synaptic"
XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
TOL = 1e-12


def _node() -> str:
    # fails, saying what to install, without Node or the package (never a skip)
    return js_peers.require("synaptic")


def run_synaptic(request: dict) -> dict:
    node = _node()
    proc = subprocess.run([node, str(SCRIPT)], input=json.dumps(request), text=True,
                          capture_output=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    reply = json.loads(proc.stdout)
    assert reply["synaptic"] == "1.1.4"
    return reply


def trained_xor() -> Network:
    net = xor_net(seed=3)
    for _ in range(2000):
        for x, t in XOR:
            net.activate(x)
            net.propagate(0.3, t)
    return net


def perceptron_3542() -> Network:
    inp, h1, h2, out = Layer(3), Layer(5, "tanh"), Layer(4, "relu"), Layer(2, "identity")
    inp.project(h1)
    h1.project(h2)
    h2.project(out)
    net = Network(input=inp, hidden=[h1, h2], output=out, seed=7)
    # some bigger weights, so relu's cut and tanh's curve both matter
    rng = np.random.default_rng(5)
    for u, v in net.synapses:
        net.graph[u][v]["weight"] = float(rng.normal(0, 1.5))
    for n in net.neurons:
        net.graph.nodes[n]["bias"] = float(rng.normal(0, 0.5))
    return net


def skip_dag() -> Network:
    """A DAG with skip connections (inputs to outputs, hidden to later hidden, output to
    output), laid out as Synaptic activates: inputs, then hidden, then outputs."""
    rng = np.random.default_rng(11)
    net = Network(seed=2)
    squashes = ["logistic", "tanh", "identity", "relu"]
    ins = [net.add_neuron(role="input") for _ in range(3)]
    hidden = [net.add_neuron(activation=str(rng.choice(squashes)), bias=float(rng.normal()))
              for _ in range(6)]
    outs = [net.add_neuron(role="output", activation=str(rng.choice(squashes)),
                           bias=float(rng.normal())) for _ in range(2)]
    order = ins + hidden + outs
    for j in range(3, len(order)):
        sources = [i for i in range(j) if order[i] not in outs or order[j] in outs]
        for i in sources:
            if rng.random() < 0.6 or i == j - 1:
                net.connect(order[i], order[j], float(rng.normal(0, 1.2)))
    return net


def trained_lstm() -> Network:
    """Synaptic's LSTM (gates, self-connections, peepholes), trained a little, then
    cleared to a fresh state: Synaptic's JSON has no gains, so both sides start at 1."""
    net = LSTM(2, 3, 1, seed=4)
    rng = np.random.default_rng(3)
    net.train(rng.uniform(0, 1, (60, 2)), rng.uniform(0, 1, (60, 1)), rate=0.3, iterations=3,
              error=0, progress=False)
    net.clear(states=True)
    return net


def liquid() -> Network:
    net = Liquid(3, 12, 2, connections=24, gates=8, seed=5)
    rng = np.random.default_rng(8)
    for u, v in net.synapses:
        if u != v:
            net.graph[u][v]["weight"] = float(rng.normal(0, 1.0))
    return net


CASES = {"xor-trained": trained_xor, "perceptron-3-5-4-2": perceptron_3542, "skip-dag": skip_dag,
         "lstm-2-3-1": trained_lstm, "liquid": liquid}


def inputs_for(net: Network, rng: np.random.Generator) -> list[list[float]]:
    k = len(net.inputs)
    rows = rng.uniform(-2, 2, (6, k)).tolist()
    return [[0.0] * k, [1.0] * k, *rows]


@pytest.fixture(scope="module")
def exported() -> dict:
    """netgraph's networks, exported to Synaptic both directly and through netgraph JSON."""
    rng = np.random.default_rng(0)
    nets = {name: make() for name, make in CASES.items()}
    via_json = {f"{name}-via-json": Network.from_json(net.to_json()) for name, net in nets.items()}
    nets.update(via_json)
    request = {"load": [{"name": name, "network": net.to_synaptic(),
                         "inputs": inputs_for(net, rng)} for name, net in nets.items()]}
    reply = run_synaptic(request)
    return {"nets": nets, "request": request, "reply": reply}


@pytest.mark.parametrize("name", [*CASES, *(f"{n}-via-json" for n in CASES)])
def test_synaptic_loads_netgraph_export_with_same_activations(exported, name):
    nets, request, reply = exported["nets"], exported["request"], exported["reply"]
    k = [item["name"] for item in request["load"]].index(name)
    inputs = request["load"][k]["inputs"]
    theirs = np.array(reply["load"][k]["outputs"])
    ours = nets[name].activate(np.array(inputs))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL)


@pytest.mark.parametrize("name", list(CASES))
def test_synaptic_round_trip_keeps_every_number(exported, name):
    """What Synaptic loaded and wrote back imports into netgraph with the same numbers."""
    nets, request, reply = exported["nets"], exported["request"], exported["reply"]
    k = [item["name"] for item in request["load"]].index(name)
    # Liquid's gaters also project: the import warns that Synaptic trains them differently
    with pytest.warns(SynapticFidelityWarning) if name == "liquid" else nullcontext():
        back = Network.from_synaptic(reply["load"][k]["json"]).to_synaptic()
    mine = nets[name].to_synaptic()

    def weights(doc):  # Synaptic lists connections in its own order
        return {(c["from"], c["to"]): c["weight"] for c in doc["connections"]}

    assert weights(back) == weights(mine)
    # (input neurons' biases are unused; Synaptic writes them back as 0)
    assert [n["bias"] for n in back["neurons"] if n["layer"] != "input"] == [
        n["bias"] for n in mine["neurons"] if n["layer"] != "input"]


def test_netgraph_imports_networks_made_and_trained_by_synaptic():
    rng = np.random.default_rng(1)
    request = {"make": [
        {"name": "xor", "sizes": [2, 3, 1],
         "train": {"iterations": 500, "rate": 0.3, "set": XOR},
         "inputs": [x for x, _ in XOR]},
        {"name": "3-5-4-2", "sizes": [3, 5, 4, 2], "squash": ["TANH", "RELU", "IDENTITY"],
         "train": {"iterations": 50, "rate": 0.05,
                   "set": [[[0, 0.5, 1], [0.5, -0.5]], [[1, -1, 0.25], [-1, 1]]]},
         "inputs": rng.uniform(-2, 2, (8, 3)).tolist()},
    ]}
    reply = run_synaptic(request)
    for item, sent in zip(reply["make"], request["make"], strict=True):
        net = Network.from_synaptic(item["network"])
        ours = net.activate(np.array(sent["inputs"], dtype=float))
        np.testing.assert_allclose(ours, np.array(item["outputs"]), rtol=0, atol=TOL,
                                   err_msg=item["name"])
        # ... and through netgraph's own file format, unchanged
        again = Network.from_json(net.to_json())
        assert again.activate(np.array(sent["inputs"], dtype=float)).tobytes() == ours.tobytes()
