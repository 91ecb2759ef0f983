"""P(X(t) = n) of BG/CNBD-k and MBG/CNBD-k for any k: BG/NBD's and MBG/NBD's closed forms at
k = 1 (the general code run with k = 1), a distribution (sums to 1), whose mean is the
expected number of purchases computed by the other route (the phase sums of cnbdk.hpp),
and the frequencies of a simulated cohort.

lifetimes 0.11.3 has none of these models or predictions, so there is nothing to compare with
there; the references are the closed forms, limits and simulations below."""

import numpy as np
import pandas as pd
import pytest

import fastlifetimes as lifetimes
from fastlifetimes import _core
from test_cnbdk_future import PARAMS, _simulate

NAMES = ["r", "alpha", "a", "b"]


def _model(k, modified):
    cls = lifetimes.ModifiedBetaGeoCNBDFitter if modified else lifetimes.BetaGeoCNBDFitter
    model = cls(k=k)
    model.params_ = pd.Series(PARAMS, index=NAMES)
    return model


@pytest.mark.parametrize("modified, plain", [(False, "bgnbd"), (True, "mbgnbd")])
def test_k_1_is_the_closed_form(modified, plain):
    t = np.repeat([0.0, 1.0, 30.0, 300.0], 8)
    n = np.tile(np.arange(8.0), 4)
    general = _core.cnbdk_probability_of_n_purchases_up_to_time(1, modified, PARAMS, t, n)
    closed = getattr(_core, f"{plain}_probability_of_n_purchases_up_to_time")(PARAMS, t, n)
    np.testing.assert_allclose(general, closed, rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("k", [2, 3, 7])
@pytest.mark.parametrize("modified", [False, True])
@pytest.mark.parametrize("t", [5.0, 52.0])
def test_a_distribution_with_the_expected_mean(k, modified, t):
    model = _model(k, modified)
    n = np.arange(600.0)
    pmf = model.probability_of_n_purchases_up_to_time(t, n)
    assert (pmf >= 0).all()
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert (pmf * n).sum() == pytest.approx(model.expected_number_of_purchases_up_to_time(t), rel=1e-10)


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("modified", [False, True])
def test_the_frequencies_of_a_simulated_cohort(k, modified):
    t, n = 52.0, 40_000
    x, _, _ = _simulate(k, modified, n, t, 0.0, seed=100 + 10 * k + modified)
    model = _model(k, modified)
    for count in range(4):
        share = np.mean(x == count)
        expected = model.probability_of_n_purchases_up_to_time(t, count)
        assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / n), (count, share, expected)


def test_bad_n_and_t_are_refused():
    model = _model(2, False)
    with pytest.raises(ValueError, match="^n: "):
        model.probability_of_n_purchases_up_to_time(10.0, 1.5)
    with pytest.raises(ValueError, match="^t: "):
        model.probability_of_n_purchases_up_to_time(-1.0, 1)
