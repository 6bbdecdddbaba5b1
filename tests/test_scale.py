"""The learnable input scale (model.scale): closed form, finite differences, PyTorch, gradcheck, files, runs."""
from pathlib import Path

import numpy as np
from helpers import central_difference, resumed_equals_uninterrupted
import pytest
from click.testing import CliRunner

from minimlp import MLP, SoftmaxCrossEntropy
from minimlp.cli import main
from minimlp.config import load_config
from minimlp.errors import ConfigError, ModelFileError
from minimlp.numerics import scale as scale_module
from minimlp.numerics.layers import with_ones
from minimlp.numerics.optim import SGD
from minimlp.numerics.scale import Scale
from minimlp.numerics.workspace import Workspace
from minimlp.runs import train_run

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_layer_against_its_closed_form(dtype):
    rng = np.random.default_rng(0)
    x, s, g = rng.standard_normal((7, 4)), rng.standard_normal(4), rng.standard_normal((7, 4))
    layer = Scale(s.astype(dtype))
    y = layer.forward(with_ones(x.astype(dtype)))
    assert y.dtype == dtype
    tol = 1e-6 if dtype == "float32" else 1e-15
    np.testing.assert_allclose(y[:, :-1], x * s, rtol=tol)
    np.testing.assert_array_equal(y[:, -1], 1)  # the bias column passes through
    dx = layer.backward(g.astype(dtype))
    assert dx.dtype == layer.ds.dtype == dtype
    np.testing.assert_allclose(dx, g * s, rtol=tol)
    np.testing.assert_allclose(layer.ds, np.array([sum(x[r, j] * g[r, j] for r in range(7)) for j in range(4)]),
                               rtol=1e-5 if dtype == "float32" else 1e-12)


def test_a_new_scaled_network_computes_what_the_plain_one_does():
    X = np.random.default_rng(0).standard_normal((20, 5))
    scaled, plain = MLP([5, 8, 3], seed=3, scale=True), MLP([5, 8, 3], seed=3)
    assert scaled.n_params == plain.n_params + 5
    np.testing.assert_array_equal(scaled.params[:5], 1)
    np.testing.assert_array_equal(scaled.params[5:], plain.params)  # s draws nothing at initialisation
    np.testing.assert_array_equal(scaled.predict_proba(X), plain.predict_proba(X))
    assert [type(layer).__name__ for layer in scaled.layers] == ["Scale", "Dense", "ReLU", "Dense"]


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_every_gradient_equals_finite_differences(activation):
    rng = np.random.default_rng(1)
    net = MLP([4, 6, 5, 3], activation=activation, seed=2, dtype="float64", scale=True)
    net.params[:4] = rng.uniform(0.5, 2, 4)  # away from 1, so a gradient that forgot s would show
    X, y = rng.standard_normal((9, 4)), rng.integers(0, 3, 9)
    head = SoftmaxCrossEntropy()

    def loss():
        return head.forward(net.forward(X), y)

    loss()
    dX = net.backward(head.backward(), input_grad=True)
    analytic = net.grads.copy()
    numeric = central_difference(loss, net.params)
    assert np.abs(numeric - analytic).max() / np.abs(numeric).max() < 1e-6
    assert np.abs(analytic[:4]).min() > 0
    numeric_dX = central_difference(loss, X)  # and the input gradient, through s
    assert np.abs(numeric_dX - dX).max() / np.abs(numeric_dX).max() < 1e-6


def test_a_training_step_equals_pytorchs():
    """x ⊙ s, Linear, ReLU, Linear + CrossEntropyLoss + one SGD step with weight decay on the
    Linear weights only (s is not decayed, like the biases)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 5)), rng.integers(0, 3, 12)
    net = MLP([5, 8, 3], seed=4, dtype="float64", scale=True)
    net.params[:5] = rng.uniform(0.5, 2, 5)
    s = torch.nn.Parameter(torch.tensor(net.params[:5].copy()))
    lin1, lin2 = torch.nn.Linear(5, 8).double(), torch.nn.Linear(8, 3).double()
    with torch.no_grad():
        for dense, linear in zip(net.dense, (lin1, lin2)):
            linear.weight.copy_(torch.tensor(dense.W.T))
            linear.bias.copy_(torch.tensor(dense.b))
    loss = torch.nn.CrossEntropyLoss()(lin2(torch.relu(lin1(torch.tensor(X) * s))), torch.tensor(y))
    loss.backward()
    decay = 0.01
    torch.optim.SGD([{"params": [lin1.weight, lin2.weight], "weight_decay": decay},
                     {"params": [s, lin1.bias, lin2.bias], "weight_decay": 0.0}], lr=0.1).step()
    head = SoftmaxCrossEntropy()
    ours = head.forward(net.forward(X), y)
    net.backward(head.backward())
    SGD(net, lr=0.1, weight_decay=decay).step()
    assert float(ours) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(net.params[:5], s.detach().numpy(), rtol=1e-12)
    for dense, linear in zip(net.dense, (lin1, lin2)):
        np.testing.assert_allclose(dense.W, linear.weight.detach().numpy().T, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(dense.b, linear.bias.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_weight_decay_leaves_s_alone():
    net = MLP([3, 4, 2], seed=0, dtype="float64", scale=True)
    net.params[:3] = [2.0, 3.0, 4.0]
    net.grads[:] = 0
    SGD(net, lr=0.5, weight_decay=0.1).step()
    np.testing.assert_array_equal(net.params[:3], [2.0, 3.0, 4.0])
    assert all(sl.start >= 3 for sl in net.weight_slices)


def test_the_last_smaller_batch_and_evaluation_use_the_scale():
    rng = np.random.default_rng(0)
    net = MLP([4, 6, 3], seed=1, dtype="float64", scale=True)
    net.params[:4] = [0.5, 2.0, -1.0, 3.0]
    X = rng.standard_normal((10, 4))
    full = Workspace(net, 8)
    small = Workspace(net, 2, share=full)
    small.load(X[8:])
    reference = MLP([4, 6, 3], seed=1, dtype="float64")  # the scale folded into the data
    np.testing.assert_allclose(small.forward(), reference.forward(X[8:] * net.params[:4]), rtol=1e-13)
    np.testing.assert_allclose(net.predict_proba(X), reference.predict_proba(X * net.params[:4]), rtol=1e-13)


def test_model_file_round_trip_and_old_files(tmp_path):
    net = MLP([3, 4, 2], seed=0, scale=True)
    net.params[:3] = [0.5, 1.5, 2.5]
    net.save(tmp_path / "m.npz")
    assert bool(np.load(tmp_path / "m.npz")["scale"])
    back = MLP.load(tmp_path / "m.npz")
    assert back.scale and np.array_equal(back.params, net.params)
    X = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_array_equal(back.predict_proba(X), net.predict_proba(X))
    plain = MLP([3, 4, 2], seed=0)
    plain.save(tmp_path / "p.npz")
    assert "scale" not in np.load(tmp_path / "p.npz").files  # files without it keep their bytes
    assert not MLP.load(tmp_path / "p.npz").scale
    arrays = net.to_arrays()
    arrays["scale"] = np.array(1.0)
    with pytest.raises(ModelFileError, match="scale must be true or false"):
        MLP.from_arrays(arrays)
    arrays = plain.to_arrays()
    arrays["scale"] = np.array(True)  # the parameter count no longer matches
    with pytest.raises(ModelFileError, match="need 29 parameters, but the file holds 26"):
        MLP.from_arrays(arrays)


def test_gradcheck_covers_the_scale_and_catches_a_wrong_backward(monkeypatch):
    runner = CliRunner()
    result = runner.invoke(main, ["gradcheck", str(ROOT / "configs" / "iris.yaml"), "--set", "model.scale=true",
                                  "--set", "data.piecewise_bins=0"])
    assert result.exit_code == 0, result.output
    assert "learnable input scale" in result.output and "s 4" in result.output
    original = Scale.backward

    def forgets_x(self, grad, input_grad=True):  # ds = Σ grad, as if x were 1
        dx = original(self, grad, input_grad)
        np.add.reduce(grad, axis=0, out=self.ds)
        return dx
    monkeypatch.setattr(scale_module.Scale, "backward", forgets_x)
    result = runner.invoke(main, ["gradcheck", str(ROOT / "configs" / "iris.yaml"), "--set", "model.scale=true",
                                  "--set", "data.piecewise_bins=0"])
    assert result.exit_code == 1 and "above tolerance" in result.output


def test_a_scaled_run_resumes_bit_for_bit_and_says_so(tmp_path):
    (tmp_path / "s.yaml").write_text("name: s\ndata:\n  dataset: wine\nmodel:\n  hidden: [16]\n  scale: true\n"
                                     "optimizer:\n  weight_decay: 0.001\n"
                                     "train:\n  epochs: 8\n  batch_size: 16\n  checkpoint_every: 1\n")
    config = load_config(tmp_path / "s.yaml")
    reference = resumed_equals_uninterrupted(config, tmp_path, 25)  # in epoch 3
    trained = MLP.load(tmp_path / "ref" / "model.npz")
    assert trained.scale and np.abs(trained.params[:trained.sizes[0]] - 1).max() > 1e-3  # s was learned
    assert reference.metrics["model"]["scale"] is True
    assert reference.metrics["model"]["layers"][0]["params"] == trained.sizes[0]
    assert sum(layer["params"] for layer in reference.metrics["model"]["layers"]) == trained.n_params


def test_bad_scale_in_a_config_names_the_key():
    with pytest.raises(ConfigError) as error:
        load_config(None, ["model.scale=3"])
    assert "model.scale" in str(error.value)


def test_the_onnx_export_applies_the_scale(tmp_path):
    import onnxruntime as ort
    from helpers import run

    from minimlp.data import load_dataset, split_indices
    from minimlp.runs.predictor import Predictor

    config = load_config(None, ["data.dataset=iris", "model.scale=true", "train.epochs=5", "model.hidden=[8]",
                                "optimizer.name=sgd", "optimizer.lr=0.05", "data.piecewise_bins=0"])
    run_dir = train_run(config, tmp_path / "run").run_dir
    done = run("export", run_dir, "-o", tmp_path / "m.onnx")
    assert done.exit_code == 0, done.output
    predictor = Predictor.load(run_dir / "model.npz")
    assert np.abs(predictor.net.params[:4] - 1).max() > 1e-3
    dataset = load_dataset(config)
    rows = split_indices(dataset, config.data.test_size, config.data.val_size, config.seed)[2]
    expected = predictor.net.predict_proba(predictor.transform(dataset.frame, rows))
    inputs = {c: np.asarray(dataset.frame.columns[c], dtype=np.float32)[rows].reshape(-1, 1)
              for c in predictor.feature_names}
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    proba = session.run(None, inputs)[1]
    np.testing.assert_allclose(proba, expected, atol=1e-5, rtol=0)
    unscaled = MLP(predictor.net.sizes, seed=0)  # the same network without its scale predicts differently
    np.copyto(unscaled.params, predictor.net.params[4:])
    assert np.abs(unscaled.predict_proba(predictor.transform(dataset.frame, rows)) - expected).max() > 1e-3
