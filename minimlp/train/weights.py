"""The training rows' weights a run uses: data.weight_column's sample weights times train.class_weight's.

class_weight keys are matched to the classes by the ``key`` a caller gives (a run
passes ``data.labels.label_key``, the rule labels are read with: ``1``, ``1.0``
and ``"1"`` are one label). Every message names where the
weights came from (the weight column and its file, the class_weight key and
the config file or ``--set`` option that gave it) and says what is true of them.
"""
import numpy as np

from ..errors import ConfigError, DataError
from ..excerpt import clip, show


class WeightSources:
    """Where the weights came from, for messages: class_weight's origin, the data file, the weight column."""

    def __init__(self, class_weight="config", data="the data", column=None):
        self.class_weight, self.data, self.column = class_weight, data, column

    def describe(self):
        parts = [f"data.weight_column {clip(self.column)!r} of {self.data}"] if self.column else []
        if self.class_weight is not None:
            parts.append(f"train.class_weight ({self.class_weight})")
        return " times ".join(parts)


def training_weights(y_train, classes, sample_weights, class_weight, source="config", sources=None, dtype=None,
                     key=None):
    """(n,) float64 weights for the training rows, or None when neither kind is given (the unweighted path).

    ``class_weight`` "balanced" gives class k the weight n / (K · n_k) over the training rows (scikit-learn's);
    a mapping {label: weight} names classes by label, the others keep weight 1.  Weights training could
    not use (not finite, all 0, a sum float64 cannot hold) are refused here, naming their source;
    ``dtype`` is accepted for callers and not needed (training keeps weights in float64).
    """
    sources = sources or WeightSources(source if class_weight is not None else None)
    if class_weight is None:
        weights = sample_weights
    else:
        base = np.ones(len(y_train)) if sample_weights is None else np.asarray(sample_weights, np.float64)
        per_class = class_weights(y_train, classes, class_weight, sources.class_weight, sources.data, key)
        with np.errstate(over="ignore"):
            weights = base * per_class[y_train]
    if weights is not None:
        check_weights_fit(weights, y_train, classes, dtype, sources)
    return weights


def check_weights_fit(weights, y_train, classes, dtype, sources):
    """DataError with a true statement about ``weights`` when training could not use them."""
    weights = np.asarray(weights, np.float64)
    what = sources.describe()
    bad = np.flatnonzero(~np.isfinite(weights))
    if len(bad):
        raise DataError(f"{what}: the product overflows float64 in training row {bad[0] + 1} (class "
                        f"{clip(str(classes[y_train[bad[0]]]), 40)}); scale the weights down, only their ratios "
                        "matter")
    if not np.any(weights > 0):
        raise DataError(f"{what}: every training row has weight 0, so there is nothing to learn from")
    with np.errstate(over="ignore"):
        total = np.add.reduce(weights)
    if not np.isfinite(total):  # training keeps weights in float64 (train/step.py): only their sum can fail
        raise DataError(f"{what}: the training rows' weights sum to more than float64 can hold (~1.8e308); "
                        "scale the weights down, only their ratios matter")


def class_weights(y_train, classes, class_weight, source="config", data="the data", key=None):
    """One weight per class (K,) from ``class_weight``; ``key(label)`` normalises labels and keys alike."""
    label_key = key or _text
    K = len(classes)
    if class_weight == "balanced":
        counts = np.bincount(y_train, minlength=K)
        return np.divide(len(y_train), K * counts, out=np.ones(K), where=counts > 0)
    per_class = np.ones(K)
    keys = [label_key(label) for label in classes]
    for key, weight in class_weight.items():
        matches = [k for k, label in enumerate(keys) if label == label_key(key)]
        if not matches:
            shown = ", ".join(clip(str(c), 40) for c in classes[:10]) + (", ..." if K > 10 else "")
            raise ConfigError(f"{source}: train.class_weight names the class {show(key)}, which {data} does not "
                              f"hold (its classes: {shown})")
        per_class[matches[0]] = float(weight)
    return per_class


def _text(label):
    """The default key: a label as text (runs pass data.labels.label_key, the rule labels are read with)."""
    return str(label)
