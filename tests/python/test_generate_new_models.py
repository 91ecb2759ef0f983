"""Simulators for the models beyond lifetimes (fastlifetimes.generate_data) and the fitters'
generate_new_data: data simulated at known parameters and refitted give those parameters
back within a few standard errors; the layout is lifetimes' (float columns, customer_id).

lifetimes 0.11.3 has none of these models or predictions, so there is nothing to compare with
there; the references are the closed forms, limits and simulations below."""

import warnings

import numpy as np
import pandas as pd
import pytest

import fastlifetimes as lifetimes
from fastlifetimes import generate_data

N = 5000

# (simulate, fit, true parameters)
CASES = {
    "nbd": (lambda seed: generate_data.nbd_model(52.0, 0.5, 5.0, size=N, seed=seed),
            lambda d: lifetimes.NBDFitter().fit(d["frequency"], d["recency"], d["T"]),
            [0.5, 5.0]),
    "bg_cnbd_2": (lambda seed: generate_data.beta_geometric_cnbd_model(52.0, 2, 0.8, 5.0, 0.8, 2.5, size=N,
                                                                      seed=seed),
                  lambda d: lifetimes.BetaGeoCNBDFitter(k=2).fit(d["frequency"], d["recency"], d["T"],
                                                                 litt=d["litt"]),
                  [0.8, 5.0, 0.8, 2.5]),
    "mbg_cnbd_3": (lambda seed: generate_data.modified_beta_geometric_cnbd_model(52.0, 3, 0.8, 5.0, 0.8, 2.5,
                                                                                size=N, seed=seed),
                   lambda d: lifetimes.ModifiedBetaGeoCNBDFitter(k=3).fit(d["frequency"], d["recency"], d["T"],
                                                                          litt=d["litt"]),
                   [0.8, 5.0, 0.8, 2.5]),
    "ggompertz_nbd": (lambda seed: generate_data.ggompertz_nbd_model(104.0, 0.6, 8.0, 0.05, 0.6, 0.5, size=N,
                                                                     seed=seed),
                      lambda d: lifetimes.GGompertzNBDFitter().fit(d["frequency"], d["recency"], d["T"]),
                      [0.6, 8.0, 0.05, 0.6, 0.5]),
    "sbg": (lambda seed: generate_data.shifted_beta_geometric_model(8, 0.7, 3.8, size=N, seed=seed),
            lambda d: lifetimes.ShiftedBetaGeometricFitter().fit(d["duration"], d["alive"]),
            [0.7, 3.8]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_refitting_simulated_data_gives_the_parameters_back(case):
    simulate, fit, truth = CASES[case]
    data = simulate(13)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a BoundaryWarning would itself be a failure below
        model = fit(data)
    z = (model.params_.to_numpy() - np.array(truth)) / model.standard_errors_.to_numpy()
    assert (np.abs(z) < 4).all(), dict(zip(model.params_.index, z.round(2)))
    # the fitted model simulates customers like those it was fitted on, reproducibly
    again = model.generate_new_data(size=10, seed=1)
    assert list(again.columns) == list(data.columns) and len(again) == 10
    assert again.equals(model.generate_new_data(size=10, seed=1))
    assert again.index.name == "customer_id" and again.index.dtype == np.float64


def test_cnbd_k_1_simulates_bgnbd_customers():
    # BG/NBD's expected purchases; the share alive as lifetimes' BG/NBD simulator has it (whose
    # frequency counts distinct whole periods, as lifetimes' does, so is not compared)
    a = generate_data.beta_geometric_cnbd_model(39.0, 1, 0.5, 4.0, 0.8, 2.4, size=40_000, seed=3)
    b = generate_data.beta_geometric_nbd_model(39.0, 0.5, 4.0, 0.8, 2.4, size=40_000, seed=3)
    bgf = lifetimes.BetaGeoFitter()
    bgf.params_ = pd.Series([0.5, 4.0, 0.8, 2.4], index=["r", "alpha", "a", "b"])
    expected = bgf.expected_number_of_purchases_up_to_time(39.0)
    assert a["frequency"].mean() == pytest.approx(expected, abs=4 * a["frequency"].std() / 200)
    assert a["alive"].mean() == pytest.approx(b["alive"].mean(), abs=0.01)


def test_simulated_frequencies_match_the_expected_purchases():
    model = lifetimes.ModifiedBetaGeoCNBDFitter(k=2)
    model.params_ = pd.Series([0.8, 5.0, 0.8, 2.5], index=["r", "alpha", "a", "b"])
    data = generate_data.modified_beta_geometric_cnbd_model(30.0, 2, 0.8, 5.0, 0.8, 2.5, size=40_000, seed=4)
    expected = model.expected_number_of_purchases_up_to_time(30.0)
    assert data["frequency"].mean() == pytest.approx(expected, abs=4 * data["frequency"].std() / 200)


@pytest.mark.parametrize("call, message", [
    (lambda: generate_data.beta_geometric_cnbd_model(10.0, 0, 1.0, 1.0, 1.0, 1.0), "k: "),
    (lambda: generate_data.nbd_model(-1.0, 1.0, 1.0), "T: "),
    (lambda: generate_data.ggompertz_nbd_model(10.0, 1.0, 1.0, -0.1, 1.0, 1.0), "b: "),
    (lambda: generate_data.shifted_beta_geometric_model(2.5, 1.0, 1.0), "n_periods: "),
    (lambda: generate_data.nbd_model(10.0, 1.0, 1.0, size=-1), "size: "),
])
def test_bad_arguments_are_refused_by_name(call, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        call()
