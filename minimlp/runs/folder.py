"""A training run as a folder: everything is loaded and checked first, then the run
trains and leaves config.yaml, history.csv, model.npz, metrics.json, the plots and report.html.

This is the Python API behind ``minimlp train``:

    from minimlp.config import load_config
    from minimlp.runs import train_run
    result = train_run(load_config("configs/iris.yaml"), "runs/iris")
"""
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import checkpoint
from .. import data
from .. import files
from .. import report
from ..errors import MinimlpError
from .metrics import classification_metrics
from ..model import MLP
from .predictor import Predictor
from ..train import HISTORY_COLUMNS, TrainState, fit, make_optimizer, summary

CHECKPOINT = "checkpoint.npz"


@dataclass
class Prepared:
    config: object
    dataset: data.Dataset
    splits: data.Splits
    net: MLP


@dataclass
class RunResult:
    run_dir: Path
    status: str
    message: str
    metrics: dict


def prepare(config, on_load=None):
    """Load and split the data and build the network; every input error surfaces here.

    ``on_load`` is told how reading a table file progresses (a ``data.Loading``)."""
    dataset = data.load_dataset(config, on_load)
    splits = data.prepare(dataset, config.data, config.seed, config.model.dtype)
    net = MLP.for_task(config.model, splits.preprocessing.n_inputs, len(dataset.classes), config.seed)
    return Prepared(config, dataset, splits, net)


def default_run_dir(config, root="runs"):
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path, n = Path(root) / f"{config.name}-{stamp}", 1
    while path.exists():
        n += 1
        path = Path(root) / f"{config.name}-{stamp}-{n}"
    return path


def check_new_run_dir(path):
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise MinimlpError(f"--out {path}: already exists and is not an empty folder; "
                           "choose a new folder (or --resume a run)")


def train_run(config, run_dir=None, on_epoch=None, stop_requested=None, on_load=None):
    """Train as ``config`` says into ``run_dir`` (default: runs/<name>-<timestamp>/)."""
    prepared = prepare(config, on_load)
    run_dir = Path(run_dir) if run_dir is not None else default_run_dir(config)
    check_new_run_dir(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    files.write_text(run_dir / "config.yaml", config.to_yaml())
    optimizer = make_optimizer(prepared.net, config.optimizer)
    return _train(prepared, run_dir, optimizer, TrainState(), on_epoch, stop_requested)


def resume_run(run_dir, on_epoch=None, stop_requested=None, on_load=None):
    """Continue the run in ``run_dir`` from its checkpoint, with its saved config.

    The result is bit-identical to a run that was never interrupted. A finished
    run is left as it is (status 'already_finished', or 'diverged' for a run that diverged).
    """
    from ..config.loading import load_config

    run_dir = Path(run_dir)
    for name in ("config.yaml", CHECKPOINT):
        if not (run_dir / name).is_file():
            raise MinimlpError(f"{run_dir}: no {name} in this folder, so there is nothing to resume")
    config = load_config(run_dir / "config.yaml")
    prepared = prepare(config, on_load)
    optimizer = make_optimizer(prepared.net, config.optimizer)
    state, status = checkpoint.load(run_dir / CHECKPOINT, prepared.net, optimizer)
    if status not in checkpoint.FINISHED:
        return _train(prepared, run_dir, optimizer, state, on_epoch, stop_requested)
    if finished_status(run_dir) != status:  # stopped while writing its outputs: write them now
        result = summary(status, state, config.train)
        return RunResult(run_dir, status, result.message, finish_run(run_dir, prepared, result))
    message = f"{run_dir} has already finished ({len(state.history)} epochs); nothing to resume"
    return RunResult(run_dir, "diverged" if status == "diverged" else "already_finished", message, None)


def finished_status(run_dir):
    """The status in a run folder's metrics.json if the run finished there (written last), else None."""
    path = Path(run_dir) / "metrics.json"
    if not path.is_file():
        return None
    status = json.loads(path.read_text()).get("status")
    return status if status in checkpoint.FINISHED else None


def _train(prepared, run_dir, optimizer, state, on_epoch, stop_requested):
    """Train from ``state``, appending history.csv and checkpointing as configured; then finish the folder."""
    config, net = prepared.config, prepared.net
    every, path = config.train.checkpoint_every, run_dir / CHECKPOINT
    history = HistoryFile(run_dir / "history.csv", state.history)  # a resume drops rows after the checkpoint

    def after_epoch(record, state):
        history.append(record)
        if every and record.epoch % every == 0:
            checkpoint.save(path, net, optimizer, state, "running")
        if on_epoch:
            on_epoch(record, state)

    result = fit(net, prepared.splits, config, state=state, optimizer=optimizer,
                 on_epoch=after_epoch, stop_requested=stop_requested)
    checkpoint.save(path, net, optimizer, state, result.status)  # first: resumable whatever happens next
    return RunResult(run_dir, result.status, result.message, finish_run(run_dir, prepared, result))


def finish_run(run_dir, prepared, result):
    """Write model.npz, the plots, report.html and, last, metrics.json (its status marks a finished folder)."""
    config, dataset, splits = prepared.config, prepared.dataset, prepared.splits
    predictor = Predictor(prepared.net, dataset.classes, splits.preprocessing)
    predictor.save(run_dir / "model.npz")
    metrics = test_metrics(predictor, dataset, splits.test_rows)
    last = result.history[-1] if result.history else None
    metrics.update(
        status=result.status, message=result.message, epochs_run=len(result.history),
        best_epoch=result.best_epoch, train_seconds=result.seconds, n_params=prepared.net.n_params,
        final_epoch=asdict(last) if last else None,
        input_columns=len(dataset.feature_names), network_inputs=prepared.net.sizes[0],
    )
    rows = splits.test_rows  # raw units for the plots: numeric features only
    raw = dataset.frame.numeric_matrix(rows) if dataset.frame.all_numeric else np.empty((len(rows), 0))
    if raw.size and np.abs(raw).max() > 1e150:  # matplotlib's tick locator fails on axes near float64's limit
        raw = np.empty((len(rows), 0))
    plots = report.write_plots(run_dir, result.history, metrics, predictor, raw, dataset.y[rows], result.best_epoch)
    summary_table = {
        "status": result.message, "test accuracy": f"{metrics['test_accuracy']:.4f}",
        "test loss": f"{metrics['test_loss']:.4f}", "macro F1": f"{metrics['macro_f1']:.4f}",
        "epochs": len(result.history), "training seconds": f"{result.seconds:.2f}",
        "parameters": prepared.net.n_params, "dataset": dataset.source,
        "inputs": f"{metrics['input_columns']} columns → {metrics['network_inputs']} network inputs",
        "rows (train / val / test)": f"{len(splits.y_train)} / {len(splits.y_val)} / {len(splits.y_test)}",
    }
    report.write_html(run_dir, f"minimlp run: {config.name}", summary_table, metrics, config.to_yaml(), plots)
    files.write_text(run_dir / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    return metrics


def test_metrics(predictor, dataset, test_rows):
    """Metrics of a predictor on the raw test rows: one path for training and ``evaluate``.

    Labels are matched to the model's classes by value, so a dataset that has
    since lost or gained a class is still scored right (or refused, naming the class)."""
    X = predictor.transform(dataset.frame, test_rows)
    y = predictor.class_indices(dataset.classes[dataset.y[test_rows]], dataset.source)
    return classification_metrics(predictor.net, X, y, predictor.classes)


class HistoryFile:
    """history.csv, one whole line appended and flushed per epoch (a kill never tears a line)."""

    def __init__(self, path, records):
        self.path = path
        files.write_text(path, ",".join(HISTORY_COLUMNS) + "\n" + "".join(map(history_line, records)))

    def append(self, record):
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(history_line(record))


def history_line(record):
    cells = (_cell(getattr(record, column)) for column in HISTORY_COLUMNS)
    return ",".join(cells) + "\n"


def _cell(value):
    """Full precision (repr round-trips), empty for a missing value."""
    return "" if value is None else repr(float(value)) if isinstance(value, float) else str(value)


def read_curves(run_dir):
    """{"epoch", "train_loss", "val_loss", "val_acc"} lists from a run folder's history.csv (None: empty cell)."""
    import csv

    path = Path(run_dir) / "history.csv"
    if not path.is_file():
        raise MinimlpError(f"{run_dir}: no history.csv in this folder; is it a minimlp run folder?")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    try:
        return {column: [float(r[column]) if r[column] else None for r in rows]
                for column in ("epoch", "train_loss", "val_loss", "val_acc")}
    except (KeyError, ValueError, TypeError):
        raise MinimlpError(f"{path}: not a minimlp history file") from None
