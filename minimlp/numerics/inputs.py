"""The optional layers before a network's first Dense layer: the learnable scale, then the embedding.

``InputLayers`` says which are on and owns what ``MLP`` needs to know about them:
their parameter count, the width they hand the first Dense layer, building them
on views of the flat vectors, their initial values and their model-file
entries (written only when on, so files of networks without them keep their bytes).
"""
from dataclasses import dataclass

import numpy as np

from ..errors import MinimlpError
from .embedding import EMBEDDINGS, Periodic
from .scale import Scale


@dataclass(frozen=True)
class InputLayers:
    scale: bool = False
    embedding: str = "none"
    embedding_size: int = 8  # k frequencies per input
    embedding_sigma: float = 0.1  # their initial standard deviation

    def __post_init__(self):
        if not isinstance(self.scale, (bool, np.bool_)):
            raise MinimlpError(f"scale must be true or false, got {type(self.scale).__name__}")
        if self.embedding not in EMBEDDINGS:
            raise MinimlpError(f"embedding must be one of {', '.join(EMBEDDINGS)}, got {str(self.embedding)[:40]!r}")
        k, sigma = self.embedding_size, self.embedding_sigma
        if not (isinstance(k, (int, np.integer)) and not isinstance(k, bool) and 1 <= k <= 1024):
            raise MinimlpError(f"embedding_size must be an integer in [1, 1024], got {str(k)[:40]}")
        if not (isinstance(sigma, (int, float, np.floating)) and np.isfinite(sigma) and sigma > 0):
            raise MinimlpError(f"embedding_sigma must be a number > 0, got {str(sigma)[:40]}")

    @property
    def periodic(self):
        return self.embedding == "periodic"

    def param_count(self, n_in):
        return ((Scale.param_count(n_in) if self.scale else 0)
                + (Periodic.param_count(n_in, self.embedding_size) if self.periodic else 0))

    def width(self, n_in):
        """The first Dense layer's input width."""
        return Periodic.width(n_in, self.embedding_size) if self.periodic else n_in

    def build(self, params, grads, n_in):
        """The layers, on the first ``param_count(n_in)`` entries of ``params``/``grads``, in layer order."""
        layers, offset = [], 0
        if self.scale:
            layers.append(Scale(params[:n_in], grads[:n_in]))
            offset = n_in
        if self.periodic:
            end = offset + Periodic.param_count(n_in, self.embedding_size)
            shape = (n_in, self.embedding_size)
            layers.append(Periodic(params[offset:end].reshape(shape), grads[offset:end].reshape(shape)))
        return layers

    def initialize(self, layers, rng):
        """s = 1; C ~ N(0, σ²) from ``rng`` (called after the Dense layers drew theirs)."""
        for layer in layers:
            if isinstance(layer, Scale):
                layer.s[...] = 1
            elif isinstance(layer, Periodic):
                layer.C[...] = rng.normal(0.0, self.embedding_sigma, layer.C.shape)

    def to_arrays(self):
        arrays = {}
        if self.scale:
            arrays["scale"] = np.array(True)
        if self.periodic:
            arrays.update(embedding=np.array(self.embedding), embedding_size=np.array(self.embedding_size, np.int64),
                          embedding_sigma=np.array(float(self.embedding_sigma)))
        return arrays

    @classmethod
    def from_arrays(cls, arrays):
        """From a model file's arrays (absent entries: off, as in files from before them); ValueError if off."""
        scale = False
        if "scale" in arrays:
            flag = arrays["scale"]
            if flag.shape != () or flag.dtype != np.bool_:
                raise ValueError(f"scale must be true or false, got {str(flag)[:20]}")
            scale = bool(flag)
        if "embedding" not in arrays:
            return cls(scale)
        try:
            embedding = str(arrays["embedding"])
            size, sigma = arrays["embedding_size"], arrays["embedding_sigma"]
            if size.shape != () or size.dtype.kind not in "iu" or sigma.shape != () or sigma.dtype.kind != "f":
                raise ValueError("embedding_size must be an integer and embedding_sigma a number")
            return cls(scale, embedding, int(size), float(sigma))
        except (KeyError, MinimlpError) as e:
            raise ValueError(str(e).strip("'")) from None
