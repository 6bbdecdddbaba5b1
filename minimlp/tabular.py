"""``TabularClassifier``: minimlp's default recipe for tables as a scikit-learn estimator.

``minimlp.sklearn.MLPClassifier`` is scikit-learn's MLPClassifier, defaults and all (a drop-in);
this one is what ``minimlp train`` does with a config of only a data section: text columns
one-hot encoded, missing cells imputed with indicator inputs, numbers robust-scaled and smoothly
clipped, the network and optimizer of the config defaults, early stopping on a stratified
validation split, the best epoch's weights, and temperature scaling — on a pandas DataFrame
or an array, with no file and no run folder.  ``overrides`` takes ``--set`` strings
("optimizer.lr=0.003", "model.hidden=[256, 256]"), checked as a config file's keys are.
"""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from .config.loading import load_config
from .data.columns import from_matrix
from .data.features import build_frame
from .data.piecewise import bins_for
from .data.preprocess import Preprocessing
from .data.tables import Splits
from .errors import MinimlpError
from .model import MLP
from .runs.setup import fit_config
from .train.calibrate import calibrate


class TabularClassifier(ClassifierMixin, BaseEstimator):
    """The data-only config's recipe: ``TabularClassifier().fit(frame, y).predict_proba(new_frame)``."""

    def __init__(self, overrides=(), random_state=0):
        self.overrides = overrides
        self.random_state = random_state

    def _config(self):
        return load_config(None, ["data.missing=impute", *self.overrides, f"seed={int(self.random_state or 0)}"])

    def fit(self, X, y):
        config = self.config_ = self._config()
        frame = self._frame(X, None)
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        if len(self.classes_) < 2:
            raise MinimlpError(f"y has {len(self.classes_)} class; a classifier needs at least 2")
        rows = np.arange(len(codes))
        val_size = config.data.val_size
        train, val = train_test_split(rows, test_size=val_size, stratify=codes, random_state=config.seed) \
            if val_size > 0 else (rows, rows[:0])
        data = config.data
        pre = Preprocessing.fit(frame, train, True, data.standardize, data.scaling, data.missing_indicators,
                                bins_for(frame, data.piecewise_bins)[0])
        (X_train, _), (X_val, _) = pre.transform_splits(frame, [train, val], config.model.dtype)
        splits = Splits(X_train, codes[train], X_val, codes[val], X_val[:0], codes[:0], pre.scaler, rows[:0], pre)
        self.net_ = MLP.for_task(config.model, pre.n_inputs, len(self.classes_), config.seed)
        self.result_ = fit_config(self.net_, splits, config)
        self.temperature_ = calibrate(self.net_, X_val, codes[val]) if config.train.calibrate else None
        self.preprocessing_ = pre
        self.feature_names_in_ = np.array(pre.columns, dtype=object) if hasattr(X, "columns") else None
        self.n_features_in_ = len(pre.columns)
        return self

    def _frame(self, X, kinds):
        if hasattr(X, "columns") and hasattr(X, "to_numpy"):  # a pandas DataFrame: text columns are categorical
            raw = {str(c): X[c].to_numpy() for c in X.columns}
            return build_frame(raw, "X", kinds=kinds, impute=True)
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise MinimlpError(f"X must be 2-D (rows, columns), got shape {X.shape}")
        names = kinds and list(kinds) or [f"x{j}" for j in range(X.shape[1])]
        if len(names) != X.shape[1]:
            raise MinimlpError(f"X has {X.shape[1]} columns; the model was fitted on {len(names)}")
        return from_matrix(X, names, "X")

    def predict_proba(self, X):
        check_is_fitted(self, "net_")
        pre = self.preprocessing_
        frame = self._frame(X, dict(zip(pre.columns, pre.kinds)))
        missing = [name for name in pre.columns if name not in frame.columns]
        if missing:
            raise MinimlpError(f"X lacks the column(s) {', '.join(map(repr, missing[:10]))} the model was fitted on")
        return self.net_.predict_proba(pre.transform(frame, None, self.net_.dtype)[0])

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
