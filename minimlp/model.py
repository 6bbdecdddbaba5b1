"""MLP: a stack of Dense layers and activations that outputs logits; save and load."""
import zipfile

import numpy as np

from . import files
from .errors import MinimlpError, ModelFileError
from .initializers import resolve_init
from .layers import ACTIVATIONS, Dense, make_activation
from .losses import softmax

DTYPES = ("float32", "float64")
FORMAT = "minimlp-mlp-1"
PREDICT_CHUNK = 4096  # rows per forward pass in predict: bounds memory on large inputs


class MLP:
    """A multi-layer perceptron: ``sizes`` [n_in, hidden..., n_classes], one activation
    between Dense layers, logits out (the softmax lives in the loss / predict_proba).

    All weights and biases are views into one flat vector ``params`` (and their
    gradients into ``grads``), in the order W0, b0, W1, b1, ...; an optimizer
    updates the whole network with a few whole-vector operations.
    """

    def __init__(self, sizes, activation="relu", init="auto", seed=None, dtype="float32"):
        self.sizes = _check_sizes(sizes)
        make_activation(activation)  # fail early on an unknown name
        self.activation, self.init = activation, init
        self.dtype = _check_dtype(dtype)
        shapes = list(zip(self.sizes[:-1], self.sizes[1:]))
        total = sum((n_in + 1) * n_out for n_in, n_out in shapes)
        self.params = np.zeros(total, self.dtype)
        self.grads = np.zeros(total, self.dtype)
        self.layers, self.dense, self.weight_slices = [], [], []
        offset = 0
        for i, (n_in, n_out) in enumerate(shapes):
            w_end, b_end = offset + n_in * n_out, offset + (n_in + 1) * n_out
            layer = Dense(
                self.params[offset:w_end].reshape(n_in, n_out), self.params[w_end:b_end],
                self.grads[offset:w_end].reshape(n_in, n_out), self.grads[w_end:b_end],
            )
            self.weight_slices.append(slice(offset, w_end))
            self.dense.append(layer)
            self.layers.append(layer)
            if i < len(shapes) - 1:
                self.layers.append(make_activation(activation))
            offset = b_end
        self._initialize(init, seed)

    def _initialize(self, init, seed):
        initializer = resolve_init(init, self.activation)
        rng = np.random.default_rng(seed)
        for i, layer in enumerate(self.dense):
            is_output = i == len(self.dense) - 1
            layer.W, layer.b = initializer(rng, *layer.shape, self.activation, is_output)

    @property
    def n_params(self):
        return self.params.size

    def check_input(self, X):
        """X as a 2-D array of the model's dtype with the right number of features."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise MinimlpError(f"input must have shape (n, {self.sizes[0]}), got {X.shape}")
        return X

    def forward(self, X):
        """Logits (n, n_classes) for X (n, n_features)."""
        out = self.check_input(X)
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def backward(self, grad, input_grad=False):
        """Back-propagate dL/dlogits; overwrite ``grads``. Returns dL/dX if ``input_grad``."""
        grad = np.asarray(grad, dtype=self.dtype)
        for layer in reversed(self.layers[1:]):
            grad = layer.backward(grad)
        return self.layers[0].backward(grad, input_grad=input_grad)

    def predict_proba(self, X):
        X = self.check_input(X)
        chunks = [softmax(self.forward(X[i:i + PREDICT_CHUNK])) for i in range(0, len(X), PREDICT_CHUNK)]
        return np.concatenate(chunks) if chunks else np.empty((0, self.sizes[-1]), self.dtype)

    def predict(self, X):
        """Class indices: the argmax of the logits (the softmax does not change it)."""
        X = self.check_input(X)
        chunks = [self.forward(X[i:i + PREDICT_CHUNK]).argmax(axis=1) for i in range(0, len(X), PREDICT_CHUNK)]
        return np.concatenate(chunks) if chunks else np.empty(0, np.intp)

    def to_arrays(self):
        """Everything needed to rebuild this network, as plain (non-object) arrays."""
        return {
            "format": np.array(FORMAT), "sizes": np.array(self.sizes, dtype=np.int64),
            "activation": np.array(self.activation), "init": np.array(self.init),
            "dtype": np.array(self.dtype.name), "params": self.params.copy(),
        }

    @classmethod
    def from_arrays(cls, arrays, source="model"):
        """Rebuild a network from ``to_arrays`` output; ModelFileError if anything is off."""
        try:
            if str(arrays["format"]) != FORMAT:
                raise ValueError(f"format is {str(arrays['format'])!r}, expected {FORMAT!r}")
            sizes = [int(s) for s in arrays["sizes"]]
            activation, dtype = str(arrays["activation"]), str(arrays["dtype"])
            if activation not in ACTIVATIONS or dtype not in DTYPES:
                raise ValueError(f"activation {activation!r} / dtype {dtype!r} not known")
            params = arrays["params"]
            net = cls(sizes, activation, init="xavier", dtype=dtype)
            if params.shape != net.params.shape or params.dtype != net.dtype:
                raise ValueError(f"params have shape {params.shape} {params.dtype}, expected "
                                 f"{net.params.shape} {net.dtype} for sizes {sizes}")
            if not np.all(np.isfinite(params)):
                raise ValueError("params hold NaN or infinite values")
        except (KeyError, ValueError, TypeError, MinimlpError) as e:
            raise ModelFileError(f"{source}: not a usable minimlp model ({e})") from None
        net.init = str(arrays["init"])
        np.copyto(net.params, params)
        return net

    def save(self, path, **extra):
        """Save to ``path`` (.npz, atomically); ``extra`` arrays ride along under 'extra.<name>'."""
        arrays = self.to_arrays()
        arrays.update({f"extra.{k}": np.asarray(v) for k, v in extra.items()})
        files.write_npz(path, arrays)

    @classmethod
    def load(cls, path):
        return cls.from_arrays(read_npz(path), source=str(path))


def read_npz(path):
    """All arrays of an .npz file, read with allow_pickle=False; ModelFileError on any damage."""
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError, TypeError, AttributeError) as e:
        raise ModelFileError(f"{path}: cannot be read as a minimlp model file ({e})") from None


def _check_sizes(sizes):
    try:
        sizes = list(sizes)
    except TypeError:
        sizes = [sizes]
    whole = all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in sizes)
    if len(sizes) < 2 or not whole:
        raise MinimlpError(f"sizes must be 2 or more positive integers [inputs, hidden..., classes], got {sizes!r}")
    return [int(s) for s in sizes]


def _check_dtype(dtype):
    name = np.dtype(dtype).name if isinstance(dtype, (type, np.dtype)) else dtype
    if name not in DTYPES:
        raise MinimlpError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    return np.dtype(name)
