"""Run-folder files read back are validated: damaged metrics.json, history.csv or config.yaml end in exit 2
and a message naming the file, for every command that reads them (plot, sweep, --resume, evaluate)."""
import json

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
