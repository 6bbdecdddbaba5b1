"""Weight initialisers: name -> function(rng, fan_in, fan_out, activation, is_output).

Each returns float64 (W, b); the model casts them to its dtype, so a float32 and
a float64 network built from the same seed start from the same (rounded) weights.
"""
import numpy as np

from ..errors import MinimlpError


def he_normal(rng, fan_in, fan_out, activation, is_output):
    """He et al. (2015): N(0, 2/fan_in), zero biases; keeps ReLU activations' variance."""
    W = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
    return W, np.zeros(fan_out)


def glorot_uniform(rng, fan_in, fan_out, activation, is_output):
    """Glorot & Bengio (2010): U(±sqrt(6/(fan_in+fan_out))), zero biases (Keras's default)."""
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, (fan_in, fan_out)), np.zeros(fan_out)


def sklearn_uniform(rng, fan_in, fan_out, activation, is_output):
    """scikit-learn's MLP scheme: weights and biases U(±sqrt(f/(fan_in+fan_out))),
    f = 2 in every layer of a sigmoid ('logistic') network, else 6."""
    factor = 2.0 if activation == "sigmoid" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    W = rng.uniform(-bound, bound, (fan_in, fan_out))
    return W, rng.uniform(-bound, bound, fan_out)


INITIALIZERS = {
    "he": he_normal,
    "xavier": glorot_uniform,
    "glorot": glorot_uniform,
    "sklearn": sklearn_uniform,
}

# "auto": He for the ReLU family, Glorot for the saturating ones.
AUTO_INIT = {"relu": "he", "leaky_relu": "he", "tanh": "xavier", "sigmoid": "xavier", "identity": "xavier"}


def resolve_init(init, activation):
    """The initialiser function for ``init`` ("auto" picks by activation)."""
    name = AUTO_INIT.get(activation, "xavier") if init == "auto" else init
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        valid = ", ".join(["auto", *INITIALIZERS])
        raise MinimlpError(f"unknown init {init!r}; choose one of: {valid}") from None
