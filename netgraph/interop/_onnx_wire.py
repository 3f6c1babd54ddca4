"""The chain reader's fast path: a plain stack of ``Gemm`` layers read from the model's
bytes a column at a time, with no protobuf object per node or tensor.

Reading a 100,000-layer chain through ``onnx.ModelProto`` costs a Python wrapper and a
dozen attribute reads per node and per initializer: seconds, where the netgraph JSON
reader of the same network takes one. Here protobuf parses the model with ONNX's own
schema, except that ``GraphProto.node`` and ``GraphProto.initializer`` are declared as
plain bytes (a schema copied from onnx's descriptor into a private pool, so every other
part of the model is still checked by protobuf). The nodes' and initializers' fields are
then read with numpy, all messages in step: the first field of every node, then the
second, and so on (``_scan``).

This path is an optimisation only. It takes exactly what it can prove: every node and
tensor made of the fields it knows, each with its expected wire type, each varint and
length inside its message; one plain chain of ``Gemm`` layers in the model's order, each
optionally followed by one attribute-free activation, raw float data in one type,
weights (out, in), full biases. On anything else, malformed or merely unusual, it
returns None and the full reader (``_onnx_read``) parses the model with the onnx package
and judges it, with its own errors: this path never raises for a model's content.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["read_chain"]

# the most fields a node or tensor may hold here (a longer one goes to the full reader):
# bounds the rounds of _scan
_MAX_FIELDS = 64

# NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, doc_string 6, domain 7
_NODE_FIELDS = np.array([1, 2, 3, 4, 5, 6, 7])
# TensorProto: dims 1, data_type 2, name 8, raw_data 9, doc_string 12, data_location 14
_TENSOR_FIELDS = np.array([1, 2, 8, 9, 12, 14])
_VARINT_FIELDS = np.array([1, 2, 14])  # the tensor fields above that are varints
_FLOAT_CODES = {1: "<f4", 11: "<f8", 10: "<f2"}  # TensorProto FLOAT, DOUBLE, FLOAT16
_ACTIVATIONS = {b"Relu": "relu", b"Sigmoid": "logistic", b"Tanh": "tanh",
                b"Softsign": "softsign", b"Sin": "sinusoid", b"Abs": "absolute",
                b"Softplus": "softplus"}

_LITE: list[Any] = []


def _lite_model() -> Any:
    """ONNX's ModelProto class with node and initializer as bytes, in a private pool."""
    if not _LITE:
        import onnx

        # protobuf comes with onnx; it ships no type stubs
        from google.protobuf import (  # type: ignore[import-untyped]
            descriptor_pb2,
            descriptor_pool,
            message_factory,
        )

        source = onnx.ModelProto.DESCRIPTOR.file
        proto = descriptor_pb2.FileDescriptorProto()
        source.CopyToProto(proto)
        for message in proto.message_type:
            if message.name == "GraphProto":
                for field in message.field:
                    if field.name in ("node", "initializer"):
                        field.type = field.TYPE_BYTES
                        field.ClearField("type_name")
        pool = descriptor_pool.DescriptorPool()
        pool.Add(proto)
        _LITE.append(message_factory.GetMessageClass(
            pool.FindMessageTypeByName(f"{source.package}.ModelProto")))
        _LITE.append(onnx.AttributeProto)
    return _LITE[0]


class _Decline(Exception):
    """Not a plain chain this path can prove: the full reader takes the model."""


def _varints(buf: np.ndarray, pos: np.ndarray, end: np.ndarray) -> tuple[np.ndarray,
                                                                         np.ndarray]:
    """The varints starting at ``pos`` (each before its ``end``): values and the
    positions after them. At most 9 bytes each (values below 2**63)."""
    value = np.zeros(len(pos), dtype=np.int64)
    after = pos.copy()
    todo = np.arange(len(pos))
    for shift in range(0, 63, 7):
        at = after[todo]
        if (at >= end[todo]).any():
            raise _Decline  # runs past its message
        byte = buf[at].astype(np.int64)
        value[todo] |= (byte & 0x7F) << shift
        after[todo] = at + 1
        todo = todo[byte >= 0x80]
        if not len(todo):
            return value, after
    raise _Decline  # ten bytes or more: a negative or absurd number


def _scan(buf: np.ndarray, start: np.ndarray, stop: np.ndarray, allowed: np.ndarray,
          varint_fields: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """Every field of the messages ``buf[start[k]:stop[k]]``, all messages in step.

    Returns (message, field number, value, end), sorted by message and, within one, in
    the order written: ``value`` is a varint's value, or a length-delimited field's
    first byte (``end`` its end; -1 for a varint). Only ``allowed`` fields, varints
    exactly for ``varint_fields`` (None: none), are accepted."""
    owner = np.arange(len(start))
    pos = start.astype(np.int64)
    end = stop.astype(np.int64)
    more = pos < end
    owner, pos, end = owner[more], pos[more], end[more]
    parts: list[tuple[np.ndarray, ...]] = []
    for _ in range(_MAX_FIELDS):
        if not len(owner):
            break
        tag, pos = _varints(buf, pos, end)
        number, wire = tag >> 3, tag & 7
        is_varint = wire == 0
        if not np.isin(number, allowed).all():
            raise _Decline
        expected = (np.isin(number, varint_fields) if varint_fields is not None
                    else np.zeros(len(number), dtype=bool))
        if not ((is_varint == expected) & ((wire == 0) | (wire == 2))).all():
            raise _Decline  # a known field with the wrong wire type (a packed dims too)
        value = np.zeros(len(owner), dtype=np.int64)
        value_end = np.full(len(owner), -1, dtype=np.int64)
        if is_varint.any():
            value[is_varint], pos[is_varint] = _varints(buf, pos[is_varint], end[is_varint])
        delimited = ~is_varint
        if delimited.any():
            at, end2 = pos[delimited], end[delimited]
            size, first = _varints(buf, at, end2)
            if (size > end2 - first).any():
                raise _Decline  # a length past its message's end
            value[delimited] = first
            value_end[delimited] = first + size
            pos[delimited] = first + size
        parts.append((owner.astype(np.int32), number.astype(np.int32), value, value_end))
        more = pos < end
        owner, pos, end = owner[more], pos[more], end[more]
    else:
        if len(owner):
            raise _Decline  # a message of more than _MAX_FIELDS fields
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    # round r holds each message's r-th field: put it at its message's start + r, one
    # column at a time, each round's piece freed once placed (the memory stays near the
    # fields' own size)
    counts = np.zeros(len(start), dtype=np.int64)
    for p in parts:
        counts[p[0]] += 1
    first = np.cumsum(counts) - counts
    total = int(counts.sum())
    del counts
    places = [first[p[0]] + r for r, p in enumerate(parts)]
    del first
    pieces: list[list[np.ndarray | None]] = [list(p) for p in parts]
    del parts
    out = []
    for c, dtype in enumerate((np.int32, np.int32, np.int64, np.int64)):
        column = np.empty(total, dtype=dtype)
        for place, piece in zip(places, pieces, strict=True):
            column[place] = piece[c]
            piece[c] = None
        out.append(column)
    return tuple(out)


def _column(owner: np.ndarray, value: np.ndarray, value_end: np.ndarray, n: int,
            rank: int) -> tuple[np.ndarray, np.ndarray]:
    """The spans (start, end) of each message's ``rank``-th field of one number (0, 0
    where it has none); ``owner`` sorted."""
    group = np.flatnonzero(np.diff(owner)) + 1  # where each message's fields begin
    sizes = np.diff(np.concatenate(([0], group, [len(owner)])))
    first = np.repeat(np.concatenate(([0], group)), sizes) if len(owner) else owner
    pick = (np.arange(len(owner)) - first) == rank
    start = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    start[owner[pick]] = value[pick]
    end[owner[pick]] = value_end[pick]
    return start, end


def _span(fields: tuple[np.ndarray, ...], n: int, number: int,
          rank: int) -> tuple[np.ndarray, np.ndarray]:
    """Each message's ``rank``-th field ``number`` (of ``_scan``'s fields) as (starts,
    sizes); an empty span where it has none."""
    owner, numbers, value, value_end = fields
    sel = numbers == number
    start, end = _column(owner[sel], value[sel], value_end[sel], n, rank)
    return start, end - start


# a word's first k bytes, k = 0 ... 8 (little-endian)
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)


def _keys(buf: np.ndarray, start: np.ndarray, size: np.ndarray, width: int) -> np.ndarray:
    """Each span of ``buf`` as a row of ``width`` bytes, zero-padded, then its length
    (4 bytes): equal rows are equal texts. ``width + 4`` is a multiple of 8."""
    n = len(start)
    rows = np.zeros((n, width + 4), dtype=np.uint8)
    if n and width:
        fits = start + width <= len(buf)
        if len(buf) >= width and fits.any():
            window = np.lib.stride_tricks.sliding_window_view(buf, width)
            rows[fits, :width] = window[start[fits]]
        for k in np.flatnonzero(~fits).tolist():  # the few spans within width of the end
            a = int(start[k])
            z = a + min(int(size[k]), width)  # a longer text keeps its length below
            rows[k, :z - a] = buf[a:z]
        # the bytes past each span, cleared a word at a time
        words = rows.view("<u8")
        for j in range(width // 8 + 1):
            words[:, j] &= _LOW_BYTES[np.clip(size - 8 * j, 0, 8)]
    rows[:, width:] = size.astype("<u4").view(np.uint8).reshape(n, 4)
    return rows


def _ids(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
         budget: int) -> tuple[list[np.ndarray], int]:
    """Numbers for texts: each part is (buffer, starts, sizes); equal texts, in any part,
    get the same number, from 0 to how many distinct texts there are (returned too)."""
    width = max((int(size.max()) for _, _, size in parts if len(size)), default=0)
    total = sum(len(size) for _, _, size in parts)
    if width > 1024 or total * (width + 4) > budget:
        raise _Decline  # absurdly long names: not worth a table here
    width += -(width + 4) % 8  # rows of whole 8-byte words
    # a 64-bit hash of each text, numbered; then checked row for row against the first
    # text of its number (a collision, never seen by chance, is declined). A part's rows
    # live only while it is hashed or checked.
    keys = np.concatenate([_hash(_keys(buf, start, size, width)) for buf, start, size in parts])
    first, inverse = _numbered(keys)
    del keys
    bounds = np.cumsum([0] + [len(size) for _, _, size in parts])
    model = np.zeros((len(first), width + 4), dtype=np.uint8)
    for (buf, start, size), a, z in zip(parts, bounds[:-1], bounds[1:], strict=True):
        mine = (first >= a) & (first < z)
        local = first[mine] - a
        model[mine] = _keys(buf, start[local], size[local], width)
    out = []
    for (buf, start, size), a, z in zip(parts, bounds[:-1], bounds[1:], strict=True):
        ids = inverse[a:z]
        for c in range(0, len(ids), 1 << 16):
            rows = _keys(buf, start[c:c + (1 << 16)], size[c:c + (1 << 16)], width)
            if not (rows == model[ids[c:c + (1 << 16)]]).all():
                raise _Decline
        out.append(ids)
    return out, len(first)


def _numbered(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each key's number (0, 1, ... in sorted order) and each number's first position:
    numpy's unique, in less memory."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    del ordered
    number = np.cumsum(new, dtype=np.int32) - 1
    inverse = np.empty(len(keys), dtype=np.int32)
    inverse[order] = number
    first = order[new]  # stable: the first position of each key
    return first, inverse


def _match(part: tuple[np.ndarray, np.ndarray, np.ndarray], texts: list[bytes]) -> np.ndarray:
    """Which of ``texts`` each span of ``part`` (buffer, starts, sizes) is (-1: none)."""
    buf, start, size = part
    width = max(map(len, texts))
    width += -(width + 4) % 8
    known = b"".join(texts)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    wanted = _keys(np.frombuffer(known, dtype=np.uint8), np.cumsum(lengths) - lengths,
                   lengths, width)
    rows = _keys(buf, start, size, width)
    code = np.full(len(start), -1, dtype=np.int64)
    for k, row in enumerate(wanted):
        code[(rows == row).all(axis=1)] = k
    return code


def _same(reads: tuple[np.ndarray, np.ndarray, np.ndarray],
          made: tuple[np.ndarray, np.ndarray, np.ndarray]) -> bool:
    """Whether each node's first input is the text of the output of the node before."""
    buf, start, size = reads
    _, made_start, made_size = made
    if not (size[1:] == made_size[:-1]).all():
        return False
    width = int(size.max()) if len(size) else 0
    if width > 1024:
        raise _Decline
    width += -(width + 4) % 8
    step = 1 << 16
    for c in range(1, len(start), step):
        z = min(c + step, len(start))
        one = _keys(buf, start[c:z], size[c:z], width)
        other = _keys(buf, made_start[c - 1:z - 1], made_size[c - 1:z - 1], width)
        if not (one == other).all():
            return False
    return True


def _hash(rows: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row (of whole 8-byte words)."""
    words = rows.view("<u8")
    key = np.zeros(len(rows), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(words.shape[1]):
            key = (key ^ words[:, j]) * np.uint64(0x100000001B3)
            key ^= key >> np.uint64(29)
    return key


def _utf8(text: Any) -> bytes:
    """A name's UTF-8 bytes (protobuf gives a name that is not valid UTF-8 as bytes: that
    is for the full reader to judge)."""
    if not isinstance(text, str):
        raise _Decline
    return text.encode()


def _distinct(values: np.ndarray) -> int:
    """How many different numbers ``values`` holds."""
    if not len(values):
        return 0
    ordered = np.sort(values)
    return int((ordered[1:] != ordered[:-1]).sum()) + 1


def _joined(parts: list[bytes]) -> tuple[bytes, np.ndarray, np.ndarray, np.ndarray]:
    """The messages as one buffer: bytes, numpy view, starts, stops."""
    sizes = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    stop = np.cumsum(sizes)
    data = b"".join(parts)
    return data, np.frombuffer(data, dtype=np.uint8), stop - sizes, stop


def read_chain(data: bytes) -> tuple[Any, ...] | None:
    """A plain chain of ``Gemm`` layers from an ONNX model's bytes: (inputs, layer
    sizes, weights (out, in) layer after layer in float64, biases, activations, graph
    name or None), or None for the full reader to judge."""
    try:
        return _read_chain(data)
    except (_Decline, UnicodeError):  # UnicodeError: a name protobuf cannot give as text
        return None


_GEMM, _IDENTITY = b"Gemm", b"Identity"
_OPS = [_GEMM, _IDENTITY, *_ACTIVATIONS, b"", b"ai.onnx"]  # and the domains allowed


def _read_chain(data: bytes) -> tuple[Any, ...]:
    model = _lite_model()()
    try:
        model.ParseFromString(data)
    except Exception:  # protobuf's DecodeError: the full reader says what is wrong
        raise _Decline from None
    if not model.HasField("graph"):
        raise _Decline
    for imp in model.opset_import:
        if imp.domain not in ("", "ai.onnx", "ai.onnx.ml"):
            raise _Decline
    g = model.graph
    if len(g.output) != 1 or not len(g.node):
        raise _Decline
    graph_name = g.name or None
    inputs = list(g.input)
    extra = [_utf8(g.output[0].name), *(_utf8(v.name) for v in inputs)]
    if graph_name is not None and not isinstance(graph_name, str):
        raise _Decline

    # ---- the nodes, all at once
    node_bytes, node_buf, node_start, node_stop = _joined(list(g.node))
    n = len(node_start)
    owner, number, value, value_end = _scan(node_buf, node_start, node_stop, _NODE_FIELDS,
                                            None)
    counts = {f: np.bincount(owner[number == f], minlength=n) for f in (1, 2, 4, 5, 7)}
    if (counts[2] != 1).any() or (counts[4] != 1).any() or (counts[7] > 1).any():
        raise _Decline  # one output, one op_type, at most one domain each
    n_in = counts[1]
    has_attribute = counts[5] > 0
    if (n_in < 1).any() or (n_in > 3).any():
        raise _Decline

    fields = (owner, number, value, value_end)
    sel = number == 5
    attribute_owner, attribute_start, attribute_end = owner[sel], value[sel], value_end[sel]
    node_parts = [(node_buf, *_span(fields, n, f, rank))
                  for f, rank in ((4, 0), (1, 0), (1, 1), (1, 2), (2, 0), (7, 0))]
    del fields
    del owner, number, value, value_end, sel

    # ---- the initializers, all at once
    tensor_bytes, tensor_buf, tensor_start, tensor_stop = _joined(list(g.initializer))
    del model, g
    nt = len(tensor_start)
    t_owner, t_number, t_value, t_end = _scan(tensor_buf, tensor_start, tensor_stop,
                                              _TENSOR_FIELDS, _VARINT_FIELDS)
    t_counts = {f: np.bincount(t_owner[t_number == f], minlength=nt) for f in (1, 2, 8, 9, 14)}
    if any((t_counts[f] > 1).any() for f in (2, 8, 9, 14)):
        raise _Decline  # a field written twice: protobuf's merge rules, for the full reader

    data_type = np.zeros(nt, dtype=np.int64)
    sel = t_number == 2
    data_type[t_owner[sel]] = t_value[sel]
    location = np.zeros(nt, dtype=np.int64)
    sel = t_number == 14
    location[t_owner[sel]] = t_value[sel]
    sel = t_number == 9
    raw_start, raw_end = _column(t_owner[sel], t_value[sel], t_end[sel], nt, 0)
    sel = t_number == 8
    name_start, name_end = _column(t_owner[sel], t_value[sel], t_end[sel], nt, 0)
    sel = t_number == 1
    n_dims = t_counts[1]
    dim0 = _column(t_owner[sel], t_value[sel], t_end[sel], nt, 0)[0]
    dim1 = _column(t_owner[sel], t_value[sel], t_end[sel], nt, 1)[0]
    del t_owner, t_number, t_value, t_end, sel

    # ---- every name and operator as a number
    extra_bytes = b"".join(extra)
    extra_size = np.fromiter(map(len, extra), dtype=np.int64, count=len(extra))
    budget = 8 * (len(node_bytes) + len(tensor_bytes)) + (1 << 20)
    op_part, in0_part, in1_part, in2_part, out0_part, domain_part = node_parts
    del node_parts
    op = _match(op_part, _OPS)
    if not np.isin(_match(domain_part, [b"", b"ai.onnx"]), [0, 1]).all():
        raise _Decline  # an operator from another domain: the full reader names it
    if not _same(in0_part, out0_part):
        raise _Decline  # a node that does not read the value the one before made
    ids, n_ids = _ids([in1_part, in2_part, out0_part,
                       (tensor_buf, name_start, name_end - name_start),
                       (np.frombuffer(extra_bytes, dtype=np.uint8),
                        np.cumsum(extra_size) - extra_size, extra_size)], budget)
    in1, in2, out0, tensor_name, known = ids
    in2_given = in2_part[2] > 0
    first_input = node_bytes[int(in0_part[1][0]):int(in0_part[1][0] + in0_part[2][0])]
    del ids, op_part, in0_part, in1_part, in2_part, out0_part, domain_part
    output, input_ids = int(known[0]), known[1:]
    op_id = {name: k for k, name in enumerate(_OPS)}

    # ---- the graph's input: the one that is not an initializer
    if _distinct(tensor_name) != nt:
        raise _Decline  # initializers sharing a name: the last one wins, for the full reader
    free = np.flatnonzero(~np.isin(input_ids, tensor_name))
    if len(free) != 1:
        raise _Decline
    vi = inputs[int(free[0])]
    dims = vi.type.tensor_type.shape.dim
    width = int(dims[-1].dim_value) if len(dims) >= 2 and dims[-1].HasField("dim_value") \
        else None
    current = int(input_ids[free[0]])

    # ---- the chain: node after node, each reading the value the one before made
    if first_input != extra[1 + int(free[0])] or out0[-1] != output:
        raise _Decline
    if _distinct(out0) != n or (out0 == current).any():
        raise _Decline  # a value made twice: the graph loops, the full reader names it
    gemm = op == op_id[_GEMM]
    identity = op == op_id[_IDENTITY]
    act_code = np.full(n, -1)
    for k, name in enumerate(_ACTIVATIONS):
        act_code[op == op_id[name]] = k
    if not (gemm | identity | (act_code >= 0)).all():
        raise _Decline
    if (gemm & (n_in < 2)).any() or ((~gemm) & ((n_in != 1) | has_attribute)).any():
        raise _Decline
    kinds = np.flatnonzero(~identity)  # layers and activations in order
    is_layer = gemm[kinds]
    if not len(kinds) or not is_layer[0] or (~is_layer[1:] & ~is_layer[:-1]).any():
        raise _Decline  # an activation before any layer, or two in a row: a graph
    layer_nodes = kinds[is_layer]
    follows = np.zeros(len(kinds), dtype=np.int64) - 1
    follows[:-1] = np.where(is_layer[1:], -1, act_code[kinds[1:]])
    names = list(_ACTIVATIONS.values())
    activations = ["identity" if c < 0 else names[c] for c in follows[is_layer].tolist()]

    # ---- each layer's tensors
    where = np.full(n_ids, -1, dtype=np.int64)  # a name's initializer
    where[tensor_name] = np.arange(nt)
    w = where[in1[layer_nodes]]
    with_bias = (n_in[layer_nodes] == 3) & in2_given[layer_nodes]
    b = np.where(with_bias, where[in2[layer_nodes]], -1)
    if (w < 0).any() or (with_bias & (b < 0)).any():
        raise _Decline  # weights or bias computed, not stored
    trans = _transposed(node_bytes, attribute_owner, attribute_start, attribute_end, n,
                        layer_nodes)
    return (*_layers(tensor_bytes, w, b, trans, data_type, location, n_dims, dim0, dim1,
                     raw_start, raw_end, width), activations, graph_name)


def _transposed(data: bytes, owner: np.ndarray, start: np.ndarray, end: np.ndarray, n: int,
                layers: np.ndarray) -> np.ndarray:
    """Each layer's transB, if its attributes make it a plain layer. The attributes are
    parsed once per distinct text (a chain of exported layers repeats one ``transB=1``)."""
    trans = np.zeros(n, dtype=bool)
    if not len(owner):
        none: np.ndarray = trans[layers]
        return none
    buf = np.frombuffer(data, dtype=np.uint8)
    ids = _ids([(buf, start, end - start)], 8 * len(data) + (1 << 20))[0][0]
    first = np.unique(ids, return_index=True)[1]  # ids run from 0 with no gap
    parsed = [_attribute(data[a:z]) for a, z in zip(start[first].tolist(),
                                                   end[first].tolist(), strict=True)]
    names = sorted({name for name, _ in parsed})
    name_code = np.array([names.index(name) for name, _ in parsed])[ids]
    if _distinct(owner * len(names) + name_code) != len(owner):
        raise _Decline  # an attribute given twice: the last one wins, for the full reader
    trans[owner[np.array([t for _, t in parsed])[ids]]] = True
    result: np.ndarray = trans[layers]
    return result


def _attribute(text: bytes) -> tuple[str, bool]:
    """One Gemm attribute: its name and whether it is transB=1, if it keeps the layer
    plain (transA=0, alpha=1, beta=1, transB 0 or 1)."""
    attr = _LITE[1]()
    try:
        attr.ParseFromString(text)
    except Exception:  # protobuf's DecodeError
        raise _Decline from None
    name, kind = attr.name, attr.type
    if name in ("transA", "transB") and kind == 2 and attr.i in (0, 1):  # INT
        if name == "transA" and attr.i:
            raise _Decline
        return name, bool(attr.i)
    if name in ("alpha", "beta") and kind == 1 and attr.f == 1.0:  # FLOAT
        return name, False
    raise _Decline


def _layers(data: bytes, w: np.ndarray, b: np.ndarray, trans: np.ndarray,
            data_type: np.ndarray, location: np.ndarray, n_dims: np.ndarray,
            dim0: np.ndarray, dim1: np.ndarray, raw_start: np.ndarray, raw_end: np.ndarray,
            width: int | None) -> tuple[int, list[int], np.ndarray, np.ndarray]:
    """Each layer's size, and all weights and biases, from the tensors' raw bytes: every
    layer plain (raw data in one float type, weights (out, in), a full bias)."""
    code = _FLOAT_CODES.get(int(data_type[w[0]]))
    if code is None:
        raise _Decline
    size = int(code[-1])
    raw = raw_end - raw_start
    if ((data_type[w] != data_type[w[0]]).any() or (location[w] == 1).any()
            or (n_dims[w] != 2).any() or (dim0[w] <= 0).any() or (dim1[w] <= 0).any()):
        raise _Decline
    # each dimension at most the bytes there are, so their product cannot overflow
    d0, d1 = dim0[w], dim1[w]
    if (d0 > raw[w]).any() or (d1 > raw[w]).any() or (d0 * d1 * size != raw[w]).any():
        raise _Decline
    m = np.where(trans, d0, d1)
    k = np.where(trans, d1, d0)
    if not (trans | (k == 1) | (m == 1)).all():
        raise _Decline  # (in, out) weights of a wide layer: the full reader transposes
    if (k[1:] != m[:-1]).any() or (width is not None and int(k[0]) != width):
        raise _Decline
    has_bias = b >= 0
    bb = b[has_bias]
    if len(bb):
        mb = m[has_bias]
        one_d = (n_dims[bb] == 1) & (dim0[bb] == mb)
        row = (n_dims[bb] == 2) & (dim0[bb] == 1) & (dim1[bb] == mb)
        if ((data_type[bb] != data_type[w[0]]).any() or (location[bb] == 1).any()
                or not (one_d | row).all() or (raw[bb] != mb * size).any()):
            raise _Decline
    # the bytes joined in Python: an index array would take 8 bytes per byte moved
    starts, sizes = raw_start.tolist(), raw.tolist()
    weights = np.frombuffer(b"".join([data[starts[t]:starts[t] + sizes[t]]
                                      for t in w.tolist()]), dtype=code)
    biases = np.frombuffer(b"".join([
        data[starts[t]:starts[t] + sizes[t]] if t >= 0 else bytes(rows * size)
        for t, rows in zip(b.tolist(), m.tolist(), strict=True)]), dtype=code)
    return (int(k[0]), m.tolist(), weights.astype(np.float64),
            biases.astype(np.float64))

