"""ONNX export, run by the real onnxruntime against netgraph's evaluator and the reference."""

from __future__ import annotations

import json
import sys

import networkx as nx
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from exports import (
    HOSTILE,
    every_activation,
    every_activation_inputs,
    expected_batch,
    expected_sequence,
    feedforward_zoo,
    inputs_for,
    recurrent_zoo,
)

import netgraph
from netgraph import ACTIVATIONS, MissingDependencyError, Network, UnreachableOutputWarning
from netgraph.interop import state_layout, to_onnx
from netgraph.interop._onnx import ONNX_ACTIVATIONS, OPSET

FF = feedforward_zoo()
REC = recurrent_zoo()


def session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def run_sequence(model, net, X, dtype=np.float64):
    """Step an exported one-step model through the rows of X from a fresh state."""
    sess = session(model)
    n, layout = len(net.neurons), state_layout(net)
    names = [i.name for i in sess.get_inputs()]
    state = {"state": np.zeros((1, n), dtype), "activation": np.zeros((1, n), dtype)}
    if "gain" in names:
        state["gain"] = np.ones((1, len(layout.gated)), dtype)
    outs = []
    out_names = [o.name for o in sess.get_outputs()]
    for x in X:
        result = sess.run(None, {"input": x[None].astype(dtype), **state})
        outs.append(result[0][0])
        state = {k.removeprefix("next_"): v for k, v in zip(out_names[1:], result[1:],
                                                              strict=True)}
    return np.array(outs)


def test_every_activation_has_an_onnx_form():
    assert set(ONNX_ACTIVATIONS) == set(ACTIVATIONS)


def test_every_activation_exports_exactly():
    net = every_activation()
    X = every_activation_inputs()
    expected = expected_batch(net, X)
    got = session(to_onnx(net)).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    got32 = session(to_onnx(net, dtype="float32")).run(None, {"input": X.astype(np.float32)})[0]
    np.testing.assert_allclose(got32, expected, rtol=1.3e-6, atol=1e-5)


@pytest.mark.parametrize("name", sorted(FF))
def test_feedforward_nets_match_in_float64_and_float32(name):
    net = FF[name]
    X = inputs_for(net, 64)
    expected = expected_batch(net, X)
    model = to_onnx(net)
    assert [o.version for o in model.opset_import] == [OPSET]
    got = session(model).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    got32 = session(to_onnx(net, dtype="float32")).run(None, {"input": X.astype(np.float32)})[0]
    assert got32.dtype == np.float32
    # float32's rounding scales with the largest values the network computes, not with each
    # output (a small output may be the difference of large sums: square, cube, inverse)
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(got32, expected, rtol=1.3e-6, atol=1e-5 * scale)
    # the batch dimension is dynamic: one row and 1,000 rows run the same model
    one = session(model).run(None, {"input": X[:1]})[0]
    np.testing.assert_allclose(one, expected[:1], rtol=1e-12, atol=1e-12)


def test_sparse_and_dense_levels_both_run():
    """A wide level with few synapses goes term by term, a full one through a dense block."""
    net = Network(seed=0)
    xs = [net.add_neuron(role="input") for _ in range(40)]
    wide = [net.add_neuron(activation="tanh") for _ in range(30)]
    for k, h in enumerate(wide):  # each reads one input: 30 x 40 block, 30 synapses
        net.connect(xs[k], h, 0.5 + k / 10)
    out = net.add_neuron(role="output", activation="identity")
    for h in wide:
        net.connect(h, out, 0.25)
    for x in xs[::3]:  # a skip connection
        net.connect(x, out, -0.5)
    ops = {n.op_type for n in to_onnx(net).graph.node}
    assert {"ReduceSum", "MatMul"} <= ops
    X = inputs_for(net, 20)
    np.testing.assert_allclose(session(to_onnx(net)).run(None, {"input": X})[0],
                               expected_batch(net, X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(REC))
def test_one_step_model_reproduces_a_sequence(name):
    net = REC[name]
    X = inputs_for(net, 30)
    expected = expected_sequence(net, X)
    model = to_onnx(net)
    np.testing.assert_allclose(run_sequence(model, net, X), expected, rtol=1e-12, atol=1e-12)
    got32 = run_sequence(to_onnx(net, dtype="float32"), net, X, np.float32)
    np.testing.assert_allclose(got32, expected, rtol=1e-4, atol=1e-4)


def test_one_step_model_runs_independent_sequences_as_a_batch():
    net = REC["lstm"]
    sess = session(to_onnx(net))
    seqs = [inputs_for(net, 12, seed=s) for s in range(3)]
    n, g = len(net.neurons), len(state_layout(net).gated)
    state = {"state": np.zeros((3, n)), "activation": np.zeros((3, n)), "gain": np.ones((3, g))}
    outs = []
    for t in range(12):
        x = np.stack([s[t] for s in seqs])
        out, s, y, gain = sess.run(["output", "next_state", "next_activation", "next_gain"],
                                   {"input": x, **state})
        state = {"state": s, "activation": y, "gain": gain}
        outs.append(out)
    for k, seq in enumerate(seqs):
        np.testing.assert_allclose(np.array(outs)[:, k], expected_sequence(net, seq),
                                   rtol=1e-12, atol=1e-12)


def test_state_columns_follow_state_layout():
    net = REC["hand_gated"]
    layout = state_layout(net)
    assert layout.recurrent and layout.neurons[:2] == ["a", "b"]
    assert ("m", "m") in layout.gated and layout.gaters[layout.gated.index(("m", "m"))] == "g1"
    meta = {p.key: p.value for p in to_onnx(net).metadata_props}
    assert json.loads(meta["netgraph_neurons"]) == layout.neurons
    assert json.loads(meta["netgraph_gated"]) == [list(e) for e in layout.gated]
    # after a step, next_state holds each neuron's state in that order
    x = np.array([[0.3, -0.8]])
    n = len(layout.neurons)
    out = session(to_onnx(net)).run(None, {"input": x, "state": np.zeros((1, n)),
                                           "activation": np.zeros((1, n)),
                                           "gain": np.ones((1, len(layout.gated)))})
    twin = net.copy()
    twin.activate(x[0])
    from netgraph import _reference

    ref = _reference.Recurrent(net.graph.copy())
    ref.activate(x[0])
    np.testing.assert_allclose(out[1][0], [ref.s[k] for k in layout.neurons], atol=1e-15)
    np.testing.assert_allclose(out[2][0], [ref.y[k] for k in layout.neurons], atol=1e-15)


def test_metadata_names_version_network_and_every_input_and_output():
    net = REC["gru"]
    net.graph.graph["name"] = "my gru"
    model = to_onnx(net)
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["netgraph_version"] == netgraph.__version__
    assert meta["netgraph_network_name"] == "my gru"
    assert meta["netgraph_kind"] == "one-step"
    io = json.loads(meta["netgraph_io"])
    assert set(io) == {"input", "state", "activation", "gain", "output", "next_state",
                       "next_activation", "next_gain"}
    assert all(io.values())
    assert model.producer_name == "netgraph"
    for v in [*model.graph.input, *model.graph.output]:
        assert v.doc_string and v.type.tensor_type.shape.dim[0].dim_param == "batch"
    onnx.checker.check_model(model, full_check=True)


def test_hostile_names_and_ids_are_data_only(tmp_path):
    net = Network(seed=0)
    ids = [net.add_neuron(HOSTILE[k], role="input") for k in range(2)]
    hid = net.add_neuron(HOSTILE[2], activation="tanh")
    out = net.add_neuron(HOSTILE[3], role="output")
    for i in ids:
        net.connect(i, hid)
    net.connect(hid, out)
    net.connect(out, out, 0.5)  # recurrent: the ids go into the neuron list
    net.graph.graph["name"] = HOSTILE[5] + HOSTILE[0]
    path = tmp_path / "m.onnx"
    model = to_onnx(net, path)
    assert path.read_bytes() == model.SerializeToString()
    meta = {p.key: p.value for p in model.metadata_props}
    assert json.loads(meta["netgraph_neurons"]) == state_layout(net).neurons
    assert HOSTILE[0] in meta["netgraph_network_name"]
    names = {n for node in model.graph.node for n in [*node.input, *node.output, node.name]}
    names |= {i.name for i in model.graph.initializer}
    assert all(name.replace("_", "").isalnum() or name == "" for name in names), names
    X = inputs_for(net, 5)
    np.testing.assert_allclose(run_sequence(model, net, X), expected_sequence(net, X),
                               rtol=1e-12, atol=1e-12)


def test_without_onnx_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'netgraph-nn\[onnx\]'"):
        to_onnx(FF["perceptron"])
    with pytest.raises(ImportError):  # still an ImportError for code that expects one
        to_onnx(FF["perceptron"])


def test_bad_dtype():
    with pytest.raises(ValueError, match="float16"):
        to_onnx(FF["perceptron"], dtype="float16")


@pytest.mark.parametrize("name", sorted(REC))
def test_whole_sequence_scan_model(name):
    net = REC[name]
    model = to_onnx(net, sequence=True)
    onnx.checker.check_model(model, full_check=True)
    assert [n.op_type for n in model.graph.node] == ["Scan"]
    seqs = [inputs_for(net, 15, seed=s) for s in range(3)]
    layout = state_layout(net)
    n = len(layout.neurons)
    feed = {"inputs": np.stack(seqs, axis=1), "initial_state": np.zeros((3, n)),
            "initial_activation": np.zeros((3, n))}
    if layout.gated:
        feed["initial_gain"] = np.ones((3, len(layout.gated)))
    result = dict(zip([o.name for o in model.graph.output],
                      session(model).run(None, feed), strict=True))
    assert result["outputs"].shape == (15, 3, len(net.outputs))
    for k, seq in enumerate(seqs):
        np.testing.assert_allclose(result["outputs"][:, k], expected_sequence(net, seq),
                                   rtol=1e-12, atol=1e-12)
    # the final state is the one-step model's after the same steps
    step = session(to_onnx(net))
    state = {"state": feed["initial_state"], "activation": feed["initial_activation"]}
    if layout.gated:
        state["gain"] = feed["initial_gain"]
    for t in range(15):
        out = step.run(None, {"input": feed["inputs"][t], **state})
        state = {o.name.removeprefix("next_"): v
                 for o, v in zip(step.get_outputs()[1:], out[1:], strict=True)}
    for key, value in state.items():
        np.testing.assert_allclose(result[f"final_{key}"], value, rtol=1e-12, atol=1e-12)


def test_sequence_model_is_for_recurrent_networks():
    with pytest.raises(ValueError, match="sequence=True is for recurrent networks"):
        to_onnx(FF["perceptron"], sequence=True)


def test_a_network_without_synapses_exports():
    """Outputs that read nothing are their activated biases (an evolved genome may be so)."""
    G = nx.DiGraph()
    G.add_node("x", role="input", bias=0.0, activation="identity")
    G.add_node("y", role="output", bias=0.5, activation="logistic")
    G.add_node("z", role="output", bias=-2.0, activation="tanh")
    with pytest.warns(UnreachableOutputWarning):
        net = Network.from_graph(G)
    X = np.array([[1.0], [-3.0]])
    got = session(to_onnx(net)).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, net.activate(X), rtol=1e-15)
    np.testing.assert_allclose(got[0], [1 / (1 + np.exp(-0.5)), np.tanh(-2.0)], rtol=1e-15)
