"""Imports follow the parts: no import cycle in minimlp/ (module- or function-level), validating a
config imports no numpy, and the plain names config checks against are the registries' names."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "minimlp"
CONFIGS = ROOT / "configs"

_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
import_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_graph)

def test_the_package_has_no_import_cycle():
    graph = import_graph.import_graph(PACKAGE)
    cycles = [" -> ".join(import_graph._cycle_in(c, graph)) for c in import_graph.strong_components(graph)]
    assert not cycles, "import cycles (a function-level import counts): " + "; ".join(cycles)


def test_the_graph_sees_every_kind_of_import_and_names_the_cycle(tmp_path):
    """The reader above, on a package made for it: each kind of import is an edge, and a cycle closed
    only by a function-level import is found and named."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "import os\nfrom . import b\n",  # a submodule named by ``from . import``
        "b.py": "from .sub.c import thing\n",
        "sub/__init__.py": "from .c import thing\n",
        "sub/c.py": "def f():\n    from ..d import g\n",  # function-level, two levels up
        "d.py": "from pkg import e\nimport pkg.leaf\n",  # absolute imports
        "leaf.py": "",
        "e.py": "def late():\n    from .a import x\n",  # closes a -> b -> sub.c -> d -> e -> a
        "f.py": "from . import missing, a\nimport pkg.sub\n",  # a name that is no module: the package
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    graph = import_graph.import_graph(pkg)
    assert graph == {
        "pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.sub.c"}, "pkg.sub": {"pkg.sub.c"}, "pkg.sub.c": {"pkg.d"},
        "pkg.d": {"pkg.e", "pkg.leaf"}, "pkg.leaf": set(), "pkg.e": {"pkg.a"}, "pkg.f": {"pkg", "pkg.a", "pkg.sub"},
    }
    assert import_graph.find_cycles(graph) == [["pkg.a", "pkg.b", "pkg.sub.c", "pkg.d", "pkg.e", "pkg.a"]]
    (pkg / "e.py").write_text("def late():\n    pass\n")
    assert import_graph.find_cycles(import_graph.import_graph(pkg)) == []


VALIDATE = """import sys
from minimlp.config import load_config
from minimlp.errors import ConfigError
for path in sys.argv[1:]:
    load_config(path)
load_config(None, ["data.dataset=moons", "data.params.noise=0.3", "model.activation=tanh", "model.dtype=float64",
                   "optimizer.name=adam", "optimizer.schedule=cosine", "model.init=glorot"])
for bad in ("model.activation=swish", "data.params.nosie=0.1", "model.dtype=float16", "optimizer.name=rmsprop"):
    try:
        load_config(None, ["data.dataset=moons", bad])
    except ConfigError as e:
        print(e)
print("LOADED", " ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_validating_a_config_imports_no_numpy():
    configs = sorted(CONFIGS.glob("*.yaml"))
    done = subprocess.run([sys.executable, "-c", VALIDATE, *map(str, configs)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    messages, loaded = done.stdout.rsplit("LOADED ", 1)
    assert len(configs) >= 5 and not {"numpy", "pandas", "sklearn", "scipy", "matplotlib"} & set(loaded.split())
    assert "model.activation must be one of relu, leaky_relu, tanh, sigmoid, identity" in messages
    assert "data.params.nosie is not a parameter of dataset moons (did you mean data.params.noise?)" in messages
    assert "model.dtype must be one of float32, float64" in messages
    assert "optimizer.name must be one of sgd, adam, adamw, lbfgs" in messages


def test_the_names_a_config_may_give_are_the_registries_names_in_order():
    from minimlp import model, names
    from minimlp.data import datasets
    from minimlp.numerics import initializers, layers, optim, rates

    assert names.ACTIVATIONS == tuple(layers.ACTIVATIONS)
    assert names.INITIALIZERS == tuple(initializers.INITIALIZERS)
    assert names.OPTIMIZERS == tuple(optim.OPTIMIZERS)
    assert names.SCHEDULES == tuple(rates.SCHEDULES) and names.SCHEDULE_NAMES == tuple(rates.SCHEDULE_NAMES)
    assert names.DTYPES == tuple(model.DTYPES)
    assert names.DATASET_NAMES == (*datasets.BUNDLED, *datasets.GENERATED, *datasets.FETCHED, "csv")
    assert set(names.DATASET_PARAMETERS) == set(names.DATASET_NAMES)


@pytest.mark.parametrize("module", ["minimlp.names", "minimlp.config.rules", "minimlp.config.loading"])
def test_config_and_its_names_import_nothing_above_them(module):
    """Config may import yaml and plain registries of names: no numerics, model, data or train."""
    graph = import_graph.import_graph(PACKAGE)
    reached, todo = set(), [module]
    while todo:
        for other in graph[todo.pop()] - reached:
            reached.add(other)
            todo.append(other)
    allowed = {"minimlp.config", "minimlp.errors", "minimlp.excerpt", "minimlp.files", "minimlp.names"}
    assert not {m for m in reached if not m.startswith("minimlp.config.")} - allowed
