"""The report's pieces: number formats, strict JSON, the figures' choices, the notes, many classes."""
import json
import re

import numpy as np
import pytest
from sklearn.metrics import recall_score

from minimlp import strict_json
from minimlp.report import figures, fmt
from minimlp.report.curves import curves
from minimlp.report.matrix import cell_colors
from minimlp.report.compare_page import write_compare_page
from minimlp.report.run_page import overfitting_note, worst_classes
from minimlp.runs.summary import best_validation_epoch
from minimlp.train import EpochRecord


def strict_loads(text):
    def reject(constant):
        raise ValueError(f"non-strict JSON constant {constant}")

    return json.loads(text, parse_constant=reject)


def history(val_losses, train_losses=None):
    train_losses = train_losses or [1.0 / (e + 1) for e in range(len(val_losses))]
    return [EpochRecord(e + 1, t, 0.5, v, None if v is None else 0.9, 0.05, 0.01)
            for e, (t, v) in enumerate(zip(train_losses, val_losses))]


@pytest.mark.parametrize("value,text", [
    (0.15104, "0.1510"), (2.034e30, "2.03e+30"), (1e-05, "1e-05"), (0.0, "0.0000"), (12345.678, "12345.6780"),
    (float("inf"), "inf"), (float("nan"), "nan"), (None, ""), (3.2e-7, "3.2e-07"),
])
def test_metric_format_stays_readable_when_huge_or_tiny(value, text):
    assert fmt.metric(value) == text


def test_config_values_and_seconds_print_as_written():
    assert [fmt.value(v) for v in (1e-05, 0.05, [16, 16], True, None)] == ["1e-05", "0.05", "[16, 16]", "true", "null"]
    assert [fmt.seconds(v) for v in (0.529, 12.34, 125)] == ["0.53 s", "12.3 s", "2 min 05 s"]


def test_strict_json_writes_null_for_non_finite_numbers_and_says_where():
    replaced = []
    clean = strict_json.finite({"test_loss": float("inf"), "per": [1.0, float("nan")], "ok": 2}, replaced=replaced)
    assert clean == {"test_loss": None, "per": [1.0, None], "ok": 2}
    assert replaced == ["test_loss", "per[1]"]
    text = strict_json.dumps({"a": float("-inf"), "b": [0.5]})
    assert strict_loads(text) == {"a": None, "b": [0.5]}
    with pytest.raises(ValueError):  # the checker itself rejects what Python writes by default
        strict_loads(json.dumps({"a": float("inf")}))


def test_log_axis_only_when_the_loss_spans_more_than_a_decade():
    assert figures.wants_log([2.0, 0.1]) and not figures.wants_log([2.0, 0.25])
    assert not figures.wants_log([1.0, 0.0])  # a zero has no logarithm
    assert b"(log scale)" in curves(history([0.3, 0.2, 0.25], [2.0, 0.1, 0.01]), "loss", best_epoch=2)
    assert b"(log scale)" not in curves(history([0.3, 0.2, 0.25], [0.5, 0.4, 0.3]), "loss", best_epoch=2)


def test_best_epoch_is_the_lowest_validation_loss():
    records = history([0.30, 0.1512, 0.20, 0.25])
    assert best_validation_epoch(records) == int(np.argmin([r.val_loss for r in records])) + 1 == 2
    assert b">best epoch 2: 0.1512</text>" in curves(records, "loss", best_epoch=2)
    assert best_validation_epoch(history([None, None])) is None


def test_overfitting_note_names_the_best_epoch_only_past_ten_percent():
    rising = history([0.30, 0.151, 0.16, 0.174])  # ends 15% above its minimum
    note = overfitting_note(rising, early_stopping=False)
    assert "epoch 2" in note and "0.1510" in note and "15% higher" in note and "early_stopping" in note
    assert overfitting_note(history([0.30, 0.151, 0.16]), early_stopping=False) == ""  # 6%: no note
    assert overfitting_note(history([0.3, 0.2, 0.1]), early_stopping=False) == ""


def test_confusion_colours_are_row_normalised_and_one_error_shows():
    matrix = np.array([[36, 1, 0], [0, 2, 0], [5, 5, 30]])
    colors = np.array([[[int(c[k:k + 2], 16) / 255 for k in (1, 3, 5)] for c in row] for row in cell_colors(matrix)])
    assert np.all(colors[0, 2] == 1.0)  # no count: white
    assert colors[0, 1].min() < 0.95  # one error out of 37: visibly tinted
    assert colors[0, 1][0] > colors[0, 1][2] and colors[0, 0][2] > colors[0, 0][0]  # errors red, diagonal blue
    # row-normalised: class 1's 2 of 2 is as dark as class 0's 36 of 37 (a count scale would make it pale)
    assert abs(colors[1, 1] - colors[0, 0]).max() < 0.05


def test_many_classes_get_a_worst_classes_table_with_sklearn_recall():
    rng = np.random.default_rng(0)
    k = 500
    y = np.repeat(np.arange(k), 3)
    predicted = np.where(rng.random(len(y)) < 0.5, y, rng.integers(0, k, len(y)))
    matrix = np.zeros((k, k), dtype=int)
    np.add.at(matrix, (y, predicted), 1)
    names = [f"c{i}" for i in range(k)]
    per_class = {n: {"precision": 0.5, "recall": 0.0, "f1": 0.0, "support": 3} for n in names}
    html = worst_classes({"confusion_matrix": matrix.tolist(), "classes": names, "per_class": per_class}, limit=10)
    shown = re.findall(r"<tr><td[^>]*>(c\d+)</td><td[^>]*>\d+</td><td[^>]*>([\d.]+)</td>", html)
    recall = recall_score(y, predicted, labels=range(k), average=None, zero_division=0)
    assert len(shown) == 10
    assert [float(r) for _, r in shown] == pytest.approx(sorted(recall)[:10], abs=1e-4)
    assert all(recall[int(name[1:])] == pytest.approx(float(r), abs=1e-4) for name, r in shown)


def test_inline_figures_get_unique_ids_in_one_page():
    curve = {"epoch": [1, 2], "train_loss": [0.3, 0.2], "val_loss": [0.4, 0.3]}
    one, two = (figures.inline_svg(figures.save(figures.overlay({"a": curve}, "loss")), p) for p in ("f0", "f1"))
    ids = re.findall(r'id="([^"]+)"', one + two)
    assert ids and len(ids) == len(set(ids))
    refs = set(re.findall(r'href="#([^"]+)"', one + two)) | set(re.findall(r"url\(#([^)]+)\)", one + two))
    assert refs <= set(ids)  # every reference still resolves
    assert 'width="' not in one.split(">", 1)[0]  # the root scales with its column
    ours = figures.inline_svg(curves(history([0.3, 0.2]), "loss"), "f2")
    assert 'width="' not in ours.split(">", 1)[0] and "id=" not in ours  # nothing to clash


def test_compare_page_ranks_marks_the_best_and_drops_empty_columns(tmp_path):
    curve = {"epoch": [1.0, 2.0], "train_loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "train_acc": [0.5, 0.7],
             "val_acc": [0.4, 0.6]}
    rows = [
        {"run": "slow", "optimizer.lr": 1e-05, "status": "completed", "best_val_loss": 0.9, "test_accuracy": 0.5,
         "epochs": 2, "seconds": 0.529, "message": ""},
        {"run": "fast", "optimizer.lr": 0.1, "status": "completed", "best_val_loss": 0.2, "test_accuracy": 0.9,
         "epochs": 2, "seconds": 0.4, "message": ""},
        {"run": "broken", "optimizer.lr": 1.5, "status": "failed", "message": "--grid optimizer.lr=1.5: bad"},
    ]
    write_compare_page(tmp_path / "c.html", "t", "intro", ["optimizer.lr"], rows, {"slow": curve, "fast": curve})
    page = (tmp_path / "c.html").read_text()
    assert page.index(">fast<") < page.index(">slow<") < page.index(">broken<")
    assert re.search(r'<tr class="best"><td[^>]*><span class="swatch"[^>]*></span>fast', page)
    assert ">1e-05<" in page and ">0.53 s<" in page and "0.0000" not in page
    assert "best val acc" not in page  # no run has one: no column
    assert page.count("<svg ") == 2
    rows[2]["message"] = ""
    write_compare_page(tmp_path / "d.html", "t", "intro", ["optimizer.lr"], rows, {"slow": curve})
    assert "--grid optimizer.lr=1.5: bad</td></tr>" in page  # the failed run's message, under its row
    assert "<th" in page and 'class="note"' not in (tmp_path / "d.html").read_text()


@pytest.mark.parametrize("status,kind", [("diverged", "bad"), ("interrupted", "warn"), ("completed", "ok")])
def test_status_banner_shows_the_message_in_its_colour(status, kind):
    from minimlp.report.run_page import status_banner

    html = status_banner({"status": status, "message": "training diverged in epoch 3 <&>"})
    assert f'class="banner {kind}"' in html and "training diverged in epoch 3 &lt;&amp;&gt;" in html


def test_report_header_names_date_version_and_folder(tmp_path):
    from minimlp import __version__
    from minimlp.report.run_page import write_report

    metrics = {"status": "completed", "message": "trained 2 epochs", "test_accuracy": 0.5, "test_loss": None,
               "macro_f1": 0.5, "classes": ["a", "b"], "confusion_matrix": [[1, 0], [1, 0]],
               "per_class": {c: {"precision": 0.5, "recall": r, "f1": 0.5, "support": 1} for c, r in (("a", 1.0), ("b", 0.0))}, "finished": "2026-12-01 03:00:00 UTC",
               "minimlp_version": __version__, "epochs_run": 2, "train_seconds": 0.1,
               "data": {"source": "x.csv", "rows": {"train": 8, "val": 0, "test": 2}, "classes": 2,
                        "class_names": ["a", "b"], "input_columns": 3, "network_inputs": 5, "standardized": True}}
    write_report(tmp_path, "minimlp run: t", metrics, [], "name: t\n", {})
    page = (tmp_path / "report.html").read_text()
    assert f"2026-12-01 03:00:00 UTC · minimlp {__version__} · run folder {tmp_path}" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "3 input columns → 5 network inputs" in page and ">not finite<" in page
    assert "No epoch finished" in page and "No model summary" in page
