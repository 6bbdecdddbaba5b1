"""The optional extras of issue 23 (onnx, onnxruntime, optuna) load only in the commands that use them."""
import subprocess
import sys

from test_startup import CONFIGS, loaded

EXTRAS = {"onnx", "onnxruntime", "optuna"}


def test_importing_minimlp_loads_no_extra():
    done = subprocess.run([sys.executable, "-c", "import sys, minimlp, minimlp.runs, minimlp.tools.sweep; "
                                                 "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not set(done.stdout.split()) & EXTRAS


def test_train_predict_and_a_grid_sweep_load_no_extra(tmp_path):
    (tmp_path / "c.yaml").write_text("name: t\ndata: {dataset: iris}\ntrain: {epochs: 2}\n")
    assert not loaded("train", "-q", tmp_path / "c.yaml", "--out", tmp_path / "run") & EXTRAS
    assert not loaded("sweep", tmp_path / "c.yaml", "--grid", "seed=0", "-j", "1", "--out", tmp_path / "s") & EXTRAS
    assert not loaded("lr-find", CONFIGS / "iris.yaml", "-o", tmp_path / "f.svg", "--steps", "20") & EXTRAS


def test_the_control_export_and_search_do_load_them(tmp_path):
    (tmp_path / "c.yaml").write_text("name: t\ndata: {dataset: iris}\ntrain: {epochs: 2}\n")
    assert not loaded("train", "-q", tmp_path / "c.yaml", "--out", tmp_path / "run") & EXTRAS
    assert "onnx" in loaded("export", tmp_path / "run", "-o", tmp_path / "m.onnx")
    assert "optuna" in loaded("sweep", tmp_path / "c.yaml", "--search", "random", "--trials", "1", "-j", "1",
                              "--space", "optimizer.lr=uniform(0.01,0.1)", "--out", tmp_path / "s")
