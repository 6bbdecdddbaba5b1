"""predictions.csv is safe to open in a spreadsheet: cells starting with = + - @ tab or CR get a leading '
(OWASP's CSV-injection rule), plain numbers stay numbers, and predict --raw-labels writes labels as they are."""
import csv

import pytest
from helpers import run

from minimlp.csv_cells import safe_cell

CLUSTERS = {"=1+2": -12, "@SUM(A1)": 0, "-1": 12, "+cmd": 24}
CONFIG = ("data:\n  dataset: csv\n  path: {path}\n  target: label\nmodel:\n  hidden: [16]\n"
          "optimizer:\n  lr: 0.05\ntrain:\n  epochs: 60\n  batch_size: 8\n")


@pytest.mark.parametrize("text", ["=A1", "=1+2", "+cmd", "-cmd", "@SUM(A1)", "\tx", "\rx", "-", "+", "-inf",
                                  "-1+2", "-nan", "=", "-1,2"])
def test_a_cell_a_spreadsheet_would_evaluate_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-1", "-0.5", "+2", "+2.5", "-1e-3", "-.5", "1", "x=1", "a-b", "'=x", "", "proba_=x"])
def test_plain_numbers_and_other_text_stay_as_they_are(text):
    assert safe_cell(text) == text


@pytest.fixture(scope="module")
def train_csv(tmp_path_factory):
    folder = tmp_path_factory.mktemp("injection-data")
    with open(folder / "t.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x", "label"])
        for label, centre in CLUSTERS.items():
            w.writerows([centre + d / 10, label] for d in range(-10, 11))
    return folder / "t.csv"


@pytest.fixture
def formula_run(cwd, trained_runs, train_csv):
    trained_runs(CONFIG.format(path=train_csv), cwd / "run")
    with open(cwd / "new.csv", "w", newline="") as f:
        csv.writer(f).writerows([["x"], *([c] for c in CLUSTERS.values())])
    return cwd


def predictions(path):
    with open(path, newline="") as f:
        return [row["prediction"] for row in csv.DictReader(f)]


def test_predictions_csv_quotes_formula_labels_and_keeps_numbers(formula_run):
    result = run("predict", "run", "new.csv", "-o", "p.csv")
    assert result.exit_code == 0, result.output
    assert predictions(formula_run / "p.csv") == ["'=1+2", "'@SUM(A1)", "-1", "'+cmd"]


def test_raw_labels_writes_them_as_they_are(formula_run):
    result = run("predict", "run", "new.csv", "-o", "p.csv", "--raw-labels")
    assert result.exit_code == 0, result.output
    assert predictions(formula_run / "p.csv") == list(CLUSTERS)
