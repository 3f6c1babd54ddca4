"""ONNX into netgraph: any feed-forward model built from layers, sums and element-wise
activations becomes a ``Network`` (``from_onnx``).

Two readers share the checks:

- **The chain reader** walks a plain stack of layers (``Gemm``, or ``MatMul`` + ``Add``,
  each optionally followed by one element-wise activation: what ``torch.onnx.export``
  writes for an ``nn.Sequential`` of ``Linear`` layers, skl2onnx for an ``MLPRegressor``,
  and netgraph for a layered network). It touches each node once and builds the network
  through the graph store's bulk paths, as the netgraph JSON loader does.
- **The graph reader** takes everything else that is feed-forward: skip connections,
  ``Add`` of two branches, and netgraph's own export of any DAG (gathers, concatenations,
  scattered weight blocks, term-by-term sums). It follows the graph in topological order
  and keeps every value *symbolically*: each element of a tensor is an affine form
  ``bias + sum(w * y)`` over neuron activations ``y``. Linear operators combine forms;
  an activation turns each form it receives into a new neuron. Activations ONNX has no
  operator for are recognised as the exact subgraphs ``to_onnx`` writes for them
  (``ONNX_ACTIVATIONS``), matched node for node, constant for constant.

Nothing in the model is executed: constants are folded with numpy for a short list of
shape and arithmetic operators, with a cap on the size of what they make. A graph that
is not a DAG, or whose walk comes back to a value, is refused at once, naming the value.
"""

from __future__ import annotations

import gc
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._activations import LEAKY_SLOPE, NEAT_LEAK, SELU_ALPHA, SELU_SCALE
from .._exceptions import NetworkFormatError

if TYPE_CHECKING:
    from .._network import Network

__all__ = ["build_network", "from_onnx"]

_ELEMENTWISE = {
    "Relu": "relu", "Sigmoid": "logistic", "Tanh": "tanh", "Softsign": "softsign",
    "Sin": "sinusoid", "Abs": "absolute", "Identity": "identity", "Selu": "selu",
    "LeakyRelu": "leaky_relu", "Softplus": "softplus", "Clip": "hard_tanh",
}
# shape-only nodes that leave the numbers as they are
_PASS = {"Identity", "Flatten", "Reshape", "Cast", "Dropout"}
_NOT_ELEMENTWISE = {"Softmax", "LogSoftmax", "ArgMax", "ZipMap", "Hardmax", "TopK"}
_FLOAT_TYPES = {1: "<f4", 11: "<f8", 10: "<f2"}  # TensorProto FLOAT, DOUBLE, FLOAT16


def _fail(where: str, why: str) -> NetworkFormatError:
    return NetworkFormatError(f"ONNX model: {where}: {why}")


def _where(node: Any) -> str:
    return f"node {node.name!r} ({node.op_type})" if node.name else f"a {node.op_type} node"


# the attributes the readers interpret, each one number in a valid model
_NUMERIC_ATTRIBUTES = frozenset({"alpha", "beta", "gamma", "transA", "transB", "axis", "to",
                                 "min", "max", "keepdims", "noop_with_empty_axes"})


def _attributes(node: Any, where: str) -> dict[str, Any]:
    """A node's attributes by name, those the reader uses checked to be numbers (a damaged
    model can hold a list or a string where a number belongs)."""
    if not node.attribute:
        return {}
    from onnx import helper

    try:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    except Exception as e:  # onnx raises plain ValueErrors and more on unknown types
        raise _fail(where, f"unreadable attribute: {e}") from None
    for name in _NUMERIC_ATTRIBUTES & attrs.keys():
        value = attrs[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(where, f"attribute {name!r} is a {type(value).__name__}, not a number")
    return attrs


class _Constants:
    """The model's initializers, each decoded on first use (a model of 200,000 small
    tensors pays only for those it reads)."""

    def __init__(self, graph: Any) -> None:
        self.protos = {t.name: t for t in graph.initializer}
        self.values: dict[str, np.ndarray] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.values or name in self.protos

    def get(self, name: str) -> np.ndarray | None:
        value = self.values.get(name)
        if value is None and name in self.protos:
            value = self.values[name] = _tensor(self.protos[name], f"initializer {name!r}")
        return value


def _tensor(t: Any, where: str) -> np.ndarray:
    """A TensorProto as an array: raw float data straight from its bytes."""
    from onnx import TensorProto, numpy_helper

    if t.data_location == TensorProto.EXTERNAL:
        raise _fail(where, "stored outside the model file")
    dims = tuple(t.dims)
    code = _FLOAT_TYPES.get(t.data_type)
    raw = t.raw_data
    if code is not None and raw:
        size = math.prod(dims)
        if len(raw) != size * int(code[-1]) or any(d < 0 for d in dims):
            raise _fail(where, f"{len(raw)} bytes of data for the shape {list(dims)}")
        return np.frombuffer(raw, dtype=code).reshape(dims)
    try:
        return np.asarray(numpy_helper.to_array(t))
    except Exception as e:
        raise _fail(where, f"unreadable: {e}") from None


def _scalar(consts: _Constants, name: str, where: str) -> float:
    """The constant ``name`` as one number (NaN if it is not a constant)."""
    value = consts.get(name)
    if value is None:
        return math.nan
    if value.size != 1 or value.dtype.kind not in "iuf":
        raise _fail(where, f"input {name!r} of shape {value.shape} is not one number")
    return float(value.reshape(()))


def _read_model(model_or_path: Any) -> Any:
    from . import _onnx

    onnx = _onnx._require_onnx()
    cap = _onnx.MAX_BYTES
    if isinstance(model_or_path, onnx.ModelProto):
        return model_or_path
    if isinstance(model_or_path, (bytes, bytearray, memoryview)):
        data = bytes(model_or_path)
    elif isinstance(model_or_path, (str, os.PathLike)):
        p = Path(model_or_path)
        try:
            size = p.stat().st_size
            if size > cap:
                raise NetworkFormatError(f"{p}: {size} bytes is over the {cap}-byte cap")
            data = p.read_bytes()
        except OSError as e:
            raise NetworkFormatError(f"{p}: cannot read it: {e.strerror or e}") from None
    else:
        raise TypeError("from_onnx takes an onnx.ModelProto, bytes or a path, "
                        f"got {type(model_or_path).__name__}")
    if len(data) > cap:
        raise NetworkFormatError(f"ONNX model: {len(data)} bytes is over the {cap}-byte cap")
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception as e:  # protobuf's DecodeError and friends
        raise NetworkFormatError(f"not an ONNX model: {type(e).__name__}: {e}") from None
    if not model.HasField("graph"):
        raise NetworkFormatError("not an ONNX model: no graph")
    return model


def from_onnx(model_or_path: Any) -> Network:
    """A network from an ONNX feed-forward model.

    **Arguments**
    - ``model_or_path``: an ``onnx.ModelProto``, the model's bytes, or a path.

    **Returns** a ``Network`` in float64. A plain stack of layers (``Gemm``, or
    ``MatMul`` optionally followed by ``Add``, each with the element-wise activation
    that follows it, identity if none) becomes a layered network with one layer per
    ``Gemm``. Any other feed-forward graph of those operators (skip connections, an
    ``Add`` of two branches, and everything ``to_onnx`` writes for a feed-forward
    network) becomes a network with one neuron per activated value.

    Reads what ``torch.onnx.export`` writes for ``Linear`` layers and activations
    (``nn.Sequential`` or a module with skip connections), what skl2onnx writes for an
    ``MLPRegressor``, and netgraph's own feed-forward exports. A softmax, a label output,
    a convolution or any other operator is refused with a ``NetworkFormatError`` naming
    the node and its operator; so is a graph that is not a DAG, naming a value on the
    loop. Nothing in the model is executed; tensors stored outside the file are refused.
    """
    model = _read_model(model_or_path)
    g = model.graph
    for imp in model.opset_import:
        if imp.domain not in ("", "ai.onnx", "ai.onnx.ml"):
            raise _fail("opset_import", f"operator domain {imp.domain!r} is not ONNX's own")
    consts = _Constants(g)
    inputs = [v for v in g.input if v.name not in consts]
    if len(inputs) != 1:
        raise _fail("graph inputs", f"an MLP has one input, this model has {len(inputs)}")
    if len(g.output) != 1:
        names = ", ".join(repr(o.name) for o in g.output)
        raise _fail("graph outputs", f"an MLP has one output, this model has {names} (a "
                    "classifier's label output cannot be imported)")
    name = f"onnx model {_text(g.name)}" if g.name else None
    nodes = list(g.node)
    layers = _chain(nodes, consts, inputs[0], g.output[0].name)
    if layers is not None:
        return _layered(layers, name)
    from ._onnx_graph import read_graph

    return build_network(*read_graph(model, nodes, consts, inputs[0], g.output[0].name),
                         name=name)


def _text(value: Any) -> str:
    from ._onnx import _text as text

    return text(value)


def _width(value_info: Any) -> int | None:
    dims = value_info.type.tensor_type.shape.dim
    if len(dims) >= 2 and dims[-1].HasField("dim_value"):
        return int(dims[-1].dim_value)
    return None


# ------------------------------------------------------------------- the chain reader
Layers = list[tuple[np.ndarray, np.ndarray, str]]  # (W (out, in), b, activation)


def _chain(nodes: list[Any], consts: _Constants, graph_input: Any, output: str
           ) -> Layers | None:
    """The model's layers if it is a plain chain of them covering every node, else None
    (the graph reader then takes it). Raises at once on what no reader accepts: a value
    the walk has already passed (the graph loops), refused operators, bad attributes."""
    consumers: dict[str, Any] = {}
    shared: set[str] = set()
    for node in nodes:
        for name in node.input:
            if name in consumers:
                if consumers[name] is not node:
                    shared.add(name)
            else:
                consumers[name] = node
    current = graph_input.name
    width = _width(graph_input)
    layers: Layers = []
    seen: set[str] = set()
    visited = 0

    def const(node: Any, name: str) -> np.ndarray:
        value = consts.get(name)
        if value is None:
            raise _fail(_where(node), f"input {name!r} is not a constant")
        return value

    while current != output:
        if current in seen:
            raise _loop(current)
        seen.add(current)
        if current in shared:
            return None
        node = consumers.get(current)
        if node is None:
            return None  # a dead end: the graph reader names what is wrong
        visited += 1
        op = node.op_type
        where = _where(node)
        attrs = _attributes(node, where)
        _check_node(node, where)
        if op in ("Gemm", "MatMul"):
            if node.input[0] != current or any(x not in consts for x in node.input[1:] if x):
                return None  # the data as the second operand, or a branch: a graph
            Wm = np.array(const(node, node.input[1]), dtype=np.float64)
            if Wm.ndim != 2:
                raise _fail(where, f"weights of shape {Wm.shape}, not a matrix")
            bias = np.zeros(0)
            if op == "Gemm":
                if attrs.get("transA", 0):
                    raise _fail(where, "transA=1 is not a layer")
                if attrs.get("transB", 0):
                    Wm = Wm.T
                alpha = float(attrs.get("alpha", 1.0))
                if alpha != 1.0:
                    Wm = Wm * alpha
                if len(node.input) > 2 and node.input[2]:
                    bias = np.array(const(node, node.input[2]), dtype=np.float64)
                    beta = float(attrs.get("beta", 1.0))
                    if beta != 1.0:
                        bias = bias * beta
            out = node.output[0]
            if op == "MatMul" and out not in shared:  # a following Add of a constant: the bias
                nxt = consumers.get(out)
                if nxt is not None and nxt.op_type == "Add" and out != output:
                    other = [x for x in nxt.input if x != out]
                    if len(other) == 1 and other[0] in consts and len(nxt.input) == 2:
                        _check_node(nxt, _where(nxt))
                        bias = np.array(consts.get(other[0]), dtype=np.float64)
                        seen.add(out)
                        visited += 1
                        out = nxt.output[0]
            k, m = Wm.shape
            if width is not None and k != width:
                raise _fail(where, f"takes {k} values but receives {width}")
            bias = bias.reshape(-1) if bias.size else np.zeros(m)
            if bias.size == 1 and m > 1:
                bias = np.full(m, bias[0])
            if bias.shape != (m,):
                raise _fail(where, f"bias of shape {bias.shape} for {m} outputs")
            layers.append((Wm.T if Wm.flags.f_contiguous else Wm.T.copy(), bias, "identity"))
            width = m
            current = out
            continue
        _refuse_not_elementwise(op, where)
        if op in _ELEMENTWISE and op != "Identity":
            if not layers or layers[-1][2] != "identity" or (len(node.input) > 1 and any(
                    x not in consts for x in node.input[1:] if x)):
                return None  # a second activation, or one before any layer: a graph
            act = _imported_activation(node, op, attrs, consts, where)
            Wl, bl, _ = layers[-1]
            layers[-1] = (Wl, bl, act)
            current = node.output[0]
            continue
        if op in _PASS:
            _check_shape_only(node, op, attrs, consts, width, where)
            current = node.output[0]
            continue
        return None
    if current in seen:
        raise _loop(current)
    if not layers or visited != len(nodes):
        return None  # nodes off the chain, or none at all: for the graph reader to judge
    return layers


def _loop(value: str) -> NetworkFormatError:
    return _fail(f"value {value!r}", "is reached again by following the nodes from it: "
                 "the graph loops back (an ONNX graph must be acyclic)")


def _check_node(node: Any, where: str) -> None:
    """What every node the readers follow must have: outputs, operands, ONNX's domain."""
    op = node.op_type
    if not node.output or not node.output[0]:
        raise _fail(where, "has no output")
    if op in ("Gemm", "MatMul") and len(node.input) < 2:
        raise _fail(where, f"has {len(node.input)} input, {op} needs two")
    if node.domain not in ("", "ai.onnx"):
        raise _fail(where, f"operator domain {node.domain!r} is not supported")


def _refuse_not_elementwise(op: str, where: str) -> None:
    if op in _NOT_ELEMENTWISE:
        raise _fail(where, f"{op} is not element-wise: each neuron of a netgraph network "
                    "applies its own activation to its own sum; export the model without it")


def _check_shape_only(node: Any, op: str, attrs: dict[str, Any], consts: _Constants,
                      width: int | None, where: str) -> None:
    """Refuse a Reshape, Flatten or Cast that would change the (batch, width) values."""
    from onnx import TensorProto

    if op == "Reshape":
        shape = consts.get(node.input[1]) if len(node.input) > 1 else None
        keeps = (shape is not None and shape.dtype.kind in "iu" and shape.shape == (2,)
                 and int(shape[0]) in (-1, 0)
                 and (int(shape[1]) == -1 or width is None or int(shape[1]) == width))
        if not keeps:
            raise _fail(where, f"Reshape to {None if shape is None else shape.tolist()} "
                        f"changes the shape (batch, {width}) of the values")
    elif op == "Flatten" and attrs.get("axis", 1) != 1:
        raise _fail(where, f"Flatten with axis={attrs['axis']} mixes the samples")
    elif op == "Cast" and attrs.get("to") not in (TensorProto.FLOAT, TensorProto.DOUBLE,
                                                   TensorProto.FLOAT16):
        raise _fail(where, "Cast to a type other than floating point")
    elif op == "Dropout" and len(node.input) > 2 and node.input[2]:
        raise _fail(where, "Dropout in training mode")


def _imported_activation(node: Any, op: str, attrs: dict[str, Any], consts: _Constants,
                         where: str) -> str:
    """netgraph's name for an element-wise ONNX operator, if it computes the same."""

    def close(a: float, b: float) -> bool:  # attributes are float32
        return bool(np.float32(a) == np.float32(b))

    if op == "LeakyRelu":
        alpha = attrs.get("alpha", 0.01)
        if close(alpha, NEAT_LEAK):
            return "neat_lelu"
        if not close(alpha, LEAKY_SLOPE):
            raise _fail(where, f"LeakyRelu with alpha={alpha} (netgraph's leaky_relu has "
                        f"slope {LEAKY_SLOPE}, neat_lelu {NEAT_LEAK})")
    if op == "Selu" and not (close(attrs.get("alpha", SELU_ALPHA), SELU_ALPHA)
                             and close(attrs.get("gamma", SELU_SCALE), SELU_SCALE)):
        raise _fail(where, "Selu with other constants than the standard ones")
    if op == "Clip":
        lo = attrs.get("min")
        hi = attrs.get("max")
        if len(node.input) > 1 and node.input[1]:
            lo = _scalar(consts, node.input[1], where)
        if len(node.input) > 2 and node.input[2]:
            hi = _scalar(consts, node.input[2], where)
        if lo is not None and lo == 0 and (hi is None or math.isinf(hi)):
            return "relu"
        if lo != -1 or hi != 1:
            raise _fail(where, f"Clip to [{lo}, {hi}]: only [-1, 1] (hard_tanh) is an "
                        "activation of netgraph")
    return _ELEMENTWISE[op]


# ------------------------------------------------------------------ building networks
def _layered(layers: Layers, name: str | None) -> Network:
    """A network with one layer per (W (out, in), b, activation)."""
    n_in = layers[0][0].shape[1]
    ids = [f"i{k}" for k in range(n_in)]
    neurons: list[tuple[Any, dict[str, Any]]] = [
        (n, {"bias": 0.0, "activation": "identity", "role": "input", "layer": "input"})
        for n in ids]
    edges: list[tuple[Any, Any]] = []
    weights: list[np.ndarray] = []
    count = 0
    for li, (Wl, bl, act) in enumerate(layers):
        last = li == len(layers) - 1
        role = "output" if last else "hidden"
        label = "output" if last else f"hidden{li}"
        if last:
            mine = [f"o{k}" for k in range(len(bl))]
        else:
            mine = [f"h{count + k}" for k in range(len(bl))]
            count += len(bl)
        neurons.extend((n, {"bias": b, "activation": act, "role": role, "layer": label})
                       for n, b in zip(mine, bl.tolist(), strict=True))
        edges.extend((u, v) for v in mine for u in ids)  # each neuron's synapses in input order
        weights.append(Wl.reshape(-1))
        ids = mine
    return build_network(neurons, edges, np.concatenate(weights), name=name)


def build_network(neurons: list[tuple[Any, dict[str, Any]]], edges: list[tuple[Any, Any]],
                  weights: np.ndarray, *, name: str | None = None) -> Network:
    """A network from new neurons ((id, attributes with a float ``bias``)) and synapses
    (id pairs, each neuron's incoming ones in summation order), through the graph store's
    bulk paths. Every bias and weight must be finite: a NetworkFormatError otherwise."""
    from .._network import Network

    weights = np.asarray(weights, dtype=np.float64)
    biases = np.fromiter((a["bias"] for _, a in neurons), dtype=np.float64, count=len(neurons))
    if not (np.isfinite(weights).all() and np.isfinite(biases).all()):
        raise NetworkFormatError("ONNX model: a weight or bias is not a finite number")
    was_enabled = gc.isenabled()
    gc.disable()  # a million new attribute objects would trigger pointless full collections
    try:
        net = Network()
        G = net.graph
        if name:
            G.graph["name"] = name
        G._add_neurons_fast(neurons)
        G._add_synapses_fast(edges, weights)
    finally:
        if was_enabled:
            gc.enable()
    return net

