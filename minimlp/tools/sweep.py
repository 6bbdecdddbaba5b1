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
from dataclasses import dataclass
from pathlib import Path

from .. import files
from ..config.loading import check_key, load_config, parse_yaml
from .sweep_backends import execute
from .sweep_run import COLUMNS, run_one
from ..errors import ConfigError, RunFolderError


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


def check_grid(grid):
    """ConfigError if a key is given twice (its runs would be named after both values but use one)."""
    keys = [key for key, _ in grid]
    for key in keys:
        if keys.count(key) > 1:
            raise ConfigError(f"--grid {key} is given {keys.count(key)} times; give all its values in one "
                              f"option, e.g. --grid {key}=v1,v2")


def check_folders(out_dir, tasks):
    """RunFolderError, before anything is written, for a file or folder the sweep would write but minimlp
    did not make: sweep.csv / sweep.html in an out folder that is not a sweep's, a run folder not this run's."""
    from ..runs.lock import SWEEP_LOCK_NAME, check_new_run_dir, is_minimlp_folder, same_config
    from ..runs.readback import finished_status, read_curves

    for name in ("sweep.csv", "sweep.html"):
        if (out_dir / name).exists() and not (out_dir / SWEEP_LOCK_NAME).is_file():
            raise RunFolderError(f"{out_dir / name}: already exists and was not written by a minimlp sweep; "
                                 "choose another --out; nothing was changed")
    for config, run_dir in tasks.values():
        run_dir = Path(run_dir)
        if not is_minimlp_folder(run_dir):
            check_new_run_dir(run_dir)
        elif (run_dir / "config.yaml").is_file() and not same_config(run_dir, config):
            raise RunFolderError(f"{run_dir}: holds a run of another config (a different --set or grid?); "
                                 "choose another --out; nothing was changed")
        elif finished_status(run_dir) is not None:
            read_curves(run_dir)  # a finished run's files are read back: damage is reported now


def run_sweep(config_path, grid, overrides, out_dir, jobs, backend="joblib", scheduler=None, on_done=None):
    """Run every combination; write sweep.csv and sweep.html; return the rows (one dict per run).

    Configs are resolved here (paths made absolute), so workers with another
    working folder, or on another machine sharing the files, run the same thing.
    Complete runs are read back here; only the others start workers.
    Every folder is checked before anything is written, and the sweep folder is
    locked while the sweep runs (the same sweep started twice is refused at once).
    """
    from ..runs.lock import SWEEP_LOCK_NAME, FolderLock
    from ..runs.readback import finished_status

    load_config(config_path, overrides)  # the shared part must be valid before anything starts
    check_grid(grid)
    specs = plan(grid)
    out_dir = Path(out_dir).resolve()
    rows, tasks = {}, {}
    for index, spec in enumerate(specs):
        sets = [*overrides, *(f"{key}={json.dumps(value)}" for key, value in spec.values.items())]
        try:
            tasks[index] = (load_config(config_path, sets), str(out_dir / spec.name))
        except ConfigError as e:  # say which --grid value it came from, not the --set it became
            rows[index] = {"status": "failed", "message": _from_grid(str(e), spec)}
    check_folders(out_dir, tasks)
    files.make_folder(out_dir)
    with FolderLock(out_dir, SWEEP_LOCK_NAME, "sweep folder"):
        complete = {i: run_one(*task) for i, task in tasks.items() if finished_status(task[1]) is not None}
        pending = {i: task for i, task in tasks.items() if i not in complete}  # only these need a worker
        results = itertools.chain(rows.items(), complete.items(),
                                  execute(pending, jobs, backend, scheduler) if pending else [])
        for count, (index, row) in enumerate(results, start=1):
            if isinstance(row.get("message"), str):  # a value the grid gave is named as its --grid option
                row = {**row, "message": _from_grid(row["message"], specs[index])}
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


def write_outputs(out_dir, keys, rows):
    """sweep.html, then sweep.csv; both are left as they are when every run was complete already and
    the table would not change (re-running a finished sweep draws no figures)."""
    from ..report import write_compare_page
    from ..report.compare_page import report_link
    from ..runs.readback import read_curves

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["run", *keys, *COLUMNS], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v) if k in keys else ("" if v is None else v)
                         for k, v in row.items() if k != "skipped"})
    table = buffer.getvalue().encode("utf-8")
    if all(row.get("skipped") for row in rows) and (out_dir / "sweep.html").is_file() and _holds(out_dir / "sweep.csv", table):
        return  # nothing ran and the table is unchanged: the page written before it shows the same runs
    curves = {row["run"]: read_curves(out_dir / row["run"]) for row in rows if row["status"] != "failed"}
    rows = [{**row, "report": report_link(out_dir, out_dir / row["run"])} for row in rows]
    write_compare_page(out_dir / "sweep.html", f"minimlp sweep: {len(rows)} runs", f"sweep folder {out_dir}",
                       keys, rows, curves)
    files.write_bytes(out_dir / "sweep.csv", table)  # after the page: a current sweep.csv means a current page


def _holds(path, data):
    """True when the regular file ``path`` has exactly ``data`` (read only when the sizes agree)."""
    try:
        return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
