"""An ensemble of k networks of one shape (model.ensemble: k), trained together, probabilities averaged.

The k members live in one flat parameter vector (member i's parameters are its
i-th slice), so one optimizer step updates them all with the same whole-vector
operations, elementwise: each member's update is the one it would get alone.
They train on the same batches (one shuffle, one gather per batch, shared):
member i is the network initialised from its own seed and trained alone with
the run's shuffling, bit for bit (``EnsembleStep``).  The members differ by
their initial weights (and their dropout masks), as in deep ensembles.

Prediction averages the members' probabilities; ``logits`` gives log of that
mean, so evaluation, early stopping and the reported losses are the ensemble's.
"""
import numpy as np

from .errors import MinimlpError, ModelFileError
from .model import MAX_ENSEMBLE, MLP, check_declared, param_count, read_npz, save_arrays, stored_ensemble
from .numerics.inputs import InputLayers
from .numerics.averaging import log_mean_softmax


def member_seed(seed, i):
    """Member 0 keeps the run's seed (k = 1 is the plain network); member i > 0 draws from (seed, i)."""
    return seed if i == 0 or seed is None else [seed, i]


class Ensemble:
    """k networks ``MLP(sizes, ...)``; ``members`` are MLPs whose parameters are views into ``params``."""

    def __init__(self, k, sizes, activation="relu", init="auto", seed=None, dtype="float32", dropout=0.0,
                 scale=False, embedding="none", embedding_size=8, embedding_sigma=0.1):
        if not (isinstance(k, (int, np.integer)) and not isinstance(k, bool) and 2 <= k <= MAX_ENSEMBLE):
            raise MinimlpError(f"an ensemble needs k in [2, {MAX_ENSEMBLE}] networks, got {str(k)[:20]}")
        options = dict(activation=activation, init=init, dtype=dtype, dropout=dropout, scale=scale,
                       embedding=embedding, embedding_size=embedding_size, embedding_sigma=embedding_sigma)
        first = MLP(sizes, seed=seed, **options)  # checks everything; its size is each member's
        size = first.n_params
        self.k = int(k)
        self.params = np.zeros(self.k * size, first.dtype)
        self.grads = np.zeros(self.k * size, first.dtype)
        self.members = []
        for i in range(self.k):
            part = slice(i * size, (i + 1) * size)
            self.members.append(MLP(sizes, seed=member_seed(seed, i), storage=(self.params[part], self.grads[part]),
                                    **options))
        self.weight_slices = [slice(w.start + i * size, w.stop + i * size)
                              for i, member in enumerate(self.members) for w in member.weight_slices]
        for name in ("sizes", "activation", "init", "dtype", "dropout", "scale", "embedding", "inputs",
                     "layers", "dense"):
            setattr(self, name, getattr(self.members[0], name))

    @property
    def n_params(self):
        return self.params.size

    def check_input(self, X):
        return self.members[0].check_input(X)

    def logits(self, X):
        """log of the members' mean probabilities, in chunks (evaluation: dropout off)."""
        X = self.check_input(X)
        return [log_mean_softmax(zs) for zs in zip(*(member.logits(X) for member in self.members))]

    def predict_proba(self, X):
        """The mean of the members' probabilities: (p_1 + ... + p_k) / k."""
        total = self.members[0].predict_proba(X)
        for member in self.members[1:]:
            total += member.predict_proba(X)
        return np.divide(total, total.dtype.type(self.k), out=total)

    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)

    def to_arrays(self):
        arrays = self.members[0].to_arrays()
        arrays["params"] = self.params.copy()
        arrays["ensemble"] = np.array(self.k, np.int64)
        return arrays

    @classmethod
    def from_arrays(cls, arrays, source="model"):
        try:
            k = stored_ensemble(arrays)
            single = dict(arrays)
            del single["ensemble"]
            sizes = [int(s) for s in arrays["sizes"]]
            inputs = InputLayers.from_arrays(arrays)
            size = param_count(sizes, inputs)
            params = arrays["params"]
            if params.ndim != 1 or params.size != k * size:
                raise ValueError(f"{k} networks of sizes {sizes[:8]} need {k * size:,} parameters, "
                                 f"but the file holds {params.size:,}")
            single["params"] = params[:size]
            first = MLP.from_arrays(single, source)  # checks the rest, and raises ModelFileError itself
            if not np.all(np.isfinite(params)):
                raise ValueError("params hold NaN or infinite values")
        except (KeyError, ValueError, TypeError, MinimlpError) as e:
            if isinstance(e, ModelFileError):
                raise
            raise ModelFileError(f"{source}: not a usable minimlp model ({e})") from None
        net = cls(k, sizes, first.activation, "xavier", dtype=first.dtype.name, dropout=first.dropout,
                  scale=inputs.scale, embedding=inputs.embedding, embedding_size=inputs.embedding_size,
                  embedding_sigma=inputs.embedding_sigma)
        net.init = first.init
        np.copyto(net.params, params)
        return net

    def save(self, path, **extra):
        save_arrays(path, self.to_arrays(), extra)

    def __reduce__(self):
        return Ensemble.from_arrays, (self.to_arrays(),)


def network_for_task(model, n_features, n_classes, seed, dtype=None):
    """The network a ModelConfig describes: an MLP, or an Ensemble when model.ensemble > 1."""
    k = getattr(model, "ensemble", 1)
    if k == 1:
        return MLP.for_task(model, n_features, n_classes, seed, dtype)
    return Ensemble(k, [n_features, *model.hidden, n_classes], model.activation, model.init, seed=seed,
                    dtype=dtype or model.dtype, dropout=model.dropout, scale=model.scale, embedding=model.embedding,
                    embedding_size=model.embedding_size, embedding_sigma=model.embedding_sigma)


def network_from_arrays(arrays, source="model"):
    """An MLP or an Ensemble from a model file's arrays, as its ``ensemble`` entry says."""
    try:
        k = stored_ensemble(arrays)
    except ValueError as e:
        raise ModelFileError(f"{source}: not a usable minimlp model ({e})") from None
    return (MLP if k == 1 else Ensemble).from_arrays(arrays, source=source)


def load_network(path):
    return network_from_arrays(read_npz(path, check=check_declared), source=str(path))
