"""Fuzz target: load_model on model files derived from the golden files in tests/python/golden.

Each input either is the file's text itself (raw mode) or picks a golden document and edits
it (values replaced by numbers, NaN, strings, lists, objects; keys removed; arrays
shortened). A loaded model is then used once (summary and a prediction).
Property: the model, or a ValueError/TypeError with a message; never a crash, a hang or
another exception type (but for summary's AttributeError when the file holds neither the
variance nor the data: the attribute is missing, as in lifetimes). Run by scripts/fuzz.sh.
"""

import copy
import json
import math
import os
import sys
import tempfile
import warnings
from pathlib import Path

import atheris
import numpy as np

with atheris.instrument_imports(include=["fastlifetimes"]):  # coverage of our code only
    import fastlifetimes

GOLDEN = Path(__file__).resolve().parents[1] / "python" / "golden"
FITTERS = {c.__name__: c for c in (fastlifetimes.BetaGeoFitter, fastlifetimes.ModifiedBetaGeoFitter,
                                   fastlifetimes.ParetoNBDFitter, fastlifetimes.BetaGeoBetaBinomFitter,
                                   fastlifetimes.GammaGammaFitter)}


def _shrunk(doc, rows):
    """The document with its saved data cut to the first rows (files stay small and fast)."""
    doc = copy.deepcopy(doc)
    data = doc.get("data")
    if isinstance(data, dict):
        for column in data.get("columns", {}).values():
            column["values"] = column["values"][:rows]
        if isinstance(data.get("index"), dict) and "values" in data["index"]:
            data["index"]["values"] = data["index"]["values"][:rows]
    return doc


DOCS = []
for path in sorted(GOLDEN.glob("*.json")):
    doc = json.loads(path.read_text())
    DOCS += [doc, _shrunk(doc, 5)] if "data" in doc else [doc]

SPECIAL = [0, -1, 1, 2**63, -(2**63) - 1, 10**400, 0.0, -0.0, 1e-320, 1e308, math.inf, -math.inf, math.nan,
           True, False, None, "", "1.0", "nan", [], {}, [[1.0]], [None], {"values": []}]


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:8]):  # a few elements of each array are enough
            yield from _paths(v, (*prefix, i))


def _value(fdp):
    kind = fdp.ConsumeIntInRange(0, 4)
    if kind == 0:
        return SPECIAL[fdp.ConsumeIntInRange(0, len(SPECIAL) - 1)]
    if kind == 1:
        return fdp.ConsumeInt(9)
    if kind == 2:
        return fdp.ConsumeRegularFloat()
    if kind == 3:
        return fdp.ConsumeUnicodeNoSurrogates(8)
    return [fdp.ConsumeRegularFloat() for _ in range(fdp.ConsumeIntInRange(0, 6))]


def _edit(doc, fdp):
    paths = list(_paths(doc))
    for _ in range(fdp.ConsumeIntInRange(1, 4)):
        path = paths[fdp.ConsumeIntInRange(0, len(paths) - 1)]
        if not path:
            if fdp.ConsumeIntInRange(0, 15) == 0:
                return _value(fdp)
            continue
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = fdp.ConsumeIntInRange(0, 3)
            if action == 0 and isinstance(parent, dict):
                del parent[path[-1]]
            elif action == 1 and isinstance(parent[path[-1]], list):
                parent[path[-1]] = parent[path[-1]][: fdp.ConsumeIntInRange(0, 3)]
            else:
                parent[path[-1]] = _value(fdp)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    return doc


FILE = os.path.join(tempfile.mkdtemp(prefix="fuzz_model_files_"), "model.json")


def test_one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    if fdp.ConsumeIntInRange(0, 3) == 0:  # raw mode: the rest of the input is the file
        text, model = fdp.ConsumeBytes(fdp.remaining_bytes()), None
    else:
        doc = copy.deepcopy(DOCS[fdp.ConsumeIntInRange(0, len(DOCS) - 1)])
        model = doc.get("model")
        text = json.dumps(_edit(doc, fdp)).encode()
    with open(FILE, "wb") as f:
        f.write(text)
    fitter = FITTERS.get(model, fastlifetimes.BetaGeoFitter)()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitter.load_model(FILE)
            try:
                _ = fitter.summary  # computed from the loaded state
            except AttributeError as e:
                # as in lifetimes: no standard errors for a file without variance or data
                if "needs the fitted data" not in str(e):
                    raise
            if isinstance(fitter, fastlifetimes.GammaGammaFitter):
                fitter.conditional_expected_average_profit(np.array([1.0, 3.0]), np.array([10.0, 20.0]))
            elif isinstance(fitter, fastlifetimes.BetaGeoBetaBinomFitter):
                fitter.conditional_probability_alive(1, np.array([1, 2]), np.array([2, 3]), np.array([5, 5]))
            else:
                fitter.conditional_probability_alive(np.array([1.0, 2.0]), np.array([2.0, 3.0]), np.array([5.0, 5.0]))
    except (ValueError, TypeError) as e:
        if not str(e):
            raise AssertionError(f"{type(e).__name__} without a message") from e


def main():
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
