"""The scikit-learn datasets minimlp trains on, by config name, with the parameters each takes.

Names and parameters live in minimlp/names.py, as data, so the config can be
validated and ``minimlp datasets`` can list them without importing numpy or
scikit-learn (1.5 s: its package imports SciPy's statistics). The bundled
datasets are read from the files scikit-learn ships (``bundled.py``); only a
generator or OpenML imports scikit-learn, through ``loader``.
"""
import importlib

from ..names import DATASET_NAMES, DATASET_PARAMETERS as PARAMETERS  # noqa: F401 (DATASET_NAMES: re-exported)

BUNDLED = {"iris": "load_iris", "digits": "load_digits", "wine": "load_wine", "breast_cancer": "load_breast_cancer"}
GENERATED = {
    "moons": "make_moons", "circles": "make_circles", "blobs": "make_blobs",
    "classification": "make_classification", "gaussian_quantiles": "make_gaussian_quantiles",
}
FETCHED = {"openml": "fetch_openml"}  # downloads once into scikit-learn's cache (data.params.data_home)


def function_name(name):
    """The scikit-learn function a dataset name stands for: 'moons' -> 'make_moons'."""
    return BUNDLED.get(name) or GENERATED.get(name) or FETCHED[name]


def loader(name):
    """The scikit-learn function behind a generator or OpenML (this imports scikit-learn)."""
    sklearn_datasets = importlib.import_module("sklearn.datasets")
    return getattr(sklearn_datasets, function_name(name))


def parameters(name):
    """(parameter, default) pairs a user may put in ``data.params`` for ``name``."""
    return list(PARAMETERS[name])
