"""The documentation says what the code does: the config reference is the schema, the README is a front
door whose set-up commands CI runs, every link resolves, and the documented model.npz layout and shell
completion work as written."""
import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from minimlp.config import load_config
from minimlp.config.schema import Config

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CONFIG_DOC = DOCS / "config.md"
INSTALL_AND_TRAIN = "python3 -m venv .venv && . .venv/bin/activate && pip install . && minimlp train"
INSTALL_AND_TEST = ("python3 -m venv .venv && . .venv/bin/activate && pip install '.[test,dask,parquet]' && "
                    "python -m pytest -q")


def schema_keys(cls=Config, prefix=""):
    """{dotted key: default} of every config key, from the dataclasses themselves."""
    keys = {}
    for f in dataclasses.fields(cls):
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if dataclasses.is_dataclass(f.type):
            keys.update(schema_keys(f.type, f"{prefix}{f.name}."))
        else:
            keys[prefix + f.name] = default
    return keys


def documented_keys(text):
    """{dotted key: (default as written, meaning)} of the reference table's rows: | `key` | `default` | meaning |."""
    rows = re.findall(r"^\| `([A-Za-z0-9_.]+)` \| `([^`]*)` \| (.*) \|$", text, flags=re.M)
    keys = {}
    for key, default, meaning in rows:
        assert key not in keys, f"docs/config.md lists `{key}` twice"
        keys[key] = (default, meaning.strip())
    return keys


def missing_row(key, default):
    flow = yaml.safe_dump(default, default_flow_style=True).strip().removesuffix("\n...").strip()
    return f"| `{key}` | `{flow}` | <what it means> |"


def test_the_config_reference_lists_every_key_of_the_schema_with_its_default():
    schema, documented = schema_keys(), documented_keys(CONFIG_DOC.read_text())
    for key, default in schema.items():
        assert key in documented, (f"docs/config.md has no row for the config key `{key}`; add one to its table, "
                                   f"e.g. {missing_row(key, default)}")
    for key, (written, meaning) in documented.items():
        assert key in schema, f"docs/config.md lists `{key}`, which minimlp/config/schema.py does not have"
        assert yaml.safe_load(written) == schema[key], (
            f"docs/config.md gives `{key}` the default `{written}`; the schema's is {schema[key]!r}: "
            f"write {missing_row(key, schema[key]).split(' | ')[1]}")
        assert meaning and meaning != "<what it means>", f"docs/config.md: `{key}` has no meaning"
    assert list(documented) == list(schema), "docs/config.md: keep the rows in the schema's order"


def test_the_reference_check_names_what_is_missing():
    """What another change that adds a key sees: the key, and the row to add."""
    text = CONFIG_DOC.read_text().replace("| `train.class_weight` |", "| `train.class_weights` |")
    documented = documented_keys(text)
    assert "train.class_weight" not in documented and "train.class_weights" in documented
    assert missing_row("train.class_weight", None) == "| `train.class_weight` | `null` | <what it means> |"
    assert missing_row("data.drop", []) == "| `data.drop` | `[]` | <what it means> |"
    assert missing_row("model.hidden", [128]) == "| `model.hidden` | `[128]` | <what it means> |"


def test_readme_is_a_front_door_with_the_set_up_commands_ci_runs():
    text = README.read_text()
    assert len(text.splitlines()) <= 200
    assert f"```bash\n{INSTALL_AND_TRAIN}\n```" in text and f"```bash\n{INSTALL_AND_TEST}\n```" in text
    ci = (ROOT / ".ci/run").read_text()
    assert "pip install --quiet '.[test,dask,parquet]'" in ci and "python -m pytest -q" in ci
    assert "](docs/report.png)" in text and (DOCS / "report.png").is_file()
    assert "_MINIMLP_COMPLETE=bash_source minimlp" in text


def markdown_files():
    return [README, ROOT / "CHANGELOG.md", *sorted(DOCS.glob("*.md"))]


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_inside_the_repository(path):
    text = path.read_text()
    assert "minimlp.losses" not in text, f"{path.name}: the module is minimlp.numerics.losses"
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        assert resolved.is_relative_to(ROOT), f"{path.name}: {target} leads outside the repository"
        assert resolved.exists(), f"{path.name}: {target} does not exist"
        if anchor and resolved.suffix == ".md":
            anchors = {slug(h) for h in re.findall(r"^#+ (.*)$", resolved.read_text(), flags=re.M)}
            assert anchor in anchors, f"{path.name}: {target}: no heading with that anchor in {resolved.name}"


def test_every_docs_page_is_in_the_table_of_contents():
    contents = (DOCS / "README.md").read_text()
    for page in DOCS.glob("*.md"):
        if page.name != "README.md":
            assert f"]({page.name})" in contents, f"docs/README.md does not list {page.name}"


def yaml_blocks(path):
    return re.findall(r"```yaml\n(.*?)```", path.read_text(), flags=re.S)


def test_the_five_line_config_is_the_shipped_iris_config(tmp_path):
    block = yaml_blocks(README)[0]
    assert len(block.strip().splitlines()) == 5
    (tmp_path / "five.yaml").write_text(block)
    assert load_config(tmp_path / "five.yaml").to_dict() == load_config(ROOT / "configs/iris.yaml").to_dict()


def python_blocks(path):
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


@pytest.mark.parametrize("activation", ["relu", "tanh", "leaky_relu", "sigmoid", "identity"])
def test_the_documented_model_npz_layout_computes_predict_proba(tmp_path, activation):
    """The plain-numpy forward pass of docs/run-folder.md, on a model minimlp saved, gives its probabilities."""
    from minimlp.runs.predictor import Predictor
    from minimlp.runs import train_run

    config = load_config(None, ["data.dataset=iris", "model.hidden=[5,4]", f"model.activation={activation}",
                                "train.epochs=3", "model.dtype=float64"])
    train_run(config, tmp_path / "run")
    snippet = next(block for block in python_blocks(DOCS / "run-folder.md") if "def probabilities" in block)
    snippet = snippet.replace('"runs/iris/model.npz"', repr(str(tmp_path / "run/model.npz")))
    namespace = {}
    exec(compile(snippet, "docs/run-folder.md", "exec"), namespace)
    predictor = Predictor.load(tmp_path / "run/model.npz")
    X = np.random.default_rng(0).normal(5, 2, (20, 4))
    x = predictor.transform(X)
    expected = predictor.predict_proba(X)
    got = namespace["probabilities"](namespace["model"], x)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert list(namespace["model"]["extra.classes"]) == list(predictor.classes)


def test_shell_completion_works_as_documented():
    env = {**os.environ, "_MINIMLP_COMPLETE": "bash_source"}
    source = subprocess.run([sys.executable, "-m", "minimlp"], env=env, capture_output=True, text=True, timeout=60)
    assert source.returncode == 0 and "_minimlp_completion()" in source.stdout
    env = {**os.environ, "_MINIMLP_COMPLETE": "bash_complete", "COMP_WORDS": "minimlp tr", "COMP_CWORD": "1"}
    words = subprocess.run([sys.executable, "-m", "minimlp"], env=env, capture_output=True, text=True, timeout=60)
    assert words.returncode == 0 and "plain,train" in words.stdout.splitlines()
    env.update(COMP_WORDS="minimlp train --res", COMP_CWORD="2")
    words = subprocess.run([sys.executable, "-m", "minimlp"], env=env, capture_output=True, text=True, timeout=60)
    assert "plain,--resume" in words.stdout.splitlines()


@pytest.mark.parametrize("path", [README, DOCS / "commands.md"], ids=["README.md", "docs/commands.md"])
def test_the_command_tables_list_every_command(path):
    """Every command of the lazy group's registry has a row in the table of commands (a new command too)."""
    from minimlp.cli.group import COMMANDS

    rows = re.findall(r"^\| `minimlp ([a-z-]+)", path.read_text(), flags=re.M)
    for name in COMMANDS:
        assert name in rows, (f"{path.relative_to(ROOT)}: the table of commands has no row for `minimlp {name}`; "
                              f"add | `minimlp {name} ...` | what it does |")
    assert set(rows) <= set(COMMANDS), f"{path.relative_to(ROOT)} lists commands minimlp does not have: {set(rows) - set(COMMANDS)}"
