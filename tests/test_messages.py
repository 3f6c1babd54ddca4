"""What users read: reprs that count right, error messages that read right."""

from __future__ import annotations

import io
import json
import os
import re
import tracemalloc

import pytest

from netgraph import Layer, Network, NetworkFormatError
from netgraph.architect import Perceptron


def test_network_reprs_count_in_words():
    net = Network()
    assert repr(net) == "Network(0 neurons, 0 synapses)"
    net.add_neuron("a", role="input")
    assert repr(net) == "Network(1: 1 neuron, 0 synapses)"
    assert repr(Perceptron(1, 1, seed=0)) == "Network(1-1: 2 neurons, 1 synapse)"
    assert repr(Perceptron(2, 3, 1, seed=0)) == "Network(2-3-1: 6 neurons, 9 synapses)"
    a, b = Layer(2), Layer(2)
    a.project(b, "one_to_one")
    assert repr(Network(input=a, output=b)) == "Network(2-2: 4 neurons, 2 synapses)"


@pytest.mark.parametrize(("text", "message"), [
    ('{"a', "not valid JSON: Unterminated string starting at line 1 column 2"),
    ('{"a\x01": 1}', "not valid JSON: Invalid control character at line 1 column 4"),
    ("{", "not valid JSON: Expecting property name enclosed in double quotes at line 1 "
         "column 2"),
])
def test_json_syntax_errors_read_right(text, message):
    with pytest.raises(NetworkFormatError) as caught:
        Network.from_json(text)
    assert str(caught.value) == message
    assert "at at" not in str(caught.value)


def test_a_failed_save_names_the_target_or_its_missing_folder(tmp_path):
    net = Perceptron(1, 1, seed=0)
    missing = tmp_path / "no" / "such"
    with pytest.raises(FileNotFoundError) as caught:
        net.save(missing / "net.json")
    assert caught.value.filename == str(missing) and "No such folder" in str(caught.value)
    afile = tmp_path / "a.txt"
    afile.write_text("x")
    with pytest.raises(NotADirectoryError) as caught:
        net.save(afile / "net.json")
    assert caught.value.filename == str(afile)
    with pytest.raises(IsADirectoryError) as caught:
        net.save(tmp_path)
    assert caught.value.filename == str(tmp_path) and caught.value.filename2 is None
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:
        if os.access(readonly, os.W_OK):  # root writes anyway: then the save succeeds
            assert net.save(readonly / "net.json").exists()
        else:
            with pytest.raises(PermissionError) as caught:
                net.save(readonly / "net.json")
            assert caught.value.filename == str(readonly / "net.json")
    finally:
        readonly.chmod(0o700)
    for error in (str(e) for e in _save_errors(net, tmp_path)):
        assert ".tmp" not in error, error
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "ro"]  # no temporary file left behind


def _save_errors(net, tmp_path):
    out = []
    for target in (tmp_path / "x" / "net.json", tmp_path, tmp_path / "a.txt" / "n.json"):
        try:
            net.save(target)
        except OSError as e:
            out.append(e)
    assert len(out) == 3
    return out


def test_synaptic_json_text_behind_a_byte_order_mark_is_text_not_a_path():
    doc = json.dumps(Perceptron(2, 1, seed=0).to_synaptic())
    for text in ("\ufeff" + doc, " \ufeff" + doc, "\ufeff\n" + doc):
        net = Network.from_synaptic(text)
        assert repr(net) == "Network(2-1: 3 neurons, 2 synapses)"


@pytest.mark.parametrize("digits", [400, 5000])
def test_an_integer_too_long_for_a_float_says_so(digits):
    synaptic = Perceptron(1, 1, seed=0).to_synaptic()
    bias = repr(synaptic["neurons"][1]["bias"])
    text = json.dumps(synaptic).replace(bias, "9" * digits, 1)
    with pytest.raises(NetworkFormatError) as caught:
        Network.from_synaptic(text)
    assert str(caught.value) == (f"neurons[1].bias: an integer of {digits} digits is too "
                                 "large: not representable as a float64")
    own = Perceptron(1, 1, seed=0).to_json()
    text = re.sub(r'"bias": [-0-9.e]+', '"bias": ' + "9" * 5000, own, count=1)
    with pytest.raises(NetworkFormatError, match="an integer of 5000 digits is too large: not "
                                                 "representable as a float64"):
        Network.from_json(text)


def test_a_synaptic_file_over_max_bytes_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(2 << 30)  # 2 GiB, sparse: nothing is written
    tracemalloc.start()
    try:
        with pytest.raises(NetworkFormatError) as caught:
            Network.from_synaptic(str(big))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(caught.value) == (f"{big}: larger than {512 << 20} bytes ({2 << 30} bytes; "
                                 "raise max_bytes to read it)")
    assert peak < 1 << 20  # not 512 MiB read first

    class Counting(io.FileIO):
        reads = 0

        def read(self, *args):
            Counting.reads += 1
            return super().read(*args)

    small = tmp_path / "small.json"
    small.write_text(json.dumps(Perceptron(1, 1, seed=0).to_synaptic()))
    size = small.stat().st_size
    with Counting(small) as f, pytest.raises(NetworkFormatError, match=f"{size} bytes;"):
        Network.from_synaptic(f, max_bytes=size - 1)
    assert Counting.reads == 0
    with Counting(small) as f:  # at its size it is read, once
        assert repr(Network.from_synaptic(f, max_bytes=size)) == \
            "Network(1-1: 2 neurons, 1 synapse)"
    with Counting(small) as f:  # what is left to read counts, from where the file stands
        f.seek(10)
        with pytest.raises(NetworkFormatError, match="not valid JSON"):
            Network.from_synaptic(f, max_bytes=size - 10)
