"""MLP: a sequence of layers (an optional input scale, Dense, activations, dropout) that outputs logits; its flat parameters; save and load."""
import numpy as np

from . import files
from .errors import MinimlpError, ModelFileError, OutOfMemoryError, out_of_memory_message
from .npzfile import MAX_NPZ_BYTES, size_text
from .npzfile import read_npz  # noqa: F401 (model files are read with it; part of this module's API)
from .numerics.initializers import resolve_init
from .numerics.layers import ACTIVATIONS, Dense, Dropout, make_activation
from .numerics.losses import softmax
from .numerics.inputs import InputLayers
from .numerics.workspace import Workspace

DTYPES = ("float32", "float64")
FORMAT = "minimlp-mlp-1"
MAX_ENSEMBLE = 64  # networks in one model (model.ensemble)
PREDICT_CHUNK = 4096  # rows per forward pass in predict: bounds memory on large inputs


class MLP:
    """A multi-layer perceptron: ``sizes`` [n_in, hidden..., n_classes]; after every hidden
    Dense layer its activation and, with ``dropout`` > 0, a Dropout layer; logits out (the
    softmax lives in the fused head, ``SoftmaxCrossEntropy``, and in ``predict_proba``).

    ``layers`` is that sequence of layer objects; ``Workspace`` runs it, for
    training, evaluation, prediction and the public ``forward``/``backward`` alike.
    All weights and biases are views into one flat vector ``params`` (and their
    gradients into ``grads``), in the order W0, b0, W1, b1, ... (each layer's
    [W; b] block is its Wb matrix); an optimizer updates the whole network with
    a few whole-vector operations.
    """

    def __init__(self, sizes, activation="relu", init="auto", seed=None, dtype="float32", dropout=0.0, scale=False,
                 embedding="none", embedding_size=8, embedding_sigma=0.1, storage=None):
        """``storage``: (params, grads) flat vectors of ``param_count`` entries to live in (an ensemble's slices)."""
        self.sizes = _check_sizes(sizes)
        # before the first Dense: a learnable per-feature scale, a periodic embedding (numerics.inputs)
        self.inputs = InputLayers(scale, embedding, embedding_size, embedding_sigma)
        self.scale, self.embedding = bool(scale), embedding
        make_activation(activation)  # fail early on an unknown name
        self.activation, self.init = activation, init
        self.dtype = _check_dtype(dtype)
        self.dropout = Dropout(dropout).rate  # checks the rate
        total = param_count(self.sizes, self.inputs)
        if total * self.dtype.itemsize > MAX_NPZ_BYTES:  # could never be saved: bad input, not a lack of memory
            raise MinimlpError(f"a network of sizes {self.sizes[:8]}{'...' if len(self.sizes) > 8 else ''} has "
                               f"{total:,} parameters ({size_text(total * self.dtype.itemsize)}), more than the "
                               f"{size_text(MAX_NPZ_BYTES)} a minimlp model file may hold")
        try:
            self.params, self.grads = storage or (np.zeros(total, self.dtype), np.zeros(total, self.dtype))
        except (ValueError, MemoryError):
            raise OutOfMemoryError(out_of_memory_message(
                what=f"{size_text(2 * total * self.dtype.itemsize)} for a network of {total:,} parameters")) from None
        self.layers, self.dense, self.weight_slices = [], [], []
        offset = self.inputs.param_count(self.sizes[0])  # first, in layer order; not weights: never decayed
        self.layers += self.inputs.build(self.params, self.grads, self.sizes[0])
        widths = [self.inputs.width(self.sizes[0]), *self.sizes[1:]]
        for n_in, n_out in zip(widths[:-1], widths[1:]):
            end = offset + Dense.param_count(n_in, n_out)
            dense = Dense(self.params[offset:end].reshape(n_in + 1, n_out),
                          self.grads[offset:end].reshape(n_in + 1, n_out))
            self.weight_slices.append(slice(offset, offset + n_in * n_out))
            self.dense.append(dense)
            self.layers.append(dense)
            if len(self.dense) < len(self.sizes) - 1:  # a hidden layer
                self.layers.append(make_activation(activation))
                if self.dropout:
                    self.layers.append(Dropout(self.dropout))
            offset = end
        self._last = None  # the workspace of the last public forward, for backward
        self._initialize(init, seed)

    def _initialize(self, init, seed):
        initializer = resolve_init(init, self.activation)
        rng = np.random.default_rng(seed)
        for i, layer in enumerate(self.dense):
            is_output = i == len(self.dense) - 1
            layer.W, layer.b = initializer(rng, *layer.shape, self.activation, is_output)
        self.inputs.initialize(self.layers, rng)  # after: the Dense layers of a plain network draw the same

    @classmethod
    def for_task(cls, model, n_features, n_classes, seed, dtype=None):
        """The network a ModelConfig section describes, for ``n_features`` inputs and ``n_classes`` outputs."""
        sizes = [n_features, *model.hidden, n_classes]
        return cls(sizes, model.activation, model.init, seed=seed, dtype=dtype or model.dtype,
                   dropout=getattr(model, "dropout", 0.0), scale=getattr(model, "scale", False),
                   embedding=getattr(model, "embedding", "none"), embedding_size=getattr(model, "embedding_size", 8),
                   embedding_sigma=getattr(model, "embedding_sigma", 0.1))

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

    def forward(self, X, dropout_rng=None):
        """Logits (n, n_classes) for X (n, n_features), in a new array; ``backward`` goes back through it.

        With ``dropout_rng`` (a numpy Generator) the pass is a training one: dropout layers
        draw their factors from it; without, dropout is off (evaluation)."""
        X = self.check_input(X)
        workspace = Workspace(self, len(X), dropout_rng=dropout_rng)
        workspace.load(X)
        self._last = workspace
        return workspace.forward()

    def backward(self, grad, input_grad=False):
        """Back-propagate dL/dlogits of the last ``forward``; overwrite ``grads``. Returns dL/dX if ``input_grad``."""
        if self._last is None:
            raise MinimlpError("MLP.backward needs a forward first")
        grad = np.asarray(grad, dtype=self.dtype)
        return self._last.backward(grad, input_grad=input_grad)

    def logits(self, X):
        """Logits of X in evaluation mode, PREDICT_CHUNK rows at a time (bounded memory); keeps nothing."""
        X = self.check_input(X)
        chunks = []
        for start in range(0, len(X), PREDICT_CHUNK):
            workspace = Workspace(self, len(X[start:start + PREDICT_CHUNK]))
            workspace.load(X[start:start + PREDICT_CHUNK])
            chunks.append(workspace.forward())
        return chunks

    def predict_proba(self, X):
        chunks = [softmax(z) for z in self.logits(X)]
        return np.concatenate(chunks) if chunks else np.empty((0, self.sizes[-1]), self.dtype)

    def predict(self, X):
        """Class indices: the argmax of the logits (the softmax does not change it)."""
        chunks = [z.argmax(axis=1) for z in self.logits(X)]
        return np.concatenate(chunks) if chunks else np.empty(0, np.intp)

    def to_arrays(self):
        """Everything needed to rebuild this network, as plain (non-object) arrays."""
        arrays = {
            "format": np.array(FORMAT), "sizes": np.array(self.sizes, dtype=np.int64),
            "activation": np.array(self.activation), "init": np.array(self.init),
            "dtype": np.array(self.dtype.name), "params": self.params.copy(),
        }
        if self.dropout:  # only then: files of networks without dropout keep their bytes
            arrays["dropout"] = np.array(self.dropout)
        arrays.update(self.inputs.to_arrays())  # likewise: only what is on
        return arrays

    @classmethod
    def from_arrays(cls, arrays, source="model"):
        """Rebuild a network from ``to_arrays`` output; ModelFileError if anything is off."""
        try:
            if stored_ensemble(arrays) > 1:
                raise ValueError("it holds an ensemble of networks: load it with minimlp.ensemble.load_network")
            if str(arrays["format"]) != FORMAT:
                raise ValueError(f"format is {str(arrays['format'])!r}, expected {FORMAT!r}")
            sizes = [int(s) for s in arrays["sizes"]]
            activation, dtype = str(arrays["activation"]), str(arrays["dtype"])
            if activation not in ACTIVATIONS or dtype not in DTYPES:
                raise ValueError(f"activation {activation!r} / dtype {dtype!r} not known")
            dropout, inputs = _stored_dropout(arrays), InputLayers.from_arrays(arrays)
            params = arrays["params"]
            expected = param_count(sizes, inputs)
            if params.size != expected:  # checked before the network is allocated
                raise ValueError(f"sizes {sizes[:8]}{'...' if len(sizes) > 8 else ''} need {expected:,} "
                                 f"parameters, but the file holds {params.size:,}")
            net = cls(sizes, activation, init="xavier", dtype=dtype, dropout=dropout, scale=inputs.scale,
                      embedding=inputs.embedding, embedding_size=inputs.embedding_size,
                      embedding_sigma=inputs.embedding_sigma)
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
        save_arrays(path, self.to_arrays(), extra)

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
    expected = param_count(sizes, InputLayers.from_arrays(small)) * stored_ensemble(small)
    if shape != (expected,) or dtype.name != str(small["dtype"]):
        raise ValueError(f"params declare shape {shape} {dtype}, but sizes {sizes[:8]}{'...' if len(sizes) > 8 else ''} "
                         f"and dtype {str(small['dtype'])[:20]} need ({expected:,},)")


def stored_ensemble(arrays):
    """k, the networks a model file holds (1 when it has no ``ensemble`` entry, as files before ensembles)."""
    if "ensemble" not in arrays:
        return 1
    k = arrays["ensemble"]
    if k.shape != () or k.dtype.kind not in "iu" or not 2 <= int(k) <= MAX_ENSEMBLE:
        raise ValueError(f"ensemble must be an integer in [2, {MAX_ENSEMBLE}], got {str(k)[:20]}")
    return int(k)


def save_arrays(path, arrays, extra):
    """A network's arrays and the ``extra`` ones (under 'extra.<name>') written to ``path`` atomically."""
    files.write_npz(path, {**arrays, **{f"extra.{k}": np.asarray(v) for k, v in extra.items()}})


def param_count(sizes, inputs=None):
    """Parameters of a network of ``sizes`` (with the ``InputLayers`` ``inputs``): the one place this is computed."""
    if not sizes:  # a file's malformed sizes: refused later, naming them
        return 0
    inputs = inputs or InputLayers()
    widths = [inputs.width(sizes[0]), *sizes[1:]]
    return inputs.param_count(sizes[0]) + sum(Dense.param_count(n_in, n_out)
                                              for n_in, n_out in zip(widths[:-1], widths[1:]))


def _stored_dropout(arrays):
    """The dropout rate a model file holds (0 when it has none, as files before dropout)."""
    if "dropout" not in arrays:
        return 0.0
    rate = arrays["dropout"]
    if rate.shape != () or rate.dtype.kind != "f" or not 0 <= float(rate) < 1:
        raise ValueError(f"dropout must be a rate in [0, 1), got {str(rate)[:20]}")
    return float(rate)


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
