"""What a run trains on and with, as plain data: the data summary and the model summary;
and what it came to: a finished run's summary row.

The console prints the first two before epoch 1 (as Keras prints ``model.summary()``),
metrics.json keeps them, and report.html shows them as tables. The row is the one
``compare`` shows and sweep.csv holds (in its columns).
"""
from pathlib import Path

import numpy as np

from ..errors import RunFolderError
from .readback import read_curves, read_metrics

PREVIEW_CLASSES = 6  # class names listed before "…"


def data_summary(dataset, splits, config):
    """Source, rows per split, classes, input columns and what the network gets from them."""
    classes = [str(c) for c in dataset.classes]
    return {
        "source": str(dataset.source),
        "rows": {"train": int(len(splits.y_train)), "val": int(len(splits.y_val)), "test": int(len(splits.y_test))},
        "classes": len(classes),
        "class_names": classes[:PREVIEW_CLASSES],
        "input_columns": len(dataset.feature_names),
        "network_inputs": int(splits.X_train.shape[1]),
        "standardized": bool(config.data.standardize),
        "notes": list(getattr(dataset, "notes", [])),  # what loading decided, e.g. a dropped row index
    }


def model_summary(net):
    """Each Dense layer's shape, the layers after it (activation, dropout) and parameter count; totals and dtype."""
    layers = []
    if getattr(net, "scale", False):
        n_in = net.sizes[0]
        layers.append({"layer": "scale", "input": n_in, "output": n_in, "activation": "x * s (learnable)",
                       "weights": n_in, "biases": 0, "params": n_in})
    if getattr(net, "embedding", "none") == "periodic":
        n_in, k = net.sizes[0], net.inputs.embedding_size
        layers.append({"layer": f"periodic (k={k})", "input": n_in, "output": n_in * (1 + 2 * k),
                       "activation": "[x, sin, cos]", "weights": n_in * k, "biases": 0, "params": n_in * k})
    for i, layer in enumerate(net.dense):
        n_in, n_out = layer.shape
        last = i == len(net.dense) - 1
        layers.append({
            "layer": f"dense {i + 1}" if not last else f"dense {i + 1} (output)",
            "input": n_in, "output": n_out,
            "activation": "softmax (in the loss)" if last else
                          net.activation + (f", dropout {net.dropout:g}" if net.dropout else ""),
            "weights": n_in * n_out, "biases": n_out, "params": type(layer).param_count(n_in, n_out),
        })
    summary = {
        "layers": layers, "params": int(net.n_params), "dtype": net.dtype.name,
        "bytes": int(net.n_params * np.dtype(net.dtype).itemsize), "init": net.init,
    }
    if net.dropout:
        summary["dropout"] = net.dropout
    if getattr(net, "scale", False):
        summary["scale"] = True
    if hasattr(net, "members"):  # the layers above are each member's
        summary["ensemble"] = net.k
    if getattr(net, "embedding", "none") != "none":
        summary["embedding"] = {"kind": net.embedding, "size": net.inputs.embedding_size,
                                "sigma": net.inputs.embedding_sigma}
    return summary


def best_validation_epoch(history):
    """The epoch with the lowest validation loss (the first of equals), or None without validation."""
    best = None
    for record in history:
        if record.val_loss is not None and np.isfinite(record.val_loss) and (best is None or record.val_loss < best.val_loss):
            best = record
    return best.epoch if best else None


def run_row(run_dir):
    """(row, curves) of a finished run folder: its status, best validation loss and accuracy, test
    metrics, epochs, seconds and (diverged) message, with the curves they came from; every file validated."""
    if not (Path(run_dir) / "metrics.json").is_file():
        raise RunFolderError(f"{run_dir}: no metrics.json in this folder; is it a finished minimlp run?")
    metrics = read_metrics(run_dir)
    curves = read_curves(run_dir)
    val_loss = [v for v in curves["val_loss"] if v is not None]
    val_acc = [v for v in curves["val_acc"] if v is not None]
    row = {
        "status": metrics["status"], "best_val_loss": min(val_loss) if val_loss else None,
        "best_val_acc": max(val_acc) if val_acc else None, "test_accuracy": metrics["test_accuracy"],
        "test_loss": metrics["test_loss"], "best_epoch": metrics.get("best_epoch"),
        "epochs": metrics["epochs_run"], "seconds": metrics["train_seconds"],
        "message": metrics["message"] if metrics["status"] == "diverged" else "",
    }
    return row, curves
