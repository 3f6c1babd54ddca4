"""The ``netgraph`` command.

End to end, the real command runs in a subprocess (``python -m netgraph ...``, and
the installed ``netgraph`` script): exit status (0 ok, 1 a failed check or bad
input, 2 a bad command line), stdout, and a one-line error on stderr, never a
traceback. The catalogue of error messages and options is then checked in
process through ``netgraph._cli.main`` (the same code, without paying for a new
interpreter each time). Rendering pictures needs Graphviz's ``dot`` (the test fails
without it, saying what to install, as in test_diagram.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import netgraph
from netgraph import Network, _reference
from netgraph._cli import main, read_csv
from netgraph.architect import LSTM, Perceptron

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
XOR_JSON = FIXTURES / "json" / "xor-v1.json"
XOR_CSV = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"

# fails, saying what to install, without Graphviz (conftest.graphviz_dot)
needs_dot = pytest.mark.usefixtures("graphviz_dot")


class Run:
    """A started ``netgraph`` process; ``result()`` waits for it and returns its output.

    Tests start the commands they need first and look at the results afterwards, so
    independent commands run side by side.
    """

    def __init__(self, args: tuple[object, ...], stdin: str | None,
                 env: dict[str, str] | None, command: list[str] | None) -> None:
        base = command or [sys.executable, "-m", "netgraph"]
        environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.stdin = stdin
        self.process = subprocess.Popen(
            [*base, *map(str, args)], env=environment, text=True,
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.done: subprocess.CompletedProcess[str] | None = None

    def result(self) -> subprocess.CompletedProcess[str]:
        if self.done is None:
            try:
                out, err = self.process.communicate(self.stdin, timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
            self.done = subprocess.CompletedProcess(self.process.args,
                                                    self.process.returncode, out, err)
        return self.done


def run(*args: object, stdin: str | None = None, env: dict[str, str] | None = None,
        command: list[str] | None = None) -> Run:
    """Start ``python -m netgraph *args`` (or ``command + args``), capturing its output."""
    return Run(args, stdin, env, command)


def ok(started: Run | Main) -> str:
    result = started.result()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def fails(started: Run | Main, *phrases: str, status: int = 1) -> str:
    """Assert a clean failure: the status, no traceback, and an error line with ``phrases``."""
    result = started.result()
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines, "no message on stderr"
    error = lines[-1]
    if status == 1:
        assert len(lines) == 1, result.stderr
        assert error.startswith("netgraph: error: "), error
    for phrase in phrases:
        assert phrase in error, (phrase, error)
    return error


class Main:
    """``netgraph._cli.main`` called in this process; same result shape as a ``Run``."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *args: object) -> Main:
        self.capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = self.capsys.readouterr()
        self.done = subprocess.CompletedProcess(["netgraph", *map(str, args)], code, out, err)
        return self

    def result(self) -> subprocess.CompletedProcess[str]:
        return self.done


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Main:
    return Main(capsys)


@pytest.fixture
def xor_csv(tmp_path: Path) -> Path:
    path = tmp_path / "xor.csv"
    path.write_text(XOR_CSV)
    return path


# ------------------------------------------------------------------ the command
def test_help_lists_every_command_and_each_command_has_help(cli):
    top = run("--help")
    commands = ("info", "validate", "render", "convert", "train", "predict")
    for name in commands:
        text = ok(cli(name, "--help"))
        assert text.startswith(f"usage: netgraph {name} "), text
        assert "-h, --help" in text
    out = ok(top)
    assert out.startswith("usage: netgraph ")
    for name in commands:
        assert f"    {name} " in out


def test_version():
    assert ok(run("--version")).strip() == f"netgraph {netgraph.__version__}"


def test_usage_errors_exit_2(cli):
    nothing = run()
    fails(cli("frobnicate"), "invalid choice: 'frobnicate'", status=2)
    fails(cli("info"), "required: NET.json", status=2)
    fails(cli("render", XOR_JSON, "-o", "x.svg", "--colors", "pink"), "invalid choice: 'pink'",
          status=2)
    fails(nothing, "required: COMMAND", status=2)
    assert nothing.result().stderr.startswith("usage: netgraph ")


def test_console_script_is_declared_and_runs():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"netgraph": "netgraph._cli:main"}
    # The installed script: on PATH, or next to this interpreter (a venv's bin/).
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    script = shutil.which("netgraph", path=search)
    command = [script] if script else [sys.executable, "-m", "netgraph"]
    assert ok(run("--version", command=command)).strip() == f"netgraph {netgraph.__version__}"


# ------------------------------------------------------------------------ info
def test_info_table():
    out = ok(run("info", XOR_JSON))
    assert "netgraph-network, version 1" in out
    assert "name         xor" in out
    lines = out.splitlines()
    assert any(line.split() == ["input", "input", "2", "logistic"] for line in lines)
    assert any(line.split() == ["hidden0", "hidden", "3", "logistic"] for line in lines)
    assert any(line.split() == ["output", "output", "1", "logistic"] for line in lines)
    assert "synapses     9 (0 delayed, 0 gated, 0 self-connections)" in out
    assert "parameters   13 (9 weights + 4 biases; 0 frozen)" in out
    assert "activations  logistic (6)" in out
    assert "training     optimizer sgd, cost mse, rate 0.3, iterations 3000" in out


def test_info_shows_a_name_with_a_lone_surrogate(tmp_path):
    net = Network.from_json(Path(XOR_JSON).read_text())
    path = net.save(tmp_path / "odd.json", name="a\ud800b")  # JSON allows it: "\\ud800"
    out = ok(run("info", path))
    assert "name         a\\ud800b" in out  # escaped, not a crash
    assert json.loads(ok(run("info", path, "--json")))["name"] == "a\ud800b"


def test_info_json_of_a_gated_recurrent_network(tmp_path):
    net = LSTM(2, 3, 1, seed=0)
    path = net.save(tmp_path / "lstm.json", name="lstm")
    info = json.loads(ok(run("info", path, "--json")))
    G = net.graph
    loops = sum(1 for u, v in G.edges if u == v)
    assert info["file"] == str(path)
    assert (info["format"], info["version"], info["name"]) == ("netgraph-network", 1, "lstm")
    assert info["netgraph_version"] == netgraph.__version__
    assert info["neurons"] == {"total": 15, "input": 2, "hidden": 12, "output": 1, "fixed": 0}
    assert info["synapses"] == {
        "total": G.number_of_edges(),
        "delayed": sum(1 for *_, d in G.edges(data="delay") if d),
        "gated": sum(1 for *_, g in G.edges(data="gater") if g is not None),
        "self_connections": loops}
    assert loops == 3 and info["synapses"]["gated"] > 0 and info["synapses"]["delayed"] > 0
    # self-connections keep their weight: they are not learnable parameters
    assert info["parameters"] == {"total": G.number_of_edges() - loops + 13,
                                  "weights": G.number_of_edges() - loops, "biases": 13,
                                  "frozen": loops}
    assert [layer["neurons"] for layer in info["layers"]] == [2, 3, 3, 3, 3, 1]
    assert info["activations"] == {"logistic": 15}
    assert info["training"] is None


def test_info_counts_fixed_neurons_as_frozen(tmp_path, cli):
    net = Perceptron(2, 2, 1, seed=0)
    net.graph.nodes["h0"]["fixed"] = True
    info = json.loads(ok(cli("info", net.save(tmp_path / "f.json"), "--json")))
    assert info["neurons"]["fixed"] == 1
    # 6 synapses, 2 of them into h0; 3 biases, 1 of them h0's
    assert info["parameters"] == {"total": 6, "weights": 4, "biases": 2, "frozen": 3}
    assert "3 neurons; 1 fixed" not in ok(cli("info", tmp_path / "f.json"))
    assert "(2 input, 2 hidden, 1 output; 1 fixed)" in ok(cli("info", tmp_path / "f.json"))


# -------------------------------------------------------------------- validate
def test_validate_good_and_bad_files(tmp_path, cli):
    doc = json.loads(XOR_JSON.read_text())
    doc["synapses"][7]["target"] = "h9"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "netgraph-network", ')
    bad_run, broken_run = run("validate", bad), run("validate", broken)
    both_run = run("validate", XOR_JSON, bad, "--json")

    assert ok(cli("validate", XOR_JSON)) == f"{XOR_JSON}: ok (6 neurons, 9 synapses)\n"
    fails(bad_run, f"{bad}: synapses[7].target: unknown neuron 'h9'")
    fails(broken_run, f"{broken}: not valid JSON")
    both = both_run.result()
    assert both.returncode == 1 and both.stderr == ""
    report = json.loads(both.stdout)
    assert report["valid"] is False
    assert [f["valid"] for f in report["files"]] == [True, False]
    assert report["files"][1]["error"] == f"{bad}: synapses[7].target: unknown neuron 'h9'"


def test_validate_names_foreign_formats_and_parses_a_netgraph_file_once(
        tmp_path, cli, monkeypatch):
    from netgraph import interop
    from netgraph.interop import _detect

    net = Perceptron(2, 3, 1, seed=1)
    foreign = {"neat.json": ("neat-python JSON", json.dumps(interop.to_neat_json(net))),
               "brain.json": ("brain.js JSON", json.dumps(interop.to_brain(net))),
               "model.onnx": ("an ONNX model", interop.to_onnx(net).SerializeToString())}
    for name, (what, content) in foreign.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        fails(cli("validate", path), f"{path}: this is {what}", "not netgraph JSON",
              f"netgraph convert {path} -o OUT.json")
    # a file that says it is netgraph JSON is not parsed a second time to guess its format
    # (that parse cost a hostile 3 MB document 0.3 s and 540 MB on top of the refusal)
    def detect(*args, **kwargs):
        raise AssertionError("detect() called for a document that declares its format")

    monkeypatch.setattr(_detect, "detect", detect)
    monkeypatch.setattr(interop, "detect", detect)
    hostile = tmp_path / "hostile.json"
    hostile.write_text('{"format": "netgraph-network", "version": 1, "neurons": ['
                       + ", ".join(["{}"] * 1000) + '], "synapses": []}')
    fails(cli("validate", hostile), f"{hostile}: neurons[0].id: missing (it is required)")


def test_missing_file_and_other_unreadable_networks(tmp_path, cli):
    missing = run("info", tmp_path / "nope.json")
    synaptic = tmp_path / "synaptic.json"
    synaptic.write_text(json.dumps(Perceptron(2, 2, 1, seed=0).to_synaptic()))
    fails(cli("render", synaptic, "-o", tmp_path / "x.dot"), "Synaptic",
          f"netgraph convert {synaptic}")
    fails(cli("predict", tmp_path, "--input", "0,1"), "Is a directory")
    fails(cli("validate", tmp_path / "nope.json"), "nope.json: No such file or directory")
    fails(missing, "nope.json: No such file or directory")


# ---------------------------------------------------------------------- render
def test_render_without_graphviz(tmp_path, cli, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    no_dot = {"PATH": str(empty)}
    dot_run = run("render", XOR_JSON, "-o", tmp_path / "net.dot", "--rankdir", "TB",
                  "--title", "My XOR", "--precision", "3", "--biases", env=no_dot)
    svg_run = run("render", XOR_JSON, "-o", tmp_path / "net.svg", env=no_dot)
    monkeypatch.setenv("PATH", str(empty))
    assert ok(cli("render", XOR_JSON, "-o", tmp_path / "plain.gv", "--no-weights",
                  "--colors", "mono", "--rankdir", "bt"))
    plain = (tmp_path / "plain.gv").read_text()
    assert "label=7.98" not in plain and "rankdir=BT" in plain

    assert ok(dot_run).strip() == f"wrote {tmp_path / 'net.dot'}"
    dot = (tmp_path / "net.dot").read_text()
    assert "rankdir=TB" in dot and "My XOR" in dot and "label=7.981" in dot
    assert "-12.167" in dot and "b 3.373" in dot
    fails(svg_run, "needs the Graphviz 'dot' program", f"-o {tmp_path / 'net.dot'}")
    assert not (tmp_path / "net.svg").exists()


def test_render_errors(tmp_path, cli):
    fails(cli("render", XOR_JSON, "-o", tmp_path / "net.txt"), "net.txt", ".svg", "--format")
    fails(cli("render", XOR_JSON, "-o", tmp_path / "no" / "net.svg"), "no folder")
    fails(cli("render", XOR_JSON, "-o", tmp_path / "n.dot", "--precision", "30"),
          "precision must be at most 17")
    fails(cli("render", XOR_JSON, "-o", tmp_path / "n.dot", "--precision", "-1"),
          "whole number >= 0", status=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_render_value_view(tmp_path, cli):
    out = tmp_path / "values.dot"
    assert ok(cli("render", XOR_JSON, "-o", out, "--input", "1, 0", "--precision", "4"))
    dot = out.read_text()
    net = Network.load(XOR_JSON)
    G = net.graph
    y = net.activate([1, 0])[0]
    assert f"out {y:.4f}" in dot
    w = G["i0"]["h0"]["weight"]
    assert f"{w:.4f} \u00d7 1.0000 = {w:.4f}" in dot
    assert "input [1.0000, 0.0000]" in dot
    fails(cli("render", XOR_JSON, "-o", tmp_path / "v.dot", "--input", "1,0,1"),
          "2 inputs, got 3 values")
    fails(cli("render", XOR_JSON, "-o", tmp_path / "v.dot", "--input", "1,x"),
          "expected a number, got 'x'", status=2)
    ok(cli("render", XOR_JSON, "-o", tmp_path / "all.dot", "--weights", "--no-legend"))
    assert "label=" in (tmp_path / "all.dot").read_text()
    ok(cli("render", XOR_JSON, "-o", tmp_path / "learn.dot", "--input", "1,0", "--target", "1",
           "--rate", "0.5"))
    learner = Network.load(XOR_JSON)
    learner.activate([1, 0])
    learner.propagate(0.5, [1])
    change = learner.graph["h0"]["o0"]["weight"] - G["h0"]["o0"]["weight"]
    assert f"\u0394w {change:+.3g}" in (tmp_path / "learn.dot").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.dot", "learn.dot", "values.dot"]


@needs_dot
def test_render_svg_and_png(tmp_path, cli):
    svg, png = tmp_path / "net.svg", tmp_path / "net.png"
    svg_run = run("render", XOR_JSON, "-o", svg, "--title", "XOR", "--collapse", "yes")
    ok(cli("render", XOR_JSON, "-o", png, "--dpi", "50"))
    assert png.read_bytes().startswith(b"\x89PNG")
    ok(svg_run)
    text = svg.read_text()
    assert text.lstrip().startswith(("<?xml", "<svg")) and "XOR" in text
    assert "2 neurons" in text  # collapsed: one node per layer
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.png", "net.svg"]


# --------------------------------------------------------------------- convert
def test_convert_both_ways(tmp_path, cli):
    fixture = json.loads((FIXTURES / "synaptic" / "lstm-2-3-1.json").read_text())["initial"]
    synaptic_in = tmp_path / "in.synaptic.json"
    synaptic_in.write_text(json.dumps(fixture))
    net_path = tmp_path / "net.json"
    assert ok(run("convert", "--from", "synaptic", synaptic_in, "-o", net_path)).strip() \
        == f"wrote {net_path}"
    net = Network.load(net_path)
    assert len(net.neurons) == len(fixture["neurons"])

    back = tmp_path / "back.json"
    ok(run("convert", "--to", "synaptic", net_path, "-o", back))
    again = json.loads(back.read_text())
    assert again["connections"] == fixture["connections"]
    assert [n["bias"] for n in again["neurons"]] == [n["bias"] for n in fixture["neurons"]]
    assert json.loads(ok(cli("convert", "--to", "synaptic", net_path, "-o", "-"))) == again
    assert sorted(p.name for p in tmp_path.iterdir()) == ["back.json", "in.synaptic.json",
                                                          "net.json"]  # no temporary files


def test_convert_errors(tmp_path, cli):
    net_path = Perceptron(2, 2, 1, seed=0).save(tmp_path / "net.json")
    softplus = Perceptron(2, 2, 1, activation="softplus", seed=0).save(tmp_path / "sp.json")
    synaptic = tmp_path / "synaptic.json"
    synaptic.write_text(json.dumps(Network.load(net_path).to_synaptic()))
    invalid = tmp_path / "invalid.json"
    invalid.write_text("{nope")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    x = tmp_path / "x.json"
    invalid_run = run("convert", "--from", "synaptic", invalid, "-o", x)
    fails(cli("convert", "--from", "synaptic", net_path, "-o", x),
          "net.json: this is netgraph JSON, not Synaptic", "--from netgraph")
    fails(cli("convert", "--from", "synaptic", listed, "-o", x),
          "list.json: a Synaptic network is a JSON object")
    fails(cli("convert", "--to", "synaptic", synaptic, "-o", x), "Synaptic")
    fails(cli("convert", "--to", "synaptic", softplus, "-o", x), "softplus", "Synaptic")
    fails(cli("convert", "--from", "netgraph", net_path, "-o", x), "netgraph JSON already",
          "--to")
    fails(cli("convert", net_path, "-o", x), "net.json is netgraph JSON already")
    fails(cli("convert", "--from", "excel", net_path, "-o", x), "invalid choice", status=2)
    fails(invalid_run, "invalid.json: not valid JSON")
    assert not x.exists()


# ----------------------------------------------------------------------- train
def test_train_a_new_perceptron_then_predict(tmp_path, xor_csv):
    out = tmp_path / "net.json"
    result = json.loads(ok(run("train", "--layers", "2,3,1", "--data", xor_csv, "-o", out,
                               "--rate", "0.3", "--iterations", "20000", "--seed", "1",
                               "--json", "--no-progress")))
    predicted = run("predict", out, "--input", "0,1", "--input", "1 1")
    assert result["stopped"] == "goal" and result["error"] <= 0.005
    assert result["samples"] == 4 and result["output"] == str(out)
    assert "history" not in result
    # the same run in Python gives the same network
    net = Perceptron(2, 3, 1, seed=1)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    reference = net.train(X, [[0], [1], [1], [0]], rate=0.3, iterations=20000)
    assert result["iterations"] == reference.iterations
    saved = Network.load(out)
    np.testing.assert_array_equal(saved.activate(X), net.activate(X))
    assert saved.graph.graph["training"]["iterations"] == reference.iterations
    assert saved.graph.graph["training"]["rate"] == 0.3

    lines = ok(predicted).splitlines()
    assert [float(v) for v in lines] == [net.activate([0, 1])[0], net.activate([1, 1])[0]]
    # and, independently of the compiled path, what the reference evaluator computes
    by_reference = [_reference.activate(saved.graph, x)["y"]["o0"] for x in ([0, 1], [1, 1])]
    np.testing.assert_allclose([float(v) for v in lines], by_reference, rtol=0, atol=1e-14)
    assert [round(float(v)) for v in lines] == [1, 0]


def test_train_further_with_options_a_log_and_the_history(tmp_path, xor_csv, cli):
    out, two = tmp_path / "more.json", tmp_path / "two.json"
    further = run("train", XOR_JSON, "--data", xor_csv, "-o", out, "--iterations", "20",
                  "--error", "0", "--log", "10", "--optimizer", "adam", "--batch-size", "2",
                  "--shuffle", "--seed", "3")
    data = tmp_path / "two.csv"
    data.write_text("a,b,t1,t2\n0,0,0,1\n0,1,1,0\n1,0,1,0\n1,1,0,1\n")
    result = json.loads(ok(cli("train", "--layers", "2,4,2", "--data", data, "-o", two,
                               "--iterations", "5", "--error", "0", "--activation", "tanh",
                               "--rate", "0.1,0.05", "--json", "--history")))
    assert len(result["history"]) == result["iterations"] == 5
    assert result["history"][-1] == result["error"]
    net = Network.load(two)
    assert len(net.outputs) == 2 and net.graph.nodes["h0"]["activation"] == "tanh"
    assert net.graph.graph["training"]["rate"] == 0.05  # the last rate of the schedule

    text = ok(further)
    assert "error " in text and "after 20 iterations" in text and f"wrote {out}" in text
    assert further.result().stderr.count("iterations ") == 2  # the log goes to stderr
    training = Network.load(out).graph.graph["training"]
    assert training == {"optimizer": "adam", "cost": "mse", "rate": 0.001, "momentum": 0.0,
                        "batch_size": 2, "iterations": 3000 + 20,
                        "error": pytest.approx(training["error"])}


def test_train_bad_data(tmp_path, xor_csv, cli):
    out = tmp_path / "o.json"
    text = tmp_path / "text.csv"
    text.write_text("x1,x2,y\n0,0,0\n0,abc,1\n")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("x1,x2,y\n0,0,0\n0,1\n")
    end_to_end = [
        (run("train", "--layers", "2,3,1", "--data", text, "-o", out),
         ["text.csv: line 3, column 2 ('x2'): 'abc' is not a number"]),
        (run("train", "--layers", "2,3,1", "--data", ragged, "-o", out),
         ["ragged.csv: line 3 has 2 columns; expected 3"]),
    ]
    cases = [
        ("x1,x2,y\n0,,1\n", ["line 2, column 2 ('x2'): an empty cell is not a number"]),
        ("0,0,0\n1,inf,1\n", ["line 2, column 2: 'inf' is not a finite number"]),
        ("", ["no rows"]),
        ("x1,x2,y\n", ["a header row but no data rows"]),
        ("a,b,t1,t2\n0,0,0,1\n", ["has 4 columns, read as 3 inputs and 1 target",
                                   "takes 2 inputs and 1 output"]),
        ("1\n", ["1 column leave no inputs beside 1 target"]),
        ("a,b\n\xff,1\n", ["not UTF-8 text"]),
    ]
    for k, (content, phrases) in enumerate(cases):
        data = tmp_path / f"bad{k}.csv"
        data.write_bytes(content.encode("latin-1"))
        fails(cli("train", "--layers", "2,3,1", "--data", data, "-o", out), f"bad{k}.csv",
              *phrases)
    wide = tmp_path / "wide.csv"
    wide.write_text("a,b,t1,t2\n0,0,0,1\n")
    fails(cli("train", "--layers", "2,4,2", "--data", wide, "-o", out, "--targets", "1"),
          "read as 3 inputs and 1 target", "takes 2 inputs and 2 outputs")
    fails(cli("train", XOR_JSON, "--data", wide, "-o", out),
          "wide.csv has 4 columns, read as 3 inputs and 1 target")
    fails(cli("train", "--layers", "2,3,1", "--data", tmp_path / "none.csv", "-o", out),
          "none.csv: No such file or directory")
    fails(cli("train", "--layers", "2,3,1", "--data", xor_csv, "-o", tmp_path / "no" / "o.json"),
          "no folder")
    fails(cli("train", "--layers", "2,3,1", "--data", xor_csv, "-o", out, "--rate", "1e300",
              "--error", "0", "--iterations", "3"), "diverged")
    for started, phrases in end_to_end:
        fails(started, *phrases)
    assert not out.exists()


def test_train_usage_errors(tmp_path, xor_csv, cli):
    out = tmp_path / "o.json"
    new = ("train", "--layers", "2,3,1", "--data", xor_csv, "-o", out)
    for args, phrase in [
        (("train", "--data", xor_csv, "-o", out), "--layers"),
        (("train", XOR_JSON, "--layers", "2,3,1", "--data", xor_csv, "-o", out), "not both"),
        (("train", XOR_JSON, "--activation", "tanh", "--data", xor_csv, "-o", out),
         "--activation and --output-activation are for a new network"),
        (("train", "--layers", "2,x", "--data", xor_csv, "-o", out), "2,x"),
        (("train", "--layers", "2", "--data", xor_csv, "-o", out), "at least"),
        ((*new, "--rate", "fast"), "'fast' is not a number"),
        ((*new, "--cost", "l2"), "invalid choice: 'l2'"),
        ((*new, "--iterations", "0"), "whole number >= 1"),
        ((*new, "--momentum", "nan"), "finite number"),
        (("train", "--layers", "2,3,1", "-o", out), "--data"),
    ]:
        fails(cli(*args), phrase, status=2)
    assert not out.exists()


# --------------------------------------------------------------------- predict
def test_predict_inputs_json_and_wrong_length(cli):
    net = Network.load(XOR_JSON)
    wrong = run("predict", XOR_JSON, "--input", "0,1,1")
    as_json = run("predict", XOR_JSON, "--input", "1,0", "--json")
    assert ok(cli("predict", XOR_JSON, "--input=-1,0.5")).strip() == repr(
        float(net.activate([-1, 0.5])[0]))
    fails(cli("predict", XOR_JSON, "--input", "0,x"), "--input: 'x' is not a number")
    fails(cli("predict", XOR_JSON, "--input", ","), "--input: no numbers")
    fails(cli("predict", XOR_JSON), "--input", "--data", status=2)
    fails(wrong, "--input '0,1,1' has 3 values", "takes 2 inputs")
    assert json.loads(ok(as_json)) == {
        "inputs": [[1.0, 0.0]], "outputs": [[net.activate([1, 0])[0]]],
        "columns": {"inputs": ["input0", "input1"], "outputs": ["output0"]}}


def test_predict_csv_with_and_without_header(tmp_path, cli):
    net = Network.load(XOR_JSON)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [0.5, -2]])
    expected = net.activate(X)[:, 0]
    plain = tmp_path / "plain.csv"
    plain.write_text("".join(f"{a},{b}\n" for a, b in X))
    headed = tmp_path / "headed.csv"
    headed.write_text("a,b\n" + plain.read_text() + "\n")  # a trailing blank line too
    out = tmp_path / "out.csv"
    to_file = run("predict", XOR_JSON, "--data", headed, "-o", out)
    from_stdin = run("predict", XOR_JSON, "--data", "-", stdin=plain.read_text())
    printed = ok(cli("predict", XOR_JSON, "--data", plain))
    wide = tmp_path / "wide.csv"
    wide.write_text("1,2,3\n")
    fails(cli("predict", XOR_JSON, "--data", wide), "wide.csv has 3 columns", "takes 2 inputs")

    assert ok(to_file).strip() == f"wrote {out}"
    for output in (out.read_text(), printed, ok(from_stdin)):
        lines = output.splitlines()
        assert lines[0] == "output0"
        assert [float(v) for v in lines[1:]] == list(expected)


def test_read_csv(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("\ufeffa, b\n 1, 2\n\n3,4e-1\n")
    header, data = read_csv(str(path))
    assert header == ["a", "b"]
    np.testing.assert_array_equal(data, [[1, 2], [3, 0.4]])
    path.write_text("1,2\n3,4\n")
    header, data = read_csv(str(path))
    assert header is None and data.shape == (2, 2)


def test_a_header_is_a_first_row_with_any_cell_not_a_number(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x1,2\n0,1\n1,0\n")  # one cell of the header reads as a number
    header, data = read_csv(str(path))
    assert header == ["x1", "2"]
    np.testing.assert_array_equal(data, [[0, 1], [1, 0]])


def test_predict_json_refuses_an_output_file(tmp_path, cli):
    out = tmp_path / "out.csv"
    fails(cli("predict", XOR_JSON, "--input", "0,1", "--json", "-o", out), "leave out -o")
    assert not out.exists()


def test_ctrl_c_exits_130(monkeypatch, cli):
    import netgraph._cli as cli_module

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "_cmd_info", interrupted)
    fails(cli("info", XOR_JSON), "interrupted", status=130)


def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    data = tmp_path / "many.csv"
    data.write_text("0.25,0.5\n" * 100_000)  # ~2 MB of outputs: more than a pipe holds
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": ""}
    process = subprocess.Popen([sys.executable, "-m", "netgraph", "predict", XOR_JSON,
                                "--data", data], env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline() == b"output0\n"
    process.stdout.close()  # as `netgraph predict ... | head -1` does
    assert process.wait(timeout=120) == 1
    with process.stderr:
        assert process.stderr.read() == b""


# ------------------------------------------------------------ first-contact fixes
def test_predict_takes_negative_numbers_after_input(cli):
    net = Network.load(XOR_JSON)
    for args in (("--input", "-1,2"), ("--input", "-.5 -3"), ("--input=-1,2",)):
        values = [float(v) for v in args[-1].removeprefix("--input=").replace(",", " ").split()]
        assert ok(cli("predict", XOR_JSON, *args)).strip() == repr(
            float(net.activate([values])[0, 0]))  # the command runs its inputs as a batch
    two = ok(cli("predict", XOR_JSON, "--input", "-1,2", "--input", "0,-1")).splitlines()
    assert [float(v) for v in two] == list(net.activate([[-1, 2], [0, -1]])[:, 0])
    # what is not a number is still an option, and a number is still checked
    fails(cli("predict", XOR_JSON, "--input", "--json"), "expected one argument", status=2)
    fails(cli("predict", XOR_JSON, "--input", "-1,x"), "--input: 'x' is not a number")


@pytest.mark.parametrize(("alias", "name"), [
    ("sigmoid", "logistic"), ("ReLU", "relu"), ("TANH", "tanh"), ("linear", "identity"),
    ("leaky-relu", "leaky_relu"), ("HardTanh", "hard_tanh"),
])
def test_train_activation_takes_the_python_aliases(tmp_path, xor_csv, cli, alias, name):
    out = tmp_path / "net.json"
    ok(cli("train", "--layers", "2,3,1", "--data", xor_csv, "-o", out, "--iterations", "2",
           "--activation", alias, "--seed", "0"))
    assert Network.load(out).graph.nodes["h0"]["activation"] == name


def test_train_output_activation_and_unknown_names(tmp_path, xor_csv, cli):
    out = tmp_path / "net.json"
    ok(cli("train", "--layers", "2,3,1", "--data", xor_csv, "-o", out, "--iterations", "2",
           "--activation", "tanh", "--output-activation", "linear", "--error", "0"))
    net = Network.load(out)
    assert net.graph.nodes["h0"]["activation"] == "tanh"
    assert net.graph.nodes["o0"]["activation"] == "identity"
    fails(cli("train", "--layers", "2,3,1", "--data", xor_csv, "-o", out, "--activation",
              "sigmod"), "unknown activation 'sigmod'", status=2)


def test_csv_column_names_carry_through_train_predict_and_info(tmp_path, cli):
    data = tmp_path / "xor.csv"
    data.write_text("x1,x2,xor\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    net_file, out = tmp_path / "net.json", tmp_path / "out.csv"
    ok(cli("train", "--layers", "2,3,1", "--data", data, "-o", net_file, "--iterations", "5",
           "--seed", "0", "--error", "0"))
    net = Network.load(net_file)
    assert net.graph.graph["columns"] == {"inputs": ["x1", "x2"], "outputs": ["xor"]}
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    expected = [repr(float(y)) for y in net.activate(X)[:, 0]]
    # the training CSV itself: inputs are picked by name, the target column is left out
    assert ok(cli("predict", net_file, "--data", data)).splitlines() == ["xor", *expected]
    # columns in another order are picked by name too
    swapped = tmp_path / "swapped.csv"
    swapped.write_text("x2,x1\n0,0\n1,0\n0,1\n1,1\n")
    ok(cli("predict", net_file, "--data", swapped, "-o", out))
    assert out.read_text().splitlines() == ["xor", *expected]
    # no header: in order
    plain = tmp_path / "plain.csv"
    plain.write_text("0,0\n0,1\n1,0\n1,1\n")
    assert ok(cli("predict", net_file, "--data", plain)).splitlines() == ["xor", *expected]
    # other names, as many as the inputs: in order
    other = tmp_path / "other.csv"
    other.write_text("a,b\n0,0\n0,1\n1,0\n1,1\n")
    assert ok(cli("predict", net_file, "--data", other)).splitlines() == ["xor", *expected]
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b,c\n0,0,0\n")
    fails(cli("predict", net_file, "--data", wrong), "wrong.csv has 3 columns",
          "takes 2 inputs (it was trained on the columns x1, x2)")
    as_json = json.loads(ok(cli("predict", net_file, "--input", "0,1", "--json")))
    assert as_json["columns"] == {"inputs": ["x1", "x2"], "outputs": ["xor"]}
    info = ok(cli("info", net_file))
    assert "columns      inputs x1, x2; outputs xor" in info
    assert json.loads(ok(cli("info", net_file, "--json")))["columns"] == {
        "inputs": ["x1", "x2"], "outputs": ["xor"]}
    # trained further on a CSV without a header, a network keeps its names; a new one
    # trained on such a CSV has none (and predict names its outputs output0, ...)
    headless = tmp_path / "headless.csv"
    headless.write_text("0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    further, new = tmp_path / "further.json", tmp_path / "new.json"
    ok(cli("train", net_file, "--data", headless, "-o", further, "--iterations", "1"))
    assert Network.load(further).graph.graph["columns"]["outputs"] == ["xor"]
    ok(cli("train", "--layers", "2,3,1", "--data", headless, "-o", new, "--iterations", "1"))
    assert "columns" not in Network.load(new).graph.graph
    assert ok(cli("predict", new, "--data", plain)).splitlines()[0] == "output0"


def test_train_log_lines_go_to_stderr_not_stdout(tmp_path, xor_csv, cli):
    out = tmp_path / "net.json"
    started = cli("train", "--layers", "2,3,1", "--data", xor_csv, "-o", out, "--iterations",
                  "4", "--error", "0", "--log", "2", "--json")
    result = json.loads(ok(started))
    assert result["iterations"] == 4 and result["stopped"] == "iterations"
    assert started.result().stderr.count("iterations ") == 2
