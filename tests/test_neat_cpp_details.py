"""The NEAT C++ 1.2 details behind configuration keys (off by default): each native
operator against the plain-Python reference (tests/neat_reference.py) fed the same
draws, or against a hand-checked case; and tasks.XOR's bias input."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from netgraph import InputError
from netgraph.neat import CompleteExtinctionException, Config, ConfigError, Population, tasks
from netgraph.neat._native import genome_data

sys.path.insert(0, str(Path(__file__).parent))
import neat_reference as ref
from test_neat_operators import PAPER_OPERATORS, _grown, _next_node_key, _same


@pytest.mark.parametrize("changes", [
    {"split_old_genes": True},
    {"bias_input_index": 1},
    {"split_old_genes": True, "bias_input_index": 0},
    {"weight_mutation": "neat-c++"},
])
@pytest.mark.parametrize("operator", ["add_node", "mutate"])
def test_neat_cpp_mutations_equal_the_reference(operator: str, changes: dict[str, Any]) -> None:
    pop, values = _grown(1, **PAPER_OPERATORS, **changes)
    native = pop._native
    rng = np.random.default_rng(17)
    split_bias = 0
    for i in range(native.size):
        draws = rng.random(400)
        native._reset_innovations()
        innovations = ref.Innovations(native.counters["innovation"])
        genome = ref.RefGenome.from_data(genome_data(native.genome_data(i)), values)
        script = ref.Draws(draws)
        nk = _next_node_key(native, genome, values)
        operate = getattr(native, "_mutate_add_node" if operator == "add_node" else "_mutate")
        _, used = ref.scripted(native, draws, operate, i)
        if operator == "add_node":
            ref.mutate_add_node(genome, values, script, innovations, nk)
        else:
            ref.mutate(genome, values, script, innovations, nk)
        _same(native, i, genome, values)
        assert used == script.used
        index = changes.get("bias_input_index")
        if index is not None:  # a split of a bias connection would add (bias -> new node)
            new = set(genome.nodes) - set(ref.RefGenome.from_data(
                genome_data(native.genome_data(i)), values).nodes)
            split_bias += any(u == -index - 1 and v in new for u, v in genome.conns)
    assert split_bias == 0


def test_split_old_genes_prefers_the_oldest_gene() -> None:
    # a hand-checked case: the first gene is enabled, so a first draw of 0.3 or more
    # stops there; a draw below 0.3 then one of 0.3 or more splits the second
    native = Population(Config.paper(2, 1, split_old_genes=True), seed=0)._native
    small = [i for i in range(native.size)
             if 2 <= len(genome_data(native.genome_data(i)).conn_innovation) < 15 and
             genome_data(native.genome_data(i)).conn_enabled[:2].all()]
    assert len(small) >= 2, "two small genomes with their first two genes enabled"
    for i, first, split in ((small[0], [0.5], 0), (small[1], [0.1, 0.9], 1)):
        native._reset_innovations()
        before = genome_data(native.genome_data(i))
        native._set_draws(np.array(first + [0.5] * 20))
        try:
            native._mutate_add_node(i)
        finally:
            native._set_draws(None)
        after = genome_data(native.genome_data(i))
        old = {int(k): bool(e) for k, e in zip(before.conn_innovation, before.conn_enabled,
                                                strict=True)}
        now = {int(k): bool(e) for k, e in zip(after.conn_innovation, after.conn_enabled,
                                                strict=True)}
        disabled = [k for k in old if old[k] and not now[k]]
        assert disabled == [int(before.conn_innovation[split])]


@pytest.mark.parametrize("rate", [0.75, 0.0])
def test_crossover_tie_goes_to_the_smaller_genome(rate: float) -> None:
    pop, values = _grown(3, disabled_gene_rate=rate, crossover_tie_smaller=True)
    native = pop._native
    rng = np.random.default_rng(5)
    native.set_fitness(rng.integers(0, 2, native.size).astype(np.float64))
    smaller_kept = 0
    for _ in range(200):
        i, j = (int(x) for x in rng.integers(0, native.size, 2))
        a = ref.RefGenome.from_data(genome_data(native.genome_data(i)), values)
        b = ref.RefGenome.from_data(genome_data(native.genome_data(j)), values)
        draws = rng.random(600)
        raw, used = ref.scripted(native, draws, native._crossover, i, j)
        child = genome_data(raw)
        want = ref.crossover(a, b, values, ref.Draws(draws), -1).to_data(values)
        for name in ("node_key", "conn_innovation", "conn_weight", "conn_enabled"):
            assert getattr(child, name).tobytes() == getattr(want, name).tobytes(), name
        assert used > 0
        if a.fitness == b.fitness and len(a.conns) < len(b.conns):
            # the child's genes are the smaller genome's (a's) innovation numbers
            assert child.conn_innovation.tolist() == sorted(c.innovation
                                                            for c in a.conns.values())
            smaller_kept += 1
    assert smaller_kept > 0


def _singletons(**changes: Any) -> Population:
    """A fresh paper population of 20 in which every genome is a species of its own."""
    config = Config.paper(2, 1, pop_size=20, compatibility_threshold=1e-9, **changes)
    pop = Population(config, seed=3)
    assert len(set(pop._native.species_ids().tolist())) == 20
    return pop


@pytest.mark.parametrize("by_spawn", [False, True])
def test_champion_copied_by_the_species_offspring(by_spawn: bool) -> None:
    # genome 0 is a species of one (not more than 5 members) but earns most of the next
    # generation (100 / (100 + 19) of 20 = 16 offspring, more than 5): NEAT C++ copies
    # its champion (expected_offspring > 5), counting members does not
    pop = _singletons(champion_by_spawn=by_spawn)
    native = pop._native
    champion = int(native.keys()[0])
    fitness = np.ones(native.size)
    fitness[0] = 100.0
    native.set_fitness(fitness)
    assert native._reproduce() == 0
    keys = [int(k) for k in native.keys().tolist()]
    assert (champion in keys) is by_spawn


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_mate_only_rate_leaves_crossover_children_unmutated(rate: float) -> None:
    # one species whose members all breed; every crossover child that is not mutated
    # has only its parents' weights, while a mutation perturbs every weight
    config = Config.paper(2, 1, pop_size=30, compatibility_threshold=1e9, mutate_only_rate=0.0,
                          survival_threshold=1.0, node_add_prob=0.0, conn_add_prob=0.0,
                          weight_mutate_genome_rate=1.0, weight_mutate_rate=1.0,
                          weight_replace_rate=0.0, crossover_average_rate=0.0,
                          mate_only_rate=rate)
    native = Population(config, seed=4)._native
    old = [genome_data(native.genome_data(i)) for i in range(native.size)]
    weights = {float(w) for g in old for w in g.conn_weight.tolist()}
    native.set_fitness(np.arange(native.size, dtype=np.float64))
    assert native._reproduce() == 0
    unmutated = sum(all(float(w) in weights for w in genome_data(native.genome_data(i))
                        .conn_weight.tolist()) for i in range(native.size))
    # rate 1: all but the children of a parent mated with itself (1 in 30) and the
    # champion's copy; rate 0: the champion's copy alone
    assert unmutated >= 0.8 * native.size if rate else unmutated == 1


@pytest.mark.parametrize("partner", ["random", "champion"])
def test_interspecies_partner(partner: str) -> None:
    # every genome a species of its own, all mating across species and no mutation: a
    # child's weights come from its own genome and its partner's. NEAT C++'s partner is
    # the champion of a species picked by floor(min(g / 4, 1) * 19 + 0.5), g standard
    # normal: the best species whenever g < 0.5 / 19 * 4, with probability 0.54
    pop = _singletons(interspecies_mating_rate=1.0, mutate_only_rate=0.0, mate_only_rate=1.0,
                      crossover_average_rate=0.0, interspecies_partner=partner)
    native = pop._native
    old = [genome_data(native.genome_data(i)) for i in range(native.size)]
    fitness = np.arange(native.size, dtype=np.float64) + 1.0
    native.set_fitness(fitness)
    best = {float(w) for w in old[int(np.argmax(fitness))].conn_weight.tolist()}
    assert native._reproduce() == 0
    children = [genome_data(native.genome_data(i)) for i in range(native.size)]
    from_best = sum(any(float(w) in best for w in c.conn_weight.tolist()) for c in children)
    if partner == "champion":
        assert from_best >= 0.35 * len(children)
    else:
        assert from_best <= 0.3 * len(children)


def test_bias_input_index_must_name_an_input() -> None:
    with pytest.raises(ConfigError, match="bias_input_index"):
        Config.paper(3, 1, bias_input_index=3)
    with pytest.raises(ConfigError, match="bias_input_index"):
        Config.paper(3, 1, bias_input_index=-1)
    for bad in ({"interspecies_partner": "best"}, {"weight_mutation": "gaussian"},
                {"mate_only_rate": 1.5}):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            Config.paper(3, 1, **bad)


def test_new_keys_survive_the_text_form_and_a_checkpoint(tmp_path: Path) -> None:
    config = Config.paper(3, 1, bias_input=True, bias_input_index=0, split_old_genes=True,
                          mate_only_rate=0.2, champion_by_spawn=True,
                          interspecies_partner="champion", weight_mutation="neat-c++",
                          crossover_tie_smaller=True)
    path = tmp_path / "config.ini"
    config.save(path)
    assert Config.from_file(path) == config
    pop = Population(config, seed=1)
    pop.run(tasks.XOR(bias_input=True), 3)
    pop.save(tmp_path / "run.json")
    assert tasks.XOR(bias_input=True).num_inputs == 3
    again = Population.load(tmp_path / "run.json")
    assert again.config == config


def test_xor_bias_input_is_fed_first() -> None:
    # one genome with a link from the bias input (weight 0.3) and one from the first XOR
    # input a (weight -0.7) to the output, node biases 0: by hand, the output of case
    # (a, b) is 1 / (1 + exp(-4.9 (0.3 * 1.0 + -0.7 a))), fitness (4 - sum |o - t|)^2
    config = Config.paper(3, 1, bias_input=True, bias_input_index=0)
    pop = Population(config, seed=0)
    task = tasks.XOR(bias_input=True)
    genome = next(iter(pop.genomes.values()))
    data = genome.data
    weights = {-1: 0.3, -2: -0.7}
    one = type(data).build(
        data.key, [(int(k), 0.0, 1.0, 0, 0) for k in data.node_key],
        [(int(i), int(u), int(v), weights[int(u)], True) for i, u, v in zip(
            data.conn_innovation, data.conn_in, data.conn_out, strict=True)
         if int(u) in weights])
    single = type(genome)(one, config)
    error = 0.0
    for a, b in ((0, 0), (0, 1), (1, 0), (1, 1)):
        o = 1.0 / (1.0 + math.exp(-4.9 * (0.3 * 1.0 - 0.7 * a)))
        error += abs(o - (a ^ b))
    assert task.fitness(single) == pytest.approx((4.0 - error) ** 2, rel=1e-12)
    assert not task.solved(single)
    assert repr(task) == "XOR(bias_input=True)" and task.num_inputs == 3
    with pytest.raises(InputError, match="num_inputs = 3"):
        Population(Config.paper(2, 1), seed=0).run(tasks.XOR(bias_input=True), 1)
    with pytest.raises(InputError, match="bias_input"):
        tasks.XOR(bias_input=1)  # type: ignore[arg-type]


def _constant(genomes: Any, config: Any) -> None:
    for _, genome in genomes:
        genome.fitness = 1.0


@pytest.mark.parametrize("penalty", [0.0, 0.01])
def test_stagnation_penalty_keeps_stagnant_species(penalty: float) -> None:
    # one species (a huge threshold) whose constant fitness never improves, so it is
    # stagnant after max_stagnation generations: neat-python's rule removes it
    # (complete extinction), NEAT C++'s (Species::adjust_fitness) scales its share by
    # 0.01, so, alone, it still gets the whole next generation
    config = Config.paper(2, 1, pop_size=30, max_stagnation=2, species_elitism=0,
                          compatibility_threshold=1e9, stagnation_penalty=penalty)
    assert config.values["stagnation_penalty"] == penalty
    pop = Population(config, seed=2)
    if penalty == 0.0:
        with pytest.raises(CompleteExtinctionException):
            pop.run(_constant, 6, progress=False)
    else:
        pop.run(_constant, 6, progress=False)
        assert pop.generation == 6 and len(pop.population) == 30


@pytest.mark.parametrize("every", [0, 25])
def test_obliterate_every_flags_an_old_species(every: int) -> None:
    # one species (a huge threshold) that improves every generation, so it never
    # stagnates; NEAT C++'s obliterate (Population::epoch) still flags the worst species
    # of age 20 or more every `every` generations: here the only one, at generation 25,
    # and without a stagnation penalty a flagged species is removed
    config = Config.paper(2, 1, pop_size=30, species_elitism=0,
                          compatibility_threshold=1e9, obliterate_every=every)
    rising = iter(range(1, 1000))

    def improving(genomes: Any, config: Any) -> None:
        best = float(next(rising))
        for _, genome in genomes:
            genome.fitness = best

    pop = Population(config, seed=2)
    if every:
        with pytest.raises(CompleteExtinctionException):
            pop.run(improving, 30, progress=False)
        assert pop.generation == 25
    else:
        pop.run(improving, 30, progress=False)
        assert pop.generation == 30


def test_stagnation_keys_survive_a_checkpoint(tmp_path: Path) -> None:
    config = Config.paper(2, 1, pop_size=30, stagnation_penalty=0.01, obliterate_every=30)
    pop = Population(config, seed=1)
    pop.save(tmp_path / "pop.json")
    values = Population.load(tmp_path / "pop.json").config.values
    assert values["stagnation_penalty"] == 0.01 and values["obliterate_every"] == 30
