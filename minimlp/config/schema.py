"""The config's sections as dataclasses: every key, its type and its default.

A config file holds only what differs from these defaults; ``config.py`` reads
files and ``--set`` overrides into them, ``config_rules.py`` checks the values.
"""
import dataclasses
import typing
from dataclasses import dataclass, field

import yaml


@dataclass
class DataConfig:
    dataset: str = "digits"  # a scikit-learn dataset or generator, openml, or csv (a CSV, TSV or Parquet file)
    params: dict = field(default_factory=dict)  # keyword arguments for the scikit-learn loader/generator/fetch_openml
    path: typing.Optional[str] = None  # csv: the file, relative to the config file's folder
    target: typing.Optional[str] = None  # csv/openml: the target column (default: the last column / OpenML's target)
    delimiter: typing.Optional[str] = None  # csv: the cell separator (default: by extension, tab for .tsv, else ',')
    drop: typing.List[str] = field(default_factory=list)  # csv/openml: columns that are not features (IDs, leaks)
    features: typing.Optional[typing.List[str]] = None  # csv/openml: use only these columns (not with data.drop)
    categorical: typing.Union[str, typing.List[str]] = "auto"  # auto: text columns; or a list of column names
    identifiers: str = "drop"  # a feature column that identifies rows (an ID): drop it with a note, or refuse the table
    max_categories: int = 1000  # a categorical column with more distinct values is refused (an ID or free text)
    missing: str = "error"  # error, or impute (median / most frequent, fit on the training split)
    test_size: float = 0.2
    val_size: float = 0.1  # 0: no validation split
    standardize: bool = True  # scale numeric features (fit on the training split), as data.scaling says
    scaling: str = "robust"  # robust: (x - median) / IQR, then smoothly clipped to ±3 (RealMLP's); standard: z-scores
    missing_indicators: bool = True  # missing: impute adds a 0/1 input per column with missing training cells
    piecewise_bins: int = 8  # n > 0: beside each numeric value, its piecewise-linear encoding on n quantile bins
    weight_column: typing.Optional[str] = None  # csv: a column of sample weights (numbers >= 0), not a feature


@dataclass
class ModelConfig:
    hidden: typing.List[int] = field(default_factory=lambda: [128])  # hidden layer widths; [] for none
    activation: str = "relu"
    init: str = "auto"  # auto: he for relu/leaky_relu, xavier otherwise
    dtype: str = "float32"
    dropout: float = 0.25  # a rate in [0, 1): inverted dropout after every hidden activation, in training only
    scale: bool = False  # a learnable per-feature scale x ⊙ s before the first layer (s starts at 1; no weight decay)
    embedding: str = "none"  # none, or periodic: each input x becomes [x, sin(2π c x), cos(2π c x)], c learnable
    embedding_size: int = 8  # periodic: k frequencies c per input (1 + 2k values each)
    embedding_sigma: float = 0.1  # periodic: the frequencies start as N(0, σ²)
    ensemble: int = 1  # k networks trained together on the same batches, their probabilities averaged


@dataclass
class OptimizerConfig:
    name: str = "adamw"  # adamw (decoupled weight decay), adam, sgd, or lbfgs (full batch, scipy's L-BFGS-B)
    lr: float = 0.001
    momentum: float = 0.9  # sgd only
    nesterov: bool = False  # sgd only
    weight_decay: float = 0.0  # on weights (never biases): adamw p ← p - lr·λ·p; sgd, adam: λ·W added to the gradient
    schedule: str = "constant"  # constant, step or cosine, after warmup_epochs of linear warm-up; or invscaling, adaptive
    warmup_epochs: int = 0
    step_size: int = 10  # step: epochs between decays
    gamma: float = 0.1  # step: factor per decay
    min_lr: float = 0.0  # cosine: the floor
    cycles: int = 4  # multicycle: cosine cycles, each twice as long as the one before (RealMLP's coslog4)
    power_t: float = 0.5  # invscaling: lr / (samples seen + 1)^power_t
    beta_1: float = 0.9  # adam, adamw: decay of the first moment
    beta_2: float = 0.999  # adam, adamw: decay of the second moment
    epsilon: float = 1e-8  # adam, adamw
    tol: float = 0.0001  # lbfgs only: stop when the largest gradient entry is below it (scipy's gtol)
    max_fun: int = 15000  # lbfgs only: the most loss evaluations (train.epochs bounds the iterations)


@dataclass
class TrainConfig:
    epochs: int = 200  # the budget: early stopping usually ends a run well before it
    batch_size: int = 32
    shuffle: bool = True
    label_smoothing: float = 0.0
    early_stopping: bool = True  # stop when `monitor` has not improved for `patience` epochs
    monitor: str = "val_loss"  # val_loss, val_acc or train_loss
    patience: int = 10
    min_delta: float = 0.0  # the smallest change that counts as an improvement
    restore_best: bool = True  # early stopping ends with the best epoch's weights
    calibrate: bool = True  # temperature scaling: one factor on the logits, fitted on the validation split's NLL
    checkpoint_every: int = 10  # epochs between checkpoints (0: only at the end or on interrupt)
    class_weight: typing.Union[None, str, dict] = None  # balanced, or {label: weight}: multiplies the sample weights


@dataclass
class Config:
    name: str = "digits"  # names the run folder; not given in a config, the data's name (config/loading.name_from_data)
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


SECTIONS = {f.name: f.type for f in dataclasses.fields(Config) if dataclasses.is_dataclass(f.type)}
OPTIONAL_STR = typing.Optional[str]
CATEGORICAL = typing.Union[str, typing.List[str]]
NAMES = typing.List[str]
OPTIONAL_NAMES = typing.Optional[typing.List[str]]
CLASS_WEIGHT = typing.Union[None, str, dict]


class _Dumper(yaml.SafeDumper):
    """Block style for sections, flow style for lists: `hidden: [64, 64]`."""


_Dumper.add_representer(list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True))
