"""Data as users bring it (1-D targets, pandas), clear errors for what is missing, and no
quiet failures: targets an output cannot reach, how training says it stopped, its log."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import xor_net

from netgraph import ACTIVATIONS, InputError, Network, TargetRangeWarning, TrainResult
from netgraph.architect import Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([0.0, 1.0, 1.0, 0.0])


def weights(net: Network) -> np.ndarray:
    return np.array([w for _, _, w in net.graph.edges(data="weight")])


@pytest.mark.parametrize("targets", [
    y, list(y), pd.Series(y, name="xor"), pd.Series(y).astype("int64"), y.reshape(-1, 1),
    pd.DataFrame({"xor": y}),
])
def test_single_output_targets_may_be_1d(targets):
    reference = xor_net(seed=2)
    reference.train(X, y.reshape(-1, 1), rate=0.3, iterations=50, error=0)
    net = xor_net(seed=2)
    net.train(X, targets, rate=0.3, iterations=50, error=0)
    np.testing.assert_array_equal(weights(net), weights(reference))
    assert net.test(X, targets) == reference.test(X, y.reshape(-1, 1))


def test_pandas_inputs_and_targets():
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(target=y)
    net, reference = xor_net(seed=5), xor_net(seed=5)
    net.train(frame[["a", "b"]], frame["target"], rate=0.3, iterations=20, error=0)
    reference.train(X, y.reshape(-1, 1), rate=0.3, iterations=20, error=0)
    np.testing.assert_array_equal(weights(net), weights(reference))


def test_one_input_may_be_1d_too():
    net, reference = Perceptron(1, 2, 1, seed=0), Perceptron(1, 2, 1, seed=0)
    x = np.linspace(0, 1, 5)
    net.train(pd.Series(x), x / 2, iterations=10, error=0)
    reference.train(x.reshape(-1, 1), (x / 2).reshape(-1, 1), iterations=10, error=0)
    np.testing.assert_array_equal(weights(net), weights(reference))
    # and pairs of scalars, for one input and one output
    pairs = Perceptron(1, 2, 1, seed=0)
    pairs.train([(a, a / 2) for a in x], iterations=10, error=0)
    np.testing.assert_array_equal(weights(pairs), weights(reference))


def test_1d_targets_for_several_outputs_say_why():
    net = Perceptron(2, 3, 2, seed=0)
    with pytest.raises(InputError, match=r"got \(4,\); 1-D targets are for networks with one "
                                         r"output, this one has 2"):
        net.train(X, y)


@pytest.mark.parametrize(("data", "shape"), [
    (X, r"\(4, 2\)"), (X.tolist(), r"\(4, 2\)"), (pd.DataFrame(X), r"\(4, 2\)"),
])
def test_inputs_without_targets_name_what_was_passed(data, shape):
    with pytest.raises(InputError, match=rf"got inputs of shape {shape} and no targets; "
                                         r"pass the targets too: train\(X, T\), with X of "
                                         r"shape \(4, 2\) and T of shape \(4, 1\), or 1-D"):
        xor_net().train(data)
    with pytest.raises(InputError, match="no targets"):
        xor_net().test(data)


def test_an_array_of_the_wrong_width_without_targets():
    with pytest.raises(InputError, match=r"got an array of shape \(4, 3\) and no targets"):
        xor_net().train(np.zeros((4, 3)))


def test_missing_output_in_synaptic_dicts_names_the_sample():
    data = [{"input": [0, 0], "output": [0]}, {"input": [0, 1]}]
    with pytest.raises(InputError, match=r"data\[1\] has no 'output' key"):
        xor_net().train(data)


def test_a_sample_that_is_not_a_pair_is_named():
    with pytest.raises(InputError, match=r"data\[1\] is not an \(input, target\) pair: got "
                                         r"list of length 3"):
        xor_net().train([([0, 0], [0]), [[0, 1], [1], [2]]])


# --------------------------------------------------------------- target ranges
def test_activation_ranges_hold_every_value_and_are_tight():
    s = np.concatenate([np.linspace(-60, 60, 24001), [-1e300, -1e6, -1e3, 1e3, 1e6, 1e300]])
    for name, a in ACTIVATIONS.items():
        with np.errstate(all="ignore"):  # squares and cubes of 1e300 overflow to inf
            values = np.asarray(a.function(s), dtype=float)
        assert not np.isnan(values).any(), name
        assert values.min() >= a.low and values.max() <= a.high, name
        # each finite bound is (nearly) reached, each infinite one is exceeded by far
        if np.isfinite(a.low):
            assert values.min() - a.low < 1e-3, name
        else:
            assert values.min() < -100, name
        if np.isfinite(a.high):
            assert a.high - values.max() < 1e-3, name
        else:
            assert values.max() > 100, name


def test_logistic_regression_targets_warn_once():
    rng = np.random.default_rng(0)
    inputs = rng.uniform(-1, 1, (40, 2))
    targets = np.linspace(-1.9, 2.4, 40)
    net = Perceptron(2, 4, 1, seed=0)
    with pytest.warns(TargetRangeWarning) as caught:
        net.train(inputs, targets, iterations=30, error=0)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "output 'o0' (logistic) has targets in [-1.9, 2.4], outside its range [0, 1]" \
        in message
    assert "output_activation='identity'" in message
    assert caught[0].filename == __file__  # points at the user's call


def test_only_the_outputs_out_of_range_are_named():
    net = Perceptron(2, 3, 2, seed=0)
    net.graph.nodes["o1"]["activation"] = "tanh"
    T = np.column_stack([np.full(4, 0.5), [-1.0, 0.0, 1.0, 1.5]])
    with pytest.warns(TargetRangeWarning, match=r"output 'o1' \(tanh\) has targets in "
                                                r"\[-1, 1.5\]") as caught:
        net.train(X, T, iterations=2, error=0)
    assert "'o0'" not in str(caught[0].message)


@pytest.mark.parametrize(("activation", "targets"), [
    ("logistic", [0.0, 1.0, 1.0, 0.0]),  # the bounds themselves are reachable enough
    ("tanh", [-1.0, 1.0, 0.3, 0.0]),
    ("identity", [-100.0, 3.0, 2.0, 1e3]),
    ("relu", [0.0, 5.0, 7.0, 1.0]),
])
def test_targets_within_range_do_not_warn(activation, targets):
    net = Perceptron(2, 3, 1, activation=activation, seed=0) if activation != "logistic" \
        else xor_net(seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.train(X, targets, iterations=2, error=0, rate=1e-6)


def test_sequences_are_checked_too():
    from netgraph.architect import LSTM

    net = LSTM(1, 2, 1, seed=0)
    seqs = [(np.array([[0.0], [1.0]]), np.array([[0.5], [3.0]]))]
    with pytest.warns(TargetRangeWarning, match="outside its range"):
        net.train(seqs, sequences=True, iterations=1, error=0)


# -------------------------------------------------------- how training stopped
def test_reaching_the_error_goal_reads_as_success():
    r = xor_net(seed=3).train(X, y, rate=0.5, iterations=100000, error=0.01)
    assert r.stopped == "goal" and r.error <= 0.01
    assert str(r.stopped) == "goal" and repr(r.stopped) == "'goal'"
    assert isinstance(r, TrainResult) and r.stopped in {"goal"}
    assert pickle.loads(pickle.dumps(r)).stopped == "goal"


def test_the_old_name_still_compares_equal_with_a_deprecation_warning():
    r = xor_net(seed=3).train(X, y, rate=0.5, iterations=100000, error=0.01)
    with pytest.warns(DeprecationWarning, match="'error' is now called 'goal'"):
        assert r.stopped == "error"
    with pytest.warns(DeprecationWarning):
        assert (r.stopped != "error") is False
    assert r.stopped != "iterations" and r.stopped != "schedule"
    # a result built with the old name gets the new one
    old = TrainResult(error=0.0, iterations=1, time=0.0, history=np.zeros(1),
                      stopped="error")  # type: ignore[arg-type]
    assert str(old.stopped) == "goal"


def test_other_reasons_do_not_equal_the_old_name():
    r = xor_net(seed=3).train(X, y, iterations=3, error=0)
    assert r.stopped == "iterations"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert r.stopped != "error"


def test_log_goes_to_stderr(capsys):
    xor_net(seed=1).train(X, y, iterations=4, error=0, log=2)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert [line.split()[:2] for line in lines] == [["iterations", "2"], ["iterations", "4"]]


# ----------------------------------------------------------- output activation
def test_perceptron_output_activation():
    net = Perceptron(2, 4, 3, 1, activation="tanh", output_activation="identity", seed=0)
    acts = {layer: {net.graph.nodes[n]["activation"] for n in ids}
            for layer, ids in net.layers.items()}
    assert acts == {"input": {"tanh"}, "hidden0": {"tanh"}, "hidden1": {"tanh"},
                    "output": {"identity"}}
    default = Perceptron(2, 3, 1, activation="relu", seed=0)
    assert {a for _, a in default.graph.nodes(data="activation")} == {"relu"}
    # names are checked as everywhere else, aliases included
    assert Perceptron(1, 1, output_activation="linear").graph.nodes["o0"]["activation"] == \
        "identity"
    with pytest.raises(ValueError, match="unknown activation 'identy'"):
        Perceptron(2, 1, output_activation="identy")


def test_an_identity_output_fits_what_logistic_cannot():
    # The case: regression targets in [-1.9, 2.4]. No logistic output can get its
    # mse below the mean squared distance of the targets to [0, 1]; an identity output can.
    rng = np.random.default_rng(1)
    inputs = rng.uniform(-1, 1, (30, 2))
    targets = 1.5 * inputs[:, 0] - 0.8 * inputs[:, 1] + 0.25
    floor = float(np.mean(np.clip(targets, None, 0.0) ** 2 + np.clip(targets - 1, 0, None) ** 2))
    assert floor > 0.05
    logistic = Perceptron(2, 4, 1, seed=0)
    with pytest.warns(TargetRangeWarning):
        stuck = logistic.train(inputs, targets, rate=0.1, iterations=300, error=0)
    assert stuck.error >= floor
    linear = Perceptron(2, 4, 1, output_activation="identity", seed=0)
    fitted = linear.train(inputs, targets, rate=0.1, iterations=300, error=0)
    assert fitted.error < floor / 10
