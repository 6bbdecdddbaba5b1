"""Dropout: the layer against its closed form and PyTorch's nn.Dropout, in the network, in files, in runs."""
import numpy as np
from helpers import central_difference, resumed_equals_uninterrupted
import pytest
from click.testing import CliRunner

from minimlp import MLP, SoftmaxCrossEntropy
from minimlp.cli import main
from minimlp.config import load_config
from minimlp.errors import ConfigError
from minimlp.numerics import layers
from minimlp.numerics.layers import Dropout
from minimlp.numerics.workspace import Workspace
from minimlp.runs import prepare
from minimlp.runs.setup import fit_config
from minimlp.sklearn import MLPClassifier
from minimlp.train import TrainState, make_optimizer


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 0.9])
def test_factors_are_zero_or_one_over_the_keep_rate_and_keep_the_mean(rate, dtype):
    layer = Dropout(rate)
    factors = layer.draw(np.random.default_rng(0), (400, 250), dtype)
    scale = np.dtype(dtype).type(1) / np.dtype(dtype).type(1 - rate)
    assert factors.dtype == dtype and set(np.unique(factors).tolist()) <= {0.0, float(scale)}
    kept = np.count_nonzero(factors) / factors.size
    assert abs(kept - (1 - rate)) < 4 * np.sqrt(rate * (1 - rate) / factors.size) + 1e-12  # binomial, 4 sigma
    x = np.random.default_rng(1).standard_normal((400, 250)).astype(dtype)
    y = layer.forward(x, factors)
    np.testing.assert_array_equal(y, np.where(factors != 0, x * scale, 0))  # the closed form, kept entries scaled
    grad = np.random.default_rng(2).standard_normal((400, 250)).astype(dtype)
    np.testing.assert_array_equal(layer.backward(grad.copy()), np.where(factors != 0, grad * scale, 0))


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.1", None])
def test_rates_outside_zero_one_are_refused(rate):
    with pytest.raises(Exception, match="dropout must be a rate in"):
        Dropout(rate)


def test_evaluation_is_the_identity_and_training_drops():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 5))
    with_dropout = MLP([5, 16, 16, 3], seed=1, dtype="float64", dropout=0.5)
    plain = MLP([5, 16, 16, 3], seed=1, dtype="float64")
    np.testing.assert_array_equal(with_dropout.params, plain.params)  # dropout draws nothing at initialisation
    np.testing.assert_array_equal(with_dropout.forward(X), plain.forward(X))
    np.testing.assert_array_equal(with_dropout.predict_proba(X), plain.predict_proba(X))
    trained = with_dropout.forward(X, dropout_rng=np.random.default_rng(3))
    assert np.abs(trained - plain.forward(X)).max() > 1e-3
    assert [type(layer).__name__ for layer in with_dropout.layers] == [
        "Dense", "ReLU", "Dropout", "Dense", "ReLU", "Dropout", "Dense"]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "identity"])
def test_gradient_through_dropout_equals_finite_differences_with_a_fixed_mask(activation):
    rng = np.random.default_rng(0)
    net = MLP([4, 7, 6, 3], activation=activation, seed=2, dtype="float64", dropout=0.3)
    X, y = rng.standard_normal((9, 4)), rng.integers(0, 3, 9)
    workspace = Workspace(net, 9, dropout_rng=np.random.default_rng(5), fixed_dropout=True)
    head = SoftmaxCrossEntropy()

    def loss():
        workspace.load(X)
        return head.forward(workspace.forward(), y)

    loss()
    workspace.backward(head.backward())
    analytic = net.grads.copy()
    numeric = central_difference(loss, net.params)
    assert np.abs(numeric - analytic).max() / np.abs(numeric).max() < 1e-6
    dropped = [layer for layer in net.layers if isinstance(layer, Dropout)]
    assert all(np.count_nonzero(layer.factors == 0) > 0 for layer in dropped)  # some units were dropped


def test_a_training_step_equals_pytorchs_with_the_same_mask():
    """nn.Sequential(Linear, ReLU, Dropout, Linear) + CrossEntropyLoss + one SGD step, against minimlp's step
    with PyTorch's own dropout noise (drawn under one seed twice: once to read it, once in the step)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 5)), rng.integers(0, 3, 12)
    net = MLP([5, 8, 3], seed=4, dtype="float64", dropout=0.4)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Dropout(0.4),
                                torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        for dense, linear in zip(net.dense, (model[0], model[3])):
            linear.weight.copy_(torch.tensor(dense.W.T))
            linear.bias.copy_(torch.tensor(dense.b))
    torch.manual_seed(7)
    noise = torch.nn.functional.dropout(torch.ones(12, 8, dtype=torch.float64), 0.4, training=True).numpy()
    torch.manual_seed(7)
    model.train()
    loss = torch.nn.CrossEntropyLoss()(model(torch.tensor(X)), torch.tensor(y))
    loss.backward()
    torch.optim.SGD(model.parameters(), lr=0.1).step()

    def torch_noise(self, rng, shape, dtype, out=None):
        np.copyto(out, noise)
        return out

    from minimlp.numerics.optim import SGD as MinimlpSGD
    original = Dropout.draw
    Dropout.draw = torch_noise
    try:
        workspace = Workspace(net, 12, dropout_rng=np.random.default_rng(0))
        head = SoftmaxCrossEntropy()
        workspace.load(X)
        ours = head.forward(workspace.forward(), y)
        workspace.backward(head.backward())
        MinimlpSGD(net, lr=0.1).step()
    finally:
        Dropout.draw = original
    assert float(ours) == pytest.approx(loss.item(), rel=1e-12)
    for dense, linear in zip(net.dense, (model[0], model[3])):
        np.testing.assert_allclose(dense.W, linear.weight.detach().numpy().T, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(dense.b, linear.bias.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_gradcheck_covers_dropout_and_catches_a_wrong_backward(monkeypatch):
    runner = CliRunner()
    result = runner.invoke(main, ["gradcheck", "configs/iris.yaml", "--set", "model.dropout=0.3"])
    assert result.exit_code == 0, result.output
    assert "dropout 0.3 (one mask, fixed)" in result.output
    monkeypatch.setattr(layers.Dropout, "backward", lambda self, grad: grad)  # forgets the mask
    result = runner.invoke(main, ["gradcheck", "configs/iris.yaml", "--set", "model.dropout=0.3"])
    assert result.exit_code == 1 and "above tolerance" in result.output


SMALL = ["data.dataset=iris", "model.hidden=[12, 7]", "train.epochs=6", "train.batch_size=16", "model.dropout=0.2"]


@pytest.mark.parametrize("stop_after", [3, 9, 12])  # mid-epoch 1, mid-epoch 2, later in epoch 2
def test_interrupt_then_continue_equals_an_uninterrupted_run(stop_after):
    config = load_config(None, SMALL)
    full = prepare(config)
    full_result = fit_config(full.net, full.splits, config)
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] >= stop_after

    prepared = prepare(config)
    state, opt = TrainState(), make_optimizer(prepared.net, config.optimizer)
    assert fit_config(prepared.net, prepared.splits, config, state=state, optimizer=opt,
                      stop_requested=stop).status == "interrupted"
    assert state.batch > 0 and state.dropout_state is not None
    fit_config(prepared.net, prepared.splits, config, state=state, optimizer=opt)
    np.testing.assert_array_equal(prepared.net.params, full.net.params)
    plain = prepare(load_config(None, SMALL[:-1]))
    fit_config(plain.net, plain.splits, load_config(None, SMALL[:-1]))
    assert np.abs(plain.net.params - full.net.params).max() > 1e-4  # dropout changed the training
    assert [r.train_loss for r in full_result.history] == [r.train_loss for r in fit_config(
        prepare(config).net, prepare(config).splits, config).history]  # and the same seed repeats it


def test_a_run_with_dropout_resumes_bit_for_bit_and_its_files_say_so(tmp_path):
    (tmp_path / "d.yaml").write_text("name: d\ndata:\n  dataset: wine\nmodel:\n  hidden: [16, 16]\n  dropout: 0.25\n"
                                     "train:\n  epochs: 12\n  batch_size: 16\n  checkpoint_every: 1\n")
    config = load_config(tmp_path / "d.yaml")
    reference = resumed_equals_uninterrupted(config, tmp_path, 40)  # in epoch 5
    saved = np.load(tmp_path / "run" / "model.npz")
    assert float(saved["dropout"]) == 0.25
    assert MLP.load(tmp_path / "run" / "model.npz").dropout == 0.25
    assert reference.metrics["model"]["dropout"] == 0.25
    assert "relu, dropout 0.25" in [layer["activation"] for layer in reference.metrics["model"]["layers"]]
    assert "relu, dropout 0.25" in (tmp_path / "ref" / "report.html").read_text()


def test_a_model_file_without_dropout_has_no_dropout_entry_and_loads_as_before(tmp_path):
    net = MLP([3, 4, 2], seed=0)
    net.save(tmp_path / "m.npz")
    assert "dropout" not in np.load(tmp_path / "m.npz").files
    assert MLP.load(tmp_path / "m.npz").dropout == 0.0


@pytest.mark.parametrize("overrides,message", [
    (["model.dropout=1.0"], "model.dropout must be in [0, 1)"),
    (["model.dropout=-0.5"], "model.dropout must be in [0, 1)"),
    (["model.dropout=0.2", "optimizer.name=lbfgs"], "model.dropout does not apply to optimizer.name lbfgs"),
])
def test_bad_dropout_in_a_config_names_the_key(overrides, message):
    with pytest.raises(ConfigError) as error:
        load_config(None, overrides)
    assert message in str(error.value)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_estimator_takes_dropout():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    plain = MLPClassifier(hidden_layer_sizes=(32,), max_iter=200, learning_rate_init=0.01, random_state=0).fit(X, y)
    dropped = MLPClassifier(hidden_layer_sizes=(32,), max_iter=200, learning_rate_init=0.01, random_state=0, dropout=0.3).fit(X, y)
    assert dropped.net_.dropout == 0.3 and np.abs(dropped.coefs_[0] - plain.coefs_[0]).max() > 1e-4
    assert dropped.score(X, y) > 0.8
    again = MLPClassifier(hidden_layer_sizes=(32,), max_iter=200, learning_rate_init=0.01, random_state=0, dropout=0.3).fit(X, y)
    np.testing.assert_array_equal(again.coefs_[0], dropped.coefs_[0])
    with pytest.raises(ValueError, match="dropout needs a stochastic solver"):
        MLPClassifier(solver="lbfgs", dropout=0.1).fit(X, y)
