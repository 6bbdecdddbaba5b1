"""model.ensemble: k networks trained together on the same batches, probabilities averaged."""
import numpy as np
from helpers import resumed_equals_uninterrupted
import pytest

from minimlp import MLP
from minimlp.config import load_config
from minimlp.data import load_dataset, split_indices
from minimlp.ensemble import Ensemble, load_network, network_from_arrays
from minimlp.errors import ConfigError, ModelFileError
from minimlp.numerics.averaging import log_mean_softmax
from minimlp.numerics.losses import softmax
from minimlp.runs import prepare, train_run
from minimlp.runs.predictor import Predictor
from minimlp.runs.setup import fit_config
from minimlp.train import TrainState, make_optimizer

# no dropout: with it, the members draw their masks from one stream in turn, so a member alone differs
BASE = ["data.dataset=wine", "model.hidden=[16]", "train.epochs=4", "train.batch_size=16", "optimizer.name=adam",
        "optimizer.lr=0.01", "optimizer.weight_decay=0.001", "model.dropout=0"]


@pytest.mark.parametrize("extra", [[], ["model.scale=true", "model.embedding=periodic", "model.embedding_size=2"],
                                   ["optimizer.name=sgd", "optimizer.lr=0.05"]])
def test_each_member_equals_the_network_trained_alone_from_its_seed(extra):
    config = load_config(None, BASE + extra + ["model.ensemble=3"])
    together = prepare(config)
    assert isinstance(together.net, Ensemble) and len(together.splits.X_train) % 16  # a last, smaller batch too
    fit_config(together.net, together.splits, config)
    for i, member in enumerate(together.net.members):
        single = load_config(None, BASE + extra)
        alone = prepare(single)
        np.copyto(alone.net.params, MLP(alone.net.sizes, seed=0 if i == 0 else [0, i], **_options(alone.net)).params)
        fit_config(alone.net, alone.splits, single)  # the run's shuffling, its own initial weights
        np.testing.assert_array_equal(member.params, alone.net.params)
    assert np.abs(together.net.members[0].params - together.net.members[1].params).max() > 1e-3


def _options(net):
    return dict(scale=net.scale, embedding=net.embedding, embedding_size=net.inputs.embedding_size)


def test_an_ensemble_of_one_is_the_plain_network_bit_for_bit(tmp_path):
    plain = train_run(load_config(None, BASE), tmp_path / "plain")
    one = train_run(load_config(None, BASE + ["model.ensemble=1"]), tmp_path / "one")
    assert (tmp_path / "one" / "model.npz").read_bytes() == (tmp_path / "plain" / "model.npz").read_bytes()
    assert "ensemble" not in np.load(tmp_path / "one" / "model.npz").files
    first = Ensemble(2, [13, 16, 3], seed=0)
    np.testing.assert_array_equal(first.members[0].params, MLP([13, 16, 3], seed=0).params)


def test_prediction_is_the_mean_of_the_members_softmax_and_logits_its_log():
    rng = np.random.default_rng(0)
    net = Ensemble(4, [5, 8, 3], seed=1, dtype="float64")
    X = rng.standard_normal((30, 5))
    members = [softmax(m.forward(X)) for m in net.members]
    expected = sum(members) / 4
    np.testing.assert_allclose(net.predict_proba(X), expected, rtol=1e-14)
    np.testing.assert_array_equal(net.predict(X), expected.argmax(axis=1))
    np.testing.assert_allclose(np.exp(np.concatenate(net.logits(X))), expected, rtol=1e-13)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log_mean_softmax_is_finite_and_exact_on_extreme_logits(dtype):
    big = np.finfo(dtype).max / 4
    zs = [np.array([[big, -big, 0.0], [1.0, 2.0, 3.0]], dtype), np.array([[-big, big, 0.0], [3.0, 2.0, 1.0]], dtype)]
    out = log_mean_softmax(zs)  # filterwarnings=error: no overflow warning either
    assert out.dtype == dtype and np.all(np.isfinite(out[1]))
    np.testing.assert_allclose(out[0, :2], np.log(0.5), rtol=1e-6)
    assert out[0, 2] < -1e30 or out[0, 2] == -np.inf
    p = (softmax(zs[0][1:].astype(np.float64)) + softmax(zs[1][1:].astype(np.float64))) / 2
    np.testing.assert_allclose(np.exp(out[1]), p[0], rtol=1e-6)


def test_the_validation_loss_is_the_ensembles():
    config = load_config(None, BASE + ["model.ensemble=3"])
    prepared = prepare(config)
    result = fit_config(prepared.net, prepared.splits, config)
    X, y = prepared.splits.X_val, prepared.splits.y_val
    p = prepared.net.predict_proba(X)
    assert result.history[-1].val_loss == pytest.approx(-np.mean(np.log(p[np.arange(len(y)), y])), rel=1e-5)


def test_model_file_round_trip_and_refusals(tmp_path):
    net = Ensemble(3, [4, 6, 2], seed=2, scale=True)
    net.save(tmp_path / "e.npz")
    back = load_network(tmp_path / "e.npz")
    assert isinstance(back, Ensemble) and back.k == 3 and back.scale
    np.testing.assert_array_equal(back.params, net.params)
    X = np.random.default_rng(0).standard_normal((7, 4))
    np.testing.assert_array_equal(back.predict_proba(X), net.predict_proba(X))
    with pytest.raises(ModelFileError, match="holds an ensemble of networks"):
        MLP.load(tmp_path / "e.npz")
    arrays = net.to_arrays()
    arrays["ensemble"] = np.array(4)
    with pytest.raises(ModelFileError, match="4 networks of sizes"):
        network_from_arrays(arrays)
    arrays["ensemble"] = np.array(1)
    with pytest.raises(ModelFileError, match=r"ensemble must be an integer in \[2, 64\]"):
        network_from_arrays(arrays)
    plain = MLP([4, 6, 2], seed=0)
    assert isinstance(network_from_arrays(plain.to_arrays()), MLP)


def test_an_ensemble_run_resumes_bit_for_bit_predicts_and_exports(tmp_path):
    import onnxruntime as ort
    from helpers import run

    (tmp_path / "e.yaml").write_text("name: e\ndata:\n  dataset: wine\noptimizer:\n  name: sgd\n  lr: 0.05\nmodel:\n  hidden: [16]\n  ensemble: 3\n"
                                     "  dropout: 0.2\ntrain:\n  epochs: 6\n  batch_size: 16\n  checkpoint_every: 1\n")
    config = load_config(tmp_path / "e.yaml")
    reference = resumed_equals_uninterrupted(config, tmp_path, 20)
    assert reference.metrics["model"]["ensemble"] == 3
    predictor = Predictor.load(tmp_path / "ref" / "model.npz")
    assert isinstance(predictor.net, Ensemble)
    done = run("export", tmp_path / "ref", "-o", tmp_path / "m.onnx")
    assert done.exit_code == 0, done.output
    dataset = load_dataset(config)
    rows = split_indices(dataset, config.data.test_size, config.data.val_size, config.seed)[2]
    expected = predictor.net.predict_proba(predictor.transform(dataset.frame, rows))
    inputs = {c: np.asarray(dataset.frame.columns[c], dtype=np.float32)[rows].reshape(-1, 1)
              for c in predictor.feature_names}
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, inputs)[1], expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize("overrides,message", [
    (["model.ensemble=0"], "model.ensemble must be in [1, 64]"),
    (["model.ensemble=65"], "model.ensemble must be in [1, 64]"),
    (["model.ensemble=2", "optimizer.name=lbfgs"], "model.ensemble does not apply to optimizer.name lbfgs"),
])
def test_bad_ensemble_keys_name_the_key(overrides, message):
    with pytest.raises(ConfigError) as error:
        load_config(None, overrides)
    assert message in str(error.value)


def test_interrupted_mid_epoch_then_continued_equals_uninterrupted():
    config = load_config(None, BASE + ["model.ensemble=2", "model.dropout=0.1"])
    full = prepare(config)
    fit_config(full.net, full.splits, config)
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] >= 5

    again = prepare(config)
    state, opt = TrainState(), make_optimizer(again.net, config.optimizer)
    assert fit_config(again.net, again.splits, config, state=state, optimizer=opt, stop_requested=stop).status == \
        "interrupted"
    fit_config(again.net, again.splits, config, state=state, optimizer=opt)
    np.testing.assert_array_equal(again.net.params, full.net.params)


def test_lr_find_and_gradcheck_take_an_ensemble_config():
    from minimlp.tools.gradcheck import gradcheck
    from minimlp.tools.lr_find import lr_find

    config = load_config(None, BASE + ["model.ensemble=3"])
    prepared = prepare(config)
    before = prepared.net.params.copy()
    result = lr_find(prepared, steps=20)
    assert len(result.lrs) == 20 and np.isfinite(result.suggestion)
    size = prepared.net.members[0].n_params
    np.testing.assert_array_equal(prepared.net.params[size:], before[size:])  # only the first member ran
    report = gradcheck(config)
    assert "one member of an ensemble of 3" in report.title and report.worst() < 1e-6


def test_an_ensemble_pickles_with_its_members_as_views_of_one_vector():
    import pickle

    net = Ensemble(2, [3, 4, 2], seed=0, embedding="periodic", embedding_size=2)
    back = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(back.params, net.params)
    back.params[:] = 0
    assert not back.members[1].params.any()  # still views of the one vector


def test_an_ensembles_temperature_minimises_its_mixtures_validation_loss():
    """calibrate on an ensemble: T fitted on mean_m softmax(z_m / T) (scipy's bounded minimiser of the loss
    written out here as the reference), folded into every member, so predict_proba is that mixture."""
    from scipy.optimize import minimize_scalar

    from minimlp.ensemble import Ensemble
    from minimlp.train.calibrate import calibrate, fit_mixture_temperature, fit_temperature

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((80, 5)), rng.integers(0, 3, 80)
    net = Ensemble(3, [5, 7, 3], seed=1, dtype="float64")
    for member in net.members:
        member.params *= 4  # confident members: a temperature well away from 1
    zs = [member.forward(X) for member in net.members]
    eps = 0.5 / (len(y) + 1)
    t = np.full((80, 3), eps / 3)
    t[np.arange(80), y] += 1 - eps

    def loss(log_beta):
        p = np.mean([np.exp(z * np.exp(log_beta) - np.log(np.exp(z * np.exp(log_beta)).sum(1, keepdims=True)))
                     for z in zs], axis=0)
        return -(t * np.log(p)).sum(1).mean()

    expected = 1 / np.exp(minimize_scalar(loss, bounds=(np.log(1e-2), np.log(1e2)), method="bounded",
                                          options={"xatol": 1e-10}).x)
    assert fit_mixture_temperature(zs, y) == pytest.approx(expected, rel=1e-5)
    assert fit_mixture_temperature(zs[:1], y) == pytest.approx(fit_temperature(zs[0], y), rel=1e-6)
    T = calibrate(net, X, y)
    mixture = np.mean([np.exp(z / T) / np.exp(z / T).sum(1, keepdims=True) for z in zs], axis=0)
    np.testing.assert_allclose(net.predict_proba(X), mixture, rtol=1e-10)
