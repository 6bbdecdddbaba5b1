"""Writes fruit.csv: a small synthetic example of minimlp's CSV format (string labels).

    python data/make_fruit.py
"""
import csv
from pathlib import Path

import numpy as np

# per fruit: mean and spread of weight (g), diameter (cm), sweetness (°Bx), acidity (pH)
FRUIT = {
    "apple": ([170, 7.5, 13.5, 3.3], [25, 0.6, 1.5, 0.15]),
    "orange": ([200, 8.0, 10.5, 3.8], [30, 0.7, 1.5, 0.15]),
    "lemon": ([110, 6.0, 7, 2.3], [20, 0.5, 1.2, 0.2]),
}


def main(path=Path(__file__).with_name("fruit.csv"), per_class=80, seed=0):
    rng = np.random.default_rng(seed)
    rows = [
        [*np.round(rng.normal(mean, spread), 2), name]
        for name, (mean, spread) in FRUIT.items()
        for _ in range(per_class)
    ]
    rng.shuffle(rows)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["weight_g", "diameter_cm", "sweetness_brix", "acidity_ph", "fruit"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
