"""solver="lbfgs": scipy's L-BFGS-B on minimlp's flat parameters, its loss and fused gradient, checked
against scikit-learn's lbfgs fit from the same initial weights, and against finite differences."""
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as Reference

from minimlp import MLP
from minimlp.sklearn import MLPClassifier
from minimlp.train.lbfgs import LbfgsObjective

X, y = make_classification(n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0)


def from_weights(cls, weights, sample_weight=None, **params):
    """``cls`` fitted by lbfgs from the weights ``weights`` (set after a one-iteration fit, then warm_start)."""
    clf = cls(hidden_layer_sizes=(7,), solver="lbfgs", random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(max_iter=1).fit(X, y)
    clf.coefs_ = [W.copy() for W in weights[0]]
    clf.intercepts_ = [b.copy() for b in weights[1]]
    return clf.set_params(warm_start=True, max_iter=params.get("max_iter", 200))


def initial_weights(seed=3):
    rng = np.random.default_rng(seed)
    shapes = [(6, 7), (7, 3)]
    return [rng.uniform(-0.5, 0.5, s) for s in shapes], [rng.uniform(-0.5, 0.5, s[1]) for s in shapes]


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("weighted", [False, True])
def test_lbfgs_fit_equals_scikit_learns_from_the_same_start(activation, weighted):
    sample_weight = np.random.default_rng(1).uniform(0.2, 3.0, len(X)) if weighted else None
    fits = []
    for cls in (MLPClassifier, Reference):
        clf = from_weights(cls, initial_weights(), activation=activation, alpha=1e-3, max_iter=40)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits.append(clf.fit(X, y, sample_weight=sample_weight))
    ours, theirs = fits
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=1e-9)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
    start = initial_weights()[0][0]
    assert np.abs(ours.coefs_[0] - start).max() > 0.05  # the fit moved the weights


def test_lbfgs_stops_where_scikit_learn_does_with_its_warning():
    """max_iter reached: the same n_iter_, and scikit-learn's ConvergenceWarning text."""
    caught = []
    for cls in (MLPClassifier, Reference):
        clf = from_weights(cls, initial_weights(), max_iter=5)
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            clf.fit(X, y)
        caught.append(([str(w.message) for w in record if w.category is ConvergenceWarning], clf.n_iter_))
    assert caught[0] == caught[1] and caught[0][1] == 5 and len(caught[0][0]) == 1


def test_max_fun_bounds_the_loss_evaluations_as_in_scikit_learn():
    runs = []
    for cls in (MLPClassifier, Reference):
        clf = from_weights(cls, initial_weights(), max_fun=10)
        with pytest.warns(ConvergenceWarning):
            clf.fit(X, y)
        runs.append(clf.n_iter_)
    assert runs[0] == runs[1] <= 10


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_objective_gradient_matches_finite_differences(dtype):
    rng = np.random.default_rng(0)
    net = MLP([6, 5, 3], "tanh", seed=0, dtype=dtype)
    weights = rng.uniform(0.1, 2.0, len(X))
    objective = LbfgsObjective(net, X[:30].astype(dtype), np.arange(30) % 3, weight_decay=0.1, weights=weights[:30])
    theta = net.params.astype(np.float64)
    loss, grad = objective(theta)
    assert grad.dtype == np.float64 and net.params.dtype == dtype
    step = 1e-6 if dtype == "float64" else 1e-2
    for i in rng.choice(len(theta), 12, replace=False):
        e = np.zeros_like(theta)
        e[i] = step
        numeric = (objective(theta + e)[0] - objective(theta - e)[0]) / (2 * step)
        np.testing.assert_allclose(grad[i], numeric, rtol=1e-5 if dtype == "float64" else 2e-2, atol=1e-8 if dtype == "float64" else 1e-3)


def test_objective_equals_the_closed_form_loss():
    """Weighted mean cross-entropy + weight_decay/2 ‖W‖² (no bias), written out in numpy."""
    net = MLP([6, 4, 3], "relu", seed=1, dtype="float64")
    w = np.linspace(0.5, 2.0, 30)
    loss, _ = LbfgsObjective(net, X[:30], y[:30], weight_decay=0.3, weights=w)(net.params.copy())
    W0, b0, W1, b1 = net.dense[0].W, net.dense[0].b, net.dense[1].W, net.dense[1].b
    z = np.maximum(X[:30] @ W0 + b0, 0) @ W1 + b1
    logp = z - z.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    expected = -(w * logp[np.arange(30), y[:30]]).sum() / w.sum() + 0.15 * ((W0 ** 2).sum() + (W1 ** 2).sum())
    assert loss == pytest.approx(expected, rel=1e-12)


def test_lbfgs_has_no_partial_fit_as_in_scikit_learn():
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    assert hasattr(MLPClassifier(solver="sgd"), "partial_fit")


def test_config_lbfgs_equals_scikit_learns_lbfgs_from_the_same_weights():
    """optimizer.name lbfgs through train.fit: weight_decay = alpha / n, train.epochs = max_iter, optimizer.tol = tol."""
    from minimlp.config.loading import Config, OptimizerConfig, TrainConfig
    from minimlp.data.tables import Splits
    from minimlp.train import fit

    config = Config(seed=0)
    config.optimizer = OptimizerConfig(name="lbfgs", weight_decay=1e-3 / len(X), tol=1e-4)
    config.train = TrainConfig(epochs=40, checkpoint_every=0, label_smoothing=0.0, early_stopping=False)
    net = MLP([6, 7, 3], "relu", dtype="float64")
    Ws, bs = initial_weights()
    for layer, W, b in zip(net.dense, Ws, bs):
        layer.W, layer.b = W, b
    empty, none = np.empty((0, 6)), np.empty(0, np.intp)
    result = fit(net, Splits(X, y, X[:10], y[:10], empty, none, None, none), config)
    theirs = from_weights(Reference, initial_weights(), alpha=1e-3, max_iter=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y)
    assert len(result.history) == theirs.n_iter_ and result.status == "completed"
    for layer, W, b in zip(net.dense, theirs.coefs_, theirs.intercepts_):
        np.testing.assert_allclose(layer.W, W, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(layer.b, b, rtol=1e-6, atol=1e-8)
    assert [r.epoch for r in result.history] == list(range(1, theirs.n_iter_ + 1))
    assert result.history[-1].val_acc is not None and result.history[-1].train_loss < result.history[0].train_loss


LBFGS_RUN = ("name: lb\nseed: 2\ndata:\n  dataset: wine\nmodel:\n  hidden: [6]\n  dtype: float64\noptimizer:\n"
             "  name: lbfgs\n  weight_decay: 0.001\ntrain:\n  epochs: 60\n  checkpoint_every: 5\n")


def test_an_interrupted_lbfgs_run_resumes_to_the_same_weights(tmp_path):
    from minimlp.config import load_config
    from minimlp.runs import resume_run, train_run

    (tmp_path / "lb.yaml").write_text(LBFGS_RUN)
    reference = train_run(load_config(tmp_path / "lb.yaml"), tmp_path / "ref")
    assert reference.status == "completed" and reference.metrics["epochs_run"] >= 10
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] >= 8  # during the optimization

    first = train_run(load_config(tmp_path / "lb.yaml"), tmp_path / "run", stop_requested=stop)
    assert first.status == "interrupted"
    second = resume_run(tmp_path / "run")
    assert second.status == "completed"
    assert (tmp_path / "run" / "model.npz").read_bytes() == (tmp_path / "ref" / "model.npz").read_bytes()
    strip = lambda p: [line.rsplit(",", 1)[0] for line in p.read_text().splitlines()]  # noqa: E731 (seconds differ)
    assert strip(tmp_path / "run" / "history.csv") == strip(tmp_path / "ref" / "history.csv")


@pytest.mark.parametrize("override,message", [
    ("train.early_stopping=true", "train.early_stopping does not apply to optimizer.name lbfgs"),
    ("optimizer.schedule=cosine", "optimizer.schedule must be constant for lbfgs"),
    ("optimizer.max_fun=0", "optimizer.max_fun must be >= 1"),
    ("optimizer.tol=-1", "optimizer.tol must be >= 0"),
])
def test_lbfgs_config_rules(override, message):
    from minimlp.config import load_config
    from minimlp.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        load_config(None, ["optimizer.name=lbfgs", override])


def test_the_lbfgs_and_weights_modules_import_neither_scipy_nor_scikit_learn():
    import subprocess
    import sys

    code = ("import sys, minimlp, minimlp.train, minimlp.train.lbfgs, minimlp.train.weights, minimlp.train.schedules; "
            "print(' '.join(m for m in ('scipy', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
