"""Issue 25, item 2: nothing merges silently (YAML keys, labels, column names, resumed data)."""
import pytest

from helpers import run


def test_a_yaml_key_given_twice_is_an_error_naming_both_lines(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("name: twice\noptimizer:\n  lr: 0.1\n  momentum: 0.9\n  lr: 0.5\n")
    result = run("config", "show", path)
    assert result.exit_code == 2
    assert "lr is given twice" in result.output and "line 3 and line 5" in result.output
    assert str(path) in result.output and "Traceback" not in result.output


def test_keys_equal_as_values_are_one_key_given_twice():
    from minimlp.config.yaml_reader import parse_yaml
    import yaml

    with pytest.raises(yaml.YAMLError, match=r"1 \(again as 1\.0\) is given twice .* line 2 and line 3"):
        parse_yaml("w:\n  1: 2\n  1.0: 3\n")


def test_merge_keys_may_still_be_overridden():
    from minimlp.config.yaml_reader import parse_yaml

    assert parse_yaml("base: &b {lr: 1, m: 2}\nopt: {<<: *b, lr: 3}\n")["opt"] == {"lr": 3, "m": 2}
