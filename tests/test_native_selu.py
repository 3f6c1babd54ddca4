"""SELU's derivative, f'(s) = scale * alpha * e^s for s <= 0, against 50-digit values
(the standard library's decimal), in the native kernels and in the registry: computed as
y + scale * alpha it cancels for very negative s (1.2e-3 relative error at s = -30, 0
instead of ~1e-17 at s = -40)."""

from __future__ import annotations

import decimal

import numpy as np
import pytest

from netgraph import _core
from netgraph._activations import ACTIVATIONS, SELU_ALPHA, SELU_SCALE

CODE = list(ACTIVATIONS).index("selu")
DIGITS = decimal.Context(prec=50)

# exp(s) is a normal float down to about s = -708; below, the true value is subnormal
# and only its absolute error is meaningful.
NORMAL = np.concatenate([np.linspace(-708, -1, 400), np.linspace(-1, 5, 61),
                         [-30.0, -40.0, -100.0, -1e-300, 0.0, 1e-300]])
SUBNORMAL = np.linspace(-745, -709, 40)


def _exact(s: float) -> float:
    if s > 0:
        return SELU_SCALE
    # the float constants exactly, as the code uses them; e^s to 50 digits
    d = DIGITS
    return float(d.multiply(d.multiply(decimal.Decimal(SELU_SCALE), decimal.Decimal(SELU_ALPHA)),
                            d.exp(decimal.Decimal(s))))


def _native(s: float) -> float:
    return float(_core.deriv(CODE, s, _core.act(CODE, s)))


def _registry(s: np.ndarray) -> np.ndarray:
    a = ACTIVATIONS["selu"]
    return np.asarray(a.derivative(s, a.function(s)))


@pytest.mark.parametrize("where", ["native", "registry"])
def test_selu_derivative_is_accurate_to_a_few_ulps_for_every_sum(where):
    got = (np.array([_native(s) for s in NORMAL]) if where == "native"
           else _registry(NORMAL.copy()))
    want = np.array([_exact(s) for s in NORMAL])
    rel = np.abs(got - want) / want
    assert rel.max() < 8e-16, (NORMAL[rel.argmax()], got[rel.argmax()], want[rel.argmax()])
    sub = (np.array([_native(s) for s in SUBNORMAL]) if where == "native"
           else _registry(SUBNORMAL.copy()))
    want_sub = np.array([_exact(s) for s in SUBNORMAL])
    assert np.abs(sub - want_sub).max() <= 2 * 5e-324 * SELU_SCALE * SELU_ALPHA
    assert (sub[SUBNORMAL > -744] > 0).all()  # not flushed to 0


def test_the_cases_the_review_measured():
    for s in (-30.0, -40.0, -60.0):
        want = _exact(s)
        assert abs(_native(s) - want) <= 8e-16 * want
        assert abs(float(_registry(np.array([s]))[0]) - want) <= 8e-16 * want
