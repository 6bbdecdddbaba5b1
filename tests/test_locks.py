"""Run-folder ownership and locks: a second writer is refused at once, a killed writer's lock is released,
and nothing minimlp did not make is written over (real processes for the concurrent cases)."""
import os
import signal
import subprocess
import sys

from click.testing import CliRunner
from helpers import wait_for

from minimlp.cli import main
from minimlp.runs.lock import LOCK_NAME, SWEEP_LOCK_NAME, FolderLock
from minimlp.runs.readback import read_curves

TINY = "name: t\ndata:\n  dataset: iris\nmodel:\n  hidden: [6]\ntrain:\n  epochs: 4\n  batch_size: 16\n"
# a few seconds of training with a checkpoint every epoch: long enough for a second process to meet it
LONG = ("name: long\ndata:\n  dataset: moons\n  params: {n_samples: 2000}\nmodel:\n  hidden: [32]\n"
        "train:\n  epochs: 100\n  batch_size: 16\n  checkpoint_every: 1\n  early_stopping: false\n")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def minimlp(cwd, *args):
    return subprocess.Popen([sys.executable, "-m", "minimlp", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)



def test_resume_of_a_locked_run_is_refused_and_works_once_released(tmp_path):
    (tmp_path / "t.yaml").write_text(TINY)
    run = tmp_path / "run"
    assert invoke("train", tmp_path / "t.yaml", "--out", run, "-q").exit_code == 0
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.name != LOCK_NAME}
    with FolderLock(run):  # another writer holds it
        result = invoke("train", "--resume", run)
        assert result.exit_code == 2
        assert f"{run}: another minimlp process (pid {os.getpid()}) is writing this run folder" in result.output
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.name != LOCK_NAME} == before
    again = invoke("train", "--resume", run)
    assert again.exit_code == 0 and "already finished" in again.output


def test_train_into_a_folder_another_process_holds_is_refused(tmp_path):
    (tmp_path / "t.yaml").write_text(TINY)
    folder = tmp_path / "x"
    folder.mkdir()
    with FolderLock(folder):
        result = invoke("train", tmp_path / "t.yaml", "--out", folder)
    assert result.exit_code == 2 and str(folder) in result.output
    assert [p.name for p in folder.iterdir()] == [LOCK_NAME]


def test_a_dangling_out_symlink_is_named_as_such(tmp_path):
    (tmp_path / "t.yaml").write_text(TINY)
    os.symlink(tmp_path / "nowhere", tmp_path / "link")
    result = invoke("train", tmp_path / "t.yaml", "--out", tmp_path / "link")
    assert result.exit_code == 2
    assert f"{tmp_path / 'link'}: is a symbolic link to {tmp_path / 'nowhere'}, which does not exist" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_a_folder_with_someone_elses_files_is_never_written(tmp_path):
    (tmp_path / "t.yaml").write_text(TINY)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/thesis.txt").write_text("draft")
    result = invoke("train", tmp_path / "t.yaml", "--out", tmp_path / "mine")
    assert result.exit_code == 2 and "already exists and is not an empty folder" in result.output
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["thesis.txt"]


def test_two_trainings_started_together_into_one_folder(tmp_path):
    (tmp_path / "long.yaml").write_text(LONG)
    first, second = (minimlp(tmp_path, "train", "long.yaml", "--out", "run", "-q") for _ in range(2))
    results = [(p.wait(timeout=300), p.communicate()) for p in (first, second)]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    (loser_err,) = [err for code, (_, err) in results if code == 2]
    assert "run" in loser_err and "Traceback" not in loser_err
    curves = read_curves(tmp_path / "run")  # epochs 1..100 once each: one writer only
    assert curves["epoch"] == [float(e) for e in range(1, 101)]


def test_resume_while_training_is_refused_and_a_sigkill_releases_the_lock(tmp_path):
    (tmp_path / "long.yaml").write_text(LONG)
    run = tmp_path / "run"
    training = minimlp(tmp_path, "train", "long.yaml", "--out", "run", "-q")
    try:
        wait_for(lambda: (run / "checkpoint.npz").exists(), training)
        training.send_signal(signal.SIGSTOP)  # frozen mid-run, lock held: however fast training is
        second = subprocess.run([sys.executable, "-m", "minimlp", "train", "--resume", str(run)],
                                capture_output=True, text=True, timeout=120)
    finally:
        training.send_signal(signal.SIGKILL)  # also ends a stopped process
        training.communicate()
    assert second.returncode == 2, second
    assert f"{run}: another minimlp process (pid {training.pid}) is writing this run folder" in second.stderr
    third = subprocess.run([sys.executable, "-m", "minimlp", "train", "--resume", str(run), "-q"],
                           capture_output=True, text=True, timeout=300)
    assert third.returncode == 0, third.stderr
    assert read_curves(run)["epoch"] == [float(e) for e in range(1, 101)]


def test_the_same_sweep_started_twice_is_refused_and_the_first_is_untouched(tmp_path):
    (tmp_path / "long.yaml").write_text(LONG.replace("epochs: 100", "epochs: 40"))
    args = ("sweep", "long.yaml", "--grid", "seed=0,1", "-j", "1", "--out", "sw")
    first = minimlp(tmp_path, *args)
    try:
        wait_for(lambda: any((tmp_path / "sw" / f"seed-{s}" / "history.csv").exists() for s in (0, 1)), first)
        first.send_signal(signal.SIGSTOP)  # frozen mid-sweep (-j 1 trains in this process), lock held
        second = subprocess.run([sys.executable, "-m", "minimlp", *args], cwd=tmp_path, capture_output=True,
                                text=True, timeout=120)
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 2
    assert f"{tmp_path / 'sw'}: another minimlp process (pid {first.pid}) is writing this sweep folder" in second.stderr
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert (tmp_path / "sw" / SWEEP_LOCK_NAME).is_file()
    for seed in (0, 1):
        assert read_curves(tmp_path / "sw" / f"seed-{seed}")["epoch"] == [float(e) for e in range(1, 41)]
