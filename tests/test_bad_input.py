"""Every bad input a user can give the CLI: exit code 2, one message naming the culprit, no traceback,
no run folder left behind. And divergence: exit 1, last good weights, history and report kept."""
import dataclasses
import json
import os
import typing

import numpy as np
import pytest
from helpers import run

from minimlp.config import SECTIONS, Config
from minimlp.runs.predictor import Predictor

IRIS = "data:\n  dataset: iris\nmodel:\n  hidden: [6]\ntrain:\n  epochs: 2\n"


def assert_input_error(result, *culprits):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.output.count("Error:") == 1
    for culprit in culprits:
        assert culprit in result.output, result.output


def every_key():
    """(path, field type) for every config key."""
    for f in dataclasses.fields(Config):
        if f.name in SECTIONS:
            hints = typing.get_type_hints(SECTIONS[f.name])
            yield from ((f"{f.name}.{name}", hint) for name, hint in hints.items())
        else:
            yield f.name, f.type


def wrong_values(hint):
    """Values of the wrong type for a field of type ``hint``."""
    if hint is bool:
        return ["yes please", 1, [True]]
    if hint in (int, float):
        return [True, "12", [1], {"a": 1}] + ([2.5] if hint is int else [])
    if hint is dict:
        return [[1, 2], "a", 3]
    if hint == typing.List[int]:
        return ["wide", [1.5], {"a": 1}]
    return [3, [1], {"a": 1}] + ([None] if hint is str else [])


@pytest.mark.parametrize("path,value", [(path, value) for path, hint in every_key() for value in wrong_values(hint)])
def test_a_wrong_type_at_every_key(cwd, path, value):
    section, _, key = path.rpartition(".")
    text = json.dumps({section: {key: value}} if section else {key: value})
    (cwd / "bad.yaml").write_text(text)
    result = run("train", "bad.yaml", "--out", "run")
    assert_input_error(result, "bad.yaml", path)
    assert not (cwd / "run").exists()


@pytest.mark.parametrize("csv_text,culprit", [
    ("", "the file is empty"),
    ("a,b,label\n", "has a header but no data rows"),
    ("a,b,label\n1,2,x\n3,,y\n" + "5,6,x\n" * 20, "empty cell in column 'b', line 3"),
    ("a,b,label\n1,2,x\n3,nan,y\n" + "5,6,y\n" * 20, "column 'b', line 3: 'nan'"),
    ("a,b,label\n1,2,x\n3,inf,y\n" + "5,6,y\n" * 20, "column 'b', line 3: 'inf'"),
    ("a,b,label\n1,2,x\n3,blue,y\n" + "5,6,y\n" * 20, "column 'b', line 3: 'blue' is not a number"),
    ("a,b,tag\n1,2,x\n3,4,y\n", "no column named 'label'"),
    ("a,b,label\n" + "1,2,x\n" * 20, "one class only"),
    ("a,b,label\n1,2,x\n3,4,y\n5,6,x\n", "too few for a stratified split"),
])
def test_bad_csv_data(cwd, csv_text, culprit):
    (cwd / "d.csv").write_text(csv_text)
    (cwd / "c.yaml").write_text("data:\n  dataset: csv\n  path: d.csv\n  target: label\n")
    assert_input_error(run("train", "c.yaml", "--out", "run"), "d.csv", culprit)
    assert not (cwd / "run").exists() and not (cwd / "runs").exists()


def test_missing_csv_file(cwd):
    (cwd / "c.yaml").write_text("data:\n  dataset: csv\n  path: nowhere.csv\n")
    assert_input_error(run("train", "c.yaml", "--out", "run"), "nowhere.csv: no such file")
    assert not (cwd / "run").exists()


@pytest.fixture
def trained(cwd, trained_runs):
    (cwd / "c.yaml").write_text(IRIS)
    return trained_runs(IRIS, cwd / "run")  # trained once per session, copied: each test may damage its copy


@pytest.mark.parametrize("damage", ["truncate", "garbage", "object_array", "wrong_shape"])
def test_damaged_model_files_are_refused_by_predict_and_evaluate(cwd, trained, damage):
    path = trained / "model.npz"
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"PK\x03\x04" + bytes(range(200)))
    else:
        arrays = dict(np.load(path, allow_pickle=False))
        if damage == "object_array":
            arrays["extra.classes"] = np.array([object(), "x", "y"], dtype=object)
        else:
            arrays["params"] = arrays["params"][:-3]
        with open(path, "wb") as f:
            np.savez(f, **arrays)
    (cwd / "in.csv").write_text("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n1,2,3,4\n")
    assert_input_error(run("predict", trained, "in.csv", "-o", "out.csv"), "model.npz")
    assert_input_error(run("evaluate", trained), "model.npz")
    assert not (cwd / "out.csv").exists()


@pytest.mark.parametrize("text,culprit", [
    ("sepal length (cm),sepal width (cm),petal length (cm)\n1,2,3\n", "missing feature column(s) 'petal width (cm)'"),
    ("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n1,2,x,4\n", "'x' is not a number"),
    ("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n1,2,3\n", "line 2 has 3 cells"),
    ("", "the file is empty"),
])
def test_bad_predict_input(cwd, trained, text, culprit):
    (cwd / "in.csv").write_text(text)
    assert_input_error(run("predict", trained, "in.csv", "-o", "out.csv"), "in.csv", culprit)
    assert not (cwd / "out.csv").exists()


def test_folders_that_are_not_runs(cwd):
    (cwd / "empty").mkdir()
    (cwd / "in.csv").write_text("a\n1\n")
    assert_input_error(run("predict", "empty", "in.csv", "-o", "o.csv"), "no model.npz")
    assert_input_error(run("evaluate", "empty"), "no model.npz")
    assert_input_error(run("plot", "empty", "-o", "p.png"), "no history.csv")


def test_divergence_exits_1_keeping_finite_weights_history_and_report(cwd):
    (cwd / "c.yaml").write_text(IRIS.replace("epochs: 2", "epochs: 30") + "optimizer:\n  name: sgd\n  lr: 1.0e12\n")
    result = run("train", "c.yaml", "--out", "run", "-q")
    assert result.exit_code == 1
    assert "diverged in epoch" in result.output and "lower optimizer.lr" in result.output
    assert "Traceback" not in result.output
    predictor = Predictor.load(cwd / "run/model.npz")
    assert np.all(np.isfinite(predictor.net.params))
    metrics = json.loads((cwd / "run/metrics.json").read_text())
    assert metrics["status"] == "diverged" and metrics["epochs_run"] < 30
    assert (cwd / "run/history.csv").read_text().count("\n") == metrics["epochs_run"] + 1
    assert (cwd / "run/report.html").exists()
    again = run("train", "--resume", "run")
    assert again.exit_code == 1 and "already finished" in again.output


@pytest.mark.parametrize("sets,message", [
    (["optimizer.lr=1" + "0" * 400], "optimizer.lr must be a finite number"),
    (["model.hidden=[100000000000000000000]"], "more than the 4.0 GiB a minimlp model file may hold"),
    (["model.hidden=[1000000,1000000]"], "(3.6 TiB), more than the 4.0 GiB a minimlp model file may hold"),
])
def test_absurd_sizes(cwd, sets, message):
    (cwd / "c.yaml").write_text(IRIS)
    args = [a for s in sets for a in ("--set", s)]
    assert_input_error(run("train", "c.yaml", "--out", "run", *args), message)
    assert not (cwd / "run").exists()


def test_predict_into_a_missing_folder_names_the_target(cwd, trained):
    (cwd / "in.csv").write_text("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n1,2,3,4\n")
    assert_input_error(run("predict", trained, "in.csv", "-o", "nodir/out.csv"), "nodir/out.csv", "does not exist")


def test_model_with_scalar_class_array_is_refused(cwd, trained):
    path = trained / "model.npz"
    arrays = dict(np.load(path, allow_pickle=False))
    arrays["extra.classes"] = np.array("setosa")
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    assert_input_error(run("evaluate", trained), "model.npz")


def test_special_files_are_refused_without_reading(cwd):
    """A FIFO would block the reader for ever and /dev/zero would never end: both are refused at once."""
    os.mkfifo(cwd / "pipe.yaml")
    assert_input_error(run("train", "pipe.yaml"), "pipe.yaml", "not a regular file")
    (cwd / "zero.yaml").write_text("data:\n  dataset: csv\n  path: /dev/zero\n")
    assert_input_error(run("train", "zero.yaml", "--out", "run"), "/dev/zero", "not a regular file")
    assert not (cwd / "run").exists()


def test_oversized_config_is_refused_before_parsing(cwd):
    from minimlp.config.loading import MAX_CONFIG_BYTES
    (cwd / "big.yaml").write_text("#" * (MAX_CONFIG_BYTES + 1))
    assert_input_error(run("train", "big.yaml"), "big.yaml", f"{MAX_CONFIG_BYTES:,}")
