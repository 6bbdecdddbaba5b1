"""I/O errors name the user's path (never a temporary file), exit 2 before training and 1 once it has
started, and leave no torn or temporary file; out of memory is one message and exit code everywhere."""
import errno
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from minimlp import files
from minimlp.cli import main
from minimlp.errors import FileWriteError
from minimlp.model import read_npz
from minimlp.runs.readback import read_curves

TINY = ("name: t\ndata:\n  dataset: iris\nmodel:\n  hidden: [6]\ntrain:\n  epochs: 6\n  batch_size: 16\n"
        "  checkpoint_every: 1\n")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs (a full disk on demand: a run fills it once training started); needs root, as in CI's container."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                                                       capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root; the monkeypatched tests below cover the same paths")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def no_temporary_files(folder):
    return not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_a_full_disk_during_a_run_names_the_file_exits_1_and_the_run_resumes_once_there_is_space(tmp_path, tiny_disk):
    (tmp_path / "t.yaml").write_text(TINY)
    run = tiny_disk / "run"
    result = invoke("train", tmp_path / "t.yaml", "--out", run, "-q")
    assert result.exit_code == 1, result.output
    assert f"{run}/" in result.output and "No space left on device" in result.output
    assert ".tmp" not in result.output and no_temporary_files(run)
    assert f"continue with: minimlp train --resume {run}" in result.output
    read_npz(run / "checkpoint.npz")  # every file that is there is whole
    read_curves(run)
    subprocess.run(["mount", "-o", "remount,size=16m", str(tiny_disk)], check=True)
    again = invoke("train", "--resume", run, "-q")
    assert again.exit_code == 0, again.output
    assert read_curves(run)["epoch"] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_a_read_only_folder_is_named_before_training(tmp_path, tiny_disk):
    (tmp_path / "t.yaml").write_text(TINY)
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    result = invoke("train", tmp_path / "t.yaml", "--out", tiny_disk / "run")
    assert result.exit_code == 2
    assert f"{tiny_disk / 'run'}: cannot create this folder (Read-only file system)" in result.output


@pytest.mark.parametrize("code,text", [(errno.ENOSPC, "No space left on device"),
                                       (errno.EROFS, "Read-only file system"),
                                       (errno.EACCES, "Permission denied")])
def test_a_failed_write_names_the_users_path_and_leaves_nothing(tmp_path, monkeypatch, code, text):
    real_open = open

    def failing_open(path, mode="r", *args, **kwargs):
        if "w" in mode:
            real_open(path, mode).close()  # the temporary file exists, then the write fails
            raise OSError(code, text, str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(files, "open", failing_open, raising=False)
    with pytest.raises(FileWriteError) as error:
        files.write_text(tmp_path / "out.csv", "a,b\n")
    assert str(error.value) == f"{tmp_path / 'out.csv'}: cannot be written ({text})"
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_once_training_started_exits_1_and_the_run_resumes(tmp_path, monkeypatch):
    (tmp_path / "t.yaml").write_text(TINY)
    import errno

    from minimlp.runs import history

    real_line, calls = history.history_line, []

    def line_until_the_disk_fills(record):  # history.csv's 4th epoch line meets a full disk
        calls.append(record)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_line(record)

    monkeypatch.setattr(history, "history_line", line_until_the_disk_fills)
    run = tmp_path / "run"
    result = invoke("train", tmp_path / "t.yaml", "--out", run, "-q")
    assert result.exit_code == 1
    assert (f"{run / 'history.csv'}: cannot be written (No space left on device); the run stopped; once space is "
            f"freed or permissions fixed, continue with: minimlp train --resume {run}") in result.output
    monkeypatch.undo()
    assert invoke("train", "--resume", run, "-q").exit_code == 0
    reference = tmp_path / "ref"
    assert invoke("train", tmp_path / "t.yaml", "--out", reference, "-q").exit_code == 0
    assert (run / "model.npz").read_bytes() == (reference / "model.npz").read_bytes()


def allocate_a_petabyte(*args, **kwargs):
    import numpy as np

    return np.empty((2**27, 2**20))  # numpy's own MemoryError, as when a dataset is too large


def test_out_of_memory_is_one_message_and_exit_code_in_train_and_sweep(tmp_path, monkeypatch):
    from minimlp.data import tables

    (tmp_path / "t.yaml").write_text(TINY)
    monkeypatch.setattr(tables, "load_sklearn", allocate_a_petabyte)
    oom = "out of memory (could not allocate 1.00 PiB for an array with shape (134217728, 1048576)"
    trained = invoke("train", tmp_path / "t.yaml", "--out", tmp_path / "r")
    assert trained.exit_code == 1 and oom in trained.output and "model.hidden" in trained.output
    assert not (tmp_path / "r").exists()
    swept = invoke("sweep", tmp_path / "t.yaml", "--grid", "seed=0", "--out", tmp_path / "s", "-j", "1")
    assert swept.exit_code == 1 and oom in swept.output and "model.hidden" in swept.output


def test_a_network_that_fits_no_model_file_is_bad_input_not_out_of_memory(tmp_path):
    (tmp_path / "t.yaml").write_text(TINY)
    result = invoke("train", tmp_path / "t.yaml", "--set", "model.hidden=[1000000,1000000]", "--out", tmp_path / "r",
                    "--set", "data.piecewise_bins=0")  # the network's inputs: the table's 8 columns
    assert result.exit_code == 2 and "1,000,009,000,003 parameters (3.6 TiB)" in result.output


def test_a_signal_after_a_checkpoint_keeps_the_run_resumable(tmp_path, monkeypatch):
    """A sweep's in-process run meets a signal mid-training: the folder keeps what --resume needs."""
    from minimlp.config import load_config
    from minimlp.errors import Interrupted
    from minimlp.runs import folder, resume_run, train_run

    (tmp_path / "t.yaml").write_text(TINY)
    config = load_config(tmp_path / "t.yaml")
    real_save, saves = folder.checkpoint.save, []

    def interrupted_after_the_second(*args, **kwargs):
        real_save(*args, **kwargs)
        saves.append(1)
        if len(saves) == 2:
            raise Interrupted(2)

    monkeypatch.setattr(folder.checkpoint, "save", interrupted_after_the_second)
    with pytest.raises(Interrupted):
        train_run(config, tmp_path / "run")
    monkeypatch.undo()
    assert {"config.yaml", "history.csv", "checkpoint.npz"} <= {p.name for p in (tmp_path / "run").iterdir()}
    assert resume_run(tmp_path / "run").status == "completed"
    train_run(config, tmp_path / "ref")
    assert (tmp_path / "run" / "model.npz").read_bytes() == (tmp_path / "ref" / "model.npz").read_bytes()


def test_a_config_that_cannot_be_written_leaves_no_folder_and_the_retry_works(tmp_path, monkeypatch):
    (tmp_path / "t.yaml").write_text(TINY)
    real_write = files.write_text

    def full_for_config(path, text):
        if path.name == "config.yaml":
            raise FileWriteError(f"{path}: cannot be written (No space left on device)")
        real_write(path, text)

    monkeypatch.setattr(files, "write_text", full_for_config)
    result = invoke("train", tmp_path / "t.yaml", "--out", tmp_path / "run")
    assert result.exit_code == 2 and "config.yaml: cannot be written" in result.output
    assert not (tmp_path / "run").exists()
    monkeypatch.undo()
    assert invoke("train", tmp_path / "t.yaml", "--out", tmp_path / "run", "-q").exit_code == 0


def test_a_resume_whose_history_cannot_be_rewritten_fails_the_run_and_says_resume_can_continue(tmp_path, monkeypatch):
    from minimlp.runs import history

    (tmp_path / "t.yaml").write_text(TINY)
    run = tmp_path / "run"
    real_line, calls = history.history_line, []

    def line_until_the_disk_fills(record):
        calls.append(record)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_line(record)

    monkeypatch.setattr(history, "history_line", line_until_the_disk_fills)
    assert invoke("train", tmp_path / "t.yaml", "--out", run, "-q").exit_code == 1  # stopped, checkpoint kept
    monkeypatch.undo()

    def full_disk(self, path, records):
        raise FileWriteError(f"{path}: cannot be written (No space left on device)")

    monkeypatch.setattr(history.HistoryFile, "__init__", full_disk)
    result = invoke("train", "--resume", run, "-q")
    assert result.exit_code == 1, result.output
    assert f"continue with: minimlp train --resume {run}" in result.output
    monkeypatch.undo()
    assert invoke("train", "--resume", run, "-q").exit_code == 0


def test_an_atomic_write_never_moves_a_folder_aside(tmp_path):
    target = tmp_path / "out.csv"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(FileWriteError):
        files.write_text(target, "a,b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    assert (target / "keep.txt").read_text() == "mine"
