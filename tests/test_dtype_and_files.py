"""dtype kept end to end; save -> load exact; damaged model files give ModelFileError."""
import zipfile

import numpy as np
import pytest

from minimlp import MLP, SGD, Adam, ModelFileError, SoftmaxCrossEntropy
from minimlp.model import Workspace


def train_steps(net, opt, X, y, steps=3):
    head = SoftmaxCrossEntropy(label_smoothing=0.1)
    for _ in range(steps):
        loss = head.forward(net.forward(X), y)
        grad = head.backward()
        assert loss.dtype == net.dtype and grad.dtype == net.dtype
        net.backward(grad)
        opt.step()


@pytest.mark.parametrize("dropout", [0.0, 0.25])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "sigmoid", "identity"])
def test_every_array_keeps_the_model_dtype(dtype, activation, dropout):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 5))  # float64 input: converted once at the door
    y = rng.integers(0, 3, 16)
    net = MLP([5, 8, 7, 3], activation=activation, seed=0, dtype=dtype, dropout=dropout)
    optimizers = [SGD(net, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3), Adam(net, weight_decay=1e-3)]
    for opt in optimizers:
        train_steps(net, opt, X, y)
    workspace = Workspace(net, len(X), dropout_rng=rng)  # every intermediate array of a training pass
    workspace.load(net.check_input(X))
    workspace.backward(workspace.forward())
    arrays = [a for a in workspace.buffers if a.dtype != np.bool_]  # (the ReLU masks are booleans)
    assert len(arrays) >= 5 + (2 if dropout else 0)
    arrays += [net.params, net.grads, net.predict_proba(X), net.backward(np.ones((16, 3)), input_grad=True)]
    arrays += [optimizers[0].velocity, optimizers[1].m, optimizers[1].v]
    arrays += [a for layer in net.dense for a in (layer.W, layer.b, layer.dW, layer.db)]
    assert all(a.dtype == dtype for a in arrays)


def test_float32_and_float64_nets_from_one_seed_start_together():
    a, b = MLP([4, 6, 3], seed=5, dtype="float32"), MLP([4, 6, 3], seed=5, dtype="float64")
    np.testing.assert_array_equal(a.params, b.params.astype(np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_then_load_gives_identical_predictions(tmp_path, dtype):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    net = MLP([4, 9, 3], activation="tanh", seed=2, dtype=dtype)
    train_steps(net, SGD(net, lr=0.5, momentum=0.5), X, y)
    net.save(tmp_path / "model.npz")
    loaded = MLP.load(tmp_path / "model.npz")
    assert (loaded.sizes, loaded.activation, loaded.dtype) == (net.sizes, net.activation, net.dtype)
    np.testing.assert_array_equal(loaded.params, net.params)
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


def test_save_writes_exactly_the_path_given(tmp_path):
    MLP([2, 2]).save(tmp_path / "weights.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.bin"]


def test_saved_bytes_do_not_depend_on_the_clock(tmp_path, monkeypatch):
    import time

    net = MLP([3, 4, 2], seed=0)
    net.save(tmp_path / "a.npz")
    later = time.time() + 86400 * 400
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "localtime", lambda *a: time.gmtime(later))
    net.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def damage(path, how):
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "not_a_zip":
        path.write_bytes(b"hello, I am not a model")
    elif how == "plain_npy":
        np.save(path.with_suffix(".npy"), np.zeros(3))
        path.with_suffix(".npy").rename(path)
    elif how == "flipped_byte":
        path.write_bytes(data[:200] + bytes([data[200] ^ 0xFF]) + data[201:])
    elif how in ("object_array", "wrong_sizes", "nan_weights", "missing_key"):
        arrays = dict(np.load(path, allow_pickle=False))
        if how == "object_array":
            arrays["params"] = np.array([object(), 1], dtype=object)
            np.savez(path.with_suffix(""), **arrays)  # np.savez pickles object arrays
        else:
            if how == "wrong_sizes":
                arrays["sizes"] = np.array([4, 10, 3])
            elif how == "nan_weights":
                arrays["params"][0] = np.nan
            else:
                del arrays["params"]
            np.savez(path.with_suffix(""), **arrays)


@pytest.mark.parametrize("how", ["truncated", "empty", "plain_npy", "not_a_zip", "flipped_byte", "object_array",
                                 "wrong_sizes", "nan_weights", "missing_key"])
def test_damaged_model_files_give_a_clear_error(tmp_path, how):
    path = tmp_path / "model.npz"
    MLP([4, 9, 3], seed=0).save(path)
    damage(path, how)
    with pytest.raises(ModelFileError, match="model.npz"):
        MLP.load(path)


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        MLP.load(tmp_path / "nope.npz")


def test_a_zip_with_a_pickled_payload_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "model.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("params.npy", b"\x80\x04\x95 not numpy")
    with pytest.raises(ModelFileError):
        MLP.load(path)
