"""polars and pyarrow inputs: the transaction summary of an Arrow table, a Parquet file or
a polars frame equals that of the pandas frame (and is a pandas DataFrame, as lifetimes
returns); fitters and predictions take polars Series and pyarrow arrays as numpy arrays;
numbers and timestamps are read without a copy."""

import datetime

import numpy as np
import pandas as pd
import pytest

import fastlifetimes as lifetimes
from fastlifetimes import _columnar
from fastlifetimes.datasets import load_cdnow_summary, load_dataset
from fastlifetimes.utils import summary_data_from_transaction_data
from synthetic import transaction_log

pa = pytest.importorskip("pyarrow")


def cdnow_log():
    log = load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+", names=["master", "cust", "date", "n", "amount"])
    return log[["cust", "date", "amount"]]


CASES = [
    ("cdnow, integer dates with a format", cdnow_log,
     dict(customer_id_col="cust", datetime_col="date", monetary_value_col="amount",
          datetime_format="%Y%m%d", freq="D", freq_multiplier=7, observation_period_end="19970930")),
    ("synthetic timestamps, string ids", lambda: transaction_log(2000, string_ids=True),
     dict(customer_id_col="customer", datetime_col="when", monetary_value_col="amount", freq="h")),
    ("synthetic weekly, include first", lambda: transaction_log(2000),
     dict(customer_id_col="customer", datetime_col="when", monetary_value_col="amount", freq="W",
          include_first_transaction=True)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_summary_of_an_arrow_table_equals_the_pandas_summary(case):
    _, build, options = case
    log = build()
    expected = summary_data_from_transaction_data(log, **options)
    table = pa.Table.from_pandas(log, preserve_index=False)
    ours = summary_data_from_transaction_data(table, **options)
    assert isinstance(ours, pd.DataFrame)
    pd.testing.assert_frame_equal(ours, expected, check_index_type=False)
    batch = table.combine_chunks().to_batches()[0]
    pd.testing.assert_frame_equal(summary_data_from_transaction_data(batch, **options), expected,
                                  check_index_type=False)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_summary_of_a_polars_frame_equals_the_pandas_summary(case):
    pl = pytest.importorskip("polars")
    _, build, options = case
    log = build()
    expected = summary_data_from_transaction_data(log, **options)
    ours = summary_data_from_transaction_data(pl.from_pandas(log), **options)
    assert isinstance(ours, pd.DataFrame)
    pd.testing.assert_frame_equal(ours, expected, check_index_type=False)


def test_summary_of_a_parquet_file_read_by_pyarrow(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    log = transaction_log(2000)
    log["day"] = log["when"].dt.date  # a DATE column (date32 in Arrow)
    pq.write_table(pa.Table.from_pandas(log, preserve_index=False), tmp_path / "log.parquet")
    table = pq.read_table(tmp_path / "log.parquet")
    assert table.schema.field("day").type == pa.date32()
    for column in ("when", "day"):
        expected = summary_data_from_transaction_data(log.assign(day=pd.to_datetime(log["day"])),
                                                      "customer", column, "amount")
        pd.testing.assert_frame_equal(summary_data_from_transaction_data(table, "customer", column, "amount"),
                                      expected)


def test_the_other_transaction_log_functions_take_tables_too():
    from fastlifetimes.utils import calibration_and_holdout_data, expected_cumulative_transactions

    log = transaction_log(1000)
    table = pa.Table.from_pandas(log, preserve_index=False)
    options = dict(calibration_period_end="2021-01-01", monetary_value_col="amount", freq="W")
    pd.testing.assert_frame_equal(calibration_and_holdout_data(table, "customer", "when", **options),
                                  calibration_and_holdout_data(log, "customer", "when", **options))
    bgf = lifetimes.BetaGeoFitter().fit([1, 0, 2, 5], [3, 0, 4, 9], [10, 10, 10, 12])
    pd.testing.assert_frame_equal(expected_cumulative_transactions(bgf, table, "when", "customer", 30),
                                  expected_cumulative_transactions(bgf, log, "when", "customer", 30))


def test_time_zones_chunks_and_nulls():
    when = pd.to_datetime(["2021-03-13 23:30", "2021-03-14 03:30", "2021-03-15 00:10", "2021-03-14 12:00"])
    log = pd.DataFrame({"id": [1, 1, 1, 2], "when": when.tz_localize("America/New_York")})
    table = pa.Table.from_pandas(log, preserve_index=False)
    expected = summary_data_from_transaction_data(log, "id", "when", freq="h")
    pd.testing.assert_frame_equal(summary_data_from_transaction_data(table, "id", "when", freq="h"), expected,
                                  check_index_type=False)
    chunked = pa.concat_tables([table.slice(0, 2), table.slice(2)])
    assert chunked.column("when").num_chunks == 2
    pd.testing.assert_frame_equal(summary_data_from_transaction_data(chunked, "id", "when", freq="h"), expected,
                                  check_index_type=False)
    with_null = pa.table({"id": [1, None], "when": pa.array([datetime.datetime(2020, 1, 1)] * 2)})
    with pytest.raises(ValueError, match="id: missing customer ids"):
        summary_data_from_transaction_data(with_null, "id", "when")
    missing = r"transactions: missing column\(s\) \['day'\]; available columns: \['id', 'when'\]"
    with pytest.raises(ValueError, match=missing):
        summary_data_from_transaction_data(with_null, "id", "day")


def test_numbers_and_timestamps_are_read_without_a_copy():
    values = pa.chunked_array([pa.array(np.arange(5.0))])
    series = _columnar._column_to_pandas(values, "x")
    assert series.to_numpy().ctypes.data == values.chunk(0).buffers()[1].address
    stamps = pa.array(np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[ns]"))
    assert _columnar._column_to_pandas(stamps).to_numpy().ctypes.data == stamps.buffers()[1].address
    table = pa.table({"id": np.arange(3), "when": np.array(["2020-01-01"] * 3, dtype="datetime64[ns]"),
                      "other": ["a", "b", "c"]})
    frame = _columnar.as_pandas_frame(table, ["id", "when"])
    assert list(frame.columns) == ["id", "when"]  # the other column is not converted
    assert frame["id"].to_numpy().ctypes.data == table.column("id").chunk(0).buffers()[1].address
    pl = pytest.importorskip("polars")
    column = pl.Series("x", np.arange(4.0))
    assert np.shares_memory(_columnar.as_array(column), column.to_numpy())


def test_module_detection_imports_nothing():
    assert not _columnar.is_columnar(pd.Series([1.0]))
    assert not _columnar.is_columnar(np.arange(3))
    assert _columnar.as_array([1, 2]) == [1, 2]
    assert _columnar.is_columnar(pa.array([1.0]))


@pytest.mark.parametrize("library", ["pyarrow", "polars"])
def test_fitters_and_predictions_take_columnar_arrays(library):
    if library == "polars":
        pl = pytest.importorskip("polars")
        convert = pl.Series
    else:
        convert = pa.array
    data = load_cdnow_summary()
    f, r, T = (data[c] for c in ("frequency", "recency", "T"))
    expected = lifetimes.BetaGeoFitter().fit(f, r, T)
    ours = lifetimes.BetaGeoFitter().fit(convert(f.to_numpy()), convert(r.to_numpy()), T=convert(T.to_numpy()))
    np.testing.assert_array_equal(ours.params_.to_numpy(), expected.params_.to_numpy())
    predicted = ours.predict(30, convert(f.to_numpy()), convert(r.to_numpy()), convert(T.to_numpy()))
    assert isinstance(predicted, np.ndarray)  # arrays in, arrays out, as for numpy input
    np.testing.assert_array_equal(predicted, expected.predict(30, f, r, T).to_numpy())
    alive = ours.conditional_probability_alive(convert(f.to_numpy()), convert(r.to_numpy()), convert(T.to_numpy()))
    np.testing.assert_array_equal(alive, expected.conditional_probability_alive(f, r, T))

    spend = load_dataset("cdnow_customers_summary_with_transactions.csv")
    spend = spend[spend["x"] > 0]
    ggf = lifetimes.GammaGammaFitter().fit(spend["x"], spend["zbar"])
    ours = lifetimes.GammaGammaFitter().fit(convert(spend["x"].to_numpy()), convert(spend["zbar"].to_numpy()))
    np.testing.assert_array_equal(ours.params_.to_numpy(), ggf.params_.to_numpy())


def test_columnar_nulls_are_named_like_nan():
    with pytest.raises(ValueError, match="frequency: NaN in 1 row"):
        lifetimes.BetaGeoFitter().fit(pa.array([1.0, None, 0.0]), [2.0, 1.0, 0.0], [3.0, 3.0, 3.0])
    with pytest.raises(ValueError, match="frequency: expected numbers, got strings"):
        lifetimes.BetaGeoFitter().fit(pa.array(["1", "2"]), [2.0, 1.0], [3.0, 3.0])
