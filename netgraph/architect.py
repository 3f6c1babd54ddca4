"""Ready-made architectures: ``Perceptron`` (more to come with recurrence)."""

from ._architect import Perceptron as Perceptron

__all__ = ["Perceptron"]
