"""Writes fruit_market.csv: fruit.csv's measurements as a market's messy table would hold them.

Two text feature columns (where the fruit came from, its grade), and missing
cells written the ways real tables write them: empty, NA, n/a, null.

    python data/make_fruit_market.py
"""
import csv
from pathlib import Path

import numpy as np

# per fruit: mean and spread of weight (g), diameter (cm), sweetness (°Bx), acidity (pH), and likely origins
FRUIT = {
    "apple": ([170, 7.5, 13.5, 3.3], [25, 0.6, 1.5, 0.15], ["France", "Italy", "Chile"]),
    "orange": ([200, 8.0, 10.5, 3.8], [30, 0.7, 1.5, 0.15], ["Spain", "Morocco", "Italy"]),
    "lemon": ([110, 6.0, 7, 2.3], [20, 0.5, 1.2, 0.2], ["Spain", "Italy", "Mexico"]),
}
GRADES = ["extra", "class I", "class II"]
MISSING = ["", "NA", "n/a", "null"]


def main(path=Path(__file__).with_name("fruit_market.csv"), per_class=80, seed=0, missing_rate=0.05):
    rng = np.random.default_rng(seed)
    rows = []
    for name, (mean, spread, origins) in FRUIT.items():
        for _ in range(per_class):
            cells = [*map(str, np.round(rng.normal(mean, spread), 2)), str(rng.choice(origins)), str(rng.choice(GRADES))]
            for j in range(len(cells)):
                if rng.random() < missing_rate:
                    cells[j] = str(rng.choice(MISSING))
            rows.append([*cells, name])
    rng.shuffle(rows)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["weight_g", "diameter_cm", "sweetness_brix", "acidity_ph", "origin", "grade", "fruit"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
