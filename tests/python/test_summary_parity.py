"""summary_data_from_transaction_data against lifetimes 0.11.3: same index, columns,
dtypes and values, on the CDNOW log, lifetimes' example log and a synthetic log with
timestamps, string ids and same-day repeats, across freq / multiplier / first-transaction
options."""

import numpy as np
import pandas as pd
import pytest

from fastlifetimes.datasets import load_dataset, load_transaction_data
from fastlifetimes.utils import summary_data_from_transaction_data
from lifetimes_reference import infer_string_dtypes, run_lifetimes
from synthetic import transaction_log


def cdnow_log():
    log = load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+")
    log.columns = ["customer_id", "sample_id", "date", "n_cds", "amount"]
    return log[["customer_id", "date", "amount"]]


# (name, log builder, keyword arguments)
CASES = [
    ("cdnow weeks, calibration end, monetary", cdnow_log,
     dict(customer_id_col="customer_id", datetime_col="date", monetary_value_col="amount",
          datetime_format="%Y%m%d", observation_period_end="19970930", freq="D", freq_multiplier=7)),
    ("cdnow days, default end", cdnow_log,
     dict(customer_id_col="customer_id", datetime_col="date", datetime_format="%Y%m%d")),
    ("cdnow include first transaction", cdnow_log,
     dict(customer_id_col="customer_id", datetime_col="date", monetary_value_col="amount",
          datetime_format="%Y%m%d", include_first_transaction=True)),
    ("cdnow weekly periods", cdnow_log,
     dict(customer_id_col="customer_id", datetime_col="date", monetary_value_col="amount",
          datetime_format="%Y%m%d", freq="W")),
    ("example log, string dates", load_transaction_data,
     dict(customer_id_col="id", datetime_col="date")),
    ("example log, end as Timestamp, hours", load_transaction_data,
     dict(customer_id_col="id", datetime_col="date", observation_period_end=pd.Timestamp("2014-09-01"),
          freq="h", freq_multiplier=24)),
    ("synthetic timestamps, string ids, monetary", lambda: transaction_log(3000, string_ids=True),
     dict(customer_id_col="customer", datetime_col="when", monetary_value_col="amount")),
    ("synthetic hourly, end mid-log", lambda: transaction_log(3000),
     dict(customer_id_col="customer", datetime_col="when", monetary_value_col="amount", freq="h",
          observation_period_end="2021-01-01 12:30:00")),
    ("synthetic weekly, include first", lambda: transaction_log(3000),
     dict(customer_id_col="customer", datetime_col="when", monetary_value_col="amount", freq="W",
          include_first_transaction=True)),
]


@pytest.fixture(scope="module")
def reference():
    logs = {f"log{i}": builder() for i, (_, builder, _) in enumerate(CASES)}
    calls = "\n".join(
        f"out['case{i}'] = lifetimes.utils.summary_data_from_transaction_data(log{i}, **kwargs{i})"
        for i in range(len(CASES)))
    kwargs = {f"kwargs{i}": kw for i, (_, _, kw) in enumerate(CASES)}
    return logs, run_lifetimes(calls, **logs, **kwargs)


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c[0] for c in CASES])
def test_summary_matches_lifetimes(reference, i):
    logs, ref = reference
    ours = summary_data_from_transaction_data(logs[f"log{i}"], **CASES[i][2])
    theirs = infer_string_dtypes(ref[f"case{i}"])
    # Values to 1e-12 relative: monetary means are sums in a different order.
    pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-12)
    assert ours.index.name == theirs.index.name
    assert list(ours.dtypes) == [np.float64] * ours.shape[1]


def test_cdnow_summary_reproduces_the_published_calibration_data():
    """Fader & Hardie's CDNOW calibration summary (BTYD's cdnowSummary$cbs) is this call."""
    from shared_data import shared_data_path

    path = shared_data_path("btyd_r", "cdnowSummary_cbs.csv")
    cbs = pd.read_csv(path)
    log = load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+", names=["master", "cust", "date", "n", "amount"])
    ours = summary_data_from_transaction_data(log, "cust", "date", datetime_format="%Y%m%d",
                                              observation_period_end="19970930", freq_multiplier=7)
    assert (ours.index.values == cbs["cust"].values).all()
    np.testing.assert_allclose(ours["frequency"].values, cbs["x"].values, rtol=0, atol=0)
    np.testing.assert_allclose(ours["recency"].values, cbs["t.x"].values, rtol=1e-13)
    np.testing.assert_allclose(ours["T"].values, cbs["T.cal"].values, rtol=1e-13)


def test_datetime_and_string_dates_agree():
    log = transaction_log(500)
    as_strings = log.assign(when=log["when"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    a = summary_data_from_transaction_data(log, "customer", "when", "amount")
    b = summary_data_from_transaction_data(as_strings, "customer", "when", "amount")
    pd.testing.assert_frame_equal(a, b)


def test_rows_in_any_order_give_the_same_summary():
    log = transaction_log(500)
    a = summary_data_from_transaction_data(log, "customer", "when", "amount")
    b = summary_data_from_transaction_data(log.sort_values("when"), "customer", "when", "amount")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-14)
