"""Fits and predictions of MBG/NBD and BG/BB release the GIL and keep no global state:
run from several threads at once, they give exactly what they give one at a time."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from fastlifetimes import BetaGeoBetaBinomFitter, ModifiedBetaGeoFitter
from fastlifetimes.datasets import load_cdnow_summary, load_donations
from synthetic import bgbb_customers, mbgnbd_customers


def mbg_job(seed):
    d = mbgnbd_customers(60_000, seed=seed)
    m = ModifiedBetaGeoFitter(penalizer_coef=0.001 * (seed % 3)).fit(d["frequency"], d["recency"], d["T"])
    return (m.params_.to_numpy(), m.predict(10, d["frequency"], d["recency"], d["T"]).to_numpy(),
            m.conditional_probability_alive(d["frequency"], d["recency"], d["T"]))


def bgbb_job(seed):
    d = bgbb_customers(60_000, seed=seed)
    m = BetaGeoBetaBinomFitter(penalizer_coef=0.001 * (seed % 3)).fit(d["frequency"], d["recency"], d["n_periods"])
    return (m.params_.to_numpy(),
            m.conditional_expected_number_of_purchases_up_to_time(5, d["frequency"], d["recency"],
                                                                  d["n_periods"]).to_numpy(),
            m.conditional_probability_alive(1, d["frequency"], d["recency"], d["n_periods"]).to_numpy(),
            m.expected_number_of_transactions_in_first_n_periods(12)["model"].to_numpy())


def test_concurrent_calls_equal_serial_ones():
    seeds = [11, 12, 13, 14]
    jobs = [(mbg_job, s) for s in seeds] + [(bgbb_job, s) for s in seeds]
    serial = [job(seed) for job, seed in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(lambda js: js[0](js[1]), jobs))
    for one, other in zip(serial, concurrent):
        for a, b in zip(one, other):
            assert np.array_equal(a, b)


def test_one_model_predicts_from_many_threads():
    cdnow, donations = load_cdnow_summary(), load_donations()
    mbg = ModifiedBetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    bgbb = BetaGeoBetaBinomFitter().fit(donations["frequency"], donations["recency"], donations["periods"],
                                        weights=donations["weights"])
    x, t_x, T = (np.tile(cdnow[c].to_numpy(), 50) for c in ("frequency", "recency", "T"))

    def predict(t):
        return (mbg.predict(t, x, t_x, T),
                bgbb.conditional_probability_alive(t % 7, donations["frequency"], donations["recency"],
                                                   donations["periods"]).to_numpy())

    horizons = list(range(1, 17))
    serial = [predict(t) for t in horizons]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(predict, horizons))
    for one, other in zip(serial, concurrent):
        for a, b in zip(one, other):
            assert np.array_equal(a, b)
