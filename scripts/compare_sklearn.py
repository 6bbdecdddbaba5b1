"""Each shipped config against scikit-learn's MLPClassifier with the same settings on the same split.

    python scripts/compare_sklearn.py [--seeds 5] [configs/iris.yaml ...]

Both see the same scaled training rows (minimlp's training split) and
are scored on the same test rows; scikit-learn gets the same architecture,
SGD (or Adam) settings, batch size, epochs and seed, with its tolerance-based stopping
turned off so it runs every epoch; minimlp runs every epoch too, on the plain
cross-entropy (early stopping and label smoothing off, which scikit-learn lacks). Its `alpha` is weight_decay·batch_size,
the same penalty per step (scikit-learn divides alpha by the batch size).
Single test splits are small (30 rows for iris), so the table gives the
mean over several seeds (each seed: its own split, initialisation and order)
as well as seed 0, the shipped one.
"""
import argparse
import warnings
from pathlib import Path

import numpy as np

from minimlp.config import load_config
from minimlp.runs.metrics import classification_metrics
from minimlp.runs import prepare
from minimlp.runs.setup import fit_config

SKLEARN_ACTIVATION = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "identity": "identity"}
CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def minimlp_accuracy(config):
    prepared = prepare(config)
    fit_config(prepared.net, prepared.splits, config)
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
        nesterovs_momentum=opt.nesterov, alpha=opt.weight_decay * train.batch_size, beta_1=opt.beta_1, beta_2=opt.beta_2,
        batch_size=train.batch_size, max_iter=train.epochs, shuffle=train.shuffle,
        random_state=config.seed, tol=0.0, n_iter_no_change=train.epochs + 1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(s.X_train.astype(np.float64), s.y_train)
    return float(np.mean(clf.predict(s.X_test.astype(np.float64)) == s.y_test))


def compare(path, seeds):
    """(minimlp accuracies, scikit-learn accuracies), one per seed."""
    same = ["train.early_stopping=false", "train.label_smoothing=0"]  # what scikit-learn's MLP does
    configs = [load_config(path, [f"seed={seed}", *same]) for seed in seeds]
    return [minimlp_accuracy(c) for c in configs], [sklearn_accuracy(c) for c in configs]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", type=Path)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print(f"{'config':<22} {'minimlp seed 0':>14} {'sklearn seed 0':>14} {f'minimlp mean of {args.seeds}':>18} {'sklearn mean':>12}")
    for path in args.configs or sorted(CONFIGS.glob("*.yaml")):
        ours, theirs = compare(path, range(args.seeds))
        print(f"{path.stem:<22} {ours[0]:14.4f} {theirs[0]:14.4f} {np.mean(ours):18.4f} {np.mean(theirs):12.4f}", flush=True)
