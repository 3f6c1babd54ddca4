"""The compiled path against the reference evaluator, batches against single samples."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ALL, random_dag

from netgraph import CycleError, InputError, Network, TopologyError, _fast, _reference
from netgraph.architect import Perceptron


def _reference_outputs(net, x):
    v = _reference.activate(net.graph, x)
    return np.array([v["y"][o] for o in net.outputs])


@pytest.mark.parametrize("seed", range(12))
def test_activate_matches_reference_on_random_dags(seed):
    rng = np.random.default_rng(seed)
    G = random_dag(rng, n_in=int(rng.integers(1, 5)), n_hidden=int(rng.integers(0, 15)),
                   n_out=int(rng.integers(1, 4)), p=float(rng.uniform(0.1, 0.9)))
    net = Network.from_graph(G)
    for x in rng.normal(0, 1.5, (5, len(net.inputs))):
        np.testing.assert_allclose(net.activate(x), _reference_outputs(net, x),
                                   rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_propagate_matches_reference_on_random_dags(seed):
    rng = np.random.default_rng(100 + seed)
    G = random_dag(rng, n_in=3, n_hidden=10, n_out=2, p=0.4,
                   activations=["logistic", "tanh", "softsign", "sinusoid", "gaussian"])
    fast, ref = Network.from_graph(G), Network.from_graph(G)
    for _ in range(50):
        x, t = rng.uniform(-1, 1, 3), rng.uniform(0, 1, 2)
        y_fast = fast.activate(x)
        fast.propagate(0.2, t)
        v = _reference.activate(ref.graph, x)
        _reference.propagate(ref.graph, v, 0.2, t)
        np.testing.assert_allclose(y_fast, [v["y"][o] for o in ref.outputs], atol=1e-12)
    for u, v in G.edges:
        assert fast.graph[u][v]["weight"] == pytest.approx(ref.graph[u][v]["weight"], abs=1e-12)
    for n in G:
        assert fast.graph.nodes[n]["bias"] == pytest.approx(ref.graph.nodes[n]["bias"], abs=1e-12)


@pytest.mark.parametrize("shape", ["sparse", "layered-small", "layered-blas"])
def test_batch_rows_equal_single_samples(rng, shape):
    # Equal up to the order of summation: vectorized and BLAS sums may round differently.
    if shape == "sparse":
        net = Network.from_graph(random_dag(rng, 4, 12, 3))
    else:
        sizes = (4, 5, 3) if shape == "layered-small" else (4, 90, 60, 3)
        net = Perceptron(*sizes, seed=1)
        for n in net.graph:
            net.graph.nodes[n]["activation"] = str(rng.choice(ALL))
        net.graph.nodes[net.inputs[0]]["activation"] = "tanh"
    X = rng.normal(0, 1, (7, 4))
    batch = net.activate(X)
    assert batch.shape == (7, 3)
    for row, x in zip(batch, X, strict=True):
        np.testing.assert_allclose(row, net.activate(x), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(row, _reference_outputs(net, x), rtol=1e-12, atol=1e-14)
    assert net.activate(X[:0]).shape == (0, 3)


def test_layered_nets_take_the_blas_path():
    small, big = Perceptron(4, 5, 3), Perceptron(4, 90, 60, 3)
    assert small._plan().blocks is not None and not _fast.dense(small._plan())
    assert _fast.dense(big._plan())
    big.connect(big.inputs[0], big.outputs[0])  # a skip connection breaks the blocks
    assert not _fast.dense(big._plan())


def test_activate_returns_numpy_of_the_right_shape(rng):
    net = Network.from_graph(random_dag(rng, 2, 3, 1))
    y = net.activate([0.5, -1])
    assert isinstance(y, np.ndarray) and y.shape == (1,) and y.dtype == np.float64
    assert net.activate(np.array([[1, 0]], dtype=np.int32)).shape == (1, 1)


def test_propagate_learns_from_last_row_of_a_batch(rng):
    G = random_dag(rng, 2, 4, 1)
    a, b = Network.from_graph(G), Network.from_graph(G)
    X = rng.normal(0, 1, (3, 2))
    a.activate(X)
    a.propagate(0.5, [1.0])
    b.activate(X[-1])
    b.propagate(0.5, [1.0])
    assert [a.graph[u][v]["weight"] for u, v in G.edges] == [
        b.graph[u][v]["weight"] for u, v in G.edges]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([1.0], "has 2 inputs, got 1"),
        ([1.0, 2.0, 3.0], "has 2 inputs, got 3"),
        ([1.0, float("nan")], r"input\[1\] is nan"),
        ([float("inf"), 0.0], r"input\[0\] is inf"),
        (["a", "b"], "must be numbers"),
        ([[[1.0, 2.0]]], "1-D .* or 2-D"),
        ([[1.0, 2.0], [0.0, float("nan")]], r"input\[1, 1\] is nan"),
        ([None, 1.0], "must be numbers"),
    ],
)
def test_bad_inputs_are_clear_errors(bad, message):
    net = Network.from_graph(random_dag(np.random.default_rng(0), 2, 3, 1))
    with pytest.raises(InputError, match=message):
        net.activate(bad)


def test_bad_targets_and_rates():
    net = Network.from_graph(random_dag(np.random.default_rng(0), 2, 3, 2))
    with pytest.raises(InputError, match="activate first"):
        net.propagate(0.1, [0, 1])
    net.activate([0, 1])
    before = [net.graph[u][v]["weight"] for u, v in net.synapses]
    with pytest.raises(InputError, match="2 outputs"):
        net.propagate(0.1, [1])
    with pytest.raises(InputError, match=r"target\[1\] is nan"):
        net.propagate(0.1, [1, float("nan")])
    with pytest.raises(InputError, match="rate must be finite"):
        net.propagate(float("inf"), [1, 0])
    with pytest.raises(InputError, match="rate must be a real number"):
        net.propagate("0.1", [1, 0])
    assert before == [net.graph[u][v]["weight"] for u, v in net.synapses]


def test_cycle_is_an_error_that_names_it():
    net = Network.from_graph(random_dag(np.random.default_rng(1), 1, 0, 1))
    net.add_neuron("a")
    net.add_neuron("b")
    net.connect("in0", "a", 0.5)
    net.connect("a", "b", 0.5)
    net.connect("b", "a", 0.5)
    with pytest.raises(CycleError, match="cycle without a delayed synapse: 'a' -> 'b' -> 'a'"):
        net.activate([1.0])
    net.disconnect("b", "a")
    net.activate([1.0])


def test_self_loop_is_a_cycle():
    net = Network.from_graph(random_dag(np.random.default_rng(1), 1, 0, 1))
    net.graph.add_edge("out0", "out0", weight=1.0)  # through networkx: no delay given
    with pytest.raises(CycleError, match="'out0' -> 'out0'"):
        net.activate([1.0])
    net.graph["out0"]["out0"]["delay"] = 1
    assert net.activate([1.0]).shape == (1,)


def test_graph_without_inputs_or_outputs():
    net = Network()
    with pytest.raises(TopologyError, match="no neurons"):
        net.activate([1])
    net.add_neuron("x", role="input")
    with pytest.raises(TopologyError, match="no output neuron"):
        net.activate([1])


def test_input_neuron_cannot_have_incoming_synapses():
    net = Network.from_graph(random_dag(np.random.default_rng(1), 2, 1, 1))
    net.graph.add_edge("hid0", "in1", weight=1.0)
    with pytest.raises(TopologyError, match="input neuron 'in1' has an incoming synapse"):
        net.activate([1, 2])


def test_propagate_after_clear_is_refused_and_changes_nothing():
    from conftest import xor_net

    from netgraph.architect import LSTM

    for net, x, t in ((xor_net(seed=1), [1, 0], [1]), (LSTM(2, 2, 1, seed=0), [1, 0], [1])):
        net.activate(x)
        net.clear()  # forgets the last activation: there is nothing to learn from
        before = [list(net.graph.edges(data="weight")), list(net.graph.nodes(data="bias"))]
        with pytest.raises(InputError, match="propagate needs an activate first"):
            net.propagate(0.3, t)
        assert [list(net.graph.edges(data="weight")),
                list(net.graph.nodes(data="bias"))] == before
        net.activate(x)
        net.propagate(0.3, t)  # after a new activate it learns again
        assert list(net.graph.edges(data="weight")) != before[0]
