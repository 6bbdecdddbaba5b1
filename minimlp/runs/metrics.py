"""Test-split metrics: loss, accuracy, per-class precision/recall/F1 and the confusion matrix."""
import numpy as np

from ..numerics.losses import SoftmaxCrossEntropy
from ..train import evaluate


def classification_metrics(net, X, y, classes):
    """A JSON-ready dict of how ``net`` does on X, y (class indices into ``classes``)."""
    loss, accuracy = evaluate(net, SoftmaxCrossEntropy(), X, y)
    predicted = net.predict(X)
    matrix = confusion_matrix(y, predicted, len(classes))
    precision, recall, f1, support = per_class_scores(matrix)
    per_class = {
        str(name): {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for name, p, r, f, s in zip(classes, precision, recall, f1, support)
    }
    return {
        "test_accuracy": accuracy,
        "test_loss": loss,
        "classes": [str(c) for c in classes],
        "per_class": per_class,
        "macro_f1": float(np.mean(f1)),
        "confusion_matrix": matrix.tolist(),
    }


def confusion_matrix(y, predicted, n_classes):
    """(n_classes, n_classes) counts: row = true class, column = predicted (scikit-learn's layout)."""
    flat = np.asarray(y, dtype=np.int64) * n_classes + np.asarray(predicted, dtype=np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def per_class_scores(matrix):
    """Precision, recall, F1 and support per class from a confusion matrix; a 0/0 score is 0
    (scikit-learn's ``precision_recall_fscore_support(..., zero_division=0)``)."""
    matrix = np.asarray(matrix, dtype=np.int64)
    hits = np.diag(matrix).astype(np.float64)
    predicted, support = matrix.sum(axis=0), matrix.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)
    both = (predicted + support).astype(np.float64)  # 2·tp + fp + fn: F1 = 2·tp / (2·tp + fp + fn)
    f1 = np.divide(2 * hits, both, out=np.zeros_like(hits), where=both > 0)
    return precision, recall, f1, support
