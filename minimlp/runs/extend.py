"""``minimlp train --resume RUN --epochs N``: a run continued to N epochs in all.

What carries over is what a checkpoint holds: the weights (the last epoch's, even when
early stopping put the best epoch's in model.npz), the optimizer's state (momentum,
Adam's moments, the current lr), the schedule's position, the shuffling RNG, and early
stopping's best value, best weights and patience count. So the continued run equals a
run trained N epochs from the start, bit for bit, unless its lr schedule is laid out
over train.epochs (cosine): then its first epochs followed the shorter layout, and the
note says so. config.yaml is rewritten with the new train.epochs; metrics.json, which
marks a finished folder, goes until the run finishes again.
"""
import dataclasses

from .. import files
from ..errors import MinimlpError
from ..train.schedules import END_OF_EPOCH, epoch_lr


def extend(run_dir, prepared, state, status, epochs):
    """Check that the run can go on to ``epochs`` epochs; then make it so (config, weights, folder).

    Returns the note saying what carries over (and what does not match a run trained that long)."""
    config, done = prepared.config, state.epoch
    why = _refusal(config, state, status, epochs)
    if why:
        raise MinimlpError(f"{run_dir}: {why}")
    config = dataclasses.replace(config, train=dataclasses.replace(config.train, epochs=epochs))
    config.source = getattr(prepared.config, "source", "config")
    files.write_text(run_dir / "config.yaml", config.to_yaml())
    (run_dir / "metrics.json").unlink(missing_ok=True)  # the folder is unfinished until the run finishes again
    prepared.config = config
    if state.last_params is not None:  # early stopping left the best epoch's weights in place: go on from the last
        prepared.net.params[...] = state.last_params
        state.last_params = None
    return _note(run_dir, prepared.config, done, epochs)


def _refusal(config, state, status, epochs):
    done = state.epoch
    if config.optimizer.name == "lbfgs":
        return ("an lbfgs run cannot be continued: L-BFGS-B's memory is not saved; train a new run with "
                "--set train.epochs=N")
    if status == "diverged":
        return "the run diverged; continuing it would start from the weights before the failing step"
    if status == "early_stopped":
        return (f"the run stopped early at epoch {done} ({config.train.monitor} stopped improving); "
                "continuing it would stop again at once; train a new run with a larger train.patience")
    if epochs <= done:
        return f"the run has {done} epochs already; --epochs {epochs} must be more to continue it"
    restored = config.train.early_stopping and config.train.restore_best and state.best_params is not None
    if status in ("completed",) and restored and state.last_params is None and state.best_epoch != done:
        return ("its checkpoint, from an older minimlp, holds the best epoch's weights and not the last "
                "epoch's, so it cannot be continued exactly; train a new run with --set train.epochs=N")
    return None


def _note(run_dir, config, done, epochs):
    opt = config.optimizer
    kept = ["the weights", f"the optimizer's state ({_state_words(opt)})", "the lr schedule's position",
            "the shuffling order"] + (["early stopping's best value and patience count"] if config.train.early_stopping else [])
    note = (f"continuing {run_dir} from epoch {done} to {epochs}: {', '.join(kept[:-1])} and {kept[-1]} carry over; "
            f"history.csv gets epochs {done + 1}-{epochs}")
    if opt.schedule not in END_OF_EPOCH and any(epoch_lr(opt, e, done) != epoch_lr(opt, e, epochs)
                                                for e in range(1, done + 1)):
        note += (f". optimizer.schedule {opt.schedule} is laid out over train.epochs, now {epochs}: epoch {done + 1} "
                 f"gets lr {epoch_lr(opt, done + 1, epochs):.4g} (epoch {done} had "
                 f"{epoch_lr(opt, done, done):.4g}), and the result differs from a run trained {epochs} epochs "
                 "from the start")
    return note


def _state_words(opt):
    if opt.name == "adam":
        return "Adam's moments and step count"
    return "momentum" if opt.momentum else "its lr"
