"""brain.js interchange, held against real brain.js 1.6.1 under Node.

brain.js computes in float64 but keeps weights, biases and each layer's outputs in
Float32Arrays, so netgraph (float64 throughout) agrees with it to float32 precision;
a float64 forward pass that rounds each layer's outputs to float32, as brain.js does,
agrees with brain.js to the last float32 bit (up to one unit where Math.exp and numpy's
exp differ in a double's last bit, just at a float32 rounding boundary).
"""

from __future__ import annotations

import itertools

import js_peers
import numpy as np
import pytest
from conftest import xor_net

from netgraph import ConversionWarning, Layer, Network, NetworkFormatError
from netgraph.interop import from_brain, to_brain, to_synaptic
from netgraph.interop._brain import js_keys

FLOAT32 = 2.4e-7  # four float32 units at 1: the roundings of a few layers
KINDS = ["sigmoid", "relu", "tanh", "leaky-relu"]


def close_to_float32(got, want) -> bool:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return bool(np.all(np.abs(got - want) <= FLOAT32 * np.maximum(1.0, np.abs(want))))


def as_brain_computes(net: Network, x) -> np.ndarray:
    """A float64 forward pass layer by layer, each layer's outputs rounded to float32."""
    G = net.graph
    f = {"logistic": lambda s: 1 / (1 + np.exp(-s)), "relu": lambda s: s if s > 0 else 0.0,
         "tanh": np.tanh, "brain_leaky_relu": lambda s: 0.0 if s < 0 else 0.01 * s}
    values = dict(zip(net.inputs, map(float, x), strict=True))
    for label, neurons in net.layers.items():
        if label == "input":
            continue
        out = {}
        for n in neurons:
            s = G.nodes[n]["bias"]
            for u in G.pred[n]:
                s += G[u][n]["weight"] * values[u]
            out[n] = float(np.float32(f[G.nodes[n]["activation"]](s)))
        values.update(out)
    return np.array([values[o] for o in net.outputs])


@pytest.fixture(scope="module")
def trained():
    rng = np.random.default_rng(8)
    programs = []
    for kind in KINDS:
        for hidden in ([3], [5, 4], [6, 5, 4]):
            data = [{"input": rng.uniform(0, 1, 3).tolist(),
                     "output": rng.uniform(0, 1, 2).tolist()} for _ in range(8)]
            programs.append({"seed": len(programs) + 1,
                             "options": {"hiddenLayers": hidden, "activation": kind},
                             "train": {"data": data, "options": {"iterations": 40}},
                             "inputs": rng.uniform(-1, 2, (12, 3)).tolist()})
    return programs, js_peers.brain(programs)


def test_every_activation_runs_as_in_brain_js(trained):
    programs, replies = trained
    for program, reply in zip(programs, replies, strict=True):
        net = from_brain(reply["json"])
        assert [len(v) for v in net.layers.values()] == reply["json"]["sizes"]
        got = [net.activate(np.asarray(x)) for x in program["inputs"]]
        assert close_to_float32(got, reply["outputs"]), program["options"]
        emulated = [as_brain_computes(net, x) for x in program["inputs"]]
        ulp = np.spacing(np.abs(np.asarray(reply["outputs"], dtype=np.float32)))
        assert np.all(np.abs(np.asarray(emulated) - reply["outputs"]) <= ulp)


def test_leaky_relu_is_brain_js_own():
    """brain.js's leaky-relu: 0 below zero, 0.01 * sum above (its source, v1.6.1)."""
    doc = {"sizes": [1, 1], "layers": [{"0": {}}, {"0": {"bias": 0.0, "weights": {"0": 1.0}}}],
           "activation": "leaky-relu"}
    net = from_brain(doc)
    assert net.graph.nodes["o0"]["activation"] == "brain_leaky_relu"
    reply = js_peers.brain([{"json": doc, "inputs": [[-2.0], [3.0]]}])[0]
    assert reply["outputs"] == [[0.0], [pytest.approx(0.03, rel=1e-7)]]
    assert net.activate([-2.0])[0] == 0.0 and net.activate([3.0])[0] == pytest.approx(0.03)


def test_named_inputs_and_outputs_keep_their_names():
    data = [{"input": {"r": 1, "g": 0.5, "b": 0}, "output": {"light": 1, "dark": 0}},
            {"input": {"r": 0, "g": 0.1, "b": 0.2}, "output": {"light": 0, "dark": 1}}]
    program = {"seed": 3, "options": {"hiddenLayers": [3]},
               "train": {"data": data, "options": {"iterations": 20}},
               "inputs": [{"r": 0.2, "g": 0.9, "b": 0.4}, {"r": 0.7, "g": 0.1, "b": 0.3}]}
    reply = js_peers.brain([program])[0]
    net = from_brain(reply["json"])
    assert [net.graph.nodes[n]["name"] for n in net.inputs] == ["r", "g", "b"]
    assert [net.graph.nodes[n]["name"] for n in net.outputs] == ["light", "dark"]
    for x, want in zip(program["inputs"], reply["outputs"], strict=True):
        got = net.activate([x[net.graph.nodes[n]["name"]] for n in net.inputs])
        assert close_to_float32(got, [want["light"], want["dark"]])
    again = to_brain(net)
    assert again["inputLookup"] and list(again["layers"][0]) == ["r", "g", "b"]
    assert list(again["layers"][-1]) == ["light", "dark"]


def test_netgraph_networks_run_in_brain_js_and_come_back(rng):
    nets = []
    for activation in ("logistic", "relu", "tanh", "brain_leaky_relu"):
        layers = [Layer(4), Layer(6, activation=activation), Layer(5, activation=activation),
                  Layer(3, activation=activation)]
        for a, b in itertools.pairwise(layers):
            a.project(b)
        nets.append(Network(input=layers[0], hidden=layers[1:-1], output=layers[-1],
                            seed=int(rng.integers(100))))
        for u, v in list(nets[-1].graph.edges)[::2]:
            nets[-1].graph[u][v]["weight"] = float(rng.normal(0, 1))
    nets[0].disconnect("i0", "h0")  # a missing synapse is a weight of 0 to brain.js
    inputs = rng.uniform(-1, 1, (10, 4))
    docs = [to_brain(net) for net in nets]
    replies = js_peers.brain([{"json": doc, "inputs": inputs.tolist()} for doc in docs])
    for net, doc, reply in zip(nets, docs, replies, strict=True):
        assert close_to_float32(net.activate(inputs), reply["outputs"])
        back = from_brain(doc)  # float32 weights: no rounding left to warn about
        assert close_to_float32(back.activate(inputs), net.activate(inputs))
        assert to_brain(back) == doc
    assert docs[0]["layers"][1]["0"]["weights"]["0"] == 0.0


def test_recurrent_models_are_refused_by_name():
    replies = js_peers.brain([
        {"seed": 1, "recurrent": kind, "options": {"hiddenLayers": [2]},
         "train": {"data": [[1, 2, 3]],
                   "options": {"iterations": 1}}}
        for kind in ("RNN", "LSTM", "GRU", "LSTMTimeStep")])
    for kind, reply in zip(("RNN", "LSTM", "GRU", "LSTMTimeStep"), replies, strict=True):
        with pytest.raises(NetworkFormatError, match=rf"brain.recurrent.{kind} model"):
            from_brain(reply["json"])


def test_what_brain_js_cannot_express_is_refused():
    net = xor_net(seed=1)
    net.connect("i0", "o0", 0.5)
    with pytest.raises(NetworkFormatError, match="skips a layer"):
        to_brain(net)
    net = xor_net(seed=1)
    net.graph.nodes["h0"]["activation"] = "tanh"
    with pytest.raises(NetworkFormatError, match="logistic, tanh"):
        to_brain(net)
    from netgraph.architect import LSTM

    with pytest.raises(NetworkFormatError, match="feed-forward"):
        to_brain(LSTM(1, 2, 1, seed=0))


def test_javascript_key_order():
    assert js_keys({"b": 0, "10": 0, "a": 0, "2": 0, "01": 0, "-1": 0}) == \
        ["2", "10", "b", "a", "01", "-1"]
    doc = {"sizes": [2, 1], "layers": [{"1": {}, "0": {}},
                                       {"0": {"bias": 0.5, "weights": {"1": 2.0, "0": 3.0}}}]}
    net = from_brain(doc)  # JavaScript sees keys "0", "1": weights 3, 2
    assert [net.graph[u]["o0"]["weight"] for u in net.inputs] == [3.0, 2.0]


def _doc(**changes):
    doc = {"sizes": [2, 1], "layers": [{"0": {}, "1": {}},
                                       {"0": {"bias": 0.25, "weights": {"0": 0.5, "1": -1.5}}}],
           "outputLookup": False, "inputLookup": False, "activation": "sigmoid",
           "trainOpts": {"iterations": 10}}
    doc.update(changes)
    return doc


def test_values_beyond_float32_are_rounded_as_brain_js_rounds_them():
    doc = _doc(layers=[{"0": {}, "1": {}}, {"0": {"bias": 0.1, "weights": {"0": 0.2, "1": 1}}}])
    with pytest.warns(ConversionWarning, match="2 values"):
        net = from_brain(doc)
    assert net.graph.nodes["o0"]["bias"] == float(np.float32(0.1))
    reply = js_peers.brain([{"json": doc, "inputs": [[0.3, 0.6]]}])[0]
    assert close_to_float32(net.activate([0.3, 0.6]), reply["outputs"][0])


@pytest.mark.parametrize(("change", "message"), [
    ({"sizes": [2]}, "an input and an output layer"),
    ({"sizes": [2, 2]}, r"layers\[1\]: 1 nodes, but sizes\[1\] is 2"),
    ({"activation": "softmax"}, "'softmax' is not one of brain.js's activations"),
    ({"activation": "leaky-relu", "leakyReluAlpha": 0.2}, "leakyReluAlpha: 0.2"),
    ({"layers": [{"0": {}, "1": {}}, {"0": {"bias": "x", "weights": {}}}]},
     r"layers\[1\]\['0'\].bias: expected a number"),
    ({"layers": [{"0": {}, "1": {}}, {"0": {"bias": 0, "weights": {"1": 1, "2": 1}}}]},
     "keys must be those of layers"),
    ({"layers": [{"0": {}, "1": {}}, {"0": {"bias": 0, "weights": [1]}}]},
     "1 weights for 2 inputs"),
    ({"layers": [{"0": {}, "1": {}}]}, "1 layers, but sizes lists 2"),
    ({"layers": [{"0": {}, "1": {}}, {"0": {"bias": -1e300, "weights": {"0": 1, "1": 1}}}]},
     r"layers\[1\]\['0'\].bias: -1e\+300 is beyond float32's range: brain.js would hold "
     "-Infinity"),
    ({"type": ["LSTM"], "sizes": [1, 1], "layers": [{"0": {}}, {"0": {}}]}, r"\.bias"),
])
def test_bad_documents_name_the_place(change, message):
    with pytest.raises(NetworkFormatError, match=message):
        from_brain(_doc(**change))


def test_other_formats_are_named():
    with pytest.raises(NetworkFormatError, match="Synaptic"):
        from_brain(to_synaptic(xor_net()))
