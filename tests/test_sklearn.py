"""netgraph.sklearn against the real scikit-learn: its own estimator checks, a Pipeline,
GridSearchCV in worker processes, pickling, and the same numbers as netgraph itself."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from netgraph import InputError, Network
from netgraph.architect import Perceptron
from netgraph.sklearn import NetworkClassifier, NetworkRegressor

ROOT = Path(__file__).resolve().parent.parent


def regression_data(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 2))
    return X, np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] ** 2


def blobs(n: int = 90, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centers = np.array([[0, 3], [3, 0], [-3, -3]])
    y = np.arange(n) % 3
    return centers[y] + rng.normal(0, 0.7, (n, 2)), np.array(["a", "b", "c"])[y]


@pytest.mark.parametrize("estimator", [NetworkRegressor(), NetworkClassifier()],
                         ids=["regressor", "classifier"])
def test_scikit_learns_estimator_checks_pass_on_the_default_estimators(estimator):
    # the default constructors: the checks set random_state themselves, as they do for
    # scikit-learn's own estimators. check_estimator rather than parametrize_with_checks:
    # the one check scikit-learn skips (array API input, only run with SCIPY_ARRAY_API
    # set) would be a skipped test, and a new skip must fail here instead
    results = check_estimator(estimator, on_fail=None, on_skip=None)
    skipped = {r["check_name"] for r in results if r["status"] == "skipped"}
    assert skipped <= {"check_array_api_input"}, skipped
    failed = [f"{r['check_name']}: {type(r['exception']).__name__}: {r['exception']}"
              for r in results if r["status"] == "failed"]
    assert failed == [], "\n".join(failed)
    passed = [r["check_name"] for r in results if r["status"] == "passed"]
    assert len(passed) >= 40, passed  # the checks really ran


def test_get_params_set_params_and_clone():
    model = NetworkRegressor((8, 4), activation="relu", rate=0.05, random_state=3)
    params = model.get_params()
    assert params == {
        "hidden_layer_sizes": (8, 4), "activation": "relu", "output_activation": None,
        "rate": 0.05, "iterations": 200, "error": 0.0, "cost": None, "optimizer": "adam",
        "batch_size": 32, "momentum": 0.0, "shuffle": True, "random_state": 3,
        "seed": "deprecated"}
    assert model.set_params(iterations=7, optimizer="sgd") is model
    assert model.iterations == 7 and model.optimizer == "sgd"
    twin = clone(model)
    assert twin is not model and twin.get_params() == model.get_params()


def test_the_estimator_trains_exactly_as_netgraph_does():
    X, y = regression_data(40)
    model = NetworkRegressor((5,), activation="logistic", rate=0.05, iterations=30,
                             optimizer="sgd", batch_size=1, shuffle=False,
                             random_state=4).fit(X, y)
    # an int random_state seeds a RandomState, which gives the fit its one seed
    seed = int(np.random.RandomState(4).randint(2**31 - 1))
    net = Perceptron(2, 5, 1, activation="logistic", output_activation="identity", seed=seed)
    result = net.train(X, y, rate=0.05, iterations=30, error=0.0, optimizer="sgd",
                       batch_size=1, shuffle=False, seed=seed)
    assert isinstance(model.network_, Network)
    np.testing.assert_array_equal(model.predict(X), net.activate(X)[:, 0])
    np.testing.assert_array_equal(model.train_result_.history, result.history)
    assert model.n_iter_ == 30 and model.loss_ == result.error
    assert model.network_.graph.nodes["o0"]["activation"] == "identity"
    assert model.network_.graph.nodes["h0"]["activation"] == "logistic"


def test_a_pipeline_fits_what_a_linear_model_cannot():
    X, y = regression_data(160)
    X_test, y_test = regression_data(80, seed=1)
    model = make_pipeline(StandardScaler(), NetworkRegressor((16,), iterations=300,
                                                             random_state=0))
    model.fit(X, y)
    network_score = model.score(X_test, y_test)
    linear_score = LinearRegression().fit(X, y).score(X_test, y_test)
    assert network_score > 0.95 and linear_score < 0.5, (network_score, linear_score)
    assert model[-1].network_.inputs == ["i0", "i1"]


def test_multi_output_regression_and_1d_or_2d_targets():
    X, y = regression_data(60)
    Y = np.column_stack([y, -y])
    model = NetworkRegressor((6,), iterations=20, random_state=1)
    assert model.fit(X, Y).predict(X).shape == (60, 2)
    assert len(model.network_.outputs) == 2
    assert model.fit(X, y).predict(X).shape == (60,)
    assert model.fit(X, y.reshape(-1, 1)).predict(X).shape == (60, 1)


def test_classifier_labels_probabilities_and_pandas():
    X, y = blobs()
    frame = pd.DataFrame(X, columns=["u", "v"])
    model = NetworkClassifier((8,), iterations=100, random_state=0).fit(frame, pd.Series(y))
    assert list(model.classes_) == ["a", "b", "c"]
    assert list(model.feature_names_in_) == ["u", "v"] and model.n_features_in_ == 2
    proba = model.predict_proba(frame)
    assert proba.shape == (90, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (model.predict(frame) == model.classes_[proba.argmax(axis=1)]).all()
    assert model.score(frame, y) > 0.95
    assert len(model.network_.outputs) == 3
    # two classes take one logistic output: the probability of classes_[1]
    binary = NetworkClassifier((4,), iterations=50, random_state=0).fit(X[y != "c"],
                                                                         y[y != "c"])
    assert len(binary.network_.outputs) == 1
    p = binary.network_.activate(X[:5])[:, 0]
    np.testing.assert_array_equal(binary.predict_proba(X[:5]), np.column_stack([1 - p, p]))


def test_pickled_estimators_predict_the_same():
    X, y = blobs()
    model = NetworkClassifier((6,), iterations=20, random_state=2).fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    assert isinstance(again.network_, Network) and again.network_ is not model.network_
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    assert again.get_params() == model.get_params()
    unfitted = pickle.loads(pickle.dumps(NetworkRegressor(random_state=1)))
    assert not hasattr(unfitted, "network_")


def test_grid_search_in_two_worker_processes():
    X, y = blobs(120, seed=3)
    grid = {"hidden_layer_sizes": [(2,), (8,)], "rate": [0.001, 0.05]}
    folds = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(make_pipeline(StandardScaler(), NetworkClassifier(iterations=60,
                                                                           random_state=0)),
                          {f"networkclassifier__{k}": v for k, v in grid.items()},
                          cv=folds, n_jobs=2)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    best = search.best_params_
    # the workers computed what this process computes for the same settings
    model = make_pipeline(StandardScaler(), NetworkClassifier(iterations=60, random_state=0))
    model.set_params(**best)
    mine = cross_val_score(model, X, y, cv=folds).mean()
    assert search.best_score_ == pytest.approx(mine, abs=1e-12)
    assert search.best_score_ > 0.9
    assert search.best_estimator_[-1].hidden_layer_sizes == best[
        "networkclassifier__hidden_layer_sizes"]


@pytest.mark.parametrize(("params", "message"), [
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes must be whole numbers >= 1"),
    ({"hidden_layer_sizes": "16"}, "hidden_layer_sizes must be whole numbers >= 1"),
    ({"activation": "sigmod"}, "unknown activation 'sigmod'"),
    ({"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'"),
    ({"random_state": 1.5}, "random_state must be an int, a numpy RandomState or Generator"),
    ({"random_state": "0"}, "random_state must be an int, a numpy RandomState or Generator"),
])
def test_bad_hyperparameters_fail_in_fit_with_the_reason(params, message):
    X, y = regression_data(10)
    model = NetworkRegressor(**params)  # scikit-learn checks parameters in fit, not here
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)


def test_random_state_takes_ints_randomstates_and_generators():
    X, y = regression_data(30)

    def fit(random_state):
        return NetworkRegressor((3,), iterations=5, random_state=random_state).fit(X, y)

    first = fit(7).predict(X)
    np.testing.assert_array_equal(fit(7).predict(X), first)  # an int: every fit the same
    assert not np.array_equal(fit(8).predict(X), first)
    # a RandomState or Generator: reproducible from its own seed, and each fit draws anew
    for make in (np.random.RandomState, np.random.default_rng):
        model = NetworkRegressor((3,), iterations=5, random_state=make(3))
        a, b = model.fit(X, y).predict(X), model.fit(X, y).predict(X)
        assert not np.array_equal(a, b)
        again = NetworkRegressor((3,), iterations=5, random_state=make(3))
        np.testing.assert_array_equal(again.fit(X, y).predict(X), a)


def test_the_old_seed_parameter_still_works_with_a_future_warning():
    X, y = regression_data(30)
    with pytest.warns(FutureWarning, match="pass random_state="):
        old = NetworkRegressor((3,), iterations=5, seed=7).fit(X, y)
    new = NetworkRegressor((3,), iterations=5, random_state=7).fit(X, y)
    np.testing.assert_array_equal(old.predict(X), new.predict(X))


def test_three_classes_take_softmax_outputs():
    X, y = blobs()
    model = NetworkClassifier((6,), iterations=60, random_state=0).fit(X, y)
    net = model.network_
    assert [net.graph.nodes[o]["activation"] for o in net.outputs] == ["softmax"] * 3
    np.testing.assert_array_equal(model.predict_proba(X), net.activate(X))
    np.testing.assert_allclose(net.activate(X).sum(axis=1), 1.0, rtol=1e-12)
    assert model.score(X, y) > 0.95
    # an output activation of one's own is kept: logistic outputs, one-vs-rest, scaled
    ovr = NetworkClassifier((6,), output_activation="logistic", iterations=60,
                            random_state=0).fit(X, y)
    Y = ovr.network_.activate(X)
    np.testing.assert_allclose(ovr.predict_proba(X), Y / Y.sum(axis=1, keepdims=True))


def test_one_class_is_refused_with_the_reason():
    with pytest.raises(InputError, match=r"at least 2 classes; y has 1 class \('x'\)"):
        NetworkClassifier().fit(np.zeros((4, 2)), ["x"] * 4)


def test_a_missing_scikit_learn_names_the_extra():
    code = ("import sys; sys.modules['sklearn'] = None\n"
            "try:\n    import netgraph.sklearn\n"
            "except ImportError as e:\n    print(e)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "pip install 'netgraph-nn[sklearn]'" in out.stdout
    # and netgraph itself does not need it
    out = subprocess.run([sys.executable, "-c", "import sys; sys.modules['sklearn'] = None; "
                          "import netgraph, netgraph.architect; print('ok')"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_a_used_network_loaded_memory_mapped_runs(tmp_path):
    # joblib's mmap_mode="r" (scikit-learn's pickling check, parallel jobs) gives read-only
    # arrays; the network makes its state writable again
    import joblib

    X, y = regression_data(20)
    net = Perceptron(2, 3, 1, output_activation="identity", seed=0)
    net.train(X, y, iterations=3, error=0)
    expected = net.activate(X)
    joblib.dump(net, tmp_path / "net.joblib")
    again = joblib.load(tmp_path / "net.joblib", mmap_mode="r")
    np.testing.assert_array_equal(again.activate(X), expected)
    again.train(X, y, iterations=2, error=0)
    net.train(X, y, iterations=2, error=0)
    np.testing.assert_array_equal(again.activate(X), net.activate(X))
