"""netgraph.interop.load and the command line read every format, recognised on sight."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import js_peers
import neat
import numpy as np
import pytest
from conftest import xor_net
from neat.export import export_network_json

from netgraph import Network, NetworkFormatError
from netgraph.interop import (
    from_brain,
    from_neat_json,
    from_neataptic,
    load,
    to_neataptic,
    to_synaptic,
)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """One file per format, each written by its own library."""
    from test_neat import make_config, random_genome

    folder = tmp_path_factory.mktemp("formats")
    neataptic, brain = js_peers.neataptic([
        {"seed": 2, "build": {"kind": "LSTM", "args": [2, 3, 1]}}]), js_peers.brain([
            {"seed": 1, "options": {"hiddenLayers": [3]},
             "train": {"data": [{"input": [0, 1], "output": [1]}],
                       "options": {"iterations": 2}}}])
    random.seed(5)  # neat-python draws from the random module
    config = make_config(folder, n_in=2, n_out=1)
    genome = random_genome(config, 1, 10)
    docs = {
        "netgraph": xor_net(seed=1).to_json(),
        "synaptic": json.dumps(to_synaptic(xor_net(seed=1))),
        "neataptic": json.dumps(neataptic[0]["json"]),
        "brain": json.dumps(brain[0]["json"]),
        "neat": export_network_json(neat.nn.FeedForwardNetwork.create(genome, config)),
    }
    paths = {}
    for fmt, text in docs.items():
        paths[fmt] = folder / f"{fmt}.json"
        paths[fmt].write_text(text)
    return paths


def test_load_names_the_format_it_found(files):
    x = np.array([0.3, -0.6])
    for fmt, path in files.items():
        for source in (path, str(path), path.read_bytes(), path.read_text(),
                       json.loads(path.read_text())):
            net, found = load(source)
            assert found == fmt
            assert isinstance(net, Network) and len(net.inputs) == 2
    expected = {"neataptic": from_neataptic(files["neataptic"]),
                "brain": from_brain(files["brain"]), "neat": from_neat_json(files["neat"]),
                "netgraph": Network.load(files["netgraph"]),
                "synaptic": Network.from_synaptic(files["synaptic"].read_text())}
    for fmt, net in expected.items():
        assert load(files[fmt]).network.activate(x).tolist() == net.activate(x).tolist()


def test_onnx_models_are_recognised_from_their_bytes(files, tmp_path):
    from netgraph.interop import to_onnx

    net = xor_net(seed=1)
    path = tmp_path / "xor.onnx"
    to_onnx(net, path)
    x = np.array([[0.3, -0.6], [1.0, 0.0]])
    for source in (path, str(path), path.read_bytes()):
        loaded, found = load(source)
        assert found == "onnx"
        np.testing.assert_allclose(loaded.activate(x), net.activate(x), rtol=1e-15)
    with pytest.raises(NetworkFormatError, match="this is an ONNX model, not Neataptic"):
        load(path, format="neataptic")
    done = cli("convert", path, "-o", tmp_path / "xor.json")
    assert done.returncode == 0, done.stderr
    np.testing.assert_allclose(Network.load(tmp_path / "xor.json").activate(x),
                               net.activate(x), rtol=1e-15)
    assert "ONNX" in cli("info", path).stdout


def test_a_wrong_format_is_named(files):
    with pytest.raises(NetworkFormatError, match=r"this is brain\.js JSON .*, not Neataptic"):
        load(files["brain"], format="neataptic")
    assert load(files["brain"], format="brain").format == "brain"
    with pytest.raises(NetworkFormatError, match="unknown format 'excel'"):
        load(files["brain"], format="excel")
    with pytest.raises(NetworkFormatError, match="not a network format netgraph recognises"):
        load({"hello": "world"})
    with pytest.raises(NetworkFormatError, match="a Neataptic network is a JSON object"):
        load([1, 2], format="neataptic")
    with pytest.raises(NetworkFormatError, match=str(files["neat"].parent)):
        load(files["neat"].parent / "missing.json")


def cli(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netgraph", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=300, check=False)


def test_info_and_convert_read_any_format(files, tmp_path):
    info = cli("info", files["neat"])
    assert info.returncode == 0, info.stderr
    assert "format       neat-python JSON" in info.stdout
    activations = {a for _, a in from_neat_json(files["neat"]).graph.nodes(data="activation")}
    listed = info.stdout.split("activations  ")[1].splitlines()[0]
    assert {part.split(" (")[0] for part in listed.split(", ")} == activations
    summary = json.loads(cli("info", files["brain"], "--json").stdout)
    assert summary["format"] == "brain" and summary["version"] is None
    assert summary["neurons"] == {"total": 6, "input": 2, "hidden": 3, "output": 1,
                                  "fixed": 0}
    out = tmp_path / "lstm.json"
    done = cli("convert", files["neataptic"], "-o", out)
    assert done.returncode == 0 and done.stdout.strip() == f"wrote {out}", done.stderr
    assert Network.load(out).activate([0.1, 0.2]).tolist() == \
        from_neataptic(files["neataptic"]).activate([0.1, 0.2]).tolist()
    back = cli("convert", out, "--to", "neataptic", "-o", "-", "--indent", "1")
    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout) == to_neataptic(Network.load(out))
    piped = cli("convert", "-", "--to", "neat", "-o", "-",
                stdin=files["brain"].read_text())
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["network_type"] == "feedforward"


def test_a_wrong_from_names_what_the_file_is(files, tmp_path):
    wrong = cli("convert", "--from", "neataptic", files["brain"], "-o", tmp_path / "x.json")
    assert wrong.returncode == 1 and not (tmp_path / "x.json").exists()
    assert "this is brain.js JSON" in wrong.stderr and "--from brain" in wrong.stderr
    wrong = cli("info", "--from", "neat", files["synaptic"])
    assert wrong.returncode == 1 and "this is Synaptic.js JSON" in wrong.stderr
    refused = cli("convert", files["netgraph"], "--to", "brain", "-o", tmp_path / "y.json")
    assert refused.returncode == 0, refused.stderr  # XOR is a layered logistic network
    lstm = tmp_path / "lstm.json"
    cli("convert", files["neataptic"], "-o", lstm)
    refused = cli("convert", lstm, "--to", "brain", "-o", tmp_path / "z.json")
    assert refused.returncode == 1 and "cannot write it as brain.js JSON" in refused.stderr
    assert not (tmp_path / "z.json").exists()


def test_conversion_warnings_reach_stderr(tmp_path):
    xor = [{"input": [a, b], "output": [a ^ b]} for a in (0, 1) for b in (0, 1)]
    reply = js_peers.neataptic([{"seed": 4, "build": {"kind": "Perceptron", "args": [2, 3, 1]},
                                 "train": {"set": xor, "options": {"iterations": 5,
                                                                   "dropout": 0.5}}}])[0]
    path = tmp_path / "dropout.json"
    path.write_text(json.dumps(reply["json"]))
    done = cli("convert", path, "-o", tmp_path / "net.json")
    assert done.returncode == 0, done.stderr
    assert "netgraph: warning:" in done.stderr and "dropout rate 0.5" in done.stderr
