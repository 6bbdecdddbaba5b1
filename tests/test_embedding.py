"""Periodic numeric embeddings (model.embedding: periodic): closed form, finite differences, PyTorch, gradcheck,
files, runs, export."""
from pathlib import Path

import numpy as np
from helpers import central_difference, resumed_equals_uninterrupted
import pytest
from click.testing import CliRunner

from minimlp import MLP, SoftmaxCrossEntropy
from minimlp.cli import main
from minimlp.config import load_config
from minimlp.errors import ConfigError, MinimlpError, ModelFileError
from minimlp.numerics import embedding as embedding_module
from minimlp.numerics.embedding import Periodic
from minimlp.numerics.layers import with_ones
from minimlp.runs import train_run

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_layer_against_its_closed_form(dtype):
    rng = np.random.default_rng(0)
    n, d, k = 6, 3, 4
    x, C, g = rng.standard_normal((n, d)), rng.standard_normal((d, k)), rng.standard_normal((n, d * (1 + 2 * k)))
    layer = Periodic(C.astype(dtype))
    y1 = layer.forward(with_ones(x.astype(dtype)))
    assert y1.dtype == dtype and y1.shape == (n, d * (1 + 2 * k) + 1)
    np.testing.assert_array_equal(y1[:, -1], 1)
    expected = np.concatenate([np.concatenate([[x[r, j]], np.sin(2 * np.pi * C[j] * x[r, j]),
                                               np.cos(2 * np.pi * C[j] * x[r, j])]) for r in range(n) for j in range(d)])
    tol = 2e-5 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(y1[:, :-1].ravel(), expected, atol=tol)
    dx = layer.backward(g.astype(dtype))
    assert dx.dtype == layer.dC.dtype == dtype
    # by the chain rule written out entry by entry
    dC, dX = np.zeros((d, k)), np.zeros((n, d))
    for r in range(n):
        for j in range(d):
            base = j * (1 + 2 * k)
            dX[r, j] += g[r, base]
            for i in range(k):
                a = 2 * np.pi * C[j, i] * x[r, j]
                da = g[r, base + 1 + i] * np.cos(a) - g[r, base + 1 + k + i] * np.sin(a)
                dC[j, i] += da * 2 * np.pi * x[r, j]
                dX[r, j] += da * 2 * np.pi * C[j, i]
    np.testing.assert_allclose(layer.dC, dC, rtol=1e-4 if dtype == "float32" else 1e-11, atol=tol)
    np.testing.assert_allclose(dx, dX, rtol=1e-4 if dtype == "float32" else 1e-11, atol=tol)


@pytest.mark.parametrize("scale", [False, True])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_every_gradient_equals_finite_differences(activation, scale):
    rng = np.random.default_rng(1)
    net = MLP([4, 6, 3], activation=activation, seed=2, dtype="float64", scale=scale, embedding="periodic",
              embedding_size=3, embedding_sigma=0.5)
    if scale:
        net.params[:4] = rng.uniform(0.5, 2, 4)
    X, y = rng.standard_normal((9, 4)), rng.integers(0, 3, 9)
    head = SoftmaxCrossEntropy()

    def loss():
        return head.forward(net.forward(X), y)

    loss()
    dX = net.backward(head.backward(), input_grad=True)
    analytic = net.grads.copy()
    numeric = central_difference(loss, net.params)
    assert np.abs(numeric - analytic).max() / np.abs(numeric).max() < 1e-6
    start = 4 if scale else 0
    assert np.abs(analytic[start:start + 12]).min() > 0  # the frequencies get a gradient
    numeric_dX = central_difference(loss, X)
    assert np.abs(numeric_dX - dX).max() / np.abs(numeric_dX).max() < 1e-6


def test_a_training_step_equals_pytorchs():
    torch = pytest.importorskip("torch")
    from minimlp.numerics.optim import SGD

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 3)), rng.integers(0, 3, 10)
    net = MLP([3, 8, 3], seed=4, dtype="float64", scale=True, embedding="periodic", embedding_size=2,
              embedding_sigma=0.7)
    net.params[:3] = rng.uniform(0.5, 2, 3)
    s = torch.nn.Parameter(torch.tensor(net.params[:3].copy()))
    C = torch.nn.Parameter(torch.tensor(net.layers[1].C.copy()))
    lin1, lin2 = torch.nn.Linear(3 * 5, 8).double(), torch.nn.Linear(8, 3).double()
    with torch.no_grad():
        for dense, linear in zip(net.dense, (lin1, lin2)):
            linear.weight.copy_(torch.tensor(dense.W.T))
            linear.bias.copy_(torch.tensor(dense.b))
    x = torch.tensor(X) * s
    angle = 2 * torch.pi * x[:, :, None] * C[None]
    embedded = torch.cat([x[:, :, None], torch.sin(angle), torch.cos(angle)], dim=2).reshape(10, -1)
    loss = torch.nn.CrossEntropyLoss()(lin2(torch.relu(lin1(embedded))), torch.tensor(y))
    loss.backward()
    torch.optim.SGD([s, C, *lin1.parameters(), *lin2.parameters()], lr=0.1).step()
    head = SoftmaxCrossEntropy()
    ours = head.forward(net.forward(X), y)
    net.backward(head.backward())
    SGD(net, lr=0.1).step()
    assert float(ours) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(net.params[:3], s.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(net.layers[1].C, C.detach().numpy(), rtol=1e-12)
    for dense, linear in zip(net.dense, (lin1, lin2)):
        np.testing.assert_allclose(dense.W, linear.weight.detach().numpy().T, rtol=1e-12, atol=1e-14)


def test_the_frequencies_are_drawn_from_the_seed():
    embedded = MLP([30, 8, 3], seed=5, dtype="float64", embedding="periodic", embedding_size=40, embedding_sigma=0.3)
    C = embedded.layers[0].C
    assert embedded.dense[0].shape == (30 * 81, 8)
    assert abs(C.std() - 0.3) < 0.03 and abs(C.mean()) < 0.03  # 1200 draws of N(0, 0.3²)
    again = MLP([30, 8, 3], seed=5, dtype="float64", embedding="periodic", embedding_size=40, embedding_sigma=0.3)
    np.testing.assert_array_equal(again.params, embedded.params)
    other = MLP([30, 8, 3], seed=6, dtype="float64", embedding="periodic", embedding_size=40, embedding_sigma=0.3)
    assert np.abs(other.layers[0].C - C).max() > 0.1
    assert embedded.n_params == 30 * 40 + (30 * 81 + 1) * 8 + 9 * 3


def test_model_file_round_trip_and_bad_entries(tmp_path):
    net = MLP([3, 4, 2], seed=0, scale=True, embedding="periodic", embedding_size=2, embedding_sigma=0.25)
    net.save(tmp_path / "m.npz")
    back = MLP.load(tmp_path / "m.npz")
    assert (back.embedding, back.inputs.embedding_size, back.inputs.embedding_sigma, back.scale) == \
        ("periodic", 2, 0.25, True)
    np.testing.assert_array_equal(back.params, net.params)
    X = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_array_equal(back.predict_proba(X), net.predict_proba(X))
    plain = MLP([3, 4, 2], seed=0)
    assert not {"embedding", "embedding_size", "embedding_sigma"} & set(plain.to_arrays())
    for key, value, message in [("embedding", np.array("fourier"), "embedding must be one of none, periodic"),
                                ("embedding_size", np.array(2.0), "embedding_size must be an integer"),
                                ("embedding_size", np.array(3), "need"),
                                ("embedding_sigma", np.array(-1.0), "embedding_sigma must be a number > 0")]:
        arrays = net.to_arrays()
        arrays[key] = value
        with pytest.raises(ModelFileError, match=message):
            MLP.from_arrays(arrays)
    arrays = net.to_arrays()
    del arrays["embedding_sigma"]
    with pytest.raises(ModelFileError, match="embedding_sigma"):
        MLP.from_arrays(arrays)


def test_bad_arguments_are_refused():
    with pytest.raises(MinimlpError, match="embedding must be one of none, periodic"):
        MLP([3, 2], embedding="plr")
    with pytest.raises(MinimlpError, match="embedding_size must be an integer in"):
        MLP([3, 2], embedding="periodic", embedding_size=0)


@pytest.mark.parametrize("overrides,message", [
    (["model.embedding=fourier"], "model.embedding must be one of none, periodic"),
    (["model.embedding_size=0"], "model.embedding_size must be in [1, 1024]"),
    (["model.embedding_sigma=0"], "model.embedding_sigma must be > 0"),
])
def test_bad_embedding_keys_in_a_config_name_the_key(overrides, message):
    with pytest.raises(ConfigError) as error:
        load_config(None, overrides)
    assert message in str(error.value)


def test_gradcheck_covers_the_frequencies_and_catches_a_wrong_backward(monkeypatch):
    runner = CliRunner()
    args = ["gradcheck", str(ROOT / "configs" / "iris.yaml"), "--set", "model.embedding=periodic", "--set", "model.embedding_sigma=1",
            "--set", "data.piecewise_bins=0"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "periodic embedding k=8" in result.output and "C 4x8" in result.output
    original = Periodic.backward

    def without_two_pi(self, grad, input_grad=True):
        dx = original(self, grad, input_grad)
        self.dC /= 2 * np.pi
        return dx
    monkeypatch.setattr(embedding_module.Periodic, "backward", without_two_pi)
    result = runner.invoke(main, args)
    assert result.exit_code == 1 and "above tolerance" in result.output


def test_an_embedded_run_resumes_bit_for_bit_and_says_so(tmp_path):
    (tmp_path / "e.yaml").write_text("name: e\ndata:\n  dataset: wine\n  piecewise_bins: 0\nmodel:\n  hidden: [16]\n  embedding: periodic\n"
                                     "  embedding_size: 3\n  scale: true\n"
                                     "train:\n  epochs: 6\n  batch_size: 16\n  checkpoint_every: 1\n")
    config = load_config(tmp_path / "e.yaml")
    reference = resumed_equals_uninterrupted(config, tmp_path, 20)
    trained, initial = MLP.load(tmp_path / "ref" / "model.npz"), MLP([13, 16, 3], seed=0, scale=True,
                                                                    embedding="periodic", embedding_size=3)
    assert np.abs(trained.layers[1].C - initial.layers[1].C).max() > 1e-4  # the frequencies were trained
    model = reference.metrics["model"]
    assert model["embedding"] == {"kind": "periodic", "size": 3, "sigma": 0.1}
    assert [layer["output"] for layer in model["layers"][:3]] == [13, 13 * 7, 16]
    assert sum(layer["params"] for layer in model["layers"]) == trained.n_params


def test_the_onnx_export_computes_the_embedding(tmp_path):
    import onnxruntime as ort
    from helpers import run

    from minimlp.data import load_dataset, split_indices
    from minimlp.runs.predictor import Predictor

    config = load_config(None, ["data.dataset=wine", "model.scale=true", "model.embedding=periodic",
                                "model.embedding_size=3", "model.embedding_sigma=0.5", "train.epochs=4"])
    run_dir = train_run(config, tmp_path / "run").run_dir
    done = run("export", run_dir, "-o", tmp_path / "m.onnx")
    assert done.exit_code == 0, done.output
    predictor = Predictor.load(run_dir / "model.npz")
    dataset = load_dataset(config)
    rows = split_indices(dataset, config.data.test_size, config.data.val_size, config.seed)[2]
    expected = predictor.net.predict_proba(predictor.transform(dataset.frame, rows))
    inputs = {c: np.asarray(dataset.frame.columns[c], dtype=np.float32)[rows].reshape(-1, 1)
              for c in predictor.feature_names}
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, inputs)[1], expected, atol=1e-5, rtol=0)
