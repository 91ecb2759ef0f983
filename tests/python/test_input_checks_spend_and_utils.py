"""Bad input to the Gamma-Gamma fitter, the CLV and the transaction-log utilities gives a
ValueError that says what is wrong: the argument or column and, where rows are at fault,
the first offending rows (index labels when a Series came with them). Same table form as
test_input_checks.py: (case, call taking the fitted models, substrings of the message)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fastlifetimes import BetaGeoFitter, GammaGammaFitter
from fastlifetimes.datasets import load_cdnow_summary_data_with_monetary_value
from fastlifetimes.utils import (
    _customer_lifetime_value,
    calculate_alive_path,
    calibration_and_holdout_data,
    expected_cumulative_transactions,
)

nan, inf = np.nan, np.inf
LABELS = ["c1", "c2", "c3"]
X, M = [1, 2, 3], [10.0, 20.0, 30.0]
EVERYONE = load_cdnow_summary_data_with_monetary_value()
SPEND = EVERYONE[EVERYONE["frequency"] > 0]


def S(*values, dtype=None):
    return pd.Series(list(values), index=LABELS[: len(values)], dtype=dtype)


def gg_fit(*args, penalizer_coef=0.0, **kwargs):
    return GammaGammaFitter(penalizer_coef=penalizer_coef).fit(*args, **kwargs)


def tx(**columns):
    data = {"id": ["a", "a", "b", "b"],
            "date": ["2020-01-01", "2020-01-05", "2020-01-03", "2020-02-01"],
            "value": [1.0, 2.0, 3.0, 4.0]}
    data.update(columns)
    return pd.DataFrame(data, index=["t0", "t1", "t2", "t3"])


def holdout(transactions=None, **kwargs):
    kwargs.setdefault("calibration_period_end", "2020-01-10")
    return calibration_and_holdout_data(tx() if transactions is None else transactions, "id", "date", **kwargs)


def clv(models, *args, **kwargs):
    gg, bgf = models
    defaults = (EVERYONE["frequency"], EVERYONE["recency"], EVERYONE["T"], EVERYONE["monetary_value"])
    args = args + defaults[len(args):]
    return gg.customer_lifetime_value(bgf, *args, **kwargs)


def with_row(column, label, value):
    frame = EVERYONE.copy()
    frame[column] = frame[column].astype(float)
    frame.loc[label, column] = value
    return frame


def loaded_without_data(model):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gg.json"
        model.save_model(path, save_data=False)
        return GammaGammaFitter().load_model(path)


def case(name, call, *expected):
    return pytest.param(call, expected, id=name)


CASES = [
    # ---------------------------------------------------------------- GammaGammaFitter.fit
    case("fit/frequency-zero", lambda m: gg_fit(S(1, 0, 3), S(*M)),
         "frequency", "zero values", "frequency > 0", "index labels ['c2']"),
    case("fit/frequency-zero-in-CDNOW", lambda m: gg_fit(EVERYONE["frequency"], EVERYONE["monetary_value"]),
         "frequency", "zero values", "1411 rows", "index labels [3, 4, 5"),
    case("fit/monetary-zero", lambda m: gg_fit(X, [10.0, 0.0, 3.0]), "monetary_value", "non-positive", "rows [1]"),
    case("fit/monetary-negative-labels", lambda m: gg_fit(S(*X), S(10.0, 20.0, -1.0)),
         "monetary_value", "non-positive", "index labels ['c3']"),
    case("fit/monetary-NaN", lambda m: gg_fit(X, [10.0, nan, 3.0]), "monetary_value", "NaN", "rows [1]"),
    case("fit/monetary-inf", lambda m: gg_fit(X, [inf, 1.0, 3.0]), "monetary_value", "infinite", "rows [0]"),
    case("fit/frequency-negative", lambda m: gg_fit([1, -2, 3], M), "frequency", "negative", "rows [1]"),
    case("fit/frequency-non-integer", lambda m: gg_fit([1, 2.5, 3], M), "frequency", "non-integer", "rows [1]"),
    case("fit/frequency-NaN", lambda m: gg_fit([nan, 2, 3], M), "frequency", "NaN", "rows [0]"),
    case("fit/mismatched-lengths", lambda m: gg_fit([1, 2], M),
         "frequency and monetary_value", "same length", "2 and 3"),
    case("fit/empty", lambda m: gg_fit([], []), "frequency", "empty"),
    case("fit/strings", lambda m: gg_fit(X, S("1", "2", "3", dtype=object)), "monetary_value", "strings"),
    case("fit/None-monetary", lambda m: gg_fit(X, None), "monetary_value", "None"),
    case("fit/DataFrame", lambda m: gg_fit(SPEND, SPEND["monetary_value"]), "frequency", "DataFrame"),
    case("fit/negative-weight", lambda m: gg_fit(X, M, weights=[1, -1, 1]), "weights", "negative", "rows [1]"),
    case("fit/weights-length", lambda m: gg_fit(X, M, weights=[1, 1]), "weights", "expected 3"),
    case("fit/zero-weights", lambda m: gg_fit(X, M, weights=[0, 0, 0]), "weights", "sum to zero"),
    case("fit/negative-penalizer", lambda m: gg_fit(X, M, penalizer_coef=-1), "penalizer_coef", "-1"),
    case("fit/string-penalizer", lambda m: gg_fit(X, M, penalizer_coef="0.1"), "penalizer_coef", "'0.1'"),
    case("fit/initial-params-too-long", lambda m: gg_fit(X, M, initial_params=[0.1] * 4), "initial_params", "3"),
    case("fit/initial-params-NaN", lambda m: gg_fit(X, M, initial_params=[0.1, nan, 0.1]), "initial_params", "finite"),
    case("fit/tol-zero", lambda m: gg_fit(X, M, tol=0), "tol", "positive"),
    case("fit/index-length", lambda m: gg_fit(X, M, index=["a"]), "index", "expected 3", "got 1"),
    case("fit/does-not-converge", lambda m: gg_fit(SPEND["frequency"], SPEND["monetary_value"], maxiter=1),
         "did not converge", "penalizer_coef"),

    # ---------------------------------------------------------------- conditional_expected_average_profit
    case("profit/unfitted", lambda m: GammaGammaFitter().conditional_expected_average_profit(X, M), "not been fit"),
    case("profit/negative-monetary", lambda m: m[0].conditional_expected_average_profit(S(*X), S(1.0, -1.0, 2.0)),
         "monetary_value", "negative", "index labels ['c2']"),
    case("profit/NaN-monetary", lambda m: m[0].conditional_expected_average_profit(X, [1.0, 2.0, nan]),
         "monetary_value", "NaN", "rows [2]"),
    case("profit/negative-frequency", lambda m: m[0].conditional_expected_average_profit([-1, 2, 3], M),
         "frequency", "negative", "rows [0]"),
    case("profit/non-integer-frequency", lambda m: m[0].conditional_expected_average_profit(S(1, 1.5, 3), S(*M)),
         "frequency", "non-integer", "'c2'"),
    case("profit/mismatched-lengths", lambda m: m[0].conditional_expected_average_profit(X, [1.0, 2.0]),
         "mismatched lengths", "frequency: (3,)", "monetary_value: (2,)"),
    case("profit/strings", lambda m: m[0].conditional_expected_average_profit("2", 3.0), "frequency", "strings"),
    case("profit/empty", lambda m: m[0].conditional_expected_average_profit([], []), "frequency", "empty"),
    case("profit/defaults-without-data", lambda m: loaded_without_data(m[0]).conditional_expected_average_profit(),
         "frequency, monetary_value", "required", "save_data=False"),

    # ---------------------------------------------------------------- customer_lifetime_value
    case("clv/unfitted-spend-model", lambda m: GammaGammaFitter().customer_lifetime_value(
        m[1], EVERYONE["frequency"], EVERYONE["recency"], EVERYONE["T"], EVERYONE["monetary_value"]), "not been fit"),
    case("clv/unfitted-transaction-model", lambda m: m[0].customer_lifetime_value(
        BetaGeoFitter(), EVERYONE["frequency"], EVERYONE["recency"], EVERYONE["T"], EVERYONE["monetary_value"]),
         "not been fit"),
    case("clv/freq-year", lambda m: clv(m, freq="Y"), "freq", "'Y'", "'D'"),
    case("clv/negative-time", lambda m: clv(m, time=-1), "time", "-1"),
    case("clv/discount-rate-minus-one", lambda m: clv(m, discount_rate=-1), "discount_rate", "-1"),
    case("clv/discount-rate-NaN", lambda m: clv(m, discount_rate=nan), "discount_rate", "nan"),
    case("clv/recency-above-T", lambda m: clv(m, *(lambda f: (f["frequency"], f["recency"], f["T"]))(
        with_row("recency", 17, 1e3))), "recency", "larger than T", "index labels [17]"),
    case("clv/NaN-T", lambda m: clv(m, *(lambda f: (f["frequency"], f["recency"], f["T"]))(with_row("T", 2000, nan))),
         "T", "NaN", "index labels [2000]"),
    case("clv/negative-monetary", lambda m: clv(m, EVERYONE["frequency"], EVERYONE["recency"], EVERYONE["T"],
                                                with_row("monetary_value", 5, -3.0)["monetary_value"]),
         "monetary_value", "negative", "index labels [5]"),
    case("clv-util/freq-garbage", lambda m: _customer_lifetime_value(
        m[1], EVERYONE["frequency"], EVERYONE["recency"], EVERYONE["T"], EVERYONE["monetary_value"], freq="fortnight"),
         "freq", "'fortnight'"),
    case("clv-util/time-string", lambda m: _customer_lifetime_value(
        m[1], EVERYONE["frequency"], EVERYONE["recency"], EVERYONE["T"], EVERYONE["monetary_value"], time="12"),
         "time", "'12'"),

    # ---------------------------------------------------------------- calibration_and_holdout_data
    case("holdout/not-a-frame", lambda m: calibration_and_holdout_data([1], "id", "date", "2020-01-10"),
         "transactions", "DataFrame"),
    case("holdout/missing-column", lambda m: holdout(monetary_value_col="amount"), "missing column", "'amount'"),
    case("holdout/empty", lambda m: holdout(tx().iloc[:0]), "transactions", "empty"),
    case("holdout/unparsable-calibration-end", lambda m: holdout(calibration_period_end="whenever"),
         "calibration_period_end", "cannot parse", "whenever"),
    case("holdout/calibration-end-before-the-data", lambda m: holdout(calibration_period_end="2019-01-01"),
         "calibration_period_end", "before the first transaction"),
    case("holdout/no-holdout-transactions", lambda m: holdout(observation_period_end="2020-01-08"),
         "no data available", "observation_period_end"),
    case("holdout/unparsable-observation-end", lambda m: holdout(observation_period_end="later"),
         "observation_period_end", "cannot parse"),
    case("holdout/unparsable-date", lambda m: holdout(tx(date=["2020-01-01", "x", "2020-01-03", "2020-02-01"])),
         "date", "unparsable", "'t1'"),
    case("holdout/NaN-value", lambda m: holdout(tx(value=[1.0, 2.0, nan, 4.0]), monetary_value_col="value"),
         "value", "NaN", "'t2'"),
    case("holdout/freq-month", lambda m: holdout(freq="M"), "freq='M'", "not supported"),
    case("holdout/freq-multiplier-zero", lambda m: holdout(freq_multiplier=0), "freq_multiplier", "positive"),
    case("holdout/missing-id", lambda m: holdout(tx(id=["a", None, "b", "b"])), "id", "missing customer ids", "'t1'"),

    # ---------------------------------------------------------------- expected_cumulative_transactions
    case("cumulative/t-zero", lambda m: expected_cumulative_transactions(m[1], tx(), "date", "id", 0), "t", "positive"),
    case("cumulative/t-float", lambda m: expected_cumulative_transactions(m[1], tx(), "date", "id", 10.5), "t", "10.5"),
    case("cumulative/multiplier-float", lambda m: expected_cumulative_transactions(
        m[1], tx(), "date", "id", 10, freq_multiplier=1.5), "freq_multiplier", "integer"),
    case("cumulative/missing-column", lambda m: expected_cumulative_transactions(m[1], tx(), "when", "id", 10),
         "missing column", "'when'"),
    case("cumulative/bad-date", lambda m: expected_cumulative_transactions(
        m[1], tx(date=["2020-01-01", "2020-01-05", "?", "2020-02-01"]), "date", "id", 10), "date", "'t2'"),
    case("cumulative/unfitted", lambda m: expected_cumulative_transactions(BetaGeoFitter(), tx(), "date", "id", 10),
         "not been fit"),

    # ---------------------------------------------------------------- calculate_alive_path
    case("alive-path/negative-t", lambda m: calculate_alive_path(m[1], tx(), "date", -1), "t", "-1"),
    case("alive-path/float-t", lambda m: calculate_alive_path(m[1], tx(), "date", 2.5), "t", "2.5"),
    case("alive-path/missing-column", lambda m: calculate_alive_path(m[1], tx(), "when", 10),
         "missing column", "'when'"),
    case("alive-path/empty", lambda m: calculate_alive_path(m[1], tx().iloc[:0], "date", 10), "transactions", "empty"),
    case("alive-path/missing-date", lambda m: calculate_alive_path(
        m[1], tx(date=["2020-01-01", None, "2020-01-03", "2020-02-01"]), "date", 10), "date", "missing", "'t1'"),
    case("alive-path/bad-freq", lambda m: calculate_alive_path(m[1], tx(), "date", 10, freq="fortnight"),
         "freq='fortnight'"),
    case("alive-path/unfitted", lambda m: calculate_alive_path(BetaGeoFitter(), tx(), "date", 10), "not been fit"),
]


@pytest.fixture(scope="module")
def models():
    gg = GammaGammaFitter().fit(SPEND["frequency"], SPEND["monetary_value"])
    bgf = BetaGeoFitter().fit(EVERYONE["frequency"], EVERYONE["recency"], EVERYONE["T"])
    return gg, bgf


@pytest.mark.parametrize("call, expected", CASES)
def test_bad_input_is_refused_with_a_useful_message(call, expected, models):
    with pytest.raises(ValueError) as info:
        call(models)
    message = str(info.value)
    missing = [s for s in expected if s not in message]
    assert not missing, f"message lacks {missing}: {message!r}"


def test_a_refused_fit_leaves_an_unfitted_model_unfitted():
    model = GammaGammaFitter()
    with pytest.raises(ValueError):
        model.fit([1, 0], [1.0, 2.0])
    assert not hasattr(model, "params_")


def test_extreme_but_valid_spend_fits():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 1000, 5000).astype(float)
    m = rng.gamma(5.0, 1e6, 5000) / x  # millions per order, up to 1,000 orders
    model = GammaGammaFitter().fit(x, m)
    assert np.isfinite(model.params_).all() and np.isfinite(model.standard_errors_).all()
    profit = model.conditional_expected_average_profit(x, m)
    assert np.isfinite(profit).all() and (profit > 0).all()
