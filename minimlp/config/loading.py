"""Reading a config: YAML files, ``--set key.path=value`` overrides, and the validated ``Config``.

A config file holds only what differs from the defaults (``schema.py``).  Every
problem is reported as one ConfigError naming the file (or the ``--set``
option), the key path and the value given, before any work starts.
"""
import dataclasses
import re
import typing
from pathlib import Path

import yaml

from .rules import MAX_NAME, MONITORS, check_dataset_params, check_rules, clip, convert, kind, show, suggest
from ..errors import ConfigError
from ..files import read_text
from .yaml_reader import parse_yaml
from .schema import SECTIONS, Config, DataConfig, ModelConfig, OptimizerConfig, TrainConfig

MAX_CONFIG_BYTES = 1 << 20  # a config holds a few dozen keys; 1 MiB is far beyond any real one

__all__ = ["MONITORS", "SECTIONS", "Config", "DataConfig", "ModelConfig", "OptimizerConfig", "TrainConfig",
           "check_key", "load_config", "origin_of", "parse_override", "parse_yaml"]


# Keys added after a run folder may have been written, with the value that means the behaviour before them.
# A saved config.yaml holds every key of its version, so a key it lacks predates it (issue 22's defaults).
LEGACY = {"data": {"scaling": "standard", "missing_indicators": False, "identifiers": "refuse", "piecewise_bins": 0},
          "model": {"dropout": 0.0}, "train": {"calibrate": False}}


def load_config(path=None, overrides=(), saved=False):
    """The validated Config from a YAML file (or the defaults) and ``key.path=value`` overrides.

    ``saved``: the file is a run folder's config.yaml; keys it lacks keep the behaviour of the
    version that wrote it (``LEGACY``), so an older run resumes as it started.
    """
    raw = {} if path is None else _read_file(Path(path))
    if saved:
        for section, values in LEGACY.items():
            if isinstance(raw.get(section), dict):
                raw[section] = {**values, **raw[section]}
    origin = _Origin(str(path) if path is not None else "defaults")
    for text in overrides:
        key, value = parse_override(text)
        _set_path(raw, key, value, text)
        origin.overridden[key] = text
    config = _build(raw, origin)
    _resolve_unset(config, raw)
    check_rules(config, origin)
    check_dataset_params(config, origin)
    config.source = origin.source
    config.overridden = dict(origin.overridden)  # for origin_of: a later message names the --set option
    _resolve_data_path(config, Path(path).parent if path is not None else Path.cwd(), origin)
    return config


def origin_of(config, key):
    """Where ``config``'s value at ``key`` came from: its ``--set`` option, else its file (or 'defaults')."""
    origin = _Origin(getattr(config, "source", "config"))
    origin.overridden = getattr(config, "overridden", {})
    return origin.of(key)


class _Origin:
    """Where each value came from, so a message can name the file or the --set option."""

    def __init__(self, source):
        self.source, self.overridden = source, {}

    def of(self, key):
        for prefix, text in self.overridden.items():
            if key == prefix or key.startswith(prefix + "."):
                return f"--set {clip(text)}"
        return self.source

    def error(self, key, message):
        return ConfigError(f"{self.of(key)}: {message}")


def _read_file(path):
    text = read_text(path, ConfigError, "config file", MAX_CONFIG_BYTES)
    try:
        raw = parse_yaml(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: invalid YAML{where}: {_problem(e)}") from None
    if raw is None:
        raise ConfigError(f"{path}: the file is empty; write at least one key (e.g. 'name: my-run')")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: must be a mapping of keys to values, got a {kind(raw)}")
    return raw


def _problem(error):
    return getattr(error, "problem", None) or str(error)


def parse_override(text):
    """'optimizer.lr=0.05' -> ('optimizer.lr', 0.05), the value typed as YAML."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set {clip(text)}: expected key.path=value, e.g. optimizer.lr=0.05")
    try:
        return key, parse_yaml(value) if value.strip() else None
    except yaml.YAMLError as e:
        raise ConfigError(f"--set {clip(text)}: the value is not valid YAML ({_problem(e)})") from None


def _set_path(raw, key, value, text):
    parts = key.split(".")
    _check_known(parts, ConfigError, f"--set {clip(text)}: ")
    node = raw
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            raise ConfigError(f"--set {clip(text)}: {where} is not a mapping, so it has no key {parts[depth + 1]!r}")
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
            full = clip(".".join(parts[: depth + 1]))
            raise error(f"{prefix}unknown key {full}{suggest(part, names, where)}")
        if depth == 0 and part in SECTIONS:
            names = [f.name for f in dataclasses.fields(SECTIONS[part])]
        elif parts[:2] == ["data", "params"]:
            return
        elif depth + 1 < len(parts):
            raise error(f"{prefix}{'.'.join(parts[:depth + 1])} has no keys below it")


def _build(raw, origin):
    values = {}
    for key, value in raw.items():
        if not isinstance(key, str) or key not in {f.name for f in dataclasses.fields(Config)}:
            name = key if isinstance(key, str) else show(key)
            _check_known([name], _error_at(origin, name), "")
        if key in SECTIONS:
            values[key] = _build_section(SECTIONS[key], {} if value is None else value, key, origin)
        else:
            values[key] = convert(value, Config.__dataclass_fields__[key].type, key, origin)
    return Config(**values)


def _resolve_unset(config, raw):
    """Defaults that need a validation split step aside, when not set explicitly, for a run without one
    (early stopping on a validation metric, calibration) or for lbfgs (which stops on its own tolerance
    and minimises a fixed loss: no dropout); and a name, when none is given, from the data."""
    if "name" not in raw:
        config.name = name_from_data(config.data)
    train = raw.get("train") if isinstance(raw.get("train"), dict) else {}
    model = raw.get("model") if isinstance(raw.get("model"), dict) else {}
    no_val = config.data.val_size == 0
    lbfgs = config.optimizer.name == "lbfgs"
    if "early_stopping" not in train and (lbfgs or (no_val and config.train.monitor.startswith("val_"))):
        config.train.early_stopping = False
    if "calibrate" not in train and (no_val or lbfgs):
        config.train.calibrate = False
    if "dropout" not in model and lbfgs:
        config.model.dropout = 0.0


def name_from_data(data):
    """A run's name for a config that gives none: the dataset's, or the table file's stem in the
    characters a name may hold (``my data (2).csv`` -> ``my-data-2``), so runs/ says what was trained."""
    if data.dataset != "csv":
        return data.dataset
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(str(data.path or "")).stem).strip("-._")
    return stem[:MAX_NAME].rstrip("-._") or "table"


def _error_at(origin, key):
    return lambda message: origin.error(key, message)


def _build_section(cls, raw, section, origin):
    if not isinstance(raw, dict):
        raise origin.error(section, f"{section} must be a mapping of keys to values, got {show(raw)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in raw.items():
        path = f"{section}.{key if isinstance(key, str) else show(key)}"
        if key not in hints:
            name = key if isinstance(key, str) else show(key)
            _check_known([section, name], _error_at(origin, path), "")
        values[key] = convert(value, hints[key], path, origin)
    return cls(**values)


def _resolve_data_path(config, base, origin):
    """Make data.path absolute: relative to the config file's folder (or the working folder for --set)."""
    if config.data.path is None:
        return
    path = Path(config.data.path).expanduser()
    if not path.is_absolute():
        path = (Path.cwd() if origin.of("data.path").startswith("--set") else base) / path
    config.data.path = str(path.resolve())
