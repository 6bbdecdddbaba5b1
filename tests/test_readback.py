"""Run-folder files read back are validated: damaged metrics.json, history.csv or config.yaml end in exit 2
and a message naming the file, for every command that reads them (plot, sweep, --resume, evaluate)."""
import json
import re

import pytest
from click.testing import CliRunner
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from minimlp.cli import main
from minimlp.errors import RunFolderError
from minimlp.runs.readback import finished_status, read_curves, read_metrics

BASE = "name: s\ndata:\n  dataset: iris\nmodel:\n  hidden: [6]\ntrain:\n  epochs: 4\n  batch_size: 16\n"


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished sweep folder with one run: lr-0.1."""
    folder = tmp_path_factory.mktemp("done")
    (folder / "base.yaml").write_text(BASE)
    result = CliRunner().invoke(main, ["sweep", str(folder / "base.yaml"), "--grid", "optimizer.lr=0.1",
                                       "--out", str(folder / "sw"), "-j", "1"])
    assert result.exit_code == 0, result.output
    return folder / "sw" / "lr-0.1"


@pytest.fixture
def run(finished, tmp_path):
    """A fresh copy of the finished sweep (the run folder inside it)."""
    import shutil

    shutil.copytree(finished.parent, tmp_path / "sw")
    shutil.copy(finished.parent.parent / "base.yaml", tmp_path / "base.yaml")
    return tmp_path / "sw" / "lr-0.1"


DAMAGE = {
    "metrics.json": ["", "{", "[]", "null", '{"status": "completed"}', "nan", "[" * 100_000,
                     lambda m: {**m, "status": 7}, lambda m: {**m, "epochs_run": -1},
                     lambda m: {**m, "test_accuracy": "high"}, lambda m: {**m, "train_seconds": None}],
    "history.csv": ["", "garbage\n", "epoch,train_loss\n1,0.5\n", lambda h: h.replace("\n2,", "\n-2,", 1),
                    lambda h: h[: h.index("\n3,") + 5],  # cut inside a row lambda h: h.replace(",", ",x", 3), lambda h: h + "9,1,1,1,1,1,1\n",
                    lambda h: h.replace("\n1,", "\n1.5,", 1)],
    "config.yaml": ["", "name: [", "seed: -1\n", "model: 3\n", "\x00\x01"],
}
CASES = [(name, i) for name, damages in DAMAGE.items() for i in range(len(damages))]


def damage(run, name, how):
    path = run / name
    if callable(how):
        text = path.read_text()
        how = how(json.loads(text)) if name.endswith(".json") else how(text)
        how = json.dumps(how) if name.endswith(".json") else how
    path.write_text(how)


@pytest.mark.parametrize("name,index", CASES)
def test_a_damaged_run_file_stops_a_rerun_sweep_naming_it(run, name, index):
    damage(run, name, DAMAGE[name][index])
    result = CliRunner().invoke(main, ["sweep", str(run.parent.parent / "base.yaml"), "--grid", "optimizer.lr=0.1",
                                       "--out", str(run.parent), "-j", "1"])
    assert result.exit_code == 2 and str(run / name) in result.output and "Traceback" not in result.output
    assert (run / "model.npz").is_file()  # refused before anything ran: nothing was replaced


@pytest.mark.parametrize("index", range(len(DAMAGE["history.csv"])))
def test_plot_of_a_damaged_history_exits_2_naming_it(run, tmp_path, index):
    damage(run, "history.csv", DAMAGE["history.csv"][index])
    result = CliRunner().invoke(main, ["plot", str(run), "-o", str(tmp_path / "p.png")])
    assert result.exit_code == 2 and str(run / "history.csv") in result.output
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("index", range(len(DAMAGE["config.yaml"])))
def test_resume_and_evaluate_with_a_damaged_config_exit_2_naming_it(run, index):
    damage(run, "config.yaml", DAMAGE["config.yaml"][index])
    for args in (["train", "--resume", str(run)], ["evaluate", str(run)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and str(run / "config.yaml") in result.output, (args, result.output)


def test_the_undamaged_files_read_back_as_written(run):
    metrics = read_metrics(run)
    assert finished_status(run) == metrics["status"] == "completed" and metrics["epochs_run"] == 4
    curves = read_curves(run)
    assert curves["epoch"] == [1.0, 2.0, 3.0, 4.0]
    lines = (run / "history.csv").read_text().splitlines()[1:]
    assert curves["train_loss"] == [float(line.split(",")[1]) for line in lines]


@settings(max_examples=examples(150), deadline=None)
@given(data=st.data())
def test_random_damage_to_read_back_files_raises_only_run_folder_errors(finished, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    for name in ("metrics.json", "history.csv"):
        original = (finished / name).read_bytes()
        cut = data.draw(st.integers(0, len(original)))
        insert = data.draw(st.binary(max_size=20))
        (folder / name).write_bytes(original[:cut] + insert + original[cut + data.draw(st.integers(0, 20)):])
    for reader in (read_metrics, read_curves, finished_status):
        try:
            reader(folder)
        except RunFolderError as e:
            assert str(folder) in str(e) and len(str(e)) < 400


def _row(number, **cells):
    """history.csv text with data row ``number`` (1-based) changed cell by cell."""
    def change(text):
        lines = text.split("\n")
        values = dict(zip(lines[0].split(","), lines[number].split(",")))
        values.update(cells)
        lines[number] = ",".join(values.values())
        return "\n".join(lines)
    return change


# Damage the read-back used to let through (it had looser rules than the resume's reader): now one reader, one verdict.
LOOSER = {
    "epoch written as a float": (_row(1, epoch="1.0"), "line 2 is not a minimlp history row (expected epoch 1)"),
    "negative loss": (_row(2, train_loss="-1.0"), "line 3 is not a minimlp history row (train_loss must be a finite"),
    # a diverged run's inf/NaN losses are minimlp's own rows (issue 25); a NaN accuracy never is
    "not-a-number accuracy": (_row(2, train_acc="nan"), "line 3 is not a minimlp history row (train_acc must be a finite"),
    "one validation cell": (_row(3, val_acc=""), "line 4 is not a minimlp history row (val_loss and val_acc must both"),
    "Windows line ends": (lambda h: h.replace("\n", "\r\n"), "line 1 is not the header of a minimlp history file"),
    "an overlong row": (_row(1, seconds="0." + "1" * 300), "line 2 is not a minimlp history row (3"),
}


@pytest.mark.parametrize("case", LOOSER)
def test_resume_and_plot_read_history_with_one_reader_and_give_the_same_message(run, tmp_path, case):
    how, message = LOOSER[case]
    damage(run, "history.csv", how)
    resume = CliRunner().invoke(main, ["train", "--resume", str(run)])
    plot = CliRunner().invoke(main, ["plot", str(run), "-o", str(tmp_path / "p.png")])
    for result in (resume, plot):
        assert result.exit_code == 2 and f"{run / 'history.csv'}: {message}" in result.output, result.output
    assert not (tmp_path / "p.png").exists()
    with pytest.raises(RunFolderError, match=re.escape(message)):
        read_curves(run)


def test_a_history_cut_short_is_refused_when_read_back(run):
    damage(run, "history.csv", lambda h: h[:-1])  # the last row has lost its end of line: it may be cut short
    with pytest.raises(RunFolderError, match=r"line 5 is not a minimlp history row \(it has no end of line"):
        read_curves(run)


@pytest.mark.parametrize("text,message", [
    ('{"status": "completed", "test_loss": NaN}', r"not valid JSON \(NaN is not JSON"),
    (lambda m: {**m, "test_loss": "low"}, "test_loss must be a number >= 0 or null, got a str"),
    (lambda m: {k: v for k, v in m.items() if k != "test_loss"}, "has no 'test_loss'"),
    (lambda m: {**m, "best_epoch": -3}, "best_epoch must be an integer >= 0 or null"),
])
def test_metrics_are_read_by_one_strict_reader_for_sweep_and_compare(run, text, message):
    from minimlp.tools.compare import compare_runs

    damage(run, "metrics.json", text)
    with pytest.raises(RunFolderError, match=message):
        finished_status(run)  # a sweep's first look at a run folder
    with pytest.raises(RunFolderError, match=message):
        compare_runs([run])


def test_compare_reads_metrics_within_the_same_bound_as_a_sweep(run, monkeypatch):
    from minimlp.runs import readback
    from minimlp.tools.compare import compare_runs

    size = (run / "metrics.json").stat().st_size
    monkeypatch.setattr(readback, "MAX_METRICS_BYTES", size - 1)
    with pytest.raises(RunFolderError, match=f"{size:,} bytes, more than the {size - 1:,} a metrics file may have"):
        compare_runs([run])


def test_sweep_and_compare_give_the_same_row_as_the_files_say(run):
    """The row, computed here from metrics.json and history.csv with json and csv, is what both show."""
    import csv

    from minimlp.tools.compare import compare_runs
    from minimlp.tools.sweep_run import COLUMNS, summarize

    metrics = json.loads((run / "metrics.json").read_text())
    with open(run / "history.csv", newline="") as f:
        history = list(csv.DictReader(f))
    expected = {"status": "completed", "best_val_loss": min(float(r["val_loss"]) for r in history),
                "best_val_acc": max(float(r["val_acc"]) for r in history), "test_accuracy": metrics["test_accuracy"],
                "test_loss": metrics["test_loss"], "best_epoch": metrics["best_epoch"], "epochs": 4,
                "seconds": metrics["train_seconds"], "message": ""}
    _, rows, curves = compare_runs([run])
    assert rows == [{"run": run.name, **expected}]
    assert summarize(run) == {k: round(v, 3) if k == "seconds" else v for k, v in expected.items() if k in COLUMNS}
    assert curves[run.name]["val_loss"] == [float(r["val_loss"]) for r in history]
    with open(run.parent / "sweep.csv", newline="") as f:
        (written,) = csv.DictReader(f)
    assert written["best_val_loss"] == str(expected["best_val_loss"]) and written["epochs"] == "4"
