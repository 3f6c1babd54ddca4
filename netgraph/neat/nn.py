"""neat-python's ``neat.nn``, for code that changed only its import line.

``FeedForwardNetwork.create(genome, config)`` and ``RecurrentNetwork.create(genome,
config)`` evaluate a genome the way neat-python's do: the same nodes, the same
connections, ``act(bias + response * agg(w_i * x_i))`` node by node, with netgraph's
exact forms of neat-python's activations. They build no networkx graph (cheap inside an
``eval_genomes`` loop); ``genome.network`` is the same function as a ``netgraph.Network``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._activations import get_activation
from .._exceptions import InputError
from ..interop._neat import _activation
from ._gated import neataptic_mode
from ._genome import Genome, expressed

__all__ = ["FeedForwardNetwork", "RecurrentNetwork"]

_Eval = tuple[int, Callable[[float], float], str, float, float, list[tuple[int, float]]]


def _clip(z: float, lo: float, hi: float) -> float:
    return lo if z < lo else hi if z > hi else z


def _steep(z: float) -> float:
    z = 4.9 * z
    return 1.0 / (1.0 + math.exp(-z)) if z > -700.0 else 0.0


def _inv(z: float) -> float:
    return 0.0 if z == 0.0 else 1.0 / z


# neat-python's activations on one float, in its own formulas (a scalar loop is what an
# eval_genomes callback runs; numpy per call costs ~50x more). tests/test_neat_compat.py
# checks each against netgraph's registry form (``_activations.py``) that genome.network
# and the native core evaluate.
_SCALAR: dict[str, Callable[[float], float]] = {
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-_clip(5.0 * z, -60.0, 60.0))),
    "tanh": lambda z: math.tanh(_clip(2.5 * z, -60.0, 60.0)),
    "sin": lambda z: math.sin(_clip(5.0 * z, -60.0, 60.0)),
    "gauss": lambda z: math.exp(-5.0 * _clip(z, -3.4, 3.4) ** 2),
    "relu": lambda z: z if z > 0.0 else 0.0,
    "elu": lambda z: z if z > 0.0 else math.exp(z) - 1.0,
    "lelu": lambda z: z if z > 0.0 else 0.005 * z,
    "selu": lambda z: 1.0507009873554804934193349852946 * z if z > 0.0 else
    1.0507009873554804934193349852946 * 1.6732632423543772848170429916717
    * (math.exp(z) - 1.0),
    "softplus": lambda z: 0.2 * math.log(1.0 + math.exp(_clip(5.0 * z, -60.0, 60.0))),
    "identity": lambda z: z,
    "clamped": lambda z: _clip(z, -1.0, 1.0),
    "inv": _inv,
    "log": lambda z: math.log(max(1e-7, z)),
    "exp": lambda z: math.exp(_clip(z, -60.0, 60.0)),
    "abs": abs,
    "hat": lambda z: max(0.0, 1.0 - abs(z)),
    "square": lambda z: z * z,
    "cube": lambda z: z ** 3,
    "steep_sigmoid": _steep,
}


def _function(neat_name: str) -> Callable[[float], float]:
    f = _SCALAR.get(neat_name)
    if f is not None:
        return f
    rule = get_activation(_activation(neat_name)).function

    def g(z: float) -> float:
        return float(rule(np.array(z, dtype=np.float64)))
    return g


def _aggregate(kind: str, terms: list[float]) -> float:
    if kind == "sum":
        return sum(terms)
    if kind == "mean":
        return sum(terms) / len(terms) if terms else 0.0
    raise InputError(f"aggregation {kind!r} is not one netgraph evaluates (sum, mean)")


def _evals(genome: Any, recurrent: bool) -> tuple[list[int], list[int], list[_Eval]]:
    if not isinstance(genome, Genome):
        raise InputError(f"expected a netgraph.neat.Genome, got {type(genome).__name__} "
                         "(a neat-python genome converts with Genome.from_neat)")
    if neataptic_mode(genome.config.values):
        raise InputError(f"genome {genome.key} belongs to a configuration with Neataptic's "
                         "mutations on (gate_add_prob ...): it is a gated Synaptic network, "
                         "not a neat-python one; use genome.network")
    inputs, outputs, nodes = expressed(genome, recurrent=recurrent)
    evals: list[_Eval] = [(n.key, _function(n.activation), n.aggregation, n.bias,
                           n.response, list(n.links)) for n in nodes]
    return inputs, outputs, evals


def _check(inputs: Sequence[float], expected: int) -> list[float]:
    values = list(inputs)
    if len(values) != expected:
        raise InputError(f"expected {expected} inputs, got {len(values)}")
    return [float(v) for v in values]


class FeedForwardNetwork:
    """neat-python's ``FeedForwardNetwork``: a genome's feed-forward phenotype.

    Make one with ``FeedForwardNetwork.create(genome, config)``. ``input_nodes``,
    ``output_nodes`` and ``node_evals`` are neat-python's (node, activation, aggregation,
    bias, response, links) with the aggregation as its name.
    """

    def __init__(self, inputs: list[int], outputs: list[int], node_evals: list[_Eval]) -> None:
        self.input_nodes = inputs
        self.output_nodes = outputs
        self.node_evals = node_evals
        self.values: dict[int, float] = {k: 0.0 for k in inputs + outputs}

    @staticmethod
    def create(genome: Genome, config: Any = None) -> FeedForwardNetwork:
        """The phenotype of ``genome`` (a ``netgraph.neat.Genome``).

        **Arguments**
        - ``genome``: the genome. ``config``: accepted for neat-python's signature (the
          genome carries its own).

        **Returns** the network.
        """
        return FeedForwardNetwork(*_evals(genome, recurrent=False))

    def activate(self, inputs: Sequence[float]) -> list[float]:
        """One evaluation.

        **Arguments**
        - ``inputs``: one value per input node.

        **Returns** the outputs, as a list of floats.
        """
        values = self.values
        for k, v in zip(self.input_nodes, _check(inputs, len(self.input_nodes)), strict=True):
            values[k] = v
        for node, act, agg, bias, response, links in self.node_evals:
            s = _aggregate(agg, [values[i] * w for i, w in links])
            values[node] = act(bias + response * s)
        return [values[k] for k in self.output_nodes]


class RecurrentNetwork:
    """neat-python's ``RecurrentNetwork``: every node reads the other nodes' values from
    the previous ``activate`` call, and the inputs as they are now.

    Make one with ``RecurrentNetwork.create(genome, config)``; ``reset()`` clears it.
    """

    def __init__(self, inputs: list[int], outputs: list[int], node_evals: list[_Eval]) -> None:
        self.input_nodes = inputs
        self.output_nodes = outputs
        self.node_evals = node_evals
        keys = set(inputs) | set(outputs)
        for node, *_, links in node_evals:
            keys.add(node)
            keys.update(i for i, _ in links)
        self.values: list[dict[int, float]] = [dict.fromkeys(keys, 0.0) for _ in range(2)]
        self.active = 0

    @staticmethod
    def create(genome: Genome, config: Any = None) -> RecurrentNetwork:
        """The recurrent phenotype of ``genome`` (a ``netgraph.neat.Genome``).

        **Arguments**
        - ``genome``: the genome. ``config``: accepted for neat-python's signature.

        **Returns** the network, in its cleared state.
        """
        return RecurrentNetwork(*_evals(genome, recurrent=True))

    def reset(self) -> None:
        """Back to the cleared state (every value 0)."""
        self.values = [dict.fromkeys(v, 0.0) for v in self.values]
        self.active = 0

    def activate(self, inputs: Sequence[float]) -> list[float]:
        """One step.

        **Arguments**
        - ``inputs``: one value per input node.

        **Returns** the outputs after this step.
        """
        now = _check(inputs, len(self.input_nodes))
        before, after = self.values[self.active], self.values[1 - self.active]
        self.active = 1 - self.active
        for k, v in zip(self.input_nodes, now, strict=True):
            before[k] = v
            after[k] = v
        for node, act, agg, bias, response, links in self.node_evals:
            s = _aggregate(agg, [before[i] * w for i, w in links])
            after[node] = act(bias + response * s)
        return [after[k] for k in self.output_nodes]
