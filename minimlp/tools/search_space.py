"""``--space`` of ``minimlp sweep --search``: a config key and a distribution, parsed and checked before any trial."""
import json
import re
from dataclasses import dataclass

from ..config.loading import check_key, load_config, parse_yaml
from ..errors import ConfigError

KINDS = ("loguniform", "uniform", "int", "choice")


@dataclass(frozen=True)
class Dimension:
    key: str  # the config key path
    kind: str  # loguniform, uniform, int, int-log or choice
    values: tuple  # (low, high), or the choices

    def distribution(self):
        from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

        if self.kind == "choice":  # Optuna's choices are scalars: a list such as [128, 64] travels as JSON text
            return CategoricalDistribution([json.dumps(v) for v in self.values])
        if self.kind.startswith("int"):
            return IntDistribution(*self.values, log=self.kind == "int-log")
        return FloatDistribution(*self.values, log=self.kind == "loguniform")

    def value(self, sampled):
        """The config value of a sampled parameter."""
        return json.loads(sampled) if self.kind == "choice" else sampled


def parse_space(text):
    """'optimizer.lr=loguniform(1e-4,1e-1)' -> Dimension; one ConfigError naming the option otherwise.

    loguniform(low, high) and uniform(low, high): floats; int(low, high) or int(low, high, log): integers;
    choice(v1, v2, ...): any YAML values, e.g. choice([64],[128,64]) or choice(sgd,adam).
    """
    where = f"--space {text[:200]}"
    key, sep, rest = text.partition("=")
    key = key.strip()
    found = re.fullmatch(r"\s*([a-z]+)\((.*)\)\s*", rest, re.S)
    if not sep or not key or not found or found.group(1) not in KINDS:
        raise ConfigError(f"{where}: expected key.path=KIND(...) with KIND one of {', '.join(KINDS)}, "
                          "e.g. optimizer.lr=loguniform(1e-4,1e-1) or model.hidden=choice([64],[128,64])")
    check_key(key, f"{where}: ")
    kind = found.group(1)
    try:
        args = parse_yaml(f"[{found.group(2)}]")
    except Exception:  # any YAML error: say which option
        raise ConfigError(f"{where}: the arguments are not a valid YAML list") from None
    if kind == "choice":
        if not args:
            raise ConfigError(f"{where}: choice needs at least one value")
        if len({json.dumps(a, sort_keys=True) for a in args}) != len(args):
            raise ConfigError(f"{where}: choice repeats a value")
        return Dimension(key, kind, tuple(args))
    if kind == "int":
        log = args[2:] == ["log"]
        if len(args) - log != 2 or not all(type(a) is int for a in args[:2]) or not args[0] < args[1]:
            raise ConfigError(f"{where}: int needs two whole numbers low < high (and optionally log), e.g. int(1,4)")
        if log and args[0] < 1:
            raise ConfigError(f"{where}: int(..., log) needs low >= 1")
        return Dimension(key, "int-log" if log else "int", tuple(args[:2]))
    if len(args) != 2 or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args) \
            or not args[0] < args[1] or not all(abs(a) < float("inf") for a in args):
        raise ConfigError(f"{where}: {kind} needs two finite numbers low < high, e.g. {kind}(0.001,0.1)")
    if kind == "loguniform" and args[0] <= 0:
        raise ConfigError(f"{where}: loguniform needs low > 0")
    return Dimension(key, kind, (float(args[0]), float(args[1])))


def check_space(config_path, overrides, space):
    """ConfigError, before any trial, for a key given twice or a value its key cannot take (each bound, each choice)."""
    keys = [d.key for d in space]
    for key in keys:
        if keys.count(key) > 1:
            raise ConfigError(f"--space {key} is given {keys.count(key)} times; give one distribution per key")
    for d in space:
        for value in (d.values if d.kind == "choice" else d.values):
            try:
                load_config(config_path, [*overrides, f"{d.key}={json.dumps(value)}"])
            except ConfigError as e:
                raise ConfigError(str(e).replace(f"--set {d.key}={json.dumps(value)}", f"--space {d.key}")) from None
    config = load_config(config_path, overrides)
    if not config.data.val_size:
        raise ConfigError("--search scores each trial by its best validation loss: data.val_size must be > 0")
    return config
