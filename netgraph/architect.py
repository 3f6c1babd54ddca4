"""Ready-made architectures: Perceptron, LSTM, Liquid, Hopfield (Synaptic's Architect)."""

from ._architect import LSTM as LSTM
from ._architect import Hopfield as Hopfield
from ._architect import Liquid as Liquid
from ._architect import Perceptron as Perceptron

__all__ = ["LSTM", "Hopfield", "Liquid", "Perceptron"]
