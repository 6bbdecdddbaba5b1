"""MLP: a stack of Dense layers and activations that outputs logits; save and load."""
import numpy as np

from . import files
from .errors import MinimlpError, ModelFileError, OutOfMemoryError, out_of_memory_message
from .npzfile import MAX_NPZ_BYTES, size_text
from .npzfile import read_npz  # noqa: F401 (model files are read with it; part of this module's API)
from .numerics.initializers import resolve_init
from .numerics.layers import ACTIVATIONS, Dense, make_activation
from .numerics.losses import softmax

DTYPES = ("float32", "float64")
FORMAT = "minimlp-mlp-1"
PREDICT_CHUNK = 4096  # rows per forward pass in predict: bounds memory on large inputs


class Workspace:
    """Every array one forward/backward pass of ``rows`` samples writes, allocated once.

    ``inputs[i]`` is layer i's input with its ones column, (rows, width+1);
    ``logits[i]`` is Dense i's output; ``grads[i]`` is dL/d(input of Dense i+1),
    a view of ``deltas[i]`` (rows, width+1) whose last column stays 0: the
    training step masks it with a ReLU's whole [y, 1] buffer in one contiguous
    pass instead of row by row.
    The network's output is column-major: the softmax reduces each row over
    the classes, and numpy reduces along the slow axis of an array much faster
    than along a short contiguous one (3 µs instead of 14 µs for 128×10).
    Training reuses one workspace per batch size, so no large array is
    allocated per batch; a public ``forward`` gets a fresh one.
    """

    def __init__(self, net, rows):
        self.rows = rows
        self.inputs = [np.ones((rows, width + 1), net.dtype) for width in net.sizes[:-1]]
        self.logits = [np.empty((rows, width), net.dtype) for width in net.sizes[1:-1]]
        self.logits.append(np.empty((rows, net.sizes[-1]), net.dtype, order="F"))
        self.deltas = [np.zeros((rows, width + 1), net.dtype) for width in net.sizes[1:-1]]
        self.grads = [delta[:, :-1] for delta in self.deltas]
        self.features = [x1[:, :-1] for x1 in self.inputs]  # each input without its ones column

    def head(self, rows):
        """A workspace for fewer rows that shares this one's memory (its first ``rows`` rows)."""
        view = Workspace.__new__(Workspace)
        view.rows = rows
        for name in ("inputs", "logits", "deltas", "grads", "features"):
            setattr(view, name, [array[:rows] for array in getattr(self, name)])
        return view

    def load(self, X, rows=None):
        """Copy X (or the rows ``rows`` of X, a gather) into the first layer's input."""
        if rows is None:
            np.copyto(self.features[0], X)
        else:
            X.take(rows, axis=0, out=self.features[0], mode="clip")  # rows from a permutation: valid; the method skips np.take's Python wrapper


class MLP:
    """A multi-layer perceptron: ``sizes`` [n_in, hidden..., n_classes], one activation
    between Dense layers, logits out (the softmax lives in the loss / predict_proba).

    All weights and biases are views into one flat vector ``params`` (and their
    gradients into ``grads``), in the order W0, b0, W1, b1, ... (each layer's
    [W; b] block is its Wb matrix); an optimizer updates the whole network with
    a few whole-vector operations.
    """

    def __init__(self, sizes, activation="relu", init="auto", seed=None, dtype="float32"):
        self.sizes = _check_sizes(sizes)
        make_activation(activation)  # fail early on an unknown name
        self.activation, self.init = activation, init
        self.dtype = _check_dtype(dtype)
        shapes = list(zip(self.sizes[:-1], self.sizes[1:]))
        total = sum((n_in + 1) * n_out for n_in, n_out in shapes)
        if total * self.dtype.itemsize > MAX_NPZ_BYTES:  # could never be saved: bad input, not a lack of memory
            raise MinimlpError(f"a network of sizes {self.sizes[:8]}{'...' if len(self.sizes) > 8 else ''} has "
                               f"{total:,} parameters ({size_text(total * self.dtype.itemsize)}), more than the "
                               f"{size_text(MAX_NPZ_BYTES)} a minimlp model file may hold")
        try:
            self.params = np.zeros(total, self.dtype)
            self.grads = np.zeros(total, self.dtype)
        except (ValueError, MemoryError):
            raise OutOfMemoryError(out_of_memory_message(
                what=f"{size_text(2 * total * self.dtype.itemsize)} for a network of {total:,} parameters")) from None
        self.dense, self.weight_slices = [], []
        offset = 0
        for n_in, n_out in shapes:
            end = offset + (n_in + 1) * n_out
            self.dense.append(Dense(self.params[offset:end].reshape(n_in + 1, n_out),
                                    self.grads[offset:end].reshape(n_in + 1, n_out)))
            self.weight_slices.append(slice(offset, offset + n_in * n_out))
            offset = end
        self.activations = [make_activation(activation) for _ in shapes[1:]]
        self._initialize(init, seed)

    def _initialize(self, init, seed):
        initializer = resolve_init(init, self.activation)
        rng = np.random.default_rng(seed)
        for i, layer in enumerate(self.dense):
            is_output = i == len(self.dense) - 1
            layer.W, layer.b = initializer(rng, *layer.shape, self.activation, is_output)

    @classmethod
    def for_task(cls, model, n_features, n_classes, seed, dtype=None):
        """The network a ModelConfig section describes, for ``n_features`` inputs and ``n_classes`` outputs."""
        sizes = [n_features, *model.hidden, n_classes]
        return cls(sizes, model.activation, model.init, seed=seed, dtype=dtype or model.dtype)

    def __reduce__(self):
        """Pickle as the saved arrays: unpickling rebuilds the layers as views of ``params`` again."""
        return _rebuild, (self.to_arrays(),)

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
        """Logits (n, n_classes) for X (n, n_features), in a new array."""
        X = self.check_input(X)
        workspace = Workspace(self, len(X))
        workspace.load(X)
        return self.forward_loaded(workspace)

    def forward_loaded(self, ws, out=None):
        """Forward pass over the input already in workspace ``ws``; returns the logits,
        written into ``out`` if given, else into ``ws.logits[-1]``."""
        for i, activation in enumerate(self.activations):
            z = self.dense[i].forward(ws.inputs[i], out=ws.logits[i])
            activation.forward(z, out=ws.features[i + 1])
        return self.dense[-1].forward(ws.inputs[-1], out=ws.logits[-1] if out is None else out)

    def backward(self, grad, input_grad=False, workspace=None):
        """Back-propagate dL/dlogits; overwrite ``grads``. Returns dL/dX if ``input_grad``.

        With a ``workspace``, intermediate gradients go into its buffers.
        """
        grad = np.asarray(grad, dtype=self.dtype)
        for i in range(len(self.dense) - 1, 0, -1):
            grad = self.dense[i].backward(grad, out=workspace.grads[i - 1] if workspace else None)
            grad = self.activations[i - 1].backward(grad)
        return self.dense[0].backward(grad, input_grad=input_grad)

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
            expected = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
            if params.size != expected:  # checked before the network is allocated
                raise ValueError(f"sizes {sizes[:8]}{'...' if len(sizes) > 8 else ''} need {expected:,} "
                                 f"parameters, but the file holds {params.size:,}")
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
        return cls.from_arrays(read_npz(path, check=check_declared), source=str(path))


def _rebuild(arrays):
    return MLP.from_arrays(arrays)


def check_declared(small, declared):
    """read_npz's ``check`` for a model file: the weights' declared shape must be what ``sizes`` needs,
    so a file declaring a huge array is refused before it is inflated."""
    if "sizes" not in small or "params" not in declared or "dtype" not in small:
        return  # from_arrays names what is missing
    dtype, shape = declared["params"]
    sizes = [int(s) for s in np.ravel(small["sizes"])]
    expected = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    if shape != (expected,) or dtype.name != str(small["dtype"]):
        raise ValueError(f"params declare shape {shape} {dtype}, but sizes {sizes[:8]}{'...' if len(sizes) > 8 else ''} "
                         f"and dtype {str(small['dtype'])[:20]} need ({expected:,},)")


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
