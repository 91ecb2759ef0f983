"""``generate_new_data`` of the fitted transaction models.

lifetimes' ``fit`` attaches ``generate_new_data(size=1)``, which simulates customers from
the fitted parameters, each observed as long as the fitted customer at the same position
(BG/BB: the n_periods of the rows, repeated by their weights; lifetimes' BG/BB version
raises TypeError, ours works). Ours is a property with the
same behaviour plus a ``seed``; it is absent before ``fit`` and on Gamma-Gamma, as in
lifetimes, and fitted models stay picklable without dill.
"""

import pickle

import numpy as np
import pandas as pd
import pytest

import fastlifetimes as fl
from fastlifetimes.datasets import load_cdnow_summary, load_donations
from lifetimes_reference import run_lifetimes

TRANSACTION_MODELS = {
    "BetaGeoFitter": ("lambda", "p"),
    "ModifiedBetaGeoFitter": ("lambda", "p"),
    "ParetoNBDFitter": ("lambda", "mu"),
}


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_summary()


@pytest.fixture(scope="module")
def donations():
    return load_donations()


@pytest.fixture(scope="module")
def lifetimes_layout(cdnow, donations):
    """Columns, index and shape of lifetimes' generate_new_data for each model."""
    return run_lifetimes(
        """
        import lifetimes
        np.random.seed(3)
        for name in ["BetaGeoFitter", "ModifiedBetaGeoFitter", "ParetoNBDFitter"]:
            model = getattr(lifetimes, name)().fit(frequency, recency, T)
            sim = model.generate_new_data(size=7)
            out[name] = [list(sim.columns), str(sim.index.dtype), sim.index.name, list(sim.shape),
                         sim["T"].to_numpy()]
            out[name + "_unfitted"] = hasattr(getattr(lifetimes, name)(), "generate_new_data")
        model = lifetimes.BetaGeoBetaBinomFitter().fit(x, t_x, n, w)
        try:
            model.generate_new_data(size=7)
            out["bgbb_broken"] = False
        except TypeError:  # sum() of lists from an int start
            out["bgbb_broken"] = True
        # what its generate_new_data means: the simulator over the rows repeated by weight
        sim = lifetimes.generate_data.beta_geometric_beta_binom_model(
            np.repeat(n, w)[:7], *model._unload_params("alpha", "beta", "gamma", "delta"), size=7)
        out["BetaGeoBetaBinomFitter"] = [list(sim.columns), str(sim.index.dtype), sim.index.name,
                                         list(sim.shape), sim["n_periods"].to_numpy()]
        out["GammaGammaFitter"] = hasattr(lifetimes.GammaGammaFitter(), "generate_new_data")
        """,
        frequency=cdnow["frequency"].to_numpy(), recency=cdnow["recency"].to_numpy(),
        T=cdnow["T"].to_numpy(), x=donations["frequency"].to_numpy(),
        t_x=donations["recency"].to_numpy(), n=donations["periods"].to_numpy(),
        w=donations["weights"].to_numpy(),
    )


@pytest.mark.parametrize("name", sorted(TRANSACTION_MODELS))
def test_layout_and_horizons_as_lifetimes(name, cdnow, lifetimes_layout):
    model = getattr(fl, name)().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    sim = model.generate_new_data(size=7)
    columns, index_dtype, index_name, shape, horizons = lifetimes_layout[name]
    assert list(sim.columns) == columns
    assert (str(sim.index.dtype), sim.index.name, list(sim.shape)) == (index_dtype, index_name, shape)
    np.testing.assert_array_equal(sim["T"].to_numpy(), horizons)
    assert hasattr(getattr(fl, name)(), "generate_new_data") is lifetimes_layout[name + "_unfitted"] is False


def test_bgbb_layout_repeats_rows_by_weight(donations, lifetimes_layout):
    """lifetimes' BG/BB generate_new_data always raises TypeError (it sums lists starting
    from 0); ours returns what it was written to: the simulator over the fitted rows, each
    repeated by its weight."""
    assert lifetimes_layout["bgbb_broken"]
    model = fl.BetaGeoBetaBinomFitter().fit(donations["frequency"], donations["recency"],
                                            donations["periods"], donations["weights"])
    sim = model.generate_new_data(size=7)
    columns, index_dtype, index_name, shape, horizons = lifetimes_layout["BetaGeoBetaBinomFitter"]
    assert list(sim.columns) == columns
    assert (str(sim.index.dtype), list(sim.shape)) == (index_dtype, shape)
    np.testing.assert_array_equal(sim["n_periods"].to_numpy(), horizons)
    assert len(model.generate_new_data(size=int(donations["weights"].sum()), seed=1)) == 11104


def test_gamma_gamma_has_none(lifetimes_layout):
    assert hasattr(fl.GammaGammaFitter(), "generate_new_data") is lifetimes_layout["GammaGammaFitter"] is False


@pytest.mark.parametrize("name", sorted(TRANSACTION_MODELS))
def test_simulated_customers_follow_the_fit(name, cdnow):
    """A base as large as CDNOW's, simulated from the fit, has CDNOW's mean frequency
    within 4 standard errors (the model reproduces the first moment it was fitted on)."""
    model = getattr(fl, name)().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    draws = [model.generate_new_data(size=len(cdnow), seed=s)["frequency"].mean() for s in range(20)]
    spread = np.std(draws, ddof=1)
    assert abs(np.mean(draws) - cdnow["frequency"].mean()) < 4 * spread / np.sqrt(20) + 0.05
    pd.testing.assert_frame_equal(model.generate_new_data(size=50, seed=5),
                                  model.generate_new_data(size=50, seed=5))


def test_survives_pickle_and_needs_the_data(cdnow, tmp_path):
    model = fl.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    copy = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(copy.generate_new_data(size=10, seed=2),
                                  model.generate_new_data(size=10, seed=2))
    with pytest.raises(ValueError, match="size: at most 2357"):
        model.generate_new_data(size=2358)
    model.save_model(tmp_path / "m.json", save_data=False)
    loaded = fl.BetaGeoFitter()
    loaded.load_model(tmp_path / "m.json")
    with pytest.raises(ValueError, match="save_data=False"):
        loaded.generate_new_data(size=3)
