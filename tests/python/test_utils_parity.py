"""fastlifetimes.utils against lifetimes 0.11.3: calibration_and_holdout_data,
expected_cumulative_transactions, calculate_alive_path and _customer_lifetime_value on the
CDNOW log, lifetimes' example log and synthetic logs, across freq / multiplier / monetary
/ first-transaction options: same index, columns, dtypes and values (closed forms at
lifetimes' own BG/NBD parameters, 1e-8 relative)."""

import numpy as np
import pandas as pd
import pytest

from fastlifetimes import BetaGeoFitter
from fastlifetimes.datasets import load_dataset, load_transaction_data
from fastlifetimes.utils import (
    _customer_lifetime_value,
    calculate_alive_path,
    calibration_and_holdout_data,
    customer_lifetime_value,
    expected_cumulative_transactions,
    summary_data_from_transaction_data,
)
from lifetimes_reference import infer_string_dtypes, run_lifetimes
from synthetic import transaction_log

RTOL_CLOSED_FORM = 1e-8


def cdnow_log():
    log = load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+")
    log.columns = ["customer_id", "sample_id", "date", "n_cds", "amount"]
    return log[["customer_id", "date", "amount"]]


def everyone_in_holdout():
    """Three customers who all buy again after the calibration end (lifetimes then keeps
    frequency_holdout as integers)."""
    return pd.DataFrame({
        "id": ["a", "a", "b", "b", "c", "c", "c"],
        "when": pd.to_datetime(["2020-01-01 00:00", "2020-02-03 00:00", "2020-01-05 00:00", "2020-02-01 10:00",
                                "2020-01-09 00:00", "2020-01-20 00:00", "2020-02-02 00:00"]),
        "value": [5.0, 7.0, 1.0, 2.0, 3.0, 4.0, 8.0],
    })


# (name, log builder, keyword arguments)
HOLDOUT_CASES = [
    ("cdnow weeks, monetary", cdnow_log,
     dict(customer_id_col="customer_id", datetime_col="date", calibration_period_end="19970930",
          observation_period_end="19980630", datetime_format="%Y%m%d", freq="D", freq_multiplier=7,
          monetary_value_col="amount")),
    ("cdnow weekly periods, default end", cdnow_log,
     dict(customer_id_col="customer_id", datetime_col="date", calibration_period_end="19970930",
          datetime_format="%Y%m%d", freq="W")),
    ("cdnow include first transaction", cdnow_log,
     dict(customer_id_col="customer_id", datetime_col="date", calibration_period_end="19970630",
          observation_period_end="19971231", datetime_format="%Y%m%d", monetary_value_col="amount",
          include_first_transaction=True)),
    ("example log, lifetimes docs", load_transaction_data,
     dict(customer_id_col="id", datetime_col="date", calibration_period_end="2014-09-01",
          observation_period_end="2014-12-31")),
    ("example log, hours / 24", load_transaction_data,
     dict(customer_id_col="id", datetime_col="date", calibration_period_end="2014-06-15 12:00",
          observation_period_end=pd.Timestamp("2014-10-01"), freq="h", freq_multiplier=24)),
    ("synthetic timestamps, string ids, monetary", lambda: transaction_log(3000, string_ids=True),
     dict(customer_id_col="customer", datetime_col="when", calibration_period_end="2021-01-01 06:00",
          monetary_value_col="amount")),
    ("synthetic weekly, first transaction", lambda: transaction_log(3000),
     dict(customer_id_col="customer", datetime_col="when", calibration_period_end="2020-09-30",
          observation_period_end="2021-06-30", monetary_value_col="amount", freq="W",
          include_first_transaction=True)),
    ("everyone buys in the holdout", everyone_in_holdout,
     dict(customer_id_col="id", datetime_col="when", calibration_period_end="2020-01-31",
          monetary_value_col="value")),
]

# expected_cumulative_transactions: (name, log builder, keyword arguments)
CUMULATIVE_CASES = [
    ("example log, days", load_transaction_data,
     dict(datetime_col="date", customer_id_col="id", t=100)),
    ("example log, weeks of days, dated", load_transaction_data,
     dict(datetime_col="date", customer_id_col="id", t=364, freq_multiplier=7, set_index_date=True)),
    ("example log, weekly periods", load_transaction_data,
     dict(datetime_col="date", customer_id_col="id", t=52, freq="W", set_index_date=True)),
    ("cdnow 78 weeks of days", cdnow_log,
     dict(datetime_col="date", customer_id_col="customer_id", t=546, datetime_format="%Y%m%d",
          freq_multiplier=7)),
]

ALIVE_CASES = [  # (customer id of the example log, t, freq)
    (35, 205, "D"), (5, 10, "D"), (3, 400, "D"), (35, 30, "W"), (12, 0, "D"),
]

REFERENCE_SNIPPET = """
from lifetimes import BetaGeoFitter
from lifetimes.utils import (calibration_and_holdout_data, expected_cumulative_transactions,
                             calculate_alive_path, summary_data_from_transaction_data,
                             _customer_lifetime_value)
for i, kwargs in enumerate(holdout_kwargs):
    out[f"holdout{i}"] = calibration_and_holdout_data(holdout_logs[i], **kwargs)

example = logs["example"]
summary = summary_data_from_transaction_data(example, "id", "date")
bgf = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
out["example_params"] = bgf.params_
for i, kwargs in enumerate(cumulative_kwargs):
    out[f"cumulative{i}"] = expected_cumulative_transactions(bgf, cumulative_logs[i], **kwargs)
for i, (customer, t, freq) in enumerate(alive_cases):
    path = calculate_alive_path(bgf, example[example["id"] == customer], "date", t, freq=freq)
    out[f"alive{i}"] = np.array([np.asarray(v, dtype=float) for v in path.values])
    out[f"alive{i}_meta"] = (str(path.dtype), len(path), type(path.iloc[0]).__name__, np.shape(path.iloc[0]))

cdnow = logs["cdnow"]
weekly = summary_data_from_transaction_data(cdnow, "customer_id", "date", monetary_value_col="amount",
                                            datetime_format="%Y%m%d", observation_period_end="19970930",
                                            freq_multiplier=7)
cdnow_bgf = BetaGeoFitter().fit(weekly["frequency"], weekly["recency"], weekly["T"])
out["cdnow_params"] = cdnow_bgf.params_
out["cdnow_cumulative"] = expected_cumulative_transactions(cdnow_bgf, cdnow, "date", "customer_id", 546,
                                                          datetime_format="%Y%m%d", freq_multiplier=7)
ones = pd.Series(np.ones(len(summary)), index=summary.index)
for time, rate in ((1, 0.0), (1, 1.0), (2, 0.0), (12, 0.01)):
    out[f"clv_{time}_{rate}"] = _customer_lifetime_value(bgf, summary["frequency"], summary["recency"],
                                                         summary["T"], ones, time=time, discount_rate=rate)
out["clv_monetary"] = _customer_lifetime_value(cdnow_bgf, weekly["frequency"], weekly["recency"], weekly["T"],
                                               weekly["monetary_value"], time=6, discount_rate=0.02, freq="W")
from lifetimes import ModifiedBetaGeoFitter, ParetoNBDFitter
for name, cls in (("mbgnbd", ModifiedBetaGeoFitter), ("pareto", ParetoNBDFitter)):
    other = cls().fit(weekly["frequency"], weekly["recency"], weekly["T"])
    out[name + "_params"] = other.params_
    out[name + "_clv"] = _customer_lifetime_value(other, weekly["frequency"], weekly["recency"], weekly["T"],
                                                  weekly["monetary_value"], time=12, discount_rate=0.01, freq="W")
"""


@pytest.fixture(scope="module")
def reference():
    holdout_logs = [builder() for _, builder, _ in HOLDOUT_CASES]
    cumulative_logs = [builder() for _, builder, _ in CUMULATIVE_CASES]
    logs = {"example": load_transaction_data(), "cdnow": cdnow_log()}
    ref = run_lifetimes(
        REFERENCE_SNIPPET,
        holdout_logs=holdout_logs, holdout_kwargs=[kw for _, _, kw in HOLDOUT_CASES],
        cumulative_logs=cumulative_logs, cumulative_kwargs=[kw for _, _, kw in CUMULATIVE_CASES],
        alive_cases=ALIVE_CASES, logs=logs,
    )
    return holdout_logs, cumulative_logs, logs, ref


def with_params(params):
    m = BetaGeoFitter()
    m.params_ = params
    return m


@pytest.mark.parametrize("i", range(len(HOLDOUT_CASES)), ids=[c[0] for c in HOLDOUT_CASES])
def test_calibration_and_holdout_data_matches_lifetimes(reference, i):
    holdout_logs, _, _, ref = reference
    ours = calibration_and_holdout_data(holdout_logs[i], **HOLDOUT_CASES[i][2])
    theirs = infer_string_dtypes(ref[f"holdout{i}"])
    # 1e-12: monetary means summed in another order
    pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-12)
    assert ours.index.name == theirs.index.name


def test_frequency_holdout_is_integer_only_when_everyone_bought_again(reference):
    holdout_logs, _, _, _ = reference
    everyone = calibration_and_holdout_data(holdout_logs[-1], **HOLDOUT_CASES[-1][2])
    assert everyone["frequency_holdout"].dtype == np.int64
    docs = calibration_and_holdout_data(load_transaction_data(), "id", "date", calibration_period_end="2014-09-01",
                                        observation_period_end="2014-12-31")
    assert docs["frequency_holdout"].dtype == np.float64
    # lifetimes' documentation, first rows: (0,0,177,0,121), (0,0,103,0,121), (6,142,171,0,121)
    np.testing.assert_array_equal(docs.iloc[:5].values,
                                  [[0, 0, 177, 0, 121], [0, 0, 103, 0, 121], [6, 142, 171, 0, 121],
                                   [0, 0, 26, 0, 121], [2, 9, 62, 0, 121]])


def test_calibration_summary_is_the_summary_up_to_the_calibration_end():
    log = transaction_log(2000)
    both = calibration_and_holdout_data(log, "customer", "when", "2020-12-31", monetary_value_col="amount")
    alone = summary_data_from_transaction_data(log[log["when"] <= "2020-12-31"], "customer", "when", "amount",
                                               observation_period_end="2020-12-31")
    alone.columns = [c + "_cal" for c in alone.columns]
    pd.testing.assert_frame_equal(both[alone.columns], alone)


@pytest.mark.parametrize("i", range(len(CUMULATIVE_CASES)), ids=[c[0] for c in CUMULATIVE_CASES])
def test_expected_cumulative_transactions_matches_lifetimes(reference, i):
    _, cumulative_logs, _, ref = reference
    ours = expected_cumulative_transactions(with_params(ref["example_params"]), cumulative_logs[i],
                                            **CUMULATIVE_CASES[i][2])
    pd.testing.assert_frame_equal(ours, infer_string_dtypes(ref[f"cumulative{i}"]), check_exact=False,
                                  rtol=RTOL_CLOSED_FORM)
    assert ours["actual"].dtype == np.int64 and ours["predicted"].dtype == np.float64


def test_cdnow_weekly_tracking_of_the_btyd_walkthrough(reference):
    """BTYD walkthrough section 4.4, the CDNOW sample in weeks 20-25 (weeks from
    1997-01-01): cumulative repeat transactions 1359, 1414, 1484, 1517, 1573, 1672, and
    expected 1312.458, 1387.346, 1460.392, 1531.713, 1601.418, 1669.6 at the walkthrough's
    BG/NBD estimates."""
    _, _, logs, ref = reference
    tracking = expected_cumulative_transactions(with_params(ref["cdnow_params"]), logs["cdnow"], "date",
                                                "customer_id", 546, datetime_format="%Y%m%d", freq_multiplier=7)
    assert tracking["actual"].iloc[19:25].tolist() == [1359, 1414, 1484, 1517, 1573, 1672]
    pd.testing.assert_frame_equal(tracking, infer_string_dtypes(ref["cdnow_cumulative"]), check_exact=False,
                                  rtol=RTOL_CLOSED_FORM)
    walkthrough = pd.Series({"r": 0.2425982, "alpha": 4.4136842, "a": 0.7929899, "b": 2.4261667})
    expected = expected_cumulative_transactions(with_params(walkthrough), logs["cdnow"], "date", "customer_id", 546,
                                                datetime_format="%Y%m%d", freq_multiplier=7)["predicted"]
    np.testing.assert_allclose(expected.iloc[19:25], [1312.458, 1387.346, 1460.392, 1531.713, 1601.418, 1669.6],
                               rtol=1e-6)


@pytest.mark.parametrize("i", range(len(ALIVE_CASES)), ids=[f"id{c}-t{t}-{f}" for c, t, f in ALIVE_CASES])
def test_calculate_alive_path_matches_lifetimes(reference, i):
    _, _, logs, ref = reference
    customer, t, freq = ALIVE_CASES[i]
    example = logs["example"]
    path = calculate_alive_path(with_params(ref["example_params"]), example[example["id"] == customer], "date", t,
                                freq=freq)
    dtype, length, element_type, shape = ref[f"alive{i}_meta"]
    assert (str(path.dtype), len(path), type(path.iloc[0]).__name__, np.shape(path.iloc[0])) == \
        (dtype, length, element_type, tuple(shape))
    assert isinstance(path.index, pd.RangeIndex) and path.name is None
    values = np.array([np.asarray(v, dtype=float) for v in path.values])
    np.testing.assert_allclose(values, ref[f"alive{i}"], rtol=RTOL_CLOSED_FORM)


@pytest.mark.parametrize("time, rate", [(1, 0.0), (1, 1.0), (2, 0.0), (12, 0.01)])
def test_customer_lifetime_value_matches_lifetimes(reference, time, rate):
    _, _, logs, ref = reference
    summary = summary_data_from_transaction_data(logs["example"], "id", "date")
    ones = pd.Series(np.ones(len(summary)), index=summary.index)
    args = (summary["frequency"], summary["recency"], summary["T"], ones)
    bgf = with_params(ref["example_params"])
    ours = _customer_lifetime_value(bgf, *args, time=time, discount_rate=rate)
    theirs = ref[f"clv_{time}_{rate}"]
    pd.testing.assert_series_equal(ours, theirs, check_exact=False, rtol=RTOL_CLOSED_FORM)
    # the generic path (a model without a C++ kernel, called period by period) agrees
    generic = _customer_lifetime_value(Delegate(bgf), *args, time=time, discount_rate=rate)
    pd.testing.assert_series_equal(generic, theirs, check_exact=False, rtol=RTOL_CLOSED_FORM)
    assert customer_lifetime_value is _customer_lifetime_value


def test_customer_lifetime_value_known_values(reference):
    """lifetimes' test_customer_lifetime_value_with_known_values: with monetary value 1,
    one month and no discount, the CLV is the expected purchases in 30 days; discounting
    at rate 1 halves it."""
    _, _, logs, ref = reference
    summary = summary_data_from_transaction_data(logs["example"], "id", "date").iloc[:5]
    bgf = with_params(ref["example_params"])
    ones = pd.Series(np.ones(5), index=summary.index)
    args = (summary["frequency"], summary["recency"], summary["T"], ones)
    expected = bgf.predict(30, summary["frequency"], summary["recency"], summary["T"])
    np.testing.assert_allclose(expected.values, [0.016053, 0.021171, 0.030461, 0.031686, 0.001607], atol=5e-6)
    np.testing.assert_allclose(_customer_lifetime_value(bgf, *args, time=1, discount_rate=0).values,
                               expected.values, rtol=1e-13)
    np.testing.assert_allclose(_customer_lifetime_value(bgf, *args, time=1, discount_rate=1).values,
                               expected.values / 2, rtol=1e-13)


def test_customer_lifetime_value_weekly_with_monetary_value(reference):
    _, _, logs, ref = reference
    weekly = summary_data_from_transaction_data(logs["cdnow"], "customer_id", "date", monetary_value_col="amount",
                                                datetime_format="%Y%m%d", observation_period_end="19970930",
                                                freq_multiplier=7)
    args = (weekly["frequency"], weekly["recency"], weekly["T"], weekly["monetary_value"])
    ours = _customer_lifetime_value(with_params(ref["cdnow_params"]), *args, time=6, discount_rate=0.02, freq="W")
    pd.testing.assert_series_equal(ours, ref["clv_monetary"], check_exact=False, rtol=RTOL_CLOSED_FORM)
    # numpy arrays in (lifetimes needs a Series): the same values, a RangeIndex
    arrays = _customer_lifetime_value(with_params(ref["cdnow_params"]), *(a.to_numpy() for a in args), time=6,
                                      discount_rate=0.02, freq="W")
    assert isinstance(arrays.index, pd.RangeIndex) and arrays.name == "clv"
    np.testing.assert_allclose(arrays.values, ours.values, rtol=1e-15)


class Delegate:
    """A model fastlifetimes has no CLV kernel for."""

    def __init__(self, model):
        self.model = model

    def predict(self, *args):
        return self.model.predict(*args)


@pytest.mark.parametrize("name", ["mbgnbd", "pareto"])
def test_customer_lifetime_value_with_the_other_transaction_models(reference, name):
    """The CLV of MBG/NBD and Pareto/NBD customers (period by period through predict)."""
    import fastlifetimes

    _, _, logs, ref = reference
    weekly = summary_data_from_transaction_data(logs["cdnow"], "customer_id", "date", monetary_value_col="amount",
                                                datetime_format="%Y%m%d", observation_period_end="19970930",
                                                freq_multiplier=7)
    cls = {"mbgnbd": fastlifetimes.ModifiedBetaGeoFitter, "pareto": fastlifetimes.ParetoNBDFitter}[name]
    model = cls()
    model.params_ = ref[name + "_params"]
    ours = _customer_lifetime_value(model, weekly["frequency"], weekly["recency"], weekly["T"],
                                    weekly["monetary_value"], time=12, discount_rate=0.01, freq="W")
    pd.testing.assert_series_equal(ours, ref[name + "_clv"], check_exact=False, rtol=RTOL_CLOSED_FORM)
