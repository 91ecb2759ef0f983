"""Invariants of the BG/NBD predictions, over parameters from 1e-6 to 1e6 and histories
up to frequency 1e4 and T 1e5 (hypothesis): P(alive) in [0, 1]; expected purchases finite,
non-negative and increasing in t; the probabilities of n purchases summing to 1; model
files round-tripping bit for bit."""

import math

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fastlifetimes import BetaGeoFitter

parameter = st.floats(min_value=1e-6, max_value=1e6)
moderate = st.floats(min_value=1e-2, max_value=1e2)


@st.composite
def histories(draw):
    T = draw(st.floats(min_value=0.0, max_value=1e5))
    x = draw(st.integers(min_value=0, max_value=10_000))
    t_x = 0.0 if x == 0 else draw(st.floats(min_value=0.0, max_value=T))
    return float(x), t_x, T


def model(r, alpha, a, b):
    m = BetaGeoFitter()
    m.params_ = pd.Series([r, alpha, a, b], index=["r", "alpha", "a", "b"])
    return m


@settings(max_examples=300, deadline=None)
@given(parameter, parameter, parameter, parameter, histories())
def test_probability_alive_is_a_probability(r, alpha, a, b, history):
    p = model(r, alpha, a, b).conditional_probability_alive(*history)[0]
    assert 0.0 <= p <= 1.0


@settings(max_examples=300, deadline=None)
@given(parameter, parameter, parameter, parameter, histories(),
       st.floats(min_value=0.0, max_value=1e3), st.floats(min_value=0.0, max_value=1e3))
def test_expected_purchases_are_finite_non_negative_and_grow_with_t(r, alpha, a, b, history, t1, dt):
    m = model(r, alpha, a, b)
    if abs(a - 1.0) < 1e-9:  # the expectation divides by a - 1; a = 1 is the limit case
        a = 1.0 + 1e-6
        m = model(r, alpha, a, b)
    try:
        e1 = m.conditional_expected_number_of_purchases_up_to_time(t1, *history)
        e2 = m.conditional_expected_number_of_purchases_up_to_time(t1 + dt, *history)
    except ValueError as error:  # only the documented hyp2f1 limit may refuse
        assert "hyp2f1" in str(error)
        return
    assert math.isfinite(e1) and math.isfinite(e2)
    assert e1 >= 0.0
    assert e2 >= e1 * (1 - 1e-9) - 1e-12


@settings(max_examples=150, deadline=None)
@given(moderate, moderate, moderate, moderate, st.floats(min_value=0.01, max_value=50.0))
def test_probabilities_of_n_purchases_sum_to_one(r, alpha, a, b, t):
    # keep the expected count of an immortal customer within the 20,000 terms summed
    assume(r / alpha * t < 2_000)
    m = model(r, alpha, a, b)
    total, n = 0.0, 0
    # the tail of a negative binomial mixture: stop once the terms are negligible
    while n < 20_000:
        p = m.probability_of_n_purchases_up_to_time(t, n)
        assert 0.0 <= p <= 1.0 + 1e-12
        total += p
        n += 1
        if n > 50 and p < 1e-15 and total > 1 - 1e-6:
            break
    assert total == np.float64(total) and abs(total - 1.0) < 1e-6


@settings(max_examples=25, deadline=None)
@given(st.lists(histories(), min_size=5, max_size=40), st.floats(min_value=0, max_value=0.1))
def test_model_files_round_trip_bit_for_bit(tmp_path_factory, rows, penalizer):
    x, t_x, T = (np.array(c, dtype=float) for c in zip(*rows))
    if T.max() <= 0:
        return
    m = BetaGeoFitter(penalizer_coef=penalizer)
    try:
        m.fit(x, t_x, T)
    except ValueError:  # a ConvergenceError on degenerate data is allowed; NaN is not
        return
    assert np.isfinite(m.params_.values).all()
    path = tmp_path_factory.mktemp("models") / "m.json"
    m.save_model(path)
    loaded = BetaGeoFitter()
    loaded.load_model(path)
    assert (loaded.params_.values == m.params_.values).all()
    # a singular Hessian (degenerate data) gives NaN variances, which must round-trip too
    assert np.array_equal(loaded.variance_matrix_.values, m.variance_matrix_.values, equal_nan=True)
    assert loaded.data.equals(m.data)
