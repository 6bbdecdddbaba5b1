"""Per-epoch bookkeeping: history.csv written and read back exactly, and a progress bar that is cheap to feed."""
import csv

import pytest

from minimlp.errors import ModelFileError
from minimlp.runs.history import HistoryFile, read_records
from minimlp.train import EpochRecord

RECORDS = [EpochRecord(1, 2.302585092994046, 0.1, None, None, 0.05, 0.0031),
           EpochRecord(2, 0.1 + 0.2, 1 / 3, 0.7000000000000001, 0.5, 1e-300, 12.5),
           EpochRecord(3, 5e-324, 1.0, float("inf"), 0.0, 0.05, 0.0)]


def test_every_appended_epoch_is_on_disk_at_once_and_reads_back_bit_for_bit(tmp_path):
    path = tmp_path / "history.csv"
    with HistoryFile(path, RECORDS[:1]) as history:
        for n, record in enumerate(RECORDS[1:], start=2):
            history.append(record)
            with open(path, newline="") as f:  # another reader sees every whole line already
                assert len(list(csv.DictReader(f))) == n
    assert read_records(path, 3) == RECORDS
    assert read_records(path, 2) == RECORDS[:2]  # the rows a checkpoint at epoch 2 covers
    with open(path, newline="") as f:  # an independent parse gives the same numbers
        rows = list(csv.DictReader(f))
    assert [float(r["train_loss"]) for r in rows] == [r.train_loss for r in RECORDS]
    assert [r["val_loss"] for r in rows][0] == ""


def test_a_history_shorter_than_asked_for_is_refused(tmp_path):
    path = tmp_path / "history.csv"
    with HistoryFile(path, RECORDS[:2]):
        pass
    with pytest.raises(ModelFileError, match="2 epochs recorded, but the checkpoint is at epoch 3"):
        read_records(path, 3)


def test_a_huge_history_file_is_refused_before_it_is_read(tmp_path):
    """Beyond the README's 256 MiB (a sparse file: nothing is written); rows after the checkpoint below it
    are a killed run's (tests/test_trust_runs.py reads 5,000 of them back)."""
    path = tmp_path / "history.csv"
    with HistoryFile(path, RECORDS):
        pass
    with open(path, "r+b") as f:
        f.truncate((256 << 20) + 1)
    with pytest.raises(ModelFileError, match="more than the 268,435,456 a minimlp history file may have"):
        read_records(path, 3)


class RecordingBar:
    def __init__(self):
        self.pos, self.draws = 0, 0

    def update(self, steps, item):
        self.pos += steps
        self.draws += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def test_the_progress_bar_is_redrawn_at_most_ten_times_a_second_and_ends_on_the_last_epoch(monkeypatch):
    from minimlp.cli import console

    progress = console.Progress(5000, "run", quiet=False, terminal=True)
    progress.bar = bar = RecordingBar()  # what a terminal gets, recorded
    clock = iter(i * 0.001 for i in range(10**6))  # an epoch a millisecond
    monkeypatch.setattr(console.time, "monotonic", lambda: next(clock))
    with progress:
        for epoch in range(1, 5001):
            progress.epoch(EpochRecord(epoch, 0.5, 0.5, None, None, 0.1, 0.001))
            assert bar.pos <= epoch
    assert bar.pos == 5000  # the last epochs are drawn on exit
    assert 40 <= bar.draws <= 52  # 5 seconds: ~10 redraws a second, not 5000
