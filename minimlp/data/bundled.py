"""scikit-learn's bundled datasets (iris, digits, wine, breast_cancer) read from the files it ships.

``sklearn.datasets.load_iris`` costs an import of scikit-learn (1.5 s, most of
it SciPy's statistics) to read a 4 KB file. These are read the way
scikit-learn's ``load_csv_data`` and ``load_gzip_compressed_csv_data`` read
them, from the installed package's ``datasets/data`` folder, found without
importing the package; tests/test_datasets.py holds the arrays equal to
``load_*``'s. The feature names are scikit-learn's (they are in its code, not
in the files).
"""
import csv
import gzip
import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError

MAX_FILE_BYTES = 16 * 2**20  # the shipped files are 4 KB to 120 KB (digits, compressed)

IRIS_FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
WINE_FEATURES = ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
                 "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
                 "od280/od315_of_diluted_wines", "proline"]
CANCER_MEASURES = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
                   "concave points", "symmetry", "fractal dimension"]
CANCER_FEATURES = ([f"mean {m}" for m in CANCER_MEASURES] + [f"{m} error" for m in CANCER_MEASURES]
                   + [f"worst {m}" for m in CANCER_MEASURES])
DIGITS_FEATURES = [f"pixel_{row}_{col}" for row in range(8) for col in range(8)]


@dataclass
class Bundled:
    data: np.ndarray  # (n, d) float64
    target: np.ndarray  # (n,) int class codes
    target_names: np.ndarray  # label of each code
    feature_names: list


def load(name, params):
    """The dataset as scikit-learn's ``load_<name>(**params)`` gives it (data, target, names)."""
    if name == "digits":
        return _digits(**params)
    if params:
        raise TypeError(f"load_{name}() got an unexpected keyword argument {next(iter(params))!r}")
    file_name, features = {"iris": ("iris.csv", IRIS_FEATURES), "wine": ("wine_data.csv", WINE_FEATURES),
                           "breast_cancer": ("breast_cancer.csv", CANCER_FEATURES)}[name]
    path = data_folder() / file_name
    data, target, target_names = _counted_csv(_read(path).decode("utf-8"), path)
    if data.shape[1] != len(features):
        raise DataError(f"{path}: {data.shape[1]} feature columns, scikit-learn's {name} has {len(features)}")
    return Bundled(data, target, target_names, list(features))


def _digits(n_class=10):
    if not isinstance(n_class, (int, np.integer)) or not 1 <= n_class <= 10:  # scikit-learn's Interval(Integral)
        raise ValueError(f"The 'n_class' parameter of load_digits must be an int in the range [1, 10]. "
                         f"Got {n_class!r} instead.")
    path = data_folder() / "digits.csv.gz"
    try:
        text = gzip.decompress(_read(path))
        data = np.loadtxt(io.BytesIO(text), delimiter=",")
    except (OSError, EOFError, ValueError) as e:
        raise DataError(f"{path}: not scikit-learn's digits file ({e})") from None
    if data.ndim != 2 or data.shape[1] != len(DIGITS_FEATURES) + 1 or not np.isfinite(data).all():
        raise DataError(f"{path}: not scikit-learn's digits file (shape {data.shape})")
    target = data[:, -1].astype(int, copy=False)
    features = data[:, :-1]
    if n_class < 10:
        keep = target < n_class
        features, target = features[keep], target[keep]
    return Bundled(features, target, np.arange(10), list(DIGITS_FEATURES))


def _counted_csv(text, path):
    """scikit-learn's layout: a first row 'n_samples,n_features,name0,name1,...', then rows of features, code."""
    rows = csv.reader(io.StringIO(text))
    try:
        head = next(rows)
        n_samples, n_features = int(head[0]), int(head[1])
        body = [row for row in rows if row]
        data = np.array([row[:-1] for row in body], dtype=np.float64)
        target = np.array([row[-1] for row in body], dtype=int)
    except (StopIteration, IndexError, ValueError) as e:
        raise DataError(f"{path}: not one of scikit-learn's dataset files ({e})") from None
    if data.shape != (n_samples, n_features) or not np.isfinite(data).all():
        raise DataError(f"{path}: its header declares {n_samples} x {n_features}, the rows hold {data.shape}")
    target_names = np.array(head[2:])
    if target.min(initial=0) < 0 or target.max(initial=0) >= len(target_names):
        raise DataError(f"{path}: class codes outside the {len(target_names)} names of its header")
    return data, target, target_names


def data_folder():
    """scikit-learn's ``datasets/data`` folder, located without importing scikit-learn."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the bundled datasets are scikit-learn's files: pip install scikit-learn")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


def _read(path):
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise DataError(f"{path}: cannot read scikit-learn's dataset file ({e.strerror or e})") from None
    if len(data) > MAX_FILE_BYTES:
        raise DataError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB; not scikit-learn's file")
    return data
