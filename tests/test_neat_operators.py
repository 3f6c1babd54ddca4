"""Every native NEAT operator against the plain-Python reference (tests/neat_reference.py)
fed the same random draws: mutations, crossover with disabled genes, distance,
speciation, and the initial connection schemes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from netgraph.neat import Config, ConfigError, Population
from netgraph.neat._native import NativePopulation, data_tuple, genome_data

sys.path.insert(0, str(Path(__file__).parent))
import neat_reference as ref

FIXTURES = Path(__file__).parent / "fixtures" / "neat"


def _values(**changes: Any) -> dict[str, Any]:
    base = Config.from_file(FIXTURES / "xor-config-feedforward").values
    return Config.from_values({**base, **changes}).values


def _grown(seed: int, generations: int = 6, **changes: Any) -> tuple[Population, dict[str, Any]]:
    """A population with structure to work on: generations of heavy structural mutation
    under a fitness that depends on the key only."""
    values = _values(**{"node_add_prob": 0.6, "conn_add_prob": 0.8, "node_delete_prob": 0.1,
                        "conn_delete_prob": 0.1, "fitness_threshold": 1e9,
                        "activation_options": ["sigmoid", "tanh", "relu"],
                        "activation_mutate_rate": 0.3, "aggregation_options": ["sum", "mean"],
                        "aggregation_mutate_rate": 0.3, "enabled_mutate_rate": 0.2, **changes})
    pop = Population(Config.from_values(values), seed=seed)

    def by_key(genomes: list[tuple[int, Any]], config: Any) -> None:
        for key, g in genomes:
            g.fitness = float((key * 7919) % 97)

    pop.run(by_key, generations)
    return pop, values


def _same(native: NativePopulation, i: int, expected: ref.RefGenome,
          values: dict[str, Any]) -> None:
    got = genome_data(native.genome_data(i))
    want = expected.to_data(values)
    for name in ("node_key", "node_bias", "node_response", "node_activation",
                 "node_aggregation", "conn_innovation", "conn_in", "conn_out", "conn_weight",
                 "conn_enabled"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), (name, a, b)


def _next_node_key(native: NativePopulation, g: ref.RefGenome, values: dict[str, Any]) -> int:
    k = native.counters["next_node_key"]
    if k >= 0:
        return int(k)
    return max(g.nodes) + 1 if g.nodes else values["num_outputs"]


OPERATORS = ["add_node", "add_connection", "delete_node", "delete_connection", "mutate"]


# the operators Config.paper takes from NEAT C++ (uniform perturbations, a node or a link
# or weights, 20 tries for a link, enabled connections split)
PAPER_OPERATORS = {"weight_perturbation": "uniform", "weight_mutate_power": 2.5,
                   "bias_mutate_power": 2.5, "exclusive_mutations": True,
                   "add_connection_tries": 20, "split_enabled_only": True,
                   "weight_mutate_genome_rate": 0.8}


@pytest.mark.parametrize("paper", [False, True])
@pytest.mark.parametrize("feed_forward", [True, False])
@pytest.mark.parametrize("operator", OPERATORS)
def test_mutations_equal_the_reference(operator: str, feed_forward: bool, paper: bool) -> None:
    pop, values = _grown(1, feed_forward=feed_forward, **(PAPER_OPERATORS if paper else {}))
    native = pop._native
    rng = np.random.default_rng(7)
    changed = 0
    for i in range(native.size):
        draws = rng.random(400)
        native._reset_innovations()
        innovations = ref.Innovations(native.counters["innovation"])
        genome = ref.RefGenome.from_data(genome_data(native.genome_data(i)), values)
        before = genome.to_data(values)
        script = ref.Draws(draws)
        nk = _next_node_key(native, genome, values)
        operate = getattr(native, f"_mutate_{operator}" if operator != "mutate" else "_mutate")
        _, used = ref.scripted(native, draws, operate, i)
        if operator == "add_node":
            ref.mutate_add_node(genome, values, script, innovations, nk)
        elif operator == "add_connection":
            ref.mutate_add_connection(genome, values, script, innovations)
        elif operator == "delete_node":
            ref.mutate_delete_node(genome, values, script)
        elif operator == "delete_connection":
            ref.mutate_delete_connection(genome, script)
        else:
            ref.mutate(genome, values, script, innovations, nk)
        _same(native, i, genome, values)
        assert used == script.used
        assert native.counters["innovation"] == innovations.last
        changed += genome.to_data(values).conn_innovation.tobytes() != \
            before.conn_innovation.tobytes()
    assert changed > 0 or operator in ("delete_node",)


def test_same_mutation_in_one_generation_gets_one_innovation_number() -> None:
    pop, values = _grown(2)
    native = pop._native
    native._reset_innovations()
    first = native.counters["innovation"]
    # the same connection added to two genomes that lack it: one number
    draws = np.array([0.0, 0.0])  # out: the first node (output 0); in: the first input
    added = []
    for i in range(native.size):
        g = genome_data(native.genome_data(i))
        pairs = set(zip(g.conn_in.tolist(), g.conn_out.tolist(), strict=True))
        if (-values["num_inputs"], 0) in pairs:
            continue
        native._set_draws(np.concatenate([draws, np.full(10, 0.3)]))
        native._mutate_add_connection(i)
        native._set_draws(None)
        g = genome_data(native.genome_data(i))
        k = list(zip(g.conn_in.tolist(), g.conn_out.tolist(), strict=True)).index(
            (-values["num_inputs"], 0))
        added.append(int(g.conn_innovation[k]))
        if len(added) == 2:
            break
    assert len(added) == 2 and added[0] == added[1] == first + 1
    # the next generation, a new number for the same mutation
    native._reset_innovations()
    for i in range(native.size):
        g = genome_data(native.genome_data(i))
        if (-values["num_inputs"], 0) not in set(zip(g.conn_in.tolist(), g.conn_out.tolist(),
                                                      strict=True)):
            native._set_draws(np.concatenate([draws, np.full(10, 0.3)]))
            native._mutate_add_connection(i)
            native._set_draws(None)
            g = genome_data(native.genome_data(i))
            assert first + 2 in g.conn_innovation.tolist()
            break


@pytest.mark.parametrize(("rate", "average"), [(0.75, 0.0), (0.0, 0.0), (1.0, 0.0),
                                               (0.75, 0.4)])
def test_crossover_equals_the_reference(rate: float, average: float) -> None:
    pop, values = _grown(3, disabled_gene_rate=rate, crossover_average_rate=average)
    native = pop._native
    rng = np.random.default_rng(11)
    native.set_fitness(rng.integers(0, 5, native.size).astype(np.float64))
    disabled_seen = 0
    for _ in range(200):
        i, j = (int(x) for x in rng.integers(0, native.size, 2))
        a = ref.RefGenome.from_data(genome_data(native.genome_data(i)), values)
        b = ref.RefGenome.from_data(genome_data(native.genome_data(j)), values)
        draws = rng.random(600)
        raw, used = ref.scripted(native, draws, native._crossover, i, j)
        child = genome_data(raw)
        script = ref.Draws(draws)
        want = ref.crossover(a, b, values, script, -1).to_data(values)
        assert used == script.used
        for name in ("node_key", "node_bias", "node_response", "node_activation",
                     "node_aggregation", "conn_innovation", "conn_in", "conn_out",
                     "conn_weight", "conn_enabled"):
            assert getattr(child, name).tobytes() == getattr(want, name).tobytes(), name
        disabled_seen += int(np.sum(~child.conn_enabled))
    assert disabled_seen > 0 or rate == 0.0


@pytest.mark.parametrize("weight_coefficient", [0.5, 0.4])
def test_distance_equals_the_reference_exactly(weight_coefficient: float) -> None:
    # 0.4 (the paper's c3) is not a power of two: products round, so the order of the
    # sums and products must be neat-python's
    pop, values = _grown(4, compatibility_weight_coefficient=weight_coefficient)
    native = pop._native
    genomes = [ref.RefGenome.from_data(genome_data(native.genome_data(i)), values)
               for i in range(40)]
    for i in range(40):
        for j in range(40):
            assert native._distance(i, j) == ref.distance(genomes[i], genomes[j], values)


def test_speciation_equals_the_reference() -> None:
    pop, values = _grown(5)
    native = pop._native
    native.set_fitness(np.arange(native.size, dtype=np.float64))
    assert native._reproduce() == 0
    reps = {int(k): ref.RefGenome.from_data(genome_data(rep), values)
            for k, _, _, _, rep, _, _, _ in native.species()}
    genomes = {}
    for i in range(native.size):
        g = ref.RefGenome.from_data(genome_data(native.genome_data(i)), values)
        genomes[g.key] = g
    next_id = native.counters["next_species_key"]
    want_reps, want_members, want_next = ref.speciate(genomes, reps, values, next_id)
    native._speciate()
    keys = native.keys()
    got_members = {int(k): sorted(int(keys[m]) for m in members)
                   for k, _, _, members, _, _, _, _ in native.species()}
    got_reps = {int(k): genome_data(rep).key for k, _, _, _, rep, _, _, _ in native.species()}
    assert got_members == {k: sorted(v) for k, v in want_members.items()}
    assert got_reps == want_reps
    assert native.counters["next_species_key"] == want_next


def test_paper_speciation_equals_the_reference() -> None:
    pop, values = _grown(5, speciation="paper", compatibility_distance="paper",
                         spawn_method="paper")
    native = pop._native
    native.set_fitness(np.arange(native.size, dtype=np.float64))
    assert native._reproduce() == 0
    reps = {int(k): ref.RefGenome.from_data(genome_data(rep), values)
            for k, _, _, _, rep, _, _, _ in native.species()}
    genomes = {}
    for i in range(native.size):
        g = ref.RefGenome.from_data(genome_data(native.genome_data(i)), values)
        genomes[g.key] = g
    next_id = native.counters["next_species_key"]
    draws = np.random.default_rng(3).random(200)
    script = ref.Draws(draws)
    want_reps, want_members, want_next = ref.speciate_paper(genomes, reps, values, next_id,
                                                            script)
    _, used = ref.scripted(native, draws, native._speciate)
    keys = native.keys()
    got_members = {int(k): sorted(int(keys[m]) for m in members)
                   for k, _, _, members, _, _, _, _ in native.species()}
    got_reps = {int(k): genome_data(rep).key for k, _, _, _, rep, _, _, _ in native.species()}
    assert got_members == {k: sorted(v) for k, v in want_members.items()}
    assert got_reps == want_reps
    assert used == script.used
    assert native.counters["next_species_key"] == want_next
    assert len(got_members) > 1  # the case has more than one species to choose from


@pytest.mark.parametrize("scheme", ["full_direct", "full_nodirect", "fs_neat_nohidden",
                                    "fs_neat_hidden", "partial_direct 0.5",
                                    "partial_nodirect 0.3", "unconnected"])
@pytest.mark.parametrize("feed_forward", [True, False])
def test_initial_connections_follow_the_scheme(scheme: str, feed_forward: bool) -> None:
    values = _values(num_inputs=3, num_outputs=2, num_hidden=2, initial_connection=scheme,
                     feed_forward=feed_forward)
    pop = Population(Config.from_values(values), seed=1)
    native = pop._native
    inputs, outputs = [-1, -2, -3], [0, 1]
    pair_numbers: dict[tuple[int, int], int] = {}
    for i in range(native.size):
        g = genome_data(native.genome_data(i))
        hidden = [k for k in g.node_key.tolist() if k not in outputs]
        assert len(hidden) == 2 and g.node_key.tolist()[:2] == outputs
        pairs = list(zip(g.conn_in.tolist(), g.conn_out.tolist(), strict=True))
        full = [(a, h) for a in inputs for h in hidden] + [(h, o) for h in hidden
                                                            for o in outputs]
        direct = [(a, o) for a in inputs for o in outputs]
        loops = [] if feed_forward else [(n, n) for n in g.node_key.tolist()]
        name = scheme.split()[0]
        if name == "full_direct":
            assert sorted(pairs) == sorted(full + direct + loops)
        elif name == "full_nodirect":
            assert sorted(pairs) == sorted(full + loops)
        elif name.startswith("fs_neat"):
            sources = {a for a, _ in pairs}
            assert len(sources) == 1 and sources <= set(inputs)
            targets = sorted(b for _, b in pairs)
            assert targets == (outputs if name == "fs_neat_nohidden"
                               else sorted(outputs + hidden))
        elif name.startswith("partial"):
            every = full + (direct if name == "partial_direct" else []) + loops
            fraction = float(scheme.split()[1])
            assert len(pairs) == round(len(every) * fraction) and set(pairs) <= set(every)
        else:
            assert pairs == []
        # one number per pair across the initial population
        for p, n in zip(pairs, g.conn_innovation.tolist(), strict=True):
            assert pair_numbers.setdefault(p, n) == n


def test_set_genome_data_round_trips_and_checks() -> None:
    pop, _ = _grown(6, generations=2)
    native = pop._native
    t = native.genome_data(3)
    native.set_genome_data(0, t)
    assert genome_data(native.genome_data(0)).conn_weight.tobytes() == t[9].tobytes()
    data = genome_data(t)
    bad = data_tuple(data)
    bad = (bad[0], bad[1][::-1].copy(), *bad[2:])
    if len(data.node_key) > 1:
        with pytest.raises(ValueError, match="ascending"):
            native.set_genome_data(0, bad)
    with pytest.raises(IndexError):
        native.genome_data(native.size)


def test_distance_equals_real_neat_python_exactly(tmp_path: Path) -> None:
    import re

    import neat as neat_python

    from netgraph.neat import Genome

    pop, values = _grown(4, compatibility_weight_coefficient=0.4)
    text = (FIXTURES / "xor-config-feedforward").read_text()
    for key, value in (("compatibility_weight_coefficient", "0.4"),
                       ("activation_options", "sigmoid tanh relu"),
                       ("aggregation_options", "sum mean")):
        text = re.sub(rf"{key}\s*=.*", f"{key} = {value}", text)
    (tmp_path / "c.ini").write_text(text)
    ncfg = neat_python.Config(neat_python.DefaultGenome, neat_python.DefaultReproduction,
                              neat_python.DefaultSpeciesSet, neat_python.DefaultStagnation,
                              str(tmp_path / "c.ini"))
    config = Config.from_values(values)
    native = pop._native
    theirs = [Genome(genome_data(native.genome_data(i)), config).to_neat(ncfg)
              for i in range(30)]
    for i in range(30):
        for j in range(30):
            assert native._distance(i, j) == theirs[i].distance(theirs[j], ncfg.genome_config)


@pytest.mark.parametrize("reuse", [False, True])
def test_the_same_split_in_one_generation(reuse: bool) -> None:
    # neat-python gives every split a new node (and so new connection numbers); the
    # paper's rule (node_split_reuse) gives the same split the same node and numbers
    values = _values(fitness_threshold=1e9)
    pop = Population(Config.from_values(values), seed=1)
    native = pop._native
    native._reset_innovations()
    if reuse:
        values = {**values, "node_split_reuse": True}
        from netgraph.neat._native import native_values
        native = NativePopulation.from_state(native_values(values), native.state())
    made = []
    for i in (0, 1):
        # the first connection (innovation order) of genomes of the initial population
        # is the same gene: split it in both
        native._set_draws(np.zeros(40))
        native._mutate_add_node(i)
        native._set_draws(None)
        g = genome_data(native.genome_data(i))
        new = [k for k in g.node_key.tolist() if k >= values["num_outputs"]]
        made.append((new, sorted(g.conn_innovation.tolist())))
    if reuse:
        assert made[0] == made[1]
    else:
        assert made[0][0] != made[1][0] and made[0][1] != made[1][1]


def test_paper_distance_equals_the_reference_exactly() -> None:
    pop, values = _grown(4, compatibility_distance="paper", compatibility_threshold=6.0,
                         compatibility_weight_coefficient=0.4)
    native = pop._native
    genomes = [ref.RefGenome.from_data(genome_data(native.genome_data(i)), values)
               for i in range(40)]
    for i in range(40):
        for j in range(40):
            assert native._distance(i, j) == ref.distance_paper(genomes[i], genomes[j], values)


def _delta_clones(champ: ref.RefGenome, count: int, values: dict[str, Any],
                  draws: ref.Draws, innovations: ref.Innovations) -> list[ref.RefGenome]:
    """NEAT C++'s super-champion offspring (Species::reproduce) in plain Python: copies of
    the champion; each but the last gets every weight and bias mutated (80%; always when
    adding connections is off) or a connection added (20%); the last is exact."""
    change = ref.mutate_float_uniform if values.get("weight_perturbation") == "uniform" \
        else ref.mutate_float
    out = []
    for i in range(count):
        g = champ.copy()
        if i < count - 1:
            if values["conn_add_prob"] == 0.0 or draws.random() < 0.8:
                for _, c in g.sorted_conns():
                    c.weight = change(c.weight, "weight", values, draws)
                for k in sorted(g.nodes):
                    g.nodes[k].bias = change(g.nodes[k].bias, "bias", values, draws)
            else:
                ref.mutate_add_connection(g, values, draws, innovations)
        out.append(g)
    return out


def test_population_stagnation_counts_as_neat_cpp() -> None:
    from netgraph.neat._population import _population_stagnant

    def cpp(bests: list[float], limit: int) -> list[bool]:
        # Population::epoch's highest_fitness / highest_last_changed, generation by generation
        highest, changed, fired = 0.0, 0, []
        for b in bests:
            if b > highest:
                highest, changed = b, 0
            else:
                changed += 1
            fired.append(changed >= limit)
            if fired[-1]:
                changed = 0
        return fired

    class R:
        def __init__(self, f: float) -> None:
            self.best_fitness = f

    rng = np.random.default_rng(5)
    for _ in range(50):
        bests = [float(x) for x in rng.integers(1, 6, size=40)]
        want = cpp(bests, 4)
        got = [_population_stagnant([R(b) for b in bests[:n + 1]], 4)  # type: ignore[misc]
               for n in range(len(bests))]
        assert got == want
    assert any(want)


@pytest.mark.parametrize("conn_add_prob", [0.5, 0.0])
def test_delta_coding_equals_the_reference(conn_add_prob: float) -> None:
    values = _values(population_stagnation=3, elitism=0, conn_add_prob=conn_add_prob,
                     node_add_prob=0.5, fitness_threshold=1e9, pop_size=30,
                     compatibility_threshold=1.0, spawn_method="paper", min_species_size=1,
                     **PAPER_OPERATORS)
    pop = Population(Config.from_values(values), seed=4)
    first = pop.config.pop_size

    def stagnant(genomes: list[tuple[int, Any]], config: Any) -> None:
        # generation 0 holds the record; nothing later beats it
        for key, g in genomes:
            g.fitness = float((key * 7919) % 97) / 100.0 + (1.0 if key <= first else 0.0)

    pop.run(stagnant, 3)
    native = pop._native
    keys = native.keys()
    fitness = np.array([float((int(k) * 7919) % 97) / 100.0 for k in keys])
    native.set_fitness(fitness)
    species = native.species()
    assert len(species) >= 2
    # the two best species by champion (ties: the older), and their champions (ties in
    # fitness: the larger key, as the engine ranks members)
    champs = []
    for key, _c, _l, members, *_ in species:
        best = max(members.tolist(), key=lambda i: (fitness[i], int(keys[i])))
        champs.append((fitness[best], -key, best))
    champs.sort(reverse=True)
    top, second = champs[0], champs[1]
    half = values["pop_size"] // 2
    counts = {top[2]: half, second[2]: values["pop_size"] - half}
    # the engine breeds species in ascending order of their fitness (max: the champion's)
    order = sorted([top, second], key=lambda c: (c[0], -c[1]))
    draws = np.random.default_rng(11).random(5000)
    script = ref.Draws(draws)
    native._reset_innovations()
    innovations = ref.Innovations(native.counters["innovation"])
    want = []
    for _f, _k, idx in order:
        champ = ref.RefGenome.from_data(genome_data(native.genome_data(idx)), values)
        want += _delta_clones(champ, counts[idx], values, script, innovations)
    native.set_delta_coding(True)
    _, used = ref.scripted(native, draws, native.advance)
    assert native.size == values["pop_size"] == len(want)
    for i, g in enumerate(want):
        _same(native, i, g, values)
    assert used == script.used
    # the last clone of each champion is exact; the others changed
    assert len({genome_data(native.genome_data(i)).conn_weight.tobytes()
                for i in range(native.size)}) > 2


@pytest.mark.parametrize("feed_forward", [True, False])
def test_neat_cpp_add_connection_equals_the_reference(feed_forward: bool) -> None:
    """NEAT C++'s add-link rule (add_connection_rule = "neat-c++"): links out of outputs,
    and with recurrent_connection_rate only links that close a cycle (self-links half the
    time), else only links that close none; the same genome as the reference."""
    rate = 0.0 if feed_forward else 0.5
    rule = {"add_connection_rule": "neat-c++", "recurrent_connection_rate": rate,
            "add_connection_tries": 20}
    pop, values = _grown(3, feed_forward=feed_forward, **rule)
    native = pop._native
    rng = np.random.default_rng(11)
    kinds = {"self": 0, "cycle": 0, "forward": 0, "from_output": 0}
    for i in range(native.size):
        draws = rng.random(200)
        native._reset_innovations()
        innovations = ref.Innovations(native.counters["innovation"])
        genome = ref.RefGenome.from_data(genome_data(native.genome_data(i)), values)
        before = set(genome.conns)
        script = ref.Draws(draws)
        _, used = ref.scripted(native, draws, native._mutate_add_connection, i)
        added = ref.mutate_add_connection(genome, values, script, innovations)
        _same(native, i, genome, values)
        assert used == script.used
        if added is not None:
            a, b = added
            cycle = ref.creates_cycle(sorted(before), added)
            kinds["self" if a == b else "cycle" if cycle else "forward"] += 1
            kinds["from_output"] += 0 <= a < values["num_outputs"]
    # the rule at work: forward links; recurrent, self-links and other cycles, links out
    # of outputs (with one output, a link out of it always closes a cycle)
    assert kinds["forward"] > 0, kinds
    if not feed_forward:
        assert kinds["self"] > 0 and kinds["cycle"] > 0 and kinds["from_output"] > 0, kinds
    # recurrent genomes with links out of their outputs make networks with every enabled
    # link (feed-forward networks leave out nodes that do not lead to an output)
    for i in range(native.size if not feed_forward else 0):
        data = genome_data(native.genome_data(i))
        out_links = [(int(a), int(b)) for a, b, e in zip(data.conn_in, data.conn_out,
                                                         data.conn_enabled, strict=True)
                     if e and 0 <= a < values["num_outputs"]]
        if out_links:
            graph = pop.genomes[int(data.key)].network.graph
            assert graph.number_of_edges() == int(np.sum(data.conn_enabled))
            assert all(graph.has_edge(a, b) for a, b in out_links)
            break
    else:
        assert feed_forward, "no genome linked out of an output"


def test_recurrent_connection_rate_needs_the_neat_cpp_rule_and_recurrence() -> None:
    with pytest.raises(ConfigError, match=r"recurrent_connection_rate.*add_connection_rule"):
        Config.paper(2, 1, recurrent_connection_rate=0.2, feed_forward=False)
    with pytest.raises(ConfigError, match=r"recurrent_connection_rate.*feed_forward"):
        Config.paper(2, 1, recurrent_connection_rate=0.2, add_connection_rule="neat-c++")
    with pytest.raises(ConfigError, match="add_connection_rule"):
        Config.paper(2, 1, add_connection_rule="neat-c")

