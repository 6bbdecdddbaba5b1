"""docs/search.md's table: 30 TPE trials with median pruning against 30 without, on one fixed problem.

digits, 20 epochs, batch 32; the space: optimizer.lr loguniform(1e-4, 1), optimizer.momentum
uniform(0, 0.99), model.hidden choice([32], [128], [64, 64]). One worker (-j 1), so each study is
reproducible; seeds 0, 1, 2 (the config's seed: split, weights and the sampler's seed).
    python scripts/search_pruning.py [SEED ...]
"""
import sys
import tempfile
import time
from pathlib import Path

from minimlp.tools.search import run_search
from minimlp.tools.search_space import parse_space

ROOT = Path(__file__).resolve().parent.parent
SPACE = ["optimizer.lr=loguniform(1e-4,1)", "optimizer.momentum=uniform(0,0.99)",
         "model.hidden=choice([32],[128],[64,64])"]
SETS = ["train.epochs=20", "train.batch_size=32"]


def study(seed, prune, root):
    start = time.perf_counter()
    rows = run_search(ROOT / "configs/digits.yaml", [parse_space(s) for s in SPACE], [*SETS, f"seed={seed}"],
                      root / f"{prune}-{seed}", 30, "tpe", prune, 1)
    seconds = time.perf_counter() - start
    losses = [r["best_val_loss"] for r in rows if r["status"] == "complete"]
    epochs = sum(int(r.get("epochs") or 0) for r in rows)
    return min(losses), epochs, sum(r["status"] == "pruned" for r in rows), seconds


def main(seeds):
    print("| seed | best val loss, no pruning | with median pruning | ratio | epochs trained, no pruning | "
          "with pruning | share | trials pruned | seconds, no pruning | with pruning |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for seed in seeds:
            plain = study(seed, "none", Path(folder))
            pruned = study(seed, "median", Path(folder))
            print(f"| {seed} | {plain[0]:.4f} | {pruned[0]:.4f} | {pruned[0] / plain[0]:.3f} | {plain[1]} | {pruned[1]} | "
                  f"{pruned[1] / plain[1]:.0%} | {pruned[2]} | {plain[3]:.0f} | {pruned[3]:.0f} |", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [0, 1, 2])
