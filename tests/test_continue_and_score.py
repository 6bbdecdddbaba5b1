"""`minimlp evaluate RUN labelled.csv` and `minimlp train --resume RUN --epochs N` (issue 24, item 3)."""
import csv
import json

import numpy as np
import pandas as pd
import pytest
from helpers import run

from minimlp.config import load_config
from minimlp.data import load_dataset, split_indices
from minimlp.runs.predictor import Predictor

# val loss is lowest early and rises after (noisy labels, a wide layer): early stopping keeps an early epoch
NOISY = ("name: noisy\ndata: {dataset: classification, params: {n_samples: 300, n_features: 10, flip_y: 0.3}}\n"
         "model: {hidden: [64]}\noptimizer: {name: sgd, lr: 0.1, momentum: 0.9, schedule: step, step_size: 8, "
         "gamma: 0.5}\ntrain: {epochs: 20, early_stopping: true, patience: 100, checkpoint_every: 7}\n")


def history(folder):
    with open(folder / "history.csv", newline="") as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


def test_a_run_continued_from_20_to_30_epochs_equals_a_30_epoch_run(cwd):
    (cwd / "c.yaml").write_text(NOISY)
    assert run("train", "c.yaml", "--out", "a", "-q").exit_code == 0
    best = json.loads((cwd / "a" / "metrics.json").read_text())["best_epoch"]
    assert best < 20  # model.npz holds an early epoch's weights: the continuation must go on from epoch 20's
    result = run("train", "--resume", "a", "--epochs", "30")
    assert result.exit_code == 0, result.output
    assert ("continuing a from epoch 20 to 30: the weights, the optimizer's state (momentum), the lr schedule's "
            "position, the shuffling order and early stopping's best value and patience count carry over; "
            "history.csv gets epochs 21-30") in result.output
    assert run("train", "c.yaml", "--out", "b", "-q", "--set", "train.epochs=30").exit_code == 0
    assert (cwd / "a" / "model.npz").read_bytes() == (cwd / "b" / "model.npz").read_bytes()
    assert history(cwd / "a") == history(cwd / "b") and len(history(cwd / "a")) == 30
    assert load_config(cwd / "a" / "config.yaml").train.epochs == 30
    metrics = json.loads((cwd / "a" / "metrics.json").read_text())
    assert metrics["epochs_run"] == 30 and metrics["status"] == "completed"
    # and once more, from the continued run's own checkpoint
    assert run("train", "--resume", "a", "--epochs", "35", "-q").exit_code == 0
    assert len(history(cwd / "a")) == 35


def test_a_continuation_interrupted_midway_then_resumed_equals_the_longer_run(cwd):
    from minimlp.runs import resume_run

    (cwd / "c.yaml").write_text(NOISY)
    assert run("train", "c.yaml", "--out", "a", "-q").exit_code == 0
    assert run("train", "c.yaml", "--out", "b", "-q", "--set", "train.epochs=30").exit_code == 0
    calls = []

    def stop_midway():  # asked before each epoch and between batches: stops in epoch 26, between two batches
        calls.append(1)
        return len(calls) > 5 * 7 + 3

    result = resume_run(cwd / "a", stop_requested=stop_midway, epochs=30)
    assert result.status == "interrupted" and len(history(cwd / "a")) == 25
    assert result.message == "interrupted in epoch 26 after batch 3"
    assert json.loads((cwd / "a" / "metrics.json").read_text())["status"] == "interrupted"  # not "completed"
    result = run("train", "--resume", "a", "-q")  # a plain resume finishes it, to 30 epochs
    assert result.exit_code == 0, result.output
    assert (cwd / "a" / "model.npz").read_bytes() == (cwd / "b" / "model.npz").read_bytes()
    assert history(cwd / "a") == history(cwd / "b")


def test_a_schedule_laid_out_over_the_epochs_is_said_to_differ(cwd):
    (cwd / "c.yaml").write_text(NOISY.replace("schedule: step, step_size: 8, gamma: 0.5", "schedule: cosine")
                                .replace("early_stopping: true, ", ""))
    assert run("train", "c.yaml", "--out", "a", "-q").exit_code == 0
    before = history(cwd / "a")
    result = run("train", "--resume", "a", "--epochs", "30")
    assert result.exit_code == 0, result.output
    lr21, lr20 = 0.1 * (1 + np.cos(np.pi * 20 / 30)) / 2, 0.1 * (1 + np.cos(np.pi * 19 / 20)) / 2
    assert (f"optimizer.schedule cosine is laid out over train.epochs, now 30: epoch 21 gets lr {lr21:.4g} (epoch 20 "
            f"had {lr20:.4g}), and the result differs from a run trained 30 epochs from the start") in result.output
    after = history(cwd / "a")
    assert after[:20] == before and len(after) == 30  # appended, the first 20 kept as they were
    assert float(after[20]["lr"]) == pytest.approx(lr21, rel=1e-6)


@pytest.mark.parametrize("overrides,epochs,message", [
    ((), 20, "the run has 20 epochs already; --epochs 20 must be more to continue it"),
    (("optimizer.name=lbfgs", "optimizer.schedule=constant", "train.early_stopping=false"), 30,
     "an lbfgs run cannot be continued"),
    (("train.patience=2",), 30, "the run stopped early at epoch"),
])
def test_a_run_that_cannot_be_continued_is_refused_and_left_as_it_was(cwd, overrides, epochs, message):
    (cwd / "c.yaml").write_text(NOISY)
    sets = [arg for text in overrides for arg in ("--set", text)]
    assert run("train", "c.yaml", "--out", "a", "-q", *sets).exit_code == 0
    before = {p.name: p.read_bytes() for p in (cwd / "a").iterdir() if p.is_file()}
    result = run("train", "--resume", "a", "--epochs", epochs)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in (cwd / "a").iterdir() if p.is_file()} == before


def test_epochs_goes_with_resume(cwd):
    result = run("train", "--epochs", "30")
    assert result.exit_code == 2 and "--epochs goes with --resume RUN" in result.output


# --- evaluate RUN labelled.csv ----------------------------------------------------------------------------

TABLE = ("name: t\ndata: {dataset: csv, path: t.csv, target: fruit, missing: impute}\nmodel: {hidden: [8]}\n"
         "train: {epochs: 5}\n")


@pytest.fixture
def table_run(cwd):
    rng = np.random.default_rng(0)
    n = 150
    color = rng.choice(["red", "green", "blue"], n)
    weight = rng.normal(100, 10, n).round(2)
    fruit = np.where(color == "red", "cherry", np.where(weight > 100, "plum", "grape"))
    pd.DataFrame({"weight": weight, "color": color, "fruit": fruit}).to_csv(cwd / "t.csv", index=False)
    (cwd / "c.yaml").write_text(TABLE)
    assert run("train", "c.yaml", "--out", "run", "-q").exit_code == 0
    return cwd / "run"


def test_the_test_rows_as_a_file_score_as_evaluate_run_does(cwd, table_run):
    cfg = load_config(table_run / "config.yaml")
    dataset = load_dataset(cfg)
    test_rows = split_indices(dataset, cfg.data.test_size, cfg.data.val_size, cfg.seed)[2]
    frame = pd.read_csv(cwd / "t.csv").iloc[test_rows]
    frame[["fruit", "color", "weight"]].to_csv(cwd / "test.csv", index=False)  # another column order
    split = run("evaluate", table_run, "-o", "split.json")
    on_file = run("evaluate", table_run, "test.csv", "-o", "file.json")
    assert split.exit_code == 0 and on_file.exit_code == 0, on_file.output
    assert split.output.replace("split.json", "X") == on_file.output.replace("file.json", "X")
    split, on_file = (json.loads((cwd / name).read_text()) for name in ("split.json", "file.json"))
    assert split.pop("source").startswith("the test split of ") and on_file.pop("source").endswith("test.csv")
    assert split == on_file and on_file["rows"] == len(test_rows)


def test_a_new_labelled_file_scores_as_scikit_learn_computes_it(cwd, table_run):
    from sklearn.metrics import accuracy_score, f1_score, log_loss

    rng = np.random.default_rng(1)
    color = rng.choice(["red", "green", "blue", "purple"], 60)  # purple: never seen in training
    numbers = rng.normal(100, 10, 60).round(2)
    fruit = np.where(color == "red", "cherry", np.where(numbers > 100, "plum", "grape"))
    weight = numbers.astype(object)
    weight[3] = ""  # imputed as in training
    new = pd.DataFrame({"id": np.arange(60), "color": color, "weight": weight, "fruit": fruit})
    new.to_csv(cwd / "new.csv", index=False)
    result = run("evaluate", table_run, "new.csv", "-o", "scores.json")
    assert result.exit_code == 0, result.output
    assert "new.csv: ignoring column(s) the model does not use: 'id'" in result.output
    n_purple = int((color == "purple").sum())
    assert f"new.csv: {n_purple} of 60 rows had a category the model never saw" in result.output
    predictor = Predictor.load(table_run / "model.npz")
    proba = predictor.predict_proba(pd.read_csv(cwd / "new.csv", keep_default_na=False, dtype=str)[["weight", "color"]])
    truth = pd.read_csv(cwd / "new.csv")["fruit"].to_numpy()
    scores = json.loads((cwd / "scores.json").read_text())
    predicted = predictor.classes[proba.argmax(axis=1)]
    assert scores["test_accuracy"] == pytest.approx(accuracy_score(truth, predicted), abs=1e-12)
    assert scores["test_loss"] == pytest.approx(log_loss(truth, proba, labels=predictor.classes), rel=1e-5)
    assert scores["macro_f1"] == pytest.approx(f1_score(truth, predicted, average="macro", labels=predictor.classes,
                                                        zero_division=0), abs=1e-12)
    assert scores["rows"] == 60 and not (table_run / "scores.json").exists()


@pytest.mark.parametrize("text,args,message", [
    ("weight,color\n100,red\n", ("--target", "color"), "the label column 'color' (--target) is one of the model's"),
    ("weight,fruit\n100,plum\n", (), "missing feature column(s) 'color'"),
    ("weight,color,fruit\n100,red,kiwi\n", (), "class 'kiwi' is not one the model was trained on"),
    ("weight,color,label\n100,red,plum\n", (), "no column named 'fruit' for data.target"),
    ("weight,color,label\n100,red,plum\n", ("--target", "labl"), "no column named 'labl'"),
])
def test_a_labelled_file_that_cannot_be_scored_is_refused(cwd, table_run, text, args, message):
    (cwd / "new.csv").write_text(text)
    result = run("evaluate", table_run, "new.csv", *args, "-o", "s.json")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert not (cwd / "s.json").exists()


def test_evaluate_never_writes_into_the_run_folder(cwd, table_run):
    (cwd / "new.csv").write_text("weight,color,fruit\n100,red,cherry\n")
    before = sorted(p.name for p in table_run.iterdir())
    result = run("evaluate", table_run, "new.csv", "-o", table_run / "scores.json")
    assert result.exit_code == 2 and "minimlp never writes there" in result.output
    assert sorted(p.name for p in table_run.iterdir()) == before
