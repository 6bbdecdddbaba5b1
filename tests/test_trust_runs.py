"""Issue 25, items 2 and 3: a resume refuses changed data; every run can go on (killed before its first
checkpoint, interrupted in lbfgs' first iteration); minimlp reads back every history file it wrote."""
import math
import os
import signal

import numpy as np
import pytest

from helpers import run

from minimlp import files
from minimlp.config import load_config
from minimlp.runs.history import HEADER, read_records
from minimlp.runs.lock import LOCK_NAME, FolderLock

IRIS = "name: k\ndata:\n  dataset: iris\nmodel:\n  hidden: [5]\ntrain:\n  epochs: 6\n  batch_size: 16\n"


def killed_before_its_first_checkpoint(folder, config):
    """What a run killed (SIGKILL) after starting and before its first checkpoint leaves behind."""
    folder.mkdir()
    with FolderLock(folder):
        files.write_text(folder / "config.yaml", config.to_yaml())
        files.write_text(folder / "history.csv", HEADER)


def weights(folder):
    from minimlp.model import read_npz

    return read_npz(folder / "model.npz")["params"]


def test_a_run_killed_before_its_first_checkpoint_resumes_from_the_start(tmp_path):
    (tmp_path / "k.yaml").write_text(IRIS)
    config = load_config(tmp_path / "k.yaml")
    killed_before_its_first_checkpoint(tmp_path / "run", config)
    result = run("train", "--resume", tmp_path / "run")
    assert result.exit_code == 0, result.output
    assert "from the start (it was stopped before its first checkpoint)" in result.output
    assert run("train", tmp_path / "k.yaml", "--out", tmp_path / "ref", "-q").exit_code == 0
    np.testing.assert_array_equal(weights(tmp_path / "run"), weights(tmp_path / "ref"))


def test_a_run_killed_before_its_first_checkpoint_can_be_trained_into_again(tmp_path):
    (tmp_path / "k.yaml").write_text(IRIS)
    killed_before_its_first_checkpoint(tmp_path / "run", load_config(tmp_path / "k.yaml"))
    result = run("train", tmp_path / "k.yaml", "--out", tmp_path / "run", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "metrics.json").is_file()


def test_a_killed_unstarted_run_of_another_config_is_still_refused(tmp_path):
    (tmp_path / "k.yaml").write_text(IRIS)
    killed_before_its_first_checkpoint(tmp_path / "run", load_config(tmp_path / "k.yaml", ["seed=7"]))
    result = run("train", tmp_path / "k.yaml", "--out", tmp_path / "run")
    assert result.exit_code == 2 and "minimlp did not make it for this run" in result.output


def test_ctrl_c_in_the_first_lbfgs_iteration_leaves_a_resumable_folder(tmp_path, monkeypatch):
    from minimlp.train import lbfgs

    (tmp_path / "lb.yaml").write_text("name: lb\ndata:\n  dataset: wine\nmodel:\n  hidden: [6]\noptimizer:\n"
                                      "  name: lbfgs\ntrain:\n  epochs: 20\n")
    real_call, calls = lbfgs.LbfgsObjective.__call__, []

    def call(self, theta):
        calls.append(1)
        if len(calls) == 1:  # Ctrl-C while the first iteration evaluates the loss
            os.kill(os.getpid(), signal.SIGINT)
        return real_call(self, theta)

    monkeypatch.setattr(lbfgs.LbfgsObjective, "__call__", call)
    result = run("train", tmp_path / "lb.yaml", "--out", tmp_path / "run")
    assert result.exit_code == 130, result.output
    assert "before training started" not in result.output
    assert (tmp_path / "run" / "checkpoint.npz").is_file()
    monkeypatch.setattr(lbfgs.LbfgsObjective, "__call__", real_call)
    again = run("train", "--resume", tmp_path / "run", "-q")
    assert again.exit_code == 0, again.output
    assert run("train", tmp_path / "lb.yaml", "--out", tmp_path / "ref", "-q").exit_code == 0
    np.testing.assert_array_equal(weights(tmp_path / "run"), weights(tmp_path / "ref"))


def history_rows(path, rows):
    path.write_text(HEADER + "".join(f"{e},{loss},0.5,,,0.1,0.01\n" for e, loss in enumerate(rows, start=1)))
    return path


def test_history_rows_with_the_non_finite_losses_of_a_diverged_run_read_back(tmp_path):
    records = read_records(history_rows(tmp_path / "history.csv", ["0.7", "inf", "nan"]), 3)
    assert records[1].train_loss == math.inf and math.isnan(records[2].train_loss)


def test_history_read_back_keeps_the_stated_limit_for_rows_after_the_checkpoint(tmp_path):
    # a run checkpointed at epoch 2 then killed 5,000 epochs later: the rows after the checkpoint are dropped
    path = history_rows(tmp_path / "history.csv", ["0.5"] * 5002)
    assert path.stat().st_size < 256 << 20  # README: history.csv may have 256 MiB
    assert [r.epoch for r in read_records(path, 2)] == [1, 2]


def test_a_negative_loss_is_still_refused(tmp_path):
    from minimlp.errors import ModelFileError

    with pytest.raises(ModelFileError, match="line 2"):
        read_records(history_rows(tmp_path / "history.csv", ["-1"]), 1)


CSV_RUN = ("name: c\ndata:\n  dataset: csv\n  path: t.csv\n  target: y\nmodel:\n  hidden: [4]\n"
           "train:\n  epochs: 6\n  checkpoint_every: 1\n")


def test_a_resume_refuses_data_changed_since_the_checkpoint_and_says_what_changed(tmp_path):
    rows = "".join(f"{i % 7},{(i * 3) % 5},{'a' if i % 3 else 'b'}\n" for i in range(90))
    (tmp_path / "t.csv").write_text("u,v,y\n" + rows)
    (tmp_path / "c.yaml").write_text(CSV_RUN)
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] >= 12  # part-way: a checkpoint, then interrupted

    from minimlp.runs import train_run

    assert train_run(load_config(tmp_path / "c.yaml"), tmp_path / "run", stop_requested=stop).status == "interrupted"
    before = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir() if p.name != LOCK_NAME}
    (tmp_path / "t.csv").write_text("u,v,y\n" + rows.replace("6,", "9,", 1))
    result = run("train", "--resume", tmp_path / "run")
    assert result.exit_code == 2
    assert f"its checkpoint was trained on other data than {tmp_path / 't.csv'} holds now" in result.output
    assert "values changed" in result.output and "the classes" not in result.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir() if p.name != LOCK_NAME} == before
    (tmp_path / "t.csv").write_text("u,v,y\n" + rows + "1,1,c\n" * 30)
    more = run("train", "--resume", tmp_path / "run")
    assert more.exit_code == 2 and "the number of rows (" in more.output and "the classes" in more.output
    (tmp_path / "t.csv").write_text("u,v,y\n" + rows)
    assert run("train", "--resume", tmp_path / "run", "-q").exit_code == 0
