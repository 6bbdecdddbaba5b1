"""Fuzzing the input doors: only minimlp's own error type may escape, and the CLI answers with exit 2."""
import copy

import yaml
from click.testing import CliRunner
from helpers import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from minimlp.cli import main
from minimlp.config import Config, load_config
from minimlp.data import load_csv
from minimlp.errors import ConfigError, DataError

SETTINGS = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=True),
                    st.text(max_size=12))
keys = st.one_of(st.sampled_from(["name", "seed", "data", "model", "optimizer", "train", "lr", "hidden",
                                  "dataset", "params", "epochs", "batch_size"]), st.text(max_size=8))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
VALID = Config().to_dict()


def try_load(tmp_path, text):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as e:
        assert str(e)  # a message, never empty


@SETTINGS
@given(documents)
def test_random_yaml_documents(tmp_path, document):
    try_load(tmp_path, yaml.safe_dump(document))


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200))
def test_random_text(tmp_path, text):
    try_load(tmp_path, text)


@st.composite
def mutated_configs(draw):
    config = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 3))):
        section = draw(st.sampled_from(sorted(config)))
        if isinstance(config[section], dict) and config[section] and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(config[section])))
            action = draw(st.sampled_from(["value", "delete", "rename"]))
            if action == "value":
                config[section][key] = draw(documents)
            elif action == "delete":
                del config[section][key]
            else:
                config[section][draw(keys)] = config[section].pop(key)
        else:
            config[section] = draw(documents)
    return config


@SETTINGS
@given(mutated_configs())
def test_mutated_valid_configs(tmp_path, config):
    try_load(tmp_path, yaml.safe_dump(config))


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated_configs())
def test_cli_answers_bad_configs_with_exit_2(tmp_path, config):
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(config))
    try:
        load_config(path)
    except ConfigError as e:
        result = CliRunner().invoke(main, ["config", "show", str(path)])
        assert result.exit_code == 2 and str(e) in result.output and "Traceback" not in result.output


def try_csv(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        load_csv(path)
    except DataError as e:
        assert str(path) in str(e)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_as_csv(tmp_path, data):
    try_csv(tmp_path, data)


cells = st.one_of(st.sampled_from(["", "nan", "inf", "-inf", "1e400", "x", '"', "1,5", " 3 ", "0x10", "1_0"]),
                  st.floats(allow_nan=True).map(repr), st.integers().map(str), st.text(max_size=5))


@SETTINGS
@given(st.lists(st.lists(cells, min_size=0, max_size=5), min_size=0, max_size=8))
@example([["0.0", "0.0", "9223372036854775808"]])  # once raised OverflowError from the label parser
def test_malformed_rows(tmp_path, rows):
    text = "a,b,c\n" + "\n".join(",".join(row) for row in rows)
    try_csv(tmp_path, text.encode("utf-8", "surrogatepass"))


small = st.one_of(st.integers(-3, 40), st.floats(-2, 5), st.just(float("nan")), st.none(), st.booleans(), st.text(max_size=3),
                  st.lists(st.integers(-2, 20), max_size=3))


@settings(max_examples=examples(200), deadline=None)
@given(st.sampled_from(["moons", "circles", "blobs", "classification", "gaussian_quantiles"]),
       st.dictionaries(st.sampled_from(["n_samples", "noise", "factor", "centers", "n_features", "n_classes",
                                        "n_informative", "n_redundant", "cluster_std", "shuffle"]), small, max_size=3),
       st.floats(0.05, 0.6), st.floats(0, 0.3))
def test_data_stage_with_random_generator_params(name, params, test_size, val_size):
    from minimlp.errors import MinimlpError
    from minimlp.runs import prepare

    try:
        as_yaml = yaml.safe_dump(params, default_flow_style=True).strip()
        config = load_config(None, [f"data.dataset={name}", f"data.params={as_yaml}", f"data.test_size={test_size}",
                                    f"data.val_size={val_size}", "model.hidden=[3]"])
        prepare(config)
    except MinimlpError as e:
        assert str(e)
