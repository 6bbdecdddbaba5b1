"""The scikit-learn datasets minimlp trains on, by config name, with the parameters each takes.

Names, function names and parameters live here as data, so the config can be
validated and ``minimlp datasets`` can list them without importing
scikit-learn (1.5 s: its package imports SciPy's statistics). The bundled
datasets are read from the files scikit-learn ships (``bundled.py``); only a
generator or OpenML imports scikit-learn, through ``loader``.
"""
import importlib

BUNDLED = {"iris": "load_iris", "digits": "load_digits", "wine": "load_wine", "breast_cancer": "load_breast_cancer"}
GENERATED = {
    "moons": "make_moons", "circles": "make_circles", "blobs": "make_blobs",
    "classification": "make_classification", "gaussian_quantiles": "make_gaussian_quantiles",
}
FETCHED = {"openml": "fetch_openml"}  # downloads once into scikit-learn's cache (data.params.data_home)
DATASET_NAMES = (*BUNDLED, *GENERATED, *FETCHED, "csv")

# (parameter, default) a user may put in data.params: the functions' signatures in scikit-learn 1.6 to 1.9,
# without return_X_y, as_frame and target_column (openml's target is data.target). tests/test_datasets.py
# holds this table to the installed scikit-learn's signatures.
PARAMETERS = {
    "iris": (), "wine": (), "breast_cancer": (),
    "digits": (("n_class", 10),),
    "moons": (("n_samples", 100), ("shuffle", True), ("noise", None), ("random_state", None)),
    "circles": (("n_samples", 100), ("shuffle", True), ("noise", None), ("random_state", None), ("factor", 0.8)),
    "blobs": (("n_samples", 100), ("n_features", 2), ("centers", None), ("cluster_std", 1.0),
              ("center_box", (-10.0, 10.0)), ("shuffle", True), ("random_state", None), ("return_centers", False)),
    "classification": (("n_samples", 100), ("n_features", 20), ("n_informative", 2), ("n_redundant", 2),
                       ("n_repeated", 0), ("n_classes", 2), ("n_clusters_per_class", 2), ("weights", None),
                       ("flip_y", 0.01), ("class_sep", 1.0), ("hypercube", True), ("shift", 0.0), ("scale", 1.0),
                       ("shuffle", True), ("random_state", None)),
    "gaussian_quantiles": (("mean", None), ("cov", 1.0), ("n_samples", 100), ("n_features", 2), ("n_classes", 3),
                           ("shuffle", True), ("random_state", None)),
    "openml": (("name", None), ("version", "active"), ("data_id", None), ("data_home", None), ("cache", True),
               ("n_retries", 3), ("delay", 1.0), ("parser", "auto"), ("read_csv_kwargs", None)),
    "csv": (),
}


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
