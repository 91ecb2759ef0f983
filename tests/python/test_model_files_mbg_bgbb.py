"""Model files and pickles of ModifiedBetaGeoFitter and BetaGeoBetaBinomFitter: what goes
in comes back out, bit for bit. Golden files written by format 1
(``golden/mbgnbd_format1.json``, without data; ``golden/bgbb_format1.json``, the donations
with data) must keep loading with exactly their stored numbers. To (re)write them -- only
for a new format version, never to make a failing test pass::

    python tests/python/test_model_files_mbg_bgbb.py --write-golden
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fastlifetimes import BetaGeoBetaBinomFitter, ModifiedBetaGeoFitter
from fastlifetimes.datasets import load_cdnow_summary, load_donations

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN_MBG = GOLDEN_DIR / "mbgnbd_format1.json"
GOLDEN_BGBB = GOLDEN_DIR / "bgbb_format1.json"

# The numbers stored in the golden files, as written (repr round-trips float64 exactly).
GOLDEN_MBG_PARAMS = {
    "r": 0.5248380534881238,
    "alpha": 6.182992797706206,
    "a": 0.8913559917903092,
    "b": 1.6139988879793414,
}
GOLDEN_BGBB_PARAMS = {
    "alpha": 1.2035223505780601,
    "beta": 0.7497163581064029,
    "gamma": 0.6567181830423525,
    "delta": 2.7834421037405734,
}
GOLDEN_BGBB_LOG_LIKELIHOOD = -33225.581274347016


def cdnow():
    return load_cdnow_summary(index_col=[0])


def donations():
    return load_donations()


def fit_mbg(penalizer_coef=0.01):
    d = cdnow()
    return ModifiedBetaGeoFitter(penalizer_coef).fit(d["frequency"], d["recency"], d["T"],
                                                     index=("customer-" + d.index.astype(str)).rename("customer"))


def fit_bgbb(penalizer_coef=0.001):
    d = donations()
    return BetaGeoBetaBinomFitter(penalizer_coef).fit(d["frequency"], d["recency"], d["periods"],
                                                      weights=d["weights"])


MODELS = {"mbg": (fit_mbg, ModifiedBetaGeoFitter), "bgbb": (fit_bgbb, BetaGeoBetaBinomFitter)}


def predictions(model, data=True):
    """Every prediction of the model, as a dict (without those that need the data)."""
    if isinstance(model, ModifiedBetaGeoFitter):
        d = cdnow()
        x, t_x, T = d["frequency"], d["recency"], d["T"]
        t = np.array([0.0, 1.0, 10.0, 39.0, 1000.0])
        return {
            "conditional_expected": model.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T),
            "predict": model.predict(10.5, x.to_numpy(), t_x.to_numpy(), T.to_numpy()),
            "alive": model.conditional_probability_alive(x, t_x, T),
            "alive_matrix": model.conditional_probability_alive_matrix(20, 40),
            "expected": model.expected_number_of_purchases_up_to_time(t),
            "probability_of_n": model.probability_of_n_purchases_up_to_time(t[:, None], np.arange(6.0)),
        }
    d = donations()
    x, t_x, n = d["frequency"], d["recency"], d["periods"]
    out = {
        "conditional_expected": model.conditional_expected_number_of_purchases_up_to_time(5, x, t_x, n),
        "alive": model.conditional_probability_alive(1, x, t_x, n),
        "scalar": model.conditional_probability_alive(1, 2, 4, 6),
    }
    if data:
        out["first_n"] = model.expected_number_of_transactions_in_first_n_periods(6)
    return out


def assert_same_model(a, b, data=True):
    assert type(a) is type(b)
    assert (a.params_ == b.params_).all() and list(a.params_.index) == list(b.params_.index)
    assert a.penalizer_coef == b.penalizer_coef
    assert a.log_likelihood_ == b.log_likelihood_
    assert (a.variance_matrix_.to_numpy() == b.variance_matrix_.to_numpy()).all()
    assert a.summary.equals(b.summary)
    if data:
        pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)
        assert repr(a) == repr(b)
    pa, pb = predictions(a, data), predictions(b, data)
    assert pa.keys() == pb.keys()
    for name in pa:
        assert type(pa[name]) is type(pb[name]), name
        if isinstance(pa[name], pd.DataFrame):
            pd.testing.assert_frame_equal(pa[name], pb[name], check_exact=True)
        else:
            assert np.array_equal(np.asarray(pa[name]), np.asarray(pb[name])), name


@pytest.mark.parametrize("kind", MODELS)
def test_json_round_trip_is_exact(tmp_path, kind):
    make, cls = MODELS[kind]
    model = make()
    path = tmp_path / "model.json"
    model.save_model(path)
    document = json.loads(path.read_text())
    assert document["model"] == cls.__name__ and document["params"] == model.params_.to_dict()
    loaded = cls().load_model(path)
    assert_same_model(loaded, model)
    loaded.save_model(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == path.read_text()


@pytest.mark.parametrize("kind", MODELS)
def test_save_data_false_keeps_parameters_uncertainty_and_predictions(tmp_path, kind):
    make, cls = MODELS[kind]
    model = make()
    model.save_model(tmp_path / "m.json", save_data=False)
    loaded = cls().load_model(tmp_path / "m.json")
    assert loaded.data is None
    assert_same_model(loaded, model, data=False)


@pytest.mark.parametrize("kind", MODELS)
@pytest.mark.parametrize("touched", [False, True], ids=["fresh", "after-summary"])
def test_pickle_round_trip_is_exact(kind, touched):
    make, cls = MODELS[kind]
    model = make()
    if touched:
        _ = model.summary, model.data
    copy = pickle.loads(pickle.dumps(model, protocol=5))
    assert_same_model(copy, model)
    assert sorted(vars(copy)) == sorted(vars(model))
    unfitted = pickle.loads(pickle.dumps(cls(penalizer_coef=0.5)))
    assert unfitted.penalizer_coef == 0.5 and not hasattr(unfitted, "params_")


# -- golden files ---------------------------------------------------------------------------

def write_golden():
    d = cdnow()
    mbg = ModifiedBetaGeoFitter().fit(d["frequency"], d["recency"], d["T"], index=d.index)
    _ = mbg.summary  # store the variance
    mbg.save_model(GOLDEN_MBG, save_data=False)
    bgbb = fit_bgbb(0.0)
    _ = bgbb.summary
    bgbb.save_model(GOLDEN_BGBB)
    return mbg, bgbb


def test_golden_mbg_file_loads_with_its_exact_numbers():
    document = json.loads(GOLDEN_MBG.read_text())
    assert document["format_version"] == 1 and document["model"] == "ModifiedBetaGeoFitter"
    model = ModifiedBetaGeoFitter().load_model(GOLDEN_MBG)
    assert model.params_.to_dict() == GOLDEN_MBG_PARAMS
    assert model.data is None
    assert (model.variance_matrix_.to_numpy() == np.array(document["fit"]["variance_matrix"])).all()
    # today's fit agrees to optimiser tolerance
    d = cdnow()
    fresh = ModifiedBetaGeoFitter().fit(d["frequency"], d["recency"], d["T"])
    np.testing.assert_allclose(fresh.params_.to_numpy(), model.params_.to_numpy(), rtol=1e-5)


def test_golden_bgbb_file_loads_with_its_exact_numbers():
    document = json.loads(GOLDEN_BGBB.read_text())
    assert document["format_version"] == 1 and document["model"] == "BetaGeoBetaBinomFitter"
    model = BetaGeoBetaBinomFitter().load_model(GOLDEN_BGBB)
    assert model.params_.to_dict() == GOLDEN_BGBB_PARAMS
    assert list(model.params_.index) == ["alpha", "beta", "gamma", "delta"]
    assert model.log_likelihood_ == GOLDEN_BGBB_LOG_LIKELIHOOD
    d = donations()
    expected = pd.DataFrame({"frequency": d["frequency"], "recency": d["recency"], "n_periods": d["periods"],
                             "weights": d["weights"]})
    pd.testing.assert_frame_equal(model.data, expected, check_exact=True)
    table = model.expected_number_of_transactions_in_first_n_periods(6)["model"]
    np.testing.assert_allclose(table.to_numpy()[[0, 6]], [3454.9, 1253.1], atol=0.05)  # Hardie's sheet
    fresh = fit_bgbb(0.0)
    np.testing.assert_allclose(fresh.params_.to_numpy(), model.params_.to_numpy(), rtol=1e-5)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write-golden"]:
        sys.exit(__doc__)
    mbg, bgbb = write_golden()
    print(f"wrote {GOLDEN_MBG} and {GOLDEN_BGBB}")
    print("GOLDEN_MBG_PARAMS =", {k: float(v) for k, v in mbg.params_.items()})
    print("GOLDEN_BGBB_PARAMS =", {k: float(v) for k, v in bgbb.params_.items()})
    print("GOLDEN_BGBB_LOG_LIKELIHOOD =", repr(bgbb.log_likelihood_))
