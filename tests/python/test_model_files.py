"""Model files and pickles: what goes in comes back out, bit for bit; bad files are refused.

``save_model`` writes a versioned JSON document and ``load_model`` reads it into a fitter
(lifetimes' API, without lifetimes' pickles). A golden file written by format 1,
``golden/bgnbd_format1.json``, must keep loading with exactly its stored numbers, so
later versions of the format stay able to read it. To (re)write it -- only when adding
a new golden file for a new format version, never to make a failing test pass::

    python tests/python/test_model_files.py --write-golden
"""

from __future__ import annotations

import json
import pickle
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fastlifetimes import BetaGeoFitter, _core
from fastlifetimes.datasets import load_cdnow_summary

GOLDEN = Path(__file__).resolve().parent / "golden" / "bgnbd_format1.json"

# The numbers stored in the golden file, as written (repr round-trips float64 exactly).
GOLDEN_PARAMS = {
    "r": 0.2425929144474349,
    "alpha": 4.413531803544136,
    "a": 0.7928859919635445,
    "b": 2.4257530330984065,
}
GOLDEN_LOG_LIKELIHOOD = -9582.425560567362
# Predictions of the golden model for CDNOW customers 1..3 (t = 39 weeks), to 1e-10:
# they depend on the special functions too, so only approximately pinned.
GOLDEN_PREDICT_39 = [1.2259104983692863, 0.20325065676966178, 0.19478085246886162]


def cdnow():
    return load_cdnow_summary(index_col=[0])


def fit_cdnow(index_kind="int", penalizer_coef=0.0, weights=False):
    """BG/NBD on CDNOW; ``index_kind`` picks the index of ``data``."""
    d = cdnow()
    kwargs = {}
    if index_kind == "string":
        kwargs["index"] = ("customer-" + d.index.astype(str)).rename("customer")
    elif index_kind == "int":
        kwargs["index"] = d.index
    elif index_kind != "range":
        raise ValueError(index_kind)
    if weights:  # the same customers, each counted twice
        kwargs["weights"] = np.full(len(d), 2)
    return BetaGeoFitter(penalizer_coef=penalizer_coef).fit(d["frequency"], d["recency"], d["T"], **kwargs)


def predictions(model):
    """Every prediction on CDNOW's histories (and a few grids), as a dict of arrays."""
    d = cdnow()
    x, t_x, T = d["frequency"], d["recency"], d["T"]
    t = np.array([0.0, 1.0, 10.0, 39.0, 52.0, 1000.0])
    return {
        "conditional_expected": model.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T),
        "predict": model.predict(10.5, x.to_numpy(), t_x.to_numpy(), T.to_numpy()),
        "alive": model.conditional_probability_alive(x, t_x, T),
        "alive_matrix": model.conditional_probability_alive_matrix(20, 40),
        "expected": model.expected_number_of_purchases_up_to_time(t),
        "probability_of_n": model.probability_of_n_purchases_up_to_time(t[:, None], np.arange(6.0)),
        "scalar": model.predict(5, 2, 30.43, 38.86),
    }


def assert_same_predictions(a, b):
    pa, pb = predictions(a), predictions(b)
    for name in pa:
        assert type(pa[name]) is type(pb[name]), name
        if isinstance(pa[name], pd.Series):
            assert pa[name].index.equals(pb[name].index), name
        assert np.array_equal(np.asarray(pa[name]), np.asarray(pb[name])), name  # exact, no tolerance
        assert (np.asarray(pa[name]) == np.asarray(pb[name])).all(), name


def assert_same_model(a, b, data=True):
    assert type(a) is type(b)
    assert (a.params_ == b.params_).all() and list(a.params_.index) == list(b.params_.index)
    assert a.penalizer_coef == b.penalizer_coef
    assert a.log_likelihood_ == b.log_likelihood_
    assert (a.variance_matrix_.to_numpy() == b.variance_matrix_.to_numpy()).all()
    assert a.variance_matrix_.index.equals(b.variance_matrix_.index)
    assert (a.standard_errors_ == b.standard_errors_).all()
    assert a.summary.equals(b.summary) and list(a.summary.columns) == list(b.summary.columns)
    if data:
        # exact values, dtypes and names; a RangeIndex not starting at 0 (pandas 3 reads
        # CDNOW's ids 1..2357 as one) comes back as an equal Index of int64
        pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)
        assert a.data.index.name == b.data.index.name
    assert repr(a) == repr(b) if data else True
    assert_same_predictions(a, b)


def save(model, path, **kwargs):
    model.save_model(path, **kwargs)
    return path


# -- JSON round trip ------------------------------------------------------------------------

@pytest.mark.parametrize("index_kind, penalizer_coef, weights", [
    ("string", 0.0, False),
    ("range", 0.0, False),
    ("int", 0.01, False),
    ("string", 0.001, True),
])
def test_json_round_trip_is_exact(tmp_path, index_kind, penalizer_coef, weights):
    model = fit_cdnow(index_kind, penalizer_coef, weights)
    path = save(model, tmp_path / "model.json")
    loaded = BetaGeoFitter().load_model(path)
    assert_same_model(loaded, model)
    if index_kind == "range":
        assert isinstance(loaded.data.index, pd.RangeIndex)
    if index_kind == "string":
        assert loaded.data.index[0] == "customer-1" and loaded.data.index.name == "customer"
    # saving what was loaded writes the same file
    assert save(loaded, tmp_path / "again.json").read_text() == path.read_text()


def test_load_model_returns_the_fitter_and_replaces_its_state(tmp_path):
    source = fit_cdnow("string", 0.01)
    target = fit_cdnow("range")  # a different fit, to be overwritten
    _ = target.summary  # fill its caches
    assert target.load_model(save(source, tmp_path / "m.json")) is target
    assert_same_model(target, source)


def test_the_document_is_plain_versioned_json(tmp_path):
    model = fit_cdnow("string", 0.01)
    document = json.loads(save(model, tmp_path / "m.json").read_text())
    assert document["format"] == "fastlifetimes-model"
    assert document["format_version"] == int(_core.model_format_version) >= 1
    assert document["model"] == "BetaGeoFitter"
    assert document["params"] == {k: float(v) for k, v in model.params_.items()}
    assert document["penalizer_coef"] == 0.01
    assert len(document["data"]["columns"]["frequency"]["values"]) == len(cdnow())


def test_save_data_false(tmp_path):
    model = fit_cdnow("string", 0.01)
    with_data = save(model, tmp_path / "with.json")
    without = save(model, tmp_path / "without.json", save_data=False)
    assert json.loads(without.read_text())["data"] is None
    assert without.stat().st_size < with_data.stat().st_size / 10
    loaded = BetaGeoFitter().load_model(without)
    # parameters, uncertainty (stored in the file) and predictions survive; the data does not
    assert_same_model(loaded, model, data=False)
    assert loaded.data is None  # as lifetimes: the attribute is there, set to None
    assert model.data is not None  # saving did not drop the data of the model itself
    assert "fitted with" not in repr(loaded)
    # and a model without data saves again without data
    assert json.loads(save(loaded, tmp_path / "again.json").read_text())["data"] is None


def test_the_lifetimes_only_arguments_are_accepted(tmp_path):
    model = fit_cdnow("range")
    path = save(model, tmp_path / "m.json", save_generate_data_method=False, values_to_save=[None])
    assert_same_model(BetaGeoFitter().load_model(path), model)


# -- pickle ---------------------------------------------------------------------------------

@pytest.mark.parametrize("protocol", [None, 2, 4, 5])
@pytest.mark.parametrize("touched", [False, True], ids=["fresh", "after-summary"])
def test_pickle_round_trip_is_exact(protocol, touched):
    model = fit_cdnow("string", 0.01)
    if touched:  # data frame built, uncertainty computed and cached
        _ = model.summary, model.data
    kwargs = {} if protocol is None else {"protocol": protocol}
    copy = pickle.loads(pickle.dumps(model, **kwargs))
    assert_same_model(copy, model)
    assert sorted(vars(copy)) == sorted(vars(model))


def test_pickle_of_a_loaded_and_of_an_unfitted_model(tmp_path):
    loaded = BetaGeoFitter().load_model(save(fit_cdnow("range"), tmp_path / "m.json", save_data=False))
    assert_same_model(pickle.loads(pickle.dumps(loaded, protocol=5)), loaded, data=False)
    unfitted = pickle.loads(pickle.dumps(BetaGeoFitter(penalizer_coef=0.5)))
    assert unfitted.penalizer_coef == 0.5 and not hasattr(unfitted, "params_")


# -- bad files ------------------------------------------------------------------------------

def _set(path, value):
    def edit(document):
        *parents, key = path
        for p in parents:
            document = document[p]
        document[key] = value
    return edit


def _drop(*path):
    def edit(document):
        *parents, key = path
        for p in parents:
            document = document[p]
        del document[key]
    return edit


def _text(text):
    return lambda good: text


def _via_json(edit):
    def make(good):
        document = json.loads(good)
        edit(document)
        return json.dumps(document)
    return make


BAD_FILES = [
    # name, how to make the file from a good file's text, expected substrings
    ("not-json", _text("frequency,recency,T\n1,2,3\n"), ["invalid JSON"]),
    ("empty", _text(""), ["invalid JSON"]),
    ("binary", _text(b"\x80\x05\x95\x00\xff\xfe"), ["not text"]),
    ("truncated", lambda good: good[: len(good) // 2], ["invalid JSON"]),
    ("truncated-after-params", lambda good: good[: good.index('"fit"')], ["invalid JSON"]),
    ("json-list", _text("[1, 2, 3]"), ["missing format marker"]),
    ("json-number", _text("3.5"), ["missing format marker"]),
    ("json-not-a-model", _text('{"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}'), ["missing format marker"]),
    ("other-format", _via_json(_set(["format"], "lifetimes-pickle")), ["missing format marker"]),
    ("no-format-version", _via_json(_drop("format_version")), ["format_version"]),
    ("format-version-string", _via_json(_set(["format_version"], "1")), ["format_version"]),
    ("format-version-zero", _via_json(_set(["format_version"], 0)), ["format_version"]),
    ("newer-format", _via_json(_set(["format_version"], 2)), ["format 2", "newer", "upgrade fastlifetimes"]),
    ("much-newer-format", _via_json(_set(["format_version"], 99)), ["format 99", "upgrade fastlifetimes"]),
    ("other-model", _via_json(_set(["model"], "ParetoNBDFitter")), ["'ParetoNBDFitter'", "not a BetaGeoFitter"]),
    ("no-model", _via_json(_drop("model")), ["not a BetaGeoFitter"]),
    ("param-zero", _via_json(_set(["params", "r"], 0.0)), ["positive finite"]),
    ("param-negative", _via_json(_set(["params", "alpha"], -4.4)), ["positive finite"]),
    ("param-NaN", _via_json(_set(["params", "a"], float("nan"))), ["positive finite"]),
    ("param-infinite", _via_json(_set(["params", "b"], float("inf"))), ["positive finite"]),
    ("param-string", _via_json(_set(["params", "b"], "2.4")), ["positive finite"]),
    ("param-null", _via_json(_set(["params", "b"], None)), ["positive finite"]),
    ("param-boolean", _via_json(_set(["params", "b"], True)), ["positive finite"]),
    ("param-missing", _via_json(_drop("params", "b")), ["parameters must be"]),
    ("param-extra", _via_json(_set(["params", "s"], 1.0)), ["parameters must be"]),
    ("params-list", _via_json(_set(["params"], [0.24, 4.4, 0.79, 2.4])), ["parameters must be"]),
    ("penalizer-negative", _via_json(_set(["penalizer_coef"], -1.0)), ["penalizer_coef"]),
    ("penalizer-string", _via_json(_set(["penalizer_coef"], "big")), ["penalizer_coef"]),
    ("hessian-wrong-shape", _via_json(_set(["fit", "hessian"], [[1.0, 2.0], [3.0, 4.0]])), ["hessian", "4x4"]),
    ("variance-ragged", _via_json(_set(["fit", "variance_matrix"], [[1.0], [1.0, 2.0]])), ["variance_matrix"]),
    ("data-ragged-columns", _via_json(_set(["data", "columns", "T", "values"], [1.0])), ["data"]),
    ("data-unknown-dtype", _via_json(_set(["data", "columns", "T", "dtype"], "quaternion")), ["data"]),
    ("data-not-a-dict", _via_json(_set(["data"], "frequency,recency,T")), ["data"]),
]


@pytest.mark.parametrize("make, expected", [pytest.param(m, e, id=n) for n, m, e in BAD_FILES])
def test_bad_files_are_refused_and_leave_the_fitter_unchanged(tmp_path, make, expected):
    model = fit_cdnow("string", 0.01)
    good = save(model, tmp_path / "good.json").read_text()
    content = make(good)
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)

    target = fit_cdnow("range")
    before = pickle.dumps(target)
    with pytest.raises(ValueError) as info:
        target.load_model(path)
    message = str(info.value)
    assert str(path) in message  # names the file
    missing = [s for s in expected if s not in message]
    assert not missing, f"message lacks {missing}: {message!r}"
    assert_same_model(target, pickle.loads(before))  # a refused file changes nothing

    # an unfitted fitter stays unfitted
    fresh = BetaGeoFitter()
    with pytest.raises(ValueError):
        fresh.load_model(path)
    assert not hasattr(fresh, "params_")


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        BetaGeoFitter().load_model(tmp_path / "missing.json")


# -- golden file ----------------------------------------------------------------------------

def write_golden(path=GOLDEN):
    """The golden file: BG/NBD fitted on CDNOW (index: CDNOW's customer ids), with data."""
    d = cdnow()
    model = BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"], index=d.index)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(path)
    return model


def test_golden_file_loads_with_its_exact_numbers():
    document = json.loads(GOLDEN.read_text())
    assert document["format_version"] == 1 and document["model"] == "BetaGeoFitter"
    assert document["params"] == GOLDEN_PARAMS

    model = BetaGeoFitter().load_model(GOLDEN)
    assert model.params_.to_dict() == GOLDEN_PARAMS  # bit for bit
    assert list(model.params_.index) == ["r", "alpha", "a", "b"]
    assert model.penalizer_coef == 0.0
    assert model.log_likelihood_ == GOLDEN_LOG_LIKELIHOOD
    stored = np.array(document["fit"]["variance_matrix"])
    assert (model.variance_matrix_.to_numpy() == stored).all()
    assert np.isfinite(model.summary.to_numpy()).all()

    d = cdnow()
    expected_data = d.assign(weights=np.ones(len(d), dtype=np.int64))
    pd.testing.assert_frame_equal(model.data, expected_data, check_exact=True)

    got = model.predict(39, d["frequency"], d["recency"], d["T"]).iloc[:3].to_numpy()
    np.testing.assert_allclose(got, GOLDEN_PREDICT_39, rtol=1e-10)


def test_golden_file_still_describes_a_fresh_fit():
    """A fit today agrees with the golden numbers (to optimiser tolerance), and while the
    format is still 1, saving the golden model rewrites the golden file."""
    model = BetaGeoFitter().load_model(GOLDEN)
    d = cdnow()
    fresh = BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"], index=d.index)
    np.testing.assert_allclose(fresh.params_.to_numpy(), model.params_.to_numpy(), rtol=1e-5)
    if int(_core.model_format_version) == 1:
        document = json.loads(GOLDEN.read_text())
        with tempfile.TemporaryDirectory() as tmp:
            again = json.loads(save(model, Path(tmp) / "g.json").read_text())
        document.pop("library_version"), again.pop("library_version")
        assert again == document


if __name__ == "__main__":
    if sys.argv[1:] != ["--write-golden"]:
        sys.exit(__doc__)
    model = write_golden()
    print(f"wrote {GOLDEN}")
    print("GOLDEN_PARAMS =", {k: float(v) for k, v in model.params_.items()})
    print("GOLDEN_LOG_LIKELIHOOD =", repr(model.log_likelihood_))
    d = cdnow()
    print("GOLDEN_PREDICT_39 =", model.predict(39, d["frequency"], d["recency"], d["T"]).iloc[:3].tolist())
