"""ONNX and PyTorch MLPs into netgraph: what torch.onnx.export and skl2onnx really write,
nn.Sequential directly, refusals by operator name, round trips, and a fuzz of the reader."""

from __future__ import annotations

import io
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from netgraph import NetgraphWarning, Network, NetworkFormatError
from netgraph.interop import _onnx as onnx_module
from netgraph.interop import from_onnx, from_torch, to_onnx


@pytest.fixture(scope="module")
def torch():
    import torch  # slow to import: once for the module

    return torch


def mlp(torch, dtype=None):
    torch.manual_seed(0)
    nn = torch.nn
    m = nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 5), nn.ReLU(),
                      nn.Sequential(nn.Linear(5, 4), nn.Sigmoid()), nn.Linear(4, 2))
    return m.to(dtype or torch.float64)


def torch_onnx_bytes(torch, module, n_in, dtype):
    """What ``torch.onnx.export`` (its default exporter) writes for ``module``."""
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's own deprecation chatter
        torch.onnx.export(module, (torch.zeros(2, n_in, dtype=dtype),), f,
                          dynamic_shapes=({0: torch.export.Dim("batch")},), verbose=False)
    return f.getvalue()


@pytest.fixture(scope="module")
def exported(torch):
    module = mlp(torch)
    return module, torch_onnx_bytes(torch, module, 3, torch.float64)


def test_torch_onnx_export_of_a_sequential(torch, exported):
    module, data = exported
    assert [n.op_type for n in onnx.load_from_string(data).graph.node] == [
        "Gemm", "Tanh", "Gemm", "Relu", "Gemm", "Sigmoid", "Gemm"]
    net = from_onnx(data)
    assert [len(v) for v in net.layers.values()] == [3, 6, 5, 4, 2]
    X = np.random.default_rng(0).normal(size=(50, 3))
    want = module(torch.tensor(X)).detach().numpy()
    np.testing.assert_allclose(net.activate(X), want, rtol=1e-12, atol=1e-12)


def test_float32_models_import_their_exact_weights(torch):
    module = mlp(torch, torch.float32)
    net = from_onnx(torch_onnx_bytes(torch, module, 3, torch.float32))
    assert net.graph["i0"]["h0"]["weight"] == float(module[0].weight.detach()[0, 0])
    X = np.random.default_rng(1).normal(size=(20, 3))
    want = module(torch.tensor(X, dtype=torch.float32)).detach().numpy()
    np.testing.assert_allclose(net.activate(X), want, rtol=1e-5, atol=1e-6)


def test_round_trip_torch_onnx_netgraph_onnx_onnxruntime(torch, exported, tmp_path):
    module, data = exported
    path = tmp_path / "torch.onnx"
    path.write_bytes(data)
    net = from_onnx(path)  # from a path, this time
    again = to_onnx(net)
    X = np.random.default_rng(2).normal(size=(30, 3))
    got = ort.InferenceSession(again.SerializeToString()).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, module(torch.tensor(X)).detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    # and torch's own model in onnxruntime agrees too
    theirs = ort.InferenceSession(data)
    name = theirs.get_inputs()[0].name
    np.testing.assert_allclose(theirs.run(None, {name: X})[0], got, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
def test_skl2onnx_mlp_regressor(activation):
    from skl2onnx import to_onnx as skl_to_onnx
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 4))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's ConvergenceWarning: a short fit is enough
        reg = MLPRegressor(hidden_layer_sizes=(7, 5), activation=activation, max_iter=200,
                           random_state=0).fit(X, y)
    model = skl_to_onnx(reg, X[:1])  # float64 in: a float64 model
    net = from_onnx(model)
    assert [len(v) for v in net.layers.values()] == [4, 7, 5, 1]
    np.testing.assert_allclose(net.activate(X)[:, 0], reg.predict(X), rtol=1e-12, atol=1e-12)
    sess = ort.InferenceSession(model.SerializeToString())
    np.testing.assert_allclose(sess.run(None, {"X": X})[0], net.activate(X), rtol=1e-12,
                               atol=1e-12)


def test_a_reshape_that_changes_the_values_shape_is_refused():
    """skl2onnx 1.20 ends a multi-output MLPRegressor with Reshape(-1, 1), which turns
    (batch, 2) into (2 * batch, 1): that is not the regressor's function."""
    from skl2onnx import to_onnx as skl_to_onnx
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(
            X, X[:, :2])
    with pytest.raises(NetworkFormatError, match=r"Reshape to \[-1, 1\] changes the shape "
                       r"\(batch, 2\)"):
        from_onnx(skl_to_onnx(reg, X[:1]))


def test_skl2onnx_single_output_regressor_float32():
    from skl2onnx import to_onnx as skl_to_onnx
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = MLPRegressor(hidden_layer_sizes=(6,), max_iter=100, random_state=0).fit(
            X, X.sum(axis=1))
    net = from_onnx(skl_to_onnx(reg, X[:1].astype(np.float32)).SerializeToString())
    assert len(net.outputs) == 1
    np.testing.assert_allclose(net.activate(X)[:, 0], reg.predict(X), rtol=1e-5, atol=1e-5)


def test_a_classifier_is_refused_by_its_operators():
    from skl2onnx import to_onnx as skl_to_onnx
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=50, random_state=0).fit(
            X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0))
    with pytest.raises(NetworkFormatError, match=r"label output|Softmax|ArgMax|ZipMap"):
        from_onnx(skl_to_onnx(clf, X[:1], options={"zipmap": False}))


def test_a_final_softmax_reads_as_softmax_outputs_and_convolution_is_refused(torch):
    nn = torch.nn
    torch.manual_seed(0)
    soft = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.Softmax(dim=1)).double()
    net = from_onnx(torch_onnx_bytes(torch, soft, 3, torch.float64))
    assert [net.graph.nodes[o]["activation"] for o in net.outputs] == ["softmax"] * 4
    X = np.random.default_rng(1).normal(size=(9, 3))
    want = soft(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(net.activate(X), want, rtol=1e-12, atol=1e-15)
    inner = nn.Sequential(nn.Linear(3, 4), nn.Softmax(dim=1), nn.Linear(4, 2)).double()
    with pytest.raises(NetworkFormatError, match=r"Gemm after a Softmax"):
        from_onnx(torch_onnx_bytes(torch, inner, 3, torch.float64))
    conv = nn.Sequential(nn.Conv1d(1, 2, 3), nn.Flatten(), nn.Linear(8, 1)).double()
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(conv, (torch.zeros(2, 1, 6, dtype=torch.float64),), f)
    with pytest.raises(NetworkFormatError, match=r"operator Conv "):
        from_onnx(f.getvalue())
    with pytest.raises(NetworkFormatError, match=r"LayerNorm"):
        from_torch(nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4)))
    with pytest.raises(NetworkFormatError, match=r"Conv1d"):
        from_torch(conv)


def test_from_torch_reads_a_sequential_directly(torch):
    module = mlp(torch)
    net = from_torch(module)
    X = np.random.default_rng(6).normal(size=(25, 3))
    np.testing.assert_allclose(net.activate(X), module(torch.tensor(X)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)
    nn = torch.nn
    more = nn.Sequential(nn.Linear(2, 3, bias=False), nn.LeakyReLU(0.01), nn.Dropout(0.1),
                         nn.Linear(3, 3), nn.Hardtanh(), nn.Linear(3, 2), nn.SELU()).double()
    with pytest.warns(NetgraphWarning, match="dropout"):
        net2 = from_torch(more)
    more.eval()
    X2 = np.random.default_rng(7).normal(size=(10, 2)) * 3
    np.testing.assert_allclose(net2.activate(X2), more(torch.tensor(X2)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)
    with pytest.raises(NetworkFormatError, match="LeakyReLU"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.LeakyReLU(0.2)))
    with pytest.raises(NetworkFormatError, match="second activation"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh()))
    with pytest.raises(NetworkFormatError, match="before the first Linear"):
        from_torch(nn.Sequential(nn.Tanh(), nn.Linear(2, 2)))


def test_bad_documents_raise_network_format_errors(tmp_path, monkeypatch, exported):
    _, data = exported
    with pytest.raises(NetworkFormatError, match="not an ONNX model"):
        from_onnx(b"\x08\x07garbage that is not protobuf \xff\xff\xff")
    with pytest.raises(NetworkFormatError, match="cannot read"):
        from_onnx(tmp_path / "missing.onnx")
    monkeypatch.setattr(onnx_module, "MAX_BYTES", 100)
    with pytest.raises(NetworkFormatError, match="over the 100-byte cap"):
        from_onnx(data)
    monkeypatch.undo()
    model = onnx.load_from_string(data)
    tensor = model.graph.initializer[0]
    tensor.data_location = onnx.TensorProto.EXTERNAL
    with pytest.raises(NetworkFormatError, match="outside the model file"):
        from_onnx(model)
    with pytest.raises(TypeError):
        from_onnx(12)


@pytest.mark.parametrize("source", ["torch", "hand-written"])
def test_fuzzed_models_load_or_raise_network_format_error(exported, source):
    """Random byte flips, truncations and splices: a network or a NetworkFormatError,
    never another exception. (torch's bytes differ a little from run to run; the
    hand-written Gemm + Clip model's do not.)"""
    data = exported[1] if source == "torch" else gemm_clip_model().SerializeToString()
    rng = np.random.default_rng(8)
    outcomes = {"loaded": 0, "refused": 0}
    for k in range(300):
        b = bytearray(data)
        kind = k % 3
        if kind == 0:
            for _ in range(int(rng.integers(1, 6))):
                b[int(rng.integers(len(b)))] = int(rng.integers(256))
        elif kind == 1:
            b = b[: int(rng.integers(len(b)))]
        else:
            a = int(rng.integers(len(b)))
            b = b[:a] + bytes(rng.integers(0, 256, int(rng.integers(1, 40))).astype(np.uint8)) \
                + b[a:]
        try:
            net = from_onnx(bytes(b))
        except NetworkFormatError:
            outcomes["refused"] += 1
        else:
            assert isinstance(net, Network)
            outcomes["loaded"] += 1
    assert outcomes["refused"] > 0 and outcomes["loaded"] > 0


def gemm_clip_model(gemm_attrs=None, clip_bounds=(-1.0, 1.0), activation=None):
    """x (batch, 2) -> Gemm -> Clip(lo, hi) or ``activation`` -> y, written by hand."""
    from onnx import TensorProto, helper, numpy_helper

    inits = [numpy_helper.from_array(np.array([[0.5], [-1.5]]), "W"),
             numpy_helper.from_array(np.array([0.25]), "b")]
    gemm = helper.make_node("Gemm", ["x", "W", "b"], ["h"], **(gemm_attrs or {}))
    if activation is None:
        lo, hi = (np.asarray(v, dtype=np.float64) for v in clip_bounds)
        inits += [numpy_helper.from_array(lo, "lo"), numpy_helper.from_array(hi, "hi")]
        act = helper.make_node("Clip", ["h", "lo", "hi"], ["y"])
    else:
        act = activation
    graph = helper.make_graph(
        [gemm, act], "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["batch", 2])],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["batch", 1])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_a_hand_written_gemm_clip_model_imports_as_onnxruntime_runs_it():
    model = gemm_clip_model(gemm_attrs={"alpha": 2.0, "beta": 0.5})
    X = np.random.default_rng(3).uniform(-2, 2, (50, 2))
    expected = ort.InferenceSession(model.SerializeToString()).run(None, {"x": X})[0]
    net = from_onnx(model)
    assert [net.graph.nodes[n]["activation"] for n in net.outputs] == ["hard_tanh"]
    np.testing.assert_allclose(net.activate(X), expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize(("change", "message"), [
    ({"gemm_attrs": {"alpha": [1.0, 2.0]}}, "attribute 'alpha' is a list, not a number"),
    ({"gemm_attrs": {"transB": "yes"}}, "attribute 'transB' is a bytes, not a number"),
    ({"clip_bounds": ([-1.0, 0.0], 1.0)}, "input 'lo' of shape \\(2,\\) is not one number"),
    ({"activation": "leaky"}, "attribute 'alpha' is a list"),
])
def test_attributes_and_constants_of_the_wrong_kind_are_named(change, message):
    """A damaged model can hold a list or a string where a number belongs (the byte fuzz
    found a list-valued Gemm alpha): a NetworkFormatError naming the node, no TypeError."""
    from onnx import helper

    if change.get("activation") == "leaky":
        change = {"activation": helper.make_node("LeakyRelu", ["h"], ["y"], alpha=[0.01])}
    with pytest.raises(NetworkFormatError, match=message):
        from_onnx(gemm_clip_model(**change))


def test_nodes_without_their_operands_are_named():
    model = gemm_clip_model()
    del model.graph.node[0].input[1:]
    with pytest.raises(NetworkFormatError, match="has 1 input, Gemm needs two"):
        from_onnx(model)
    model = gemm_clip_model()
    del model.graph.node[1].output[:]
    with pytest.raises(NetworkFormatError, match=r"a Clip node: has no output"):
        from_onnx(model)


@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "identity"])
def test_round_trip_netgraph_onnx_netgraph(activation):
    """A plain stack of layers exports as Gemm + activation per layer, which reads back."""
    from netgraph.architect import Perceptron

    net = Perceptron(3, 5, 4, 2, activation=activation, seed=1)
    model = to_onnx(net)
    assert [n.op_type for n in model.graph.node][:1] == ["Gemm"]
    back = from_onnx(model)
    X = np.random.default_rng(9).normal(size=(20, 3))
    np.testing.assert_array_equal(back.activate(X), net.activate(X))
    assert [len(v) for v in back.layers.values()] == [3, 5, 4, 2]
