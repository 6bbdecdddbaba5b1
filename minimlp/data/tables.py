"""Datasets (scikit-learn's, OpenML's and table files), the stratified split, and the fitted preprocessing."""
from dataclasses import dataclass, field

import numpy as np

from ..excerpt import clip, show

from . import bundled, datasets
from . import reader
from ..errors import ConfigError, DataError
from .dataset import Dataset, check_classes
from .features import build_frame, check_categories, too_many_categories
from .labels import check_class_count, parse_labels
from .piecewise import bins_for
from .preprocess import Preprocessing
from .scaling import Standardizer  # noqa: F401  (re-exported)
from .selection import find_identifiers, identifiers_error, identifiers_note, listed_categorical, select_columns
from .split import stratified_split


@dataclass
class Splits:
    """The train/validation/test data as the network sees it: encoded, scaled, in the model's dtype."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray  # (0, d) when there is no validation split
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    scaler: "Standardizer | None"
    test_rows: np.ndarray  # the test split's rows in the dataset, for raw-unit plots and re-evaluation
    preprocessing: "Preprocessing | None" = None
    w_train: "np.ndarray | None" = None  # the training rows' sample weights (data.weight_column), or None


def load_dataset(config, on_progress=None):
    """The dataset ``config.data`` names; the generators' random state is ``config.seed``."""
    data = config.data
    if data.dataset == "csv":
        return load_csv(data.path, data.target, data.delimiter, data.categorical, data.missing, on_progress,
                        getattr(data, "weight_column", None), data)
    if data.dataset in datasets.FETCHED:
        from .openml import load_openml

        return load_openml(data, getattr(config, "source", "config"))
    return load_sklearn(data.dataset, data.params, config.seed, getattr(config, "source", "config"),
                        data.categorical, data.missing, data)


def load_sklearn(name, params, seed, source="config", categorical="auto", missing="error", columns=None):
    """A bundled dataset (read from scikit-learn's files, no scikit-learn import) or a generator's output."""
    kwargs = dict(params)
    if name in datasets.GENERATED:
        kwargs.setdefault("random_state", seed)
    try:
        out = datasets.loader(name)(**kwargs) if name in datasets.GENERATED else bundled.load(name, kwargs)
    except DataError:
        raise
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{source}: data.params {show(params)} rejected by {datasets.function_name(name)}: "
                          f"{clip(str(e), 300)}") from None
    if name in datasets.GENERATED:
        X, target, names = out[0], out[1], None
    else:
        X, target, names = out.data, out.target, getattr(out, "target_names", None)
    codes, y = np.unique(target, return_inverse=True)
    classes = np.asarray(names)[codes] if names is not None else codes
    check_class_count(classes, "the target", name)
    X = np.asarray(X, dtype=np.float64)
    feature_names = list(getattr(out, "feature_names", [])) or [f"x{i}" for i in range(X.shape[1])]
    raw = {str(n): X[:, j] for j, n in enumerate(feature_names)}
    raw = raw if columns is None else select_columns(raw, columns, name)
    frame = build_frame(raw, name, categorical=categorical, impute=missing == "impute")
    return check_classes(Dataset(frame, y, classes, name), "the target")


def load_csv(path, target=None, delimiter=None, categorical="auto", missing="error", on_progress=None,
             weight_column=None, columns=None):
    """A CSV, TSV or Parquet file: one target column (and optionally a sample-weight column), the others features
    (``columns``, a DataConfig: without its ``drop``, or only its ``features``)."""
    table = reader.read_table(path, delimiter, target, on_progress=on_progress)
    name = table.target
    weights = None if weight_column is None else sample_weights(table, weight_column, path)
    raw = {n: values for n, values in table.columns.items() if n != name and n != weight_column}
    if not raw:
        raise DataError(f"{path}: needs at least one feature column besides the target {name!r}")
    if columns is not None:
        raw = select_columns(raw, columns, str(path), taken=(name, weight_column))
    y, classes = parse_labels(table.columns[name], f"target column {name!r}", str(path), table.where,
                              lambda row: table.cell(row, name))
    frame = build_frame(raw, str(path), table.where, table.cell, categorical, impute=missing == "impute")
    return check_classes(Dataset(frame, y, classes, str(path), weights, table.notes), f"target column {name!r}")


def sample_weights(table, column, path):
    """data.weight_column as float64 weights: a numeric column, every cell a finite number >= 0."""
    if column not in table.columns:
        raise DataError(f"{path}: no column named {clip(column)!r} for data.weight_column")
    if column == table.target:
        raise DataError(f"{path}: data.weight_column {clip(column)!r} is the target column")
    values = np.asarray(table.columns[column])
    if values.dtype.kind not in "fiub":
        raise DataError(f"{path}: weight column {clip(column)!r} must hold numbers (it holds text)")
    weights = values.astype(np.float64)
    bad = np.flatnonzero(~(np.isfinite(weights) & (weights >= 0)))
    if len(bad):
        raise DataError(f"{path}: weight column {clip(column)!r} needs a finite number >= 0 in every row; "
                        f"{table.where(int(bad[0]))} holds {show(table.cell(int(bad[0]), column))}")
    if not np.any(weights > 0):
        raise DataError(f"{path}: weight column {clip(column)!r} is 0 in every row")
    return weights


RARE_CLASS = 3  # rows: a class with fewer cannot be split three ways; when the split needs it, it all goes to training


def split_indices(dataset, test_size, val_size, seed):
    """Stratified (train, val, test) row indices; val is empty when val_size is 0.

    When a class has too few rows to stratify (fewer than RARE_CLASS), and only then, its rows all go
    to the training split (the model still learns the class; nothing can test it) and the other
    rows are split as before; a note says which classes."""
    y = dataset.y
    try:
        return _stratified(y, test_size, val_size, seed)
    except ValueError as e:
        counts = np.bincount(y, minlength=len(dataset.classes))
        rare = np.isin(y, np.flatnonzero((counts > 0) & (counts < RARE_CLASS)))
        try:
            if not rare.any() or rare.all():
                raise
            common = np.flatnonzero(~rare)
            train, val, test = (common[part] for part in _stratified(y[common], test_size, val_size, seed))
        except ValueError:
            pairs = [f"{c}: {k}" for c, k in zip(dataset.classes, counts)]
            listed = ", ".join(pairs[:10]) + (f", ... ({len(pairs)} classes)" if len(pairs) > 10 else "")
            raise DataError(f"{dataset.source}: {len(y)} rows (per class {listed}) are too few for a stratified "
                            f"split with test_size={test_size}, val_size={val_size}: {str(e)[:300]}") from None
    names = [f"{clip(str(c))!r} ({k})" for c, k in zip(dataset.classes, counts) if 0 < k < RARE_CLASS]
    note = (f"{dataset.source}: {len(names)} class{'es' if len(names) > 1 else ''} with fewer than {RARE_CLASS} rows "
            f"({', '.join(names[:10])}{', ...' if len(names) > 10 else ''}): all in the training split, none to "
            "test or validate on")
    if note not in dataset.notes:
        dataset.notes.append(note)
    return np.concatenate([train, np.flatnonzero(rare)]), val, test


def _stratified(y, test_size, val_size, seed):
    rows = np.arange(len(y))
    rest, test = stratified_split(y, test_size, seed)
    if not val_size:
        return rest, rows[:0], test
    train, val = stratified_split(y[rest], val_size / (1 - test_size), seed)
    return rest[train], rest[val], test


def _leave_out(dataset, names):
    """``dataset`` without the feature columns ``names``, remembered for the run's data.drop."""
    dataset.frame = dataset.frame.without(names)
    dataset.dropped = [*dataset.dropped, *names]


def prepare(dataset, data_config, seed, dtype, identifiers=True):
    """Split ``dataset``, fit the preprocessing on the training rows, and give every split in ``dtype``.

    ``identifiers``: look for feature columns that identify rows (``selection.find_identifiers``) and drop
    them from ``dataset`` (their names in ``dataset.dropped``, for the run's config) or refuse them, as
    ``data.identifiers`` says; likewise a text column with more than data.max_categories values that
    data.categorical does not name is left out, with a note. A resumed run skips both (its config.yaml
    lists what was dropped)."""
    train, val, test = split_indices(dataset, data_config.test_size, data_config.val_size, seed)
    if identifiers:
        found, notes = find_identifiers(dataset.frame, train, data_config)
        if found and data_config.identifiers == "refuse":
            raise identifiers_error(dataset.frame, found, data_config)
        if found:
            if len(found) == dataset.frame.n_columns:
                raise identifiers_error(dataset.frame, found, data_config)  # nothing would be left to learn from
            notes.append(identifiers_note(dataset.frame, found))
            _leave_out(dataset, [name for name, _ in found])
        many = too_many_categories(dataset.frame, data_config.max_categories, listed_categorical(data_config))
        if many and len(many) < dataset.frame.n_columns:  # left out, said; a table of nothing else is refused below
            listed = ", ".join(f"{clip(name)!r} ({n:,})" for name, n in many)
            notes.append(f"{dataset.frame.source}: text column{'s' if len(many) > 1 else ''} with more distinct values "
                         f"than data.max_categories ({data_config.max_categories:,}) left out of the features: "
                         f"{listed} (data.drop in the run's config.yaml); to encode one, list it in "
                         "data.categorical and raise data.max_categories")
            _leave_out(dataset, [name for name, _ in many])
        dataset.notes.extend(note for note in notes if note not in dataset.notes)  # prepared twice: said once
    check_categories(dataset.frame, data_config.max_categories)
    bins, note = bins_for(dataset.frame, data_config.piecewise_bins)
    if note and note not in dataset.notes:
        dataset.notes.append(note)
    pre = Preprocessing.fit(dataset.frame, train, data_config.missing == "impute", data_config.standardize,
                            data_config.scaling, data_config.missing_indicators, bins)
    y = dataset.y
    (X_train, _), (X_val, _), (X_test, _) = pre.transform_splits(dataset.frame, [train, val, test], dtype)
    w_train = None if dataset.weights is None else dataset.weights[train]
    return Splits(X_train, y[train], X_val, y[val], X_test, y[test], pre.scaler, test, pre, w_train)
