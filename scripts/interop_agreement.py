"""Measure how closely netgraph's imports and exports agree with the real peers.

    python scripts/interop_agreement.py [--quick]

Runs many more networks than the tests do, each way, and prints the largest difference
seen per peer:

- neat-python 2.0.0: random genomes (neat's own mutations, every built-in activation,
  sum and mean aggregation, random responses), feed-forward and recurrent, imported from
  the genome and from ``export_network_json``, run step by step beside neat-python; and
  ``to_neat_json`` rebuilt into neat-python genomes. Differences are relative above 1,
  absolute below.
- Neataptic 1.4.7 (Node): architect networks and networks grown by Neataptic's own
  mutations, imported and run step by step; netgraph networks written with
  ``to_neataptic`` and run in Neataptic. Absolute differences.
- brain.js 1.6.1 (Node): trained networks of each activation imported; netgraph networks
  written with ``to_brain``. Relative above 1, absolute below.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import js_peers  # noqa: E402
import neat  # noqa: E402
from conftest import random_recurrent  # noqa: E402
from neat.export import export_network_json  # noqa: E402
from test_neat import BOUNDED, genome_from_document, make_config, random_genome  # noqa: E402

from netgraph import ConversionWarning, Layer, Network  # noqa: E402
from netgraph.interop import (  # noqa: E402
    from_brain,
    from_neat,
    from_neat_json,
    from_neataptic,
    to_brain,
    to_neat_json,
    to_neataptic,
)
from netgraph.interop._neat import ACTIVATIONS  # noqa: E402


def scaled(got, want) -> float:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return float((np.abs(got - want) / np.maximum(1.0, np.abs(want))).max())


def neat_python(count: int, folder: Path) -> dict[str, float]:
    """Feed-forward: the largest difference over all genomes and inputs. Recurrent: the
    first step's (the same starting state) and the last of 20, and how many genomes end
    above 1e-12: recurrent loops through neat's sin(5z) and the like are chaotic, and grow
    a 1e-16 rounding difference about tenfold a step."""
    out = {}
    for feed_forward in (True, False):
        random.seed(21 if feed_forward else 22)
        config = make_config(folder, feed_forward=feed_forward,
                             activations=" ".join(ACTIVATIONS) if feed_forward else BOUNDED)
        maker = neat.nn.FeedForwardNetwork if feed_forward else neat.nn.RecurrentNetwork
        rng = np.random.default_rng(3)
        first_in = first_out = worst_in = worst_out = 0.0
        grew = 0
        for key in range(count):
            genome = random_genome(config, key, random.randrange(5, 60))
            made = maker.create(genome, config)
            nets = [from_neat(genome, config, recurrent=not feed_forward),
                    from_neat_json(export_network_json(made))]
            doc = to_neat_json(nets[0])  # recurrent genomes may come back feed-forward
            back = neat.nn.FeedForwardNetwork if doc["network_type"] == "feedforward" \
                else neat.nn.RecurrentNetwork
            rebuilt = back.create(genome_from_document(doc, make_config(
                folder, feed_forward=feed_forward)), config)
            this = 0.0
            for step, x in enumerate(rng.uniform(-2, 2, (20, 3))):
                want = made.activate(list(x))
                d_in = max(scaled(net.activate(x), want) for net in nets)
                d_out = scaled(rebuilt.activate(list(x)), want)
                if step == 0:
                    first_in, first_out = max(first_in, d_in), max(first_out, d_out)
                worst_in, worst_out = max(worst_in, d_in), max(worst_out, d_out)
                this = max(this, d_in, d_out)
            grew += this > 1e-12
        kind = "feed-forward" if feed_forward else "recurrent"
        if feed_forward:
            out[f"neat-python {kind}, import ({count} genomes x 20 inputs)"] = worst_in
            out[f"neat-python {kind}, to_neat_json rebuilt in neat-python"] = worst_out
        else:
            out[f"neat-python {kind}, import, first step ({count} genomes)"] = first_in
            out[f"neat-python {kind}, to_neat_json rebuilt, first step"] = first_out
            out[f"neat-python {kind}, either way, 20 steps (all genomes)"] = max(worst_in,
                                                                                worst_out)
            out[f"neat-python {kind}: genomes above 1e-12 within 20 steps (chaotic)"] = grew
    return out


GROW = ["ADD_NODE", "ADD_NODE", "ADD_CONN", "ADD_CONN", "ADD_GATE", "ADD_BACK_CONN",
        "ADD_SELF_CONN", "MOD_ACTIVATION", "MOD_WEIGHT", "MOD_BIAS", "SUB_CONN", "SUB_GATE",
        "SWAP_NODES"]


def neataptic(count: int) -> dict[str, float]:
    rng = np.random.default_rng(5)
    programs = [{"seed": k + 1, "build": {"kind": kind, "args": args},
                 "inputs": rng.uniform(-1, 1, (30, args[0])).tolist()}
                for k, (kind, args) in enumerate([
                    ("Perceptron", [3, 8, 6, 2]), ("LSTM", [2, 6, 2]), ("LSTM", [2, 4, 4, 1]),
                    ("GRU", [2, 6, 2]), ("GRU", [1, 3, 3, 1]), ("NARX", [2, [4], 1, 3, 3])])]
    programs += [{"seed": 1000 + k, "build": {"kind": "Network", "args": [3, 2]},
                  "mutate": {"methods": GROW, "count": 150},
                  "inputs": rng.uniform(-1, 1, (30, 3)).tolist()} for k in range(count)]
    replies = js_peers.neataptic(programs)
    arch = evolved = first = 0.0
    for program, reply in zip(programs, replies, strict=True):
        net = from_neataptic(reply["json"])
        got = [net.activate(np.asarray(x)).tolist() for x in program["inputs"]]
        d = max(js_peers.worst(got, reply["outputs"]), js_peers.worst(got, reply["original"]))
        if program["build"]["kind"] == "Network":
            evolved = max(evolved, d)
            first = max(first, js_peers.worst(got[:1], reply["outputs"][:1]))
        else:
            arch = max(arch, d)
    nets = [Network.from_graph(_tanh(random_recurrent(rng))) for _ in range(count // 2)]
    progs = [{"seed": 1, "build": {"kind": "json", "network": to_neataptic(n)},
              "inputs": rng.uniform(-1, 1, (30, len(n.inputs))).tolist()} for n in nets]
    export = 0.0
    for net, program, reply in zip(nets, progs, js_peers.neataptic(progs), strict=True):
        got = [net.activate(np.asarray(x)).tolist() for x in program["inputs"]]
        export = max(export, js_peers.worst(got, reply["outputs"]))
    return {"Neataptic architect (LSTM, GRU, NARX, Perceptron), import": arch,
            f"Neataptic evolved (gates, back/self connections; {count} nets), import, "
            "first step": first,
            "Neataptic evolved, import, 30 steps": evolved,
            f"Neataptic, to_neataptic of {len(nets)} random gated recurrent nets": export}


def _tanh(G):
    for n in G:
        G.nodes[n]["activation"] = "tanh"
    return G


def brain(count: int) -> dict[str, float]:
    rng = np.random.default_rng(8)
    programs = []
    for k in range(count):
        kind = ["sigmoid", "relu", "tanh", "leaky-relu"][k % 4]
        hidden = [int(h) for h in rng.integers(2, 9, size=int(rng.integers(1, 4)))]
        data = [{"input": rng.uniform(0, 1, 4).tolist(), "output": rng.uniform(0, 1, 2).tolist()}
                for _ in range(10)]
        programs.append({"seed": k + 1, "options": {"hiddenLayers": hidden, "activation": kind},
                         "train": {"data": data, "options": {"iterations": 30}},
                         "inputs": rng.uniform(-1, 2, (20, 4)).tolist()})
    worst = 0.0
    for program, reply in zip(programs, js_peers.brain(programs), strict=True):
        net = from_brain(reply["json"])
        worst = max(worst, scaled([net.activate(np.asarray(x)) for x in program["inputs"]],
                                  reply["outputs"]))
    nets = []
    for k in range(count // 2):
        act = ["logistic", "relu", "tanh", "brain_leaky_relu"][k % 4]
        layers = [Layer(4)] + [Layer(int(rng.integers(2, 9)), activation=act)
                               for _ in range(int(rng.integers(1, 4)))] + [Layer(2, act)]
        for a, b in itertools.pairwise(layers):
            a.project(b)
        net = Network(input=layers[0], hidden=layers[1:-1], output=layers[-1], seed=k)
        for u, v in net.graph.edges:
            net.graph[u][v]["weight"] = float(rng.normal(0, 1))
        nets.append(net)
    inputs = rng.uniform(-1, 1, (20, 4))
    progs = [{"json": to_brain(n), "inputs": inputs.tolist()} for n in nets]
    export = 0.0
    for net, reply in zip(nets, js_peers.brain(progs), strict=True):
        export = max(export, scaled(net.activate(inputs), reply["outputs"]))
    return {f"brain.js import ({count} trained nets, all 4 activations)": worst,
            f"brain.js, to_brain of {len(nets)} random layered nets": export}


def main(argv: list[str]) -> int:
    warnings.simplefilter("ignore", ConversionWarning)  # what they say is tested elsewhere
    quick = "--quick" in argv
    start = time.perf_counter()
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        results.update(neat_python(40 if quick else 300, Path(folder)))
    results.update(neataptic(20 if quick else 200))
    results.update(brain(12 if quick else 80))
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value:.2e}")
    print(f"({time.perf_counter() - start:.0f} s)")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
