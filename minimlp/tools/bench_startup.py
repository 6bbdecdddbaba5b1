"""``minimlp bench --startup``: the fixed cost of every command, as whole processes, side by side.

Everything here is a process started the way a user starts it (the ``minimlp``
executable beside this interpreter), timed from spawn to exit, in interleaved
rounds, reported as medians and as ratios measured in the same run:

- ``minimlp --version`` and ``-h`` against ``python -c pass`` (target ≤ 1.5×);
- ``minimlp datasets`` and ``config show`` (absolute);
- ``minimlp train`` on iris (the shipped configs/iris.yaml, written here) against
  SKLEARN_SCRIPT below, scikit-learn doing the same job (target ≤ 0.6×);
- ``predict`` (240 rows), ``evaluate``, ``compare`` and ``plot`` on small runs (target ≤ 1.2 s);
- a 4-run sweep against the sum of its runs' training seconds plus one start-up
  (a ``minimlp train`` process of one member less its training seconds; target ≤ 3×),
  and the same sweep again, every run complete (target ≤ 1.5 s).
"""
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IRIS_YAML = """name: iris
data:
  dataset: iris
model:
  hidden: [16]
optimizer:
  name: sgd
  lr: 0.05
train:
  epochs: 100
  batch_size: 16
"""
MOONS_YAML = """name: moons
data:
  dataset: moons
  params: {n_samples: 1000, noise: 0.2}
model:
  hidden: [32, 32]
optimizer:
  name: sgd
  lr: 0.05
train:
  epochs: 100
"""
# The same job as configs/iris.yaml in scikit-learn: load, the 80/20 stratified split, standardise, fit 100
# epochs of SGD (lr 0.05, momentum 0.9, batch 16, 16 hidden ReLUs), score on the test split.
SKLEARN_SCRIPT = """import warnings
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
model = MLPClassifier(hidden_layer_sizes=(16,), solver="sgd", learning_rate_init=0.05, momentum=0.9,
                      nesterovs_momentum=False, alpha=0.0, batch_size=16, max_iter=100, tol=0.0,
                      n_iter_no_change=100, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # max_iter reached: intended, as in the minimlp run
    model.fit(scaler.transform(X_train), y_train)
print(model.score(scaler.transform(X_test), y_test))
"""
SWEEP_GRID = ["--grid", "optimizer.lr=0.01,0.1", "--grid", "model.hidden=[16],[32,32]"]


def executable():
    """The ``minimlp`` executable installed beside this interpreter, else ``python -m minimlp``."""
    beside = Path(sys.executable).parent / "minimlp"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "minimlp"]


def timed(args, cwd):
    """Wall seconds of one process from spawn to exit; its output must be a success."""
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {done.returncode}: {done.stderr[-500:]}")
    return seconds


def train_seconds(run_dir):
    from ..runs.readback import read_metrics

    return float(read_metrics(run_dir)["train_seconds"])


def prepare(folder, mm):
    """Config files, a 240-row CSV for predict and two small finished runs for the tools."""
    (folder / "iris.yaml").write_text(IRIS_YAML)
    (folder / "moons.yaml").write_text(MOONS_YAML)
    (folder / "sklearn_iris.py").write_text(SKLEARN_SCRIPT)
    from ..data import bundled

    iris = bundled.load("iris", {})
    lines = [",".join([*iris.feature_names, "species"])]
    for i in range(240):
        row = iris.data[i % len(iris.data)]
        lines.append(",".join([*(f"{v:g}" for v in row), str(iris.target_names[iris.target[i % len(iris.data)]])]))
    (folder / "flowers.csv").write_text("\n".join(lines) + "\n")
    (folder / "flowers.yaml").write_text("name: flowers\ndata: {dataset: csv, path: flowers.csv}\n"
                                         "model: {hidden: [16]}\ntrain: {epochs: 20}\n")
    for name, config in (("run_a", "iris.yaml"), ("run_b", "iris.yaml"), ("run_csv", "flowers.yaml")):
        extra = ["--set", "optimizer.lr=0.1"] if name == "run_b" else []
        timed([*mm, "train", "-q", config, "--out", name, *extra], folder)


def run_startup_bench(rounds=5, log=print):
    """{label: {"seconds": median, "reference": label or None, "ratio", "target", "met"}} and the raw samples."""
    mm = executable()
    with tempfile.TemporaryDirectory(prefix="minimlp-bench-startup-") as tmp:
        folder = Path(tmp)
        log("preparing configs and two small runs ...")
        prepare(folder, mm)
        quick = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "minimlp --version": [*mm, "--version"],
            "minimlp -h": [*mm, "-h"],
            "minimlp datasets": [*mm, "datasets"],
            "minimlp config show": [*mm, "config", "show", "iris.yaml"],
        }
        tools = {
            "minimlp predict (240 rows)": [*mm, "predict", "run_csv", "flowers.csv", "-o", "predictions.csv"],
            "minimlp evaluate": [*mm, "evaluate", "run_a"],
            "minimlp compare": [*mm, "compare", "run_a", "run_b", "-o", "compare.html"],
            "minimlp plot": [*mm, "plot", "run_a", "run_b", "-o", "plot.png"],
        }
        samples = {label: [] for label in [*quick, *tools, "minimlp train (iris)", "scikit-learn script (iris)",
                                           "sweep, 4 runs", "sweep again, all complete", "sweep budget"]}
        for r in range(rounds):
            log(f"round {r + 1}/{rounds}")
            for _ in range(5):  # the quick ones are a few tens of ms: more samples
                for label, args in quick.items():
                    samples[label].append(timed(args, folder))
            samples["minimlp train (iris)"].append(timed([*mm, "train", "-q", "iris.yaml", "--out", f"t{r}"], folder))
            samples["scikit-learn script (iris)"].append(timed([sys.executable, "sklearn_iris.py"], folder))
            for label, args in tools.items():
                if "-o" in args:  # -o must be new: each command writes it afresh
                    (folder / args[-1]).unlink(missing_ok=True)
                samples[label].append(timed(args, folder))
            samples["sweep, 4 runs"].append(timed([*mm, "sweep", "moons.yaml", *SWEEP_GRID, "--out", f"s{r}"], folder))
            samples["sweep again, all complete"].append(
                timed([*mm, "sweep", "moons.yaml", *SWEEP_GRID, "--out", f"s{r}"], folder))
            member = folder / f"m{r}"
            whole = timed([*mm, "train", "-q", "moons.yaml", "--set", "optimizer.lr=0.01", "--set", "model.hidden=[16]",
                           "--out", member.name], folder)
            startup = whole - train_seconds(member)
            trained = sum(train_seconds(run) for run in (folder / f"s{r}").iterdir() if (run / "metrics.json").is_file())
            samples["sweep budget"].append(trained + startup)
    return summarize(samples)


TARGETS = {  # label: (reference label or None for seconds, the bound)
    "minimlp --version": ("python -c pass", 1.5),
    "minimlp -h": ("python -c pass", 1.5),
    "minimlp train (iris)": ("scikit-learn script (iris)", 0.6),
    "minimlp predict (240 rows)": (None, 1.2),
    "minimlp evaluate": (None, 1.2),
    "minimlp compare": (None, 1.2),
    "minimlp plot": (None, 1.2),
    "sweep, 4 runs": ("sweep budget", 3.0),
    "sweep again, all complete": (None, 1.5),
}


def summarize(samples):
    rows = {}
    for label, values in samples.items():
        row = {"seconds": statistics.median(values), "reference": None, "ratio": None, "target": None, "met": None}
        if label in TARGETS:
            reference, bound = TARGETS[label]
            row["reference"], row["target"] = reference, bound
            if reference is None:
                row["met"] = row["seconds"] <= bound
            else:  # the ratio of each round's pair, then their median: both sides saw the same moment
                ratios = [a / b for a, b in zip(values, samples[reference])]
                row["ratio"] = statistics.median(ratios)
                row["met"] = row["ratio"] <= bound
        rows[label] = row
    return rows


def format_startup_table(rows):
    lines = ["| command | median | against | ratio | target | met |", "|---|---|---|---|---|---|"]
    for label, row in rows.items():
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        target = "" if row["target"] is None else (f"≤ {row['target']:g}×" if row["reference"] else f"≤ {row['target']:g} s")
        met = "" if row["met"] is None else ("yes" if row["met"] else "no")
        lines.append(f"| {label} | {_seconds(row['seconds'])} | {row['reference'] or ''} | {ratio} | {target} | {met} |")
    return "\n".join(lines)


def _seconds(value):
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"

