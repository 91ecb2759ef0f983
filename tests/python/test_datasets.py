"""fastlifetimes.datasets against lifetimes 0.11.3's loaders (run in the reference env).

dtype policy of these comparisons
---------------------------------
* Numeric and boolean columns, column labels and the index must agree
  exactly: same values, same dtype (int64 stays int64, float64 stays
  float64).  RangeIndex and an int64 Index with the same values count as the
  same index (``check_index_type="equiv"``): pandas 3 itself turns
  ``set_index`` on a consecutive integer column into a RangeIndex.
* Text is the one permitted difference.  pandas 1.5 (the reference) stores
  text as ``object``; pandas 3 stores what ``read_csv`` reads as its default
  text dtype ``str``.  Our loaders must give exactly the dtype the running
  pandas uses for text (``object`` before pandas 3, ``str`` from 3 on), with
  identical values.  ``_TEXT_DTYPE`` below is that dtype, and
  ``_assert_same_frame`` checks that it is the *only* kind of dtype
  difference before comparing everything else exactly.
* Datetimes parsed by ``read_csv`` are ``datetime64[ns]`` in pandas 1.5 but
  ``datetime64[us]`` in pandas 3 (resolution inference); for the one
  ``parse_dates`` case the unit is compared as ``ns`` after checking that the
  column is a datetime column without time zone.
"""

import ast
import json
import subprocess
import sys
import textwrap
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fastlifetimes.datasets as datasets
from lifetimes_reference import infer_string_dtypes, run_lifetimes

_TEXT_DTYPE = pd.Series(["text"]).dtype  # object before pandas 3, str from pandas 3 on

DATA_FILES = [
    "CDNOW_master.txt",
    "CDNOW_sample.txt",
    "cdnow_customers_summary.csv",
    "cdnow_customers_summary_with_transactions.csv",
    "donations.csv",
    "example_transactions.csv",
]

SAMPLE_NAMES = ["customer_id", "customer_index", "date", "quantity", "amount"]

# name -> (loader name, args, kwargs); the same call is made on both sides.
CASES = {
    "cdnow_summary": ("load_cdnow_summary", [], {}),
    "cdnow_summary_index_col": ("load_cdnow_summary", [], {"index_col": [0]}),
    "cdnow_summary_usecols": ("load_cdnow_summary", [], {"usecols": ["ID", "T"]}),
    "transaction_data": ("load_transaction_data", [], {}),
    "transaction_data_dates": ("load_transaction_data", [], {"parse_dates": ["date"]}),
    "monetary_value": ("load_cdnow_summary_data_with_monetary_value", [], {}),
    "donations": ("load_donations", [], {}),
    "donations_nrows": ("load_donations", [], {"nrows": 5}),
    "master_default": ("load_dataset", ["CDNOW_master.txt"], {}),
    "master_whitespace": ("load_dataset", ["CDNOW_master.txt"], {"sep": r"\s+"}),
    # how the lifetimes documentation reads the raw sample (delim_whitespace is gone in pandas 3)
    "sample_delim_whitespace": (
        "load_dataset",
        ["CDNOW_sample.txt"],
        {"header": None, "delim_whitespace": True, "names": SAMPLE_NAMES},
    ),
    "sample_dtype": (
        "load_dataset",
        ["CDNOW_sample.txt"],
        {"header": None, "sep": r"\s+", "names": SAMPLE_NAMES, "dtype": {"customer_id": "str"}},
    ),
}


@pytest.fixture(scope="module")
def reference():
    """All reference frames from a single run of lifetimes 0.11.3."""
    return run_lifetimes(
        """
        import json
        import lifetimes.datasets as ref
        out["__all__"] = list(ref.__all__)
        for name, (func, args, kwargs) in json.loads(cases).items():
            out[name] = getattr(ref, func)(*args, **kwargs)
        """,
        cases=json.dumps(CASES),
    )


def _call(case):
    func, args, kwargs = CASES[case]
    return getattr(datasets, func)(*args, **kwargs)


def _assert_same_frame(ours, ref):
    assert isinstance(ours, pd.DataFrame)
    assert list(ours.columns) == list(ref.columns)
    expected = ref.copy()
    for i, (name, ref_dtype) in enumerate(ref.dtypes.items()):
        our_dtype = ours.dtypes.iloc[i]
        if ref_dtype.kind == "O":
            # the permitted difference: text in pandas' own text dtype
            assert our_dtype == _TEXT_DTYPE, (name, our_dtype)
        elif ref_dtype.kind == "M":
            assert our_dtype.kind == "M" and getattr(our_dtype, "tz", None) is None, (name, our_dtype)
            expected.isetitem(i, ref.iloc[:, i].astype(our_dtype))
        else:
            assert our_dtype == ref_dtype, (name, our_dtype, ref_dtype)
    expected = infer_string_dtypes(expected)
    pd.testing.assert_frame_equal(
        ours, expected, check_exact=True, check_dtype=True, check_index_type="equiv",
        check_column_type=True,
    )
    # the index must hold the same dtype and name as well (e.g. int64 customer ids)
    assert ours.index.dtype == expected.index.dtype
    assert ours.index.names == ref.index.names


def test_all_matches_lifetimes(reference):
    assert datasets.__all__ == reference["__all__"]
    for name in datasets.__all__:
        assert callable(getattr(datasets, name))
    assert callable(datasets.load_dataset)


@pytest.mark.parametrize("case", sorted(CASES))
def test_loader_matches_lifetimes(reference, case):
    _assert_same_frame(_call(case), reference[case])


def test_known_shapes():
    # independent of the reference: facts about the files (see their README)
    assert datasets.load_cdnow_summary().shape == (2357, 4)
    mv = datasets.load_cdnow_summary_data_with_monetary_value()
    assert list(mv.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert mv.index.name == "customer_id" and mv.shape == (2357, 4)
    assert int((mv["frequency"] > 0).sum()) == 946
    assert int(datasets.load_donations()["weights"].sum()) == 11104
    tx = datasets.load_transaction_data()
    assert tx.shape == (15273, 2) and tx["id"].nunique() == 5000


def test_loaders_return_fresh_frames():
    first = datasets.load_donations()
    first.loc[0, "weights"] = -1
    assert datasets.load_donations().loc[0, "weights"] != -1


def test_delim_whitespace_conflicts_like_pandas():
    with pytest.raises(ValueError):
        datasets.load_dataset("CDNOW_sample.txt", header=None, delim_whitespace=True, sep=",")
    plain = datasets.load_dataset("CDNOW_sample.txt", header=None, delim_whitespace=False)
    assert plain.shape[1] == 1


def test_missing_file_raises():
    with pytest.raises(FileNotFoundError):
        datasets.load_dataset("no_such_file.csv")


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_files_are_package_resources(name):
    resource = files("fastlifetimes.datasets").joinpath(name)
    assert resource.is_file()
    assert len(resource.read_bytes()) > 0


def test_loading_needs_no_pkg_resources_or_setuptools():
    """Import and use the loaders in a fresh interpreter where pkg_resources/setuptools cannot be imported."""
    package_root = Path(datasets.__file__).parents[2]
    script = textwrap.dedent(
        f"""
        import sys

        class BlockSetuptools:
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] in ("pkg_resources", "setuptools"):
                    raise ImportError("blocked by the test: " + name)
                return None

        sys.meta_path.insert(0, BlockSetuptools())
        for mod in [m for m in sys.modules if m.partition(".")[0] in ("pkg_resources", "setuptools")]:
            del sys.modules[mod]
        try:
            import pkg_resources
        except ImportError:
            pass
        else:
            raise SystemExit("the import block does not work")

        sys.path.insert(0, {str(package_root)!r})
        import fastlifetimes.datasets as d
        assert d.__file__.startswith({str(package_root)!r}), d.__file__
        for name in d.__all__:
            frame = getattr(d, name)()
            assert len(frame) > 0, name
        assert d.load_dataset("CDNOW_sample.txt", header=None, sep=r"\\s+").shape == (6919, 5)
        bad = [m for m in sys.modules if m.partition(".")[0] in ("pkg_resources", "setuptools")]
        assert not bad, bad
        print("ok")
        """
    )
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("ok")


def test_no_pkg_resources_in_source():
    tree = ast.parse(Path(datasets.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.partition(".")[0])
    assert not imported & {"pkg_resources", "setuptools"}
    assert "importlib" in imported


def test_reference_values_are_numpy_typed(reference):
    # guard the comparison itself: numeric columns really arrived as numpy int64/float64
    summary = reference["cdnow_summary"]
    assert summary["frequency"].dtype == np.int64 and summary["T"].dtype == np.float64
