"""Issue 25, item 4: standard output as Unix tools treat it: a reader that stopped early ends the command
quietly (141, never exit 2), a closed stdout is one line and exit 1, a narrow encoding falls back to ASCII."""
import os
import subprocess
import sys

import pytest

TINY = "name: t\ndata:\n  dataset: iris\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 30\n  batch_size: 32\n"


def minimlp(cwd, *args, stdout=subprocess.PIPE, env=None, preexec_fn=None):
    return subprocess.run([sys.executable, "-m", "minimlp", *map(str, args)], cwd=cwd, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120, env=env, preexec_fn=preexec_fn)


def into_a_pipe_nobody_reads(cwd, *args):
    """``minimlp ARGS | true``, deterministically: the reading end is closed before minimlp writes."""
    read, write = os.pipe()
    os.close(read)
    try:
        return minimlp(cwd, *args, stdout=write)
    finally:
        os.close(write)


@pytest.mark.parametrize("args", [["--version"], ["datasets"], ["config", "show"], ["-h"]])
def test_a_reader_that_stopped_early_ends_the_command_quietly(tmp_path, args):
    done = into_a_pipe_nobody_reads(tmp_path, *args)
    assert done.returncode == 141, done.stderr
    assert done.stderr == ""


def test_training_goes_on_when_its_reader_stops_early(tmp_path):
    (tmp_path / "t.yaml").write_text(TINY)
    done = into_a_pipe_nobody_reads(tmp_path, "train", "t.yaml", "--out", "run", "--log-every", "1")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr
    assert (tmp_path / "run" / "metrics.json").is_file()


@pytest.mark.parametrize("args", [["--version"], ["-h"], ["datasets"], ["train", "t.yaml", "--out", "run"]])
def test_a_closed_standard_output_is_one_line_and_exit_1(tmp_path, args):
    (tmp_path / "t.yaml").write_text(TINY)
    done = minimlp(tmp_path, *args, stdout=None, preexec_fn=lambda: os.close(1))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "minimlp: standard output is closed, so nothing can be printed; give the command an output "
        "(e.g. > /dev/null)"]
    assert not (tmp_path / "run").exists()


def test_a_latin1_terminal_gets_ascii_stand_ins_instead_of_a_crash(tmp_path):
    # digits has 10 classes: the data summary lists six, then "…"
    (tmp_path / "d.yaml").write_text("name: d\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 1\n")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    done = minimlp(tmp_path, "train", "d.yaml", "--out", "run", env=env)
    assert done.returncode == 0, done.stderr
    assert "10 classes (0, 1, 2, 3, 4, 5, ...)" in done.stdout


@pytest.mark.parametrize("args", [["datasets"], ["config", "show"], ["--version"]])
def test_a_full_standard_output_is_exit_1_with_one_line_not_bad_input(tmp_path, args):
    with open("/dev/full", "w") as full:
        done = minimlp(tmp_path, *args, stdout=full)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: standard output cannot be written (No space left on device); the output is incomplete"]


def test_training_into_a_full_standard_output_goes_on_and_says_so(tmp_path):
    (tmp_path / "t.yaml").write_text(TINY)
    with open("/dev/full", "w") as full:
        done = minimlp(tmp_path, "train", "t.yaml", "--out", "run", stdout=full)
    assert done.returncode == 1
    assert "standard output cannot be written (No space left on device)" in done.stderr
    assert "the run itself went on" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "run" / "metrics.json").is_file()
