"""The chain reader's fast path (netgraph/interop/_onnx_wire.py): a plain Gemm chain read
from the model's bytes with numpy. Its reference is the full reader (the onnx package's
parse, then _onnx_read's walk), which a ModelProto passed to from_onnx always takes:
whatever the fast path returns must be what the full reader builds from the same bytes,
and whatever it declines the full reader judges."""

from __future__ import annotations

import contextlib
import json
from itertools import pairwise

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from netgraph import Network, NetworkFormatError
from netgraph.architect import Perceptron
from netgraph.interop import from_onnx, to_onnx
from netgraph.interop._onnx_wire import read_chain


def chain(layers, *, dtype=np.float64, bias=True, trans=False, identity_every=0,
          attrs=None, activation="Tanh"):
    """x -> (Gemm [+ activation] [+ Identity]) per layer -> y. ``layers``: the widths,
    first the input's."""
    rng = np.random.default_rng(len(layers))
    nodes, inits, current = [], [], "x"
    for k, (n_in, n_out) in enumerate(pairwise(layers)):
        W = rng.normal(size=(n_out, n_in) if trans else (n_in, n_out)).astype(dtype)
        inits.append(numpy_helper.from_array(W, f"w{k}"))
        ins = [current, f"w{k}"]
        if bias:
            inits.append(numpy_helper.from_array(rng.normal(size=n_out).astype(dtype), f"b{k}"))
            ins.append(f"b{k}")
        gemm_attrs = dict(attrs or {})
        if trans:
            gemm_attrs["transB"] = 1
        nodes.append(helper.make_node("Gemm", ins, [f"s{k}"], **gemm_attrs))
        current = f"s{k}"
        if activation and k < len(layers) - 2:
            nodes.append(helper.make_node(activation, [current], [f"a{k}"]))
            current = f"a{k}"
        if identity_every and k % identity_every == 0:
            nodes.append(helper.make_node("Identity", [current], [f"i{k}"]))
            current = f"i{k}"
    elem = {np.float64: TensorProto.DOUBLE, np.float32: TensorProto.FLOAT,
            np.float16: TensorProto.FLOAT16}[dtype]
    graph = helper.make_graph(
        nodes, "wire", [helper.make_tensor_value_info("x", elem, ["batch", layers[0]])],
        [helper.make_tensor_value_info(current, elem, ["batch", layers[-1]])],
        initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def document(net: Network) -> dict:
    doc = json.loads(net.to_json())
    doc["metadata"].pop("created", None)
    return doc


def full_reader(data: bytes):
    """The reference: the same bytes parsed by onnx, read by the full reader."""
    return from_onnx(onnx.load_model_from_string(data))


@pytest.mark.parametrize("case", [
    {"layers": [1, 4, 1]},  # (in, out) weights: plain only with one input or output
    {"layers": [3, 4, 2], "trans": True},
    {"layers": [1] * 30, "identity_every": 3},
    {"layers": [2, 1, 5, 1], "bias": False},
    {"layers": [3, 5, 2], "trans": True, "dtype": np.float32, "activation": "Relu"},
    {"layers": [3, 5, 2], "trans": True, "dtype": np.float16, "activation": "Sigmoid"},
    {"layers": [3, 5, 2], "trans": True, "attrs": {"alpha": 1.0, "beta": 1.0, "transA": 0}},
])
def test_the_fast_path_reads_a_plain_chain_as_the_full_reader_does(case):
    data = chain(**case).SerializeToString()
    assert read_chain(data) is not None  # taken by the fast path
    fast = from_onnx(data)
    assert document(fast) == document(full_reader(data))
    x = np.random.default_rng(0).normal(size=case["layers"][0])
    assert np.allclose(fast.activate(x), full_reader(data).activate(x), rtol=0, atol=0)


def test_a_network_to_onnx_writes_is_read_back_by_the_fast_path():
    net = Perceptron(4, 6, 5, 2, seed=3)
    data = to_onnx(net).SerializeToString()
    assert read_chain(data) is not None
    back = from_onnx(data)
    assert document(back) == document(full_reader(data))
    x = np.random.default_rng(1).normal(size=4)
    assert np.array_equal(back.activate(x), net.activate(x))


def renamed(model, old, new):
    for node in model.graph.node:
        node.output[:] = [new if o == old else o for o in node.output]
    return model


@pytest.mark.parametrize("make", [
    # Gemm(x) -> h; Identity(h) -> a; Identity(a) -> h: the graph loops
    lambda: renamed(chain([1, 1, 1], identity_every=1), "i1", "s0"),
    lambda: chain([3, 4, 2], attrs={"alpha": 2.0}),  # a scaled layer
    lambda: chain([3, 4, 2]),  # (in, out) weights of wide layers: transposed by the other
    lambda: chain([3, 4, 2], trans=True, activation="LeakyRelu"),  # not a plain activation
    lambda: chain([3, 4, 2], trans=True, activation="Softmax"),
])
def test_what_the_fast_path_cannot_prove_goes_to_the_full_reader(make):
    data = make().SerializeToString()
    assert read_chain(data) is None
    try:
        expected = document(full_reader(data))
    except NetworkFormatError as e:
        with pytest.raises(NetworkFormatError) as got:
            from_onnx(data)
        assert str(got.value) == str(e)
    else:
        assert document(from_onnx(data)) == expected


def test_duplicate_initializer_names_go_to_the_full_reader():
    model = chain([2, 3, 1], trans=True)
    extra = numpy_helper.from_array(np.ones((3, 2)), "w0")  # the last one of a name wins
    model.graph.initializer.append(extra)
    data = model.SerializeToString()
    assert read_chain(data) is None
    assert document(from_onnx(data)) == document(full_reader(data))


def test_a_loop_is_refused_at_once_naming_the_value_through_bytes_too():
    data = renamed(chain([1, 1, 1], identity_every=1), "i1", "s0").SerializeToString()
    with pytest.raises(NetworkFormatError, match=r"'s0'.*loops back"):
        from_onnx(data)


def test_mutated_bytes_are_read_as_the_full_reader_reads_them_or_refused():
    """Byte flips, truncations, insertions at the wire level of a chain the fast path
    takes: the fast path either declines or returns exactly what the full reader builds
    from the same bytes; from_onnx gives a network or a NetworkFormatError, nothing else."""
    data = chain([2, 3, 3, 1], trans=True, identity_every=2).SerializeToString()
    rng = np.random.default_rng(25)
    taken = declined = 0
    for k in range(240):
        b = bytearray(data)
        kind = k % 4
        if kind == 0:
            b[int(rng.integers(len(b)))] = int(rng.integers(256))
        elif kind == 1:
            b[int(rng.integers(len(b)))] ^= 0x80  # a varint's continuation bit
        elif kind == 2:
            b = b[: int(rng.integers(len(b)))]
        else:
            at = int(rng.integers(len(b)))
            b = b[:at] + bytes(rng.integers(0, 256, int(rng.integers(1, 12))).astype(np.uint8)) \
                + b[at:]
        mutated = bytes(b)
        fast = read_chain(mutated)
        if fast is None:
            declined += 1
            with contextlib.suppress(NetworkFormatError):  # anything else fails the test
                from_onnx(mutated)
        else:
            taken += 1
            # what the fast path took, the full reader takes too, and builds the same
            assert document(from_onnx(mutated)) == document(full_reader(mutated))
    assert taken > 0 and declined > 0


@pytest.mark.parametrize("tail", [
    b"\x3a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  # graph: a length of 2**64 - 1
    b"\x3a\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",  # an eleven-byte varint
    b"\x3a\x04\x0a\x02\x12\x05",  # a node whose output field runs past the node's end
])
def test_absurd_lengths_and_varints_are_refused_without_allocating(tail):
    data = chain([2, 3, 1], trans=True).SerializeToString() + tail
    assert read_chain(data) is None
    with pytest.raises(NetworkFormatError):
        from_onnx(data)
