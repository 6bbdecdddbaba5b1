"""scikit-learn's learning-rate schedules (constant, invscaling, adaptive), its SGD velocity and Adam's betas:
the estimator's trajectories against scikit-learn's MLPClassifier from the same weights, epoch by epoch."""
import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as Reference

from minimlp.sklearn import MLPClassifier

X, y = make_classification(n_samples=60, n_features=5, n_informative=4, n_redundant=0, n_classes=3, random_state=0)


def start_from(cls, weights, **params):
    """``cls`` after a one-epoch fit, holding ``weights``, its stopping state reset, ready to warm-start."""
    clf = cls(hidden_layer_sizes=(6,), random_state=0, shuffle=False, batch_size=20, alpha=0.0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(max_iter=1).fit(X, y)
    clf.coefs_ = [W.copy() for W in weights[0]]
    clf.intercepts_ = [b.copy() for b in weights[1]]
    if cls is Reference:
        clf.t_, clf.best_loss_, clf._no_improvement_count, clf.loss_curve_ = 0, np.inf, 0, []
    else:
        clf._schedule.t, clf._schedule.best_loss, clf._schedule.count, clf.loss_curve_ = 0, math.inf, 0, []
    return clf.set_params(warm_start=True)


def weights(seed=5):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-0.6, 0.6, s) for s in [(5, 6), (6, 3)]], [rng.uniform(-0.6, 0.6, s) for s in [6, 3]]


def both(max_iter, **params):
    fits = []
    for cls in (MLPClassifier, Reference):
        clf = start_from(cls, weights(), **params).set_params(max_iter=max_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits.append(clf.fit(X, y))
    return fits


def lr(clf):
    return clf.optimizer_.lr if isinstance(clf, MLPClassifier) else clf._optimizer.learning_rate


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive"])
def test_sgd_schedules_follow_scikit_learns_trajectory(schedule, momentum, nesterov):
    params = dict(solver="sgd", learning_rate=schedule, learning_rate_init=0.2, power_t=0.3, momentum=momentum,
                  nesterovs_momentum=nesterov, tol=0.02, n_iter_no_change=2)
    ours, theirs = both(40, **params)
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert lr(ours) == pytest.approx(lr(theirs), rel=1e-12)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)
    if schedule == "adaptive":
        assert lr(ours) < 0.2 / 5  # the rate was divided at least twice
    if schedule == "invscaling":
        assert lr(ours) == pytest.approx(0.2 / (ours.t_ + 1) ** 0.3, rel=1e-14)


def test_adaptive_stops_when_the_rate_falls_to_1e_6_as_scikit_learn():
    params = dict(solver="sgd", learning_rate="adaptive", learning_rate_init=1e-5, tol=10.0, n_iter_no_change=1)
    ours, theirs = both(200, **params)
    assert ours.n_iter_ == theirs.n_iter_ < 200
    assert lr(ours) == pytest.approx(lr(theirs)) and lr(ours) <= 1e-6


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)])
def test_adam_betas_and_epsilon_follow_scikit_learns_trajectory(betas):
    """The estimator's Adam is scikit-learn's form (epsilon before the bias correction)."""
    ours, theirs = both(15, solver="adam", learning_rate_init=0.01, beta_1=betas[0], beta_2=betas[1], epsilon=1e-8)
    assert ours.n_iter_ == theirs.n_iter_ == 15
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)


def config_fit(epochs, **optimizer):
    """minimlp's loop as ``minimlp train`` runs it, from ``weights()``, on the same rows in the same order."""
    from minimlp import MLP
    from minimlp.config.loading import OptimizerConfig
    from minimlp.train import TrainOptions, fit, make_optimizer, make_schedule

    opt = OptimizerConfig(**optimizer)
    net = MLP([5, 6, 3], "relu", dtype="float64")
    Ws, bs = weights()
    for layer, W, b in zip(net.dense, Ws, bs):
        layer.W, layer.b = W, b
    result = fit(net, X, y, np.empty((0, 5)), np.empty(0, np.intp), TrainOptions(epochs, 20, shuffle=False),
                 make_optimizer(net, opt), make_schedule(opt, epochs, patience=3, min_delta=0.02))
    return net, result.history


@pytest.mark.parametrize("schedule,nesterov", [("invscaling", False), ("invscaling", True), ("adaptive", True)])
def test_config_schedules_follow_scikit_learns_trajectory(schedule, nesterov):
    """optimizer.schedule invscaling / adaptive (patience 3 = n_iter_no_change 2, min_delta = tol)."""
    net, history = config_fit(30, name="sgd", lr=0.2, momentum=0.9, nesterov=nesterov, schedule=schedule, power_t=0.3)
    _, theirs = both(30, solver="sgd", learning_rate=schedule, learning_rate_init=0.2, power_t=0.3, momentum=0.9,
                     nesterovs_momentum=nesterov, tol=0.02, n_iter_no_change=2 if schedule == "adaptive" else 100)
    assert theirs.n_iter_ == 30
    np.testing.assert_allclose([r.train_loss for r in history], theirs.loss_curve_, rtol=1e-9)
    for layer, W, b in zip(net.dense, theirs.coefs_, theirs.intercepts_):
        np.testing.assert_allclose(layer.W, W, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(layer.b, b, rtol=1e-8, atol=1e-10)
    if schedule == "adaptive":
        assert history[-1].lr < 0.2 / 5 and history[0].lr == 0.2
    else:
        assert history[1].lr == pytest.approx(0.2 / 61 ** 0.3, rel=1e-14)


def test_config_adam_betas_follow_scikit_learns_trajectory():
    """optimizer.beta_1/beta_2/epsilon: PyTorch's Adam (epsilon after the bias correction), so the
    trajectories agree to about epsilon / sqrt(v), not bit for bit."""
    net, history = config_fit(15, name="adam", lr=0.01, beta_1=0.5, beta_2=0.9, epsilon=1e-8)
    _, theirs = both(15, solver="adam", learning_rate_init=0.01, beta_1=0.5, beta_2=0.9, epsilon=1e-8)
    np.testing.assert_allclose([r.train_loss for r in history], theirs.loss_curve_, rtol=1e-5)
    for layer, W in zip(net.dense, theirs.coefs_):
        np.testing.assert_allclose(layer.W, W, rtol=1e-4, atol=1e-6)
    default, _ = config_fit(15, name="adam", lr=0.01)
    assert np.abs(default.params - net.params).max() > 1e-3  # the betas were used


@pytest.mark.parametrize("schedule", ["adaptive", "invscaling"])
def test_interrupted_runs_with_scikit_learns_schedules_resume_bit_for_bit(tmp_path, schedule):
    """The adaptive count and best loss ride in the checkpoint, the lr in the optimizer's state."""
    from minimlp.config import load_config
    from minimlp.runs import resume_run, train_run

    text = ("name: s\ndata:\n  dataset: wine\nmodel:\n  hidden: [8]\noptimizer:\n  name: sgd\n  lr: 0.05\n"
            f"  nesterov: true\n  schedule: {schedule}\ntrain:\n  epochs: 30\n  batch_size: 16\n  checkpoint_every: 3\n"
            "  early_stopping: false\n"
            "  patience: 2\n  min_delta: 0.01\n")
    (tmp_path / "s.yaml").write_text(text)
    reference = train_run(load_config(tmp_path / "s.yaml"), tmp_path / "ref")
    lrs = [float(line.split(",")[5]) for line in (tmp_path / "ref" / "history.csv").read_text().splitlines()[1:]]
    assert reference.status == "completed" and len(set(lrs)) > 2  # the rate changed during the run
    for stop_at in (40, 93):  # mid-epoch; after a checkpoint
        calls = {"n": 0}

        def stop():
            calls["n"] += 1
            return calls["n"] >= stop_at

        run = tmp_path / f"run{stop_at}"
        assert train_run(load_config(tmp_path / "s.yaml"), run, stop_requested=stop).status == "interrupted"
        assert resume_run(run).status == "completed"
        assert (run / "model.npz").read_bytes() == (tmp_path / "ref" / "model.npz").read_bytes()
        strip = lambda p: [line.rsplit(",", 1)[0] for line in p.read_text().splitlines()]  # noqa: E731
        assert strip(run / "history.csv") == strip(tmp_path / "ref" / "history.csv")
