"""Data on which lifetimes' users reported failed fits: millions of customers (precision
loss in its BFGS on the mean likelihood) and very frequent buyers. Ours must converge to
the same estimates as on the small data, and a test keeps it so."""

import numpy as np

from fastlifetimes import BetaGeoFitter
from fastlifetimes.datasets import load_cdnow_summary


def test_cdnow_replicated_to_2_4_million_customers_fits_like_cdnow():
    data = load_cdnow_summary(index_col=[0])
    small = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    repeat = 1000  # 2,357,000 customers, as rows (not weights)
    big = BetaGeoFitter().fit(np.tile(data["frequency"].to_numpy(), repeat),
                              np.tile(data["recency"].to_numpy(), repeat),
                              np.tile(data["T"].to_numpy(), repeat))
    np.testing.assert_allclose(big.params_.values, small.params_.values, rtol=1e-6)
    # the likelihood is the same function, so the standard errors shrink by sqrt(1000)
    np.testing.assert_allclose(big.standard_errors_.values * np.sqrt(repeat),
                               small.standard_errors_.values, rtol=1e-3)


def test_frequencies_up_to_a_thousand():
    rng = np.random.default_rng(11)
    n = 20_000
    T = rng.uniform(50, 100, n).round(2)
    frequency = np.minimum(rng.negative_binomial(0.5, 0.01, n), 1000).astype(float)
    frequency[:50] = 1000  # a few customers at the cap
    recency = np.where(frequency > 0, (T * rng.uniform(0.5, 1.0, n)).round(2), 0.0)
    m = BetaGeoFitter().fit(frequency, recency, T)
    assert np.isfinite(m.params_.values).all() and (m.params_.values > 0).all()
    assert np.isfinite(m.standard_errors_.values).all()
    assert frequency.max() == 1000
