"""What a config's values must be: types, ranges and names, each failure one message naming the key path."""
import difflib
import math
import re
import typing

from ..names import (ACTIVATIONS, DATASET_NAMES, DATASET_PARAMETERS, DTYPES, EMBEDDINGS, INITIALIZERS, OPTIMIZERS,
                     SCHEDULE_NAMES, SCHEDULES)
from .schema import CATEGORICAL, CLASS_WEIGHT, NAMES, OPTIONAL_NAMES, OPTIONAL_STR
from ..excerpt import SHOW_LIMIT, clip, kind, show  # noqa: F401 (loading.py imports them from here)

MONITORS = ("val_loss", "val_acc", "train_loss")
MISSING = ("error", "impute")
SCALINGS = ("robust", "standard")  # data.scaling
IDENTIFIERS = ("drop", "refuse")  # data.identifiers
MAX_BINS = 256  # data.piecewise_bins: inputs per numeric column
MAX_NAME = 100  # characters of ``name``: it names the run folder (with a timestamp), well within a file name's 255 bytes


def convert(value, hint, path, origin):
    """``value`` as the type the field declares, or a ConfigError naming the path."""
    if hint is bool:
        ok, wanted = isinstance(value, bool), "true or false"
    elif hint is int:
        ok, wanted = isinstance(value, int) and not isinstance(value, bool), "an integer"
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and finite(value)
        wanted, value = "a finite number", float(value) if ok else value
    elif hint is str:
        ok, wanted = isinstance(value, str) and value != "", "a non-empty string"
    elif hint == OPTIONAL_STR:
        ok, wanted = value is None or (isinstance(value, str) and value != ""), "a string or null"
    elif hint == CATEGORICAL:
        ok = value == "auto" or (isinstance(value, list) and all(isinstance(v, str) and v for v in value))
        wanted = "auto or a list of column names"
    elif hint in (NAMES, OPTIONAL_NAMES):
        ok = (hint == OPTIONAL_NAMES and value is None) or (
            isinstance(value, list) and all(isinstance(v, str) and v for v in value))
        wanted = "a list of column names" + (" or null" if hint == OPTIONAL_NAMES else "")
    elif hint == CLASS_WEIGHT:
        ok = value is None or value == "balanced" or (isinstance(value, dict) and value and all(
            isinstance(k, (str, int, float)) and not isinstance(k, bool) and isinstance(w, (int, float))
            and not isinstance(w, bool) and finite(w) and w >= 0 for k, w in value.items()))
        wanted = "balanced, or a mapping of class labels to numbers >= 0"
    elif hint == typing.List[int]:
        value = [value] if isinstance(value, int) and not isinstance(value, bool) else value
        ok = isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        wanted = "a list of integers, e.g. [64, 32]"
    else:  # dict
        ok, wanted = isinstance(value, dict) and all(isinstance(k, str) for k in value), "a mapping"
    if not ok:
        raise origin.error(path, f"{path} must be {wanted}, got {show(value)}{_yaml_booleans(value)}")
    return value


def _yaml_booleans(value):
    """A note for a mapping whose keys YAML read as booleans (``yes: 3`` is ``True: 3``)."""
    if isinstance(value, dict) and any(isinstance(k, bool) for k in value):
        return ("; YAML reads the keys yes, no, on, off, true and false (in any case) as booleans, so "
                "quote a label that is one of those words, e.g. {'yes': 3, 'no': 1}")
    return ""


def check_rules(config, origin):
    data, opt, train = config.data, config.optimizer, config.train
    rules = [
        ("name", len(config.name) <= MAX_NAME, f"must have at most {MAX_NAME} characters ({len(config.name):,} here)"),
        ("name", re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", config.name), "must be letters, digits, '_', '-' or '.'"),
        ("seed", 0 <= config.seed < 2**32, "must be in [0, 2**32)"),
        ("train.epochs", train.epochs >= 1, "must be >= 1"),
        ("train.batch_size", train.batch_size >= 1, "must be >= 1"),
        ("data.dataset", data.dataset in DATASET_NAMES, one_of(DATASET_NAMES)),
        ("data.path", data.dataset != "csv" or data.path, "is needed when data.dataset is csv"),
        ("data.path", data.dataset == "csv" or data.path is None, "applies only when data.dataset is csv"),
        ("data.target", data.dataset in ("csv", "openml") or data.target is None,
         "applies only when data.dataset is csv or openml"),
        ("data.delimiter", data.dataset == "csv" or data.delimiter is None, "applies only when data.dataset is csv"),
        ("data.delimiter", data.delimiter is None or len(data.delimiter) == 1, "must be one character"),
        ("data.weight_column", data.dataset == "csv" or data.weight_column is None,
         "applies only when data.dataset is csv"),
        ("data.weight_column", data.weight_column is None or data.weight_column != data.target,
         "must not be the target column"),
        ("data.missing", data.missing in MISSING, one_of(MISSING)),
        ("data.features", data.features is None or not data.drop,
         "and data.drop exclude each other: keep only the columns you list, or drop those you list"),
        ("data.features", data.features is None or data.features, "must list at least one column"),
        ("data.features", data.features is None or len(set(data.features)) == len(data.features),
         "names a column twice"),
        ("data.drop", len(set(data.drop)) == len(data.drop), "names a column twice"),
        ("data.max_categories", data.max_categories >= 1, "must be >= 1"),
        ("data.piecewise_bins", 0 <= data.piecewise_bins <= MAX_BINS, f"must be in [0, {MAX_BINS}]"),
        ("data.scaling", data.scaling in SCALINGS, one_of(SCALINGS)),
        ("data.identifiers", data.identifiers in IDENTIFIERS, one_of(IDENTIFIERS)),
        ("data.params", data.dataset != "csv" or not data.params, "does not apply to csv data"),
        ("data.params", data.dataset != "openml" or "name" in data.params or "data_id" in data.params,
         "needs name (and version) or data_id when data.dataset is openml"),
        ("data.test_size", 0 < data.test_size < 1, "must be in (0, 1)"),
        ("data.val_size", 0 <= data.val_size < 1, "must be in [0, 1)"),
        ("data.val_size", data.test_size + data.val_size < 1, f"plus data.test_size ({data.test_size}) must be < 1"),
        ("model.hidden", all(h >= 1 for h in config.model.hidden), "must hold positive integers"),
        ("model.activation", config.model.activation in ACTIVATIONS, one_of(ACTIVATIONS)),
        ("model.init", config.model.init in ("auto", *INITIALIZERS), one_of(("auto", *INITIALIZERS))),
        ("model.dtype", config.model.dtype in DTYPES, one_of(DTYPES)),
        ("model.dropout", 0 <= config.model.dropout < 1, "must be in [0, 1)"),
        ("model.dropout", opt.name != "lbfgs" or config.model.dropout == 0,
         "does not apply to optimizer.name lbfgs (a full-batch solver minimises a fixed loss)"),
        ("model.embedding", config.model.embedding in EMBEDDINGS, one_of(EMBEDDINGS)),
        ("model.embedding_size", 1 <= config.model.embedding_size <= 1024, "must be in [1, 1024]"),
        ("model.embedding_sigma", config.model.embedding_sigma > 0, "must be > 0"),
        ("model.ensemble", 1 <= config.model.ensemble <= 64, "must be in [1, 64]"),
        ("model.ensemble", opt.name != "lbfgs" or config.model.ensemble == 1,
         "does not apply to optimizer.name lbfgs (members train on shared mini-batches)"),
        ("optimizer.name", opt.name in OPTIMIZERS, one_of(OPTIMIZERS)),
        ("optimizer.lr", opt.lr > 0, "must be > 0"),
        ("optimizer.momentum", 0 <= opt.momentum < 1, "must be in [0, 1)"),
        ("optimizer.nesterov", not opt.nesterov or opt.momentum > 0, "needs optimizer.momentum > 0"),
        ("optimizer.weight_decay", opt.weight_decay >= 0, "must be >= 0"),
        ("optimizer.schedule", opt.schedule in SCHEDULE_NAMES, one_of(SCHEDULE_NAMES)),
        ("optimizer.warmup_epochs", 0 <= opt.warmup_epochs < train.epochs, f"must be in [0, train.epochs={train.epochs})"),
        ("optimizer.warmup_epochs", opt.warmup_epochs == 0 or opt.schedule in SCHEDULES,
         f"applies only to the schedules {', '.join(SCHEDULES)}"),
        ("optimizer.power_t", opt.power_t >= 0, "must be >= 0"),
        ("optimizer.beta_1", 0 <= opt.beta_1 < 1, "must be in [0, 1)"),
        ("optimizer.beta_2", 0 <= opt.beta_2 < 1, "must be in [0, 1)"),
        ("optimizer.epsilon", opt.epsilon > 0, "must be > 0"),
        ("optimizer.tol", opt.tol >= 0, "must be >= 0"),
        ("optimizer.max_fun", opt.max_fun >= 1, "must be >= 1"),
        ("optimizer.schedule", opt.name != "lbfgs" or opt.schedule == "constant", "must be constant for lbfgs"),
        ("train.early_stopping", opt.name != "lbfgs" or not train.early_stopping,
         "does not apply to optimizer.name lbfgs (it stops on optimizer.tol)"),
        ("optimizer.step_size", opt.step_size >= 1, "must be >= 1"),
        ("optimizer.cycles", opt.cycles >= 1, "must be >= 1"),
        ("optimizer.gamma", 0 < opt.gamma <= 1, "must be in (0, 1]"),
        ("optimizer.min_lr", 0 <= opt.min_lr < opt.lr, f"must be in [0, optimizer.lr={opt.lr})"),
        ("train.label_smoothing", 0 <= train.label_smoothing < 1, "must be in [0, 1)"),
        ("train.monitor", train.monitor in MONITORS, one_of(MONITORS)),
        ("train.patience", train.patience >= 1, "must be >= 1"),
        ("train.min_delta", train.min_delta >= 0, "must be >= 0"),
        ("train.early_stopping", not (train.early_stopping and train.monitor.startswith("val_")) or data.val_size > 0,
         f"on {train.monitor} needs data.val_size > 0"),
        ("train.checkpoint_every", train.checkpoint_every >= 0, "must be >= 0"),
        ("train.calibrate", not train.calibrate or data.val_size > 0, "needs data.val_size > 0"),
        ("train.calibrate", not train.calibrate or opt.name != "lbfgs",
         "does not apply to optimizer.name lbfgs (it keeps the optimum of the training loss)"),
    ]
    for path, ok, message in rules:
        if not ok:
            raise origin.error(path, f"{path} {message}, got {show(config.get(path))}")


def check_dataset_params(config, origin):
    """Each data.params key must be a parameter of the scikit-learn function behind data.dataset."""
    if not config.data.params:
        return
    valid = [name for name, _ in DATASET_PARAMETERS[config.data.dataset]]
    for key in config.data.params:
        if key not in valid:
            path = clip(f"data.params.{key}")
            hint = suggest(key, valid, "data.params")
            raise origin.error(path, f"{path} is not a parameter of dataset {config.data.dataset}{hint}")


def suggest(name, names, where):
    prefix = f"{where}." if where else ""
    close = difflib.get_close_matches(str(name)[:SHOW_LIMIT], names, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {prefix}{close[0]}?)"
    return f" (valid keys: {', '.join(prefix + n for n in names)})"


def finite(number):
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer too large for a float
        return False


def one_of(names):
    return "must be one of " + ", ".join(names)


