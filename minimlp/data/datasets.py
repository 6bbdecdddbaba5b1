"""The scikit-learn datasets minimlp trains on, by config name.

Only names and function names live here, so the config can validate
``data.dataset`` without importing scikit-learn; ``loader`` imports on demand.
"""
import importlib
import inspect

BUNDLED = {"iris": "load_iris", "digits": "load_digits", "wine": "load_wine", "breast_cancer": "load_breast_cancer"}
GENERATED = {
    "moons": "make_moons", "circles": "make_circles", "blobs": "make_blobs",
    "classification": "make_classification", "gaussian_quantiles": "make_gaussian_quantiles",
}
FETCHED = {"openml": "fetch_openml"}  # downloads once into scikit-learn's cache (data.params.data_home)
DATASET_NAMES = (*BUNDLED, *GENERATED, *FETCHED, "csv")


def loader(name):
    """The scikit-learn function behind a dataset name."""
    sklearn_datasets = importlib.import_module("sklearn.datasets")
    return getattr(sklearn_datasets, BUNDLED.get(name) or GENERATED.get(name) or FETCHED[name])


def parameters(name):
    """(parameter, default) pairs a user may put in ``data.params`` for ``name``."""
    if name == "csv":
        return []
    skip = {"return_X_y", "as_frame", "target_column"}  # openml's target is data.target
    signature = inspect.signature(loader(name))
    return [(p.name, p.default) for p in signature.parameters.values() if p.name not in skip]
