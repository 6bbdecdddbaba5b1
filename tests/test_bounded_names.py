"""Config values checked before any work, with bounded excerpts: `name` has at most 100 characters of a
safe set; a target cell NA / null / nan / None is named as a missing label, not as an empty cell."""
import pytest
from helpers import run

from minimlp.config import load_config
from minimlp.errors import ConfigError


@pytest.mark.parametrize("length", [101, 300, 100_000])
def test_a_long_name_is_refused_before_any_work_in_a_bounded_message(cwd, length):
    (cwd / "c.yaml").write_text(f"name: {'a' * length}\ndata:\n  dataset: iris\ntrain:\n  epochs: 1\n")
    for args in (["c.yaml"], ["--set", f"name={'b' * length}"]):
        result = run("train", *args)
        assert result.exit_code == 2, result.output
        assert f"name must have at most 100 characters ({length:,} here)" in result.output
        assert len(result.output) < 500
    assert not (cwd / "runs").exists()


def test_a_name_of_100_safe_characters_is_taken():
    assert load_config(None, [f"name={'a' * 90}-._0123"]).name == "a" * 90 + "-._0123"


@pytest.mark.parametrize("name", ["a/b", "../x", "a b", "$x$", "-a", ".hidden", "naïve"])
def test_a_name_outside_the_safe_set_is_refused(name):
    with pytest.raises(ConfigError, match="name must be letters, digits"):
        load_config(None, [f"name={name!r}" if name[0] in "-." else f"name={name}"])


@pytest.mark.parametrize("word", ["NA", "null", "nan", "None", "N/A", "NULL"])
@pytest.mark.parametrize("labels", [("1", "2"), ("x", "z")])
def test_a_missing_word_in_the_target_is_named_as_a_missing_label(cwd, word, labels):
    a, b = labels
    (cwd / "t.csv").write_text(f"f,y\n1,{a}\n2,{word}\n3,{b}\n4,{a}\n5,{b}\n")
    (cwd / "c.yaml").write_text("data:\n  dataset: csv\n  path: t.csv\n  target: y\ntrain:\n  epochs: 1\n")
    result = run("train", "c.yaml")
    assert result.exit_code == 2
    assert f"missing label {word!r} in target column 'y', line 3; every row needs a label" in result.output
    assert "empty cell" not in result.output


def test_an_empty_target_cell_is_still_called_empty(cwd):
    (cwd / "t.csv").write_text("f,y\n1,x\n2,\n3,z\n4,x\n5,z\n")
    (cwd / "c.yaml").write_text("data:\n  dataset: csv\n  path: t.csv\n  target: y\ntrain:\n  epochs: 1\n")
    result = run("train", "c.yaml")
    assert result.exit_code == 2 and "empty cell in target column 'y', line 3; every row needs a label" in result.output
