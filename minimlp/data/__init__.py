"""Data: scikit-learn and OpenML datasets (datasets, bundled, openml), table files read with
pandas or, when small, the csv module (reader, plain_csv, distinct, parquet, lines, raw), feature
columns and labels (columns, features, labels), the fitted preprocessing (preprocess, scaling,
stored), and the dataset (dataset) with its stratified split (tables, split).

The names below load on first use (PEP 562): ``minimlp datasets`` lists ``datasets``' tables
without importing numpy or pandas (a config is validated against minimlp/names.py, below this package)."""
_LAZY = {"Loading": "raw", "Dataset": "dataset", "Splits": "tables", "Standardizer": "tables",
         "load_csv": "tables", "load_dataset": "tables", "prepare": "tables", "split_indices": "tables"}

__all__ = ["Dataset", "Loading", "Splits", "Standardizer", "load_csv", "load_dataset", "prepare", "split_indices"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
