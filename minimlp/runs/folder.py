"""A training run as a folder: everything is loaded and checked first, then the run
trains and leaves config.yaml, history.csv, model.npz, metrics.json, the plots and report.html.

This is the Python API behind ``minimlp train``:

    from minimlp.config import load_config
    from minimlp.runs import train_run
    result = train_run(load_config("configs/iris.yaml"), "runs/iris")
"""
import contextlib
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from . import checkpoint
from .. import data
from .. import files
from .. import report
from .. import strict_json
from .. import __version__
from ..errors import FileWriteError, Interrupted, MinimlpError, RunFailedError
from .fingerprint import check_same_data, fingerprint as data_fingerprint
from .lock import (LOCK_NAME, FolderLock, check_new_run_dir, check_new_run_dir_locked, is_minimlp_folder,
                   is_own_unstarted_run)
from .metrics import classification_metrics
from ..ensemble import network_for_task
from .history import HistoryFile, read_records
from .live import LiveReport
from .predictor import Predictor
from .readback import finished_status, read_config, read_curves  # noqa: F401 (read_curves: part of this module's API)
from .summary import best_validation_epoch, data_summary, model_summary
from ..numerics.optim import make_optimizer
from .report_facts import column_facts, held_weights
from ..train import TrainState, summary
from .setup import fit_config, training_options
from ..data.labels import label_key
from ..train.calibrate import calibrate
from ..train.weights import training_weights
from .weights import weight_sources

CHECKPOINT = "checkpoint.npz"


@dataclass
class Prepared:
    config: object
    dataset: data.Dataset
    splits: data.Splits
    net: "MLP | Ensemble"
    weights: "np.ndarray | None" = None  # the training rows' weights (data.weight_column, train.class_weight)


@dataclass
class RunResult:
    run_dir: Path
    status: str
    message: str
    metrics: dict


def prepare(config, on_load=None, resumed=False):
    """Load and split the data and build the network; every input error surfaces here.

    ``on_load`` is told how reading a table file progresses (a ``data.Loading``). A ``resumed`` run
    is not refused for a column that identifies rows (it may predate that check)."""
    dataset = data.load_dataset(config, on_load)
    splits = data.prepare(dataset, config.data, config.seed, config.model.dtype, identifiers=not resumed)
    if dataset.dropped:  # identifier columns left out: the saved config says so, and its resume does the same
        config = _with_dropped(config, dataset.dropped)
    net = network_for_task(config.model, splits.preprocessing.n_inputs, len(dataset.classes), config.seed)
    weights = training_weights(splits.y_train, dataset.classes, splits.w_train, config.train.class_weight,
                               sources=weight_sources(config, dataset), dtype=config.model.dtype, key=label_key)
    return Prepared(config, dataset, splits, net, weights)


def _with_dropped(config, names):
    """``config`` with ``names`` added to data.drop, still knowing where its values came from (``origin_of``)."""
    changed = replace(config, data=replace(config.data, drop=[*config.data.drop, *names]))
    for attr in ("source", "overridden"):
        if hasattr(config, attr):
            setattr(changed, attr, getattr(config, attr))
    return changed


def default_run_dir(config, root="runs"):
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path, n = Path(root) / f"{config.name}-{stamp}", 1
    while path.exists():
        n += 1
        path = Path(root) / f"{config.name}-{stamp}-{n}"
    return path


def train_run(config, run_dir=None, on_epoch=None, stop_requested=None, own_restart=False, on_start=None,
              on_load=None):
    """Train as ``config`` says into ``run_dir`` (default: runs/<name>-<timestamp>/).

    The data is loaded before any folder is made; the folder must be new or empty
    (or minimlp's own run of this config that was killed before its first checkpoint; ``own_restart``
    is accepted for older callers and changes nothing) and is
    locked while the run writes it.  Interrupted before training starts, the run
    removes what it wrote, leaving no folder it made.  ``on_start(prepared, run_dir)``
    is called once the data and the network are ready, before epoch 1.
    """
    prepared = prepare(config, on_load)
    config = prepared.config  # with the identifier columns it left out in data.drop
    run_dir = Path(run_dir) if run_dir is not None else default_run_dir(config)
    check_new_run_dir(run_dir, config)  # or minimlp's own run of this config, killed before its first checkpoint
    made = not run_dir.exists()
    files.make_folder(run_dir)
    try:
        with FolderLock(run_dir):
            check_new_run_dir_locked(run_dir, config)  # still ours, now that we hold it
            try:
                files.write_text(run_dir / "config.yaml", config.to_yaml())
                optimizer = make_optimizer(prepared.net, config.optimizer)
                if on_start:
                    on_start(prepared, run_dir)
                return _train(prepared, run_dir, optimizer, TrainState(), on_epoch, stop_requested)
            except BaseException:  # interrupted or failed: with a checkpoint the run is resumable, so kept
                if not (run_dir / CHECKPOINT).exists():
                    _remove_unstarted(run_dir, made)
                raise
    except Interrupted:
        if made:
            with contextlib.suppress(OSError):
                run_dir.rmdir()  # only if empty
        raise


def _remove_unstarted(run_dir, made):
    """Remove what an unstarted run wrote (the folder was new or empty), and the folder if it made it."""
    for name in ("config.yaml", "history.csv", "report.html", LOCK_NAME):
        (run_dir / name).unlink(missing_ok=True)
    if made:
        with contextlib.suppress(OSError):
            run_dir.rmdir()  # only if nothing else is in it


def resume_run(run_dir, on_epoch=None, stop_requested=None, on_start=None, on_load=None, epochs=None, on_note=None):
    """Continue the run in ``run_dir`` from its checkpoint, with its saved config, holding its lock.

    The result is bit-identical to a run that was never interrupted. A finished
    run is left as it is (status 'already_finished', or 'diverged' for a run that diverged),
    unless ``epochs`` continues it to that many epochs in all (``extend.py``; ``on_note`` is told
    what carries over).
    """
    run_dir = Path(run_dir)
    if epochs is None and (run_dir / "config.yaml").is_file() and not (run_dir / CHECKPOINT).exists():
        from ..config.loading import load_config

        config = load_config(run_dir / "config.yaml")
        if is_own_unstarted_run(run_dir, config):  # killed before its first checkpoint: start it again, in place
            return train_run(config, run_dir, on_epoch, stop_requested, on_start=on_start, on_load=on_load)
    for name in ("config.yaml", CHECKPOINT):
        if not (run_dir / name).is_file():
            then = (f"; it was stopped before it started: train it again with minimlp train CONFIG --out {run_dir}"
                    if name == "config.yaml" and is_minimlp_folder(run_dir) else "")
            raise MinimlpError(f"{run_dir}: no {name} in this folder, so there is nothing to resume{then}")
    with FolderLock(run_dir):
        return _resume(run_dir, on_epoch, stop_requested, on_start, on_load, epochs, on_note)


def _resume(run_dir, on_epoch, stop_requested, on_start, on_load, epochs=None, on_note=None):
    config = read_config(run_dir)
    prepared = prepare(config, on_load, resumed=True)
    check_same_data(checkpoint.saved_data(run_dir / CHECKPOINT), data_fingerprint(prepared), run_dir,
                    prepared.dataset.source)
    optimizer = make_optimizer(prepared.net, config.optimizer)
    state, status = checkpoint.load(run_dir / CHECKPOINT, prepared.net, optimizer, config.train,
                                    len(prepared.splits.X_train))
    state.history = read_records(run_dir / "history.csv", state.epoch)  # rows after the checkpoint are dropped
    if epochs is not None:
        from .extend import extend

        note = extend(run_dir, prepared, state, status, epochs)
        status = "running"
        if on_note:
            on_note(note)
    if status not in checkpoint.FINISHED:
        if on_start:
            on_start(prepared, run_dir)
        return _train(prepared, run_dir, optimizer, state, on_epoch, stop_requested)
    if finished_status(run_dir) != status:  # stopped while writing its outputs: write them now
        result = summary(status, state, training_options(config).early_stopping)
        return RunResult(run_dir, status, result.message,
                         _after_training(run_dir, finish_run, run_dir, prepared, result))
    message = f"{run_dir} has already finished ({len(state.history)} epochs); nothing to resume"
    return RunResult(run_dir, "diverged" if status == "diverged" else "already_finished", message, None)


def _train(prepared, run_dir, optimizer, state, on_epoch, stop_requested):
    """Train from ``state``, appending history.csv and checkpointing as configured; then finish the folder."""
    config, net = prepared.config, prepared.net
    every, path = config.train.checkpoint_every, run_dir / CHECKPOINT
    if config.optimizer.name == "lbfgs":  # its records arrive after the optimization: one checkpoint, at the end
        every = 0
    # history.csv is rewritten with the checkpoint's rows (a resume drops later ones). A new run creates it
    # before training (a failure is bad output, exit 2); a resume inside the run's write-failure handling.
    history = [] if path.exists() else [HistoryFile(run_dir / "history.csv", state.history)]
    live = LiveReport(run_dir, f"minimlp run: {config.name}", config.train.epochs, state.history)
    data = data_fingerprint(prepared)  # stored in every checkpoint: a resume refuses other data

    def after_epoch(record, state):
        history[0].append(record)  # first: history.csv never holds fewer epochs than the checkpoint
        live.epoch(record)
        if every and record.epoch % every == 0:
            checkpoint.save(path, net, optimizer, state, "running", data)
        if on_epoch:
            on_epoch(record, state)

    def train_and_finish():
        if not history:
            history.append(HistoryFile(run_dir / "history.csv", state.history))
        with history[0], live:
            result = fit_config(net, prepared.splits, config, state=state, optimizer=optimizer,
                                on_epoch=after_epoch, stop_requested=stop_requested, weights=prepared.weights)
        checkpoint.save(path, net, optimizer, state, result.status, data)  # first: resumable whatever happens next
        return RunResult(run_dir, result.status, result.message, finish_run(run_dir, prepared, result))

    return _after_training(run_dir, train_and_finish)


def _after_training(run_dir, work, *args):
    """``work(*args)``; a file that cannot be written once training started fails the run (exit 1),
    saying whether the last checkpoint lets ``--resume`` continue."""
    try:
        return work(*args)
    except FileWriteError as e:
        if (run_dir / CHECKPOINT).is_file():
            then = f"once space is freed or permissions fixed, continue with: minimlp train --resume {run_dir}"
        else:
            then = "no checkpoint was saved, so the run must start again"
        raise RunFailedError(f"{e}; the run stopped; {then}") from None


def finish_run(run_dir, prepared, result):
    """Write model.npz, the figures, report.html and, last, metrics.json (its status marks a finished folder)."""
    config, dataset, splits = prepared.config, prepared.dataset, prepared.splits
    temperature = calibrate(prepared.net, splits.X_val, splits.y_val) if config.train.calibrate else None
    predictor = Predictor(prepared.net, dataset.classes, splits.preprocessing)
    predictor.save(run_dir / "model.npz")
    metrics = test_metrics(predictor, dataset, splits.test_rows)
    last = result.history[-1] if result.history else None
    best_epoch = result.best_epoch if config.train.early_stopping else best_validation_epoch(result.history)
    metrics.update(
        status=result.status, message=result.message, epochs_run=len(result.history),
        best_epoch=best_epoch, temperature=temperature,
        train_seconds=result.seconds, n_params=prepared.net.n_params,
        final_epoch=asdict(last) if last else None,
        data={**data_summary(dataset, splits, config), **column_facts(dataset.frame, splits.preprocessing)},
        model=model_summary(prepared.net), weights=held_weights(config, result),
        minimlp_version=__version__, finished=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        input_columns=len(dataset.feature_names), network_inputs=prepared.net.sizes[0],
    )
    replaced = []
    metrics = strict_json.finite(metrics, replaced=replaced)  # strict JSON: not-finite numbers become null ...
    if replaced:  # ... and the message says which and why
        metrics["message"] += f"; not finite, so null in metrics.json: {', '.join(replaced)}"
    rows = splits.test_rows  # raw units for the figures: numeric features only
    raw = dataset.frame.numeric_matrix(rows) if dataset.frame.all_numeric else np.empty((len(rows), 0))
    if raw.size and np.abs(raw).max() > 1e150:  # matplotlib's tick locator fails on axes near float64's limit
        raw = np.empty((len(rows), 0))
    drawn = report.write_figures(run_dir, result.history, metrics, predictor, raw, dataset.y[rows])
    report.write_report(run_dir, f"minimlp run: {config.name}", metrics, result.history, config.to_yaml(), drawn,
                        early_stopping=config.train.early_stopping)
    files.write_text(run_dir / "metrics.json", strict_json.dumps(metrics, indent=2) + "\n")
    return metrics


def test_metrics(predictor, dataset, test_rows):
    """Metrics of a predictor on the raw test rows: one path for training and ``evaluate``.

    Labels are matched to the model's classes by value, so a dataset that has
    since lost or gained a class is still scored right (or refused, naming the class)."""
    X = predictor.transform(dataset.frame, test_rows)
    y = predictor.class_indices(dataset.classes[dataset.y[test_rows]], dataset.source)
    return classification_metrics(predictor.net, X, y, predictor.classes)


