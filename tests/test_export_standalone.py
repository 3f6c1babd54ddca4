"""Standalone code (Python, JavaScript under Node, C under gcc) against netgraph's evaluator."""

from __future__ import annotations

import ast
import json
import runpy
import shutil
import subprocess

import numpy as np
import pytest
from exports import (
    HOSTILE,
    every_activation,
    every_activation_inputs,
    expected_batch,
    expected_sequence,
    feedforward_zoo,
    hand_gated,
    inputs_for,
    recurrent_zoo,
)

from netgraph import Network
from netgraph.interop import to_c, to_javascript, to_python

FF = feedforward_zoo()
FF["every_activation"] = every_activation()
REC = recurrent_zoo()
NETS = {**FF, **REC}
NODE = shutil.which("node") or "node"
GCC = shutil.which("gcc") or "gcc"

JS_DRIVER = """
const net = require(process.argv[2]);
const rows = JSON.parse(require("fs").readFileSync(0, "utf8"));
const state = net.newState ? net.newState() : null;
const out = rows.map((x) => (state ? net.activate(x, state) : net.activate(x)));
process.stdout.write(JSON.stringify(out));
"""

C_DRIVER = """
#include <stdio.h>
int main(void) {
    int rows;
    double x[NETGRAPH_INPUTS], y[NETGRAPH_OUTPUTS];
#if NETGRAPH_RECURRENT
    netgraph_state st;
    netgraph_state_init(&st);
#endif
    if (scanf("%d", &rows) != 1) return 1;
    for (int r = 0; r < rows; r++) {
        for (int k = 0; k < NETGRAPH_INPUTS; k++) if (scanf("%lf", &x[k]) != 1) return 1;
#if NETGRAPH_RECURRENT
        netgraph_activate(x, y, &st);
#else
        netgraph_activate(x, y);
#endif
        for (int k = 0; k < NETGRAPH_OUTPUTS; k++) printf("%.17g ", y[k]);
        printf("\\n");
    }
    return 0;
}
"""


def expected(name: str, net: Network, X: np.ndarray) -> np.ndarray:
    return expected_sequence(net, X) if name in REC else expected_batch(net, X)


def run_python(source: str, X: np.ndarray, tmp_path, recurrent: bool) -> np.ndarray:
    imports = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [a.name for n in imports for a in n.names] == ["math"]  # nothing beyond math
    path = tmp_path / "net.py"
    path.write_text(source, encoding="utf-8")
    module = runpy.run_path(str(path))
    if recurrent:
        state = module["new_state"]()
        return np.array([module["activate"](list(x), state) for x in X])
    return np.array([module["activate"](list(x)) for x in X])


def run_node(source: str, X: np.ndarray, tmp_path) -> np.ndarray:
    (tmp_path / "net.js").write_text(source, encoding="utf-8")
    (tmp_path / "driver.js").write_text(JS_DRIVER)
    result = subprocess.run([NODE, str(tmp_path / "driver.js"), str(tmp_path / "net.js")],
                            input=json.dumps(X.tolist()), capture_output=True, text=True,
                            timeout=60, check=True)
    return np.array(json.loads(result.stdout))


def run_c(source: str, X: np.ndarray, tmp_path, recurrent: bool) -> np.ndarray:
    (tmp_path / "net.c").write_text(source, encoding="utf-8")
    main = f"#define NETGRAPH_RECURRENT {int(recurrent)}\n#include \"net.c\"\n{C_DRIVER}"
    (tmp_path / "main.c").write_text(main)
    exe = tmp_path / "net"
    subprocess.run([GCC, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic",
                    "-o", str(exe), str(tmp_path / "main.c"), "-lm"],
                   check=True, capture_output=True, text=True, timeout=120)
    text = f"{len(X)}\n" + "\n".join(" ".join(repr(float(v)) for v in x) for x in X)
    result = subprocess.run([str(exe)], input=text, capture_output=True, text=True, timeout=60,
                            check=True)
    return np.array([[float(v) for v in line.split()] for line in result.stdout.splitlines()])


def inputs(name: str, net: Network) -> np.ndarray:
    return every_activation_inputs() if name == "every_activation" else inputs_for(net, 30)


@pytest.mark.parametrize("name", sorted(NETS))
def test_python(name, tmp_path):
    net = NETS[name]
    X = inputs(name, net)
    got = run_python(to_python(net), X, tmp_path, name in REC)
    np.testing.assert_allclose(got, expected(name, net, X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(NETS))
def test_javascript_under_node(name, tmp_path):
    net = NETS[name]
    X = inputs(name, net)
    got = run_node(to_javascript(net), X, tmp_path)
    np.testing.assert_allclose(got, expected(name, net, X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(NETS))
def test_c_under_gcc(name, tmp_path):
    net = NETS[name]
    X = inputs(name, net)
    got = run_c(to_c(net), X, tmp_path, name in REC)
    np.testing.assert_allclose(got, expected(name, net, X), rtol=1e-12, atol=1e-12)


def test_numbers_read_back_exactly(tmp_path):
    """Weights that need all 17 digits, subnormals, huge and negative zero survive."""
    net = Network(seed=0)
    x = net.add_neuron("x", role="input")
    out = net.add_neuron("o", role="output", activation="identity", bias=0.1 + 0.2)
    weights = [1 / 3, 5e-324, 1.7976931348623157e308 / 1e300, -0.0, 2.0**-1074 * 3, 1e22]
    for k, w in enumerate(weights):
        h = net.add_neuron(f"h{k}", activation="identity", bias=float(np.nextafter(1.0, 2.0)))
        net.connect(x, h, w)
        net.connect(h, out, 1.0 + k / 7)
    plan = net._plan()
    py = to_python(net)
    tables = {
        "py": [float(v) for v in ast.literal_eval(py.split("_WEIGHT = ")[1].split(")")[0] + ")")],
        "js": json.loads(to_javascript(net).split("const WEIGHT = ")[1].split(";")[0]
                         .replace(",\n]", "]")),
        "c": [float(v) for v in to_c(net).split("ng_weight[")[1].split("{")[1].split("}")[0]
              .replace(",", " ").split()],
    }
    for values in tables.values():  # bit for bit, the sign of zero included
        assert np.array_equal(np.array(values).view(np.int64), plan.weights.view(np.int64))
    X = np.array([[1.0], [-3.5], [0.1]])
    want = expected_batch(net, X)
    for got in (run_python(py, X, tmp_path, False), run_node(to_javascript(net), X, tmp_path),
                run_c(to_c(net), X, tmp_path, False)):
        np.testing.assert_allclose(got, want, rtol=1e-15)


@pytest.mark.parametrize("recurrent", [False, True])
def test_hostile_ids_and_names_never_reach_the_code(tmp_path, recurrent):
    net = Network(seed=1)
    ins = [net.add_neuron(HOSTILE[k], role="input", layer=HOSTILE[-1]) for k in range(2)]
    hidden = [net.add_neuron(h, activation="tanh", layer=h) for h in HOSTILE[2:6]]
    out = net.add_neuron(HOSTILE[6], role="output", layer=HOSTILE[7])
    for i in ins:
        for h in hidden:
            net.connect(i, h)
    for h in hidden:
        net.connect(h, out)
    if recurrent:
        net.connect(out, out, 0.5, gater=hidden[0])
        net.connect(out, hidden[1], 0.3, delay=1)
    net.graph.graph["name"] = HOSTILE[0]
    net.graph.graph["description"] = HOSTILE[1]
    X = inputs_for(net, 8)
    want = expected_sequence(net, X) if recurrent else expected_batch(net, X)
    sources = {"py": to_python(net), "js": to_javascript(net), "c": to_c(net)}
    for source in sources.values():
        for text in [*HOSTILE, "rm -rf", "__import__", "</script>", "system(", "alert(",
                     "${x}", "nul", "surrogate", "stdio"]:
            assert text not in source
        assert "\x00" not in source and "\ud800" not in source
    np.testing.assert_allclose(run_python(sources["py"], X, tmp_path, recurrent), want,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run_node(sources["js"], X, tmp_path), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run_c(sources["c"], X, tmp_path, recurrent), want,
                               rtol=1e-12, atol=1e-12)


def test_state_is_explicit_and_can_run_two_sequences_side_by_side(tmp_path):
    net = hand_gated()
    source = to_python(net)
    path = tmp_path / "gated.py"
    path.write_text(source)
    module = runpy.run_path(str(path))
    a, b = module["new_state"](), module["new_state"]()
    assert a == {"state": [0.0] * 7, "activation": [0.0] * 7, "gain": [1.0] * 5}
    X1, X2 = inputs_for(net, 10, seed=1), inputs_for(net, 10, seed=2)
    out1 = [module["activate"](list(x1), a) for x1 in X1]
    out2 = [None] * 10
    for t in range(10):  # interleaved: each sequence keeps its own state
        out2[t] = module["activate"](list(X2[t]), b)
    np.testing.assert_allclose(out1, expected_sequence(net, X1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out2, expected_sequence(net, X2), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="expected 2 inputs"):
        module["activate"]([1.0], a)


def test_non_finite_weights_are_refused():
    net = Network(seed=0)
    x = net.add_neuron("x", role="input")
    o = net.add_neuron("o", role="output")
    net.connect(x, o, 1.0)
    net._plan().weights[0] = float("inf")  # as a diverged training run might leave it
    for export in (to_python, to_javascript, to_c):
        with pytest.raises(ValueError, match="finite"):
            export(net)
