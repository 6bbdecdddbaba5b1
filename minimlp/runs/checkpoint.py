"""checkpoint.npz: everything needed to continue a run exactly, in one atomically written file.

Arrays (weights, optimizer state, the early-stopping best weights) are stored as
arrays; the rest of the TrainState (epoch and batch counters, the partial
epoch's sums, the shuffling and dropout streams, early stopping) as one small JSON
string. The history is not in it: history.csv is the record, and a resume
reads its first ``epoch`` rows back, so a checkpoint costs the same at epoch 10
and at epoch 10,000. Floats round-trip exactly through JSON, so a resumed run
continues bit for bit. Read back with allow_pickle=False, and every field is
checked (type, range, shape, dtype) before use.
"""
import json
import math

import numpy as np

from .. import files
from ..errors import MinimlpError, ModelFileError
from ..model import read_npz
from ..train import TrainState

FORMAT = "minimlp-checkpoint-2"
FINISHED = ("completed", "early_stopped", "diverged")
STATUSES = (*FINISHED, "running", "interrupted")
MAX_META_CHARS = 4096  # a few counters and an RNG state


def save(path, net, optimizer, state, status, data=None):
    """Write the checkpoint of a run whose training is at ``state`` (``status`` as fit reported it);
    ``data``: the fingerprint of the data it trains on (runs/fingerprint.py)."""
    meta = {
        "format": FORMAT, "status": status,
        "epoch": state.epoch, "batch": state.batch, "loss_sum": state.loss_sum, "correct": state.correct,
        "seconds": state.seconds, "rng_state": state.rng_state,
        "best_value": state.best_value, "best_epoch": state.best_epoch, "wait": state.wait,
        "lr_best": state.lr_best, "lr_wait": state.lr_wait,
    }
    if state.dropout_state is not None:  # the dropout stream where the run stopped (networks with dropout)
        meta["dropout_state"] = state.dropout_state
    if data is not None:
        meta["data"] = data
    arrays = {"meta": np.array(json.dumps(meta)), "params": net.params}
    arrays.update({f"optimizer.{k}": v for k, v in optimizer.state_dict().items()})
    if state.best_params is not None:
        arrays["best_params"] = state.best_params
    if getattr(state, "last_params", None) is not None:  # a finished run whose model holds the best epoch's weights
        arrays["last_params"] = state.last_params
    files.write_npz(path, arrays)


def load(path, net, optimizer, train, n_rows):
    """Restore ``net`` and ``optimizer`` in place; return (TrainState without its history, status).

    ``train`` is the run's TrainConfig and ``n_rows`` its training rows: the
    counters are checked against them. Anything off raises ModelFileError naming the file.
    """
    arrays = read_npz(path)
    try:
        meta = _meta(arrays)
        state = _state(meta, train, n_rows)
        expected = {"meta", "params", "best_params", "last_params", *(f"optimizer.{k}" for k in optimizer.state_dict())}
        if set(arrays) - expected:
            raise ValueError(f"unexpected arrays {sorted(set(arrays) - expected)}")
        params = _weights(arrays, "params", net)
        if (meta["best_value"] is None) != ("best_params" not in arrays):
            raise ValueError("best_value and best_params must be saved together")
        state.best_params = _weights(arrays, "best_params", net) if "best_params" in arrays else None
        state.last_params = _weights(arrays, "last_params", net) if "last_params" in arrays else None
        saved = {k[len("optimizer."):]: v for k, v in arrays.items() if k.startswith("optimizer.")}
        for name, values in saved.items():
            if values.dtype.kind not in "fiu":
                raise ValueError(f"optimizer {name} is not numeric (dtype {values.dtype})")
            if meta["status"] != "diverged" and not np.all(np.isfinite(values)):  # only divergence spoils it
                raise ValueError(f"the optimizer state holds NaN or infinite values ({name})")
        optimizer.load_state_dict(saved)
    except (KeyError, ValueError, TypeError, MinimlpError) as e:
        message = f"missing {e}" if isinstance(e, KeyError) else str(e)
        raise ModelFileError(f"{path}: not a usable minimlp checkpoint ({message})") from None
    np.copyto(net.params, params)
    return state, meta["status"]


def saved_data(path):
    """The data fingerprint in the checkpoint at ``path``, or None (a checkpoint from before them)."""
    try:
        return _meta(read_npz(path)).get("data")
    except (KeyError, ValueError, TypeError, MinimlpError):
        return None  # checkpoint.load reports the damage


def _meta(arrays):
    meta = arrays["meta"]
    if meta.dtype.kind != "U" or meta.shape != () or len(str(meta)) > MAX_META_CHARS:
        raise ValueError("its metadata is not a minimlp checkpoint's")
    meta = json.loads(str(meta))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("status") not in STATUSES:
        raise ValueError("its metadata is not a minimlp checkpoint's (format "
                         f"{meta.get('format') if isinstance(meta, dict) else None!r}, expected {FORMAT!r})")
    return meta


def _state(meta, train, n_rows):
    """The TrainState the metadata describes, each counter checked against the run's config."""
    batches = -(-n_rows // train.batch_size)  # per epoch
    epoch = _integer(meta, "epoch", 0, train.epochs)
    batch = _integer(meta, "batch", 0, batches - 1 if epoch < train.epochs else 0)
    correct = _integer(meta, "correct", 0, min(batch * train.batch_size, n_rows))
    best_epoch = _integer(meta, "best_epoch", 0, epoch)
    wait = _integer(meta, "wait", 0, epoch)
    best_value = meta["best_value"]
    if best_value is not None:
        best_value = _number(meta, "best_value", -math.inf)
    meta.setdefault("lr_best", None)  # the adaptive schedule's (checkpoints before it lack them)
    meta.setdefault("lr_wait", 0)
    lr_best = None if meta["lr_best"] is None else _number(meta, "lr_best", 0.0)
    return TrainState(
        epoch=epoch, batch=batch, loss_sum=_number(meta, "loss_sum", 0.0), correct=correct,
        seconds=_number(meta, "seconds", 0.0), rng_state=_rng_state(meta["rng_state"]),
        best_value=best_value, best_epoch=best_epoch, wait=wait,
        samples=epoch * n_rows, lr_best=lr_best, lr_wait=_integer(meta, "lr_wait", 0, epoch),
        dropout_state=None if meta.get("dropout_state") is None else _rng_state(meta["dropout_state"], "dropout_state"),
    )


def _integer(meta, key, low, high):
    value = meta[key]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{key} must be an integer in [{low}, {high}] for this run, got {value!r}")
    return value


def _number(meta, key, low):
    value = meta[key]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value < low:
        raise ValueError(f"{key} must be a finite number >= {low}, got {value!r}")
    return float(value)


def _rng_state(state, key="rng_state"):
    """A random stream's saved state, if numpy's PCG64 accepts it (and gives it back unchanged)."""
    if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
        raise ValueError(f"{key} is not a PCG64 state")
    generator = np.random.PCG64()
    try:
        generator.state = state
        valid = generator.state == state
    except (TypeError, ValueError, KeyError, OverflowError):
        valid = False
    if not valid:
        raise ValueError(f"{key} is not a valid PCG64 state")
    return state


def _weights(arrays, key, net):
    values = arrays[key]
    if values.shape != net.params.shape or values.dtype != net.params.dtype:
        raise ValueError(f"{key} have shape {values.shape} {values.dtype}, expected "
                         f"{net.params.shape} {net.params.dtype} for the configured network")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{key} hold NaN or infinite values")
    return values
