"""Text in the figures is plain: class labels, column names and run folders holding
$, backslash, _, ^ or {} are drawn as written (no math text), and a run with them finishes (also on --resume)."""
import csv
import io
import json

import numpy as np
import pytest
from helpers import run

LABELS = ("$\\foo$", "a_{b}^c")
COLUMNS = ("$x^2_{i}$", "\\y_{j}")
FOLDER = "run $\\r$_{x}^2"
CONFIG = ("name: plain_text\ndata:\n  dataset: csv\n  path: t.csv\n  target: label\nmodel:\n  hidden: [6]\n"
          "train:\n  epochs: 3\n  checkpoint_every: 1\n")


@pytest.fixture
def data(cwd):
    rng = np.random.default_rng(0)
    with open(cwd / "t.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([*COLUMNS, "label"])
        for x, y in rng.standard_normal((80, 2)):
            w.writerow([round(x, 3), round(y, 3), LABELS[int(x + y > 0)]])
    (cwd / "c.yaml").write_text(CONFIG)
    return cwd


def svg_texts(fig):
    """The strings the figure draws, as <text> in an SVG (fonttype none keeps text as text; math text
    would come out as separate glyph runs, without the $ signs)."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg")
    import re
    from html import unescape

    return [unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", buffer.getvalue().decode())]


def assert_plain(fig, *expected):
    from matplotlib.text import Text

    texts = [t for t in fig.findobj(Text) if t.get_text()]
    assert all(not t.get_parse_math() and not t.get_usetex() for t in texts)
    drawn = svg_texts(fig)
    for text in expected:
        assert text in drawn, (text, drawn)


def test_a_run_with_math_like_labels_columns_and_folder_finishes_with_literal_figures(data):
    result = run("train", "c.yaml", "--out", FOLDER, "-q")
    assert result.exit_code == 0, result.output
    folder = data / FOLDER
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["status"] == "completed" and (folder / "report.html").is_file()
    assert {p.name for p in folder.glob("*.svg")} >= {"loss.svg", "confusion_matrix.svg", "decision_boundary.svg"}

    import xml.etree.ElementTree as ET

    from minimlp.report import classes, figures
    from minimlp.runs import read_curves
    from minimlp.runs.predictor import Predictor

    predictor = Predictor.load(folder / "model.npz")
    assert list(predictor.classes) == sorted(LABELS)
    matrix = ET.fromstring((folder / "confusion_matrix.svg").read_bytes())  # SVG text, no matplotlib: as written
    assert [t.text for t in matrix.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "row"] == sorted(LABELS)
    X = np.array([[0.5, -0.2], [-1.0, 0.3]])
    assert_plain(classes.decision_boundary_figure(predictor, X, np.array([0, 1])), *COLUMNS, *LABELS)
    assert_plain(figures.overlay({str(folder): read_curves(folder)}, "loss"), str(folder))
    assert run("plot", FOLDER, "-o", "p.svg").exit_code == 0


def test_a_run_that_failed_while_drawing_finishes_on_resume(data, monkeypatch):
    from minimlp.report import run_page

    def broken(*args):
        raise RuntimeError("drawing failed")

    with monkeypatch.context() as m:
        m.setattr(run_page, "write_figures", broken)
        failed = run("train", "c.yaml", "--out", FOLDER, "-q")
    assert failed.exit_code != 0 and not (data / FOLDER / "metrics.json").exists()
    result = run("train", "--resume", FOLDER, "-q")
    assert result.exit_code == 0, result.output
    assert json.loads((data / FOLDER / "metrics.json").read_text())["status"] == "completed"
    assert (data / FOLDER / "confusion_matrix.svg").is_file()
