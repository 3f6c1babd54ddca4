"""Ready-made architectures, as Synaptic's Architect builds them."""

from __future__ import annotations

import itertools

from ._exceptions import TopologyError
from ._layer import Layer
from ._network import Network, Seed


def Perceptron(*sizes: int, activation: str = "logistic", seed: Seed = None) -> Network:
    """Layers of the given sizes, each projected all-to-all onto the next.

    ``Perceptron(2, 3, 1)`` is the seed's XOR net. Needs at least an input and an
    output size.
    """
    if len(sizes) < 2:
        raise TopologyError("a Perceptron needs at least an input and an output size")
    layers = [Layer(n, activation) for n in sizes]
    for a, b in itertools.pairwise(layers):
        a.project(b)
    return Network(input=layers[0], hidden=layers[1:-1], output=layers[-1], seed=seed)
