"""sBG: the chance that a customer active at the start of period n is still active t periods
later, on Fader & Hardie's (2007) High End cohort.

lifetimes 0.11.3 has none of these models or predictions, so there is nothing to compare with
there; the references are the closed forms, limits and simulations below."""

import numpy as np
import pandas as pd
import pytest

from fastlifetimes import ShiftedBetaGeometricFitter

HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]  # Table 1, years 0-7


@pytest.fixture(scope="module")
def sbg():
    return ShiftedBetaGeometricFitter().fit(survivors=HIGH_END)


def test_it_is_the_survival_ratio_and_the_product_of_retention_rates(sbg):
    for n in (0, 1, 7):
        for t in (0, 1, 5):
            ratio = sbg.survival_function(n + t) / sbg.survival_function(n)
            product = np.prod([sbg.retention_rate(i) for i in range(n + 1, n + t + 1)])
            value = sbg.conditional_probability_alive_in_future(t, n)
            assert value == pytest.approx(ratio, rel=1e-13)
            assert value == pytest.approx(product, rel=1e-13)
    assert sbg.conditional_probability_alive_in_future(0, 3) == 1.0


def test_arrays_series_and_long_tenures(sbg):
    n = pd.Series([0, 10, 10**6], index=["a", "b", "c"])
    out = sbg.conditional_probability_alive_in_future(1, n)
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b", "c"]
    # retention rises with tenure towards 1: the survivors are the loyal ones
    assert out["a"] < out["b"] < out["c"] < 1.0
    alpha, beta = sbg.params_
    assert out["c"] == pytest.approx((beta + 10**6) / (alpha + beta + 10**6), rel=1e-8)


@pytest.mark.parametrize("t, n, name", [(-1, 2, "t"), (1.5, 2, "t"), (1, -2, "n"), (1, np.nan, "n")])
def test_bad_periods_are_refused_by_name(sbg, t, n, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        sbg.conditional_probability_alive_in_future(t, n)
