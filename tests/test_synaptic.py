"""Replaying real Synaptic.js 1.1.4 runs: every recorded output within 1e-9."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import load_fixture, replay

from netgraph import Network, NetworkFormatError, _reference

FEED_FORWARD = ["xor-2-3-1-seed", "perceptron-3-5-4-2-mixed"]


@pytest.mark.parametrize("name", FEED_FORWARD)
def test_fixture_replays_within_1e9(name):
    fx = load_fixture(name)
    net = Network.from_synaptic(fx["initial"])
    outputs = replay(net, fx["steps"])
    assert len(outputs) == len(fx["outputs"])
    np.testing.assert_allclose(outputs, fx["outputs"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", FEED_FORWARD)
def test_final_weights_match_synaptic(name):
    fx = load_fixture(name)
    net = Network.from_synaptic(fx["initial"])
    replay(net, fx["steps"])
    mine, theirs = net.to_synaptic(), fx["final"]
    assert [(c["from"], c["to"]) for c in mine["connections"]] == [
        (c["from"], c["to"]) for c in theirs["connections"]]
    np.testing.assert_allclose([c["weight"] for c in mine["connections"]],
                               [c["weight"] for c in theirs["connections"]], atol=1e-9)
    hidden_and_output = [k for k, n in enumerate(theirs["neurons"]) if n["layer"] != "input"]
    np.testing.assert_allclose([mine["neurons"][k]["bias"] for k in hidden_and_output],
                               [theirs["neurons"][k]["bias"] for k in hidden_and_output],
                               atol=1e-9)


def test_reference_evaluator_replays_perceptron_fixture():
    fx = load_fixture("perceptron-3-5-4-2-mixed")
    net = Network.from_synaptic(fx["initial"])
    G = net.graph
    last = {}

    def activate(x):
        last["v"] = _reference.activate(G, x)
        return [last["v"]["y"][o] for o in net.outputs]

    def propagate(rate, target):
        _reference.propagate(G, last["v"], rate, target)

    outputs = replay(net, fx["steps"], activate, propagate)
    np.testing.assert_allclose(outputs, fx["outputs"], rtol=0, atol=1e-9)


def test_round_trip_keeps_order_and_exact_numbers():
    fx = load_fixture("perceptron-3-5-4-2-mixed")
    doc = Network.from_synaptic(json.dumps(fx["initial"])).to_synaptic()
    for a, b in zip(doc["neurons"], fx["initial"]["neurons"], strict=True):
        assert (a["bias"], a["layer"], a["squash"]) == (b["bias"], b["layer"], b["squash"])
    assert [(c["from"], c["to"], c["weight"]) for c in doc["connections"]] == [
        (c["from"], c["to"], c["weight"]) for c in fx["initial"]["connections"]]


def test_import_from_path(tmp_path):
    fx = load_fixture("xor-2-3-1-seed")
    path = tmp_path / "net.json"
    path.write_text(json.dumps(fx["initial"]))
    net = Network.from_synaptic(path)
    np.testing.assert_allclose(net.activate([0, 0]), fx["outputs"][0], atol=1e-15)
    assert net.inputs == ["i0", "i1"] and net.outputs == ["o0"]
    assert net.layers == {"input": ["i0", "i1"], "hidden0": ["h0", "h1", "h2"],
                          "output": ["o0"]}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["connections"][3].update({"to": 99}),
         r"connections\[3\]\.to: unknown neuron 99"),
        (lambda d: d["connections"][0].update({"weight": "x"}), r"connections\[0\]\.weight"),
        (lambda d: d["neurons"][2].update({"squash": None}), r"neurons\[2\]\.squash"),
        (lambda d: d["neurons"][2].update({"squash": "SOFTMAX"}), r"neurons\[2\]\.squash"),
        (lambda d: d["neurons"][1].update({"layer": "middle"}), r"neurons\[1\]\.layer"),
        (lambda d: d["neurons"][1].update({"bias": float("nan")}), r"neurons\[1\]\.bias"),
        (lambda d: d.pop("connections"), r"connections: expected a list"),
        (lambda d: d["connections"][0].update({"gater": 99}),
         r"connections\[0\]\.gater: unknown neuron 99"),
        (lambda d: d["connections"].extend([{"from": 3, "to": 3, "weight": 1, "gater": None}] * 2),
         r"connections\[10\]: the self-connection of h1 is listed twice"),
    ],
)
def test_bad_synaptic_documents_name_the_place(mutate, message):
    doc = json.loads(json.dumps(load_fixture("xor-2-3-1-seed")["initial"]))
    mutate(doc)
    with pytest.raises(NetworkFormatError, match=message):
        Network.from_synaptic(doc)


def test_malformed_json_text():
    with pytest.raises(NetworkFormatError, match="not valid JSON"):
        Network.from_synaptic('{"neurons": [')


def test_export_refuses_activations_synaptic_lacks():
    net = Network.from_synaptic(load_fixture("xor-2-3-1-seed")["initial"])
    net.graph.nodes["h1"]["activation"] = "softsign"
    with pytest.raises(NetworkFormatError, match="'h1' uses 'softsign'"):
        net.to_synaptic()


def _synaptic_neuron(layer, squash, bias=0.0):
    return {"trace": {"elegibility": {}, "extended": {}}, "state": 0, "old": 0,
            "activation": 0, "bias": bias, "layer": layer, "squash": squash}


def test_hlim_is_imported_as_a_hard_limit():
    """Synaptic's HLIM is a step: 1 when the state is > 0, else 0 (by hand)."""
    doc = {"neurons": [_synaptic_neuron("input", "LOGISTIC"), _synaptic_neuron(0, "HLIM", -0.25),
                       _synaptic_neuron("output", "IDENTITY")],
           "connections": [{"from": 0, "to": 1, "weight": 0.5, "gater": None},
                           {"from": 1, "to": 2, "weight": 3.0, "gater": None}]}
    net = Network.from_synaptic(doc)
    assert net.graph.nodes[net.neurons[1]]["activation"] == "hlim"
    # state of the HLIM neuron: 0.5 * x - 0.25; output: 3 * step(state)
    assert net.activate([2.0])[0] == 3.0  # state 0.75 > 0
    assert net.activate([0.25])[0] == 0.0  # state -0.125
    assert net.activate([0.6])[0] == 3.0  # state 0.05: a relu would give 0.15
    assert net.to_synaptic()["neurons"][1]["squash"] == "HLIM"


def test_export_refuses_a_delayed_synapse_that_runs_forward():
    net = Network()
    net.add_neuron("i", role="input", bias=0.0)
    net.add_neuron("h", bias=0.0)
    net.add_neuron("o", role="output", bias=0.0)
    net.connect("i", "h", 0.5)
    net.connect("h", "o", 0.5, delay=1)  # reads h's previous value, though h runs first
    assert net.activate([1.0]).shape == (1,)  # netgraph can run it
    with pytest.raises(NetworkFormatError, match="'h' -> 'o' is delayed but runs forward"):
        net.to_synaptic()
