"""Evolve XOR with neat-python, then import, draw and save the winner with netgraph.

    python examples/from_neat.py [output folder]   # default: out/

neat-python (``pip install neat-python``) evolves a small network for XOR, seeded so
that every run finds the same winner in a few seconds. netgraph then

1. imports the winning genome with ``netgraph.interop.from_neat(genome, config)``, which
   builds what neat-python's own ``FeedForwardNetwork.create`` builds, and checks that
   both compute the same outputs;
2. reads the same winner from neat-python's ``export_network_json`` file with
   ``from_neat_json`` (also what ``netgraph convert winner.neat.json -o net.json`` does);
3. draws it (``winner.svg``; DOT source without Graphviz), which neat-python leaves to a
   ``visualize.py`` outside the package;
4. saves it as netgraph JSON (``winner.json``) and as an ONNX model (``winner.onnx``),
   which onnxruntime runs to the same outputs.

Needs neat-python, and onnx and onnxruntime for the last step
(``pip install neat-python 'netgraph-nn[onnx]' onnxruntime``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import neat
import numpy as np
from neat.export import export_network_json

from netgraph import GraphvizNotFoundError, Network
from netgraph.interop import from_neat, from_neat_json, to_onnx

XOR_INPUTS = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
XOR_OUTPUTS = [0.0, 1.0, 1.0, 0.0]
SEED = 3

CONFIG = """
[NEAT]
fitness_criterion     = max
fitness_threshold     = 3.9
pop_size              = 150
reset_on_extinction   = False
no_fitness_termination = False
seed                  = {seed}

[DefaultGenome]
num_inputs              = 2
num_hidden              = 0
num_outputs             = 1
feed_forward            = True
initial_connection      = full_direct
activation_default      = sigmoid
activation_mutate_rate  = 0.0
activation_options      = sigmoid
aggregation_default     = sum
aggregation_mutate_rate = 0.0
aggregation_options     = sum
bias_init_mean          = 0.0
bias_init_stdev         = 1.0
bias_max_value          = 30.0
bias_min_value          = -30.0
bias_mutate_power       = 0.5
bias_mutate_rate        = 0.7
bias_replace_rate       = 0.1
response_init_mean      = 1.0
response_init_stdev     = 0.0
response_max_value      = 30.0
response_min_value      = -30.0
response_mutate_power   = 0.0
response_mutate_rate    = 0.0
response_replace_rate   = 0.0
weight_init_mean        = 0.0
weight_init_stdev       = 1.0
weight_max_value        = 30
weight_min_value        = -30
weight_mutate_power     = 0.5
weight_mutate_rate      = 0.8
weight_replace_rate     = 0.1
enabled_default         = True
enabled_mutate_rate     = 0.01
compatibility_disjoint_coefficient = 1.0
compatibility_weight_coefficient   = 0.5
conn_add_prob           = 0.5
conn_delete_prob        = 0.5
node_add_prob           = 0.2
node_delete_prob        = 0.2

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


def evolve(seed: int = SEED, generations: int = 300) -> tuple[neat.DefaultGenome, neat.Config]:
    """Evolve an XOR network with neat-python.

    **Arguments**
    - ``seed``: neat-python's random seed (the run is deterministic for a seed).
    - ``generations``: give up after this many.

    **Returns** ``(winner, config)``: the best genome and the configuration it needs.
    """
    with tempfile.TemporaryDirectory() as folder:  # neat.Config reads a file
        path = Path(folder) / "xor.ini"
        path.write_text(CONFIG.format(seed=seed))
        config = neat.Config(neat.DefaultGenome, neat.DefaultReproduction,
                             neat.DefaultSpeciesSet, neat.DefaultStagnation, str(path))

    def fitness(genomes: list, config: neat.Config) -> None:
        for _, genome in genomes:
            net = neat.nn.FeedForwardNetwork.create(genome, config)
            genome.fitness = 4.0 - sum((net.activate(x)[0] - t) ** 2
                                       for x, t in zip(XOR_INPUTS, XOR_OUTPUTS, strict=True))

    population = neat.Population(config)
    winner = population.run(fitness, generations)
    print(f"neat-python evolved XOR: fitness {winner.fitness:.4f} after "
          f"{population.generation} generations")
    return winner, config


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    winner, config = evolve()
    theirs = neat.nn.FeedForwardNetwork.create(winner, config)

    net = from_neat(winner, config)
    hidden = sum(1 for _, role in net.graph.nodes(data="role") if role == "hidden")
    kinds = sorted({a for _, a in net.graph.nodes(data="activation")} - {"identity"})
    print(f"imported the winner: {len(net.neurons)} neurons ({hidden} hidden), "
          f"{len(net.synapses)} synapses, activation {', '.join(kinds)}")
    worst = 0.0
    for x, t in zip(XOR_INPUTS, XOR_OUTPUTS, strict=True):
        ours, want = float(net.activate(np.array(x))[0]), theirs.activate(x)[0]
        worst = max(worst, abs(ours - want))
        print(f"  {x[0]:.0f} xor {x[1]:.0f} = {t:.0f}: netgraph {ours:.6f}, "
              f"neat-python {want:.6f}")
    print(f"netgraph and neat-python agree to {worst:.1e}")

    exported = out / "winner.neat.json"
    exported.write_text(export_network_json(theirs, metadata={"fitness": winner.fitness}))
    again = from_neat_json(exported)
    same = all(again.activate(np.array(x))[0] == net.activate(np.array(x))[0]
               for x in XOR_INPUTS)
    print(f"read {exported.name} (neat-python's export_network_json) back: "
          f"{'the same network' if same else 'a different network'}")

    try:
        print(f"drew {net.render(out / 'winner.svg', biases=True, title='neat-python XOR')}")
    except GraphvizNotFoundError as e:
        dot = out / "winner.dot"
        dot.write_text(net.to_dot(biases=True, title="neat-python XOR"))
        print(f"wrote {dot} (Graphviz is not installed, so no picture): {e}")
    saved = net.save(out / "winner.json")
    loaded = Network.load(saved)
    assert all(loaded.activate(np.array(x))[0] == net.activate(np.array(x))[0]
               for x in XOR_INPUTS)
    print(f"saved {saved}: netgraph JSON, which Network.load reads back bit for bit")

    import onnxruntime

    model = out / "winner.onnx"
    to_onnx(net, model)
    session = onnxruntime.InferenceSession(model.read_bytes())
    inputs = np.array(XOR_INPUTS)
    difference = np.abs(session.run(None, {"input": inputs})[0] - net.activate(inputs)).max()
    print(f"saved {model}: onnxruntime gives the same outputs to {difference:.1e}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out"))
