"""netgraph.neat.Genome against real neat-python 2.0.0: genomes neat-python created and
mutated convert both ways exactly, and their netgraph networks compute what neat-python's
FeedForwardNetwork / RecurrentNetwork compute (to 1e-12); synapses carry innovation
numbers; the networks save as netgraph JSON and export to ONNX."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import neat
import numpy as np
import onnxruntime as ort
import pytest

from netgraph import InputError, Network
from netgraph.interop import to_onnx
from netgraph.neat import Config, Genome, GenomeData
from netgraph.neat import nn as ng_nn

XOR = Path(__file__).parent / "fixtures" / "neat" / "xor-config-feedforward"
# bounded activations: a recurrent network of cubes and squares amplifies the last-bit
# difference of the response folded into the weights past any fixed tolerance
ACTIVATIONS = "sigmoid tanh relu gauss sin identity clamped abs softplus elu selu lelu hat"


def configs(tmp_path: Path, feed_forward: bool) -> tuple[neat.Config, Config]:
    text = XOR.read_text()
    for old, new in (
            ("activation_options      = sigmoid", f"activation_options = {ACTIVATIONS}"),
            ("activation_default      = sigmoid", "activation_default = random"),
            ("activation_mutate_rate  = 0.0", "activation_mutate_rate = 0.3"),
            ("aggregation_options     = sum", "aggregation_options = sum mean"),
            ("aggregation_mutate_rate = 0.0", "aggregation_mutate_rate = 0.3"),
            ("response_mutate_rate    = 0.0", "response_mutate_rate = 0.5"),
            ("response_mutate_power   = 0.0", "response_mutate_power = 0.5"),
            ("num_inputs              = 2", "num_inputs = 3"),
            ("num_outputs             = 1", "num_outputs = 2"),
            ("num_hidden              = 0", "num_hidden = 2"),
            ("initial_connection      = full", "initial_connection = full_nodirect"),
            ("enabled_mutate_rate     = 0.01", "enabled_mutate_rate = 0.1"),
            ("feed_forward            = True", f"feed_forward = {feed_forward}")):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / f"config-{feed_forward}"
    path.write_text(text)
    nc = neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                     neat.DefaultStagnation, str(path))
    return nc, Config.from_file(path)


def mutated_genomes(nc: neat.Config, seed: int, count: int = 40) -> list[Any]:
    """Genomes neat-python made (its initial population) and mutated, 0-60 times each."""
    random.seed(seed)
    pop = neat.Population(nc)
    out = []
    for _, g in list(pop.population.items())[:count]:
        for _ in range(random.randrange(60)):
            g.mutate(nc.genome_config)
        g.fitness = random.uniform(-2.0, 4.0)
        out.append(g)
    return out


def assert_same_genome(a: Any, b: Any) -> None:
    assert a.key == b.key and a.fitness == b.fitness
    assert list(sorted(a.nodes)) == list(sorted(b.nodes))
    for k, n in a.nodes.items():
        m = b.nodes[k]
        assert (n.bias, n.response, n.activation, n.aggregation) == \
            (m.bias, m.response, m.activation, m.aggregation), k
    assert set(a.connections) == set(b.connections)
    for k, c in a.connections.items():
        m = b.connections[k]
        assert (c.key, c.innovation, c.weight, c.enabled) == \
            (m.key, m.innovation, m.weight, m.enabled), k


@pytest.mark.parametrize("feed_forward", [True, False])
def test_round_trip_and_outputs_equal_neat_python(tmp_path: Path, feed_forward: bool) -> None:
    nc, config = configs(tmp_path, feed_forward)
    rng = np.random.default_rng(5)
    disabled_seen = hidden_seen = 0
    for g in mutated_genomes(nc, seed=11 if feed_forward else 12):
        ours = Genome.from_neat(g, config)
        # neat-python's view of the genes, disabled connections included
        assert ours.key == g.key and ours.fitness == g.fitness
        assert set(ours.connections) == set(g.connections)
        for k, c in g.connections.items():
            assert ours.connections[k].innovation == c.innovation
            assert ours.connections[k].enabled == c.enabled
        assert ours.size() == g.size()
        assert_same_genome(ours.to_neat(nc), g)
        assert_same_genome(ours.to_neat(nc), Genome(ours.data, config).to_neat(nc))
        disabled_seen += sum(not c.enabled for c in g.connections.values())
        hidden_seen += sum(k >= 2 for k in g.nodes)

        maker = neat.nn.FeedForwardNetwork if feed_forward else neat.nn.RecurrentNetwork
        theirs = maker.create(g, nc)
        ng_maker = ng_nn.FeedForwardNetwork if feed_forward else ng_nn.RecurrentNetwork
        compat = ng_maker.create(ours, config)  # netgraph.neat.nn: neat-python's API
        net = ours.network
        assert net is ours.network  # cached
        # recurrent: successive steps from a cleared state. Five: netgraph folds the
        # response into the weights (one rounding more per term, ~1e-16), and these
        # random recurrent genomes amplify such a difference about tenfold per step
        # (measured: ~1e-14 after five steps, ~5e-12 after eight)
        steps = rng.normal(0.0, 1.5, size=(8 if feed_forward else 5, 3))
        for x in steps:
            expected = np.array(theirs.activate(list(x)))
            assert np.all(np.abs(np.array(compat.activate(list(x))) - expected)
                          <= 1e-12 * np.maximum(1.0, np.abs(expected)))
            got = net.activate(x)
            assert np.all(np.abs(got - expected) <= 1e-12 * np.maximum(1.0, np.abs(expected))
                          ), (g.key, got, expected)
    assert disabled_seen > 20 and hidden_seen > 20  # the genomes exercised both


def test_synapses_carry_innovation_numbers(tmp_path: Path) -> None:
    for feed_forward in (True, False):
        nc, config = configs(tmp_path, feed_forward)
        checked = 0
        for g in mutated_genomes(nc, seed=3, count=25):
            ours = Genome.from_neat(g, config)
            by_innovation = {c.innovation: c for c in g.connections.values()}
            for u, v, a in ours.network.graph.edges(data=True):
                if "innovation" not in a:  # a relay's copy of its neuron (u -> "u:prev")
                    assert v == f"{u}:prev"
                    continue
                gene = by_innovation[a["innovation"]]
                assert gene.enabled
                source = int(u.split(":")[0]) if isinstance(u, str) else u
                assert gene.key == (source, v)
                checked += 1
        assert checked > 30


def test_network_saves_as_json_and_runs_in_onnxruntime(tmp_path: Path) -> None:
    nc, config = configs(tmp_path, True)
    genomes = [Genome.from_neat(g, config) for g in mutated_genomes(nc, seed=8, count=10)]
    X = np.random.default_rng(1).normal(size=(16, 3))
    exported = 0
    for genome in genomes:
        net = genome.network
        path = tmp_path / f"g{genome.key}.json"
        net.save(path)
        back = Network.load(path)
        assert np.array_equal(back.activate(X), net.activate(X))
        innovations = {(u, v): a["innovation"] for u, v, a in net.graph.edges(data=True)}
        assert {(u, v): a["innovation"] for u, v, a in back.graph.edges(data=True)} == \
            innovations
        if net.graph.number_of_edges() == 0:
            # to_onnx fails on a network without synapses (an IndexError in
            # interop/_onnx.py, also on main; reported to the lead): JSON above covers it
            continue
        exported += 1
        model = to_onnx(net)
        session = ort.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        (out,) = session.run(None, {"input": X})
        assert np.allclose(out, net.activate(X), rtol=1e-12, atol=1e-12)
    assert exported >= 5


def test_steep_sigmoid_genome() -> None:
    config = Config.paper(2, 1)
    data = GenomeData.build(7, [(0, 0.3, 1.0, 0, 0), (2, 0.0, 1.0, 0, 0)],
                            [(1, -1, 0, 0.5, False), (2, -2, 0, -1.2, True),
                             (3, -1, 2, 2.0, True), (4, 2, 0, 0.7, True)])
    genome = Genome(data, config)
    assert len(genome.connections) == 4 and not genome.connections[(-1, 0)].enabled

    def steep(s: float) -> float:
        return 1.0 / (1.0 + math.exp(-4.9 * s))

    for x1, x2 in ((0.0, 0.0), (1.0, 0.0), (0.3, -2.0)):
        hidden = steep(2.0 * x1)
        expected = steep(0.3 + (-1.2 * x2 + 0.7 * hidden))
        assert abs(genome.network.activate([x1, x2])[0] - expected) <= 1e-15
    # to neat-python: it needs the activation registered; then it computes the same
    nc = neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                     neat.DefaultStagnation, str(XOR))
    with pytest.raises(InputError, match="steep_sigmoid"):
        genome.to_neat(nc)
    nc.genome_config.add_activation("steep_sigmoid", steep)
    theirs = neat.nn.FeedForwardNetwork.create(genome.to_neat(nc), nc)
    assert abs(theirs.activate([0.3, -2.0])[0] - genome.network.activate([0.3, -2.0])[0]) \
        <= 1e-15


def test_bad_genome_data_refused_by_name() -> None:
    config = Config(num_inputs=2, num_outputs=1)
    good = [(0, 0.0, 1.0, 0, 0)], [(1, -1, 0, 0.5, True), (2, -2, 0, 0.5, True)]
    Genome(GenomeData.build(1, *good), config)
    for nodes, conns, match in (
            ([(1, 0.0, 1.0, 0, 0)], good[1], "output node 0 is missing"),
            (good[0], [(1, -3, 0, 0.5, True)], "input -3"),
            (good[0], [(1, -1, 5, 0.5, True)], "unknown node"),
            (good[0], [(1, -1, 0, 0.5, True), (2, -1, 0, 0.1, True)], "appears twice"),
            ([(0, 0.0, 1.0, 3, 0)], good[1], "activation_options"),
            ([(0, math.nan, 1.0, 0, 0)], good[1], "node_bias"),
    ):
        with pytest.raises(InputError, match=match):
            Genome(GenomeData.build(1, nodes, conns), config)
    unsorted = GenomeData.build(1, *good)
    object.__setattr__(unsorted, "conn_innovation", np.array([2, 1], dtype=np.int64))
    with pytest.raises(InputError, match="conn_innovation is not strictly ascending"):
        Genome(unsorted, config)


def test_from_neat_refuses_a_name_outside_the_config(tmp_path: Path) -> None:
    nc, _ = configs(tmp_path, True)
    g = mutated_genomes(nc, seed=1, count=1)[0]
    g.nodes[0].activation = "tanh"
    with pytest.raises(InputError, match="node 0 uses activation 'tanh'"):
        Genome.from_neat(g, Config(num_inputs=3, num_outputs=2))


def test_compat_scalar_activations_equal_netgraph_registry() -> None:
    """netgraph.neat.nn evaluates neat-python's activations on plain floats; each must be
    netgraph's registry form (what genome.network and the native core compute)."""
    from netgraph._activations import get_activation
    from netgraph.interop._neat import ACTIVATIONS as NEAT_NAMES
    from netgraph.neat._config import ACTIVATION_NAMES

    z = np.concatenate([np.linspace(-80.0, 80.0, 2001), np.linspace(-1.5, 1.5, 3001),
                        [0.0, -0.0, 1e-9, -1e-9, 13.7, -13.7]])
    for name in ACTIVATION_NAMES:
        rule = get_activation(NEAT_NAMES.get(name, name)).function
        scalar = ng_nn._SCALAR[name]
        want = rule(z)
        got = np.array([scalar(float(v)) for v in z])
        close = np.abs(got - want) <= 1e-15 * np.maximum(1.0, np.abs(want))
        assert np.all(close | (np.isinf(want) & (got == want))), name


def test_compat_networks_refuse_bad_input() -> None:
    config = Config(num_inputs=2, num_outputs=1)
    genome = Genome(GenomeData.build(1, [(0, 0.0, 1.0, 0, 0)], [(1, -1, 0, 0.5, True)]),
                    config)
    net = ng_nn.FeedForwardNetwork.create(genome, config)
    with pytest.raises(InputError, match="expected 2 inputs, got 3"):
        net.activate([1.0, 2.0, 3.0])
    with pytest.raises(InputError, match=r"Genome\.from_neat"):
        ng_nn.FeedForwardNetwork.create(object(), config)  # type: ignore[arg-type]
    rec = ng_nn.RecurrentNetwork.create(genome, config)
    first = rec.activate([1.0, 0.0])
    rec.activate([0.0, 0.0])
    rec.reset()
    assert rec.activate([1.0, 0.0]) == first


def test_genome_pickles_without_its_cached_network() -> None:
    import pickle

    config = Config.paper(2, 1)
    genome = Genome(GenomeData.build(4, [(0, 0.1, 1.0, 0, 0)], [(1, -1, 0, 0.5, True)],
                                     fitness=2.5, species=3), config)
    before = genome.network.activate([1.0, 0.0])
    blob = pickle.dumps(genome)
    assert b"networkx" not in blob  # the cached network stays behind
    again = pickle.loads(blob)
    assert (again.key, again.fitness, again.species) == (4, 2.5, 3)
    assert np.array_equal(again.network.activate([1.0, 0.0]), before)


def test_genome_shows_as_its_network_in_jupyter() -> None:
    config = Config.paper(2, 1)
    genome = Genome(GenomeData.build(1, [(0, 0.1, 1.0, 0, 0)], [(1, -1, 0, 0.5, True),
                                                                  (2, -2, 0, 0.1, False)]),
                    config)
    bundle = genome._repr_mimebundle_()
    assert bundle == genome.network._repr_mimebundle_()
    assert any(k.startswith(("image/svg", "text/")) for k in bundle)
