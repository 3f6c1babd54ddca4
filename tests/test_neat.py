"""neat-python interchange, held against real neat-python 2.0.0.

Random genomes (neat's own mutations, every built-in activation, sum and mean) are built
into neat-python's FeedForwardNetwork and RecurrentNetwork, exported with neat's
``export_network_json``, imported both from that JSON and from the genome, and run side
by side step by step. ``to_neat_json`` is checked by neat's own validator and by
rebuilding a genome from the document and running it in neat-python.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import neat
import numpy as np
import pytest
from conftest import random_dag, xor_net
from neat.export import export_network_json, validate_json

from netgraph import Network, NetworkFormatError, UnreachableOutputWarning, get_activation
from netgraph.interop import from_neat, from_neat_json, to_neat_json
from netgraph.interop._neat import _TO_NEAT, ACTIVATIONS

TOLERANCE = 1e-12  # relative, and absolute below 1

CONFIG = """
[NEAT]
fitness_criterion     = max
fitness_threshold     = 3.9
pop_size              = 20
reset_on_extinction   = False
no_fitness_termination = False

[DefaultGenome]
num_inputs              = {n_in}
num_hidden              = {n_hidden}
num_outputs             = {n_out}
feed_forward            = {feed_forward}
initial_connection      = partial_direct 0.7
activation_default      = random
activation_mutate_rate  = 0.3
activation_options      = {activations}
aggregation_default     = random
aggregation_mutate_rate = 0.2
aggregation_options     = {aggregations}
bias_init_mean          = 0.0
bias_init_stdev         = 1.0
bias_max_value          = 30.0
bias_min_value          = -30.0
bias_mutate_power       = 0.5
bias_mutate_rate        = 0.7
bias_replace_rate       = 0.1
response_init_mean      = 1.0
response_init_stdev     = {response_stdev}
response_max_value      = 30.0
response_min_value      = -30.0
response_mutate_power   = 0.3
response_mutate_rate    = {response_rate}
response_replace_rate   = 0.1
weight_init_mean        = 0.0
weight_init_stdev       = 1.0
weight_max_value        = 30
weight_min_value        = -30
weight_mutate_power     = 0.5
weight_mutate_rate      = 0.8
weight_replace_rate     = 0.1
enabled_default         = True
enabled_mutate_rate     = 0.1
compatibility_disjoint_coefficient = 1.0
compatibility_weight_coefficient   = 0.5
conn_add_prob           = 0.5
conn_delete_prob        = 0.3
node_add_prob           = 0.3
node_delete_prob        = 0.1

[DefaultSpeciesSet]
compatibility_threshold = 3.0

[DefaultStagnation]
species_fitness_func = max
max_stagnation       = 20
species_elitism      = 2

[DefaultReproduction]
elitism            = 2
survival_threshold = 0.2
"""
# the recurrent tests leave out the functions whose values run away over many steps
BOUNDED = "sigmoid tanh sin gauss relu elu lelu selu softplus identity clamped abs hat"


@pytest.fixture(autouse=True)
def _seeded():
    """neat-python draws from the random module: every test here starts from one seed."""
    random.seed(1)


def make_config(tmp_path: Path, n_in: int = 3, n_out: int = 2, *, n_hidden: int = 2,
                feed_forward: bool = True, activations: str = " ".join(ACTIVATIONS),
                aggregations: str = "sum mean", response: bool = True) -> neat.Config:
    path = tmp_path / f"neat-{n_in}-{n_out}-{feed_forward}.ini"
    path.write_text(CONFIG.format(
        n_in=n_in, n_out=n_out, n_hidden=n_hidden, feed_forward=feed_forward,
        activations=activations, aggregations=aggregations,
        response_stdev=0.5 if response else 0.0, response_rate=0.3 if response else 0.0))
    config = neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                         neat.DefaultStagnation, str(path))
    config.genome_config.innovation_tracker = neat.innovation.InnovationTracker()
    return config


def random_genome(config: neat.Config, key: int, mutations: int) -> neat.DefaultGenome:
    genome = neat.DefaultGenome(key)
    genome.configure_new(config.genome_config)
    for _ in range(mutations):
        genome.mutate(config.genome_config)
    return genome


def close(got, want) -> bool:
    return all(math.isclose(g, w, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
               for g, w in zip(got, want, strict=True))


def lockstep(neat_net, nets, inputs) -> float:
    """Run neat-python and each netgraph network on the same inputs, step by step;
    the largest difference seen (relative above 1, absolute below)."""
    worst = 0.0
    for x in inputs:
        want = neat_net.activate(list(x))
        for net in nets:
            got = net.activate(np.asarray(x)).tolist()
            assert close(got, want), (x, got, want)
            worst = max([worst] + [abs(g - w) / max(1.0, abs(w))
                                   for g, w in zip(got, want, strict=True)])
    return worst


def genome_from_document(doc: dict, config: neat.Config) -> neat.DefaultGenome:
    """A neat-python genome holding a document's nodes and connections (neat-python has
    no JSON reader of its own)."""
    genome = neat.DefaultGenome(0)
    for node in doc["nodes"]:
        if node["type"] == "input":
            continue
        gene = neat.genes.DefaultNodeGene(node["id"])
        gene.bias, gene.response = node["bias"], node["response"]
        gene.activation = node["activation"]["name"]
        gene.aggregation = node["aggregation"]["name"]
        gene.time_constant = 1.0
        genome.nodes[node["id"]] = gene
    for k, c in enumerate(doc["connections"]):
        gene = neat.genes.DefaultConnectionGene((c["from"], c["to"]), innovation=k)
        gene.weight, gene.enabled = c["weight"], c["enabled"]
        genome.connections[gene.key] = gene
    return genome


# ------------------------------------------------------------------ activations
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_neat_activation_is_a_registered_activation(name):
    neat_f = neat.activations.ActivationFunctionSet().get(name)
    ours = get_activation(ACTIVATIONS[name])
    zs = np.concatenate([np.linspace(-15, 15, 601), [-1e3, -61 / 5, -12.0, -3.4, -1e-8, 0.0,
                                                    1e-8, 1e-7, 3.4, 12.0, 61 / 5, 1e3]])
    for z in zs:
        want = neat_f(float(z))
        got = float(ours.function(np.float64(z)))
        assert math.isclose(got, want, rel_tol=1e-15, abs_tol=1e-15), (name, z, got, want)


# ------------------------------------------------------------- random genomes
@pytest.mark.parametrize("feed_forward", [True, False])
def test_random_genomes_run_as_in_neat_python(tmp_path, feed_forward):
    random.seed(7 if feed_forward else 8)
    config = make_config(tmp_path, feed_forward=feed_forward,
                         activations=" ".join(ACTIVATIONS) if feed_forward else BOUNDED)
    maker = neat.nn.FeedForwardNetwork if feed_forward else neat.nn.RecurrentNetwork
    rng = np.random.default_rng(1)
    worst, hidden = 0.0, 0
    for key in range(30):
        genome = random_genome(config, key, mutations=random.randrange(5, 40))
        made = maker.create(genome, config)
        doc = json.loads(export_network_json(made))
        from_doc = from_neat_json(doc)
        from_genome = from_neat(genome, config, recurrent=not feed_forward)
        assert from_doc.neurons == from_genome.neurons
        hidden += sum(1 for _, r in from_doc.graph.nodes(data="role") if r == "hidden")
        inputs = rng.uniform(-2, 2, (12, 3))
        worst = max(worst, lockstep(maker.create(genome, config), [from_doc, from_genome],
                                    inputs))
    assert hidden > 30  # the genomes grew hidden nodes
    assert worst <= TOLERANCE


def test_recurrent_self_loops_go_through_a_relay(tmp_path):
    config = make_config(tmp_path, n_in=2, n_out=1, n_hidden=0, feed_forward=False)
    genome = random_genome(config, 1, 0)
    genome.connections.clear()
    for k, (u, v, w) in enumerate([(-1, 0, 0.7), (0, 0, 0.9), (-2, 0, -0.4)]):
        gene = neat.genes.DefaultConnectionGene((u, v), innovation=k)
        gene.weight, gene.enabled = w, True
        genome.connections[(u, v)] = gene
    genome.nodes[0].activation, genome.nodes[0].aggregation = "tanh", "sum"
    genome.nodes[0].response = 1.0
    net = from_neat(genome, config, recurrent=True)
    assert "0:prev" in net.graph and not net.graph.has_edge(0, 0)
    assert net.graph["0:prev"][0]["weight"] == 0.9 and net.graph["0:prev"][0]["delay"] == 1
    inputs = np.random.default_rng(2).uniform(-1, 1, (20, 2))
    lockstep(neat.nn.RecurrentNetwork.create(genome, config), [net], inputs)
    back = to_neat_json(net)  # the relay becomes neat's self-loop again
    assert sorted((c["from"], c["to"]) for c in back["connections"]) == [(-2, 0), (-1, 0),
                                                                         (0, 0)]


# --------------------------------------------------- aggregations and create rules
def _one_node_genome(config, aggregation: str, sources: list[int]):
    genome = random_genome(config, 1, 0)
    genome.connections.clear()
    for k, u in enumerate(sources):
        gene = neat.genes.DefaultConnectionGene((u, 0), innovation=k)
        gene.weight, gene.enabled = 0.3 * (k + 1), True
        genome.connections[(u, 0)] = gene
    genome.nodes[0].aggregation, genome.nodes[0].activation = aggregation, "identity"
    genome.nodes[0].bias, genome.nodes[0].response = 0.25, 1.5
    return genome


@pytest.mark.parametrize("aggregation", ["product", "max", "min", "maxabs", "median", "mean",
                                         "sum"])
def test_every_aggregation_of_zero_or_one_input_is_exact(tmp_path, aggregation):
    config = make_config(tmp_path, n_in=3, n_out=1, n_hidden=0)
    for sources in ([], [-2]):
        genome = _one_node_genome(config, aggregation, sources)
        net = from_neat(genome, config)
        lockstep(neat.nn.FeedForwardNetwork.create(genome, config), [net],
                 [[0.5, -1.5, 2.0], [-3.0, 0.25, 1.0]])


def test_median_of_two_is_their_mean(tmp_path):
    config = make_config(tmp_path, n_in=3, n_out=1, n_hidden=0)
    genome = _one_node_genome(config, "median", [-1, -3])
    net = from_neat(genome, config)
    lockstep(neat.nn.FeedForwardNetwork.create(genome, config), [net],
             [[0.5, -1.5, 2.0], [-3.0, 0.25, 1.0]])


@pytest.mark.parametrize("aggregation", ["product", "max", "min", "maxabs", "median"])
def test_other_aggregations_of_several_inputs_are_refused_by_name(tmp_path, aggregation):
    config = make_config(tmp_path, n_in=3, n_out=1, n_hidden=0)
    genome = _one_node_genome(config, aggregation, [-1, -2, -3])
    with pytest.raises(NetworkFormatError, match=rf"node 0 aggregates its 3 inputs with "
                                                 rf"'{aggregation}'"):
        from_neat(genome, config)
    doc = json.loads(export_network_json(neat.nn.FeedForwardNetwork.create(genome, config)))
    with pytest.raises(NetworkFormatError, match=aggregation):
        from_neat_json(doc)


def test_disabled_connections_and_unneeded_nodes_follow_neats_create(tmp_path):
    """A disabled connection, a hidden node that feeds nothing, one fed by nothing."""
    config = make_config(tmp_path, n_in=2, n_out=1, n_hidden=0)
    for recurrent in (False, True):
        config.genome_config.feed_forward = not recurrent
        genome = random_genome(config, 1, 0)
        genome.connections.clear()
        for key in (5, 6, 7):
            genome.nodes[key] = genome.create_node(config.genome_config, key)
        for node in genome.nodes.values():
            node.activation, node.aggregation = "tanh", "sum"
        links = [(-1, 5, True), (5, 0, True), (-2, 0, False),  # disabled
                 (-2, 6, True),  # 6 feeds nothing
                 (7, 0, True)]  # 7 is fed by nothing: a bias neuron (feed-forward)
        if recurrent:
            links.append((0, 5, True))
        for k, (u, v, on) in enumerate(links):
            gene = neat.genes.DefaultConnectionGene((u, v), innovation=k)
            gene.weight, gene.enabled = 0.5 + k, on
            genome.connections[(u, v)] = gene
        maker = neat.nn.RecurrentNetwork if recurrent else neat.nn.FeedForwardNetwork
        made = maker.create(genome, config)
        net = from_neat(genome, config, recurrent=recurrent)
        evaluated = {key for key, *_ in made.node_evals}
        assert {n for n in net.neurons if isinstance(n, int) and n >= 0} == evaluated | {0}
        assert not net.graph.has_edge(-2, 0)
        assert (7 in net.graph) is (not recurrent)  # RecurrentNetwork never evaluates 7
        lockstep(maker.create(genome, config), [net, from_neat_json(export_network_json(made))],
                 np.random.default_rng(3).uniform(-1, 1, (10, 2)))


# ------------------------------------------------------------------- refusals
def test_ctrnn_and_iznn_are_refused(tmp_path):
    config = make_config(tmp_path, n_in=2, n_out=1, feed_forward=False, activations="tanh")
    genome = random_genome(config, 1, 5)
    with pytest.raises(NetworkFormatError, match="CTRNN"):
        from_neat_json(export_network_json(neat.ctrnn.CTRNN.create(genome, config)))
    neuron = neat.iznn.IZNeuron(10.0, **neat.iznn.REGULAR_SPIKING_PARAMS, inputs=[(-1, 1.0)])
    iznn = neat.iznn.IZNN({0: neuron}, [-1], [0])
    with pytest.raises(NetworkFormatError, match="IZNN"):
        from_neat_json(export_network_json(iznn))
    with pytest.raises(NetworkFormatError, match="IZNN"):
        from_neat(neat.iznn.IZGenome(1), config)


def test_custom_activations_are_refused_by_name(tmp_path):
    config = make_config(tmp_path, n_in=2, n_out=1, n_hidden=0)

    def wobble(z):
        return math.sin(z) * 0.5

    config.genome_config.add_activation("wobble", wobble)
    genome = random_genome(config, 1, 0)
    genome.nodes[0].activation = "wobble"
    with pytest.raises(NetworkFormatError, match="wobble"):
        from_neat(genome, config)
    made = neat.nn.FeedForwardNetwork.create(genome, config)
    with pytest.raises(NetworkFormatError, match="custom activation 'wobble'"):
        from_neat_json(export_network_json(made))


# --------------------------------------------------------------------- writing
def _rebuilt(doc: dict, tmp_path: Path):
    config = make_config(tmp_path, doc["topology"]["num_inputs"],
                         doc["topology"]["num_outputs"],
                         feed_forward=doc["network_type"] == "feedforward")
    maker = neat.nn.FeedForwardNetwork if doc["network_type"] == "feedforward" else \
        neat.nn.RecurrentNetwork
    return maker.create(genome_from_document(doc, config), config)


@pytest.mark.parametrize("feed_forward", [True, False])
def test_to_neat_json_is_valid_and_runs_in_neat_python(tmp_path, feed_forward):
    random.seed(3)
    config = make_config(tmp_path, feed_forward=feed_forward,
                         activations=" ".join(ACTIVATIONS) if feed_forward else BOUNDED)
    rng = np.random.default_rng(4)
    for key in range(10):
        genome = random_genome(config, key, mutations=25)
        net = from_neat(genome, config, recurrent=not feed_forward)
        doc = to_neat_json(net, metadata={"generation": 3})
        assert validate_json(doc)
        assert doc["metadata"]["generation"] == 3
        json.dumps(doc, allow_nan=False)
        inputs = rng.uniform(-2, 2, (10, 3))
        lockstep(_rebuilt(doc, tmp_path), [net], inputs)
        again = from_neat_json(doc)  # and back: the same network, the same ids
        extra = set(again.synapses) - set(net.synapses)
        assert set(net.synapses) <= set(again.synapses)
        # a recurrent neuron without inputs is written with a weight-0 one from an input
        assert all(u == -1 and again.graph[u][v]["weight"] == 0.0 for u, v in extra)
        net.clear(states=True)
        for x in inputs:
            assert close(again.activate(x), net.activate(x))


def test_netgraph_networks_go_to_neat_python_and_back(tmp_path, rng):
    """logistic, tanh, ... are written with neat's scaled forms and a response."""
    convertible = ["logistic", "tanh", "identity", "relu", "selu", "elu", "absolute",
                   "hard_tanh", "bipolar_sigmoid", "inverse", "gaussian", "brain_leaky_relu"]
    for _ in range(5):
        net = Network.from_graph(random_dag(rng, n_in=3, n_hidden=6, n_out=2,
                                            activations=convertible))
        doc = to_neat_json(net)
        assert validate_json(doc)
        inputs = rng.uniform(-2, 2, (10, 3))
        lockstep(_rebuilt(doc, tmp_path), [net], inputs)
        back = from_neat_json(doc)
        for x in inputs:
            assert close(back.activate(x), net.activate(x))
    doc = to_neat_json(xor_net(seed=2))
    assert [n["activation"]["name"] for n in doc["nodes"][:4]] == ["sigmoid"] * 4
    assert [n["response"] for n in doc["nodes"][:4]] == [0.2] * 4
    assert [n["id"] for n in doc["nodes"]][-2:] == [-1, -2]


def test_every_writable_activation_has_a_neat_form():
    for name, (neat_name, scale, shift) in _TO_NEAT.items():
        ours = get_activation(name)
        neat_f = neat.activations.ActivationFunctionSet().get(neat_name)
        for s in np.linspace(-5, 5, 41).tolist():  # Python floats, as neat-python gets
            got, want = float(ours.function(np.float64(s))), neat_f(scale * s + shift)
            assert math.isclose(got, want, rel_tol=1e-14, abs_tol=1e-14), (name, s)


def test_what_neat_python_cannot_express_is_refused_by_name():
    from netgraph import Layer
    from netgraph.architect import LSTM

    with pytest.raises(NetworkFormatError, match="gated"):
        to_neat_json(LSTM(2, 2, 1, seed=1))
    net = xor_net(seed=1)
    net.graph.nodes["h0"]["activation"] = "hlim"
    with pytest.raises(NetworkFormatError, match="neuron 'h0' uses 'hlim'"):
        to_neat_json(net)
    inp, out = Layer(1), Layer(1)
    inp.project(out)
    net = Network(input=inp, output=out, seed=0)
    h = net.add_neuron(activation="tanh")
    net.connect("i0", h, 0.5)
    net.connect(h, "o0", 0.5)
    net.connect("o0", h, 0.3, delay=1)  # h reads the previous output ...
    with pytest.raises(NetworkFormatError, match="reads this step's value"):
        to_neat_json(net)  # ... but o0 reads this step's h, which neat cannot
    with pytest.warns(UnreachableOutputWarning):  # the layers are not projected
        net = Network(input=Layer(1), output=Layer(1), seed=0)
    net.connect("o0", "o0", 0.5)
    with pytest.raises(NetworkFormatError, match="feeds back its state"):
        to_neat_json(net)


# ------------------------------------------------------------ the document
def _doc(**changes) -> dict:
    doc = {
        "format_version": "1.0", "network_type": "feedforward",
        "metadata": {"created_timestamp": "2026-01-01T00:00:00Z", "fitness": 3.5},
        "topology": {"num_inputs": 2, "num_outputs": 1, "input_keys": [-1, -2],
                     "output_keys": [0]},
        "nodes": [
            {"id": 0, "type": "output", "activation": {"name": "sigmoid", "custom": False},
             "aggregation": {"name": "sum", "custom": False}, "bias": 0.5, "response": 1.0},
            {"id": -1, "type": "input", "activation": {"name": "identity", "custom": False},
             "aggregation": {"name": "none", "custom": False}, "bias": 0.0, "response": 1.0},
            {"id": -2, "type": "input", "activation": {"name": "identity", "custom": False},
             "aggregation": {"name": "none", "custom": False}, "bias": 0.0, "response": 1.0}],
        "connections": [{"from": -1, "to": 0, "weight": 1.5, "enabled": True},
                        {"from": -2, "to": 0, "weight": -2.0, "enabled": True}],
    }
    doc.update(changes)
    return doc


def test_a_small_document_by_hand(tmp_path):
    net = from_neat_json(_doc())
    assert net.inputs == [-1, -2] and net.outputs == [0]
    z = 0.5 + 1.5 * 0.2 - 2.0 * 0.7
    assert net.activate([0.2, 0.7])[0] == pytest.approx(1 / (1 + math.exp(-5 * z)), rel=1e-15)
    assert net.graph.graph["neat"]["fitness"] == 3.5
    path = tmp_path / "winner.json"
    path.write_text(json.dumps(_doc()))
    assert from_neat_json(path).activate([0.2, 0.7])[0] == net.activate([0.2, 0.7])[0]
    assert from_neat_json(str(path)).synapses == net.synapses


@pytest.mark.parametrize(("change", "message"), [
    ({"network_type": "spiking"}, "network_type: expected 'feedforward' or 'recurrent'"),
    ({"format_version": "2.0"}, "format_version"),
    ({"topology": {"input_keys": [-1, -1], "output_keys": [0]}}, "input_keys: a key is "
                                                                  "listed twice"),
    ({"topology": {"input_keys": [-1, -2], "output_keys": [-1]}}, "both an input and an "
                                                                  "output"),
    ({"connections": [{"from": -1, "to": 0, "weight": "1", "enabled": True}]},
     r"connections\[0\].weight: expected a number"),
    ({"connections": [{"from": -1, "to": 3, "weight": 1, "enabled": True}]},
     r"connections\[0\].to: node 3 is not among"),
    ({"connections": [{"from": 9, "to": 0, "weight": 1, "enabled": True}]},
     r"connections\[0\].from: node 9 is neither an input"),
    ({"connections": [{"from": -1, "to": 0, "weight": 1, "enabled": True}] * 2},
     "listed twice"),
    ({"connections": [{"from": -1, "to": 0, "weight": 1e400, "enabled": True}]},
     "not a finite number"),
])
def test_bad_documents_name_the_place(change, message):
    with pytest.raises(NetworkFormatError, match=message):
        from_neat_json(_doc(**change))


def test_a_cycle_in_a_feedforward_document_is_refused():
    doc = _doc()
    doc["nodes"].append({"id": 5, "type": "hidden", "activation": "tanh",
                         "aggregation": "sum", "bias": 0.0, "response": 1.0})
    doc["connections"] += [{"from": 0, "to": 5, "weight": 1, "enabled": True},
                           {"from": 5, "to": 0, "weight": 1, "enabled": True}]
    with pytest.raises(NetworkFormatError, match="cycle"):
        from_neat_json(doc)
    doc["network_type"] = "recurrent"
    from_neat_json(doc)  # the same loop is fine in a recurrent network


def test_other_formats_are_named(tmp_path):
    from netgraph.interop import to_synaptic

    with pytest.raises(NetworkFormatError, match="Synaptic"):
        from_neat_json(to_synaptic(xor_net()))
    with pytest.raises(NetworkFormatError, match="cannot read"):
        from_neat_json(tmp_path / "missing.json")
    with pytest.raises(NetworkFormatError, match="not valid JSON"):
        from_neat_json("{nope")
