"""Tables for the estimator: a pandas DataFrame with text and missing cells goes through the very
preprocessing ``minimlp train`` applies to a CSV (``data.features.build_frame``: which columns are
categories, what counts as missing; ``data.preprocess.Preprocessing``: one-hot encoding and imputing,
fitted on the rows given to ``fit``), kept on the estimator as ``preprocessing_``.

Used when the estimator's ``categorical`` is a list of columns, ``missing`` is "impute", or X is a
DataFrame with a column that is neither numbers nor booleans. Anything else (a numeric array or
DataFrame, with the defaults) takes scikit-learn's ``validate_data`` exactly as before. Numeric columns
are not standardised (scikit-learn's ``MLPClassifier`` does not scale either: use a pipeline).
"""
import numpy as np
from sklearn.utils.validation import check_consistent_length, column_or_1d, validate_data

from .data.features import build_frame
from .data.preprocess import Preprocessing

ARRAY_CHECKS = dict(accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32])


def validate(est, X, y="no_validation", reset=True):
    """X (and y) as ``validate_data`` gives them, or X encoded by the fitted (or, with ``reset``, new)
    ``preprocessing_`` as a float64 matrix: the estimator's one entry for input."""
    if not _as_table(est, X, reset):
        if reset:
            est.__dict__.pop("preprocessing_", None)
        return validate_data(est, X, y, reset=reset, **ARRAY_CHECKS)
    names, raw = _columns(est, X, reset)
    if reset:
        listed = "auto" if est.categorical == "auto" else [_listed(c, names) for c in est.categorical]
        frame = build_frame(raw, "X", categorical=listed, impute=est.missing == "impute",
                            hint="; pass missing='impute' to fill missing cells")
        est.preprocessing_ = Preprocessing.fit(frame, np.arange(frame.n_rows), est.missing == "impute", False)
        est.n_features_in_ = len(names)
        if _is_frame(X) and all(isinstance(c, str) for c in X.columns):
            est.feature_names_in_ = np.asarray(names, dtype=object)
        else:
            est.__dict__.pop("feature_names_in_", None)
    pre = est.preprocessing_
    frame = build_frame(raw, "X", kinds=dict(zip(pre.columns, pre.kinds)), impute=pre.impute,
                        hint="" if pre.impute else "; the estimator was fitted with missing='error'")
    matrix = pre.transform(frame)[0]
    if isinstance(y, str) and y == "no_validation":
        return matrix
    if y is None:
        raise ValueError(f"{type(est).__name__} requires y to be passed, but the target y is None")
    y = column_or_1d(y, warn=True)  # as validate_data checks y
    if y.dtype.kind in "fc" and not np.all(np.isfinite(y)):
        raise ValueError("Input y contains NaN or infinity.")
    check_consistent_length(matrix, y)
    return matrix, y


def _listed(column, names):
    """A column ``categorical`` lists, by name or (for an array) by position, as its name."""
    if isinstance(column, (int, np.integer)) and not isinstance(column, bool) and 0 <= column < len(names):
        return names[column]
    if isinstance(column, str) and column in names:
        return column
    raise ValueError(f"categorical names {column!r}, which is not a column of X (columns: {names[:20]})")


def _as_table(est, X, reset):
    if not reset:
        return getattr(est, "preprocessing_", None) is not None
    return est.categorical != "auto" or est.missing == "impute" or (
        _is_frame(X) and not all(_numeric(dtype) for dtype in X.dtypes))


def _is_frame(X):
    return hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc")


def _numeric(dtype):
    import pandas as pd

    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def _columns(est, X, reset):
    """(names, name -> values) of X: a DataFrame's columns, or an array's columns named x0, x1, ..."""
    if _is_frame(X):
        names = [str(c) for c in X.columns]
        if len(set(names)) != len(names):
            raise ValueError("X has two columns of the same name")
        raw = {name: X.iloc[:, j].to_numpy() for j, name in enumerate(names)}
    else:  # an array: numbers, as scikit-learn reads them (NaN allowed), unless ``categorical`` lists columns
        from sklearn.utils import check_array

        numbers = est.categorical == "auto" if reset else all(k == "numeric" for k in est.preprocessing_.kinds)
        X = check_array(X, accept_sparse=["csr", "csc"], dtype=np.float64 if numbers else None, ensure_all_finite="allow-nan"
                        if numbers else False, ensure_min_samples=1, ensure_min_features=1)
        X = X.toarray() if hasattr(X, "toarray") else X
        names = [f"x{j}" for j in range(X.shape[1])]
        raw = {name: X[:, j] for j, name in enumerate(names)}
    if not names or not len(next(iter(raw.values()))):
        raise ValueError(f"X needs at least one row and one column, got {len(names)} columns")
    if reset:
        return names, raw
    fitted = est.preprocessing_.columns
    if _is_frame(X) and hasattr(est, "feature_names_in_"):
        missing = [name for name in fitted if name not in raw]
        extra = [name for name in names if name not in set(fitted)]
        if missing or extra:
            raise ValueError(f"X has other columns than in fit: missing {missing[:10]}, unexpected {extra[:10]}")
        return names, {name: raw[name] for name in fitted}  # by name, in any order
    if len(names) != len(fitted):
        raise ValueError(f"X has {len(names)} features, but {type(est).__name__} is expecting {len(fitted)} "
                         "features as input.")
    return names, {name: values for name, values in zip(fitted, raw.values())}  # by position
