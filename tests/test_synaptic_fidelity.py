"""netgraph against the real Synaptic.js 1.1.4, rule by rule (issue 11).

Each test runs a program in Synaptic under Node (``tests/synaptic_peer.js``), imports
or rebuilds the network in netgraph and compares. See the README's "Synaptic fidelity".
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import synaptic_peer as peer

from netgraph import Network, NetworkFormatError, SynapticFidelityWarning, _reference
from netgraph.architect import Liquid


@pytest.fixture(autouse=True)
def _needs_node():
    peer.require()


def layers_program(sizes, ops, *, seed=1, hidden=None, squash=None, steps=None):
    """A Synaptic program over layers ``sizes`` (input first, output last)."""
    layers = [{"size": n} for n in sizes]
    for k, name in (squash or {}).items():
        layers[k]["squash"] = name
    hidden = list(range(1, len(sizes) - 1)) if hidden is None else hidden
    return {"seed": seed, "steps": steps or [],
            "build": {"kind": "layers", "layers": layers, "input": 0, "hidden": hidden,
                      "output": len(sizes) - 1, "ops": ops}}


def test_output_neuron_that_gates_learns_from_eligibility_traces_only():
    """Compiled Synaptic: an output neuron's weights learn from d * e alone, even when it
    gates (here the outputs gate hidden -> hidden synapses), in the kernel and the
    reference evaluator alike."""
    rng = np.random.default_rng(1)
    steps = peer.steps_for(2, 3, rng, count=40, rate=0.3)
    prog = layers_program([2, 3, 3, 3], [["project", 0, 1, None, None],
                                         ["project", 1, 2, None, None],
                                         ["project", 2, 3, None, None],
                                         ["gate", 3, 1, "input"]],
                          squash={1: "TANH"}, seed=5, steps=steps)
    reply = peer.run([prog])[0]
    net = Network.from_synaptic(reply["initial"])
    gaters = {g for _, _, g in net.graph.edges(data="gater") if g}
    assert gaters and all(net.graph.nodes[g]["role"] == "output" for g in gaters)
    assert peer.worst(peer.replay(net, steps), reply["outputs"]) < 1e-12
    ref = _reference.Recurrent(Network.from_synaptic(reply["initial"]).graph)
    outputs = []
    for step in steps:
        if step["op"] == "activate":
            outputs.append(ref.activate(step["input"]))
        else:
            ref.propagate(step["rate"], step["target"])
    assert peer.worst(outputs, reply["outputs"]) < 1e-12


def test_stale_accumulator_import_warns_once_naming_the_neurons():
    """A hidden neuron that both projects and gates: Synaptic trains it from a stale
    scratch variable. netgraph computes the defined rule, says so on import, and still
    matches Synaptic's activations."""
    rng = np.random.default_rng(2)
    activations = [{"op": "activate", "input": rng.uniform(-1, 1, 2).tolist()}
                   for _ in range(20)]
    prog = layers_program([2, 3, 3, 1], [["project", 0, 1, None, None],
                                         ["project", 1, 2, None, None],
                                         ["project", 2, 3, None, None],
                                         ["project", 2, 2, None, None],
                                         ["gate", 1, 3, "one_to_one"]],
                          seed=3, steps=activations)
    reply = peer.run([prog])[0]
    with pytest.warns(SynapticFidelityWarning, match=r"neurons h0, h1, h2 both project and gate") \
            as record:
        net = Network.from_synaptic(reply["initial"])
    assert len(record) == 1
    assert peer.worst(peer.replay(net, activations), reply["outputs"]) < 1e-12


def same_network(prog, *, strict=True):
    """Build ``prog`` in Synaptic and in netgraph; their structures must be equal."""
    reply = peer.run([prog])[0]
    assert "error" not in reply, reply
    net = peer.build(prog["build"])
    with warnings.catch_warnings():  # parallel synapses fromJSON would merge: still compare
        warnings.simplefilter("ignore", SynapticFidelityWarning)
        doc = net.to_synaptic(strict=strict)
    mine, theirs = peer.structure(doc), peer.structure(reply["initial"])
    assert mine == theirs
    return net, reply


@pytest.mark.parametrize("sizes", [(2, 3), (3, 3), (3, 2)])
def test_r1_all_to_else_between_two_layers_is_all_to_all(sizes):
    a, b = sizes
    prog = layers_program([a, b, 1], [["project", 0, 1, "all_to_else", None],
                                      ["project", 1, 2, None, None]])
    net, _ = same_network(prog)
    assert net.graph.number_of_edges() == a * b + b


def test_r1_all_to_else_within_a_layer_skips_only_self():
    prog = layers_program([2, 3, 1], [["project", 0, 1, None, None],
                                      ["project", 1, 1, "all_to_else", None],
                                      ["project", 1, 2, None, None]])
    net, _ = same_network(prog)
    hidden = net.layers["hidden0"]
    assert sorted((u, v) for u, v in net.graph.edges if u in hidden and v in hidden) == sorted(
        (u, v) for u in hidden for v in hidden if u != v)


@pytest.mark.parametrize("connection", ["all_to_all", "one_to_one", None])
def test_r2_self_projection_gives_self_connections_weight_1(connection):
    prog = layers_program([2, 3, 1], [["project", 0, 1, None, None],
                                      ["project", 1, 1, connection, 0.25],
                                      ["project", 1, 2, None, None]])
    net, reply = same_network(prog)
    assert peer.structure(reply["initial"])["self_weights"] == [1, 1, 1]
    off = [w for u, v, w in net.graph.edges(data="weight") if u != v and u[0] == v[0] == "h"]
    assert off == ([0.25] * 6 if connection == "all_to_all" else [])


@pytest.mark.parametrize("gate_type", ["input", "output", "one_to_one"])
@pytest.mark.parametrize("connection", ["all_to_all", "one_to_one"])
def test_r3_gates_on_a_self_projection(gate_type, connection):
    """Input and output gates leave self-connections ungated; one-to-one gates them."""
    n_gated = {"all_to_all": 9, "one_to_one": 3}[connection]
    gater_size = n_gated if gate_type == "one_to_one" else 3
    prog = layers_program([2, 3, gater_size, 1],
                          [["project", 0, 1, None, None], ["project", 0, 2, None, None],
                           ["project", 1, 1, connection, None],
                           ["project", 1, 3, None, None], ["project", 2, 3, None, None],
                           ["gate", 2, 2, gate_type]])
    net, _ = same_network(prog)
    loops = [g for u, v, g in net.graph.edges(data="gater") if u == v]
    assert loops == [None] * 3 if gate_type != "one_to_one" else all(loops)


@pytest.mark.parametrize("options", [
    {"peepholes": "ALL_TO_ELSE"}, {"peepholes": "ONE_TO_ONE"}, {},
    {"peepholes": "ALL_TO_ELSE", "hiddenToHidden": True, "outputToHidden": True,
     "outputToGates": True, "inputToOutput": False}])
def test_r4_lstm_has_synaptics_synapses_in_synaptics_order(options):
    prog = {"seed": 1, "steps": [], "build": {"kind": "LSTM", "sizes": [1, 2, 1],
                                              "options": options}}
    _, reply = same_network(prog)
    if options == {"peepholes": "ALL_TO_ELSE"}:
        assert len(reply["initial"]["connections"]) == 25


def test_projecting_again_onto_connected_layers_does_nothing():
    """Synaptic's Layer.project makes nothing when the layers are already connected
    all-to-all or one-to-one, whatever type and weight it is given."""
    prog = layers_program([3, 3, 3], [["project", 0, 1, None, None],
                                      ["project", 0, 1, "one_to_one", 0.5],
                                      ["project", 1, 2, "one_to_one", None],
                                      ["project", 1, 2, None, 0.5]])
    net, reply = same_network(prog)
    assert len(reply["skipped"]) == 2
    assert 0.5 not in [c["weight"] for c in reply["initial"]["connections"]]
    assert net.graph.number_of_edges() == 9 + 3


# ---------------------------------------------------------------- parallel synapses
def parallel_program(order, steps=(), gate=False):
    """Layers in, A, B, out with A -> B, B -> A, then A -> B again: Synaptic's second
    A -> B finds B -> A first and makes parallel synapses. ``order``: "AB" runs A first."""
    hidden = [1, 2] if order == "AB" else [2, 1]
    ops = [["project", 0, 1, None, None], ["project", 0, 2, None, None],
           ["project", 1, 2, None, None], ["project", 2, 1, None, None],
           ["project", 1, 2, None, None], ["project", 2, 3, None, None]]
    if gate:
        ops.append(["gate", 3, 4, "input"])  # the outputs gate the parallel synapses
    return layers_program([2, 2, 2, 2], ops, hidden=hidden, seed=11, steps=list(steps))


@pytest.mark.parametrize("gate", [False, True])
@pytest.mark.parametrize("order", ["AB", "BA"])
def test_parallel_synapses_build_import_and_train_exactly(order, gate):
    rng = np.random.default_rng(4)
    steps = peer.steps_for(2, 2, rng, count=40, rate=0.2)
    prog = parallel_program(order, steps, gate)
    net, reply = same_network(prog, strict=False)
    pairs = [c for c in reply["initial"]["connections"]]
    assert len(pairs) > len({(c["from"], c["to"]) for c in pairs})  # Synaptic made parallels
    a, b = net.layers["hidden0"][0], net.layers["hidden1"][0]
    first = (a, b) if order == "AB" else (b, a)  # the layer projected twice
    assert len(net.graph[first[0]][first[1]]["parallel"]) == 1
    imported = Network.from_synaptic(reply["initial"])
    assert peer.worst(peer.replay(imported, steps), reply["outputs"]) < 1e-12
    # netgraph JSON keeps them: the copy trains identically
    twin = Network.from_json(Network.from_synaptic(reply["initial"]).to_json())
    assert peer.replay(twin, steps) == peer.replay(Network.from_synaptic(reply["initial"]),
                                                   steps)


def test_liquid_with_parallel_synapses_imports_and_trains_exactly():
    """Architect.Liquid without gates (gaters that project hit the stale accumulator)."""
    rng = np.random.default_rng(6)
    progs = [{"seed": s, "build": {"kind": "Liquid", "args": [2, 6, 2, 30, 0]},
              "steps": peer.steps_for(2, 2, rng, count=40, rate=0.1)} for s in range(8)]
    replies = peer.run(progs)
    with_parallel = 0
    for prog, reply in zip(progs, replies, strict=True):
        pairs = [(c["from"], c["to"]) for c in reply["initial"]["connections"]]
        with_parallel += len(pairs) > len(set(pairs))
        net = Network.from_synaptic(reply["initial"])
        assert peer.worst(peer.replay(net, prog["steps"]), reply["outputs"]) < 1e-9
    assert with_parallel >= 2


def test_liquid_builder_makes_parallel_synapses_that_round_trip():
    net = Liquid(3, 8, 2, connections=60, gates=10, seed=3)
    par = [(u, v) for u, v, p in net.graph.edges(data="parallel") if p]
    assert par
    x = np.random.default_rng(0).uniform(-1, 1, (30, 3))
    twin = Network.from_json(net.to_json())
    np.testing.assert_array_equal(twin.activate(x), net.activate(x))


@pytest.mark.parametrize("order", ["AB", "BA"])
def test_parallel_synapses_export_exactly_when_the_reverse_synapse_exists(order):
    """fromJSON keeps a second a -> b apart only once b -> a exists: the writer puts
    parallel rows after every pair's first synapse, whichever neuron runs first."""
    steps = peer.steps_for(2, 2, np.random.default_rng(5), count=40, rate=0.2)
    net = Network.from_synaptic(peer.run([parallel_program(order)])[0]["initial"])
    doc = json.loads(json.dumps(net.to_synaptic()))
    theirs = run_export(doc, steps)
    assert peer.worst(peer.replay(net, steps), theirs["outputs"]) < 1e-12
    assert len(theirs["final"]["connections"]) == len(doc["connections"])  # none merged


def test_export_refuses_parallel_synapses_fromjson_would_merge():
    net = Network(seed=0)
    net.add_neuron("i0", role="input")
    net.add_neuron("o0", role="output")
    net.connect("i0", "o0", 0.5)
    net.graph["i0"]["o0"]["parallel"] = [{"weight": -1.5}]
    steps = peer.steps_for(1, 1, np.random.default_rng(5), count=40, rate=0.2)
    with pytest.raises(NetworkFormatError, match=r"synapse 'i0' -> 'o0' has 1 parallel "
                                                 r"synapse\(s\) and there is no 'o0' -> 'i0'"):
        net.to_synaptic()
    with pytest.warns(SynapticFidelityWarning, match="merges them"):
        doc = net.to_synaptic(strict=False)
    theirs = run_export(doc, steps)
    assert len(theirs["final"]["connections"]) == 1  # merged
    assert peer.worst(peer.replay(net, steps), theirs["outputs"]) > 1e-3


# -------------------------------------------------------------------- exports, E1-E4
def run_export(doc, steps):
    return peer.run([{"seed": 1, "build": {"kind": "json", "network": doc}, "steps": steps}])[0]


def small_recurrent():
    net = Network(seed=3)
    net.add_neuron("i0", role="input")
    net.add_neuron("h0", activation="tanh")
    net.add_neuron("o0", role="output")
    net.connect("i0", "h0", 0.7)
    net.connect("h0", "h0", 0.5)  # a self-connection of weight 0.5 (E1)
    net.connect("h0", "o0", -1.1)
    return net


def test_e1_self_connection_weight_other_than_1():
    net = small_recurrent()
    steps = peer.steps_for(1, 1, np.random.default_rng(0), count=40, rate=0.2)
    with pytest.raises(NetworkFormatError, match=r"self-connection 'h0' -> 'h0' has weight "
                                                 r"0.5; Synaptic's fromJSON sets"):
        net.to_synaptic()
    with pytest.warns(SynapticFidelityWarning, match="self-connection 'h0' -> 'h0'"):
        doc = net.to_synaptic(strict=False)
    assert peer.worst(peer.replay(net, steps), run_export(doc, steps)["outputs"]) > 1e-3
    net = small_recurrent()
    net.graph["h0"]["h0"]["weight"] = 1.0
    doc = net.to_synaptic()
    assert peer.worst(peer.replay(net, steps), run_export(doc, steps)["outputs"]) < 1e-12


def test_e2_output_before_hidden_neurons():
    """fromJSON runs outputs last; netgraph refuses only when that changes the order of
    two neurons a synapse or a gate links."""
    net = Network(seed=1)
    net.add_neuron("i0", role="input")
    net.add_neuron("o0", role="output")
    net.add_neuron("h0")
    net.connect("i0", "o0", 0.5)
    net.connect("i0", "h0", 0.9)
    net.connect("o0", "h0", 1.3)  # o0 runs before h0 and feeds it this step
    net.connect("h0", "o0", -0.8, delay=1)
    assert net._plan().neurons == ["i0", "o0", "h0"]
    steps = peer.steps_for(1, 1, np.random.default_rng(1), count=40, rate=0.2)
    with pytest.raises(NetworkFormatError, match="output neuron 'o0' runs before hidden"):
        net.to_synaptic()
    with pytest.warns(SynapticFidelityWarning):
        doc = net.to_synaptic(strict=False)
    assert peer.worst(peer.replay(net, steps), run_export(doc, steps)["outputs"]) > 1e-6
    # an output that runs early but is not linked to the hidden neurons it passes: exact
    net = Network(seed=1)
    net.add_neuron("i0", role="input")
    net.add_neuron("o0", role="output")
    net.add_neuron("h0")
    net.add_neuron("o1", role="output")
    net.connect("i0", "o0", 0.5)
    net.connect("i0", "h0", 0.9)
    net.connect("h0", "o1", 1.3)
    doc = net.to_synaptic()
    assert [n["layer"] for n in doc["neurons"]] == ["input", 0, "output", "output"]
    assert peer.worst(peer.replay(net, steps[:0] + [
        s if s["op"] == "activate" else {**s, "target": [0.2, 0.7]} for s in steps]),
        run_export(doc, [s if s["op"] == "activate" else {**s, "target": [0.2, 0.7]}
                         for s in steps])["outputs"]) < 1e-12


def test_e3_fixed_neurons():
    from netgraph.architect import NARX

    net = NARX(1, 2, 1, previous_input=1, previous_output=1, seed=0)
    with pytest.raises(NetworkFormatError, match=r"neuron '\w+' is fixed .* Synaptic has no "
                                                 "such neuron and would train it"):
        net.to_synaptic()
    with pytest.warns(SynapticFidelityWarning, match="is fixed"):
        net.to_synaptic(strict=False)


def test_e4_hidden_neuron_that_feeds_nothing_warns():
    net = Network(seed=1)
    net.add_neuron("i0", role="input")
    net.add_neuron("h0")
    net.add_neuron("h1")
    net.add_neuron("o0", role="output")
    net.connect("i0", "h0", 0.5)
    net.connect("i0", "h1", 0.5)
    net.connect("h0", "o0", 0.5)
    with pytest.warns(SynapticFidelityWarning, match=r"hidden neuron\(s\) 'h1' feed nothing"):
        doc = net.to_synaptic()
    theirs = run_export(doc, [{"op": "activate", "input": [0.3]}])
    assert len(theirs["outputs"][0]) == 2  # Synaptic returns h1 as an output too


def test_e4_import_warns_about_neurons_synaptic_ran_as_extra_outputs():
    prog = layers_program([2, 3, 2, 1], [["project", 0, 1, None, None],
                                         ["project", 0, 2, None, None],
                                         ["project", 1, 3, None, None]],
                          steps=[{"op": "activate", "input": [0.5, -0.5]}])
    reply = peer.run([prog])[0]
    assert len(reply["outputs"][0]) == 3  # Synaptic returns the two dead neurons too
    with pytest.warns(SynapticFidelityWarning, match=r"'h3', 'h4' feed nothing"):
        Network.from_synaptic(reply["initial"])
