"""What a checkpoint was trained on, so that a resume on other data is refused rather than trained on.

The fingerprint is a few SHA-256 digests of the arrays the network sees (the
train, validation and test splits after encoding and scaling, the labels,
the sample weights) with the row counts, the columns and the classes: a CSV
edited between an interrupt and ``--resume`` changes one of them, and the
message says which. It is computed once per run, when the first checkpoint is
saved (hashing runs at about 1 GB/s), and stored in the checkpoint's metadata;
a checkpoint from before fingerprints is resumed as before.
"""
import hashlib

import numpy as np

from ..errors import RunFolderError

FORMAT = 1


def _digest(*arrays):
    h = hashlib.sha256()
    for array in arrays:
        if array is None:
            h.update(b"none")
            continue
        array = np.ascontiguousarray(array)
        h.update(f"{array.dtype.str}{array.shape}".encode())
        h.update(array.data if array.dtype.kind != "O" else repr(array.tolist()).encode())
    return h.hexdigest()[:32]


def fingerprint(prepared):
    """{part: value} of the data ``prepared`` (runs.folder.Prepared) holds, as JSON-able text and numbers."""
    dataset, s = prepared.dataset, prepared.splits
    return {
        "format": FORMAT,
        "rows": f"{len(s.y_train)} train / {len(s.y_val)} validation / {len(s.y_test)} test",
        "columns": _digest(np.array(list(dataset.feature_names), dtype=str)),
        "classes": _digest(np.asarray(dataset.classes)),
        "train": _digest(s.X_train, s.y_train, s.w_train),
        "validation": _digest(s.X_val, s.y_val),
        "test": _digest(s.X_test, s.y_test),
    }


WHAT = {"rows": "the number of rows", "columns": "the columns", "classes": "the classes",
        "train": "the training rows' values", "validation": "the validation rows' values",
        "test": "the test rows' values"}


def check_same_data(saved, current, run_dir, source):
    """RunFolderError (exit 2) saying what changed when ``saved`` (from the checkpoint) is not ``current``."""
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        return  # a checkpoint from before fingerprints: nothing to compare with
    changed = [WHAT[key] + (f" ({saved[key]} then, {current[key]} now)" if key == "rows" else "")
               for key in WHAT if saved.get(key) != current.get(key)]
    if changed:
        raise RunFolderError(f"{run_dir}: its checkpoint was trained on other data than {source} holds now: "
                             f"{', '.join(changed)} changed; resuming would continue on different data. Restore "
                             "the data the run started with, or train a new run; nothing was changed")
