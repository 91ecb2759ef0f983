"""Numerical range of every transaction model (MBG/NBD, Pareto/NBD, BG/BB; BG/NBD has its
own file, test_properties.py): over parameters from 1e-6 to 1e6 and histories with
frequency up to 1e4, T up to 1e5 (recency 0 and recency = T included), P(alive) stays in
[0, 1], expected purchases stay finite, non-negative and non-decreasing in the horizon,
and the probabilities of n purchases sum to 1. Fits on degenerate data (everyone with
frequency 0, one customer, identical rows) succeed with finite parameters or raise a
ConvergenceError that says what to try — never NaN parameters, never a crash.

Where a hypergeometric series cannot be evaluated stably for parameters this extreme,
the library refuses with a ValueError naming hyp2f1 (documented limit); nothing else may
be raised and nothing non-finite returned.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastlifetimes import BetaGeoBetaBinomFitter, BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
from fastlifetimes.utils import ConvergenceError

parameter = st.floats(min_value=1e-6, max_value=1e6)
moderate = st.floats(min_value=1e-2, max_value=1e2)
horizon = st.floats(min_value=0.0, max_value=1e3)


@st.composite
def histories(draw):
    """Continuous-time histories, with recency 0 and recency = T drawn often."""
    T = draw(st.floats(min_value=0.0, max_value=1e5))
    x = draw(st.integers(min_value=0, max_value=10_000))
    if x == 0:
        return 0.0, 0.0, T
    t_x = draw(st.one_of(st.just(0.0), st.just(T), st.floats(min_value=0.0, max_value=T)))
    return float(x), t_x, T


@st.composite
def discrete_histories(draw):
    n = draw(st.integers(min_value=0, max_value=10_000))
    x = draw(st.integers(min_value=0, max_value=n))
    t_x = 0 if x == 0 else draw(st.one_of(st.just(x), st.just(n), st.integers(min_value=x, max_value=n)))
    return float(x), float(t_x), float(n)


def with_params(cls, values):
    model = cls()
    model.params_ = pd.Series(list(values), index=list(cls._param_names))
    return model


def refuses_only_documented_limits(call):
    """The value of call(), or None when it refuses with the documented series limit."""
    try:
        return call()
    except ValueError as error:
        assert "hyp2f1" in str(error) or "no stable evaluation" in str(error), str(error)
        return None


CONTINUOUS = [ModifiedBetaGeoFitter, ParetoNBDFitter]


@pytest.mark.parametrize("cls", CONTINUOUS, ids=lambda c: c.__name__)
@settings(max_examples=300, deadline=None)
@given(params=st.tuples(parameter, parameter, parameter, parameter), history=histories())
def test_probability_alive_is_a_probability(cls, params, history):
    p = with_params(cls, params).conditional_probability_alive(*history)
    p = float(np.asarray(p).reshape(-1)[0])
    assert 0.0 <= p <= 1.0


@pytest.mark.parametrize("cls", CONTINUOUS, ids=lambda c: c.__name__)
@settings(max_examples=300, deadline=None)
@given(params=st.tuples(parameter, parameter, parameter, parameter), history=histories(),
       t1=horizon, dt=horizon)
def test_expected_purchases_finite_non_negative_non_decreasing(cls, params, history, t1, dt):
    model = with_params(cls, params)
    e1 = refuses_only_documented_limits(
        lambda: model.conditional_expected_number_of_purchases_up_to_time(t1, *history))
    e2 = refuses_only_documented_limits(
        lambda: model.conditional_expected_number_of_purchases_up_to_time(t1 + dt, *history))
    if e1 is None or e2 is None:
        return
    assert math.isfinite(e1) and math.isfinite(e2)
    assert e1 >= 0.0
    assert e2 >= e1 * (1 - 1e-9) - 1e-12
    new = refuses_only_documented_limits(lambda: model.expected_number_of_purchases_up_to_time(t1))
    assert new is None or (math.isfinite(new) and new >= 0.0)


@settings(max_examples=300, deadline=None)
@given(params=st.tuples(parameter, parameter, parameter, parameter), history=discrete_histories(),
       m=st.integers(min_value=0, max_value=1000), dm=st.integers(min_value=0, max_value=1000))
def test_bgbb_predictions_in_range(params, history, m, dm):
    model = with_params(BetaGeoBetaBinomFitter, params)
    alive = float(model.conditional_probability_alive(m, *history))
    assert 0.0 <= alive <= 1.0
    e1 = float(model.conditional_expected_number_of_purchases_up_to_time(m, *history))
    e2 = float(model.conditional_expected_number_of_purchases_up_to_time(m + dm, *history))
    assert math.isfinite(e1) and math.isfinite(e2)
    assert 0.0 <= e1 <= m + 1e-9 * m
    assert e2 >= e1 * (1 - 1e-9) - 1e-12


@pytest.mark.parametrize("cls", [ModifiedBetaGeoFitter, ParetoNBDFitter], ids=lambda c: c.__name__)
@settings(max_examples=100, deadline=None)
@given(params=st.tuples(moderate, moderate, moderate, moderate), t=st.floats(min_value=0.01, max_value=50.0))
def test_probabilities_of_n_purchases_sum_to_one(cls, params, t):
    model = with_params(cls, params)
    r, alpha = params[0], params[1]
    if r / alpha * t > 50:  # the mean count of an immortal customer, far inside the 4000 terms
        return
    n = np.arange(0, 4000, dtype=float)
    p = np.asarray(model.probability_of_n_purchases_up_to_time(np.full(n.size, t), n), dtype=float)
    assert np.all(np.isfinite(p)) and np.all(p >= 0.0) and np.all(p <= 1.0 + 1e-12)
    assert abs(p.sum() - 1.0) < 1e-6 and p.sum() <= 1.0 + 1e-9


# -- degenerate data: a fit with finite parameters, or a ConvergenceError with advice --------

DEGENERATE = {
    "everyone frequency 0": ([0.0] * 50, [0.0] * 50, list(np.linspace(1, 50, 50))),
    "one customer": ([3.0], [10.0], [20.0]),
    "one customer, no repeats": ([0.0], [0.0], [20.0]),
    "identical rows": ([2.0] * 40, [5.0] * 40, [9.0] * 40),
    "recency equal to T everywhere": ([1.0, 2.0, 5.0] * 10, [7.0, 8.0, 9.0] * 10, [7.0, 8.0, 9.0] * 10),
}


def finite_or_convergence_error(fit):
    try:
        model = fit()
    except ConvergenceError as error:
        message = str(error)
        assert any(word in message for word in ("try", "Try", "penalizer", "initial")), message
        return None
    assert np.isfinite(model.params_.to_numpy()).all(), model.params_
    assert (model.params_.to_numpy() > 0).all()
    return model


@pytest.mark.parametrize("case", sorted(DEGENERATE))
@pytest.mark.parametrize("cls", [BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter],
                         ids=lambda c: c.__name__)
def test_degenerate_continuous_fits(cls, case):
    x, t_x, T = (np.array(v) for v in DEGENERATE[case])
    model = finite_or_convergence_error(lambda: cls().fit(x, t_x, T))
    if model is not None:
        p = model.conditional_probability_alive(x, t_x, T)
        assert np.all((p >= 0) & (p <= 1))


@pytest.mark.parametrize("case", ["everyone frequency 0", "one customer", "identical rows", "all at the last period"])
def test_degenerate_bgbb_fits(case):
    x, t_x, n, w = {
        "everyone frequency 0": ([0.0], [0.0], [6.0], [100.0]),
        "one customer": ([3.0], [5.0], [6.0], [1.0]),
        "identical rows": ([2.0] * 5, [4.0] * 5, [6.0] * 5, [10.0] * 5),
        "all at the last period": ([6.0, 3.0], [6.0, 6.0], [6.0, 6.0], [50.0, 20.0]),
    }[case]
    finite_or_convergence_error(lambda: BetaGeoBetaBinomFitter().fit(
        np.array(x), np.array(t_x), np.array(n), np.array(w)))
