"""Grid sweeps: every combination of the grid values is its own run folder, trained in
parallel by joblib (one machine) or a Dask cluster, summarised in sweep.csv and sweep.html.

Each run uses one BLAS thread, so parallelism is across runs and a run's
result does not depend on which backend or worker ran it.
"""
import csv
import io
import itertools
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import files
from ..config.loading import check_key, load_config, parse_yaml
from ..errors import ConfigError, MinimlpError

COLUMNS = ("status", "best_val_loss", "best_val_acc", "test_accuracy", "epochs", "seconds", "message")


@dataclass
class Spec:
    name: str  # the run folder's name, from the varied values
    values: dict  # grid key -> this run's value


def parse_grid(text):
    """'model.hidden=[16,16],[32]' -> ('model.hidden', [[16, 16], [32]]): the values are a YAML list's items."""
    key, sep, items = text.partition("=")
    key = key.strip()
    if not sep or not key or not items.strip():
        raise ConfigError(f"--grid {text}: expected key.path=value1,value2,..., e.g. optimizer.lr=0.01,0.1")
    check_key(key, f"--grid {text}: ")
    try:
        values = parse_yaml(f"[{items}]")
    except Exception:  # any YAML error: say which option
        raise ConfigError(f"--grid {text}: the values are not a valid YAML list") from None
    return key, values


def plan(grid):
    """One Spec per combination of the grid's values, named after the values."""
    keys = [key for key, _ in grid]
    leaves = [key.rsplit(".", 1)[-1] for key in keys]
    labels = [leaf if leaves.count(leaf) == 1 else key for key, leaf in zip(keys, leaves)]
    specs, seen = [], set()
    for combination in itertools.product(*(values for _, values in grid)):
        name = "_".join(f"{label}-{_slug(value)}" for label, value in zip(labels, combination)) or "run"
        unique, n = name, 1
        while unique in seen:
            n += 1
            unique = f"{name}-{n}"
        seen.add(unique)
        specs.append(Spec(unique, dict(zip(keys, combination))))
    return specs


def _slug(value):
    text = json.dumps(value, separators=(",", ":")).strip('"[]{}')
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-") or "none"


def run_one(config, run_dir):
    """Train (or finish, or just read) one run; never raises: a failure comes back as its row."""
    from threadpoolctl import threadpool_limits

    from ..runs.folder import CHECKPOINT, finished_status, resume_run, train_run

    run_dir = Path(run_dir)
    try:
        saved = run_dir / "config.yaml"
        if saved.is_file() and load_config(saved) != config:
            return {"status": "failed", "message": f"{run_dir} holds a run of another config (a different --set "
                                                   "or grid?); use a new --out, or delete the folder"}
        if finished_status(run_dir) is not None:
            return {**summarize(run_dir), "skipped": True}
        with threadpool_limits(1):
            resumed = (run_dir / CHECKPOINT).is_file() and resume_run(run_dir)
            if not resumed or resumed.status == "already_finished":  # never checkpointed, or files lost
                shutil.rmtree(run_dir, ignore_errors=True)
                train_run(config, run_dir)
        return summarize(run_dir)
    except MinimlpError as e:
        return {"status": "failed", "message": str(e)}
    except Exception as e:  # noqa: BLE001 - a sweep records any failure and goes on
        return {"status": "failed", "message": f"{type(e).__name__}: {e}"}


def summarize(run_dir):
    """The sweep.csv row of a finished run folder."""
    from ..runs.folder import read_curves

    metrics = json.loads((run_dir / "metrics.json").read_text())
    curves = read_curves(run_dir)
    val_loss = [v for v in curves["val_loss"] if v is not None]
    val_acc = [v for v in curves["val_acc"] if v is not None]
    return {
        "status": metrics["status"], "best_val_loss": min(val_loss) if val_loss else None,
        "best_val_acc": max(val_acc) if val_acc else None, "test_accuracy": metrics["test_accuracy"],
        "epochs": metrics["epochs_run"], "seconds": round(metrics["train_seconds"], 3),
        "message": "" if metrics["status"] != "diverged" else metrics["message"],
    }


def run_sweep(config_path, grid, overrides, out_dir, jobs, backend="joblib", scheduler=None, on_done=None):
    """Run every combination; write sweep.csv and sweep.html; return the rows (one dict per run).

    Configs are resolved here (paths made absolute), so workers with another
    working folder, or on another machine sharing the files, run the same thing.
    """
    load_config(config_path, overrides)  # the shared part must be valid before anything starts
    specs = plan(grid)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    rows, tasks = {}, {}
    for index, spec in enumerate(specs):
        sets = [*overrides, *(f"{key}={json.dumps(value)}" for key, value in spec.values.items())]
        try:
            tasks[index] = (load_config(config_path, sets), str(out_dir / spec.name))
        except ConfigError as e:  # say which --grid value it came from, not the --set it became
            rows[index] = {"status": "failed", "message": _from_grid(str(e), spec)}
    results = itertools.chain(rows.items(), _execute(tasks, jobs, backend, scheduler) if tasks else [])
    for count, (index, row) in enumerate(results, start=1):
        rows[index] = {"run": specs[index].name, **specs[index].values, **row}
        if on_done:
            on_done(count, len(specs), rows[index])
    rows = [rows[i] for i in range(len(specs))]
    write_outputs(out_dir, [key for key, _ in grid], rows)
    return rows


def _from_grid(message, spec):
    for key, value in spec.values.items():
        message = message.replace(f"--set {key}={json.dumps(value)}", f"--grid {key}={json.dumps(value)}")
    return message


def _execute(tasks, jobs, backend, scheduler):
    """(task index, row) pairs as runs finish, from joblib or Dask."""
    if backend == "joblib":
        from joblib import Parallel, delayed

        indexed = Parallel(n_jobs=jobs, return_as="generator_unordered")(
            delayed(_indexed)(i, task) for i, task in tasks.items())
        yield from indexed
        return
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise MinimlpError("--backend dask needs Dask: pip install 'minimlp[dask]'") from None
    cluster = None if scheduler else LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            futures = [client.submit(_indexed, i, task, pure=False) for i, task in tasks.items()]
            for future in as_completed(futures):
                yield future.result()
    except OSError as e:
        raise MinimlpError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({e})") from None
    finally:
        if cluster is not None:
            cluster.close()


def _indexed(index, task):
    return index, run_one(*task)


def write_outputs(out_dir, keys, rows):
    from ..report import write_compare_page
    from ..runs.folder import read_curves

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["run", *keys, *COLUMNS], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v) if k in keys else ("" if v is None else v)
                         for k, v in row.items() if k != "skipped"})
    files.write_text(out_dir / "sweep.csv", buffer.getvalue())
    curves = {row["run"]: read_curves(out_dir / row["run"]) for row in rows if row["status"] != "failed"}
    write_compare_page(out_dir / "sweep.html", f"minimlp sweep: {len(rows)} runs", f"sweep folder {out_dir}",
                       keys, rows, curves)
