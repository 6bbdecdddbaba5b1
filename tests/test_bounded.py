"""Bounded work from small hostile input: YAML aliases and nesting, long values in messages, npz headers
and zip sizes that lie; each refused with exit 2 naming the file, in measured memory (peak RSS of a
subprocess, from getrusage(RUSAGE_CHILDREN) in a small parent process) rather than wall-clock thresholds."""
import io
import zipfile

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import examples, peak_rss_mib
from hypothesis import given, settings
from hypothesis import strategies as st

from minimlp import MLP
from minimlp.cli import main
from minimlp.config import load_config
from minimlp.config.rules import SHOW_LIMIT, show
from minimlp.config.yaml_reader import MAX_DEPTH, MAX_VALUES
from minimlp.data import load_dataset
from minimlp.errors import ConfigError, ModelFileError


def laughs(levels, fanout=9):
    """The 'billion laughs' value, as one flow mapping: a0 holds `fanout` strings, each level repeats the
    one before `fanout` times, and 'top' is the last level (fanout ** (levels + 1) strings once expanded)."""
    items = [f"a0: &a0 [{', '.join(['lol'] * fanout)}]"]
    items += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fanout)}]" for i in range(1, levels + 1)]
    return "{" + ", ".join(items) + f", top: *a{levels}" + "}"


PLACES = {"name": "name: {v}\n", "model.hidden": "model:\n  hidden: {v}\n",
          "data.params": "data:\n  dataset: moons\n  params: {{noise: {v}}}\n"}


@pytest.mark.parametrize("place", PLACES)
def test_billion_laughs_is_refused_naming_the_file(tmp_path, place):
    path = tmp_path / "lol.yaml"
    path.write_text(PLACES[place].format(v=laughs(9)))  # ~450 bytes; 9**10 values expanded
    with pytest.raises(ConfigError, match=rf"lol.yaml: invalid YAML at line \d+, column \d+: its aliases expand "
                                          rf"to more than {MAX_VALUES:,} values"):
        load_config(path)


@pytest.mark.parametrize("place", PLACES)
def test_an_alias_below_the_limit_gives_a_bounded_message(tmp_path, place):
    path = tmp_path / "lol.yaml"
    path.write_text(PLACES[place].format(v=laughs(3)))  # ~8,000 values: allowed, but not as that key's value
    result = CliRunner().invoke(main, ["train", str(path), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2 and "lol.yaml" in result.output and not (tmp_path / "run").exists()
    assert len(result.output) < 800 and "... (a mapping of" in result.output


@pytest.mark.parametrize("text", ["name: " + "[" * 500 + "]" * 500, "name: " + "{a: " * 500 + "1" + "}" * 500,
                                  "".join("  " * i + f"k{i}:\n" for i in range(500)), "name: &a [*a]"])
def test_deep_nesting_and_recursive_aliases_are_refused(tmp_path, text):
    path = tmp_path / "deep.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError, match="deep.yaml: invalid YAML at line"):
        load_config(path)


def test_nesting_just_within_the_limit_is_read(tmp_path):
    depth = MAX_DEPTH - 2  # the document's mapping and name's value are two more levels
    path = tmp_path / "ok.yaml"
    path.write_text("name: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(ConfigError, match=r"name must be a non-empty string, got \[\[\["):
        load_config(path)  # the value is read; only its type is wrong


def test_aliases_to_mappings_still_work(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text("x: &opt {name: adam, lr: 0.01}\noptimizer: *opt\n")
    with pytest.raises(ConfigError, match="unknown key x"):
        load_config(path)
    path.write_text("optimizer: &opt {name: adam, lr: 0.01}\n")
    assert load_config(path).optimizer.lr == 0.01


@settings(max_examples=examples(60), deadline=None)
@given(levels=st.integers(1, 12), fanout=st.integers(2, 12), place=st.sampled_from(sorted(PLACES)))
def test_alias_documents_of_any_shape_end_in_one_bounded_config_error(tmp_path_factory, levels, fanout, place):
    path = tmp_path_factory.mktemp("fuzz") / "a.yaml"
    path.write_text(PLACES[place].format(v=laughs(levels, fanout)))
    with pytest.raises(ConfigError) as error:
        load_dataset(load_config(path))  # data.params reach scikit-learn only when the data loads
    assert "a.yaml" in str(error.value) and len(str(error.value)) < 600


@settings(max_examples=examples(100), deadline=None)
@given(st.recursive(st.one_of(st.integers(), st.text(max_size=300), st.none(), st.floats()),
                    lambda inner: st.one_of(st.lists(inner, max_size=30), st.dictionaries(st.text(max_size=5), inner,
                                                                                           max_size=30)),
                    max_leaves=200))
def test_show_is_json_when_short_and_bounded_when_long(value):
    import json

    text = show(value)
    assert len(text) <= SHOW_LIMIT + 60
    full = json.dumps(value)
    if len(full) <= SHOW_LIMIT:
        assert text == full
    else:
        assert text.startswith(full[:SHOW_LIMIT]) and "... (a " in text


def test_yaml_bombs_stay_small_in_memory(tmp_path):
    (tmp_path / "lol.yaml").write_text(PLACES["name"].format(v=laughs(9)))
    (tmp_path / "deep.yaml").write_text("name: " + "[" * 100_000 + "]" * 100_000 + "\n")
    code = ("from minimlp.config import load_config\nfrom minimlp.errors import ConfigError\n"
            "for name in ('lol.yaml', 'deep.yaml'):\n"
            "    try:\n        load_config(name)\n    except ConfigError:\n        pass\n"
            "    else:\n        raise SystemExit(3)\n")
    status, err, mib = peak_rss_mib(code, tmp_path)
    assert status == 0, err
    assert mib < 200, f"{mib:.0f} MiB"  # ~100 MiB for Python, numpy and scikit-learn; gigabytes before


def npy_header(shape, descr="<f4"):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def model_members(tmp_path):
    MLP([2, 4, 3], seed=0).save(tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_a_header_declaring_a_trillion_parameters_is_refused_naming_the_file(tmp_path):
    members = model_members(tmp_path)
    members["params.npy"] = npy_header((10**12,)) + b"\0" * 64
    write_zip(tmp_path / "huge.npz", members)
    result = CliRunner().invoke(main, ["predict", str(_run_with(tmp_path, "huge.npz")), str(_csv(tmp_path)),
                                       "-o", str(tmp_path / "p.csv")])
    assert result.exit_code == 2
    assert "model.npz: cannot be read as a minimlp model file (member 'params.npy' declares 1,000,000,000,000 " \
           "values (3.6 TiB), more than the 4.0 GiB" in result.output


def _run_with(tmp_path, name):
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    (run / "model.npz").write_bytes((tmp_path / name).read_bytes())
    return run


def _csv(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    return tmp_path / "x.csv"


def test_a_compressed_member_that_inflates_to_gigabytes_is_refused_before_inflating(tmp_path):
    """~1 MB on disk, an honest header and zip size for 1 GB of zeros: refused by the network's sizes."""
    members = model_members(tmp_path)
    write_zip(tmp_path / "bomb.npz", {k: v for k, v in members.items() if k != "params.npy"})
    with zipfile.ZipFile(tmp_path / "bomb.npz", "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("params.npy", "w", force_zip64=True) as member:
            member.write(npy_header((250_000_000,)))
            zeros = bytes(1 << 24)
            for _ in range(1_000_000_000 // len(zeros)):
                member.write(zeros)
            member.write(bytes(1_000_000_000 % len(zeros)))
    assert (tmp_path / "bomb.npz").stat().st_size < 1_500_000
    code = ("from minimlp import MLP\nfrom minimlp.errors import ModelFileError\n"
            "try:\n    MLP.load('bomb.npz')\nexcept ModelFileError as e:\n    print(e)\nelse:\n    raise SystemExit(3)\n")
    status, out, mib = peak_rss_mib(code, tmp_path)
    assert status == 0 and "bomb.npz: cannot be read as a minimlp model file (params declare shape (250000000,)" in out
    assert mib < 200, f"{mib:.0f} MiB"  # 1 GB if the member were inflated


def test_a_member_inflating_beyond_its_declared_size_fails_its_check(tmp_path):
    members = model_members(tmp_path)
    write_zip(tmp_path / "m2.npz", members, zipfile.ZIP_DEFLATED)
    data = bytearray((tmp_path / "m2.npz").read_bytes())
    with zipfile.ZipFile(tmp_path / "m2.npz") as archive:
        info = archive.getinfo("params.npy")
    # the archive's declared size for params shrinks by 8 bytes in both headers: the stream holds more
    for offset in _all(data, info.file_size.to_bytes(4, "little")):
        data[offset:offset + 4] = (info.file_size - 8).to_bytes(4, "little")
    (tmp_path / "m2.npz").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="m2.npz: cannot be read as a minimlp model file"):
        MLP.load(tmp_path / "m2.npz")


def _all(data, needle):
    start = data.find(needle)
    while start != -1:
        yield start
        start = data.find(needle, start + 1)


@settings(max_examples=examples(150), deadline=None)
@given(shape=st.lists(st.integers(0, 10**7), max_size=4).map(tuple),
       descr=st.sampled_from(["<f4", "<f8", "|b1", "<i8", "|O", "<U5", "|V8", ">f4", "<c16"]),
       name=st.sampled_from(["params.npy", "sizes.npy", "dtype.npy", "format.npy", "extra.npy"]),
       tail=st.integers(0, 64))
def test_altered_npz_headers_give_one_model_file_error(tmp_path_factory, shape, descr, name, tail):
    folder = tmp_path_factory.mktemp("npz")
    members = model_members(folder)
    members[name] = npy_header(shape, descr) + bytes(tail)
    write_zip(folder / "altered.npz", members)
    try:
        MLP.load(folder / "altered.npz")
    except ModelFileError as e:
        assert "altered.npz" in str(e) and len(str(e)) < 600
