"""Test-split metrics: loss, accuracy, per-class precision/recall/F1 and the confusion matrix."""
import numpy as np

from ..numerics.losses import SoftmaxCrossEntropy
from ..train import evaluate


def classification_metrics(net, X, y, classes):
    """A JSON-ready dict of how ``net`` does on X, y (class indices into ``classes``)."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    loss, accuracy = evaluate(net, SoftmaxCrossEntropy(), X, y)
    predicted = net.predict(X)
    labels = np.arange(len(classes))
    precision, recall, f1, support = precision_recall_fscore_support(y, predicted, labels=labels, zero_division=0)
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
        "confusion_matrix": confusion_matrix(y, predicted, labels=labels).tolist(),
    }
