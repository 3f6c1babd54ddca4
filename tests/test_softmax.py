"""Softmax outputs: a group of output neurons normalized together (they sum to 1), held
against plain numpy, the reference evaluator, finite differences, onnxruntime, torch and
the standalone code generators."""

from __future__ import annotations

import itertools
import json
import runpy
import shutil
import subprocess

import networkx as nx
import numpy as np
import pytest

from netgraph import ActivationError, Network, _fast, _reference, get_activation
from netgraph.architect import Perceptron
from netgraph.interop import to_c, to_javascript, to_onnx, to_python, to_torch

EPS = 1e-15  # the cross-entropy's guard against log(0), as _costs has it


def mixed(seed: int = 0) -> Network:
    """Not layered: a skip synapse, two softmax outputs listed around an identity one,
    the softmax ones with different sources."""
    rng = np.random.default_rng(seed)
    G: nx.DiGraph = nx.DiGraph()
    for k in range(3):
        G.add_node(f"i{k}", role="input", activation="identity", bias=0.0)
    G.add_node("h0", role="hidden", activation="tanh", bias=float(rng.normal()))
    G.add_node("h1", role="hidden", activation="relu", bias=float(rng.normal()))
    G.add_node("p0", role="output", activation="softmax", bias=float(rng.normal()))
    G.add_node("r", role="output", activation="identity", bias=float(rng.normal()))
    G.add_node("p1", role="output", activation="softmax", bias=float(rng.normal()))
    G.add_node("p2", role="output", activation="softmax", bias=float(rng.normal()))
    edges = [("i0", "h0"), ("i1", "h0"), ("i2", "h1"), ("i1", "h1"), ("h0", "p0"),
             ("h1", "p0"), ("h0", "r"), ("i2", "r"), ("h1", "p1"), ("i0", "p1"),
             ("h0", "p2"), ("h1", "p2"), ("i2", "p2")]
    for u, v in edges:
        G.add_edge(u, v, weight=float(rng.normal()))
    return Network.from_graph(G)


def layer_sums(net: Network, X: np.ndarray) -> list[dict]:
    """Each neuron's sum, layer by layer with numpy matrices read off the graph: for the
    large layered net, where the one-synapse-at-a-time reference would take minutes."""
    G = net.graph
    layers: dict = {}
    for n, layer in G.nodes(data="layer"):
        layers.setdefault(layer, []).append(n)
    names = list(layers.values())
    Y, out = X, [dict(zip(names[0], X.T, strict=True))]
    for src, dst in itertools.pairwise(names):
        W = np.array([[G[u][v]["weight"] for u in src] for v in dst])
        S = Y @ W.T + np.array([G.nodes[v]["bias"] for v in dst])
        out.append(dict(zip(dst, S.T, strict=True)))
        Y = np.tanh(S)  # the hidden layers' activation in NETS["blas"]
    s = {k: v for d in out for k, v in d.items()}
    return [{"s": {k: v[r] for k, v in s.items()},
             "y": {k: np.tanh(v[r]) for k, v in s.items()}} for r in range(len(X))]


def by_hand(net: Network, X: np.ndarray) -> np.ndarray:
    """Outputs from the reference evaluator's sums (numpy's for the large layered net),
    normalized here with plain numpy."""
    group = [o for o in net.outputs if net.graph.nodes[o]["activation"] == "softmax"]
    rows = []
    large = net.graph.number_of_edges() > 1000
    values = layer_sums(net, X) if large else [_reference.activate(net.graph, x) for x in X]
    for v in values:
        s = np.array([v["s"][o] for o in group])
        e = np.exp(s - s.max())
        p = dict(zip(group, e / e.sum(), strict=True))
        rows.append([p[o] if o in p else v["y"][o] for o in net.outputs])
    return np.array(rows)


NETS = {
    "perceptron": lambda: Perceptron(3, 5, 4, activation="tanh", output_activation="softmax",
                                     seed=1),
    "blas": lambda: Perceptron(3, 80, 60, 5, activation="tanh", output_activation="softmax",
                               seed=2),
    "mixed": mixed,
}


@pytest.mark.parametrize("name", list(NETS))
def test_outputs_sum_to_one_and_match_the_reference(name):
    net = NETS[name]()
    X = np.random.default_rng(3).normal(0, 2, (300, 3))
    expected = by_hand(net, X)
    group = [k for k, o in enumerate(net.outputs)
             if net.graph.nodes[o]["activation"] == "softmax"]
    np.testing.assert_allclose(expected[:, group].sum(axis=1), 1.0, rtol=1e-14)
    ref = np.array([[_reference.activate(net.graph, x)["y"][o] for o in net.outputs]
                    for x in X[:20]])
    np.testing.assert_allclose(ref, expected[:20], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(net.activate(X), expected, rtol=1e-12, atol=1e-16)  # batch
    for x, row in zip(X[:20], expected[:20], strict=True):  # one sample at a time
        np.testing.assert_allclose(net.activate(x), row, rtol=1e-12, atol=1e-16)
    assert _fast.dense(net._plan()) == (name == "blas")


def test_the_value_view_shows_the_normalized_outputs():
    from netgraph._trace import backward_step, forward_step

    net = mixed(3)
    x = [0.3, -1.2, 0.8]
    step = forward_step(net.graph, x)
    np.testing.assert_allclose(step.outputs, by_hand(net, np.array([x]))[0], rtol=1e-13)
    learning = backward_step(net.graph, step, [0.0, 0.5, 1.0, 0.0], 0.1)
    twin = mixed(3)
    twin.activate(x)
    twin.propagate(0.1, [0.0, 0.5, 1.0, 0.0])
    for (u, v), change in learning.weight_change.items():
        assert net.graph[u][v]["weight"] + change == pytest.approx(twin.graph[u][v]["weight"],
                                                                   rel=1e-12, abs=1e-15)


def test_the_html_page_computes_the_softmax_in_the_browser(tmp_path):
    from browser import chromium

    net = mixed(4)
    X = np.random.default_rng(10).normal(0, 2, (15, 3))
    path = net.render(tmp_path / "net.html")
    with chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.resolve().as_uri())
        page.wait_for_function("() => window.netgraph !== undefined")
        Y = page.evaluate("(X) => X.map((x) => window.netgraph.activate(x))", X.tolist())
        page.close()
    np.testing.assert_allclose(Y, by_hand(net, X), rtol=1e-12, atol=1e-16)
    assert errors == []


def test_the_native_core_numbers_softmax_as_the_registry_does():
    # rules.h's SOFTMAX must be the registry's code (softmax follows the per-neuron rules):
    # its own part is the identity with slope 1, the group normalized in feedforward.c
    from netgraph import ACTIVATIONS, _core
    from netgraph._activations import SOFTMAX

    assert SOFTMAX.code == len(ACTIVATIONS)
    for s in (-3.0, 0.0, 2.5):
        assert _core.act(SOFTMAX.code, s) == s
        assert _core.deriv(SOFTMAX.code, s, s) == 1.0
    with pytest.raises(ValueError, match="no activation code"):
        _core.act(SOFTMAX.code + 1, 0.0)


def test_large_sums_do_not_overflow():
    net = Perceptron(1, 3, output_activation="softmax", seed=0)
    for k, o in enumerate(net.outputs):
        net.graph["i0"][o]["weight"] = 100.0 * (k + 1)
        net.graph.nodes[o]["bias"] = 0.0
    y = net.activate([10.0])  # sums 1000, 2000, 3000: exp overflows unless shifted
    np.testing.assert_allclose(y, [np.exp(-2000.0), np.exp(-1000.0), 1.0], rtol=1e-12)
    assert np.isfinite(net.activate([[10.0], [-10.0]])).all()


def _cost(net: Network, X: np.ndarray, T: np.ndarray, cost: str) -> float:
    """The mean cost by hand, from the reference outputs."""
    Y = by_hand(net, X)
    soft = np.array([net.graph.nodes[o]["activation"] == "softmax" for o in net.outputs])
    if cost == "mse":
        return float(np.mean(np.mean((T - Y) ** 2, axis=1)))
    c = -np.sum(T[:, soft] * np.log(Y[:, soft] + EPS), axis=1)
    if (~soft).any():
        y, t = Y[:, ~soft], T[:, ~soft]
        c = c - np.sum(t * np.log(y + EPS) + (1 - t) * np.log(1 + EPS - y), axis=1)
    return float(np.mean(c))


@pytest.mark.parametrize("name", list(NETS))
@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
def test_gradient_matches_finite_differences_and_the_reference(name, cost):
    net = NETS[name]()
    rng = np.random.default_rng(4)
    X = rng.normal(0, 1, (5, 3))
    T = rng.dirichlet(np.ones(len(net.outputs)), 5)  # rows sum to 1, as class targets do
    if name == "mixed":  # the identity output takes a target in (0, 1) too
        T = np.column_stack([T[:, 0], rng.uniform(0.2, 0.8, 5), T[:, 1], T[:, 2]])
        T[:, [0, 2, 3]] /= T[:, [0, 2, 3]].sum(axis=1, keepdims=True)
        net.graph.nodes["r"]["activation"] = "logistic"
    g = net.gradient(X, T, cost=cost)
    assert g.value == pytest.approx(_cost(net, X, T, cost), rel=1e-12)
    G, h = net.graph, 1e-6
    synapses = list(net.synapses)
    if name == "blas":  # a sample of them: every synapse would take minutes
        synapses = [synapses[k] for k in rng.choice(len(synapses), 40, replace=False)]
        synapses += [(u, v) for u, v in net.synapses if v.startswith("o")][:20]
    for u, v in synapses:
        w = G[u][v]["weight"]
        G[u][v]["weight"] = w + h
        up = _cost(net, X, T, cost)
        G[u][v]["weight"] = w - h
        down = _cost(net, X, T, cost)
        G[u][v]["weight"] = w
        assert g.weight(u, v) == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)
    for n in [n for n in G if G.nodes[n]["role"] != "input"][:30]:
        b = G.nodes[n]["bias"]
        G.nodes[n]["bias"] = b + h
        up = _cost(net, X, T, cost)
        G.nodes[n]["bias"] = b - h
        down = _cost(net, X, T, cost)
        G.nodes[n]["bias"] = b
        assert g.bias(n) == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)
    gw, gb = _reference.gradient(net.graph, X, T, cost)
    np.testing.assert_allclose(g.weights, [gw[e] for e in g.synapses], rtol=1e-9, atol=1e-14)
    hidden_and_out = [n for n in g.neurons if G.nodes[n]["role"] != "input"]
    np.testing.assert_allclose([g.bias(n) for n in hidden_and_out],
                               [gb[n] for n in hidden_and_out], rtol=1e-9, atol=1e-14)


def test_cross_entropy_gradient_is_p_minus_t_even_when_a_class_saturates():
    # the wrong class wins by a sum of 800: p of the right class underflows to 0, and
    # the gradient with respect to the sums is still p - t (not 0, as 1/p would give)
    net = Perceptron(1, 2, output_activation="softmax", seed=0)
    net.graph["i0"]["o0"]["weight"], net.graph["i0"]["o1"]["weight"] = 0.0, 800.0
    net.graph.nodes["o0"]["bias"] = net.graph.nodes["o1"]["bias"] = 0.0
    g = net.gradient([[1.0]], [[1.0, 0.0]], cost="cross_entropy")
    np.testing.assert_allclose([g.bias("o0"), g.bias("o1")], [-1.0, 1.0])
    assert g.value == pytest.approx(-np.log(EPS))


def blobs(n: int = 150, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = np.array([[0, 2], [2, -1], [-2, -1]])[y] + rng.normal(0, 0.6, (n, 2))
    return X, np.eye(3)[y]


@pytest.mark.parametrize(("optimizer", "batch_size", "hidden"),
                         [("adam", 16, 6), ("sgd", 1, 6), ("adam", 32, 80)])
def test_training_on_the_cross_entropy_learns_three_classes(optimizer, batch_size, hidden):
    X, T = blobs()
    net = Perceptron(2, hidden, 60 if hidden > 6 else 4, 3, activation="tanh",
                     output_activation="softmax", seed=0)
    assert _fast.dense(net._plan()) == (hidden > 6)
    result = net.train(X, T, cost="cross_entropy", iterations=60, error=0.0,
                       optimizer=optimizer, batch_size=batch_size,
                       rate=0.05 if optimizer == "sgd" else 0.01, seed=0, progress=False)
    P = net.activate(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
    assert (P.argmax(axis=1) == T.argmax(axis=1)).mean() > 0.95
    assert result.history[-1] < 0.3 * result.history[0]
    assert result.error == pytest.approx(result.history[-1])


@pytest.mark.parametrize(("name", "cost"), [("perceptron", "cross_entropy"), ("mixed", "mse"),
                                            ("blas", "cross_entropy")])
def test_one_full_batch_step_is_minus_rate_times_the_gradient(name, cost):
    net = NETS[name]()
    X, _ = blobs(12, seed=1)
    X = np.column_stack([X, X[:, 0] * X[:, 1]])
    T = np.eye(len(net.outputs))[np.arange(12) % len(net.outputs)]
    if name == "mixed":
        T[:, 1] = 0.5
    g = net.gradient(X, T, cost=cost)
    before = {e: net.graph.edges[e]["weight"] for e in net.graph.edges}
    result = net.train(X, T, cost=cost, iterations=1, error=0.0, optimizer="sgd",
                       batch_size=len(X), rate=0.1, shuffle=False, progress=False)
    assert result.history[0] == pytest.approx(g.value, rel=1e-10)  # the error before the step
    for (u, v), w in before.items():
        assert net.graph[u][v]["weight"] == pytest.approx(w - 0.1 * g.weight(u, v),
                                                          rel=1e-9, abs=1e-13)


def test_propagate_takes_target_minus_output_as_the_reference_does():
    net, twin = mixed(1), mixed(1)
    X, _ = blobs(8, seed=2)
    X = np.column_stack([X, X[:, 0] - X[:, 1]])
    for x in X:
        t = [0.0, 0.3, 1.0, 0.0]
        net.activate(x)
        net.propagate(0.2, t)
        v = _reference.activate(twin.graph, x)
        _reference.propagate(twin.graph, v, 0.2, t)
    for u, v in net.synapses:
        assert net.graph[u][v]["weight"] == pytest.approx(twin.graph[u][v]["weight"],
                                                          rel=1e-12, abs=1e-15)


def test_softmax_is_refused_where_it_cannot_be_normalized():
    with pytest.raises(ActivationError, match="output_activation='softmax'"):
        Perceptron(2, 3, 2, activation="softmax")
    net = Perceptron(2, 3, 2, seed=0)
    net.graph.nodes["h1"]["activation"] = "softmax"
    with pytest.raises(ActivationError, match="neuron 'h1' is hidden with activation 'softmax'"):
        net.activate([0.0, 1.0])
    net = Perceptron(2, 2, seed=0)
    net.graph.nodes["o0"]["activation"] = "softmax"
    net.connect("o0", "o1")
    with pytest.raises(ActivationError, match="softmax output 'o0' has a synapse to 'o1'"):
        net.activate([0.0, 1.0])
    net = Perceptron(2, 3, 2, output_activation="softmax", seed=0)
    net.connect("h0", "h0", 0.5)  # a self-connection: a recurrent network
    with pytest.raises(ActivationError, match="feed-forward networks"):
        net.activate([0.0, 1.0])
    assert get_activation("SoftMax").grouped and get_activation("softmax").name == "softmax"


def test_saves_and_loads_in_netgraph_json(tmp_path):
    import jsonschema

    from netgraph._document import VERSION, schema_path

    net = mixed(2)
    path = tmp_path / "net.json"
    net.save(path)
    document = json.loads(path.read_text())
    schema = json.loads(schema_path(VERSION).read_text())
    jsonschema.validate(document, schema)
    again = Network.load(path)
    X = np.random.default_rng(5).normal(0, 1, (10, 3))
    np.testing.assert_array_equal(again.activate(X), net.activate(X))
    assert again.graph.nodes["p1"]["activation"] == "softmax"


@pytest.mark.parametrize("name", list(NETS))
def test_onnxruntime_runs_the_export(name):
    import onnxruntime as ort

    net = NETS[name]()
    X = np.random.default_rng(6).normal(0, 2, (40, 3))
    session = ort.InferenceSession(to_onnx(net).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    (out,) = session.run(["output"], {"input": X})
    np.testing.assert_allclose(out, by_hand(net, X), rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("name", list(NETS))
def test_torch_module_gives_the_outputs_and_the_gradient(name):
    import torch

    net = NETS[name]()
    if name == "mixed":  # its cross-entropy needs the non-softmax output in (0, 1)
        net.graph.nodes["r"]["activation"] = "logistic"
    rng = np.random.default_rng(7)
    X = rng.normal(0, 1, (6, 3))
    T = rng.dirichlet(np.ones(len(net.outputs)), 6)
    module = to_torch(net)
    out = module(torch.tensor(X))
    np.testing.assert_allclose(out.detach().numpy(), by_hand(net, X), rtol=1e-12, atol=1e-16)
    soft = torch.tensor([net.graph.nodes[o]["activation"] == "softmax" for o in net.outputs])
    t = torch.tensor(T)
    loss = -(t[:, soft] * torch.log(out[:, soft] + EPS)).sum(dim=1)
    if not soft.all():
        y, tt = out[:, ~soft], t[:, ~soft]
        loss = loss - (tt * torch.log(y + EPS) + (1 - tt) * torch.log(1 + EPS - y)).sum(dim=1)
    loss.mean().backward()
    g = net.gradient(X, T, cost="cross_entropy")
    np.testing.assert_allclose(module.weight.grad.numpy(), g.weights, rtol=1e-9, atol=1e-13)


def test_from_torch_reads_a_final_softmax_and_refuses_an_inner_one():
    import torch

    from netgraph import NetworkFormatError
    from netgraph.interop import from_torch

    nn = torch.nn
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.Softmax(dim=1))
    net = from_torch(module.double())
    assert [net.graph.nodes[o]["activation"] for o in net.outputs] == ["softmax"] * 4
    X = np.random.default_rng(9).normal(0, 2, (30, 3))
    expected = module(torch.tensor(X)).detach().numpy()
    np.testing.assert_allclose(net.activate(X), expected, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(to_torch(net)(torch.tensor(X)).detach().numpy(), expected,
                               rtol=1e-12, atol=1e-16)  # and back out
    inner = nn.Sequential(nn.Linear(3, 5), nn.Softmax(dim=-1), nn.Linear(5, 2))
    with pytest.raises(NetworkFormatError, match="a Softmax before the last Linear layer"):
        from_torch(inner)


@pytest.mark.parametrize("name", ["perceptron", "mixed"])
def test_standalone_python_javascript_and_c_compute_the_softmax(name, tmp_path):
    net = NETS[name]()
    X = np.random.default_rng(8).normal(0, 2, (25, 3))
    expected = by_hand(net, X)
    (tmp_path / "net.py").write_text(to_python(net))
    activate = runpy.run_path(str(tmp_path / "net.py"))["activate"]
    np.testing.assert_allclose([activate(list(x)) for x in X], expected, rtol=1e-13,
                               atol=1e-16)
    node, gcc = shutil.which("node"), shutil.which("gcc")
    assert node and gcc, "the standalone tests need node and gcc (scripts/bootstrap)"
    (tmp_path / "net.js").write_text(to_javascript(net))
    driver = ("const net = require(process.argv[1]);"
              "const rows = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(rows.map((x) => net.activate(x))));")
    out = subprocess.run([node, "-e", driver, str(tmp_path / "net.js")],
                         input=json.dumps(X.tolist()), capture_output=True, text=True,
                         check=True, timeout=120)
    np.testing.assert_allclose(json.loads(out.stdout), expected, rtol=1e-13, atol=1e-16)
    main = ("\n#include <stdio.h>\nint main(void) {\n    double x[NETGRAPH_INPUTS], "
            "y[NETGRAPH_OUTPUTS];\n    while (scanf(\"%lf %lf %lf\", &x[0], &x[1], &x[2]) == 3) {\n"
            "        netgraph_activate(x, y);\n        for (int k = 0; k < NETGRAPH_OUTPUTS; "
            "k++) printf(\"%.17g \", y[k]);\n        printf(\"\\n\");\n    }\n    return 0;\n}\n")
    (tmp_path / "net.c").write_text(to_c(net) + main)
    subprocess.run([gcc, "-std=c99", "-O1", "-o", str(tmp_path / "net"), str(tmp_path / "net.c"),
                    "-lm"], check=True, timeout=120)
    out = subprocess.run([str(tmp_path / "net")], input="\n".join(
        " ".join(repr(float(v)) for v in x) for x in X), capture_output=True, text=True,
        check=True, timeout=120)
    rows = [[float(v) for v in line.split()] for line in out.stdout.splitlines()]
    np.testing.assert_allclose(rows, expected, rtol=1e-13, atol=1e-16)


def test_a_layered_softmax_export_reads_back_from_onnx():
    from netgraph.interop import from_onnx

    net = Perceptron(3, 6, 5, 4, output_activation="softmax", seed=3)
    back = from_onnx(to_onnx(net))
    assert [back.graph.nodes[o]["activation"] for o in back.outputs] == ["softmax"] * 4
    X = np.random.default_rng(2).normal(size=(11, 3)) * 3
    np.testing.assert_allclose(back.activate(X), net.activate(X), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(back.activate(X).sum(axis=1), 1.0, rtol=1e-14)
