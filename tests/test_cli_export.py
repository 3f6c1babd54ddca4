"""``netgraph convert --to onnx|python|javascript|c``: the files it writes run and agree."""

from __future__ import annotations

import runpy
import sys

import numpy as np
import onnxruntime as ort
from exports import expected_batch, expected_sequence, inputs_for

from netgraph._cli import main
from netgraph.architect import LSTM, Perceptron


def test_convert_to_onnx_writes_a_model_onnxruntime_runs(tmp_path, capsys):
    net = Perceptron(3, 4, 2, seed=0)
    net.save(tmp_path / "net.json")
    out = tmp_path / "net.onnx"
    assert main(["convert", "--to", "onnx", str(tmp_path / "net.json"), "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    X = inputs_for(net, 10)
    got = ort.InferenceSession(out.read_bytes()).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, expected_batch(net, X), rtol=1e-12, atol=1e-12)
    out32 = tmp_path / "net32.onnx"
    assert main(["convert", "--to", "onnx", "--dtype", "float32", str(tmp_path / "net.json"),
                 "-o", str(out32)]) == 0
    sess = ort.InferenceSession(out32.read_bytes())
    assert sess.get_inputs()[0].type == "tensor(float)"


def test_convert_to_python_of_a_recurrent_net(tmp_path, capsys):
    net = LSTM(2, 3, 1, seed=1)
    net.save(tmp_path / "lstm.json")
    out = tmp_path / "lstm.py"
    assert main(["convert", "--to", "python", str(tmp_path / "lstm.json"), "-o", str(out)]) == 0
    module = runpy.run_path(str(out))
    state = module["new_state"]()
    X = inputs_for(net, 12)
    got = [module["activate"](list(x), state) for x in X]
    np.testing.assert_allclose(got, expected_sequence(net, X), rtol=1e-12, atol=1e-12)


def test_convert_to_code_on_stdout(tmp_path, capsysbinary):
    net = Perceptron(2, 2, 1, seed=0)
    net.save(tmp_path / "net.json")
    for fmt, marker in (("javascript", b"function activate(input)"),
                        ("c", b"void netgraph_activate(const double *input, double *output)")):
        assert main(["convert", "--to", fmt, str(tmp_path / "net.json"), "-o", "-"]) == 0
        assert marker in capsysbinary.readouterr().out


def test_convert_without_onnx_names_the_extra(tmp_path, capsys, monkeypatch):
    Perceptron(2, 2, 1, seed=0).save(tmp_path / "net.json")
    monkeypatch.setitem(sys.modules, "onnx", None)
    out = tmp_path / "net.onnx"
    assert main(["convert", "--to", "onnx", str(tmp_path / "net.json"), "-o", str(out)]) == 1
    assert "pip install 'netgraph-nn[onnx]'" in capsys.readouterr().err
    assert not out.exists()
