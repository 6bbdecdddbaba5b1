"""The configs in configs/ load, reach their target accuracy, and match scikit-learn's MLPClassifier.

scikit-learn gets the same architecture, SGD settings, epochs, batch size and
split (scripts/compare_sklearn.py). One test split is small and one seed is
noisy, so the comparison is on the mean over three seeds, within one test row.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from minimlp.config import load_config
from minimlp.data import load_dataset, split_indices

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"digits": 0.97, "iris": 0.95, "wine": 0.97, "breast_cancer": 0.96, "moons": 0.95, "circles": 0.95,
           "fruit_csv": 0.9, "fruit_market": 0.9}


def compare_module():
    spec = importlib.util.spec_from_file_location("compare_sklearn", ROOT / "scripts/compare_sklearn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DOWNLOADED = {"mnist"}  # needs the network on its first run: checked offline for its config only


def test_every_shipped_config_has_a_target():
    assert {p.stem for p in (ROOT / "configs").glob("*.yaml")} == set(TARGETS) | DOWNLOADED


@pytest.mark.parametrize("name", sorted(DOWNLOADED))
def test_downloaded_configs_are_valid(name):
    config = load_config(ROOT / "configs" / f"{name}.yaml")
    assert config.data.dataset == "openml" and config.data.params["name"] == "mnist_784"


def test_the_digits_config_is_the_default():
    assert load_config(ROOT / "configs/digits.yaml") == load_config()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_shipped_config_reaches_its_target_and_matches_sklearn(name):
    path = ROOT / "configs" / f"{name}.yaml"
    ours, theirs = compare_module().compare(path, range(3))
    assert ours[0] >= TARGETS[name]
    config = load_config(path)
    n_test = len(split_indices(load_dataset(config), config.data.test_size, config.data.val_size, config.seed)[2])
    assert np.mean(ours) >= np.mean(theirs) - 1 / n_test, (ours, theirs)
