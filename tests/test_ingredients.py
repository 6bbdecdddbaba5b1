"""Issue 22's ingredients, each against an independent reference: robust scaling with smooth clipping
(scikit-learn's RobustScaler and the closed form), missing-value indicators (scikit-learn's
MissingIndicator), AdamW (PyTorch's formula, worked by hand), the multi-cycle schedule (its closed
form), temperature scaling (the optimum's closed-form condition), and which weights a run keeps."""
import json
import math

import numpy as np
import pandas as pd
import pytest

from minimlp.config import load_config
from minimlp.data import load_csv, prepare, split_indices
from minimlp.data.scaling import RobustScaler, smooth_clip
from minimlp.model import MLP
from minimlp.numerics.optim import AdamW
from minimlp.runs import train_run
from minimlp.runs.predictor import Predictor
from minimlp.train.calibrate import calibrate, fit_temperature, nll
from minimlp.train.schedules import multicycle_lr


def table(n=300, seed=0):
    """Numbers with outliers and missing cells, a mostly-zero column, a constant one, text with missing cells."""
    rng = np.random.default_rng(seed)
    heavy = rng.standard_t(1.5, n) * 10 + 5
    spiky = np.where(rng.random(n) < 0.8, 0.0, rng.normal(3, 1, n))  # IQR 0: half the range instead
    color = rng.choice(["red", "green", "blue"], n).astype(object)
    y = np.where((heavy > 5) ^ (color == "red"), "yes", "no")
    frame = pd.DataFrame({"heavy": heavy, "spiky": spiky, "flat": np.full(n, 2.5), "color": color, "y": y})
    frame.loc[rng.choice(n, 25, replace=False), "heavy"] = np.nan
    frame.loc[rng.choice(n, 15, replace=False), "color"] = None
    return frame


def write(tmp_path, frame):
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    return path


def cfg(path, *extra):
    return load_config(None, ["data.dataset=csv", f"data.path={path}", "data.target=y", "data.missing=impute",
                              "model.hidden=[8]", "train.epochs=4", *extra])


def closed_form_clip(z):
    return z / np.sqrt(1 + (z / 3) ** 2)


def test_robust_scaling_is_scikit_learns_robust_scaler_then_the_smooth_clip(tmp_path):
    from sklearn.preprocessing import RobustScaler as Reference

    path = write(tmp_path, table())
    config = cfg(path, "data.missing_indicators=false")
    splits = prepare(load_csv(path, target="y", missing="impute"), config.data, config.seed, "float64")
    pre = splits.preprocessing
    dataset = load_csv(path, target="y", missing="impute")  # the training rows' raw numeric columns, imputed with their median
    train_rows, _, _ = split_indices(dataset, config.data.test_size, config.data.val_size, config.seed)
    raw = pd.read_csv(path).iloc[train_rows]
    heavy = raw["heavy"].fillna(raw["heavy"].median()).to_numpy()
    expected_heavy = closed_form_clip(Reference().fit_transform(heavy[:, None])[:, 0])
    column = pre.input_names.index("heavy")
    np.testing.assert_allclose(splits.X_train[:, column], expected_heavy, rtol=1e-12, atol=1e-12)
    spiky = raw["spiky"].to_numpy()  # IQR 0: pytabkit's half range, around the median
    half_range = (spiky.max() - spiky.min()) / 2
    column = pre.input_names.index("spiky")
    np.testing.assert_allclose(splits.X_train[:, column], closed_form_clip((spiky - np.median(spiky)) / half_range),
                               rtol=1e-12, atol=1e-12)
    assert np.all(splits.X_train[:, pre.input_names.index("flat")] == 0)  # constant: centred, scale 1
    one_hot = [i for i, name in enumerate(pre.input_names) if name.startswith("color=")]
    assert set(np.unique(splits.X_train[:, one_hot])) == {0.0, 1.0}  # one-hot inputs are not scaled


def test_the_smooth_clip_is_bounded_and_finite_for_extreme_values():
    z = np.array([-np.inf, -1e308, -1e200, -3.0, 0.0, 1e-300, 2.0, 1e200, 1e308, np.inf])
    with np.errstate(all="raise"):
        out = smooth_clip(z.copy())
    finite = np.isfinite(z) & (np.abs(z) < 1e100)
    np.testing.assert_allclose(out[finite], closed_form_clip(z[finite]), rtol=1e-15)
    assert np.all(np.abs(out) <= 3) and out[0] == -3 and out[-1] == 3 and out[1] == -3 and out[-2] == 3
    scaler = RobustScaler.fit(np.array([[1e308], [-1e308], [0.0], [5e307]]))
    assert np.isfinite(scaler.mean).all() and np.isfinite(scaler.scale).all() and scaler.scale[0] > 0


def test_a_robust_scaled_model_takes_values_near_float64s_limit(tmp_path):
    values = 1.0e308 + np.arange(40) * 1.5e306  # a median near float64's limit
    lines = [f"{float(v)!r},{i},{'xy'[i % 2]}" for i, v in enumerate(values)]
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n" + "\n".join(lines) + "\n")
    result = train_run(load_config(None, ["data.dataset=csv", f"data.path={path}", "data.features=[a, b]", "model.hidden=[4]",
                                          "train.epochs=2"]), tmp_path / "run")
    predictor = Predictor.load(result.run_dir / "model.npz")
    X = predictor.transform(pd.DataFrame({"a": [-1.7e308, 1.05e308, 1e300], "b": [4.0, 3.0, 1e300]}))
    a, b = np.cumsum([0, *predictor.preprocessing.widths])[:2]  # each value, then its piecewise-linear inputs
    assert np.all(np.abs(X) <= 3) and X[0, a] == -3 and X[2, b] == 3  # beyond the training range: the clip's limit


def test_missing_indicators_are_scikit_learns_missing_indicator_and_travel_with_the_model(tmp_path):
    from sklearn.impute import MissingIndicator

    frame = table()
    path = write(tmp_path, frame)
    dataset = load_csv(path, target="y", missing="impute")
    config = cfg(path)
    splits = prepare(dataset, config.data, config.seed, "float64")
    pre = splits.preprocessing
    assert pre.input_names[-2:] == ["heavy missing", "color missing"]
    train_rows, _, test_rows = split_indices(dataset, config.data.test_size, config.data.val_size, config.seed)
    raw = frame[["heavy", "spiky", "flat", "color"]].astype(object).where(frame.notna(), np.nan)
    reference = MissingIndicator(features="missing-only").fit(raw.iloc[train_rows])
    np.testing.assert_array_equal(reference.features_, [0, 3])
    np.testing.assert_array_equal(splits.X_test[:, -2:], reference.transform(raw.iloc[test_rows]).astype(float))
    run = train_run(config, tmp_path / "run")
    predictor = Predictor.load(run.run_dir / "model.npz")
    assert predictor.preprocessing.indicators == [0, 3]
    np.testing.assert_array_equal(predictor.transform(frame.drop(columns="y"))[:, -2:],
                                  reference.transform(raw).astype(np.float32))
    without = prepare(dataset, cfg(path, "data.missing_indicators=false").data, 0, "float64").preprocessing
    assert without.indicators == [] and without.n_inputs == pre.n_inputs - 2


def test_adamw_takes_pytorchs_decoupled_step_on_weights_and_adams_on_biases():
    net = MLP([3, 2], seed=0, dtype="float64")
    rng = np.random.default_rng(1)
    lr, wd, (b1, b2), eps = 0.01, 0.1, (0.9, 0.95), 1e-8
    opt = AdamW(net, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    p = net.params.copy()
    m, v = np.zeros_like(p), np.zeros_like(p)
    decayed = np.zeros(len(p), bool)
    decayed[net.weight_slices[0]] = True
    for t in (1, 2, 3):
        g = rng.normal(size=p.shape)
        net.grads[:] = g
        assert opt.step()
        # torch.optim.AdamW: p ← p·(1 - lr·λ); m, v from g alone; p ← p - lr·m̂/(sqrt(v̂) + eps)
        p = np.where(decayed, p * (1 - lr * wd), p)
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        np.testing.assert_allclose(net.params, p, rtol=1e-13, atol=1e-15)


def test_adamw_matches_pytorch_when_it_is_importable():
    torch = pytest.importorskip("torch")
    net = MLP([4, 3], seed=0, dtype="float64")
    w = torch.tensor(net.params[net.weight_slices[0]].copy(), requires_grad=True)
    opt_t = torch.optim.AdamW([w], lr=0.01, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    opt = AdamW(net, lr=0.01, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    rng = np.random.default_rng(2)
    for _ in range(3):
        g = rng.normal(size=net.params.shape)
        net.grads[:] = g
        opt.step()
        w.grad = torch.tensor(g[net.weight_slices[0]])
        opt_t.step()
    np.testing.assert_allclose(net.params[net.weight_slices[0]], w.detach().numpy(), rtol=1e-12)


def test_multicycle_is_realmlps_coslog_schedule():
    epochs, cycles, lr = 150, 4, 0.01
    rates = np.array([multicycle_lr(lr, e, epochs, cycles) for e in range(1, epochs + 1)])
    t = (np.arange(1, epochs + 1) - 0.5) / epochs
    np.testing.assert_allclose(rates, lr * 0.5 * (1 - np.cos(2 * np.pi * np.log2(1 + 15 * t))), rtol=1e-12)
    assert np.all(rates >= 0) and rates.max() <= lr and rates[-1] < 1e-3 * lr
    peaks = np.flatnonzero((rates[1:-1] > rates[:-2]) & (rates[1:-1] > rates[2:]))
    assert len(peaks) == cycles  # each cycle rises and falls once, each about twice as long as the one before
    ends = [0.0] + [(2**k - 1) / 15 for k in range(1, cycles + 1)]
    assert np.allclose(np.diff(ends)[1:] / np.diff(ends)[:-1], 2)


def test_the_fitted_temperature_is_the_validation_cross_entropy_minimum():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(400, 4)) * 4  # overconfident logits
    y = np.where(rng.random(400) < 0.6, z.argmax(axis=1), rng.integers(0, 4, 400))
    T = fit_temperature(z, y)
    beta, eps = 1 / T, 0.5 / 401
    t = np.full((400, 4), eps / 4)
    t[np.arange(400), y] += 1 - eps
    # closed form: dL/dβ = mean(E_softmax(βz)[z] - Σ_k t_k z_k) = 0 at the optimum
    p = np.exp(beta * z - (beta * z).max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    gradient = np.mean((p * z).sum(axis=1) - (t * z).sum(axis=1))
    assert abs(gradient) < 1e-4 and T > 1
    grid = np.exp(np.linspace(np.log(0.2), np.log(20), 4001))
    best = grid[np.argmin([nll(1 / g, z, t) for g in grid])]
    assert abs(T - best) / best < 2e-3


def test_a_flawless_small_validation_split_does_not_make_the_model_certain():
    z = np.array([[2.0, 0.0, -1.0], [0.0, 3.0, 0.5], [-1.0, 0.0, 2.5]] * 5)  # 15 rows, all right
    y = np.array([0, 1, 2] * 5)
    T = fit_temperature(z, y)
    p = np.exp(z / T - (z / T).max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    right = p[np.arange(15), y]
    # the smoothed target 1 - ε(K-1)/K ≈ 0.979 (ε = 1/32) is matched on average, not pushed to 1 (T at its bound)
    assert 0.01 < T and 0.95 < right.mean() < 0.995


def test_calibration_folds_the_temperature_into_the_output_layer():
    net = MLP([5, 6, 3], seed=0, dtype="float64")
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(50, 5)), rng.integers(0, 3, 50)
    before = net.forward(X).copy()
    T = calibrate(net, X, y)
    np.testing.assert_allclose(net.forward(X), before / T, rtol=1e-12)
    assert T == pytest.approx(fit_temperature(before, y))


def test_a_run_keeps_the_best_validation_epoch_and_is_calibrated(tmp_path):
    path = write(tmp_path, table())
    result = train_run(cfg(path, "train.epochs=40", "train.patience=3", "optimizer.lr=0.5"), tmp_path / "run")
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["weights"] == {"epoch": metrics["best_epoch"], "which": "best"}
    assert metrics["temperature"] > 0 and math.isfinite(metrics["temperature"])
    history = pd.read_csv(result.run_dir / "history.csv")
    assert metrics["best_epoch"] == int(history.loc[history["val_loss"].idxmin(), "epoch"])


def test_without_a_validation_split_a_run_keeps_the_last_epoch_uncalibrated(tmp_path):
    path = write(tmp_path, table())
    config = cfg(path, "data.val_size=0")
    assert not config.train.early_stopping and not config.train.calibrate  # they need a validation split
    result = train_run(config, tmp_path / "run")
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert (metrics["weights"], metrics["temperature"]) == ({"epoch": 4, "which": "last"}, None)
    with pytest.raises(Exception, match="train.calibrate needs data.val_size > 0"):
        cfg(path, "data.val_size=0", "train.calibrate=true")
    with pytest.raises(Exception, match="train.early_stopping on val_loss needs data.val_size > 0"):
        cfg(path, "data.val_size=0", "train.early_stopping=true")
