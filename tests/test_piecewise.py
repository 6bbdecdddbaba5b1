"""data.piecewise_bins: the piecewise-linear encoding of numeric columns (Gorishniy et al. 2022), against
scikit-learn's quantile bins and the encoding written out element by element; and training's BLAS threads."""
import warnings

import numpy as np
import pandas as pd
import pytest
from helpers import run

from minimlp.config import load_config
from minimlp.data import load_csv, prepare, split_indices
from minimlp.data.piecewise import edges_of
from minimlp.errors import ConfigError
from minimlp.runs import train_run
from minimlp.runs.predictor import Predictor


def table(n=400, seed=0):
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 12, n).round(1)
    calls = rng.poisson(2, n).astype(float)  # few distinct values: repeated quantiles merge
    flag = rng.integers(0, 2, n).astype(float)  # two values: no bins
    color = rng.choice(["red", "green", "blue"], n)
    y = np.where((age > 50) | (calls >= 4), "yes", "no")
    frame = pd.DataFrame({"age": age, "calls": calls, "flag": flag, "color": color, "y": y})
    frame.loc[rng.choice(n, 30, replace=False), "age"] = np.nan
    return frame


def cfg(path, *extra):
    return load_config(None, ["data.dataset=csv", f"data.path={path}", "data.target=y", "data.missing=impute",
                              "model.hidden=[8]", "train.epochs=3", "data.piecewise_bins=8", *extra])


def encode_by_hand(value, edges):
    """Bin t of one value, written out as the paper's case analysis."""
    out = []
    for low, high in zip(edges[:-1], edges[1:]):
        if value < low:
            out.append(0.0)
        elif value >= high:
            out.append(1.0)
        else:
            out.append((value - low) / (high - low))
    return out


def test_the_edges_are_scikit_learns_quantile_bin_edges():
    from sklearn.preprocessing import KBinsDiscretizer

    rng = np.random.default_rng(1)
    for values in (rng.normal(size=500), rng.exponential(size=333), rng.poisson(3, 400).astype(float)):
        binner = KBinsDiscretizer(n_bins=8, strategy="quantile", encode="ordinal", quantile_method="linear")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the Poisson values' repeated quantiles: bins removed, as here
            binner.fit(values[:, None])
        np.testing.assert_allclose(edges_of(values, 8), binner.bin_edges_[0], rtol=0, atol=1e-12)
    assert len(edges_of(np.r_[np.zeros(50), np.ones(50)], 8)) == 0  # two values: nothing to add
    assert len(edges_of(np.full(20, 3.0), 8)) == 0


def test_the_inputs_are_each_value_then_its_bins_as_the_paper_defines_them(tmp_path):
    table().to_csv(tmp_path / "t.csv", index=False)
    config = cfg(tmp_path / "t.csv", "data.standardize=false")
    dataset = load_csv(tmp_path / "t.csv", target="y", missing="impute")
    splits = prepare(dataset, config.data, 0, np.float64)
    pre = splits.preprocessing
    train = split_indices(dataset, config.data.test_size, config.data.val_size, 0)[0]
    age = dataset.frame.columns["age"][train]
    filled = np.where(np.isnan(age), np.nanmedian(age), age)
    np.testing.assert_array_equal(pre.edges[0], np.unique(np.quantile(filled, np.linspace(0, 1, 9))))
    assert pre.bins(0) == 8 and 2 <= pre.bins(1) < 8 and pre.bins(2) == 0  # calls' repeated quantiles merged
    assert pre.input_names[:10] == ["age"] + [f"age bin {t}" for t in range(1, 9)] + ["calls"]
    X = splits.X_train
    assert X.shape[1] == pre.n_inputs == 1 + 8 + 1 + pre.bins(1) + 1 + 3 + 1  # + flag, 3 colours, age's indicator
    for row in range(0, len(train), 37):
        np.testing.assert_allclose(X[row, 1:9], encode_by_hand(filled[row], pre.edges[0]), rtol=0, atol=1e-12)
        assert X[row, 0] == filled[row]


def test_the_bins_are_cut_on_the_scaled_values_and_travel_with_the_model(tmp_path):
    from minimlp.runs import folder

    table().to_csv(tmp_path / "t.csv", index=False)
    config = cfg(tmp_path / "t.csv")
    fitted = folder.prepare(config).splits.preprocessing
    run_dir = train_run(config, tmp_path / "run").run_dir
    pre = Predictor.load(run_dir / "model.npz").preprocessing
    assert pre.bins(0) == 8 and np.all(np.abs(pre.edges[0]) <= 3)  # robust scaling's smooth clip bounds them
    for mine, stored in zip(fitted.edges, pre.edges):
        np.testing.assert_array_equal(mine, stored)
    assert pre.input_names == fitted.input_names


def test_a_model_file_with_edges_that_do_not_increase_is_refused(tmp_path):
    from minimlp.errors import ModelFileError

    table().to_csv(tmp_path / "t.csv", index=False)
    run_dir = train_run(cfg(tmp_path / "t.csv"), tmp_path / "run").run_dir
    with np.load(run_dir / "model.npz") as stored:
        arrays = dict(stored)
    arrays["extra.bin_edges"] = arrays["extra.bin_edges"].copy()
    arrays["extra.bin_edges"][[3, 4]] = arrays["extra.bin_edges"][[4, 3]]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match="bin edges must increase"):
        Predictor.load(tmp_path / "bad.npz")
    arrays["extra.edge_counts"] = arrays["extra.edge_counts"][:-1]
    np.savez(tmp_path / "bad2.npz", **arrays)
    with pytest.raises(ModelFileError, match="edge_counts has shape"):
        Predictor.load(tmp_path / "bad2.npz")


def test_piecewise_bins_is_checked():
    with pytest.raises(ConfigError, match=r"data.piecewise_bins must be in \[0, 256\]"):
        load_config(None, ["data.piecewise_bins=-1"])
    assert load_config(None).data.piecewise_bins == 8


@pytest.mark.parametrize("hidden,batch,threads", [([8], 32, 1), ([4096, 4096], 256, None)])
def test_training_runs_small_products_on_one_blas_thread_and_leaves_large_ones_alone(hidden, batch, threads):
    """OpenBLAS's threads cost more than they give on a batch of 32 rows (and far more beside another process).
    numpy's BLAS is the one limited (a library loaded later, scipy's, is not minimlp's)."""
    from threadpoolctl import threadpool_info

    from minimlp.model import MLP
    from minimlp.train.threads import ONE_THREAD_MACS, blas_threads, largest_product

    def numpys_blas():
        pools = [pool for pool in threadpool_info() if pool["user_api"] == "blas" and "numpy" in pool["filepath"]]
        assert pools, threadpool_info()
        return [pool["num_threads"] for pool in pools]

    outside = numpys_blas()
    net = MLP([20, *hidden, 3], seed=0)
    assert (largest_product(net, batch) <= ONE_THREAD_MACS) == (threads == 1)
    with blas_threads(net, batch):
        inside = numpys_blas()
    assert inside == ([1] * len(outside) if threads == 1 else outside)
    assert numpys_blas() == outside  # restored


def test_a_wide_table_gets_no_piecewise_inputs_and_a_note_so_its_inputs_stay_its_columns(tmp_path):
    from minimlp.data.piecewise import MAX_INPUTS

    rng = np.random.default_rng(3)
    columns = MAX_INPUTS // 8 + 1  # one more than 8 bins each allows
    frame = pd.DataFrame(rng.normal(size=(60, columns)).round(3), columns=[f"x{i}" for i in range(columns)])
    frame["y"] = rng.choice(["p", "q"], 60)
    frame.to_csv(tmp_path / "wide.csv", index=False)
    config = cfg(tmp_path / "wide.csv")
    dataset = load_csv(tmp_path / "wide.csv", target="y", missing="impute")
    splits = prepare(dataset, config.data, 0, np.float32)
    assert splits.X_train.shape[1] == columns and not any(len(e) for e in splits.preprocessing.edges)
    assert any(f"{columns:,} numeric columns: no piecewise-linear inputs" in note for note in dataset.notes)
    frame[["x0", "x1", "y"]].to_csv(tmp_path / "narrow.csv", index=False)
    narrow = prepare(load_csv(tmp_path / "narrow.csv", target="y", missing="impute"), config.data, 0, np.float32)
    assert narrow.X_train.shape[1] == 2 + 2 * 8  # within the budget: the bins are there
