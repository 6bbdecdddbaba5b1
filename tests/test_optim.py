"""Optimizers against their documented update rules, worked by hand on known gradients."""
import numpy as np
import pytest

from minimlp import MLP, SGD, Adam, MinimlpError
from minimlp.numerics.optim import FLUSH_EVERY, AdamW, flush_subnormals


def net_with_params(seed=0):
    return MLP([3, 4, 2], seed=seed, dtype="float64")


def run(opt, net, grads):
    for g in grads:
        net.grads[...] = g
        opt.step()


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_matches_pytorch_formula(nesterov):
    rng = np.random.default_rng(0)
    net = net_with_params()
    p0 = net.params.copy()
    g1, g2, g3 = (rng.standard_normal(p0.shape) for _ in range(3))
    lr, mu = 0.1, 0.9
    run(SGD(net, lr=lr, momentum=mu, nesterov=nesterov), net, [g1, g2, g3])
    v1 = g1
    v2 = mu * v1 + g2
    v3 = mu * v2 + g3
    if nesterov:
        expected = p0 - lr * (g1 + mu * v1) - lr * (g2 + mu * v2) - lr * (g3 + mu * v3)
    else:
        expected = p0 - lr * v1 - lr * v2 - lr * v3
    np.testing.assert_allclose(net.params, expected, rtol=1e-13, atol=1e-15)


def test_plain_sgd_step():
    net = net_with_params()
    p0 = net.params.copy()
    g = np.linspace(-1, 1, p0.size)
    run(SGD(net, lr=0.25), net, [g])
    np.testing.assert_array_equal(net.params, p0 - 0.25 * g)


def test_weight_decay_reaches_weights_only_and_leaves_grads_alone():
    net = net_with_params()
    p0 = net.params.copy()
    g = np.full(p0.shape, 0.5)
    run(SGD(net, lr=0.1, weight_decay=0.01), net, [g])
    for layer, sl in zip(net.dense, net.weight_slices):
        W0 = p0[sl].reshape(layer.W.shape)
        np.testing.assert_allclose(layer.W, W0 - 0.1 * (0.5 + 0.01 * W0), rtol=1e-15)
    b0 = [p0[sl.stop:sl.stop + layer.b.size] for layer, sl in zip(net.dense, net.weight_slices)]
    for layer, b in zip(net.dense, b0):
        np.testing.assert_allclose(layer.b, b - 0.1 * 0.5, rtol=1e-15)
    np.testing.assert_array_equal(net.grads, g)


def test_adam_matches_its_formula():
    rng = np.random.default_rng(1)
    net = net_with_params()
    p0 = net.params.copy()
    g1, g2 = rng.standard_normal(p0.shape), rng.standard_normal(p0.shape)
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    run(Adam(net, lr=lr), net, [g1, g2])
    m1, v1 = (1 - b1) * g1, (1 - b2) * g1**2
    p1 = p0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2**2
    p2 = p1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    np.testing.assert_allclose(net.params, p2, rtol=1e-12)


@pytest.mark.parametrize("make", [lambda n: SGD(n, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
                                  lambda n: Adam(n, lr=0.01, weight_decay=0.01)], ids=["sgd", "adam"])
def test_state_dict_restores_exactly(make):
    rng = np.random.default_rng(2)
    grads = [rng.standard_normal(net_with_params().params.shape) for _ in range(6)]
    net = net_with_params()
    opt = make(net)
    run(opt, net, grads[:3])
    saved_params, saved_state = net.params.copy(), opt.state_dict()
    run(opt, net, grads[3:])
    resumed_net = net_with_params(seed=9)
    resumed_net.params[...] = saved_params
    resumed = make(resumed_net)
    resumed.load_state_dict(saved_state)
    run(resumed, resumed_net, grads[3:])
    np.testing.assert_array_equal(resumed_net.params, net.params)


def test_optimizer_follows_weights_restored_in_place():
    net = net_with_params()
    opt = SGD(net, lr=0.1)
    net.params[...] = 1.0  # e.g. best weights restored by early stopping
    run(opt, net, [np.ones(net.params.shape)])
    np.testing.assert_allclose(net.dense[0].W, 0.9)


@pytest.mark.parametrize("kwargs,message", [
    ({"lr": 0}, "lr must be > 0"), ({"lr": -1}, "lr must be > 0"),
    ({"momentum": 1.0}, "momentum must be in"), ({"momentum": -0.1}, "momentum must be in"),
    ({"nesterov": True}, "nesterov needs momentum"), ({"weight_decay": -1}, "weight_decay must be"),
])
def test_bad_hyperparameters_fail_early(kwargs, message):
    with pytest.raises(MinimlpError, match=message):
        SGD(net_with_params(), **{"lr": 0.1, **kwargs})


def test_nesterov_with_weight_decay_matches_formula():
    rng = np.random.default_rng(4)
    net = net_with_params()
    p0 = net.params.copy()
    g1, g2 = rng.standard_normal(p0.shape), rng.standard_normal(p0.shape)
    lr, mu, wd = 0.1, 0.8, 0.05
    is_weight = np.zeros(p0.shape, bool)
    for sl in net.weight_slices:
        is_weight[sl] = True
    run(SGD(net, lr=lr, momentum=mu, nesterov=True, weight_decay=wd), net, [g1, g2])
    d1 = g1 + wd * p0 * is_weight
    v1 = d1
    p1 = p0 - lr * (d1 + mu * v1)
    d2 = g2 + wd * p1 * is_weight
    v2 = mu * v1 + d2
    p2 = p1 - lr * (d2 + mu * v2)
    np.testing.assert_allclose(net.params, p2, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("bad", [np.nan, np.inf, 1e200])
def test_a_non_finite_update_is_refused_and_changes_nothing(bad):
    net = net_with_params()
    opt = SGD(net, lr=0.1, momentum=0.9)
    p0 = net.params.copy()
    net.grads[...] = 1.0
    net.grads[3] = bad
    assert opt.step() is False
    np.testing.assert_array_equal(net.params, p0)
    net.grads[3] = 1.0
    assert SGD(net, lr=0.1, momentum=0.9).step() is True
    np.testing.assert_allclose(net.params, p0 - 0.1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_flush_subnormals_zeroes_exactly_the_subnormal_entries(dtype):
    tiny = np.finfo(dtype).tiny
    values = np.array([tiny, -tiny, tiny / 2, -tiny / 4, np.nextafter(dtype(0), dtype(1)), 0.0, -0.0, 1.5, -3e-3,
                       np.inf, np.nan], dtype)
    flushed = values.copy()
    flush_subnormals(flushed, np.empty_like(flushed))
    subnormal = (values != 0) & (np.abs(values) < tiny)
    assert subnormal.sum() == 3
    np.testing.assert_array_equal(flushed[subnormal], 0)
    np.testing.assert_array_equal(flushed[~subnormal], values[~subnormal])  # nan compares equal here


def test_adam_flushes_decayed_moments_without_changing_a_weight():
    """An entry whose gradient turns 0 decays into the subnormal range; Adam flushes it, and every
    weight still equals PyTorch's formula stepped in plain numpy (which keeps the subnormals) bit for bit."""
    net = MLP([3, 4, 2], seed=0, dtype="float32")
    params = net.params.copy()
    rng = np.random.default_rng(0)
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-8
    m, v = np.zeros_like(params), np.zeros_like(params)
    opt = AdamW(net, lr=lr)
    steps = 1000  # 0.9**1000 takes a moment of 1e-4 far below float32's smallest normal (1.2e-38)
    for t in range(1, steps + 1):
        g = (rng.standard_normal(params.shape) * 1e-3).astype(np.float32)
        if t > 5:
            g[::2] = 0  # half the entries learn nothing more
        net.grads[...] = g
        assert opt.step()
        m = m * np.float32(b1) + g * np.float32(1 - b1)
        v = v * np.float32(b2) + g * np.float32(1 - b2) * g
        step = np.sqrt(v / np.float32(1 - b2**t)) + np.float32(eps)
        params = params - (m / step) * np.float32(lr / (1 - b1**t))
    tiny = np.finfo(np.float32).tiny
    assert np.any((m != 0) & (np.abs(m) < tiny))  # the plain formula did reach subnormals
    assert not np.any((opt.m != 0) & (np.abs(opt.m) < tiny))  # the optimizer's moments hold none
    assert steps % FLUSH_EVERY == 0
    np.testing.assert_array_equal(net.params, params)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_flushes_its_decayed_velocity_without_changing_a_weight(nesterov):
    """As Adam's moments: a velocity whose gradient turns 0 decays into the subnormal range; SGD
    flushes it, and every weight equals PyTorch's formula stepped in plain numpy, bit for bit."""
    net = MLP([3, 4, 2], seed=0, dtype="float32")
    params = net.params.copy()
    rng = np.random.default_rng(1)
    lr, mu = np.float32(0.01), np.float32(0.9)
    velocity = np.zeros_like(params)
    opt = SGD(net, lr=0.01, momentum=0.9, nesterov=nesterov)
    for t in range(1, 1001):
        g = (rng.standard_normal(params.shape) * 1e-3).astype(np.float32)
        if t > 5:
            g[::2] = 0
        net.grads[...] = g
        assert opt.step()
        velocity = velocity * mu + g
        params = params - (g + velocity * mu if nesterov else velocity) * lr
    tiny = np.finfo(np.float32).tiny
    assert np.any((velocity != 0) & (np.abs(velocity) < tiny))  # the plain formula reached subnormals
    assert not np.any((opt.velocity != 0) & (np.abs(opt.velocity) < tiny)) and int(opt.t) == 1000
    np.testing.assert_array_equal(net.params, params)


def test_an_sgd_state_saved_before_the_step_count_loads_with_a_count_of_0():
    net = net_with_params()
    opt = SGD(net, lr=0.1, momentum=0.9)
    saved = SGD(net_with_params(), lr=0.1, momentum=0.9)
    saved.velocity[...] = 0.5
    old = {k: v for k, v in saved.state_dict().items() if k != "t"}  # as a checkpoint of the last stop has it
    opt.load_state_dict(old)
    np.testing.assert_array_equal(opt.velocity, 0.5)
    assert int(opt.t) == 0
    with pytest.raises(MinimlpError, match="'t' \\(the step count\\) must be >= 0"):
        opt.load_state_dict({**old, "t": np.array(-1)})
