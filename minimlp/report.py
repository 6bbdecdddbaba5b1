"""The run's plots (PNG, matplotlib's Agg canvas, no pyplot state) and its one-page HTML report."""
import base64
import html
import io

import numpy as np

from . import files


def _figure(width=6.0, height=4.0):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def curves_png(history, metric, title, best_epoch=None):
    """Train (and validation, when there is one) ``metric`` per epoch."""
    fig = _figure()
    ax = fig.add_subplot()
    epochs = [r.epoch for r in history]
    ax.plot(epochs, [getattr(r, f"train_{metric}") for r in history], label="train", marker="." if len(epochs) < 30 else None)
    if history and history[0].val_loss is not None:
        ax.plot(epochs, [getattr(r, f"val_{metric}") for r in history], label="validation")
    if best_epoch:
        ax.axvline(best_epoch, color="grey", linestyle=":", label=f"best epoch ({best_epoch})")
    ax.set(xlabel="epoch", ylabel=title, title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig)


def confusion_png(matrix, classes):
    matrix = np.asarray(matrix)
    k = len(classes)
    fig = _figure(max(4.5, 0.45 * k + 2), max(4.0, 0.45 * k + 1.5))
    ax = fig.add_subplot()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted", ylabel="true", title="Confusion matrix (test split)")
    ax.set_xticklabels([str(c) for c in classes], rotation=45 if k > 6 else 0, ha="right" if k > 6 else "center")
    ax.set_yticklabels([str(c) for c in classes])
    if k <= 20:
        threshold = matrix.max() / 2 if matrix.size else 0
        for (i, j), count in np.ndenumerate(matrix):
            ax.text(j, i, str(count), ha="center", va="center", fontsize=8,
                    color="white" if count > threshold else "black")
    return _png(fig)


def decision_boundary_png(predictor, X_test, y_test):
    """Predicted class over the plane of the two features, with the test points (raw units)."""
    fig = _figure(6, 5)
    ax = fig.add_subplot()
    lo, hi = X_test.min(axis=0), X_test.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9)
    xs, ys = (np.linspace(lo[i] - pad[i], hi[i] + pad[i], 300) for i in range(2))
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    k = len(predictor.classes)
    regions = predictor.net.predict(predictor.transform(grid)).reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, regions, levels=np.arange(k + 1) - 0.5, cmap="tab10", alpha=0.25, vmin=0, vmax=9)
    predicted = predictor.net.predict(predictor.transform(X_test))
    for c in range(k):
        right = (y_test == c) & (predicted == c)
        wrong = (y_test == c) & (predicted != c)
        color = f"C{c % 10}"
        ax.scatter(*X_test[right].T, s=14, color=color, edgecolor="k", linewidth=0.3, label=str(predictor.classes[c]))
        ax.scatter(*X_test[wrong].T, s=40, color=color, marker="X", edgecolor="k", linewidth=0.5)
    ax.set(xlabel=predictor.feature_names[0], ylabel=predictor.feature_names[1],
           title="Decision boundary, test points (X: misclassified)")
    ax.legend(loc="best", fontsize=8)
    return _png(fig)


def write_plots(run_dir, history, metrics, predictor, X_test_raw, y_test, best_epoch=None):
    """Write every plot that applies as PNG; return {name: png bytes}."""
    plots = {
        "loss": curves_png(history, "loss", "cross-entropy loss", best_epoch),
        "accuracy": curves_png(history, "acc", "accuracy", best_epoch),
        "confusion_matrix": confusion_png(metrics["confusion_matrix"], predictor.classes),
    }
    if X_test_raw.shape[1] == 2:
        plots["decision_boundary"] = decision_boundary_png(predictor, X_test_raw, y_test)
    for name, png in plots.items():
        files.write_bytes(run_dir / f"{name}.png", png)
    return plots


def write_html(run_dir, title, summary, metrics, config_yaml, plots):
    """One self-contained page: summary, metrics table, every plot (as data URIs), the config."""
    esc = html.escape
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in summary.items())
    per_class = "".join(
        f"<tr><td>{esc(name)}</td><td>{m['precision']:.4f}</td><td>{m['recall']:.4f}</td>"
        f"<td>{m['f1']:.4f}</td><td>{m['support']}</td></tr>"
        for name, m in metrics["per_class"].items()
    )
    images = "".join(
        f'<figure><img alt="{name}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        f"<figcaption>{esc(name.replace('_', ' '))}</figcaption></figure>"
        for name, png in plots.items()
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }} th, td {{ padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }}
figure {{ display: inline-block; margin: 0.5em; }} img {{ max-width: 520px; }}
pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; }}
</style></head><body>
<h1>{esc(title)}</h1>
<table>{rows}</table>
<h2>Per class (test split)</h2>
<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{per_class}</table>
<h2>Plots</h2>
{images}
<h2>Config</h2>
<pre>{esc(config_yaml)}</pre>
</body></html>
"""
    files.write_text(run_dir / "report.html", page)


def overlay_png(curves):
    """Loss curves of several runs on one plot: {label: {"epoch", "train_loss", "val_loss"}}."""
    fig = _figure(7, 4.5)
    ax = fig.add_subplot()
    for i, (label, curve) in enumerate(curves.items()):
        color = f"C{i % 10}"
        ax.plot(curve["epoch"], curve["train_loss"], color=color, label=f"{label} (train)")
        if any(v is not None for v in curve["val_loss"]):
            ax.plot(curve["epoch"], curve["val_loss"], color=color, linestyle="--", label=f"{label} (validation)")
    ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="Loss curves")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


def write_sweep_html(path, keys, rows, curves_png):
    """sweep.html: the runs sorted by best validation loss (then test accuracy), and the loss curves."""
    esc = html.escape

    def order(row):
        failed = row["status"] == "failed"
        loss = row.get("best_val_loss")
        return (failed, loss is None, loss if loss is not None else -(row.get("test_accuracy") or 0))

    columns = ["run", *keys, "status", "best_val_loss", "best_val_acc", "test_accuracy", "epochs", "seconds", "message"]

    def cell(value):
        return "" if value is None else f"{value:.4f}" if isinstance(value, float) else esc(str(value))

    body = "".join("<tr>" + "".join(f"<td>{cell(row.get(c))}</td>" for c in columns) + "</tr>"
                   for row in sorted(rows, key=order))
    image = (f'<img alt="loss curves" src="data:image/png;base64,{base64.b64encode(curves_png).decode()}">'
             if curves_png else "<p>No run finished.</p>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>minimlp sweep</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }} th, td {{ padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }}
img {{ max-width: 800px; }}
</style></head><body>
<h1>minimlp sweep: {len(rows)} runs</h1>
<p>Sorted by best validation loss (runs without validation by test accuracy); failed runs last.</p>
<table><tr>{"".join(f"<th>{esc(c)}</th>" for c in columns)}</tr>{body}</table>
<h2>Loss curves</h2>
{image}
</body></html>
"""
    files.write_text(path, page)
