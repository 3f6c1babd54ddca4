"""netgraph.neat.Population: the run loop, its four kinds of fitness, its state, its
errors, and reproducibility across processes."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import neat as neat_python
import numpy as np
import pytest

from netgraph import InputError
from netgraph.neat import (
    CompleteExtinctionException,
    Config,
    Dataset,
    Population,
    SerialEvaluator,
    _checkpoint,
    tasks,
)

FIXTURES = Path(__file__).parent / "fixtures" / "neat"
XOR_CONFIG = FIXTURES / "xor-config-feedforward"
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])


def _config(**changes: Any) -> Config:
    config = Config.from_file(XOR_CONFIG)
    values = dict(config.values)
    values.update(changes)
    return _checkpoint._config_from_values(Config, values)


def _state_bytes(pop: Population) -> bytes:
    """A digest-able, exact text of the native state."""
    def plain(x: Any) -> Any:
        if isinstance(x, np.ndarray):
            return [x.dtype.str, x.tobytes().hex()]
        if isinstance(x, (list, tuple)):
            return [plain(v) for v in x]
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, float):
            return np.float64(x).tobytes().hex()
        return x
    return json.dumps(plain(pop._native.state()), sort_keys=True).encode()


def _neat_python_fitness(genomes: list[tuple[int, Any]], config: Any) -> None:
    """neat-python's own XOR example's eval_genomes, networks from neat-python's nn."""
    for _, genome in genomes:
        genome.fitness = 4.0
        net = neat_python.nn.FeedForwardNetwork.create(genome.to_neat(_neat_config()),
                                                       _neat_config())
        for xi, xo in zip(X, Y, strict=True):
            output = net.activate(list(xi))
            genome.fitness -= (output[0] - xo) ** 2


_NEAT_CONFIG: list[Any] = []


def _neat_config() -> Any:
    if not _NEAT_CONFIG:
        _NEAT_CONFIG.append(neat_python.Config(
            neat_python.DefaultGenome, neat_python.DefaultReproduction,
            neat_python.DefaultSpeciesSet, neat_python.DefaultStagnation, str(XOR_CONFIG)))
    return _NEAT_CONFIG[0]


def test_dataset_and_callback_evolve_identically() -> None:
    # the same fitness through the native data set and through neat-python's own
    # networks in an eval_genomes callback: the same run, bit for bit
    config = _config(fitness_threshold=100.0)
    native = Population(config, seed=21)
    native.run(Dataset(X, Y, cost="sse", offset=4.0), 6)
    python = Population(config, seed=21)
    python.run(_neat_python_fitness, 6)
    assert [r.best_fitness for r in native.history] == [r.best_fitness for r in python.history]
    assert [r.mean_fitness for r in native.history] == [r.mean_fitness for r in python.history]
    assert _state_bytes(native) == _state_bytes(python)


def test_per_genome_function_with_an_evaluator_equals_the_callback() -> None:
    config = _config(fitness_threshold=100.0)

    def one(genome: Any, config: Any) -> float:
        out = genome.network.activate_batch(X) if hasattr(genome.network, "activate_batch") \
            else np.array([genome.network.activate(x) for x in X])
        return float(4.0 - np.sum((np.ravel(out) - Y) ** 2))

    def all_of_them(genomes: list[tuple[int, Any]], config: Any) -> None:
        for _, g in genomes:
            g.fitness = one(g, config)

    a = Population(config, seed=8)
    a.run(one, 4, evaluator=SerialEvaluator())
    b = Population(config, seed=8)
    b.run(all_of_them, 4)
    assert _state_bytes(a) == _state_bytes(b)


def test_neat_python_xor_config_runs_to_its_threshold() -> None:
    config = Config.from_file(XOR_CONFIG)
    pop = Population(config, seed=2)
    best = pop.run(Dataset(X, Y, cost="sse", offset=4.0), 300)
    # neat-python's termination: the best fitness reached fitness_threshold (3.9), or
    # the 300 generations ran out
    last = pop.history[-1]
    assert best.fitness == max(r.best_fitness for r in pop.history)
    assert last.best_fitness >= 3.9 or len(pop.history) == 300
    outputs = np.array([best.network.activate(x) for x in X]).ravel()
    assert best.fitness == pytest.approx(4.0 - float(np.sum((outputs - Y) ** 2)), abs=1e-9)


def test_run_continues_where_it_stopped() -> None:
    config = _config(fitness_threshold=100.0)
    data = Dataset(X, Y, cost="sse", offset=4.0)
    a = Population(config, seed=4)
    a.run(data, 5)
    a.run(data, 5)
    b = Population(config, seed=4)
    b.run(data, 10)
    assert a.generation == b.generation == 10
    assert a.evaluations == b.evaluations == 1500
    assert _state_bytes(a) == _state_bytes(b)


def test_history_records_describe_each_generation() -> None:
    config = _config(fitness_threshold=100.0)
    pop = Population(config, seed=6)
    seen: list[Any] = []
    fitness: list[np.ndarray] = []

    def recording(genomes: list[tuple[int, Any]], config: Any) -> None:
        _neat_python_fitness(genomes, config)
        fitness.append(np.array([g.fitness for _, g in genomes]))

    pop.run(recording, 4, progress=seen.append)
    assert seen == pop.history and len(pop.history) == 4
    for k, (r, f) in enumerate(zip(pop.history, fitness, strict=True)):
        assert r.generation == k and r.evaluations == 150 * (k + 1)
        assert r.best_fitness == f.max()
        assert r.mean_fitness == pytest.approx(float(np.mean(f)), abs=1e-12)
        assert r.stdev_fitness == pytest.approx(float(np.std(f)), abs=1e-12)
        assert sum(size for _, size in r.species) == 150
        assert r.best.key == r.best_key and r.best.fitness == r.best_fitness
        assert r.best_size == (r.best.num_nodes, int(np.sum(r.best.conn_enabled)))
    assert pop.best.fitness == max(r.best_fitness for r in pop.history)


def test_genomes_species_and_generation_state() -> None:
    pop = Population(_config(), seed=1)
    assert pop.generation == 0 and pop.evaluations == 0 and pop.best is None
    genomes = pop.genomes
    assert sorted(genomes) == list(range(1, 151))
    species = pop.species.species
    assert sum(len(s.members) for s in species.values()) == 150
    for sid, s in species.items():
        for key, g in s.members.items():
            assert g.species == sid and pop.species.get_species_id(key) == sid


def _reproducible_run(seed: int) -> str:
    code = f"""
import hashlib, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
import test_neat_population as t
from netgraph.neat import Dataset, Population
pop = Population(t._config(fitness_threshold=100.0), seed={seed})
pop.run(Dataset(t.X, t.Y, cost="sse", offset=4.0), 8)
print(hashlib.sha256(t._state_bytes(pop)).hexdigest())
"""
    return code


@pytest.mark.parametrize("hash_seed", ["0", "12345"])
def test_same_seed_same_run_across_processes(hash_seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run([sys.executable, "-c", _reproducible_run(99)], env=env,
                         capture_output=True, text=True, check=True, timeout=300)
    pop = Population(_config(fitness_threshold=100.0), seed=99)
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), 8)
    assert out.stdout.strip() == hashlib.sha256(_state_bytes(pop)).hexdigest()
    other = Population(_config(fitness_threshold=100.0), seed=100)
    other.run(Dataset(X, Y, cost="sse", offset=4.0), 8)
    assert _state_bytes(other) != _state_bytes(pop)


@pytest.mark.parametrize("bad", [None, float("nan"), float("inf"), "3.0", True])
def test_bad_fitness_values_are_named_and_change_nothing(bad: Any) -> None:
    pop = Population(_config(fitness_threshold=100.0), seed=3)
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), 2)
    before = _state_bytes(pop)
    history = list(pop.history)

    def eval_genomes(genomes: list[tuple[int, Any]], config: Any) -> None:
        for i, (_, g) in enumerate(genomes):
            g.fitness = bad if i == 7 else 1.0

    with pytest.raises(InputError) as err:
        pop.run(eval_genomes, 3)
    key = list(pop.genomes)[7]
    assert f"genome {key}" in str(err.value)
    assert _state_bytes(pop) == before and pop.history == history and pop.evaluations == 300


def test_a_fitness_function_that_raises_leaves_the_population() -> None:
    pop = Population(_config(fitness_threshold=100.0), seed=3)
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), 2)
    before = _state_bytes(pop)

    def broken(genome: Any, config: Any) -> float:
        raise ZeroDivisionError("user code")

    with pytest.raises(ZeroDivisionError, match="user code"):
        pop.run(broken, 2, evaluator=SerialEvaluator())
    assert _state_bytes(pop) == before and pop.generation == 2
    # and it runs on from there
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), 1)
    assert pop.generation == 3


@pytest.mark.parametrize("size", [0, 1])
def test_population_of_zero_or_one_is_refused(size: int) -> None:
    values = {**Config.from_file(XOR_CONFIG).values, "pop_size": size}
    with pytest.raises((InputError, ValueError), match="pop_size"):
        Population(_checkpoint._config_from_values(Config, values), seed=1)


def test_bad_arguments_are_named() -> None:
    pop = Population(_config(), seed=1)
    with pytest.raises(InputError, match="fitness must be"):
        pop.run(42, 1)
    with pytest.raises(InputError, match="3 inputs"):
        pop.run(Dataset(np.zeros((4, 3)), Y), 1)
    with pytest.raises(InputError, match="num_inputs = 4"):
        pop.run(tasks.CartPole(), 1)
    with pytest.raises(InputError, match="generations"):
        pop.run(Dataset(X, Y), -1)
    with pytest.raises(InputError, match="evaluate"):
        pop.run(lambda g, c: 1.0, 1, evaluator=object())
    with pytest.raises(InputError, match="seed"):
        Population(_config(), seed=-1)
    assert pop.generation == 0 and pop.evaluations == 0


def test_no_fitness_termination_needs_a_generation_count() -> None:
    pop = Population(_config(no_fitness_termination=True), seed=1)
    with pytest.raises(InputError, match="no_fitness_termination"):
        pop.run(Dataset(X, Y, offset=4.0))
    pop.run(Dataset(X, Y, offset=4.0), 3)
    assert pop.generation == 3


def test_complete_extinction_raises_and_keeps_the_population() -> None:
    # every species stagnant after one generation without improvement, none protected
    config = _config(max_stagnation=1, species_elitism=0, fitness_threshold=100.0,
                     reset_on_extinction=False)
    pop = Population(config, seed=2)
    seen: list[tuple[int, list[int]]] = []  # (generation, genome keys) of each evaluation

    def constant(genomes: list[tuple[int, Any]], config: Any) -> None:
        seen.append((pop.generation, [k for k, _ in genomes]))
        for _, g in genomes:
            g.fitness = 1.0

    with pytest.raises(CompleteExtinctionException):
        pop.run(constant, 10)
    # the generation whose reproduction found no species left is still there (which one
    # depends on how the seed's genomes speciate: the first or a few later)
    assert 1 <= len(seen) < 10
    assert pop.generation == seen[-1][0] and list(pop.genomes) == seen[-1][1]
    assert len(pop.genomes) == 150


def test_reset_on_extinction_starts_afresh() -> None:
    config = _config(max_stagnation=1, species_elitism=0, fitness_threshold=100.0,
                     reset_on_extinction=True)
    pop = Population(config, seed=2)

    def constant(genomes: list[tuple[int, Any]], config: Any) -> None:
        for _, g in genomes:
            g.fitness = 1.0

    pop.run(constant, 4)
    assert pop.generation == 4 and len(pop.genomes) == 150
    # fresh genomes: new keys, the initial structure again (two inputs to one output)
    assert all(g.size() == (1, 2) for g in pop.genomes.values())


def test_reporters_hear_neat_pythons_hooks() -> None:
    calls: list[str] = []

    class Recorder:
        def start_generation(self, generation: int) -> None:
            calls.append(f"start {generation}")

        def post_evaluate(self, config: Any, population: Any, species: Any, best: Any) -> None:
            assert len(population) == 150 and best.fitness == max(
                g.fitness for g in population.values())
            assert sum(len(s.members) for s in species.species.values()) == 150
            calls.append("post_evaluate")

        def end_generation(self, config: Any, population: Any, species: Any) -> None:
            calls.append("end")

        def found_solution(self, config: Any, generation: int, best: Any) -> None:
            calls.append("found")

    pop = Population(_config(fitness_threshold=100.0), seed=1)
    pop.add_reporter(Recorder())
    pop.run(Dataset(X, Y, offset=4.0), 2)
    assert calls == ["start 0", "post_evaluate", "end", "start 1", "post_evaluate", "end"]


def test_fitness_threshold_stops_the_run() -> None:
    pop = Population(_config(fitness_threshold=-1e9), seed=1)
    best = pop.run(Dataset(X, Y, offset=4.0), 50)
    assert pop.generation == 0 and len(pop.history) == 1
    assert best.fitness == pop.history[0].best_fitness
    assert math.isfinite(best.fitness)


def test_threads_and_per_genome_forms_give_the_same_fitness() -> None:
    config = _config(fitness_threshold=100.0)
    one = Population(config, seed=12)
    one.run(Dataset(X, Y, cost="mse", offset=1.0), 5)
    two = Population(config, seed=12)
    two.run(Dataset(X, Y, cost="mse", offset=1.0, threads=2), 5)
    assert _state_bytes(one) == _state_bytes(two)
    # a Dataset and a task are also per-genome functions, for evaluators
    three = Population(config, seed=12)
    three.run(Dataset(X, Y, cost="mse", offset=1.0), 5, evaluator=SerialEvaluator())
    assert three.genomes  # the evaluator path made Genome objects
    assert _state_bytes(one) == _state_bytes(three)
    calls: list[int] = []

    class Counting(SerialEvaluator):
        def evaluate(self, function: Any, genomes: Any, config: Any) -> list[float]:
            calls.append(len(genomes))
            return super().evaluate(function, genomes, config)

    task = tasks.XOR()
    task.threads = 2
    a = Population(config, seed=13)
    a.run(task, 4)
    b = Population(config, seed=13)
    b.run(tasks.XOR(), 4, evaluator=Counting())
    assert calls == [150] * len(b.history)
    n = min(len(a.history), len(b.history))
    assert [r.best_fitness for r in a.history[:n]] == [r.best_fitness for r in b.history[:n]]


def test_the_configurations_seed_is_used_when_none_is_given() -> None:
    config = _config(seed=7, fitness_threshold=100.0)
    a, b = Population(config), Population(config, seed=7)
    assert a.seed == b.seed == 7
    a.run(Dataset(X, Y, offset=4.0), 3)
    b.run(Dataset(X, Y, offset=4.0), 3)
    assert _state_bytes(a) == _state_bytes(b)
    assert Population(_config(fitness_threshold=100.0), seed=8).seed == 8


def test_a_data_set_whose_cost_is_not_finite_is_named() -> None:
    # identity outputs of huge inputs overflow: inf or inf - inf (NaN) in the cost
    config = _config(fitness_threshold=100.0, activation_default="identity",
                     activation_options=["identity"])
    pop = Population(config, seed=1)
    with pytest.raises(InputError, match="not a finite number"):
        pop.run(Dataset(np.array([[1e308, 1e308]]), np.array([0.0]), cost="sse"), 2)
    assert pop.generation == 0 and pop.evaluations == 0 and pop.history == []


def test_history_records_are_immutable_and_their_best_is_the_generations_best() -> None:
    """A record keeps its best genome's genes (built lazily from the native copy), which
    agree with its key, fitness and size; records refuse assignment and survive pickle
    and deepcopy; pop.best is the first of the records' fittest genomes."""
    import copy
    import dataclasses
    import pickle

    pop = Population(_config(pop_size=30, fitness_threshold=100.0), seed=4)
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), 6)
    for rec in pop.history:
        assert rec.best.key == rec.best_key and rec.best.fitness == rec.best_fitness
        assert (len(rec.best.node_key), int(rec.best.conn_enabled.sum())) == rec.best_size
        with pytest.raises(dataclasses.FrozenInstanceError):
            rec.generation = 99  # type: ignore[misc]
        for again in (pickle.loads(pickle.dumps(rec)), copy.deepcopy(rec)):
            assert again.best_key == rec.best_key and again.species == rec.species
            assert np.array_equal(again.best.conn_weight, rec.best.conn_weight)
    top = max(pop.history, key=lambda r: r.best_fitness)
    assert pop.best.key == top.best_key and pop.best.fitness == top.best_fitness


def test_a_few_rows_at_once_give_row_by_row_activations_bits() -> None:
    # a data set of a few rows (XOR's four) goes through each node for all rows at once
    # (net_activate_few): every fitness equals, bit for bit, the SSE of the genome's
    # outputs activated row by row (the native activate), for both aggregations
    config = _config(fitness_threshold=100.0, aggregation_options=["sum", "mean"],
                     aggregation_mutate_rate=0.5, aggregation_default="random",
                     activation_options=["sigmoid", "tanh", "relu", "identity"],
                     activation_mutate_rate=0.5, node_add_prob=0.5)
    pop = Population(config, seed=5)
    data = Dataset(X, Y, cost="sse", offset=4.0)
    pop.run(data, 8)
    native = pop._native
    got = native.evaluate_dataset(data.X, data.y, 0, 4.0, 1)
    seen = set()
    for i in range(native.size):
        genome = native.genome_data(i)
        seen.update(int(a) for a in genome[5])
        out = native.activate(i, data.X)
        want = 4.0
        for r in range(len(Y)):
            want -= (float(out[r, 0]) - float(Y[r])) ** 2
        assert got[i].tobytes() == np.float64(want).tobytes(), i
    assert seen == {0, 1}  # both aggregations took part


def test_a_genome_record_reads_back_as_the_genome_tuple() -> None:
    # pop.history keeps each generation's best genome as one bytes object
    # (genome_record): read back, every array equals genome_data's, dtype and bits
    from netgraph.neat._native import record_head, record_tuple

    pop = Population(_config(fitness_threshold=100.0, node_add_prob=0.5), seed=3)
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), 6)
    native = pop._native
    native.evaluate_dataset(X, Y[:, None], 0, 4.0, 1)  # fitness set, as when recorded
    for i in range(native.size):
        want, record = native.genome_data(i), native.genome_record(i)
        got = record_tuple(record)
        assert record_head(record) == (want[0], want[11])
        assert len(got) == len(want)
        for a, b in zip(want, got, strict=True):
            if isinstance(a, np.ndarray):
                assert (a.dtype, a.shape, a.tobytes()) == (b.dtype, b.shape, b.tobytes())
                assert b.flags.writeable
            else:
                assert type(a) is type(b) and a == b
    assert pop.history[-1].best.key == pop.history[-1].best_key
