"""Issue 25, item 5: messages name the real source (the --set or --grid option, the weights column and
file, the class_weight key) and say what is true; class_weight keys match labels as labels match."""
import pytest

from helpers import run

IRIS = "name: m\ndata:\n  dataset: iris\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 2\n"


def weighted_csv(tmp_path, weight, labels=("1", "x")):
    rows = ["a,b,w,y"] + [f"{i % 5},{i % 3},{weight},{labels[i % 2]}" for i in range(60)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "c.yaml").write_text("name: w\ndata:\n  dataset: csv\n  path: t.csv\n  target: y\n"
                                     "  weight_column: w\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 2\n")
    return tmp_path / "c.yaml"


def test_a_class_weight_from_set_is_blamed_on_the_set_option_and_the_data_on_the_dataset(tmp_path):
    (tmp_path / "c.yaml").write_text(IRIS)
    result = run("train", tmp_path / "c.yaml", "--set", "train.class_weight={virginia: 2}", "--out", tmp_path / "r")
    assert result.exit_code == 2
    assert ('Error: --set train.class_weight={virginia: 2}: train.class_weight names the class "virginia", '
            "which iris does not hold (its classes: setosa, versicolor, virginica)") in result.output


def test_a_class_weight_from_grid_is_blamed_on_the_grid_option(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(IRIS)
    result = run("sweep", "c.yaml", "--grid", "train.class_weight={virginia: 2}", "--out", "s", "-j", "1")
    assert result.exit_code == 1
    assert '--grid train.class_weight={"virginia": 2}: train.class_weight names the class "virginia"' in result.output
    assert "--set" not in result.output


def test_tiny_weights_train_in_float32_as_their_ratios_say(tmp_path):
    result = run("train", weighted_csv(tmp_path, 1e-300), "--out", tmp_path / "r", "-q")
    assert result.exit_code == 0, result.output
    assert "not all 0" not in result.output


def test_weights_whose_sum_float64_cannot_hold_are_named_with_their_column_and_file(tmp_path):
    result = run("train", weighted_csv(tmp_path, 1e307), "--out", tmp_path / "r")
    assert result.exit_code == 2
    assert (f"data.weight_column 'w' of {tmp_path / 't.csv'}: the training rows' weights sum to more than "
            "float64 can hold") in result.output
    assert not (tmp_path / "r").exists()


def test_a_class_weight_product_that_overflows_names_both_sources(tmp_path):
    config = weighted_csv(tmp_path, 1e308)
    result = run("train", config, "--set", "train.class_weight={x: 10}", "--out", tmp_path / "r")
    assert result.exit_code == 2
    assert (f"data.weight_column 'w' of {tmp_path / 't.csv'} times train.class_weight "
            "(--set train.class_weight={x: 10}): the product overflows float64 in training row") in result.output


@pytest.mark.parametrize("key", ["1.0", "1", "'1'", "'1.0'", "' 1 '"])
def test_class_weight_keys_match_labels_by_the_label_rule(tmp_path, key):
    from minimlp.config import load_config
    from minimlp.runs.folder import prepare

    weighted_csv(tmp_path, 1.0)
    config = load_config(tmp_path / "c.yaml", [f"train.class_weight={{{key}: 3}}"])
    prepared = prepare(config)
    classes = list(prepared.dataset.classes)
    assert classes == ["1", "x"]  # text labels: "1" stays the text 1
    expected = [3.0 if classes[k] == "1" else 1.0 for k in prepared.splits.y_train]
    assert prepared.weights.tolist() == expected


def test_yaml_booleans_as_class_weight_keys_get_a_note(tmp_path):
    (tmp_path / "c.yaml").write_text(IRIS + "  class_weight: {yes: 3, no: 1}\n")
    result = run("config", "show", tmp_path / "c.yaml")
    assert result.exit_code == 2
    assert "YAML reads the keys yes, no, on, off, true and false (in any case) as booleans" in result.output
    assert "{'yes': 3, 'no': 1}" in result.output
