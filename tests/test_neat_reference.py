"""tests/neat_reference.py (the oracle of the engine's operators) against real neat-python
2.0.0, wherever neat-python is deterministic: given the same genomes and the same
uniform draws (neat-python's random functions replaced by the contract's draw protocol),
both must make identical genomes; distance, speciation and spawn counts must agree."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neat
import neat.attributes
import neat.genes
import neat.genome
import neat.innovation
import neat.reporting
import neat_reference as ref
import numpy as np
import pytest

from netgraph.neat import Config

XOR = Path(__file__).parent / "fixtures" / "neat" / "xor-config-feedforward"


def write_config(tmp_path: Path, **changes: str) -> tuple[neat.Config, dict[str, Any]]:
    lines = []
    for line in XOR.read_text().splitlines():
        key = line.split("=")[0].strip()
        if key in changes:
            line = f"{key} = {changes.pop(key)}"
        lines.append(line)
    text = "\n".join(lines)
    if changes:  # keys the XOR file leaves out
        text = text.replace("[DefaultGenome]", "[DefaultGenome]\n" + "\n".join(
            f"{k} = {v}" for k, v in changes.items()))
    path = tmp_path / f"config-{abs(hash(text))}"
    path.write_text(text)
    nc = neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                     neat.DefaultStagnation, str(path))
    return nc, Config.from_file(path).values


RICH = {
    "activation_options": "sigmoid tanh relu", "activation_default": "random",
    "activation_mutate_rate": "0.3", "aggregation_options": "sum mean",
    "aggregation_default": "random", "aggregation_mutate_rate": "0.3",
    "response_mutate_rate": "0.4", "response_mutate_power": "0.3",
    "response_replace_rate": "0.1", "response_init_stdev": "0.5",
    "enabled_mutate_rate": "0.2", "enabled_rate_to_true_add": "0.1",
    "num_inputs": "3", "num_outputs": "2", "num_hidden": "1",
    "initial_connection": "full_nodirect", "node_add_prob": "0.5", "conn_add_prob": "0.6",
    "node_delete_prob": "0.3", "conn_delete_prob": "0.3", "bias_init_type": "uniform",
}


def population(nc: neat.Config, seed: int, count: int = 30) -> list[Any]:
    """Genomes neat-python made and mutated with its own randomness."""
    random.seed(seed)
    pop = neat.Population(nc)
    out = []
    for _, g in list(pop.population.items())[:count]:
        for _ in range(random.randrange(25)):
            g.mutate(nc.genome_config)
        g.fitness = float(random.randrange(5))  # ties happen: the tie rule is tested
        out.append(g)
    return out


def to_neat(g: ref.RefGenome) -> Any:
    """A neat-python genome with the reference's genes, nodes in key order and
    connections in innovation order (the protocol's visiting orders)."""
    out = neat.DefaultGenome(g.key)
    for k in sorted(g.nodes):
        n = g.nodes[k]
        gene = neat.genes.DefaultNodeGene(k)
        gene.bias, gene.response = n.bias, n.response
        gene.activation, gene.aggregation, gene.time_constant = n.activation, n.aggregation, 1.0
        out.nodes[k] = gene
    for key, c in g.sorted_conns():
        cg = neat.genes.DefaultConnectionGene(key, innovation=c.innovation)
        cg.weight, cg.enabled = c.weight, c.enabled
        out.connections[key] = cg
    out.fitness = g.fitness
    return out


def assert_same(ours: ref.RefGenome, theirs: Any) -> None:
    other = ref.RefGenome.from_neat(theirs)
    assert sorted(ours.nodes) == sorted(other.nodes)
    for k, n in ours.nodes.items():
        assert n == other.nodes[k], k
    assert sorted(ours.conns) == sorted(other.conns)
    for k, c in ours.conns.items():
        assert c == other.conns[k], k


class Scripted:
    """neat-python's random functions replaced by the draw protocol over one script."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, u: list[float],
                 input_keys: list[int]) -> None:
        self.draws = ref.Draws(u)
        self.genome: Any = None
        d = self.draws

        def choice(seq: Any) -> Any:
            seq = list(seq)
            if seq == input_keys:  # fs_neat picks an input in neat-python's key order
                return d.choice(seq)
            if seq and isinstance(seq[0], neat.genes.DefaultConnectionGene):
                return d.choice(sorted(seq, key=lambda c: c.innovation))
            if seq and isinstance(seq[0], tuple):  # connection keys: innovation order
                conns = self.genome.connections
                return d.choice(sorted(seq, key=lambda k: conns[k].innovation))
            return d.choice(sorted(seq))

        for module in (neat.genes, neat.genome, neat.attributes):
            monkeypatch.setattr(module, "random", d.random)
        monkeypatch.setattr(neat.genome, "choice", choice)
        monkeypatch.setattr(neat.genome, "shuffle", d.shuffle)
        monkeypatch.setattr(neat.attributes, "choice", d.choice)  # options: config order
        monkeypatch.setattr(neat.attributes, "gauss", d.gauss)
        monkeypatch.setattr(neat.attributes, "uniform", d.uniform)
        # the time constant is not stored and draws nothing (protocol); neat-python draws
        # for it, so it leaves neat-python's node attributes for these tests
        monkeypatch.setattr(neat.genes.DefaultNodeGene, "_gene_attributes", [
            a for a in neat.genes.DefaultNodeGene._gene_attributes
            if a.name != "time_constant"])


def uniforms(rng: np.random.Generator, n: int = 4000) -> list[float]:
    return rng.random(n).tolist()


def mutation_cases(tmp_path: Path) -> Iterator[tuple[neat.Config, dict[str, Any]]]:
    for single, ff, enabled in ((False, True, "True"), (True, False, "random"),
                                (False, False, "True"), (True, True, "False")):
        yield write_config(tmp_path, **RICH, single_structural_mutation=str(single).lower(),
                           feed_forward=str(ff), enabled_default=enabled)


@pytest.mark.parametrize("operator", ["mutate", "add_node", "add_connection", "delete_node",
                                      "delete_connection", "attributes"])
def test_mutations_equal_neat_python_given_the_same_draws(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operator: str) -> None:
    rng = np.random.default_rng(len(operator))
    changed = 0
    for case, (nc, values) in enumerate(mutation_cases(tmp_path)):
        for g in population(nc, seed=case):
            start = ref.RefGenome.from_neat(g)
            last_innovation = max((c.innovation for c in start.conns.values()), default=0)
            next_key = max(start.nodes) + 1
            u = uniforms(rng)
            ours = start.copy()
            inn = ref.Innovations(last_innovation)
            draws = ref.Draws(u)
            with monkeypatch.context() as m:
                script = Scripted(m, u, nc.genome_config.input_keys)
                theirs = to_neat(start)
                script.genome = theirs
                gc = nc.genome_config
                gc.innovation_tracker = neat.innovation.InnovationTracker(last_innovation)
                gc.node_indexer = itertools.count(next_key)
                if operator == "mutate":
                    ref.mutate(ours, values, draws, inn, next_key)
                    theirs.mutate(gc)
                elif operator == "add_node":
                    ref.mutate_add_node(ours, values, draws, inn, next_key)
                    theirs.mutate_add_node(gc)
                elif operator == "add_connection":
                    ref.mutate_add_connection(ours, values, draws, inn)
                    theirs.mutate_add_connection(gc)
                elif operator == "delete_node":
                    ref.mutate_delete_node(ours, values, draws)
                    theirs.mutate_delete_node(gc)
                elif operator == "delete_connection":
                    ref.mutate_delete_connection(ours, draws)
                    theirs.mutate_delete_connection()
                else:
                    ref.mutate_attributes(ours, values, draws)
                    for cg in theirs.connections.values():
                        cg.mutate(gc)
                    for ng in theirs.nodes.values():
                        ng.mutate(gc)
                assert draws.used == script.draws.used
                assert_same(ours, theirs)
                changed += ours != start
    assert changed > 30  # the operator did something in many of the cases


def neat_order_draws(fit: ref.RefGenome, other: ref.RefGenome, u: list[float],
                     values: dict[str, Any]) -> list[float]:
    """The reference visits innovation numbers in ascending order, neat-python in its set's
    order: give each matching gene the same uniforms in neat-python's order."""
    a = {c.innovation: (k, c) for k, c in fit.conns.items()}
    b = {c.innovation: (k, c) for k, c in other.conns.items()}
    segments: dict[int, list[float]] = {}
    k = 0
    for i in sorted(set(a) | set(b)):
        if i in a and i in b and a[i][0] == b[i][0]:
            n = 2 + (not a[i][1].enabled or not b[i][1].enabled)
            segments[i], k = u[k:k + n], k + n
    # neat-python's own expression, so the same iteration order
    p1 = {c.innovation: c for c in to_neat(fit).connections.values()}
    p2 = {c.innovation: c for c in to_neat(other).connections.values()}
    ordered = [x for i in set(p1.keys()) | set(p2.keys()) for x in segments.get(i, [])]
    return ordered + u[k:]


def test_crossover_equals_neat_python_given_the_same_draws(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    matched_disabled = 0
    nc, values = write_config(tmp_path, **{**RICH, "feed_forward": "False",
                                           "enabled_mutate_rate": "0.3"})
    genomes = population(nc, seed=3, count=40)
    for g1, g2 in zip(genomes[::2], genomes[1::2], strict=True):
        r1, r2 = ref.RefGenome.from_neat(g1), ref.RefGenome.from_neat(g2)
        fit, other = (r1, r2) if r1.fitness > r2.fitness else (r2, r1)  # type: ignore[operator]
        u = uniforms(rng, 1000)
        draws = ref.Draws(u)
        child = ref.crossover(r1, r2, values, draws, child_key=999)
        with monkeypatch.context() as m:
            script = Scripted(m, neat_order_draws(fit, other, u, values),
                              nc.genome_config.input_keys)
            theirs = neat.DefaultGenome(999)
            theirs.configure_crossover(to_neat(r1), to_neat(r2), nc.genome_config)
        assert script.draws.used == draws.used
        assert_same(child, theirs)
        matched_disabled += sum(
            1 for k, c in fit.conns.items()
            if k in other.conns and other.conns[k].innovation == c.innovation
            and not (c.enabled and other.conns[k].enabled))
    assert matched_disabled > 5  # the disabled-gene rule was exercised


def test_crossover_keeps_disabled_genes_at_the_configured_rate() -> None:
    """The rule itself, on the paper's small case: a matching gene disabled in one parent
    ends disabled with probability 1/2 (inherited flag) + 1/2 * rate."""
    values = Config.paper(2, 1).values
    a = ref.RefGenome(1, {0: ref.RefNode(0.0, 1.0, "steep_sigmoid", "sum")},
                      {(-1, 0): ref.RefConn(1, 0.5, False), (-2, 0): ref.RefConn(2, 1.0, True)},
                      fitness=2.0)
    b = ref.RefGenome(2, {0: ref.RefNode(0.1, 1.0, "steep_sigmoid", "sum")},
                      {(-1, 0): ref.RefConn(1, -0.5, True), (-2, 0): ref.RefConn(2, 1.0, True),
                       (3, 0): ref.RefConn(3, 0.2, True)}, fitness=1.0)
    rng = np.random.default_rng(0)
    trials = 20000
    disabled = 0
    for _ in range(trials):
        child = ref.crossover(a, b, values, ref.Draws(uniforms(rng, 20)), 3)
        disabled += not child.conns[(-1, 0)].enabled
        assert (3, 0) not in child.conns  # disjoint gene of the less fit parent
    expected = 0.5 + 0.5 * values["disabled_gene_rate"]
    assert abs(disabled / trials - expected) < 4 * math.sqrt(expected * (1 - expected) / trials)


def test_distance_equals_neat_python(tmp_path: Path) -> None:
    nc, values = write_config(tmp_path, **RICH)
    genomes = population(nc, seed=9)
    checked = 0
    for g1, g2 in itertools.combinations(genomes[:20], 2):
        expected = g1.distance(g2, nc.genome_config)
        got = ref.distance(ref.RefGenome.from_neat(g1), ref.RefGenome.from_neat(g2), values)
        assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-12)
        checked += expected > 0
    assert checked > 100


def test_speciation_equals_neat_python(tmp_path: Path) -> None:
    nc, values = write_config(tmp_path, **RICH, compatibility_threshold="1.2")
    nc.genome_config.innovation_tracker = neat.innovation.InnovationTracker(10_000)
    species = neat.DefaultSpeciesSet(nc.species_set_config, neat.reporting.ReporterSet())
    first = {g.key: g for g in population(nc, seed=4, count=60)}
    species.speciate(nc, first, 0)
    mine = {k: ref.RefGenome.from_neat(g) for k, g in first.items()}
    reps, members, next_id = ref.speciate(mine, {}, values, 1)
    assert reps == {sid: s.representative.key for sid, s in species.species.items()}
    assert members == {sid: list(s.members) for sid, s in species.species.items()}
    assert len(members) > 2
    # the next generation: mutated copies with new keys, placed against the old species
    random.seed(5)
    second = {}
    for k, g in first.items():
        child = neat.DefaultGenome(k + 1000)
        child.configure_crossover(g, g, nc.genome_config)
        child.mutate(nc.genome_config)
        second[k + 1000] = child
    old_reps = {sid: ref.RefGenome.from_neat(s.representative)
                for sid, s in species.species.items()}
    species.speciate(nc, second, 1)
    mine2 = {k: ref.RefGenome.from_neat(g) for k, g in second.items()}
    reps2, members2, _ = ref.speciate(mine2, old_reps, values, next_id)
    assert reps2 == {sid: s.representative.key for sid, s in species.species.items()}
    assert members2 == {sid: list(s.members) for sid, s in species.species.items()}


def test_spawn_counts_equal_neat_python() -> None:
    rng = np.random.default_rng(2)
    for _ in range(3000):
        n = int(rng.integers(1, 8))
        fitness = [float(x) for x in rng.random(n) * rng.choice([0.0, 1.0, 5.0])]
        sizes = [int(x) for x in rng.integers(1, 60, n)]
        pop_size = int(rng.integers(n * 2, 300))
        min_size = int(rng.integers(1, 3))
        expected = neat.DefaultReproduction.compute_spawn(fitness, sizes, pop_size, min_size)
        assert ref.compute_spawn(fitness, sizes, pop_size, min_size) == expected
        try:
            exact = neat.DefaultReproduction._adjust_spawn_exact(None, list(expected),
                                                                 pop_size, min_size)
        except RuntimeError:
            with pytest.raises(ValueError):
                ref.adjust_spawn_exact(expected, pop_size, min_size)
        else:
            assert ref.adjust_spawn_exact(expected, pop_size, min_size) == exact
    fitnesses = [[1.0, 3.0], [0.5], [4.0, 4.0, 2.0]]
    assert ref.adjusted_fitnesses(fitnesses) == [(2.0 - 0.5) / 3.5, 0.0,
                                                 (10.0 / 3.0 - 0.5) / 3.5]


@pytest.mark.parametrize("connection", ["full_direct", "full_nodirect", "full",
                                        "partial_direct 0.5", "partial_nodirect 0.3",
                                        "fs_neat_hidden", "fs_neat_nohidden", "unconnected"])
def test_new_genomes_equal_neat_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       connection: str) -> None:
    nc, values = write_config(tmp_path, **{**RICH, "initial_connection": connection,
                                           "num_hidden": "2", "enabled_default": "random",
                                           "feed_forward": "False"})
    rng = np.random.default_rng(1)
    inn = ref.Innovations()
    tracker = neat.innovation.InnovationTracker()
    next_key = values["num_outputs"]
    gc = nc.genome_config
    gc.node_indexer = None
    for key in range(1, 6):
        u = uniforms(rng, 500)
        draws = ref.Draws(u)
        ours, next_key = ref.configure_new(key, values, draws, inn, next_key)
        with monkeypatch.context() as m:
            script = Scripted(m, u, gc.input_keys)
            gc.innovation_tracker = tracker
            theirs = neat.DefaultGenome(key)
            script.genome = theirs
            theirs.configure_new(gc)
        assert script.draws.used == draws.used
        assert_same(ours, theirs)


def test_paper_distance_on_the_papers_terms() -> None:
    """Section 3.3's δ on a hand-checked pair: 2 disjoint + 1 excess genes, N = 1 (small
    genomes), W̄ over the two matching genes (one of them disabled)."""
    values = Config.paper(2, 1).values
    node = ref.RefNode(0.0, 1.0, "steep_sigmoid", "sum")
    a = ref.RefGenome(1, {0: node, 3: node}, {
        (-1, 0): ref.RefConn(1, 0.5, True), (-2, 0): ref.RefConn(2, -1.0, False),
        (-1, 3): ref.RefConn(4, 0.3, True), (3, 0): ref.RefConn(5, 1.0, True)})
    b = ref.RefGenome(2, {0: node}, {
        (-1, 0): ref.RefConn(1, 1.5, True), (-2, 0): ref.RefConn(2, -0.5, True),
        (-2, 3): ref.RefConn(3, 2.0, True)})
    wbar = (1.0 + 0.5) / 2
    expected = 1.0 * 3 / 1 + 0.4 * wbar
    assert ref.distance_paper(a, b, values) == pytest.approx(expected, abs=1e-15)
    assert ref.genome_distance(a, b, values) == ref.distance_paper(a, b, values)
    # 20 genes or more: divided by the larger count
    big = ref.RefGenome(3, {0: node}, {(-1, k + 10): ref.RefConn(k + 10, 0.0, True)
                                      for k in range(20)})
    assert ref.distance_paper(a, big, values) == pytest.approx(24 / 20, abs=1e-15)
    neat_python = {**values, "compatibility_distance": "neat-python"}
    assert ref.genome_distance(a, b, neat_python) == ref.distance(a, b, neat_python)


def test_paper_spawn_is_proportional_to_shared_fitness() -> None:
    shared = ref.paper_shared_fitness([[1.0, 3.0], [2.0], [4.0, 4.0, 1.0]])
    assert shared == [2.0, 2.0, 3.0]
    spawn = ref.compute_spawn_paper(shared, 150)
    assert spawn == [43, 43, 64]  # 150 * (2, 2, 3) / 7 = 42.86, 42.86, 64.29
    assert sum(spawn) == 150
    # negative fitnesses shift up by the lowest; all-zero sums share equally
    assert ref.paper_shared_fitness([[-1.0, 1.0], [0.0]]) == [1.0, 1.0]
    assert ref.compute_spawn_paper([0.0, 0.0, 0.0], 10) == [4, 3, 3]
    rng = np.random.default_rng(3)
    for _ in range(500):
        s = rng.random(int(rng.integers(1, 9))).tolist()
        n = int(rng.integers(2, 400))
        spawn = ref.compute_spawn_paper(s, n)
        assert sum(spawn) == n
        assert all(abs(k - x / sum(s) * n) < 1.0 for k, x in zip(spawn, s, strict=True))


def test_node_split_reuse_gives_the_same_split_the_same_node() -> None:
    values = {**Config.paper(2, 1).values, "node_add_prob": 1.0}
    node = ref.RefNode(0.0, 1.0, "steep_sigmoid", "sum")

    def genome(key: int) -> ref.RefGenome:
        return ref.RefGenome(key, {0: ref.RefNode(0.0, 1.0, "steep_sigmoid", "sum")},
                             {(-1, 0): ref.RefConn(1, 0.5, True)})

    inn = ref.Innovations(1)
    a, b = genome(1), genome(2)
    draws = [0.5] * 21  # split the only connection (either way of picking); attribute draws
    assert ref.mutate_add_node(a, values, ref.Draws(draws), inn, 5) == 5
    # the same split in another genome this generation: node 5 again, the same numbers
    assert ref.mutate_add_node(b, values, ref.Draws(draws), inn, 6) == 5
    assert a.conns.keys() == b.conns.keys()
    assert [c.innovation for _, c in a.sorted_conns()] == \
        [c.innovation for _, c in b.sorted_conns()] == [1, 2, 3]
    # a genome that has node 5 already splits (-1, 0) again: a fresh node
    b.conns[(-1, 0)].enabled = True
    b.nodes[5] = node
    assert ref.mutate_add_node(b, values, ref.Draws(draws), inn, 6) == 6
    # a new generation forgets the splits; neat-python's rule never reuses
    inn.reset_generation()
    c = genome(3)
    assert ref.mutate_add_node(c, values, ref.Draws(draws), inn, 7) == 7
    plain = {**values, "node_split_reuse": False}
    d = genome(4)
    assert ref.mutate_add_node(d, plain, ref.Draws(draws), inn, 8) == 8
