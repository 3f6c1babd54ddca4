"""``from_synaptic`` keeps the loader contract: every bad input is a NetworkFormatError that
says where, within a size cap on every source."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from conftest import load_fixture

from netgraph import Network, NetworkFormatError
from netgraph.architect import Perceptron
from netgraph.interop import from_synaptic


def good() -> dict:
    return Perceptron(2, 2, 1, seed=0).to_synaptic()


def with_neuron(key, value, k=3):
    doc = good()
    doc["neurons"][k][key] = value
    return doc


@pytest.mark.parametrize(("source", "message"), [
    (b"\xff\xfe{\x00}\x00", "not UTF-8 text"),  # UTF-16 with its byte order mark
    ('{"neurons": []}'.encode("utf-16-le"), "not UTF-8 text"),
    (b'{"neurons": [\xc3\x28]}', "not UTF-8 text"),
    ('{"neurons": [' + "1" * 5000 + '], "connections": []}', r"neurons\[0\]: expected an object"),
    ("a/path/with/a/\x00/in/it.json", "cannot read"),
    ('{"neurons": ' * 100000, "nested too deeply|not valid JSON"),
    ("{nope", "not valid JSON: .* at line 1 column 2"),
    (json.dumps(with_neuron("bias", 10**400)), r"neurons\[3\].bias: an integer of 401 digits "
                                               "is too large"),
    (json.dumps(with_neuron("squash", ["LOGISTIC"])), r"neurons\[3\].squash: \['LOGISTIC'\] is "
                                                      "not one of Synaptic's"),
    (json.dumps(with_neuron("squash", {"a": 1})), r"neurons\[3\].squash"),
    (json.dumps(with_neuron("layer", [0])), r"neurons\[3\].layer"),
    (json.dumps(with_neuron("layer", 2**40)), r"neurons\[3\].layer"),
    (json.dumps(with_neuron("state", "x")), r"neurons\[3\].state: expected a number"),
    ('{"neurons": [], "connections": [], "x": "\\u0000"}', "has no neurons|no input|evaluate"),
    (123, "expected a dict, JSON text, bytes, a path or a file"),
])
def test_bad_input_is_a_network_format_error_saying_where(source, message):
    with pytest.raises(NetworkFormatError, match=message):
        from_synaptic(source)


def test_huge_integer_literals_are_errors_at_their_field():
    text = json.dumps(good()).replace('"weight": ', '"weight": ' + "7" * 5000 + ", \"w\": ", 1)
    with pytest.raises(NetworkFormatError, match=r"connections\[0\].weight: an integer of 5000 "
                                                 "digits is too large: not representable"):
        from_synaptic(text)


def test_nul_in_a_document_string_is_data_not_a_path():
    doc = good()
    doc["neurons"][0]["squash"] = "LOGI\x00STIC"
    with pytest.raises(NetworkFormatError, match=r"neurons\[0\].squash: 'LOGI\\x00STIC'"):
        from_synaptic(json.dumps(doc))


@pytest.mark.parametrize("kind", ["bytes", "str", "path", "file", "text file"])
def test_size_cap_applies_to_every_source(kind, tmp_path):
    text = json.dumps(good())
    path = tmp_path / "net.json"
    path.write_text(text)
    cap = len(text) - 1
    source = {"bytes": text.encode(), "str": text, "path": path,
              "file": io.BytesIO(text.encode()), "text file": io.StringIO(text)}[kind]
    with pytest.raises(NetworkFormatError, match=f"larger than {cap} bytes"):
        Network.from_synaptic(source, max_bytes=cap)
    source = {"bytes": text.encode(), "str": text, "path": str(path),
              "file": io.BytesIO(text.encode()), "text file": io.StringIO(text)}[kind]
    assert len(Network.from_synaptic(source, max_bytes=len(text)).neurons) == 5


def test_size_cap_holds_for_an_endless_device():
    with pytest.raises(NetworkFormatError, match="/dev/zero: larger than 1000 bytes"):
        from_synaptic("/dev/zero", max_bytes=1000)


def test_cli_convert_keeps_the_cap(tmp_path):
    """``netgraph convert --from synaptic`` reads through from_synaptic, so /dev/zero is
    refused at the cap instead of filling memory."""
    code = ("import sys, netgraph.interop._synaptic as s; s.MAX_DOCUMENT_BYTES = 4096; "
            "from netgraph._cli import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", code, "convert", "--from", "synaptic",
                           "/dev/zero", "-o", str(tmp_path / "x.json")], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert "/dev/zero: larger than 4096 bytes" in proc.stderr
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(("doc", "name"), [
    ({"nodes": [{"type": "input", "bias": 0, "squash": "LOGISTIC", "index": 0}],
      "connections": [], "input": 1, "output": 1, "dropout": 0}, "Neataptic"),
    ({"sizes": [2, 3, 1], "layers": [{"0": {}, "1": {}}], "outputLookup": False,
      "inputLookup": False, "activation": "sigmoid"}, "brain.js"),
    (json.loads(Perceptron(2, 2, 1, seed=0).to_json()), "netgraph JSON"),
])
def test_other_formats_are_recognised(doc, name):
    with pytest.raises(NetworkFormatError, match=f"not a Synaptic network: this looks like "
                                                 f"(a )?{name}"):
        from_synaptic(doc)


def test_fixture_still_imports_from_every_source(tmp_path):
    doc = load_fixture("lstm-2-3-1")["initial"]
    text = json.dumps(doc)
    (tmp_path / "f.json").write_text(text)
    outs = []
    for source in (doc, text, text.encode(), tmp_path / "f.json", str(tmp_path / "f.json"),
                   io.BytesIO(("\ufeff" + text).encode())):
        outs.append(Network.from_synaptic(source).activate([0.5, 0.25]).tolist())
    assert all(o == outs[0] for o in outs)


def _junk(rng):
    return [None, True, -1, 0, 2**70, 10**400, 1e308, 1.5, "", "x\x00y", "LOGISTIC", [], [1],
            {}, {"a": [None]}, "input", "output", 3, -0.0][int(rng.integers(0, 19))]


def test_fuzzed_documents_only_ever_raise_network_format_error():
    """Random field replacements and byte edits of a real LSTM export: each either imports
    or raises NetworkFormatError (anything else is a broken contract)."""
    import warnings

    import numpy as np

    from netgraph import SynapticFidelityWarning

    rng = np.random.default_rng(0)
    base = load_fixture("lstm-2-3-1")["initial"]
    text = json.dumps(base)
    outcomes = {"imported": 0, "refused": 0}
    for trial in range(400):
        if trial % 2:
            doc = json.loads(text)
            for _ in range(int(rng.integers(1, 4))):
                items = doc["neurons"] if rng.random() < 0.5 else doc["connections"]
                item = items[int(rng.integers(0, len(items)))]
                key = sorted(item)[int(rng.integers(0, len(item)))]
                item[key] = _junk(rng)
            source = json.dumps(doc) if rng.random() < 0.5 else doc
        else:
            raw = bytearray(text.encode())
            for _ in range(int(rng.integers(1, 4))):
                raw[int(rng.integers(0, len(raw)))] = int(rng.integers(0, 256))
            source = bytes(raw)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SynapticFidelityWarning)
                from_synaptic(source)
            outcomes["imported"] += 1
        except NetworkFormatError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 100 and outcomes["imported"] > 10
