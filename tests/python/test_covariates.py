"""Pareto/NBD with static covariates: CLVTools' apparel setup (REFERENCE_VALUES.md §9),
an independent scipy implementation, recovery of known coefficients, files and checks."""

import pickle

import numpy as np
import pandas as pd
import pytest

import covariates_reference as ref
from fastlifetimes import BetaGeoCovariatesFitter, BetaGeoFitter, ParetoNBDCovariatesFitter, ParetoNBDFitter
from shared_data import shared_data_path


@pytest.fixture(scope="module")
def apparel():
    """CLVTools' apparel data in weeks, estimation split 104 weeks, same-day merged."""
    tr = pd.read_csv(shared_data_path("clvtools", "apparelTrans.csv"), parse_dates=["Date"])
    cov = pd.read_csv(shared_data_path("clvtools", "apparelStaticCov.csv")).set_index("Id")
    tr = tr.drop_duplicates(["Id", "Date"])
    first = tr.groupby("Id").Date.min()
    end = first.min() + pd.Timedelta(weeks=104)
    dates = tr[tr.Date <= end].groupby("Id").Date
    x = (dates.nunique() - 1).astype(float)
    t_x = (dates.max() - first) / pd.Timedelta(weeks=1)
    T = (end - first) / pd.Timedelta(weeks=1)
    return x, t_x, T, cov.loc[x.index, ["Gender", "Channel"]]


def test_apparel_without_covariates_reproduces_clvtools(apparel):
    x, t_x, T, _ = apparel
    assert x.size == 600 and x.sum() == 1266
    f = ParetoNBDFitter().fit(x, t_x, T)
    assert f.log_likelihood_ == pytest.approx(-5848.0978, abs=1e-3)  # CLVTools vignette
    np.testing.assert_allclose(f.params_, [1.4489768, 48.6360845, 0.5612598, 46.8843633], rtol=2e-3)


def test_apparel_static_covariates_match_scipy(apparel):
    x, t_x, T, cov = apparel
    f = ParetoNBDCovariatesFitter().fit(x, t_x, T, purchase_covariates=cov, dropout_covariates=cov)
    assert list(f.params_.index) == ["r", "alpha", "s", "beta", "trans.Gender", "trans.Channel",
                                     "life.Gender", "life.Channel"]
    z = cov.to_numpy(float)
    start = np.r_[np.log([1.45, 48.6, 0.56, 46.9]), np.zeros(4)]
    theta, ll = ref.fit(x.to_numpy(), t_x.to_numpy(), T.to_numpy(), z, z, start)
    assert f.log_likelihood_ == pytest.approx(ll, abs=1e-6)
    assert f.log_likelihood_ == pytest.approx(-5821.0627, abs=1e-3)
    np.testing.assert_allclose(f.params_, np.r_[np.exp(theta[:4]), theta[4:]], rtol=1e-4, atol=1e-5)
    # coefficients better than the plain model by 27 log-likelihood units
    se = f.standard_errors_
    assert (se > 0).all() and se["trans.Channel"] == pytest.approx(0.1049, abs=2e-3)
    assert f.summary.shape == (8, 4)


def test_apparel_regularised_matches_scipy(apparel):
    x, t_x, T, cov = apparel
    f = ParetoNBDCovariatesFitter(penalizer_coef=(0.01, 0.05)).fit(
        x, t_x, T, purchase_covariates=cov[["Gender"]], dropout_covariates=cov)
    z_t, z_l = cov[["Gender"]].to_numpy(float), cov.to_numpy(float)
    start = np.r_[np.log([1.45, 48.6, 0.56, 46.9]), np.zeros(3)]
    theta, _ = ref.fit(x.to_numpy(), t_x.to_numpy(), T.to_numpy(), z_t, z_l, start, 0.01, 0.05)
    np.testing.assert_allclose(f.params_, np.r_[np.exp(theta[:4]), theta[4:]], rtol=1e-4, atol=1e-5)
    unpenalised = ParetoNBDCovariatesFitter().fit(x, t_x, T, cov[["Gender"]], cov)
    assert np.abs(f.params_.iloc[4:]).sum() < np.abs(unpenalised.params_.iloc[4:]).sum()


def test_zero_covariates_equal_plain_model(apparel):
    x, t_x, T, _ = apparel
    zeros = pd.DataFrame({"z": np.zeros(x.size)}, index=x.index)
    f = ParetoNBDCovariatesFitter().fit(x, t_x, T, zeros, zeros)
    plain = ParetoNBDFitter().fit(x, t_x, T)
    np.testing.assert_allclose(f.params_.iloc[:4], plain.params_, rtol=1e-4)
    assert f.log_likelihood_ == pytest.approx(plain.log_likelihood_, abs=1e-6)
    np.testing.assert_allclose(f.conditional_probability_alive(x, t_x, T, zeros, zeros),
                               plain.conditional_probability_alive(x, t_x, T), rtol=1e-4)


def _simulate(n, gamma_t, gamma_l, seed):
    rng = np.random.default_rng(seed)
    z_t = np.c_[rng.integers(0, 2, n), rng.normal(size=n)]
    z_l = rng.integers(0, 2, (n, 1)).astype(float)
    r, alpha, s, beta = 0.8, 5.0, 0.7, 10.0
    lam = rng.gamma(r, 1.0 / (alpha * np.exp(-z_t @ gamma_t)))
    mu = rng.gamma(s, 1.0 / (beta * np.exp(-z_l @ gamma_l)))
    T = np.full(n, 40.0)
    life = np.minimum(rng.exponential(1.0 / mu), T)
    counts = rng.poisson(lam * life)
    t_x = np.where(counts > 0, life * rng.beta(np.maximum(counts, 1), 1), 0.0)
    return counts.astype(float), t_x, T, z_t, z_l


def test_simulated_coefficients_recovered():
    gamma_t, gamma_l = np.array([0.6, -0.4]), np.array([0.8])
    x, t_x, T, z_t, z_l = _simulate(20000, gamma_t, gamma_l, 3)
    f = ParetoNBDCovariatesFitter().fit(x, t_x, T, z_t, z_l)
    est = f.params_.to_numpy()
    se = f.standard_errors_.to_numpy()
    truth = np.r_[0.8, 5.0, 0.7, 10.0, gamma_t, gamma_l]
    assert (np.abs(est - truth) < 4 * se).all(), (est, se)


def test_files_pickle_and_predictions(apparel, tmp_path):
    x, t_x, T, cov = apparel
    f = ParetoNBDCovariatesFitter().fit(x, t_x, T, cov, cov)
    path = tmp_path / "m.json"
    f.save_model(path)
    g = ParetoNBDCovariatesFitter().load_model(path)
    pd.testing.assert_series_equal(g.params_, f.params_)
    pd.testing.assert_frame_equal(g.summary, f.summary)
    h = pickle.loads(pickle.dumps(f))
    alive = f.conditional_probability_alive(x, t_x, T, cov, cov)
    pd.testing.assert_series_equal(h.conditional_probability_alive(x, t_x, T, cov, cov), alive)
    # one customer by hand: the plain model at (r, alpha_i, s, beta_i)
    p = f.params_
    i = 3
    zi = cov.iloc[i].to_numpy(float)
    plain = ParetoNBDFitter()
    plain.params_ = pd.Series([p["r"], p["alpha"] * np.exp(-zi @ p.iloc[4:6].to_numpy()), p["s"],
                               p["beta"] * np.exp(-zi @ p.iloc[6:8].to_numpy())],
                              index=["r", "alpha", "s", "beta"])
    assert alive.iloc[i] == pytest.approx(plain.conditional_probability_alive(x.iloc[i], t_x.iloc[i], T.iloc[i]))
    expected = f.predict(10.0, x, t_x, T, cov, cov)
    assert expected.iloc[i] == pytest.approx(plain.predict(10.0, x.iloc[i], t_x.iloc[i], T.iloc[i]))


def test_input_checks(apparel):
    x, t_x, T, cov = apparel
    f = ParetoNBDCovariatesFitter()
    bad = cov.astype(float).copy()
    bad.iloc[4, 0] = np.nan
    with pytest.raises(ValueError, match="purchase_covariates"):
        f.fit(x, t_x, T, bad, cov)
    with pytest.raises(ValueError, match="dropout_covariates"):
        f.fit(x, t_x, T, cov, cov.iloc[:10])
    with pytest.raises(ValueError, match="penalizer_coef"):
        ParetoNBDCovariatesFitter(penalizer_coef=-1).fit(x, t_x, T, cov, cov)
    with pytest.raises(ValueError, match="recency"):
        f.fit(x, T + 1, T, cov, cov)
    with pytest.raises(ValueError, match="not been fit"):
        f.conditional_probability_alive(x, t_x, T, cov, cov)
    f.fit(x, t_x, T, cov, cov)
    with pytest.raises(ValueError, match="missing columns"):
        f.conditional_probability_alive(x, t_x, T, cov[["Gender"]], cov)
    with pytest.raises(ValueError, match="give them"):
        f.conditional_probability_alive(x, t_x, T)


# -- BG/NBD with static covariates (CLVTools' bgnbd(): a and b both scaled by exp(gamma_life . z))

def test_bgnbd_apparel_matches_scipy(apparel):
    # with Channel on the dropout process too, a and b run off to infinity on this data
    # (the likelihood keeps rising towards a degenerate limit); Gender alone is identified
    x, t_x, T, cov = apparel
    f = BetaGeoCovariatesFitter().fit(x, t_x, T, cov, cov[["Gender"]])
    assert list(f.params_.index) == ["r", "alpha", "a", "b", "trans.Gender", "trans.Channel", "life.Gender"]
    start = np.r_[np.log(BetaGeoFitter().fit(x, t_x, T).params_.to_numpy()), np.zeros(3)]
    theta, ll = ref.bgnbd_fit(x.to_numpy(), t_x.to_numpy(), T.to_numpy(), cov.to_numpy(float),
                              cov[["Gender"]].to_numpy(float), start)
    assert f.log_likelihood_ == pytest.approx(ll, abs=1e-6)
    assert f.log_likelihood_ == pytest.approx(-5840.9912, abs=1e-3)
    np.testing.assert_allclose(f.params_, np.r_[np.exp(theta[:4]), theta[4:]], rtol=1e-3, atol=1e-4)
    # regularised: CLVTools' reg.lambdas scaling
    g = BetaGeoCovariatesFitter(penalizer_coef=(0.01, 0.05)).fit(x, t_x, T, cov, cov[["Gender"]])
    theta, _ = ref.bgnbd_fit(x.to_numpy(), t_x.to_numpy(), T.to_numpy(), cov.to_numpy(float),
                             cov[["Gender"]].to_numpy(float), start, 0.01, 0.05)
    np.testing.assert_allclose(g.params_, np.r_[np.exp(theta[:4]), theta[4:]], rtol=1e-4, atol=1e-5)


def test_bgnbd_zero_covariates_and_predictions(apparel, tmp_path):
    x, t_x, T, cov = apparel
    zeros = pd.DataFrame({"z": np.zeros(x.size)}, index=x.index)
    f = BetaGeoCovariatesFitter().fit(x, t_x, T, zeros, zeros)
    plain = BetaGeoFitter().fit(x, t_x, T)
    np.testing.assert_allclose(f.params_.iloc[:4], plain.params_, rtol=1e-4)
    f = BetaGeoCovariatesFitter().fit(x, t_x, T, cov, cov[["Gender"]])
    p = f.params_
    i = 1
    zi = cov.iloc[i].to_numpy(float)
    up = np.exp(cov["Gender"].iloc[i] * p["life.Gender"])
    one = BetaGeoFitter()
    one.params_ = pd.Series([p["r"], p["alpha"] * np.exp(-zi @ p.iloc[4:6].to_numpy()), p["a"] * up, p["b"] * up],
                            index=["r", "alpha", "a", "b"])
    alive = f.conditional_probability_alive(x, t_x, T, cov, cov[["Gender"]])
    assert alive.iloc[i] == pytest.approx(one.conditional_probability_alive(x.iloc[i], t_x.iloc[i], T.iloc[i]))
    expected = f.predict(10.0, x, t_x, T, cov, cov[["Gender"]])
    assert expected.iloc[i] == pytest.approx(one.predict(10.0, x.iloc[i], t_x.iloc[i], T.iloc[i]))
    path = tmp_path / "bg.json"
    f.save_model(path)
    pd.testing.assert_series_equal(BetaGeoCovariatesFitter().load_model(path).params_, f.params_)
    with pytest.raises(ValueError, match="ParetoNBDCovariatesFitter"):
        ParetoNBDCovariatesFitter().load_model(path)
    pd.testing.assert_series_equal(pickle.loads(pickle.dumps(f)).params_, f.params_)


def test_bgnbd_simulated_coefficients_recovered():
    rng = np.random.default_rng(11)
    n = 20000
    z_t = rng.integers(0, 2, (n, 1)).astype(float)
    z_l = rng.integers(0, 2, (n, 1)).astype(float)
    r, alpha, a, b, g_t, g_l = 0.8, 5.0, 0.8, 2.5, 0.7, 0.5
    lam = rng.gamma(r, 1.0 / (alpha * np.exp(-g_t * z_t[:, 0])))
    p = rng.beta(a * np.exp(g_l * z_l[:, 0]), b * np.exp(g_l * z_l[:, 0]))
    T = np.full(n, 40.0)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):  # purchases at Poisson times; after each, drop out with probability p
        t = 0.0
        while True:
            t += rng.exponential(1.0 / lam[i])
            if t > T[i]:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < p[i]:
                break
    f = BetaGeoCovariatesFitter().fit(x, t_x, T, z_t, z_l)
    truth = np.r_[r, alpha, a, b, g_t, g_l]
    assert (np.abs(f.params_.to_numpy() - truth) < 4 * f.standard_errors_.to_numpy()).all(), f.summary


def test_weights_and_initial_params(apparel):
    x, t_x, T, cov = apparel
    # weight 2 on every row is the same data set twice
    f = ParetoNBDCovariatesFitter().fit(x, t_x, T, cov, cov, weights=np.full(x.size, 2.0))
    twice = ParetoNBDCovariatesFitter().fit(pd.concat([x, x]), pd.concat([t_x, t_x]), pd.concat([T, T]),
                                            pd.concat([cov, cov]), pd.concat([cov, cov]))
    np.testing.assert_allclose(f.params_, twice.params_, rtol=1e-5, atol=1e-6)
    assert f.log_likelihood_ == pytest.approx(twice.log_likelihood_, rel=1e-9)
    g = ParetoNBDCovariatesFitter().fit(x, t_x, T, cov, cov, initial_params=twice.params_.to_numpy())
    np.testing.assert_allclose(g.params_, twice.params_, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="initial_params"):
        ParetoNBDCovariatesFitter().fit(x, t_x, T, cov, cov, initial_params=[1.0, 2.0])
