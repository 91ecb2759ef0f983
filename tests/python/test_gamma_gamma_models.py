"""GammaGammaFitter model files and pickles (exact round trips; a golden file of format 1
keeps loading), the deferred uncertainty, and fits from several threads.

To (re)write the golden file -- only when adding one for a new format version::

    python tests/python/test_gamma_gamma_models.py --write-golden
"""

from __future__ import annotations

import json
import pickle
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fastlifetimes import GammaGammaFitter
from fastlifetimes.datasets import load_cdnow_summary_data_with_monetary_value

GOLDEN = Path(__file__).resolve().parent / "golden" / "gamma_gamma_format1.json"
GOLDEN_PARAMS = {"p": 6.248802845432671, "q": 3.744588436957714, "v": 15.447746959279613}


def spend():
    d = load_cdnow_summary_data_with_monetary_value()
    return d[d["frequency"] > 0]


def fit(penalizer_coef=0.0, **kwargs):
    d = spend()
    return GammaGammaFitter(penalizer_coef).fit(d["frequency"], d["monetary_value"], **kwargs)


def assert_same_model(a, b, data=True):
    assert type(a) is type(b)
    assert (a.params_ == b.params_).all() and list(a.params_.index) == ["p", "q", "v"]
    assert a.penalizer_coef == b.penalizer_coef and a.log_likelihood_ == b.log_likelihood_
    assert (a.variance_matrix_.to_numpy() == b.variance_matrix_.to_numpy()).all()
    assert a.summary.equals(b.summary)
    if data:
        pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)
    d = load_cdnow_summary_data_with_monetary_value()
    pa = a.conditional_expected_average_profit(d["frequency"], d["monetary_value"])
    pb = b.conditional_expected_average_profit(d["frequency"], d["monetary_value"])
    assert pa.equals(pb)


@pytest.mark.parametrize("kwargs", [{}, {"penalizer_coef": 0.01, "index": spend().index},
                                    {"weights": np.full(946, 3)}])
def test_json_round_trip_is_exact(tmp_path, kwargs):
    model = fit(**kwargs)
    path = tmp_path / "gg.json"
    model.save_model(path)
    loaded = GammaGammaFitter().load_model(path)
    assert_same_model(loaded, model)
    loaded.save_model(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == path.read_text()
    document = json.loads(path.read_text())
    assert document["model"] == "GammaGammaFitter" and document["fit"]["time_scale"] is None


def test_a_bg_nbd_file_is_refused(tmp_path):
    from fastlifetimes import BetaGeoFitter
    from fastlifetimes.datasets import load_cdnow_summary

    d = load_cdnow_summary()
    BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"]).save_model(tmp_path / "bg.json")
    with pytest.raises(ValueError, match="not a GammaGammaFitter"):
        GammaGammaFitter().load_model(tmp_path / "bg.json")


@pytest.mark.parametrize("touched", [False, True])
def test_pickle_round_trip_is_exact(touched):
    model = fit(0.001)
    if touched:
        _ = model.summary, model.data
    copy = pickle.loads(pickle.dumps(model, protocol=5))
    assert_same_model(copy, model)


def test_uncertainty_is_computed_on_first_use_from_the_fitted_data():
    model = fit()
    assert "_hessian_" not in vars(model)
    se = model.standard_errors_
    # lifetimes' documentation: se(coef) 1.189687, 0.290166, 4.159994 on this data
    np.testing.assert_allclose(se.values, [1.189687, 0.290166, 4.159994], rtol=1e-5)


def test_golden_file_of_format_1_loads_with_its_numbers():
    model = GammaGammaFitter().load_model(GOLDEN)
    assert model.params_.to_dict() == GOLDEN_PARAMS
    assert model.conditional_expected_average_profit(2, 22.35) == pytest.approx(24.658616023, rel=1e-10)
    assert model.summary.shape == (3, 4)


def test_fits_on_several_threads_equal_the_serial_ones():
    penalizers = [0.0, 0.001, 0.01, 0.1] * 2
    d = spend()
    big_x = np.tile(d["frequency"].to_numpy(), 150)  # 141,900 rows: the two-thread objective
    big_m = np.tile(d["monetary_value"].to_numpy(), 150)

    def job(c):
        small = GammaGammaFitter(c).fit(d["frequency"], d["monetary_value"]).params_.to_numpy()
        big = GammaGammaFitter(c).fit(big_x, big_m).params_.to_numpy()
        return small, big

    serial = [job(c) for c in penalizers]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(job, penalizers))
    for (a1, b1), (a2, b2) in zip(serial, parallel):
        assert np.array_equal(a1, a2) and np.array_equal(b1, b2)
    # the same customers 150 times over: the same mean objective, the same optimum
    np.testing.assert_allclose(serial[0][1], serial[0][0], rtol=1e-6)


if __name__ == "__main__" and sys.argv[1:] == ["--write-golden"]:
    model = fit()
    assert model.params_.to_dict() == GOLDEN_PARAMS, model.params_.to_dict()
    _ = model.summary
    model.save_model(GOLDEN, save_data=False)
    print("wrote", GOLDEN)
