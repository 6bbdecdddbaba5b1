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

from . import checkpoint
from .. import data
from .. import files
from .. import report
from ..errors import MinimlpError
from .metrics import classification_metrics
from ..model import MLP
from .history import HistoryFile, read_records
from .predictor import Predictor
from ..train import TrainState, fit, make_optimizer, summary

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


def prepare(config):
    """Load and split the data and build the network; every input error surfaces here."""
    dataset = data.load_dataset(config)
    splits = data.prepare(dataset, config.data, config.seed, config.model.dtype)
    net = MLP.for_task(config.model, dataset.X.shape[1], len(dataset.classes), config.seed)
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


def train_run(config, run_dir=None, on_epoch=None, stop_requested=None):
    """Train as ``config`` says into ``run_dir`` (default: runs/<name>-<timestamp>/)."""
    prepared = prepare(config)
    run_dir = Path(run_dir) if run_dir is not None else default_run_dir(config)
    check_new_run_dir(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    files.write_text(run_dir / "config.yaml", config.to_yaml())
    optimizer = make_optimizer(prepared.net, config.optimizer)
    return _train(prepared, run_dir, optimizer, TrainState(), on_epoch, stop_requested)


def resume_run(run_dir, on_epoch=None, stop_requested=None):
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
    prepared = prepare(config)
    optimizer = make_optimizer(prepared.net, config.optimizer)
    state, status = checkpoint.load(run_dir / CHECKPOINT, prepared.net, optimizer, config.train,
                                    len(prepared.splits.X_train))
    state.history = read_records(run_dir / "history.csv", state.epoch)  # rows after the checkpoint are dropped
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
    with HistoryFile(run_dir / "history.csv", state.history) as history:  # a resume drops rows after the checkpoint
        def after_epoch(record, state):
            history.append(record)  # first: history.csv never holds fewer epochs than the checkpoint
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
    predictor = Predictor(prepared.net, dataset.classes, dataset.feature_names, splits.scaler)
    predictor.save(run_dir / "model.npz")
    metrics = test_metrics(predictor, dataset, splits.test_rows)
    last = result.history[-1] if result.history else None
    metrics.update(
        status=result.status, message=result.message, epochs_run=len(result.history),
        best_epoch=result.best_epoch, train_seconds=result.seconds, n_params=prepared.net.n_params,
        final_epoch=asdict(last) if last else None,
    )
    plots = report.write_plots(run_dir, result.history, metrics, predictor,
                               dataset.X[splits.test_rows], dataset.y[splits.test_rows], result.best_epoch)
    summary_table = {
        "status": result.message, "test accuracy": f"{metrics['test_accuracy']:.4f}",
        "test loss": f"{metrics['test_loss']:.4f}", "macro F1": f"{metrics['macro_f1']:.4f}",
        "epochs": len(result.history), "training seconds": f"{result.seconds:.2f}",
        "parameters": prepared.net.n_params, "dataset": dataset.source,
        "rows (train / val / test)": f"{len(splits.y_train)} / {len(splits.y_val)} / {len(splits.y_test)}",
    }
    report.write_html(run_dir, f"minimlp run: {config.name}", summary_table, metrics, config.to_yaml(), plots)
    files.write_text(run_dir / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    return metrics


def test_metrics(predictor, dataset, test_rows):
    """Metrics of a predictor on the raw test rows: one path for training and ``evaluate``."""
    X = predictor.transform(dataset.X[test_rows])
    return classification_metrics(predictor.net, X, dataset.y[test_rows], predictor.classes)


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
