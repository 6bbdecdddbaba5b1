"""Config loading: defaults, overrides, and one clear ConfigError per kind of mistake."""
import os
from pathlib import Path

import pytest

from minimlp.config import Config, load_config
from minimlp.errors import ConfigError


def write(tmp_path, text, name="c.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_defaults_are_the_digits_config():
    config = load_config()
    assert config == Config()
    assert (config.name, config.data.dataset, config.model.hidden, config.model.dtype) == ("digits", "digits", [128], "float32")


def test_file_values_and_typed_overrides(tmp_path):
    path = write(tmp_path, "name: x\noptimizer:\n  lr: 1e-3\nmodel:\n  hidden: [8, 4]\n")
    config = load_config(path, ["optimizer.momentum=0.5", "model.hidden=[3]", "train.shuffle=false",
                                "data.dataset=moons", "data.params.noise=0.3"])
    assert config.optimizer.lr == 0.001  # 1e-3 is a number, as YAML 1.2 reads it
    assert config.optimizer.momentum == 0.5 and config.model.hidden == [3] and config.train.shuffle is False
    assert config.data.params == {"noise": 0.3}
    assert config.name == "x" and config.train.epochs == 200  # untouched keys keep their defaults


def test_resolved_config_round_trips_through_yaml(tmp_path):
    config = load_config(None, ["data.dataset=moons", "data.params={n_samples: 50}", "model.hidden=[]"])
    again = load_config(write(tmp_path, config.to_yaml()))
    assert again == config


def test_csv_path_is_relative_to_the_config_folder_and_set_paths_to_the_working_folder(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    path = write(tmp_path / "sub", "data:\n  dataset: csv\n  path: ../d.csv\n")
    assert load_config(path).data.path == str(tmp_path / "d.csv")
    monkeypatch.chdir(tmp_path / "sub")
    assert load_config(path, ["data.path=e.csv"]).data.path == os.path.join(str(tmp_path), "sub", "e.csv")


BAD_CONFIGS = [
    # (file text, overrides, what the message must contain)
    ("optimizer:\n  lrr: 0.1\n", [], "unknown key optimizer.lrr (did you mean optimizer.lr?)"),
    ("trian:\n  epochs: 3\n", [], "unknown key trian (did you mean train?)"),
    ("model:\n  widths: [3]\n", [], "unknown key model.widths (valid keys: model.hidden"),
    ("optimizer:\n  lr: -1\n", [], "optimizer.lr must be > 0, got -1.0"),
    ("optimizer:\n  lr: 0\n", [], "optimizer.lr must be > 0, got 0.0"),
    ("optimizer:\n  lr: true\n", [], "optimizer.lr must be a finite number, got true"),
    ("optimizer:\n  lr: .nan\n", [], "optimizer.lr must be a finite number"),
    ("optimizer:\n  lr: fast\n", [], 'optimizer.lr must be a finite number, got "fast"'),
    ("optimizer:\n  momentum: 1.0\n", [], "optimizer.momentum must be in [0, 1), got 1.0"),
    ("optimizer:\n  momentum: -0.1\n", [], "optimizer.momentum must be in [0, 1)"),
    ("train:\n  batch_size: 0\n", [], "train.batch_size must be >= 1, got 0"),
    ("train:\n  batch_size: 3.5\n", [], "train.batch_size must be an integer, got 3.5"),
    ("train:\n  epochs: true\n", [], "train.epochs must be an integer, got true"),
    ("data:\n  test_size: 0\n", [], "data.test_size must be in (0, 1), got 0.0"),
    ("data:\n  test_size: 1.5\n", [], "data.test_size must be in (0, 1)"),
    ("data:\n  val_size: 1\n", [], "data.val_size must be in [0, 1), got 1.0"),
    ("data:\n  test_size: 0.5\n  val_size: 0.5\n", [], "data.val_size plus data.test_size (0.5) must be < 1"),
    ("seed: -1\n", [], "seed must be in [0, 2**32), got -1"),
    ("seed: 4294967296\n", [], "seed must be in [0, 2**32)"),
    ("model:\n  activation: gelu\n", [], "model.activation must be one of relu, leaky_relu, tanh, sigmoid, identity"),
    ("data:\n  dataset: mnist\n", [], "data.dataset must be one of iris, digits, wine, breast_cancer, moons, circles"),
    ("model:\n  hidden: [16, 0]\n", [], "model.hidden must hold positive integers"),
    ("model:\n  hidden: [16, true]\n", [], "model.hidden must be a list of integers"),
    ("model:\n  dtype: float16\n", [], "model.dtype must be one of float32, float64"),
    ("optimizer:\n  nesterov: true\n  momentum: 0\n", [], "optimizer.nesterov needs optimizer.momentum > 0"),
    ("train:\n  early_stopping: true\ndata:\n  val_size: 0\n", [], "train.early_stopping on val_loss needs data.val_size > 0"),
    ("data:\n  dataset: csv\n", [], "data.path is needed when data.dataset is csv"),
    ("data:\n  dataset: moons\n  params: {noize: 0.1}\n", [], "data.params.noize is not a parameter of dataset moons (did you mean data.params.noise?)"),
    ("data: 5\n", [], "data must be a mapping"),
    ("data:\n  target: species\n", [], "data.target applies only when data.dataset is csv"),
    ("data:\n  path: x.csv\n", [], "data.path applies only when data.dataset is csv"),
    ("data:\n  dataset: csv\n  path: x.csv\n  params: {a: 1}\n", [], "data.params does not apply to csv data"),
    ("model:\n  init: zeros\n", [], "model.init must be one of auto, he, xavier, glorot, sklearn"),
    ("optimizer:\n  name: rmsprop\n", [], "optimizer.name must be one of sgd, adam"),
    ("optimizer:\n  weight_decay: -0.1\n", [], "optimizer.weight_decay must be >= 0"),
    ("optimizer:\n  schedule: linear\n", [], "optimizer.schedule must be one of constant, step, cosine"),
    ("optimizer:\n  warmup_epochs: 200\n", [], "optimizer.warmup_epochs must be in [0, train.epochs=200)"),
    ("optimizer:\n  step_size: 0\n", [], "optimizer.step_size must be >= 1"),
    ("optimizer:\n  gamma: 1.5\n", [], "optimizer.gamma must be in (0, 1]"),
    ("optimizer:\n  min_lr: 0.5\n", [], "optimizer.min_lr must be in [0, optimizer.lr=0.001)"),
    ("train:\n  epochs: 0\n", [], "train.epochs must be >= 1, got 0"),
    ("train:\n  label_smoothing: 1\n", [], "train.label_smoothing must be in [0, 1)"),
    ("train:\n  monitor: accuracy\n", [], "train.monitor must be one of val_loss, val_acc, train_loss"),
    ("train:\n  patience: 0\n", [], "train.patience must be >= 1"),
    ("train:\n  min_delta: -1\n", [], "train.min_delta must be >= 0"),
    ("train:\n  checkpoint_every: -1\n", [], "train.checkpoint_every must be >= 0"),
    ("name: [a]\n", [], "name must be a non-empty string"),
    ("name: a/b\n", [], "name must be letters"),
    ("{}\n", ["optimizer.lr=-2"], "--set optimizer.lr=-2: optimizer.lr must be > 0, got -2.0"),
    ("{}\n", ["optimizer.lrr=2"], "--set optimizer.lrr=2: unknown key optimizer.lrr (did you mean optimizer.lr?)"),
    ("{}\n", ["optimizer"], "--set optimizer: expected key.path=value"),
    ("{}\n", ["seed.x=1"], "seed has no keys below it"),
    ("{}\n", ["model.hidden=[1,"], "--set model.hidden=[1,: the value is not valid YAML"),
]


@pytest.mark.parametrize("text,overrides,message", BAD_CONFIGS)
def test_bad_config_gives_one_message_naming_key_value_and_file(tmp_path, text, overrides, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, overrides)
    text = str(info.value)
    assert message in text
    if not overrides:
        assert text.startswith(str(path))


@pytest.mark.parametrize("text,message", [
    ("", "the file is empty"),
    ("# only a comment\n", "the file is empty"),
    ("- a\n- b\n", "must be a mapping of keys to values, got a list"),
    ("42\n", "must be a mapping of keys to values, got a number"),
    ("optimizer:\n  lr: [0.1\n", "invalid YAML at line 3"),
    ("a: b: c\n", "invalid YAML at line 1"),
])
def test_unusable_files(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_config(write(tmp_path, text))


def test_missing_file_binary_file_and_folder(tmp_path):
    with pytest.raises(ConfigError, match="nope.yaml: no such file"):
        load_config(tmp_path / "nope.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(ConfigError, match="not a UTF-8 text file"):
        load_config(tmp_path / "bin.yaml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)


@pytest.mark.parametrize("sets, name", [
    (["data.dataset=iris"], "iris"),
    ([], "digits"),
    (["data.dataset=csv", "data.path=/data/churn.csv", "data.target=y"], "churn"),
    (["data.dataset=csv", "data.path=/data/my data (2).v1.tsv", "data.target=y"], "my-data-2-.v1"),
    (["data.dataset=csv", "data.path=/data/__.csv", "data.target=y"], "table"),
    (["data.dataset=csv", "data.path=/data/données.csv", "data.target=y"], "donn-es"),
    (["name=mine", "data.dataset=iris"], "mine"),
])
def test_a_config_without_a_name_is_named_after_its_data(sets, name):
    assert load_config(None, sets).name == name


def test_a_table_runs_folder_is_named_after_its_file(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from minimlp.cli import main

    table = tmp_path / "churn rates.csv"
    table.write_text("a,y\n" + "".join(f"{i % 7},{'pq'[i % 2]}\n" for i in range(40)))
    config = tmp_path / "c.yaml"
    config.write_text(f"data: {{dataset: csv, path: '{table}', target: y}}\ntrain: {{epochs: 2}}\n")
    monkeypatch.chdir(tmp_path)  # the default folder is runs/<name>-<time> below the working directory
    result = CliRunner().invoke(main, ["train", "-q", str(config)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    folder = tmp_path / result.output.strip()
    assert folder.name.startswith("churn-rates-") and (folder / "config.yaml").read_text().startswith("name: churn-rates")
