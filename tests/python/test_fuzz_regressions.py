"""Inputs found by the fuzz targets (scripts/fuzz.sh, tests/fuzz/), kept as regression tests.

Each ended in an exception other than ValueError/TypeError before its fix, at load or at first use."""

import copy
import json
from pathlib import Path

import pytest

from fastlifetimes import BetaGeoFitter

GOLDEN = Path(__file__).resolve().parent / "golden" / "bgnbd_format1.json"


def _document():
    return copy.deepcopy(json.loads(GOLDEN.read_text()))


def _edited(tmp_path, *path_and_value, document=None):
    *path, value = path_and_value
    document = _document() if document is None else document
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    out = tmp_path / "model.json"
    out.write_text(json.dumps(document))
    return out


# JSON integers have any size: these raised OverflowError (the log-likelihood was kept as
# an int)
@pytest.mark.parametrize("edit, expected", [
    pytest.param(("data", "columns", "frequency", "values", 0, 2**63), "data", id="data-int-beyond-int64"),
    pytest.param(("params", "r", 10**400), "positive finite", id="param-int-beyond-float"),
    pytest.param(("penalizer_coef", 10**400), "penalizer_coef", id="penalizer-int-beyond-float"),
    pytest.param(("fit", "hessian", 0, 0, 10**400), "hessian", id="hessian-int-beyond-float"),
    pytest.param(("fit", "log_likelihood", 10**400), "log_likelihood", id="scalar-int-beyond-float"),
])
def test_model_file_with_huge_integers_is_refused(tmp_path, edit, expected):
    path = _edited(tmp_path, *edit)
    with pytest.raises(ValueError, match=expected):
        BetaGeoFitter().load_model(path)


# loaded, then summary raised KeyError: the variance is computed from the saved data
@pytest.mark.parametrize("column", ["weights", "recency"])
def test_model_file_whose_data_lacks_a_fit_column_is_refused(tmp_path, column):
    document = _document()
    del document["data"]["columns"][column]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=f"missing columns \\['{column}'\\]"):
        BetaGeoFitter().load_model(path)


# numpy parses a dtype string with a comma as a record layout and evaluated the repeat count:
# a mutated dtype raised SyntaxError from inside numpy
@pytest.mark.parametrize("where, dtype", [
    pytest.param(("data", "columns", "T", "dtype"), "f8,)", id="column-record-dtype"),
    pytest.param(("data", "columns", "T", "dtype"), "(2,)f8", id="column-subarray-dtype"),
    pytest.param(("data", "columns", "T", "dtype"), 7, id="column-dtype-not-text"),
    pytest.param(("data", "index", "dtype"), "i8,i8", id="index-record-dtype"),
])
def test_model_file_with_a_dtype_that_is_not_a_name_is_refused(tmp_path, where, dtype):
    document = _document()
    if document["data"].get("index") is None and where[1] == "index":
        document["data"]["index"] = {"dtype": "int64", "name": None,
                                     "values": list(range(len(document["data"]["columns"]["T"]["values"])))}
    path = _edited(tmp_path, *where, dtype, document=document)
    with pytest.raises(ValueError, match="dtype"):
        BetaGeoFitter().load_model(path)
