"""sBG: Fader & Hardie (2007) Table 1 (published numbers, typed in), REFERENCE_VALUES.md
section 6: the High End and Regular estimates, log-likelihoods and projections; the API
(fit on counts or rows, summary, model files, pickling) and input checks."""

import pickle

import numpy as np
import pandas as pd
import pytest

from fastlifetimes import ShiftedBetaGeometricFitter

# % of 1,000 customers active at the start of years 0..12
HIGH_END = [100.0, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1, 46.8, 44.5, 42.7, 40.9, 39.4]
REGULAR = [100.0, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1, 22.3, 20.7, 19.4, 18.3, 17.3]


def survivors(pct, years=7):
    return np.array(pct[: years + 1]) * 10.0


@pytest.mark.parametrize("pct, alpha, beta, ll, projected", [
    (HIGH_END, 0.668, 3.806, -1611.158, [0.4604, 0.4358, 0.4142, 0.3951, 0.3780]),
    (REGULAR, 0.704, 1.182, -1680.265, [0.2201, 0.2044, 0.1912, 0.1799, 0.1700]),
])
def test_paper_estimates_and_projections(pct, alpha, beta, ll, projected):
    sbg = ShiftedBetaGeometricFitter().fit(survivors=survivors(pct))
    assert sbg.params_["alpha"] == pytest.approx(alpha, rel=1e-3)
    assert sbg.params_["beta"] == pytest.approx(beta, rel=1e-3)
    assert sbg.log_likelihood_ == pytest.approx(ll, abs=2e-3)
    np.testing.assert_allclose(sbg.survival_function(np.arange(8, 13)), projected, atol=1e-4)
    # the expected survivors of the 1,000 customers, against the holdout years 8..12
    np.testing.assert_allclose(sbg.expected_survivors(np.arange(8, 13)), 1000 * np.array(projected),
                               atol=0.1)
    assert list(sbg.summary.columns) == ["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]
    assert (sbg.standard_errors_ > 0).all()


def test_ll_at_one_one_and_rows_equal_counts():
    rows = ShiftedBetaGeometricFitter.survivors_to_rows(survivors(HIGH_END))
    sbg = ShiftedBetaGeometricFitter().fit(*rows)
    by_counts = ShiftedBetaGeometricFitter().fit(survivors=survivors(HIGH_END))
    pd.testing.assert_series_equal(sbg.params_, by_counts.params_)
    sbg.params_[:] = [1.0, 1.0]
    assert np.sum(rows[2] * sbg.log_likelihood(rows[0], rows[1])) == pytest.approx(-2115.546, abs=1e-3)


def test_individual_rows_with_bool_flags_and_series():
    # 20 customers churned in year 1, 10 in year 2, 5 still active after 3 years
    duration = pd.Series([1] * 20 + [2] * 10 + [3] * 5, index=[f"c{i}" for i in range(35)])
    alive = pd.Series([False] * 30 + [True] * 5, index=duration.index)
    sbg = ShiftedBetaGeometricFitter().fit(duration, alive)
    same = ShiftedBetaGeometricFitter().fit(survivors=[35, 15, 5, 5])
    np.testing.assert_allclose(sbg.params_, same.params_, rtol=1e-6)
    np.testing.assert_allclose(sbg.standard_errors_, same.standard_errors_, rtol=1e-4)


def test_predictions_identities():
    sbg = ShiftedBetaGeometricFitter().fit(survivors=survivors(REGULAR))
    t = np.arange(1, 30)
    s = sbg.survival_function(t)
    np.testing.assert_allclose(s, np.cumprod(sbg.retention_rate(t)), rtol=1e-12)
    np.testing.assert_allclose(1 - s, np.cumsum(sbg.probability_of_churn(t)), rtol=1e-12)
    assert sbg.survival_function(0) == pytest.approx(1.0)
    assert isinstance(sbg.survival_function(3), float)
    # DERL against the direct discounted sum, for a customer with n - 1 = 4 renewals
    n, d = 5, 0.1
    k = np.arange(0, 3000)
    direct = np.sum(sbg.survival_function(n + k) / sbg.survival_function(n - 1) / (1 + d) ** k)
    assert sbg.discounted_expected_residual_lifetime(d, n) == pytest.approx(direct, rel=1e-9)
    assert np.isinf(sbg.expected_remaining_lifetime(1))  # alpha < 1
    sbg.params_[:] = [3.0, 2.0]
    assert sbg.expected_remaining_lifetime(4) == pytest.approx(5.0 / 2.0)


def test_model_file_and_pickle(tmp_path):
    sbg = ShiftedBetaGeometricFitter().fit(survivors=survivors(HIGH_END))
    se = sbg.standard_errors_
    path = tmp_path / "sbg.json"
    sbg.save_model(path)
    loaded = ShiftedBetaGeometricFitter().load_model(path)
    pd.testing.assert_series_equal(loaded.params_, sbg.params_)
    pd.testing.assert_series_equal(loaded.standard_errors_, se)
    sbg.save_model(path, save_data=False)
    loaded = ShiftedBetaGeometricFitter().load_model(path)
    assert loaded.survival_function(8) == pytest.approx(sbg.survival_function(8))
    clone = pickle.loads(pickle.dumps(sbg))
    pd.testing.assert_series_equal(clone.params_, sbg.params_)
    fresh = ShiftedBetaGeometricFitter().fit(survivors=survivors(HIGH_END))
    fresh.save_model(path)  # uncertainty computed from the reloaded data
    loaded = ShiftedBetaGeometricFitter().load_model(path)
    pd.testing.assert_series_equal(loaded.standard_errors_, se, rtol=1e-8)


def test_input_checks():
    f = ShiftedBetaGeometricFitter()
    with pytest.raises(ValueError, match="non-increasing"):
        f.fit(survivors=[100, 80, 90])
    with pytest.raises(ValueError, match="duration: whole numbers"):
        f.fit([1, 0, 2], [0, 0, 1])
    with pytest.raises(ValueError, match="alive: values other than"):
        f.fit([1, 2], [0, 2])
    with pytest.raises(ValueError, match="alive: expected 3"):
        f.fit([1, 2, 3], [0, 1])
    with pytest.raises(ValueError, match="either survivors"):
        f.fit([1], [0], survivors=[10, 5])
    with pytest.raises(ValueError, match="weights: negative"):
        f.fit([1, 2], [0, 1], weights=[1, -1])
    with pytest.raises(ValueError, match="not been fit"):
        f.survival_function(3)
    f.fit(survivors=survivors(HIGH_END))
    with pytest.raises(ValueError, match="t must be a whole number"):
        f.survival_function(1.5)
    with pytest.raises(ValueError, match="t must be a whole number >= 1"):
        f.retention_rate(0)
    with pytest.raises(ValueError, match="discount_rate"):
        f.discounted_expected_residual_lifetime(0.0)
    with pytest.raises(ValueError):
        f.survival_function(np.nan)
