"""Datasets (scikit-learn's and CSV files), the stratified split, and standardisation."""
from dataclasses import dataclass

import numpy as np

from ..excerpt import clip, show

from . import csvfile
from . import datasets
from ..errors import ConfigError, DataError


@dataclass
class Dataset:
    X: np.ndarray  # (n, d) float64 features as loaded
    y: np.ndarray  # (n,) class indices into `classes`
    classes: np.ndarray  # the original labels: numbers or strings
    feature_names: list
    source: str  # the dataset name or the CSV path, for messages


@dataclass
class Splits:
    """The train/validation/test data as the network sees it: scaled, in the model's dtype."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray  # (0, d) when there is no validation split
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    scaler: "Standardizer | None"
    test_rows: np.ndarray  # the test split's rows in the dataset, for raw-unit plots and re-evaluation


def load_dataset(config):
    """The dataset ``config.data`` names; the generators' random state is ``config.seed``."""
    data = config.data
    if data.dataset == "csv":
        return load_csv(data.path, data.target)
    return load_sklearn(data.dataset, data.params, config.seed, getattr(config, "source", "config"))


def load_sklearn(name, params, seed, source="config"):
    function = datasets.loader(name)
    kwargs = dict(params)
    if name in datasets.GENERATED:
        kwargs.setdefault("random_state", seed)
    try:
        out = function(**kwargs)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{source}: data.params {show(params)} rejected by {function.__name__}: "
                          f"{clip(str(e), 300)}") from None
    if name in datasets.GENERATED:
        X, target, names = out[0], out[1], None
    else:
        X, target, names = out.data, out.target, getattr(out, "target_names", None)
    codes, y = np.unique(target, return_inverse=True)
    classes = np.asarray(names)[codes] if names is not None else codes
    feature_names = list(getattr(out, "feature_names", [])) or [f"x{i}" for i in range(X.shape[1])]
    dataset = Dataset(np.asarray(X, dtype=np.float64), y, classes, feature_names, name)
    return _check_classes(dataset, "the target")


def load_csv(path, target=None):
    header, rows, lines = csvfile.read_table(path)
    t = csvfile.target_index(path, header, target)
    features = [j for j in range(len(header)) if j != t]
    if not features:
        raise DataError(f"{path}: needs at least one feature column besides the target {header[t]!r}")
    X = csvfile.numeric_columns(path, header, rows, lines, features)
    classes, y = np.unique(csvfile.labels(path, header, rows, lines, t), return_inverse=True)
    dataset = Dataset(X, y, classes, [header[j] for j in features], str(path))
    return _check_classes(dataset, f"target column {header[t]!r}")


def _check_classes(dataset, what):
    if len(dataset.y) == 0:
        raise DataError(f"{dataset.source}: the dataset has no rows")
    if len(dataset.classes) < 2:
        raise DataError(f"{dataset.source}: {what} holds one class only ({dataset.classes[0]}); "
                        "a classifier needs two or more")
    return dataset


def split_indices(dataset, test_size, val_size, seed):
    """Stratified (train, val, test) row indices; val is empty when val_size is 0."""
    from sklearn.model_selection import train_test_split

    y, rows = dataset.y, np.arange(len(dataset.y))
    try:
        rest, test = train_test_split(rows, test_size=test_size, stratify=y, random_state=seed)
        if not val_size:
            return rest, rows[:0], test
        train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=y[rest], random_state=seed)
    except ValueError as e:
        counts = ", ".join(f"{c}: {k}" for c, k in zip(dataset.classes, np.bincount(y)))
        raise DataError(f"{dataset.source}: {len(y)} rows (per class {counts}) are too few for a stratified "
                        f"split with test_size={test_size}, val_size={val_size}: {e}") from None
    return train, val, test


class Standardizer:
    """x ↦ (x - mean) / scale with the training split's statistics; constant features get scale 1."""

    def __init__(self, mean, scale):
        self.mean, self.scale = np.asarray(mean, np.float64), np.asarray(scale, np.float64)

    @classmethod
    def fit(cls, X):
        scale = X.std(axis=0)
        scale[scale < 1e-12 * np.maximum(1.0, np.abs(X.mean(axis=0)))] = 1.0
        return cls(X.mean(axis=0), scale)

    def transform(self, X, dtype):
        return ((X - self.mean) / self.scale).astype(dtype)


def prepare(dataset, data_config, seed, dtype):
    """Split ``dataset``, fit the scaler on the training rows, and cast every split to ``dtype``."""
    train, val, test = split_indices(dataset, data_config.test_size, data_config.val_size, seed)
    X, y = dataset.X, dataset.y
    scaler = Standardizer.fit(X[train]) if data_config.standardize else None

    def view(rows):
        return scaler.transform(X[rows], dtype) if scaler else X[rows].astype(dtype)

    return Splits(view(train), y[train], view(val), y[val], view(test), y[test], scaler, test)
