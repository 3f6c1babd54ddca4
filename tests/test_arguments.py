"""Every public entry point refuses a wrong argument with an InputError naming it.

Table-driven: each row is a call with one bad argument and the words its message must
contain. Values numpy or Python would take for something else (``True`` for 1,
``"yes"`` for true, NaN that compares False with everything) are refused, not guessed at.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import xor_net

from netgraph import InputError, Layer, Network
from netgraph.architect import GRU, LSTM, NARX, Hopfield, Liquid, Perceptron

XOR = ([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]])


def _train(**options):
    options = {"iterations": 2, "progress": False, **options}
    return lambda: xor_net(seed=0).train(*XOR, **options)


def _propagate(rate, target=(1.0,)):
    def call():
        net = xor_net(seed=0)
        net.activate([0, 1])
        net.propagate(rate, list(target))
    return call


def _lstm(**options):
    return lambda: LSTM(2, 2, 1, seed=0, **options)


BAD = [
    # activate, propagate, gradient, test: the data
    ("activate ragged", lambda: xor_net().activate([[0, 1], [0]]),
     r"input rows differ in length: row 0 has 2 values, row 1 has 1"),
    ("propagate ragged target", _propagate(0.1, target=[[1], [1, 2]]),
     r"target rows differ in length"),
    ("gradient ragged targets", lambda: xor_net().gradient(XOR[0], [[0], [1, 1], [1], [0]]),
     r"targets rows differ in length"),
    ("gradient text targets", lambda: xor_net().gradient(XOR[0], "abcd"),
     r"targets must be numbers"),
    # rates: negative, non-finite, not a number
    ("propagate negative rate", _propagate(-0.3), r"rate must be >= 0, got -0.3"),
    ("propagate nan rate", _propagate(math.nan), r"rate must be finite, got nan"),
    ("propagate inf rate", _propagate(math.inf), r"rate must be finite, got inf"),
    ("propagate text rate", _propagate("0.1"), r"rate must be a real number, got str"),
    ("propagate bool rate", _propagate(True), r"rate must be a real number, got bool"),
    ("train negative rate", _train(rate=-0.3), r"rate must be >= 0, got -0.3"),
    ("train negative rate in a list", _train(rate=[0.1, -1]), r"rate must be >= 0, got -1.0"),
    ("train negative rate from a callable", _train(rate=lambda i, e: -1.0),
     r"rate must be >= 0, got -1.0"),
    ("train nan rate", _train(rate=math.nan), r"rate must be finite"),
    # train's options
    ("iterations=True", _train(iterations=True), r"iterations must be a whole number >= 1, "
     r"got bool True"),
    ("iterations=2.0", _train(iterations=2.0), r"iterations must be a whole number"),
    ("batch_size=True", _train(batch_size=True), r"batch_size must be a whole number >= 1, "
     r"got bool True"),
    ("batch_size=0", _train(batch_size=0), r"batch_size must be a whole number >= 1"),
    ("shuffle='yes'", _train(shuffle="yes"), r"shuffle must be True or False, got str 'yes'"),
    ("shuffle=1", _train(shuffle=1), r"shuffle must be True or False, got int 1"),
    ("error=nan", _train(error=math.nan), r"error must be finite, got nan"),
    ("error='x'", _train(error="x"), r"error must be a real number, got str 'x'"),
    ("momentum='x'", _train(momentum="x"), r"momentum must be a real number, got str 'x'"),
    ("momentum=nan", _train(momentum=math.nan), r"momentum must be finite"),
    ("momentum=1", _train(momentum=1.0), r"momentum must be in \[0, 1\), got 1.0"),
    ("seed='abc'", _train(seed="abc"), r"seed must be a whole number >= 0, a "
     r"numpy.random.Generator or None, got str 'abc'"),
    ("seed=-1", _train(seed=-1), r"seed must be a whole number >= 0"),
    ("seed=1.5", _train(seed=1.5), r"seed must be a whole number >= 0"),
    ("log=-1", _train(log=-1), r"log must be a whole number >= 0, got int -1"),
    ("log=0.5", _train(log=0.5), r"log must be a whole number >= 0"),
    ("log=True", _train(log=True), r"log must be a whole number >= 0, got bool"),
    ("progress='no'", _train(progress="no"), r"progress must be True, False or 'auto'"),
    ("sequences=1", _train(sequences=1), r"sequences must be True or False"),
    ("record_every=True", _train(record_every=True), r"record_every must be a whole number"),
    ("optimizer=3", _train(optimizer=3), r"optimizer must be a name \(str\), got int"),
    ("optimizer='rmsprop'", _train(optimizer="rmsprop"), r"unknown optimizer 'rmsprop'"),
    ("cost=3", _train(cost=3), r"unknown cost 3"),
    ("schedule=5", _train(schedule=5), r"schedule must be \{'every': N, 'do': callable\}"),
    ("schedule every=True", _train(schedule={"every": True, "do": print}),
     r"schedule every must be a whole number >= 1, got bool"),
    ("schedule do=3", _train(schedule={"every": 1, "do": 3}), r"schedule 'do' must be callable"),
    ("cross_validate=5", _train(cross_validate=5), r"cross_validate must be"),
    ("cross_validate test_size='x'", _train(cross_validate={"test_size": "x"}),
     r"cross_validate test_size must be a real number"),
    ("cross_validate test_error=nan",
     _train(cross_validate={"test_size": 0.5, "test_error": math.nan}),
     r"cross_validate test_error must be finite"),
    # seeds and flags of the network itself
    ("Network(seed='abc')", lambda: Network(seed="abc"), r"seed must be a whole number >= 0"),
    ("Network(seed=True)", lambda: Network(seed=True), r"seed must be a whole number >= 0, .* got "
     r"bool True"),
    ("from_graph(seed=0.5)", lambda: Network.from_graph(xor_net().graph, seed=0.5),
     r"seed must be a whole number >= 0"),
    ("reset(seed='abc')", lambda: xor_net().reset(seed="abc"), r"seed must be"),
    ("clear(states='yes')", lambda: xor_net().clear(states="yes"),
     r"states must be True or False"),
    ("connect(replace='yes')", lambda: xor_net().connect("h0", "o0", 1.0, replace="yes"),
     r"replace must be True or False"),
    # architectures
    ("Perceptron size 2.5", lambda: Perceptron(2, 2.5, 1),
     r"Perceptron sizes\[1\] must be a whole number >= 1, got float 2.5"),
    ("Perceptron size True", lambda: Perceptron(2, True, 1), r"Perceptron sizes\[1\] must be"),
    ("Perceptron seed 'abc'", lambda: Perceptron(2, 1, seed="abc"), r"seed must be"),
    ("LSTM inputs 0", lambda: LSTM(0, 2, 1), r"LSTM inputs must be a whole number >= 1"),
    ("LSTM block 0", lambda: LSTM(2, 0, 1), r"LSTM sizes\[0\] must be a whole number >= 1"),
    ("LSTM peepholes", _lstm(peepholes="some"), r"LSTM peepholes must be one of all_to_all"),
    ("LSTM hidden_to_hidden", _lstm(hidden_to_hidden="yes"),
     r"LSTM hidden_to_hidden must be True or False"),
    ("LSTM input_to_output", _lstm(input_to_output=0), r"LSTM input_to_output must be True"),
    ("GRU size", lambda: GRU(2, "x", 1), r"GRU sizes\[0\] must be a whole number"),
    ("Liquid connections -1", lambda: Liquid(2, 3, 1, -1, 0),
     r"Liquid connections must be a whole number >= 0, got int -1"),
    ("Liquid gates 1.5", lambda: Liquid(2, 3, 1, 2, 1.5), r"Liquid gates must be a whole number"),
    ("Hopfield size 0", lambda: Hopfield(0), r"Hopfield size must be a whole number >= 1"),
    ("NARX previous_input True", lambda: NARX(2, 3, 1, True, 1),
     r"NARX previous_input must be a whole number >= 1, got bool"),
    ("NARX previous_output 0", lambda: NARX(2, 3, 1, 1, 0), r"NARX previous_output must be"),
    ("NARX hidden 0", lambda: NARX(2, [3, 0], 1, 1, 1), r"NARX hidden\[1\] must be"),
]


@pytest.mark.parametrize(("call", "message"), [row[1:] for row in BAD],
                         ids=[row[0] for row in BAD])
def test_a_bad_argument_is_an_input_error_naming_it(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_a_refused_training_option_changes_nothing():
    net = xor_net(seed=0)
    before = [w for *_, w in net.graph.edges(data="weight")]
    for options in ({"rate": -0.3}, {"shuffle": "yes"}, {"error": math.nan}, {"log": -1}):
        with pytest.raises(InputError):
            net.train(*XOR, iterations=5, progress=False, **options)
    assert [w for *_, w in net.graph.edges(data="weight")] == before
    net.activate([0, 1])
    with pytest.raises(InputError):
        net.propagate(-0.3, [1])
    assert [w for *_, w in net.graph.edges(data="weight")] == before


GOOD = [
    # what the checks must still take: numpy scalars, numpy bools, a zero rate, 0 for log
    ("numpy whole numbers", {"iterations": np.int64(2), "batch_size": np.int32(2),
                             "log": np.int64(0), "seed": np.uint8(3)}),
    ("numpy bool and float", {"shuffle": np.bool_(True), "momentum": np.float32(0.5),
                              "batch_size": 2}),
    ("a zero rate", {"rate": 0}),
    ("a generator as seed", {"seed": np.random.default_rng(1), "shuffle": True}),
    ("a legacy RandomState as seed", {"seed": np.random.RandomState(1), "shuffle": True}),
    ("a rate list of numpy numbers", {"rate": np.array([0.3, 0.1])}),
    ("cross_validate as a pair", {"cross_validate": (0.25, 0.0)}),
    ("schedule as a pair", {"schedule": (1, lambda info: False)}),
]


@pytest.mark.parametrize("options", [row[1] for row in GOOD], ids=[row[0] for row in GOOD])
def test_good_arguments_still_train(options):
    options = {"iterations": 2, "progress": False, **options}
    result = xor_net(seed=0).train(*XOR, **options)
    assert result.iterations == 2 and math.isfinite(result.error)


def test_a_zero_rate_changes_no_weight_and_a_positive_one_does():
    net = xor_net(seed=0)
    before = [w for *_, w in net.graph.edges(data="weight")]
    net.activate([0, 1])
    net.propagate(0, [1])
    assert [w for *_, w in net.graph.edges(data="weight")] == before
    net.activate([0, 1])
    net.propagate(np.float32(0.5), [1])
    assert [w for *_, w in net.graph.edges(data="weight")] != before


def test_layers_still_refuse_their_own_sizes():
    with pytest.raises(ValueError, match="whole number of neurons"):
        Layer(True)  # type: ignore[arg-type]
