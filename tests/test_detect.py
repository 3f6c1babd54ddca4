"""Format detection: documents written by the real peers are named on sight."""

from __future__ import annotations

import json
import random

import js_peers
import neat
import pytest
from conftest import load_fixture, xor_net
from neat.export import export_network_json

from netgraph import NetworkFormatError
from netgraph.interop import FORMATS, detect, to_synaptic
from netgraph.interop._detect import describe, looks_like_onnx


@pytest.fixture(scope="module")
def peer_documents() -> dict[str, list[dict]]:
    neataptic = js_peers.neataptic([
        {"seed": 1, "build": {"kind": "Perceptron", "args": [2, 3, 1]}},
        {"seed": 2, "build": {"kind": "LSTM", "args": [2, 3, 1]}},
        {"seed": 3, "build": {"kind": "Network", "args": [1, 1]}},
    ])
    brain = js_peers.brain([
        {"seed": 1, "options": {"hiddenLayers": [3]},
         "train": {"data": [{"input": [0, 1], "output": [1]}], "options": {"iterations": 2}}},
        {"seed": 2, "options": {},
         "train": {"data": [{"input": {"r": 1}, "output": {"w": 0}}],
                   "options": {"iterations": 2}}},
        {"seed": 3, "recurrent": "LSTM", "options": {"hiddenLayers": [2]},
         "train": {"data": [[1, 2, 3]], "options": {"iterations": 1}}},
        {"seed": 4, "recurrent": "RNNTimeStep", "options": {"hiddenLayers": [2]},
         "train": {"data": [[1, 2, 3]], "options": {"iterations": 1}}},
    ])
    return {"neataptic": [r["json"] for r in neataptic], "brain": [r["json"] for r in brain]}


def neat_document(tmp_path) -> dict:
    from test_neat import make_config, random_genome

    random.seed(2)  # neat-python draws from the random module
    config = make_config(tmp_path)
    genome = random_genome(config, 1, 10)
    return json.loads(export_network_json(neat.nn.FeedForwardNetwork.create(genome, config)))


def test_each_format_is_named(tmp_path, peer_documents):
    assert detect(xor_net().to_json()) == "netgraph"
    assert detect(json.loads(xor_net().to_json())) == "netgraph"
    assert detect(to_synaptic(xor_net())) == "synaptic"
    assert detect(load_fixture("lstm-2-3-1")["initial"]) == "synaptic"
    assert detect(neat_document(tmp_path)) == "neat"
    for doc in peer_documents["neataptic"]:
        assert detect(doc) == "neataptic"
    for doc in peer_documents["brain"]:
        assert detect(doc) == "brain"
    assert detect({"what": "ever"}) is None
    assert detect([1, 2]) is None


def test_files_text_and_bytes(tmp_path, peer_documents):
    path = tmp_path / "net.json"
    path.write_text(json.dumps(peer_documents["brain"][0]))
    assert detect(path) == detect(str(path)) == detect(path.read_bytes()) == "brain"
    assert detect(path.read_text()) == "brain"
    with pytest.raises(NetworkFormatError, match="cannot read"):
        detect(tmp_path / "missing.json")
    with pytest.raises(NetworkFormatError, match="larger than 10 bytes"):
        detect(path, max_bytes=10)
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe{")
    with pytest.raises(NetworkFormatError, match="not UTF-8"):
        detect(tmp_path / "bad.json")


def _field(number: int, wire: int, payload: bytes) -> bytes:
    key = bytes([number << 3 | wire])
    return key + (bytes([len(payload)]) + payload if wire == 2 else payload)


def test_onnx_is_recognised_from_its_bytes():
    model = (_field(1, 0, b"\x08") + _field(2, 2, b"pytorch") + _field(3, 2, b"2.13")
             + _field(7, 2, b"\x0a\x03abc") + _field(8, 2, b"\x10\x11"))
    assert looks_like_onnx(model)
    assert detect(model) == "onnx"
    assert not looks_like_onnx(model[:-1])  # truncated
    assert not looks_like_onnx(_field(1, 0, b"\x08"))  # no graph
    assert not looks_like_onnx(b'{"sizes": [1]}')
    assert not looks_like_onnx(b"")


def test_descriptions_name_the_reader():
    assert set(FORMATS) == {"netgraph", "synaptic", "neataptic", "brain", "neat", "onnx"}
    assert "netgraph.interop.from_neataptic" in describe("neataptic")
