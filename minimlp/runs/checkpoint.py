"""checkpoint.npz: everything needed to continue a run exactly, in one atomically written file.

Arrays (weights, optimizer state, the early-stopping best weights) are stored as
arrays; the rest of the TrainState (epoch and batch counters, the partial
epoch's sums, the shuffling RNG's state, early stopping, the history) as one
JSON string. Floats round-trip exactly through JSON, so a resumed run
continues bit for bit. Read back with allow_pickle=False.
"""
import json
from dataclasses import asdict

import numpy as np

from .. import files
from ..errors import ModelFileError
from ..model import read_npz
from ..train import EpochRecord, TrainState

FORMAT = "minimlp-checkpoint-1"
FINISHED = ("completed", "early_stopped", "diverged")
STATUSES = (*FINISHED, "running", "interrupted")


def save(path, net, optimizer, state, status):
    """Write the checkpoint of a run whose training is at ``state`` (``status`` as fit reported it)."""
    meta = {
        "format": FORMAT, "status": status,
        "epoch": state.epoch, "batch": state.batch, "loss_sum": state.loss_sum, "correct": state.correct,
        "seconds": state.seconds, "rng_state": state.rng_state,
        "best_value": state.best_value, "best_epoch": state.best_epoch, "wait": state.wait,
        "history": [asdict(record) for record in state.history],
    }
    arrays = {"meta": np.array(json.dumps(meta)), "params": net.params}
    arrays.update({f"optimizer.{k}": v for k, v in optimizer.state_dict().items()})
    if state.best_params is not None:
        arrays["best_params"] = state.best_params
    files.write_npz(path, arrays)


def load(path, net, optimizer):
    """Restore ``net`` and ``optimizer`` in place; return (TrainState, status)."""
    arrays = read_npz(path)
    try:
        meta = json.loads(str(arrays["meta"]))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("status") not in STATUSES:
            raise ValueError("its metadata is not a minimlp checkpoint's")
        np.random.default_rng().bit_generator.state = meta["rng_state"]  # a valid PCG64 state, or an error
        params = arrays["params"]
        if params.shape != net.params.shape or params.dtype != net.params.dtype or not np.all(np.isfinite(params)):
            raise ValueError("its weights do not fit the configured network")
        optimizer.load_state_dict({k[len("optimizer."):]: v for k, v in arrays.items() if k.startswith("optimizer.")})
        state = TrainState(
            epoch=meta["epoch"], batch=meta["batch"], loss_sum=meta["loss_sum"], correct=meta["correct"],
            seconds=meta["seconds"], rng_state=meta["rng_state"], best_value=meta["best_value"],
            best_epoch=meta["best_epoch"], wait=meta["wait"], best_params=arrays.get("best_params"),
            history=[EpochRecord(**record) for record in meta["history"]],
        )
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        raise ModelFileError(f"{path}: not a usable minimlp checkpoint ({e})") from None
    np.copyto(net.params, params)
    return state, meta["status"]
