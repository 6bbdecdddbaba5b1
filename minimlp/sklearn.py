"""``MLPClassifier``: a scikit-learn estimator over minimlp's core.

Hyper-parameters carry scikit-learn's names and meanings; training is minimlp's
loop (``train.fit``), so the estimator and ``minimlp train`` compute the same
thing. scikit-learn's base classes are imported here only, so ``import minimlp``
stays light.
"""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from .config.loading import Config, OptimizerConfig, TrainConfig
from .data.tables import Splits
from .model import MLP
from .train import TrainState, fit, make_optimizer

# scikit-learn's activation names, and minimlp's own.
ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "sigmoid": "sigmoid", "tanh": "tanh",
               "relu": "relu", "leaky_relu": "leaky_relu"}

# Checks of scikit-learn's suite this estimator is known to fail, with the reason; passed to the suite.
EXPECTED_FAILED_CHECKS = {}


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """Multi-layer perceptron classifier trained with minimlp's mini-batch SGD (or Adam).

    Parameters follow ``sklearn.neural_network.MLPClassifier``: ``alpha`` is the
    L2 penalty alpha/(2·batch)·||W||² per batch (weights only), applied as weight
    decay alpha/batch_size; ``tol`` and ``n_iter_no_change`` stop training when the
    training loss (or, with ``early_stopping``, the validation accuracy, whose best
    weights are then restored) has not improved by ``tol`` for more than that many epochs.
    (One difference: the best value is updated only by an improvement of ``tol``.)
    ``dtype`` None trains in float32 for float32 input and float64 otherwise.
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="sgd", alpha=0.0001,
                 batch_size="auto", learning_rate_init=0.01, momentum=0.9, nesterovs_momentum=True,
                 max_iter=200, shuffle=True, tol=1e-4, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, random_state=None, dtype=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.dtype = dtype

    def fit(self, X, y):
        """Train from scratch on X, y for up to ``max_iter`` epochs."""
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], reset=True)
        check_classification_targets(y)
        self.classes_ = unique_labels(y)
        if len(self.classes_) < 2:
            raise ValueError(f"MLPClassifier needs at least 2 classes in y, got 1 class: {self.classes_[0]!r}")
        self._start(X.dtype)
        X_val = y_val = None
        if self.early_stopping:
            X, X_val, y, y_val = train_test_split(X, y, test_size=self.validation_fraction, stratify=y,
                                                  random_state=self._seed)
        self._train(X, y, X_val, y_val, epochs=self.max_iter, stopping=True)
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch over X, y, continuing from the current weights and optimizer state."""
        first = not hasattr(self, "net_")
        if self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], reset=first)
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            self.classes_ = unique_labels(classes)
            if len(self.classes_) < 2:
                raise ValueError("MLPClassifier needs at least 2 classes")
            self._start(X.dtype)
        elif classes is not None and not np.array_equal(unique_labels(classes), self.classes_):
            raise ValueError(f"classes={classes!r} differs from the classes of the first call, {self.classes_!r}")
        unknown = np.setdiff1d(unique_labels(y), self.classes_)
        if len(unknown):
            raise ValueError(f"y holds labels not in classes: {unknown!r}")
        self._train(X, y, None, None, epochs=self.state_.epoch + 1, stopping=False)
        return self

    def _start(self, input_dtype):
        """A fresh network and optimizer state for ``n_features_in_`` inputs."""
        dtype = self.dtype or (input_dtype if input_dtype == np.float32 else np.float64)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {self.activation!r}")
        if self.solver not in ("sgd", "adam"):
            raise ValueError(f"solver must be 'sgd' or 'adam', got {self.solver!r}")
        hidden = [self.hidden_layer_sizes] if np.isscalar(self.hidden_layer_sizes) else list(self.hidden_layer_sizes)
        self._seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        sizes = [self.n_features_in_, *hidden, len(self.classes_)]
        self.net_ = MLP(sizes, ACTIVATIONS[self.activation], seed=self._seed, dtype=np.dtype(dtype).name)
        self.state_ = TrainState()
        self.optimizer_ = None
        self.n_iter_ = self.t_ = 0
        self.loss_curve_, self.validation_scores_, self.validation_loss_curve_ = [], None, None

    def _train(self, X, y, X_val, y_val, epochs, stopping):
        dtype = self.net_.dtype
        n = len(X)
        batch = min(200, n) if self.batch_size == "auto" else int(np.clip(self.batch_size, 1, n))
        config = Config(seed=self._seed)
        config.optimizer = OptimizerConfig(name=self.solver, lr=self.learning_rate_init, momentum=self.momentum,
                                           nesterov=self.nesterovs_momentum and self.momentum > 0,
                                           weight_decay=self.alpha / batch)
        # scikit-learn stops once *more than* n_iter_no_change epochs have not improved by tol
        config.train = TrainConfig(epochs=epochs, batch_size=batch, shuffle=self.shuffle, early_stopping=stopping,
                                   monitor="val_acc" if self.early_stopping else "train_loss",
                                   patience=self.n_iter_no_change + 1, min_delta=self.tol,
                                   restore_best=self.early_stopping, checkpoint_every=0)
        self.optimizer_ = self.optimizer_ or make_optimizer(self.net_, config.optimizer)
        empty = np.empty((0, X.shape[1]), dtype)
        splits = Splits(X.astype(dtype, copy=False), np.searchsorted(self.classes_, y),
                        empty if X_val is None else X_val.astype(dtype, copy=False),
                        np.empty(0, np.intp) if X_val is None else np.searchsorted(self.classes_, y_val),
                        empty, np.empty(0, np.intp), None, np.empty(0, np.intp))
        result = fit(self.net_, splits, config, state=self.state_, optimizer=self.optimizer_)
        if result.status == "diverged":
            raise ValueError(f"{result.message} (learning_rate_init={self.learning_rate_init})")
        history = result.history
        self.t_ += len(X) * (len(history) - self.n_iter_)  # samples seen, over all calls
        self.n_iter_ = len(history)
        self.loss_curve_ = [r.train_loss for r in history]
        self.loss_ = self.loss_curve_[-1]
        if self.early_stopping:
            self.validation_scores_ = [r.val_acc for r in history]
            self.validation_loss_curve_ = [r.val_loss for r in history]
            self.best_validation_score_ = max(self.validation_scores_)

    @property
    def coefs_(self):
        return [layer.W for layer in self.net_.dense]

    @property
    def intercepts_(self):
        return [layer.b for layer in self.net_.dense]

    def predict_proba(self, X):
        check_is_fitted(self, "net_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self.net_.predict_proba(X)

    def predict(self, X):
        check_is_fitted(self, "net_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self.classes_[self.net_.predict(X)]
