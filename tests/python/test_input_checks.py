"""Bad input to every public entry point gives a ValueError that says what is wrong.

One table (``CASES``) drives the main test: each row is a case name, a call taking
``(m, tmp)`` -- a BetaGeoFitter fitted on CDNOW and a temporary directory -- and the
substrings its message must contain. Every message must name the argument or column,
and where rows are at fault, the first offending rows: positions for plain arrays,
index labels when a Series or DataFrame with an index was given (the tables below use
string labels such as ``'c2'`` and ``'t1'`` so a label cannot be mistaken for a position).

``ConvergenceError`` is a ``ValueError`` subclass, so ``pytest.raises(ValueError)``
covers it. After the table: a subprocess feeding the nastiest inputs to the library
(including the C++ core directly) to show nothing crashes the interpreter, and positive
controls showing extreme but valid input still works.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from fastlifetimes import BetaGeoFitter
from fastlifetimes.datasets import load_cdnow_summary
from fastlifetimes.utils import ConvergenceError, summary_data_from_transaction_data

nan, inf = np.nan, np.inf

# -- small valid inputs the cases spoil one value at a time ------------------------------
F, R, T = [1, 0, 3], [2.0, 0.0, 5.0], [4.0, 3.0, 5.0]
LABELS = ["c1", "c2", "c3"]


def S(*values, dtype=None):
    """A Series with string labels c1, c2, ... so messages must show labels, not positions."""
    return pd.Series(list(values), index=LABELS[: len(values)], dtype=dtype)


CDNOW = load_cdnow_summary(index_col=[0])


def cdnow_with(label, **values):
    """CDNOW's (frequency, recency, T) columns with the row ``label`` changed."""
    frame = CDNOW.copy()
    for column, value in values.items():
        frame[column] = frame[column].astype(float)
        frame.loc[label, column] = value
    return frame["frequency"], frame["recency"], frame["T"]


def tx(**columns):
    """A 4-row transaction log with index labels t0..t3; keyword arguments replace columns."""
    data = {
        "id": ["a", "a", "b", "b"],
        "date": ["2020-01-01", "2020-01-05", "2020-01-03", "2020-02-01"],
        "value": [1.0, 2.0, 3.0, 4.0],
    }
    data.update(columns)
    return pd.DataFrame(data, index=["t0", "t1", "t2", "t3"])


def summary(transactions, **kwargs):
    kwargs.setdefault("customer_id_col", "id")
    kwargs.setdefault("datetime_col", "date")
    return summary_data_from_transaction_data(transactions, **kwargs)


def fit(*args, penalizer_coef=0.0, **kwargs):
    return BetaGeoFitter(penalizer_coef=penalizer_coef).fit(*args, **kwargs)


def model_file(m, tmp, edit=None, text=None, name="model.json"):
    """A model file: ``m`` saved and its JSON document passed through ``edit``, or ``text``."""
    path = tmp / name
    if text is None:
        m.save_model(path)
        document = json.loads(path.read_text())
        if edit is not None:
            document = edit(document) or document
        text = json.dumps(document)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def edited(**changes):
    def edit(document):
        for dotted, value in changes.items():
            *parents, key = dotted.split("__")
            target = document
            for p in parents:
                target = target[p]
            target[key] = value
    return edit


def case(name, call, *expected):
    return pytest.param(call, expected, id=name)


UNFIT = BetaGeoFitter

CASES = [
    # ---------------------------------------------------------------- summary_data_from_transaction_data
    case("summary/transactions-list", lambda m, tmp: summary_data_from_transaction_data([1, 2], "id", "date"),
         "transactions", "DataFrame", "list"),
    case("summary/transactions-None", lambda m, tmp: summary_data_from_transaction_data(None, "id", "date"),
         "transactions", "DataFrame", "NoneType"),
    case("summary/missing-customer-column", lambda m, tmp: summary(tx(), customer_id_col="customer"),
         "missing column", "'customer'", "available columns"),
    case("summary/missing-datetime-column", lambda m, tmp: summary(tx(), datetime_col="when"),
         "missing column", "'when'"),
    case("summary/missing-monetary-column", lambda m, tmp: summary(tx(), monetary_value_col="amount"),
         "missing column", "'amount'"),
    case("summary/unhashable-column-name", lambda m, tmp: summary(tx(), customer_id_col=["id"]),
         "missing column", "['id']"),
    case("summary/empty", lambda m, tmp: summary(tx().iloc[:0]),
         "transactions", "empty"),
    case("summary/unparsable-date", lambda m, tmp: summary(tx(date=["2020-01-01", "2020-01-05", "soon", "2020-02-01"])),
         "date", "unparsable", "index labels ['t2']", "'soon'"),
    case("summary/impossible-date",
         lambda m, tmp: summary(tx(date=["2020-01-01", "2020-13-45", "2020-01-03", "2020-02-01"])),
         "date", "unparsable", "'t1'"),
    case("summary/wrong-datetime-format", lambda m, tmp: summary(tx(), datetime_format="%d/%m/%Y"),
         "date", "format='%d/%m/%Y'", "4 rows", "'t0'"),
    case("summary/boolean-dates", lambda m, tmp: summary(tx(date=[True, False, True, True])),
         "date", "unparsable"),
    case("summary/mixed-timezone-strings",
         lambda m, tmp: summary(tx(date=["2020-01-01 10:00+01:00", "2020-01-05 10:00+01:00",
                                         "2020-01-03 10:00+05:00", "2020-02-01 10:00+01:00"])),
         "date", "time zones", "index labels ['t2']", "+05:00"),
    case("summary/naive-and-aware-strings",
         lambda m, tmp: summary(tx(date=["2020-01-01", "2020-01-05 10:00+01:00", "2020-01-03", "2020-02-01"])),
         "date", "time zones", "'t1'"),
    case("summary/timestamps-in-two-zones",
         lambda m, tmp: summary(tx(date=[pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2020-01-05", tz="UTC"),
                                         pd.Timestamp("2020-01-03", tz="Asia/Tokyo"),
                                         pd.Timestamp("2020-02-01", tz="UTC")])),
         "date", "time zones", "'t2'", "Asia/Tokyo"),
    case("summary/missing-date-string",
         lambda m, tmp: summary(tx(date=["2020-01-01", None, "2020-01-03", "2020-02-01"])),
         "date", "missing dates", "'t1'"),
    case("summary/NaT-in-datetime64",
         lambda m, tmp: summary(tx(date=pd.to_datetime(["2020-01-01", "2020-01-05", None, "2020-02-01"]))),
         "date", "missing dates", "'t2'"),
    case("summary/date-after-2262",
         lambda m, tmp: summary(tx(date=["2020-01-01", "3000-01-05", "2020-01-03", "2020-02-01"])),
         "date", "outside", "'t1'"),
    case("summary/dates-span-over-292-years",
         lambda m, tmp: summary(tx(date=["1700-01-01", "1725-01-05", "2020-01-03", "2020-02-01"])),
         "date", "292 years", "2 rows", "'t0', 't1'"),
    case("summary/weekly-periods-starting-before-1677-09-21",
         lambda m, tmp: summary(tx(date=["1677-09-22", "1677-09-25", "1677-09-23", "1677-10-01"]), freq="W"),
         "date", "no period start", "3 rows", "'t0', 't1', 't2'"),
    case("summary/NaN-customer-id", lambda m, tmp: summary(tx(id=[1.0, 1.0, nan, 2.0])),
         "id", "missing customer ids", "'t2'"),
    case("summary/None-customer-id", lambda m, tmp: summary(tx(id=["a", None, "b", "b"])),
         "id", "missing customer ids", "'t1'"),
    case("summary/NaN-monetary-value",
         lambda m, tmp: summary(tx(value=[1.0, 2.0, 3.0, nan]), monetary_value_col="value"),
         "value", "NaN", "'t3'"),
    case("summary/inf-monetary-value",
         lambda m, tmp: summary(tx(value=[1.0, inf, 3.0, 4.0]), monetary_value_col="value"),
         "value", "infinite", "'t1'"),
    case("summary/NA-in-Int64-monetary-value",
         lambda m, tmp: summary(tx(value=pd.array([1, 2, None, 4], dtype="Int64")), monetary_value_col="value"),
         "value", "missing", "'t2'"),
    case("summary/string-monetary-value",
         lambda m, tmp: summary(tx(value=["1", "2", "3", "x"]), monetary_value_col="value"),
         "value", "strings", "pd.to_numeric"),
    case("summary/boolean-monetary-value",
         lambda m, tmp: summary(tx(value=[True, False, True, True]), monetary_value_col="value"),
         "value", "booleans"),
    case("summary/categorical-monetary-value",
         lambda m, tmp: summary(tx(value=pd.Categorical([1.0, 2.0, 3.0, 4.0])), monetary_value_col="value"),
         "value", "categorical"),
    case("summary/observation-end-before-first-transaction",
         lambda m, tmp: summary(tx(), observation_period_end="2019-12-31"),
         "observation_period_end", "before the first transaction", "2019-12-31"),
    case("summary/observation-end-unparsable", lambda m, tmp: summary(tx(), observation_period_end="tomorrow-ish"),
         "observation_period_end", "cannot parse", "tomorrow-ish"),
    case("summary/observation-end-NaT", lambda m, tmp: summary(tx(), observation_period_end=pd.NaT),
         "observation_period_end", "not a date"),
    case("summary/observation-end-after-2262", lambda m, tmp: summary(tx(), observation_period_end="3000-01-01"),
         "observation_period_end", "outside"),
    case("summary/freq-month", lambda m, tmp: summary(tx(), freq="M"), "freq='M'", "not supported", "freq_multiplier"),
    case("summary/freq-year", lambda m, tmp: summary(tx(), freq="Y"), "freq='Y'", "not supported"),
    case("summary/freq-garbage", lambda m, tmp: summary(tx(), freq="fortnight"), "freq='fortnight'", "not supported"),
    case("summary/freq-None", lambda m, tmp: summary(tx(), freq=None), "freq=None", "not supported"),
    case("summary/freq-multiplier-zero",
         lambda m, tmp: summary(tx(), freq_multiplier=0), "freq_multiplier", "positive"),
    case("summary/freq-multiplier-negative", lambda m, tmp: summary(tx(), freq_multiplier=-7), "freq_multiplier", "-7"),
    case("summary/freq-multiplier-NaN", lambda m, tmp: summary(tx(), freq_multiplier=nan), "freq_multiplier", "nan"),
    case("summary/freq-multiplier-string", lambda m, tmp: summary(tx(), freq_multiplier="7"), "freq_multiplier", "'7'"),

    # ---------------------------------------------------------------- BetaGeoFitter.fit
    case("fit/NaN-frequency", lambda m, tmp: fit([1, nan, 3], R, T), "frequency", "NaN", "rows [1]"),
    case("fit/NaN-recency-series",
         lambda m, tmp: fit(S(*F), S(2.0, nan, 5.0), S(*T)), "recency", "NaN", "index labels ['c2']"),
    case("fit/inf-T", lambda m, tmp: fit(F, R, [4.0, 3.0, inf]), "T", "infinite", "rows [2]"),
    case("fit/minus-inf-recency", lambda m, tmp: fit(F, [-inf, 0.0, 5.0], T), "recency", "infinite", "rows [0]"),
    case("fit/NaN-in-CDNOW-row", lambda m, tmp: fit(*cdnow_with(1234, T=nan)), "T", "NaN", "index labels [1234]"),
    case("fit/many-NaN-shows-first-five", lambda m, tmp: fit(np.full(8, nan), np.zeros(8), np.ones(8)),
         "frequency", "8 rows", "rows [0, 1, 2, 3, 4]", "and 3 more"),
    case("fit/negative-frequency",
         lambda m, tmp: fit(S(1, -1, 3), R, T), "frequency", "negative", "index labels ['c2']"),
    case("fit/negative-recency", lambda m, tmp: fit(F, [2.0, -1.0, 5.0], T), "recency", "negative", "rows [1]"),
    case("fit/negative-T", lambda m, tmp: fit(F, R, [4.0, 3.0, -5.0]), "T", "negative", "rows [2]"),
    case("fit/recency-above-T", lambda m, tmp: fit(S(*F), S(2.0, 0.0, 5.5), S(*T)),
         "recency", "larger than T", "index labels ['c3']"),
    case("fit/recency-above-T-in-CDNOW", lambda m, tmp: fit(*cdnow_with(77, recency=100.0)),
         "recency", "larger than T", "index labels [77]"),
    case("fit/non-integer-frequency", lambda m, tmp: fit([1, 0, 2.5], R, T), "frequency", "non-integer", "rows [2]"),
    case("fit/recency-without-repeat-purchase", lambda m, tmp: fit(F, [2.0, 1.0, 5.0], T),
         "recency", "frequency is 0", "rows [1]"),
    case("fit/recency-without-repeat-purchase-in-CDNOW",
         lambda m, tmp: fit(*cdnow_with(2000, frequency=0, recency=3.0)),
         "recency", "frequency is 0", "index labels [2000]"),
    case("fit/mismatched-lengths",
         lambda m, tmp: fit([1, 0], R, T), "frequency, recency and T", "same length", "2, 3 and 3"),
    case("fit/empty", lambda m, tmp: fit([], [], []), "frequency", "empty"),
    case("fit/empty-series",
         lambda m, tmp: fit(pd.Series([], dtype=float), pd.Series([], dtype=float), pd.Series([], dtype=float)),
         "frequency", "empty"),
    case("fit/object-strings",
         lambda m, tmp: fit(S("1", "0", "3", dtype=object), R, T), "frequency", "strings", "pd.to_numeric"),
    case("fit/pandas-str-dtype", lambda m, tmp: fit(F, R, S("4", "3", "5", dtype="str")), "T", "strings"),
    case("fit/numpy-strings", lambda m, tmp: fit(F, np.array(["2", "0", "5"]), T), "recency", "strings"),
    case("fit/booleans",
         lambda m, tmp: fit([True, False, True], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]), "frequency", "booleans"),
    case("fit/boolean-series", lambda m, tmp: fit(F, R, S(True, True, True)), "T", "booleans"),
    case("fit/categorical", lambda m, tmp: fit(S(*F).astype("category"), R, T), "frequency", "categorical"),
    case("fit/dates", lambda m, tmp: fit(F, R, pd.to_datetime(["2020-01-01"] * 3)), "T", "dates"),
    case("fit/timedeltas", lambda m, tmp: fit(F, pd.to_timedelta(R, unit="D"), T), "recency", "timedeltas"),
    case("fit/complex", lambda m, tmp: fit(np.array(F, dtype=complex), R, T), "frequency", "complex"),
    case("fit/None-frequency", lambda m, tmp: fit(None, R, T), "frequency", "None"),
    case("fit/None-recency", lambda m, tmp: fit(F, None, T), "recency", "None"),
    case("fit/None-T", lambda m, tmp: fit(F, R, None), "T", "None"),
    case("fit/DataFrame-transpose-as-T", lambda m, tmp: fit(CDNOW["frequency"], CDNOW["recency"], CDNOW.T),
         "T", "DataFrame"),
    case("fit/NA-in-Int64",
         lambda m, tmp: fit(S(1, None, 3, dtype="Int64"), R, T), "frequency", "missing", "index labels ['c2']"),
    case("fit/None-inside-list", lambda m, tmp: fit([1, None, 3], R, T), "frequency", "NaN", "rows [1]"),
    case("fit/ragged", lambda m, tmp: fit([[1], [2, 3]], R, T), "frequency", "1-d"),
    case("fit/2-d",
         lambda m, tmp: fit(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2))), "frequency", "1-d", "(2, 2)"),
    case("fit/negative-weight", lambda m, tmp: fit(F, R, T, weights=[1, -1, 1]), "weights", "negative", "rows [1]"),
    case("fit/negative-weight-labels", lambda m, tmp: fit(S(*F), S(*R), S(*T), weights=[1, 1, -2]),
         "weights", "negative", "index labels ['c3']"),
    case("fit/zero-weights", lambda m, tmp: fit(F, R, T, weights=[0, 0, 0]), "weights", "sum to zero"),
    case("fit/NaN-weight", lambda m, tmp: fit(F, R, T, weights=[nan, 1, 1]), "weights", "NaN", "rows [0]"),
    case("fit/weights-length", lambda m, tmp: fit(F, R, T, weights=[1, 1]), "weights", "expected 3", "got 2"),
    case("fit/string-weights", lambda m, tmp: fit(F, R, T, weights=["1", "1", "1"]), "weights", "strings"),
    case("fit/negative-penalizer", lambda m, tmp: fit(F, R, T, penalizer_coef=-0.1), "penalizer_coef", "-0.1"),
    case("fit/NaN-penalizer", lambda m, tmp: fit(F, R, T, penalizer_coef=nan), "penalizer_coef", "nan"),
    case("fit/inf-penalizer", lambda m, tmp: fit(F, R, T, penalizer_coef=inf), "penalizer_coef", "inf"),
    case("fit/string-penalizer", lambda m, tmp: fit(F, R, T, penalizer_coef="0.1"), "penalizer_coef", "'0.1'"),
    case("fit/None-penalizer", lambda m, tmp: fit(F, R, T, penalizer_coef=None), "penalizer_coef", "None"),
    case("fit/initial-params-too-short", lambda m, tmp: fit(F, R, T, initial_params=[0.0, 0.0]), "initial_params", "4"),
    case("fit/initial-params-NaN",
         lambda m, tmp: fit(F, R, T, initial_params=[0.0, nan, 0.0, 0.0]), "initial_params", "finite"),
    case("fit/initial-params-strings", lambda m, tmp: fit(F, R, T, initial_params=["a"] * 4), "initial_params"),
    case("fit/negative-tol", lambda m, tmp: fit(F, R, T, tol=-1.0), "tol", "positive"),
    case("fit/index-length", lambda m, tmp: fit(F, R, T, index=["x", "y"]), "index", "expected 3", "got 2"),
    case("fit/all-ages-zero", lambda m, tmp: fit([0, 0], [0.0, 0.0], [0.0, 0.0]), "T", "positive"),
    case("fit/does-not-converge", lambda m, tmp: fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"], maxiter=1),
         "did not converge", "penalizer_coef"),

    # ---------------------------------------------------------------- predictions before fit
    case("unfitted/conditional_expected",
         lambda m, tmp: UNFIT().conditional_expected_number_of_purchases_up_to_time(1, 1, 1, 2),
         "not been fit", ".fit"),
    case("unfitted/predict", lambda m, tmp: UNFIT().predict(1, 1, 1, 2), "not been fit"),
    case("unfitted/conditional_probability_alive",
         lambda m, tmp: UNFIT().conditional_probability_alive(1, 1, 2), "not been fit"),
    case("unfitted/conditional_probability_alive_matrix", lambda m, tmp: UNFIT().conditional_probability_alive_matrix(),
         "not been fit"),
    case("unfitted/expected_number", lambda m, tmp: UNFIT().expected_number_of_purchases_up_to_time(1), "not been fit"),
    case("unfitted/probability_of_n",
         lambda m, tmp: UNFIT().probability_of_n_purchases_up_to_time(1, 1), "not been fit"),
    case("unfitted/save_model", lambda m, tmp: UNFIT().save_model(tmp / "unfitted.json"), "not been fit"),

    # ------------------------------------------------------ conditional_expected_number_of_purchases_up_to_time
    case("cond_expected/NaN-t", lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(nan, F, R, T),
         "t", "NaN", "rows [0]"),
    case("cond_expected/negative-t-series",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(S(1.0, -1.0, 2.0), F, R, T),
         "t", "negative", "index labels ['c2']"),
    case("cond_expected/inf-frequency",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, [1, inf, 3], R, T),
         "frequency", "infinite", "rows [1]"),
    case("cond_expected/NaN-frequency-CDNOW",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(10, *cdnow_with(42, frequency=nan)),
         "frequency", "NaN", "index labels [42]"),
    case("cond_expected/negative-frequency",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, [1, 0, -3], R, T),
         "frequency", "negative", "rows [2]"),
    case("cond_expected/non-integer-frequency",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, S(1, 0.5, 3), R, T),
         "frequency", "non-integer", "'c2'"),
    case("cond_expected/negative-recency",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, F, [-2.0, 0.0, 5.0], T),
         "recency", "negative", "rows [0]"),
    case("cond_expected/negative-T",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, 0, 0.0, -3.0),
         "T", "negative", "rows [0]"),
    case("cond_expected/recency-above-T",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, S(*F), S(2.0, 4.0, 5.0), S(*T)),
         "recency", "larger than T", "index labels ['c2']"),
    case("cond_expected/mismatched-lengths",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, F, [2.0, 0.0], T),
         "mismatched lengths", "frequency: (3,)", "recency: (2,)"),
    case("cond_expected/empty", lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, [], [], []),
         "frequency", "empty"),
    case("cond_expected/string", lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time("10", F, R, T),
         "t", "strings"),
    case("cond_expected/boolean",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, True, 1.0, 2.0),
         "frequency", "booleans"),
    case("cond_expected/categorical",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, S(*F).astype("category"), R, T),
         "frequency", "categorical"),
    case("cond_expected/ragged",
         lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, [[1], [2, 3]], 1.0, 2.0),
         "frequency", "expected numbers"),
    case("cond_expected/None-T", lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(1, F, R, None),
         "T", "None"),
    case("cond_expected/None-t", lambda m, tmp: m.conditional_expected_number_of_purchases_up_to_time(None, F, R, T),
         "t", "None"),
    case("predict/recency-above-T-in-CDNOW", lambda m, tmp: m.predict(5, *cdnow_with(9, recency=1e6)),
         "recency", "larger than T", "index labels [9]"),
    case("predict/NA-in-Int64", lambda m, tmp: m.predict(5, S(1, None, 3, dtype="Int64"), R, T),
         "frequency", "missing", "'c2'"),
    case("predict/DataFrame", lambda m, tmp: m.predict(5, CDNOW, CDNOW["recency"], CDNOW["T"]),
         "frequency", "DataFrame"),

    # ---------------------------------------------------------------- conditional_probability_alive
    case("alive/NaN-recency",
         lambda m, tmp: m.conditional_probability_alive(F, [2.0, nan, 5.0], T), "recency", "NaN", "rows [1]"),
    case("alive/inf-T-series", lambda m, tmp: m.conditional_probability_alive(S(*F), S(*R), S(4.0, inf, 5.0)),
         "T", "infinite", "index labels ['c2']"),
    case("alive/negative-frequency",
         lambda m, tmp: m.conditional_probability_alive(-1, 0.0, 1.0), "frequency", "negative"),
    case("alive/non-integer-frequency",
         lambda m, tmp: m.conditional_probability_alive([1.5, 0, 3], R, T), "frequency", "non-integer", "rows [0]"),
    case("alive/negative-T",
         lambda m, tmp: m.conditional_probability_alive([0], [0.0], [-1.0]), "T", "negative", "rows [0]"),
    case("alive/recency-above-T-CDNOW", lambda m, tmp: m.conditional_probability_alive(*cdnow_with(2357, recency=40.0)),
         "recency", "larger than T", "index labels [2357]"),
    case("alive/mismatched-lengths",
         lambda m, tmp: m.conditional_probability_alive(F, R, [4.0, 3.0]), "mismatched lengths", "T: (2,)"),
    case("alive/empty", lambda m, tmp: m.conditional_probability_alive([], [], []), "frequency", "empty"),
    case("alive/strings",
         lambda m, tmp: m.conditional_probability_alive(F, R, np.array(["4", "3", "5"], dtype=object)), "T", "strings"),
    case("alive/booleans",
         lambda m, tmp: m.conditional_probability_alive(F, np.array([True, False, True]), T), "recency", "booleans"),
    case("alive/None", lambda m, tmp: m.conditional_probability_alive(None, R, T), "frequency", "None"),

    # ---------------------------------------------------------------- expected_number_of_purchases_up_to_time
    case("expected/NaN",
         lambda m, tmp: m.expected_number_of_purchases_up_to_time([1.0, 2.0, nan]), "t", "NaN", "rows [2]"),
    case("expected/inf", lambda m, tmp: m.expected_number_of_purchases_up_to_time(inf), "t", "infinite"),
    case("expected/negative-series", lambda m, tmp: m.expected_number_of_purchases_up_to_time(S(1.0, 2.0, -3.0)),
         "t", "negative", "index labels ['c3']"),
    case("expected/empty", lambda m, tmp: m.expected_number_of_purchases_up_to_time([]), "t", "empty"),
    case("expected/string", lambda m, tmp: m.expected_number_of_purchases_up_to_time("10"), "t", "strings"),
    case("expected/boolean", lambda m, tmp: m.expected_number_of_purchases_up_to_time([True]), "t", "booleans"),
    case("expected/categorical",
         lambda m, tmp: m.expected_number_of_purchases_up_to_time(S(1.0, 2.0).astype("category")), "t", "categorical"),
    case("expected/None", lambda m, tmp: m.expected_number_of_purchases_up_to_time(None), "t", "None"),

    # ---------------------------------------------------------------- probability_of_n_purchases_up_to_time
    case("prob_n/negative-n",
         lambda m, tmp: m.probability_of_n_purchases_up_to_time(10, [0, 1, -2]), "n", "negative", "rows [2]"),
    case("prob_n/non-integer-n-series", lambda m, tmp: m.probability_of_n_purchases_up_to_time(10, S(0, 1.5)),
         "n", "non-integer", "index labels ['c2']"),
    case("prob_n/NaN-n", lambda m, tmp: m.probability_of_n_purchases_up_to_time(10, nan), "n", "NaN"),
    case("prob_n/negative-t",
         lambda m, tmp: m.probability_of_n_purchases_up_to_time([1.0, -1.0], 2), "t", "negative", "rows [1]"),
    case("prob_n/inf-t", lambda m, tmp: m.probability_of_n_purchases_up_to_time(inf, 2), "t", "infinite"),
    case("prob_n/mismatched-lengths", lambda m, tmp: m.probability_of_n_purchases_up_to_time([1.0, 2.0], [1, 2, 3]),
         "mismatched lengths", "t: (2,)", "n: (3,)"),
    case("prob_n/string-n", lambda m, tmp: m.probability_of_n_purchases_up_to_time(10, "2"), "n", "strings"),
    case("prob_n/None-n", lambda m, tmp: m.probability_of_n_purchases_up_to_time(10, None), "n", "None"),
    case("prob_n/empty", lambda m, tmp: m.probability_of_n_purchases_up_to_time([], []), "t", "empty"),

    # ---------------------------------------------------------------- load_model
    case("load/None", lambda m, tmp: BetaGeoFitter().load_model(None), "path", "NoneType"),
    case("load/integer-path", lambda m, tmp: BetaGeoFitter().load_model(3), "path", "int"),
    case("load/not-json",
         lambda m, tmp: BetaGeoFitter().load_model(model_file(m, tmp, text="r,alpha\n1,2\n", name="x.csv")),
         "x.csv", "not a fastlifetimes model file", "invalid JSON"),
    case("load/binary",
         lambda m, tmp: BetaGeoFitter().load_model(model_file(m, tmp, text=b"\x80\x04\x95\xff\x00", name="x.pkl")),
         "x.pkl", "not a fastlifetimes model file"),
    case("load/json-not-a-model", lambda m, tmp: BetaGeoFitter().load_model(model_file(m, tmp, text='{"r": 1}')),
         "model.json", "missing format marker"),
    case("load/newer-format",
         lambda m, tmp: BetaGeoFitter().load_model(model_file(m, tmp, edited(format_version=10**6))),
         "format 1000000", "upgrade fastlifetimes"),
    case("load/other-model",
         lambda m, tmp: BetaGeoFitter().load_model(model_file(m, tmp, edited(model="ParetoNBDFitter"))),
         "'ParetoNBDFitter'", "not a BetaGeoFitter"),
    case("load/negative-param",
         lambda m, tmp: BetaGeoFitter().load_model(model_file(m, tmp, edited(params__alpha=-1.0))),
         "model.json", "positive finite"),
]


@pytest.fixture(scope="module")
def fitted():
    return BetaGeoFitter().fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"])


@pytest.mark.parametrize("call, expected", CASES)
def test_bad_input_is_refused_with_a_useful_message(call, expected, fitted, tmp_path):
    with pytest.raises(ValueError) as info:
        call(fitted, tmp_path)
    message = str(info.value)
    missing = [s for s in expected if s not in message]
    assert not missing, f"message lacks {missing}: {message!r}"


def test_the_fitted_model_is_untouched_by_the_table(fitted):
    """Refused calls must not change a fitted model (the table shares one)."""
    again = BetaGeoFitter().fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"])
    assert (fitted.params_ == again.params_).all()


def test_convergence_error_is_a_value_error():
    assert issubclass(ConvergenceError, ValueError)


def test_a_failed_fit_leaves_an_unfitted_model_unfitted():
    model = BetaGeoFitter()
    with pytest.raises(ValueError):
        model.fit([1, nan], [1.0, 1.0], [2.0, 2.0])
    assert not hasattr(model, "params_")
    with pytest.raises(ValueError, match="not been fit"):
        model.predict(1, 1, 1, 2)


def test_load_model_of_a_missing_file_is_an_os_error(tmp_path):
    # as in lifetimes (and open()): a path that does not exist is not a ValueError
    with pytest.raises(FileNotFoundError):
        BetaGeoFitter().load_model(tmp_path / "nope.json")


# -- nothing crashes ------------------------------------------------------------------------

NASTY = r'''
import faulthandler, sys
faulthandler.enable()
import numpy as np, pandas as pd
import fastlifetimes
from fastlifetimes import BetaGeoFitter, _core
from fastlifetimes.utils import summary_data_from_transaction_data as summary

m = BetaGeoFitter().fit([2, 0, 5, 1], [3.0, 0.0, 10.0, 1.0], [10.0, 8.0, 12.0, 9.0])
p = m.params_.to_numpy()
big = np.full(200_000, np.nan)
strided = np.arange(20.0)[::2]
fortran = np.asfortranarray(np.ones((3, 4)))
readonly = np.ones(5); readonly.flags.writeable = False
big_endian = np.ones(4, dtype=">f8")
calls = [
    lambda: m.fit(big, big, big),
    lambda: m.fit(np.zeros(10**6), np.zeros(10**6), np.zeros(10**6)),
    lambda: m.fit([1e308], [1e308], [1e308]),
    lambda: m.fit([5e-324, 0], [5e-324, 0], [5e-324, 1]),
    lambda: m.fit([2**62, 0], [1.0, 0.0], [2.0, 2.0]),
    lambda: m.fit(strided, strided, strided + 1),
    lambda: m.fit(big_endian, big_endian, big_endian * 2),
    lambda: m.fit(np.ma.masked_array([1, 2], mask=[0, 1]), [1.0, 1.0], [2.0, 2.0]),
    lambda: m.fit(np.array([(1, 2.0)], dtype=[("a", "i8"), ("b", "f8")]), [1.0], [2.0]),
    lambda: m.fit(np.empty((0, 3)), np.empty((0, 3)), np.empty((0, 3))),
    lambda: m.fit([1, 0, 3], [1.0, 0.0, 3.0], [3.0, 3.0, 3.0], weights=np.full(3, 1e308)),
    lambda: m.fit([1, 0, 3], [1.0, 0.0, 3.0], [3.0, 3.0, 3.0], initial_params=[700.0, -700.0, 700.0, -700.0]),
    lambda: m.fit([1, 0, 3], [1.0, 0.0, 3.0], [3.0, 3.0, 3.0], maxiter=-5),
    lambda: m.predict(fortran, fortran, fortran, fortran * 2),
    lambda: m.predict(readonly, readonly, readonly, readonly),
    lambda: m.predict(np.ones((2, 3, 1)), np.ones((1, 1, 4)), 1.0, 2.0),
    lambda: m.predict(1e308, 1e15, 1e308, 1e308),
    lambda: m.predict(0.0, 0, 0.0, 0.0),
    lambda: m.conditional_probability_alive(2**53, 1e-300, 1e300),
    lambda: m.conditional_probability_alive_matrix(0, 0),
    lambda: m.expected_number_of_purchases_up_to_time(np.array(1e300)),
    lambda: m.probability_of_n_purchases_up_to_time(1e308, 1e15),
    lambda: m.probability_of_n_purchases_up_to_time(np.ones((3, 1)), np.arange(4.0)),
    lambda: summary(pd.DataFrame({"id": [0] * 3, "date": ["1677-09-22", "2262-04-10", "2000-01-01"]}), "id", "date",
                    freq="ns"),
    lambda: summary(pd.DataFrame({"id": [0] * 3, "date": ["1677-09-22", "2262-04-10", "2000-01-01"]}), "id", "date",
                    freq="W"),
    lambda: summary(pd.DataFrame({"id": list(range(10_000)), "date": ["2020-01-01"] * 10_000}), "id", "date",
                    monetary_value_col="id"),
    lambda: summary(pd.DataFrame({"id": [np.inf, -np.inf], "date": ["2020-01-01"] * 2}), "id", "date"),
    lambda: summary(pd.DataFrame({"id": [1, 1], "date": [0, 2**62]}), "id", "date", freq="ns"),
    # the C++ core directly: wrong lengths, wrong parameter counts, codes out of range
    lambda: _core.bgnbd_conditional_probability_alive(p, np.ones(3), np.ones(5), np.ones(2)),
    lambda: _core.bgnbd_conditional_probability_alive(p[:2], np.ones(3), np.ones(3), np.ones(3)),
    lambda: _core.bgnbd_conditional_expected_number_of_purchases_up_to_time(p, np.ones(1), np.ones(3), np.ones(3),
                                                                            np.ones(3)),
    lambda: _core.bgnbd_probability_of_n_purchases_up_to_time(p, np.ones(10), np.ones(1)),
    lambda: _core.bgnbd_probability_of_n_purchases_up_to_time(p, np.ones(1), np.array([-5.0])),
    lambda: _core.bgnbd_expected_number_of_purchases_up_to_time(-p, np.ones(3)),
    lambda: _core.bgnbd_log_likelihood(p, np.ones(3), np.ones(5), np.ones(2)),
    lambda: _core.bgnbd_fit(np.ones(3), np.ones(5), np.ones(2), None, 0.0, None, 1e-7, 100),
    lambda: _core.bgnbd_fit(np.ones(3), np.ones(3), np.ones(3), np.ones(1), 0.0, None, 1e-7, 100),
    lambda: _core.bgnbd_fit(np.ones(3), np.ones(3), np.ones(3), None, 0.0, np.ones(1), 1e-7, 100),
    lambda: _core.bgnbd_fit(np.ones(0), np.ones(0), np.ones(0), None, 0.0, None, 1e-7, 100),
    lambda: _core.bgnbd_fit(np.full(3, np.nan), np.ones(3), np.ones(3), None, 0.0, None, 1e-7, 100),
    lambda: _core.summarize_transactions(np.zeros(3, np.int64), np.zeros(5, np.int64), None, 1, 0, 1.0, False),
    lambda: _core.summarize_transactions(np.array([0, 7, -3], np.int64), np.zeros(3, np.int64), None, 1, 0, 1.0, False),
    lambda: _core.summarize_transactions(np.zeros(3, np.int64), np.zeros(3, np.int64), np.ones(1), 1, 0, 1.0, False),
    lambda: _core.summarize_transactions(np.zeros(3, np.int64), np.zeros(3, np.int64), None, -1, 0, 1.0, False),
]
for i, call in enumerate(calls):
    try:
        call()
    except (ValueError, TypeError, OverflowError, MemoryError) as error:
        pass
print("survived", len(calls))
'''


def test_nasty_inputs_do_not_crash_the_interpreter():
    done = subprocess.run([sys.executable, "-c", NASTY], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"exit code {done.returncode}\n{done.stdout}\n{done.stderr[-4000:]}"
    assert done.stdout.strip().startswith("survived"), done.stdout


# -- positive controls: extreme but valid input works ---------------------------------------

def test_extreme_valid_histories_give_finite_predictions(fitted):
    x = np.array([1e4, 1e4, 0, 0, 1, 1e4])
    t_x = np.array([0.0, 1e5, 0.0, 0.0, 1e5, 1e-9])
    age = np.array([1e5, 1e5, 1e5, 0.0, 1e5, 1e5])
    for t in (0.0, 1.0, 1e5):
        expected = fitted.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age)
        assert np.isfinite(expected).all() and (expected >= 0).all(), (t, expected)
    alive = fitted.conditional_probability_alive(x, t_x, age)
    assert np.isfinite(alive).all() and ((alive >= 0) & (alive <= 1)).all(), alive
    assert alive[3] == 1.0  # a customer of age 0 is alive
    assert alive[1] > alive[0]  # recency == T: just bought, so more likely alive than recency 0
    expected = fitted.expected_number_of_purchases_up_to_time(np.array([0.0, 1e-9, 1e5]))
    assert np.isfinite(expected).all() and expected[0] == 0.0
    prob = fitted.probability_of_n_purchases_up_to_time(np.array([1e5, 1e5, 0.0]), np.array([0, 1e4, 0]))
    assert np.isfinite(prob).all() and ((prob >= 0) & (prob <= 1)).all() and prob[2] == 1.0


def test_extreme_valid_histories_can_be_fitted():
    x = np.r_[CDNOW["frequency"].to_numpy(), 1e4, 0, 3]
    t_x = np.r_[CDNOW["recency"].to_numpy(), 1e5, 0.0, 1e5]
    age = np.r_[CDNOW["T"].to_numpy(), 1e5, 1e5, 1e5]
    model = BetaGeoFitter().fit(x, t_x, age)
    assert np.isfinite(model.params_).all() and (model.params_ > 0).all()
    assert np.isfinite(model.predict(10, x, t_x, age)).all()


@pytest.mark.parametrize("frequency", [
    pd.Series(F, dtype="Int64"),
    pd.Series(F, dtype="Float64"),
    np.array(F, dtype=np.uint64),
    np.array(F, dtype=np.int8),
    np.array(F, dtype=np.float32),
    np.array(F, dtype=object),
    [1.0, 0.0, 3.0],
], ids=["Int64", "Float64", "uint64", "int8", "float32", "object-ints", "integral-floats"])
def test_numeric_dtypes_are_accepted(frequency):
    reference = BetaGeoFitter().fit(F, R, T).params_
    assert (BetaGeoFitter().fit(frequency, R, T).params_ == reference).all()


def test_inputs_of_any_shape_broadcast_like_numpy(fitted):
    """lifetimes computes with numpy operators, so 2-d inputs work element-wise there."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, 10, size=(3, 4)).astype(float)
    t_x = np.where(x > 0, rng.uniform(0, 30, size=(3, 4)), 0.0)
    age = t_x + rng.uniform(0, 10, size=(3, 4))
    t = np.array([[1.0], [10.0], [39.0]])  # broadcast along the rows
    got = fitted.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age)
    flat = fitted.conditional_expected_number_of_purchases_up_to_time(
        np.broadcast_to(t, x.shape).ravel(), x.ravel(), t_x.ravel(), age.ravel())
    assert got.shape == (3, 4) and (got.ravel() == flat).all()
    alive = fitted.conditional_probability_alive(x, t_x, age)
    assert alive.shape == (3, 4)
    assert (alive.ravel() == fitted.conditional_probability_alive(x.ravel(), t_x.ravel(), age.ravel())).all()
    assert fitted.expected_number_of_purchases_up_to_time(x).shape == (3, 4)
    assert fitted.probability_of_n_purchases_up_to_time(t, np.arange(5.0)).shape == (3, 5)


def test_valid_edge_transaction_logs_work():
    # 290 years: within what int64 nanoseconds hold
    log = pd.DataFrame({"id": [1, 1, 2], "date": ["1700-01-01", "1990-01-01", "1800-01-01"]})
    out = summary(log)
    assert out.loc[1, "recency"] == (pd.Timestamp("1990-01-01") - pd.Timestamp("1700-01-01")).days
    assert out.loc[2, "T"] == (pd.Timestamp("1990-01-01") - pd.Timestamp("1800-01-01")).days
    # one transaction, observation ends on its day
    one = summary(log.iloc[:1], observation_period_end="1700-01-01")
    assert one.loc[1].tolist() == [0.0, 0.0, 0.0]
    # one time zone, aware: its wall time
    aware = pd.DataFrame({"id": [1, 1],
                          "date": pd.to_datetime(["2020-01-01 23:00", "2020-02-01 01:00"]).tz_localize("Asia/Tokyo")})
    assert summary(aware).loc[1].tolist() == [1.0, 31.0, 31.0]
    # negative amounts (returns) are allowed, as in lifetimes
    assert np.isfinite(summary(tx(value=[-1.0, 2.0, 3.0, -4.0]), monetary_value_col="value")["monetary_value"]).all()
