"""PyTorch: a network as an ``nn.Module`` (and back), and ``nn.Sequential`` MLPs in.

``to_torch(net)`` computes the network level by level (``_layout.levels``), as the ONNX
export does: each level gathers its source rows, multiplies them by a dense block (or term
by term where the block would be mostly zeros), adds its biases and applies each
neuron's activation. The weights and biases are two flat ``nn.Parameter``s, in the order
of the network's compiled plan, so autograd gives exactly ``net.gradient``'s gradient, a
user can train the module on any device, and ``load_torch_state`` writes the trained
values back into the graph.

A recurrent network becomes a step module with an explicit state (``_layout``): its
``forward(input, state)`` returns the output and the next state.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._activations import (
    BRAIN_LEAKY_ALPHA,
    LEAKY_SLOPE,
    NEAT_CLAMP,
    NEAT_GAUSS_CLAMP,
    NEAT_LEAK,
    NEAT_LOG_FLOOR,
    SELU_ALPHA,
    SELU_SCALE,
)
from .._exceptions import MissingDependencyError, NetgraphWarning, NetworkFormatError, TopologyError
from .._fast import exclusive, reads_whole
from ._layout import levels, recurrent_view, state_layout

if TYPE_CHECKING:
    import torch

    from .._network import Network

__all__ = ["TORCH_ACTIVATIONS", "from_torch", "load_torch_state", "to_torch"]

# A level whose dense block would hold more than this many times its synapses is
# computed term by term (as in the ONNX export).
_DENSE_WASTE = 24


def _require_torch() -> Any:
    try:
        import torch
    except ImportError as e:
        raise MissingDependencyError(
            "PyTorch export and import need torch: pip install 'netgraph-nn[torch]'"
        ) from e
    return torch


def _t() -> Any:
    import torch

    return torch


def _where_pos(s: Any, then: Any, other: Any) -> Any:
    return _t().where(s > 0, then, other)


def _clamped(s: Any, scale: float, limit: float) -> Any:
    return _t().clamp(scale * s, -limit, limit)


# Each activation as torch operations, differentiable where netgraph's derivative is
# (tests/test_export_torch.py checks every name in netgraph.ACTIVATIONS is here). Where a
# branch could overflow, its argument is clipped first so no inf * 0 reaches the gradient.
TORCH_ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "logistic": lambda s: _t().sigmoid(s),
    "tanh": lambda s: _t().tanh(s),
    "identity": lambda s: s,
    "hlim": lambda s: (s > 0).to(s.dtype),
    "relu": lambda s: _where_pos(s, s, _t().zeros_like(s)),
    "softsign": lambda s: s / (1.0 + s.abs()),
    "sinusoid": lambda s: _t().sin(s),
    "gaussian": lambda s: _t().exp(-s * s),
    "bent_identity": lambda s: (_t().sqrt(s * s + 1.0) - 1.0) / 2.0 + s,
    "bipolar": lambda s: _where_pos(s, _t().ones_like(s), -_t().ones_like(s)),
    "bipolar_sigmoid": lambda s: _t().tanh(s / 2.0),
    "hard_tanh": lambda s: _t().clamp(s, -1.0, 1.0),
    "absolute": lambda s: s.abs(),
    "inverse": lambda s: 1.0 - s,
    "selu": lambda s: SELU_SCALE * _where_pos(
        s, s, SELU_ALPHA * _t().expm1(_t().clamp(s, max=0.0))),
    "leaky_relu": lambda s: _where_pos(s, s, LEAKY_SLOPE * s),
    "softplus": lambda s: _t().clamp(s, min=0.0) + _t().log1p(_t().exp(-s.abs())),
    "step": lambda s: (s > 0).to(s.dtype),
    "neat_sigmoid": lambda s: _t().sigmoid(_clamped(s, 5.0, NEAT_CLAMP)),
    "neat_tanh": lambda s: _t().tanh(_clamped(s, 2.5, NEAT_CLAMP)),
    "neat_sin": lambda s: _t().sin(_clamped(s, 5.0, NEAT_CLAMP)),
    "neat_gauss": lambda s: _t().exp(-5.0 * _clamped(s, 1.0, NEAT_GAUSS_CLAMP) ** 2),
    "neat_softplus": lambda s: 0.2 * _t().log(1.0 + _t().exp(_clamped(s, 5.0, NEAT_CLAMP))),
    "elu": lambda s: _where_pos(s, s, _t().expm1(_t().clamp(s, max=0.0))),
    "neat_lelu": lambda s: _where_pos(s, s, NEAT_LEAK * s),
    "neat_inv": lambda s: _t().where(s == 0, _t().zeros_like(s),
                                     1.0 / _t().where(s == 0, _t().ones_like(s), s)),
    "neat_log": lambda s: _t().log(_t().clamp(s, min=NEAT_LOG_FLOOR)),
    "neat_exp": lambda s: _t().exp(_clamped(s, 1.0, NEAT_CLAMP)),
    "hat": lambda s: _t().clamp(1.0 - s.abs(), min=0.0),
    "square": lambda s: s * s,
    "cube": lambda s: _t().pow(s, 3.0),
    "brain_leaky_relu": lambda s: _t().where(s < 0, _t().zeros_like(s), BRAIN_LEAKY_ALPHA * s),
    "steep_sigmoid": lambda s: _t().sigmoid(4.9 * s),
}


def _signature(plan: Any) -> list[int]:
    """Numbers that identify a plan's structure (sizes and CRCs of its index arrays)."""
    parts = [plan.in_ptr, plan.in_src, plan.codes, plan.output_pos]
    if plan.recurrent is not None:
        parts += list(plan.recurrent[:3])
    crc = 0
    for p in parts:
        crc = zlib.crc32(np.ascontiguousarray(p, dtype=np.int64).tobytes(), crc)
    return [len(plan.neurons), len(plan.synapses), plan.n_inputs, crc]


def _module_class() -> type[torch.nn.Module]:
    torch = _require_torch()
    nn = torch.nn

    # torch is imported here, when called (an optional extra): to mypy, nn is a value of
    # type Any, not the module, so the base class can be neither named nor checked.
    class NetgraphModule(nn.Module):  # type: ignore[misc,name-defined]
        """A netgraph network as a module (see ``netgraph.interop.to_torch``).

        ``weight`` (n_synapses,) and ``bias`` (n_neurons,) are the network's weights and
        biases in the order of its compiled plan. Feed-forward: ``forward(input)``
        (batch, n_inputs) -> (batch, n_outputs). Recurrent: ``forward(input, state)`` ->
        ``(output, next_state)``, the state a tuple ``(state, activation[, gain])`` of
        (batch, n_neurons) [and (batch, n_gated)] tensors; ``initial_state(batch)`` makes
        a fresh one.
        """

        def __init__(self, net: Network, dtype: Any) -> None:
            super().__init__()
            plan = net._plan()
            layout = state_layout(net)
            view = recurrent_view(plan)
            self.recurrent = layout.recurrent
            self.n_neurons, self.n_inputs = len(plan.neurons), plan.n_inputs
            self.n_gated = view.n_gated if self.recurrent else 0
            n = self.n_neurons
            self.weight = nn.Parameter(torch.tensor(np.array(plan.weights), dtype=dtype))
            self.bias = nn.Parameter(torch.tensor(np.array(plan.biases), dtype=dtype))
            self.register_buffer("signature", torch.tensor(_signature(plan), dtype=torch.int64))
            # fixed neurons' weights and biases never learn, here as in netgraph
            fixed = np.asarray(plan.fixed, dtype=bool)
            target = np.array([plan.index[syn[1]] for syn in plan.synapses], dtype=np.int64)
            learn_w = ~fixed[target] if len(target) else np.zeros(0, dtype=bool)
            learn_b = ~fixed
            learn_b[: plan.n_inputs] = False  # input neurons' biases are unused
            self.register_buffer("weight_mask", torch.tensor(learn_w, dtype=dtype))
            self.register_buffer("bias_mask", torch.tensor(learn_b, dtype=dtype))
            if not learn_w.all():
                self.weight.register_hook(lambda g: g * self.weight_mask)
            if not learn_b.all():
                self.bias.register_hook(lambda g: g * self.bias_mask)
            self.ones_slot = 3 * n + self.n_gated
            self.n_slots = self.ones_slot + 1
            self.register_buffer("output_pos", torch.tensor(plan.output_pos, dtype=torch.int64))
            # the softmax outputs' columns, normalized together after the last level
            self.register_buffer("softmax_cols", torch.tensor(
                np.flatnonzero(plan.softmax_outputs), dtype=torch.int64))
            g = view.gater[np.flatnonzero(view.gain_of >= 0)]
            self.register_buffer("gain_rows", torch.tensor(
                np.where(g >= plan.n_inputs, g, 3 * n + np.arange(len(g))), dtype=torch.int64))
            self._levels: list[tuple[Any, ...]] = []
            i64 = torch.int64
            for k, lv in enumerate(levels(plan)):
                nt = len(lv.targets)
                used = lv.src >= 0
                uniq = np.unique(lv.src[used])
                names = [name for name, _, _ in lv.groups]
                bounds = [(a, b) for _, a, b in lv.groups]
                self.register_buffer(f"l{k}_targets", torch.tensor(lv.targets, dtype=i64))
                dense = (not lv.gated and len(uniq)
                         and nt * len(uniq) <= _DENSE_WASTE * int(used.sum()))
                if dense:
                    col = np.searchsorted(uniq, lv.src)
                    r, t = np.nonzero(used)
                    self.register_buffer(f"l{k}_src", torch.tensor(uniq, dtype=i64))
                    self.register_buffer(f"l{k}_flat", torch.tensor(
                        r * len(uniq) + col[r, t], dtype=i64))
                    self.register_buffer(f"l{k}_w", torch.tensor(lv.weight[r, t], dtype=i64))
                    self._levels.append(("dense", k, nt, len(uniq), names, bounds))
                else:
                    # padding terms read the row of ones with the extra zero weight
                    m = len(plan.synapses)
                    self.register_buffer(f"l{k}_src", torch.tensor(
                        np.where(used, lv.src, self.ones_slot), dtype=i64))
                    self.register_buffer(f"l{k}_gain", torch.tensor(
                        np.where(lv.gain >= 0, lv.gain, self.ones_slot), dtype=i64))
                    self.register_buffer(f"l{k}_w", torch.tensor(
                        np.where(used, lv.weight, m), dtype=i64))
                    self._levels.append(("terms", k, nt, bool(lv.gated), names, bounds))

        def initial_state(self, batch: int = 1) -> tuple[Any, ...]:
            """A fresh state for ``batch`` sequences: states 0, activations 0, gains 1."""
            kw = {"dtype": self.weight.dtype, "device": self.weight.device}
            n = self.n_neurons
            state = (torch.zeros(batch, n, **kw), torch.zeros(batch, n, **kw))
            return (*state, torch.ones(batch, self.n_gated, **kw)) if self.n_gated else state

        def forward(self, input: Any, state: tuple[Any, ...] | None = None) -> Any:
            x = input
            batch = x.shape[0]
            if x.ndim != 2 or x.shape[1] != self.n_inputs:
                raise ValueError(f"input must have shape (batch, {self.n_inputs}), "
                                 f"got {tuple(x.shape)}")
            n = self.n_neurons
            V = x.new_zeros((self.n_slots, batch))
            V[: self.n_inputs] = x.T
            V[self.ones_slot] = 1.0
            if self.recurrent:
                if state is None:
                    state = self.initial_state(batch)
                V[n:2 * n] = state[1].T
                V[2 * n:3 * n] = state[0].T
                if self.n_gated:
                    V[3 * n:3 * n + self.n_gated] = state[2].T
                S = state[0].T.clone()
            weight_ext = torch.cat([self.weight, self.weight.new_zeros(1)])
            for kind, k, nt, extra, names, bounds in self._levels:
                targets = getattr(self, f"l{k}_targets")
                src = getattr(self, f"l{k}_src")
                if kind == "dense":
                    flat = getattr(self, f"l{k}_flat")
                    w = self.weight[getattr(self, f"l{k}_w")]
                    W = w.new_zeros(nt * extra).index_add(0, flat, w).view(nt, extra)
                    s = W @ V.index_select(0, src)
                else:
                    terms = V[src]  # (nt, width, batch)
                    if extra:
                        terms = terms * V[getattr(self, f"l{k}_gain")]
                    s = (terms * weight_ext[getattr(self, f"l{k}_w")].unsqueeze(-1)).sum(1)
                s = s + self.bias[targets].unsqueeze(1)
                if self.recurrent:
                    S.index_copy_(0, targets, s)
                ys = [s[a:b] if name == "softmax" else TORCH_ACTIVATIONS[name](s[a:b])
                      for name, (a, b) in zip(names, bounds, strict=True)]
                y = ys[0] if len(ys) == 1 else torch.cat(ys)
                # in place: nothing autograd saved reads V (gathers keep only indices)
                V.index_copy_(0, targets, y)
            out = V[self.output_pos].T
            cols = self.softmax_cols
            if cols.numel():
                out = out.index_copy(1, cols, torch.softmax(out[:, cols], dim=1))
            if not self.recurrent:
                return out
            nxt: tuple[Any, ...] = (S.T, V[:n].T)
            if self.n_gated:
                nxt = (*nxt, V[self.gain_rows].T)
            return out, nxt

    return NetgraphModule


@reads_whole
def to_torch(net: Network, *, dtype: Any = None) -> torch.nn.Module:
    """The network as a ``torch.nn.Module`` whose parameters are its weights and biases.

    **Arguments**
    - ``net``: any ``Network``.
    - ``dtype``: the parameters' dtype (default ``torch.float64``: the outputs equal
      netgraph's to ~1e-15).

    **Returns** a module with parameters ``weight`` (n_synapses,) and ``bias``
    (n_neurons,), in the order of the network's compiled plan. A feed-forward network's
    ``forward(input)`` maps (batch, n_inputs) to (batch, n_outputs); autograd through it
    gives ``net.gradient``'s gradient. A recurrent network's module takes one step:
    ``forward(input, state=None) -> (output, next_state)``, with ``state`` the tuple
    ``(state, activation[, gain])`` described in ``netgraph.interop.state_layout``
    (``module.initial_state(batch)``: a fresh one; ``None`` means that).

    Fixed neurons (``Layer(..., fixed=True)``) keep their weights and biases: a gradient
    hook zeroes theirs, as netgraph's training leaves them. Train the module, then
    ``load_torch_state(net, module)`` writes the values back into the network.
    Raises ``MissingDependencyError`` without torch.
    """
    torch = _require_torch()
    return _module_class()(net, torch.float64 if dtype is None else dtype)


def load_torch_state(net: Network, module: Any) -> None:
    """Write a module's trained weights and biases back into the network, in place.

    **Arguments**
    - ``net``: the network ``module`` was made from (``to_torch(net)``), unchanged in
      structure since.
    - ``module``: that module, or its ``state_dict()``.

    Fixed neurons keep their values. Raises ``TopologyError`` if the module was made
    from a network of another structure, ``ValueError`` for non-finite values, and
    ``ConcurrencyError`` while another thread uses the network; the network is not
    changed then.
    """
    _require_torch()
    state = module.state_dict() if hasattr(module, "state_dict") else module
    if not isinstance(state, Mapping) or not {"weight", "bias", "signature"} <= set(state):
        raise TypeError("load_torch_state takes a module made by to_torch or its state_dict")
    # a writer of weights like any other: it holds the network, or is refused
    with exclusive(net.graph):
        _load_state(net, state)


def _load_state(net: Network, state: Mapping[str, Any]) -> None:
    plan = net._plan()
    if [int(v) for v in state["signature"].tolist()] != _signature(plan):
        raise TopologyError("the module was made from a network of another structure (its "
                            "neurons, synapses, activations or gates differ from this one's)")
    w = state["weight"].detach().cpu().to(dtype=_t().float64).numpy()
    b = state["bias"].detach().cpu().to(dtype=_t().float64).numpy()
    if w.shape != (len(plan.synapses),) or b.shape != (len(plan.neurons),):
        raise TopologyError(f"the module holds {w.shape[0]} weights and {b.shape[0]} biases; "
                            f"the network has {len(plan.synapses)} and {len(plan.neurons)}")
    if not (np.isfinite(w).all() and np.isfinite(b).all()):
        raise ValueError("the module holds a weight or bias that is not a finite number")
    fixed = np.asarray(plan.fixed, dtype=bool)
    target = np.array([plan.index[syn[1]] for syn in plan.synapses], dtype=np.int64)
    learn_w = ~fixed[target] if len(target) else np.zeros(0, dtype=bool)
    learn_b = ~fixed
    learn_b[: plan.n_inputs] = False
    plan.weights[learn_w] = w[learn_w]
    plan.biases[learn_b] = b[learn_b]


# --------------------------------------------------------------------------- import
def from_torch(module: Any) -> Network:
    """A layered network from an ``nn.Sequential`` of ``Linear`` layers and activations.

    **Arguments**
    - ``module``: an ``nn.Sequential`` (nested ones are flattened) of ``nn.Linear`` and
      element-wise activations (``ReLU``, ``Sigmoid``, ``Tanh``, ``Softsign``, ``SELU``,
      ``ELU``, ``LeakyReLU(0.01)``, ``Hardtanh(-1, 1)``, ``Softplus``, ``Identity``), and
      ``Softmax(dim=1)`` (or ``-1``) after the last ``Linear``: softmax outputs;
      ``Flatten`` and ``Dropout`` pass through (dropout is a training-time device).

    **Returns** a ``Network`` with one layer per ``Linear``, in float64. Anything else
    is refused with a ``NetworkFormatError`` naming the module.
    """
    torch = _require_torch()
    nn = torch.nn
    from ._onnx_read import _layered

    def flat(m: Any, prefix: str) -> list[tuple[str, Any]]:
        if isinstance(m, nn.Sequential):
            return [x for name, child in m.named_children()
                    for x in flat(child, f"{prefix}{name}.")]
        return [(prefix.rstrip("."), m)]

    if not isinstance(module, nn.Module):
        raise TypeError(f"from_torch takes a torch.nn.Module, got {type(module).__name__}")
    items = flat(module, "") if isinstance(module, nn.Sequential) else [("", module)]
    layers: list[tuple[np.ndarray, np.ndarray, str]] = []
    for name, m in items:
        where = f"module {name!r} ({type(m).__name__})" if name else type(m).__name__
        if isinstance(m, nn.Linear):
            W = m.weight.detach().cpu().to(torch.float64).numpy().copy()
            b = (m.bias.detach().cpu().to(torch.float64).numpy().copy() if m.bias is not None
                 else np.zeros(W.shape[0]))
            if layers and layers[-1][0].shape[0] != W.shape[1]:
                raise NetworkFormatError(f"{where}: takes {W.shape[1]} values but the layer "
                                         f"before gives {layers[-1][0].shape[0]}")
            layers.append((W, b, "identity"))
            continue
        if isinstance(m, (nn.Identity, nn.Flatten)):
            continue
        if isinstance(m, nn.Dropout):
            warnings.warn(f"{where}: dropout is left out (it only acts while training)",
                          NetgraphWarning, stacklevel=2)
            continue
        # softmax over each sample's values: the last layer's outputs as one group
        act = "softmax" if type(m) is nn.Softmax and m.dim in (1, -1) else \
            _torch_activation(m, where)
        if not layers:
            raise NetworkFormatError(f"{where}: an activation before the first Linear layer")
        W, b, prev = layers[-1]
        if prev != "identity":
            raise NetworkFormatError(f"{where}: a second activation after {prev!r}; a "
                                     "neuron has one")
        layers[-1] = (W, b, act)
    if not layers:
        raise NetworkFormatError("the module has no Linear layer")
    if any(act == "softmax" for _, _, act in layers[:-1]):
        raise NetworkFormatError("a Softmax before the last Linear layer: netgraph's softmax "
                                 "is for output neurons only")
    return _layered(layers, None)


def _torch_activation(m: Any, where: str) -> str:
    nn = _t().nn
    simple = {nn.ReLU: "relu", nn.Sigmoid: "logistic", nn.Tanh: "tanh",
              nn.Softsign: "softsign", nn.SELU: "selu"}
    for cls, name in simple.items():
        if type(m) is cls:
            return name
    if type(m) is nn.LeakyReLU and m.negative_slope in (LEAKY_SLOPE, NEAT_LEAK):
        return "leaky_relu" if m.negative_slope == LEAKY_SLOPE else "neat_lelu"
    if type(m) is nn.ELU and m.alpha == 1.0:
        return "elu"
    if type(m) is nn.Hardtanh and (m.min_val, m.max_val) == (-1.0, 1.0):
        return "hard_tanh"
    if type(m) is nn.Softplus and m.beta == 1.0:
        warnings.warn(f"{where}: torch's Softplus returns s itself above s = {m.threshold}; "
                      "netgraph's softplus computes log(1 + e^s) everywhere (they differ by "
                      f"at most {np.log1p(np.exp(-m.threshold)):.1e})", NetgraphWarning,
                      stacklevel=3)
        return "softplus"
    kind = type(m)
    known = "Linear layers and ReLU, Sigmoid, Tanh, Softsign, SELU, ELU, LeakyReLU(0.01), " \
        "Hardtanh(-1, 1), Softplus"
    if kind.__module__ == "torch.nn.modules.activation":
        raise NetworkFormatError(f"{where}: {kind.__name__} is not an element-wise "
                                 f"activation netgraph has ({known})")
    # anything else (a convolution, a norm, the user's own module) is named by its type
    raise NetworkFormatError(
        f"{where}: from_torch cannot read a module of type {kind.__module__}."
        f"{kind.__qualname__}; it reads an nn.Sequential of {known}. For a module with "
        "its own forward (skip connections, sums of branches), export it with "
        "torch.onnx.export and read the file with netgraph.interop.from_onnx")
