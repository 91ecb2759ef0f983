"""Predictions beyond lifetimes': P(alive) at a future time, discounted expected residual
transactions (DERT), new-customer expectations and parameter-uncertainty intervals.

Correctness: CLVTools' apparel values (REFERENCE_VALUES.md section 9), DERT against
numerical integration of the conditional expectations, future P(alive) against Monte
Carlo with our simulators (tolerances from the Monte Carlo error), identities at t = 0;
then input checks, and the intervals' seed reproducibility and calibration."""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

import fastlifetimes as fl
from fastlifetimes import generate_data as gd
from fastlifetimes.uncertainty import parameter_draws, prediction_interval
from shared_data import shared_data_path


def model(cls, **params):
    m = cls()
    m.params_ = pd.Series(params)[list(cls._param_names)]
    return m


# --- CLVTools apparel (vignette v0.11.2; REFERENCE_VALUES.md 9) ------------------------
APPAREL = dict(r=1.4489768, alpha=48.6360845, s=0.5612598, beta=46.8843633)
# Id: (x, t_x in weeks, PAlive, CET over 207.1429 weeks, DERT at delta = ln 1.1)
APPAREL_ROWS = {
    1: (6, 653 / 7, 0.9468478, 7.3256573, 0.46765602),
    10: (2, 697 / 7, 0.9825606, 3.5198114, 0.22469806),
    100: (0, 0.0, 0.2784686, 0.4190901, 0.02675392),
    101: (1, 32.0, 0.4739762, 1.2056215, 0.07696458),
    102: (0, 0.0, 0.2784686, 0.4190901, 0.02675392),
}


def check_apparel(x, t_x, ids):
    m = model(fl.ParetoNBDFitter, **APPAREL)
    T = np.full(len(ids), 104.0)
    expected = np.array([APPAREL_ROWS[i][2:] for i in ids])
    np.testing.assert_allclose(m.conditional_probability_alive(x, t_x, T), expected[:, 0], rtol=2e-7)
    np.testing.assert_allclose(m.conditional_expected_number_of_purchases_up_to_time(1450 / 7, x, t_x, T),
                               expected[:, 1], rtol=2e-7)
    dert = m.discounted_expected_residual_transactions(x, t_x, T, np.log(1.1))
    np.testing.assert_allclose(dert, expected[:, 2], rtol=2e-7)


def test_pareto_nbd_dert_reproduces_clvtools_apparel_table():
    ids = list(APPAREL_ROWS)
    x = np.array([APPAREL_ROWS[i][0] for i in ids], dtype=float)
    t_x = np.array([APPAREL_ROWS[i][1] for i in ids])
    check_apparel(x, t_x, ids)


def test_pareto_nbd_dert_on_clvtools_apparel_transactions():
    log = pd.read_csv(shared_data_path("clvtools", "apparelTrans.csv"))
    log = log[log["Date"] <= "2006-12-31"]
    summary = fl.utils.summary_data_from_transaction_data(log, "Id", "Date",
                                                          observation_period_end="2006-12-31")
    ids = list(APPAREL_ROWS)
    rows = summary.loc[ids]
    np.testing.assert_array_equal(rows["T"].to_numpy(), 728.0)
    check_apparel(rows["frequency"].to_numpy(dtype=float), rows["recency"].to_numpy() / 7, ids)


# --- DERT against integration of the conditional expectation ---------------------------
CONTINUOUS = [
    (fl.BetaGeoFitter, dict(r=0.243, alpha=4.414, a=0.793, b=2.426)),
    (fl.ModifiedBetaGeoFitter, dict(r=0.525, alpha=6.183, a=0.891, b=1.614)),
    (fl.ParetoNBDFitter, dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)),
]
HISTORIES = dict(frequency=np.array([0.0, 1, 2, 7, 40]), recency=np.array([0.0, 3.5, 30.4, 35.0, 38.9]),
                 T=np.array([38.9, 20.0, 38.9, 38.9, 38.9]))


@pytest.mark.parametrize("cls,params", CONTINUOUS)
@pytest.mark.parametrize("delta", [0.002, 0.05, 1.0])
def test_dert_is_discounted_integral_of_expected_purchases(cls, params, delta):
    """DERT = int e^(-delta tau) dE[X(T, T+tau]] = delta int e^(-delta tau) E[X(T, T+tau]] dtau."""
    m = model(cls, **params)
    dert = m.discounted_expected_residual_transactions(**HISTORIES, discount_rate=delta)
    for i in range(dert.size):
        h = {k: v[i] for k, v in HISTORIES.items()}

        def integrand(u, h=h):  # tau = u / delta, so the weight is e^-u
            return np.exp(-u) * m.conditional_expected_number_of_purchases_up_to_time(u / delta, **h)

        value = integrate.quad(integrand, 0, np.inf, epsabs=0, epsrel=1e-11, limit=400)[0]
        assert dert[i] == pytest.approx(value, rel=1e-9)


@pytest.mark.parametrize("d", [0.01, 0.1, 1.0])
def test_bgbb_dert_is_the_discounted_sum_over_future_opportunities(d):
    m = model(fl.BetaGeoBetaBinomFitter, alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    x, t_x, n = np.array([0, 3, 6, 2, 1]), np.array([0, 5, 6, 3, 1]), np.array([6, 6, 6, 6, 30])
    dert = m.discounted_expected_residual_transactions(x, t_x, n, d)
    K = int(60 / np.log1p(d))  # (1+d)^-K below e^-60
    cumulative = np.array([m.conditional_expected_number_of_purchases_up_to_time(k, x, t_x, n)
                           for k in range(K + 1)])
    truncated = (np.diff(cumulative, axis=0) / (1 + d) ** np.arange(1, K + 1)[:, None]).sum(axis=0)
    np.testing.assert_allclose(dert, truncated, rtol=1e-10)
    # the paper's closed form, with 2F1 by its series
    from scipy.special import betaln, hyp2f1
    a, b, g, dl = 1.204, 0.750, 0.657, 2.783
    alive = m.conditional_probability_alive(0, x, t_x, n)
    paper = (np.exp(betaln(a + x + 1, b + n - x) - betaln(a + x, b + n - x)
                    + betaln(g, dl + n + 1) - betaln(g, dl + n))
             / (1 + d) * hyp2f1(1, dl + n + 1, g + dl + n + 1, 1 / (1 + d)) * alive)
    np.testing.assert_allclose(dert, paper, rtol=1e-9)


# --- P(alive) at a future time ---------------------------------------------------------
SIMULATED = [
    (fl.BetaGeoFitter, gd.beta_geometric_nbd_model, dict(r=0.5, alpha=50.0, a=0.8, b=2.5)),
    (fl.ModifiedBetaGeoFitter, gd.modified_beta_geometric_nbd_model, dict(r=0.5, alpha=50.0, a=0.8, b=2.5)),
    (fl.ParetoNBDFitter, gd.pareto_nbd_model, dict(r=0.5, alpha=50.0, s=0.8, beta=100.0)),
]


@pytest.mark.parametrize("cls,simulate,params", SIMULATED)
def test_probability_alive_in_future_matches_monte_carlo(cls, simulate, params):
    """Customers simulated to T and, with the same seed (same customers, same purchase
    streams), to T + t: the mean predicted P(alive at T+t | history at T) over any group
    defined by the history equals the share alive at T + t. Rates are small against the
    time unit, so that the simulator's whole-unit frequencies are the purchase counts."""
    T, t, n = 200.0, 150.0, 100_000
    now = simulate(T, size=n, seed=7, **params)
    later = simulate(T + t, size=n, seed=7, **params)
    assert np.array_equal(now["lambda"].to_numpy(), later["lambda"].to_numpy())
    m = model(cls, **params)
    hist = (now["frequency"].to_numpy(), now["recency"].to_numpy(), now["T"].to_numpy())
    predicted = m.conditional_probability_alive_in_future(t, *hist)
    alive = later["alive"].to_numpy()
    for group in (np.ones(n, bool), hist[0] == 0, (hist[0] >= 1) & (hist[0] <= 3), hist[0] > 3):
        share = alive[group].mean()
        se = np.sqrt(share * (1 - share) / group.sum())
        assert abs(predicted[group].mean() - share) < 4 * se


@pytest.mark.parametrize("cls,params", CONTINUOUS)
def test_probability_alive_in_future_at_zero_and_monotone(cls, params):
    m = model(cls, **params)
    now = m.conditional_probability_alive(**HISTORIES)
    np.testing.assert_array_equal(m.conditional_probability_alive_in_future(0.0, **HISTORIES), now)
    previous = now
    for t in (1.0, 10.0, 100.0, 1e4):
        later = m.conditional_probability_alive_in_future(t, **HISTORIES)
        assert (later <= previous).all() and (later > 0).all()
        previous = later


def test_pareto_nbd_probability_alive_in_future_closed_form():
    m = model(fl.ParetoNBDFitter, **APPAREL)
    now = m.conditional_probability_alive(3, 50.0, 104.0)
    later = m.conditional_probability_alive_in_future(52.0, 3, 50.0, 104.0)
    assert later == pytest.approx(now * ((46.8843633 + 104) / (46.8843633 + 156)) ** 0.5612598, rel=1e-14)


def test_bgbb_probability_alive_in_future_is_lifetimes_conditional_probability_alive():
    m = model(fl.BetaGeoBetaBinomFitter, alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    args = (np.array([0, 1, 5]), np.array([0, 1, 5]), np.array([0, 2, 5]), np.array([6, 6, 6]))
    np.testing.assert_array_equal(m.conditional_probability_alive_in_future(*args),
                                  m.conditional_probability_alive(*args))


# --- new customers ---------------------------------------------------------------------
def test_new_customer_expectations():
    t = np.array([0.0, 5.0, 50.0])
    pnbd = model(fl.ParetoNBDFitter, **APPAREL)
    np.testing.assert_allclose(pnbd.probability_alive_of_new_customer(t),
                               (46.8843633 / (46.8843633 + t)) ** 0.5612598, rtol=1e-14)
    mbg = model(fl.ModifiedBetaGeoFitter, r=0.525, alpha=6.183, a=0.891, b=1.614)
    assert mbg.probability_alive_of_new_customer(0.0) == pytest.approx(1.614 / (0.891 + 1.614), rel=1e-14)
    for cls, params in CONTINUOUS:
        m = model(cls, **params)
        assert m.probability_alive_of_new_customer(25.0) == pytest.approx(
            m.conditional_probability_alive_in_future(25.0, 0, 0.0, 0.0), rel=1e-15)
        assert m.discounted_expected_transactions_of_new_customer(0.05) == pytest.approx(
            m.discounted_expected_residual_transactions(0, 0.0, 0.0, 0.05), rel=1e-15)
    bgbb = model(fl.BetaGeoBetaBinomFitter, alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    from scipy.special import betaln
    np.testing.assert_allclose(bgbb.probability_alive_of_new_customer(np.array([0, 1, 10])),
                               np.exp(betaln(0.657, 2.783 + np.array([0, 1, 10])) - betaln(0.657, 2.783)))


def test_new_customer_lifetime_value_matches_monthly_sum():
    bg = model(fl.BetaGeoFitter, r=0.243, alpha=4.414, a=0.793, b=2.426)
    gg = model(fl.GammaGammaFitter, p=6.25, q=3.74, v=15.44)
    value = gg.new_customer_lifetime_value(bg, time=6, discount_rate=0.01, freq="W")
    months = np.arange(7) * 4.345
    purchases = np.diff([bg.expected_number_of_purchases_up_to_time(m) for m in months])
    expected = 6.25 * 15.44 / 2.74 * np.sum(purchases / 1.01 ** np.arange(1, 7))
    assert value == pytest.approx(expected, rel=1e-13)
    with pytest.raises(ValueError, match="freq"):
        gg.new_customer_lifetime_value(bg, freq="Y")
    with pytest.raises(ValueError, match="transaction_prediction_model"):
        gg.new_customer_lifetime_value(object())


# --- input checks ----------------------------------------------------------------------
@pytest.mark.parametrize("cls,params", CONTINUOUS)
def test_input_checks(cls, params):
    m = model(cls, **params)
    for bad in (0.0, -0.1, np.nan, np.inf, "0.1", True):
        with pytest.raises(ValueError, match="discount_rate"):
            m.discounted_expected_residual_transactions(1, 2.0, 5.0, bad)
    with pytest.raises(ValueError, match="t: negative"):
        m.conditional_probability_alive_in_future(np.array([1.0, -1.0]), 1, 2.0, 5.0)
    with pytest.raises(ValueError, match="recency"):
        m.conditional_probability_alive_in_future(1.0, np.array([1, 1]), np.array([2.0, 6.0]), 5.0)
    with pytest.raises(ValueError, match="frequency"):
        m.discounted_expected_residual_transactions(np.array([1.5]), 2.0, 5.0, 0.1)
    series = pd.Series([1.0, 2.0], index=["a", "b"])
    out = m.discounted_expected_residual_transactions(series, series, series + 1, 0.1)
    assert list(out.index) == ["a", "b"]
    # extreme valid histories stay finite
    big = m.discounted_expected_residual_transactions(np.array([0, 500, 3000]), np.array([0, 1e4, 1e5]),
                                                      np.array([1e5, 1e5, 1e5]), 1e-4)
    assert np.isfinite(big).all()
    previous = np.ones(2)
    for t in (1e6, 1e9, 1e12, 1e16, 1e18, 1e20, 1e300):  # past where t/(alpha+T+t) rounds to 1
        far = m.conditional_probability_alive_in_future(t, np.array([0, 500]), np.array([0, 900.0]), 1e3)
        # the frequent customer's tiny values may end at 0 (the limit) where z rounds to 1
        assert far[0] > 0 and (far >= 0).all() and (far <= previous).all() and far[0] < previous[0]
        previous = far


def test_bgbb_input_checks():
    m = model(fl.BetaGeoBetaBinomFitter, alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    with pytest.raises(ValueError, match="discount_rate"):
        m.discounted_expected_residual_transactions(1, 2, 5, 0)
    with pytest.raises(ValueError, match="recency"):
        m.discounted_expected_residual_transactions(np.array([1, 3]), np.array([2, 2]), 5, 0.1)


# --- intervals from the parameters' uncertainty ----------------------------------------
@pytest.fixture(scope="module")
def fitted_bgnbd():
    d = gd.beta_geometric_nbd_model(400.0, size=2000, seed=3, r=0.6, alpha=40.0, a=0.7, b=2.5)
    return fl.BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"])


def test_intervals_are_reproducible_and_bracket_the_prediction(fitted_bgnbd):
    index = list("xyz")
    hist = dict(frequency=pd.Series([0.0, 2, 6], index=index), recency=pd.Series([0.0, 100, 350], index=index),
                T=pd.Series([400.0, 400, 400], index=index))
    for kind, extra in (("expected_purchases", dict(t=100)), ("probability_alive", dict(t=50)),
                        ("dert", dict(discount_rate=0.001))):
        a = prediction_interval(fitted_bgnbd, kind, **hist, **extra, n_draws=200, seed=11)
        b = prediction_interval(fitted_bgnbd, kind, **hist, **extra, n_draws=200, seed=11)
        pd.testing.assert_frame_equal(a, b)
        assert list(a.index) == ["x", "y", "z"]
        assert (a["lower"] < a["prediction"]).all() and (a["prediction"] < a["upper"]).all()
        c = prediction_interval(fitted_bgnbd, kind, **hist, **extra, n_draws=200, seed=12)
        assert not a.equals(c)
    draws = parameter_draws(fitted_bgnbd, 4000, seed=1)
    assert (draws > 0).all()
    np.testing.assert_allclose(np.log(draws).std(axis=0),
                               fitted_bgnbd.standard_errors_ / fitted_bgnbd.params_, rtol=0.05)


def test_clv_interval(fitted_bgnbd):
    gg = model(fl.GammaGammaFitter, p=6.25, q=3.74, v=15.44)
    gg.variance_matrix_ = pd.DataFrame(np.diag([1.0, 0.3, 4.0]), index=list("pqv"), columns=list("pqv"))
    x, t_x, T, spend = np.array([0.0, 2, 6]), np.array([0.0, 100, 350]), np.full(3, 400.0), np.array([10.0, 20, 30])
    iv = prediction_interval(fitted_bgnbd, "clv", x, t_x, T, discount_rate=0.001, gamma_gamma_model=gg,
                             monetary_value=spend, n_draws=300, seed=5)
    expected = (fitted_bgnbd.discounted_expected_residual_transactions(x, t_x, T, 0.001)
                * gg.conditional_expected_average_profit(x, spend))
    np.testing.assert_allclose(iv["prediction"], expected, rtol=1e-14)
    assert (iv["lower"] < iv["prediction"]).all() and (iv["prediction"] < iv["upper"]).all()
    with pytest.raises(ValueError, match="gamma_gamma_model"):
        prediction_interval(fitted_bgnbd, "clv", x, t_x, T, discount_rate=0.001)
    with pytest.raises(ValueError, match="kind"):
        prediction_interval(fitted_bgnbd, "median", x, t_x, T)
    with pytest.raises(ValueError, match="level"):
        prediction_interval(fitted_bgnbd, "expected_purchases", x, t_x, T, t=1, level=1.5)
    with pytest.raises(ValueError, match="n_draws"):
        prediction_interval(fitted_bgnbd, "expected_purchases", x, t_x, T, t=1, n_draws=0)
    bgbb = model(fl.BetaGeoBetaBinomFitter, alpha=1.2, beta=0.75, gamma=0.66, delta=2.8)
    with pytest.raises(ValueError, match="model"):
        prediction_interval(bgbb, "expected_purchases", x, t_x, T, t=1)


def test_intervals_are_calibrated_over_repeated_fits():
    """Repeated fits on fresh simulated data: the 80 % interval of each fit contains the
    prediction at the true parameters in about 80 % of the fits (30 fits x 4 customers;
    the binomial standard error of the pooled share is about 0.04, customers being
    correlated within a fit)."""
    true = dict(r=0.6, alpha=40.0, a=0.7, b=2.5)
    hist = dict(frequency=np.array([0.0, 1, 3, 8]), recency=np.array([0.0, 100, 250, 350]),
                T=np.full(4, 400.0))
    truth = model(fl.BetaGeoFitter, **true).conditional_expected_number_of_purchases_up_to_time(200, **hist)
    hits = []
    for rep in range(30):
        d = gd.beta_geometric_nbd_model(400.0, size=1500, seed=100 + rep, **true)
        m = fl.BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"])
        iv = prediction_interval(m, "expected_purchases", **hist, t=200, level=0.8, n_draws=300, seed=rep)
        hits.append(((iv["lower"] <= truth) & (truth <= iv["upper"])).to_numpy())
    share = np.mean(hits)
    assert 0.62 <= share <= 0.95


def test_predictions_from_threads_agree_with_serial():
    """The core keeps no shared state: the same calls from several threads at once give
    the serial answers bit for bit."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(0)
    T = rng.integers(1, 60, 5000).astype(float)
    x = rng.integers(0, 12, 5000).astype(float)
    t_x = np.where(x > 0, T * rng.uniform(0.2, 1.0, 5000), 0.0)
    calls = []
    for cls, params in CONTINUOUS:
        m = model(cls, **params)
        calls.append(lambda m=m: m.discounted_expected_residual_transactions(x, t_x, T, 0.01))
        calls.append(lambda m=m: m.conditional_probability_alive_in_future(13.0, x, t_x, T))
    serial = [f() for f in calls]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda f: f(), calls * 2))
    for a, b in zip(serial * 2, threaded):
        np.testing.assert_array_equal(a, b)
