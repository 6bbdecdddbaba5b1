"""report.html: one self-contained page per run, and the figures it shows (also saved as .svg files).

Top to bottom: what happened (status banner, headline numbers), what was
trained on and with (data and model summaries), how training went (curves,
an overfitting note), how the model does on the test split, the config.
"""
import math

import numpy as np

from .. import files
from . import figures, fmt
from .classes import decision_boundary
from .curves import curves
from .matrix import MATRIX_COUNTS_MAX, MATRIX_MAX, confusion
from .page import banner, cards, document, esc, figure, key_values, table
from .run_facts import columns_table, held_weights, weights_note

OVERFIT = 1.10  # validation loss ending this far above its minimum earns a note
WORST_CLASSES = 15  # rows of the worst-classes table shown instead of a large confusion matrix


def write_figures(run_dir, history, metrics, predictor, X_test_raw, y_test):
    """Draw every figure that applies, save each as <name>.svg; return {name: svg bytes}.

    The curves and the confusion matrix are SVG text (a few milliseconds, no matplotlib); only
    2-feature data adds the decision boundary, which matplotlib draws."""
    best = metrics.get("best_epoch")
    drawn = {"loss": curves(history, "loss", best), "accuracy": curves(history, "acc", best)} if history else {}
    if len(metrics["classes"]) <= MATRIX_MAX:
        drawn["confusion_matrix"] = confusion(metrics["confusion_matrix"], metrics["classes"])
    if X_test_raw.shape[1] == 2 and len(X_test_raw):
        drawn["decision_boundary"] = decision_boundary(predictor, X_test_raw, y_test)
    for name, svg in drawn.items():
        files.write_bytes(run_dir / f"{name}.svg", svg)
    return drawn


def write_report(run_dir, title, metrics, history, config_yaml, drawn, early_stopping=False):
    """Write report.html from the metrics (as in metrics.json), the history and the drawn figures."""
    svg = {name: figures.inline_svg(data, f"f{i}") for i, (name, data) in enumerate(drawn.items())}
    parts = [header(title, metrics, run_dir), status_banner(metrics), headline(metrics)]
    note = overfitting_note(history, early_stopping)
    if note:
        parts.append(banner("warn", note))
    parts.append('<div class="columns"><section><h2>Data</h2>' + data_table(metrics.get("data")) +
                 columns_table(metrics.get("data")) + '</section><section><h2>Model</h2>' +
                 model_table(metrics.get("model")) + weights_note(metrics) + "</section></div>")
    parts.append("<h2>Training</h2>")
    if "loss" in svg:
        parts.append('<div class="columns">' + figure(svg["loss"]) + figure(svg["accuracy"]) + "</div>")
    else:
        parts.append("<p>No epoch finished, so there are no curves.</p>")
    parts.append("<h2>Test split</h2>" + test_section(metrics, svg))
    if "decision_boundary" in svg:
        parts.append('<h2>Decision boundary</h2><figure class="square">' + svg["decision_boundary"] + "</figure>")
    parts.append(f"<h2>Config</h2><details><summary>config.yaml, as resolved</summary><pre>{esc(config_yaml)}</pre>"
                 "</details>")
    files.write_text(run_dir / "report.html", document(title, "\n".join(parts)))


def header(title, metrics, run_dir):
    meta = " · ".join(esc(x) for x in (metrics.get("finished", ""), f"minimlp {metrics.get('minimlp_version', '')}",
                                        f"run folder {run_dir}") if x)
    return f"<header><h1>{esc(title)}</h1><p class=\"meta\">{meta}</p></header>"


def status_banner(metrics):
    status, message = metrics.get("status", ""), metrics.get("message", "")
    kind = {"completed": "ok", "early_stopped": "ok", "interrupted": "warn"}.get(status, "bad")
    label = {"completed": "Completed", "early_stopped": "Stopped early", "interrupted": "Interrupted",
             "diverged": "Diverged"}.get(status, status)
    return banner(kind, f"<strong>{esc(label)}</strong>: {esc(message)}")


def headline(metrics):
    best, pairs = metrics.get("best_epoch"), [("test accuracy", fmt.metric(metrics["test_accuracy"])),
                                              ("test loss", fmt.metric(metrics["test_loss"]) or "not finite"),
                                              ("macro F1", fmt.metric(metrics["macro_f1"]))]
    final = metrics.get("final_epoch") or {}
    if best and final.get("val_loss") is not None:
        pairs.append(("best epoch", str(best)))
    held = held_weights(metrics.get("weights"))
    if held:
        pairs.append(("model weights", *held))
    pairs += [("epochs", str(metrics.get("epochs_run", ""))), ("training time", fmt.seconds(metrics.get("train_seconds")))]
    return cards(pairs)


def overfitting_note(history, early_stopping):
    """A plain-language note when validation loss ended more than 10% above its minimum, else ''."""
    val = [(r.epoch, r.val_loss) for r in history if r.val_loss is not None and math.isfinite(r.val_loss)]
    if len(val) < 2:
        return ""
    best_epoch, best = min(val, key=lambda item: item[1])
    last_epoch, last = val[-1]
    if last_epoch == best_epoch or best <= 0 or last <= OVERFIT * best:
        return ""
    advice = ("a lower train.patience would stop sooner" if early_stopping else
              "early stopping (train.early_stopping: true) would stop there and keep that epoch's weights")
    return (f"<strong>Overfitting</strong>: validation loss was lowest at epoch {best_epoch} ({fmt.metric(best)}) "
            f"and ended {100 * (last / best - 1):.0f}% higher ({fmt.metric(last)} at epoch {last_epoch}); "
            f"{esc(advice)}.")


def data_table(data):
    if not data:
        return "<p>No data summary in this run's metrics.</p>"
    rows = data["rows"]
    names = ", ".join(data.get("class_names", []))
    if data["classes"] > len(data.get("class_names", [])):
        names += ", …"
    inputs = f"{fmt.count(data['network_inputs'])} network inputs"
    if "input_columns" in data:
        inputs = f"{fmt.count(data['input_columns'])} input columns → {inputs}"
    return key_values([
        ("dataset", esc(data["source"])),
        ("rows", f"{fmt.count(sum(rows.values()))}: {fmt.count(rows['train'])} train / "
                 f"{fmt.count(rows['val'])} validation / {fmt.count(rows['test'])} test"),
        ("classes", f"{data['classes']} ({esc(names)})"),
        ("inputs", esc(inputs) + (", standardized" if data.get("standardized") else "")),
    ])


def model_table(model):
    """Layer, shape, activation, parameters (weights + biases under the count): four columns, so the
    table fits a 420 px phone without a sideways scroller."""
    if not model:
        return "<p>No model summary in this run's metrics.</p>"
    rows = [[esc(l["layer"]), f'<span class="nowrap">{l["input"]} → {l["output"]}</span>', esc(l["activation"]),
             f'{fmt.count(l["params"])}<br><span class="sub nowrap">{fmt.count(l["weights"])} + '
             f'{fmt.count(l["biases"])}</span>'] for l in model["layers"]]
    each = f', an ensemble of {model["ensemble"]} such networks' if model.get("ensemble") else ""
    rows.append(["<strong>total</strong>", "", f'{esc(model["dtype"])}, {esc(fmt.nbytes(model["bytes"]))}{each}',
                 f"<strong>{fmt.count(model['params'])}</strong>"])
    return table(["layer", "shape", "activation", 'parameters<br><span class="sub nowrap">weights + biases</span>'],
                 rows, numeric=(3,), cls="fit")


def test_section(metrics, svg):
    per_class = metrics["per_class"]
    rows = [[esc(name), fmt.metric(m["precision"]), fmt.metric(m["recall"]), fmt.metric(m["f1"]), str(m["support"])]
            for name, m in per_class.items()]
    classes_table = table(["class", "precision", "recall", "F1", "support"], rows, numeric=(1, 2, 3, 4))
    if len(per_class) > MATRIX_COUNTS_MAX:
        classes_table = f"<details><summary>All {len(per_class)} classes</summary>{classes_table}</details>"
    if len(per_class) <= MATRIX_MAX:
        if "confusion_matrix" not in svg:
            return classes_table
        legend = ('<p class="meta">Counts; colour by share of the true class: blue on the diagonal (right), '
                  "red off it (errors).</p>")
        return (legend + '<div class="columns"><figure class="square">' + svg["confusion_matrix"] + "</figure><section>"
                + classes_table + "</section></div>")
    return (f"<p>{len(per_class)} classes are too many for a readable confusion matrix (more than "
            f"{MATRIX_MAX}); the classes recalled worst, and what they were mistaken for:</p>"
            + worst_classes(metrics) + classes_table)


def worst_classes(metrics, limit=WORST_CLASSES):
    """The classes with the lowest recall on the test split and the class each was most often predicted as."""
    matrix = np.asarray(metrics["confusion_matrix"])
    names, per_class = metrics["classes"], metrics["per_class"]
    support = matrix.sum(axis=1)
    recall = np.divide(np.diag(matrix), support, out=np.ones(len(names)), where=support > 0)
    rows = []
    for i in np.argsort(recall, kind="stable")[:limit]:
        off = matrix[i].copy()
        off[i] = 0
        j = int(off.argmax())
        mistaken = f"{esc(names[j])} ({off[j]})" if off[j] else "—"
        rows.append([esc(names[i]), str(support[i]), fmt.metric(recall[i]), fmt.metric(per_class[names[i]]["precision"]),
                     mistaken])
    return table(["class", "support", "recall", "precision", "most often predicted as (count)"], rows,
                 numeric=(1, 2, 3), cls="fit")
