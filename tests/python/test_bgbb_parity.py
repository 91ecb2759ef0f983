"""BG/BB against the real lifetimes 0.11.3 on the donations data (FHS 2010) and a
simulated BG/BB customer base: fits (parameters to 1e-4, a likelihood no worse),
closed-form predictions at the same parameters (1e-8 relative), the types that come back,
and the one place where we differ on purpose (lifetimes' 1e-15 in the likelihood)."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln

import fastlifetimes
from fastlifetimes import BetaGeoBetaBinomFitter
from fastlifetimes.datasets import load_donations
from lifetimes_reference import infer_string_dtypes, run_lifetimes
from synthetic import bgbb_customers

RTOL_PARAMS = 1e-4
RTOL_CLOSED_FORM = 1e-8

# Everything lifetimes computes for one data set, in one process. `weights` may be None.
REFERENCE_SNIPPET = """
from lifetimes import BetaGeoBetaBinomFitter
f, r, n = data["frequency"], data["recency"], data["n_periods"]
w = data["weights"] if "weights" in data else None
for label, kwargs in [("plain", {}), ("penalized", {"penalizer_coef": 0.1})]:
    m = BetaGeoBetaBinomFitter(**kwargs).fit(f, r, n, weights=w)
    out[label + "_params"] = m.params_
    out[label + "_nll"] = m._negative_log_likelihood_
    out[label + "_hessian"] = m._hessian_
    out[label + "_variance"] = m.variance_matrix_
    out[label + "_summary"] = m.summary
m = BetaGeoBetaBinomFitter().fit(f, r, n, weights=w)
out["params_for_predictions"] = m.params_
for k in (1, 5, 10):
    out[f"ce_{k}"] = m.conditional_expected_number_of_purchases_up_to_time(k, f, r, n)
for k in (0, 1, 5):
    out[f"alive_{k}"] = m.conditional_probability_alive(k, f, r, n)
for k in periods:
    out[f"first_{k}"] = m.expected_number_of_transactions_in_first_n_periods(k)
out["ce_arrays"] = m.conditional_expected_number_of_purchases_up_to_time(5, f.values, r.values, n.values)
out["ce_scalar"] = m.conditional_expected_number_of_purchases_up_to_time(np.int64(5), np.int64(2), np.int64(4),
                                                                         np.int64(6))
out["alive_scalar"] = m.conditional_probability_alive(np.int64(1), np.int64(2), np.int64(4), np.int64(6))
out["repr"] = repr(m)
out["data"] = m.data
"""


def reference(data, periods):
    return run_lifetimes(REFERENCE_SNIPPET, data=data, periods=list(periods))


def donations_frame():
    d = load_donations()
    return d.rename(columns={"periods": "n_periods"})


@pytest.fixture(scope="module")
def donations():
    data = donations_frame()
    return data, reference(data, (1, 3, 6, 10))


@pytest.fixture(scope="module")
def donors():
    """The donations data one row per donor (11,104 rows, no weights)."""
    d = donations_frame()
    data = d.loc[d.index.repeat(d["weights"])].drop(columns="weights").reset_index(drop=True)
    return data, reference(data, (6,))


@pytest.fixture(scope="module")
def synthetic():
    """20,000 simulated customers, one row each: lifetimes takes about 20 s to fit them
    (90 s for 100,000), so the 100,000 are compared as a weighted summary below."""
    data = bgbb_customers(20_000)
    return data, reference(data, (4, 12, 20))


@pytest.fixture(scope="module")
def synthetic_weighted():
    """100,000 simulated customers as (frequency, recency, n_periods) cells with counts."""
    data = bgbb_customers(100_000)
    g = data.groupby(["frequency", "recency", "n_periods"]).size().rename("weights").reset_index()
    return g, reference(g, (12,))


def fit(data, **kwargs):
    weights = data["weights"] if "weights" in data else None
    return BetaGeoBetaBinomFitter(**kwargs).fit(data["frequency"], data["recency"], data["n_periods"],
                                                weights=weights)


DATASETS = ["donations", "donors", "synthetic", "synthetic_weighted"]


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("penalizer", [0.0, 0.1])
def test_fit_matches_lifetimes(request, dataset, penalizer):
    data, ref = request.getfixturevalue(dataset)
    label = "plain" if penalizer == 0 else "penalized"
    m = fit(data, penalizer_coef=penalizer)
    np.testing.assert_allclose(m.params_.values, ref[label + "_params"].values, rtol=RTOL_PARAMS)
    # at least as good an optimum as lifetimes' (to rounding of the objective)
    theirs = ref[label + "_nll"]
    assert m._negative_log_likelihood_ <= theirs + 1e-12 * abs(theirs)
    np.testing.assert_allclose(m._hessian_, ref[label + "_hessian"], rtol=1e-4, atol=1e-7)
    variance = ref[label + "_variance"].values
    np.testing.assert_allclose(np.diag(m.variance_matrix_.values), np.diag(variance), rtol=1e-4)
    p = ref[label + "_params"].values
    np.testing.assert_allclose(m.variance_matrix_.values, variance / (p**2)[None, :] * np.outer(p, p),
                               rtol=1e-3, atol=1e-12)
    pd.testing.assert_frame_equal(m.summary, infer_string_dtypes(ref[label + "_summary"]), rtol=1e-4,
                                  check_exact=False)


def test_weights_are_counts_of_customers(donations, donors, synthetic_weighted):
    for rows, customers in ((donations[0], donors[0]), (synthetic_weighted[0], bgbb_customers(100_000))):
        weighted, plain = fit(rows), fit(customers)
        np.testing.assert_allclose(weighted.params_.values, plain.params_.values, rtol=1e-9)
        assert weighted.log_likelihood_ == pytest.approx(plain.log_likelihood_, rel=1e-12)
        assert weighted.data["weights"].sum() == len(customers)


def test_the_papers_estimates_and_log_likelihood(donations):
    """FHS (2010): alpha 1.204, beta 0.750, gamma 0.657, delta 2.783, LL -33,225.6."""
    data, _ = donations
    m = fit(data)
    np.testing.assert_allclose(m.params_.values, [1.204, 0.750, 0.657, 2.783], atol=1e-3)
    assert m.log_likelihood_ == pytest.approx(-33225.581274, abs=1e-5)


def with_reference_params(ref):
    m = BetaGeoBetaBinomFitter()
    m.params_ = ref["params_for_predictions"]
    return m


def lifetimes_floor_matters(params, data):
    """Rows where lifetimes' 1e-15 inside the likelihood sum changes it by more than 1e-10
    relative (see test_lifetimes_floor_is_not_reproduced)."""
    alpha, beta, gamma, delta = params
    ll = fastlifetimes._core.bgbb_log_likelihood(np.asarray(params, dtype=float), data["frequency"].to_numpy(float),
                                                 data["recency"].to_numpy(float), data["n_periods"].to_numpy(float))
    floor = 1e-15 * np.exp(-betaln(alpha, beta) - betaln(gamma, delta))
    return floor / np.exp(ll) > 1e-10


@pytest.mark.parametrize("dataset", DATASETS)
def test_closed_forms_match_lifetimes(request, dataset):
    data, ref = request.getfixturevalue(dataset)
    m = with_reference_params(ref)
    f, r, n = data["frequency"], data["recency"], data["n_periods"]
    assert not lifetimes_floor_matters(ref["params_for_predictions"].values, data).any()
    for k in (1, 5, 10):
        ours = m.conditional_expected_number_of_purchases_up_to_time(k, f, r, n)
        assert isinstance(ours, pd.Series) and ours.index.equals(data.index)
        np.testing.assert_allclose(ours.values, ref[f"ce_{k}"].values, rtol=RTOL_CLOSED_FORM)
    for k in (0, 1, 5):
        ours = m.conditional_probability_alive(k, f, r, n)
        assert isinstance(ours, pd.Series) and ours.index.equals(data.index)
        np.testing.assert_allclose(ours.values, ref[f"alive_{k}"].values, rtol=RTOL_CLOSED_FORM)
    ours = m.conditional_expected_number_of_purchases_up_to_time(5, f.values, r.values, n.values)
    assert isinstance(ours, np.ndarray)
    np.testing.assert_allclose(ours, ref["ce_arrays"], rtol=RTOL_CLOSED_FORM)


@pytest.mark.parametrize("dataset", DATASETS)
def test_expected_number_of_transactions_in_first_n_periods_matches_lifetimes(request, dataset):
    data, ref = request.getfixturevalue(dataset)
    m = fit(data)  # needs the fitted data; then lifetimes' parameters
    m.params_ = ref["params_for_predictions"]
    for key in (k for k in ref if k.startswith("first_")):
        ours = m.expected_number_of_transactions_in_first_n_periods(int(key.split("_")[1]))
        theirs = ref[key]
        assert list(ours.columns) == ["model"] and ours.index.name == "frequency"
        pd.testing.assert_index_equal(ours.index, theirs.index)
        # frequencies above n have probability 0 in both
        np.testing.assert_allclose(ours["model"].values, theirs["model"].values, rtol=RTOL_CLOSED_FORM, atol=1e-9)


def test_hardies_spreadsheet_in_sample_fit(donations):
    """Expected donors with 0..6 repeat donations in 1996-2001 ("In-Sample Fit" C18:C24,
    lifetimes' test asserts k = 0 and 6 to 0 decimals)."""
    data, _ = donations
    m = fit(data)
    table = m.expected_number_of_transactions_in_first_n_periods(6)["model"]
    np.testing.assert_allclose(table.values, [3454.9, 1888.7, 1348.9, 1113.4, 1017.9, 1027.2, 1253.1], atol=0.05)
    assert table.sum() == pytest.approx(11104, rel=1e-12)


def test_fhs_table_6(donations):
    """P(alive in 2002) for (x, t_x) = (0, 0), (2, 4), (6, 6) of n = 6: 0.11, 0.59, 0.93."""
    data, _ = donations
    m = fit(data)
    alive = m.conditional_probability_alive(1, np.array([0, 2, 6]), np.array([0, 4, 6]), 6)
    np.testing.assert_allclose(alive, [0.11, 0.59, 0.93], atol=0.005)
    # Hardie's "Conditional Expectations (II)": the donors' expected donations 2002-2006
    expected = m.conditional_expected_number_of_purchases_up_to_time(5, data["frequency"], data["recency"],
                                                                     data["n_periods"])
    assert (expected * data["weights"]).sum() == pytest.approx(12884.2, abs=0.05)


def test_types_follow_lifetimes(donations):
    data, ref = donations
    m = with_reference_params(ref)
    ce = m.conditional_expected_number_of_purchases_up_to_time(5, 2, 4, 6)
    assert type(ce) is np.float64 and type(ref["ce_scalar"]) is np.float64
    assert ce == pytest.approx(ref["ce_scalar"], rel=RTOL_CLOSED_FORM)
    alive = m.conditional_probability_alive(np.int64(1), np.int64(2), np.int64(4), np.int64(6))
    assert type(alive) is np.float64 and type(ref["alive_scalar"]) is np.float64
    assert alive == pytest.approx(ref["alive_scalar"], rel=RTOL_CLOSED_FORM)
    # lifetimes fails on Python scalars and lists ('int' object has no attribute 'max');
    # here they work as numpy's would
    assert type(m.conditional_probability_alive(1, 2, 4, 6)) is np.float64
    assert m.conditional_expected_number_of_purchases_up_to_time(5, [2, 2], [4, 4], [6, 6]).shape == (2,)


def test_fitted_attributes_have_lifetimes_shapes(donations):
    data, ref = donations
    m = fit(data)
    pd.testing.assert_frame_equal(m.data, infer_string_dtypes(ref["data"]))
    assert list(m.params_.index) == ["alpha", "beta", "gamma", "delta"]
    assert repr(m) == ref["repr"].replace("<lifetimes.", "<fastlifetimes.")
    m = BetaGeoBetaBinomFitter().fit(data["frequency"], data["recency"], data["n_periods"],
                                     index=list("abcdefghijklmnopqrstuv"))
    assert list(m.data.index[:2]) == ["a", "b"]
    assert m.data["weights"].dtype == np.int64 and (m.data["weights"] == 1).all()
    assert not hasattr(m, "predict")  # lifetimes' BG/BB has none
    from fastlifetimes.fitters.beta_geo_beta_binom_fitter import BetaGeoBetaBinomFitter as Same
    assert Same is fastlifetimes.BetaGeoBetaBinomFitter


LONG_HISTORIES_SNIPPET = """
from lifetimes import BetaGeoBetaBinomFitter
m = BetaGeoBetaBinomFitter()
m.params_ = pd.Series(params, index=["alpha", "beta", "gamma", "delta"])
out["alive"] = m.conditional_probability_alive(1, x, t_x, n)
out["ce"] = m.conditional_expected_number_of_purchases_up_to_time(10, x, t_x, n)
"""


def test_lifetimes_floor_is_not_reproduced():
    """lifetimes adds 1e-15 to the likelihood's sum before dividing by B(alpha, beta)
    B(gamma, delta). A history of 60 opportunities has a sequence probability far below
    that, so lifetimes' P(alive) and expectation are off there. Ours are exact, and
    undoing the floor on ours gives lifetimes' numbers."""
    params = np.array([1.2, 0.75, 0.66, 2.78])
    x = np.array([30, 30, 10, 60, 2])
    t_x = np.array([60, 40, 59, 60, 6])
    n = np.array([60, 60, 60, 60, 6])
    ref = run_lifetimes(LONG_HISTORIES_SNIPPET, params=params, x=x, t_x=t_x, n=n)
    m = BetaGeoBetaBinomFitter()
    m.params_ = pd.Series(params, index=["alpha", "beta", "gamma", "delta"])
    alive = m.conditional_probability_alive(1, x, t_x, n)
    ce = m.conditional_expected_number_of_purchases_up_to_time(10, x, t_x, n)
    ll = fastlifetimes._core.bgbb_log_likelihood(params, x, t_x, n)
    floored = np.exp(ll) + 1e-15 * np.exp(-betaln(*params[:2]) - betaln(*params[2:]))
    shrink = np.exp(ll) / floored  # lifetimes' likelihood is larger by this factor
    # the first three have sequence probabilities below 1e-15; the last two do not
    assert (shrink[:3] < 1 - 1e-3).all() and (shrink[3:] > 1 - 1e-10).all()
    np.testing.assert_allclose(alive * shrink, ref["alive"], rtol=1e-8)
    np.testing.assert_allclose(ce * shrink, ref["ce"], rtol=1e-8)
    assert (alive <= 1).all() and alive[0] == pytest.approx(alive[3])  # t_x = n: x does not matter


LONG_FIT_SNIPPET = """
from lifetimes import BetaGeoBetaBinomFitter
from lifetimes.utils import ConvergenceError
try:
    BetaGeoBetaBinomFitter().fit(data["frequency"], data["recency"], data["n_periods"])
    out["error"] = None
except ConvergenceError as e:
    out["error"] = "ConvergenceError: " + str(e)
"""


def test_long_histories_where_lifetimes_does_not_converge():
    """50 to 200 opportunities per customer: lifetimes' BFGS steps to parameters where
    its objective is NaN and it raises ConvergenceError (also on 20,000 customers, after
    70 s). Ours fits them and recovers the simulated parameters."""
    truth = dict(alpha=1.2, beta=0.75, gamma=0.3, delta=8.0)
    small = bgbb_customers(200, seed=6, periods=(50, 200), **truth)
    ref = run_lifetimes(LONG_FIT_SNIPPET, data=small)
    assert ref["error"] is not None and ref["error"].startswith("ConvergenceError")
    assert np.isfinite(fit(small).params_).all()
    large = bgbb_customers(20_000, seed=6, periods=(50, 200), **truth)
    m = fit(large)
    np.testing.assert_allclose(m.params_.values, list(truth.values()), rtol=0.1)
    assert np.isfinite(m.summary.values).all()


def test_millions_of_customers_fit_as_their_summary():
    """The donors repeated 200 times (2.2 million rows) fit exactly as the 22 weighted
    cells: same parameters, 200 times the log-likelihood."""
    d = donations_frame()
    donors = d.loc[d.index.repeat(d["weights"] * 200)]
    many = BetaGeoBetaBinomFitter().fit(donors["frequency"].to_numpy(), donors["recency"].to_numpy(),
                                        donors["n_periods"].to_numpy())
    cells = fit(d)
    np.testing.assert_allclose(many.params_.values, cells.params_.values, rtol=1e-7)
    assert many.log_likelihood_ == pytest.approx(200 * cells.log_likelihood_, rel=1e-10)
