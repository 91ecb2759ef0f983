"""ParetoNBDFitter model files, pickles and threads: what goes in comes back out, bit for
bit; a golden file written by format 1 keeps loading with its exact numbers; fits and
predictions run concurrently (the GIL is released) give the results they give alone.

To (re)write the golden file -- only when adding a new golden file for a new format
version, never to make a failing test pass::

    python tests/python/test_pareto_nbd_model_files.py --write-golden
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

from fastlifetimes import ParetoNBDFitter
from fastlifetimes.datasets import load_cdnow_summary

GOLDEN = Path(__file__).resolve().parent / "golden" / "pareto_nbd_format1.json"

# The numbers stored in the golden file, as written (repr round-trips float64 exactly).
GOLDEN_PARAMS = {
    "r": 0.553275509463575,
    "alpha": 10.57761225672434,
    "s": 0.606213571278301,
    "beta": 11.667911334406794,
}
GOLDEN_LOG_LIKELIHOOD = -9594.973929826863
# Predictions of the golden model for CDNOW customers 1..3 (t = 39 weeks), to 1e-10.
GOLDEN_PREDICT_39 = [1.4551129537774092, 0.17098051735046912, 0.1070597927648122]


def cdnow():
    return load_cdnow_summary(index_col=[0])


def predictions(model, d):
    f, r, T = d["frequency"], d["recency"], d["T"]
    return {
        "predict": model.predict(39, f, r, T).to_numpy(),
        "alive": model.conditional_probability_alive(f, r, T).to_numpy(),
        "pmf": model.conditional_probability_of_n_purchases_up_to_time(2, 39, f, r, T).to_numpy(),
        "expected": model.expected_number_of_purchases_up_to_time(np.arange(10.0)),
        "matrix": model.conditional_probability_alive_matrix(max_frequency=5, max_recency=10),
    }


def assert_same_model(a, b, d):
    assert a.params_.to_dict() == b.params_.to_dict()
    assert list(a.params_.index) == list(b.params_.index)
    assert a.penalizer_coef == b.penalizer_coef
    assert a.log_likelihood_ == b.log_likelihood_
    assert a._negative_log_likelihood_ == b._negative_log_likelihood_
    assert (a.variance_matrix_.to_numpy() == b.variance_matrix_.to_numpy()).all()
    pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)
    pa, pb = predictions(a, d), predictions(b, d)
    for key in pa:
        assert (pa[key] == pb[key]).all(), key


@pytest.mark.parametrize("penalizer_coef, weights", [(0.0, False), (0.1, False), (0.0, True)])
def test_json_round_trip_is_exact(tmp_path, penalizer_coef, weights):
    d = cdnow()
    kwargs = {"weights": np.full(len(d), 3)} if weights else {}
    model = ParetoNBDFitter(penalizer_coef=penalizer_coef).fit(d["frequency"], d["recency"], d["T"],
                                                               index=d.index, **kwargs)
    _ = model.summary  # the variance, computed on first use, goes into the file too
    path = tmp_path / "pnbd.json"
    model.save_model(path)
    document = json.loads(path.read_text())
    assert document["model"] == "ParetoNBDFitter" and document["format_version"] == 1
    loaded = ParetoNBDFitter().load_model(path)
    assert_same_model(model, loaded, d)


def test_a_model_saved_before_its_summary_loads_with_the_same_summary(tmp_path):
    d = cdnow()
    model = ParetoNBDFitter().fit(d["frequency"], d["recency"], d["T"])
    model.save_model(tmp_path / "early.json")
    loaded = ParetoNBDFitter().load_model(tmp_path / "early.json")
    pd.testing.assert_frame_equal(loaded.summary, model.summary, check_exact=True)


@pytest.mark.parametrize("protocol", [2, 5])
def test_pickle_round_trip_is_exact(protocol):
    d = cdnow()
    model = ParetoNBDFitter().fit(d["frequency"], d["recency"], d["T"])
    _ = model.standard_errors_
    again = pickle.loads(pickle.dumps(model, protocol=protocol))
    assert_same_model(model, again, d)


# -- threads ---------------------------------------------------------------------------

def test_concurrent_fits_and_predictions_match_sequential_ones():
    """The C++ core releases the GIL and keeps no shared state: fits and predictions on
    four threads at once give exactly what they give one after another."""
    d = cdnow()
    f, r, T = d["frequency"], d["recency"], d["T"]
    penalizers = [0.0, 0.05, 0.1, 0.0]

    def work(penalizer):
        m = ParetoNBDFitter(penalizer_coef=penalizer).fit(f, r, T)
        return (m.params_.to_numpy(), m.standard_errors_.to_numpy(), m.predict(39, f, r, T).to_numpy(),
                m.conditional_probability_alive(f, r, T).to_numpy())

    alone = [work(p) for p in penalizers]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(work, penalizers))
    for a, b in zip(alone, together):
        for x, y in zip(a, b):
            assert (x == y).all()


# -- golden file ----------------------------------------------------------------------------

def write_golden(path=GOLDEN):
    """The golden file: Pareto/NBD fitted on CDNOW (index: CDNOW's customer ids), with its
    standard errors and data."""
    d = cdnow()
    model = ParetoNBDFitter().fit(d["frequency"], d["recency"], d["T"], index=d.index)
    _ = model.variance_matrix_
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(path)
    return model


def test_golden_file_loads_with_its_exact_numbers():
    document = json.loads(GOLDEN.read_text())
    assert document["format_version"] == 1 and document["model"] == "ParetoNBDFitter"
    assert document["params"] == GOLDEN_PARAMS

    model = ParetoNBDFitter().load_model(GOLDEN)
    assert model.params_.to_dict() == GOLDEN_PARAMS  # bit for bit
    assert list(model.params_.index) == ["r", "alpha", "s", "beta"]
    assert model.log_likelihood_ == GOLDEN_LOG_LIKELIHOOD
    stored = np.array(document["fit"]["variance_matrix"])
    assert (model.variance_matrix_.to_numpy() == stored).all()
    # CLVTools' standard errors on CDNOW (REFERENCE_VALUES.md 2a; 2-dp data here)
    np.testing.assert_allclose(model.standard_errors_.to_numpy(), [0.0476264, 0.8427222, 0.1872594, 6.2105448],
                               rtol=2e-3)

    d = cdnow()
    expected_data = d.assign(weights=np.ones(len(d), dtype=np.int64))
    pd.testing.assert_frame_equal(model.data, expected_data, check_exact=True)
    got = model.predict(39, d["frequency"], d["recency"], d["T"]).iloc[:3].to_numpy()
    np.testing.assert_allclose(got, GOLDEN_PREDICT_39, rtol=1e-10)


def test_golden_file_still_describes_a_fresh_fit():
    """A fit today agrees with the golden numbers (the fit is deterministic; 1e-6 leaves
    room for a different optimiser path on another machine)."""
    model = ParetoNBDFitter().load_model(GOLDEN)
    d = cdnow()
    fresh = ParetoNBDFitter().fit(d["frequency"], d["recency"], d["T"], index=d.index)
    np.testing.assert_allclose(fresh.params_.to_numpy(), model.params_.to_numpy(), rtol=1e-6)
    assert fresh.log_likelihood_ == pytest.approx(model.log_likelihood_, rel=1e-12)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write-golden"]:
        sys.exit(__doc__)
    model = write_golden()
    print(f"wrote {GOLDEN}")
    print("GOLDEN_PARAMS =", {k: float(v) for k, v in model.params_.items()})
    print("GOLDEN_LOG_LIKELIHOOD =", repr(model.log_likelihood_))
    d = cdnow()
    print("GOLDEN_PREDICT_39 =", model.predict(39, d["frequency"], d["recency"], d["T"]).iloc[:3].tolist())
