"""Layers: groups of neurons built and projected in Synaptic's vocabulary.

A ``Layer`` is a plan for some neurons until a ``Network`` takes it in; from then
on it names neurons of that network's graph, and ``set``/``project`` act on the
graph directly.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._activations import get_activation
from ._exceptions import TopologyError

if TYPE_CHECKING:
    from ._network import Network

CONNECTIONS = ("all_to_all", "one_to_one", "all_to_else")
# Projections are made in the order the program asked for them, across layers, as
# Synaptic makes them: whether a pair's synapse is reused depends on what came before.
_ORDER = itertools.count()


class Projection:
    """The synapses one layer projects onto another (Synaptic's ``LayerConnection``).

    ``synapses`` lists them as (source, target) neuron ids once the layers are in a
    network, in the order they were made: for each source neuron, each target.
    """

    def __init__(self, source: Layer, target: Layer, connection: str, weight: Any) -> None:
        self.source = source
        self.target = target
        self.connection = connection
        self.weight = weight
        self.synapses: list[tuple[Any, Any]] = []
        self._seq = next(_ORDER)

    def pairs(self) -> list[tuple[int, int]]:
        """(source index, target index) pairs within the two layers, in creation order.

        As in Synaptic, ``all_to_else`` leaves out only a neuron connecting to itself: between
        two different layers it is all-to-all.
        """
        ns, nt = self.source.size, self.target.size
        if self.connection == "one_to_one":
            return [(i, i) for i in range(ns)]
        pairs = itertools.product(range(ns), range(nt))
        if self.connection == "all_to_else" and self.source is self.target:
            return [(i, j) for i, j in pairs if i != j]
        return list(pairs)

    def count(self) -> int:
        """How many synapses the projection makes."""
        ns, nt = self.source.size, self.target.size
        if self.connection == "one_to_one":
            return ns
        own = self.connection == "all_to_else" and self.source is self.target
        return ns * nt - (ns if own else 0)

    def weights(self, rng: np.random.Generator) -> np.ndarray:
        """The weights of ``pairs()`` in order: given, or Synaptic's uniform(-0.1, 0.1).

        A neuron's synapse to itself (a layer projected onto itself) always gets weight 1:
        Synaptic's ``project(self)`` sets the self-connection to 1 whatever it is given.
        """
        w = self._weights(rng)
        if self.source is self.target:
            w[[k for k, (i, j) in enumerate(self.pairs()) if i == j]] = 1.0
        return w

    def _weights(self, rng: np.random.Generator) -> np.ndarray:
        n = self.count()
        if self.weight is None:
            return rng.uniform(-0.1, 0.1, n)
        w = np.asarray(self.weight, dtype=float)
        if w.ndim == 0:
            return np.full(n, float(w))
        if self.connection == "all_to_all" and w.shape == (self.target.size, self.source.size):
            return w.T.reshape(-1).copy()  # stored [target, source]; made source by source
        if w.shape == (n,):
            return w.copy()
        raise TopologyError(
            f"projection {self.source.label!r} -> {self.target.label!r}: weight of shape "
            f"{w.shape} does not fit {n} synapses"
        )

    def __repr__(self) -> str:
        return f"Projection({self.source.label!r} -> {self.target.label!r}, {self.connection})"


class Layer:
    """A group of ``size`` neurons sharing an activation.

    **Arguments**
    - ``size``: number of neurons (> 0).
    - ``activation``: a registered activation name (default ``"logistic"``).
    - ``bias``: ``None`` draws each bias from uniform(-0.1, 0.1) when the network is
      built (Synaptic's rule, seeded by the network); a number or a sequence of
      ``size`` numbers sets them.
    - ``label``: the layer's name in the graph (``layer`` attribute); the network
      picks ``input``, ``hidden0``, ... and ``output`` if none is given.
    - ``fixed``: the neurons' biases and incoming weights are never learned
      (Neataptic's "constant" nodes, used by GRU and NARX memories).
    """

    def __init__(
        self,
        size: int,
        activation: str = "logistic",
        *,
        bias: float | Sequence[float] | None = None,
        label: str | None = None,
        fixed: bool = False,
    ) -> None:
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise TopologyError(f"a layer needs a whole number of neurons >= 1, got {size!r}")
        self.size = int(size)
        self.activation = get_activation(activation).name
        self.bias = bias
        self.label = label
        self.fixed = bool(fixed)
        self.projections: list[Projection] = []
        self.gatings: list[tuple[Projection, str]] = []
        self.network: Network | None = None
        self.neurons: list[Any] = []

    def project(
        self, other: Layer, connection: str | None = None, weight: Any = None
    ) -> Projection:
        """Connect every neuron of this layer to neurons of ``other``.

        **Arguments**
        - ``connection``: ``"all_to_all"`` (default), ``"one_to_one"`` (sizes must
          match) or ``"all_to_else"`` (all but a neuron to itself: between two different
          layers that is all-to-all). A layer projected onto itself defaults to
          one-to-one, as in Synaptic; its neurons' self-connections get weight 1.
        - ``weight``: ``None`` for random uniform(-0.1, 0.1) weights; a number for all;
          or an array, shape (other.size, self.size) for all-to-all.

        As in Synaptic, a synapse that already exists is reused (its weight is set only
        if ``weight`` is given), and if this layer already projects onto ``other``
        all-to-all or one-to-one, nothing changes and the projection holds no synapses.

        **Returns** the ``Projection``.
        """
        if not isinstance(other, Layer):
            raise TypeError(f"project() takes a Layer, got {type(other).__name__}")
        if connection is None:
            connection = "one_to_one" if other is self else "all_to_all"
        connection = str(connection).lower().replace("-", "_")
        if connection not in CONNECTIONS:
            raise TopologyError(
                f"unknown connection {connection!r}; expected one of {', '.join(CONNECTIONS)}"
            )
        if connection == "one_to_one" and other.size != self.size:
            raise TopologyError(
                f"one_to_one needs layers of equal size, got {self.size} and {other.size}"
            )
        p = Projection(self, other, connection, weight)
        if self.network is not other.network:
            raise TopologyError("both layers of a projection must belong to the same network")
        if self.network is not None:  # and so other's too
            self.network._add_projection(p)
        self.projections.append(p)
        return p

    def gate(self, projection: Projection, gate_type: str = "input") -> None:
        """Let this layer's neurons gate a projection's synapses (Synaptic's ``gate``).

        ``gate_type``:
        - ``"input"``: neuron i gates every synapse of the projection into target
          neuron i (this layer is as large as the target);
        - ``"output"``: neuron i gates every synapse out of source neuron i;
        - ``"one_to_one"``: neuron i gates the projection's i-th synapse.
        A gated synapse is multiplied by its gater's latest activation. As in Synaptic,
        input and output gates leave self-connections alone (a self-projection gated that
        way gates only its synapses between different neurons); one-to-one gates them.
        """
        if not isinstance(projection, Projection):
            raise TypeError(f"gate() takes a Projection, got {type(projection).__name__}")
        gate_type = str(gate_type).lower().replace("-", "_")
        sizes = {"input": projection.target.size, "output": projection.source.size,
                 "one_to_one": projection.count()}
        if gate_type not in sizes:
            raise TopologyError(f"unknown gate type {gate_type!r}; expected input, output or "
                                "one_to_one")
        if sizes[gate_type] != self.size:
            raise TopologyError(f"a {gate_type} gate needs a gater layer of {sizes[gate_type]} "
                                f"neurons, got {self.size}")
        self.gatings.append((projection, gate_type))
        if self.network is not None:
            self.network._add_gate(self, projection, gate_type)

    def set(self, *, activation: str | None = None, bias: float | Sequence[float] | None = None
            ) -> Layer:
        """Set the activation and/or bias of every neuron in the layer. Returns the layer."""
        if activation is not None:
            self.activation = get_activation(activation).name
        if bias is not None:
            self.bias = bias
        if self.network is not None:
            G = self.network.graph
            biases = self._biases(None) if bias is not None else None
            for k, n in enumerate(self.neurons):
                if activation is not None:
                    G.nodes[n]["activation"] = self.activation
                if biases is not None:
                    G.nodes[n]["bias"] = biases[k]
        return self

    def _biases(self, rng: np.random.Generator | None) -> np.ndarray:
        if self.bias is None:
            assert rng is not None
            return rng.uniform(-0.1, 0.1, self.size)
        b = np.asarray(self.bias, dtype=float)
        if b.ndim == 0:
            return np.full(self.size, float(b))
        if b.shape != (self.size,):
            raise TopologyError(f"layer {self.label!r}: {b.size} biases for {self.size} neurons")
        return b

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        where = f", label={self.label!r}" if self.label else ""
        return f"Layer({self.size}, {self.activation!r}{where})"
