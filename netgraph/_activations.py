"""Activation functions, registered by name next to their derivatives.

A name in a graph or a document is only ever a key into this registry; nothing
taken from a document is evaluated. Each function works elementwise on numpy
arrays (and on floats). ``derivative(s, y)`` receives both the state ``s`` and
the activation ``y = f(s)`` because several derivatives are cheapest from ``y``.

The native core (``netgraph/_native/rules.h``) has its own scalar copy of each rule,
keyed by ``Activation.code``; tests hold the two against each other.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._exceptions import ActivationError

__all__ = ["ACTIVATIONS", "ACTIVATION_NAMES", "SOFTMAX", "Activation", "activation_source",
           "get_activation", "softmax"]

Array = np.ndarray
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
LEAKY_SLOPE = 0.01
# neat-python 2.0's activations scale and clamp their argument (neat/activations.py):
# sigmoid, sin and softplus take 5z, tanh 2.5z, each clamped to [-60, 60]; gauss clamps
# z to [-3.4, 3.4]; exp clamps z to [-60, 60]; log floors z at 1e-7; lelu leaks 0.005.
NEAT_CLAMP = 60.0
NEAT_GAUSS_CLAMP = 3.4
NEAT_LOG_FLOOR = 1e-7
NEAT_LEAK = 0.005
# brain.js 1.6.1's NeuralNetwork "leaky-relu" computes ``sum < 0 ? 0 : alpha * sum`` with
# alpha = leakyReluAlpha = 0.01: a relu scaled by alpha, no leak below 0 at all.
BRAIN_LEAKY_ALPHA = 0.01
STEEP_SLOPE = 4.9  # the NEAT paper's steepened sigmoid


@dataclass(frozen=True)
class Activation:
    """A named activation ``f`` with its derivative ``f'``.

    ``differentiable`` is False for step functions, whose ``derivative`` is the
    conventional stand-in Synaptic uses (1 for ``hlim``), not a true derivative.
    ``low`` and ``high`` bound every value ``f`` can take (a closed interval; infinite
    where unbounded): training warns when targets lie outside them.
    ``grouped`` is True for ``softmax`` only: its value couples a group of neurons (see
    ``SOFTMAX``), so ``function``/``derivative`` are only each neuron's own part.
    """

    name: str
    code: int
    function: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]
    differentiable: bool = True
    low: float = -math.inf
    high: float = math.inf
    grouped: bool = False

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _logistic(s: Array) -> Array:
    # exp(-s) overflows to inf for s < -709; 1/(1+inf) is the right limit, 0.
    with np.errstate(over="ignore"):
        y: Array = 1.0 / (1.0 + np.exp(-s))
    return y


def _softplus(s: Array) -> Array:
    y: Array = np.logaddexp(0.0, s)
    return y


def _selu(s: Array) -> Array:
    y: Array = SELU_SCALE * np.where(s > 0, s, SELU_ALPHA * np.expm1(np.minimum(s, 0.0)))
    return y


def _clamp(z: Array, limit: float) -> Array:
    clamped: Array = np.clip(z, -limit, limit)
    return clamped


def _inside(z: Array, limit: float) -> Array:
    """Where a clamped argument is strictly inside its clamp (elsewhere the slope is 0)."""
    inside: Array = np.abs(z) < limit
    return inside


def _neat_inv(s: Array) -> Array:
    # neat-python returns 0 where 1/z raises (z == 0); a subnormal z gives inf, as there
    with np.errstate(divide="ignore", over="ignore"):
        return np.where(s == 0, 0.0, 1.0 / np.where(s == 0, 1.0, s))


def _neat_softplus(s: Array) -> Array:
    # neat writes log(1 + exp(z)), not log1p: kept, so tiny values round as neat's do
    y: Array = 0.2 * np.log(1.0 + np.exp(_clamp(5.0 * s, NEAT_CLAMP)))
    return y


# name: (f(s), f'(s, y), differentiable). The order fixes the codes: append only.
_RULES: dict[str, tuple[Callable[[Array], Array], Callable[[Array, Array], Array], bool]] = {
    "logistic": (_logistic, lambda s, y: y * (1.0 - y), True),
    "tanh": (np.tanh, lambda s, y: 1.0 - y * y, True),
    "identity": (lambda s: s * 1.0, lambda s, y: np.ones_like(s), True),
    "hlim": (
        lambda s: np.where(s > 0, 1.0, 0.0),
        lambda s, y: np.ones_like(s),  # Synaptic's convention, not a derivative
        False,
    ),
    "relu": (lambda s: np.where(s > 0, s, 0.0), lambda s, y: np.where(s > 0, 1.0, 0.0), True),
    "softsign": (
        lambda s: s / (1.0 + np.abs(s)),
        lambda s, y: 1.0 / ((1.0 + np.abs(s)) ** 2),
        True,
    ),
    "sinusoid": (np.sin, lambda s, y: np.cos(s), True),
    "gaussian": (lambda s: np.exp(-s * s), lambda s, y: -2.0 * s * y, True),
    "bent_identity": (
        lambda s: (np.sqrt(s * s + 1.0) - 1.0) / 2.0 + s,
        lambda s, y: s / (2.0 * np.sqrt(s * s + 1.0)) + 1.0,
        True,
    ),
    "bipolar": (
        lambda s: np.where(s > 0, 1.0, -1.0),
        lambda s, y: np.zeros_like(s),
        False,
    ),
    # 2/(1+exp(-s)) - 1 is tanh(s/2); the tanh form cannot overflow.
    "bipolar_sigmoid": (lambda s: np.tanh(s / 2.0), lambda s, y: (1.0 - y * y) / 2.0, True),
    "hard_tanh": (
        lambda s: np.clip(s, -1.0, 1.0),
        lambda s, y: np.where(np.abs(s) < 1.0, 1.0, 0.0),
        True,
    ),
    "absolute": (np.abs, lambda s, y: np.where(s < 0, -1.0, 1.0), True),
    "inverse": (lambda s: 1.0 - s, lambda s, y: -np.ones_like(s), True),
    "selu": (
        _selu,
        # scale * alpha * e^s, not y + scale * alpha: that cancels for very negative s
        lambda s, y: np.where(s > 0, SELU_SCALE,
                              SELU_SCALE * SELU_ALPHA * np.exp(np.minimum(s, 0.0))),
        True,
    ),
    "leaky_relu": (
        lambda s: np.where(s > 0, s, LEAKY_SLOPE * s),
        lambda s, y: np.where(s > 0, 1.0, LEAKY_SLOPE),
        True,
    ),
    "softplus": (_softplus, lambda s, y: _logistic(s), True),
    # Neataptic's STEP: hlim's function with derivative 0 (Synaptic's HLIM passes 1 back)
    "step": (lambda s: np.where(s > 0, 1.0, 0.0), lambda s, y: np.zeros_like(s), False),
    # neat-python's own forms (constants above): exact imports of its networks
    "neat_sigmoid": (
        lambda s: 1.0 / (1.0 + np.exp(-_clamp(5.0 * s, NEAT_CLAMP))),
        lambda s, y: np.where(_inside(5.0 * s, NEAT_CLAMP), 5.0 * y * (1.0 - y), 0.0),
        True,
    ),
    "neat_tanh": (
        lambda s: np.tanh(_clamp(2.5 * s, NEAT_CLAMP)),
        lambda s, y: np.where(_inside(2.5 * s, NEAT_CLAMP), 2.5 * (1.0 - y * y), 0.0),
        True,
    ),
    "neat_sin": (
        lambda s: np.sin(_clamp(5.0 * s, NEAT_CLAMP)),
        lambda s, y: np.where(_inside(5.0 * s, NEAT_CLAMP), 5.0 * np.cos(5.0 * s), 0.0),
        True,
    ),
    "neat_gauss": (
        lambda s: np.exp(-5.0 * _clamp(s, NEAT_GAUSS_CLAMP) ** 2),
        lambda s, y: np.where(_inside(s, NEAT_GAUSS_CLAMP), -10.0 * s * y, 0.0),
        True,
    ),
    "neat_softplus": (
        _neat_softplus,
        lambda s, y: np.where(_inside(5.0 * s, NEAT_CLAMP),
                              _logistic(_clamp(5.0 * s, NEAT_CLAMP)), 0.0),
        True,
    ),
    "elu": (
        lambda s: np.where(s > 0, s, np.expm1(np.minimum(s, 0.0))),
        lambda s, y: np.where(s > 0, 1.0, y + 1.0),
        True,
    ),
    "neat_lelu": (
        lambda s: np.where(s > 0, s, NEAT_LEAK * s),
        lambda s, y: np.where(s > 0, 1.0, NEAT_LEAK),
        True,
    ),
    "neat_inv": (_neat_inv, lambda s, y: np.where(s == 0, 0.0, -y * y), True),
    "neat_log": (
        lambda s: np.log(np.maximum(s, NEAT_LOG_FLOOR)),
        lambda s, y: np.where(s > NEAT_LOG_FLOOR, 1.0 / np.maximum(s, NEAT_LOG_FLOOR), 0.0),
        True,
    ),
    "neat_exp": (
        lambda s: np.exp(_clamp(s, NEAT_CLAMP)),
        lambda s, y: np.where(_inside(s, NEAT_CLAMP), y, 0.0),
        True,
    ),
    "hat": (
        lambda s: np.maximum(0.0, 1.0 - np.abs(s)),
        lambda s, y: np.where(np.abs(s) < 1.0, -np.sign(s), 0.0),
        True,
    ),
    "square": (lambda s: s * s, lambda s, y: 2.0 * s, True),
    # s**3 through pow, as neat-python's z ** 3 computes it
    "cube": (lambda s: np.power(s, 3.0), lambda s, y: 3.0 * s * s, True),
    # brain.js's "leaky-relu" as brain.js 1.6.1 computes it (see BRAIN_LEAKY_ALPHA); its
    # own training uses a slope of 1 above 0: this is the true derivative of its function
    "brain_leaky_relu": (
        lambda s: np.where(s < 0, 0.0, BRAIN_LEAKY_ALPHA * s),
        lambda s, y: np.where(s > 0, BRAIN_LEAKY_ALPHA, 0.0),
        True,
    ),
    # the NEAT paper's steepened sigmoid 1/(1+e^(-4.9s)) (Stanley & Miikkulainen 2002)
    "steep_sigmoid": (lambda s: _logistic(STEEP_SLOPE * s),
                      lambda s, y: STEEP_SLOPE * y * (1.0 - y), True),
}

# Each rule once more as source text, an expression of the float ``s``, for code that runs
# without netgraph: generated Python (``math`` only), JavaScript and C99 (<math.h>), and the
# HTML page's in-browser forward pass. Each must equal ``function`` above to rounding (tests
# hold them together). Python's math.exp raises on overflow where numpy gives inf, hence the
# guard on logistic; past -709 the true value is below 1e-307 anyway.
_SOURCE: dict[str, tuple[str, str, str]] = {
    # name: (python, javascript, c)
    "logistic": ("(1.0 / (1.0 + math.exp(-s)) if s > -709.0 else 0.0)",
                 "1 / (1 + Math.exp(-s))", "1.0 / (1.0 + exp(-s))"),
    "tanh": ("math.tanh(s)", "Math.tanh(s)", "tanh(s)"),
    "identity": ("s", "s", "s"),
    "hlim": ("(1.0 if s > 0 else 0.0)", "(s > 0 ? 1 : 0)", "(s > 0 ? 1.0 : 0.0)"),
    "relu": ("(s if s > 0 else 0.0)", "(s > 0 ? s : 0)", "(s > 0 ? s : 0.0)"),
    "softsign": ("s / (1.0 + abs(s))", "s / (1 + Math.abs(s))", "s / (1.0 + fabs(s))"),
    "sinusoid": ("math.sin(s)", "Math.sin(s)", "sin(s)"),
    "gaussian": ("math.exp(-s * s)", "Math.exp(-s * s)", "exp(-s * s)"),
    "bent_identity": ("(math.sqrt(s * s + 1.0) - 1.0) / 2.0 + s",
                      "(Math.sqrt(s * s + 1) - 1) / 2 + s",
                      "(sqrt(s * s + 1.0) - 1.0) / 2.0 + s"),
    "bipolar": ("(1.0 if s > 0 else -1.0)", "(s > 0 ? 1 : -1)", "(s > 0 ? 1.0 : -1.0)"),
    "bipolar_sigmoid": ("math.tanh(s / 2.0)", "Math.tanh(s / 2)", "tanh(s / 2.0)"),
    "hard_tanh": ("min(1.0, max(-1.0, s))", "Math.min(1, Math.max(-1, s))",
                  "fmin(1.0, fmax(-1.0, s))"),
    "absolute": ("abs(s)", "Math.abs(s)", "fabs(s)"),
    "inverse": ("1.0 - s", "1 - s", "1.0 - s"),
    "selu": (f"{SELU_SCALE!r} * (s if s > 0 else {SELU_ALPHA!r} * math.expm1(s))",
             f"{SELU_SCALE!r} * (s > 0 ? s : {SELU_ALPHA!r} * Math.expm1(s))",
             f"{SELU_SCALE!r} * (s > 0 ? s : {SELU_ALPHA!r} * expm1(s))"),
    "leaky_relu": (f"(s if s > 0 else {LEAKY_SLOPE!r} * s)", f"(s > 0 ? s : {LEAKY_SLOPE!r} * s)",
                   f"(s > 0 ? s : {LEAKY_SLOPE!r} * s)"),
    "softplus": ("max(s, 0.0) + math.log1p(math.exp(-abs(s)))",
                 "Math.max(s, 0) + Math.log1p(Math.exp(-Math.abs(s)))",
                 "fmax(s, 0.0) + log1p(exp(-fabs(s)))"),
    "step": ("(1.0 if s > 0 else 0.0)", "(s > 0 ? 1 : 0)", "(s > 0 ? 1.0 : 0.0)"),
    "neat_sigmoid": ("1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, 5.0 * s))))",
                     "1 / (1 + Math.exp(-Math.max(-60, Math.min(60, 5 * s))))",
                     "1.0 / (1.0 + exp(-fmax(-60.0, fmin(60.0, 5.0 * s))))"),
    "neat_tanh": ("math.tanh(max(-60.0, min(60.0, 2.5 * s)))",
                  "Math.tanh(Math.max(-60, Math.min(60, 2.5 * s)))",
                  "tanh(fmax(-60.0, fmin(60.0, 2.5 * s)))"),
    "neat_sin": ("math.sin(max(-60.0, min(60.0, 5.0 * s)))",
                 "Math.sin(Math.max(-60, Math.min(60, 5 * s)))",
                 "sin(fmax(-60.0, fmin(60.0, 5.0 * s)))"),
    "neat_gauss": ("math.exp(-5.0 * max(-3.4, min(3.4, s)) ** 2)",
                   "Math.exp(-5 * Math.max(-3.4, Math.min(3.4, s)) ** 2)",
                   "exp(-5.0 * pow(fmax(-3.4, fmin(3.4, s)), 2.0))"),
    "neat_softplus": ("0.2 * math.log(1.0 + math.exp(max(-60.0, min(60.0, 5.0 * s))))",
                      "0.2 * Math.log(1 + Math.exp(Math.max(-60, Math.min(60, 5 * s))))",
                      "0.2 * log(1.0 + exp(fmax(-60.0, fmin(60.0, 5.0 * s))))"),
    "elu": ("(s if s > 0 else math.expm1(s))", "(s > 0 ? s : Math.expm1(s))",
            "(s > 0 ? s : expm1(s))"),
    "neat_lelu": (f"(s if s > 0 else {NEAT_LEAK!r} * s)", f"(s > 0 ? s : {NEAT_LEAK!r} * s)",
                  f"(s > 0 ? s : {NEAT_LEAK!r} * s)"),
    "neat_inv": ("(1.0 / s if s != 0 else 0.0)", "(s !== 0 ? 1 / s : 0)",
                 "(s != 0 ? 1.0 / s : 0.0)"),
    "neat_log": (f"math.log(max({NEAT_LOG_FLOOR!r}, s))",
                 f"Math.log(Math.max({NEAT_LOG_FLOOR!r}, s))",
                 f"log(fmax({NEAT_LOG_FLOOR!r}, s))"),
    "neat_exp": ("math.exp(max(-60.0, min(60.0, s)))",
                 "Math.exp(Math.max(-60, Math.min(60, s)))",
                 "exp(fmax(-60.0, fmin(60.0, s)))"),
    "hat": ("max(0.0, 1.0 - abs(s))", "Math.max(0, 1 - Math.abs(s))",
            "fmax(0.0, 1.0 - fabs(s))"),
    "square": ("s * s", "s * s", "s * s"),
    "cube": ("math.pow(s, 3.0)", "Math.pow(s, 3)", "pow(s, 3.0)"),
    "brain_leaky_relu": (f"(0.0 if s < 0 else {BRAIN_LEAKY_ALPHA!r} * s)",
                         f"(s < 0 ? 0 : {BRAIN_LEAKY_ALPHA!r} * s)",
                         f"(s < 0 ? 0.0 : {BRAIN_LEAKY_ALPHA!r} * s)"),
    "steep_sigmoid": ("(1.0 / (1.0 + math.exp(-4.9 * s)) if s > -144.0 else 0.0)",
                      "1 / (1 + Math.exp(-4.9 * s))", "1.0 / (1.0 + exp(-4.9 * s))"),
}
_LANGUAGES = ("python", "javascript", "c")


def activation_source(name: str, language: str) -> str:
    """The activation ``name`` as an expression of the variable ``s`` in ``language``
    (``"python"``: needs only ``import math``; ``"javascript"``; ``"c"``: C99 with
    <math.h>). Raises ``ActivationError`` for an unknown name or language."""
    a = get_activation(name)
    if a.grouped:
        raise ActivationError("softmax has no per-neuron source form: it normalizes the group "
                              "of softmax outputs together")
    try:
        return _SOURCE[a.name][_LANGUAGES.index(language)]
    except ValueError:
        raise ActivationError(f"no source form for language {language!r}; known: "
                              f"{', '.join(_LANGUAGES)}") from None


# The closed range of each bounded activation's values (the rest are unbounded both ways).
_RANGES: dict[str, tuple[float, float]] = {
    "logistic": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "hlim": (0.0, 1.0),
    "relu": (0.0, math.inf),
    "softsign": (-1.0, 1.0),
    "sinusoid": (-1.0, 1.0),
    "gaussian": (0.0, 1.0),
    "bipolar": (-1.0, 1.0),
    "bipolar_sigmoid": (-1.0, 1.0),
    "hard_tanh": (-1.0, 1.0),
    "absolute": (0.0, math.inf),
    "selu": (-SELU_SCALE * SELU_ALPHA, math.inf),
    "softplus": (0.0, math.inf),
    "step": (0.0, 1.0),
    "neat_sigmoid": (0.0, 1.0),
    "neat_tanh": (-1.0, 1.0),
    "neat_sin": (-1.0, 1.0),
    "neat_gauss": (0.0, 1.0),
    "neat_softplus": (0.0, 0.2 * math.log(1.0 + math.exp(NEAT_CLAMP))),
    "elu": (-1.0, math.inf),
    "neat_log": (math.log(NEAT_LOG_FLOOR), math.inf),
    "neat_exp": (0.0, math.inf),
    "hat": (0.0, 1.0),
    "square": (0.0, math.inf),
    "brain_leaky_relu": (0.0, math.inf),
    "steep_sigmoid": (0.0, 1.0),
}

ACTIVATIONS: dict[str, Activation] = {
    name: Activation(name, code, f, df, ok, *_RANGES.get(name, (-math.inf, math.inf)))
    for code, (name, (f, df, ok)) in enumerate(_RULES.items())
}

# Softmax couples neurons: an output's value is exp(s_k) / sum_j exp(s_j) over every softmax
# output of the network, so it is no per-neuron rule and stays out of ACTIVATIONS (whose
# rules every element-wise path, exporter and peer table covers). Each neuron's own part is
# its sum s (identity, slope 1); the evaluators normalize the group after the forward pass
# (``softmax`` below; netgraph/_native/feedforward.c) and the gradients take the group's
# exact Jacobian, or p - t with the cross-entropy cost (``_costs.output_gradient``).
# It is allowed only on output neurons without outgoing synapses, in feed-forward
# networks (``_compile.check_softmax``). Its code follows the registry's.
SOFTMAX = Activation("softmax", len(ACTIVATIONS), lambda s: np.asarray(s, dtype=np.float64),
                     lambda s, y: np.ones_like(s, dtype=np.float64), True, 0.0, 1.0,
                     grouped=True)

#: every activation name a neuron may carry: the per-neuron rules and ``softmax``
ACTIVATION_NAMES: tuple[str, ...] = (*ACTIVATIONS, SOFTMAX.name)


def softmax(S: Array, axis: int = 0) -> Array:
    """exp(S) normalized to sum 1 along ``axis``, the group's maximum subtracted first so
    that no exp overflows (the largest term is exp(0) = 1, so the sum is at least 1)."""
    E: Array = np.exp(S - np.max(S, axis=axis, keepdims=True))
    P: Array = E / np.sum(E, axis=axis, keepdims=True)
    return P


# Other spellings users bring with them (Synaptic's and Neataptic's constants).
_ALIASES = {
    "sigmoid": "logistic",
    "hard_limit": "hlim",
    "linear": "identity",
    "sin": "sinusoid",
    "sine": "sinusoid",
    "abs": "absolute",
    "leakyrelu": "leaky_relu",
    "bentidentity": "bent_identity",
    "bipolarsigmoid": "bipolar_sigmoid",
    "hardtanh": "hard_tanh",
}


def get_activation(name: object) -> Activation:
    """Look up an activation by name (case-insensitive; Synaptic's ``LOGISTIC`` works).

    Raises ``ActivationError`` naming the unknown name and listing the known ones.
    """
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str):
        raise ActivationError(f"activation must be a name (str), got {type(name).__name__}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, _ALIASES.get(key.replace("_", ""), key))
    if key == SOFTMAX.name:
        return SOFTMAX
    try:
        return ACTIVATIONS[key]
    except KeyError:
        known = ", ".join(ACTIVATION_NAMES)
        raise ActivationError(f"unknown activation {name!r}; known: {known}") from None
