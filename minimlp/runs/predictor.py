"""What a run leaves to predict with: the preprocessing, the network and the class labels, in one file."""
import numpy as np

from ..data import reader, stored
from ..data.columns import Frame, from_matrix, number_text
from ..data.features import build_frame
from ..data.labels import label_value
from ..errors import MinimlpError, ModelFileError
from ..ensemble import network_from_arrays
from ..model import check_declared, read_npz


class Predictor:
    """Raw feature rows in, original class labels (or probabilities) out: a run's model from Python.

    ``Predictor.load("runs/iris/model.npz")`` reads the network, the class labels and the
    preprocessing fitted in training. ``predict(table)`` gives the original labels and
    ``predict_proba(table)`` an (n, n_classes) array, columns in ``classes``' order, for a
    pandas DataFrame, a dict of columns or an (n, d) array; ``read(path)`` gives the frame of a
    CSV/TSV/Parquet file. Columns are matched by name, in any order, each read as the kind it
    was trained as, missing cells filled as in training (or refused), a category never seen
    in training encoded as all zeros. See docs/python-api.md.
    """

    def __init__(self, net, classes, preprocessing):
        self.net, self.classes, self.preprocessing = net, np.asarray(classes), preprocessing

    @property
    def feature_names(self):
        return list(self.preprocessing.columns)

    @property
    def scaler(self):
        return self.preprocessing.scaler

    def frame(self, table, source="input"):
        """A Frame of the model's columns from a Frame, a pandas DataFrame, a dict of columns or an (n, d) array."""
        if isinstance(table, Frame):
            return table
        if hasattr(table, "columns") and hasattr(table, "to_numpy"):  # a pandas DataFrame
            table = {str(c): table[c].to_numpy() for c in table.columns}
        if not isinstance(table, dict):
            X = np.asarray(table, dtype=np.float64)
            if X.ndim != 2 or X.shape[1] != len(self.feature_names):
                raise MinimlpError(f"input must have {len(self.feature_names)} feature columns "
                                   f"({_listed(self.feature_names)}), got shape {X.shape}")
            table = from_matrix(X, self.feature_names, source).columns
        missing = [name for name in self.feature_names if name not in table]
        if missing:
            raise MinimlpError(f"{source}: missing feature column(s) {_listed(map(repr, missing))}; "
                               f"the model needs {_listed(self.feature_names)}")
        return self.frame_of({name: table[name] for name in self.feature_names}, source)

    def frame_of(self, raw, source, where=None, cell=None):
        """The model's columns of ``raw`` (name -> values), each read as the kind the model was trained on."""
        pre = self.preprocessing
        kinds = dict(zip(pre.columns, pre.kinds))
        hint = "" if pre.impute else "; the model was trained with data.missing: error"
        return build_frame({name: raw[name] for name in pre.columns}, source, where, cell, kinds=kinds,
                           impute=pre.impute, hint=hint)

    def read(self, path, delimiter=None, on_progress=None):
        """(frame, extra column names) of a raw CSV/TSV/Parquet file holding the model's columns in any order."""
        table = reader.read_table(path, delimiter, with_target=False, on_progress=on_progress)
        missing = [name for name in self.feature_names if name not in table.columns]
        if missing:
            raise MinimlpError(f"{path}: missing feature column(s) {_listed(map(repr, missing))}; "
                               f"the model needs {_listed(self.feature_names)}")
        wanted = set(self.feature_names)
        extra = [name for name in table.names if name not in wanted]
        return self.frame_of(table.columns, str(path), table.where, table.cell), extra

    def transform(self, table, rows=None, with_unseen=False):
        """The network's input for raw rows: encoded and scaled as in training, in the model's dtype."""
        X, unseen = self.preprocessing.transform(self.frame(table), rows, self.net.dtype)
        return (X, unseen) if with_unseen else X

    def predict_proba(self, table):
        return self.net.predict_proba(self.transform(table))

    def predict(self, table):
        return self.classes[self.net.predict(self.transform(table))]

    def class_indices(self, labels, source):
        """Indices into ``classes`` of the labels given, matched by value ('1' is 1 is 1.0); a label the
        model never saw is named."""
        keys = {_key(c): i for i, c in enumerate(self.classes)}
        uniques, inverse = np.unique(np.asarray(labels), return_inverse=True)
        index = np.empty(len(uniques), np.intp)
        for k, label in enumerate(uniques):
            if _key(label) not in keys:
                known = ", ".join(str(c) for c in self.classes[:20])
                raise MinimlpError(f"{source}: class {str(label)[:50]!r} is not one the model was trained on "
                                   f"(its classes: {known}{', ...' if len(self.classes) > 20 else ''})")
            index[k] = keys[_key(label)]
        return index[inverse]

    def save(self, path):
        self.net.save(path, classes=self.classes, **stored.to_arrays(self.preprocessing))

    @classmethod
    def load(cls, path):
        arrays = read_npz(path, check=check_declared)  # weights that cannot fit are refused before inflating
        net = network_from_arrays(arrays, source=str(path))
        try:
            classes = arrays["extra.classes"]
            if classes.ndim != 1 or classes.dtype.kind not in "iufU" or len(classes) != net.sizes[-1]:
                raise ValueError(f"class labels must be a 1-D array of {net.sizes[-1]} numbers or texts")
            if classes.dtype.kind == "f" and not np.all(np.isfinite(classes)):
                raise ValueError("class labels hold NaN or infinite values")
            if len({_key(c) for c in classes}) != len(classes):
                raise ValueError("class labels repeat a value")
            preprocessing = stored.from_arrays(arrays, net.sizes[0])
        except (KeyError, ValueError, TypeError) as e:
            raise ModelFileError(f"{path}: not a usable minimlp model ({e})") from None
        return cls(net, classes, preprocessing)


def _key(label):
    """A label's value as text: equal numbers give equal keys whatever their type."""
    if isinstance(label, (bool, np.bool_)):
        return str(label)
    if isinstance(label, (int, float, np.integer, np.floating)):
        return number_text(label)
    value = label_value(str(label).strip(), numeric=False)
    return value if isinstance(value, str) else number_text(value)


def _listed(names, limit=300):
    """Names joined for a message, cut to about ``limit`` characters (a model may have 40,000 columns)."""
    from ..excerpt import clip

    return clip(", ".join(names), limit)
