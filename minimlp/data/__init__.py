"""Data: scikit-learn datasets and generators (datasets), CSV files (csvfile), and the
dataset, its stratified split and standardisation (tables)."""
from .tables import Dataset, Splits, Standardizer, load_csv, load_dataset, prepare, split_indices

__all__ = ["Dataset", "Splits", "Standardizer", "load_csv", "load_dataset", "prepare", "split_indices"]
