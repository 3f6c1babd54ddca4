"""Gated NEAT (issue 22, item 3): Neataptic's gate, self- and back-connection mutations in
the native population, held against the plain-Python oracle (tests/neat_reference.py) fed
the same draws; gated genomes' networks, their fitness in the population, checkpoints,
and real Neataptic (Node) running the exported genomes."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import js_peers
import numpy as np
import pytest

from netgraph import InputError
from netgraph.interop import to_neataptic
from netgraph.neat import (
    Config,
    ConfigError,
    Dataset,
    GenomeData,
    Population,
    SerialEvaluator,
)
from netgraph.neat._gated import back_flags
from netgraph.neat._native import NativePopulation, genome_data

sys.path.insert(0, str(Path(__file__).parent))
import neat_reference as ref

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])
RATES = {"gate_add_prob": 0.4, "gate_delete_prob": 0.1, "self_connection_add_prob": 0.3,
         "self_connection_delete_prob": 0.1, "back_connection_add_prob": 0.4,
         "back_connection_delete_prob": 0.1}
GENES = ("node_key", "node_bias", "node_response", "node_activation", "node_aggregation",
         "conn_innovation", "conn_in", "conn_out", "conn_weight", "conn_enabled",
         "gate_innovation", "gate_node", "gate_in", "gate_out")


def _config(**changes: Any) -> Config:
    keys: dict[str, Any] = {
        "num_inputs": 2, "num_outputs": 1, "pop_size": 30, "feed_forward": False,
        "fitness_threshold": 1e9, "initial_connection": "full",
        "activation_options": ["LOGISTIC", "TANH", "IDENTITY", "RELU", "SOFTSIGN"],
        "activation_default": "LOGISTIC", "activation_mutate_rate": 0.2,
        "node_add_prob": 0.3, "conn_add_prob": 0.4, "node_delete_prob": 0.05,
        "conn_delete_prob": 0.05, "enabled_mutate_rate": 0.05, **RATES}
    keys.update(changes)
    return Config(**keys)


def _grown(seed: int, generations: int = 8, **changes: Any) -> Population:
    pop = Population(_config(**changes), seed=seed)
    pop.run(Dataset(X, Y, "sse", 4.0), generations)
    return pop


def _same(got: GenomeData, want: GenomeData) -> None:
    for name in GENES:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), (name, a, b)


OPERATORS = ["add_node", "add_gate", "delete_gate", "add_self_connection", "delete_self_connection",
             "add_back_connection", "delete_back_connection", "mutate"]


@pytest.mark.parametrize("operator", OPERATORS)
def test_gate_mutations_equal_the_reference(operator: str) -> None:
    pop = _grown(1)
    values = pop.config.values
    native = pop._native
    rng = np.random.default_rng(5)
    changed = moved = 0
    for i in range(native.size):
        draws = rng.random(400)
        native._reset_innovations()
        innovations = ref.Innovations(native.counters["innovation"])
        before = genome_data(native.genome_data(i))
        genome = ref.RefGenome.from_data(before, values)
        script = ref.Draws(draws)
        nk = int(native.counters["next_node_key"])
        operate = getattr(native, "_mutate" if operator == "mutate" else f"_mutate_{operator}")
        _, used = ref.scripted(native, draws, operate, i)
        if operator == "mutate":
            ref.mutate(genome, values, script, innovations, nk)
        elif operator == "add_node":
            ref.mutate_add_node(genome, values, script, innovations, nk)
        elif operator in ("delete_gate", "delete_self_connection", "delete_back_connection"):
            getattr(ref, f"mutate_{operator}")(genome, script)
        else:
            getattr(ref, f"mutate_{operator}")(genome, values, script, innovations)
        after = genome_data(native.genome_data(i))
        _same(after, genome.to_data(values))
        assert used == script.used
        assert native.counters["innovation"] == innovations.last
        changed += any(getattr(after, n).tobytes() != getattr(before, n).tobytes()
                       for n in GENES)
        moved += set(after.gate_innovation.tolist()) - set(before.gate_innovation.tolist()) \
            != set() and operator == "add_node"
    assert changed > 0
    assert moved > 0 or operator != "add_node"  # a split gated connection's gate moved


def test_back_connections_follow_innovation_order_in_c_python_and_the_oracle() -> None:
    pop = _grown(2)
    native = pop._native
    kinds = set()
    for i in range(native.size):
        data = genome_data(native.genome_data(i))
        c = native._back_flags(i).tolist()
        oracle = ref.back_flags(ref.RefGenome.from_data(data, pop.config.values))
        assert c == back_flags(data, 2)
        assert c == [oracle[(u, v)] for u, v in zip(data.conn_in.tolist(),
                                                     data.conn_out.tolist(), strict=True)]
        kinds |= set(c)
    assert kinds == {0, 1, 2}  # the population has all three kinds to check


@pytest.mark.parametrize("distance", ["neat-python", "paper"])
def test_crossover_and_distance_with_gates_equal_the_reference(distance: str) -> None:
    pop = _grown(3, compatibility_distance=distance)
    values = pop.config.values
    native = pop._native
    rng = np.random.default_rng(9)
    native.set_fitness(rng.integers(0, 5, native.size).astype(np.float64))
    genomes = [ref.RefGenome.from_data(genome_data(native.genome_data(i)), values)
               for i in range(native.size)]
    assert sum(len(g.gates) for g in genomes) > 10
    gated_apart = 0
    for i in range(native.size):
        for j in range(native.size):
            assert native._distance(i, j) == ref.genome_distance(genomes[i], genomes[j],
                                                                 values)
            gated_apart += ref.gate_distance(genomes[i], genomes[j], values) > 0
    assert gated_apart > 0
    for _ in range(60):
        i, j = (int(x) for x in rng.integers(0, native.size, 2))
        draws = rng.random(600)
        raw, used = ref.scripted(native, draws, native._crossover, i, j)
        child = genome_data(raw)
        script = ref.Draws(draws)
        want = ref.crossover(genomes[i], genomes[j], values, script, -1).to_data(values)
        assert used == script.used
        _same(child, want)


def test_population_fitness_is_the_networks_step_by_step() -> None:
    pop = _grown(4, generations=6)
    data = Dataset(X, Y, "sse", 4.0)
    native = pop._native
    pop._evaluate(data, "dataset", None)  # the generation run() left unevaluated
    fitness = native.fitness()
    gated = 0
    for i, g in enumerate(pop.genomes.values()):
        net = g.network.copy()
        net.clear(states=True)
        f = 4.0
        for x, t in zip(X, Y, strict=True):
            f -= (float(net.activate(x)[0]) - t) ** 2
        assert f == fitness[i] == data(g, pop.config)
        gated += g.data.num_gates > 0
    assert gated > 5


def test_run_takes_a_per_genome_function_and_an_evaluator() -> None:
    config = _config(pop_size=20)
    data = Dataset(X, Y, "mse", 1.0)
    a = Population(config, seed=7)
    a.run(data, 5)
    b = Population(config, seed=7)
    b.run(data, 5, evaluator=SerialEvaluator())
    calls = []

    def each(genomes: list[tuple[int, Any]], config: Any) -> None:
        for _, g in genomes:
            calls.append(g.key)
            g.fitness = data(g, config)

    c = Population(config, seed=7)
    c.run(each, 5)
    assert len(calls) == 100
    for p in (b, c):
        assert [r.best_fitness for r in p.history] == [r.best_fitness for r in a.history]
        assert p.best is not None and a.best is not None
        _same(p.best.data, a.best.data)


def test_checkpoint_keeps_gates_and_continues_bit_for_bit(tmp_path: Path) -> None:
    data = Dataset(X, Y, "sse", 4.0)
    whole = Population(_config(), seed=11)
    whole.run(data, 8)
    half = Population(_config(), seed=11)
    half.run(data, 4)
    half.save(tmp_path / "run.json")
    assert '"gates"' in (tmp_path / "run.json").read_text()
    back = Population.load(tmp_path / "run.json")
    for g, h in zip(half.genomes.values(), back.genomes.values(), strict=True):
        _same(g.data, h.data)
    back.run(data, 4)
    assert sum(g.data.num_gates for g in whole.genomes.values()) > 0
    for g, h in zip(whole.genomes.values(), back.genomes.values(), strict=True):
        _same(g.data, h.data)
        assert g.fitness == h.fitness


def test_genome_round_trip_and_bad_gates_are_refused() -> None:
    pop = _grown(6, generations=4)
    native = pop._native
    for i in range(native.size):
        d = genome_data(native.genome_data(i))
        native.set_genome_data(i, native.genome_data(i))
        _same(genome_data(native.genome_data(i)), d)
    config = pop.config
    nodes = [(0, 0.1, 1.0, 0, 0), (1, 0.2, 1.0, 0, 0)]
    conns = [(1, -1, 1, 0.5, True), (2, 1, 0, 0.7, True)]
    good = GenomeData.build(3, nodes, conns, gates=[(9, 0, -1, 1)])
    from netgraph.neat import Genome
    assert Genome(good, config).network.graph.edges[-1, 1]["gater"] == 0
    for gates, word in (([(9, 5, -1, 1)], "gater node 5"), ([(9, 0, -2, 1)], "-2 -> 1"),
                        ([(9, 0, -1, 1), (10, 1, -1, 1)], "two gates")):
        with pytest.raises(InputError, match=word):
            Genome(GenomeData.build(3, nodes, conns, gates=gates), config)
    with pytest.raises(ValueError, match="gate"):
        NativePopulation.from_state(
            _native(config),
            {"rng": (1, 2, 3, 4), "generation": 0, "next_genome_key": 9, "next_node_key": -1,
             "next_species_key": 1, "innovation_counter": 0, "innovations": [],
             "genomes": [(3, *_arrays(nodes, conns), None, None,
                          *(np.array([x], np.int64) for x in (9, 5, -1, 1)))],
             "species": []})


def _native(config: Config) -> dict[str, Any]:
    from netgraph.neat._native import native_values
    return native_values(config.values)


def _arrays(nodes: list[Any], conns: list[Any]) -> list[np.ndarray]:
    d = GenomeData.build(3, nodes, conns)
    return [d.node_key, d.node_bias, d.node_response, d.node_activation, d.node_aggregation,
            d.conn_innovation, d.conn_in, d.conn_out, d.conn_weight, d.conn_enabled]


def test_configuration_takes_neataptic_activations_and_refuses_what_it_cannot_run() -> None:
    assert _config().values["activation_options"][0] == "LOGISTIC"
    with pytest.raises(ConfigError, match="'SQUISH'"):
        _config(activation_options=["LOGISTIC", "SQUISH"])
    with pytest.raises(ConfigError, match="gate_add_prob"):
        _config(feed_forward=True)
    with pytest.raises(ConfigError, match="'mean'"):
        _config(aggregation_options=["sum", "mean"])
    with pytest.raises(InputError, match="Dataset or a fitness function"):
        from netgraph.neat import tasks
        Population(_config(), seed=1).run(tasks.XOR(), 1)


# an output that gates or feeds a node Neataptic runs before it is repeated by an identity
# output node (interop's documented relay, computing the same): allowed here
@pytest.mark.filterwarnings("ignore:Neataptic reads its outputs last")
def test_evolved_gated_genomes_run_the_same_in_real_neataptic() -> None:
    pop = _grown(8, generations=10)
    rng = np.random.default_rng(3)
    picked = []
    for g in pop.genomes.values():
        flags = set(back_flags(g.data, 2))
        if g.data.num_gates and (1 in flags or 2 in flags):
            picked.append(g)
    assert len(picked) >= 4
    programs = []
    for g in picked[:8]:
        inputs = rng.uniform(-1, 1, (12, 2))
        programs.append({"seed": 1, "build": {"kind": "json",
                                              "network": to_neataptic(g.network)},
                         "inputs": inputs.tolist()})
    replies = js_peers.neataptic(programs)
    for g, program, reply in zip(picked[:8], programs, replies, strict=True):
        net = g.network.copy()
        net.clear(states=True)
        want = [net.activate(np.asarray(x)).tolist() for x in program["inputs"]]
        assert js_peers.worst(want, reply["outputs"]) <= 1e-12, g.key


def test_gated_genomes_read_as_genes_and_refuse_neat_python_forms() -> None:
    from netgraph.neat import nn
    from netgraph.neat._evaluators import evaluate_chunk

    pop = _grown(9, generations=5)
    data = Dataset(X, Y, "sse", 4.0)
    genomes = list(pop.genomes.values())
    g = max(genomes, key=lambda g: g.data.num_gates)
    assert g.data.num_gates > 0
    for (u, v), gate in g.gates.items():
        assert g.connections[(u, v)].key == gate.key
        assert g.network.graph.edges[u, v]["gater"] == gate.node or \
            not g.connections[(u, v)].enabled
    assert "Gates:" in str(g)
    with pytest.raises(InputError, match="to_neataptic"):
        g.to_neat(None)
    with pytest.raises(InputError, match=r"genome\.network"):
        nn.RecurrentNetwork.create(g, pop.config)
    # a worker's chunk (process and Ray evaluators) runs gated genomes through their networks
    got = evaluate_chunk(data, [h.data for h in genomes[:6]], pop.config)
    assert got == [data(h, pop.config) for h in genomes[:6]]


@pytest.mark.parametrize("cost", ["sse", "mse", "mae", "sae"])
def test_native_gated_evaluation_equals_the_network_bit_for_bit(cost: str) -> None:
    from netgraph.neat._gated import dataset_fitness
    from netgraph.neat._native import COSTS

    pop = _grown(10, generations=8)
    rng = np.random.default_rng(2)
    Xr, Yr = rng.uniform(-1, 1, (9, 2)), rng.uniform(0, 1, (9, 1))
    got, done = pop._native.evaluate_gated(Xr, Yr, COSTS[cost], 2.5)
    # every genome natively: the feed-forward ones (no delayed, gated or self synapse)
    # through the kernel's restatement of netgraph's feed-forward sums
    assert done.all()
    for i, g in enumerate(pop.genomes.values()):
        assert got[i] == dataset_fitness(g.network, Xr, Yr, cost, 2.5), g.key


def test_native_gated_outputs_over_sequences_equal_the_network() -> None:
    # what a sequence fitness builds on: outputs with the state fresh at each sequence start
    pop = _grown(12, generations=8)
    rng = np.random.default_rng(4)
    Xr = rng.uniform(-1, 1, (10, 2))
    checked = 0
    for i, g in enumerate(pop.genomes.values()):
        got = pop._native.activate_gated(i, Xr, np.array([4, 7]))
        if got is None:
            continue
        net = g.network.copy()
        want = []
        for r, x in enumerate(Xr):
            if r in (0, 4, 7):
                net.clear(states=True)
            want.append(net.activate(x))
        assert got.tobytes() == np.array(want).tobytes(), g.key
        checked += 1
    assert checked > 20
    with pytest.raises(ValueError, match="ascend"):
        pop._native.activate_gated(0, Xr, np.array([7, 4]))


def test_sequences_of_gated_genomes_equal_the_network_sequence_by_sequence() -> None:
    from netgraph.neat import Sequences

    xs = [np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([[0.5, -0.5], [0.0, 0.0]])]
    ys = [np.array([[0.0], [1.0], [0.0]]), np.array([[1.0], [0.5]])]
    seqs = Sequences(xs, ys, cost="sse", offset=5.0, washout=1)
    pop = _grown(13, generations=6)
    pop._evaluate(seqs, "sequences", None)
    fitness = pop._native.fitness()
    recurrent = 0
    for i, g in enumerate(pop.genomes.values()):
        f = 5.0
        net = g.network.copy()
        for x, t in zip(xs, ys, strict=True):
            net.clear(states=True)
            for step, (xi, ti) in enumerate(zip(x, t, strict=True)):
                out = net.activate(xi)
                if step >= 1:
                    f -= (float(out[0]) - float(ti[0])) ** 2
        assert f == fitness[i] == seqs(g, pop.config), g.key
        recurrent += pop._native.activate_gated(i, xs[0]) is not None
    assert recurrent > 10
    pop.run(seqs, 2)  # and through run


def test_gate_genes_travel_to_workers_and_are_evaluated_there() -> None:
    from netgraph.neat._evaluators import decode_genomes, encode_genomes, evaluate_blob

    pop = _grown(9, generations=5)
    data = Dataset(X, Y, "sse", 4.0)
    genomes = list(pop.genomes.values())
    assert sum(g.data.num_gates > 0 for g in genomes) > 3
    back = decode_genomes(encode_genomes([g.data for g in genomes]))
    for g, d in zip(genomes, back, strict=True):
        for name in ("gate_innovation", "gate_node", "gate_in", "gate_out", "conn_weight"):
            assert getattr(d, name).tolist() == getattr(g.data, name).tolist(), (g.key, name)
    # what a process or Ray worker computes from the bytes it is sent
    got = evaluate_blob(data, encode_genomes([g.data for g in genomes]), pop.config)
    assert got == [data(g, pop.config) for g in genomes]


@pytest.mark.parametrize("cost", ["mse", "sae"])
def test_gated_sequences_natively_equal_the_network_wide_and_feed_forward_too(cost: str
                                                                              ) -> None:
    """Sequences of gated genomes, cost summed natively, against each genome's network
    run step by step: recurrent and gated genomes, feed-forward ones (netgraph's
    feed-forward kernel), and neurons with 20 inputs (its eight-lane sums)."""
    from netgraph.neat import Sequences

    rng = np.random.default_rng(7)
    xs = [rng.uniform(-1, 1, (n, 20)) for n in (4, 6, 3)]
    ys = [rng.uniform(0, 1, (len(x), 2)) for x in xs]
    seqs = Sequences(xs, ys, cost=cost, offset=3.0, washout=1)
    pop = Population(_config(num_inputs=20, num_outputs=2, pop_size=20, node_add_prob=0.5,
                             gate_add_prob=0.15, self_connection_add_prob=0.05,
                             back_connection_add_prob=0.05), seed=3)
    pop.run(seqs, 1)
    # "full" connects every output to itself in a recurrent configuration: half the
    # genomes lose their self-connections, and those without gates or back-connections
    # are feed-forward networks
    from netgraph.neat._native import data_tuple, genome_data

    native = pop._native
    for i in range(0, native.size, 2):
        d = genome_data(native.genome_data(i))
        enabled = d.conn_enabled & (d.conn_in != d.conn_out)
        native.set_genome_data(i, data_tuple(dataclasses.replace(d, conn_enabled=enabled)))
    pop._genomes = None
    genomes = list(pop.genomes.values())
    pop._evaluate(seqs, "sequences", None)
    fitness = pop._native.fitness()
    kinds = set()
    wide = 0
    for i, g in enumerate(genomes):
        net = g.network.copy()
        out = []
        for x in xs:
            net.clear(states=True)
            out.extend(net.activate(xi) for xi in x)
        from netgraph.neat._gated import sequence_fitness

        want = sequence_fitness(np.array(out), seqs.Y, seqs.starts, 1, cost, 3.0)
        assert fitness[i] == want == seqs(g, pop.config), g.key
        plan = net._plan()
        kinds.add(plan.feedforward)
        if plan.feedforward:  # neurons the feed-forward kernel sums in eight lanes
            widths = np.diff(plan.in_ptr)
            wide += int(np.sum((widths >= 16) & (plan.in_start >= 0)))
    assert kinds == {True, False}
    assert wide > 0
