"""`minimlp sweep`: combinations as run folders, joblib and Dask giving identical runs, failures recorded."""
import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimlp.cli import main
from minimlp.config import load_config
from minimlp.errors import ConfigError
from minimlp.runs import train_run
from minimlp.tools.sweep import parse_grid, plan

BASE = "name: s\ndata:\n  dataset: iris\nmodel:\n  hidden: [6]\ntrain:\n  epochs: 8\n  batch_size: 16\n"
GRID = ["--grid", "optimizer.lr=0.02,0.2", "--grid", "model.hidden=[6],[8,4]"]
NAMES = {"lr-0.02_hidden-6", "lr-0.02_hidden-8-4", "lr-0.2_hidden-6", "lr-0.2_hidden-8-4"}


@pytest.fixture
def cwd(cwd):
    """conftest's working folder, with the sweep's base config in it."""
    (cwd / "base.yaml").write_text(BASE)
    return cwd


def sweep(*args):
    return CliRunner().invoke(main, ["sweep", "base.yaml", *args], catch_exceptions=False)


def read_rows(folder):
    with open(folder / "sweep.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_grid_values_are_yaml_list_items():
    assert parse_grid("model.hidden=[16,16],[32]") == ("model.hidden", [[16, 16], [32]])
    assert parse_grid("optimizer.lr=0.1, 1e-3") == ("optimizer.lr", [0.1, 0.001])
    assert parse_grid("data.params.noise=0.1,0.3") == ("data.params.noise", [0.1, 0.3])
    with pytest.raises(ConfigError, match="did you mean optimizer.lr"):
        parse_grid("optimizer.lrr=0.1")
    with pytest.raises(ConfigError, match="not a valid YAML list"):
        parse_grid("model.hidden=[1,")
    assert {s.name for s in plan([parse_grid("optimizer.lr=0.02,0.2"), parse_grid("model.hidden=[6],[8,4]")])} == NAMES


def test_joblib_and_dask_sweeps_give_identical_runs(cwd):
    pytest.importorskip("dask.distributed")
    from dask.distributed import LocalCluster

    result = sweep(*GRID, "-j", "2", "--out", "local")
    assert result.exit_code == 0, result.output
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = sweep(*GRID, "--backend", "dask", "--scheduler", cluster.scheduler_address, "--out", "cluster")
    assert result.exit_code == 0, result.output
    for name in NAMES:
        assert (cwd / "local" / name / "model.npz").read_bytes() == (cwd / "cluster" / name / "model.npz").read_bytes()
    rows = read_rows(cwd / "local")
    assert {r["run"] for r in rows} == NAMES and all(r["status"] == "completed" for r in rows)
    assert list(rows[0])[:3] == ["run", "optimizer.lr", "model.hidden"]
    for r in rows:  # the varied values reached the runs
        config = load_config(cwd / "local" / r["run"] / "config.yaml")
        assert str(config.optimizer.lr) == r["optimizer.lr"] and str(config.model.hidden) == r["model.hidden"]
        assert r["best_val_loss"] and r["test_accuracy"] and r["epochs"] == "8"
    page = (cwd / "local/sweep.html").read_text()
    losses = sorted(rows, key=lambda r: float(r["best_val_loss"]))
    positions = [page.index(f">{r['run']}</a>") for r in losses]  # each run's link to its report
    assert positions == sorted(positions)
    assert page.count("<svg ") == 2  # loss and accuracy curves


def test_one_invalid_combination_is_recorded_and_the_sweep_goes_on(cwd):
    result = sweep("--grid", "optimizer.momentum=0.5,1.5", "-j", "2", "--out", "out")
    assert result.exit_code == 1
    rows = {r["run"]: r for r in read_rows(cwd / "out")}
    assert rows["momentum-0.5"]["status"] == "completed"
    assert rows["momentum-1.5"]["status"] == "failed"
    assert "optimizer.momentum must be in [0, 1), got 1.5" in rows["momentum-1.5"]["message"]
    assert "1 of 2 runs failed: momentum-1.5" in result.output


def test_rerunning_skips_complete_runs_and_continues_interrupted_ones(cwd):
    # one run finished, one interrupted mid-training, as a killed sweep would leave them
    finished = load_config(cwd / "base.yaml", ["optimizer.lr=0.02"])
    train_run(finished, cwd / "out/lr-0.02")
    stamp = (cwd / "out/lr-0.02/model.npz").stat().st_mtime_ns
    calls = {"n": 0}
    stopped = train_run(load_config(cwd / "base.yaml", ["optimizer.lr=0.2"]), cwd / "out/lr-0.2",
                        stop_requested=lambda: calls.__setitem__("n", calls["n"] + 1) or calls["n"] > 20)
    assert stopped.status == "interrupted"
    result = sweep("--grid", "optimizer.lr=0.02,0.2", "-j", "1", "--out", "out")
    assert result.exit_code == 0, result.output
    assert (cwd / "out/lr-0.02/model.npz").stat().st_mtime_ns == stamp  # skipped
    fresh = sweep("--grid", "optimizer.lr=0.02,0.2", "-j", "1", "--out", "fresh")
    assert fresh.exit_code == 0
    assert (cwd / "out/lr-0.2/model.npz").read_bytes() == (cwd / "fresh/lr-0.2/model.npz").read_bytes()


@pytest.mark.parametrize("args,message", [
    (["--grid", "optimizer.lrr=0.1"], "did you mean optimizer.lr"),
    (["--grid", "optimizer.lr"], "expected key.path=value1,value2"),
    (["--grid", "optimizer.lr=0.1", "--set", "train.epochs=0"], "train.epochs must be >= 1"),
    (["--grid", "optimizer.lr=0.1", "--scheduler", "tcp://x:1"], "--scheduler goes with --backend dask"),
])
def test_bad_sweep_requests_exit_2(cwd, args, message):
    result = CliRunner().invoke(main, ["sweep", "base.yaml", *args, "--out", "out"])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_rerunning_with_another_set_does_not_reuse_the_old_runs(cwd):
    assert sweep("--grid", "optimizer.lr=0.02", "--out", "out").exit_code == 0
    before = (cwd / "out/lr-0.02/model.npz").read_bytes()
    result = sweep("--grid", "optimizer.lr=0.02", "--set", "train.epochs=3", "--out", "out")
    assert result.exit_code == 2 and "lr-0.02: holds a run of another config" in result.output
    assert (cwd / "out/lr-0.02/model.npz").read_bytes() == before  # refused before anything ran
    again = sweep("--grid", "optimizer.lr=0.02", "--out", "out")
    assert again.exit_code == 0 and "completed earlier, skipped" in again.output


def test_a_folder_minimlp_did_not_make_is_never_touched(cwd):
    (cwd / "proj/lr-0.1").mkdir(parents=True)
    (cwd / "proj/lr-0.1/thesis.txt").write_text("draft")
    result = sweep("--grid", "optimizer.lr=0.1", "--out", "proj")
    assert result.exit_code == 2 and "proj/lr-0.1: already exists" in result.output
    assert [p.name for p in (cwd / "proj/lr-0.1").iterdir()] == ["thesis.txt"]
    assert (cwd / "proj/lr-0.1/thesis.txt").read_text() == "draft"
    assert not (cwd / "proj/sweep.csv").exists()


def test_a_sweep_csv_minimlp_did_not_write_is_not_overwritten(cwd):
    (cwd / "proj").mkdir()
    (cwd / "proj/sweep.csv").write_text("mine")
    result = sweep("--grid", "optimizer.lr=0.1", "--out", "proj")
    assert result.exit_code == 2 and "sweep.csv: already exists" in result.output
    assert (cwd / "proj/sweep.csv").read_text() == "mine"


def test_a_grid_key_given_twice_is_refused(cwd):
    result = sweep("--grid", "seed=0", "--grid", "seed=1", "--out", "out")
    assert result.exit_code == 2 and "--grid seed is given 2 times" in result.output
    assert not (cwd / "out").exists()


def test_an_own_run_killed_before_its_first_checkpoint_is_trained_again_in_place(cwd):
    assert sweep("--grid", "optimizer.lr=0.02", "--out", "ref").exit_code == 0
    run = cwd / "out/lr-0.02"  # what a kill before the first checkpoint leaves: lock, config, some history
    run.mkdir(parents=True)
    (run / ".minimlp.lock").write_text("")
    (run / "config.yaml").write_bytes((cwd / "ref/lr-0.02/config.yaml").read_bytes())
    (run / "history.csv").write_text("epoch,train_loss\n1,0.5\n")
    assert sweep("--grid", "optimizer.lr=0.02", "--out", "out").exit_code == 0
    assert (run / "model.npz").read_bytes() == (cwd / "ref/lr-0.02/model.npz").read_bytes()


def test_a_sweep_whose_runs_are_all_complete_starts_no_worker(cwd, monkeypatch):
    """Complete runs are read back in the sweep's own process: no worker start-up to pay."""
    from minimlp.tools import sweep as sweep_module

    assert sweep("--grid", "optimizer.lr=0.02,0.2", "-j", "2", "--out", "out").exit_code == 0
    first = (cwd / "out/sweep.csv").read_text()
    stamp = (cwd / "out/sweep.html").stat().st_mtime_ns
    dispatched = []
    real = sweep_module.execute
    monkeypatch.setattr(sweep_module, "execute", lambda tasks, *a: dispatched.append(dict(tasks)) or real(tasks, *a))
    again = sweep("--grid", "optimizer.lr=0.02,0.2", "-j", "2", "--out", "out")
    assert again.exit_code == 0 and again.output.count("completed earlier, skipped") == 2
    assert dispatched == [] and (cwd / "out/sweep.csv").read_text() == first
    page = cwd / "out/sweep.html"
    assert page.stat().st_mtime_ns == stamp  # nothing changed: the page was not drawn again
    page.unlink()  # a page that is gone is written again, though nothing ran
    assert sweep("--grid", "optimizer.lr=0.02,0.2", "-j", "2", "--out", "out").exit_code == 0
    assert "lr-0.2" in page.read_text()
    (cwd / "out/lr-0.2/metrics.json").unlink()  # one run unfinished again: only it goes to a worker
    assert sweep("--grid", "optimizer.lr=0.02,0.2", "-j", "2", "--out", "out").exit_code == 0
    assert [[Path(run_dir).name for _, run_dir in tasks.values()] for tasks in dispatched] == [["lr-0.2"]]
