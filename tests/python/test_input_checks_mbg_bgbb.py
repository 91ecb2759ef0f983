"""Bad input to ModifiedBetaGeoFitter and BetaGeoBetaBinomFitter gives a ValueError that
says what is wrong (the table style of test_input_checks.py).

``CASES`` drives the main test: a case name, a call taking ``(mbg, bgbb, tmp)`` -- the two
models fitted on CDNOW and on the donations, and a temporary directory -- and the
substrings its message must contain: the argument or column, and where rows are at fault,
the first offending rows (positions for arrays, index labels for a Series with an index;
the labels are strings such as 'c2' so that they cannot pass for positions).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from fastlifetimes import BetaGeoBetaBinomFitter, BetaGeoFitter, ModifiedBetaGeoFitter
from fastlifetimes.datasets import load_cdnow_summary, load_donations

nan, inf = np.nan, np.inf

CDNOW = load_cdnow_summary(index_col=[0])
DONATIONS = load_donations()
LABELS = ["c1", "c2", "c3"]

# small valid inputs the cases spoil one value at a time
F, R, T = [1, 0, 3], [2.0, 0.0, 5.0], [4.0, 3.0, 5.0]  # continuous time
X, TX, N = [1, 0, 3], [2, 0, 5], [6, 6, 6]  # discrete: x <= t_x <= n


def S(*values, dtype=None):
    """A Series with labels c1, c2, ... so that messages must show labels, not positions."""
    return pd.Series(list(values), index=LABELS[: len(values)], dtype=dtype)


def mbg_fit(*args, penalizer_coef=0.0, **kwargs):
    return ModifiedBetaGeoFitter(penalizer_coef=penalizer_coef).fit(*args, **kwargs)


def bgbb_fit(*args, penalizer_coef=0.0, **kwargs):
    return BetaGeoBetaBinomFitter(penalizer_coef=penalizer_coef).fit(*args, **kwargs)


def saved(model, tmp, name, **edits):
    """``model`` saved to a file, with top-level keys of its JSON document replaced."""
    path = tmp / name
    model.save_model(path)
    document = json.loads(path.read_text())
    document.update(edits)
    path.write_text(json.dumps(document))
    return path


def case(name, call, *expected):
    return pytest.param(call, expected, id=name)


CASES = [
    # ---------------------------------------------------------------- ModifiedBetaGeoFitter.fit
    case("mbg-fit/NaN-frequency", lambda mbg, bgbb, tmp: mbg_fit([1, nan, 3], R, T), "frequency", "NaN", "rows [1]"),
    case("mbg-fit/inf-T-series", lambda mbg, bgbb, tmp: mbg_fit(S(*F), S(*R), S(4.0, inf, 5.0)),
         "T", "infinite", "index labels ['c2']"),
    case("mbg-fit/negative-recency",
         lambda mbg, bgbb, tmp: mbg_fit(F, [2.0, -1.0, 5.0], T), "recency", "negative", "rows [1]"),
    case("mbg-fit/recency-above-T", lambda mbg, bgbb, tmp: mbg_fit(S(*F), S(2.0, 0.0, 5.5), S(*T)),
         "recency", "larger than T", "index labels ['c3']"),
    case("mbg-fit/non-integer-frequency",
         lambda mbg, bgbb, tmp: mbg_fit([1, 0, 2.5], R, T), "frequency", "non-integer", "rows [2]"),
    case("mbg-fit/recency-without-repeat-purchase", lambda mbg, bgbb, tmp: mbg_fit(F, [2.0, 1.0, 5.0], T),
         "recency", "frequency is 0", "rows [1]"),
    case("mbg-fit/mismatched-lengths", lambda mbg, bgbb, tmp: mbg_fit([1, 0], R, T), "same length", "2, 3 and 3"),
    case("mbg-fit/empty", lambda mbg, bgbb, tmp: mbg_fit([], [], []), "frequency", "empty"),
    case("mbg-fit/strings",
         lambda mbg, bgbb, tmp: mbg_fit(S("1", "0", "3", dtype=object), R, T), "frequency", "strings"),
    case("mbg-fit/negative-weight", lambda mbg, bgbb, tmp: mbg_fit(S(*F), S(*R), S(*T), weights=[1, 1, -2]),
         "weights", "negative", "index labels ['c3']"),
    case("mbg-fit/zero-weights", lambda mbg, bgbb, tmp: mbg_fit(F, R, T, weights=[0, 0, 0]), "weights", "sum to zero"),
    case("mbg-fit/weights-length", lambda mbg, bgbb, tmp: mbg_fit(F, R, T, weights=[1, 1]), "weights", "expected 3"),
    case("mbg-fit/negative-penalizer",
         lambda mbg, bgbb, tmp: mbg_fit(F, R, T, penalizer_coef=-0.1), "penalizer_coef", "-0.1"),
    case("mbg-fit/string-penalizer",
         lambda mbg, bgbb, tmp: mbg_fit(F, R, T, penalizer_coef="0.1"), "penalizer_coef", "'0.1'"),
    case("mbg-fit/initial-params-too-short", lambda mbg, bgbb, tmp: mbg_fit(F, R, T, initial_params=[0.0, 0.0]),
         "initial_params", "4", "r, alpha, a, b"),
    case("mbg-fit/negative-tol", lambda mbg, bgbb, tmp: mbg_fit(F, R, T, tol=-1.0), "tol", "positive"),
    case("mbg-fit/index-length", lambda mbg, bgbb, tmp: mbg_fit(F, R, T, index=["x", "y"]), "index", "expected 3"),
    case("mbg-fit/does-not-converge",
         lambda mbg, bgbb, tmp: mbg_fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"], maxiter=1),
         "did not converge", "penalizer_coef"),

    # ---------------------------------------------------------------- ModifiedBetaGeoFitter predictions
    case("mbg-unfitted/predict",
         lambda mbg, bgbb, tmp: ModifiedBetaGeoFitter().predict(1, 1, 1, 2), "not been fit", ".fit"),
    case("mbg-unfitted/alive",
         lambda mbg, bgbb, tmp: ModifiedBetaGeoFitter().conditional_probability_alive(1, 1, 2), "not been fit"),
    case("mbg-unfitted/alive-matrix",
         lambda mbg, bgbb, tmp: ModifiedBetaGeoFitter().conditional_probability_alive_matrix(),
         "not been fit"),
    case("mbg-unfitted/expected",
         lambda mbg, bgbb, tmp: ModifiedBetaGeoFitter().expected_number_of_purchases_up_to_time(1),
         "not been fit"),
    case("mbg-unfitted/probability-of-n",
         lambda mbg, bgbb, tmp: ModifiedBetaGeoFitter().probability_of_n_purchases_up_to_time(1, 1),
         "not been fit"),
    case("mbg-cond-expected/NaN-t",
         lambda mbg, bgbb, tmp: mbg.conditional_expected_number_of_purchases_up_to_time(nan, F, R, T),
         "t", "NaN", "rows [0]"),
    case("mbg-cond-expected/negative-t-series",
         lambda mbg, bgbb, tmp: mbg.conditional_expected_number_of_purchases_up_to_time(S(1.0, -1.0, 2.0), F, R, T),
         "t", "negative", "index labels ['c2']"),
    case("mbg-predict/recency-above-T", lambda mbg, bgbb, tmp: mbg.predict(1, S(*F), S(2.0, 4.0, 5.0), S(*T)),
         "recency", "larger than T", "index labels ['c2']"),
    case("mbg-predict/non-integer-frequency", lambda mbg, bgbb, tmp: mbg.predict(1, [1, 0.5, 3], R, T),
         "frequency", "non-integer", "rows [1]"),
    case("mbg-predict/mismatched-lengths", lambda mbg, bgbb, tmp: mbg.predict(1, F, [2.0, 0.0], T),
         "mismatched lengths", "recency: (2,)"),
    case("mbg-alive/NaN-recency", lambda mbg, bgbb, tmp: mbg.conditional_probability_alive(F, [2.0, nan, 5.0], T),
         "recency", "NaN", "rows [1]"),
    case("mbg-alive/negative-frequency",
         lambda mbg, bgbb, tmp: mbg.conditional_probability_alive(S(1, -1, 3), S(*R), S(*T)),
         "frequency", "negative", "index labels ['c2']"),
    case("mbg-alive/booleans",
         lambda mbg, bgbb, tmp: mbg.conditional_probability_alive(F, np.array([True, False, True]), T),
         "recency", "booleans"),
    case("mbg-expected/negative", lambda mbg, bgbb, tmp: mbg.expected_number_of_purchases_up_to_time([1.0, -2.0]),
         "t", "negative", "rows [1]"),
    case("mbg-expected/string",
         lambda mbg, bgbb, tmp: mbg.expected_number_of_purchases_up_to_time("10"), "t", "strings"),
    case("mbg-prob-n/negative-n", lambda mbg, bgbb, tmp: mbg.probability_of_n_purchases_up_to_time(10, [0, 1, -2]),
         "n", "negative", "rows [2]"),
    case("mbg-prob-n/non-integer-n", lambda mbg, bgbb, tmp: mbg.probability_of_n_purchases_up_to_time(10, S(0, 1.5)),
         "n", "non-integer", "index labels ['c2']"),
    case("mbg-prob-n/inf-t", lambda mbg, bgbb, tmp: mbg.probability_of_n_purchases_up_to_time(inf, 2), "t", "infinite"),
    case("mbg-load/a-BG/NBD-file", lambda mbg, bgbb, tmp: ModifiedBetaGeoFitter().load_model(
        saved(BetaGeoFitter().fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"]), tmp, "bgnbd.json")),
         "'BetaGeoFitter'", "not a ModifiedBetaGeoFitter"),
    case("mbg-load/negative-param", lambda mbg, bgbb, tmp: ModifiedBetaGeoFitter().load_model(
        saved(mbg, tmp, "m.json", params={"r": 1.0, "alpha": -1.0, "a": 1.0, "b": 1.0})), "m.json", "positive finite"),

    # ---------------------------------------------------------------- BetaGeoBetaBinomFitter.fit
    case("bgbb-fit/NaN-frequency", lambda mbg, bgbb, tmp: bgbb_fit([1, nan, 3], TX, N), "frequency", "NaN", "rows [1]"),
    case("bgbb-fit/inf-n_periods-series", lambda mbg, bgbb, tmp: bgbb_fit(S(*X), S(*TX), S(6, inf, 6)),
         "n_periods", "infinite", "index labels ['c2']"),
    case("bgbb-fit/NaN-in-donations", lambda mbg, bgbb, tmp: bgbb_fit(
        DONATIONS["frequency"], DONATIONS["recency"].where(DONATIONS.index != 7), DONATIONS["periods"]),
         "recency", "NaN", "index labels [7]"),
    case("bgbb-fit/negative-frequency",
         lambda mbg, bgbb, tmp: bgbb_fit([1, -1, 3], TX, N), "frequency", "negative", "rows [1]"),
    case("bgbb-fit/non-integer-frequency", lambda mbg, bgbb, tmp: bgbb_fit(S(1, 0, 2.5), S(*TX), S(*N)),
         "frequency", "non-integer", "truncates", "index labels ['c3']"),
    case("bgbb-fit/non-integer-recency",
         lambda mbg, bgbb, tmp: bgbb_fit(X, [2.5, 0, 5], N), "recency", "non-integer", "rows [0]"),
    case("bgbb-fit/non-integer-n_periods",
         lambda mbg, bgbb, tmp: bgbb_fit(X, TX, [6, 6, 6.5]), "n_periods", "non-integer", "rows [2]"),
    case("bgbb-fit/negative-n_periods",
         lambda mbg, bgbb, tmp: bgbb_fit([0, 0], [0, 0], [6, -1]), "n_periods", "negative", "rows [1]"),
    case("bgbb-fit/recency-above-n_periods", lambda mbg, bgbb, tmp: bgbb_fit(S(*X), S(2, 0, 7), S(*N)),
         "recency", "larger than n_periods", "index labels ['c3']"),
    case("bgbb-fit/frequency-above-recency", lambda mbg, bgbb, tmp: bgbb_fit(S(1, 0, 6), S(*TX), S(*N)),
         "frequency", "larger than recency", "index labels ['c3']"),
    case("bgbb-fit/frequency-above-recency-in-donations", lambda mbg, bgbb, tmp: bgbb_fit(
        DONATIONS["frequency"].where(DONATIONS.index != 12, 6), DONATIONS["recency"], DONATIONS["periods"]),
         "frequency", "larger than recency", "index labels [12]"),
    case("bgbb-fit/recency-without-transaction", lambda mbg, bgbb, tmp: bgbb_fit(X, [2, 1, 5], N),
         "recency", "non-zero recency where frequency is 0", "rows [1]"),
    case("bgbb-fit/mismatched-lengths", lambda mbg, bgbb, tmp: bgbb_fit(X, TX, [6, 6]),
         "frequency, recency and n_periods", "same length", "3, 3 and 2"),
    case("bgbb-fit/empty", lambda mbg, bgbb, tmp: bgbb_fit([], [], []), "frequency", "empty"),
    case("bgbb-fit/strings", lambda mbg, bgbb, tmp: bgbb_fit(X, TX, np.array(["6", "6", "6"])), "n_periods", "strings"),
    case("bgbb-fit/booleans", lambda mbg, bgbb, tmp: bgbb_fit([True, False], [1, 0], [1, 1]), "frequency", "booleans"),
    case("bgbb-fit/None-n_periods", lambda mbg, bgbb, tmp: bgbb_fit(X, TX, None), "n_periods", "None"),
    case("bgbb-fit/DataFrame", lambda mbg, bgbb, tmp: bgbb_fit(DONATIONS, DONATIONS["recency"], DONATIONS["periods"]),
         "frequency", "DataFrame"),
    case("bgbb-fit/too-many-periods", lambda mbg, bgbb, tmp: bgbb_fit([1, 0], [1, 0], [6, 10**7]),
         "n_periods", "above 1,000,000", "rows [1]"),
    case("bgbb-fit/all-periods-zero", lambda mbg, bgbb, tmp: bgbb_fit([0, 0], [0, 0], [0, 0]), "n_periods", "all zero"),
    case("bgbb-fit/negative-weight", lambda mbg, bgbb, tmp: bgbb_fit(S(*X), S(*TX), S(*N), weights=[1, -1, 1]),
         "weights", "negative", "index labels ['c2']"),
    case("bgbb-fit/NaN-weight",
         lambda mbg, bgbb, tmp: bgbb_fit(X, TX, N, weights=[1, 1, nan]), "weights", "NaN", "rows [2]"),
    case("bgbb-fit/zero-weights",
         lambda mbg, bgbb, tmp: bgbb_fit(X, TX, N, weights=[0, 0, 0]), "weights", "sum to zero"),
    case("bgbb-fit/weights-length",
         lambda mbg, bgbb, tmp: bgbb_fit(X, TX, N, weights=[1]), "weights", "expected 3", "got 1"),
    case("bgbb-fit/NaN-penalizer",
         lambda mbg, bgbb, tmp: bgbb_fit(X, TX, N, penalizer_coef=nan), "penalizer_coef", "nan"),
    case("bgbb-fit/None-penalizer",
         lambda mbg, bgbb, tmp: bgbb_fit(X, TX, N, penalizer_coef=None), "penalizer_coef", "None"),
    case("bgbb-fit/initial-params-wrong-size", lambda mbg, bgbb, tmp: bgbb_fit(X, TX, N, initial_params=[0.1] * 5),
         "initial_params", "4", "alpha, beta, gamma, delta"),
    case("bgbb-fit/initial-params-inf", lambda mbg, bgbb, tmp: bgbb_fit(X, TX, N, initial_params=[0.1, inf, 0.1, 0.1]),
         "initial_params", "finite"),
    case("bgbb-fit/zero-tol", lambda mbg, bgbb, tmp: bgbb_fit(X, TX, N, tol=0), "tol", "positive"),
    case("bgbb-fit/index-length",
         lambda mbg, bgbb, tmp: bgbb_fit(X, TX, N, index=["a"]), "index", "expected 3", "got 1"),
    case("bgbb-fit/does-not-converge", lambda mbg, bgbb, tmp: bgbb_fit(
        DONATIONS["frequency"], DONATIONS["recency"], DONATIONS["periods"], weights=DONATIONS["weights"], maxiter=1),
         "did not converge", "penalizer_coef"),

    # ---------------------------------------------------------------- BetaGeoBetaBinomFitter predictions
    case("bgbb-unfitted/cond-expected", lambda mbg, bgbb, tmp:
         BetaGeoBetaBinomFitter().conditional_expected_number_of_purchases_up_to_time(1, 1, 1, 2),
         "not been fit", ".fit"),
    case("bgbb-unfitted/alive",
         lambda mbg, bgbb, tmp: BetaGeoBetaBinomFitter().conditional_probability_alive(1, 1, 1, 2),
         "not been fit"),
    case("bgbb-unfitted/first-n", lambda mbg, bgbb, tmp:
         BetaGeoBetaBinomFitter().expected_number_of_transactions_in_first_n_periods(6), "not been fit"),
    case("bgbb-unfitted/save",
         lambda mbg, bgbb, tmp: BetaGeoBetaBinomFitter().save_model(tmp / "x.json"), "not been fit"),
    case("bgbb-cond-expected/negative-m", lambda mbg, bgbb, tmp:
         bgbb.conditional_expected_number_of_purchases_up_to_time(S(1, -1, 2), X, TX, N),
         "m_periods_in_future", "negative", "index labels ['c2']"),
    case("bgbb-cond-expected/non-integer-m", lambda mbg, bgbb, tmp:
         bgbb.conditional_expected_number_of_purchases_up_to_time(0.5, X, TX, N),
         "m_periods_in_future", "non-integer", "3 rows"),
    case("bgbb-cond-expected/NaN-m", lambda mbg, bgbb, tmp:
         bgbb.conditional_expected_number_of_purchases_up_to_time(nan, X, TX, N), "m_periods_in_future", "NaN"),
    case("bgbb-cond-expected/frequency-above-recency", lambda mbg, bgbb, tmp:
         bgbb.conditional_expected_number_of_purchases_up_to_time(1, S(1, 0, 6), S(*TX), S(*N)),
         "frequency", "larger than recency", "index labels ['c3']"),
    case("bgbb-cond-expected/recency-above-n_periods", lambda mbg, bgbb, tmp:
         bgbb.conditional_expected_number_of_purchases_up_to_time(1, X, [2, 0, 7], N),
         "recency", "larger than n_periods", "rows [2]"),
    case("bgbb-cond-expected/non-integer-n_periods", lambda mbg, bgbb, tmp:
         bgbb.conditional_expected_number_of_purchases_up_to_time(1, X, TX, [6, 6.5, 6]),
         "n_periods", "non-integer", "rows [1]"),
    case("bgbb-cond-expected/NaN-frequency-in-donations", lambda mbg, bgbb, tmp:
         bgbb.conditional_expected_number_of_purchases_up_to_time(
             5, DONATIONS["frequency"].where(DONATIONS.index != 3), DONATIONS["recency"], DONATIONS["periods"]),
         "frequency", "NaN", "index labels [3]"),
    case("bgbb-cond-expected/mismatched-lengths", lambda mbg, bgbb, tmp:
         bgbb.conditional_expected_number_of_purchases_up_to_time(1, X, [2, 0], N),
         "mismatched lengths", "recency: (2,)"),
    case("bgbb-cond-expected/empty", lambda mbg, bgbb, tmp:
         bgbb.conditional_expected_number_of_purchases_up_to_time(1, [], [], []), "frequency", "empty"),
    case("bgbb-cond-expected/None-m", lambda mbg, bgbb, tmp:
         bgbb.conditional_expected_number_of_purchases_up_to_time(None, X, TX, N), "m_periods_in_future", "None"),
    case("bgbb-alive/recency-without-transaction", lambda mbg, bgbb, tmp:
         bgbb.conditional_probability_alive(1, S(*X), S(2, 3, 5), S(*N)),
         "recency", "non-zero recency where frequency is 0", "index labels ['c2']"),
    case("bgbb-alive/negative-n_periods", lambda mbg, bgbb, tmp: bgbb.conditional_probability_alive(0, 0, 0, -6),
         "n_periods", "negative"),
    case("bgbb-alive/inf-recency", lambda mbg, bgbb, tmp: bgbb.conditional_probability_alive(1, X, [2, 0, inf], N),
         "recency", "infinite", "rows [2]"),
    case("bgbb-alive/strings", lambda mbg, bgbb, tmp: bgbb.conditional_probability_alive("1", X, TX, N),
         "m_periods_in_future", "strings"),
    case("bgbb-first-n/negative", lambda mbg, bgbb, tmp: bgbb.expected_number_of_transactions_in_first_n_periods(-1),
         "n", "whole number", "-1"),
    case("bgbb-first-n/non-integer",
         lambda mbg, bgbb, tmp: bgbb.expected_number_of_transactions_in_first_n_periods(6.5),
         "n", "6.5"),
    case("bgbb-first-n/array", lambda mbg, bgbb, tmp: bgbb.expected_number_of_transactions_in_first_n_periods([6, 7]),
         "n", "[6, 7]"),
    case("bgbb-first-n/string", lambda mbg, bgbb, tmp: bgbb.expected_number_of_transactions_in_first_n_periods("6"),
         "n", "'6'"),
    case("bgbb-first-n/too-many", lambda mbg, bgbb, tmp: bgbb.expected_number_of_transactions_in_first_n_periods(10**7),
         "n", "at most 1,000,000"),
    case("bgbb-first-n/NaN",
         lambda mbg, bgbb, tmp: bgbb.expected_number_of_transactions_in_first_n_periods(nan), "n", "nan"),
    case("bgbb-first-n/without-data",
         lambda mbg, bgbb, tmp: _without_data(bgbb, tmp).expected_number_of_transactions_in_first_n_periods(6),
         "fitted data", "save_data=False"),
    case("bgbb-load/an-MBG-file",
         lambda mbg, bgbb, tmp: BetaGeoBetaBinomFitter().load_model(saved(mbg, tmp, "mbg.json")),
         "'ModifiedBetaGeoFitter'", "not a BetaGeoBetaBinomFitter"),
    case("bgbb-load/wrong-parameter-names", lambda mbg, bgbb, tmp: BetaGeoBetaBinomFitter().load_model(
        saved(bgbb, tmp, "b.json", params={"r": 1.0, "alpha": 1.0, "a": 1.0, "b": 1.0})),
         "b.json", "parameters must be", "gamma"),
]


def _without_data(model, tmp):
    path = tmp / "no-data.json"
    model.save_model(path, save_data=False)
    return BetaGeoBetaBinomFitter().load_model(path)


@pytest.fixture(scope="module")
def fitted():
    mbg = ModifiedBetaGeoFitter().fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"])
    bgbb = BetaGeoBetaBinomFitter().fit(DONATIONS["frequency"], DONATIONS["recency"], DONATIONS["periods"],
                                        weights=DONATIONS["weights"])
    return mbg, bgbb


@pytest.mark.parametrize("call, expected", CASES)
def test_bad_input_is_refused_with_a_useful_message(call, expected, fitted, tmp_path):
    with pytest.raises(ValueError) as info:
        call(*fitted, tmp_path)
    message = str(info.value)
    missing = [s for s in expected if s not in message]
    assert not missing, f"message lacks {missing}: {message!r}"


def test_the_fitted_models_are_untouched_by_the_table(fitted):
    mbg, bgbb = fitted
    again = ModifiedBetaGeoFitter().fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"])
    assert (mbg.params_ == again.params_).all()
    again = BetaGeoBetaBinomFitter().fit(DONATIONS["frequency"], DONATIONS["recency"], DONATIONS["periods"],
                                         weights=DONATIONS["weights"])
    assert (bgbb.params_ == again.params_).all()


def test_a_failed_fit_leaves_an_unfitted_model_unfitted():
    for model, args in ((ModifiedBetaGeoFitter(), ([1, nan], [1.0, 1.0], [2.0, 2.0])),
                        (BetaGeoBetaBinomFitter(), ([2, 0], [1, 0], [6, 6]))):
        with pytest.raises(ValueError):
            model.fit(*args)
        assert not hasattr(model, "params_")


# -- nothing crashes ------------------------------------------------------------------------

NASTY = r'''
import faulthandler
faulthandler.enable()
import numpy as np
from fastlifetimes import BetaGeoBetaBinomFitter, ModifiedBetaGeoFitter, _core

# four customers: the maximum of the likelihood is at a boundary, the penalty keeps it inside
mbg = ModifiedBetaGeoFitter(0.1).fit([2, 0, 5, 1], [3.0, 0.0, 10.0, 1.0], [10.0, 8.0, 12.0, 9.0])
bgbb = BetaGeoBetaBinomFitter(0.1).fit([2, 0, 5, 1], [3, 0, 6, 1], [6, 6, 6, 6])
p, q = mbg.params_.to_numpy(), bgbb.params_.to_numpy()
big = np.full(200_000, np.nan)
calls = [
    lambda: mbg.fit(big, big, big),
    lambda: mbg.fit([1e308], [1e308], [1e308]),
    lambda: mbg.fit([2**62, 0], [1.0, 0.0], [2.0, 2.0]),
    lambda: mbg.fit([1, 0, 3], [1.0, 0.0, 3.0], [3.0, 3.0, 3.0], initial_params=[700.0, -700.0, 700.0, -700.0]),
    lambda: mbg.predict(1e308, 1e15, 1e308, 1e308),
    lambda: mbg.conditional_probability_alive(2**53, 1e-300, 1e300),
    lambda: mbg.conditional_probability_alive_matrix(0, 0),
    lambda: mbg.expected_number_of_purchases_up_to_time(np.array(1e300)),
    lambda: mbg.probability_of_n_purchases_up_to_time(1e308, 1e15),
    lambda: bgbb.fit(big, big, big),
    lambda: bgbb.fit([2**52, 0], [2**52, 0], [2**53, 1]),
    lambda: bgbb.fit([1, 0], [1, 0], [10**7, 10**7]),
    lambda: bgbb.fit([1, 0, 3], [1, 0, 3], [3, 3, 3], initial_params=[700.0, -700.0, 700.0, -700.0]),
    lambda: bgbb.fit([1, 0, 3], [1, 0, 3], [3, 3, 3], weights=np.full(3, 1e308)),
    lambda: bgbb.conditional_probability_alive(1e15, 1, 1, 1e7),
    lambda: bgbb.conditional_expected_number_of_purchases_up_to_time(1e15, 1e6, 1e6, 1e7),
    lambda: bgbb.expected_number_of_transactions_in_first_n_periods(10**6),
    # the C++ core directly: wrong lengths, parameter counts, invalid rows
    lambda: _core.mbgnbd_conditional_probability_alive(p, np.ones(3), np.ones(5), np.ones(2)),
    lambda: _core.mbgnbd_conditional_expected_number_of_purchases_up_to_time(p[:2], np.ones(3), np.ones(3), np.ones(3),
                                                                             np.ones(3)),
    lambda: _core.mbgnbd_probability_of_n_purchases_up_to_time(p, np.ones(1), np.array([-5.0])),
    lambda: _core.mbgnbd_expected_number_of_purchases_up_to_time(-p, np.ones(3)),
    lambda: _core.mbgnbd_fit(np.ones(3), np.ones(5), np.ones(2), None, 0.0, None, 1e-7, 100),
    lambda: _core.bgbb_fit(np.array([3.0]), np.array([2.0]), np.array([6.0]), None, 0.0, None, 1e-7, 100),
    lambda: _core.bgbb_fit(np.full(3, np.nan), np.ones(3), np.ones(3), None, 0.0, None, 1e-7, 100),
    lambda: _core.bgbb_fit(np.ones(3), np.ones(3), np.ones(3), np.ones(1), 0.0, None, 1e-7, 100),
    lambda: _core.bgbb_log_likelihood(q, np.array([5.0]), np.array([2.0]), np.array([6.0])),
    lambda: _core.bgbb_conditional_probability_alive(q, np.ones(1), np.array([0.5]), np.ones(1), np.ones(1)),
    lambda: _core.bgbb_conditional_expected_number_of_purchases_up_to_time(q, -np.ones(2), np.ones(2), np.ones(2),
                                                                           np.ones(2)),
    lambda: _core.bgbb_probability_of_transactions_in_first_n_periods(q, np.array([-1.0]), np.array([3.0])),
    lambda: _core.bgbb_probability_of_transactions_in_first_n_periods(q[:3], np.ones(1), np.ones(1)),
    lambda: _core.bgbb_uncertainty(np.ones(4), q, np.ones(3), np.ones(3), np.ones(2), None, 0.0),
]
for call in calls:
    try:
        call()
    except (ValueError, TypeError, OverflowError, MemoryError):
        pass
print("survived", len(calls))
'''


def test_nasty_inputs_do_not_crash_the_interpreter():
    done = subprocess.run([sys.executable, "-c", NASTY], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"exit code {done.returncode}\n{done.stdout}\n{done.stderr[-4000:]}"
    assert done.stdout.strip().startswith("survived"), done.stdout


# -- positive controls: extreme but valid input works ---------------------------------------

def test_extreme_valid_mbg_histories_give_finite_predictions(fitted):
    mbg, _ = fitted
    x = np.array([1e4, 1e4, 0, 0, 1, 1e4])
    t_x = np.array([0.0, 1e5, 0.0, 0.0, 1e5, 1e-9])
    age = np.array([1e5, 1e5, 1e5, 0.0, 1e5, 1e5])
    for t in (0.0, 1.0, 1e5):
        expected = mbg.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age)
        assert np.isfinite(expected).all() and (expected >= 0).all(), (t, expected)
    alive = mbg.conditional_probability_alive(x, t_x, age)
    assert np.isfinite(alive).all() and ((alive >= 0) & (alive <= 1)).all()
    assert alive[3] < 1  # an MBG customer of age 0 may already be gone
    model = ModifiedBetaGeoFitter().fit(np.r_[CDNOW["frequency"], 1e4, 0], np.r_[CDNOW["recency"], 1e5, 0],
                                        np.r_[CDNOW["T"], 1e5, 1e5])
    assert np.isfinite(model.params_).all()


def test_extreme_valid_bgbb_histories_give_finite_predictions(fitted):
    _, bgbb = fitted
    n = np.array([0, 1, 5000, 5000, 5000, 5000])
    t_x = np.array([0, 1, 0, 5000, 4000, 5000])
    x = np.array([0, 1, 0, 1, 4000, 5000])
    for m in (0, 1, 10_000):
        expected = bgbb.conditional_expected_number_of_purchases_up_to_time(m, x, t_x, n)
        alive = bgbb.conditional_probability_alive(m, x, t_x, n)
        assert np.isfinite(expected).all() and (expected >= 0).all(), (m, expected)
        assert np.isfinite(alive).all() and ((alive >= 0) & (alive <= 1)).all(), (m, alive)
    table = bgbb.expected_number_of_transactions_in_first_n_periods(2000)
    assert np.isfinite(table["model"]).all() and (table["model"] >= 0).all()
    long = BetaGeoBetaBinomFitter().fit(np.r_[DONATIONS["frequency"], 300], np.r_[DONATIONS["recency"], 400],
                                        np.r_[DONATIONS["periods"], 500], weights=np.r_[DONATIONS["weights"], 1])
    assert np.isfinite(long.params_).all()


def test_the_limit_on_opportunities_is_the_cores():
    from fastlifetimes import _core
    from fastlifetimes._validation import MAX_PERIODS
    assert _core.bgbb_max_periods == MAX_PERIODS
