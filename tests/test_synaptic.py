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
        (lambda d: d["connections"].append(dict(d["connections"][0])), "listed twice"),
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
