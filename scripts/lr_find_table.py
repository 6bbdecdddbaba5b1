"""The table of docs/lr-find.md: on each shipped config, lr-find's suggestion against the best rate of a
9-point log grid 0.001 ... 1 (best = the lowest validation loss of any epoch, the config's epochs).

Runs sequentially in one process, no run folders: python scripts/lr_find_table.py [--seed N] [CONFIG ...]
(--seed replaces each config's seed: another split, other initial weights, another batch order).
"""
import sys
from pathlib import Path

import numpy as np

from minimlp.config import load_config
from minimlp.runs.folder import prepare
from minimlp.tools.lr_find import lr_find
from minimlp.runs.setup import fit_config

ROOT = Path(__file__).resolve().parent.parent
GRID = np.logspace(-3, 0, 9)


def best_val_loss(config):
    prepared = prepare(config)
    result = fit_config(prepared.net, prepared.splits, config, weights=prepared.weights)
    losses = [r.val_loss for r in result.history if r.val_loss is not None and np.isfinite(r.val_loss)]
    return min(losses) if losses else float("inf")


def main(names, seed=None):
    # the network the table was measured on: the columns as inputs, no dropout (before those defaults)
    extra = ["data.piecewise_bins=0", "model.dropout=0"] + ([] if seed is None else [f"seed={seed}"])
    print("| config | suggestion | grid best lr | ratio | within 3x | val loss at grid best | at the suggestion |")
    print("|---|---|---|---|---|---|---|")
    hits = 0
    for name in names:
        config = load_config(ROOT / "configs" / f"{name}.yaml", extra)
        suggestion = lr_find(prepare(config)).suggestion
        scores = [best_val_loss(load_config(ROOT / "configs" / f"{name}.yaml", [*extra, f"optimizer.lr={float(lr)!r}"]))
                  for lr in GRID]
        best = GRID[int(np.argmin(scores))]
        at_suggestion = best_val_loss(load_config(ROOT / "configs" / f"{name}.yaml", [*extra, f"optimizer.lr={float(suggestion)!r}"]))
        ratio = max(suggestion / best, best / suggestion)
        hits += ratio <= 3
        print(f"| {name} | {suggestion:.3g} | {best:.3g} | {ratio:.2f} | {'yes' if ratio <= 3 else 'no'} | "
              f"{min(scores):.4f} | {at_suggestion:.4f} |", flush=True)
        print("  grid val losses: " + ", ".join(f"{lr:.3g}: {s:.4f}" for lr, s in zip(GRID, scores)), file=sys.stderr)
    print(f"\nwithin 3x on {hits} of {len(names)}")


if __name__ == "__main__":
    args = sys.argv[1:]
    seed = None
    if args[:1] == ["--seed"]:
        seed, args = int(args[1]), args[2:]
    main(args or ["breast_cancer", "circles", "digits", "fruit_csv", "fruit_market", "iris", "moons", "wine"], seed)
