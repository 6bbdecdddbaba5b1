"""Run configuration: typed sections (schema), reading YAML and --set overrides (loading),
value checks (rules)."""
from .loading import check_key, load_config, parse_override, parse_yaml
from .schema import SECTIONS, Config, DataConfig, ModelConfig, OptimizerConfig, TrainConfig

__all__ = [
    "load_config", "parse_yaml", "parse_override", "check_key",
    "Config", "DataConfig", "ModelConfig", "OptimizerConfig", "TrainConfig", "SECTIONS",
]
