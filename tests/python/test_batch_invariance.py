"""A customer's prediction does not depend on the batch it comes in: the same bits alone,
first, last or in the middle of a batch. Eigen rounds exp/log differently in whole SIMD
packets and in the elements left over, so without math/elementwise.hpp a portable
(SSE2) build gave a batch of one a different last bit than the same customer in a batch
of six (examples/service compares the two exactly)."""

import numpy as np
import pytest

import fastlifetimes as lifetimes
from fastlifetimes.datasets import load_cdnow_summary

CDNOW = load_cdnow_summary(index_col=[0])
rng = np.random.default_rng(1)
N = 23
X = rng.integers(0, 40, N).astype(float)
T = rng.uniform(1.0, 600.0, N)
T_X = np.where(X > 0, T * rng.uniform(0.0, 1.0, N), 0.0)


@pytest.fixture(scope="module", params=["BetaGeoFitter", "ModifiedBetaGeoFitter", "ParetoNBDFitter"])
def model(request):
    return getattr(lifetimes, request.param)().fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"])


@pytest.mark.parametrize("method", ["conditional_probability_alive",
                                    "conditional_expected_number_of_purchases_up_to_time"])
def test_each_customer_gets_the_same_bits_in_any_batch(model, method):
    def call(lo, hi):
        args = (X[lo:hi], T_X[lo:hi], T[lo:hi])
        if method != "conditional_probability_alive":
            args = (30.0, *args)
        return np.asarray(getattr(model, method)(*args), dtype=float)

    whole = call(0, N)
    for i in range(N):
        for lo, hi in {(i, i + 1), (0, i + 1), (i, N), (max(0, i - 2), min(N, i + 3))}:
            assert call(lo, hi)[i - lo] == whole[i], (i, lo, hi)
