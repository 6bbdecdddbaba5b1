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

from minimlp.runs import checkpoint
from minimlp.cli import main
from minimlp.config import load_config
from minimlp.model import read_npz
from minimlp.runs import prepare, resume_run, train_run
from minimlp.train import make_optimizer

# ~500 batches an epoch: long enough that a signal lands mid-epoch, short enough for CI.
SLOW = ("name: slow\nseed: 3\ndata:\n  dataset: classification\n  params: {n_samples: 20000, n_features: 20, "
        "n_informative: 8, n_classes: 4}\nmodel:\n  hidden: [48]\noptimizer:\n  nesterov: true\n  "
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


def wait_for(condition, process, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"training ended before the test could interrupt it: {process.communicate()}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


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
    state, status = checkpoint.load(run / "checkpoint.npz", prepared.net, make_optimizer(prepared.net, config.optimizer))
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

    def killed_before_the_final_checkpoint(path, net, optimizer, state, status):
        if status != "running":
            raise KeyboardInterrupt
        real(path, net, optimizer, state, status)

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


@pytest.mark.parametrize("how", ["no_status", "not_a_dict", "bad_rng"])
def test_altered_checkpoint_metadata_is_refused(tmp_path, reference, how):
    import json
    import shutil

    run = tmp_path / "run"
    shutil.copytree(reference, run)
    arrays = read_npz(run / "checkpoint.npz")
    meta = json.loads(str(arrays["meta"]))
    if how == "no_status":
        del meta["status"]
    elif how == "bad_rng":
        meta["rng_state"] = {"bit_generator": "PCG64", "state": "nonsense"}
        meta["status"] = "running"
    else:
        meta = [1, 2]
    arrays["meta"] = np.array(json.dumps(meta))
    with open(run / "checkpoint.npz", "wb") as f:
        np.savez(f, **arrays)
    result = CliRunner().invoke(main, ["train", "--resume", str(run)])
    assert result.exit_code == 2 and "not a usable minimlp checkpoint" in result.output
