"""The preprocessing as plain arrays in model.npz (no pickle, the same bytes for the same run), and
every array checked when it is read back: a damaged file is refused, never used."""
import numpy as np

from .preprocess import Preprocessing, all_numeric
from .scaling import RobustScaler, Standardizer

MISSING_MODES = ("error", "impute")


def to_arrays(pre):
    """Arrays to save beside the network (MLP.save prefixes them with 'extra.')."""
    arrays = {
        "feature_names": np.array(pre.columns, dtype=str),
        "kinds": np.array(pre.kinds, dtype=str),
        "categories": np.array([c for cats in pre.categories for c in cats], dtype=str),
        "category_counts": np.array([len(cats) for cats in pre.categories], dtype=np.int64),
        "missing": np.array("impute" if pre.impute else "error"),
        "fill_numeric": np.asarray(pre.fill_numeric, dtype=np.float64),
        "fill_category": np.array(pre.fill_category, dtype=str),
    }
    if pre.scaler is not None:
        arrays.update(mean=pre.scaler.mean, scale=pre.scaler.scale)
        if isinstance(pre.scaler, RobustScaler):  # a file without it: z-scores (written before robust scaling)
            arrays.update(scaling=np.array("robust"))
    if pre.indicators:  # a file without it: no indicator inputs
        arrays.update(indicators=np.asarray(pre.indicators, dtype=np.int64))
    if any(len(e) for e in pre.edges):  # a file without them: no piecewise-linear inputs
        arrays.update(bin_edges=np.concatenate([np.asarray(e, np.float64) for e in pre.edges]),
                      edge_counts=np.array([len(e) for e in pre.edges], dtype=np.int64))
    return arrays


def from_arrays(arrays, n_inputs):
    """The Preprocessing stored in ``arrays`` ('extra.*' keys of a model file); ValueError says what is wrong."""
    names = _strings(arrays, "feature_names")
    if len(set(names.tolist())) != len(names) or not all(names.tolist()):
        raise ValueError("feature names are empty or repeated")
    scaler = None
    if "extra.mean" in arrays or "extra.scale" in arrays:
        mean, scale = _floats(arrays, "mean", n_inputs), _floats(arrays, "scale", n_inputs)
        if not np.all(scale > 0):
            raise ValueError("the scaler has a scale that is not > 0")
        scaling = str(_array(arrays, "scaling", None)) if "extra.scaling" in arrays else "standard"
        if scaling not in ("robust", "standard"):
            raise ValueError(f"scaling is {scaling[:20]!r}, not robust or standard")
        scaler = (RobustScaler if scaling == "robust" else Standardizer)(mean, scale)
    if "extra.kinds" not in arrays:  # a model file from before categorical features
        if len(names) != n_inputs:
            raise ValueError(f"{len(names)} feature names for a network of {n_inputs} inputs")
        return all_numeric(names.tolist(), scaler)
    d = len(names)
    kinds = _strings(arrays, "kinds", d)
    if not set(kinds.tolist()) <= {"numeric", "categorical"}:
        raise ValueError("kinds must be 'numeric' or 'categorical'")
    counts = _array(arrays, "category_counts", d)
    if counts.dtype.kind not in "iu" or np.any(counts < 0) or np.any((counts > 0) != (kinds == "categorical")):
        raise ValueError("category counts do not match the column kinds")
    flat = _strings(arrays, "categories", int(counts.sum()))
    categories = np.split(flat, np.cumsum(counts)[:-1]) if d else []
    if any(len(set(c.tolist())) != len(c) for c in categories):
        raise ValueError("a column repeats a category")
    missing = str(_array(arrays, "missing", None))
    if missing not in MISSING_MODES:
        raise ValueError(f"missing is {missing[:20]!r}, not one of {', '.join(MISSING_MODES)}")
    fill_numeric = _floats(arrays, "fill_numeric", d)
    fill_category = _strings(arrays, "fill_category", d)
    indicators = _array(arrays, "indicators", len(arrays["extra.indicators"]) if "extra.indicators" in arrays else 0) \
        if "extra.indicators" in arrays else np.zeros(0, np.int64)
    if indicators.dtype.kind not in "iu" or np.any(np.diff(indicators) <= 0) or np.any(indicators < 0) \
            or np.any(indicators >= d) or (len(indicators) and missing != "impute"):
        raise ValueError("indicators must be increasing column positions of a model that imputes")
    pre = Preprocessing(names.tolist(), kinds.tolist(), [np.asarray(c, dtype=str) for c in categories],
                        missing == "impute", fill_numeric, fill_category, scaler, indicators.tolist(),
                        _edges(arrays, kinds))
    if pre.n_inputs != n_inputs:
        raise ValueError(f"the columns make {pre.n_inputs} inputs for a network of {n_inputs}")
    return pre


def _edges(arrays, kinds):
    """Per column its piecewise-linear bins' edges: increasing finite values, at least 3, numeric columns only."""
    if "extra.edge_counts" not in arrays:
        return []
    counts = _array(arrays, "edge_counts", len(kinds))
    if counts.dtype.kind not in "iu" or np.any((counts != 0) & ((counts < 3) | (kinds != "numeric"))):
        raise ValueError("edge counts must be 0, or at least 3 for a numeric column")
    flat = _floats(arrays, "bin_edges", int(counts.sum()))
    edges = np.split(flat, np.cumsum(counts)[:-1])
    if any(np.any(np.diff(e) <= 0) for e in edges):
        raise ValueError("bin edges must increase")
    return edges


def _array(arrays, key, length):
    value = arrays[f"extra.{key}"]
    if length is None:
        if value.ndim != 0:
            raise ValueError(f"{key} must be a single value")
    elif value.shape != (length,):
        raise ValueError(f"{key} has shape {value.shape}, expected ({length},)")
    return value


def _strings(arrays, key, length=None):
    value = arrays[f"extra.{key}"]
    if value.dtype.kind != "U" or value.ndim != 1 or (length is not None and len(value) != length):
        raise ValueError(f"{key} must be a 1-D text array" + (f" of {length}" if length is not None else ""))
    return value


def _floats(arrays, key, length):
    value = _array(arrays, key, length)
    if value.dtype != np.float64 or not np.all(np.isfinite(value)):
        raise ValueError(f"{key} must hold finite float64 values")
    return value
