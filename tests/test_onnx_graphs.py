"""ONNX graphs both ways: every feed-forward network netgraph exports reads back (skip
connections, random DAGs, every activation), torch's exporter with a skip connection,
and graphs that loop are refused at once, naming the value, built with the real onnx."""

from __future__ import annotations

import io
import threading
import warnings

import networkx as nx
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from conftest import random_dag
from onnx import TensorProto, helper, numpy_helper

from netgraph import ACTIVATIONS, Network, NetworkFormatError
from netgraph.architect import Perceptron
from netgraph.interop import from_onnx, from_torch, load, to_onnx


def finishes(fn, *args):
    """fn(*args) in a thread; the exception it raised, or None. A reader that never
    returns fails here instead of hanging the suite (the bound is minutes, not a speed
    requirement)."""
    box: list[BaseException | None] = []

    def run():
        try:
            fn(*args)
        except BaseException as e:  # handed back to the test
            box.append(e)
        else:
            box.append(None)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout=300)
    assert box, f"{fn.__name__} did not return: the reader loops"
    return box[0]


def graph_model(nodes, inits, out="y", width=2, out_width=2):
    g = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["batch", width])],
        [helper.make_tensor_value_info(out, TensorProto.DOUBLE, ["batch", out_width])],
        initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


# ------------------------------------------------------------------------ loops
@pytest.mark.parametrize("out", ["y", "a", "h"])
def test_an_identity_loop_is_refused_naming_the_value(out):
    """Gemm(x) -> h; Identity(h) -> a; Identity(a) -> h: the 136-byte model that ran
    until killed."""
    model = graph_model([helper.make_node("Gemm", ["x", "W"], ["h"]),
                         helper.make_node("Identity", ["h"], ["a"]),
                         helper.make_node("Identity", ["a"], ["h"])],
                        [numpy_helper.from_array(np.eye(2), "W")], out=out)
    data = model.SerializeToString()
    error = finishes(from_onnx, data)
    assert isinstance(error, NetworkFormatError)
    assert "value 'h'" in str(error)


@pytest.mark.parametrize("size", [2, 1000])
@pytest.mark.parametrize("out", ["y", "h3"])
def test_a_gemm_loop_is_refused_before_it_grows(size, out):
    """Gemm -> Gemm -> Gemm looping back appended a layer per lap (4 GB in 10 s with a
    1000x1000 weight)."""
    W = numpy_helper.from_array(np.random.default_rng(0).normal(size=(size, size)), "W")
    model = graph_model([helper.make_node("Gemm", ["x", "W"], ["h1"]),
                         helper.make_node("Gemm", ["h1", "W"], ["h2"]),
                         helper.make_node("Gemm", ["h2", "W"], ["h3"]),
                         helper.make_node("Gemm", ["h3", "W"], ["h1"])],
                        [W], out=out, width=size, out_width=size)
    error = finishes(from_onnx, model.SerializeToString())
    assert isinstance(error, NetworkFormatError)
    assert "value 'h1'" in str(error) and "loops" in str(error)


def test_a_loop_no_input_reaches_is_refused_too():
    W = numpy_helper.from_array(np.eye(2), "W")
    model = graph_model([helper.make_node("Gemm", ["x", "W"], ["y"]),
                         helper.make_node("Gemm", ["b", "W"], ["a"]),
                         helper.make_node("Relu", ["a"], ["b"])], [W])
    error = finishes(from_onnx, model)
    assert isinstance(error, NetworkFormatError)
    assert "value 'a'" in str(error) or "value 'b'" in str(error)


def test_one_byte_changed_in_a_netgraph_export_is_refused(tmp_path):
    """The fuzzer's find: an output renamed to an earlier value's name, one byte apart."""
    from netgraph._cli import main

    net = Perceptron(2, 3, 4, 1, seed=0)
    model = to_onnx(net)
    gemms = [n for n in model.graph.node if n.op_type == "Gemm"]
    earlier, later = gemms[0].output[0], gemms[1].output[0]
    assert len(earlier) == len(later)
    data = model.SerializeToString()
    field = b"\x12" + bytes([len(later)]) + later.encode()  # NodeProto.output
    at = data.index(field) + 2
    changed = data[:at] + earlier.encode() + data[at + len(later):]
    assert sum(a != b for a, b in zip(data, changed, strict=True)) == 1
    error = finishes(from_onnx, changed)
    assert isinstance(error, NetworkFormatError)
    assert f"value {earlier!r}" in str(error)
    path = tmp_path / "mutant.onnx"
    path.write_bytes(changed)
    with pytest.raises(NetworkFormatError, match=f"value {earlier!r}"):
        load(path)
    status: list[int] = []
    assert finishes(lambda: status.append(main(["info", str(path)]))) is None
    assert status == [1]


# ------------------------------------------------------------------ round trips
def check_round_trip(net: Network, X: np.ndarray, dtype: str = "float64") -> Network:
    """Export, import; the import computes what the network and onnxruntime compute,
    and so does its own export."""
    model = to_onnx(net, dtype=dtype)
    back = from_onnx(model.SerializeToString())
    want = net.activate(X)
    tol = 1e-12 if dtype == "float64" else 2e-6
    np.testing.assert_allclose(back.activate(X), want, rtol=tol, atol=tol)
    theirs = ort.InferenceSession(model.SerializeToString()).run(
        None, {"input": X.astype(dtype)})[0]
    np.testing.assert_allclose(back.activate(X), theirs, rtol=tol * 100, atol=tol * 100)
    again = to_onnx(back).SerializeToString()
    np.testing.assert_allclose(ort.InferenceSession(again).run(None, {"input": X})[0], want,
                               rtol=tol, atol=tol)
    return back


def skip_net(activation: str = "tanh") -> Network:
    """input -> output beside a hidden layer (the network netgraph could not read back)."""
    G = nx.DiGraph()
    for k in range(2):
        G.add_node(f"i{k}", role="input", bias=0.0, activation="identity")
    for k in range(3):
        G.add_node(f"h{k}", role="hidden", bias=0.1 * k, activation=activation)
    G.add_node("o", role="output", bias=-0.2, activation="logistic")
    rng = np.random.default_rng(0)
    for k in range(3):
        for i in range(2):
            G.add_edge(f"i{i}", f"h{k}", weight=float(rng.normal()))
        G.add_edge(f"h{k}", "o", weight=float(rng.normal()))
    G.add_edge("i0", "o", weight=0.7)
    return Network.from_graph(G)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_a_skip_connection_reads_back(activation):
    net = skip_net(activation)
    X = np.random.default_rng(1).normal(size=(40, 2)) * 2
    back = check_round_trip(net, X)
    # one neuron per neuron, the same synapses (identity and inverse fold into sums)
    if activation not in ("identity", "inverse"):
        assert back.graph.number_of_nodes() == 6
        assert back.graph.number_of_edges() == 10


@pytest.mark.parametrize("seed", range(12))
def test_random_dags_with_skip_connections_read_back(seed):
    rng = np.random.default_rng(seed)
    G = random_dag(rng, n_in=int(rng.integers(1, 5)), n_hidden=int(rng.integers(1, 20)),
                   n_out=int(rng.integers(1, 4)), p=float(rng.uniform(0.2, 0.8)),
                   activations=list(ACTIVATIONS))
    net = Network.from_graph(G)
    X = rng.normal(size=(30, len(net.inputs))) * 1.5
    check_round_trip(net, X)


def test_a_random_dag_in_float32_reads_back():
    rng = np.random.default_rng(99)
    net = Network.from_graph(random_dag(rng, n_in=4, n_hidden=30, n_out=3, p=0.3))
    check_round_trip(net, rng.normal(size=(20, 4)), dtype="float32")


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_layered_nets_read_back_with_every_activation(activation):
    net = Perceptron(3, 5, 4, 2, activation=activation, seed=2)
    back = check_round_trip(net, np.random.default_rng(3).normal(size=(25, 3)) * 2)
    if activation not in ("identity", "inverse"):
        assert back.graph.number_of_nodes() == 14


def test_a_wide_irregular_dag_reads_back():
    """The benchmark's shape: skip connections of every length, fan-in 10."""
    rng = np.random.default_rng(4)
    G = nx.DiGraph()
    n, n_in = 300, 12
    for k in range(n):
        role = "input" if k < n_in else "output" if k >= n - 5 else "hidden"
        G.add_node(k, role=role, bias=float(rng.normal(0, 0.5)),
                   activation=str(rng.choice(["logistic", "tanh", "relu", "softsign"])))
    for j in range(n_in, n):
        for i in rng.choice(j, min(j, 10), replace=False):
            G.add_edge(int(i), j, weight=float(rng.normal(0, 0.3)))
    net = Network.from_graph(G)
    back = check_round_trip(net, rng.normal(size=(50, n_in)))
    # every synapse on a path to an output, each once (a neuron no output reads is left out)
    live = set(net.outputs).union(*(nx.ancestors(net.graph, o) for o in net.outputs))
    assert back.graph.number_of_edges() == net.graph.subgraph(live).number_of_edges()
    assert len(back.graph) == len(live | set(net.inputs))


# -------------------------------------------------------------------- torch
@pytest.fixture(scope="module")
def torch():
    import torch

    return torch


def exported(torch, module, n_in):
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's own deprecation chatter
        torch.onnx.export(module, (torch.zeros(2, n_in, dtype=torch.float64),), f,
                          dynamic_shapes=({0: torch.export.Dim("batch")},))
    return f.getvalue()


def test_torch_exporter_with_a_skip_connection(torch):
    nn = torch.nn

    class Skip(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(3, 5)
            self.out = nn.Linear(5, 2)
            self.skip = nn.Linear(3, 2, bias=False)

        def forward(self, x):
            return torch.sigmoid(self.out(torch.tanh(self.hidden(x))) + self.skip(x))

    torch.manual_seed(0)
    module = Skip().double()
    data = exported(torch, module, 3)
    ops = [n.op_type for n in onnx.load_from_string(data).graph.node]
    assert "Add" in ops and "Sigmoid" in ops
    net = from_onnx(data)
    X = np.random.default_rng(5).normal(size=(30, 3))
    want = module(torch.tensor(X)).detach().numpy()
    np.testing.assert_allclose(net.activate(X), want, rtol=1e-12, atol=1e-12)
    name = ort.InferenceSession(data).get_inputs()[0].name
    np.testing.assert_allclose(ort.InferenceSession(data).run(None, {name: X})[0],
                               net.activate(X), rtol=1e-12, atol=1e-12)
    assert len(net.inputs) == 3 and len(net.outputs) == 2


def test_torch_two_activations_in_a_row_become_two_neurons(torch):
    nn = torch.nn
    torch.manual_seed(1)
    module = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Tanh(), nn.Linear(4, 1)).double()
    net = from_onnx(exported(torch, module, 2))
    X = np.random.default_rng(6).normal(size=(20, 2))
    np.testing.assert_allclose(net.activate(X), module(torch.tensor(X)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)
    assert net.graph.number_of_nodes() == 2 + 4 + 4 + 1


def test_a_residual_sum_after_an_activation_reads():
    """x + relu(W x), then a layer: the Add of an activation and the input is a sum."""
    rng = np.random.default_rng(8)
    W, V = rng.normal(size=(2, 2)), rng.normal(size=(2, 1))
    model = graph_model([helper.make_node("Gemm", ["x", "W"], ["a"]),
                         helper.make_node("Relu", ["a"], ["r"]),
                         helper.make_node("Add", ["r", "x"], ["s"]),
                         helper.make_node("Mul", ["s", "half"], ["m"]),
                         helper.make_node("MatMul", ["m", "V"], ["y"])],
                        [numpy_helper.from_array(W, "W"), numpy_helper.from_array(V, "V"),
                         numpy_helper.from_array(np.array(0.5), "half")], out_width=1)
    net = from_onnx(model)
    X = rng.normal(size=(20, 2))
    want = ort.InferenceSession(model.SerializeToString()).run(None, {"x": X})[0]
    np.testing.assert_allclose(net.activate(X), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(want, (np.maximum(X @ W, 0) + X) * 0.5 @ V, rtol=1e-12)


def test_a_product_of_two_branches_is_refused_by_name():
    W = numpy_helper.from_array(np.eye(2), "W")
    model = graph_model([helper.make_node("Gemm", ["x", "W"], ["a"]),
                         helper.make_node("Gemm", ["x", "W"], ["b"]),
                         helper.make_node("MatMul", ["a", "b"], ["y"])], [W])
    with pytest.raises(NetworkFormatError, match=r"MatMul of the network's values"):
        from_onnx(model)
    model = graph_model([helper.make_node("Gemm", ["x", "W"], ["a"]),
                         helper.make_node("Softmax", ["a"], ["s"]),
                         helper.make_node("Add", ["s", "x"], ["y"])], [W])
    with pytest.raises(NetworkFormatError, match=r"Add after a Softmax"):
        from_onnx(model)
    model = graph_model([helper.make_node("Gemm", ["x", "W"], ["a"]),
                         helper.make_node("Exp", ["a"], ["e"]),
                         helper.make_node("Add", ["e", "x"], ["y"])], [W])
    with pytest.raises(NetworkFormatError, match=r"Exp here does not compute an activation"):
        from_onnx(model)


# -------------------------------------------------------------------- big chains
def test_a_100000_node_chain_reads_correctly():
    """50,000 one-neuron layers (Gemm + Tanh): 100,000 nodes, checked against numpy."""
    rng = np.random.default_rng(7)
    n = 50_000
    w = rng.normal(0, 1.5, n)
    b = rng.normal(0, 0.5, n)
    nodes, inits = [], []
    current = "x"
    for k in range(n):
        inits.append(numpy_helper.from_array(np.array([[w[k]]]), f"w{k}"))
        inits.append(numpy_helper.from_array(np.array([b[k]]), f"b{k}"))
        nodes.append(helper.make_node("Gemm", [current, f"w{k}", f"b{k}"], [f"s{k}"]))
        current = "y" if k == n - 1 else f"t{k}"
        nodes.append(helper.make_node("Tanh", [f"s{k}"], [current]))
    model = graph_model(nodes, inits, width=1, out_width=1)
    net = from_onnx(model.SerializeToString())
    assert len(net.graph) == n + 1 and net.graph.number_of_edges() == n
    X = rng.normal(size=(8, 1))
    want = X[:, 0].copy()
    for k in range(n):
        want = np.tanh(w[k] * want + b[k])
    np.testing.assert_allclose(net.activate(X)[:, 0], want, rtol=1e-12, atol=1e-12)


def test_a_chain_of_mixed_layers_reads_as_onnxruntime_computes_it():
    """Layers the reader keeps as the model's bytes (float64, transB=1 or one input,
    full bias) between layers it converts (float32, transB=0, alpha and beta, a bias of
    one number, no bias, MatMul + Add), in one chain: onnxruntime is the reference."""
    rng = np.random.default_rng(8)
    f64, f32 = np.float64, np.float32
    # (inputs, outputs, dtype, attributes, bias: "full", "one", None or "add")
    specs = [(3, 4, f64, {"transB": 1}, "full"), (4, 5, f32, {}, "one"),
             (5, 2, f64, {"alpha": 0.5, "beta": 2.0, "transB": 1}, "full"),
             (2, 1, f64, {}, "full"), (1, 3, f64, {"transB": 1}, None),
             (3, 3, f64, {}, "add"), (3, 2, f64, {"transB": 1}, "full")]
    nodes, inits, current = [], [], "x"
    for k, (n_in, n_out, dtype, attrs, bias) in enumerate(specs):
        W = rng.normal(size=(n_out, n_in) if attrs.get("transB") else (n_in, n_out))
        inits.append(numpy_helper.from_array(W.astype(dtype), f"W{k}"))
        ins = [current, f"W{k}"]
        if bias in ("full", "one", "add"):
            value = rng.normal(size=(1,) if bias == "one" else (n_out,)).astype(dtype)
            inits.append(numpy_helper.from_array(value, f"b{k}"))
        if dtype is f32:
            nodes.append(helper.make_node("Cast", [current], [f"c{k}"], to=TensorProto.FLOAT))
            ins[0] = f"c{k}"
        if bias == "add":
            nodes.append(helper.make_node("MatMul", ins, [f"m{k}"]))
            nodes.append(helper.make_node("Add", [f"m{k}", f"b{k}"], [f"s{k}"]))
        else:
            nodes.append(helper.make_node("Gemm", ins + ([f"b{k}"] if bias else []), [f"s{k}"],
                                          **attrs))
        current = f"s{k}"
        if dtype is f32:
            nodes.append(helper.make_node("Cast", [current], [f"d{k}"], to=TensorProto.DOUBLE))
            current = f"d{k}"
        nodes.append(helper.make_node("Tanh", [current], [f"t{k}"]))
        current = f"t{k}"
    nodes.append(helper.make_node("Identity", [current], ["y"]))
    model = graph_model(nodes, inits, width=3, out_width=2)
    net = from_onnx(model.SerializeToString())
    assert [len(v) for v in net.layers.values()] == [3, 4, 5, 2, 1, 3, 3, 2]  # the chain reader
    X = rng.normal(size=(16, 3))
    theirs = ort.InferenceSession(model.SerializeToString()).run(None, {"x": X})[0]
    np.testing.assert_allclose(net.activate(X), theirs, rtol=1e-6, atol=1e-6)


# ------------------------------------------------------ errors that name the real thing
def test_from_torch_names_the_module_type_it_cannot_read(torch):
    nn = torch.nn

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(2, 2)

        def forward(self, x):
            return x + torch.relu(self.layer(x))

    with pytest.raises(NetworkFormatError, match=r"cannot read a module of type "
                       r"test_onnx_graphs\..*Residual; .*torch\.onnx\.export.*from_onnx"):
        from_torch(Residual())
    with pytest.raises(NetworkFormatError, match=r"module '1' \(Residual\): from_torch "
                       r"cannot read a module of type"):
        from_torch(nn.Sequential(nn.Linear(2, 2), Residual()))
    with pytest.raises(NetworkFormatError, match=r"GELU is not an element-wise activation"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.GELU()))


def test_network_load_names_the_format_of_a_foreign_file(tmp_path):
    from netgraph.interop import to_brain, to_neataptic

    net = Perceptron(2, 3, 1, seed=0)
    path = tmp_path / "net.onnx"
    to_onnx(net, path)
    with pytest.raises(NetworkFormatError, match=r"this is an ONNX model; read it with "
                       r"netgraph\.interop\.load \(or netgraph\.interop\.from_onnx\)"):
        Network.load(path)
    import json

    for fn, name in ((to_brain, "brain.js JSON"), (to_neataptic, "Neataptic JSON")):
        (tmp_path / "doc.json").write_text(json.dumps(fn(net)))
        with pytest.raises(NetworkFormatError, match=rf"format: missing: this is {name}.*"
                           r"read it with netgraph\.interop\.load"):
            Network.load(tmp_path / "doc.json")
    # and what it names reads it
    back = load(path).network
    X = np.random.default_rng(9).normal(size=(5, 2))
    np.testing.assert_allclose(back.activate(X), net.activate(X), rtol=1e-12, atol=1e-12)
