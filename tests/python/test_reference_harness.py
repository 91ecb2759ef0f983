"""Checks of the harness that runs the real lifetimes 0.11.3 (tests/python/lifetimes_reference.py)."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetimes_reference import (
    LifetimesReferenceError,
    infer_string_dtypes,
    reference_python,
    run_lifetimes,
)


def test_reference_env_has_the_pinned_versions():
    out = run_lifetimes(
        """
        import scipy, sys
        out["v"] = lifetimes.__version__
        out["numpy"] = np.__version__
        out["pandas"] = pd.__version__
        out["scipy"] = scipy.__version__
        out["prefix"] = sys.prefix
        """
    )
    assert out["v"] == "0.11.3"
    assert out["numpy"] == "1.24.4"
    assert out["pandas"] == "1.5.3"
    assert out["scipy"] == "1.10.1"
    assert Path(out["prefix"]).resolve() == Path(reference_python()).parent.parent.resolve()


def test_reference_python_is_idempotent():
    first = reference_python()
    assert reference_python() == first
    assert os.access(first, os.X_OK)


def test_round_trip_of_frames_series_and_scalars():
    frame = pd.DataFrame(
        {
            "name": ["ann", "bob", None],
            "when": pd.to_datetime(["2014-01-01 00:00", "2014-06-30 12:00", None]).as_unit("ns"),
            "count": np.array([1, 2, 3], dtype=np.int64),
            "amount": [1.5, np.nan, -2.25],
            "flag": [True, False, True],
        },
        index=pd.Index(["c1", "c2", "c3"], name="customer_id"),
    )
    series = pd.Series([0.5, 1.5], index=pd.Index([10, 20], name="k"), name="value")
    matrix = np.arange(6, dtype=np.float64).reshape(2, 3)

    out = run_lifetimes(
        """
        # the inputs arrive as the same kinds of objects, with pandas-1.5 dtypes
        assert isinstance(frame, pd.DataFrame) and isinstance(series, pd.Series)
        assert list(frame.columns) == ["name", "when", "count", "amount", "flag"]
        assert frame.index.name == "customer_id" and frame.index.dtype == object
        assert str(frame["when"].dtype) == "datetime64[ns]"
        assert frame["name"].dtype == object and frame["name"].isna().tolist() == [False, False, True]
        assert series.name == "value" and series.index.name == "k"
        assert isinstance(i, int) and isinstance(f, float) and isinstance(s, str)
        assert b is True and nothing is None
        out["frame"] = frame
        out["series"] = series
        out["matrix"] = matrix * 2
        out["scalars"] = (i + 1, f / 2, s.upper(), b, nothing)
        out["np_float"] = np.float64(f)
        out["dict"] = {"a": 1, "b": [1.0, "x"]}
        out["timestamp"] = frame["when"].iloc[1]
        """,
        frame=frame,
        series=series,
        matrix=matrix,
        i=41,
        f=2.5,
        s="text",
        b=True,
        nothing=None,
    )

    # Text comes back faithfully as object dtype (pandas 1.5's text dtype);
    # infer_string_dtypes turns it into the main env's default text dtype.
    back = out["frame"]
    assert back["name"].dtype == object and back.index.dtype == object
    pd.testing.assert_frame_equal(infer_string_dtypes(back), frame, check_exact=True)
    pd.testing.assert_series_equal(out["series"], series, check_exact=True)
    np.testing.assert_array_equal(out["matrix"], matrix * 2)
    assert out["matrix"].dtype == np.float64
    assert out["scalars"] == (42, 1.25, "TEXT", True, None)
    assert type(out["np_float"]) is np.float64 and out["np_float"] == 2.5
    assert out["dict"] == {"a": 1, "b": [1.0, "x"]}
    assert out["timestamp"] == pd.Timestamp("2014-06-30 12:00")


def test_more_pandas_kinds_round_trip():
    frame = pd.DataFrame(
        {
            "cat": pd.Categorical(["x", "y", "x"]),
            "nullable": pd.array([1, None, 3], dtype="Int64"),
            "period": pd.period_range("2014-01", periods=3, freq="M"),
            "tz": pd.date_range("2014-01-01", periods=3, tz="Europe/Paris").as_unit("ns"),
            "delta": pd.to_timedelta([1, 2, 3], unit="D").as_unit("ns"),
        },
        index=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)], names=["grp", "n"]),
    )
    dated = pd.Series(
        [1.0, 2.0, 3.0],
        index=pd.date_range("2014-01-01", periods=3, freq="D").as_unit("ns"),
        name=("tuple", "name"),
    )
    out = run_lifetimes(
        """
        out["dtypes"] = [str(t) for t in frame.dtypes]
        out["frame"] = frame
        out["dated"] = dated
        """,
        frame=frame,
        dated=dated,
    )
    assert out["dtypes"] == [
        "category", "Int64", "period[M]", "datetime64[ns, Europe/Paris]", "timedelta64[ns]",
    ]
    pd.testing.assert_frame_equal(infer_string_dtypes(out["frame"]), frame, check_exact=True)
    pd.testing.assert_series_equal(out["dated"], dated, check_exact=True, check_freq=True)


def test_non_ns_datetimes_travel_as_ns():
    # pandas 3 parses to microseconds; pandas 1.5 only has nanoseconds.
    when = pd.Series(pd.to_datetime(["2014-01-01", "2014-02-01"]), name="when")
    out = run_lifetimes('out["dtype"] = str(when.dtype); out["when"] = when', when=when)
    assert out["dtype"] == "datetime64[ns]"
    assert str(out["when"].dtype) == "datetime64[ns]"
    pd.testing.assert_series_equal(out["when"], when.astype("datetime64[ns]"))


def test_lifetimes_fit_runs_in_the_snippet():
    out = run_lifetimes(
        """
        from lifetimes.datasets import load_cdnow_summary
        data = load_cdnow_summary(index_col=[0])
        bgf = lifetimes.BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
        out["params"] = bgf.params_
        out["summary"] = bgf.summary
        """
    )
    params = out["params"]
    assert isinstance(params, pd.Series)
    assert list(params.index) == ["r", "alpha", "a", "b"]
    # BG/NBD on the CDNOW summary (Fader, Hardie & Lee 2005): r=0.243, alpha=4.414, a=0.793, b=2.426
    np.testing.assert_allclose(params.to_numpy(), [0.243, 4.414, 0.793, 2.426], atol=2e-3)
    assert isinstance(out["summary"], pd.DataFrame)


def test_snippet_errors_carry_the_child_traceback():
    with pytest.raises(LifetimesReferenceError) as info:
        run_lifetimes(
            """
            x = 1
            y = x / zero
            """,
            zero=0,
        )
    message = str(info.value)
    assert "ZeroDivisionError" in message
    assert "<lifetimes snippet>" in message and "y = x / zero" in message


def test_untransportable_values_are_rejected():
    with pytest.raises(TypeError):
        run_lifetimes("pass", thing=object())
    with pytest.raises(ValueError):
        run_lifetimes("pass", np=1)
    with pytest.raises(LifetimesReferenceError, match="cannot transport"):
        run_lifetimes("out['model'] = lifetimes.BetaGeoFitter()")
