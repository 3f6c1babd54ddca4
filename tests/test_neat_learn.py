"""neat.Learn: NEAT whose genomes are trained by backpropagation before their fitness is
taken, against the independent route: ``genome.network`` trained with ``net.train`` and
the data set's cost summed by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from netgraph import InputError
from netgraph.neat import (
    Config,
    Dataset,
    Genome,
    Learn,
    Population,
    SerialEvaluator,
    _checkpoint,
    tasks,
)
from netgraph.neat._native import genome_data

FIXTURES = Path(__file__).parent / "fixtures" / "neat"
XOR_CONFIG = FIXTURES / "xor-config-feedforward"
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])


def _config(**changes: Any) -> Config:
    config = Config.from_file(XOR_CONFIG)
    values = dict(config.values)
    values.update({"pop_size": 24, **changes})
    return _checkpoint._config_from_values(Config, values)


def _genomes(pop: Population) -> list[Genome]:
    native = pop._native
    return [Genome(genome_data(native.genome_data(i)), pop.config, check=False)
            for i in range(native.size)]


def _by_hand(net: Any, data: Dataset) -> float:
    """The data set's fitness of a network, term by term in Python floats."""
    out = net.activate(data.X)
    f, acc = data.offset, 0.0
    for r in range(len(data.X)):
        for o in range(data.num_outputs):
            d = float(out[r, o]) - float(data.y[r, o])
            term = d * d if data.cost in ("sse", "mse") else abs(d)
            if data.cost in ("sse", "sae"):
                f -= term
            else:
                acc += term
    if data.cost in ("mse", "mae"):
        f = data.offset - acc / (float(len(data.X)) * float(data.num_outputs))
    return f


def _evolved(generations: int = 3, seed: int = 5) -> Population:
    """A population some generations in: genomes of several topologies."""
    pop = Population(_config(node_add_prob=0.5, conn_add_prob=0.5), seed=seed)
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), generations)
    return pop


@pytest.mark.parametrize(("options", "cost"), [
    ({"steps": 7, "optimizer": "adam", "rate": 0.05, "batch_size": 4}, "sse"),
    ({"steps": 5, "optimizer": "sgd", "rate": 0.3}, "mse"),
    ({"steps": 4, "optimizer": "sgd", "rate": [0.3, 0.1], "batch_size": 2, "momentum": 0.5,
      "cost": "cross_entropy"}, "mae"),
    ({"steps": 3, "optimizer": "adam", "rate": 0.02, "batch_size": 3, "shuffle": True,
      "seed": 11}, "sae"),
])
@pytest.mark.parametrize("lamarckian", [True, False])
def test_learn_equals_train_bit_for_bit(options: dict[str, Any], cost: str,
                                        lamarckian: bool) -> None:
    pop = _evolved()
    before = _genomes(pop)
    assert len({(g.data.num_nodes, g.data.num_connections) for g in before}) > 2
    data = Dataset(X, Y, cost=cost, offset=4.0)
    learn = Learn(lamarckian=lamarckian, **options)
    # reference first, on networks of the genomes as they stand
    expected = []
    for g in before:
        net = g.network.copy()
        net.train(X, Y[:, None], iterations=learn.steps, **{
            k: v for k, v in learn.options().items() if k != "iterations"})
        expected.append((net, _by_hand(net, data)))
    from netgraph.neat._learn import learn_population

    learn_population(pop._native, pop.config, data, learn)
    fitness = pop._native.fitness()
    after = _genomes(pop)
    for g0, g1, (net, f), got in zip(before, after, expected, fitness, strict=True):
        assert got == f, g0.key
        if not lamarckian:
            for field in ("node_bias", "conn_weight", "node_response", "conn_enabled"):
                assert np.array_equal(getattr(g0.data, field), getattr(g1.data, field))
            continue
        # gene by gene: every expressed connection carries its trained synapse's weight,
        # every evaluated node its trained bias; the rest is unchanged
        G = net.graph
        expressed = {d["innovation"]: d["weight"] for _, _, d in G.edges(data=True)}
        for k, inn in enumerate(g1.data.conn_innovation.tolist()):
            want = expressed.get(inn, float(g0.data.conn_weight[k]))
            assert g1.data.conn_weight[k] == want, (g0.key, inn)
        for k, key in enumerate(g1.data.node_key.tolist()):
            want = G.nodes[key]["bias"] if key in G else float(g0.data.node_bias[k])
            assert g1.data.node_bias[k] == want, (g0.key, key)
        assert np.array_equal(g0.data.conn_enabled, g1.data.conn_enabled)
        # and the written-back genome's own network is the trained one
        rebuilt = Genome(g1.data, pop.config).network
        assert np.array_equal(rebuilt.activate(X), net.activate(X))
    assert learn.trained == len(before)
    assert learn.iterations == learn.steps * len(before)


def test_learning_helps_and_run_counts() -> None:
    data = Dataset(X, Y, cost="sse", offset=4.0)
    plain = Population(_config(), seed=3)
    plain.run(data, 4)
    learn = Learn(steps=20, optimizer="adam", rate=0.1, batch_size=4)
    hybrid = Population(_config(), seed=3)
    hybrid.run(data, 4, learn=learn)
    assert hybrid.evaluations == plain.evaluations
    assert learn.trained == hybrid.evaluations
    assert hybrid.best.fitness > plain.best.fitness
    # the best genome's fitness is its own trained network's, on its written-back genes
    net = hybrid.best.network.copy()
    assert np.isfinite(_by_hand(net, data))


def test_checkpoint_continues_bit_for_bit(tmp_path: Path) -> None:
    data = Dataset(X, Y, cost="sse", offset=4.0)

    def learn() -> Learn:
        return Learn(steps=5, optimizer="adam", rate=0.05, batch_size=4)

    straight = Population(_config(), seed=8)
    straight.run(data, 4, learn=learn())
    first = Population(_config(), seed=8)
    first.run(data, 2, learn=learn())
    first.save(tmp_path / "run.json")
    second = Population.load(tmp_path / "run.json")
    second.run(data, 2, learn=learn())
    assert [r.best_fitness for r in second.history[-2:]] == \
        [r.best_fitness for r in straight.history[-2:]]
    a, b = _genomes(straight), _genomes(second)
    for g, h in zip(a, b, strict=True):
        assert g.key == h.key
        assert np.array_equal(g.data.conn_weight, h.data.conn_weight)
        assert np.array_equal(g.data.node_bias, h.data.node_bias)
    assert np.array_equal(straight._native.fitness(), second._native.fitness(), equal_nan=True)


def test_threads_give_the_same_run() -> None:
    data = Dataset(X, Y, cost="mse", offset=1.0)
    runs = []
    for threads in (1, 2):
        pop = Population(_config(), seed=4)
        pop.run(data, 2, learn=Learn(steps=4, optimizer="adam", rate=0.05, batch_size=4,
                                     threads=threads))
        runs.append([(g.key, g.data.conn_weight.tobytes(), g.fitness) for g in _genomes(pop)])
    assert runs[0] == runs[1]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"steps": 0}, "Learn steps must be a whole number >= 1"),
    ({"steps": 2, "optimizer": "rmsprop"}, "Learn optimizer must be 'sgd' or 'adam'"),
    ({"steps": 2, "rate": -1.0}, "Learn rate must be >= 0"),
    ({"steps": 2, "rate": []}, "Learn rate: a rate schedule needs at least one rate"),
    ({"steps": 2, "rate": lambda i, e: 0.1}, "Learn rate must be a number or a list"),
    ({"steps": 2, "batch_size": 0}, "Learn batch_size must be a whole number >= 1"),
    ({"steps": 2, "momentum": 1.0}, "Learn momentum must be in [0, 1)"),
    ({"steps": 2, "cost": "hinge"}, "Learn cost: unknown cost 'hinge'"),
    ({"steps": 2, "cost": "binary", "optimizer": "adam"}, "Learn cost 'binary' has no gradient"),
    ({"steps": 2, "shuffle": True}, "Learn shuffle=True needs an int seed"),
    ({"steps": 2, "lamarckian": "yes"}, "Learn lamarckian must be True or False"),
    ({"steps": 2, "threads": 0}, "Learn threads must be a whole number >= 1"),
])
def test_bad_options_are_named(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("[", r"\[")
                       .replace(")", r"\)")):
        Learn(**kwargs)


def test_what_cannot_learn_is_refused_by_name() -> None:
    data = Dataset(X, Y, cost="sse", offset=4.0)
    learn = Learn(steps=2)
    pop = Population(_config(), seed=1)
    with pytest.raises(InputError, match=r"needs a neat\.Dataset fitness"):
        pop.run(tasks.XOR(), 1, learn=learn)
    with pytest.raises(InputError, match=r"needs a neat\.Dataset fitness"):
        pop.run(lambda genomes, config: None, 1, learn=learn)
    with pytest.raises(InputError, match="not run through an evaluator"):
        pop.run(data, 1, evaluator=SerialEvaluator(), learn=learn)
    with pytest.raises(InputError, match=r"learn must be a netgraph\.neat\.Learn"):
        pop.run(data, 1, learn={"steps": 2})
    with pytest.raises(InputError, match="feed_forward = True"):
        Population(_config(feed_forward=False), seed=1).run(data, 1, learn=learn)
    with pytest.raises(InputError, match="activation 'sigmoid' gives values in"):
        pop.run(Dataset(X, 2 * Y, cost="sse", offset=4.0), 1, learn=learn)
    assert pop.generation == 0 and pop.evaluations == 0


def test_write_back_unfolds_response_and_mean() -> None:
    """A node's response and a mean aggregation are folded into its synapses' weights;
    writing back divides them out again: the rebuilt network is the trained one to a
    rounding, and the fitness is still exactly the trained network's."""
    pop = Population(_config(node_add_prob=0.5, conn_add_prob=0.5, response_init_stdev=0.5,
                             response_mutate_rate=0.5, response_mutate_power=0.3,
                             aggregation_options=["sum", "mean"],
                             aggregation_mutate_rate=0.5), seed=2)
    data = Dataset(X, Y, cost="sse", offset=4.0)
    pop.run(data, 3)
    before = _genomes(pop)
    responses = np.concatenate([g.data.node_response for g in before])
    assert np.any(responses != 1.0)
    assert any(np.any(g.data.node_aggregation == 1) for g in before)
    learn = Learn(steps=6, optimizer="adam", rate=0.05, batch_size=4)
    nets = []
    for g in before:
        net = g.network.copy()
        net.train(X, Y[:, None], iterations=6, optimizer="adam", rate=0.05, batch_size=4,
                  error=0.0, progress=False)
        nets.append(net)
    from netgraph.neat._learn import learn_population

    learn_population(pop._native, pop.config, data, learn)
    for g, net, got in zip(_genomes(pop), nets, pop._native.fitness(), strict=True):
        assert got == _by_hand(net, data)
        rebuilt = Genome(g.data, pop.config).network
        for u, v, d in net.graph.edges(data=True):
            w = rebuilt.graph.edges[u, v]["weight"]
            assert w == pytest.approx(d["weight"], rel=1e-14, abs=1e-300), (g.key, u, v)
        assert np.allclose(rebuilt.activate(X), net.activate(X), rtol=1e-12, atol=1e-15)


def test_genomes_without_connections_learn_their_biases() -> None:
    pop = Population(_config(initial_connection="unconnected", conn_add_prob=0.0,
                             node_add_prob=0.0), seed=1)
    data = Dataset(X, Y, cost="sse", offset=4.0)
    before = _genomes(pop)
    assert all(g.data.num_connections == 0 for g in before)
    learn = Learn(steps=3, optimizer="adam", rate=0.1, batch_size=4)
    from netgraph.neat._learn import learn_population

    learn_population(pop._native, pop.config, data, learn)
    for g0, g1, got in zip(before, _genomes(pop), pop._native.fitness(), strict=True):
        net = g0.network.copy()
        net.train(X, Y[:, None], iterations=3, optimizer="adam", rate=0.1, batch_size=4,
                  error=0.0, progress=False)
        assert got == _by_hand(net, data)
        assert g1.data.node_bias[0] == net.graph.nodes[0]["bias"] != g0.data.node_bias[0]


def test_plans_from_genes_are_the_compiled_networks() -> None:
    """The training plans made straight from the genes (no Network built) lay the
    neurons, synapses, weights and biases out as compiling ``genome.network`` does."""
    from netgraph.neat._genome import expressed
    from netgraph.neat._trainable import trainable

    pop = Population(_config(node_add_prob=0.6, conn_add_prob=0.6, response_init_stdev=0.5,
                             response_mutate_rate=0.5, aggregation_options=["sum", "mean"],
                             aggregation_mutate_rate=0.5, activation_options=[
                                 "sigmoid", "tanh", "relu"], activation_mutate_rate=0.3),
                     seed=4)
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), 6)
    genomes = _genomes(pop)
    assert max(g.data.num_nodes for g in genomes) >= 3
    lock = np.zeros(1, dtype=np.uint64)
    for g in genomes:
        t = trainable(g.key, *expressed(g, recurrent=False), g.data.conn_innovation, lock)
        assert t is not None
        plan = g.network._plan()
        assert t.keys == plan.neurons
        assert np.array_equal(t.weights, plan.weights)
        assert np.array_equal(t.biases, plan.biases)
        for got, want in zip(t.engine.plan.arrays, plan.arrays, strict=True):
            assert np.array_equal(got, want), g.key
        inn = plan.graph.edges
        assert [int(g.data.conn_innovation[e]) for e in t.gene] == \
            [inn[u, v]["innovation"] for u, v, *_ in plan.synapses]


def test_genomes_built_as_networks_learn_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A genome the plans cannot take (a large layered one, softmax outputs) is built as a
    Network and trained by train_many: the same run, bit for bit, as from plans."""
    from netgraph.neat import _learn

    def run() -> tuple[list[float], int, list[bytes]]:
        pop = Population(_config(node_add_prob=0.5, conn_add_prob=0.5), seed=8)
        learn = Learn(steps=4, optimizer="adam", rate=0.05, batch_size=4)
        pop.run(Dataset(X, Y, cost="sse", offset=4.0), 3, learn=learn)
        return ([h.best_fitness for h in pop.history], learn.iterations,
                [g.data.conn_weight.tobytes() + g.data.node_bias.tobytes()
                 for g in _genomes(pop)])

    direct = run()
    real = _learn.trainable
    calls = []

    def every_other(*args: Any) -> Any:
        calls.append(1)
        return real(*args) if len(calls) % 2 else None

    monkeypatch.setattr(_learn, "trainable", every_other)
    assert run() == direct
    assert len(calls) > 24
