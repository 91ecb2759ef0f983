"""Future P(alive) and DERT of the static-covariate models: each customer gets the plain
model's value at their own parameters (alpha_i = alpha exp(-gamma_trans z_i), and the dropout
parameters likewise), so a plain fitter holding a group's parameters gives the same numbers.

lifetimes 0.11.3 has none of these models or predictions, so there is nothing to compare with
there; the references are the closed forms, limits and simulations below."""

import numpy as np
import pandas as pd
import pytest

import fastlifetimes as lifetimes
from fastlifetimes.datasets import load_cdnow_summary

CDNOW = load_cdnow_summary(index_col=[0])
X, T_X, T = CDNOW["frequency"], CDNOW["recency"], CDNOW["T"]
# a real covariate of CDNOW: joined in the later half of the acquisition quarter
LATE = (T < 33).astype(float).to_frame("late")
DELTA = np.log(1.1) / 52

CASES = [
    (lifetimes.ParetoNBDCovariatesFitter, lifetimes.ParetoNBDFitter, ("r", "alpha", "s", "beta")),
    (lifetimes.BetaGeoCovariatesFitter, lifetimes.BetaGeoFitter, ("r", "alpha", "a", "b")),
]


@pytest.fixture(scope="module", params=CASES, ids=["pareto_nbd", "bgnbd"])
def fitted(request):
    covariate_class, plain_class, names = request.param
    model = covariate_class().fit(X, T_X, T, purchase_covariates=LATE, dropout_covariates=LATE)
    return model, plain_class, names


def _plain_at(model, plain_class, names, late):
    """A plain fitter holding the parameters of the customers with late = `late`."""
    row = model._customer_params(1, pd.DataFrame({"late": [late]}), pd.DataFrame({"late": [late]}))[0]
    plain = plain_class()
    plain.params_ = pd.Series(row, index=list(names))
    return plain


@pytest.mark.parametrize("late", [0.0, 1.0])
def test_each_group_gets_the_plain_models_values_at_its_parameters(fitted, late):
    model, plain_class, names = fitted
    plain = _plain_at(model, plain_class, names, late)
    rows = LATE["late"] == late
    x, t_x, age, z = X[rows], T_X[rows], T[rows], LATE[rows]
    for t in (0.0, 13.0, 52.0):
        np.testing.assert_allclose(model.conditional_probability_alive_in_future(t, x, t_x, age, z, z),
                                   plain.conditional_probability_alive_in_future(t, x, t_x, age), rtol=1e-13)
    np.testing.assert_allclose(model.discounted_expected_residual_transactions(x, t_x, age, DELTA, z, z),
                               plain.discounted_expected_residual_transactions(x, t_x, age, DELTA), rtol=1e-13)


def test_at_t_zero_it_is_p_alive_and_it_falls_with_t(fitted):
    model, _, _ = fitted
    now = model.conditional_probability_alive(X, T_X, T, LATE, LATE)
    np.testing.assert_allclose(model.conditional_probability_alive_in_future(0.0, X, T_X, T, LATE, LATE), now,
                               rtol=1e-12)
    later = model.conditional_probability_alive_in_future(26.0, X, T_X, T, LATE, LATE)
    assert isinstance(later, pd.Series) and later.index.equals(X.index)
    assert (later <= now + 1e-15).all() and (later < now).any()


def test_dert_grows_as_the_discount_rate_falls(fitted):
    model, _, _ = fitted
    high = model.discounted_expected_residual_transactions(X, T_X, T, 0.01, LATE, LATE)
    low = model.discounted_expected_residual_transactions(X, T_X, T, 0.001, LATE, LATE)
    assert np.isfinite(low).all() and (low > high).all()


def test_bad_inputs_are_refused_by_name(fitted):
    model, _, _ = fitted
    with pytest.raises(ValueError, match="^t: "):
        model.conditional_probability_alive_in_future(-1.0, X, T_X, T, LATE, LATE)
    with pytest.raises(ValueError, match="discount_rate"):
        model.discounted_expected_residual_transactions(X, T_X, T, 0.0, LATE, LATE)
    with pytest.raises(ValueError, match="dropout_covariates"):
        model.discounted_expected_residual_transactions(X, T_X, T, 0.01, LATE, None)
