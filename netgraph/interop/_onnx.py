"""ONNX: export any network as a model onnxruntime runs, and import ONNX MLPs.

**Export** (``to_onnx``). Inside the model, values travel in column layout: one row per
neuron, one column per sample. The neurons are cut into *levels* (``_layout.levels``):
each level reads only rows of earlier levels, so it is one gather of its source rows, one
matrix product (a dense block for layered or dense parts, a padded gather-multiply-sum for
sparse ones), one bias and one activation per run of neurons sharing it, written back into
the value buffer with ``ScatterND`` (which onnxruntime runs in place). An irregular
1,000-neuron DAG is a few hundred nodes, not a node per neuron.

A recurrent network (delayed or gated synapses) exports as a **one-step model**: it takes
the input and the explicit state (``_layout``: states, previous activations, gains) and
returns the output and the next state. Calling it in a loop reproduces ``net.activate``
over a sequence.

**Import** (``from_onnx``, in ``_onnx_read`` and ``_onnx_graph``) reads every
feed-forward model this module writes back, and the layers, sums and element-wise
activations that ``torch.onnx.export`` and skl2onnx write; everything else is refused by
operator name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._activations import (
    ACTIVATION_NAMES,
    BRAIN_LEAKY_ALPHA,
    NEAT_CLAMP,
    NEAT_GAUSS_CLAMP,
    NEAT_LEAK,
    NEAT_LOG_FLOOR,
)
from .._exceptions import MissingDependencyError, TopologyError
from .._fast import reads_whole
from ._layout import Level, levels, recurrent_view

if TYPE_CHECKING:
    import onnx

    from .._network import Network

__all__ = ["OPSET", "from_onnx", "to_onnx"]

OPSET = 17  # ScatterND, Gemm, Where, Clip with tensor bounds; run by every current runtime
_IR_VERSION = 8  # the IR version that goes with opset 17
MAX_BYTES = 512 * 1024 * 1024  # the loader's size cap, as for netgraph JSON

_NAMES = list(ACTIVATION_NAMES)  # by code: softmax last

# A level whose dense block would hold more than this many times its synapses (padding
# zeros) is computed term by term instead: gather, multiply, sum.
_DENSE_WASTE = 24


def _require_onnx() -> Any:
    try:
        import onnx
    except ImportError as e:
        raise MissingDependencyError(
            "ONNX export and import need the onnx package: pip install 'netgraph-nn[onnx]'"
        ) from e
    return onnx


# ---------------------------------------------------------------------------- builder
class _Builder:
    """Collects nodes and initializers with unique, generated names (numbers only)."""

    def __init__(self, dtype: np.dtype) -> None:
        self.onnx = _require_onnx()
        self.dtype = dtype
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self.count = 0
        self._scalars: dict[tuple[str, float], str] = {}

    def _name(self, hint: str) -> str:
        self.count += 1
        return f"{hint}_{self.count}"

    def const(self, array: np.ndarray, hint: str = "c") -> str:
        # a TensorProto by hand: numpy_helper.from_array costs ~10x more per call
        a = np.ascontiguousarray(array)
        name = self._name(hint)
        tensor = self.onnx.TensorProto()
        tensor.name = name
        tensor.data_type = _ELEM[a.dtype.str]
        tensor.dims.extend(a.shape)
        tensor.raw_data = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        self.inits.append(tensor)
        return name

    def scalar(self, value: float) -> str:
        """A 0-d constant of the model's float type (shared)."""
        key = (self.dtype.str, float(value))
        if key not in self._scalars:
            self._scalars[key] = self.const(np.array(value, dtype=self.dtype), "k")
        return self._scalars[key]

    def ints(self, values: Any, hint: str = "i") -> str:
        return self.const(np.asarray(values, dtype=np.int64), hint)

    def op(self, op_type: str, inputs: list[str], hint: str | None = None,
           outputs: list[str] | None = None, **attrs: Any) -> str:
        outs = outputs or [self._name(hint or op_type.lower())]
        node = self.onnx.NodeProto()
        node.op_type = op_type
        node.input.extend(inputs)
        node.output.extend(outs)
        if attrs:
            node.attribute.extend(self.onnx.helper.make_attribute(k, v)
                                  for k, v in sorted(attrs.items()))
        self.nodes.append(node)
        return outs[0]


_ELEM = {"<f8": 11, "<f4": 1, "<i8": 7, "<i4": 6}  # TensorProto.DOUBLE, FLOAT, INT64, INT32


# -------------------------------------------------------------- activations in ONNX
def _where_positive(b: _Builder, s: str, then: str, other: str) -> str:
    return b.op("Where", [b.op("Greater", [s, b.scalar(0.0)]), then, other])


def _selu(b: _Builder, s: str) -> str:
    from .._activations import SELU_ALPHA, SELU_SCALE

    # no Expm1 in ONNX: exp(s) - 1 is off by at most an ulp of 1 near 0
    neg = b.op("Mul", [b.scalar(SELU_ALPHA), b.op("Sub", [b.op("Exp", [s]), b.scalar(1.0)])])
    return b.op("Mul", [b.scalar(SELU_SCALE), _where_positive(b, s, s, neg)])


def _leaky(b: _Builder, s: str) -> str:
    from .._activations import LEAKY_SLOPE

    # LeakyRelu's alpha is a float32 attribute: 0.01 would be off by 2e-10
    return _where_positive(b, s, s, b.op("Mul", [s, b.scalar(LEAKY_SLOPE)]))


def _softplus(b: _Builder, s: str) -> str:
    # max(s, 0) + log(1 + exp(-|s|)): no overflow (ONNX has no Log1p)
    tail = b.op("Log", [b.op("Add", [b.scalar(1.0), b.op("Exp", [b.op("Neg", [b.op(
        "Abs", [s])])])])])
    return b.op("Add", [b.op("Max", [s, b.scalar(0.0)]), tail])


def _clamp(b: _Builder, s: str, scale: float, limit: float) -> str:
    """clip(scale * s, -limit, limit), as neat-python clamps its arguments."""
    z = s if scale == 1.0 else b.op("Mul", [b.scalar(scale), s])
    return b.op("Clip", [z, b.scalar(-limit), b.scalar(limit)])


def _neat_gauss(b: _Builder, s: str) -> str:
    z = _clamp(b, s, 1.0, NEAT_GAUSS_CLAMP)
    return b.op("Exp", [b.op("Mul", [b.scalar(-5.0), b.op("Mul", [z, z])])])


def _neat_inv(b: _Builder, s: str) -> str:
    zero = b.op("Equal", [s, b.scalar(0.0)])
    safe = b.op("Where", [zero, b.scalar(1.0), s])
    return b.op("Where", [zero, b.scalar(0.0), b.op("Div", [b.scalar(1.0), safe])])


def _bent(b: _Builder, s: str) -> str:
    root = b.op("Sqrt", [b.op("Add", [b.op("Mul", [s, s]), b.scalar(1.0)])])
    half = b.op("Div", [b.op("Sub", [root, b.scalar(1.0)]), b.scalar(2.0)])
    return b.op("Add", [half, s])


# Each activation as ONNX operators, composed from primitives where ONNX has no operator
# (or only one with a float32 attribute, which would cost float64 its precision).
# tests/test_export_onnx.py checks that every name in netgraph.ACTIVATIONS is here.
ONNX_ACTIVATIONS: dict[str, Callable[[_Builder, str], str]] = {
    "logistic": lambda b, s: b.op("Sigmoid", [s]),
    "tanh": lambda b, s: b.op("Tanh", [s]),
    "identity": lambda b, s: s,
    "hlim": lambda b, s: _where_positive(b, s, b.scalar(1.0), b.scalar(0.0)),
    "relu": lambda b, s: b.op("Relu", [s]),
    "softsign": lambda b, s: b.op("Div", [s, b.op("Add", [b.scalar(1.0), b.op("Abs", [s])])]),
    "sinusoid": lambda b, s: b.op("Sin", [s]),
    "gaussian": lambda b, s: b.op("Exp", [b.op("Neg", [b.op("Mul", [s, s])])]),
    "bent_identity": _bent,
    "bipolar": lambda b, s: _where_positive(b, s, b.scalar(1.0), b.scalar(-1.0)),
    "bipolar_sigmoid": lambda b, s: b.op("Tanh", [b.op("Div", [s, b.scalar(2.0)])]),
    "hard_tanh": lambda b, s: b.op("Clip", [s, b.scalar(-1.0), b.scalar(1.0)]),
    "absolute": lambda b, s: b.op("Abs", [s]),
    "inverse": lambda b, s: b.op("Sub", [b.scalar(1.0), s]),
    "selu": _selu,
    "leaky_relu": _leaky,
    "softplus": _softplus,
    "step": lambda b, s: _where_positive(b, s, b.scalar(1.0), b.scalar(0.0)),
    "neat_sigmoid": lambda b, s: b.op("Sigmoid", [_clamp(b, s, 5.0, NEAT_CLAMP)]),
    "neat_tanh": lambda b, s: b.op("Tanh", [_clamp(b, s, 2.5, NEAT_CLAMP)]),
    "neat_sin": lambda b, s: b.op("Sin", [_clamp(b, s, 5.0, NEAT_CLAMP)]),
    "neat_gauss": _neat_gauss,
    "neat_softplus": lambda b, s: b.op("Mul", [b.scalar(0.2), b.op("Log", [b.op(
        "Add", [b.scalar(1.0), b.op("Exp", [_clamp(b, s, 5.0, NEAT_CLAMP)])])])]),
    "elu": lambda b, s: _where_positive(b, s, s, b.op("Sub", [b.op("Exp", [s]), b.scalar(1.0)])),
    "neat_lelu": lambda b, s: _where_positive(b, s, s, b.op("Mul", [s, b.scalar(NEAT_LEAK)])),
    "neat_inv": _neat_inv,
    "neat_log": lambda b, s: b.op("Log", [b.op("Max", [s, b.scalar(NEAT_LOG_FLOOR)])]),
    "neat_exp": lambda b, s: b.op("Exp", [_clamp(b, s, 1.0, NEAT_CLAMP)]),
    "hat": lambda b, s: b.op("Max", [b.scalar(0.0), b.op("Sub", [b.scalar(1.0), b.op(
        "Abs", [s])])]),
    "square": lambda b, s: b.op("Mul", [s, s]),
    "cube": lambda b, s: b.op("Pow", [s, b.scalar(3.0)]),
    "brain_leaky_relu": lambda b, s: b.op("Where", [
        b.op("Less", [s, b.scalar(0.0)]), b.scalar(0.0),
        b.op("Mul", [s, b.scalar(BRAIN_LEAKY_ALPHA)])]),
    "steep_sigmoid": lambda b, s: b.op("Sigmoid", [b.op("Mul", [s, b.scalar(4.9)])]),
}


def _activation(b: _Builder, name: str, s: str) -> str:
    if name == "softmax":  # each output's sum; the group is normalized at the end (_softmax)
        return s
    try:
        rule = ONNX_ACTIVATIONS[name]
    except KeyError:
        raise TopologyError(f"activation {name!r} has no ONNX form yet") from None
    return rule(b, s)


def _softmax(b: _Builder, out: str, group: np.ndarray, axis: int) -> str:
    """``out``'s softmax outputs (``group``: a mask over its outputs, along ``axis``)
    normalized together with ONNX's Softmax (which subtracts the maximum first)."""
    if group.all():
        return b.op("Softmax", [out], axis=axis)
    at = np.flatnonzero(group)
    part = b.op("Softmax", [b.op("Gather", [out, b.ints(at, "group")], axis=axis)], axis=axis)
    if axis == 0:
        return b.op("ScatterND", [out, b.ints(at.reshape(-1, 1), "at"), part])
    return b.op("Transpose", [b.op("ScatterND", [
        b.op("Transpose", [out], perm=[1, 0]), b.ints(at.reshape(-1, 1), "at"),
        b.op("Transpose", [part], perm=[1, 0])])], perm=[1, 0])


# --------------------------------------------------------------------------- export
def _text(value: Any) -> str:
    """Any value as text ONNX can store (valid UTF-8: lone surrogates escaped)."""
    text = value if isinstance(value, str) else repr(value)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _ids(ids: list[Any]) -> str:
    # JSON with ensure_ascii: every string, however hostile, becomes plain escaped ASCII
    return json.dumps([n if isinstance(n, (str, int)) and not isinstance(n, bool) else repr(n)
                       for n in ids])


class _Values:
    """Where each slot's row lives: value tensors are immutable, so every level's
    activations (one tensor per run of neurons sharing an activation) stay where they
    were made, and a level gathers its sources from each tensor that holds some."""

    def __init__(self, b: _Builder, n_slots: int) -> None:
        self.b = b
        self.names: list[str] = []
        self.height: list[int] = []
        self.tensor = np.full(n_slots, -1, dtype=np.int64)  # slot -> index into names
        self.row = np.full(n_slots, -1, dtype=np.int64)  # slot -> row in that tensor

    def add(self, tensor: str, slots: Any, height: int | None = None) -> None:
        """``tensor``'s first rows hold ``slots`` (it has ``height`` rows in all)."""
        slots = np.asarray(slots, dtype=np.int64)
        self.tensor[slots] = len(self.names)
        self.row[slots] = np.arange(len(slots))
        self.names.append(tensor)
        self.height.append(len(slots) if height is None else height)

    def gather(self, slots: np.ndarray) -> tuple[str, np.ndarray]:
        """The rows of ``slots`` as one (len(slots), batch) tensor, grouped by the tensor
        they live in (one Gather per tensor); returns it and the slots in its row order."""
        b = self.b
        slots = np.asarray(slots, dtype=np.int64)
        t, r = self.tensor[slots], self.row[slots]
        order = np.lexsort((r, t))
        slots, t, r = slots[order], t[order], r[order]
        cuts = np.flatnonzero(np.diff(t)) + 1
        parts = []
        for a, z in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [len(t)]]),
                        strict=True):
            k, idx = int(t[a]), r[a:z]
            if len(idx) == self.height[k] and (idx == np.arange(len(idx))).all():
                parts.append(self.names[k])  # all of it, in order: no copy
            else:
                parts.append(b.op("Gather", [self.names[k], b.ints(idx, "rows")], "g"))
        out = parts[0] if len(parts) == 1 else b.op("Concat", parts, "src", axis=0)
        return out, slots

    def rows(self, slots: np.ndarray) -> str:
        """The rows of ``slots``, in the order given."""
        tensor, order = self.gather(slots)
        if np.array_equal(order, slots):
            return tensor
        pos = np.empty(int(order.max()) + 1, dtype=np.int64)
        pos[order] = np.arange(len(order))
        return self.b.op("Gather", [tensor, self.b.ints(pos[np.asarray(slots)], "perm")], "g")


def _level_sum(b: _Builder, lv: Level, values: _Values, W: np.ndarray, B: np.ndarray,
               ones_slot: int) -> str:
    """The states of a level's neurons, (len(targets), batch)."""
    dtype = b.dtype
    nt = len(lv.targets)
    bias = b.const(B[lv.targets].astype(dtype).reshape(nt, 1), "bias")
    n_terms = int((lv.src >= 0).sum())
    uniq = np.unique(lv.src[lv.src >= 0])
    if not lv.gated and len(uniq) and nt * len(uniq) <= _DENSE_WASTE * n_terms:
        here, order = values.gather(uniq)
        pos = np.empty(int(order.max()) + 1, dtype=np.int64)
        pos[order] = np.arange(len(order))
        r, t = np.nonzero(lv.src >= 0)
        cols = pos[lv.src[r, t]]
        flat = r * len(order) + cols
        w = W[lv.weight[r, t]]
        if len(np.unique(flat)) < len(flat):  # parallel synapses: one weight, their sum
            flat, inverse = np.unique(flat, return_inverse=True)
            w = np.bincount(inverse, weights=w)
        dense = b.op("Reshape", [b.op("ScatterElements", [
            _zeros(b, nt * len(order)), b.const(flat.astype(np.int32), "at"),
            b.const(w.astype(dtype), "w")], axis=0), b.ints([nt, len(order)])])
        return b.op("Add", [b.op("MatMul", [dense, here]), bias])
    # term by term: gather every term's factors, multiply, sum each row; padding terms
    # read the row of ones with weight 0
    pad = lv.src < 0
    src = np.where(pad, ones_slot, lv.src)
    gain = np.where(lv.gain < 0, ones_slot, lv.gain)
    slots = np.unique(np.concatenate([src.ravel(), gain.ravel()] if lv.gated else [src.ravel()]))
    here, order = values.gather(slots)
    pos = np.empty(int(order.max()) + 1, dtype=np.int64)
    pos[order] = np.arange(len(order))
    weights = W if len(W) else np.zeros(1)  # a network without synapses pads every term
    weight = np.where(pad, 0.0, weights[np.maximum(lv.weight, 0)]).astype(dtype)
    terms = b.op("Gather", [here, b.ints(pos[src], "src")], "g")
    if lv.gated:
        terms = b.op("Mul", [terms, b.op("Gather", [here, b.ints(pos[gain], "gain")], "g")])
    terms = b.op("Mul", [terms, b.const(weight[:, :, None], "w")])  # (nt, width, batch)
    total = b.op("ReduceSum", [terms, b.ints([1])], keepdims=0)
    return b.op("Add", [total, bias])


def _zeros(b: _Builder, size: int) -> str:
    fill = b.onnx.numpy_helper.from_array(np.zeros(1, dtype=b.dtype))
    return b.op("ConstantOfShape", [b.ints([size])], value=fill)


def _batch_rows(b: _Builder, x: str, value: float, rows: int) -> str:
    """A (rows, batch) constant block, batch taken from x (batch, ...)."""
    batch = b.op("Slice", [b.op("Shape", [x]), b.ints([0]), b.ints([1])])
    shape = b.op("Concat", [b.ints([rows]), batch], axis=0)
    onnx = b.onnx
    fill = onnx.numpy_helper.from_array(np.array([value], dtype=b.dtype))
    return b.op("ConstantOfShape", [shape], value=fill)


@reads_whole
def to_onnx(net: Network, path: str | os.PathLike[str] | None = None, *,
            dtype: str = "float64", sequence: bool = False) -> onnx.ModelProto:
    """The network as an ONNX model (opset 17) with a dynamic batch dimension.

    **Arguments**
    - ``net``: any ``Network``.
    - ``path``: also write the model there (atomically) when given.
    - ``dtype``: ``"float64"`` (default: onnxruntime then gives netgraph's outputs to
      ~1e-15) or ``"float32"`` (half the size; ~1e-7 relative).

    **Returns** an ``onnx.ModelProto``.

    A feed-forward network maps ``input`` (batch, n_inputs) to ``output``
    (batch, n_outputs). A recurrent one (delayed or gated synapses) is a one-step model:
    inputs ``input`` (batch, n_inputs), ``state`` and ``activation`` (batch, n_neurons)
    and, if it has gated synapses, ``gain`` (batch, n_gated); outputs ``output``,
    ``next_state``, ``next_activation`` and ``next_gain`` of the same shapes. A fresh
    network starts from zero states and activations and gains of 1; feed each step's
    ``next_*`` back as the next step's state. ``netgraph.interop.state_layout(net)`` says
    which neuron or synapse each column is; the model's metadata (``netgraph_neurons``,
    ``netgraph_gated``) lists the same, as JSON.

    ``sequence=True`` (recurrent networks only) wraps that step in an ONNX ``Scan``: a
    whole-sequence model with inputs ``inputs`` (time, batch, n_inputs) and
    ``initial_state``, ``initial_activation`` [, ``initial_gain``], and outputs
    ``outputs`` (time, batch, n_outputs) and ``final_state``, ``final_activation``
    [, ``final_gain``].

    Raises ``MissingDependencyError`` without the onnx package, ``TopologyError`` for a
    network that does not compile.
    """
    _require_onnx()
    from onnx import TensorProto, helper

    from .. import __version__
    from ._layout import state_layout

    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    np_dtype = np.dtype(dtype)
    elem = TensorProto.DOUBLE if dtype == "float64" else TensorProto.FLOAT
    plan = net._plan()
    layout = state_layout(net)
    n, n_in, n_out = len(plan.neurons), plan.n_inputs, len(plan.output_pos)
    W = np.array(plan.weights, dtype=np.float64)
    Bv = np.array(plan.biases, dtype=np.float64)
    view = recurrent_view(plan)
    recurrent = layout.recurrent
    n_gated = view.n_gated if recurrent else 0
    b = _Builder(np_dtype)
    chain = None if recurrent else _layer_chain(plan)
    if chain is not None:  # a plain stack of layers: one Gemm and one activation each
        current = "input"
        for blk in chain:
            nt, ns = blk.t1 - blk.t0, blk.s1 - blk.s0
            w = W[blk.e0:blk.e0 + nt * ns].reshape(nt, ns).astype(np_dtype)
            current = b.op("Gemm", [current, b.const(w, "w"), b.const(
                Bv[blk.t0:blk.t1].astype(np_dtype), "bias")], transB=1)
            current = _activation(b, _NAMES[blk.code], current)
        if plan.softmax_outputs.any():
            current = _softmax(b, current, plan.softmax_outputs, axis=1)
        b.op("Identity", [current], outputs=["output"])
    values = _Values(b, 3 * n + n_gated + 1)
    ones_slot = 3 * n + n_gated  # slots as in _layout.levels, and one row of ones
    if chain is None:
        values.add(b.op("Transpose", ["input"], perm=[1, 0]), range(n_in))
        values.add(_batch_rows(b, "input", 1.0, 1), [ones_slot])
    if recurrent:
        values.add(b.op("Transpose", ["activation"], perm=[1, 0]), range(n, 2 * n))
        values.add(b.op("Transpose", ["state"], perm=[1, 0]), range(2 * n, 3 * n))
        if n_gated:
            values.add(b.op("Transpose", ["gain"], perm=[1, 0]), range(3 * n, 3 * n + n_gated))
    states = _Values(b, n)  # this step's states, for next_state
    if recurrent:
        states.add(b.op("Transpose", ["state"], perm=[1, 0]), range(n_in), n)
    for lv in [] if chain is not None else levels(plan):
        s = _level_sum(b, lv, values, W, Bv, ones_slot)
        states.add(s, lv.targets)
        parts = []
        for name, start, stop in lv.groups:
            part = s if (start, stop) == (0, len(lv.targets)) else b.op(
                "Slice", [s, b.ints([start]), b.ints([stop])])
            parts.append(_activation(b, name, part))
        # one tensor per level keeps later gathers few
        values.add(parts[0] if len(parts) == 1 else b.op("Concat", parts, "y", axis=0),
                   lv.targets)

    def rows_out(where: _Values, slots: np.ndarray, name: str) -> None:
        b.op("Transpose", [where.rows(slots)], outputs=[name], perm=[1, 0])

    if chain is None and plan.softmax_outputs.any():
        b.op("Transpose", [_softmax(b, values.rows(plan.output_pos), plan.softmax_outputs, 0)],
             outputs=["output"], perm=[1, 0])
    elif chain is None:
        rows_out(values, plan.output_pos, "output")
    batch = "batch"
    inputs = [helper.make_tensor_value_info("input", elem, [batch, n_in])]
    outputs = [helper.make_tensor_value_info("output", elem, [batch, n_out])]
    inputs[0].doc_string = "the input vector of each sample (netgraph_inputs lists the neurons)"
    outputs[0].doc_string = "the output vector of each sample (netgraph_outputs lists them)"
    if recurrent:
        docs = {
            "state": "each neuron's state s (its sum) after the previous step; 0 to start",
            "activation": "each neuron's activation y after the previous step; 0 to start",
            "gain": "each gated synapse's gain after the previous step; 1 to start",
        }
        names = ["state", "activation"] + (["gain"] if n_gated else [])
        rows_out(states, np.arange(n), "next_state")
        rows_out(values, np.arange(n), "next_activation")
        if n_gated:
            # a gain ends as its gater's activation this step; input gaters never run
            g = view.gater[np.flatnonzero(view.gain_of >= 0)]
            rows_out(values, np.where(g >= n_in, g, 3 * n + np.arange(n_gated)), "next_gain")
        for name in names:
            width = n_gated if name == "gain" else n
            inputs.append(helper.make_tensor_value_info(name, elem, [batch, width]))
            inputs[-1].doc_string = docs[name]
            outputs.append(helper.make_tensor_value_info(f"next_{name}", elem, [batch, width]))
            outputs[-1].doc_string = docs[name].replace("the previous step; ", "this step")\
                .split(";")[0]
    if sequence and not recurrent:
        raise ValueError("sequence=True is for recurrent networks; a feed-forward network "
                         "takes a whole sequence as one batch")
    if sequence:
        graph = _scan(b, inputs, outputs)
        inputs, outputs = list(graph.input), list(graph.output)
    else:
        graph = helper.make_graph(b.nodes, "netgraph", inputs, outputs, b.inits)
        graph.doc_string = ("one step of a recurrent network: feed next_* back as the next "
                            "step's state" if recurrent else "a feed-forward network")
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="netgraph", producer_version=__version__)
    model.ir_version = _IR_VERSION
    name = str(net.graph.graph.get("name") or "")
    meta = {
        "netgraph_version": __version__,
        "netgraph_network_name": _text(name) if name is not None else "",
        "netgraph_kind": ("sequence" if sequence else "one-step") if recurrent
        else "feed-forward",
        "netgraph_dtype": dtype,
        "netgraph_inputs": _ids(layout.inputs),
        "netgraph_outputs": _ids(layout.outputs),
        "netgraph_io": json.dumps({v.name: v.doc_string for v in [*inputs, *outputs]}),
    }
    if recurrent:
        meta["netgraph_neurons"] = _ids(layout.neurons)
        # (source, target), or (source, target, key) for a parallel synapse
        meta["netgraph_gated"] = json.dumps([json.loads(_ids(list(e))) for e in layout.gated])
    helper.set_model_props(model, meta)
    if path is not None:
        from .._files import write_atomically

        write_atomically(path, model.SerializeToString())
    return model


def _layer_chain(plan: Any) -> list[Any] | None:
    """The plan's dense blocks if they form a plain stack of layers (each reading exactly
    the one before, the first the inputs, the outputs being the last in order), else None.
    Such a network exports as Gemm + activation per layer, which ``from_onnx`` reads back."""
    blocks = plan.blocks
    if not blocks or plan.recurrent is not None:
        return None
    prev = (0, plan.n_inputs)
    for blk in blocks:
        if (blk.s0, blk.s1) != prev:
            return None
        prev = (blk.t0, blk.t1)
    if not np.array_equal(plan.output_pos, np.arange(*prev)):
        return None
    return list(blocks)


def _scan(b: _Builder, inputs: list[Any], outputs: list[Any]) -> Any:
    """The one-step graph as the body of a Scan over the first axis of ``inputs``."""
    from onnx import helper

    body = helper.make_graph(b.nodes, "step", [*inputs[1:], inputs[0]],
                             [*outputs[1:], outputs[0]])
    carried = [v.name for v in inputs[1:]]
    elem = inputs[0].type.tensor_type.elem_type
    width = {v.name: v.type.tensor_type.shape.dim[1].dim_value for v in [*inputs, *outputs]}
    outer_in = [helper.make_tensor_value_info(f"initial_{n}", elem, ["batch", width[n]])
                for n in carried]
    outer_in.append(helper.make_tensor_value_info("inputs", elem,
                                                  ["time", "batch", width["input"]]))
    outer_out = [helper.make_tensor_value_info(f"final_{n}", elem, ["batch", width[n]])
                 for n in carried]
    outer_out.append(helper.make_tensor_value_info("outputs", elem,
                                                   ["time", "batch", width["output"]]))
    for v in outer_in[:-1]:
        v.doc_string = f"the {v.name[8:]} to start from (see the step's inputs)"
    outer_in[-1].doc_string = "the input vector of each step and sample"
    for v in outer_out[:-1]:
        v.doc_string = f"the {v.name[6:]} after the last step"
    outer_out[-1].doc_string = "the output vector of each step and sample"
    scan = helper.make_node("Scan", [v.name for v in outer_in], [v.name for v in outer_out],
                            body=body, num_scan_inputs=1)
    graph = helper.make_graph([scan], "netgraph", outer_in, outer_out, b.inits)
    graph.doc_string = "a recurrent network over whole sequences (a Scan of its step)"
    return graph


# --------------------------------------------------------------------------- import
# The readers live in _onnx_read (chains of layers) and _onnx_graph (any feed-forward
# graph); they read MAX_BYTES from here.
from ._onnx_read import from_onnx as from_onnx  # noqa: E402
