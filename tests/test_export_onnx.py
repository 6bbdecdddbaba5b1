"""`minimlp export`: the ONNX graph gives what `minimlp predict` gives, run by onnxruntime and by onnx's reference.

The feeds are built from the raw table with pandas alone, one [N, 1] array per column, as a user would.
"""
import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import run

import onnx  # the test extra installs onnx and onnxruntime: missing, these tests fail, never skip
import onnxruntime as ort
from onnx.reference import ReferenceEvaluator

from minimlp.config import load_config
from minimlp.runs import train_run
from minimlp.runs.predictor import Predictor

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["breast_cancer", "circles", "digits", "fruit_csv", "fruit_market", "iris", "moons", "wine"]


def feeds(table, predictor):
    """{column: (N, 1) array}: numbers in the model's float type (NaN when missing), text as str ("" when missing)."""
    import pandas as pd

    out = {}
    for name, kind in zip(predictor.preprocessing.columns, predictor.preprocessing.kinds):
        column = pd.Series(table[name])
        if kind == "numeric":
            out[name] = pd.to_numeric(column, errors="coerce").to_numpy(predictor.net.dtype).reshape(-1, 1)
        else:
            out[name] = column.fillna("").astype(str).str.strip().to_numpy(object).reshape(-1, 1)
    return out


def run_onnx(path, inputs):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, inputs)


def export(run_dir, tmp_path, name="model.onnx"):
    done = run("export", run_dir, "-o", tmp_path / name)
    assert done.exit_code == 0, done.output
    return tmp_path / name


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_config_exports_and_onnxruntime_predicts_its_test_rows_as_minimlp(name, tmp_path):
    config = load_config(ROOT / "configs" / f"{name}.yaml", ["train.epochs=3"])
    run_dir = train_run(config, tmp_path / "run").run_dir
    path = export(run_dir, tmp_path)
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)

    from minimlp.data import load_dataset, split_indices

    dataset = load_dataset(config)
    test_rows = split_indices(dataset, config.data.test_size, config.data.val_size, config.seed)[2]
    predictor = Predictor.load(run_dir / "model.npz")
    raw = {c: np.asarray(dataset.frame.columns[c], dtype=object)[test_rows] for c in predictor.feature_names}
    for c in predictor.feature_names:
        if dataset.frame.kind(c) == "numeric":
            raw[c] = raw[c].astype(np.float64)
    expected = predictor.net.predict_proba(predictor.transform(dataset.frame, test_rows))
    inputs = feeds(raw, predictor)
    label, proba = run_onnx(path, inputs)
    assert proba.dtype == np.float32 and proba.shape == expected.shape
    np.testing.assert_allclose(proba, expected, atol=1e-5, rtol=0)
    assert (label == predictor.classes[expected.argmax(axis=1)]).all()
    ref_label, ref_proba = ReferenceEvaluator(model).run(None, inputs)
    np.testing.assert_allclose(ref_proba, expected, atol=1e-5, rtol=0)
    assert (ref_label == label).all()


def test_the_graph_has_one_input_per_column_metadata_and_no_zipmap(tmp_path):
    config = load_config(ROOT / "configs/fruit_market.yaml", ["train.epochs=1"])
    run_dir = train_run(config, tmp_path / "run").run_dir
    model = onnx.load(str(export(run_dir, tmp_path)))
    predictor = Predictor.load(run_dir / "model.npz")
    shapes = {i.name: (i.type.tensor_type.elem_type, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim])
              for i in model.graph.input}
    assert list(shapes) == predictor.feature_names
    for name, kind in zip(predictor.feature_names, predictor.preprocessing.kinds):
        elem = onnx.TensorProto.FLOAT if kind == "numeric" else onnx.TensorProto.STRING
        assert shapes[name] == (elem, ["N", 1])
    assert [o.name for o in model.graph.output] == ["label", "probabilities"]
    assert {o.domain or "ai.onnx": o.version for o in model.opset_import}["ai.onnx"] >= 13
    assert model.ir_version == 8
    assert "ZipMap" not in {n.op_type for n in model.graph.node}
    meta = {p.key: p.value for p in model.metadata_props}
    assert json.loads(meta["classes"]) == predictor.classes.tolist()
    assert json.loads(meta["columns"]) == predictor.feature_names


TABLE = """size,colour,shape,weight,kind
1.0,red,round,10,a
2.0,green,long,,b
,red,round,12,a
4.0,blue,,30,b
5.5,green,long,25,b
1.5,red,round,11,a
2.5,,long,18,b
0.5,red,round,9,a
3.5,blue,long,28,b
4.5,green,round,26,b
1.2,red,round,12,a
0.8,red,,NA,a
"""

NEW_ROWS = """size,colour,shape,weight
1.1,red,round,10
,green,long,20
3.0,,round,
2.0,purple,square,15
4.0,blue,long,27
"""


@pytest.mark.parametrize("dtype,activation,bins", [("float32", "relu", 0), ("float64", "tanh", 0),
                                                   ("float32", "leaky_relu", 0), ("float64", "sigmoid", 0),
                                                   ("float32", "identity", 0), ("float64", "tanh", 4),
                                                   ("float32", "tanh", 6)])
def test_text_and_missing_cells_and_unseen_categories_match_minimlp_predict(tmp_path, dtype, activation, bins):
    (tmp_path / "t.csv").write_text(TABLE)
    (tmp_path / "new.csv").write_text(NEW_ROWS)
    (tmp_path / "c.yaml").write_text(f"""name: t
data: {{dataset: csv, path: t.csv, target: kind, missing: impute, test_size: 0.2, val_size: 0.2, piecewise_bins: {bins}}}
model: {{hidden: [8, 5], activation: {activation}, dtype: {dtype}}}
optimizer: {{lr: 0.3}}
train: {{epochs: 30, batch_size: 4}}
""")
    run_dir = train_run(load_config(tmp_path / "c.yaml"), tmp_path / "run").run_dir
    done = run("predict", run_dir, tmp_path / "new.csv", "-o", tmp_path / "pred.csv")
    assert done.exit_code == 0, done.output
    with open(tmp_path / "pred.csv") as f:
        rows = list(csv.DictReader(f))
    expected_labels = [r["prediction"] for r in rows]
    expected = np.array([[float(r["proba_a"]), float(r["proba_b"])] for r in rows])
    import pandas as pd

    table = pd.read_csv(tmp_path / "new.csv", keep_default_na=False, dtype=str)
    predictor = Predictor.load(run_dir / "model.npz")
    label, proba = run_onnx(export(run_dir, tmp_path), feeds(table, predictor))
    assert proba.dtype == np.dtype(dtype)  # float64 models export as float64
    np.testing.assert_allclose(proba, expected, atol=1e-5 if dtype == "float32" else 1e-12, rtol=0)
    assert label.tolist() == expected_labels
    assert len(set(np.round(expected[:, 0], 6))) > 1  # the rows differ: a graph that ignored a column would show
    assert any(len(e) for e in predictor.preprocessing.edges) == (bins > 0)  # piecewise-linear inputs in the graph


def test_a_column_named_label_keeps_its_name_and_the_output_moves_aside(tmp_path):
    (tmp_path / "t.csv").write_text("label,x,y\n" + "".join(f"{i % 3},{(i * 7) % 11 + 0.5},{i % 2}\n" for i in range(40)))
    (tmp_path / "c.yaml").write_text("name: t\ndata: {dataset: csv, path: t.csv, target: y}\ntrain: {epochs: 2}\n")
    run_dir = train_run(load_config(tmp_path / "c.yaml"), tmp_path / "run").run_dir
    model = onnx.load(str(export(run_dir, tmp_path)))
    assert [i.name for i in model.graph.input] == ["label", "x"]
    assert [o.name for o in model.graph.output] == ["output_label", "probabilities"]


def test_without_onnx_export_exits_2_and_writes_nothing(tmp_path, monkeypatch, trained_runs):
    run_dir = trained_runs("name: iris\ndata: {dataset: iris}\ntrain: {epochs: 1}\n", tmp_path / "run")
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx raises ImportError
    done = run("export", run_dir, "-o", tmp_path / "m.onnx")
    assert done.exit_code == 2
    assert "pip install 'minimlp[onnx]'" in done.output and "Traceback" not in done.output
    assert not (tmp_path / "m.onnx").exists()


def test_export_refuses_a_folder_without_a_model_and_an_existing_output(tmp_path, trained_runs):
    done = run("export", tmp_path, "-o", tmp_path / "m.onnx")
    assert done.exit_code == 2 and "no model.npz" in done.output
    run_dir = trained_runs("name: iris\ndata: {dataset: iris}\ntrain: {epochs: 1}\n", tmp_path / "run")
    (tmp_path / "m.onnx").write_text("mine")
    done = run("export", run_dir, "-o", tmp_path / "m.onnx")
    assert done.exit_code == 2 and "exists" in done.output
    assert (tmp_path / "m.onnx").read_text() == "mine"


def readme_snippet():
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = text.split("## Take the model anywhere", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_readmes_five_lines_run_a_dataframe_with_text_and_missing_cells(cwd, dtype):
    import pandas as pd

    snippet = readme_snippet()
    assert len(snippet.strip().splitlines()) == 5
    config = load_config(ROOT / "configs/fruit_market.yaml", ["train.epochs=5", f"model.dtype={dtype}"])
    run_dir = train_run(config, cwd / "run").run_dir
    assert run("export", run_dir, "-o", "model.onnx").exit_code == 0
    df = pd.read_csv(ROOT / "data/fruit_market.csv").drop(columns="fruit")  # pandas' own reading: NaN for NA, null...
    assert df.isna().any().all()  # every column has a missing cell, text ones too
    scope = {"df": df}
    exec(snippet, scope)
    predictor = Predictor.load(run_dir / "model.npz")
    expected = predictor.predict_proba(pd.read_csv(ROOT / "data/fruit_market.csv"))
    np.testing.assert_allclose(scope["probabilities"], expected, atol=1e-5 if dtype == "float32" else 1e-12, rtol=0)
    assert (scope["labels"] == predictor.classes[expected.argmax(axis=1)]).all()
