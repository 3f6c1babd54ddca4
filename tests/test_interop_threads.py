"""Exporters (and diagrams) hold the network as copy, to_json and save do: while another
thread trains it, every exporter is refused with ConcurrencyError (never a mid-epoch or half-written
state), the refused calls leave no trace (the trainer computes the same bits as a twin
that ran alone), and the export made afterwards is the twin's, bit for bit."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import onnx
import pytest
import torch
from conftest import random_dag
from test_native_threads import _held_race, _weights

from netgraph import Network, interop
from netgraph._diagram import to_dot
from netgraph._page import page
from netgraph.architect import Perceptron


def _dag() -> Network:
    return Network.from_graph(random_dag(np.random.default_rng(12), 3, 10, 2,
                                         activations=["tanh", "logistic", "softsign"]))


def _layered() -> Network:
    return Perceptron(3, 6, 2, seed=14)  # logistic: what every format can hold


def _quiet(export: Callable[[Network], Any]) -> Callable[[Network], Any]:
    def run(net: Network) -> Any:
        with warnings.catch_warnings():  # fidelity notes are not what is tested here
            warnings.simplefilter("ignore")
            return export(net)
    return run


EXPORTERS: dict[str, tuple[Callable[[Network], Any], Callable[[], Network]]] = {
    "to_onnx": (interop.to_onnx, _dag),
    "to_torch": (interop.to_torch, _dag),
    "to_python": (interop.to_python, _dag),
    "to_javascript": (interop.to_javascript, _dag),
    "to_c": (interop.to_c, _dag),
    "to_neataptic": (_quiet(interop.to_neataptic), _dag),
    "to_brain": (_quiet(interop.to_brain), _layered),
    "to_neat_json": (_quiet(lambda n: interop.to_neat_json(
        n, metadata={"created_timestamp": "2020-01-01T00:00:00Z"})), _layered),
    "to_synaptic": (_quiet(interop.to_synaptic), _layered),
    # the diagram and the page read every weight too
    "to_dot": (lambda n: n.to_dot(), _dag),
    "to_dot of the graph": (lambda n: to_dot(n.graph), _dag),
    "page": (lambda n: page(n, layout="layered"), _dag),
}


def _comparable(exported: Any) -> Any:
    """What an export holds, as something == compares exactly."""
    if isinstance(exported, onnx.ModelProto):
        return exported.SerializeToString()
    if isinstance(exported, torch.nn.Module):
        return {k: v.detach().numpy().tobytes() for k, v in exported.state_dict().items()}
    return exported


@pytest.mark.parametrize("name", list(EXPORTERS))
def test_an_export_is_refused_while_another_thread_trains(name):
    export, make = EXPORTERS[name]
    net = make()
    twin = copy.deepcopy(net)
    rng = np.random.default_rng(16)
    X, T = rng.uniform(-1, 1, (32, 3)), rng.uniform(0, 1, (32, 2))

    def train(n: Network) -> None:
        for _ in range(30):
            n.train(X, T, rate=0.1, iterations=5, error=0)

    _, refused = _held_race(net, train, export)
    assert refused > 0
    train(twin)
    assert _weights(net) == _weights(twin)
    assert _comparable(export(net)) == _comparable(export(twin))


def test_an_export_inside_this_threads_own_hold_runs():
    from netgraph import _fast

    net = _layered()
    with _fast.exclusive(net.graph):
        inside = interop.to_python(net)
    assert inside == interop.to_python(net)


def test_an_export_of_a_held_network_writes_no_file(tmp_path):
    net = _layered()
    path = tmp_path / "net.onnx"
    X = np.random.default_rng(17).uniform(-1, 1, (32, 3))

    def train(n: Network) -> None:
        for _ in range(30):
            n.train(X, np.zeros((32, 2)), rate=0.1, iterations=5, error=0)

    _, refused = _held_race(net, train, lambda n: interop.to_onnx(n, path))
    assert refused > 0
    assert list(tmp_path.iterdir()) == []
