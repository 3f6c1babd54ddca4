"""Cost functions by name, each with its derivative with respect to the outputs.

``value(Y, T)`` takes 2-D arrays (rows = samples) and returns the mean over rows of
the per-sample cost, as Synaptic's Trainer reports it. ``derivative(y, t)`` is the
per-sample gradient d cost / d y for one row (1-D) or many (2-D).

Softmax outputs (a group whose values sum to 1, ``_activations.SOFTMAX``) change two
things, given the group as a mask over the output columns: the cross-entropy of the
group is the categorical one, -sum t log p (other outputs keep Synaptic's per-output
form), and ``output_gradient`` gives the gradient with respect to the group's sums:
p * sum(t) - t for the cross-entropy (exact, and free of the 1/p that vanishes when a
wrong class saturates), the group's exact Jacobian applied to d cost / d y otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._exceptions import InputError

__all__ = ["COSTS", "Cost", "get_cost", "output_gradient"]

# The native core's copies of these rules (``netgraph/_native/rules.h``) use these codes.
MSE, CROSS_ENTROPY, MAE, BINARY = 0, 1, 2, 3

_EPS = 1e-15  # Synaptic's guard against log(0)


@dataclass(frozen=True)
class Cost:
    """A per-sample cost with its gradient with respect to the outputs.

    ``differentiable`` is False for counting costs such as ``binary``.
    """

    name: str
    code: int
    per_sample: Callable[[np.ndarray, np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    differentiable: bool = True

    def value(self, Y: np.ndarray, T: np.ndarray, group: np.ndarray | None = None) -> float:
        """Mean over samples (rows) of the per-sample cost. ``group``: a boolean mask of
        the softmax output columns (their cross-entropy is the categorical one)."""
        Y, T = np.atleast_2d(Y), np.atleast_2d(T)
        if self.code != CROSS_ENTROPY or group is None or not group.any():
            return float(np.mean(self.per_sample(Y, T)))
        rest = ~group
        cost = -np.sum(T[:, group] * np.log(Y[:, group] + _EPS), axis=-1)
        if rest.any():
            cost = cost + _ce(Y[:, rest], T[:, rest])
        return float(np.mean(cost))

    def __repr__(self) -> str:
        return f"Cost({self.name!r})"


def _ce(Y: np.ndarray, T: np.ndarray) -> np.ndarray:
    # Synaptic's CROSS_ENTROPY: summed over outputs, logs pushed 1e-15 away from 0
    cost: np.ndarray = -np.sum(T * np.log(Y + _EPS) + (1 - T) * np.log((1 + _EPS) - Y),
                               axis=-1)
    return cost


def _ce_grad(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    # the exact derivative of _ce, guards included
    return (1 - t) / ((1 + _EPS) - y) - t / (y + _EPS)


def _round_half_up(x: np.ndarray) -> np.ndarray:
    # JavaScript's Math.round, which Synaptic's BINARY cost uses
    return np.floor(x + 0.5)


def _not_differentiable(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    raise InputError("the 'binary' cost counts mistakes and has no gradient")


COSTS: dict[str, Cost] = {
    "mse": Cost(
        "mse",
        MSE,
        lambda Y, T: np.mean((T - Y) ** 2, axis=-1),
        lambda y, t: 2.0 * (y - t) / np.shape(y)[-1],
    ),
    "cross_entropy": Cost("cross_entropy", CROSS_ENTROPY, _ce, _ce_grad),
    "mae": Cost(
        "mae",
        MAE,
        lambda Y, T: np.mean(np.abs(T - Y), axis=-1),
        lambda y, t: np.sign(y - t) / np.shape(y)[-1],
    ),
    "binary": Cost(
        "binary",
        BINARY,
        lambda Y, T: np.sum(_round_half_up(2 * T) != _round_half_up(2 * Y),
                            axis=-1).astype(float),
        _not_differentiable,
        differentiable=False,
    ),
}


def output_gradient(cost: Cost, Y: np.ndarray, T: np.ndarray,
                    group: np.ndarray | None = None) -> np.ndarray:
    """Per-sample gradients at the outputs, rows = samples: d cost / d y for each output,
    except the softmax group's columns (``group``, a boolean mask), which hold d cost / d s
    with respect to the group's sums (their slope f' is then 1).

    **Returns** float64, the shape of ``Y``.
    """
    Y, T = np.atleast_2d(Y), np.atleast_2d(T)
    if group is None or not group.any():
        return np.asarray(cost.derivative(Y, T), dtype=np.float64)
    if cost.code == CROSS_ENTROPY:
        G = np.zeros_like(Y, dtype=np.float64)
        rest = ~group
        if rest.any():
            G[:, rest] = _ce_grad(Y[:, rest], T[:, rest])
        # d/ds_k of -sum_j t_j log p_j, with p = softmax(s): p_k sum_j t_j - t_k
        G[:, group] = Y[:, group] * T[:, group].sum(axis=1, keepdims=True) - T[:, group]
        return G
    G = np.array(cost.derivative(Y, T), dtype=np.float64)
    g, p = G[:, group], Y[:, group]
    # dp_j/ds_k = p_j (delta_jk - p_k): dC/ds_k = p_k (g_k - sum_j g_j p_j)
    G[:, group] = p * (g - np.sum(g * p, axis=1, keepdims=True))
    return G


def get_cost(name: str | Cost) -> Cost:
    """Look up a cost by name: mse, cross_entropy, mae, binary."""
    if isinstance(name, Cost):
        return name
    key = str(name).strip().lower().replace("-", "_")
    key = {"crossentropy": "cross_entropy", "ce": "cross_entropy"}.get(key, key)
    try:
        return COSTS[key]
    except KeyError:
        raise InputError(f"unknown cost {name!r}; known: {', '.join(COSTS)}") from None
