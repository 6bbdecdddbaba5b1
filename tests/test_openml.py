"""dataset: openml, offline: scikit-learn's own OpenML fixtures stand in for openml.org."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from minimlp.cli import main
from minimlp.config import load_config
from minimlp.data import load_dataset
from minimlp.errors import DataError
from openml_offline import serve_fixtures


@pytest.fixture
def offline(monkeypatch):
    return serve_fixtures(monkeypatch)


def test_iris_by_name_and_version_goes_through_fetch_openml_and_its_cache(tmp_path, offline, monkeypatch):
    from sklearn.datasets import fetch_openml

    params = f"data.params={{name: iris, version: 1, data_home: {tmp_path}}}"
    dataset = load_dataset(load_config(None, ["data.dataset=openml", params]))
    reference = fetch_openml(name="iris", version=1, as_frame=False, data_home=str(tmp_path / "ref"))
    np.testing.assert_array_equal(dataset.X, reference.data)
    assert list(dataset.classes) == ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    np.testing.assert_array_equal(dataset.classes[dataset.y], reference.target)
    assert list((tmp_path / "openml" / "openml.org").rglob("*.gz"))  # data_home passed through: cached there

    def no_network(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr("sklearn.datasets._openml.urlopen", no_network)
    again = load_dataset(load_config(None, ["data.dataset=openml", params]))  # from the cache alone
    np.testing.assert_array_equal(again.X, dataset.X)
    with pytest.raises(DataError, match="openml:iris: cannot be downloaded.*needs a network connection"):
        load_dataset(load_config(None, ["data.dataset=openml", f"data.params={{name: iris, version: 1, "
                                        f"data_home: {tmp_path / 'empty'}}}"]))


def test_penguins_train_with_categorical_columns_and_imputed_cells(tmp_path, offline, monkeypatch):
    import pandas as pd
    from sklearn.datasets import fetch_openml

    monkeypatch.chdir(tmp_path)
    params = f"{{data_id: 42585, data_home: {tmp_path / 'cache'}}}"
    base = f"data:\n  dataset: openml\n  params: {params}\nmodel:\n  hidden: [8]\ntrain:\n  epochs: 3\n"
    (tmp_path / "c.yaml").write_text(base)
    refused = CliRunner().invoke(main, ["train", "c.yaml", "--out", "run"])
    assert refused.exit_code == 2 and "openml:42585" in refused.output and "data.missing: impute" in refused.output
    (tmp_path / "c.yaml").write_text(base.replace("  dataset: openml\n", "  dataset: openml\n  missing: impute\n"))
    result = CliRunner().invoke(main, ["train", "c.yaml", "--out", "run", "-q"])
    assert result.exit_code == 0, result.output
    frame = fetch_openml(data_id=42585, as_frame=True, data_home=str(tmp_path / "ref")).data
    with np.load(tmp_path / "run/model.npz", allow_pickle=False) as model:
        kinds = dict(zip(model["extra.feature_names"], model["extra.kinds"]))
        categories = set(model["extra.categories"].tolist())
        indicated = [str(model["extra.feature_names"][j]) for j in model["extra.indicators"]] \
            if "extra.indicators" in model else []
        bins = int(np.maximum(model["extra.edge_counts"] - 1, 0).sum()) if "extra.edge_counts" in model else 0
    nominal = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    assert nominal and all(kinds[c] == "categorical" for c in nominal)
    assert categories <= {str(v) for c in nominal for v in frame[c].cat.categories}
    assert indicated and all(frame[c].isna().any() for c in indicated)  # a 0/1 input per column with missing cells
    metrics = json.loads((tmp_path / "run/metrics.json").read_text())
    assert metrics["input_columns"] == frame.shape[1]
    assert bins > 0  # the numeric columns' piecewise-linear inputs
    assert metrics["network_inputs"] == len(kinds) - len(nominal) + len(categories) + len(indicated) + bins
