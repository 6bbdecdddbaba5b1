"""The figures' helper process (report/renderer.py): the same bytes as drawing in the run's own process,
the run's process never loads matplotlib, a helper that fails or lies is drawn around, and a killed
run leaves no helper behind."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import wait_for

from minimlp.report import classes, figures
from minimlp.report.renderer import Renderer, _parse
from minimlp.report.run_page import write_figures
from minimlp.runs.history import read_records
from minimlp.runs.readback import read_metrics
from test_signals import alive, descendants

CONFIG = "data: {dataset: iris}\nmodel: {hidden: [8]}\ntrain: {epochs: 12}\n"


def own_run(tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "minimlp", "train", *map(str, args)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)


def test_a_runs_figures_drawn_by_the_helper_are_the_bytes_this_process_draws(tmp_path):
    (tmp_path / "c.yaml").write_text(CONFIG)
    done = own_run(tmp_path, "c.yaml", "--out", "run", "-q")
    assert done.returncode == 0, done.stderr
    run = tmp_path / "run"
    metrics = read_metrics(run)
    history = read_records(run / "history.csv", metrics["epochs_run"])
    assert (run / "loss.svg").read_bytes() == figures.curves(history, "loss", metrics["best_epoch"])
    assert (run / "accuracy.svg").read_bytes() == figures.curves(history, "acc", metrics["best_epoch"])
    assert (run / "confusion_matrix.svg").read_bytes() == classes.confusion(metrics["confusion_matrix"],
                                                                             metrics["classes"])


def test_the_runs_own_process_never_loads_matplotlib(tmp_path):
    from test_startup import loaded

    (tmp_path / "c.yaml").write_text(CONFIG)
    modules = loaded("train", "-q", tmp_path / "c.yaml", "--out", tmp_path / "run")
    assert "matplotlib" not in modules
    assert {p.name for p in (tmp_path / "run").glob("*.svg")} == {"loss.svg", "accuracy.svg", "confusion_matrix.svg"}


def history():
    from minimlp.train.records import EpochRecord

    return [EpochRecord(e, 1 / e, 0.5 + e / 20, 1.1 / e, 0.5, 0.01, 0.0) for e in range(1, 6)]


@pytest.mark.parametrize("script", [
    "pass",  # answers nothing
    "import sys; sys.stdout.write('<?xml not a frame')",  # answers garbage
    "import sys; sys.exit(3)",  # fails
    "import time; time.sleep(60)",  # hangs: the run does not wait past its timeout
])
def test_a_helper_that_fails_or_lies_is_drawn_around_with_the_same_bytes(tmp_path, monkeypatch, script):
    import minimlp.report.renderer as renderer

    monkeypatch.setattr(renderer, "TIMEOUT", 1)
    process = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    metrics = {"best_epoch": 3, "classes": ["a", "b"], "confusion_matrix": [[3, 1], [0, 4]]}
    helper = Renderer(process)
    drawn = write_figures(tmp_path, history(), metrics, None, np.empty((8, 0)), np.zeros(8, int), helper)
    assert drawn["loss"] == figures.curves(history(), "loss", 3)
    assert drawn["confusion_matrix"] == classes.confusion([[3, 1], [0, 4]], ["a", "b"])
    assert (tmp_path / "accuracy.svg").read_bytes() == figures.curves(history(), "acc", 3)
    assert helper.process is None and process.poll() is not None  # stopped, not left behind


def test_an_answer_is_taken_only_whole_and_named():
    svg = b"<?xml version='1.0'?><svg/>"

    def frame(name, data):
        return len(name).to_bytes(4, "big") + len(data).to_bytes(4, "big") + name + data

    assert _parse(frame(b"loss", svg)) == {"loss": svg}
    assert _parse(frame(b"loss", svg)[:-3]) is None  # cut short
    assert _parse(frame(b"report", svg)) is None  # not a figure it draws
    assert _parse(frame(b"loss", b"<html>")) is None
    assert _parse(b"\x00\x00") is None


def test_outside_minimlps_own_process_no_helper_is_started(monkeypatch):
    monkeypatch.delenv("MINIMLP_OWN_PROCESS", raising=False)
    with Renderer.start() as helper:
        assert helper.process is None and helper.draw(history(), 1, [[1]], ["a"]) is None


def test_a_run_killed_with_sigkill_leaves_no_helper_behind(tmp_path):
    (tmp_path / "c.yaml").write_text("data: {dataset: digits}\nmodel: {hidden: [64]}\n"
                                     "train: {epochs: 100000, early_stopping: false}\n")
    run = subprocess.Popen([sys.executable, "-m", "minimlp", "train", "c.yaml", "--out", "run", "-q"], cwd=tmp_path,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: (tmp_path / "run" / "history.csv").is_file() and descendants(run.pid), run)
        helpers = descendants(run.pid)
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 60
        while any(alive(pid) for pid in helpers):
            assert time.monotonic() < deadline, "the helper outlived the run by a minute"
            time.sleep(0.05)
    finally:
        if run.poll() is None:
            run.kill()
