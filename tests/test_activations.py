"""Each activation: numpy rule vs the compiled scalar rule, derivative vs finite differences."""

from __future__ import annotations

import json

import numpy as np
import pytest

from netgraph import ACTIVATIONS, ActivationError, _core, get_activation

S = np.concatenate([np.linspace(-6, 6, 97), [-800.0, -40.0, -0.5, 0.0, 0.5, 40.0, 800.0]])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_compiled_rule_equals_registry_rule(name):
    a = ACTIVATIONS[name]
    with np.errstate(over="ignore"):
        y = a.function(S)
        dy = a.derivative(S, y)
    for s, yk, dk in zip(S, y, dy, strict=True):
        assert _core.act(a.code, s) == pytest.approx(yk, rel=1e-13, abs=1e-300), s
        assert _core.deriv(a.code, s, yk) == pytest.approx(dk, rel=1e-13, abs=1e-300), s


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.differentiable])
def test_derivative_matches_finite_differences(name):
    a = ACTIVATIONS[name]
    s = np.linspace(-4, 4, 81) + 0.0123  # keep off the kinks at 0 and +-1
    h = 1e-6
    numeric = (a.function(s + h) - a.function(s - h)) / (2 * h)
    np.testing.assert_allclose(a.derivative(s, a.function(s)), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    ("name", "s", "expected"),
    [
        ("logistic", 0.0, 0.5),
        ("tanh", 1.0, np.tanh(1.0)),
        ("identity", -3.5, -3.5),
        ("hlim", 0.0, 0.0),
        ("hlim", 1e-9, 1.0),
        ("relu", -2.0, 0.0),
        ("softsign", 1.0, 0.5),
        ("sinusoid", np.pi / 2, 1.0),
        ("gaussian", 0.0, 1.0),
        ("bent_identity", 0.0, 0.0),
        ("bipolar", -0.1, -1.0),
        ("bipolar_sigmoid", 0.0, 0.0),
        ("bipolar_sigmoid", 1.0, 2 / (1 + np.exp(-1.0)) - 1),
        ("hard_tanh", 3.0, 1.0),
        ("absolute", -2.0, 2.0),
        ("inverse", 0.25, 0.75),
        ("selu", 1.0, 1.0507009873554805),
        ("selu", -1.0, 1.0507009873554805 * 1.6732632423543772 * (np.exp(-1.0) - 1)),
        ("leaky_relu", -2.0, -0.02),
        ("softplus", 0.0, np.log(2.0)),
        ("softplus", 800.0, 800.0),
        ("logistic", -800.0, 0.0),
        ("step", 0.0, 0.0),
        ("step", 1e-9, 1.0),
        ("neat_sigmoid", 0.2, 1 / (1 + np.exp(-1.0))),
        ("neat_sigmoid", -13.0, 1 / (1 + np.exp(60.0))),  # clamped at 5z = -60
        ("neat_tanh", 0.4, np.tanh(1.0)),
        ("neat_sin", 0.1, np.sin(0.5)),
        ("neat_sin", 100.0, np.sin(60.0)),
        ("neat_gauss", 1.0, np.exp(-5.0)),
        ("neat_gauss", -9.0, np.exp(-5.0 * 3.4 ** 2)),
        ("neat_softplus", 0.0, 0.2 * np.log(2.0)),
        ("neat_softplus", -50.0, 0.0),  # log(1 + e^-60) rounds to 0, as in neat-python
        ("elu", -1.0, np.exp(-1.0) - 1.0),
        ("elu", 2.0, 2.0),
        ("neat_lelu", -2.0, -0.01),
        ("neat_inv", 4.0, 0.25),
        ("neat_inv", 0.0, 0.0),
        ("neat_log", np.e, 1.0),
        ("neat_log", -3.0, np.log(1e-7)),
        ("neat_exp", 1.0, np.e),
        ("neat_exp", 100.0, np.exp(60.0)),
        ("hat", 0.25, 0.75),
        ("hat", -3.0, 0.0),
        ("square", -3.0, 9.0),
        ("cube", -2.0, -8.0),
        ("brain_leaky_relu", 2.0, 0.02),
        ("brain_leaky_relu", -2.0, 0.0),
    ],
)
def test_known_values(name, s, expected):
    assert float(get_activation(name).function(np.float64(s))) == pytest.approx(expected,
                                                                                 rel=1e-15)


def test_synaptic_conventions_for_steps():
    assert get_activation("HLIM").derivative(np.array([-1.0]), np.array([0.0]))[0] == 1.0
    assert get_activation("RELU").derivative(np.array([0.0]), np.array([0.0]))[0] == 0.0


def test_neataptic_step_is_not_synaptic_hlim():
    """Same function, different derivative: Neataptic's STEP passes no error back."""
    step, hlim = get_activation("STEP"), get_activation("HLIM")
    assert step.name == "step" and hlim.name == "hlim"
    s = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(step.function(s), hlim.function(s))
    np.testing.assert_array_equal(step.derivative(s, step.function(s)), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(hlim.derivative(s, hlim.function(s)), [1.0, 1.0, 1.0])
    for s0 in (-1.0, 2.0):
        assert _core.deriv(step.code, s0, 1.0) == 0.0
        assert _core.deriv(hlim.code, s0, 1.0) == 1.0


def test_names_and_aliases():
    assert get_activation("LOGISTIC").name == "logistic"
    assert get_activation("Sigmoid").name == "logistic"
    assert get_activation("bipolar-sigmoid").name == "bipolar_sigmoid"
    assert get_activation("LeakyReLU").name == "leaky_relu"
    assert len(ACTIVATIONS) >= 17


@pytest.mark.parametrize("bad", ["__import__('os')", "maxout", "", 3, None])
def test_unknown_activation(bad):
    with pytest.raises(ActivationError):
        get_activation(bad)


def test_source_forms_compute_the_registry_rule_in_python_javascript_and_c(tmp_path):
    """Each activation's source text (for generated code and the HTML page) is the rule."""
    import math
    import shutil
    import subprocess

    from netgraph._activations import activation_source

    s_values = [-800.0, -30.0, -2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 1.7, 6.0, 40.0]
    expected = {name: [float(a.function(np.float64(s))) for s in s_values]
                for name, a in ACTIVATIONS.items()}

    def close(got, want):
        return all(math.isclose(g, w, rel_tol=1e-13, abs_tol=1e-300)
                   for g, w in zip(got, want, strict=True))

    for name in ACTIVATIONS:
        code = compile(activation_source(name, "python"), name, "eval")
        # our own table, not a document's text
        got = [eval(code, {"math": math, "s": s}) for s in s_values]
        assert close(got, expected[name]), name

    js = f"const xs = {s_values!r};\nconst out = {{}};\n"
    for name in ACTIVATIONS:
        js += f"out[{name!r}] = xs.map(s => {activation_source(name, 'javascript')});\n"
    js += "console.log(JSON.stringify(out));\n"
    got_js = json.loads(subprocess.run(["node", "-e", js], capture_output=True, text=True,
                                       check=True).stdout)
    for name in ACTIVATIONS:
        assert close(got_js[name], expected[name]), name

    cc = shutil.which("gcc") or shutil.which("cc")
    assert cc, "a C compiler is needed for this test"
    lines = ["#include <math.h>", "#include <stdio.h>", "int main(void) {",
             "  double xs[] = {" + ", ".join(repr(s) for s in s_values) + "};"]
    for name in ACTIVATIONS:
        lines.append(f"  for (int k = 0; k < {len(s_values)}; k++) {{ double s = xs[k]; "
                     f"printf(\"%.17g\\n\", {activation_source(name, 'c')}); }}")
    lines.append("  return 0;\n}")
    (tmp_path / "a.c").write_text("\n".join(lines))
    subprocess.run([cc, "-std=c99", "-O1", str(tmp_path / "a.c"), "-o", str(tmp_path / "a"),
                    "-lm"], check=True)
    values = [float(v) for v in subprocess.run([str(tmp_path / "a")], capture_output=True,
                                               text=True, check=True).stdout.split()]
    for k, name in enumerate(ACTIVATIONS):
        assert close(values[k * len(s_values):(k + 1) * len(s_values)], expected[name]), name


def test_every_activation_has_a_source_form_in_every_language():
    from netgraph._activations import _SOURCE

    assert set(_SOURCE) == set(ACTIVATIONS)
