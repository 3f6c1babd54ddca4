"""scikit-learn estimators backed by netgraph networks: ``NetworkRegressor`` and
``NetworkClassifier``.

Each ``fit`` builds a fresh ``Perceptron`` (inputs, hidden layers, outputs) and trains it
with ``Network.train``; the trained network is ``network_``, an ordinary netgraph
``Network`` to draw, save or edit. They follow scikit-learn's conventions (keyword
hyperparameters, ``get_params``/``set_params``, ``fit``/``predict``/``score``, fitted
attributes ending in ``_``), pass ``sklearn.utils.estimator_checks.check_estimator``, and
work in a ``Pipeline`` and in ``GridSearchCV`` (processes included: they pickle, networks and all).

Networks learn best from inputs of a similar scale: put a ``StandardScaler`` in front::

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from netgraph.sklearn import NetworkRegressor

    model = make_pipeline(StandardScaler(), NetworkRegressor((8,), random_state=0)).fit(X, y)

Needs scikit-learn: ``pip install 'netgraph-nn[sklearn]'``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._exceptions import InputError
from ._network import Network
from ._train import TrainResult

try:
    # scikit-learn ships no type information: its names are Any here
    from sklearn.base import (
        BaseEstimator,
        ClassifierMixin,
        RegressorMixin,
    )
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import (
        check_classification_targets,
    )
    from sklearn.utils.validation import (
        check_is_fitted,
        validate_data,
    )
except ImportError as e:  # the sklearn extra is not installed
    raise ImportError(
        "netgraph.sklearn needs scikit-learn, which is not installed; install netgraph with "
        "its sklearn extra: pip install 'netgraph-nn[sklearn]' (or: pip install "
        "scikit-learn)") from e

__all__ = ["NetworkClassifier", "NetworkRegressor"]

_SEEDS = 2**31 - 1  # seeds drawn from random_state lie in [0, _SEEDS)


# scikit-learn ships no types (pyproject: ignore_missing_imports), so its base classes
# are Any to mypy, which --strict refuses to subclass ([misc]) here and below.
class _NetworkEstimator(BaseEstimator):  # type: ignore[misc]
    """What the regressor and the classifier share: hyperparameters, building, training."""

    _default_output: str = "identity"
    _default_cost: str = "mse"

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] = (16,),
        *,
        activation: str = "tanh",
        output_activation: str | None = None,
        rate: float = 0.01,
        iterations: int = 200,
        error: float = 0.0,
        cost: str | None = None,
        optimizer: str = "adam",
        batch_size: int = 32,
        momentum: float = 0.0,
        shuffle: bool = True,
        random_state: int | np.random.RandomState | np.random.Generator | None = None,
        seed: int | str | None = "deprecated",
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.rate = rate
        self.iterations = iterations
        self.error = error
        self.cost = cost
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.momentum = momentum
        self.shuffle = shuffle
        self.random_state = random_state
        self.seed = seed

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, (int, np.integer)) and not isinstance(sizes, bool):
            sizes = (int(sizes),)
        try:
            out = [int(n) for n in sizes]
            ok = all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1
                     for n in sizes)
        except TypeError:
            ok = False
        if not ok:
            raise InputError(f"hidden_layer_sizes must be whole numbers >= 1, such as (16,) or "
                             f"(32, 16), got {self.hidden_layer_sizes!r}")
        return out

    def _seed(self) -> int:
        """This fit's seed, drawn from ``random_state`` as scikit-learn's estimators do:
        an int gives the same seed on every fit, a ``RandomState`` or ``Generator``
        advances, ``None`` takes fresh entropy."""
        state: Any = self.random_state
        if not isinstance(self.seed, str) or self.seed != "deprecated":
            warnings.warn("NetworkRegressor/NetworkClassifier's `seed` is deprecated and will "
                          "be removed; pass random_state= (scikit-learn's name), which it "
                          "replaces", FutureWarning, stacklevel=3)
            if state is None:
                state = self.seed
        if isinstance(state, np.random.Generator):
            return int(state.integers(_SEEDS))
        try:
            rng = check_random_state(state)
        except ValueError:
            raise InputError(f"random_state must be an int, a numpy RandomState or Generator, "
                             f"or None, got {state!r}") from None
        return int(rng.randint(_SEEDS))

    def _fit_network(self, X: np.ndarray, T: np.ndarray, output: str | None = None) -> None:
        """Build a fresh Perceptron for (X, T) and train it; sets the fitted attributes.
        ``output``: the outputs' activation when the user left it to the estimator."""
        from .architect import Perceptron

        seed = self._seed()
        net = Perceptron(X.shape[1], *self._hidden_sizes(), T.shape[1],
                         activation=self.activation,
                         output_activation=self.output_activation or output or
                         self._default_output, seed=seed)
        result = net.train(X, T, rate=self.rate, iterations=self.iterations, error=self.error,
                           cost=self.cost or self._default_cost, optimizer=self.optimizer,
                           batch_size=self.batch_size, momentum=self.momentum,
                           shuffle=self.shuffle, seed=seed, progress=False)
        self.network_: Network = net
        self.train_result_: TrainResult = result
        self.n_iter_: int = result.iterations
        self.loss_: float = result.error

    def _outputs(self, X: Any) -> np.ndarray:
        """The network's outputs for X: float64, shape (n_samples, n_outputs)."""
        check_is_fitted(self, "network_")
        A = validate_data(self, X, reset=False, dtype=np.float64)
        return np.asarray(self.network_.activate(A), dtype=np.float64).reshape(len(A), -1)


class NetworkRegressor(RegressorMixin, _NetworkEstimator):  # type: ignore[misc]  # Any base
    """A netgraph network as a scikit-learn regressor (one output per target column).

    **Arguments** (all keywords but the first; checked in ``fit``)
    - ``hidden_layer_sizes``: neurons in each hidden layer, e.g. ``(16,)`` or ``(32, 16)``;
      ``()`` connects the inputs straight to the outputs.
    - ``activation``: the hidden neurons' activation (default ``"tanh"``; any netgraph
      name or alias).
    - ``output_activation``: the outputs' (default ``"identity"``: any real target).
    - ``rate`` (0.01), ``iterations`` (200 epochs), ``error`` (stop once an epoch's error is
      at most this; default 0: run every epoch), ``cost`` (default ``"mse"``),
      ``optimizer`` (``"adam"`` or ``"sgd"``), ``batch_size`` (32), ``momentum`` (0),
      ``shuffle`` (True): as ``Network.train``. ``optimizer="sgd", batch_size=1`` is
      Synaptic's online rule.
    - ``random_state``: the initial weights and the shuffling, as scikit-learn's
      estimators take it: an int (every fit the same), a numpy ``RandomState`` or
      ``Generator`` (each fit draws its seed from it), or ``None`` (fresh entropy on every
      fit).
    - ``seed``: deprecated, the old name of ``random_state`` (a ``FutureWarning``).

    **Fitted attributes**: ``network_`` (the trained ``Network``), ``train_result_`` (its
    ``TrainResult``), ``n_iter_``, ``loss_`` (the last epoch's error), ``n_features_in_``
    (and ``feature_names_in_`` for DataFrames).
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Any, y: Any) -> NetworkRegressor:
        """Train a fresh network on ``X`` (n_samples, n_features) and ``y``: 1-D
        (n_samples,) or 2-D (n_samples, n_targets). **Returns** ``self``."""
        A, t = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=np.float64)
        t = np.asarray(t, dtype=np.float64)
        self._single_target = t.ndim == 1
        self._fit_network(A, t.reshape(len(t), -1))
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, float64: shape (n_samples,) if ``fit`` got a 1-D ``y``,
        else (n_samples, n_targets)."""
        Y = self._outputs(X)
        return Y[:, 0] if self._single_target else Y


class NetworkClassifier(ClassifierMixin, _NetworkEstimator):  # type: ignore[misc]  # Any base
    """A netgraph network as a scikit-learn classifier.

    Two classes take one logistic output (the probability of ``classes_[1]``); more take
    one softmax output per class (``Perceptron(..., output_activation="softmax")``): the
    class probabilities, trained on the categorical cross-entropy. An
    ``output_activation`` of your own (kept in [0, 1], such as ``"logistic"``: one-vs-rest)
    has ``predict_proba`` scale the outputs to sum to 1.

    **Arguments**: as ``NetworkRegressor``, except that ``output_activation`` defaults to
    ``"logistic"`` for two classes and ``"softmax"`` for more, and ``cost`` to
    ``"cross_entropy"``.

    **Fitted attributes**: ``classes_`` (the labels, sorted), ``network_``,
    ``train_result_``, ``n_iter_``, ``loss_``, ``n_features_in_``.
    """

    _default_output = "logistic"
    _default_cost = "cross_entropy"

    def fit(self, X: Any, y: Any) -> NetworkClassifier:
        """Train a fresh network on ``X`` (n_samples, n_features) and the labels ``y``
        (n_samples,), of any type ``numpy.unique`` sorts. **Returns** ``self``."""
        A, labels = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(labels)
        classes, codes = np.unique(labels, return_inverse=True)
        if len(classes) < 2:
            raise InputError(f"NetworkClassifier needs samples of at least 2 classes; y has "
                             f"1 class ({classes.tolist()[0]!r})")
        self.classes_: np.ndarray = classes
        if len(classes) == 2:
            T = codes.reshape(-1, 1).astype(np.float64)
        else:
            T = np.eye(len(classes))[codes]
        self._fit_network(A, T, None if len(classes) == 2 else "softmax")
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, float64, shape (n_samples, n_classes), columns in the
        order of ``classes_``; each row sums to 1."""
        Y = self._outputs(X)
        if self.network_._plan().softmax_outputs.all():
            return Y  # softmax outputs: probabilities already
        Y = np.clip(Y, 0.0, 1.0)
        if len(self.classes_) == 2:
            return np.column_stack([1.0 - Y[:, 0], Y[:, 0]])
        total = Y.sum(axis=1, keepdims=True)
        proba: np.ndarray = np.full_like(Y, 1.0 / Y.shape[1])
        np.divide(Y, total, out=proba, where=total > 0)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample, shape (n_samples,)."""
        proba = self.predict_proba(X)  # first: it raises NotFittedError before fit
        result: np.ndarray = self.classes_[np.argmax(proba, axis=1)]
        return result
