"""The logits of an average of probabilities: what an ensemble (model.ensemble) predicts, as logits."""
import numpy as np


def log_mean_softmax(zs):
    """log((softmax(z_1) + ... + softmax(z_k)) / k) per row, without overflow: logits of the mean probabilities."""
    logs = []
    for z in zs:
        shifted = z - np.maximum.reduce(z, axis=1, keepdims=True)
        logs.append(shifted - np.log(np.add.reduce(np.exp(shifted), axis=1, keepdims=True)))
    top = logs[0].copy()
    for log in logs[1:]:
        np.maximum(top, log, out=top)
    total = np.zeros_like(top)
    for log in logs:
        total += np.exp(log - top)
    return np.log(total / total.dtype.type(len(logs))) + top
