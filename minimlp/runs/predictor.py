"""What a run leaves to predict with: the scaler, the network and the class labels, in one file."""
import numpy as np

from ..data.tables import Standardizer
from ..errors import MinimlpError, ModelFileError
from ..model import MLP, check_declared, read_npz


class Predictor:
    """Raw feature rows in, original class labels (or probabilities) out."""

    def __init__(self, net, classes, feature_names, scaler=None):
        self.net, self.classes, self.scaler = net, np.asarray(classes), scaler
        self.feature_names = [str(name) for name in feature_names]

    def transform(self, X):
        """Raw features (n, d) -> the network's input: scaled as in training, in the model's dtype."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.feature_names):
            raise MinimlpError(f"input must have {len(self.feature_names)} feature columns "
                               f"({', '.join(self.feature_names)}), got shape {X.shape}")
        return self.scaler.transform(X, self.net.dtype) if self.scaler else X.astype(self.net.dtype)

    def predict_proba(self, X):
        return self.net.predict_proba(self.transform(X))

    def predict(self, X):
        return self.classes[self.net.predict(self.transform(X))]

    def save(self, path):
        extra = {"classes": self.classes, "feature_names": np.array(self.feature_names)}
        if self.scaler:
            extra.update(mean=self.scaler.mean, scale=self.scaler.scale)
        self.net.save(path, **extra)

    @classmethod
    def load(cls, path):
        arrays = read_npz(path, check=check_declared)  # weights that cannot fit are refused before inflating
        net = MLP.from_arrays(arrays, source=str(path))
        try:
            classes, names = arrays["extra.classes"], arrays["extra.feature_names"]
            scaler = Standardizer(arrays["extra.mean"], arrays["extra.scale"]) if "extra.mean" in arrays else None
            if len(classes) != net.sizes[-1] or len(names) != net.sizes[0]:
                raise ValueError("class labels or feature names do not match the network's shape")
            if scaler and not (scaler.mean.shape == scaler.scale.shape == (net.sizes[0],) and np.all(scaler.scale > 0)):
                raise ValueError("the scaler does not match the network's input")
        except (KeyError, ValueError, TypeError) as e:
            raise ModelFileError(f"{path}: not a usable minimlp model ({e})") from None
        return cls(net, classes, names, scaler)
