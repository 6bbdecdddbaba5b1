"""Issue 25, item 1: no write follows a link minimlp did not make; -o writes only regular files and
recognises its own output; a write to standard output that does not reach it is never called a success."""
import os

import pytest

from helpers import run

from minimlp import files
from minimlp.runs.lock import LOCK_NAME, SWEEP_LOCK_NAME

TINY = "name: t\ndata:\n  dataset: iris\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 2\n  batch_size: 32\n"


@pytest.fixture
def finished(trained_runs, tmp_path):
    return trained_runs(TINY, tmp_path / "run")


def test_a_link_planted_at_the_lock_is_refused_and_its_target_untouched(finished, tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    (finished / LOCK_NAME).unlink()
    os.symlink(outside, finished / LOCK_NAME)
    result = run("train", "--resume", finished)
    assert result.exit_code == 2, result.output
    assert f"{finished / LOCK_NAME}: is a symbolic link, which minimlp never makes" in result.output
    assert outside.read_text() == "keep me\n"


def test_a_hard_link_planted_at_the_lock_is_refused_and_its_target_untouched(finished, tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    (finished / LOCK_NAME).unlink()
    os.link(outside, finished / LOCK_NAME)
    result = run("train", "--resume", finished)
    assert result.exit_code == 2 and "is a hard link to another file" in result.output
    assert outside.read_text() == "keep me\n"


def test_a_link_planted_at_the_sweep_lock_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.yaml").write_text(TINY)
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    (tmp_path / "out").mkdir()
    os.symlink(outside, tmp_path / "out" / SWEEP_LOCK_NAME)
    result = run("sweep", "base.yaml", "--grid", "optimizer.lr=0.1", "--out", "out")
    assert result.exit_code == 2 and "which minimlp never makes" in result.output
    assert outside.read_text() == "keep me\n"


def test_links_at_the_temporary_and_the_target_names_are_not_written_through(tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    folder = tmp_path / "run"
    folder.mkdir()
    os.symlink(outside, folder / f".metrics.json.{os.getpid()}.tmp")  # the name minimlp used to pick
    os.symlink(outside, folder / "metrics.json")
    files.write_text(folder / "metrics.json", "{}\n")
    assert outside.read_text() == "keep me\n"
    assert not (folder / "metrics.json").is_symlink() and (folder / "metrics.json").read_text() == "{}\n"
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == [f".metrics.json.{os.getpid()}.tmp"]


# ---- -o: own outputs, regular files only, checked streams ----------------------------------------------------

CSV_RUN = "data:\n  dataset: csv\n  path: {path}\n  target: size\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 2\n"


@pytest.fixture
def csv_run(tmp_path, monkeypatch, trained_runs):
    import csv

    monkeypatch.chdir(tmp_path)
    with open(tmp_path / "train.csv", "w", newline="") as f:
        csv.writer(f).writerows([("x", "y", "size")] + [(i % 7, i % 5, "big" if i % 3 else "small")
                                                        for i in range(3000)])
    trained_runs(CSV_RUN.format(path=tmp_path / "train.csv"), tmp_path / "run")
    (tmp_path / "new.csv").write_text("x,y\n" + "".join(f"{i % 7},{i % 5}\n" for i in range(20000)))
    return tmp_path


def test_the_same_command_replaces_its_own_unchanged_output_without_force(csv_run):
    first = run("predict", "run", "new.csv", "-o", "p.csv")
    assert first.exit_code == 0, first.output
    again = run("predict", "run", "new.csv", "-o", "p.csv")
    assert again.exit_code == 0, again.output
    assert (csv_run / "p.csv").read_text().startswith("prediction,")


def test_an_edited_output_or_another_commands_output_still_needs_force(csv_run):
    assert run("predict", "run", "new.csv", "-o", "p.csv").exit_code == 0
    with open(csv_run / "p.csv", "a") as f:
        f.write("my note\n")
    edited = run("predict", "run", "new.csv", "-o", "p.csv")
    assert edited.exit_code == 2 and "p.csv: exists" in edited.output
    assert (csv_run / "p.csv").read_text().endswith("my note\n")
    assert run("predict", "run", "new.csv", "-o", "q.csv").exit_code == 0
    other = run("compare", "run", "-o", "q.csv")
    assert other.exit_code == 2 and "q.csv: exists" in other.output
    assert (csv_run / "q.csv").read_text().startswith("prediction,")


def test_a_fifo_is_written_into_as_a_stream_and_stays_a_fifo_even_with_force(csv_run):
    import stat
    import threading

    fifo = csv_run / "pipe"
    os.mkfifo(fifo)
    received = []

    def read():
        with open(fifo, "rb") as f:
            received.append(f.read())

    reader = threading.Thread(target=read)
    reader.start()
    import time

    time.sleep(0.2)  # the reader has opened its end
    result = run("predict", "run", "new.csv", "-o", fifo, "--force")
    if reader.is_alive() and not received:  # nothing was written into the FIFO: let the reader go
        with open(fifo, "wb"):
            pass
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].startswith(b"prediction,") and received[0].count(b"\n") == 20001


def test_a_socket_is_refused_even_with_force(csv_run):
    import socket
    import stat

    path = csv_run / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        result = run("predict", "run", "new.csv", "-o", path, "--force")
    finally:
        server.close()
    assert result.exit_code == 2 and "is a socket" in result.output
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_symbolic_link_to_a_file_keeps_pointing_at_the_replaced_file(csv_run):
    (csv_run / "real.csv").write_text("old\n")
    os.symlink(csv_run / "real.csv", csv_run / "link.csv")
    assert run("predict", "run", "new.csv", "-o", "link.csv").exit_code == 2
    assert run("predict", "run", "new.csv", "-o", "link.csv", "--force").exit_code == 0
    assert os.path.islink(csv_run / "link.csv")
    assert (csv_run / "real.csv").read_text().startswith("prediction,")


def minimlp_process(cwd, *args, **kwargs):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "minimlp", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=120, **kwargs)


def test_a_short_write_to_standard_output_is_exit_1_not_success(csv_run):
    import resource

    def cap():  # the file standard output goes to may grow to 4 KiB only
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    with open(csv_run / "capped.csv", "wb") as out:
        import subprocess
        import sys

        done = subprocess.run([sys.executable, "-m", "minimlp", "predict", "run", "new.csv", "-o", "-"],
                              cwd=csv_run, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120,
                              preexec_fn=cap)
    assert done.returncode == 1, done.stderr
    assert "standard output took 4,096 of" in done.stderr and "incomplete" in done.stderr
    assert "wrote" not in done.stderr and "Traceback" not in done.stderr


def test_history_is_not_appended_through_a_link_planted_after_it_was_rewritten(tmp_path, monkeypatch):
    from minimlp.errors import FileWriteError
    from minimlp.runs import history

    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    real_write = files.write_text

    def write_then_swapped_for_a_link(path, text):
        real_write(path, text)
        os.unlink(path)
        os.symlink(outside, path)  # another process, between the rewrite and the open

    monkeypatch.setattr(history.files, "write_text", write_then_swapped_for_a_link)
    with pytest.raises(FileWriteError):
        history.HistoryFile(tmp_path / "history.csv", [])
    assert outside.read_text() == "keep me\n"
