"""Data: scikit-learn and OpenML datasets (datasets, openml), table files read with pandas (reader,
parquet, lines), feature columns and labels (columns, features, labels), the fitted preprocessing
(preprocess, scaling, stored), and the dataset with its stratified split (tables, split)."""
from .reader import Loading
from .tables import Dataset, Splits, Standardizer, load_csv, load_dataset, prepare, split_indices

__all__ = ["Dataset", "Loading", "Splits", "Standardizer", "load_csv", "load_dataset", "prepare", "split_indices"]
