"""Synaptic's own test-suite tasks, run through netgraph's trainer.

Each runs with a fixed seed; the logic gates and XOR also across several seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from netgraph import Layer, Network
from netgraph.architect import Perceptron


def _gate(inputs, table, seed):
    inp, out = Layer(inputs), Layer(1)
    inp.project(out)
    net = Network(input=inp, output=out, seed=seed)
    data = [(x, [t]) for x, t in table]
    net.train(data, iterations=1000, error=0.001)
    return [round(float(net.activate(x)[0])) for x, _ in table]


AND = [([0, 0], 0), ([0, 1], 0), ([1, 0], 0), ([1, 1], 1)]
OR = [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 1)]
NOT = [([0], 1), ([1], 0)]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("name", "inputs", "table"),
                         [("AND", 2, AND), ("OR", 2, OR), ("NOT", 1, NOT)])
def test_logic_gates(name, inputs, table, seed):
    assert _gate(inputs, table, seed) == [t for _, t in table], name


@pytest.mark.parametrize("seed", range(5))
def test_xor_with_the_trainer(seed):
    net = Perceptron(2, 3, 1, seed=seed)
    data = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
    result = net.train(data, rate=0.2, error=0.005, cost="mse", shuffle=True, seed=seed)
    assert result.error <= 0.005
    out = net.activate([x for x, _ in data]).ravel()
    assert out[0] < 0.5 and out[1] > 0.5 and out[2] > 0.5 and out[3] < 0.5


def _sin_data(seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2 * math.pi, (800, 1))
    return x, (np.sin(x) + 1) / 2


def test_sin():
    X, T = _sin_data(0)
    net = Perceptron(1, 12, 1, seed=0)
    result = net.train(X, T, iterations=2000, error=1e-6, cost="mse")
    assert result.error <= 0.001


def test_sin_with_cross_validation():
    X, T = _sin_data(1)
    net = Perceptron(1, 12, 1, seed=1)
    result = net.train(X, T, iterations=2000, error=1e-6,
                       cross_validate={"test_size": 0.3, "test_error": 1e-6})
    assert result.error <= 0.001
    for x in (0.0, 0.5 * math.pi, 2.0):
        assert abs(net.activate([x])[0] - (math.sin(x) + 1) / 2) <= 0.035
