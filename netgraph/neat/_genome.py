"""Genome: one NEAT genome, read like neat-python's, whose phenotype is a netgraph Network.

The genes live in a ``GenomeData`` (arrays, as the native population keeps them). A
``Genome`` adds what neat-python code reads: ``key``, ``fitness`` and ``species``, and
``nodes`` / ``connections`` as mappings of gene objects (disabled connections included).
``genome.network`` builds the phenotype once, on first use: a ``netgraph.Network``
computing exactly what neat-python's ``FeedForwardNetwork.create`` (feed-forward
configurations) or ``RecurrentNetwork.create`` (the others) computes for the same genome.
The nodes each of them evaluates, and the connections each node reads, follow neat-python
2.0.0's rules (``graphs.required_for_output``, ``feed_forward_layers``); the network itself
is built by ``netgraph.interop``'s neat-python reader, so response folding, recurrent
self-loops and aggregations have one implementation. Every synapse carries its gene's
``innovation`` number as an edge attribute.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._exceptions import InputError
from ..interop._neat import _build, _Node, _Spec
from ..interop._neataptic import SQUASHES
from ..interop._source import Where
from ._config import Config
from ._gated import gated_phenotype, neataptic_mode
from ._genes import GenomeData, check_genome_data
from ._native import netgraph_activation

if TYPE_CHECKING:
    from .._network import Network

__all__ = ["ConnectionGene", "GateGene", "Genome", "NodeGene"]


@dataclass(frozen=True, slots=True)
class NodeGene:
    """A node gene, read as neat-python's ``DefaultNodeGene``: ``key``, ``bias``,
    ``response``, ``activation`` and ``aggregation`` (names)."""

    key: int
    bias: float
    response: float
    activation: str
    aggregation: str


@dataclass(frozen=True, slots=True)
class ConnectionGene:
    """A connection gene, read as neat-python's ``DefaultConnectionGene``: ``key`` is the
    ``(in, out)`` pair; ``innovation``, ``weight`` and ``enabled``."""

    key: tuple[int, int]
    innovation: int
    weight: float
    enabled: bool


@dataclass(frozen=True, slots=True)
class GateGene:
    """A gate gene (Neataptic's mutations): ``key`` is the gated connection's
    ``(in, out)``; ``innovation``; ``node``, the gater, whose activation multiplies the
    connection."""

    key: tuple[int, int]
    innovation: int
    node: int


class _Genes(Mapping[Any, Any]):
    """A read-only mapping of genes in gene order (nodes by key, connections by
    innovation number), built on first use."""

    def __init__(self, items: list[tuple[Any, Any]]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: Any) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"{{{', '.join(f'{k!r}: {v!r}' for k, v in self._items.items())}}}"


class Genome:
    """One NEAT genome: neat-python's view of it, and its netgraph ``Network``.

    **Arguments**
    - ``data``: its genes (``GenomeData``).
    - ``config``: the ``Config`` it belongs to (its activation and aggregation options
      name the genes' indices; ``feed_forward`` chooses the phenotype's kind).
    - ``check``: validate ``data`` against ``config`` (``InputError`` naming the gene).

    **Attributes**
    - ``key``, ``fitness`` (settable: an ``eval_genomes`` callback sets it) and
      ``species`` (its species id, or None), as in neat-python.
    - ``nodes``: node key -> ``NodeGene``; ``connections``: ``(in, out)`` ->
      ``ConnectionGene``, disabled ones included.
    - ``network``: the phenotype (see the module docstring), built and cached on first use.
    - ``data``: the ``GenomeData``, with the current fitness.
    """

    __slots__ = ("_config", "_connections", "_data", "_gates", "_network", "_nodes", "fitness",
                 "key", "species")

    def __init__(self, data: GenomeData, config: Config, *, check: bool = True) -> None:
        if check:
            v = config.values
            check_genome_data(data, num_inputs=v["num_inputs"], num_outputs=v["num_outputs"],
                              num_activations=len(v["activation_options"]),
                              num_aggregations=len(v["aggregation_options"]))
        self._data, self._config = data, config
        self.key: int = data.key
        self.fitness: float | None = data.fitness
        self.species: int | None = data.species
        self._network: Network | None = None
        self._nodes: _Genes | None = None
        self._connections: _Genes | None = None
        self._gates: _Genes | None = None

    def __getstate__(self) -> dict[str, Any]:
        # the cached network and gene views are rebuilt on demand: pickles (process
        # evaluators) carry only the genes
        return {"data": self.data, "config": self._config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["data"], state["config"], check=False)  # type: ignore[misc]

    @classmethod
    def from_data(cls, data: GenomeData, config: Config, *, check: bool = False) -> Genome:
        """A genome from its genes (the native population's form), fitness and species
        taken from ``data``.

        **Arguments**
        - ``data``: the genes. ``config``: their configuration. ``check``: validate
          ``data`` (off: the native population's genomes are valid by construction).

        **Returns** the ``Genome``.
        """
        return cls(data, config, check=check)

    @property
    def config(self) -> Config:
        """The ``Config`` this genome belongs to."""
        return self._config

    @property
    def data(self) -> GenomeData:
        """The genes as arrays, with this genome's current ``fitness`` and ``species``."""
        d = self._data
        if d.fitness == self.fitness and d.species == self.species and d.key == self.key:
            return d
        return GenomeData(self.key, d.node_key, d.node_bias, d.node_response,
                          d.node_activation, d.node_aggregation, d.conn_innovation,
                          d.conn_in, d.conn_out, d.conn_weight, d.conn_enabled,
                          self.fitness, self.species, *d.gates())

    @property
    def nodes(self) -> Mapping[int, NodeGene]:
        """Node key -> ``NodeGene`` (hidden and output nodes, by key)."""
        if self._nodes is None:
            d, v = self._data, self._config.values
            acts, aggs = v["activation_options"], v["aggregation_options"]
            self._nodes = _Genes([
                (k, NodeGene(k, b, r, acts[a], aggs[g])) for k, b, r, a, g in zip(
                    d.node_key.tolist(), d.node_bias.tolist(), d.node_response.tolist(),
                    d.node_activation.tolist(), d.node_aggregation.tolist(), strict=True)])
        return self._nodes

    @property
    def connections(self) -> Mapping[tuple[int, int], ConnectionGene]:
        """``(in, out)`` -> ``ConnectionGene``, by innovation number, disabled included."""
        if self._connections is None:
            d = self._data
            self._connections = _Genes([
                ((u, o), ConnectionGene((u, o), i, w, e)) for i, u, o, w, e in zip(
                    d.conn_innovation.tolist(), d.conn_in.tolist(), d.conn_out.tolist(),
                    d.conn_weight.tolist(), d.conn_enabled.tolist(), strict=True)])
        return self._connections

    @property
    def gates(self) -> Mapping[tuple[int, int], GateGene]:
        """Gated connection ``(in, out)`` -> ``GateGene``, by innovation number (empty
        unless Neataptic's mutations are on)."""
        if self._gates is None:
            d = self._data
            self._gates = _Genes([
                ((u, o), GateGene((u, o), i, n)) for i, n, u, o in zip(
                    d.gate_innovation.tolist(), d.gate_node.tolist(), d.gate_in.tolist(),
                    d.gate_out.tolist(), strict=True)])
        return self._gates

    @property
    def network(self) -> Network:
        """The phenotype: a ``netgraph.Network`` computing what neat-python's
        ``FeedForwardNetwork`` (``feed_forward = True``) or ``RecurrentNetwork`` of this
        genome computes; with Neataptic's mutations on, the Synaptic/Neataptic network of
        its genes and gates (``netgraph.neat._gated``). Built on first use and cached:
        treat it as read-only, or ``.copy()`` it before training."""
        if self._network is None:
            v = self._config.values
            if neataptic_mode(v):
                names = [netgraph_activation(a) for a in v["activation_options"]]
                self._network = gated_phenotype(self._data, v, names)
            else:
                self._network = phenotype(self, recurrent=not v["feed_forward"])
        return self._network

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        # in Jupyter a genome shows as its network's diagram
        return self.network._repr_mimebundle_(include, exclude)

    def size(self) -> tuple[int, int]:
        """neat-python's ``genome.size()``: (node genes, enabled connection genes)."""
        return self._data.num_nodes, int(np.count_nonzero(self._data.conn_enabled))

    def __repr__(self) -> str:
        n, m = self.size()
        return (f"Genome(key={self.key}, fitness={self.fitness}, species={self.species}, "
                f"nodes={n}, connections={m}/{self._data.num_connections} enabled)")

    def __str__(self) -> str:
        lines = [f"Key: {self.key}", f"Fitness: {self.fitness}", "Nodes:"]
        lines += [f"\t{k} {n}" for k, n in self.nodes.items()]
        lines.append("Connections:")
        lines += [f"\t{c}" for c in self.connections.values()]
        if self._data.num_gates:
            lines.append("Gates:")
            lines += [f"\t{g}" for g in self.gates.values()]
        return "\n".join(lines)

    # ------------------------------------------------------------------ neat-python
    def to_neat(self, neat_config: Any) -> Any:
        """This genome as a neat-python 2.0 ``DefaultGenome``: same key, fitness, node
        keys, biases, responses, activations, aggregations, connection keys, innovation
        numbers, weights and enabled flags (node time constants take the configuration's
        ``time_constant_init_mean``, as neat-python's would).

        **Arguments**
        - ``neat_config``: a ``neat.Config`` whose activation functions include this
          genome's (for ``steep_sigmoid``, register it with
          ``neat_config.genome_config.add_activation``).

        **Returns** the ``neat.DefaultGenome``. Needs neat-python.
        """
        if neataptic_mode(self._config.values):
            raise InputError(f"genome {self.key} was evolved with Neataptic's mutations "
                             "(gates, self- and back-connections in Synaptic's semantics), "
                             "which neat-python cannot represent; export its network with "
                             "netgraph.interop.to_neataptic(genome.network)")
        neat = _neat()
        gc = neat_config.genome_config
        for node in self.nodes.values():
            if not gc.activation_defs.is_valid(node.activation):
                raise InputError(f"node {node.key} uses activation {node.activation!r}, "
                                 "which this neat-python configuration does not know; "
                                 "register it with neat_config.genome_config."
                                 f"add_activation({node.activation!r}, function)")
        genome = neat.DefaultGenome(self.key)
        tc = float(getattr(gc, "time_constant_init_mean", 1.0))
        for node in self.nodes.values():
            gene = neat.genes.DefaultNodeGene(node.key)
            gene.bias, gene.response = node.bias, node.response
            gene.activation, gene.aggregation = node.activation, node.aggregation
            gene.time_constant = tc
            genome.nodes[node.key] = gene
        for c in self.connections.values():
            cg = neat.genes.DefaultConnectionGene(c.key, innovation=c.innovation)
            cg.weight, cg.enabled = c.weight, c.enabled
            genome.connections[c.key] = cg
        genome.fitness = self.fitness
        return genome

    @classmethod
    def from_neat(cls, genome: Any, config: Config) -> Genome:
        """A neat-python 2.0 ``DefaultGenome`` as a netgraph ``Genome``, exactly.

        **Arguments**
        - ``genome``: the neat-python genome (its connection genes carry innovation
          numbers, as neat-python 2.0's do).
        - ``config``: the netgraph ``Config``; its ``activation_options`` and
          ``aggregation_options`` must include every name the genome uses.

        **Returns** the ``Genome`` (key and fitness kept; species None). **Raises**
        ``InputError`` naming the gene that does not fit the configuration.
        """
        v = config.values
        acts, aggs = v["activation_options"], v["aggregation_options"]
        nodes = []
        for key, n in genome.nodes.items():
            for kind, name, options in (("activation", n.activation, acts),
                                        ("aggregation", n.aggregation, aggs)):
                if name not in options:
                    raise InputError(f"node {key} uses {kind} {name!r}, which is not among "
                                     f"the configuration's {kind}_options "
                                     f"({' '.join(options)})")
            nodes.append((key, n.bias, n.response, acts.index(n.activation),
                          aggs.index(n.aggregation)))
        conns = []
        for key, c in genome.connections.items():
            innovation = getattr(c, "innovation", None)
            if not isinstance(innovation, int):
                raise InputError(f"connection {key} has no innovation number (a neat-python "
                                 "2.0 genome has one on every connection gene)")
            conns.append((innovation, key[0], key[1], c.weight, c.enabled))
        fitness = genome.fitness
        data = GenomeData.build(genome.key, nodes, conns,
                                fitness=None if fitness is None else float(fitness))
        return cls(data, config)


def _neat() -> Any:
    try:
        import neat
        import neat.genes
    except ImportError:
        raise ImportError("converting to neat-python needs it: pip install "
                          "'netgraph-nn[neat]' (or pip install neat-python)") from None
    return neat


# ====================================================================== phenotype
def _required_for_output(inputs: set[int], outputs: list[int],
                         connections: list[tuple[int, int]]) -> set[int]:
    """neat-python's rule: the non-input nodes from which an output can be reached
    backwards, widened a whole layer at a time (outputs always included)."""
    required = set(outputs)
    reached = set(outputs)
    while True:
        layer = {a for a, b in connections if b in reached and a not in reached}
        if not layer:
            return required
        hidden = {x for x in layer if x not in inputs}
        if not hidden:
            return required
        required |= hidden
        reached |= layer


def _feedforward_nodes(inputs: set[int], outputs: list[int],
                       connections: list[tuple[int, int]]) -> tuple[list[int], set[int]]:
    """neat-python's ``feed_forward_layers``: (the nodes evaluated, layer by layer and by
    key within a layer, so in an order that evaluates each after its inputs; the
    required nodes)."""
    required = _required_for_output(inputs, outputs, connections)
    fed = {b for _, b in connections}
    ready = set(inputs) | (required - fed)
    order = sorted(required - fed)  # "bias neurons": required, nothing in
    while True:
        candidates = {b for a, b in connections if a in ready and b not in ready}
        layer = {n for n in candidates if n in required and all(
            a in ready for a, b in connections if b == n and a in required)}
        if not layer:
            return order, required
        order += sorted(layer)
        ready |= layer


def expressed(genome: Genome, *, recurrent: bool) -> tuple[list[int], list[int], list[_Node]]:
    """What neat-python's ``create`` evaluates for ``genome``: (input keys, output keys,
    the evaluated nodes in an evaluation order, each with the connections it reads).

    **Arguments**
    - ``genome``: the genome.
    - ``recurrent``: False follows ``neat.nn.FeedForwardNetwork.create``, True
      ``neat.nn.RecurrentNetwork.create`` (which nodes each evaluates and which
      connections each node reads differ between them, as in neat-python).
    """
    d, v = genome._data, genome._config.values
    aggs = v["aggregation_options"]
    # Neataptic's names (LOGISTIC, ...) as netgraph's; neat-python's stay for the reader
    acts = [SQUASHES.get(a, a) for a in v["activation_options"]]
    inputs = [-i - 1 for i in range(v["num_inputs"])]
    outputs = list(range(v["num_outputs"]))
    input_set = set(inputs)
    genes = list(zip(d.conn_innovation.tolist(), d.conn_in.tolist(), d.conn_out.tolist(),
                     d.conn_weight.tolist(), d.conn_enabled.tolist(), strict=True))
    enabled = [(i, u, o, w) for i, u, o, w, e in genes if e]
    links: dict[int, list[tuple[int, float, int]]] = {}
    if recurrent:
        # RecurrentNetwork.create: required from every gene, disabled ones included;
        # an enabled connection is read when either end is required, and only nodes
        # with a connection in are evaluated
        required = _required_for_output(input_set, outputs, [(u, o) for _, u, o, _, _ in
                                                             genes])
        for i, u, o, w in enabled:
            if o in required or u in required:
                links.setdefault(o, []).append((u, w, i))
        evaluated = list(links)
    else:
        pairs = [(u, o) for _, u, o, _ in enabled]
        evaluated, required = _feedforward_nodes(input_set, outputs, pairs)
        readable = required | input_set
        chosen = set(evaluated)
        for n in evaluated:
            links[n] = []
        for i, u, o, w in enabled:
            if o in chosen and u in readable:
                links[o].append((u, w, i))
    index = {k: j for j, k in enumerate(d.node_key.tolist())}
    nodes = []
    for k in evaluated:
        j = index[k]
        node_links = links.get(k, [])
        nodes.append(_Node(
            k, acts[int(d.node_activation[j])], aggs[int(d.node_aggregation[j])],
            float(d.node_bias[j]), float(d.node_response[j]),
            [(u, w) for u, w, _ in node_links], [i for _, _, i in node_links]))
    return inputs, outputs, nodes


def phenotype(genome: Genome, *, recurrent: bool) -> Network:
    """The netgraph ``Network`` neat-python builds for ``genome``.

    **Arguments**
    - ``genome``: the genome.
    - ``recurrent``: False follows ``neat.nn.FeedForwardNetwork.create``, True
      ``neat.nn.RecurrentNetwork.create``.

    **Returns** a new ``Network``; each synapse has its gene's ``innovation``.
    """
    inputs, outputs, nodes = expressed(genome, recurrent=recurrent)
    info: dict[str, Any] = {"network_type": "recurrent" if recurrent else "feedforward",
                            "genome_id": genome.key}
    if genome.fitness is not None and math.isfinite(genome.fitness):
        info["fitness"] = float(genome.fitness)
    return _build(_Spec(info["network_type"], inputs, outputs, nodes, info),
                  Where(f"genome {genome.key}"))
