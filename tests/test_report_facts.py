"""What a run's page says about its inputs and its weights, and the compare/sweep pages' links to each run.

Column facts are checked against pandas reading the same file; the epoch whose weights model.npz holds
against a second run trained to exactly that epoch (the same weights bit for bit).
"""
import json
import re
from types import SimpleNamespace
from urllib.parse import unquote

import numpy as np
import pytest
from click.testing import CliRunner

from minimlp.cli import main
from minimlp.config import load_config
from minimlp.report.compare_page import report_link
from minimlp.runs.report_facts import held_weights

MARKET = ("name: market\ndata:\n  dataset: csv\n  path: market.csv\n  target: fruit\n  missing: impute\n"
          "  scaling: standard\n  missing_indicators: false\noptimizer:\n  name: sgd\n  lr: 0.05\n"
          "model:\n  hidden: [8]\ntrain:\n  epochs: 60\n  early_stopping: true\n  patience: 3\n  calibrate: false\n")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_market(path, rows=150):
    rng = np.random.default_rng(1)
    lines = ["weight,color,origin,fruit"]
    for i in range(rows):
        weight = "" if i % 17 == 0 else f"{100 + 40 * (i % 3) + rng.normal(0, 8):.1f}"
        color = "NA" if i % 23 == 0 else ("red", "green", "purple")[(i + (i % 5 == 0)) % 3]
        lines.append(f"{weight},{color},{('north', 'south', 'east', 'west')[i % 4]},{('apple', 'pear', 'plum')[i % 3]}")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def market(cwd):
    write_market(cwd / "market.csv")
    (cwd / "market.yaml").write_text(MARKET)
    assert run("train", "market.yaml", "--out", "m", "-q").exit_code == 0
    return cwd / "m"


def test_the_report_lists_each_column_its_kind_and_imputed_cells(market):
    import pandas as pd

    frame = pd.read_csv(market.parent / "market.csv")
    data = json.loads((market / "metrics.json").read_text())["data"]
    columns = {c["name"]: c for c in data["columns"]}
    assert list(columns) == ["weight", "color", "origin"]
    assert columns["weight"] == {"name": "weight", "kind": "numeric", "inputs": 9, "bins": 8,
                                 "imputed": int(frame["weight"].isna().sum())}  # its value and 8 piecewise-linear inputs
    for name in ("color", "origin"):
        assert columns[name]["kind"] == "one-hot"
        assert columns[name]["categories"] == columns[name]["inputs"] == frame[name].nunique()  # pandas: NA is missing
        assert columns[name]["imputed"] == int(frame[name].isna().sum())
    assert columns["color"]["imputed"] == 7 and columns["weight"]["imputed"] == 9
    assert data["column_kinds"] == {"numeric": 1, "one_hot": 2, "imputed_cells": 16}
    assert sum(c["inputs"] for c in columns.values()) == data["network_inputs"]
    page = (market / "report.html").read_text()
    assert "3 input columns: 1 numeric, 2 one-hot; 16 missing cells imputed" in page
    assert re.search(r"<td[^>]*>color</td><td[^>]*>one-hot, 3 categories</td><td[^>]*>3</td><td[^>]*>7</td>", page)
    assert re.search(r"<td[^>]*>weight</td><td[^>]*>numeric, 8 piecewise bins</td><td[^>]*>9</td><td[^>]*>9</td>", page)


def test_without_imputing_there_is_no_imputed_column(cwd):
    (cwd / "c.yaml").write_text("name: iris\ndata:\n  dataset: iris\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 2\n")
    assert run("train", "c.yaml", "--out", "r", "-q").exit_code == 0
    data = json.loads((cwd / "r/metrics.json").read_text())["data"]
    assert data["column_kinds"] == {"numeric": 4, "one_hot": 0, "imputed_cells": None}
    assert all("imputed" not in c for c in data["columns"])
    page = (cwd / "r/report.html").read_text()
    assert "4 input columns: 4 numeric, 0 one-hot</p>" in page and "imputed cells" not in page


def same_weights(a, b):
    from minimlp.runs.predictor import Predictor

    pa, pb = Predictor.load(a / "model.npz").net.params, Predictor.load(b / "model.npz").net.params
    return pa.dtype == pb.dtype and np.array_equal(pa, pb)


def test_a_restored_best_epoch_is_said_and_is_that_epochs_weights(market, cwd):
    metrics = json.loads((market / "metrics.json").read_text())
    best, epochs = metrics["best_epoch"], metrics["epochs_run"]
    assert metrics["status"] == "early_stopped" and best < epochs
    assert metrics["weights"] == {"epoch": best, "which": "best"}
    page = (market / "report.html").read_text()
    assert f'<div class="k">model weights</div><div class="v">epoch {best}</div><div class="sub">best, restored</div>' in page
    assert f"model.npz holds the weights of epoch {best} (best, restored)." in page
    # the same config trained to exactly the best epoch, without early stopping: the same weights
    assert run("train", "market.yaml", "--out", "upto", "-q", "--set", f"train.epochs={best}",
               "--set", "train.early_stopping=false").exit_code == 0
    assert same_weights(market, cwd / "upto")


def test_kept_last_weights_say_so_beside_a_different_best_epoch(cwd):
    write_market(cwd / "market.csv")
    (cwd / "market.yaml").write_text(MARKET)
    assert run("train", "market.yaml", "--out", "last", "-q", "--set", "train.restore_best=false").exit_code == 0
    metrics = json.loads((cwd / "last/metrics.json").read_text())
    best, epochs = metrics["best_epoch"], metrics["epochs_run"]
    assert best < epochs and metrics["weights"] == {"epoch": epochs, "which": "last"}
    page = (cwd / "last/report.html").read_text()
    assert f'<div class="k">best epoch</div><div class="v">{best}</div>' in page
    assert f'<div class="k">model weights</div><div class="v">epoch {epochs}</div><div class="sub">last</div>' in page
    assert f"model.npz holds the weights of epoch {epochs} (last); the validation loss was lowest at epoch {best}" in page
    assert run("train", "market.yaml", "--out", "upto", "-q", "--set", f"train.epochs={epochs}",
               "--set", "train.early_stopping=false").exit_code == 0
    assert same_weights(cwd / "last", cwd / "upto")


def test_a_diverged_run_says_its_weights_are_from_before_the_step(cwd):
    (cwd / "c.yaml").write_text("name: iris\ndata:\n  dataset: iris\nmodel:\n  hidden: [4]\noptimizer:\n  name: sgd\n"
                                "train:\n  epochs: 3\n")
    assert run("train", "c.yaml", "--out", "d", "-q", "--set", "optimizer.lr=1e12").exit_code == 1
    metrics = json.loads((cwd / "d/metrics.json").read_text())
    assert metrics["status"] == "diverged"
    assert metrics["weights"] == {"epoch": metrics["epochs_run"] + 1, "which": "diverged"}
    page = (cwd / "d/report.html").read_text()
    assert f"model.npz holds the weights of epoch {metrics['epochs_run'] + 1} (before the step that diverged)." in page


def result(status, epochs, best=None):
    return SimpleNamespace(status=status, history=[None] * epochs, best_epoch=best)


@pytest.mark.parametrize("sets,outcome,expected", [
    ([], result("completed", 50), {"epoch": 50, "which": "last"}),
    (["train.early_stopping=true"], result("early_stopped", 20, 8), {"epoch": 8, "which": "best"}),
    (["train.early_stopping=true"], result("completed", 50, 50), {"epoch": 50, "which": "best"}),
    (["train.early_stopping=true"], result("interrupted", 20, 8), {"epoch": 21, "which": "interrupted"}),
    (["train.early_stopping=true"], result("diverged", 20, 8), {"epoch": 8, "which": "best"}),
    (["train.early_stopping=true", "train.restore_best=false"], result("early_stopped", 20, 8), {"epoch": 20, "which": "last"}),
    ([], result("diverged", 3), {"epoch": 4, "which": "diverged"}),
    (["optimizer.name=lbfgs"], result("completed", 30), {"epoch": 30, "which": "last"}),
    (["optimizer.name=lbfgs"], result("interrupted", 0), {"epoch": 0, "which": "initial"}),
    (["optimizer.name=lbfgs"], result("diverged", 12), {"epoch": 0, "which": "initial"}),
])
def test_held_weights_follows_what_training_leaves(sets, outcome, expected):
    assert held_weights(load_config(None, sets), outcome) == expected


@pytest.mark.parametrize("name", ["plain", "a b", "a#1", "50%", "é"])
def test_report_links_are_relative_and_percent_encoded(tmp_path, name):
    run_dir = tmp_path / "runs" / name
    run_dir.mkdir(parents=True)
    (run_dir / "report.html").write_text("x")
    for page_dir in (tmp_path, tmp_path / "pages" / "deep", run_dir):
        href = report_link(page_dir, run_dir)
        assert not href.startswith("/") and "#" not in href and " " not in href
        assert (page_dir / unquote(href)).resolve() == (run_dir / "report.html").resolve()
    assert report_link(None, run_dir) == (run_dir / "report.html").as_uri()
    assert report_link(tmp_path, tmp_path / "runs") is None  # no report.html: no link


def test_compare_links_each_run_from_where_the_page_is_written(cwd):
    (cwd / "c.yaml").write_text("name: iris\ndata:\n  dataset: iris\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 2\n")
    for out in ("runs/a", "runs/b b"):
        assert run("train", "c.yaml", "--out", out, "-q").exit_code == 0
    (cwd / "out").mkdir()
    assert run("compare", "runs/a", "runs/b b", "-o", "out/c.html").exit_code == 0
    hrefs = re.findall(r'<a href="([^"]*)">([^<]*)</a>', (cwd / "out/c.html").read_text())
    assert sorted(hrefs) == [("../runs/a/report.html", "a"), ("../runs/b%20b/report.html", "b b")]
    stdout = run("compare", "runs/a", "runs/b b", "-o", "-").output
    assert f'<a href="{(cwd / "runs/a/report.html").as_uri()}">a</a>' in stdout


def test_sweep_page_links_finished_runs_and_its_csv_has_no_link_column(cwd):
    (cwd / "c.yaml").write_text("name: iris\ndata:\n  dataset: iris\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 2\n")
    result_ = run("sweep", "c.yaml", "--grid", "optimizer.momentum=0.5,1.5", "-j", "1", "--out", "sw")
    assert result_.exit_code == 1
    page = (cwd / "sw/sweep.html").read_text()
    assert re.findall(r'<a href="([^"]*)">', page) == ["momentum-0.5/report.html"]
    assert (cwd / "sw" / "momentum-0.5/report.html").is_file()
    assert "report" not in (cwd / "sw/sweep.csv").read_text().splitlines()[0]


def test_compare_table_of_many_keys_puts_them_in_one_column():
    from minimlp.report.compare_page import KEY_COLUMNS, compare_html

    keys = [f"k.{i}" for i in range(KEY_COLUMNS + 1)]
    rows = [{"run": r, **{k: i for i, k in enumerate(keys)}, "status": "completed", "test_accuracy": 0.5} for r in "ab"]
    page = compare_html("t", "i", keys, rows, {})
    assert '<th class="">differing config</th>' in page and '<span class="key">k.4:</span> 4' in page
    few = compare_html("t", "i", keys[:KEY_COLUMNS], rows, {})
    assert ">differing config</th>" not in few and '<th class="">k.<wbr>3</th>' in few
