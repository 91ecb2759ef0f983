"""P(alive) at T + t for BG/CNBD-k and MBG/CNBD-k with k > 1 (cnbdk.hpp: the phase reached
since the last purchase, the negative-binomial count of future events, and the chance of
surviving each purchase they make). Checked against BG/NBD's closed form at k = 1 (the same
series code run with k = 1) and, for k = 2 and 3, against a simulated cohort: averaged over
the customers' simulated histories, P(alive at T + t | history) is the share of the cohort
still alive at T + t.

lifetimes 0.11.3 has none of these models or predictions, so there is nothing to compare with
there; the references are the closed forms, limits and simulations below."""

import numpy as np
import pandas as pd
import pytest

import fastlifetimes as lifetimes
from fastlifetimes import _core
from fastlifetimes.datasets import load_cdnow_summary

CDNOW = load_cdnow_summary(index_col=[0])
X, T_X, T = (CDNOW[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
PARAMS = np.array([0.6, 4.0, 0.8, 2.5])  # r, alpha, a, b (weeks)


@pytest.mark.parametrize("modified, plain", [(False, "bgnbd"), (True, "mbgnbd")])
def test_the_phase_series_at_k_1_is_the_closed_form(modified, plain):
    for t in (0.0, 1.0, 26.0, 104.0):
        series = _core.cnbdk_conditional_probability_alive_in_future(1, modified, PARAMS, np.full(X.size, t),
                                                                     X, T_X, T)
        closed = getattr(_core, f"{plain}_conditional_probability_alive_in_future")(PARAMS, np.full(X.size, t),
                                                                                   X, T_X, T)
        np.testing.assert_allclose(series, closed, rtol=1e-10, atol=1e-300)


def _simulate(k, modified, n, age, horizon, seed):
    """Histories at `age` and whether each customer is alive at age + horizon."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = PARAMS
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    alive = ~(rng.random(n) < p) if modified else np.ones(n, bool)  # MBG: drop-out at time 0
    clock = np.zeros(n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    death = np.full(n, np.inf)
    death[~alive] = 0.0
    active = alive.copy()
    while active.any():
        idx = np.flatnonzero(active)
        nxt = clock[idx] + rng.gamma(k, 1.0 / lam[idx])
        past = nxt > age + horizon
        active[idx[past]] = False
        buy = idx[~past]
        clock[buy] = nxt[~past]
        seen = buy[clock[buy] <= age]
        x[seen] += 1
        t_x[seen] = clock[seen]
        dropped = buy[rng.random(buy.size) < p[buy]]
        death[dropped] = clock[dropped]
        active[dropped] = False
    return x, t_x, death > age + horizon


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("modified", [False, True])
def test_a_simulated_cohort_alive_at_T_plus_t_as_predicted(k, modified):
    age, horizon, n = 52.0, 39.0, 40_000
    x, t_x, alive_later = _simulate(k, modified, n, age, horizon, seed=10 * k + modified)
    cls = lifetimes.ModifiedBetaGeoCNBDFitter if modified else lifetimes.BetaGeoCNBDFitter
    model = cls(k=k)
    model.params_ = pd.Series(PARAMS, index=["r", "alpha", "a", "b"])
    predicted = model.conditional_probability_alive_in_future(horizon, x, t_x, np.full(n, age))
    standard_error = np.sqrt(alive_later.mean() * (1 - alive_later.mean()) / n)
    assert abs(predicted.mean() - alive_later.mean()) < 4 * standard_error
    # and a new customer's, with no history
    assert abs(model.probability_alive_of_new_customer(age + horizon) - alive_later.mean()) < 4 * standard_error


@pytest.mark.parametrize("k", [2, 4])
def test_at_t_zero_it_is_p_alive_and_it_falls_with_t(k):
    model = lifetimes.ModifiedBetaGeoCNBDFitter(k=k)
    model.params_ = pd.Series(PARAMS, index=["r", "alpha", "a", "b"])
    now = model.conditional_probability_alive(X, T_X, T)
    np.testing.assert_array_equal(model.conditional_probability_alive_in_future(0.0, X, T_X, T), now)
    later = model.conditional_probability_alive_in_future(52.0, X, T_X, T)
    assert (later <= now).all() and (later < now).any()
    with pytest.raises(ValueError, match="t"):
        model.conditional_probability_alive_in_future(-1.0, X, T_X, T)
