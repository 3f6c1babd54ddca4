"""PyTorch modules: outputs, autograd gradients, recurrent steps, and training round trips."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import ALL, random_dag
from exports import (
    every_activation,
    every_activation_inputs,
    expected_batch,
    expected_sequence,
    feedforward_zoo,
    inputs_for,
    recurrent_zoo,
)

from netgraph import ACTIVATIONS, MissingDependencyError, Network
from netgraph.architect import GRU, Perceptron
from netgraph.interop import load_torch_state, to_torch
from netgraph.interop._torch import TORCH_ACTIVATIONS


@pytest.fixture(scope="module")
def torch():
    import torch  # slow to import: once for the module

    return torch


FF = feedforward_zoo()
REC = recurrent_zoo()


def test_every_activation_has_a_torch_form():
    assert set(TORCH_ACTIVATIONS) == set(ACTIVATIONS)


def test_every_activation(torch):
    net = every_activation()
    X = every_activation_inputs()
    got = to_torch(net)(torch.tensor(X)).detach().numpy()
    np.testing.assert_allclose(got, expected_batch(net, X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(FF))
def test_feedforward_forward(torch, name):
    net = FF[name]
    X = inputs_for(net, 40)
    module = to_torch(net)
    assert {n for n, _ in module.named_parameters()} == {"weight", "bias"}
    assert all(isinstance(p, torch.nn.Parameter) for p in module.parameters())
    got = module(torch.tensor(X)).detach().numpy()
    np.testing.assert_allclose(got, expected_batch(net, X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
def test_autograd_gradient_equals_net_gradient(torch, seed, cost):
    rng = np.random.default_rng(seed)
    G = random_dag(rng, 3, 10, 2, p=0.5, activations=ALL)
    if cost == "cross_entropy":  # outputs in (0, 1)
        for n, role in G.nodes(data="role"):
            if role == "output":
                G.nodes[n]["activation"] = "logistic"
    net = Network.from_graph(G)
    X = rng.normal(size=(16, 3))
    T = rng.uniform(0.05, 0.95, size=(16, 2))
    want = net.gradient(X, T, cost=cost)
    module = to_torch(net)
    y = module(torch.tensor(X))
    t = torch.tensor(T)
    if cost == "mse":
        value = ((t - y) ** 2).mean(dim=1).mean()
    else:  # Synaptic's: a sum over outputs, logs kept 1e-15 away from 0
        eps = 1e-15
        value = -(t * torch.log(y + eps) + (1 - t) * torch.log((1 + eps) - y)).sum(dim=1).mean()
    value.backward()
    assert abs(value.item() - want.value) <= 1e-12 * max(1.0, abs(want.value))
    np.testing.assert_allclose(module.weight.grad.numpy(), want.weights, rtol=1e-10, atol=1e-10)
    n_in = len(net.inputs)
    np.testing.assert_allclose(module.bias.grad.numpy()[n_in:], want.biases[n_in:],
                               rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", sorted(REC))
def test_recurrent_step_module(torch, name):
    net = REC[name]
    X = inputs_for(net, 30)
    module = to_torch(net)
    state = None
    outs = []
    for x in X:
        out, state = module(torch.tensor(x[None]), state)
        outs.append(out[0].detach().numpy())
    np.testing.assert_allclose(outs, expected_sequence(net, X), rtol=1e-12, atol=1e-12)


def test_recurrent_batch_of_sequences_and_backprop_through_time(torch):
    net = REC["lstm"]
    module = to_torch(net)
    seqs = [inputs_for(net, 8, seed=s) for s in range(4)]
    state = module.initial_state(4)
    outs = []
    for t in range(8):
        out, state = module(torch.tensor(np.stack([s[t] for s in seqs])), state)
        outs.append(out)
    Y = torch.stack(outs)  # (time, batch, outputs)
    for k, seq in enumerate(seqs):
        np.testing.assert_allclose(Y[:, k].detach().numpy(), expected_sequence(net, seq),
                                   rtol=1e-12, atol=1e-12)
    Y.sum().backward()  # gradients flow through the whole sequence
    assert module.weight.grad is not None and np.isfinite(module.weight.grad.numpy()).all()
    assert np.abs(module.weight.grad.numpy()).max() > 0


def test_train_in_torch_and_load_back(torch):
    """A network goes to PyTorch, trains there with Adam, and returns: the trained graph
    computes what the trained module computes, and learned what the module learned."""
    rng = np.random.default_rng(3)
    net = Perceptron(2, 6, 1, seed=2)
    X = rng.uniform(-1, 1, size=(64, 2))
    T = (X[:, :1] * X[:, 1:] > 0).astype(float)  # XOR on signs
    module = to_torch(net)
    opt = torch.optim.Adam(module.parameters(), lr=0.05)
    Xt, Tt = torch.tensor(X), torch.tensor(T)
    before = ((module(Xt) - Tt) ** 2).mean().item()
    for _ in range(300):
        opt.zero_grad()
        loss = ((module(Xt) - Tt) ** 2).mean()
        loss.backward()
        opt.step()
    after = loss.item()
    assert after < before / 4
    load_torch_state(net, module)
    np.testing.assert_allclose(net.activate(X), module(Xt).detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    assert net.test(X, T) == pytest.approx(((module(Xt) - Tt) ** 2).mean().item(), rel=1e-9)
    # and the state dict alone does it as well, into a copy of the untrained network
    fresh = Perceptron(2, 6, 1, seed=2)
    load_torch_state(fresh, module.state_dict())
    np.testing.assert_array_equal(fresh.activate(X), net.activate(X))


def test_fixed_neurons_stay_fixed(torch):
    net = GRU(2, 3, 1, seed=0)
    module = to_torch(net)
    fixed_before = {n: a["bias"] for n, a in net.graph.nodes(data=True) if a.get("fixed")}
    opt = torch.optim.SGD(module.parameters(), lr=0.5)
    state = None
    loss = 0
    for x in inputs_for(net, 10):
        out, state = module(torch.tensor(x[None]), state)
        loss = loss + (out ** 2).sum()
    loss.backward()
    opt.step()
    plan = net._plan()
    fixed_w = [k for k, syn in enumerate(plan.synapses) if net.graph.nodes[syn[1]].get("fixed")]
    assert fixed_w
    before = np.array(plan.weights)
    load_torch_state(net, module)
    after = np.array(net._plan().weights)
    assert np.array_equal(after[fixed_w], before[fixed_w])
    assert not np.array_equal(after, before)
    assert {n: a["bias"] for n, a in net.graph.nodes(data=True) if a.get("fixed")} == fixed_before


def test_load_refuses_another_structure_and_non_finite_values(torch):
    net = Perceptron(2, 3, 1, seed=0)
    module = to_torch(net)
    other = Perceptron(2, 4, 1, seed=0)
    with pytest.raises(ValueError, match="another structure"):
        load_torch_state(other, module)
    weights = np.array(net._plan().weights)
    with torch.no_grad():
        module.weight[0] = float("nan")
    with pytest.raises(ValueError, match="finite"):
        load_torch_state(net, module)
    assert np.array_equal(net._plan().weights, weights)  # nothing changed


def test_float32_module(torch):
    net = FF["perceptron"]
    X = inputs_for(net, 10)
    got = to_torch(net, dtype=torch.float32)(torch.tensor(X, dtype=torch.float32))
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.detach().numpy(), expected_batch(net, X), rtol=1.3e-6,
                               atol=1e-5)


def test_without_torch_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'netgraph-nn\[torch\]'"):
        to_torch(FF["perceptron"])
