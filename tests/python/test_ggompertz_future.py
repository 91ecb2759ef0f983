"""GGompertz/NBD P(alive) at a future time and for a new customer: P(alive at T) times the
posterior survival of (T, T + t], with eta's posterior Gamma(s, beta + e^(bT) - 1) given
survival to T (the purchase history tells nothing more about eta).

lifetimes 0.11.3 has none of these models or predictions, so there is nothing to compare with
there; the references are the closed forms, limits and simulations below."""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import fastlifetimes as lifetimes

# Bemmaor & Glady (2012) Table 2's order of magnitude on CDNOW (weeks), with b clearly > 0
PARAMS = pd.Series({"r": 0.55, "alpha": 10.6, "b": 0.02, "s": 0.6, "beta": 0.25})
X = np.array([0.0, 1.0, 3.0, 10.0, 2.0])
T_X = np.array([0.0, 5.0, 30.0, 38.0, 2.0])
T = np.array([39.0, 35.0, 38.5, 38.9, 60.0])


def _fitter(params):
    model = lifetimes.GGompertzNBDFitter()
    model.params_ = params.copy()
    return model


def test_at_t_zero_it_is_p_alive_and_it_falls_with_t():
    model = _fitter(PARAMS)
    now = model.conditional_probability_alive(X, T_X, T)
    np.testing.assert_allclose(model.conditional_probability_alive_in_future(0.0, X, T_X, T), now, rtol=1e-15)
    previous = now
    for t in (1.0, 13.0, 52.0, 520.0):
        later = model.conditional_probability_alive_in_future(t, X, T_X, T)
        assert (later < previous).all()
        previous = later


@pytest.mark.parametrize("t", [5.0, 52.0])
def test_the_survival_factor_is_the_posterior_expectation_over_eta(t):
    # E[exp(-eta (e^(b(T+t)) - e^(bT)))] over eta ~ Gamma(s, rate beta + e^(bT) - 1), by quadrature
    model = _fitter(PARAMS)
    b, s, beta = PARAMS["b"], PARAMS["s"], PARAMS["beta"]
    for age in T:
        posterior = stats.gamma(a=s, scale=1.0 / (beta + np.expm1(b * age)))
        extra = np.exp(b * (age + t)) - np.exp(b * age)
        reference = integrate.quad(lambda eta: posterior.pdf(eta) * np.exp(-eta * extra), 0, np.inf,  # noqa: B023
                                   epsabs=0, epsrel=1e-12)[0]
        alive = model.conditional_probability_alive(1.0, 0.5 * age, age)
        assert model.conditional_probability_alive_in_future(t, 1.0, 0.5 * age, age) == pytest.approx(
            alive * reference, rel=1e-9)


def test_b_to_zero_is_the_pareto_nbd():
    pareto = lifetimes.ParetoNBDFitter()
    pareto.params_ = pd.Series({"r": 0.55, "alpha": 10.6, "s": 0.6, "beta": 11.7})
    b = 1e-9
    gg = _fitter(pd.Series({"r": 0.55, "alpha": 10.6, "b": b, "s": 0.6, "beta": 11.7 * b}))
    for t in (0.0, 26.0, 104.0):
        np.testing.assert_allclose(gg.conditional_probability_alive_in_future(t, X, T_X, T),
                                   pareto.conditional_probability_alive_in_future(t, X, T_X, T), rtol=1e-6)
    np.testing.assert_allclose(gg.probability_alive_of_new_customer(np.array([0.0, 52.0])),
                               pareto.probability_alive_of_new_customer(np.array([0.0, 52.0])), rtol=1e-6)


def test_new_customer_and_extreme_horizons_stay_finite():
    model = _fitter(PARAMS)
    b, s, beta = PARAMS["b"], PARAMS["s"], PARAMS["beta"]
    assert model.probability_alive_of_new_customer(52.0) == pytest.approx(
        (beta / (beta + np.expm1(52 * b))) ** s, rel=1e-14)
    far = model.conditional_probability_alive_in_future(1e6, X, T_X, T)  # e^(b t) beyond a double
    np.testing.assert_array_equal(far, np.zeros(X.size))


def test_bad_inputs_are_refused_by_name():
    model = _fitter(PARAMS)
    with pytest.raises(ValueError, match="^t: "):
        model.conditional_probability_alive_in_future(-1.0, X, T_X, T)
    with pytest.raises(ValueError, match="t"):
        model.conditional_probability_alive_in_future(np.nan, X, T_X, T)
    with pytest.raises(ValueError, match="recency"):
        model.conditional_probability_alive_in_future(1.0, 1.0, 50.0, 40.0)
    with pytest.raises(ValueError, match="^t: "):
        model.probability_alive_of_new_customer(-2.0)
