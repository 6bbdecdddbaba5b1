"""The run's curves and confusion matrix, built as SVG text (report/curves.py, matrix.py, ticks.py, svg.py).

Each check reads the figure back as a reader would: parse the XML, recover the
axes' mapping from the drawn ticks (position and label), and map the drawn
lines, markers and cells back to numbers, compared with the history or matrix
they came from; colours against matplotlib's colormaps, an independent reference."""
import hashlib
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from minimlp.report import figures, ticks
from minimlp.report.curves import MARKERS_BELOW, curves
from minimlp.report.matrix import MATRIX_COUNTS_MAX, MATRIX_MAX, confusion, short
from minimlp.train import EpochRecord

NS = "{http://www.w3.org/2000/svg}"
CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def parse(data):
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(data)
    assert root.tag == f"{NS}svg"
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}" and width > 0 and height > 0
    return root


def by_class(root, tag, cls):
    return [e for e in root.iter(f"{NS}{tag}") if e.get("class") == cls]


def axis(root, name, log=False):
    """value <- pixel for the axis whose ticks are <g class="{name}">, from the first and last tick,
    after checking every tick lies on that same line (evenly spaced in value or, on a log axis, in log10)."""
    coord = "y1" if name == "ytick" else "x1"
    marks = [(float(g.find(f"{NS}line").get(coord)), float(g.find(f"{NS}text").text)) for g in by_class(root, "g", name)]
    assert len(marks) >= 2, marks
    f = math.log10 if log else (lambda v: v)
    (p0, v0), (p1, v1) = marks[0], marks[-1]
    slope = (f(v1) - f(v0)) / (p1 - p0)
    for p, v in marks:
        assert f(v) == pytest.approx(f(v0) + (p - p0) * slope, abs=abs(slope) * 0.15 + 1e-12), marks
    if log:
        return lambda p: 10 ** (f(v0) + (p - p0) * slope), marks
    return lambda p: v0 + (p - p0) * slope, marks


def points(element):
    return [tuple(map(float, xy.split(","))) for xy in element.get("points").split()]


def history(train, val, acc=None):
    acc = acc or [0.5] * len(train)
    return [EpochRecord(e + 1, t, a, v, None if v is None else a, 0.01, 0.0)
            for e, (t, v, a) in enumerate(zip(train, val, acc))]


def texts(root, cls=None):
    return [e.text for e in root.iter(f"{NS}text") if cls is None or e.get("class") == cls]


def assert_series(root, cls, expected, log=False):
    """The polylines of class ``cls`` map back through the drawn axes to ``expected`` [(epoch, value)]."""
    to_x, _ = axis(root, "xtick")
    to_y, y_marks = axis(root, "ytick", log)
    span = abs(math.log10(y_marks[-1][1] / y_marks[0][1])) if log else abs(y_marks[-1][1] - y_marks[0][1])
    drawn = [(to_x(x), to_y(y)) for line in by_class(root, "polyline", cls) for x, y in points(line)]
    assert [round(e) for e, _ in drawn] == [e for e, _ in expected]
    for (e, got), (_, want) in zip(drawn, expected):
        assert e == pytest.approx(round(e), abs=0.05)
        if log:
            assert math.log10(got) == pytest.approx(math.log10(want), abs=span * 0.002)
        else:
            assert got == pytest.approx(want, abs=span * 0.002)


def test_linear_curves_map_back_to_the_history_with_markers_at_the_same_points():
    acc = [0.31, 0.52, 0.64, 0.7, 0.77, 0.81, 0.8, 0.86]
    records = history([1.0] * 8, [0.9] * 8, acc)
    root = parse(curves(records, "acc", 6))
    assert_series(root, "train", list(enumerate(acc, 1)))
    assert_series(root, "validation", list(enumerate(acc, 1)))
    dots = [(float(c.get("cx")), float(c.get("cy"))) for c in by_class(root, "circle", "train")]
    line = points(by_class(root, "polyline", "train")[0])
    assert dots == line  # a dot on every point (fewer than MARKERS_BELOW epochs)
    assert "accuracy" in texts(root) and "Accuracy" in texts(root) and "epoch" in texts(root)


def test_a_loss_spanning_decades_gets_a_log_axis_the_lines_map_back_through():
    train = [2.0 * 0.7 ** e for e in range(40)]  # 2 .. 2e-6: six decades
    val = [2.2 * 0.8 ** e for e in range(40)]
    root = parse(curves(history(train, val), "loss", 40))
    assert "cross-entropy loss (log scale)" in texts(root)
    assert_series(root, "train", list(enumerate(train, 1)), log=True)
    assert_series(root, "validation", list(enumerate(val, 1)), log=True)
    assert not by_class(root, "circle", "train")  # MARKERS_BELOW epochs or more: lines only
    labels = [g.find(f"{NS}text").text for g in by_class(root, "g", "ytick")]
    assert all(re.fullmatch(r"\d+(\.\d+)?|\de-\d\d", label) for label in labels), labels  # 0.001, 1e-05: plain
    flat = parse(curves(history([0.5, 0.4, 0.3], [0.6, 0.5, 0.45]), "loss"))
    assert "cross-entropy loss" in texts(flat) and "cross-entropy loss (log scale)" not in texts(flat)


def nice(values):
    """Consecutive ticks differ by one step of 1, 2 or 5 × 10^k, and each tick is a multiple of it
    (up to float64's rounding of values far larger than the step)."""
    diffs = np.diff(values)
    power = math.floor(math.log10(np.median(diffs)))
    mantissa = min((1, 2, 5, 10), key=lambda m: abs(np.median(diffs) / 10.0 ** power - m))
    step = mantissa * 10.0 ** power
    slack = 1e-6 * step + 4e-16 * max(abs(v) for v in values)
    return bool(np.allclose(diffs, step, rtol=0, atol=2 * slack)
                and all(abs(v - step * round(v / step)) <= slack for v in values))


@pytest.mark.parametrize("seed", range(40))
def test_linear_ticks_are_nice_and_cover_the_data(seed):
    rng = np.random.default_rng(seed)
    low = rng.uniform(-1, 1) * 10.0 ** rng.integers(-6, 8)
    high = low + abs(rng.uniform(0.01, 1)) * 10.0 ** rng.integers(-6, 8)
    start, end, marks, log = ticks.linear(low, high)
    values = [v for v, _ in marks]
    step = values[1] - values[0]
    assert not log and nice(values) and start <= low and end >= high
    assert values[0] <= low + 1e-9 * step and values[-1] >= high - 1e-9 * step  # the ticks reach the data's ends
    assert start >= values[0] - 1e-9 * step and end <= values[-1] + 1e-9 * step  # and the axis ends there
    assert 3 <= len(values) <= 13
    assert [float(label) for _, label in marks] == pytest.approx(values, rel=1e-9, abs=1e-9 * (values[1] - values[0]))
    assert len({label for _, label in marks}) == len(marks)  # compact, yet every label different


@pytest.mark.parametrize("low,high", [(0.013, 1.9), (2e-6, 2.0), (3e-300, 5e200), (0.2, 4.5), (1e-5, 1e-3)])
def test_log_ticks_are_1_2_5_or_decades_and_cover_the_data(low, high):
    start, end, marks, log = ticks.log(low, high)
    assert log and start <= math.log10(low) + 1e-9 and end >= math.log10(high) - 1e-9
    for exponent, label in marks:
        mantissa, power = f"{float(label):e}".split("e") if float(label) else (label.split("e")[0], label.split("e")[1])
        assert float(mantissa) in (1.0, 2.0, 5.0) and math.isclose(exponent, math.log10(float(mantissa)) + int(power))
    assert 3 <= len(marks) <= 12


def test_the_best_epoch_is_marked_at_its_value_with_a_legend_entry():
    records = history([0.9, 0.5, 0.3, 0.2], [0.30, 0.1512, 0.20, 0.25])
    root = parse(curves(records, "loss", 2))
    to_x, _ = axis(root, "xtick")
    to_y, _ = axis(root, "ytick")
    (circle,) = by_class(root, "circle", "best")
    assert to_x(float(circle.get("cx"))) == pytest.approx(2, abs=0.01)
    assert to_y(float(circle.get("cy"))) == pytest.approx(0.1512, abs=0.002)
    (line,) = by_class(root, "line", "best")
    assert line.get("x1") == line.get("x2") == circle.get("cx") and line.get("stroke-dasharray")
    assert texts(root, "legend") == ["train", "validation", "best epoch 2: 0.1512"]
    # without a validation split the best epoch sits on the train curve
    root = parse(curves(history([0.9, 0.5, 0.3], [None] * 3), "loss", 3))
    assert to_y_of(root, by_class(root, "circle", "best")[0]) == pytest.approx(0.3, abs=0.002)
    assert texts(root, "legend") == ["train", "best epoch 3: 0.3000"] and not by_class(root, "polyline", "validation")


def to_y_of(root, element):
    return axis(root, "ytick")[0](float(element.get("cy")))


def test_the_legend_row_is_above_the_plot_so_it_covers_no_line():
    root = parse(curves(history([0.9, 0.5, 0.3, 0.2], [0.95, 0.6, 0.4, 0.3]), "loss", 4))
    top = min(float(e.get("y1")) for e in by_class(root, "g", "ytick") for e in [e.find(f"{NS}line")])
    legend = [float(e.get("y")) + float(e.get("font-size")) / 2 for e in root.iter(f"{NS}text") if e.get("class") == "legend"]
    assert legend and max(legend) < top


def test_gaps_and_not_finite_values_break_the_line_and_are_skipped():
    val = [1.0, 0.8, 0.7, None, None, 0.5, 0.45, float("nan"), 0.4, float("inf"), 0.35]
    train = [1.1, 0.9, float("inf"), 0.7, 0.6, 0.5, 0.45, 0.42, 0.4, 0.38, 0.36]
    root = parse(curves(history(train, val), "loss", 6))
    to_x, _ = axis(root, "xtick")
    runs = [[round(to_x(x)) for x, _ in points(p)] for p in by_class(root, "polyline", "validation")]
    assert runs == [[1, 2, 3], [6, 7]]
    lone = [round(to_x(float(c.get("cx")))) for c in by_class(root, "circle", "validation")]
    assert set(lone) == {1, 2, 3, 6, 7, 9, 11}  # epochs 9 and 11 stand alone: dots, not lines
    assert_series(root, "validation", [(1, 1.0), (2, 0.8), (3, 0.7), (6, 0.5), (7, 0.45)])
    assert [round(to_x(x)) for p in by_class(root, "polyline", "train") for x, _ in points(p)] == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]


def test_one_epoch_draws_with_integer_epoch_ticks():
    root = parse(curves(history([0.7], [0.8]), "loss", 1))
    labels = [g.find(f"{NS}text").text for g in by_class(root, "g", "xtick")]
    assert "1" in labels and all(re.fullmatch(r"-?\d+", label) for label in labels)
    assert len(by_class(root, "circle", "train")) == 1 and by_class(root, "circle", "best")
    many = parse(curves(history([1 / e for e in range(1, 401)], [None] * 400), "loss"))
    labels = [int(g.find(f"{NS}text").text) for g in by_class(many, "g", "xtick")]
    assert nice(labels) and 4 <= len(labels) <= 9


def test_markers_only_below_the_threshold_and_a_long_history_is_thinned_within_its_extremes():
    few = parse(curves(history([1.0] * (MARKERS_BELOW - 1), [0.9] * (MARKERS_BELOW - 1)), "loss"))
    assert len(by_class(few, "circle", "train")) == MARKERS_BELOW - 1
    rng = np.random.default_rng(0)
    train = list(0.5 + rng.random(20000))
    root = parse(curves(history(train, [None] * len(train)), "loss"))
    to_y, _ = axis(root, "ytick")
    drawn = [to_y(y) for p in by_class(root, "polyline", "train") for _, y in points(p)]
    assert len(drawn) < 5000 and max(drawn) == pytest.approx(max(train), abs=0.01)
    assert min(drawn) == pytest.approx(min(train), abs=0.01)


def test_an_all_missing_or_not_finite_history_still_draws():
    parse(curves(history([float("nan"), float("inf")], [None, None]), "loss", 1))
    parse(curves(history([1e300, 1.7e308], [1e308, None]), "loss", 2))


def test_confusion_cells_hold_the_counts_and_follow_the_colour_rule():
    from matplotlib import colormaps

    matrix = np.array([[36, 1, 0, 0], [0, 2, 0, 0], [5, 5, 30, 0], [0, 0, 0, 0]])
    root = parse(confusion(matrix, ["a", "b", "c", "d"]))
    cells = by_class(root, "rect", "cell")
    assert len(cells) == 16
    totals = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    for n, rect in enumerate(cells):
        i, j = divmod(n, 4)
        rgb = np.array([int(rect.get("fill")[k:k + 2], 16) for k in (1, 3, 5)]) / 255
        if matrix[i, j] == 0:
            assert rect.get("fill") == "#ffffff"
            continue
        tint = 0.2 + 0.8 * share[i, j]
        reference = colormaps["Blues"](tint)[:3] if i == j else colormaps["Reds"](0.85 * tint)[:3]
        assert rgb == pytest.approx(reference, abs=3 / 255)
        assert (rgb[2] > rgb[0]) if i == j else (rgb[0] > rgb[2])  # blue diagonal, red errors
    counts = by_class(root, "text", "count")
    shown = {(i, j) for i, j in zip(*np.nonzero(matrix))} | {(i, i) for i in range(4)}
    assert [c.text for c in counts] == [str(matrix[i, j]) for i in range(4) for j in range(4) if (i, j) in shown]
    assert [c.get("fill") for c in counts] == ["#ffffff" if share[i, j] > 0.55 else "#1f2328"
                                               for i in range(4) for j in range(4) if (i, j) in shown]
    assert texts(root, "row") == texts(root, "column") == ["a", "b", "c", "d"]
    assert {"predicted", "true", "Confusion matrix (test split)"} <= set(texts(root))


def test_counts_only_up_to_the_limit_and_the_size_is_bounded():
    k = MATRIX_COUNTS_MAX + 1
    assert not by_class(parse(confusion(np.eye(k, dtype=int) * 3, [str(i) for i in range(k)])), "text", "count")
    big = parse(confusion(np.eye(MATRIX_MAX, dtype=int), ["猫" * 20 + str(i) for i in range(MATRIX_MAX)]))
    assert float(big.get("width")) <= 800 and float(big.get("height")) <= 800
    short_labels = parse(confusion(np.eye(10, dtype=int) * 3, [str(i) for i in range(10)]))
    assert not any(e.get("transform") for e in by_class(short_labels, "text", "column"))  # upright
    long_labels = parse(confusion(np.eye(10, dtype=int) * 3, [f"class {i}" for i in range(10)]))
    assert all("rotate(-45" in e.get("transform") for e in by_class(long_labels, "text", "column"))


HOSTILE = ["<b>x</b>", "a & b", 'say "hi"', "$\\alpha$", "'single'", "ctrl\x01\x1fchar", "猫の手", "مرحبا", "]]>", "\ud800"]


def test_hostile_labels_are_escaped_and_shown_as_written():
    matrix = np.eye(len(HOSTILE), dtype=int)
    data = confusion(matrix, HOSTILE)
    root = parse(data)
    written = [short(label).replace("\x01", "\ufffd").replace("\x1f", "\ufffd").replace("\ud800", "\ufffd")
               for label in HOSTILE]
    assert texts(root, "row") == written == texts(root, "column")
    assert b"<b>" not in data
    record = EpochRecord(1, 0.5, 0.5, 0.6, 0.5, 0.01, 0.0)
    parse(curves([record], "loss", 1))


def test_inline_svg_keeps_the_size_and_drops_the_prolog():
    data = curves(history([0.5, 0.4], [0.6, 0.5]), "loss", 2)
    width = float(parse(data).get("width"))
    inline = figures.inline_svg(data, "f0")
    assert inline.startswith("<svg ") and f'style="max-width: {width * 1.25:.0f}px"' in inline
    assert 'width="' not in inline.split(">", 1)[0] and 'viewBox="' in inline.split(">", 1)[0]


DRAW = """import hashlib, sys
import numpy as np
from minimlp.report.curves import curves
from minimlp.report.matrix import confusion
from minimlp.train import EpochRecord
h = [EpochRecord(e, 1 / e, 0.5, 1.2 / e if e % 3 else None, 0.4, 0.1, 0.0) for e in range(1, 40)]
data = curves(h, "loss", 3) + curves(h, "acc", 3) + confusion(np.array([[3, 1], [2, 4]]), ["猫", "<x>"])
print(hashlib.sha256(data).hexdigest(), "matplotlib" in sys.modules)
"""


def test_the_same_figures_are_the_same_bytes_in_any_process_without_matplotlib():
    runs = [subprocess.run([sys.executable, "-c", DRAW], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "2")]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    (one, loaded), (two, _) = (r.stdout.split() for r in runs)
    assert one == two and loaded == "False"
    h = [EpochRecord(e, 1 / e, 0.5, 1.2 / e if e % 3 else None, 0.4, 0.1, 0.0) for e in range(1, 40)]
    here = curves(h, "loss", 3) + curves(h, "acc", 3) + confusion(np.array([[3, 1], [2, 4]]), ["猫", "<x>"])
    assert hashlib.sha256(here).hexdigest() == one


def test_training_data_with_more_than_two_features_imports_no_matplotlib(tmp_path):
    from test_startup import loaded

    modules = loaded("train", "-q", CONFIGS / "iris.yaml", "--set", "train.epochs=3", "--out", tmp_path / "run")
    assert "matplotlib" not in modules
    names = {p.name for p in (tmp_path / "run").glob("*.svg")}
    assert names == {"loss.svg", "accuracy.svg", "confusion_matrix.svg"}
    for name in names:
        parse((tmp_path / "run" / name).read_bytes())
    # the control: two features draw the decision boundary, with matplotlib
    assert "matplotlib" in loaded("train", "-q", CONFIGS / "moons.yaml", "--set", "train.epochs=1",
                                  "--out", tmp_path / "moons")
