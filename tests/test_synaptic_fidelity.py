"""netgraph against the real Synaptic.js 1.1.4, rule by rule (issue 11).

Each test runs a program in Synaptic under Node (``tests/synaptic_peer.js``), imports
or rebuilds the network in netgraph and compares. See the README's "Synaptic fidelity".
"""

from __future__ import annotations

import numpy as np
import pytest
import synaptic_peer as peer

from netgraph import Network, SynapticFidelityWarning, _reference


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
