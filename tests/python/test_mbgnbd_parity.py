"""MBG/NBD against the real lifetimes 0.11.3: fits (parameters to 1e-4, a likelihood no
worse), closed-form predictions at the same parameters (1e-8 relative), and the types
that come back. One reference process per data set keeps the module fast."""

import numpy as np
import pandas as pd
import pytest

import fastlifetimes
from fastlifetimes import BetaGeoFitter, ModifiedBetaGeoFitter
from fastlifetimes.datasets import load_cdnow_summary
from lifetimes_reference import infer_string_dtypes, run_lifetimes
from synthetic import mbgnbd_customers

RTOL_PARAMS = 1e-4
RTOL_CLOSED_FORM = 1e-8
HORIZONS = np.array([0.1429, 1, 3, 31.8571, 32, 78, 500])

# Everything lifetimes computes for one data set, in one process.
REFERENCE_SNIPPET = """
from lifetimes import ModifiedBetaGeoFitter
f, r, T = data["frequency"], data["recency"], data["T"]
for label, kwargs in [("plain", {}), ("penalized", {"penalizer_coef": 0.1})]:
    m = ModifiedBetaGeoFitter(**kwargs).fit(f, r, T)
    out[label + "_params"] = m.params_
    out[label + "_nll"] = m._negative_log_likelihood_
    out[label + "_hessian"] = m._hessian_
    out[label + "_variance"] = m.variance_matrix_
    out[label + "_summary"] = m.summary
g = data.groupby(["frequency", "recency", "T"]).size().rename("weights").reset_index()
for label, kwargs in [("weighted", {}), ("weighted_penalized", {"penalizer_coef": 0.05})]:
    m = ModifiedBetaGeoFitter(**kwargs).fit(g["frequency"], g["recency"], g["T"], weights=g["weights"])
    out[label + "_params"] = m.params_
    out[label + "_nll"] = m._negative_log_likelihood_
    out[label + "_summary"] = m.summary
out["weighted_rows"] = g
# closed forms at lifetimes' own fitted parameters
m = ModifiedBetaGeoFitter().fit(f, r, T)
out["params_for_predictions"] = m.params_
for t in (1, 10, 39, 100):
    out[f"ce_{t}"] = m.conditional_expected_number_of_purchases_up_to_time(t, f, r, T)
out["predict_10"] = m.predict(10, f.values, r.values, T.values)
out["p_alive"] = m.conditional_probability_alive(f, r, T)
out["expected"] = m.expected_number_of_purchases_up_to_time(horizons)
out["pmf"] = np.array([[m.probability_of_n_purchases_up_to_time(t, n) for n in range(0, 25)] for t in (1, 30, 39, 200)])
out["p_alive_matrix"] = m.conditional_probability_alive_matrix()
out["p_alive_matrix_small"] = m.conditional_probability_alive_matrix(max_frequency=5, max_recency=8)
out["ce_scalar"] = m.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)
out["p_alive_scalar"] = m.conditional_probability_alive(2, 30.43, 38.86)
out["p_alive_no_purchase"] = m.conditional_probability_alive(0, 1, 1)
out["expected_scalar"] = m.expected_number_of_purchases_up_to_time(3)
out["pmf_scalar"] = m.probability_of_n_purchases_up_to_time(30, 2)
out["is_bgf"] = isinstance(m, lifetimes.BetaGeoFitter)
out["repr"] = repr(m)
"""


def reference(data):
    return run_lifetimes(REFERENCE_SNIPPET, data=data, horizons=HORIZONS)


@pytest.fixture(scope="module")
def cdnow():
    data = load_cdnow_summary(index_col=[0])
    return data, reference(data)


@pytest.fixture(scope="module")
def synthetic():
    data = mbgnbd_customers(100_000)
    return data, reference(data)


def assert_fit_matches(ours, theirs_params, theirs_nll):
    np.testing.assert_allclose(ours.params_.values, theirs_params.values, rtol=RTOL_PARAMS)
    # at least as good an optimum as lifetimes' (to rounding of the objective)
    assert ours._negative_log_likelihood_ <= theirs_nll + 1e-12 * abs(theirs_nll)


@pytest.mark.parametrize("dataset", ["cdnow", "synthetic"])
@pytest.mark.parametrize("penalizer", [0.0, 0.1])
def test_fit_matches_lifetimes(request, dataset, penalizer):
    data, ref = request.getfixturevalue(dataset)
    label = "plain" if penalizer == 0 else "penalized"
    m = ModifiedBetaGeoFitter(penalizer_coef=penalizer).fit(data["frequency"], data["recency"], data["T"])
    assert_fit_matches(m, ref[label + "_params"], ref[label + "_nll"])
    np.testing.assert_allclose(m._hessian_, ref[label + "_hessian"], rtol=1e-4, atol=1e-7)
    # lifetimes' variance matrix is p_j^2 (H^-1)_ij / W: right on the diagonal only
    theirs = ref[label + "_variance"].values
    np.testing.assert_allclose(np.diag(m.variance_matrix_.values), np.diag(theirs), rtol=1e-4)
    p = ref[label + "_params"].values
    np.testing.assert_allclose(m.variance_matrix_.values, theirs / (p**2)[None, :] * np.outer(p, p),
                               rtol=1e-3, atol=1e-12)
    pd.testing.assert_frame_equal(m.summary, infer_string_dtypes(ref[label + "_summary"]), rtol=1e-4,
                                  check_exact=False)


@pytest.mark.parametrize("dataset", ["cdnow", "synthetic"])
@pytest.mark.parametrize("label, penalizer", [("weighted", 0.0), ("weighted_penalized", 0.05)])
def test_weighted_fit_matches_lifetimes_and_the_uncompressed_fit(request, dataset, label, penalizer):
    data, ref = request.getfixturevalue(dataset)
    rows = ref["weighted_rows"]
    weighted = ModifiedBetaGeoFitter(penalizer).fit(rows["frequency"], rows["recency"], rows["T"],
                                                    weights=rows["weights"])
    assert_fit_matches(weighted, ref[label + "_params"], ref[label + "_nll"])
    pd.testing.assert_frame_equal(weighted.summary, infer_string_dtypes(ref[label + "_summary"]), rtol=1e-4,
                                  check_exact=False)
    plain = ModifiedBetaGeoFitter(penalizer).fit(data["frequency"], data["recency"], data["T"])
    np.testing.assert_allclose(weighted.params_.values, plain.params_.values, rtol=1e-9)
    assert weighted.data["weights"].sum() == len(data)


def with_reference_params(ref):
    m = ModifiedBetaGeoFitter()
    m.params_ = ref["params_for_predictions"]
    return m


@pytest.mark.parametrize("dataset", ["cdnow", "synthetic"])
def test_closed_forms_match_lifetimes(request, dataset):
    data, ref = request.getfixturevalue(dataset)
    m = with_reference_params(ref)
    f, r, T = data["frequency"], data["recency"], data["T"]
    for t in (1, 10, 39, 100):
        ours = m.conditional_expected_number_of_purchases_up_to_time(t, f, r, T)
        assert isinstance(ours, pd.Series) and ours.index.equals(data.index)
        np.testing.assert_allclose(ours.values, ref[f"ce_{t}"].values, rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(m.predict(10, f.values, r.values, T.values), ref["predict_10"], rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(m.conditional_probability_alive(f, r, T), ref["p_alive"], rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(m.expected_number_of_purchases_up_to_time(HORIZONS), ref["expected"],
                               rtol=RTOL_CLOSED_FORM)
    pmf = np.array([[m.probability_of_n_purchases_up_to_time(t, n) for n in range(0, 25)] for t in (1, 30, 39, 200)])
    # lifetimes subtracts a partial sum from 1 and loses relative precision on tiny values
    np.testing.assert_allclose(pmf, ref["pmf"], rtol=RTOL_CLOSED_FORM, atol=1e-14)


def test_probability_alive_matrix_matches_lifetimes(cdnow):
    data, ref = cdnow
    m = ModifiedBetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    m.params_ = ref["params_for_predictions"]
    np.testing.assert_allclose(m.conditional_probability_alive_matrix(), ref["p_alive_matrix"], rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(m.conditional_probability_alive_matrix(max_frequency=5, max_recency=8),
                               ref["p_alive_matrix_small"], rtol=RTOL_CLOSED_FORM)


def test_types_follow_lifetimes(cdnow):
    data, ref = cdnow
    m = with_reference_params(ref)
    ce = m.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)
    assert type(ce) is np.float64 and type(ref["ce_scalar"]) in (float, np.float64)
    assert ce == pytest.approx(ref["ce_scalar"], rel=RTOL_CLOSED_FORM)
    alive = m.conditional_probability_alive(2, 30.43, 38.86)
    assert isinstance(alive, np.ndarray) and alive.shape == (1,) == np.shape(ref["p_alive_scalar"])
    np.testing.assert_allclose(alive, ref["p_alive_scalar"], rtol=RTOL_CLOSED_FORM)
    # unlike BG/NBD, a customer without repeat purchases may be gone: b/(a+b) here
    no_purchase = m.conditional_probability_alive(0, 1, 1)
    np.testing.assert_allclose(no_purchase, ref["p_alive_no_purchase"], rtol=RTOL_CLOSED_FORM)
    assert no_purchase[0] < 1
    assert type(m.expected_number_of_purchases_up_to_time(3)) is np.float64
    assert m.expected_number_of_purchases_up_to_time(3) == pytest.approx(ref["expected_scalar"], rel=RTOL_CLOSED_FORM)
    assert type(m.probability_of_n_purchases_up_to_time(30, 2)) is np.float64
    assert m.probability_of_n_purchases_up_to_time(30, 2) == pytest.approx(ref["pmf_scalar"], rel=RTOL_CLOSED_FORM)
    assert isinstance(m.conditional_probability_alive(data["frequency"], data["recency"], data["T"]), np.ndarray)
    arrays = m.predict(10, data["frequency"].values, data["recency"].values, data["T"].values)
    assert isinstance(arrays, np.ndarray) and arrays.shape == (len(data),)


def test_fitted_attributes_have_lifetimes_shapes(cdnow):
    data, ref = cdnow
    m = fastlifetimes.ModifiedBetaGeoFitter().fit(data["frequency"], data["recency"], data["T"], index=data.index)
    assert isinstance(m, BetaGeoFitter) and ref["is_bgf"]  # a BetaGeoFitter in both
    assert list(m.params_.index) == ["r", "alpha", "a", "b"]
    assert list(m.data.columns) == ["frequency", "recency", "T", "weights"]
    assert m.data.index.equals(data.index)
    assert m.data["frequency"].dtype == np.int64 and m.data["weights"].dtype == np.int64
    assert list(m.confidence_intervals_.columns) == ["lower 95% bound", "upper 95% bound"]
    assert m.predict == m.conditional_expected_number_of_purchases_up_to_time
    assert repr(m) == ref["repr"].replace("<lifetimes.", "<fastlifetimes.")
    from fastlifetimes.fitters.modified_beta_geo_fitter import ModifiedBetaGeoFitter as Same
    assert Same is fastlifetimes.ModifiedBetaGeoFitter


def test_log_likelihood_in_the_papers_units(cdnow):
    """MBG/NBD on the 2-decimal CDNOW summary in weeks: LL -9582.1327 (independent MLE,
    REFERENCE_VALUES.md section 3), a little above BG/NBD's -9582.4256."""
    data, _ = cdnow
    m = ModifiedBetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    assert m.log_likelihood_ == pytest.approx(-9582.132685, abs=1e-5)
    own = fastlifetimes._core.mbgnbd_log_likelihood(m.params_.values, data["frequency"].values,
                                                    data["recency"].values, data["T"].values).sum()
    assert m.log_likelihood_ == pytest.approx(own, rel=1e-12)
    # BTYDplus' estimates, as lifetimes' own test asserts them (3 decimals)
    np.testing.assert_allclose(m.params_.values, [0.525, 6.183, 0.891, 1.614], atol=1e-3)


HIGH_FREQUENCY_SNIPPET = """
from lifetimes import ModifiedBetaGeoFitter
m = ModifiedBetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
out["params"] = m.params_
out["nll"] = m._negative_log_likelihood_
out["p_alive"] = m.conditional_probability_alive(data["frequency"], data["recency"], data["T"])
out["ce"] = m.conditional_expected_number_of_purchases_up_to_time(10, data["frequency"], data["recency"], data["T"])
"""


def test_frequencies_up_to_a_thousand_match_lifetimes():
    data = mbgnbd_customers(20_000, seed=5, r=2.0, alpha=0.4, a=0.9, b=20.0)
    assert data["frequency"].max() > 1000
    ref = run_lifetimes(HIGH_FREQUENCY_SNIPPET, data=data)
    m = ModifiedBetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    assert_fit_matches(m, ref["params"], ref["nll"])
    m.params_ = ref["params"]
    np.testing.assert_allclose(m.conditional_probability_alive(data["frequency"], data["recency"], data["T"]),
                               ref["p_alive"], rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(m.predict(10, data["frequency"], data["recency"], data["T"]), ref["ce"],
                               rtol=RTOL_CLOSED_FORM)


def test_cdnow_scaled_to_millions_of_customers():
    """CDNOW repeated 1,000 times (2,357,000 customers) fits as CDNOW itself."""
    data = load_cdnow_summary(index_col=[0])
    many = {c: np.tile(data[c].to_numpy(), 1000) for c in ("frequency", "recency", "T")}
    big = ModifiedBetaGeoFitter().fit(many["frequency"], many["recency"], many["T"])
    small = ModifiedBetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    np.testing.assert_allclose(big.params_.values, small.params_.values, rtol=1e-7)
    assert big.log_likelihood_ == pytest.approx(1000 * small.log_likelihood_, rel=1e-10)
    assert np.isfinite(big.summary.values).all()
