"""Shared helpers: the Synaptic fixtures, their replay, and random graphs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from netgraph import Network

FIXTURES = Path(__file__).parent / "fixtures" / "synaptic"


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def replay(net, steps, activate=None, propagate=None) -> list[list[float]]:
    """Run a fixture's steps; returns every activate's output, in order."""
    activate = activate or net.activate
    propagate = propagate or net.propagate
    outputs: list[list[float]] = []

    def run(steps):
        for step in steps:
            op = step["op"]
            if op == "activate":
                outputs.append(list(activate(step["input"])))
            elif op == "propagate":
                propagate(step["rate"], step["target"])
            elif op == "clear":
                net.clear()
            elif op == "repeat":
                for _ in range(step["times"]):
                    run(step["steps"])
            else:
                raise AssertionError(f"unknown op {op}")

    run(steps)
    return outputs


ALL = ["logistic", "tanh", "identity", "relu", "softsign", "sinusoid", "gaussian",
       "bent_identity", "bipolar_sigmoid", "hard_tanh", "absolute", "inverse", "selu",
       "leaky_relu", "softplus"]


def random_dag(
    rng: np.random.Generator,
    n_in: int = 3,
    n_hidden: int = 8,
    n_out: int = 2,
    p: float = 0.5,
    activations: list[str] | None = None,
) -> nx.DiGraph:
    """A random DAG with skip connections, neurons added in a shuffled (non-topological) order.

    Every edge goes from an earlier neuron to a later one in a hidden random rank;
    outputs may feed other outputs.
    """
    activations = activations or ALL
    ranked = [("in", k) for k in range(n_in)]
    rest = [("hid", k) for k in range(n_hidden)] + [("out", k) for k in range(n_out)]
    rng.shuffle(rest)
    ranked += rest
    G = nx.DiGraph()
    insertion = list(ranked)
    rng.shuffle(insertion)
    for kind, k in insertion:
        role = {"in": "input", "hid": "hidden", "out": "output"}[kind]
        G.add_node(f"{kind}{k}", role=role, bias=float(rng.normal(0, 0.5)),
                   activation=str(rng.choice(activations)), layer=role)
    names = [f"{kind}{k}" for kind, k in ranked]
    for j in range(n_in, len(names)):
        sources = [i for i in range(j) if rng.random() < p] or [int(rng.integers(0, n_in))]
        for i in sources:
            G.add_edge(names[i], names[j], weight=float(rng.normal(0, 0.8)))
    return G


@pytest.fixture
def graphviz_dot() -> str:
    """Graphviz's ``dot`` program; the test fails, saying what to install, without it.

    One policy for every missing peer: fail with the command that installs it, never skip
    (``bash scripts/bootstrap`` as root installs it)."""
    dot = shutil.which("dot")
    assert dot is not None, ("Graphviz's `dot` program is needed: run `bash scripts/bootstrap` "
                             "as root, or `sudo apt-get install graphviz`")
    return dot


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def xor_net(seed: int = 0) -> Network:
    from netgraph import Layer

    inp, hid, out = Layer(2), Layer(3), Layer(1)
    inp.project(hid)
    hid.project(out)
    return Network(input=inp, hidden=[hid], output=out, seed=seed)


def random_recurrent(rng: np.random.Generator, n_in: int = 2, n_hidden: int = 8, n_out: int = 2,
                     activations: list[str] | None = None) -> nx.DiGraph:
    """A random DAG plus delayed back edges, self-connections and gated synapses."""
    G = random_dag(rng, n_in, n_hidden, n_out, p=0.4,
                   activations=activations or ["logistic", "tanh", "softsign"])
    order = list(nx.topological_sort(G))
    later = [n for n in order if G.nodes[n]["role"] != "input"]
    for _ in range(n_hidden // 2 + 1):
        a, b = sorted(rng.choice(len(later), 2, replace=False))
        if not G.has_edge(later[b], later[a]):
            G.add_edge(later[b], later[a], weight=float(rng.normal(0, 0.5)), delay=1)
    for n in rng.choice(later, max(1, len(later) // 3), replace=False):
        G.add_edge(n, n, weight=float(rng.uniform(0.2, 1.0)), delay=1)
    edges = list(G.edges)
    for k in rng.choice(len(edges), len(edges) // 3, replace=False):
        u, v = edges[k]
        G[u][v]["gater"] = str(rng.choice(later))
    return G


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """A skipped test fails the run, whatever skipped it: one policy for a missing peer
    (fail, saying what to install), and CI runs every test."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped, which this suite does not allow: {report.longrepr}"


# Files that take minutes on their own (a fresh clone's whole set-up, Ray clusters): they run
# first, so that with several workers (scripts/test) the rest of the suite runs beside them
# rather than after them.
LONG_FILES = ("test_quickstart.py", "test_neat_ray.py", "test_packaging.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONG_FILES.index(name) if name in LONG_FILES else len(LONG_FILES)

    items.sort(key=rank)  # stable: every other test keeps its order
