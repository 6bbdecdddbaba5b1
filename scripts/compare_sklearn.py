"""Each shipped config against scikit-learn's MLPClassifier with the same settings on the same split.

    python scripts/compare_sklearn.py [configs/iris.yaml ...]

Both see the same standardised training rows (minimlp's training split) and
are scored on the same test rows; scikit-learn gets the same architecture,
SGD settings, batch size, epochs and seed, with its tolerance-based stopping
turned off so it runs every epoch. Its `alpha` is set to weight_decay·batch_size,
which is the same penalty per step (scikit-learn divides alpha by the batch size).
"""
import sys
import warnings
from pathlib import Path

import numpy as np

from minimlp.config import load_config
from minimlp.metrics import classification_metrics
from minimlp.runs import prepare
from minimlp.train import fit

SKLEARN_ACTIVATION = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "identity": "identity"}
CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def minimlp_accuracy(config):
    prepared = prepare(config)
    fit(prepared.net, prepared.splits, config)
    s = prepared.splits
    return classification_metrics(prepared.net, s.X_test, s.y_test, prepared.dataset.classes)["test_accuracy"]


def sklearn_accuracy(config):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    s = prepare(config).splits
    opt, train = config.optimizer, config.train
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(config.model.hidden), activation=SKLEARN_ACTIVATION.get(config.model.activation, "relu"),
        solver="sgd" if opt.name == "sgd" else "adam", learning_rate_init=opt.lr, momentum=opt.momentum,
        nesterovs_momentum=opt.nesterov, alpha=opt.weight_decay * train.batch_size,
        batch_size=train.batch_size, max_iter=train.epochs, shuffle=train.shuffle,
        random_state=config.seed, tol=0.0, n_iter_no_change=train.epochs + 1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(s.X_train.astype(np.float64), s.y_train)
    return float(np.mean(clf.predict(s.X_test.astype(np.float64)) == s.y_test))


def compare(path):
    config = load_config(path)
    return minimlp_accuracy(config), sklearn_accuracy(config)


if __name__ == "__main__":
    paths = sys.argv[1:] or sorted(CONFIGS.glob("*.yaml"))
    print(f"{'config':<28} {'minimlp':>8} {'sklearn':>8}")
    for path in paths:
        ours, theirs = compare(path)
        print(f"{str(path):<28} {ours:8.4f} {theirs:8.4f}")
