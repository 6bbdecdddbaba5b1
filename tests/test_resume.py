"""Interruptions: checkpoints, SIGKILL/SIGINT/SIGTERM on a real process, and --resume continuing exactly."""
import csv
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import wait_for

from minimlp.runs import checkpoint
from minimlp.cli import main
from minimlp.config import load_config
from minimlp.model import read_npz
from minimlp.runs import prepare, resume_run, train_run
from minimlp.train import make_optimizer

# ~500 batches an epoch: long enough that a signal lands mid-epoch, short enough for CI.
SLOW = ("name: slow\nseed: 3\ndata:\n  dataset: classification\n  params: {n_samples: 20000, n_features: 20, "
        "n_informative: 8, n_classes: 4}\nmodel:\n  hidden: [48]\noptimizer:\n  name: sgd\n  lr: 0.05\n  nesterov: true\n  "
        "schedule: cosine\n  weight_decay: 0.0001\ntrain:\n  epochs: 25\n  batch_size: 32\n  checkpoint_every: 2\n"
        "  early_stopping: true\n  patience: 50\n")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The run that was never interrupted."""
    folder = tmp_path_factory.mktemp("ref")
    (folder / "slow.yaml").write_text(SLOW)
    train_run(load_config(folder / "slow.yaml"), folder / "run")
    return folder / "run"


def history_without_seconds(run):
    with open(run / "history.csv", newline="") as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


def assert_same_run(run, reference):
    assert (run / "model.npz").read_bytes() == (reference / "model.npz").read_bytes()
    assert history_without_seconds(run) == history_without_seconds(reference)


def start(tmp_path):
    (tmp_path / "slow.yaml").write_text(SLOW)
    return subprocess.Popen([sys.executable, "-m", "minimlp", "train", "slow.yaml", "--out", "run", "-q"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)



def rows(run):
    path = run / "history.csv"
    return path.read_text().count("\n") - 1 if path.exists() else 0


def resume(run):
    return subprocess.run([sys.executable, "-m", "minimlp", "train", "--resume", str(run), "-q"],
                          capture_output=True, text=True)


def test_sigkill_after_a_checkpoint_then_resume_equals_the_uninterrupted_run(tmp_path, reference):
    process = start(tmp_path)
    run = tmp_path / "run"
    wait_for(lambda: (run / "checkpoint.npz").exists() and rows(run) >= 5, process)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert (run / "history.csv").read_text().endswith("\n")  # no torn line
    config = load_config(run / "config.yaml")  # the files left behind are whole and load
    prepared = prepare(config)
    state, status = checkpoint.load(run / "checkpoint.npz", prepared.net, make_optimizer(prepared.net, config.optimizer),
                                    config.train, len(prepared.splits.X_train))
    assert status == "running" and state.epoch % 2 == 0 and state.epoch >= 2 and rows(run) >= state.epoch
    result = resume(run)
    assert result.returncode == 0, result.stderr
    assert_same_run(run, reference)


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_sigint_and_sigterm_save_a_checkpoint_and_resume_continues_exactly(tmp_path, reference, signum, code):
    process = start(tmp_path)
    run = tmp_path / "run"
    wait_for(lambda: rows(run) >= 3, process)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    assert process.returncode == code, err
    assert "checkpoint saved" in err and "--resume" in err and "Traceback" not in err
    for name in ("checkpoint.npz", "model.npz", "metrics.json", "report.html", "history.csv"):
        assert (run / name).exists()
    meta = read_npz(run / "checkpoint.npz")
    assert '"status": "interrupted"' in str(meta["meta"])
    result = resume(run)
    assert result.returncode == 0, result.stderr
    assert_same_run(run, reference)


def test_in_process_interrupt_at_every_kind_of_point_then_resume(tmp_path, reference):
    for stop_at in (1, 700, 1025):  # before epoch 1, mid-epoch 2, around an epoch boundary
        calls = {"n": 0}

        def stop():
            calls["n"] += 1
            return calls["n"] >= stop_at

        (tmp_path / "slow.yaml").write_text(SLOW)
        run = tmp_path / f"run{stop_at}"
        first = train_run(load_config(tmp_path / "slow.yaml"), run, stop_requested=stop)
        assert first.status == "interrupted"
        second = resume_run(run)
        assert second.status == "early_stopped" or second.status == "completed"
        assert_same_run(run, reference)


def test_resuming_a_finished_run_changes_nothing(tmp_path, reference):
    before = {p.name: p.read_bytes() for p in reference.iterdir()}
    result = CliRunner().invoke(main, ["train", "--resume", str(reference)])
    assert result.exit_code == 0 and "already finished" in result.output
    assert {p.name: p.read_bytes() for p in reference.iterdir()} == before


@pytest.mark.parametrize("args,message", [
    (["configs/iris.yaml", "--resume", "{run}"], "takes no CONFIG"),
    (["--resume", "{empty}"], "no config.yaml in this folder"),
])
def test_bad_resume_requests(tmp_path, reference, args, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs/iris.yaml").write_text("name: iris\n")
    os.chdir(tmp_path)
    args = [a.format(run=reference, empty=tmp_path / "empty") for a in args]
    result = CliRunner().invoke(main, ["train", *args])
    assert result.exit_code == 2 and message in result.output


def test_damaged_checkpoint_is_refused(tmp_path, reference):
    import shutil
    run = tmp_path / "run"
    shutil.copytree(reference, run)
    data = (run / "checkpoint.npz").read_bytes()
    (run / "checkpoint.npz").write_bytes(data[: len(data) // 3])
    result = CliRunner().invoke(main, ["train", "--resume", str(run)])
    assert result.exit_code == 2 and "checkpoint.npz" in result.output and "Traceback" not in result.output


def test_stopped_while_writing_the_outputs_resume_writes_them(tmp_path, reference, monkeypatch):
    import minimlp.runs.folder

    (tmp_path / "slow.yaml").write_text(SLOW)
    real = minimlp.runs.folder.finish_run

    def killed(*args):  # e.g. a second Ctrl-C while the plots are drawn
        monkeypatch.setattr(minimlp.runs.folder, "finish_run", real)
        raise KeyboardInterrupt

    monkeypatch.setattr(minimlp.runs.folder, "finish_run", killed)
    with pytest.raises(KeyboardInterrupt):
        train_run(load_config(tmp_path / "slow.yaml"), tmp_path / "run")
    assert not (tmp_path / "run/metrics.json").exists()
    result = resume_run(tmp_path / "run")
    assert result.status == "early_stopped" or result.status == "completed"
    assert_same_run(tmp_path / "run", reference)
    assert resume_run(tmp_path / "run").status == "already_finished"


def test_a_stop_decided_before_the_last_checkpoint_is_kept_on_resume(tmp_path, monkeypatch):
    import minimlp.runs.folder

    text = ("data:\n  dataset: breast_cancer\nmodel:\n  hidden: [32]\noptimizer:\n  lr: 0.3\ntrain:\n  epochs: 60\n"
            "  early_stopping: true\n  patience: 3\n  restore_best: false\n  checkpoint_every: 1\n")
    (tmp_path / "c.yaml").write_text(text)
    train_run(load_config(tmp_path / "c.yaml"), tmp_path / "reference")
    real = checkpoint.save

    def killed_before_the_final_checkpoint(path, net, optimizer, state, status, *data):
        if status != "running":
            raise KeyboardInterrupt
        real(path, net, optimizer, state, status, *data)

    monkeypatch.setattr(minimlp.runs.folder.checkpoint, "save", killed_before_the_final_checkpoint)
    with pytest.raises(KeyboardInterrupt):
        train_run(load_config(tmp_path / "c.yaml"), tmp_path / "run")
    monkeypatch.setattr(minimlp.runs.folder.checkpoint, "save", real)
    assert resume_run(tmp_path / "run").status == "early_stopped"
    assert_same_run(tmp_path / "run", tmp_path / "reference")


def test_two_quick_interrupts_still_leave_a_resumable_run(tmp_path, reference):
    process = start(tmp_path)
    run = tmp_path / "run"
    wait_for(lambda: rows(run) >= 3, process)
    process.send_signal(signal.SIGINT)
    time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130 and "Traceback" not in err
    result = resume(run)
    assert result.returncode == 0, result.stderr
    assert_same_run(run, reference)


def rewrite_checkpoint(run, change_meta=None, change_arrays=None):
    """Rewrite run/checkpoint.npz with its metadata and arrays altered."""
    import json

    arrays = read_npz(run / "checkpoint.npz")
    meta = json.loads(str(arrays["meta"]))
    if change_meta:
        meta = change_meta(meta)
    arrays["meta"] = np.array(json.dumps(meta))
    if change_arrays:
        change_arrays(arrays)
    with open(run / "checkpoint.npz", "wb") as f:
        np.savez(f, **arrays)


def assert_refused_and_untouched(run, culprit, message):
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    result = CliRunner().invoke(main, ["train", "--resume", str(run)])
    assert result.exit_code == 2, result.output
    assert str(run / culprit) in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before  # nothing written, nothing half-written


def _set(**fields):
    return lambda meta: {**meta, **fields}


def _without(key):
    return lambda meta: {k: v for k, v in meta.items() if k != key}


@pytest.mark.parametrize("change,message", [
    (_without("status"), "not a minimlp checkpoint"),
    (lambda meta: [1, 2], "not a minimlp checkpoint"),
    (_set(format="minimlp-checkpoint-1"), "format"),
    (_set(rng_state={"bit_generator": "PCG64", "state": "nonsense"}, status="running"), "rng_state"),
    (_set(rng_state={"bit_generator": "MT19937", "state": {}}, status="running"), "rng_state"),
    (_set(rng_state=[1, 2, 3]), "rng_state"),
    (_set(epoch=-1), "epoch must be an integer in [0, 25]"),
    (_set(epoch=26), "epoch must be an integer in [0, 25]"),
    (_set(epoch=10**12), "epoch must be an integer"),
    (_set(epoch=3.0), "epoch must be an integer"),
    (_set(epoch=True), "epoch must be an integer"),
    (_set(epoch="3"), "epoch must be an integer"),
    (_set(epoch=3, batch=-1, status="running"), "batch must be an integer in [0, 437]"),
    (_set(epoch=3, batch=438, status="running"), "batch must be an integer in [0, 437]"),
    (_set(epoch=3, batch=2, correct=65, status="running"), "correct must be an integer in [0, 64]"),
    (_set(loss_sum=-1.0), "loss_sum must be a finite number"),
    (_set(loss_sum=float("nan")), "loss_sum must be a finite number"),
    (_set(seconds="fast"), "seconds must be a finite number"),
    (_set(best_epoch=26), "best_epoch must be an integer"),
    (_set(wait=-3), "wait must be an integer"),
    (_set(best_value="low"), "best_value must be a finite number"),
    (_without("loss_sum"), "missing 'loss_sum'"),
])
def test_altered_checkpoint_metadata_is_refused(tmp_path, reference, change, message):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(reference, run)
    rewrite_checkpoint(run, change)
    assert_refused_and_untouched(run, "checkpoint.npz", message)


def _array(name, value):
    def change(arrays):
        arrays[name] = value(arrays[name]) if callable(value) else value
    return change


def _drop(name):
    return lambda arrays: arrays.pop(name)


@pytest.mark.parametrize("change,message", [
    (_array("params", lambda p: p.astype(np.float64)), "params have shape"),
    (_array("params", lambda p: p[:-1]), "params have shape"),
    (_array("params", lambda p: np.full_like(p, np.nan)), "params hold NaN"),
    (_array("best_params", lambda p: p.reshape(1, -1)), "best_params have shape"),
    (_drop("best_params"), "best_value and best_params must be saved together"),
    (_array("optimizer.velocity", lambda v: v[:10]), "optimizer state 'velocity'"),
    (_array("optimizer.velocity", lambda v: np.full_like(v, np.inf)), "optimizer state holds NaN or infinite"),
    (_array("optimizer.lr", np.array(-0.1)), "optimizer lr must be a finite number > 0"),
    (_array("optimizer.lr", np.array("fast")), "optimizer lr is not numeric"),
    (_drop("optimizer.velocity"), "missing 'velocity'"),
    (_array("extra", np.zeros(3)), "unexpected arrays ['extra']"),
    (_array("meta", np.array([1, 2])), "not a minimlp checkpoint"),
    (_array("meta", np.array("x" * 10_000)), "not a minimlp checkpoint"),
])
def test_altered_checkpoint_arrays_are_refused(tmp_path, reference, change, message):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(reference, run)
    rewrite_checkpoint(run, change_arrays=change)
    assert_refused_and_untouched(run, "checkpoint.npz", message)


def test_adam_step_count_read_back_is_checked(tmp_path):
    config = load_config(None, ["data.dataset=iris", "model.hidden=[8]", "optimizer.name=adam", "train.epochs=4",
                                "train.checkpoint_every=2"])
    run = tmp_path / "run"
    train_run(config, run)
    rewrite_checkpoint(run, change_arrays=_array("optimizer.t", np.array(-5)))
    assert_refused_and_untouched(run, "checkpoint.npz", "'t' (the step count) must be >= 0")


def _history(change):
    def damage(run):
        lines = (run / "history.csv").read_text().splitlines(keepends=True)
        (run / "history.csv").write_text("".join(change(lines)))
    return damage


@pytest.mark.parametrize("damage,message", [
    (_history(lambda lines: lines[:11]), "10 epochs recorded, but the checkpoint is at epoch 25"),
    (_history(lambda lines: lines[:1]), "0 epochs recorded"),
    (_history(lambda lines: ["epoch,loss\n"] + lines[1:]), "line 1 is not the header"),
    (_history(lambda lines: lines[:3] + [lines[3].replace("3,", "4,", 1)] + lines[4:]), "line 4 is not a minimlp history row"),
    (_history(lambda lines: lines[:3] + ["3,abc,0.5,,,0.1,0.2\n"] + lines[4:]), "line 4 is not a minimlp history row"),
    (_history(lambda lines: lines[:3] + ["3,-1.0,0.5,,,0.1,0.2\n"] + lines[4:]), "train_loss must be a finite number"),
    (_history(lambda lines: lines[:3] + ["3,1.0,1.5,,,0.1,0.2\n"] + lines[4:]), "train_acc must be in [0, 1]"),
    (_history(lambda lines: lines[:3] + ["3,1.0,0.5,,,0.1\n"] + lines[4:]), "6 cells, expected 7"),
    (_history(lambda lines: lines[:3] + ["3,1.0,0.5,0.3,,0.1,0.2\n"] + lines[4:]), "both be given or both be empty"),
    (lambda run: (run / "history.csv").unlink(), "no such file"),
    (lambda run: (run / "history.csv").write_bytes(b"\xff" * 100), "not a UTF-8 text file"),
])
def test_history_shorter_or_damaged_is_refused_on_resume(tmp_path, reference, damage, message):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(reference, run)
    damage(run)
    assert_refused_and_untouched(run, "history.csv", message)


def test_rows_after_the_checkpoint_are_dropped_on_resume(tmp_path):
    """A kill between checkpoints leaves history rows the checkpoint does not cover: a resume redoes those epochs."""
    config = load_config(None, ["data.dataset=iris", "model.hidden=[8]", "train.epochs=9", "train.checkpoint_every=4"])
    train_run(config, tmp_path / "reference")
    run = tmp_path / "run"

    def killed_after_epoch_7(record, state):  # like a kill -9: no final checkpoint
        if record.epoch == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_run(config, run, on_epoch=killed_after_epoch_7)
    assert len(history_without_seconds(run)) == 7
    state, status = checkpoint.load(run / "checkpoint.npz", *_net_and_optimizer(config))
    assert (state.epoch, status) == (4, "running")
    assert resume_run(run).status == "completed"
    assert_same_run(run, tmp_path / "reference")


def _net_and_optimizer(config):
    prepared = prepare(config)
    return prepared.net, make_optimizer(prepared.net, config.optimizer), config.train, len(prepared.splits.X_train)


def test_a_checkpoint_costs_the_same_at_any_epoch(tmp_path):
    """The checkpoint carries no history: its size does not grow with the run."""
    from minimlp.train import EpochRecord, TrainState

    config = load_config(None, ["data.dataset=iris", "model.hidden=[8]"])
    net, optimizer, _, _ = _net_and_optimizer(config)
    sizes = []
    for epochs in (10, 10_000):
        state = TrainState(epoch=epochs, rng_state={"bit_generator": "PCG64", "state": {"state": 1, "inc": 3},
                                                    "has_uint32": 0, "uinteger": 0},
                           history=[EpochRecord(e, 0.5, 0.5, None, None, 0.1, 0.01) for e in range(1, epochs + 1)])
        checkpoint.save(tmp_path / "checkpoint.npz", net, optimizer, state, "running")
        sizes.append((tmp_path / "checkpoint.npz").stat().st_size)
    assert sizes[1] - sizes[0] <= 3 * 4  # the epoch counter's three more digits (4 bytes each in a numpy str)


def test_rewriting_a_checkpoint_leaves_one_whole_file_with_the_latest_state(tmp_path):
    """Checkpoints replace each other by swapping names (Linux) or renaming: no temporary file is left behind."""
    config = load_config(None, ["data.dataset=iris", "model.hidden=[8]", "train.epochs=30"])
    net, optimizer, train, n_rows = _net_and_optimizer(config)
    from minimlp.train import TrainState, shuffle_rng

    for epoch in (1, 2, 3):
        net.params[:] = epoch
        state = TrainState(epoch=epoch, rng_state=shuffle_rng(epoch).bit_generator.state)
        checkpoint.save(tmp_path / "checkpoint.npz", net, optimizer, state, "running")
        assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.npz"]
    net.params[:] = 0
    state, status = checkpoint.load(tmp_path / "checkpoint.npz", net, optimizer, train, n_rows)
    assert state.epoch == 3 and state.rng_state == shuffle_rng(3).bit_generator.state and np.all(net.params == 3)
