"""Each activation: numpy rule vs the compiled scalar rule, derivative vs finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from netgraph import ACTIVATIONS, ActivationError, _kernels, get_activation

S = np.concatenate([np.linspace(-6, 6, 97), [-800.0, -40.0, -0.5, 0.0, 0.5, 40.0, 800.0]])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_compiled_rule_equals_registry_rule(name):
    a = ACTIVATIONS[name]
    with np.errstate(over="ignore"):
        y = a.function(S)
        dy = a.derivative(S, y)
    for s, yk, dk in zip(S, y, dy, strict=True):
        assert _kernels.act(a.code, s) == pytest.approx(yk, rel=1e-13, abs=1e-300), s
        assert _kernels.deriv(a.code, s, yk) == pytest.approx(dk, rel=1e-13, abs=1e-300), s


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
    ],
)
def test_known_values(name, s, expected):
    assert float(get_activation(name).function(np.float64(s))) == pytest.approx(expected,
                                                                                 rel=1e-15)


def test_synaptic_conventions_for_steps():
    assert get_activation("HLIM").derivative(np.array([-1.0]), np.array([0.0]))[0] == 1.0
    assert get_activation("RELU").derivative(np.array([0.0]), np.array([0.0]))[0] == 0.0


def test_names_and_aliases():
    assert get_activation("LOGISTIC").name == "logistic"
    assert get_activation("Sigmoid").name == "logistic"
    assert get_activation("bipolar-sigmoid").name == "bipolar_sigmoid"
    assert get_activation("LeakyReLU").name == "leaky_relu"
    assert len(ACTIVATIONS) >= 17


@pytest.mark.parametrize("bad", ["__import__('os')", "softmax", "", 3, None])
def test_unknown_activation(bad):
    with pytest.raises(ActivationError):
        get_activation(bad)
