"""GGompertz/NBD on the CDNOW sample (REFERENCE_VALUES.md section 8): the log-likelihood
at Bemmaor & Glady's (2012) Table 2 and CLVTools' estimates, the b -> 0 limit against our
Pareto/NBD, the fit reaching the boundary with a BoundaryWarning; API, files, checks."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from fastlifetimes import GGompertzNBDFitter, ParetoNBDFitter
from fastlifetimes.datasets import load_cdnow_summary
from fastlifetimes.fitters.ggompertz_nbd_fitter import BoundaryWarning
from shared_data import shared_data_path


@pytest.fixture(scope="module")
def cbs():
    """The full-precision CDNOW calibration summary (GPL-3 BTYD data, read in place)."""
    d = pd.read_csv(shared_data_path("btyd_r", "cdnowSummary_cbs.csv"))
    return d["x"].to_numpy(float), d["t.x"].to_numpy(float), d["T.cal"].to_numpy(float)


@pytest.fixture(scope="module")
def fitted(cbs):
    with pytest.warns(BoundaryWarning, match="ParetoNBDFitter"):
        return GGompertzNBDFitter().fit(*cbs)


def with_params(values):
    g = GGompertzNBDFitter()
    g.params_ = pd.Series(values, index=list(GGompertzNBDFitter._param_names))
    return g


def test_ll_at_published_params(cbs):
    # Table 2 (rounded as printed): -9594.98; rounding b and beta moves it to -9595.771
    table2 = with_params([0.553, 10.578, 0.0002, 0.603, 0.0026]).log_likelihood(*cbs).sum()
    assert table2 == pytest.approx(-9594.98, abs=1.0)
    assert table2 == pytest.approx(-9595.771, abs=1e-3)
    # CLVTools' estimate (rounded): -9594.9762 published, -9594.984 at the rounded values
    clv = with_params([0.55313, 10.5758, 0.0000011, 0.60682, 0.000013]).log_likelihood(*cbs).sum()
    assert clv == pytest.approx(-9594.9762, abs=0.01)


def test_pareto_nbd_limit(cbs):
    pnbd = ParetoNBDFitter()
    pnbd.params_ = pd.Series([0.55327708, 10.57768487, 0.60623993, 11.66873451], index=["r", "alpha", "s", "beta"])
    b = 1e-9
    g = with_params([0.55327708, 10.57768487, b, 0.60623993, 11.66873451 * b])
    x, t_x, T = cbs
    ll = g.log_likelihood(x, t_x, T)
    assert ll.sum() == pytest.approx(-9594.976179, abs=1e-4)
    np.testing.assert_allclose(g.conditional_probability_alive(x, t_x, T),
                               pnbd.conditional_probability_alive(x, t_x, T), rtol=1e-6)
    np.testing.assert_allclose(g.conditional_expected_number_of_purchases_up_to_time(39, x[:50], t_x[:50], T[:50]),
                               pnbd.conditional_expected_number_of_purchases_up_to_time(39, x[:50], t_x[:50], T[:50]),
                               rtol=1e-6)
    np.testing.assert_allclose(g.expected_number_of_purchases_up_to_time([1, 10, 52]),
                               pnbd.expected_number_of_purchases_up_to_time([1, 10, 52]), rtol=1e-6)


def test_fit_reaches_the_boundary(fitted):
    # CLVTools reaches -9594.9762; the Pareto/NBD MLE is -9594.976179
    assert fitted.log_likelihood_ >= -9594.9765
    assert fitted.at_boundary_
    p = fitted.params_
    assert p["r"] == pytest.approx(0.553, rel=5e-3)
    assert p["alpha"] == pytest.approx(10.578, rel=5e-3)
    assert p["s"] == pytest.approx(0.606, rel=5e-3)
    assert p["beta"] / p["b"] == pytest.approx(11.67, rel=2e-2)


def test_fit_away_from_the_boundary_has_no_warning():
    # customers whose dropout hazard grows with age: simulated Gompertz lifetimes
    rng = np.random.default_rng(7)
    n = 3000
    r, alpha, b, s, beta = 0.8, 5.0, 0.1, 1.0, 10.0
    lam = rng.gamma(r, 1 / alpha, n)
    eta = rng.gamma(s, 1 / beta, n)
    tau = np.log1p(rng.exponential(1.0, n) / eta) / b  # Gompertz: eta (e^{b tau} - 1) ~ Exp(1)
    T = rng.uniform(20, 40, n)
    end = np.minimum(tau, T)
    x = rng.poisson(lam * end)
    t_x = np.array([rng.uniform(0, e, k).max() if k else 0.0 for k, e in zip(x, end)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = GGompertzNBDFitter().fit(x, t_x, T)
    assert not g.at_boundary_
    assert g.params_["b"] == pytest.approx(b, rel=0.5)
    assert (g.standard_errors_ > 0).all()
    assert list(g.summary.index) == ["r", "alpha", "b", "s", "beta"]


def test_predictions_shapes_and_checks():
    g = with_params([0.5, 8.0, 0.05, 0.7, 2.0])
    summary = load_cdnow_summary()
    p_alive = g.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
    assert isinstance(p_alive, pd.Series) and ((p_alive >= 0) & (p_alive <= 1)).all()
    assert isinstance(g.conditional_probability_alive(2, 10.0, 20.0), float)
    assert g.conditional_expected_number_of_purchases_up_to_time(0, 2, 10.0, 20.0) == 0.0
    assert g.conditional_expected_number_of_purchases_up_to_time(10, 0, 0, 0) == pytest.approx(
        g.expected_number_of_purchases_up_to_time(10))
    with pytest.raises(ValueError, match="recency"):
        g.conditional_probability_alive([1, 2], [3.0, 5.0], [4.0, 4.0])
    with pytest.raises(ValueError, match="t: negative"):
        g.conditional_expected_number_of_purchases_up_to_time(-1, 1, 1.0, 2.0)
    with pytest.raises(ValueError, match="frequency"):
        GGompertzNBDFitter().fit([1, -1], [1.0, 0.0], [2.0, 2.0])
    with pytest.raises(ValueError, match="penalizer_coef"):
        GGompertzNBDFitter(penalizer_coef=-1).fit([1], [1.0], [2.0])


def test_model_file_and_pickle(fitted, tmp_path):
    path = tmp_path / "gg.json"
    fitted.save_model(path)
    loaded = GGompertzNBDFitter().load_model(path)
    pd.testing.assert_series_equal(loaded.params_, fitted.params_)
    assert loaded.log_likelihood_ == fitted.log_likelihood_
    assert loaded.at_boundary_
    clone = pickle.loads(pickle.dumps(fitted))
    pd.testing.assert_series_equal(clone.params_, fitted.params_)
    assert clone.conditional_probability_alive(2, 30.43, 38.86) == pytest.approx(
        fitted.conditional_probability_alive(2, 30.43, 38.86))
