"""A plain-Python reference of every NEAT operator: the oracle the native engine is tested
against (tests/test_neat_operators.py), itself tested against real neat-python 2.0.0
where both are deterministic (tests/test_neat_reference.py).

Written from neat-python 2.0.0's documented semantics and the 2002 paper, one short
function per operator, plain dicts and loops, no speed tricks. Genes:

- ``RefGenome``: ``key``, ``fitness``, ``nodes`` (key -> ``RefNode``: bias, response,
  activation and aggregation names) and ``conns`` ((in, out) -> ``RefConn``: innovation,
  weight, enabled). Inputs are -1 .. -num_inputs; outputs 0 .. num_outputs - 1.
- ``values``: a ``netgraph.neat.Config``'s ``values`` dict.

Randomness is the contract's draw protocol (``Draws`` below):
every decision consumes uniforms from a ``Draws``, in neat-python's source order, with
connections visited in innovation order and nodes in key order; ``choice`` indexes those
sorted sequences; ``gauss`` is Box-Muller on two uniforms; a node's time constant is not
stored and draws nothing. Give the engine the same uniforms (``_set_draws``) and it must
make the same genome.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from netgraph.neat import GenomeData

# ====================================================================== randomness


class Draws:
    """Scripted uniforms in [0, 1), consumed one per random decision."""

    def __init__(self, u: Sequence[float]) -> None:
        self.u = [float(x) for x in u]
        self.used = 0

    def random(self) -> float:
        if self.used >= len(self.u):
            raise IndexError(f"the script ran out after {self.used} draws")
        x = self.u[self.used]
        self.used += 1
        return x

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[math.floor(self.random() * len(seq))]

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.random()

    def gauss(self, mu: float, sigma: float) -> float:
        u1, u2 = self.random(), self.random()
        return mu + sigma * math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

    def shuffle(self, items: list[Any]) -> None:
        for i in range(len(items) - 1, 0, -1):
            j = math.floor(self.random() * (i + 1))
            items[i], items[j] = items[j], items[i]


def scripted(native: Any, draws: np.ndarray, operator: Any, *args: Any) -> tuple[Any, int]:
    """Run ``operator(*args)`` (an operator of the native population ``native``) with its
    uniforms taken from ``draws``, the script the reference is fed; return its result and
    how many draws it used. The native generator is restored whatever happens."""
    native._set_draws(draws)
    try:
        result = operator(*args)
        return result, native._draws_used()
    finally:
        native._set_draws(None)


# ====================================================================== genes


@dataclass
class RefNode:
    bias: float
    response: float
    activation: str
    aggregation: str


@dataclass
class RefConn:
    innovation: int
    weight: float
    enabled: bool


@dataclass
class RefGate:
    innovation: int
    node: int  # the gater


@dataclass
class RefGenome:
    key: int
    nodes: dict[int, RefNode] = field(default_factory=dict)
    conns: dict[tuple[int, int], RefConn] = field(default_factory=dict)
    fitness: float | None = None
    # Neataptic's gates: gated connection (in, out) -> gate gene
    gates: dict[tuple[int, int], RefGate] = field(default_factory=dict)

    def copy(self) -> RefGenome:
        return RefGenome(self.key, {k: replace(n) for k, n in self.nodes.items()},
                         {k: replace(c) for k, c in self.conns.items()}, self.fitness,
                         {k: replace(c) for k, c in self.gates.items()})

    def sorted_conns(self) -> list[tuple[tuple[int, int], RefConn]]:
        return sorted(self.conns.items(), key=lambda kv: kv[1].innovation)

    @classmethod
    def from_data(cls, data: GenomeData, values: dict[str, Any]) -> RefGenome:
        acts, aggs = values["activation_options"], values["aggregation_options"]
        g = cls(data.key, fitness=data.fitness)
        for k, b, r, a, ag in zip(data.node_key.tolist(), data.node_bias.tolist(),
                                  data.node_response.tolist(), data.node_activation.tolist(),
                                  data.node_aggregation.tolist(), strict=True):
            g.nodes[k] = RefNode(b, r, acts[a], aggs[ag])
        for i, u, v, w, e in zip(data.conn_innovation.tolist(), data.conn_in.tolist(),
                                 data.conn_out.tolist(), data.conn_weight.tolist(),
                                 data.conn_enabled.tolist(), strict=True):
            g.conns[(u, v)] = RefConn(i, w, e)
        for i, n, u, v in zip(data.gate_innovation.tolist(), data.gate_node.tolist(),
                              data.gate_in.tolist(), data.gate_out.tolist(), strict=True):
            g.gates[(u, v)] = RefGate(i, n)
        return g

    def to_data(self, values: dict[str, Any]) -> GenomeData:
        acts, aggs = values["activation_options"], values["aggregation_options"]
        return GenomeData.build(
            self.key,
            [(k, n.bias, n.response, acts.index(n.activation), aggs.index(n.aggregation))
             for k, n in self.nodes.items()],
            [(c.innovation, u, v, c.weight, c.enabled) for (u, v), c in self.conns.items()],
            fitness=self.fitness,
            gates=[(t.innovation, t.node, u, v) for (u, v), t in self.gates.items()])

    @classmethod
    def from_neat(cls, genome: Any) -> RefGenome:
        g = cls(genome.key, fitness=genome.fitness)
        for k, n in genome.nodes.items():
            g.nodes[k] = RefNode(n.bias, n.response, n.activation, n.aggregation)
        for k, c in genome.connections.items():
            g.conns[k] = RefConn(c.innovation, c.weight, c.enabled)
        return g


class Innovations:
    """neat-python 2.0's innovation tracker: a global counter, and within a generation one
    number per (in, out, kind) so identical mutations share it. kind is
    'add_connection', 'add_node_in', 'add_node_out' or 'initial_connection'."""

    def __init__(self, last_number: int = 0) -> None:
        self.last = last_number
        self.seen: dict[tuple[int, int, str], int] = {}
        # node_split_reuse: split connection (in, out) -> the node key it got this generation
        self.splits: dict[tuple[int, int], int] = {}

    def get(self, i: int, o: int, kind: str) -> int:
        key = (i, o, kind)
        if key not in self.seen:
            self.last += 1
            self.seen[key] = self.last
        return self.seen[key]

    def reset_generation(self) -> None:
        self.seen.clear()
        self.splits.clear()


def inputs_of(values: dict[str, Any]) -> list[int]:
    return [-i - 1 for i in range(values["num_inputs"])]


def outputs_of(values: dict[str, Any]) -> list[int]:
    return list(range(values["num_outputs"]))


# ====================================================================== attributes


def _clamp(x: float, values: dict[str, Any], name: str) -> float:
    return max(min(x, values[f"{name}_max_value"]), values[f"{name}_min_value"])


def init_float(name: str, values: dict[str, Any], draws: Draws) -> float:
    """A new value of a float attribute (bias, response, weight)."""
    mean, stdev = values[f"{name}_init_mean"], values[f"{name}_init_stdev"]
    kind = values[f"{name}_init_type"].lower()
    if "gauss" in kind or "normal" in kind:
        return _clamp(draws.gauss(mean, stdev), values, name)
    lo = max(values[f"{name}_min_value"], mean - 2 * stdev)
    hi = min(values[f"{name}_max_value"], mean + 2 * stdev)
    return draws.uniform(lo, hi)


def mutate_float(x: float, name: str, values: dict[str, Any], draws: Draws) -> float:
    """One draw decides: perturb (gaussian, clamped), replace (a new value), or keep."""
    rate, replace_rate = values[f"{name}_mutate_rate"], values[f"{name}_replace_rate"]
    r = draws.random()
    if r < rate:
        return _clamp(x + draws.gauss(0.0, values[f"{name}_mutate_power"]), values, name)
    if r < replace_rate + rate:
        return init_float(name, values, draws)
    return x


def mutate_float_uniform(x: float, name: str, values: dict[str, Any], draws: Draws) -> float:
    """``weight_perturbation = "uniform"`` (NEAT C++'s ``mutate_link_weights``): one draw
    decides as ``mutate_float``; the perturbation, or the new value, is uniform in
    +-mutate_power."""
    rate, replace_rate = values[f"{name}_mutate_rate"], values[f"{name}_replace_rate"]
    power = values[f"{name}_mutate_power"]
    r = draws.random()
    if r < rate:
        return _clamp(x + (2.0 * draws.random() - 1.0) * power, values, name)
    if r < replace_rate + rate:
        return _clamp((2.0 * draws.random() - 1.0) * power, values, name)
    return x


def init_enabled(values: dict[str, Any], draws: Draws) -> bool:
    default = values["enabled_default"]
    if default == "random":
        return draws.random() < 0.5
    return default == "true"


def mutate_enabled(x: bool, values: dict[str, Any], draws: Draws) -> bool:
    rate = values["enabled_mutate_rate"] + (values["enabled_rate_to_false_add"] if x
                                            else values["enabled_rate_to_true_add"])
    if rate > 0 and draws.random() < rate:
        return draws.random() < 0.5  # a fresh coin: the flag may stay as it was
    return x


def init_name(kind: str, values: dict[str, Any], draws: Draws) -> str:
    default = values[f"{kind}_default"]
    return draws.choice(values[f"{kind}_options"]) if default == "random" else default


def mutate_name(x: str, kind: str, values: dict[str, Any], draws: Draws) -> str:
    rate = values[f"{kind}_mutate_rate"]
    if rate > 0 and draws.random() < rate:
        return draws.choice(values[f"{kind}_options"])
    return x


def new_node(values: dict[str, Any], draws: Draws) -> RefNode:
    return RefNode(init_float("bias", values, draws), init_float("response", values, draws),
                   init_name("activation", values, draws),
                   init_name("aggregation", values, draws))


def new_conn(innovation: int, values: dict[str, Any], draws: Draws) -> RefConn:
    weight = init_float("weight", values, draws)
    return RefConn(innovation, weight, init_enabled(values, draws))


def mutate_attributes(g: RefGenome, values: dict[str, Any], draws: Draws, *,
                      weights: bool = True) -> None:
    """Every connection (innovation order: weight, enabled), then every node (key order:
    bias, response, activation, aggregation). ``weights=False`` (the paper's per-genome
    gate said no) leaves weights and biases alone, drawing nothing for them."""
    change = mutate_float_uniform if values.get("weight_perturbation") == "uniform" \
        else mutate_float
    conns = g.sorted_conns()
    if weights and values.get("weight_mutation") == "neat-c++":
        # NEAT C++'s Genome::mutate_link_weights: a severe genome (one draw, > 0.5):
        # perturbed 70%, replaced 20%, kept 10% per gene; else every gene perturbed,
        # except the newest 20% of a genome of 10 or more genes: 50% / 20% / 30%
        severe = draws.random() > 0.5
        power = values["weight_mutate_power"]
        for k, (_, c) in enumerate(conns):
            if severe:
                perturb, replace_ = 0.3, 0.1
            elif len(conns) >= 10 and k > 0.8 * len(conns):
                perturb, replace_ = 0.5, 0.3
            else:
                perturb = replace_ = 0.0
            step = (2.0 * draws.random() - 1.0) * power
            choice = draws.random()
            if choice > perturb:
                c.weight += step
            elif choice > replace_:
                c.weight = step
            c.weight = _clamp(c.weight, values, "weight")
        for _, c in conns:
            c.enabled = mutate_enabled(c.enabled, values, draws)
        conns = []
    for _, c in conns:
        if weights:
            c.weight = change(c.weight, "weight", values, draws)
        c.enabled = mutate_enabled(c.enabled, values, draws)
    for k in sorted(g.nodes):
        n = g.nodes[k]
        if weights:
            n.bias = change(n.bias, "bias", values, draws)
        n.response = mutate_float(n.response, "response", values, draws)
        n.activation = mutate_name(n.activation, "activation", values, draws)
        n.aggregation = mutate_name(n.aggregation, "aggregation", values, draws)


# ====================================================================== structure


def creates_cycle(pairs: list[tuple[int, int]], test: tuple[int, int]) -> bool:
    """Would adding ``test`` close a cycle? (a self-loop does). Follows edges forward from
    its target; a cycle if that reaches its source."""
    i, o = test
    if i == o:
        return True
    reached, frontier = {o}, [o]
    while frontier:
        node = frontier.pop()
        for a, b in pairs:
            if a == node and b not in reached:
                if b == i:
                    return True
                reached.add(b)
                frontier.append(b)
    return False


def _surer(values: dict[str, Any]) -> bool:
    s = values["structural_mutation_surer"]
    return bool(values["single_structural_mutation"]) if s == "default" else s == "true"


def mutate_add_connection(g: RefGenome, values: dict[str, Any], draws: Draws,
                          innovations: Innovations) -> tuple[int, int] | None:
    """Link a random non-output node or input to a random node. Returns the new pair, or
    None when nothing was added (already there: maybe re-enabled; output to output; a
    cycle in a feed-forward genome)."""
    outputs = outputs_of(values)
    if values.get("add_connection_rule", "neat-python") == "neat-c++":
        return _add_connection_cpp(g, values, draws, innovations)
    # add_connection_tries (NEAT C++'s newlink_tries): pick again while the pair cannot
    # be added; neat-python (1) picks once
    for _ in range(max(1, values.get("add_connection_tries", 1))):
        out_node = draws.choice(sorted(g.nodes))
        in_node = draws.choice(sorted(set(inputs_of(values)) |
                                      {k for k in g.nodes if k not in outputs}))
        key = (in_node, out_node)
        if key in g.conns:
            if _surer(values):
                g.conns[key].enabled = True
                return None
            continue
        if in_node in outputs and out_node in outputs:
            continue
        if values["feed_forward"] and creates_cycle(list(g.conns), key):
            continue
        g.conns[key] = new_conn(innovations.get(in_node, out_node, "add_connection"),
                                values, draws)
        return key
    return None


def _add_connection_cpp(g: RefGenome, values: dict[str, Any], draws: Draws,
                        innovations: Innovations) -> tuple[int, int] | None:
    """NEAT C++ 1.2's add-link: with ``recurrent_connection_rate`` look only for a pair
    that closes a cycle (half the tries a node to itself), else only for one that does
    not; sources are inputs and every node, targets the nodes."""
    rate = values["recurrent_connection_rate"]
    recurrent = rate > 0 and draws.random() < rate
    nodes = sorted(g.nodes)
    sources = sorted(inputs_of(values)) + nodes
    for _ in range(max(1, values["add_connection_tries"])):
        if recurrent and draws.random() > 0.5:
            in_node = out_node = draws.choice(nodes)
        else:
            in_node = draws.choice(sources)
            out_node = draws.choice(nodes)
        key = (in_node, out_node)
        if key in g.conns or creates_cycle(list(g.conns), key) != recurrent:
            continue
        g.conns[key] = new_conn(innovations.get(in_node, out_node, "add_connection"),
                                values, draws)
        return key
    return None


def mutate_add_node(g: RefGenome, values: dict[str, Any], draws: Draws,
                    innovations: Innovations, next_node_key: int) -> int | None:
    """Split a random connection (enabled or not) with a new node of bias 0: the old one is
    disabled, in -> new gets weight 1, new -> out the old weight. The node's key is
    ``next_node_key``, or with ``node_split_reuse`` the key the same split got earlier in
    this generation. Returns the key used, or None (no connection to split: maybe a
    connection is added instead)."""
    if not g.conns:
        if _surer(values):
            mutate_add_connection(g, values, draws, innovations)
        return None
    index = values.get("bias_input_index")
    bias = None if index is None else -index - 1  # input i has key -i - 1
    genes = g.sorted_conns()
    if values.get("split_old_genes", False) and len(genes) < 15:
        # NEAT C++ 1.1's mutate_add_node for small genomes: the first enabled gene not out
        # of the bias input, then onwards past each gene with probability 0.3 (and past
        # any out of the bias input); split where it stops if that gene is enabled
        at = 0
        while at < len(genes) and (not genes[at][1].enabled or genes[at][0][0] == bias):
            at += 1
        while at < len(genes) and (genes[at][0][0] == bias or draws.random() < 0.3):
            at += 1
        if at >= len(genes) or not genes[at][1].enabled:
            return None
        (i, o), old = genes[at]
    elif bias is not None:
        # NEAT C++'s mutate_add_node never splits a gene out of its bias input
        fit = [(k, c) for k, c in genes if k[0] != bias and
               (c.enabled or not values.get("split_enabled_only", False))]
        if not fit:
            return None
        (i, o), old = draws.choice(fit)
    elif values.get("split_enabled_only", False):
        # NEAT C++'s mutate_add_node: an enabled connection only
        enabled = [(k, c) for k, c in g.sorted_conns() if c.enabled]
        if not enabled:
            return None
        (i, o), old = draws.choice(enabled)
    else:
        (i, o), old = draws.choice(g.sorted_conns())
    key = next_node_key
    if values.get("node_split_reuse", False):
        # the paper: the same split in one generation is the same innovation, so the same
        # new node (unless this genome has that node already: then a fresh one)
        known = innovations.splits.get((i, o))
        if known is not None and known not in g.nodes:
            key = known
        else:
            innovations.splits[(i, o)] = key
    node = new_node(values, draws)
    node.bias = 0.0
    g.nodes[key] = node
    old.enabled = False
    first = innovations.get(i, key, "add_node_in")
    second = innovations.get(key, o, "add_node_out")
    c1 = new_conn(first, values, draws)
    c1.weight, c1.enabled = 1.0, True
    g.conns[(i, key)] = c1
    c2 = new_conn(second, values, draws)
    c2.weight, c2.enabled = old.weight, True
    g.conns[(key, o)] = c2
    gate = g.gates.pop((i, o), None)
    if gate is not None:  # Neataptic's ADD_NODE: the gate moves to one of the halves
        half = (i, key) if draws.random() >= 0.5 else (key, o)
        g.gates[half] = RefGate(innovations.get(gate.node, half, "gate"),  # type: ignore[arg-type]
                                gate.node)
    return key


def mutate_delete_node(g: RefGenome, values: dict[str, Any], draws: Draws) -> int | None:
    """Remove a random hidden node and every connection touching it."""
    outputs = outputs_of(values)
    hidden = [k for k in sorted(g.nodes) if k not in outputs]
    if not hidden:
        return None
    gone = draws.choice(hidden)
    for key in [k for k in g.conns if gone in k]:
        del g.conns[key]
    del g.nodes[gone]
    return gone


def mutate_delete_connection(g: RefGenome, draws: Draws) -> tuple[int, int] | None:
    if not g.conns:
        return None
    key, _ = draws.choice(g.sorted_conns())
    del g.conns[key]
    return key


def mutate(g: RefGenome, values: dict[str, Any], draws: Draws, innovations: Innovations,
           next_node_key: int) -> int:
    """neat-python's ``DefaultGenome.mutate``: structural mutations (one at most in
    single-structural mode, else each with its own chance), then every attribute (weights
    and biases only if the paper's per-genome gate, ``weight_mutate_genome_rate``, lets
    them). Returns the next unused node key."""
    p_an, p_dn = values["node_add_prob"], values["node_delete_prob"]
    p_ac, p_dc = values["conn_add_prob"], values["conn_delete_prob"]
    added = None
    if values.get("exclusive_mutations", False):
        # NEAT C++'s Species::reproduce: a node, else a connection, else the weights
        structural = True
        if draws.random() < p_an:
            added = mutate_add_node(g, values, draws, innovations, next_node_key)
        elif draws.random() < p_ac:
            mutate_add_connection(g, values, draws, innovations)
        else:
            structural = False
        if p_dn > 0 and draws.random() < p_dn:
            mutate_delete_node(g, values, draws)
        if p_dc > 0 and draws.random() < p_dc:
            mutate_delete_connection(g, draws)
        if structural:
            return next_node_key + 1 if added == next_node_key else next_node_key
    elif values["single_structural_mutation"]:
        div = max(1.0, p_an + p_dn + p_ac + p_dc)
        r = draws.random()
        if r < p_an / div:
            added = mutate_add_node(g, values, draws, innovations, next_node_key)
        elif r < (p_an + p_dn) / div:
            mutate_delete_node(g, values, draws)
        elif r < (p_an + p_dn + p_ac) / div:
            mutate_add_connection(g, values, draws, innovations)
        elif r < (p_an + p_dn + p_ac + p_dc) / div:
            mutate_delete_connection(g, draws)
    else:
        if draws.random() < p_an:
            added = mutate_add_node(g, values, draws, innovations, next_node_key)
        if draws.random() < p_dn:
            mutate_delete_node(g, values, draws)
        if draws.random() < p_ac:
            mutate_add_connection(g, values, draws, innovations)
        if draws.random() < p_dc:
            mutate_delete_connection(g, draws)
    mutate_neataptic(g, values, draws, innovations)  # draws nothing at rates 0
    # the paper's gate (weight_mutate_genome_rate; 1 = neat-python: no draw)
    gate = values.get("weight_mutate_genome_rate", 1.0)
    mutate_attributes(g, values, draws, weights=gate >= 1.0 or draws.random() < gate)
    return next_node_key + 1 if added == next_node_key else next_node_key


# ====================================================================== crossover


def crossover(g1: RefGenome, g2: RefGenome, values: dict[str, Any], draws: Draws,
              child_key: int) -> RefGenome:
    """The paper's crossover as neat-python 2.0 does it. Genes line up by innovation
    number: matching genes take each attribute from a random parent (``random() > 0.5``:
    the fitter one's); a gene disabled in either parent is then disabled with probability
    ``disabled_gene_rate``. Disjoint and excess genes come from the fitter parent only
    (``g1`` if strictly fitter, else ``g2``). Node genes follow the fitter parent's."""
    fit, other = (g1, g2) if g1.fitness > g2.fitness else (g2, g1)  # type: ignore[operator]
    if values.get("crossover_tie_smaller", False) and g1.fitness == g2.fitness and \
            len(g1.conns) < len(g2.conns):
        fit, other = g1, g2  # NEAT C++: at equal fitness the smaller genome
    a = {c.innovation: (k, c) for k, c in fit.conns.items()}
    b = {c.innovation: (k, c) for k, c in other.conns.items()}
    child = RefGenome(child_key)
    rate = values.get("crossover_average_rate", 0.0)
    average = rate > 0 and draws.random() < rate  # NEAT C++'s mate_multipoint_avg
    for innovation in sorted(set(a) | set(b)):
        if innovation not in a:
            continue  # only in the less fit parent: not inherited
        key, c1 = a[innovation]
        if innovation in b and b[innovation][0] == key:
            c2 = b[innovation][1]
            weight = 0.5 * (c1.weight + c2.weight) if average else \
                c1.weight if draws.random() > 0.5 else c2.weight
            gene = RefConn(innovation, weight,
                           c1.enabled if draws.random() > 0.5 else c2.enabled)
            if (not c1.enabled or not c2.enabled) and \
                    draws.random() < values["disabled_gene_rate"]:
                gene.enabled = False
        else:  # disjoint / excess, or the same number on another pair: the fitter's copy
            gene = replace(c1)
        if values["feed_forward"] and creates_cycle(list(child.conns), key):
            continue
        child.conns[key] = gene
    for k in sorted(fit.nodes):
        n1 = fit.nodes[k]
        n2 = other.nodes.get(k)
        if n2 is None:
            child.nodes[k] = replace(n1)
        else:
            child.nodes[k] = RefNode(
                0.5 * (n1.bias + n2.bias) if average else
                n1.bias if draws.random() > 0.5 else n2.bias,
                n1.response if draws.random() > 0.5 else n2.response,
                n1.activation if draws.random() > 0.5 else n2.activation,
                n1.aggregation if draws.random() > 0.5 else n2.aggregation)
    # gate genes: the fitter parent's (its connections are the child's; a gate gene has no
    # attribute to take from the other parent)
    child.gates = {k: replace(t) for k, t in fit.gates.items() if k in child.conns}
    return child


# ====================================================================== speciation


def distance(g1: RefGenome, g2: RefGenome, values: dict[str, Any]) -> float:
    """neat-python's compatibility distance: for node genes and connection genes apart,
    (c_w * sum of matching genes' differences + c_d * non-matching genes) / larger count;
    the two added. Genes match by key (node key; connection (in, out)). A node's
    difference is |Δbias| + |Δresponse| + 1 per differing activation / aggregation; a
    connection's |Δweight| + 1 if one is disabled."""
    cw = values["compatibility_weight_coefficient"]
    cd = values["compatibility_disjoint_coefficient"]

    def part(x: dict[Any, Any], y: dict[Any, Any], diff: Any) -> float:
        if not x and not y:
            return 0.0
        matching = [k for k in x if k in y]
        unmatched = len(x) + len(y) - 2 * len(matching)
        total = 0.0
        for k in matching:  # neat-python scales each gene's difference, then sums
            total += diff(x[k], y[k]) * cw
        return (total + cd * unmatched) / max(len(x), len(y))

    def node_diff(n: RefNode, m: RefNode) -> float:
        return (abs(n.bias - m.bias) + abs(n.response - m.response)
                + (n.activation != m.activation) + (n.aggregation != m.aggregation))

    def conn_diff(c: RefConn, d: RefConn) -> float:
        return abs(c.weight - d.weight) + (c.enabled != d.enabled)

    return (part(g1.nodes, g2.nodes, node_diff) + part(g1.conns, g2.conns, conn_diff)
            + gate_distance(g1, g2, values))


def distance_paper(g1: RefGenome, g2: RefGenome, values: dict[str, Any]) -> float:
    """The paper's compatibility distance (section 3.3), ``compatibility_distance =
    "paper"``: c1 E / N + c2 D / N + c3 W̄ over connection genes matched by innovation
    number (c1 = c2 = compatibility_disjoint_coefficient, c3 =
    compatibility_weight_coefficient); W̄ the mean |Δweight| of matching genes, disabled
    ones included (0 without any); N the larger genome's gene count, or 1 when both have
    fewer than 20 genes."""
    a = {c.innovation: c for c in g1.conns.values()}
    b = {c.innovation: c for c in g2.conns.values()}
    matching = sorted(a.keys() & b.keys())
    unmatched = len(a) + len(b) - 2 * len(matching)
    larger = max(len(a), len(b))
    n = 1 if larger < 20 else larger
    wbar = (sum(abs(a[i].weight - b[i].weight) for i in matching) / len(matching)
            if matching else 0.0)
    return (values["compatibility_disjoint_coefficient"] * unmatched / n
            + values["compatibility_weight_coefficient"] * wbar
            + gate_distance(g1, g2, values))


def genome_distance(g1: RefGenome, g2: RefGenome, values: dict[str, Any]) -> float:
    """The distance the configuration asks for (``compatibility_distance``)."""
    if values.get("compatibility_distance", "neat-python") == "paper":
        return distance_paper(g1, g2, values)
    return distance(g1, g2, values)


def speciate(genomes: dict[int, RefGenome], representatives: dict[int, RefGenome],
             values: dict[str, Any], next_species_id: int
             ) -> tuple[dict[int, int], dict[int, list[int]], int]:
    """neat-python's speciation. Each existing species (by id) first takes as its new
    representative the not-yet-placed genome closest to its old one; then every other
    genome (by key) joins the species whose new representative is closest, if closer than
    ``compatibility_threshold``, else founds a new species. Ties go to the first found.

    Returns (species id -> representative's key, species id -> member keys, next id)."""
    threshold = values["compatibility_threshold"]
    unplaced = sorted(genomes)
    reps: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for sid in sorted(representatives):
        old = representatives[sid]
        best = min(unplaced, key=lambda k: genome_distance(old, genomes[k], values))
        reps[sid], members[sid] = best, [best]
        unplaced.remove(best)
    for k in unplaced:
        g = genomes[k]
        close = [(genome_distance(genomes[r], g, values), sid) for sid, r in reps.items()]
        close = [(d, sid) for d, sid in close if d < threshold]
        if close:
            members[min(close, key=lambda x: x[0])[1]].append(k)
        else:
            reps[next_species_id], members[next_species_id] = k, [k]
            next_species_id += 1
    return reps, members, next_species_id


def speciate_paper(genomes: dict[int, RefGenome], representatives: dict[int, RefGenome],
                   values: dict[str, Any], next_species_id: int, draws: Draws
                   ) -> tuple[dict[int, int], dict[int, list[int]], int]:
    """The paper's speciation (section 3.3): every genome (by key) joins the first species
    (by id; new ones last) whose representative is within ``compatibility_threshold``,
    else founds one, represented by itself. Species without members die; each other then
    draws a random member (by id order) as its representative for the next generation.

    Returns (species id -> representative's key, species id -> member keys, next id)."""
    threshold = values["compatibility_threshold"]
    reps: dict[int, RefGenome] = dict(sorted(representatives.items()))
    members: dict[int, list[int]] = {sid: [] for sid in reps}
    for k in sorted(genomes):
        g = genomes[k]
        for sid, r in reps.items():
            if genome_distance(r, g, values) < threshold:
                members[sid].append(k)
                break
        else:
            reps[next_species_id], members[next_species_id] = g, [k]
            next_species_id += 1
    chosen = {sid: draws.choice(m) for sid, m in members.items() if m}
    return chosen, {sid: m for sid, m in members.items() if m}, next_species_id


# ====================================================================== reproduction


def compute_spawn(adjusted_fitness: list[float], previous_sizes: list[int], pop_size: int,
                  min_species_size: int) -> list[int]:
    """Offspring per species: each species moves halfway from its size toward its share
    of the population (its adjusted fitness over the total; at least
    ``min_species_size``), by at least one; then all are scaled to ``pop_size`` and
    rounded (Python's round: halves to even)."""
    total = sum(adjusted_fitness)
    spawn = []
    for af, size in zip(adjusted_fitness, previous_sizes, strict=True):
        target = max(min_species_size, af / total * pop_size) if total > 0 \
            else min_species_size
        half = (target - size) * 0.5
        step = round(half)  # Python rounds halves to even
        if step != 0:
            spawn.append(size + step)
        elif half > 0:
            spawn.append(size + 1)
        elif half < 0:
            spawn.append(size - 1)
        else:
            spawn.append(size)
    scale = pop_size / sum(spawn)
    return [max(min_species_size, round(n * scale)) for n in spawn]


def adjust_spawn_exact(spawn: list[int], pop_size: int, min_species_size: int) -> list[int]:
    """Make the counts sum to ``pop_size``: add one at a time to the smallest species
    first (round robin), or take one from each species, largest first, never below
    ``min_species_size``, in a single pass (an error if that is not enough, as in
    neat-python). Stable sorts: equal counts keep species order."""
    spawn = list(spawn)
    diff = pop_size - sum(spawn)
    if diff == 0:
        return spawn
    if len(spawn) * min_species_size > pop_size:
        raise ValueError("pop_size is less than species * min_species_size")
    if diff > 0:
        order = sorted(range(len(spawn)), key=lambda i: spawn[i])
        k = 0
        while diff > 0:
            spawn[order[k]] += 1
            diff -= 1
            k = (k + 1) % len(order)
    else:  # one pass over the species, largest first (neat-python stops after one)
        order = sorted(range(len(spawn)), key=lambda i: spawn[i], reverse=True)
        left = -diff
        for i in order:
            if left == 0:
                break
            if spawn[i] > min_species_size:
                spawn[i] -= 1
                left -= 1
    if sum(spawn) != pop_size:
        raise ValueError("cannot reach pop_size without breaking min_species_size")
    return spawn


def adjusted_fitnesses(species_fitnesses: list[list[float]]) -> list[float]:
    """Each species' mean fitness, scaled to the whole population's range:
    (mean - min) / max(1, max - min)."""
    everything = [f for fs in species_fitnesses for f in fs]
    lo, hi = min(everything), max(everything)
    span = max(1.0, hi - lo)
    return [(sum(fs) / len(fs) - lo) / span for fs in species_fitnesses]


# ====================================================================== a new genome


def configure_new(key: int, values: dict[str, Any], draws: Draws, innovations: Innovations,
                  next_node_key: int) -> tuple[RefGenome, int]:
    """A genome of the initial population: output nodes, ``num_hidden`` hidden nodes
    (keys from ``next_node_key``), and connections as ``initial_connection`` says.
    Returns the genome and the next unused node key."""
    g = RefGenome(key)
    inputs, outputs = inputs_of(values), outputs_of(values)
    for o in outputs:
        g.nodes[o] = new_node(values, draws)
    hidden = []
    for _ in range(values["num_hidden"]):
        g.nodes[next_node_key] = new_node(values, draws)
        hidden.append(next_node_key)
        next_node_key += 1
    kind = values["initial_connection"]

    def full(direct: bool) -> list[tuple[int, int]]:
        pairs = []
        if hidden:
            pairs += [(i, h) for i in inputs for h in hidden]
            pairs += [(h, o) for h in hidden for o in outputs]
        if direct or not hidden:
            pairs += [(i, o) for i in inputs for o in outputs]
        if not values["feed_forward"]:
            pairs += [(n, n) for n in g.nodes]
        return pairs

    if kind.startswith("fs_neat"):
        source = draws.choice(inputs)
        targets = list(g.nodes) if kind == "fs_neat_hidden" else outputs
        pairs = [(source, t) for t in targets]
    elif kind.startswith("full"):
        pairs = full(kind == "full_direct")
    elif kind.startswith("partial"):
        pairs = full(kind == "partial_direct")
        draws.shuffle(pairs)
        pairs = pairs[:round(len(pairs) * values["initial_connection_fraction"])]
    else:
        pairs = []
    for i, o in pairs:
        g.conns[(i, o)] = new_conn(innovations.get(i, o, "initial_connection"), values, draws)
    return g, next_node_key


def as_arrays(g: RefGenome) -> dict[str, np.ndarray]:
    """The genes as sorted arrays, for comparing with GenomeData field by field."""
    d = g.to_data({"activation_options": sorted({n.activation for n in g.nodes.values()}),
                   "aggregation_options": sorted({n.aggregation for n in g.nodes.values()})})
    return {"node_key": d.node_key, "node_bias": d.node_bias,
            "node_response": d.node_response, "conn_innovation": d.conn_innovation,
            "conn_in": d.conn_in, "conn_out": d.conn_out, "conn_weight": d.conn_weight,
            "conn_enabled": d.conn_enabled}


# ====================================================================== the paper's spawn


def paper_shared_fitness(species_fitnesses: list[list[float]]) -> list[float]:
    """Explicit fitness sharing (the paper, section 3.3): a genome's adjusted fitness is
    f_i / |S| within its species, so a species' summed adjusted fitness is its mean
    fitness. Fitnesses are shifted up by the most negative one (if any), so none is
    negative."""
    lowest = min(f for fs in species_fitnesses for f in fs)
    shift = lowest if lowest < 0.0 else 0.0
    return [sum(f - shift for f in fs) / len(fs) for fs in species_fitnesses]


def compute_spawn_paper(shared: list[float], pop_size: int) -> list[int]:
    """Offspring proportional to each species' summed adjusted fitness: the integer
    parts of the shares, then one each to the largest remainders (ties: the earlier
    species) until pop_size is reached; equal shares when every sum is 0."""
    total = sum(shared)
    shares = [s / total * pop_size if total > 0 else pop_size / len(shared) for s in shared]
    spawn = [math.floor(s) for s in shares]
    left = pop_size - sum(spawn)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - spawn[i]), i))
    for i in order[:left]:
        spawn[i] += 1
    return spawn


# ====================================================================== Neataptic's mutations
# Gates, self-connections and back-connections (issue 22), as netgraph documents them in
# netgraph/_native/neat_gates.c, restated plainly.

NEATAPTIC_RATES = ("gate_add_prob", "gate_delete_prob", "self_connection_add_prob",
                   "self_connection_delete_prob", "back_connection_add_prob",
                   "back_connection_delete_prob")


def back_flags(g: RefGenome) -> dict[tuple[int, int], int]:
    """Each connection: 2 self-connection; 1 back-connection, i.e. in innovation order it
    closes a cycle of the undelayed connections before it (disabled ones included);
    0 undelayed."""
    undelayed: list[tuple[int, int]] = []
    out: dict[tuple[int, int], int] = {}
    for key, _ in g.sorted_conns():
        if key[0] == key[1]:
            out[key] = 2
        elif creates_cycle(undelayed, key):
            out[key] = 1
        else:
            out[key] = 0
            undelayed.append(key)
    return out


def prune_gates(g: RefGenome) -> None:
    g.gates = {k: t for k, t in g.gates.items() if k in g.conns and t.node in g.nodes}


def mutate_add_gate(g: RefGenome, values: dict[str, Any], draws: Draws,
                    innovations: Innovations) -> None:
    """A random node gates a random enabled, ungated connection (node drawn first)."""
    open_ = [k for k, c in g.sorted_conns() if c.enabled and k not in g.gates]
    if not open_ or not g.nodes:
        return
    node = draws.choice(sorted(g.nodes))
    key = draws.choice(open_)
    g.gates[key] = RefGate(innovations.get(node, key, "gate"), node)  # type: ignore[arg-type]


def mutate_delete_gate(g: RefGenome, draws: Draws) -> None:
    if g.gates:
        key, _ = draws.choice(sorted(g.gates.items(), key=lambda kv: kv[1].innovation))
        del g.gates[key]


def mutate_add_self_connection(g: RefGenome, values: dict[str, Any], draws: Draws,
                               innovations: Innovations) -> None:
    open_ = [k for k in sorted(g.nodes) if (k, k) not in g.conns]
    if open_:
        k = draws.choice(open_)
        g.conns[(k, k)] = new_conn(innovations.get(k, k, "add_connection"), values, draws)


def mutate_delete_self_connection(g: RefGenome, draws: Draws) -> None:
    have = [k for k, _ in g.sorted_conns() if k[0] == k[1]]
    if have:
        del g.conns[draws.choice(have)]
        prune_gates(g)


def mutate_add_back_connection(g: RefGenome, values: dict[str, Any], draws: Draws,
                               innovations: Innovations) -> None:
    """A connection u -> v where v reaches u through undelayed connections (so it is a
    back-connection), pairs by u's key then v's key."""
    flags = back_flags(g)
    forward = [k for k, f in flags.items() if f == 0]

    def reaches(v: int, u: int) -> bool:
        seen, stack = {v}, [v]
        while stack:
            x = stack.pop()
            for a, b in forward:
                if a == x and b not in seen:
                    if b == u:
                        return True
                    seen.add(b)
                    stack.append(b)
        return False

    keys = sorted(g.nodes)
    open_ = [(u, v) for u in keys for v in keys
             if u != v and reaches(v, u) and (u, v) not in g.conns]
    if open_:
        u, v = draws.choice(open_)
        g.conns[(u, v)] = new_conn(innovations.get(u, v, "add_connection"), values, draws)


def mutate_delete_back_connection(g: RefGenome, draws: Draws) -> None:
    """A random back-connection whose source sends, and whose target receives, more than
    that one connection."""
    flags = back_flags(g)
    have = [k for k, _ in g.sorted_conns() if flags[k] == 1
            and sum(1 for a, _ in g.conns if a == k[0]) > 1
            and sum(1 for _, b in g.conns if b == k[1]) > 1]
    if have:
        del g.conns[draws.choice(have)]
        prune_gates(g)


def mutate_neataptic(g: RefGenome, values: dict[str, Any], draws: Draws,
                     innovations: Innovations) -> None:
    """Each of Neataptic's mutations at its rate, in this order; a rate of 0 draws
    nothing."""
    prune_gates(g)
    ops = [lambda: mutate_add_gate(g, values, draws, innovations),
           lambda: mutate_delete_gate(g, draws),
           lambda: mutate_add_self_connection(g, values, draws, innovations),
           lambda: mutate_delete_self_connection(g, draws),
           lambda: mutate_add_back_connection(g, values, draws, innovations),
           lambda: mutate_delete_back_connection(g, draws)]
    for name, op in zip(NEATAPTIC_RATES, ops, strict=True):
        rate = values.get(name, 0.0)
        if rate > 0 and draws.random() < rate:
            op()


def gate_distance(g1: RefGenome, g2: RefGenome, values: dict[str, Any]) -> float:
    """Gate genes not shared, times compatibility_disjoint_coefficient, over the larger
    gate count: matched by (gater, in, out) in neat-python's distance, by innovation
    number in the paper's (whose N is 1 below 20 genes)."""
    paper = values.get("compatibility_distance", "neat-python") == "paper"
    if paper:
        a = {t.innovation for t in g1.gates.values()}
        b = {t.innovation for t in g2.gates.values()}
    else:
        a = {(t.node, k) for k, t in g1.gates.items()}  # type: ignore[misc]
        b = {(t.node, k) for k, t in g2.gates.items()}  # type: ignore[misc]
    larger = max(len(a), len(b))
    if not larger:
        return 0.0
    n = 1 if paper and larger < 20 else larger
    return values["compatibility_disjoint_coefficient"] * (len(a) + len(b)
                                                            - 2 * len(a & b)) / n
