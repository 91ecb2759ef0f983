"""Fits and predictions release the GIL and give the same results from several threads."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from fastlifetimes import BetaGeoFitter, _core
from fastlifetimes.datasets import load_cdnow_summary
from synthetic import bgnbd_customers


def test_concurrent_fits_and_predictions_equal_the_serial_ones():
    data = load_cdnow_summary(index_col=[0])
    f, r, T = data["frequency"], data["recency"], data["T"]
    penalizers = [0.0, 0.001, 0.01, 0.1] * 2

    def job(c):
        m = BetaGeoFitter(penalizer_coef=c).fit(f, r, T)
        return (m.params_.values.copy(), m.predict(30, f, r, T).values,
                m.conditional_probability_alive(f, r, T))

    serial = [job(c) for c in penalizers]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(job, penalizers))
    for (p1, e1, a1), (p2, e2, a2) in zip(serial, parallel):
        assert np.array_equal(p1, p2) and np.array_equal(e1, e2) and np.array_equal(a1, a2)


def test_a_long_prediction_lets_other_python_threads_run():
    data = bgnbd_customers(300_000)
    x, t_x, T = (np.tile(data[c].to_numpy(), 4) for c in ("frequency", "recency", "T"))
    m = BetaGeoFitter()
    m.params_ = BetaGeoFitter().fit(data["frequency"][:20000], data["recency"][:20000], data["T"][:20000]).params_
    ticks = 0
    stop = threading.Event()

    def count():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        t = np.arange(x.size) % 90 + 1.0  # many distinct horizons: a long call
        params = m.params_.to_numpy()
        during = 0
        for _ in range(3):
            before = ticks
            # the compiled call alone, so that no Python code runs between the two reads
            _core.bgnbd_conditional_expected_number_of_purchases_up_to_time(params, t, x, t_x, T)
            during += ticks - before
    finally:
        stop.set()
        counter.join()
    # with the GIL held for the whole compiled call the counter could not run at all
    # between the two reads
    assert during > 1000
