"""Operation fuzz of the native core: random networks, random sequences of the calls that
reach the kernels, with ordinary and hostile arguments.

Every call must either work or raise one of netgraph's own errors (``NetgraphError``) or
the TypeError/ValueError Python's own conventions give for an argument of the wrong
type; anything else is a finding, printed with the seed and the step that replays it.
Run under scripts/sanitize, a memory error or undefined behaviour in the kernels aborts
the process with the sanitizer's report.

Usage: python scripts/fuzz_native.py [--ops N] [--seed S]
"""

from __future__ import annotations

import argparse
import copy
import pickle
import sys
import traceback
import warnings
from typing import Any

import networkx as nx
import numpy as np

from netgraph import NetgraphError, Network, tasks
from netgraph.architect import LSTM, Perceptron

ACTIVATIONS = ["logistic", "tanh", "identity", "relu", "softsign", "selu", "softplus",
               "gaussian", "hlim", "bipolar_sigmoid", "elu", "neat_exp", "neat_log"]


def random_graph(rng: np.random.Generator) -> nx.DiGraph:
    """A random DAG: some neurons wide (>= 16 consecutive sources), some narrow."""
    n_in, n_hid = int(rng.integers(1, 24)), int(rng.integers(0, 40))
    n_out = int(rng.integers(1, 5))
    G = nx.DiGraph()
    names = []
    for k in range(n_in):
        G.add_node(f"i{k}", role="input", bias=0.0, activation="identity")
        names.append(f"i{k}")
    for role, count in (("hidden", n_hid), ("output", n_out)):
        for k in range(count):
            n = f"{role[0]}{k}"
            G.add_node(n, role=role, bias=float(rng.normal()),
                       activation=str(rng.choice(ACTIVATIONS)))
            if rng.random() < 0.3:  # a wide neuron: every earlier neuron, in order
                sources = names[:]
            else:
                sources = [s for s in names if rng.random() < 0.3] or [names[0]]
            for s in sources:
                G.add_edge(s, n, weight=float(rng.normal(0, 1)))
            names.append(n)
    return G


def random_network(rng: np.random.Generator) -> Network:
    kind = rng.integers(0, 4)
    seed = int(rng.integers(1 << 30))
    if kind == 0:
        return Network.from_graph(random_graph(rng))
    if kind == 1:
        sizes = (int(rng.integers(1, 40)), int(rng.integers(1, 80)), int(rng.integers(1, 6)))
        return Perceptron(*sizes, seed=seed)
    if kind == 2:
        return LSTM(int(rng.integers(1, 11)), int(rng.integers(1, 6)), int(rng.integers(1, 5)),
                    seed=seed)
    G = random_graph(rng)
    hidden = [n for n, a in G.nodes(data=True) if a["role"] == "hidden"]
    if hidden:  # a delayed self-connection makes it a gated plan
        h = str(rng.choice(hidden))
        G.add_edge(h, h, weight=0.5, delay=1)
    return Network.from_graph(G)


def hostile_array(rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
    """Values of this shape in one of many forms (and sometimes a wrong one)."""
    a = rng.normal(0, float(rng.choice([1.0, 10.0, 1e3, 1e300])), shape)
    form = int(rng.integers(0, 12))
    if form == 0:
        return a.astype(">f8")
    if form == 1:
        buf = np.zeros(a.nbytes + 1, dtype=np.uint8)
        out = buf[1:].view(np.float64).reshape(shape)
        out[...] = a
        return out
    if form == 2:
        return a.astype(np.float32)
    if form == 3:
        return np.round(a).astype(np.int64)
    if form == 4:
        return a.tolist()
    if form == 5 and a.size:
        a.flat[int(rng.integers(a.size))] = float(rng.choice([np.nan, np.inf, -np.inf]))
        return a
    if form == 6:  # one value too many or too few
        return rng.normal(size=(*shape[:-1], max(0, shape[-1] + int(rng.choice([-1, 1])))))
    if form == 7 and len(shape) == 2:
        return np.asfortranarray(a)
    if form == 8:
        return a[..., ::-1]
    return a


def step(rng: np.random.Generator, net: Network) -> Network:
    n_in, n_out = len(net.inputs), len(net.outputs)
    op = int(rng.integers(0, 14))
    if op == 0:
        net.activate(hostile_array(rng, (n_in,)))
    elif op == 1:
        rows = int(rng.choice([0, 1, 2, 127, 128, 129, 300]))
        net.activate(hostile_array(rng, (rows, n_in)))
    elif op == 2:
        rate = float(rng.choice([0.0, 0.1, 1.0, 1e300, -0.3]))
        net.propagate(rate, hostile_array(rng, (n_out,)))
    elif op == 3:
        rows = int(rng.integers(1, 40))
        opts: dict[str, Any] = dict(rate=float(rng.choice([0.01, 0.3, 1e200])),
                                    iterations=int(rng.integers(1, 6)),
                                    error=float(rng.choice([0.0, 0.1])))
        if rng.random() < 0.4 and net._plan().feedforward:
            opts["batch_size"] = int(rng.integers(1, rows + 2))
            opts["optimizer"] = str(rng.choice(["sgd", "adam"]))
        opts["cost"] = str(rng.choice(["mse", "mae", "cross_entropy", "binary"]))
        opts["shuffle"] = bool(rng.random() < 0.5)
        opts["seed"] = int(rng.integers(100))
        net.train(hostile_array(rng, (rows, n_in)), hostile_array(rng, (rows, n_out)), **opts)
    elif op == 4:
        net.clear(states=bool(rng.random() < 0.5))
    elif op == 5:
        net.reset(seed=int(rng.integers(100)))
    elif op == 6:
        rows = int(rng.integers(1, 20))
        net.gradient(hostile_array(rng, (rows, n_in)), hostile_array(rng, (rows, n_out)),
                     str(rng.choice(["mse", "mae", "cross_entropy"])))
    elif op == 7:
        net = pickle.loads(pickle.dumps(net)) if rng.random() < 0.5 else copy.deepcopy(net)
    elif op == 8:
        hidden = [n for n in net.neurons if net.graph.nodes[n]["role"] == "hidden"]
        if hidden and rng.random() < 0.5:
            net.remove_neuron(str(rng.choice(hidden)))
        else:
            name = f"x{int(rng.integers(1 << 30))}"
            net.add_neuron(name, activation=str(rng.choice(ACTIVATIONS)))
            net.connect(net.inputs[0], name, float(rng.normal()))
            net.connect(name, net.outputs[-1], float(rng.normal()))
    elif op == 9:
        u, v = net.synapses[int(rng.integers(len(net.synapses)))]
        net.graph[u][v]["weight"] = float(rng.normal(0, 1e3))
    elif op == 10 and n_in >= 10 and n_out == 4:
        tasks.dsr(net, iterations=int(rng.integers(1, 30)), seed=int(rng.integers(100)))
    elif op == 11:
        rows = int(rng.integers(1, 30))
        net.test(hostile_array(rng, (rows, n_in)), hostile_array(rng, (rows, n_out)),
                 cost=str(rng.choice(["mse", "mae", "binary", "cross_entropy"])))
    elif op == 12:
        Network.from_json(net.to_json())
    else:
        net = random_network(rng)
    return net


EXPECTED: tuple[type[BaseException], ...] = (NetgraphError, TypeError, ValueError)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")  # hostile targets draw TargetRangeWarning by the hundred
    rng = np.random.default_rng(args.seed)
    net = random_network(rng)
    findings = refused = 0
    errors: dict[str, int] = {}
    for k in range(args.ops):
        try:
            net = step(rng, net)
        except EXPECTED as e:
            refused += 1
            errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
        except Exception as e:
            findings += 1
            print(f"finding at op {k} (seed {args.seed}): {type(e).__name__}: {e}")
            traceback.print_exc()
            net = random_network(rng)
    print(f"fuzz_native: {args.ops} operations, {refused} refused with an expected error "
          f"{dict(sorted(errors.items()))}, {findings} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
