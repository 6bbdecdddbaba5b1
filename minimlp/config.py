"""Typed config sections, YAML loading, ``--set`` overrides and validation.

A config file holds only what differs from the defaults below.  Every problem
is reported as one ConfigError naming the file (or the ``--set`` option), the
key path and the value given, before any work starts.
"""
import dataclasses
import difflib
import json
import math
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .datasets import DATASET_NAMES, parameters
from .errors import ConfigError
from .files import read_text
from .initializers import INITIALIZERS
from .layers import ACTIVATIONS
from .model import DTYPES
from .optim import OPTIMIZERS, SCHEDULES


@dataclass
class DataConfig:
    dataset: str = "digits"  # a scikit-learn dataset or generator, or csv
    params: dict = field(default_factory=dict)  # keyword arguments for the scikit-learn loader/generator
    path: typing.Optional[str] = None  # csv: the file, relative to the config file's folder
    target: typing.Optional[str] = None  # csv: the target column (default: the last column)
    test_size: float = 0.2
    val_size: float = 0.1  # 0: no validation split
    standardize: bool = True  # scale features to zero mean, unit variance (fit on the training split)


@dataclass
class ModelConfig:
    hidden: typing.List[int] = field(default_factory=lambda: [128])  # hidden layer widths; [] for none
    activation: str = "relu"
    init: str = "auto"  # auto: he for relu/leaky_relu, xavier otherwise
    dtype: str = "float32"


@dataclass
class OptimizerConfig:
    name: str = "sgd"  # sgd or adam
    lr: float = 0.05
    momentum: float = 0.9  # sgd only
    nesterov: bool = False  # sgd only
    weight_decay: float = 0.0  # L2 on weights (never biases), added to the gradient
    schedule: str = "constant"  # constant, step or cosine, after warmup_epochs of linear warm-up
    warmup_epochs: int = 0
    step_size: int = 10  # step: epochs between decays
    gamma: float = 0.1  # step: factor per decay
    min_lr: float = 0.0  # cosine: the floor


@dataclass
class TrainConfig:
    epochs: int = 50
    batch_size: int = 32
    shuffle: bool = True
    label_smoothing: float = 0.0
    early_stopping: bool = False  # stop when `monitor` has not improved for `patience` epochs
    monitor: str = "val_loss"  # val_loss, val_acc or train_loss
    patience: int = 10
    min_delta: float = 0.0  # the smallest change that counts as an improvement
    restore_best: bool = True  # early stopping ends with the best epoch's weights
    checkpoint_every: int = 10  # epochs between checkpoints (0: only at the end or on interrupt)


@dataclass
class Config:
    name: str = "digits"  # names the run folder
    seed: int = 0  # one seed for the data, the split, the initial weights and the shuffling
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def get(self, path):
        """The value at a dotted key path, e.g. ``cfg.get("optimizer.lr")``."""
        value = self
        for part in path.split("."):
            value = value[part] if isinstance(value, dict) else getattr(value, part)
        return value

    def to_dict(self):
        return dataclasses.asdict(self)

    def to_yaml(self):
        return yaml.dump(self.to_dict(), Dumper=_Dumper, sort_keys=False)


MONITORS = ("val_loss", "val_acc", "train_loss")
SECTIONS = {f.name: f.type for f in dataclasses.fields(Config) if dataclasses.is_dataclass(f.type)}
OPTIONAL_STR = typing.Optional[str]


class _Loader(yaml.SafeLoader):
    """YAML 1.1 safe loader that also reads 1e-3 (no dot) as a float, as YAML 1.2 does."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


class _Dumper(yaml.SafeDumper):
    """Block style for sections, flow style for lists: `hidden: [64, 64]`."""


_Dumper.add_representer(list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True))


def parse_yaml(text):
    return yaml.load(text, Loader=_Loader)


def load_config(path=None, overrides=()):
    """The validated Config from a YAML file (or the defaults) and ``key.path=value`` overrides."""
    raw = {} if path is None else _read_file(Path(path))
    origin = _Origin(str(path) if path is not None else "defaults")
    for text in overrides:
        key, value = parse_override(text)
        _set_path(raw, key, value, text)
        origin.overridden[key] = text
    config = _build(raw, origin)
    _check_rules(config, origin)
    _check_dataset_params(config, origin)
    config.source = origin.source
    _resolve_data_path(config, Path(path).parent if path is not None else Path.cwd(), origin)
    return config


class _Origin:
    """Where each value came from, so a message can name the file or the --set option."""

    def __init__(self, source):
        self.source, self.overridden = source, {}

    def of(self, key):
        for prefix, text in self.overridden.items():
            if key == prefix or key.startswith(prefix + "."):
                return f"--set {text}"
        return self.source

    def error(self, key, message):
        return ConfigError(f"{self.of(key)}: {message}")


def _read_file(path):
    text = read_text(path, ConfigError, "config file")
    try:
        raw = parse_yaml(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise ConfigError(f"{path}: invalid YAML{where}: {problem}") from None
    if raw is None:
        raise ConfigError(f"{path}: the file is empty; write at least one key (e.g. 'name: my-run')")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: must be a mapping of keys to values, got a {_kind(raw)}")
    return raw


def parse_override(text):
    """'optimizer.lr=0.05' -> ('optimizer.lr', 0.05), the value typed as YAML."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set {text}: expected key.path=value, e.g. optimizer.lr=0.05")
    try:
        return key, parse_yaml(value) if value.strip() else None
    except yaml.YAMLError:
        raise ConfigError(f"--set {text}: the value is not valid YAML") from None


def _set_path(raw, key, value, text):
    parts = key.split(".")
    _check_known(parts, ConfigError, f"--set {text}: ")
    node = raw
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            raise ConfigError(f"--set {text}: {where} is not a mapping, so it has no key {parts[depth + 1]!r}")
        node = child
    node[parts[-1]] = value


def check_key(path, prefix=""):
    """ConfigError unless ``path`` names a config key (``data.params.*`` is free-form)."""
    _check_known(path.split("."), ConfigError, prefix)


def _check_known(parts, error, prefix):
    """Raise if a key path names no config key ('data.params.*' is free-form)."""
    names = [f.name for f in dataclasses.fields(Config)]
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth])
        if part not in names:
            full = ".".join(parts[: depth + 1])
            raise error(f"{prefix}unknown key {full}{_suggest(part, names, where)}")
        if depth == 0 and part in SECTIONS:
            names = [f.name for f in dataclasses.fields(SECTIONS[part])]
        elif parts[:2] == ["data", "params"]:
            return
        elif depth + 1 < len(parts):
            raise error(f"{prefix}{'.'.join(parts[:depth + 1])} has no keys below it")


def _suggest(name, names, where):
    prefix = f"{where}." if where else ""
    close = difflib.get_close_matches(str(name), names, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {prefix}{close[0]}?)"
    return f" (valid keys: {', '.join(prefix + n for n in names)})"


def _build(raw, origin):
    values = {}
    for key, value in raw.items():
        if not isinstance(key, str) or key not in {f.name for f in dataclasses.fields(Config)}:
            _check_known([str(key)], _error_at(origin, str(key)), "")
        if key in SECTIONS:
            values[key] = _build_section(SECTIONS[key], {} if value is None else value, key, origin)
        else:
            values[key] = _convert(value, Config.__dataclass_fields__[key].type, key, origin)
    return Config(**values)


def _error_at(origin, key):
    return lambda message: origin.error(key, message)


def _build_section(cls, raw, section, origin):
    if not isinstance(raw, dict):
        raise origin.error(section, f"{section} must be a mapping of keys to values, got {_show(raw)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in raw.items():
        path = f"{section}.{key}"
        if key not in hints:
            _check_known([section, str(key)], _error_at(origin, path), "")
        values[key] = _convert(value, hints[key], path, origin)
    return cls(**values)


def _convert(value, hint, path, origin):
    """``value`` as the type the field declares, or a ConfigError naming the path."""
    if hint is bool:
        ok, wanted = isinstance(value, bool), "true or false"
    elif hint is int:
        ok, wanted = isinstance(value, int) and not isinstance(value, bool), "an integer"
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and _finite(value)
        wanted, value = "a finite number", float(value) if ok else value
    elif hint is str:
        ok, wanted = isinstance(value, str) and value != "", "a non-empty string"
    elif hint == OPTIONAL_STR:
        ok, wanted = value is None or (isinstance(value, str) and value != ""), "a string or null"
    elif hint == typing.List[int]:
        value = [value] if isinstance(value, int) and not isinstance(value, bool) else value
        ok = isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        wanted = "a list of integers, e.g. [64, 32]"
    else:  # dict
        ok, wanted = isinstance(value, dict) and all(isinstance(k, str) for k in value), "a mapping"
    if not ok:
        raise origin.error(path, f"{path} must be {wanted}, got {_show(value)}")
    return value


def _check_rules(config, origin):
    data, opt, train = config.data, config.optimizer, config.train
    rules = [
        ("name", re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", config.name), "must be letters, digits, '_', '-' or '.'"),
        ("seed", 0 <= config.seed < 2**32, "must be in [0, 2**32)"),
        ("train.epochs", train.epochs >= 1, "must be >= 1"),
        ("train.batch_size", train.batch_size >= 1, "must be >= 1"),
        ("data.dataset", data.dataset in DATASET_NAMES, _one_of(DATASET_NAMES)),
        ("data.path", data.dataset != "csv" or data.path, "is needed when data.dataset is csv"),
        ("data.path", data.dataset == "csv" or data.path is None, "applies only when data.dataset is csv"),
        ("data.target", data.dataset == "csv" or data.target is None, "applies only when data.dataset is csv"),
        ("data.params", data.dataset != "csv" or not data.params, "does not apply to csv data"),
        ("data.test_size", 0 < data.test_size < 1, "must be in (0, 1)"),
        ("data.val_size", 0 <= data.val_size < 1, "must be in [0, 1)"),
        ("data.val_size", data.test_size + data.val_size < 1, f"plus data.test_size ({data.test_size}) must be < 1"),
        ("model.hidden", all(h >= 1 for h in config.model.hidden), "must hold positive integers"),
        ("model.activation", config.model.activation in ACTIVATIONS, _one_of(ACTIVATIONS)),
        ("model.init", config.model.init in ("auto", *INITIALIZERS), _one_of(("auto", *INITIALIZERS))),
        ("model.dtype", config.model.dtype in DTYPES, _one_of(DTYPES)),
        ("optimizer.name", opt.name in OPTIMIZERS, _one_of(OPTIMIZERS)),
        ("optimizer.lr", opt.lr > 0, "must be > 0"),
        ("optimizer.momentum", 0 <= opt.momentum < 1, "must be in [0, 1)"),
        ("optimizer.nesterov", not opt.nesterov or opt.momentum > 0, "needs optimizer.momentum > 0"),
        ("optimizer.weight_decay", opt.weight_decay >= 0, "must be >= 0"),
        ("optimizer.schedule", opt.schedule in SCHEDULES, _one_of(SCHEDULES)),
        ("optimizer.warmup_epochs", 0 <= opt.warmup_epochs < train.epochs, f"must be in [0, train.epochs={train.epochs})"),
        ("optimizer.step_size", opt.step_size >= 1, "must be >= 1"),
        ("optimizer.gamma", 0 < opt.gamma <= 1, "must be in (0, 1]"),
        ("optimizer.min_lr", 0 <= opt.min_lr < opt.lr, f"must be in [0, optimizer.lr={opt.lr})"),
        ("train.label_smoothing", 0 <= train.label_smoothing < 1, "must be in [0, 1)"),
        ("train.monitor", train.monitor in MONITORS, _one_of(MONITORS)),
        ("train.patience", train.patience >= 1, "must be >= 1"),
        ("train.min_delta", train.min_delta >= 0, "must be >= 0"),
        ("train.early_stopping", not (train.early_stopping and train.monitor.startswith("val_")) or data.val_size > 0,
         f"on {train.monitor} needs data.val_size > 0"),
        ("train.checkpoint_every", train.checkpoint_every >= 0, "must be >= 0"),
    ]
    for path, ok, message in rules:
        if not ok:
            raise origin.error(path, f"{path} {message}, got {_show(config.get(path))}")


def _check_dataset_params(config, origin):
    """Each data.params key must be a parameter of the scikit-learn function behind data.dataset."""
    if not config.data.params:
        return
    valid = [name for name, _ in parameters(config.data.dataset)]
    for key in config.data.params:
        if key not in valid:
            path = f"data.params.{key}"
            hint = _suggest(key, valid, "data.params")
            raise origin.error(path, f"{path} is not a parameter of dataset {config.data.dataset}{hint}")


def _resolve_data_path(config, base, origin):
    """Make data.path absolute: relative to the config file's folder (or the working folder for --set)."""
    if config.data.path is None:
        return
    path = Path(config.data.path).expanduser()
    if not path.is_absolute():
        path = (Path.cwd() if origin.of("data.path").startswith("--set") else base) / path
    config.data.path = str(path.resolve())


def _finite(number):
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer too large for a float
        return False


def _one_of(names):
    return "must be one of " + ", ".join(names)


def _show(value):
    """A value as the user wrote it in YAML: true, null, "text", [1, 2]."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _kind(value):
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), type(value).__name__)
