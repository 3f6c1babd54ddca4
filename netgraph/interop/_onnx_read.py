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
from typing import TYPE_CHECKING, Any, NamedTuple

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


def _attributes(node: Any, where: str | None = None) -> dict[str, Any]:
    """A node's attributes by name, those the reader uses checked to be numbers (a damaged
    model can hold a list or a string where a number belongs)."""
    attrs: dict[str, Any] = {}
    for a in node.attribute:
        kind = a.type
        if kind == 2:  # INT
            attrs[a.name] = a.i
        elif kind == 1:  # FLOAT
            attrs[a.name] = a.f
        else:
            try:
                attrs[a.name] = _onnx_helper().get_attribute_value(a)
            except Exception as e:  # onnx raises plain ValueErrors and more on unknown types
                raise _fail(where or _where(node), f"unreadable attribute: {e}") from None
            if a.name in _NUMERIC_ATTRIBUTES:
                value = attrs[a.name]
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise _fail(where or _where(node), f"attribute {a.name!r} is a "
                                f"{type(value).__name__}, not a number")
    return attrs


_HELPER: list[Any] = []


def _onnx_helper() -> Any:
    if not _HELPER:
        from onnx import helper

        _HELPER.append(helper)
    return _HELPER[0]


class _Raw(NamedTuple):
    """A float tensor still in the model's bytes."""

    data: bytes
    code: str  # numpy's little-endian type code
    dims: tuple[int, ...]

    def array(self) -> np.ndarray:
        try:
            return np.frombuffer(self.data, dtype=self.code).reshape(self.dims)
        except ValueError:
            raise _fail("a tensor", f"{len(self.data)} bytes for the shape "
                        f"{list(self.dims)}") from None


class _Constants:
    """The model's initializers, each decoded on first use (a model of 200,000 small
    tensors pays only for those it reads)."""

    def __init__(self, graph: Any) -> None:
        self.protos = {t.name: t for t in graph.initializer}
        self.values: dict[str, np.ndarray] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.values or name in self.protos

    def quick(self, name: str) -> _Raw | np.ndarray | None:
        """A plain float tensor's bytes, type and shape without making an array (a chain
        of 100,000 layers joins them all at once); any other tensor as an array."""
        t = self.protos.get(name)
        if t is None:
            return self.get(name)
        code = _FLOAT_TYPES.get(t.data_type)
        if code is not None and t.data_location != 1:
            raw = t.raw_data
            dims = tuple(t.dims)
            # negative lengths are caught where the shape is used
            if raw and len(raw) == math.prod(dims) * int(code[-1]):
                return _Raw(raw, code, dims)
        return self.get(name)

    def get(self, name: str) -> np.ndarray | None:
        value = self.values.get(name)
        if value is None and name in self.protos:
            value = self.values[name] = _tensor(self.protos[name], f"initializer {name!r}")
        return value


def _tensor(t: Any, where: str) -> np.ndarray:
    """A TensorProto as an array: raw float data straight from its bytes."""
    if t.data_location == 1:  # TensorProto.EXTERNAL
        raise _fail(where, "stored outside the model file")
    code = _FLOAT_TYPES.get(t.data_type)
    raw = t.raw_data if code is not None else b""
    if raw:
        dims = tuple(t.dims)
        try:
            return np.frombuffer(raw, dtype=code).reshape(dims)
        except ValueError:
            raise _fail(where, f"{len(raw)} bytes of data for the shape {list(dims)}") from None
    from onnx import numpy_helper

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
    ``MLPRegressor``, and netgraph's own feed-forward exports. A ``Softmax`` over the
    features at the end of a plain stack of layers becomes softmax outputs; a softmax
    elsewhere, a label output, a convolution or any other operator is refused with a
    ``NetworkFormatError`` naming the node and its operator; so is a graph that is not a
    DAG, naming a value on the loop. Nothing in the model is executed; tensors stored
    outside the file are refused.
    """
    build, args, name = _read(model_or_path)  # the parsed model is gone once it returns
    network: Network = build(*args, name=name)
    return network


def _read(model_or_path: Any) -> tuple[Any, tuple[Any, ...], str | None]:
    """What to build the network from: a builder, its arguments, the network's name."""
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
        weights, biases = _flat(layers)
        return _build_layers, (layers[0].k, [ly.m for ly in layers],
                               [ly.activation for ly in layers], weights, biases), name
    from ._onnx_graph import read_graph

    return build_network, read_graph(model, nodes, consts, inputs[0], g.output[0].name), name


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


def _consumers(nodes: list[Any]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for k, node in enumerate(nodes):
        for name in node.input:
            found.setdefault(name, []).append(k)
    return found


class _Layer:
    """One Gemm (or MatMul + Add) of a chain, its tensors maybe still raw bytes."""

    __slots__ = ("activation", "alpha", "beta", "bias", "k", "m", "trans", "weights")

    def __init__(self, weights: _Raw | np.ndarray, trans: bool, alpha: float,
                 bias: _Raw | np.ndarray | None, beta: float, k: int, m: int) -> None:
        self.weights, self.trans, self.alpha = weights, trans, alpha
        self.bias, self.beta, self.k, self.m = bias, beta, k, m
        self.activation = "identity"

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Its weights (m, k) and biases (m,), in float64."""
        W = self.weights.array() if isinstance(self.weights, _Raw) else self.weights
        Wl = np.array(W if self.trans else W.T, dtype=np.float64) * self.alpha
        if self.bias is None:
            return Wl, np.zeros(self.m)
        b = self.bias.array() if isinstance(self.bias, _Raw) else self.bias
        b = np.array(b, dtype=np.float64).reshape(-1) * self.beta
        return Wl, np.full(self.m, b[0]) if b.size == 1 and self.m > 1 else b


def _flat(layers: list[_Layer]) -> tuple[np.ndarray, np.ndarray]:
    """All weights ((out, in) layer after layer) and biases, from the model's bytes at once
    when every layer allows (the same float type, no transposition, scaling or broadcast)."""
    code = layers[0].weights.code if isinstance(layers[0].weights, _Raw) else ""
    simple = bool(code) and all(
        isinstance(ly.weights, _Raw) and ly.weights.code == code and ly.alpha == 1.0
        and (ly.trans or ly.k == 1 or ly.m == 1)
        and (ly.bias is None or (isinstance(ly.bias, _Raw) and ly.bias.code == code
                                 and ly.beta == 1.0 and math.prod(ly.bias.dims) == ly.m))
        for ly in layers)
    if simple:
        size = int(code[-1])
        weights = np.frombuffer(b"".join([ly.weights.data for ly in layers]), dtype=code)
        biases = np.frombuffer(b"".join([bytes(size * ly.m) if ly.bias is None
                                         else ly.bias.data for ly in layers]), dtype=code)
        return weights.astype(np.float64), biases.astype(np.float64)
    pairs = [ly.arrays() for ly in layers]
    return (np.concatenate([W.reshape(-1) for W, _ in pairs]),
            np.concatenate([b for _, b in pairs]))


def _chain(nodes: list[Any], consts: _Constants, graph_input: Any, output: str
           ) -> list[_Layer] | None:
    """The model's layers if it is a plain chain of them covering every node, else None
    (the graph reader then takes it). Raises at once on what no reader accepts: a value
    the walk has already passed (the graph loops), refused operators, bad attributes.

    The walk takes the next node in the model's order when it reads the current value
    (exporters write chains in order), and looks the reader up otherwise. Every node
    visited once, each reading the current value first and constants besides, is a
    chain: a value read twice would leave a node unvisited."""
    current = graph_input.name
    width = _width(graph_input)
    layers: list[_Layer] = []
    seen: set[str] = set()
    consumers: dict[str, list[int]] | None = None
    n_nodes = len(nodes)
    p = visited = 0
    quick = consts.quick
    while current != output:
        if current in seen:
            raise _loop(current)
        seen.add(current)
        node: Any = nodes[p] if p < n_nodes else None
        ins = node.input if node is not None else ()
        if not ins or ins[0] != current:
            if consumers is None:
                consumers = _consumers(nodes)
            readers = consumers.get(current, ())
            if len(readers) != 1:
                return None  # a branch or a dead end: the graph reader judges
            p = readers[0]
            node = nodes[p]
            ins = node.input
            if ins[0] != current:
                return None
        p += 1
        visited += 1
        op = node.op_type
        outs = node.output
        out = outs[0] if outs else ""
        if not out:
            raise _fail(_where(node), "has no output")
        if node.domain and node.domain != "ai.onnx":
            raise _fail(_where(node), f"operator domain {node.domain!r} is not supported")
        if op == "Identity" and len(ins) == 1:
            current = out
            continue
        if layers and layers[-1].activation == "softmax":
            raise _fail(_where(node), f"{op} after a Softmax: netgraph's softmax is for "
                        "output neurons only")
        if op == "Gemm" or op == "MatMul":
            if len(ins) < 2:
                raise _fail(_where(node), f"has {len(ins)} input, {op} needs two")
            n_ins = len(ins)
            W = quick(ins[1])
            c = ins[2] if n_ins > 2 else ""
            b = quick(c) if c else None
            if W is None or (c and b is None) or n_ins > 3:
                return None  # weights or bias from another branch: a graph
            shape = W.dims if isinstance(W, _Raw) else W.shape
            if len(shape) != 2:
                raise _fail(_where(node), f"weights of shape {shape}, not a matrix")
            attrs = _attributes(node)
            trans = False
            alpha = beta = 1.0
            if op == "Gemm":
                if attrs.get("transA", 0):
                    raise _fail(_where(node), "transA=1 is not a layer")
                trans = bool(attrs.get("transB", 0))
                alpha = float(attrs.get("alpha", 1.0))
                beta = float(attrs.get("beta", 1.0))
            if op == "MatMul" and out != output and p < n_nodes:  # a following Add: the bias
                nxt = nodes[p]
                nins = nxt.input
                if nxt.op_type == "Add" and len(nins) == 2 and out in nins:
                    other = nins[1] if nins[0] == out else nins[0]
                    b = quick(other)
                    if b is not None and other != out and nxt.output and nxt.output[0]:
                        seen.add(out)
                        visited += 1
                        p += 1
                        out = nxt.output[0]
            k, m = (shape[1], shape[0]) if trans else shape
            if k <= 0 or m <= 0:
                raise _fail(_where(node), f"weights of shape {shape}")
            if width is not None and k != width:
                raise _fail(_where(node), f"takes {k} values but receives {width}")
            if b is not None:
                size = math.prod(b.dims) if isinstance(b, _Raw) else b.size
                if size != m and size != 1:
                    bshape = b.dims if isinstance(b, _Raw) else b.shape
                    raise _fail(_where(node), f"bias of shape {bshape} for {m} outputs")
            layers.append(_Layer(W, trans, alpha, b, beta, k, m))
            width = m
            current = out
            continue
        if (op == "Softmax" and len(ins) == 1 and layers
                and layers[-1].activation == "identity"
                and int(_attributes(node).get("axis", -1)) in (1, -1)):
            # over the features of the last layer's sums: netgraph's softmax outputs
            layers[-1].activation = "softmax"
            current = out
            continue
        if op in _NOT_ELEMENTWISE:
            _refuse_not_elementwise(op, _where(node))
        if op in _ELEMENTWISE and op != "Identity":
            if not layers or layers[-1].activation != "identity" or (len(ins) > 1 and any(
                    x not in consts for x in ins[1:] if x)):
                return None  # a second activation, or one before any layer: a graph
            attrs = _attributes(node) if node.attribute else {}
            try:
                act = _imported_activation(node, op, attrs, consts, _where(node))
            except NetworkFormatError:
                return None  # maybe part of a larger activation: the graph reader judges
            layers[-1].activation = act
            current = out
            continue
        if op in _PASS:
            attrs = _attributes(node) if node.attribute else {}
            _check_shape_only(node, op, attrs, consts, width)
            current = out
            continue
        return None
    if current in seen:
        raise _loop(current)
    if not layers or visited != n_nodes:
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
                      width: int | None) -> None:
    """Refuse a Reshape, Flatten or Cast that would change the (batch, width) values."""
    where = _where(node)
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
    elif op == "Cast" and attrs.get("to") not in _FLOAT_TYPES:
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
    return _build_layers(layers[0][0].shape[1], [len(bl) for _, bl, _ in layers],
                         [act for _, _, act in layers],
                         np.concatenate([Wl.reshape(-1) for Wl, _, _ in layers]),
                         np.concatenate([bl for _, bl, _ in layers]), name=name)


def _build_layers(n_in: int, sizes: list[int], activations: list[str], weights: np.ndarray,
                  biases: np.ndarray, *, name: str | None) -> Network:
    """A layered network: ``n_in`` inputs, then layers of ``sizes``; ``weights`` layer
    after layer, each (out, in) in C order, ``biases`` likewise."""
    ids = [f"i{k}" for k in range(n_in)]
    every = list(ids)
    roles = ["input"] * n_in
    labels = ["input"] * n_in
    acts = ["identity"] * n_in
    edges: list[tuple[Any, Any]] = []
    count = 0
    last = len(sizes) - 1
    for li, (m, act) in enumerate(zip(sizes, activations, strict=True)):
        if li == last:
            mine = [f"o{k}" for k in range(m)]
            roles += ["output"] * m
            labels += ["output"] * m
        else:
            mine = [f"h{count + k}" for k in range(m)]
            count += m
            roles += ["hidden"] * m
            labels += [f"hidden{li}"] * m
        acts += [act] * m
        every += mine
        if m == 1 and len(ids) == 1:
            edges.append((ids[0], mine[0]))
        else:
            edges.extend((u, v) for v in mine for u in ids)  # each neuron's inputs in order
        ids = mine
    bias_list = [0.0] * n_in + biases.tolist()
    neurons = [(n, {"bias": b, "activation": a, "role": r, "layer": la})
               for n, b, a, r, la in zip(every, bias_list, acts, roles, labels, strict=True)]
    return build_network(neurons, edges, weights, name=name)


def build_network(neurons: list[tuple[Any, dict[str, Any]]], edges: list[tuple[Any, Any]],
                  weights: np.ndarray, *, name: str | None = None) -> Network:
    """A network from new neurons ((id, attributes with a float ``bias``)) and synapses
    (id pairs, each neuron's incoming ones in summation order), through the graph store's
    bulk paths. Every bias and weight must be finite: a NetworkFormatError otherwise."""
    from .._network import Network

    weights = np.asarray(weights, dtype=np.float64)
    biases = np.array([a["bias"] for _, a in neurons], dtype=np.float64)
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

