"""minimlp bench --data: the generated tables and the per-process measurements it reports."""
import sys

import numpy as np
import pandas as pd
import pytest

from minimlp.tools import bench_data


def test_the_generated_tables_have_the_stated_shape(tmp_path):
    bench_data.write_table(tmp_path / "n.csv", rows=3000)
    bench_data.write_table(tmp_path / "m.csv", rows=3000, text=True)
    numeric, messy = pd.read_csv(tmp_path / "n.csv"), pd.read_csv(tmp_path / "m.csv")
    assert numeric.shape == messy.shape == (3000, bench_data.FEATURES + 1)
    assert numeric.notna().all().all() and all(numeric[c].dtype == np.float64 for c in numeric.columns[:-1])
    for name, values in bench_data.TEXT_VALUES.items():
        assert set(messy[name].dropna()) <= set(values)
    share = messy.iloc[:, :-1].isna().to_numpy().mean()
    assert 0.005 < share < 0.02 and messy["label"].notna().all()


def test_a_process_is_timed_to_its_first_epoch_mark_and_its_own_peak_memory():
    import time

    script = bench_data.PEAK + ("import time, numpy\nx = numpy.ones(200 * 2**20 // 8)\n"
              "print('FIRST_EPOCH', time.monotonic(), flush=True)\ntime.sleep(3)")
    start = time.monotonic()
    measure = bench_data.run_process([sys.executable, "-c", script])
    elapsed = time.monotonic() - start
    assert measure.seconds < elapsed - 2.9 and measure.peak_mb >= 200  # timed to the mark, not to the end
    whole = bench_data.run_process([sys.executable, "-c", bench_data.PEAK + "import time; time.sleep(0.3)"])
    assert whole.seconds >= 0.3 and whole.peak_mb < 50  # its own memory, not that of this large test process


@pytest.mark.slow
def test_the_data_bench_runs_both_cases_end_to_end():
    cases = bench_data.run_data_bench(rounds=1, log=lambda m: None, rows=2000)
    table = bench_data.format_data_table(cases)
    assert [c.name for c in cases] == ["numeric", "2 text columns, 1% missing, impute"]
    # a peak each side that Python and numpy alone exceed (a small file is read without pandas: ~47 MB)
    assert all(c.minimlp.seconds > 0 and c.pandas.seconds > 0 and c.minimlp.peak_mb > 30 and c.pandas.peak_mb > 30
               for c in cases)
    assert table.count("\n| 2,000 × 20") == 2
