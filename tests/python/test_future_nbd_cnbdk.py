"""Future P(alive), DERT and new-customer predictions of the NBD and the (M)BG/CNBD-k
fitters, which inherit BetaGeoFitter's methods: the NBD's own (nobody drops out), BG/NBD's
and MBG/NBD's at k = 1, and a refusal (not the k = 1 formulas) for k > 1.

lifetimes 0.11.3 has none of these models or predictions, so there is nothing to compare with
there; the references are the closed forms, limits and simulations below."""

import numpy as np
import pytest
from scipy import integrate

import fastlifetimes as lifetimes
from fastlifetimes.datasets import load_cdnow_summary
from fastlifetimes.uncertainty import prediction_interval

CDNOW = load_cdnow_summary(index_col=[0])
X, T_X, T = CDNOW["frequency"], CDNOW["recency"], CDNOW["T"]
DELTA = 0.01


@pytest.fixture(scope="module")
def nbd():
    return lifetimes.NBDFitter().fit(X, T_X, T)


def test_nbd_nobody_drops_out(nbd):
    alive = nbd.conditional_probability_alive_in_future(np.array([0.0, 10.0, 1e6]), 3, 20.0, 30.0)
    np.testing.assert_array_equal(alive, np.ones(3))
    np.testing.assert_array_equal(nbd.probability_alive_of_new_customer(np.array([0.0, 52.0])), np.ones(2))
    assert (nbd.conditional_probability_alive_in_future(26.0, X, T_X, T) == 1.0).all()


@pytest.mark.parametrize("x, t_x, age", [(0, 0.0, 30.0), (3, 20.0, 30.0), (20, 38.0, 39.0)])
def test_nbd_dert_is_the_discounted_integral_of_its_expected_purchases(nbd, x, t_x, age):
    # DERT = delta * int_0^inf exp(-delta tau) E[X(T, T + tau) | x, T] dtau
    integrand = lambda tau: np.exp(-DELTA * tau) * nbd.conditional_expected_number_of_purchases_up_to_time(  # noqa: E731
        tau, x, t_x, age)
    reference = DELTA * integrate.quad(integrand, 0, np.inf, epsabs=0, epsrel=1e-12)[0]
    assert nbd.discounted_expected_residual_transactions(x, t_x, age, DELTA) == pytest.approx(reference, rel=1e-9)
    r, alpha = nbd.params_
    assert nbd.discounted_expected_transactions_of_new_customer(DELTA) == pytest.approx(r / (alpha * DELTA),
                                                                                       rel=1e-15)


def test_nbd_refuses_bad_inputs_by_name(nbd):
    with pytest.raises(ValueError, match="^t: "):
        nbd.conditional_probability_alive_in_future(-1.0, 1, 1.0, 2.0)
    with pytest.raises(ValueError, match="^recency: "):
        nbd.discounted_expected_residual_transactions(1, 3.0, 2.0, DELTA)
    with pytest.raises(ValueError, match="discount_rate"):
        nbd.discounted_expected_residual_transactions(1, 1.0, 2.0, -0.1)


@pytest.mark.parametrize("cnbd_class, plain_class", [
    (lifetimes.BetaGeoCNBDFitter, lifetimes.BetaGeoFitter),
    (lifetimes.ModifiedBetaGeoCNBDFitter, lifetimes.ModifiedBetaGeoFitter),
])
def test_cnbd_1_predicts_as_bgnbd_and_mbgnbd(cnbd_class, plain_class):
    cnbd = cnbd_class(k=1).fit(X, T_X, T)
    plain = plain_class()
    plain.params_ = cnbd.params_.copy()
    for t in (0.0, 26.0):
        np.testing.assert_array_equal(cnbd.conditional_probability_alive_in_future(t, X, T_X, T),
                                      plain.conditional_probability_alive_in_future(t, X, T_X, T))
    np.testing.assert_array_equal(cnbd.discounted_expected_residual_transactions(X, T_X, T, DELTA),
                                  plain.discounted_expected_residual_transactions(X, T_X, T, DELTA))
    assert cnbd.probability_alive_of_new_customer(52.0) == plain.probability_alive_of_new_customer(52.0)


def test_cnbd_k_above_1_refuses_dert_rather_than_use_the_k_1_formula():
    cnbd = lifetimes.BetaGeoCNBDFitter(k=2)
    cnbd.params_ = lifetimes.BetaGeoFitter().fit(X, T_X, T).params_
    with pytest.raises(NotImplementedError, match="k = 2"):
        cnbd.discounted_expected_residual_transactions(X, T_X, T, DELTA)


def test_bootstrap_intervals_refuse_the_models_without_their_own_kernels(nbd):
    cnbd = lifetimes.BetaGeoCNBDFitter(k=1).fit(X, T_X, T)
    for model in (nbd, cnbd):
        with pytest.raises(ValueError, match="model: prediction intervals need"):
            prediction_interval(model, "probability_alive", X, T_X, T, n_draws=10, seed=1)
