"""Run-folder files read back (metrics.json, history.csv): size-bounded, checked field by field,
and any damage reported as one RunFolderError naming the file, never a traceback or a wrong answer.

config.yaml is read back through ``load_config`` (the same checks as any config)
and checkpoint.npz through ``checkpoint.load``.
"""
import json
import math
from pathlib import Path

from ..errors import RunFolderError
from ..files import read_text
from ..train import HISTORY_COLUMNS
from .checkpoint import FINISHED, STATUSES

MAX_METRICS_BYTES = 64 << 20  # per-class metrics and the confusion matrix: ~4 MB at 1,000 classes
MAX_HISTORY_BYTES = 256 << 20  # ~2 million epochs of ~120-byte lines


def finished_status(run_dir):
    """The status in a run folder's metrics.json if the run finished there (written last), else None."""
    if not (Path(run_dir) / "metrics.json").is_file():
        return None
    status = read_metrics(run_dir)["status"]
    return status if status in FINISHED else None


def read_metrics(run_dir):
    """metrics.json as a dict whose fields a summary uses are present and of the right type and range."""
    path = Path(run_dir) / "metrics.json"
    text = read_text(path, RunFolderError, "metrics file", MAX_METRICS_BYTES)
    try:
        metrics = json.loads(text)
    except (ValueError, RecursionError):
        raise RunFolderError(f"{path}: not valid JSON; the file is damaged") from None
    if not isinstance(metrics, dict):
        raise RunFolderError(f"{path}: not a minimlp metrics file (not a JSON object)")
    checks = {
        "status": (lambda v: v in STATUSES, "one of " + ", ".join(STATUSES)),
        "message": (lambda v: isinstance(v, str), "a string"),
        "test_accuracy": (lambda v: _number(v) and 0 <= v <= 1, "a number in [0, 1]"),
        "epochs_run": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "an integer >= 0"),
        "train_seconds": (lambda v: _number(v) and v >= 0, "a number >= 0"),
    }
    for key, (ok, wanted) in checks.items():
        if key not in metrics:
            raise RunFolderError(f"{path}: has no {key!r}; the file is damaged")
        if not ok(metrics[key]):
            raise RunFolderError(f"{path}: {key} must be {wanted}, got a {type(metrics[key]).__name__}"
                                 f"{_excerpt(metrics[key])}; the file is damaged")
    return metrics


def read_curves(run_dir):
    """{"epoch", "train_loss", "train_acc", "val_loss", "val_acc"} lists from a run folder's history.csv (None: empty cell)."""
    path = Path(run_dir) / "history.csv"
    if not path.is_file():
        raise RunFolderError(f"{run_dir}: no history.csv in this folder; is it a minimlp run folder?")
    lines = read_text(path, RunFolderError, "history file", MAX_HISTORY_BYTES).splitlines()
    if not lines or lines[0] != ",".join(HISTORY_COLUMNS):
        raise RunFolderError(f"{path}: not a minimlp history file (the first line must be {','.join(HISTORY_COLUMNS)})")
    curves = {column: [] for column in ("epoch", "train_loss", "train_acc", "val_loss", "val_acc")}
    for number, line in enumerate(lines[1:], start=2):
        record = _parse_line(line, len(curves["epoch"]) + 1, f"{path}, line {number}")
        for column in curves:
            curves[column].append(record[column])
    return curves


def _parse_line(line, epoch, where):
    cells = line.split(",")
    if len(cells) != len(HISTORY_COLUMNS):
        raise RunFolderError(f"{where}: {len(cells)} cells, expected {len(HISTORY_COLUMNS)}; the file is damaged")
    record = {}
    for column, cell in zip(HISTORY_COLUMNS, cells):
        try:
            record[column] = None if cell == "" and column.startswith("val_") else float(cell)
        except ValueError:
            raise RunFolderError(f"{where}: {column} is not a number{_excerpt(cell)}; the file is damaged") from None
    if record["epoch"] != epoch:
        raise RunFolderError(f"{where}: epoch {_excerpt(record['epoch'], bare=True)}, expected {epoch} "
                             "(epochs count 1, 2, 3, ...); the file is damaged")
    for column in ("train_acc", "val_acc"):
        value = record[column]
        if value is not None and not math.isnan(value) and not 0 <= value <= 1:
            raise RunFolderError(f"{where}: {column} must be in [0, 1], got {_excerpt(value, bare=True)}; "
                                 "the file is damaged")
    return record


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _excerpt(value, bare=False, limit=40):
    text = repr(value)
    text = text if len(text) <= limit else text[:limit] + "..."
    return text if bare else f" ({text})"
