"""Checks of the arguments of netgraph's public calls, each raising ``InputError`` naming
the argument.

numpy and Python accept more than these calls mean (``True`` is the whole number 1,
``"yes"`` is truthy, ``float("nan") >= 0`` is simply False): each check here takes only
what the argument is documented to be, so a mistake is reported where it was made
instead of surfacing later as a numpy error, or not at all.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._exceptions import InputError

__all__ = ["flag", "rate", "real", "seed_generator", "whole"]


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r:.40}"


def whole(name: str, value: Any, low: int = 1) -> int:
    """``value`` as an int if it is a whole number >= ``low`` (a bool is not one)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < low:
        raise InputError(f"{name} must be a whole number >= {low}, got {_shown(value)}")
    return int(value)


def flag(name: str, value: Any) -> bool:
    """``value`` if it is True or False (numpy's bools too); a string or number is refused,
    since ``"no"`` and ``0.0`` would be read as something the caller may not mean."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be True or False, got {_shown(value)}")
    return bool(value)


def real(name: str, value: Any, low: float = -math.inf, high: float = math.inf,
         high_open: bool = False) -> float:
    """``value`` as a float if it is a finite real number in [low, high] (or [low, high)
    with ``high_open``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise InputError(f"{name} must be a real number, got {_shown(value)}")
    try:
        x = float(value)
    except OverflowError:  # an int beyond float64's range
        raise InputError(f"{name} is too large: {value!r:.40} is not representable as a "
                         "float64") from None
    if not math.isfinite(x):
        raise InputError(f"{name} must be finite, got {x}")
    if x < low or x > high or (high_open and x == high):
        top = f"{high:g})" if high_open else f"{high:g}]"
        where = f">= {low:g}" if high == math.inf else f"in [{low:g}, {top}"
        raise InputError(f"{name} must be {where}, got {x}")
    return x


def rate(value: Any, name: str = "rate") -> float:
    """A learning rate: a finite number >= 0 (a negative rate climbs the error)."""
    return real(name, value, low=0.0)


def seed_generator(value: Any, name: str = "seed") -> np.random.Generator:
    """The generator for ``value``: a ``numpy.random.Generator`` itself, a fresh one seeded
    by a whole number >= 0 (or a ``SeedSequence``/``BitGenerator``, or a seed drawn from a
    legacy ``RandomState``), or fresh entropy for None."""
    if isinstance(value, np.random.Generator):
        return value
    if value is None or isinstance(value, (np.random.SeedSequence, np.random.BitGenerator)):
        return np.random.default_rng(value)
    if isinstance(value, np.random.RandomState):  # scikit-learn's random_state: draw a seed
        return np.random.default_rng(int(value.randint(0, 2**63 - 1, dtype=np.int64)))
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < 0:
        raise InputError(f"{name} must be a whole number >= 0, a numpy.random.Generator or "
                         f"None, got {_shown(value)}")
    return np.random.default_rng(int(value))
