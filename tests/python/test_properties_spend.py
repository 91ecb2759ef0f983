"""Invariants of the Gamma-Gamma model and the CLV, over parameters from 1e-6 to 1e6
(hypothesis): the expected spend lies between the population mean and the customer's own
mean (eq. 5 is a weighted mean of the two) and moves toward the customer's mean with more
transactions; densities are finite; an undiscounted CLV with spend 1 telescopes to the
expected purchases over the whole horizon."""

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from fastlifetimes import BetaGeoFitter, GammaGammaFitter, _core
from fastlifetimes.utils import customer_lifetime_value

parameter = st.floats(min_value=1e-6, max_value=1e6)
spend = st.floats(min_value=1e-6, max_value=1e9)
frequency = st.integers(min_value=0, max_value=100_000)


def model(p, q, v):
    m = GammaGammaFitter()
    m.params_ = pd.Series([p, q, v], index=["p", "q", "v"])
    return m


@settings(max_examples=300, deadline=None)
@given(parameter, st.floats(min_value=1.0 + 1e-6, max_value=1e6), parameter, frequency, spend)
def test_expected_spend_is_between_the_population_and_the_customer_mean(p, q, v, x, m):
    population = p * v / (q - 1)
    e = model(p, q, v).conditional_expected_average_profit(x, m)
    assert math.isfinite(e)
    lo, hi = min(population, m), max(population, m)
    assert lo * (1 - 1e-12) <= e <= hi * (1 + 1e-12)
    if x == 0:
        assert e == np.float64(population) or math.isclose(e, population, rel_tol=1e-14)


@settings(max_examples=200, deadline=None)
@given(parameter, st.floats(min_value=1.0 + 1e-3, max_value=1e6), parameter, spend,
       st.integers(min_value=1, max_value=1000))
def test_more_transactions_move_the_estimate_toward_the_customer_mean(p, q, v, m, x):
    g = model(p, q, v)
    near, far = (abs(g.conditional_expected_average_profit(k, m) - m) for k in (x + 1, x))
    assert near <= far * (1 + 1e-12) + 1e-300


@settings(max_examples=300, deadline=None)
@given(parameter, parameter, parameter, st.integers(min_value=1, max_value=100_000), spend)
def test_log_density_is_finite(p, q, v, x, m):
    ll = _core.gamma_gamma_log_likelihood(np.array([p, q, v]), np.array([float(x)]), np.array([m]))[0]
    assert math.isfinite(ll)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0.05, max_value=5), st.floats(min_value=0.5, max_value=50),
       st.floats(min_value=0.1, max_value=5), st.floats(min_value=0.1, max_value=5),
       st.integers(min_value=0, max_value=50), st.floats(min_value=0, max_value=1),
       st.floats(min_value=1, max_value=100), st.sampled_from(["D", "W", "M", "H"]),
       st.integers(min_value=1, max_value=24))
def test_undiscounted_clv_of_unit_spend_is_the_expected_purchases(r, alpha, a, b, x, share, T, freq, months):
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series([r, alpha, a, b], index=["r", "alpha", "a", "b"])
    t_x = share * T if x > 0 else 0.0
    args = (pd.Series([float(x)]), pd.Series([t_x]), pd.Series([T]), pd.Series([1.0]))
    clv = customer_lifetime_value(bgf, *args, time=months, discount_rate=0.0, freq=freq)
    horizon = months * {"D": 30, "W": 4.345, "M": 1.0, "H": 720}[freq]
    expected = bgf.predict(horizon, float(x), t_x, T)
    assert math.isclose(clv.iloc[0], expected, rel_tol=1e-9, abs_tol=1e-300)
