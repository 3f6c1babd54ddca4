"""Evolve XOR with netgraph.neat, then draw the champion and save it as JSON and ONNX.

    python examples/neat_xor.py [output folder]   # default: out/

NEAT (Stanley & Miikkulainen 2002) with the paper's own parameters
(``neat.Config.paper``: c1 = c2 = 1, c3 = 0.4, δt = 3, population 150, the steepened
sigmoid, ...) evolves a network for XOR in netgraph's native core, seeded so every run
finds the same champion. The run stops at the first genome that ``neat.tasks.XOR()``
calls solved (every output on the right side of 0.5). The champion is a genome whose
``genome.network`` is a real ``netgraph.Network``: this example

1. prints the champion's outputs and its genes (innovation numbers included);
2. draws it (``neat_xor.svg``; DOT source without Graphviz);
3. saves it as netgraph JSON (``neat_xor.json``), with each synapse's innovation number;
4. exports it to ONNX (``neat_xor.onnx``), which onnxruntime runs to the same outputs;
5. writes the evolution page (``neat_xor_evolution.html``): fitness, species, champions.

Needs onnx and onnxruntime for the last step (``pip install 'netgraph-nn[onnx]'
onnxruntime``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import netgraph.neat as neat
from netgraph import GraphvizNotFoundError, Network
from netgraph.interop import to_onnx

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = [0, 1, 1, 0]
SEED = 2002


def evolve(seed: int = SEED) -> tuple[neat.Genome, neat.Population]:
    """Evolve an XOR network with the paper's parameters.

    **Arguments**
    - ``seed``: the run's seed (the run is the same, bit for bit, for a seed).

    **Returns** ``(champion, population)``.
    """
    config = neat.Config.paper(num_inputs=2, num_outputs=1)
    population = neat.Population(config, seed=seed)
    champion = population.run(neat.tasks.XOR(), 500)
    print(f"evolved XOR: solved in generation {population.generation} after "
          f"{population.evaluations} evaluations (fitness {champion.fitness:.4f})")
    return champion, population


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    champion, population = evolve()
    net = champion.network
    nodes, connections = champion.size()
    print(f"champion {champion.key}: {nodes} node genes, {connections} enabled connection "
          f"genes of {len(champion.connections)}; as a network {len(net.neurons)} neurons, "
          f"{len(net.synapses)} synapses")
    for (u, v), gene in champion.connections.items():
        state = "" if gene.enabled else "  (disabled: kept in the genome, not in the network)"
        print(f"  innovation {gene.innovation:>4}: {u:>3} -> {v:<3} weight "
              f"{gene.weight:+.4f}{state}")
    outputs = net.activate(XOR_INPUTS)[:, 0]
    for x, t, y in zip(XOR_INPUTS, XOR_TARGETS, outputs, strict=True):
        print(f"  {x[0]:.0f} xor {x[1]:.0f} = {t}: {y:.6f}")

    title = f"NEAT XOR champion (generation {population.generation})"
    try:
        print(f"drew {net.render(out / 'neat_xor.svg', biases=True, title=title)}")
    except GraphvizNotFoundError as e:
        dot = out / "neat_xor.dot"
        dot.write_text(net.to_dot(biases=True, title=title))
        print(f"wrote {dot} (Graphviz is not installed, so no picture): {e}")

    saved = net.save(out / "neat_xor.json")
    loaded = Network.load(saved)
    same = np.array_equal(loaded.activate(XOR_INPUTS), net.activate(XOR_INPUTS))
    print(f"saved {saved}: netgraph JSON, read back "
          f"{'bit for bit' if same else 'DIFFERENT'}, innovation numbers on its synapses")

    import onnxruntime

    model = out / "neat_xor.onnx"
    to_onnx(net, model)
    session = onnxruntime.InferenceSession(model.read_bytes(),
                                           providers=["CPUExecutionProvider"])
    difference = np.abs(session.run(None, {"input": XOR_INPUTS})[0] -
                        net.activate(XOR_INPUTS)).max()
    print(f"saved {model}: onnxruntime gives the same outputs to {difference:.1e}")

    page = neat.render_evolution(population, out / "neat_xor_evolution.html")
    print(f"wrote {page}: fitness, species and the champion of every generation")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out"))
