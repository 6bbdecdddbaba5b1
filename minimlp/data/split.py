"""The stratified split of scikit-learn's ``train_test_split(..., stratify=y, random_state=seed)``, row for row,
in numpy alone: importing scikit-learn costs a second or more before the first epoch, for one function.

``tests/test_split.py`` checks it against scikit-learn's own on many shapes and seeds.
"""
import math

import numpy as np


def stratified_split(y, test_size, seed):
    """(train, test) positions into ``y``; ValueError when a class or a side would be empty."""
    n = len(y)
    n_test = math.ceil(test_size * n)
    n_train = n - n_test
    if n_train <= 0 or n_test <= 0:
        raise ValueError(f"with {n} samples and test_size={test_size}, one side of the split would be empty")
    classes, y_indices, class_counts = _classes(np.asarray(y))
    if class_counts.min() < 2:
        raise ValueError(f"the least populated classes have only 1 member: {classes[class_counts < 2].tolist()[:10]}")
    if n_train < len(classes) or n_test < len(classes):
        raise ValueError(f"train ({n_train}) and test ({n_test}) sizes must be at least the {len(classes)} classes")
    if len(classes) <= np.iinfo(np.uint16).max:  # a stable sort is unique; numpy sorts small integers by radix
        y_indices = y_indices.astype(np.uint16)
    class_indices = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(class_counts)[:-1])
    rng = np.random.RandomState(seed)  # scikit-learn's check_random_state(int)
    n_i = approximate_mode(class_counts, n_train, rng)
    t_i = approximate_mode(class_counts - n_i, n_test, rng)
    train, test = [], []
    for i in range(len(classes)):
        order = class_indices[i].take(rng.permutation(class_counts[i]), mode="clip")
        train.append(order[:n_i[i]])
        test.append(order[n_i[i]:n_i[i] + t_i[i]])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _classes(y):
    """``np.unique(y, return_inverse=True, return_counts=True)``, by counting when y holds class indices."""
    if y.dtype.kind in "iu" and len(y) and y.min() >= 0 and y.max() < 4 * len(y):
        counts = np.bincount(y)
        present = counts > 0
        classes = np.flatnonzero(present).astype(y.dtype)
        inverse = y if present.all() else (np.cumsum(present) - 1)[y]
        return classes, inverse, counts[present]
    return np.unique(y, return_inverse=True, return_counts=True)


def approximate_mode(class_counts, n_draws, rng):
    """scikit-learn's ``_approximate_mode``: draws per class near the hypergeometric mode, ties broken by ``rng``."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            floored[rng.choice(inds, size=add_now, replace=False)] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)
