"""What users read: reprs that count right, error messages that read right."""

from __future__ import annotations

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
