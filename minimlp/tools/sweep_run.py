"""One run of a sweep, wherever it executes (this process, a joblib worker, a Dask worker): trained,
resumed or read back, and summarised as its sweep.csv row. Below sweep.py and sweep_backends.py, which both call it."""
from pathlib import Path

from ..errors import MinimlpError, out_of_memory_message

COLUMNS = ("status", "best_val_loss", "best_val_acc", "test_accuracy", "epochs", "seconds", "message")


def run_one(config, run_dir):
    """Train (or finish, or just read) one run; never raises: a failure comes back as its row.

    A folder is reused only when minimlp made it for this very config: finished
    runs are read, checkpointed ones resumed, unstarted ones trained again in place.
    """
    from threadpoolctl import threadpool_limits

    from ..runs.folder import CHECKPOINT, finished_status, resume_run, train_run
    from ..runs.lock import same_config

    run_dir = Path(run_dir)
    try:
        if (run_dir / "config.yaml").is_file() and not same_config(run_dir, config):
            return {"status": "failed", "message": f"{run_dir} holds a run of another config (a different --set "
                                                   "or grid?); use a new --out"}
        if finished_status(run_dir) is not None:
            return {**summarize(run_dir), "skipped": True}
        with threadpool_limits(1):
            if (run_dir / CHECKPOINT).is_file():
                resume_run(run_dir)
            else:
                train_run(config, run_dir, own_restart=True)
        return summarize(run_dir)
    except MinimlpError as e:
        return {"status": "failed", "message": str(e)}
    except MemoryError as e:
        return {"status": "failed", "message": out_of_memory_message(e)}
    except Exception as e:  # noqa: BLE001 - a sweep records any failure and goes on
        return {"status": "failed", "message": f"{type(e).__name__}: {e}"}


def summarize(run_dir):
    """The sweep.csv row of a finished run folder: its summary row (the one ``compare`` shows), in
    sweep.csv's columns, the seconds to the millisecond."""
    from ..runs.summary import run_row

    row, _ = run_row(run_dir)
    return {column: round(row[column], 3) if column == "seconds" else row[column] for column in COLUMNS}
