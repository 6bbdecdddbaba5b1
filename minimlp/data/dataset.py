"""The dataset every loader gives (scikit-learn's, OpenML's, a table file's), before it is split;
below tables and openml, which both build one."""
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError
from .columns import Frame


@dataclass
class Dataset:
    frame: Frame  # the raw feature columns, numeric or categorical
    y: np.ndarray  # (n,) class indices into `classes`
    classes: np.ndarray  # the original labels: numbers or strings
    source: str  # the dataset name or the file, for messages
    weights: "np.ndarray | None" = None  # (n,) sample weights from data.weight_column, or None
    notes: list = field(default_factory=list)  # one line each on what loading decided (a dropped row index)
    dropped: list = field(default_factory=list)  # feature columns left out as identifiers (data.identifiers: drop)

    @property
    def feature_names(self):
        return self.frame.names

    @property
    def X(self):
        """The features as one float64 (n, d) matrix, for all-numeric data."""
        if not self.frame.all_numeric:
            raise DataError(f"{self.source}: has categorical columns; use .frame")
        return self.frame.numeric_matrix()


def check_classes(dataset, what):
    """``dataset``, or a DataError if it has no rows or one class only (``what``: where its labels came from)."""
    if len(dataset.y) == 0:
        raise DataError(f"{dataset.source}: the dataset has no rows")
    if len(dataset.classes) < 2:
        raise DataError(f"{dataset.source}: {what} holds one class only ({dataset.classes[0]}); "
                        "a classifier needs two or more")
    return dataset
