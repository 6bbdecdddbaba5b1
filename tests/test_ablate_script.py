"""scripts/ablate_layers.py's variant specs: NAME=KEY=VALUE,KEY=VALUE, a YAML list's commas kept."""
import importlib.util
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load_script():
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location("ablate_layers", SCRIPTS / "ablate_layers.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCRIPTS))


def test_variant_specs_split_between_keys_not_inside_a_list():
    variants = load_script().variants(["hh=model.hidden=[128,128]", "two=optimizer.lr=0.002,model.dropout=0.1",
                                       "mixed=model.hidden=[64, 32],train.batch_size=64"])
    assert variants == [("baseline", []), ("hh", ["model.hidden=[128,128]"]),
                        ("two", ["optimizer.lr=0.002", "model.dropout=0.1"]),
                        ("mixed", ["model.hidden=[64, 32]", "train.batch_size=64"])]
