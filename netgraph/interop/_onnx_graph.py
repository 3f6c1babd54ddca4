"""The graph reader behind ``from_onnx``: any feed-forward ONNX graph of layers, sums and
element-wise activations, read symbolically (see ``_onnx_read`` for the overview).

A value is one of:

- a constant (``np.ndarray``): an initializer, a ``Constant`` node, or folded from them;
- a ``_Sym``: a tensor with one batch axis whose every element is an affine form
  ``bias + sum(w * y)`` over neuron activations ``y`` (kept as compressed rows);
- a ``_Shape``: a shape vector in which the batch size is unknown (``Shape`` of data);
- a ``_Pending``: the output of a non-linear operator, turned into neurons only when a
  linear operator (or the graph's output) uses it, by matching the subgraph that made
  it against the activations netgraph knows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._exceptions import NetworkFormatError
from ._onnx_read import (
    _ELEMENTWISE,
    _attributes,
    _check_node,
    _Constants,
    _fail,
    _imported_activation,
    _loop,
    _refuse_not_elementwise,
    _tensor,
    _where,
)

__all__ = ["read_graph"]

_MAX_NESTING = 100  # activations applied straight to activations, without a sum between


class _Sym:
    """Elements in C order over the non-batch axes ``shape``; the batch axis sits at
    position ``bax`` of the full shape. Element e is ``bias[e] + sum(val * y[col])``
    over ``ptr[e]:ptr[e+1]``."""

    __slots__ = ("bax", "bias", "col", "ptr", "shape", "val")

    def __init__(self, shape: tuple[int, ...], bax: int, ptr: np.ndarray, col: np.ndarray,
                 val: np.ndarray, bias: np.ndarray) -> None:
        self.shape, self.bax = shape, bax
        self.ptr, self.col, self.val, self.bias = ptr, col, val, bias

    @property
    def size(self) -> int:
        return len(self.bias)

    def full(self) -> tuple[int, ...]:
        """The full shape with 1 for the batch axis (for broadcasting)."""
        return (*self.shape[:self.bax], 1, *self.shape[self.bax:])

    def index(self) -> np.ndarray:
        """Each element's number, in the full shape (batch axis of length 1)."""
        return np.arange(self.size, dtype=np.int64).reshape(self.full())


class _Shape:
    """A shape vector holding the batch size (None) among known lengths."""

    __slots__ = ("dims",)

    def __init__(self, dims: list[int | None]) -> None:
        self.dims = dims


class _Pending:
    """A non-linear value, made into neurons when a linear operator needs it."""

    __slots__ = ("name", "resolved")

    def __init__(self, name: str) -> None:
        self.name = name
        self.resolved: _Sym | None = None


Value = Any  # np.ndarray | _Sym | _Shape | _Pending


# ------------------------------------------------------------------ the templates
class _Template:
    """One activation as ``to_onnx`` writes it: nodes by output name, scalar constants."""

    def __init__(self, name: str, nodes: list[Any], consts: dict[str, float], out: str) -> None:
        self.name, self.consts, self.out = name, consts, out
        self.producer = {node.output[0]: node for node in nodes}
        self.size = len(nodes)


_TEMPLATES: list[_Template] = []


def _templates() -> list[_Template]:
    """The activations ``to_onnx`` composes from several operators (or one), largest first
    so that an activation is never mistaken for a part of itself."""
    if not _TEMPLATES:
        from onnx import numpy_helper

        from ._onnx import ONNX_ACTIVATIONS, _Builder

        found = []
        for name, rule in ONNX_ACTIVATIONS.items():
            b = _Builder(np.dtype("float64"))
            out = rule(b, "s")
            if out == "s":
                continue  # identity: no node at all
            consts = {t.name: float(numpy_helper.to_array(t).reshape(-1)[0]) for t in b.inits
                      if numpy_helper.to_array(t).size == 1}
            found.append(_Template(name, b.nodes, consts, out))
        found.sort(key=lambda t: -t.size)
        _TEMPLATES.extend(found)
    return _TEMPLATES


_PENDING_OPS = frozenset({"Sigmoid", "Tanh", "Relu", "Div", "Add", "Sub", "Mul", "Abs", "Sin",
                          "Exp", "Neg", "Sqrt", "Where", "Greater", "Less", "Equal", "Clip",
                          "Max", "Min", "Log", "Pow", "Softsign", "Selu", "LeakyRelu",
                          "Softplus", "Elu"})
_FLOATS = {1: np.float32, 11: np.float64, 10: np.float16, 6: np.int32, 7: np.int64,
           9: np.bool_}


# ------------------------------------------------------------------------ reader
class _Reader:
    def __init__(self, model: Any, nodes: list[Any], consts: _Constants,
                 shape: tuple[int, ...], input_name: str) -> None:
        n_in = math.prod(shape)
        self.nodes = nodes
        self.consts = consts
        self.n_neurons = n_in
        self.n_in = n_in
        # each block of new neurons: (first id, their sums, activation)
        self.blocks: list[tuple[int, _Sym, str]] = []
        self.values: dict[str, Value] = {}
        self.producer: dict[str, Any] = {}
        self.limit = max(1 << 22, 4 * model.ByteSize())  # elements any one value may hold
        ident = np.arange(n_in, dtype=np.int64)
        self.values[input_name] = _Sym(shape, 0, np.arange(n_in + 1, dtype=np.int64), ident,
                                       np.ones(n_in), np.zeros(n_in))

    # ----------------------------------------------------------- values and sizes
    def value(self, name: str) -> Value:
        if not name:
            return None
        v = self.values.get(name)
        if v is None:
            v = self.consts.get(name)
        return v

    def check_size(self, n: int, where: str) -> None:
        if n > self.limit:
            raise _fail(where, f"makes a tensor of {n} elements, more than this model's "
                        f"size allows ({self.limit})")

    def sym(self, v: Value, where: str) -> _Sym:
        if isinstance(v, _Pending):
            return self.resolve(v, 0)
        if isinstance(v, _Sym):
            return v
        raise _fail(where, "expected the network's values here")

    # --------------------------------------------------------------- linear maps
    def linear(self, size: int, shape: tuple[int, ...], bax: int,
               terms: list[tuple[_Sym, np.ndarray, np.ndarray, np.ndarray | None]],
               where: str, bias: np.ndarray | None = None) -> _Sym:
        """Element o of the result = bias[o] + sum of scale * (element i of a source)
        over the terms' (source, o, i, scale) lists."""
        rows, cols, vals = [], [], []
        total = np.zeros(size) if bias is None else np.array(bias, dtype=np.float64)
        count = 0
        for s, o, i, w in terms:
            starts = s.ptr[i]
            lens = s.ptr[i + 1] - starts
            n = int(lens.sum())
            count += n
            self.check_size(count, where)
            offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens)
            pos = offsets + np.arange(n, dtype=np.int64)
            rows.append(np.repeat(o, lens))
            cols.append(s.col[pos])
            v = s.val[pos]
            if w is not None:
                v = v * np.repeat(w, lens)
                total += np.bincount(o, weights=s.bias[i] * w, minlength=size)
            else:
                total += np.bincount(o, weights=s.bias[i], minlength=size)
            vals.append(v)
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        val = np.concatenate(vals) if vals else np.zeros(0)
        key = row * self.n_neurons + col
        if len(key) > 1 and not bool(np.all(key[1:] > key[:-1])):
            key, inverse = np.unique(key, return_inverse=True)
            val = np.bincount(inverse, weights=val)
            row, col = key // self.n_neurons, key % self.n_neurons
        keep = val != 0.0
        if not keep.all():
            row, col, val = row[keep], col[keep], val[keep]
        ptr = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=size), out=ptr[1:])
        return _Sym(shape, bax, ptr, col, val, total)

    def take(self, s: _Sym, idx: np.ndarray, shape: tuple[int, ...], bax: int,
             where: str) -> _Sym:
        """The elements ``idx`` (in that order) of ``s``."""
        idx = np.asarray(idx, dtype=np.int64).reshape(-1)
        self.check_size(len(idx), where)
        starts = s.ptr[idx]
        lens = s.ptr[idx + 1] - starts
        ptr = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum(lens, out=ptr[1:])
        n = int(ptr[-1])
        self.check_size(n, where)
        pos = np.repeat(starts - ptr[:-1], lens) + np.arange(n, dtype=np.int64)
        return _Sym(shape, bax, ptr, s.col[pos], s.val[pos], s.bias[idx])

    # --------------------------------------------------------------- activations
    def activate(self, s: _Sym, name: str) -> _Sym:
        """``s`` through activation ``name``: new neurons, one per element (its sum)."""
        return s if name == "identity" else self.neurons(s, name)

    def neurons(self, s: _Sym, name: str) -> _Sym:
        """New neurons whose sums are the elements of ``s``; returns their activations."""
        first = self.n_neurons
        self.blocks.append((first, s, name))
        self.n_neurons += s.size
        ids = np.arange(first, first + s.size, dtype=np.int64)
        return _Sym(s.shape, s.bax, np.arange(s.size + 1, dtype=np.int64), ids,
                    np.ones(s.size), np.zeros(s.size))

    def resolve(self, p: _Pending, depth: int) -> _Sym:
        if p.resolved is not None:
            return p.resolved
        if depth > _MAX_NESTING:
            raise _fail(f"value {p.name!r}", f"more than {_MAX_NESTING} activations in a row")
        node = self.producer[p.name]
        where = _where(node)
        fallback: list[tuple[_Template, Value]] = []
        for t in _templates():
            bound = self.match(t, p.name)
            if bound is None:
                continue
            if isinstance(bound, _Sym):
                p.resolved = self.activate(bound, t.name)
                return p.resolved
            fallback.append((t, bound))
        op = node.op_type
        if op in _ELEMENTWISE and op != "Identity":
            attrs = _attributes(node, where)
            name = _imported_activation(node, op, attrs, self.consts, where)
            if len(node.input) > 1 and any(not isinstance(self.value(x), np.ndarray)
                                          for x in node.input[1:] if x):
                raise _fail(where, "its bounds must be constants")
            fallback.insert(0, (_Template(name, [], {}, ""), self.value(node.input[0])))
        for t, bound in fallback:
            if isinstance(bound, _Pending):
                p.resolved = self.activate(self.resolve(bound, depth + 1), t.name)
                return p.resolved
        # no activation: its inputs made into neurons first (an error inside them is the
        # one to report), after which a sum of them (a residual Add) is linear after all
        ins = [self.value(x) for x in node.input]
        ins = [self.resolve(v, depth + 1) if isinstance(v, _Pending) else v for v in ins]
        if op in ("Add", "Sub", "Mul", "Div", "Neg") and self.linear_here(op, ins):
            out = self.data_op(node, op, ins, _attributes(node, where), where)
            if isinstance(out, _Sym):
                p.resolved = out
                return out
        raise _fail(where, f"{op} here does not compute an activation netgraph has (a "
                    "neuron applies one element-wise activation to its sum)")

    def match(self, t: _Template, name: str) -> Value:
        """What ``t``'s input ``s`` is in the model if value ``name`` is ``t`` applied to
        it, node for node and constant for constant; else None."""
        from onnx import helper

        bind: dict[str, str] = {}
        stack = [(t.out, name)]
        while stack:
            tn, mn = stack.pop()
            if tn in t.consts:
                c = self.value(mn)
                if not isinstance(c, np.ndarray) or c.size != 1 or c.dtype.kind != "f":
                    return None
                if float(c.reshape(-1)[0]) != float(c.dtype.type(t.consts[tn])):
                    return None
                continue
            if bind.setdefault(tn, mn) != mn:
                return None
            if tn == "s":
                continue
            tnode, mnode = t.producer[tn], self.producer.get(mn)
            if mnode is None or mnode.op_type != tnode.op_type or mnode.domain not in (
                    "", "ai.onnx") or len(mnode.input) != len(tnode.input) or len(
                    mnode.attribute) != len(tnode.attribute) or mnode.output[0] != mn:
                return None
            for a, b in zip(sorted(tnode.attribute, key=lambda x: x.name),
                            sorted(mnode.attribute, key=lambda x: x.name), strict=True):
                try:
                    if a.name != b.name or helper.get_attribute_value(
                            a) != helper.get_attribute_value(b):
                        return None
                except Exception:
                    return None
            stack.extend(zip(tnode.input, mnode.input, strict=True))
        return self.value(bind["s"]) if "s" in bind else None

    # -------------------------------------------------------------------- nodes
    def run(self, node: Any) -> None:
        where = _where(node)
        _check_node(node, where)
        op = node.op_type
        attrs = _attributes(node, where)
        ins = [self.value(x) for x in node.input]
        for x, v in zip(node.input, ins, strict=True):
            if x and v is None:
                raise _fail(where, f"input {x!r} is made by no node")
        data = [v for v in ins if isinstance(v, (_Sym, _Pending, _Shape))]
        if op == "Constant":
            out: Value = self.constant(node, attrs, where)
        elif not data:
            out = self.fold(node, op, ins, attrs, where)
        elif any(isinstance(v, _Shape) for v in ins):
            out = self.shape_op(node, op, ins, attrs, where)
        else:
            _refuse_not_elementwise(op, where)
            out = self.data_op(node, op, ins, attrs, where)
        self.values[node.output[0]] = out

    def constant(self, node: Any, attrs: dict[str, Any], where: str) -> np.ndarray:
        for a in node.attribute:
            if a.name == "value":
                return _tensor(a.t, where)
        for key, dtype in (("value_float", np.float32), ("value_floats", np.float32),
                           ("value_int", np.int64), ("value_ints", np.int64)):
            if key in attrs:
                return np.array(attrs[key], dtype=dtype)
        raise _fail(where, "a Constant node without a number or tensor value")

    def fold(self, node: Any, op: str, ins: list[Any], attrs: dict[str, Any],
             where: str) -> np.ndarray:
        """An operator on constants alone, computed now (a short, safe list)."""
        a: Any = ins[0] if ins else None
        try:
            if op in ("Identity", "Dropout"):
                out = a
            elif op == "Cast":
                out = np.asarray(a).astype(_FLOATS[int(attrs["to"])])
            elif op == "Reshape":
                out = np.reshape(a, _target_shape(a.shape, ins[1]))
            elif op == "Transpose":
                out = np.transpose(a, attrs.get("perm"))
            elif op == "Concat":
                out = np.concatenate([np.asarray(x) for x in ins if x is not None],
                                     axis=int(attrs["axis"]))
            elif op == "Gather":
                out = np.take(a, ins[1].astype(np.int64), axis=int(attrs.get("axis", 0)))
            elif op == "Unsqueeze":
                out = np.expand_dims(a, tuple(int(x) for x in ins[1].reshape(-1)))
            elif op == "Squeeze":
                out = np.squeeze(a, None if len(ins) < 2 else tuple(
                    int(x) for x in ins[1].reshape(-1)))
            elif op in ("Add", "Sub", "Mul", "Div"):
                self.check_size(int(np.prod(np.broadcast_shapes(a.shape, ins[1].shape))),
                                where)
                out = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply,
                       "Div": np.divide}[op](a, ins[1])
            elif op == "Neg":
                out = -a
            elif op == "Slice":
                out = a[_slices(a.shape, ins)]
            elif op == "Shape":
                out = np.array(a.shape, dtype=np.int64)
            elif op == "ConstantOfShape":
                shape = tuple(int(x) for x in a.reshape(-1))
                if any(d < 0 for d in shape):
                    raise ValueError(f"negative length in {list(shape)}")
                self.check_size(math.prod(shape), where)
                fill = _tensor(attrs["value"], where).reshape(-1) if "value" in attrs \
                    else np.zeros(1, dtype=np.float32)
                out = np.full(shape, fill[0], dtype=fill.dtype)
            elif op == "ScatterElements":
                if attrs.get("reduction", b"none") not in (b"none", "none"):
                    raise ValueError("a reduction")
                out = np.array(a)
                np.put_along_axis(out, ins[1].astype(np.int64), ins[2],
                                  axis=int(attrs.get("axis", 0)))
            else:
                raise _fail(where, f"operator {op} on constants is not part of a network "
                            "netgraph reads")
        except NetworkFormatError:
            raise
        except Exception as e:  # numpy's shape, index and type errors on a bad model
            raise _fail(where, f"cannot compute it: {type(e).__name__}: {e}") from None
        out = np.asarray(out)
        self.check_size(out.size, where)
        return out

    def shape_op(self, node: Any, op: str, ins: list[Any], attrs: dict[str, Any],
                 where: str) -> Value:
        """The few operators that build a batch-sized shape or tensor."""
        a = ins[0]
        if op == "Slice" and isinstance(a, _Shape):
            dims = a.dims[_slices((len(a.dims),), ins)[0]]
        elif op == "Concat" and int(attrs.get("axis", 0)) == 0:
            dims = []
            for x in ins:
                dims.extend(x.dims if isinstance(x, _Shape) else
                            [int(d) for d in np.asarray(x).reshape(-1)])
        elif op == "ConstantOfShape" and isinstance(a, _Shape):
            if a.dims.count(None) != 1 or any(d is not None and d < 0 for d in a.dims):
                raise _fail(where, f"a tensor of shape {a.dims} (None: the batch)")
            bax = a.dims.index(None)
            shape = tuple(int(d) for d in a.dims if d is not None)
            size = math.prod(shape)
            self.check_size(size, where)
            fill = _tensor(attrs["value"], where).reshape(-1) if "value" in attrs else [0.0]
            return _Sym(shape, bax, np.zeros(size + 1, dtype=np.int64),
                        np.zeros(0, dtype=np.int64), np.zeros(0),
                        np.full(size, float(fill[0])))
        elif op == "Identity":
            return a
        else:
            raise _fail(where, f"{op} of a shape that holds the batch size")
        if None not in dims:
            return np.array(dims, dtype=np.int64)
        return _Shape(dims)

    def data_op(self, node: Any, op: str, ins: list[Any], attrs: dict[str, Any],
                where: str) -> Value:
        a = ins[0]
        if op in ("Identity", "Dropout"):
            if op == "Dropout" and len(ins) > 2 and ins[2] is not None:
                raise _fail(where, "Dropout in training mode")
            return a
        if op == "Shape":
            s = self.sym(a, where)
            full: list[int | None] = list(s.full())
            full[s.bax] = None
            return _Shape(full)
        if op in _PENDING_OPS and not self.linear_here(op, ins):
            return _Pending(node.output[0])
        ins = [self.sym(v, where) if isinstance(v, _Pending) else v for v in ins]
        a = ins[0]
        if op == "Cast":
            if _FLOATS.get(int(attrs.get("to", 0))) not in (np.float32, np.float64, np.float16):
                raise _fail(where, "Cast to a type other than floating point")
            return a
        if op in ("Add", "Sub"):
            return self.add(ins[0], ins[1], -1.0 if op == "Sub" else 1.0, where)
        if op in ("Mul", "Div"):
            s, c = (ins[0], ins[1]) if isinstance(ins[0], _Sym) else (ins[1], ins[0])
            c = np.asarray(c, dtype=np.float64)
            return self.scale(s, 1.0 / c if op == "Div" else c, where)
        if op == "Neg":
            return self.scale(a, np.array(-1.0), where)
        if op == "Transpose":
            return self.transpose(a, attrs.get("perm"), where)
        if op == "Gather":
            return self.gather(a, ins[1], int(attrs.get("axis", 0)), where)
        if op == "Slice":
            return self.slice(a, ins, where)
        if op == "Concat":
            return self.concat(ins, int(attrs["axis"]) if "axis" in attrs else 0, where)
        if op == "ReduceSum":
            return self.reduce_sum(a, ins, attrs, where)
        if op in ("Reshape", "Flatten"):
            return self.reshape(a, ins, op, attrs, where)
        if op in ("Gemm", "MatMul"):
            return self.matmul(node, op, ins, attrs, where)
        raise _fail(where, f"operator {op} is not part of a multilayer perceptron "
                    "(Gemm/MatMul + Add and element-wise activations)")

    def linear_here(self, op: str, ins: list[Any]) -> bool:
        """Whether ``op`` is a linear map of its data inputs (else it waits as pending)."""
        if any(isinstance(v, _Pending) for v in ins):
            return False
        if op in ("Add", "Sub"):
            return len(ins) == 2
        if op == "Mul":
            return len(ins) == 2 and sum(isinstance(v, _Sym) for v in ins) == 1
        if op == "Div":
            return len(ins) == 2 and isinstance(ins[0], _Sym) and isinstance(
                ins[1], np.ndarray) and ins[1].dtype.kind == "f" and bool(np.all(ins[1] != 0))
        return op == "Neg"

    # ------------------------------------------------------------ linear operators
    def broadcast(self, s: _Sym, other_shape: tuple[int, ...], where: str
                  ) -> tuple[np.ndarray, tuple[int, ...], int]:
        """``s``'s element numbers broadcast against ``other_shape`` (batch axis of length
        1), the result's full shape and its batch axis."""
        idx = s.index()
        try:
            shape = np.broadcast_shapes(idx.shape, other_shape)
        except ValueError:
            raise _fail(where, f"shapes {_shown(s)} and {list(other_shape)} do not "
                        "broadcast") from None
        bax = s.bax + len(shape) - idx.ndim
        if shape[bax] != 1:
            raise _fail(where, "a constant that differs from sample to sample")
        self.check_size(math.prod(shape), where)
        return np.broadcast_to(idx, shape), shape, bax

    def add(self, a: Any, b: Any, sign: float, where: str) -> _Sym:
        if not isinstance(a, _Sym):  # constant + data (or - data)
            neg = self.scale(b, np.array(sign), where)
            return self.add(neg, a, 1.0, where)
        if isinstance(b, _Sym):
            ia, ib = a.index(), b.index()
            try:
                shape = np.broadcast_shapes(ia.shape, ib.shape)
            except ValueError:
                raise _fail(where, f"shapes {_shown(a)} and {_shown(b)} do not "
                            "broadcast") from None
            bax = a.bax + len(shape) - ia.ndim
            if bax != b.bax + len(shape) - ib.ndim or shape[bax] != 1:
                raise _fail(where, "adds values whose batch axes differ")
            self.check_size(math.prod(shape), where)
            out = tuple(d for k, d in enumerate(shape) if k != bax)
            n = math.prod(out)
            o = np.arange(n, dtype=np.int64)
            pa = np.broadcast_to(ia, shape).reshape(-1)
            pb = np.broadcast_to(ib, shape).reshape(-1)
            return self.linear(n, out, bax, [(a, o, pa, None),
                                             (b, o, pb, None if sign == 1.0 else np.full(
                                                 n, sign))], where)
        c = np.asarray(b, dtype=np.float64) * sign
        idx, shape, bax = self.broadcast(a, c.shape, where)
        cb = np.broadcast_to(c, shape).reshape(-1)
        out = tuple(d for k, d in enumerate(shape) if k != bax)
        if idx.size == a.size and bool(np.all(idx.reshape(-1) == np.arange(a.size))):
            return _Sym(out, bax, a.ptr, a.col, a.val, a.bias + cb)
        taken = self.take(a, idx, out, bax, where)
        taken.bias = taken.bias + cb
        return taken

    def scale(self, s: _Sym, c: np.ndarray, where: str) -> _Sym:
        idx, shape, bax = self.broadcast(s, np.asarray(c).shape, where)
        w = np.broadcast_to(np.asarray(c, dtype=np.float64), shape).reshape(-1)
        out = tuple(d for k, d in enumerate(shape) if k != bax)
        n = len(w)
        return self.linear(n, out, bax, [(s, np.arange(n, dtype=np.int64), idx.reshape(-1),
                                          w.copy())], where)

    def transpose(self, s: _Sym, perm: Any, where: str) -> _Sym:
        nd = len(s.shape) + 1
        perm = list(range(nd))[::-1] if perm is None else [int(p) for p in perm]
        if sorted(perm) != list(range(nd)):
            raise _fail(where, f"perm {perm} for a tensor of {nd} axes")
        idx = np.transpose(s.index(), perm)
        bax = perm.index(s.bax)
        shape = tuple(d for k, d in enumerate(idx.shape) if k != bax)
        return self.take(s, idx, shape, bax, where)

    def gather(self, s: _Sym, indices: Any, axis: int, where: str) -> _Sym:
        if not isinstance(indices, np.ndarray) or indices.dtype.kind not in "iu":
            raise _fail(where, "gathers at places that are not constant whole numbers")
        nd = len(s.shape) + 1
        axis = axis + nd if axis < 0 else axis
        if not 0 <= axis < nd or axis == s.bax:
            raise _fail(where, f"gathers along axis {axis}, the batch axis or none")
        full = s.index()
        n = full.shape[axis]
        ind = indices.astype(np.int64)
        if ind.size and (ind.min() < -n or ind.max() >= n):
            raise _fail(where, f"an index out of range for an axis of length {n}")
        idx = np.take(full, np.where(ind < 0, ind + n, ind), axis=axis)
        bax = s.bax + (ind.ndim - 1 if s.bax > axis else 0)
        shape = tuple(d for k, d in enumerate(idx.shape) if k != bax)
        return self.take(s, idx, shape, bax, where)

    def slice(self, s: _Sym, ins: list[Any], where: str) -> _Sym:
        full = s.index()
        try:
            cut = _slices(full.shape, ins, batch=s.bax)
        except ValueError as e:
            raise _fail(where, str(e)) from None
        idx = full[cut]
        shape = tuple(d for k, d in enumerate(idx.shape) if k != s.bax)
        return self.take(s, idx, shape, s.bax, where)

    def concat(self, ins: list[Any], axis: int, where: str) -> _Sym:
        syms = [self.sym(v, where) if not isinstance(v, np.ndarray) else None for v in ins]
        if any(v is None for v in syms):
            raise _fail(where, "joins constants to the network's values")
        parts = [s for s in syms if s is not None]
        nd = len(parts[0].shape) + 1
        axis = axis + nd if axis < 0 else axis
        bax = parts[0].bax
        if axis == bax or any(p.bax != bax or len(p.shape) != len(parts[0].shape)
                              for p in parts):
            raise _fail(where, "joins along the batch axis, or values of different shapes")
        offsets = np.cumsum([0] + [p.size for p in parts])
        try:
            idx = np.concatenate([p.index() + off for p, off in zip(parts, offsets, strict=False)],
                                 axis=axis)
        except ValueError as e:
            raise _fail(where, f"cannot join: {e}") from None
        merged = _Sym((int(offsets[-1]),), 0, np.concatenate(
            [[0]] + [p.ptr[1:] + p_off for p, p_off in zip(
                parts, np.cumsum([0] + [len(p.col) for p in parts]), strict=False)]
        ).astype(np.int64), np.concatenate([p.col for p in parts]),
            np.concatenate([p.val for p in parts]), np.concatenate([p.bias for p in parts]))
        shape = tuple(d for k, d in enumerate(idx.shape) if k != bax)
        return self.take(merged, idx, shape, bax, where)

    def reduce_sum(self, s: _Sym, ins: list[Any], attrs: dict[str, Any], where: str) -> _Sym:
        nd = len(s.shape) + 1
        axes_in = ins[1] if len(ins) > 1 and ins[1] is not None else attrs.get("axes")
        if axes_in is None:
            raise _fail(where, "sums over every axis, the batch included")
        axes = sorted({int(a) + nd if int(a) < 0 else int(a)
                       for a in np.asarray(axes_in).reshape(-1)})
        if s.bax in axes or any(not 0 <= a < nd for a in axes):
            raise _fail(where, f"sums over axes {axes}: the batch axis, or none")
        keep = [k for k in range(nd) if k not in axes]
        full = np.transpose(s.index(), keep + axes)
        kept = full.shape[:len(keep)]
        groups = full.reshape(math.prod(kept), -1)
        keepdims = int(attrs.get("keepdims", 1))
        out_full = [d if k not in axes else 1 for k, d in enumerate(s.full())] if keepdims \
            else list(kept)
        bax = s.bax if keepdims else keep.index(s.bax)
        shape = tuple(d for k, d in enumerate(out_full) if k != bax)
        n, r = groups.shape
        return self.linear(n, shape, bax, [(s, np.repeat(np.arange(n, dtype=np.int64), r),
                                            groups.reshape(-1), None)], where)

    def reshape(self, s: _Sym, ins: list[Any], op: str, attrs: dict[str, Any],
                where: str) -> _Sym:
        nd = len(s.shape) + 1
        if op == "Flatten":
            axis = int(attrs.get("axis", 1))
            if (s.bax, axis) in ((0, 1), (nd - 1, nd - 1)):
                return _Sym((s.size,), min(s.bax, 1), s.ptr, s.col, s.val, s.bias)
            raise _fail(where, f"Flatten with axis={axis} mixes the samples")
        target = ins[1] if len(ins) > 1 else None
        dims: list[int | None]
        if isinstance(target, _Shape):
            dims = list(target.dims)
        elif isinstance(target, np.ndarray) and target.dtype.kind in "iu":
            dims = [int(d) for d in target.reshape(-1)]
            for k, d in enumerate(dims):
                if d == 0:
                    dims[k] = None if k == s.bax else (s.full()[k] if k < nd else -1)
            if None not in dims:
                free = [k for k, d in enumerate(dims) if d == -1]
                rest = math.prod(d for d in dims if d is not None and d != -1)
                if len(free) == 1 and rest == s.size:
                    dims[free[0]] = None
        else:
            raise _fail(where, "Reshape to a shape that is not constant")
        shown = [d if d is not None else "batch" for d in dims]
        if dims.count(None) != 1:
            raise _fail(where, f"Reshape to {shown} changes the shape {_shown(s)} of the "
                        "values")
        free = [k for k, d in enumerate(dims) if d == -1]
        known = math.prod(d for d in dims if d is not None and d != -1)
        if len(free) == 1 and known and s.size % known == 0:
            dims[free[0]] = s.size // known
        bax = dims.index(None)
        shape = tuple(int(d) for d in dims if d is not None)
        if (math.prod(shape) != s.size or any(d < 0 for d in shape)
                or not ((bax == 0 and s.bax == 0) or (bax == len(dims) - 1
                                                      and s.bax == nd - 1))):
            raise _fail(where, f"Reshape to {shown} changes the shape {_shown(s)} of the "
                        "values")
        return _Sym(shape, bax, s.ptr, s.col, s.val, s.bias)

    def matmul(self, node: Any, op: str, ins: list[Any], attrs: dict[str, Any],
               where: str) -> _Sym:
        a, b = ins[0], ins[1]
        if op == "Gemm" and (not isinstance(a, _Sym) or attrs.get("transA", 0)):
            raise _fail(where, "the data must be the first operand, not transposed")
        if isinstance(a, _Sym) and isinstance(b, np.ndarray):
            W = np.asarray(b, dtype=np.float64)
            if op == "Gemm" and attrs.get("transB", 0):
                W = W.T
            if W.ndim != 2 or len(a.shape) != 1 or a.bax != 0 or W.shape[0] != a.size:
                raise _fail(where, f"weights of shape {list(W.shape)} for values of shape "
                            f"{_shown(a)}")
            if op == "Gemm":
                W = W * float(attrs.get("alpha", 1.0))
            j, i = np.nonzero(W)
            self.check_size(len(j), where)
            out = self.linear(W.shape[1], (W.shape[1],), 0, [(a, i, j, W[j, i])], where)
            if op == "Gemm" and len(ins) > 2 and ins[2] is not None:
                beta = float(attrs.get("beta", 1.0))
                c = ins[2]
                out = self.add(out, c * beta if isinstance(c, np.ndarray) else self.scale(
                    c, np.array(beta), where), 1.0, where)
            return out
        if op == "MatMul" and isinstance(a, np.ndarray) and isinstance(b, _Sym):
            A = np.asarray(a, dtype=np.float64)
            if A.ndim != 2 or len(b.shape) != 1 or b.bax != 1 or A.shape[1] != b.size:
                raise _fail(where, f"weights of shape {list(A.shape)} for values of shape "
                            f"{_shown(b)}")
            i, j = np.nonzero(A)
            self.check_size(len(i), where)
            return self.linear(A.shape[0], (A.shape[0],), 1, [(b, i, j, A[i, j])], where)
        raise _fail(where, f"{op} of {_kind(a)} and {_kind(b)}: only a layer (the values "
                    "times constant weights) is a neuron's sum")


def _kind(v: Any) -> str:
    return "constants" if isinstance(v, np.ndarray) else "the network's values"


def _shown(s: _Sym) -> str:
    full: list[Any] = list(s.full())
    full[s.bax] = "batch"
    return f"({', '.join(map(str, full))})"


def _target_shape(shape: tuple[int, ...], target: Any) -> tuple[int, ...]:
    dims = [int(d) for d in np.asarray(target).reshape(-1)]
    return tuple(shape[k] if d == 0 else d for k, d in enumerate(dims))


def _slices(shape: tuple[int, ...], ins: list[Any], batch: int = -1) -> tuple[slice, ...]:
    """Slice's constant starts, ends, axes and steps as Python slices for ``shape``."""
    def ints(k: int) -> list[int] | None:
        if len(ins) <= k or ins[k] is None:
            return None
        v = ins[k]
        if not isinstance(v, np.ndarray) or v.dtype.kind not in "iu":
            raise ValueError("Slice bounds must be constant whole numbers")
        return [int(x) for x in v.reshape(-1)]

    starts, ends = ints(1), ints(2)
    if starts is None or ends is None or len(starts) != len(ends):
        raise ValueError("Slice needs as many starts as ends")
    axes = ints(3) or list(range(len(starts)))
    steps = ints(4) or [1] * len(starts)
    cut = [slice(None)] * len(shape)
    for s0, e0, ax, st in zip(starts, ends, axes, steps, strict=False):
        ax = ax + len(shape) if ax < 0 else ax
        if not 0 <= ax < len(shape) or ax == batch or st == 0:
            raise ValueError(f"Slice along axis {ax}: the batch axis, or none")
        cut[ax] = slice(s0, e0, st)
    return tuple(cut)


def read_graph(model: Any, nodes: list[Any], consts: _Constants, graph_input: Any,
               output: str) -> tuple[list[tuple[Any, dict[str, Any]]], list[tuple[Any, Any]],
                                     np.ndarray]:
    """The neurons, synapses and weights of a feed-forward ONNX graph (see the module)."""
    dims = graph_input.type.tensor_type.shape.dim
    if len(dims) < 2 or not all(d.HasField("dim_value") and d.dim_value > 0
                                for d in dims[1:]):
        raise _fail(f"graph input {graph_input.name!r}", "takes values of unknown width: "
                    "an MLP takes (batch, n) values with n given")
    shape = tuple(int(d.dim_value) for d in dims[1:])
    order = _order(nodes, consts, graph_input.name, output)
    r = _Reader(model, nodes, consts, shape, graph_input.name)
    for k in order:
        for name in nodes[k].output:
            if name:
                r.producer[name] = nodes[k]
    for k in order:
        r.run(nodes[k])
    out = r.value(output)
    if out is None:
        raise _fail(f"graph output {output!r}", "made by no node")
    where = f"graph output {output!r}"
    result = r.sym(out, where) if isinstance(out, (_Sym, _Pending)) else None
    if result is None or len(result.shape) != 1 or result.bax != 0:
        raise _fail(where, "an MLP's output is (batch, n) values"
                    + (f", not {_shown(result)}" if result is not None else ""))
    return _assemble(r, result)


def _order(nodes: list[Any], consts: _Constants, input_name: str, output: str) -> list[int]:
    """The nodes the output depends on, in topological order; a NetworkFormatError naming
    a value on the loop if there is one, or one made twice."""
    producer: dict[str, int] = {}
    for k, node in enumerate(nodes):
        for name in node.output:
            if not name:
                continue
            if name in producer or name == input_name or name in consts:
                raise _fail(f"value {name!r}", "is made by two nodes (or is the graph's "
                            "input or a constant as well): the graph loops or is damaged")
            producer[name] = k
    # the output's ancestors, found without recursion
    need: set[int] = set()
    stack = [producer[output]] if output in producer else []
    while stack:
        k = stack.pop()
        if k in need:
            continue
        need.add(k)
        stack.extend(producer[x] for x in nodes[k].input if x in producer)
    # Kahn's algorithm over all nodes: a loop anywhere is refused
    indeg = [0] * len(nodes)
    users: dict[int, list[int]] = {}
    for k, node in enumerate(nodes):
        for name in node.input:
            j = producer.get(name)
            if j is not None:
                indeg[k] += 1
                users.setdefault(j, []).append(k)
    ready = [k for k in range(len(nodes) - 1, -1, -1) if indeg[k] == 0]
    done: list[int] = []
    while ready:
        k = ready.pop()
        done.append(k)
        for u in users.get(k, ()):
            indeg[u] -= 1
            if indeg[u] == 0:
                ready.append(u)
    if len(done) != len(nodes):
        # walk back from a node left over until a value comes round again
        left = next(k for k in range(len(nodes)) if indeg[k] > 0)
        seen: dict[int, str] = {}
        while left not in seen:
            name = next(x for x in nodes[left].input
                        if x in producer and indeg[producer[x]] > 0)
            seen[left] = name
            left = producer[name]
        raise _loop(seen[left])
    return [k for k in done if k in need]


def _assemble(r: _Reader, result: _Sym) -> tuple[list[tuple[Any, dict[str, Any]]],
                                                  list[tuple[Any, Any]], np.ndarray]:
    """Neurons (inputs, hidden in the order made, outputs in column order), synapses."""
    n_out = result.size
    lens = np.diff(result.ptr)
    single = (lens == 1) & (result.bias == 0.0)
    single &= np.where(single, result.val[np.minimum(result.ptr[:-1], len(result.val) - 1)]
                       if len(result.val) else 0.0, 0.0) == 1.0
    first_col = result.col[np.minimum(result.ptr[:-1], max(len(result.col) - 1, 0))] \
        if len(result.col) else np.zeros(n_out, dtype=np.int64)
    output_of: dict[int, int] = {}  # neuron -> output column it becomes
    fresh: list[int] = []  # columns that need an identity neuron of their own
    for k in range(n_out):
        c = int(first_col[k])
        if single[k] and c >= r.n_in and c not in output_of:
            output_of[c] = k
        else:
            fresh.append(k)
    if fresh:
        sub = r.take(result, np.array(fresh), (len(fresh),), 0, "graph output")
        made = r.neurons(sub, "identity")
        for k, c in zip(fresh, made.col.tolist(), strict=True):
            output_of[c] = k
    n = r.n_neurons
    # neurons no output reads are left out: sweep back, block by block (a block's neurons
    # read only neurons made before it)
    live = np.zeros(n, dtype=bool)
    live[:r.n_in] = True
    live[list(output_of)] = True
    for first, s, _ in reversed(r.blocks):
        rows = live[first:first + s.size]
        live[s.col[np.repeat(rows, np.diff(s.ptr))]] = True
    ids: list[Any] = [None] * n
    activation = ["identity"] * n
    bias = np.zeros(n)
    for k in range(r.n_in):
        ids[k] = f"i{k}"
    hidden = 0
    for first, s, name in r.blocks:
        for j in range(s.size):
            c = first + j
            if c in output_of:
                ids[c] = f"o{output_of[c]}"
            else:
                ids[c] = f"h{hidden}"
                hidden += 1
            activation[c] = name
        bias[first:first + s.size] = s.bias
    neurons: list[tuple[Any, dict[str, Any]]] = [
        (ids[k], {"bias": 0.0, "activation": "identity", "role": "input", "layer": "input"})
        for k in range(r.n_in)]
    outs = sorted(output_of, key=output_of.__getitem__)
    is_out = set(outs)
    for c in [c for c in range(r.n_in, n) if live[c] and c not in is_out] + outs:
        role = "output" if c in is_out else "hidden"
        neurons.append((ids[c], {"bias": float(bias[c]), "activation": activation[c],
                                 "role": role, "layer": role}))
    srcs, dsts, ws = [], [], []
    for first, s, _ in r.blocks:
        keep = np.repeat(live[first:first + s.size], np.diff(s.ptr))
        srcs.append(s.col[keep])
        dsts.append(np.repeat(np.arange(first, first + s.size, dtype=np.int64),
                              np.diff(s.ptr))[keep])
        ws.append(s.val[keep])
    src = np.concatenate(srcs) if srcs else np.zeros(0, dtype=np.int64)
    dst = np.concatenate(dsts) if dsts else np.zeros(0, dtype=np.int64)
    edges = list(zip(map(ids.__getitem__, src.tolist()), map(ids.__getitem__, dst.tolist()),
                     strict=True))
    return neurons, edges, np.concatenate(ws) if ws else np.zeros(0)
