"""`minimlp lr-find`: the range test's rates, losses and smoothing against independent computations,
its stopping rule, the CLI's files, and the suggestion against a grid on the shipped configs."""
from pathlib import Path

import numpy as np
import pytest

from helpers import run
from minimlp.config import load_config
from minimlp.runs.folder import prepare
from minimlp.tools.lr_find import lr_find

ROOT = Path(__file__).resolve().parent.parent


def test_rates_grow_geometrically_and_the_first_loss_is_the_initial_networks_cross_entropy():
    from sklearn.metrics import log_loss

    from minimlp.train.loop import shuffle_rng

    config = load_config(ROOT / "configs/iris.yaml")
    prepared = prepare(config)
    X, y = prepared.splits.X_train, prepared.splits.y_train
    first_rows = shuffle_rng(config.seed).permutation(len(X))[:config.train.batch_size]
    W = [(layer.W.astype(np.float64), layer.b.astype(np.float64)) for layer in prepared.net.dense]
    h = X[first_rows].astype(np.float64)
    for i, (w, b) in enumerate(W):  # the initial network by hand: relu between layers
        h = h @ w + b
        if i < len(W) - 1:
            h = np.maximum(h, 0)
    p = np.exp(h - h.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)

    result = lr_find(prepared, start_lr=1e-5, end_lr=1.0, steps=100)
    assert result.losses[0] == pytest.approx(log_loss(y[first_rows], p, labels=range(3)), rel=1e-5)
    lrs = np.array(result.lrs)
    assert lrs[0] == pytest.approx(1e-5)
    np.testing.assert_allclose(lrs[1:] / lrs[:-1], (1.0 / 1e-5) ** (1 / 99), rtol=1e-12)


def test_the_smoothed_loss_is_a_bias_corrected_moving_average_and_the_sweep_stops_at_4x_its_minimum():
    import pandas as pd

    result = lr_find(prepare(load_config(ROOT / "configs/moons.yaml")))
    expected = pd.Series(result.losses).ewm(alpha=0.02, adjust=True).mean().to_numpy()  # (1-β)-weighted, normalised
    np.testing.assert_allclose(result.smoothed, expected, rtol=1e-10)
    s = np.array(result.smoothed)
    running_min = np.minimum.accumulate(np.r_[np.full(5, np.inf), s[5:]])
    assert result.stopped.startswith("loss above 4x")
    assert s[-1] > 4 * running_min[-1] and np.all(s[:-1] <= 4 * running_min[:-1])
    k = 5 + int(np.argmin(s[5:]))
    assert result.min_lr == result.lrs[k] and result.suggestion == pytest.approx(result.lrs[k] / 3)


def test_the_same_config_gives_the_same_sweep_bit_for_bit():
    config = load_config(ROOT / "configs/digits.yaml")
    first, second = lr_find(prepare(config)), lr_find(prepare(config))
    assert first.losses == second.losses and first.suggestion == second.suggestion


@pytest.mark.slow
def test_the_suggestion_is_within_3x_of_the_best_grid_rate_on_6_of_the_8_offline_configs():
    """docs/lr-find.md's table (scripts/lr_find_table.py): best = the lowest validation loss of a 9-point log grid,
    on the columns as they are and without dropout (the table's conditions, before those defaults)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("lr_find_table", ROOT / "scripts/lr_find_table.py")
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    hits = 0
    names = ["breast_cancer", "circles", "digits", "fruit_csv", "fruit_market", "iris", "moons", "wine"]
    for name in names:
        config = load_config(ROOT / "configs" / f"{name}.yaml", ["data.piecewise_bins=0", "model.dropout=0"])
        suggestion = lr_find(prepare(config)).suggestion
        scores = [table.best_val_loss(load_config(ROOT / "configs" / f"{name}.yaml",
                                                  ["data.piecewise_bins=0", "model.dropout=0", f"optimizer.lr={float(lr)!r}"]))
                  for lr in table.GRID]
        best = table.GRID[int(np.argmin(scores))]
        hits += max(suggestion / best, best / suggestion) <= 3
    assert hits >= 6


def test_the_cli_prints_a_suggestion_writes_the_figure_and_no_run_folder(cwd):
    done = run("lr-find", ROOT / "configs/iris.yaml", "--steps", "80")
    assert done.exit_code == 0, done.output
    line = [x for x in done.output.splitlines() if x.startswith("suggested: --set optimizer.lr=")]
    assert len(line) == 1 and float(line[0].split("=")[1]) > 0
    # the figure and minimlp's index of its own outputs (so the same command may replace it), no run folder
    assert sorted(p.name for p in cwd.iterdir()) == [".minimlp-outputs", "iris-lr-find.svg"]
    assert (cwd / "iris-lr-find.svg").read_text().startswith("<?xml") and "learning rate" not in done.output.lower()


def test_the_cli_keeps_a_folder_only_when_asked_and_refuses_to_replace_a_file(cwd):
    done = run("lr-find", ROOT / "configs/iris.yaml", "--steps", "50", "-o", "f.svg", "--out", "kept")
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (cwd / "kept").iterdir()) == ["config.yaml", "lr_find.csv", "lr_find.svg"]
    rows = (cwd / "kept/lr_find.csv").read_text().splitlines()
    assert rows[0] == "lr,loss,smoothed_loss" and 7 <= len(rows) - 1 <= 50
    again = run("lr-find", ROOT / "configs/iris.yaml", "--steps", "50", "-o", "f.svg")
    assert again.exit_code == 0, again.output  # its own output, unchanged since: replaced
    (cwd / "f.svg").write_text("edited")
    again = run("lr-find", ROOT / "configs/iris.yaml", "--steps", "50", "-o", "f.svg")
    assert again.exit_code == 2 and "exists" in again.output and (cwd / "f.svg").read_text() == "edited"
    (cwd / "other").mkdir()
    (cwd / "other/mine.txt").write_text("mine")
    taken = run("lr-find", ROOT / "configs/iris.yaml", "-o", "g.svg", "--out", "other")
    assert taken.exit_code == 2 and not (cwd / "g.svg").exists()
    assert sorted(p.name for p in (cwd / "other").iterdir()) == ["mine.txt"]


@pytest.mark.parametrize("args,message", [
    (["--set", "optimizer.name=lbfgs"], "not lbfgs"),
    (["--start", "1", "--end", "0.1"], "0 < start < end"),
    (["--steps", "5"], "--steps"),
])
def test_bad_input_gets_one_message_and_exit_2(cwd, args, message):
    done = run("lr-find", ROOT / "configs/iris.yaml", *args)
    assert done.exit_code == 2 and message in done.output and "Traceback" not in done.output
    assert not list(cwd.iterdir())
