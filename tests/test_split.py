"""The stratified split is scikit-learn's train_test_split(stratify=...), row for row."""
import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from minimlp.data.split import stratified_split


@pytest.mark.parametrize("case", range(60))
def test_the_split_equals_scikit_learns(case):
    rng = np.random.default_rng(case)
    n = int(rng.integers(10, 3000))
    k = int(rng.integers(2, min(12, n // 4) + 1))
    y = rng.integers(0, k, n)
    y[:2 * k] = np.repeat(np.arange(k), 2)  # every class at least twice
    test_size = float(rng.choice([0.1, 0.2, 0.25, 0.3333, rng.uniform(0.05, 0.6)]))
    seed = int(rng.integers(0, 2**32))
    try:
        expected = train_test_split(np.arange(n), test_size=test_size, stratify=y, random_state=seed)
    except ValueError:
        with pytest.raises(ValueError):
            stratified_split(y, test_size, seed)
        return
    for ours, theirs in zip(stratified_split(y, test_size, seed), expected):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("y,test_size", [([0, 0, 1, 1, 1], 0.2), ([0, 1, 1, 1], 0.5), ([0, 0, 1, 1], 0.01)])
def test_impossible_splits_raise_like_scikit_learns(y, test_size):
    with pytest.raises(ValueError):
        train_test_split(np.arange(len(y)), test_size=test_size, stratify=y, random_state=0)
    with pytest.raises(ValueError):
        stratified_split(np.array(y), test_size, 0)


@pytest.mark.parametrize("y", [np.array([3, 3, 9, 9, 9, 3, 5, 5, 5, 5]), np.array(["b", "a", "b", "a", "c", "c", "a"]),
                               np.array([-1, 2, -1, 2, 2, -1]), np.array([0.5, 1.5, 0.5, 1.5, 0.5, 1.5])])
@pytest.mark.parametrize("seed", [0, 7])
def test_labels_that_are_not_class_indices_split_as_scikit_learn_does(y, seed):
    expected = train_test_split(np.arange(len(y)), test_size=0.34, stratify=y, random_state=seed)
    for ours, theirs in zip(stratified_split(y, 0.34, seed), expected):
        np.testing.assert_array_equal(ours, theirs)
