"""The training rows' weights a run uses: data.weight_column's sample weights times train.class_weight's."""
import numpy as np

from ..errors import ConfigError
from ..excerpt import clip, show


def training_weights(y_train, classes, sample_weights, class_weight, source="config"):
    """(n,) float64 weights for the training rows, or None when neither kind is given (the unweighted path).

    ``class_weight`` "balanced" gives class k the weight n / (K · n_k) over the training rows (scikit-learn's);
    a mapping {label: weight} names classes by label, the others keep weight 1.
    """
    if class_weight is None:
        return sample_weights
    weights = np.ones(len(y_train)) if sample_weights is None else np.asarray(sample_weights, np.float64)
    per_class = class_weights(y_train, classes, class_weight, source)
    return weights * per_class[y_train]


def class_weights(y_train, classes, class_weight, source="config"):
    """One weight per class (K,) from ``class_weight``."""
    K = len(classes)
    if class_weight == "balanced":
        counts = np.bincount(y_train, minlength=K)
        return np.divide(len(y_train), K * counts, out=np.ones(K), where=counts > 0)
    per_class = np.ones(K)
    for key, weight in class_weight.items():
        matches = [k for k, label in enumerate(classes) if _same_label(label, key)]
        if not matches:
            shown = ", ".join(clip(str(c), 40) for c in classes[:10]) + (", ..." if K > 10 else "")
            raise ConfigError(f"{source}: train.class_weight names the class {show(key)}, which {source} does not "
                              f"hold (its classes: {shown})")
        per_class[matches[0]] = float(weight)
    return per_class


def _same_label(label, key):
    if isinstance(label, (np.integer, np.floating)) and isinstance(key, (int, float)) and not isinstance(key, bool):
        return float(label) == float(key)
    return str(label) == str(key)
