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
