"""`minimlp sweep --search`: --space parsing, the distributions, trials as run folders, the median rule
checked against the runs' own histories, continuing a study, several workers sharing it, and Ctrl-C."""
import csv
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from helpers import run, wait_for
from minimlp.errors import ConfigError
from minimlp.tools.search_space import Dimension, parse_space

IRIS = ("name: iris-search\ndata: {dataset: iris}\nmodel: {hidden: [8]}\noptimizer: {name: sgd}\n"
        "train: {epochs: 12, batch_size: 16, early_stopping: false}\n")
SPACE = ("--space", "optimizer.lr=loguniform(1e-3,1)", "--space", "model.hidden=choice([4],[8,8])")


def rows(out):
    with open(out / "sweep.csv") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("text,expected", [
    ("optimizer.lr=loguniform(1e-4,1e-1)", Dimension("optimizer.lr", "loguniform", (1e-4, 0.1))),
    ("optimizer.momentum = uniform(0, 0.99)", Dimension("optimizer.momentum", "uniform", (0.0, 0.99))),
    ("train.batch_size=int(8,64)", Dimension("train.batch_size", "int", (8, 64))),
    ("train.batch_size=int(8,64,log)", Dimension("train.batch_size", "int-log", (8, 64))),
    ("model.hidden=choice([64],[128,64])", Dimension("model.hidden", "choice", ([64], [128, 64]))),
    ("optimizer.name=choice(sgd, adam)", Dimension("optimizer.name", "choice", ("sgd", "adam"))),
])
def test_space_texts_parse(text, expected):
    assert parse_space(text) == expected


@pytest.mark.parametrize("text,says", [
    ("optimizer.lr", "expected key.path=KIND(...)"),
    ("optimizer.lr=normal(0,1)", "expected key.path=KIND(...)"),
    ("optimizer.lrr=uniform(0,1)", "unknown key optimizer.lrr"),
    ("optimizer.lr=loguniform(0,1)", "loguniform needs low > 0"),
    ("optimizer.lr=uniform(1,0.5)", "two finite numbers low < high"),
    ("optimizer.lr=uniform(a,b)", "two finite numbers low < high"),
    ("train.batch_size=int(8.5,64)", "two whole numbers"),
    ("model.hidden=choice()", "at least one value"),
    ("model.hidden=choice([4],[4])", "repeats a value"),
    ("model.hidden=choice([4,)", "not a valid YAML list"),
])
def test_bad_space_text_gets_one_message_naming_it(text, says):
    with pytest.raises(ConfigError) as e:
        parse_space(text)
    assert str(e.value).startswith(f"--space {text}") and says in str(e.value)


def test_the_distributions_sample_what_they_say():
    """Through Optuna's RandomSampler: loguniform is uniform in log10 (Kolmogorov-Smirnov against scipy's
    uniform), int stays whole and in range, choice gives back the YAML values themselves."""
    import optuna
    from scipy import stats

    space = [parse_space("optimizer.lr=loguniform(1e-4,1)"), parse_space("train.batch_size=int(8,64)"),
             parse_space("model.hidden=choice([64],[128,64])")]
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    samples = []
    for _ in range(400):
        trial = study.ask({d.key: d.distribution() for d in space})
        samples.append([d.value(trial.params[d.key]) for d in space])
        study.tell(trial, 0.0)
    lrs = np.array([s[0] for s in samples])
    assert stats.kstest(np.log10(lrs), stats.uniform(loc=-4, scale=4).cdf).pvalue > 0.01
    assert stats.kstest(lrs, stats.uniform(loc=1e-4, scale=1).cdf).pvalue < 1e-6  # not uniform in lr itself
    assert all(type(s[1]) is int and 8 <= s[1] <= 64 for s in samples)
    assert {json.dumps(s[2]) for s in samples} == {"[64]", "[128, 64]"}


def test_each_trial_is_a_run_folder_of_its_values_and_rerunning_continues_the_study(cwd):
    (cwd / "s.yaml").write_text(IRIS)
    done = run("sweep", "s.yaml", "--search", "random", "--trials", "3", *SPACE, "-j", "1", "--out", "out")
    assert done.exit_code == 0, done.output
    first = rows(cwd / "out")
    assert [r["run"] for r in first] == ["trial-0000", "trial-0001", "trial-0002"]
    from minimlp.config import load_config

    for r in first:
        assert r["status"] == "complete" and 1e-3 <= float(r["optimizer.lr"]) <= 1
        config = load_config(cwd / "out" / r["run"] / "config.yaml")
        assert config.optimizer.lr == float(r["optimizer.lr"]) and json.dumps(config.model.hidden) == r["model.hidden"]
        history = (cwd / "out" / r["run"] / "history.csv").read_text().splitlines()[1:]
        assert float(r["best_val_loss"]) == min(float(line.split(",")[3]) for line in history)
    stamps = {r["run"]: (cwd / "out" / r["run"] / "metrics.json").stat().st_mtime_ns for r in first}
    again = run("sweep", "s.yaml", "--search", "random", "--trials", "3", *SPACE, "-j", "1", "--out", "out")
    assert again.exit_code == 0 and rows(cwd / "out") == first
    more = run("sweep", "s.yaml", "--search", "random", "--trials", "5", *SPACE, "-j", "1", "--out", "out")
    assert more.exit_code == 0, more.output
    now = rows(cwd / "out")
    assert now[:3] == first and [r["run"] for r in now[3:]] == ["trial-0003", "trial-0004"]
    assert {r: (cwd / "out" / r / "metrics.json").stat().st_mtime_ns for r in stamps} == stamps  # not trained again
    assert "trial-0004" in (cwd / "out/sweep.html").read_text()


def test_median_pruning_stops_exactly_the_trials_behind_the_median(cwd):
    """Checked against the trials' own history.csv: a pruned trial's validation loss at its last epoch is
    worse than the median of the earlier finished trials' at that epoch; it trained fewer epochs."""
    (cwd / "s.yaml").write_text(IRIS.replace("epochs: 12", "epochs: 20"))
    done = run("sweep", "s.yaml", "--search", "random", "--trials", "14", "--prune", "median", "-j", "1",
               "--space", "optimizer.lr=loguniform(1e-4,1)", "--out", "out")
    assert done.exit_code == 0, done.output
    table = rows(cwd / "out")
    assert len(table) == 14

    def val_losses(run_name):
        lines = (cwd / "out" / run_name / "history.csv").read_text().splitlines()[1:]
        return [float(line.split(",")[3]) for line in lines]

    pruned = [r for r in table if r["status"] == "pruned"]
    assert pruned, "a wide lr range must leave some trials behind"
    for r in pruned:
        number, losses = int(r["run"][-4:]), val_losses(r["run"])
        epoch = len(losses)
        assert epoch < 20 and r["message"].startswith(f"pruned after epoch {epoch}")
        earlier = [val_losses(t["run"]) for t in table[:number] if t["status"] in ("complete", "pruned")]
        # Optuna's median rule compares the trial's best so far with the median of the others' values at this step
        reached = [h[epoch - 1] for h in earlier if len(h) >= epoch]
        assert len(earlier) >= 5 and reached and min(losses) > np.median(reached), r
    assert all(len(val_losses(r["run"])) == 20 for r in table if r["status"] == "complete")


def test_an_interrupted_trial_is_continued_in_its_own_folder(cwd):
    """A trial left running (its worker killed) is queued again with its values and its run folder."""
    from minimlp.tools.search import open_study

    (cwd / "s.yaml").write_text(IRIS)
    (cwd / "out").mkdir()
    study = open_study(cwd / "out")
    space = [parse_space(SPACE[1]), parse_space(SPACE[3])]
    trial = study.ask({d.key: d.distribution() for d in space})
    trial.set_user_attr("run", "trial-0000")
    asked = dict(trial.params)
    done = run("sweep", "s.yaml", "--search", "tpe", "--trials", "2", *SPACE, "-j", "1", "--out", "out")
    assert done.exit_code == 0, done.output
    table = rows(cwd / "out")
    # trial 1 took over trial 0's values and folder; a new trial got number 2 (folders are named by trial number)
    assert [r["run"] for r in table] == ["trial-0000", "trial-0002"] and all(r["status"] == "complete" for r in table)
    assert float(table[0]["optimizer.lr"]) == asked["optimizer.lr"]


@pytest.mark.parametrize("backend", ["joblib", "dask"])
def test_workers_share_one_study_and_it_gets_exactly_the_trials_asked(cwd, backend):
    (cwd / "s.yaml").write_text(IRIS.replace("epochs: 12", "epochs: 4"))
    done = run("sweep", "s.yaml", "--search", "tpe", "--trials", "5", *SPACE, "-j", "2", "--backend", backend,
               "--out", "out")
    assert done.exit_code == 0, done.output
    table = rows(cwd / "out")
    assert sorted(r["run"] for r in table) == [f"trial-{i:04d}" for i in range(5)]
    assert sorted(p.name for p in (cwd / "out").glob("trial-*")) == [f"trial-{i:04d}" for i in range(5)]


@pytest.mark.parametrize("args,says", [
    (["--search", "tpe", "--trials", "3"], "--search goes with --space"),
    (["--search", "tpe", *SPACE], "--search goes with --space"),
    (["--search", "tpe", "--trials", "3", *SPACE, "--grid", "seed=0,1"], "without --grid"),
    (["--trials", "3", *SPACE], "--search goes with"),
    (["--grid", "seed=0,1", "--prune", "median"], "--search goes with"),
    (["--search", "tpe", "--trials", "3", "--space", "model.hidden=choice(x)"], "--space model.hidden"),
    (["--search", "tpe", "--trials", "3", "--space", "optimizer.lr=uniform(0.1,0.2)",
      "--space", "optimizer.lr=uniform(0.1,0.3)"], "given 2 times"),
    (["--search", "tpe", "--trials", "3", *SPACE, "--set", "data.val_size=0"], "data.val_size must be > 0"),
])
def test_bad_search_options_exit_2_with_one_message_and_no_folder(cwd, args, says):
    (cwd / "s.yaml").write_text(IRIS)
    done = run("sweep", "s.yaml", *args, "--out", "out")
    assert done.exit_code == 2 and says in done.output and "Traceback" not in done.output, done.output
    assert not (cwd / "out").exists()


def test_without_optuna_the_search_says_how_to_install_it(cwd, monkeypatch):
    (cwd / "s.yaml").write_text(IRIS)
    monkeypatch.setitem(sys.modules, "optuna", None)
    done = run("sweep", "s.yaml", "--search", "tpe", "--trials", "2", *SPACE, "--out", "out")
    assert done.exit_code == 2 and "pip install 'minimlp[tune]'" in done.output
    assert not (cwd / "out").exists()


def test_a_grid_sweeps_folder_is_not_continued_as_a_search(cwd):
    (cwd / "s.yaml").write_text(IRIS.replace("epochs: 12", "epochs: 2"))
    assert run("sweep", "s.yaml", "--grid", "seed=0", "--out", "out").exit_code == 0
    done = run("sweep", "s.yaml", "--search", "tpe", "--trials", "2", *SPACE, "--out", "out")
    assert done.exit_code == 2 and "no search study" in done.output
    assert sorted(p.name for p in (cwd / "out").iterdir() if not p.name.startswith(".")) == \
        ["seed-0", "sweep.csv", "sweep.html"]


def test_ctrl_c_stops_the_workers_and_the_same_command_finishes_the_study(tmp_path):
    from test_signals import alive, descendants

    (tmp_path / "s.yaml").write_text("name: sig\ndata: {dataset: moons, params: {n_samples: 600}}\n"
                                     "model: {hidden: [16]}\n"
                                     "train: {epochs: 40, batch_size: 16, checkpoint_every: 1, early_stopping: false}\n")
    args = [sys.executable, "-m", "minimlp", "sweep", "s.yaml", "--search", "random", "--trials", "3",
            "--space", "optimizer.lr=loguniform(1e-3,1e-1)", "-j", "2", "--out", "out"]
    process = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: any((tmp_path / "out" / f"trial-{i:04d}" / "checkpoint.npz").exists() for i in range(2)), process)
    workers = descendants(process.pid)
    assert workers
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "run the same command to continue the study" in err and "Traceback" not in err
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]
    again = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    table = rows(tmp_path / "out")
    # the two interrupted trials went on in their folders (as trials 2 and 3); the third new one is trial 4
    assert [r["run"] for r in table] == ["trial-0000", "trial-0001", "trial-0004"]
    assert all(r["status"] == "complete" and r["epochs"] == "40" for r in table)
    for name in ("trial-0000", "trial-0001"):  # resumed from their checkpoints: as if never interrupted
        fresh = tmp_path / f"fresh-{name}"
        assert run("train", tmp_path / "out" / name / "config.yaml", "--out", fresh, "-q").exit_code == 0
        assert (fresh / "model.npz").read_bytes() == (tmp_path / "out" / name / "model.npz").read_bytes()
