"""What a run trains on and with, as plain data: the data summary and the model summary.

The console prints them before epoch 1 (as Keras prints ``model.summary()``),
metrics.json keeps them, and report.html shows them as tables.
"""
import numpy as np

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
    return summary


def best_validation_epoch(history):
    """The epoch with the lowest validation loss (the first of equals), or None without validation."""
    best = None
    for record in history:
        if record.val_loss is not None and np.isfinite(record.val_loss) and (best is None or record.val_loss < best.val_loss):
            best = record
    return best.epoch if best else None
