"""Any array of numbers a user can make is read as its values: big-endian float64 (as
np.fromfile(..., '>f8'), FITS, MATLAB and HDF5 give), unaligned views into byte buffers,
strided views, float32 and integers, for one sample and for batches, in activate,
propagate and train alike."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
from conftest import random_dag

from netgraph import Network
from netgraph.architect import LSTM, Perceptron


def _unaligned(a: np.ndarray, dtype: str = "<f8") -> np.ndarray:
    """A copy of ``a`` (float64) that starts one byte into a buffer: not aligned."""
    buf = np.zeros(a.nbytes + 1, dtype=np.uint8)
    out = buf[1:].view(dtype).reshape(a.shape)
    out[...] = a
    assert not out.flags.aligned
    return out


def _strided(a: np.ndarray) -> np.ndarray:
    wide = np.zeros((*a.shape[:-1], 2 * a.shape[-1]))
    wide[..., ::2] = a
    out = wide[..., ::2]
    assert not out.flags.c_contiguous or a.shape[-1] <= 1
    return out


# Each form, and the float64 values it holds.
FORMS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "big-endian": lambda a: a.astype(">f8"),
    "unaligned": _unaligned,
    "unaligned big-endian": lambda a: _unaligned(a, ">f8"),
    "strided": _strided,
    "float32": lambda a: a.astype(np.float32),
    "int": lambda a: np.round(a * 3).astype(np.int64),
    "int32": lambda a: np.round(a * 3).astype(np.int32),
}


def _values(form: str, a: np.ndarray) -> np.ndarray:
    return np.asarray(FORMS[form](a), dtype=np.float64).copy()


def test_the_forms_are_what_they_say():
    a = np.array([[0.5, 1.0], [-2.0, 3.25]])
    big = FORMS["big-endian"](a)
    assert big.dtype.byteorder == ">" and big.tobytes() == a.byteswap().tobytes()
    ub = FORMS["unaligned big-endian"](a)
    assert not ub.flags.aligned and ub.dtype.byteorder == ">" and ub.tolist() == a.tolist()


def _weights(net: Network) -> list[float]:
    G = net.graph
    return [G[u][v]["weight"] for u, v in G.edges] + [G.nodes[n]["bias"] for n in G]


def _nets() -> list[Network]:
    return [Perceptron(2, 3, 1, seed=1),
            Network.from_graph(random_dag(np.random.default_rng(2), 2, 20, 2, p=0.7)),
            LSTM(2, 3, 1, seed=3)]


@pytest.mark.parametrize("form", list(FORMS))
def test_one_sample_is_read_as_its_values(form):
    # Perceptron(2,3,1) on np.array([0.5, 1.0], '>f8') read 2.8e-319 and 3.0e-319; an
    # unaligned array raised a bare AssertionError.
    x = np.array([0.5, 1.0])
    for net in _nets():
        twin = copy.deepcopy(net)
        got = net.activate(FORMS[form](x))
        assert got.tolist() == twin.activate(_values(form, x).tolist()).tolist()
        t = np.linspace(0.2, 0.8, len(net.outputs))
        net.propagate(0.3, FORMS[form](t))
        twin.propagate(0.3, _values(form, t).tolist())
        assert _weights(net) == _weights(twin)


@pytest.mark.parametrize("rows", [1, 5, 300])
@pytest.mark.parametrize("form", list(FORMS))
def test_a_batch_is_read_as_its_values(form, rows):
    X = np.random.default_rng(rows).uniform(-1, 1, (rows, 2))
    for net in _nets()[:2]:  # feed-forward batches: BLAS-free column kernels
        twin = copy.deepcopy(net)
        got = net.activate(FORMS[form](X))
        np.testing.assert_array_equal(got, twin.activate(_values(form, X)))
    big = Perceptron(2, 70, 70, seed=4)  # a layered net large enough for BLAS
    np.testing.assert_array_equal(big.activate(FORMS[form](X)),
                                  copy.deepcopy(big).activate(_values(form, X)))
    lstm = _nets()[2]
    twin = copy.deepcopy(lstm)  # a sequence: both start from the same state
    np.testing.assert_array_equal(lstm.activate(FORMS[form](X)),
                                  twin.activate(_values(form, X)))


@pytest.mark.parametrize("options", [
    dict(), dict(batch_size=4), dict(batch_size=4, optimizer="adam"),
    dict(cross_validate={"test_size": 0.25, "test_error": 0.0})])
@pytest.mark.parametrize("form", list(FORMS))
def test_training_reads_data_as_its_values(form, options):
    # Batches and train said "expected a contiguous float64 array" about an unaligned one.
    rng = np.random.default_rng(5)
    X, T = rng.uniform(-1, 1, (16, 2)), rng.uniform(0, 1, (16, 1))
    if form.startswith("int"):
        T = (T > 0.5).astype(float) / 3  # targets that survive the round trip to int
    net = Perceptron(2, 3, 1, seed=6)
    twin = copy.deepcopy(net)
    net.train(FORMS[form](X), FORMS[form](T), rate=0.2, iterations=30, error=0, **options)
    twin.train(_values(form, X), _values(form, T), rate=0.2, iterations=30, error=0,
               **options)
    assert _weights(net) == _weights(twin)


@pytest.mark.parametrize("form", ["big-endian", "unaligned", "strided"])
def test_sequence_training_reads_data_as_its_values(form):
    rng = np.random.default_rng(7)
    X, T = rng.uniform(-1, 1, (12, 2)), rng.uniform(0, 1, (12, 1))
    net = LSTM(2, 3, 1, seed=8)
    twin = copy.deepcopy(net)
    net.train(FORMS[form](X), FORMS[form](T), rate=0.2, iterations=10, error=0)
    twin.train(_values(form, X), _values(form, T), rate=0.2, iterations=10, error=0)
    assert _weights(net) == _weights(twin)


def test_an_unaligned_sample_is_read_under_python_O():
    # Under -O the check that hid the bare AssertionError is gone: activate returned None.
    code = (
        "import numpy as np\n"
        "from netgraph.architect import Perceptron\n"
        "buf = np.zeros(17, dtype=np.uint8)\n"
        "x = buf[1:].view(np.float64)\n"
        "x[:] = [0.5, 1.0]\n"
        "net = Perceptron(2, 3, 1, seed=1)\n"
        "y = net.activate(x)\n"
        "print(repr(y.tolist()))\n")
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == repr(Perceptron(2, 3, 1, seed=1).activate([0.5, 1.0]).tolist())
