"""`minimlp` end to end through Click's CliRunner: run folders, errors, predict, evaluate, config show."""
import csv
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import accuracy_score

from minimlp.cli import main
from minimlp.config import load_config
from minimlp.data import load_dataset, split_indices
from minimlp.model import read_npz
from minimlp.runs.predictor import Predictor
from minimlp.train import HISTORY_COLUMNS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
IRIS = "name: iris-test\ndata:\n  dataset: iris\n  piecewise_bins: 0\nmodel:\n  hidden: [8]\ntrain:\n  epochs: 4\n  batch_size: 16\n"
MOONS = ("name: moons-test\ndata:\n  dataset: moons\n  params: {n_samples: 200, noise: 0.2}\n"
         "model:\n  hidden: [8]\ntrain:\n  epochs: 3\n")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def config_file(folder, text=IRIS, name="c.yaml"):
    path = folder / name
    path.write_text(text)
    return path


def read_history(run):
    with open(run / "history.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_train_leaves_a_complete_run_folder(cwd):
    result = invoke("train", config_file(cwd), "--out", "run")
    assert result.exit_code == 0, result.output
    run = cwd / "run"
    expected = {".minimlp.lock", "config.yaml", "history.csv", "metrics.json", "model.npz", "report.html",
                "checkpoint.npz", "loss.svg", "accuracy.svg", "confusion_matrix.svg"}
    assert {p.name for p in run.iterdir()} == expected  # no decision boundary: iris has 4 features
    for svg in run.glob("*.svg"):
        root = ET.fromstring(svg.read_bytes())  # well-formed, with lines or cells and text in it
        assert svg.read_bytes().startswith(b"<?xml") and root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.findall(".//{http://www.w3.org/2000/svg}polyline") or root.findall(".//{http://www.w3.org/2000/svg}rect")
        assert len(root.findall(".//{http://www.w3.org/2000/svg}text")) > 8
    history = read_history(run)
    assert list(history[0]) == list(HISTORY_COLUMNS) and [r["epoch"] for r in history] == ["1", "2", "3", "4"]
    metrics = json.loads((run / "metrics.json").read_text())
    for key in ("test_accuracy", "test_loss", "per_class", "confusion_matrix", "epochs_run", "train_seconds", "n_params"):
        assert key in metrics
    assert metrics["epochs_run"] == 4 and metrics["n_params"] == 4 * 8 + 8 + 8 * 3 + 3
    assert set(metrics["per_class"]) == {"setosa", "versicolor", "virginica"}
    page = (run / "report.html").read_text()
    assert page.count("<svg ") == 3 and "iris-test" in page and "setosa" in page
    assert "epoch 4/4" in result.output and "run folder: run" in result.output


def test_metrics_equal_the_saved_model_re_evaluated(cwd):
    invoke("train", config_file(cwd), "--out", "run")
    metrics = json.loads((cwd / "run/metrics.json").read_text())
    predictor = Predictor.load(cwd / "run/model.npz")
    config = load_config(cwd / "run/config.yaml")
    dataset = load_dataset(config)
    _, _, test = split_indices(dataset, config.data.test_size, config.data.val_size, config.seed)
    predicted = predictor.predict(dataset.X[test])
    assert metrics["test_accuracy"] == accuracy_score(dataset.classes[dataset.y[test]], predicted)
    from sklearn.metrics import confusion_matrix
    assert metrics["confusion_matrix"] == confusion_matrix(dataset.y[test], predictor.net.predict(predictor.transform(dataset.X[test]))).tolist()
    out = invoke("evaluate", "run").output
    assert f"test accuracy  {metrics['test_accuracy']:.4f}" in out and f"test loss      {metrics['test_loss']:.4f}" in out


def test_decision_boundary_for_two_feature_data(cwd):
    assert invoke("train", config_file(cwd, MOONS), "--out", "run", "--quiet").exit_code == 0
    assert b"<svg" in (cwd / "run/decision_boundary.svg").read_bytes()
    assert (cwd / "run/report.html").read_text().count("<svg ") == 4


def test_set_overrides_reach_the_saved_config_and_the_run(cwd):
    result = invoke("train", config_file(cwd), "--out", "run", "-q", "--set", "train.epochs=2",
                    "--set", "model.hidden=[5, 4]", "--set", "optimizer.schedule=cosine", "--set", "data.val_size=0")
    assert result.exit_code == 0 and result.output == "run\n"  # -q: only the run folder
    saved = load_config(cwd / "run/config.yaml")
    assert (saved.train.epochs, saved.model.hidden, saved.optimizer.schedule) == (2, [5, 4], "cosine")
    history = read_history(cwd / "run")
    assert len(history) == 2 and all(r["val_loss"] == r["val_acc"] == "" and r["train_loss"] for r in history)
    assert Predictor.load(cwd / "run/model.npz").net.sizes == [4, 5, 4, 3]


def test_same_config_and_seed_give_bit_identical_runs(cwd):
    for out in ("a", "b"):
        invoke("train", config_file(cwd), "--out", out, "-q")
    a, b = read_npz(cwd / "a/model.npz"), read_npz(cwd / "b/model.npz")
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    strip = [{k: v for k, v in row.items() if k != "seconds"} for row in read_history(cwd / "a")]
    assert strip == [{k: v for k, v in row.items() if k != "seconds"} for row in read_history(cwd / "b")]
    assert (cwd / "a/model.npz").read_bytes() == (cwd / "b/model.npz").read_bytes()


@pytest.mark.parametrize("text,overrides,message", [
    ("optimizer:\n  lr: -1\n", [], "optimizer.lr must be > 0, got -1.0"),
    ("optimizer:\n  lrr: 0.1\n", [], "did you mean optimizer.lr?"),
    ("model:\n  activation: gelu\n", [], "relu, leaky_relu, tanh, sigmoid, identity"),
    ("train:\n  batch_size: true\n", [], "train.batch_size must be an integer, got true"),
    ("data:\n  dataset: moons\n  params: {n_samples: -3}\n", [], "data.params"),
    ("data:\n  dataset: csv\n  path: missing.csv\n", [], "missing.csv: no such file"),
    ("a: [\n", [], "invalid YAML at line 2"),
    ("", [], "the file is empty"),
    ("{}\n", ["data.test_size=0.9", "data.val_size=0.2"], "data.val_size plus data.test_size"),
])
def test_bad_config_exits_2_with_one_message_and_no_run_folder(cwd, text, overrides, message):
    path = config_file(cwd, text)
    sets = [a for o in overrides for a in ("--set", o)]
    result = CliRunner().invoke(main, ["train", str(path), "--out", "run", *sets])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert result.output.count("Error") == 1
    assert not (cwd / "run").exists() and not (cwd / "runs").exists()


def test_missing_config_file(cwd):
    result = CliRunner().invoke(main, ["train", "nope.yaml"])
    assert result.exit_code == 2 and "nope.yaml" in result.output and "does not exist" in result.output


def test_out_folder_holding_files_is_refused(cwd):
    (cwd / "run").mkdir()
    (cwd / "run/notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["train", str(config_file(cwd)), "--out", "run"])
    assert result.exit_code == 2 and "already exists" in result.output
    assert [p.name for p in (cwd / "run").iterdir()] == ["notes.txt"]


def test_default_config_trains_digits_into_runs(cwd):
    result = invoke("train", "--set", "train.epochs=1", "--set", "model.hidden=[8]")
    assert result.exit_code == 0, result.output
    (run,) = (cwd / "runs").iterdir()
    assert run.name.startswith("digits-") and (run / "report.html").exists()
    assert load_config(run / "config.yaml").data.dataset == "digits"


def test_predict_on_a_csv_with_text_labels(cwd):
    rng = np.random.default_rng(0)
    rows = [(x, y, "big" if x + y > 0 else "small") for x, y in rng.standard_normal((120, 2))]
    with open(cwd / "train.csv", "w", newline="") as f:
        csv.writer(f).writerows([("x", "y", "size"), *rows])
    text = ("data:\n  dataset: csv\n  path: train.csv\n  target: size\nmodel:\n  hidden: [8]\noptimizer:\n  name: sgd\n"
            "  lr: 0.05\ntrain:\n  epochs: 20\n")
    assert invoke("train", config_file(cwd, text), "--out", "run", "-q").exit_code == 0
    with open(cwd / "new.csv", "w", newline="") as f:
        csv.writer(f).writerows([("y", "x"), (1.0, 2.0), (-2.0, -1.5)])  # columns found by name, any order
    result = invoke("predict", "run", "new.csv", "-o", "out.csv")
    assert result.exit_code == 0, result.output
    with open(cwd / "out.csv", newline="") as f:
        out = list(csv.DictReader(f))
    assert list(out[0]) == ["prediction", "proba_big", "proba_small"]
    assert [r["prediction"] for r in out] == ["big", "small"]
    for r in out:
        assert float(r["proba_big"]) + float(r["proba_small"]) == pytest.approx(1, abs=1e-6)
    predictor = Predictor.load(cwd / "run/model.npz")
    np.testing.assert_allclose([float(r["proba_big"]) for r in out], predictor.predict_proba([[2.0, 1.0], [-1.5, -2.0]])[:, 0])


def test_predict_errors(cwd):
    invoke("train", config_file(cwd), "--out", "run", "-q")
    (cwd / "bad.csv").write_text("sepal length (cm),petal width (cm)\n1,2\n")
    result = CliRunner().invoke(main, ["predict", "run", "bad.csv", "-o", "out.csv"])
    assert result.exit_code == 2 and "missing feature column(s) 'sepal width (cm)'" in result.output
    (cwd / "empty").mkdir()
    result = CliRunner().invoke(main, ["predict", "empty", "bad.csv", "-o", "out.csv"])
    assert result.exit_code == 2 and "no model.npz" in result.output
    assert not (cwd / "out.csv").exists()


def test_config_show_prints_the_resolved_config(cwd):
    result = invoke("config", "show", config_file(cwd), "--set", "optimizer.lr=0.5")
    assert result.exit_code == 0
    (cwd / "shown.yaml").write_text(result.output)
    assert load_config(cwd / "shown.yaml") == load_config(config_file(cwd), ["optimizer.lr=0.5"])
    assert "lr: 0.5" in result.output and "hidden: [8]" in result.output


def test_plot_overlays_runs(cwd):
    for out, lr in (("a", 0.05), ("b", 0.2)):
        invoke("train", config_file(cwd), "--out", out, "-q", "--set", f"optimizer.lr={lr}")
    result = invoke("plot", "a", "b", "-o", "both.png")
    assert result.exit_code == 0 and (cwd / "both.png").read_bytes().startswith(PNG_MAGIC)


def test_datasets_lists_every_name():
    out = invoke("datasets").output
    for name in ("iris", "digits", "wine", "breast_cancer", "moons", "circles", "blobs", "classification",
                 "gaussian_quantiles", "csv"):
        assert f"{name}:" in out
    assert "make_moons(n_samples=100" in out


def every_command(group=main, path=()):
    """Every command path, from the groups' own registries (list_commands / get_command), so a command
    that loads lazily, or that another change adds, is enumerated without being named here."""
    import click

    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"'{' '.join((*path, name))}' is listed but does not load"
        yield [*path, name]
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))


COMMAND_PATHS = list(every_command())


def test_help_test_sees_every_registered_command():
    """The parametrised help test below checks what every_command finds: every name of the lazy
    registry, and no command registered on the group but missing from it."""
    from minimlp.cli.group import COMMANDS

    top = {path[0] for path in COMMAND_PATHS}
    assert top == set(COMMANDS) and len(top) >= 10
    assert set(main.commands) <= set(COMMANDS), f"registered but not in COMMANDS: {set(main.commands) - set(COMMANDS)}"
    assert ["config", "show"] in COMMAND_PATHS


def help_examples(text):
    """The lines of the 'Example:' / 'Examples:' block of a help text (empty when there is none)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() in ("Example:", "Examples:"):
            block = []
            for following in lines[i + 1:]:
                if not following.strip():
                    break
                block.append(following.strip())
            return block
    return []


@pytest.mark.parametrize("command", COMMAND_PATHS, ids=" ".join)
def test_every_command_has_help_with_an_example(command):
    result = invoke(*command, "-h")
    assert result.exit_code == 0, result.output
    examples = help_examples(result.output)
    prefix = " ".join(["minimlp", *command])
    assert examples, f"'{prefix} -h' has no Example(s): block"
    runs_it = re.compile(rf"(^|[\s(=]){re.escape(prefix)}(\s|$)")
    assert any(runs_it.search(line) for line in examples), f"'{prefix} -h': no example runs '{prefix}': {examples}"


def test_help_examples_reads_the_block():
    text = "Usage: x\n\n  Does x.\n\n  Examples:\n    minimlp x a\n    minimlp x b\n\nOptions:\n  -h\n"
    assert help_examples(text) == ["minimlp x a", "minimlp x b"]
    assert help_examples("Usage: x\n\n  For example, do x.\n") == []


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and "minimlp, version" in result.output


def test_bench_help_names_its_contenders():
    result = invoke("bench", "-h")
    assert result.exit_code == 0 and "scikit-learn" in result.output and "--threads" in result.output
