"""ONNX into netgraph: any feed-forward model built from layers, sums and element-wise
activations becomes a ``Network`` (``from_onnx``).

Two readers share the checks:

- **The chain reader** walks a plain stack of layers (``Gemm``, or ``MatMul`` + ``Add``,
  each optionally followed by one element-wise activation: what ``torch.onnx.export``
  writes for an ``nn.Sequential`` of ``Linear`` layers, skl2onnx for an ``MLPRegressor``,
  and netgraph for a layered network). It touches each node once and builds the network
  through the graph store's bulk paths, as the netgraph JSON loader does. A model given
  as bytes or a path is first tried by ``_onnx_wire``, which reads a plain ``Gemm``
  chain from the bytes with numpy, with no protobuf object per node, and passes
  anything it cannot prove on to this reader.
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

import ctypes
import gc
import math
import os
import sys
from itertools import chain, repeat
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
# element-wise operators whose netgraph activation no attribute or operand changes
_PLAIN_ACTIVATIONS = frozenset({"Relu", "Sigmoid", "Tanh", "Softsign", "Sin", "Abs",
                                "Softplus"})
_BUILD_CHUNK = 1 << 14  # synapses per bulk insertion (bounds the temporaries)
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


# A plain float tensor still in the model's bytes: (data, numpy's little-endian type
# code, dims). A plain tuple: a chain of 100,000 layers reads 200,000 of them.
Raw = tuple[bytes, str, tuple[int, ...]]


class _Constants:
    """The model's initializers, each decoded on first use (a model of 200,000 small
    tensors pays only for those it reads). Only names and positions are kept: a tensor's
    protobuf wrapper lives while it is read, not as long as the reader."""

    def __init__(self, graph: Any) -> None:
        self.protos = graph.initializer
        self.index = {t.name: k for k, t in enumerate(self.protos)}  # the last one wins
        self.values: dict[str, np.ndarray] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.values or name in self.index

    def quick(self, name: str) -> Raw | np.ndarray | None:
        """A plain float tensor's bytes, type and shape without making an array (a chain
        of 100,000 layers joins them all at once); any other tensor as an array."""
        k = self.index.get(name)
        if k is None:
            return self.values.get(name)
        t = self.protos[k]
        code = _FLOAT_TYPES.get(t.data_type)
        if code is not None and t.data_location != 1:
            raw = t.raw_data
            if raw:
                dims = tuple(t.dims)
                # negative lengths are caught where the shape is used
                if len(raw) == math.prod(dims) * int(code[-1]):
                    return raw, code, dims
        return self.get(name)

    def get(self, name: str) -> np.ndarray | None:
        value = self.values.get(name)
        if value is None:
            k = self.index.get(name)
            if k is not None:
                value = self.values[name] = _tensor(self.protos[k], f"initializer {name!r}")
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


def _model_bytes(model_or_path: Any) -> Any:
    """The model's bytes, under the size cap (or the ``onnx.ModelProto`` given)."""
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
    return data


def _parse(data: Any) -> Any:
    """``data`` (bytes) as an ``onnx.ModelProto``, checked to have a graph."""
    onnx = _onnx_module()
    if isinstance(data, onnx.ModelProto):
        return data
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
    if not isinstance(model_or_path, _onnx_module().ModelProto):
        _return_freed_memory()
    network: Network = build(*args, name=name)
    return network


def _onnx_module() -> Any:
    from . import _onnx

    return _onnx._require_onnx()


_TRIM: list[Any] = []


def _return_freed_memory() -> None:
    """Hand the parsed model's freed memory back to the system. protobuf allocates a
    model with the C library's malloc (about ten times the file's size); once freed,
    glibc keeps those pages, and the network, made of Python's own arenas, would not
    reuse them: without this the build's peak is the two added up. A no-op where the C
    library has no ``malloc_trim``."""
    if not _TRIM:
        trim = None
        if sys.platform.startswith("linux"):
            try:
                trim = ctypes.CDLL(None).malloc_trim
                trim.argtypes = [ctypes.c_size_t]
                trim.restype = ctypes.c_int
            except (OSError, AttributeError):
                trim = None
        _TRIM.append(trim)
    if _TRIM[0] is not None:
        _TRIM[0](0)


def _read(model_or_path: Any) -> tuple[Any, tuple[Any, ...], str | None]:
    """What to build the network from: a builder, its arguments, the network's name."""
    data = _model_bytes(model_or_path)
    if isinstance(data, bytes):
        # a plain chain of layers straight from the bytes, with no protobuf object per
        # node (_onnx_wire); anything else is parsed and judged below
        from ._onnx_wire import read_chain

        chain = read_chain(data)
        if chain is not None:
            n_in, sizes, weights, biases, activations, graph_name = chain
            name = f"onnx model {_text(graph_name)}" if graph_name else None
            return _build_layers, (n_in, sizes, activations, weights, biases), name
    model = _parse(data)
    del data
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
    stack = _chain(g.node, consts, inputs[0], g.output[0].name)
    if stack is not None:
        weights, biases = stack.flat()
        return _build_layers, (stack.k[0], stack.m, stack.activation, weights, biases), name
    from ._onnx_graph import read_graph

    return build_network, read_graph(model, list(g.node), consts, inputs[0],
                                     g.output[0].name), name


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


class _Stack:
    """A chain's layers, kept in columns (a chain of 100,000 layers makes no object per
    layer). A plain layer (its float tensors in the first layer's type, weights (out, in)
    or a vector, no scaling, a full bias) keeps the model's bytes, appended to one buffer;
    any other layer is made into float64 arrays at once."""

    __slots__ = ("activation", "arrays", "bias_bytes", "code", "k", "m", "weight_bytes")

    def __init__(self) -> None:
        self.k: list[int] = []  # inputs of each layer
        self.m: list[int] = []  # neurons of each layer
        self.activation: list[str] = []
        self.code = ""  # the plain layers' float type
        self.weight_bytes = bytearray()
        self.bias_bytes = bytearray()
        self.arrays: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # W (m, k), b (m,)

    def add(self, W: Raw | np.ndarray, trans: bool, alpha: float, b: Raw | np.ndarray | None,
            beta: float, k: int, m: int) -> None:
        code = self.code
        if (isinstance(W, tuple) and alpha == 1.0 and (trans or k == 1 or m == 1)
                and (not code or W[1] == code)
                and (b is None or (isinstance(b, tuple) and b[1] == W[1] and beta == 1.0
                                   and math.prod(b[2]) == m))):
            self.code = W[1]
            self.weight_bytes += W[0]
            self.bias_bytes += bytes(int(W[1][-1]) * m) if b is None else b[0]
        else:
            self.arrays[len(self.k)] = _layer_arrays(W, trans, alpha, b, beta, m)
        self.k.append(k)
        self.m.append(m)
        self.activation.append("identity")

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """All weights ((out, in) layer after layer) and biases, in float64."""
        code = self.code
        weights = np.frombuffer(self.weight_bytes, dtype=code or "<f8")
        biases = np.frombuffer(self.bias_bytes, dtype=code or "<f8")
        if not self.arrays:
            return weights.astype(np.float64), biases.astype(np.float64)
        ws: list[np.ndarray] = []
        bs: list[np.ndarray] = []
        at = bt = 0
        for i, (k, m) in enumerate(zip(self.k, self.m, strict=True)):
            made = self.arrays.get(i)
            if made is None:
                ws.append(weights[at:at + k * m])
                bs.append(biases[bt:bt + m])
                at += k * m
                bt += m
            else:
                ws.append(made[0].reshape(-1))
                bs.append(made[1])
        return (np.concatenate(ws).astype(np.float64, copy=False),
                np.concatenate(bs).astype(np.float64, copy=False))


def _layer_arrays(W: Raw | np.ndarray, trans: bool, alpha: float, b: Raw | np.ndarray | None,
                  beta: float, m: int) -> tuple[np.ndarray, np.ndarray]:
    """A layer's weights (m, k) and biases (m,), in float64."""
    Wa = _raw_array(W) if isinstance(W, tuple) else W
    Wl = np.array(Wa if trans else Wa.T, dtype=np.float64) * alpha
    if b is None:
        return Wl, np.zeros(m)
    ba = _raw_array(b) if isinstance(b, tuple) else b
    ba = np.array(ba, dtype=np.float64).reshape(-1) * beta
    return Wl, np.full(m, ba[0]) if ba.size == 1 and m > 1 else ba


def _raw_array(raw: Raw) -> np.ndarray:
    data, code, dims = raw
    try:
        return np.frombuffer(data, dtype=code).reshape(dims)
    except ValueError:
        raise _fail("a tensor", f"{len(data)} bytes for the shape {list(dims)}") from None


def _chain(nodes: Any, consts: _Constants, graph_input: Any, output: str) -> _Stack | None:
    """The model's layers if it is a plain chain of them covering every node, else None
    (the graph reader then takes it). Raises at once on what no reader accepts: a value
    the walk has already passed (the graph loops), refused operators, bad attributes.

    The walk takes the next node in the model's order when it reads the current value
    (exporters write chains in order), and looks the reader up otherwise. Every node
    visited once, each reading the current value first and constants besides, is a
    chain: a value read twice would leave a node unvisited.

    ``nodes`` is the graph's repeated field (or a list): a node's protobuf wrapper lives
    only while the walk is on it."""
    current = graph_input.name
    width = _width(graph_input)
    stack = _Stack()
    acts = stack.activation
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
        domain = node.domain
        if domain and domain != "ai.onnx":
            raise _fail(_where(node), f"operator domain {domain!r} is not supported")
        n_ins = len(ins)
        if op == "Identity" and n_ins == 1:
            current = out
            continue
        if acts and acts[-1] == "softmax":
            raise _fail(_where(node), f"{op} after a Softmax: netgraph's softmax is for "
                        "output neurons only")
        if op == "Gemm" or op == "MatMul":
            if n_ins < 2:
                raise _fail(_where(node), f"has {n_ins} input, {op} needs two")
            W = quick(ins[1])
            c = ins[2] if n_ins > 2 else ""
            b = quick(c) if c else None
            if W is None or (c and b is None) or n_ins > 3:
                return None  # weights or bias from another branch: a graph
            shape = W[2] if isinstance(W, tuple) else W.shape
            if len(shape) != 2:
                raise _fail(_where(node), f"weights of shape {shape}, not a matrix")
            trans = False
            alpha = beta = 1.0
            attrs = _attributes(node) if node.attribute else {}  # checked for MatMul too
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
                bshape = b[2] if isinstance(b, tuple) else b.shape
                size = math.prod(bshape)
                if size != m and size != 1:
                    raise _fail(_where(node), f"bias of shape {bshape} for {m} outputs")
            stack.add(W, trans, alpha, b, beta, k, m)
            width = m
            current = out
            continue
        if (op == "Softmax" and n_ins == 1 and acts and acts[-1] == "identity"
                and int(_attributes(node).get("axis", -1)) in (1, -1)):
            # over the features of the last layer's sums: netgraph's softmax outputs
            acts[-1] = "softmax"
            current = out
            continue
        if op in _NOT_ELEMENTWISE:
            _refuse_not_elementwise(op, _where(node))
        if op in _ELEMENTWISE and op != "Identity":
            if not acts or acts[-1] != "identity" or (n_ins > 1 and any(
                    x not in consts for x in ins[1:] if x)):
                return None  # a second activation, or one before any layer: a graph
            if op in _PLAIN_ACTIVATIONS and not node.attribute:
                acts[-1] = _ELEMENTWISE[op]
                current = out
                continue
            attrs = _attributes(node) if node.attribute else {}
            try:
                act = _imported_activation(node, op, attrs, consts, _where(node))
            except NetworkFormatError:
                return None  # maybe part of a larger activation: the graph reader judges
            acts[-1] = act
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
    if not acts or visited != n_nodes:
        return None  # nodes off the chain, or none at all: for the graph reader to judge
    return stack


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
    n_hidden = sum(sizes) - sizes[-1]
    n_out = sizes[-1]
    every = ([f"i{k}" for k in range(n_in)] + [f"h{k}" for k in range(n_hidden)]
             + [f"o{k}" for k in range(n_out)])
    labels = [f"hidden{li}" for li in range(len(sizes) - 1)]
    layer_of = ["input"] * n_in + list(chain.from_iterable(map(repeat, labels, sizes)))
    layer_of += ["output"] * n_out
    acts = ["identity"] * n_in + list(chain.from_iterable(map(repeat, activations, sizes)))
    roles = ["input"] * n_in + ["hidden"] * n_hidden + ["output"] * n_out
    bias_list = [0.0] * n_in + biases.tolist()
    neurons = [(n, {"bias": b, "activation": a, "role": r, "layer": la})
               for n, b, a, r, la in zip(every, bias_list, acts, roles, layer_of, strict=True)]
    # each layer's synapses: every input of the layer before into each of its neurons,
    # neuron after neuron (each neuron's inputs in order), numbered all at once
    m = np.array(sizes, dtype=np.int64)
    first = np.cumsum(np.concatenate(([n_in], m)))[:-1]  # each layer's first neuron
    prev = np.concatenate(([n_in], m[:-1]))  # the layer before's size
    prev_first = first - prev
    counts = m * prev
    layer = np.repeat(np.arange(len(sizes)), counts)
    j = np.arange(int(counts.sum()), dtype=np.int64)
    j -= np.repeat(np.cumsum(counts) - counts, counts)
    per = prev[layer]
    source = prev_first[layer] + j % per
    target = first[layer] + j // per
    del layer, j, per
    return build_network(neurons, [], weights, name=name, ids=every,
                         synapses=(source, target))


def build_network(neurons: list[tuple[Any, dict[str, Any]]], edges: list[tuple[Any, Any]],
                  weights: np.ndarray, *, name: str | None = None,
                  ids: list[Any] | None = None,
                  synapses: tuple[np.ndarray, np.ndarray] | None = None) -> Network:
    """A network from new neurons ((id, attributes with a float ``bias``)) and synapses
    (id pairs, each neuron's incoming ones in summation order), through the graph store's
    bulk paths. Every bias and weight must be finite: a NetworkFormatError otherwise.

    The synapses may come instead as ``synapses``, (sources, targets) as positions in
    ``ids``: they are then made into id pairs a block at a time (as the JSON loader does),
    which bounds the memory a million synapses take on the way."""
    from .._network import Network

    weights = np.asarray(weights, dtype=np.float64)
    biases = np.array([a["bias"] for _, a in neurons], dtype=np.float64)
    if not (np.isfinite(weights).all() and np.isfinite(biases).all()):
        raise NetworkFormatError("ONNX model: a weight or bias is not a finite number")
    del biases
    was_enabled = gc.isenabled()
    gc.disable()  # a million new attribute objects would trigger pointless full collections
    try:
        net = Network()
        G = net.graph
        if name:
            G.graph["name"] = name
        G._add_neurons_fast(neurons)
        neurons.clear()  # the attribute dicts now belong to the network
        if synapses is None:
            G._add_synapses_fast(edges, weights)
        else:
            assert ids is not None
            source, target = synapses
            at = ids.__getitem__
            for start in range(0, len(source), _BUILD_CHUNK):
                stop = start + _BUILD_CHUNK
                G._add_synapses_fast(list(zip(map(at, source[start:stop].tolist()),
                                              map(at, target[start:stop].tolist()),
                                              strict=True)), weights[start:stop])
    finally:
        if was_enabled:
            gc.enable()
    return net
