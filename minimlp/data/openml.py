"""OpenML datasets through scikit-learn's ``fetch_openml`` and its cache (``data.params.data_home``).

The first run downloads the dataset; later runs read the cache. Columns OpenML
declares nominal are categorical, whatever their values look like.
"""
import warnings

from ..errors import ConfigError, DataError
from .features import build_frame
from .labels import parse_labels
from .dataset import Dataset, check_classes
from .selection import select_columns


def load_openml(data, source="config"):
    from sklearn.datasets import fetch_openml

    kwargs = dict(data.params)
    if data.target is not None:
        kwargs["target_column"] = data.target
    name = f"openml:{kwargs.get('name', kwargs.get('data_id'))}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "redownloading": it retries, and failing is our message
            bunch = fetch_openml(as_frame=True, **kwargs)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{source}: data.params {data.params} rejected by fetch_openml: {str(e)[:300]}") from None
    except OSError as e:  # urllib's errors are OSErrors: no network and no cached copy
        raise DataError(f"{name}: cannot be downloaded ({e}); the first run needs a network connection, "
                        "later runs read scikit-learn's cache (data.params.data_home)") from None
    target = bunch.target
    if target is None or getattr(target, "ndim", 1) != 1:
        raise DataError(f"{name}: needs exactly one target column; name it with data.target")
    X = bunch.data
    raw = select_columns({str(c): X[c].to_numpy() for c in X.columns}, data, name)
    nominal = [str(c) for c in X.columns if str(X[c].dtype) == "category" and str(c) in raw]
    listed = nominal if data.categorical == "auto" else sorted({*nominal, *data.categorical})
    frame = build_frame(raw, name, categorical=listed or "auto", impute=data.missing == "impute")
    y, classes = parse_labels(target.to_numpy(), f"target {target.name!r}", name)
    return check_classes(Dataset(frame, y, classes, name), f"target {target.name!r}")
