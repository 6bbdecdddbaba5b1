"""``MLPClassifier``: a scikit-learn estimator over minimlp's core.

Parameters, defaults, attributes and methods are scikit-learn 1.9's
``MLPClassifier``'s, validated by its ``_parameter_constraints``; training is
minimlp's loop (``train.fit``) for sgd and adam, and scipy's L-BFGS-B on the
network's flat parameters for lbfgs (``train.lbfgs``).  scikit-learn is
imported here only, so ``import minimlp`` stays light.
"""
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .config.loading import Config, OptimizerConfig, TrainConfig
from .data.tables import Splits
from .model import MLP
from .numerics.losses import log_softmax
from .numerics.optim import ScaledSGD, SklearnAdam
from .train import TrainState, fit
from .train.lbfgs import LbfgsObjective, minimize_lbfgs
from .train.schedules import EstimatorSchedule

# scikit-learn's activation names, and minimlp's own.
ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "sigmoid": "sigmoid", "tanh": "tanh",
               "relu": "relu", "leaky_relu": "leaky_relu"}

# Checks of scikit-learn's suite this estimator is known to fail, with the reason; passed to the suite.
EXPECTED_FAILED_CHECKS = {}


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """Multi-layer perceptron classifier: scikit-learn's ``MLPClassifier`` on minimlp's core.

    Every parameter has scikit-learn's name, default and meaning; beyond them,
    ``class_weight`` (None, "balanced" or {label: weight}, multiplied into
    ``sample_weight``) and ``dtype`` (None trains in float32 for float32 input,
    float64 otherwise).  Differences from scikit-learn are listed in the README.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [None, dict, StrOptions({"balanced"})],
        "dtype": [None, StrOptions({"float32", "float64"}), Options(type, {np.float32, np.float64})],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam", alpha=0.0001,
                 batch_size="auto", learning_rate="constant", learning_rate_init=0.001, power_t=0.5, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000, class_weight=None, dtype=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.class_weight = class_weight
        self.dtype = dtype

    def fit(self, X, y, sample_weight=None):
        """Train on X, y: from scratch, or from the current weights with ``warm_start``."""
        self._validate_params()
        hidden = self._hidden_sizes()
        first = not hasattr(self, "net_") or not self.warm_start
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=first)
        check_classification_targets(y)
        classes = unique_labels(y)
        if first:
            if len(classes) < 2:
                raise ValueError(f"MLPClassifier needs at least 2 classes in y, got 1 class: {classes[0]!r}")
            self.classes_ = classes
            self._start(X.dtype, hidden)
        elif set(classes) != set(self.classes_):
            raise ValueError("warm_start can only be used where `y` has the same classes as in the previous call "
                             f"to fit. Previously got {self.classes_}, `y` has {classes}")
        weights = self._weights(X, y, sample_weight)
        if self.solver == "lbfgs":
            return self._fit_lbfgs(_dense(X), y, weights)
        if getattr(self, "_schedule", None) is None:  # warm-started from an lbfgs fit
            self._start_schedule()
        self.state_, self.optimizer_ = TrainState(), self._optimizer()
        self._train(_dense(X), y, weights, incremental=False)
        return self

    def _check_solver(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(f"partial_fit is only available for stochastic optimizers. {self.solver} is not "
                                 "stochastic.")
        return True

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over X, y, continuing from the current weights and optimizer state."""
        self._validate_params()
        hidden = self._hidden_sizes()
        first = not hasattr(self, "net_")
        if self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=first)
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            self.classes_ = unique_labels(classes)
            if len(self.classes_) < 2:
                raise ValueError("MLPClassifier needs at least 2 classes")
            self._start(X.dtype, hidden)
        elif classes is not None and not np.array_equal(unique_labels(classes), self.classes_):
            raise ValueError(f"classes={classes!r} differs from the classes of the first call, {self.classes_!r}")
        unknown = np.setdiff1d(unique_labels(y), self.classes_)
        if len(unknown):
            raise ValueError(f"y holds labels not in classes: {unknown!r}")
        if getattr(self, "optimizer_", None) is None:
            self.state_, self.optimizer_ = TrainState(), self._optimizer()
        self._train(_dense(X), y, self._weights(X, y, sample_weight), incremental=True)
        return self

    def _hidden_sizes(self):
        hidden = self.hidden_layer_sizes
        hidden = list(hidden) if hasattr(hidden, "__iter__") else [hidden]
        if np.any(np.array(hidden) <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {hidden}.")
        return hidden

    def _start(self, input_dtype, hidden):
        """A fresh network, its schedule state and attributes for ``n_features_in_`` inputs."""
        dtype = self.dtype or (input_dtype if input_dtype == np.float32 else np.float64)
        self._seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        sizes = [self.n_features_in_, *hidden, len(self.classes_)]
        self.net_ = MLP(sizes, ACTIVATIONS[self.activation], init="sklearn", seed=self._seed,
                        dtype=np.dtype(dtype).name)
        self.n_layers_, self.n_outputs_, self.out_activation_ = len(sizes), len(self.classes_), "softmax"
        self.optimizer_ = self.state_ = None
        self.n_iter_ = self.t_ = 0
        for name in ("loss_curve_", "best_loss_", "validation_scores_", "validation_loss_curve_",
                     "best_validation_score_"):
            self.__dict__.pop(name, None)
        self._schedule = None
        if self.solver in ("sgd", "adam"):
            self._start_schedule()

    def _start_schedule(self):
        """scikit-learn's stochastic-solver state: the epoch-end schedule and the curves it fills."""
        self._schedule = EstimatorSchedule(self.learning_rate if self.solver == "sgd" else "constant",
                                           self.learning_rate_init, self.power_t, self.tol, self.n_iter_no_change,
                                           self.early_stopping)
        self.loss_curve_ = []
        self.validation_scores_ = self._schedule.scores if self.early_stopping else None
        self.validation_loss_curve_ = [] if self.early_stopping else None
        self.best_loss_, self.best_validation_score_ = self._schedule.best_loss, self._schedule.best_score

    def _weights(self, X, y, sample_weight):
        """sample_weight times class_weight's weight of each row's class; None when both are None."""
        if sample_weight is None and self.class_weight is None:
            return None
        weights = np.ones(len(y)) if sample_weight is None else _check_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            weights = weights * compute_sample_weight(self.class_weight, y)
        return weights

    def _optimizer(self):
        if self.solver == "adam":
            return SklearnAdam(self.net_, lr=self.learning_rate_init, betas=(self.beta_1, self.beta_2), eps=self.epsilon)
        return ScaledSGD(self.net_, lr=self.learning_rate_init, momentum=self.momentum,
                         nesterov=self.nesterovs_momentum)

    def _train(self, X, y, weights, incremental):
        """Epochs of sgd or adam through minimlp's loop, stopping and scheduling as scikit-learn does."""
        dtype, schedule = self.net_.dtype, self._schedule
        X_val = y_val = w_val = None
        if self.early_stopping:
            parts = train_test_split(X, y, *([] if weights is None else [weights]), test_size=self.validation_fraction,
                                     stratify=y, random_state=check_random_state(self._seed))
            X, X_val, y, y_val = parts[:4]
            weights, w_val = (parts[4], parts[5]) if weights is not None else (None, None)
            if len(X_val) < 2:
                raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of "
                                 "your dataset.")
        n = len(X)
        batch = min(200, n) if self.batch_size == "auto" else min(self.batch_size, n)
        if self.batch_size != "auto" and self.batch_size > n:
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to be clipped")
        self.optimizer_.set_weight_decay(self.alpha / batch)  # scikit-learn's alpha/(2·batch)·‖W‖² per batch,
        self.optimizer_.alpha_per_weight = None if weights is None else self.alpha  # or alpha/(2·Σ w) weighted
        config = Config(seed=self._seed)
        config.train = TrainConfig(epochs=self.state_.epoch + (1 if incremental else self.max_iter), batch_size=batch,
                                   shuffle=self.shuffle, checkpoint_every=0, label_smoothing=0.0,
                                   early_stopping=False)  # scikit-learn's loss; its own stopping is the schedule's
        empty = np.empty((0, X.shape[1]), dtype)
        splits = Splits(X.astype(dtype, copy=False), np.searchsorted(self.classes_, y),
                        empty if X_val is None else X_val.astype(dtype, copy=False),
                        np.empty(0, np.intp) if X_val is None else np.searchsorted(self.classes_, y_val),
                        empty, np.empty(0, np.intp), None, np.empty(0, np.intp))
        schedule.rows, schedule.on_epoch = n, self._report_epoch
        # read at every call, as scikit-learn reads its parameters (set_params between warm starts)
        schedule.learning_rate = self.learning_rate if self.solver == "sgd" else "constant"
        schedule.lr_init, schedule.power_t, schedule.tol = self.learning_rate_init, self.power_t, self.tol
        schedule.n_iter_no_change = self.n_iter_no_change
        schedule.score = None if w_val is None else (lambda record: self._score_val(X_val, y_val, w_val))
        start = len(self.loss_curve_)
        result = fit(self.net_, splits, config, state=self.state_, optimizer=self.optimizer_, schedule=schedule,
                     weights=weights)
        if result.status == "diverged":
            raise ValueError(f"{result.message} (learning_rate_init={self.learning_rate_init})")
        self.n_iter_ = len(self.loss_curve_) - start
        self.t_ = schedule.t
        self.loss_ = self.loss_curve_[-1]
        self.best_loss_, self.best_validation_score_ = schedule.best_loss, schedule.best_score
        if self.early_stopping and schedule.best_params is not None:
            np.copyto(self.net_.params, schedule.best_params)
        if not incremental and result.status == "completed":
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                          "optimization hasn't converged yet.", ConvergenceWarning)

    def _report_epoch(self, record, schedule, stop):
        self.loss_curve_.append(record.train_loss)
        if self.early_stopping:
            self.validation_loss_curve_.append(record.val_loss)
        if self.verbose:
            print(f"Iteration {len(self.loss_curve_)}, loss = {record.train_loss:.8f}")
            if self.early_stopping:
                print(f"Validation score: {schedule.scores[-1]:f}")
            if schedule.message and (stop or schedule.count == 0):
                print(schedule.message + (" Stopping." if stop else f" Setting learning rate to "
                                          f"{self.optimizer_.lr:f}"))

    def _score_val(self, X, y, weights):
        """scikit-learn's validation score with sample weights: the weighted accuracy."""
        correct = self.classes_[self.net_.predict(X)] == y
        return float(np.dot(correct, weights) / weights.sum())

    def _fit_lbfgs(self, X, y, weights):
        """Full-batch L-BFGS-B, as scikit-learn's ``_fit_lbfgs`` (maxfun, maxiter, gtol=tol)."""
        total = len(X) if weights is None else float(np.sum(weights))
        objective = LbfgsObjective(self.net_, X.astype(self.net_.dtype, copy=False),
                                   np.searchsorted(self.classes_, y), self.alpha / total, weights)
        result = minimize_lbfgs(objective, self.max_iter, self.max_fun, self.tol, callback=self._report_lbfgs)
        self.n_iter_ = _check_optimize_result("lbfgs", result, self.max_iter)
        self.loss_ = float(result.fun)
        if not np.all(np.isfinite(self.net_.params)):
            raise ValueError("Solver produced non-finite parameter weights. The input data may contain large "
                             "values and need to be preprocessed.")
        if not np.isfinite(self.loss_):
            raise ValueError("Solver produced a non-finite loss. The input data may contain large values and need "
                             "to be preprocessed.")
        return self

    def _report_lbfgs(self, intermediate_result):
        if self.verbose:
            print(f"Iteration {intermediate_result.nit}, loss = {intermediate_result.fun:.8f}")

    @property
    def coefs_(self):
        return [layer.W for layer in self.net_.dense]

    @coefs_.setter
    def coefs_(self, values):
        for layer, W in zip(self.net_.dense, values, strict=True):
            layer.W = W

    @property
    def intercepts_(self):
        return [layer.b for layer in self.net_.dense]

    @intercepts_.setter
    def intercepts_(self, values):
        for layer, b in zip(self.net_.dense, values, strict=True):
            layer.b = b

    def _input(self, X):
        check_is_fitted(self, "net_")
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False)
        return _dense(X)

    def predict_proba(self, X):
        """Probability of each class (n_samples, n_classes), classes ordered as ``classes_``."""
        X = self._input(X)
        return self.net_.predict_proba(X)

    def predict_log_proba(self, X):
        """log(predict_proba(X)), through log-sum-exp: finite where the probability underflows to 0."""
        X = self._input(X)
        return np.concatenate([log_softmax(self.net_.forward(X[i:i + 4096])) for i in range(0, len(X), 4096)]) \
            if len(X) else np.empty((0, len(self.classes_)), self.net_.dtype)

    def predict(self, X):
        X = self._input(X)
        return self.classes_[self.net_.predict(X)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # densified: the network's products are dense
        return tags


def _dense(X):
    return X.toarray() if hasattr(X, "toarray") else X
