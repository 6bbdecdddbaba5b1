"""Search beyond grids: ``minimlp sweep --search tpe|random``, on Optuna (``pip install 'minimlp[tune]'``).

Each trial is a run folder (trial-0000, ...) trained by the sweep's own ``run_one``; it is scored by its
best validation loss. The study lives in the sweep folder (study.journal, Optuna's journal file
storage), so several processes share it: each worker (joblib or Dask, as for grids) asks the study
for a trial, trains it, tells the result, and goes on until the study holds ``--trials`` trials. Asking
is done under a file lock, so the study gets exactly that many. ``--prune median`` reports each
epoch's validation loss and stops a trial that Optuna's MedianPruner says falls behind (after 5
trials, and past the first tenth of the epochs). Running the same command again continues the study:
trials interrupted last time are trained on from their checkpoints (the same run folder), then new
ones up to ``--trials``. Optuna is imported only here.
"""
import contextlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

from .. import files
from ..errors import ConfigError, MinimlpError
from .search_space import check_space

STUDY = "minimlp"
JOURNAL = "study.journal"
ASK_LOCK = ".minimlp-search-ask.lock"
STATES = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed", "RUNNING": "running", "WAITING": "running"}
SAMPLERS = ("tpe", "random")
PRUNERS = ("none", "median")


@dataclass(frozen=True)
class Search:
    """What every worker needs (plain values: it travels to other processes)."""
    config_path: str
    overrides: tuple
    space: tuple  # Dimensions
    out_dir: str
    trials: int
    sampler: str  # tpe or random
    prune: str  # none or median
    seed: int  # the config's seed: each worker's sampler seed derives from it
    epochs: int


def optuna_module():
    try:
        import optuna
    except ImportError:
        raise MinimlpError("--search needs Optuna: pip install 'minimlp[tune]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def open_study(out_dir, sampler=None, pruner=None):
    """The study in ``out_dir``/study.journal, created on first use."""
    optuna = optuna_module()
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    storage = JournalStorage(JournalFileBackend(str(Path(out_dir) / JOURNAL)))
    return optuna.create_study(study_name=STUDY, storage=storage, direction="minimize", sampler=sampler,
                               pruner=pruner, load_if_exists=True)


def _sampler(search, worker, start):
    """The worker's sampler, seeded from the config's seed, the worker and the trials the study held at the start."""
    import numpy as np

    optuna = optuna_module()
    seed = int(np.random.SeedSequence([search.seed, worker, start]).generate_state(1)[0])
    if search.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, constant_liar=True)  # running trials count: workers spread out


def _pruner(search):
    optuna = optuna_module()
    if search.prune == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=max(1, search.epochs // 10))
    return optuna.pruners.NopPruner()


@contextlib.contextmanager
def _ask_lock(out_dir):
    """Held while a worker counts the trials and asks for one: the study gets exactly --trials trials."""
    import os

    from ..runs.lock import fcntl

    fd = os.open(Path(out_dir) / ASK_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _counted(trials):
    return [t for t in trials if not t.user_attrs.get("superseded")]


def _next_trial(study, search):
    """A new (or re-queued) trial, or None once the study holds --trials trials."""
    from optuna.trial import TrialState

    with _ask_lock(search.out_dir):
        trials = _counted(study.get_trials(deepcopy=False))
        waiting = any(t.state == TrialState.WAITING for t in trials)
        if not waiting and len(trials) >= search.trials:
            return None
        return study.ask({d.key: d.distribution() for d in search.space})


def search_worker(search, worker=0):
    """One worker's loop: ask, train, tell, until the study is full. Returns the trials it ran."""
    from threadpoolctl import threadpool_limits

    start = len(open_study(search.out_dir).get_trials(deepcopy=False))
    study = open_study(search.out_dir, _sampler(search, worker, start), _pruner(search))
    ran = 0
    with threadpool_limits(1):
        while (trial := _next_trial(study, search)) is not None:
            _run_trial(study, trial, search)
            ran += 1
    return {"status": "completed", "trials": ran}


def _run_trial(study, trial, search):
    from optuna.trial import TrialState

    from ..config.loading import load_config
    from .sweep_run import run_one

    run = trial.user_attrs.get("run") or f"trial-{trial.number:04d}"
    trial.set_user_attr("run", run)
    sets = [f"{d.key}={json.dumps(d.value(trial.params[d.key]))}" for d in search.space]
    try:
        config = load_config(search.config_path, [*search.overrides, *sets])
    except ConfigError as e:
        trial.set_user_attr("message", str(e))
        study.tell(trial, state=TrialState.FAIL)
        return
    pruned = []

    def on_epoch(record, state):
        if record.val_loss is not None and math.isfinite(record.val_loss):
            trial.report(record.val_loss, record.epoch)
            if not pruned and trial.should_prune():
                pruned.append(record.epoch)

    row = run_one(config, Path(search.out_dir) / run, on_epoch=on_epoch, stop_requested=lambda: bool(pruned))
    if pruned and row.get("status") == "interrupted":
        trial.set_user_attr("message", f"pruned after epoch {pruned[0]}: its validation loss fell behind the median")
        study.tell(trial, state=TrialState.PRUNED)
    elif row.get("status") in ("completed", "early_stopped") and row.get("best_val_loss") is not None \
            and math.isfinite(row["best_val_loss"]):
        study.tell(trial, row["best_val_loss"])
    else:
        trial.set_user_attr("message", row.get("message") or f"the run ended {row.get('status')}")
        study.tell(trial, state=TrialState.FAIL)


def requeue_interrupted(study):
    """Trials left running by an interrupted sweep: marked superseded (and failed), their parameters
    queued again under the same run folder, which resumes from its checkpoint."""
    from optuna.trial import TrialState

    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study._storage.set_trial_user_attr(t._trial_id, "superseded", True)
        study.tell(t.number, state=TrialState.FAIL)
        if "run" in t.user_attrs and set(t.params) == set(t.distributions):
            study.enqueue_trial(t.params, user_attrs={"run": t.user_attrs["run"]})


def run_search(config_path, space, overrides, out_dir, trials, sampler, prune, jobs, backend="joblib",
               scheduler=None, on_done=None):
    """Run the search to ``trials`` trials; write sweep.csv and sweep.html; return the rows (one per trial)."""
    from ..runs.lock import SWEEP_LOCK_NAME, FolderLock
    from .sweep import check_folders, write_outputs
    from .sweep_backends import execute

    if sampler not in SAMPLERS or prune not in PRUNERS:
        raise MinimlpError(f"--search must be one of {', '.join(SAMPLERS)} and --prune one of {', '.join(PRUNERS)}")
    if trials < 1:
        raise MinimlpError(f"--trials must be at least 1, got {trials}")
    config = check_space(config_path, overrides, space)
    optuna_module()  # before any folder is made: a missing extra is said at once
    out_dir = Path(out_dir).resolve()
    check_folders(out_dir, {})
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / JOURNAL).is_file():
        raise MinimlpError(f"--out {out_dir}: already holds files and no search study ({JOURNAL}); "
                           "choose a new folder for a search (a grid sweep's folder cannot continue as one)")
    files.make_folder(out_dir)
    search = Search(str(Path(config_path).resolve()) if config_path else None, tuple(overrides), tuple(space),
                    str(out_dir), trials, sampler, prune, config.seed, config.train.epochs)
    with FolderLock(out_dir, SWEEP_LOCK_NAME, "sweep folder"):
        study = open_study(out_dir)
        _check_same_space(study, space)
        requeue_interrupted(study)
        workers = max(1, min(jobs, trials - len(_counted(study.get_trials(deepcopy=False)))
                             + sum(1 for t in study.get_trials(deepcopy=False) if t.state.name == "WAITING")))
        tasks = {w: (search, w) for w in range(workers)}
        for _ in execute(tasks, workers, backend, scheduler, work=search_worker):
            pass
        rows = trial_rows(open_study(out_dir), space, out_dir)
        if on_done:
            for count, row in enumerate(rows, start=1):
                on_done(count, len(rows), row)
        write_outputs(out_dir, [d.key for d in space], rows)
    return rows


def _check_same_space(study, space):
    """A study continued with other --space keys would mix trials of two searches: refused."""
    keys = {d.key for d in space}
    for t in study.get_trials(deepcopy=False):
        if set(t.distributions) and set(t.distributions) != keys:
            raise MinimlpError(f"this sweep folder's study searched {', '.join(sorted(t.distributions))}, "
                               f"not {', '.join(sorted(keys))}; choose a new --out")


def trial_rows(study, space, out_dir):
    """sweep.csv's rows: every trial (but those continued by a later one), its values, state and run's results."""
    from ..runs.readback import finished_status
    from .sweep_run import summarize

    rows = []
    for t in _counted(study.get_trials(deepcopy=False)):
        run = t.user_attrs.get("run") or f"trial-{t.number:04d}"
        row = {"run": run, **{d.key: d.value(t.params[d.key]) if d.key in t.params else None for d in space}}
        folder = Path(out_dir) / run
        if finished_status(folder) is not None:
            row.update(summarize(folder))
        row["status"] = STATES.get(t.state.name, t.state.name.lower())
        row["message"] = t.user_attrs.get("message", "") if row["status"] != "complete" else ""
        rows.append(row)
    return rows
