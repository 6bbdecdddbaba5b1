"""Run-folder files read back: one reader per file, size-bounded, checked field by field, and any
damage reported as one error naming the file, never a traceback or a wrong answer.

- metrics.json: ``read_metrics`` (and ``finished_status``), strict JSON of at most MAX_METRICS_BYTES;
- history.csv: ``history.read_records`` (``read_curves`` here gives its columns);
- config.yaml: ``read_config``, through ``load_config`` (the same checks as any config);
- checkpoint.npz: ``checkpoint.load``.

Resume, evaluate, compare, plot and sweep all read through these.
"""
import json
import math
from pathlib import Path

from ..errors import RunFolderError
from ..files import read_text
from .checkpoint import FINISHED, STATUSES
from .history import MAX_HISTORY_BYTES, read_records  # noqa: F401 (MAX_HISTORY_BYTES: this module's stated limit)

MAX_METRICS_BYTES = 64 << 20  # per-class metrics and the confusion matrix: ~4 MB at 1,000 classes
CURVES = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc")


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
        metrics = json.loads(text, parse_constant=_not_json)  # minimlp writes strict JSON: no NaN or Infinity
    except ValueError as e:
        raise RunFolderError(f"{path}: not valid JSON ({_excerpt(str(e), bare=True, limit=80)}); "
                             "the file is damaged") from None
    except RecursionError:
        raise RunFolderError(f"{path}: not valid JSON (nested too deeply); the file is damaged") from None
    if not isinstance(metrics, dict):
        raise RunFolderError(f"{path}: not a minimlp metrics file (not a JSON object)")
    checks = {
        "status": (lambda v: v in STATUSES, "one of " + ", ".join(STATUSES)),
        "message": (lambda v: isinstance(v, str), "a string"),
        "test_accuracy": (lambda v: _number(v) and 0 <= v <= 1, "a number in [0, 1]"),
        "test_loss": (lambda v: v is None or (_number(v) and v >= 0), "a number >= 0 or null"),
        "epochs_run": (lambda v: _count(v), "an integer >= 0"),
        "train_seconds": (lambda v: _number(v) and v >= 0, "a number >= 0"),
        "best_epoch": (lambda v: v is None or _count(v), "an integer >= 0 or null"),
    }
    for key, (ok, wanted) in checks.items():
        if key not in metrics:
            if key == "best_epoch":  # optional: a summary shows it when there is one
                continue
            raise RunFolderError(f"{path}: has no {key!r}; the file is damaged")
        if not ok(metrics[key]):
            raise RunFolderError(f"{path}: {key} must be {wanted}, got a {type(metrics[key]).__name__}"
                                 f"{_excerpt(metrics[key])}; the file is damaged")
    return metrics


def read_curves(run_dir):
    """{"epoch", "train_loss", "train_acc", "val_loss", "val_acc"} lists of floats from a finished run's
    history.csv (None: no validation), read by ``history.read_records``."""
    path = Path(run_dir) / "history.csv"
    if not path.is_file():
        raise RunFolderError(f"{run_dir}: no history.csv in this folder; is it a minimlp run folder?")
    records = read_records(path, error=RunFolderError)
    curves = {column: [getattr(record, column) for record in records] for column in CURVES}
    curves["epoch"] = [float(epoch) for epoch in curves["epoch"]]
    return curves


def read_config(run_dir):
    """The run's config.yaml as a Config, read and validated by ``load_config`` (1 MiB at most); keys an
    older run's file lacks keep their old meaning (``saved=True``)."""
    from ..config.loading import load_config

    path = Path(run_dir) / "config.yaml"
    if not path.is_file():
        raise RunFolderError(f"{run_dir}: no config.yaml in this folder; is it a minimlp run folder?")
    return load_config(path, saved=True)


def _not_json(constant):
    raise ValueError(f"{constant} is not JSON")


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _excerpt(value, bare=False, limit=40):
    text = value if bare else repr(value)
    text = text if len(text) <= limit else text[:limit] + "..."
    return text if bare else f" ({text})"
