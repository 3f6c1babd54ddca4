"""Ready-made architectures: Synaptic's Perceptron, LSTM, Liquid and Hopfield, and
Neataptic's GRU and NARX."""

from ._architect import GRU as GRU
from ._architect import LSTM as LSTM
from ._architect import NARX as NARX
from ._architect import Hopfield as Hopfield
from ._architect import Liquid as Liquid
from ._architect import Perceptron as Perceptron

__all__ = ["GRU", "LSTM", "NARX", "Hopfield", "Liquid", "Perceptron"]
