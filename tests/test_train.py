"""The training loop's bookkeeping against a plain loop over the public API, and its behaviours.

Both run the network's one path (``numerics.workspace``); what the plain loop checks is the loop's
own machinery: the shuffling order, the rows gathered a few batches at a time, the last partial
batch and the metrics summed from saved logits."""
import math

import numpy as np
import pytest

from helpers import OLD_DEFAULTS
from minimlp import SGD, SoftmaxCrossEntropy
from minimlp.config import load_config
from minimlp.runs import prepare
from minimlp.train.batch_metrics import BatchMetrics, correct_predictions
from minimlp.train.batch_rows import BatchRows
from minimlp.runs.setup import fit_config
from minimlp.train import make_optimizer, shuffle_rng

SMALL = [*OLD_DEFAULTS, "data.dataset=iris", "model.hidden=[12, 7]", "train.epochs=6", "train.batch_size=16"]


def plain_loop(config):
    """Mini-batch SGD written with nothing but the public API: one fancy-index gather per batch."""
    prepared = prepare(config)
    net, s, opt_cfg = prepared.net, prepared.splits, config.optimizer
    opt = SGD(net, lr=opt_cfg.lr, momentum=opt_cfg.momentum, nesterov=opt_cfg.nesterov, weight_decay=opt_cfg.weight_decay)
    head = SoftmaxCrossEntropy(config.train.label_smoothing)
    rng, n, size = shuffle_rng(config.seed), len(s.X_train), config.train.batch_size
    history = []
    for _ in range(config.train.epochs):
        order = rng.permutation(n)
        loss_sum, correct = 0.0, 0
        for start in range(0, n, size):
            rows = order[start:start + size]
            z = net.forward(s.X_train[rows])
            correct += int(np.sum(np.argmax(z, axis=1) == s.y_train[rows]))
            loss_sum += float(head.forward(z, s.y_train[rows])) * len(rows)
            net.backward(head.backward())
            opt.step()
        history.append((loss_sum / n, correct / n))
    return net.params, history


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("extra", [[], ["optimizer.nesterov=true", "optimizer.weight_decay=0.01", "train.label_smoothing=0.1"],
                                   ["optimizer.momentum=0", "model.activation=tanh"],
                                   # 10 classes: numpy sums 8 or more contiguous values pairwise, so layouts matter
                                   ["data.dataset=digits", "train.epochs=2", "train.label_smoothing=0.05"],
                                   ["data.dataset=digits", "train.epochs=2", "model.activation=leaky_relu",
                                    "optimizer.nesterov=true"]])
def test_fit_equals_the_plain_public_api_loop(dtype, extra):
    """Weights and accuracy bit for bit; the training loss up to the order of summation."""
    config = load_config(None, SMALL + extra + [f"model.dtype={dtype}"])
    expected_params, expected_history = plain_loop(config)
    prepared = prepare(config)
    result = fit_config(prepared.net, prepared.splits, config)
    np.testing.assert_array_equal(prepared.net.params, expected_params)
    assert [r.train_acc for r in result.history] == [acc for _, acc in expected_history]
    # fit sums the rows' losses batch by batch, the plain loop adds batch means times rows: the same up to rounding
    rel = 1e-13 if dtype == "float64" else 1e-6
    assert [r.train_loss for r in result.history] == pytest.approx([loss for loss, _ in expected_history], rel=rel)
    assert len(prepared.splits.X_train) % config.train.batch_size != 0  # a partial last batch was covered


@pytest.mark.parametrize("chunk_batches", [1, 3])  # iris: 105 rows, chunks of 16 rows, or of 48 (the last one 9)
def test_fit_gathering_rows_a_few_batches_at_a_time_equals_the_plain_loop(chunk_batches, monkeypatch):
    config = load_config(None, SMALL + ["model.dtype=float32"])
    expected_params, expected_history = plain_loop(config)
    monkeypatch.setattr(BatchRows, "BYTES", chunk_batches * 16 * (4 + 1) * 4)  # 16 rows of 4 features and a 1, float32
    prepared = prepare(config)
    result = fit_config(prepared.net, prepared.splits, config)
    np.testing.assert_array_equal(prepared.net.params, expected_params)
    assert [r.train_acc for r in result.history] == [acc for _, acc in expected_history]


def run(overrides, **kwargs):
    config = load_config(None, overrides)
    prepared = prepare(config)
    return prepared, fit_config(prepared.net, prepared.splits, config, **kwargs)


def comparable(history):
    return [(r.epoch, r.train_loss, r.train_acc, r.val_loss, r.val_acc, r.lr) for r in history]


@pytest.mark.parametrize("metric_rows", [16, 48])  # the loss and accuracy flushed after every batch, every 3 batches
def test_training_metrics_do_not_depend_on_how_often_they_are_computed(metric_rows, monkeypatch):
    _, reference = run(SMALL + ["train.label_smoothing=0.1"])
    monkeypatch.setattr(BatchMetrics, "ROWS", metric_rows)
    _, result = run(SMALL + ["train.label_smoothing=0.1"])
    assert comparable(result.history) == comparable(reference.history)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("classes", [1, 2, 10])
@pytest.mark.parametrize("logits", ["distinct", "ties", "ties and non-finite rows", "one NaN row, one tie"])
def test_correct_predictions_are_the_first_argmax_with_ties_and_non_finite_rows(dtype, classes, logits):
    rng = np.random.default_rng(classes)
    if logits in ("distinct", "one NaN row, one tie"):  # no ties: the whole-array path
        z = rng.standard_normal((300, classes))
    else:  # small integers: many rows with tied maxima, some tied before or after the label
        z = rng.integers(-2, 3, (300, classes)).astype(np.float64)
    if logits == "ties and non-finite rows":
        z[5, 0], z[7, -1], z[9, :] = np.nan, np.inf, -np.inf
    labels = rng.integers(0, classes, 300)
    if logits == "one NaN row, one tie":  # as many maxima as rows (with 2+ classes), yet a row without one
        z[3, 0], z[4, :2], labels[3], labels[4] = np.nan, 10.0, 0, 0
    z = np.asfortranarray(z.astype(dtype))  # the layout of the training loop's logits

    def first_argmax(row):  # as np.argmax (and predict): the first NaN if any, else the first maximum
        row = row.tolist()
        nans = [i for i, v in enumerate(row) if v != v]
        return nans[0] if nans else row.index(max(row))

    expected = sum(first_argmax(row) == label for row, label in zip(z, labels))
    assert correct_predictions(z, np.maximum.reduce(z, axis=1, keepdims=True), labels) == expected


def test_same_config_and_seed_give_bit_identical_weights_and_history():
    (a, ra), (b, rb) = run(SMALL + ["seed=3"]), run(SMALL + ["seed=3"])
    np.testing.assert_array_equal(a.net.params, b.net.params)
    assert comparable(ra.history) == comparable(rb.history)
    c, rc = run(SMALL + ["seed=4"])
    assert not np.array_equal(a.net.params, c.net.params)


def test_validation_metrics_match_an_independent_computation():
    prepared, result = run(SMALL)
    s = prepared.splits
    z = prepared.net.forward(s.X_val).astype(np.float64)
    log_p = z - z.max(axis=1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    assert result.history[-1].val_loss == pytest.approx(-log_p[np.arange(len(z)), s.y_val].mean(), rel=1e-5)
    assert result.history[-1].val_acc == np.mean(z.argmax(axis=1) == s.y_val)


def test_no_validation_split_gives_empty_validation_metrics():
    _, result = run(SMALL + ["data.val_size=0"])
    assert all(r.val_loss is None and r.val_acc is None for r in result.history)


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    config = load_config(None, ["data.dataset=breast_cancer", "model.hidden=[64]", "optimizer.lr=0.2", "train.epochs=200",
                                "train.early_stopping=true", "train.patience=4", "data.val_size=0.2"])
    prepared = prepare(config)
    snapshots = {}
    result = fit_config(prepared.net, prepared.splits, config,
                 on_epoch=lambda record, state: snapshots.update({record.epoch: prepared.net.params.copy()}))
    assert result.status == "early_stopped"
    losses = [r.val_loss for r in result.history]
    best = int(np.argmin(losses)) + 1
    assert result.best_epoch == best and len(result.history) == best + 4
    np.testing.assert_array_equal(prepared.net.params, snapshots[best])


@pytest.mark.parametrize("schedule,expected", [
    ("cosine", lambda e: 0.1 * e / 3 if e <= 2 else 0.01 + 0.09 * (1 + math.cos(math.pi * (e - 3) / 8)) / 2),
    ("step", lambda e: 0.1 * e / 3 if e <= 2 else 0.1 * 0.5 ** ((e - 3) // 3)),
    ("constant", lambda e: 0.1 * e / 3 if e <= 2 else 0.1),
])
def test_learning_rate_schedules_with_warmup(schedule, expected):
    _, result = run(SMALL + ["train.epochs=10", "optimizer.lr=0.1", "optimizer.warmup_epochs=2", "optimizer.min_lr=0.01",
                             "optimizer.step_size=3", "optimizer.gamma=0.5", f"optimizer.schedule={schedule}"])
    for record in result.history:
        assert record.lr == pytest.approx(expected(record.epoch), rel=1e-12)


def test_divergence_stops_with_finite_last_good_weights():
    prepared, result = run(SMALL + ["optimizer.lr=1e12", "train.epochs=50"])
    assert result.status == "diverged"
    assert "diverged in epoch" in result.message and "lower optimizer.lr" in result.message
    assert len(result.history) < 50
    assert np.all(np.isfinite(prepared.net.params))


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_finite_logits_with_an_infinite_loss_stop_at_that_batch_before_any_change(smoothing):
    """Logits 6e38 apart in float32: z - max overflows, the loss is infinite though the softmax is not."""
    config = load_config(None, SMALL + ["model.dtype=float32", f"train.label_smoothing={smoothing}"])
    prepared = prepare(config)
    prepared.net.dense[-1].b = [3e38, -3e38, 0.0]
    before = prepared.net.params.copy()
    opt = make_optimizer(prepared.net, config.optimizer)
    result = fit_config(prepared.net, prepared.splits, config, optimizer=opt)
    assert result.status == "diverged" and result.history == [] and "epoch 1" in result.message
    np.testing.assert_array_equal(prepared.net.params, before)  # not even the first step was taken
    assert not np.any(opt.velocity)  # nor did the optimizer's state move


# iris: 105 training rows, 7 batches an epoch; stop_requested() is asked before every epoch and after
# every batch but an epoch's last: call 3 stops after batch 2 of epoch 1, call 8 before epoch 2,
# call 9 after batch 1 of epoch 2, call 12 after its batch 4.
@pytest.mark.parametrize("stop_after", [3, 8, 9, 12])
@pytest.mark.parametrize("metric_rows", [BatchMetrics.ROWS, 32])  # 32: losses flushed every 2 batches, mid-epoch
@pytest.mark.parametrize("row_bytes", [BatchRows.BYTES, 3 * 16 * 5 * 4])  # float32 rows gathered 3 batches at a time
def test_interrupt_then_continue_equals_an_uninterrupted_run(stop_after, metric_rows, row_bytes, monkeypatch):
    full, full_result = run(SMALL)
    monkeypatch.setattr(BatchMetrics, "ROWS", metric_rows)
    monkeypatch.setattr(BatchRows, "BYTES", row_bytes)
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] >= stop_after

    config = load_config(None, SMALL)
    prepared = prepare(config)
    from minimlp.train import TrainState

    state, opt = TrainState(), make_optimizer(prepared.net, config.optimizer)
    first = fit_config(prepared.net, prepared.splits, config, state=state, optimizer=opt, stop_requested=stop)
    assert first.status == "interrupted" and (state.epoch, state.batch) != (0, 0)
    second = fit_config(prepared.net, prepared.splits, config, state=state, optimizer=opt)
    assert second.status == "completed"
    np.testing.assert_array_equal(prepared.net.params, full.net.params)
    assert comparable(second.history) == comparable(full_result.history)
