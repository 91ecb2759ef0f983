"""Run code against the real ``lifetimes`` 0.11.3 in a pinned side environment.

``lifetimes`` 0.11.3 does not work with the numpy/pandas of the main test
environment, so the tests compare against it through a separate virtual
environment holding old, pinned releases.  This module

* creates that environment on demand (:func:`reference_python`), and
* runs a snippet of code there, moving inputs in and results out
  (:func:`run_lifetimes`).

Data crosses the process boundary as an ``.npz`` archive loaded with
``allow_pickle=False`` plus a JSON document describing how to rebuild
pandas objects (which arrays form a frame, column labels and order, index
kind and names, logical dtypes).  Pickle is never used: numpy 2 pickles
cannot be read by numpy 1.24.

The same file is executed by the reference interpreter as the child
process (``python -I lifetimes_reference.py --child DIR``), so the codec
below must work with both numpy 1.24 / pandas 1.5 and numpy 2 / pandas 3.
It therefore only imports the standard library, numpy and pandas.
"""

from __future__ import annotations

import fcntl
import json
import linecache
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "REFERENCE_REQUIREMENTS",
    "LifetimesReferenceError",
    "reference_env_dir",
    "reference_python",
    "run_lifetimes",
    "infer_string_dtypes",
]

# Exact pins of the reference environment.  setuptools is listed because
# lifetimes.datasets imports pkg_resources, which newer setuptools releases
# no longer ship; the venv of Python 3.11 already bundles 65.x, so on this
# interpreter the requirement is satisfied without installing anything.
REFERENCE_REQUIREMENTS = (
    "numpy==1.24.4",
    "pandas==1.5.3",
    "scipy==1.10.1",
    "autograd",
    "dill",
    "lifetimes==0.11.3",
    "matplotlib==3.7.5",
    "setuptools<81",
)

_DEFAULT_ENV_DIR = "~/.cache/fastlifetimes/lifetimes-0.11.3"
_MARKER_NAME = ".fastlifetimes-reference-ok"
_PD_MAJOR = int(pd.__version__.split(".")[0])
_SNIPPET_FILENAME = "<lifetimes snippet>"
_RESERVED_NAMES = {"np", "pd", "lifetimes", "out"}


class LifetimesReferenceError(RuntimeError):
    """The reference environment could not be built, or a snippet failed."""


# ---------------------------------------------------------------------------
# Reference environment
# ---------------------------------------------------------------------------


def reference_env_dir() -> Path:
    """Directory of the reference virtual environment."""
    return Path(os.environ.get("FASTLIFETIMES_REF_ENV", _DEFAULT_ENV_DIR)).expanduser().absolute()


def _marker_text() -> str:
    return "\n".join(REFERENCE_REQUIREMENTS) + "\n"


def _env_ready(env_dir: Path) -> bool:
    marker = env_dir / _MARKER_NAME
    python = env_dir / "bin" / "python"
    try:
        return python.exists() and marker.read_text() == _marker_text()
    except OSError:
        return False


def _clean_env() -> dict:
    """Environment for child processes: nothing from the main interpreter leaks in."""
    # the sanitizer run (scripts/test.sh) preloads libasan for our extension, not for lifetimes
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTHON") and k not in ("VIRTUAL_ENV", "LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("MPLBACKEND", "Agg")
    return env


def _python_works(python: Path) -> bool:
    if not python.exists():
        return False
    try:
        res = subprocess.run(
            [str(python), "-I", "-c", "import sys, venv"],
            env=_clean_env(),
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return res.returncode == 0


def _run_logged(cmd, log_path: Path, what: str) -> None:
    with open(log_path, "ab") as log:
        log.write(("\n$ " + " ".join(cmd) + "\n").encode())
        log.flush()
        res = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=_clean_env())
    if res.returncode != 0:
        tail = log_path.read_text(errors="replace")[-4000:]
        raise LifetimesReferenceError(
            f"{what} failed (exit code {res.returncode}); log {log_path}:\n{tail}"
        )


def _build_env(env_dir: Path) -> None:
    python = env_dir / "bin" / "python"
    log_path = env_dir.parent / (env_dir.name + ".install.log")
    log_path.write_text("")
    if not _python_works(python):
        if env_dir.exists() and any(env_dir.iterdir()) and not (env_dir / "pyvenv.cfg").exists():
            raise LifetimesReferenceError(
                f"{env_dir} exists, is not empty and is not a virtual environment; "
                "refusing to overwrite it (set FASTLIFETIMES_REF_ENV elsewhere)"
            )
        # The venv is created by the interpreter running the tests (CPython 3.11).
        _run_logged([sys.executable, "-m", "venv", "--clear", str(env_dir)], log_path, "creating the venv")
    _run_logged(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
         *REFERENCE_REQUIREMENTS],
        log_path,
        "pip install of the reference packages",
    )
    check = (
        "import numpy, pandas, scipy, lifetimes, pkg_resources\n"
        "assert numpy.__version__ == '1.24.4', numpy.__version__\n"
        "assert pandas.__version__ == '1.5.3', pandas.__version__\n"
        "assert scipy.__version__ == '1.10.1', scipy.__version__\n"
        "assert lifetimes.__version__ == '0.11.3', lifetimes.__version__\n"
    )
    _run_logged([str(python), "-I", "-c", check], log_path, "checking the reference env")
    tmp = env_dir / (_MARKER_NAME + ".tmp")
    tmp.write_text(_marker_text())
    os.replace(tmp, env_dir / _MARKER_NAME)


def reference_python() -> str:
    """Path of the reference interpreter, building its venv first if needed.

    The venv lives in ``$FASTLIFETIMES_REF_ENV`` (default
    ``~/.cache/fastlifetimes/lifetimes-0.11.3``).  It counts as complete only
    when its marker file holds the current pins; the marker is written after
    ``pip install`` succeeded and the versions were checked.  Concurrent
    callers (e.g. pytest-xdist workers) serialise on an ``fcntl`` lock next
    to the venv, so only one of them builds it.
    """
    env_dir = reference_env_dir()
    python = env_dir / "bin" / "python"
    if _env_ready(env_dir):
        return str(python)
    env_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = env_dir.parent / (env_dir.name + ".lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not _env_ready(env_dir):
                # A stale marker must not survive a rebuild that fails halfway.
                (env_dir / _MARKER_NAME).unlink(missing_ok=True)
                _build_env(env_dir)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return str(python)


# ---------------------------------------------------------------------------
# Codec: python objects <-> (JSON node, npz arrays)
# ---------------------------------------------------------------------------


class _Writer:
    def __init__(self):
        self.arrays = {}

    def put(self, arr) -> str:
        if arr.dtype.hasobject:
            raise TypeError("object arrays would need pickle")  # guarded by the callers
        key = f"a{len(self.arrays)}"
        self.arrays[key] = arr
        return key


def _enc_label(x):
    """Labels (names, dict keys) as JSON; tuples are tagged."""
    if isinstance(x, tuple):
        return {"tuple": [_enc_label(v) for v in x]}
    if isinstance(x, np.generic):
        x = x.item()
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    raise TypeError(f"unsupported label {x!r} of type {type(x).__name__}")


def _dec_label(x):
    if isinstance(x, dict):
        return tuple(_dec_label(v) for v in x["tuple"])
    return x


_MASKED_DTYPES = {"boolean", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
                  "Float32", "Float64"}

# Missing-value codes for object / string arrays.
_MISSING = {1: float("nan"), 2: None, 3: pd.NA, 4: pd.NaT}


def _missing_code(x) -> int:
    if x is None:
        return 2
    if x is pd.NA:
        return 3
    if x is pd.NaT:
        return 4
    if isinstance(x, (float, np.floating)) and math.isnan(x):
        return 1
    return 0


def _enc_json_scalar(x):
    if isinstance(x, np.generic):
        x = x.item()
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if x is pd.NA:
        return {"na": 1}
    if x is pd.NaT:
        return {"nat": 1}
    raise TypeError(f"unsupported object element {x!r} of type {type(x).__name__}")


def _dec_json_scalar(x):
    if isinstance(x, dict):
        return pd.NA if "na" in x else pd.NaT
    return x


def _enc_object_values(values, w: _Writer) -> dict:
    """1-D object array: unicode + missing mask if all strings, else tagged JSON."""
    codes = np.fromiter((_missing_code(v) for v in values), dtype=np.int8, count=len(values))
    present = [v for v, c in zip(values, codes) if c == 0]
    if all(isinstance(v, str) for v in present) and (present or len(values) == 0):
        text = np.array([v if c == 0 else "" for v, c in zip(values, codes)], dtype=str)
        node = {"str": w.put(text)}
        if codes.any():
            node["mask"] = w.put(codes)
        return node
    return {"json": [_enc_json_scalar(v) for v in values]}


def _dec_object_values(node, z) -> np.ndarray:
    if "json" in node:
        items = [_dec_json_scalar(v) for v in node["json"]]
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out
    text = z[node["str"]]
    out = text.astype(object)
    if "mask" in node:
        codes = z[node["mask"]]
        for code, value in _MISSING.items():
            sel = codes == code
            if sel.any():
                out[sel] = value
    return out


def _enc_values(obj, w: _Writer) -> dict:
    """Encode the 1-D values of a Series / Index / array-like (with their dtype)."""
    dtype = obj.dtype
    if isinstance(dtype, np.dtype):
        arr = np.asarray(obj)
        if dtype.kind == "O":
            return {"kind": "object", **_enc_object_values(arr, w)}
        if dtype.kind == "M":
            unit = np.datetime_data(dtype)[0]
            return {"kind": "datetime", "unit": unit, "v": w.put(arr.astype("datetime64[ns]"))}
        if dtype.kind in "biufcmUS":
            return {"kind": "numpy", "v": w.put(np.ascontiguousarray(arr))}
        raise TypeError(f"unsupported numpy dtype {dtype}")
    if isinstance(dtype, pd.DatetimeTZDtype):
        utc = pd.DatetimeIndex(obj).tz_convert("UTC").tz_localize(None)
        unit = getattr(dtype, "unit", "ns")
        return {"kind": "datetimetz", "tz": str(dtype.tz), "unit": unit,
                "v": w.put(np.asarray(utc, dtype="datetime64[ns]"))}
    if isinstance(dtype, pd.CategoricalDtype):
        cat = pd.Categorical(obj)
        return {"kind": "category", "ordered": bool(dtype.ordered),
                "codes": w.put(np.asarray(cat.codes)),
                "categories": _enc_index(pd.Index(cat.categories), w)}
    if isinstance(dtype, pd.PeriodDtype):
        # str(dtype) is "period[<alias>]" with the period alias ("M", not the offset's "ME").
        return {"kind": "period", "freq": str(dtype)[len("period["):-1],
                "v": w.put(np.asarray(pd.PeriodIndex(obj).asi8, dtype=np.int64))}
    if isinstance(dtype, pd.StringDtype):
        values = np.asarray(obj, dtype=object)
        logical = "str" if getattr(dtype, "na_value", pd.NA) is not pd.NA else "string"
        return {"kind": logical, **_enc_object_values(values, w)}
    if dtype.name in _MASKED_DTYPES:
        arr = pd.array(obj, dtype=dtype)
        mask = np.asarray(arr.isna(), dtype=bool)
        fill = False if dtype.name == "boolean" else 0
        data = arr.to_numpy(dtype=dtype.numpy_dtype, na_value=fill)
        return {"kind": "masked", "dtype": dtype.name, "v": w.put(data), "mask": w.put(mask)}
    raise TypeError(f"unsupported pandas dtype {dtype}")


def _dec_values(node, z):
    """Rebuild values as a numpy array or pandas ExtensionArray."""
    kind = node["kind"]
    if kind == "numpy":
        return z[node["v"]]
    if kind == "object":
        return _dec_object_values(node, z)
    if kind == "datetime":
        arr = z[node["v"]]
        if _PD_MAJOR >= 2 and node["unit"] in ("s", "ms", "us"):
            arr = arr.astype(f"datetime64[{node['unit']}]")
        return arr
    if kind == "datetimetz":
        idx = pd.DatetimeIndex(z[node["v"]]).tz_localize("UTC").tz_convert(node["tz"])
        if _PD_MAJOR >= 2 and node["unit"] in ("s", "ms", "us"):
            idx = idx.as_unit(node["unit"])
        return idx.array
    if kind == "category":
        categories = _dec_index(node["categories"], z)
        return pd.Categorical.from_codes(z[node["codes"]], categories=categories, ordered=node["ordered"])
    if kind == "period":
        freq = node["freq"]
        ordinals = z[node["v"]]
        # Frequency aliases changed between pandas releases (e.g. "H" -> "h").
        for candidate in (freq, freq.lower(), freq.upper()):
            try:
                return pd.arrays.PeriodArray(ordinals, dtype=pd.PeriodDtype(candidate))
            except (ValueError, TypeError):
                continue
        raise ValueError(f"cannot rebuild periods with frequency {freq!r}")
    if kind == "str":
        values = _dec_object_values(node, z)
        if _PD_MAJOR >= 3:
            return pd.array(values, dtype="str")
        # pandas < 3: its default for text is object dtype with NaN for missing
        return values
    if kind == "string":
        return pd.array(_dec_object_values(node, z), dtype=pd.StringDtype())
    if kind == "masked":
        data, mask = z[node["v"]], z[node["mask"]]
        name = node["dtype"]
        if name == "boolean":
            return pd.arrays.BooleanArray(data, mask)
        if name.startswith("Float"):
            return pd.arrays.FloatingArray(data, mask)
        return pd.arrays.IntegerArray(data, mask)
    raise ValueError(f"unknown value kind {kind!r}")


def _enc_index(idx: pd.Index, w: _Writer) -> dict:
    if isinstance(idx, pd.MultiIndex):
        return {"multi": [_enc_values(idx.get_level_values(i), w) for i in range(idx.nlevels)],
                "names": [_enc_label(n) for n in idx.names]}
    if type(idx) is pd.RangeIndex:
        return {"range": [int(idx.start), int(idx.stop), int(idx.step)], "name": _enc_label(idx.name)}
    node = {"values": _enc_values(idx, w), "name": _enc_label(idx.name)}
    freq = getattr(idx, "freqstr", None) if isinstance(idx, (pd.DatetimeIndex, pd.TimedeltaIndex)) else None
    if freq:
        node["freq"] = freq
    return node


def _make_index(values, name=None) -> pd.Index:
    dtype = values.dtype if isinstance(values, np.ndarray) else None
    return pd.Index(values, dtype=dtype, name=name, copy=False)


def _dec_index(node, z) -> pd.Index:
    if "multi" in node:
        levels = [_make_index(_dec_values(v, z)) for v in node["multi"]]
        return pd.MultiIndex.from_arrays(levels, names=[_dec_label(n) for n in node["names"]])
    if "range" in node:
        return pd.RangeIndex(*node["range"], name=_dec_label(node["name"]))
    idx = _make_index(_dec_values(node["values"], z), name=_dec_label(node["name"]))
    if "freq" in node:
        # Offset aliases differ between pandas releases ("M" vs "ME"): fall back to inference.
        for freq in (node["freq"], "infer"):
            try:
                idx = type(idx)(idx, freq=freq, name=idx.name)
                break
            except (ValueError, TypeError):
                continue
    return idx


def _make_series(values, index, name) -> pd.Series:
    dtype = values.dtype if isinstance(values, np.ndarray) else None
    return pd.Series(values, index=index, name=name, dtype=dtype, copy=False)


def _encode(x, w: _Writer) -> dict:
    if x is None:
        return {"t": "none"}
    if isinstance(x, pd.DataFrame):
        return {"t": "frame",
                "index": _enc_index(x.index, w),
                "columns": _enc_index(x.columns, w),
                "data": [_enc_values(x.iloc[:, i], w) for i in range(x.shape[1])]}
    if isinstance(x, pd.Series):
        return {"t": "series", "index": _enc_index(x.index, w), "name": _enc_label(x.name),
                "values": _enc_values(x, w)}
    if isinstance(x, pd.Index):
        return {"t": "index", "index": _enc_index(x, w)}
    if isinstance(x, pd.api.extensions.ExtensionArray):
        return {"t": "extarray", "values": _enc_values(x, w)}
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "O":
            flat = _enc_object_values(x.ravel(), w)
            return {"t": "objarray", "shape": list(x.shape), **flat}
        if x.dtype.kind not in "biufcmMUS":
            raise TypeError(f"unsupported ndarray dtype {x.dtype}")
        return {"t": "ndarray", "v": w.put(x)}
    if isinstance(x, np.generic):
        if x.dtype.kind not in "biufcmMUS":
            raise TypeError(f"unsupported numpy scalar {x!r}")
        return {"t": "npscalar", "v": w.put(np.asarray(x))}
    if x is pd.NaT:
        return {"t": "nat"}
    if x is pd.NA:
        return {"t": "na"}
    if isinstance(x, pd.Timestamp):
        # Timestamp.value is nanoseconds since the epoch (UTC for tz-aware stamps).
        return {"t": "timestamp", "v": int(x.value), "tz": None if x.tz is None else str(x.tz)}
    if isinstance(x, pd.Timedelta):
        return {"t": "timedelta", "v": int(x.value)}
    if isinstance(x, pd.Period):
        return {"t": "period", "ordinal": int(x.ordinal), "freq": x.freqstr}
    if isinstance(x, (bool, int, float, str)):
        return {"t": "py", "v": x}
    if isinstance(x, (list, tuple)):
        return {"t": type(x).__name__, "items": [_encode(v, w) for v in x]}
    if isinstance(x, dict):
        return {"t": "dict", "keys": [_enc_label(k) for k in x], "items": [_encode(v, w) for v in x.values()]}
    raise TypeError(f"cannot transport value of type {type(x).__module__}.{type(x).__name__}")


def _decode(node, z):
    t = node["t"]
    if t == "none":
        return None
    if t == "frame":
        index = _dec_index(node["index"], z)
        columns = _dec_index(node["columns"], z)
        data = {i: _make_series(_dec_values(v, z), None, None) for i, v in enumerate(node["data"])}
        df = pd.DataFrame(data) if data else pd.DataFrame(index=pd.RangeIndex(len(index)))
        df.index = index
        df.columns = columns
        return df
    if t == "series":
        return _make_series(_dec_values(node["values"], z), _dec_index(node["index"], z), _dec_label(node["name"]))
    if t == "index":
        return _dec_index(node["index"], z)
    if t == "extarray":
        values = _dec_values(node["values"], z)
        return pd.array(values, dtype=values.dtype) if isinstance(values, np.ndarray) else values
    if t == "ndarray":
        return z[node["v"]]
    if t == "objarray":
        return _dec_object_values(node, z).reshape(node["shape"])
    if t == "npscalar":
        return z[node["v"]][()]
    if t == "nat":
        return pd.NaT
    if t == "na":
        return pd.NA
    if t == "timestamp":
        ts = pd.Timestamp(node["v"])
        return ts if node["tz"] is None else ts.tz_localize("UTC").tz_convert(node["tz"])
    if t == "timedelta":
        return pd.Timedelta(node["v"])
    if t == "period":
        freq = node["freq"]
        for candidate in (freq, freq.lower(), freq.upper()):
            try:
                return pd.Period(ordinal=node["ordinal"], freq=candidate)
            except (ValueError, TypeError):
                continue
        raise ValueError(f"cannot rebuild a period with frequency {freq!r}")
    if t == "py":
        return node["v"]
    if t == "list":
        return [_decode(v, z) for v in node["items"]]
    if t == "tuple":
        return tuple(_decode(v, z) for v in node["items"])
    if t == "dict":
        return {_dec_label(k): _decode(v, z) for k, v in zip(node["keys"], node["items"])}
    raise ValueError(f"unknown node type {t!r}")


def _dump(values: dict, directory: Path, stem: str) -> None:
    w = _Writer()
    meta = {"format": 1, "items": {name: _encode(v, w) for name, v in values.items()}}
    np.savez(directory / f"{stem}.npz", **w.arrays)
    (directory / f"{stem}.json").write_text(json.dumps(meta))


def _load(directory: Path, stem: str) -> dict:
    meta = json.loads((directory / f"{stem}.json").read_text())
    with np.load(directory / f"{stem}.npz", allow_pickle=False) as z:
        return {name: _decode(node, z) for name, node in meta["items"].items()}


# ---------------------------------------------------------------------------
# Running snippets
# ---------------------------------------------------------------------------


def _timeout() -> float:
    return float(os.environ.get("FASTLIFETIMES_REF_TIMEOUT", "900"))


def run_lifetimes(code: str, **inputs) -> dict:
    """Run ``code`` in one reference-interpreter process and return its ``out`` dict.

    ``inputs`` become variables of the same names (and the same types) in the
    snippet, where ``np``, ``pd`` and ``lifetimes`` are already imported.  The
    snippet fills the dict ``out``; values may be None, python scalars,
    numpy scalars/arrays, pandas Series/DataFrames/Index/Timestamps, and
    lists/tuples/dicts of those.  Do as many things as needed in one snippet:
    each call costs one interpreter start (about a second or two).

    Raises :class:`LifetimesReferenceError` with the child's traceback if
    the snippet fails.
    """
    for name in inputs:
        if not name.isidentifier() or name in _RESERVED_NAMES:
            raise ValueError(f"invalid input name {name!r}")
    python = reference_python()
    code = textwrap.dedent(code)
    with tempfile.TemporaryDirectory(prefix="fastlifetimes-ref-") as tmp:
        tmpdir = Path(tmp)
        _dump(inputs, tmpdir, "in")
        (tmpdir / "code.py").write_text(code)
        try:
            res = subprocess.run(
                [python, "-I", str(Path(__file__).resolve()), "--child", str(tmpdir)],
                env=_clean_env(),
                capture_output=True,
                text=True,
                timeout=_timeout(),
            )
        except subprocess.TimeoutExpired as exc:
            raise LifetimesReferenceError(f"reference snippet timed out after {exc.timeout} s") from None
        if res.stdout:
            sys.stdout.write(res.stdout)
        error_file = tmpdir / "error.txt"
        if res.returncode != 0 or error_file.exists():
            detail = error_file.read_text() if error_file.exists() else "(no traceback written)"
            raise LifetimesReferenceError(
                f"reference lifetimes snippet failed (exit code {res.returncode}):\n{detail}\n"
                f"--- stderr of the reference process ---\n{res.stderr[-4000:]}"
            )
        return _load(tmpdir, "out")


def _is_text(values) -> bool:
    present = [v for v in values if _missing_code(v) == 0]
    return bool(present) and all(isinstance(v, str) for v in present)


def infer_string_dtypes(obj):
    """Give object-dtype text columns / index levels pandas' default text dtype.

    The transport is faithful: object dtype from pandas 1.5 comes back as
    object dtype.  Under pandas 3, where text defaults to the ``str`` dtype,
    call this on a returned object before comparing it with one built
    natively there.  Object data that is not all text is left alone; under
    pandas < 3 this is a no-op (object already is the default).
    """
    def fix_values(values):
        if isinstance(values.dtype, pd.CategoricalDtype):
            cat = pd.Categorical(values)
            return pd.Categorical.from_codes(cat.codes, categories=fix_index(cat.categories),
                                             ordered=cat.ordered)
        if values.dtype == object and _is_text(values):
            return pd.array(list(values), dtype="str") if _PD_MAJOR >= 3 else values
        return values

    def fix_index(idx):
        if isinstance(idx, pd.MultiIndex):
            return pd.MultiIndex.from_arrays(
                [fix_index(idx.get_level_values(i)) for i in range(idx.nlevels)], names=idx.names)
        if idx.dtype == object and _is_text(idx):
            return pd.Index(fix_values(idx), name=idx.name)
        return idx

    if isinstance(obj, pd.DataFrame):
        out = obj.copy()
        for i in range(out.shape[1]):
            out.isetitem(i, pd.Series(fix_values(out.iloc[:, i].array), index=out.index))
        out.index = fix_index(out.index)
        out.columns = fix_index(out.columns)
        return out
    if isinstance(obj, pd.Series):
        return pd.Series(fix_values(obj.array), index=fix_index(obj.index), name=obj.name)
    if isinstance(obj, pd.Index):
        return fix_index(obj)
    return obj


def _child_main(workdir: Path) -> int:
    """Entry point inside the reference interpreter."""
    try:
        import lifetimes

        code = (workdir / "code.py").read_text()
        namespace = {"__name__": "__lifetimes_snippet__", "np": np, "pd": pd,
                     "lifetimes": lifetimes, "out": {}}
        namespace.update(_load(workdir, "in"))
        linecache.cache[_SNIPPET_FILENAME] = (len(code), None, code.splitlines(True), _SNIPPET_FILENAME)
        exec(compile(code, _SNIPPET_FILENAME, "exec"), namespace)
        out = namespace["out"]
        if not isinstance(out, dict) or not all(isinstance(k, str) for k in out):
            raise TypeError("the snippet must leave a dict with str keys in `out`")
        _dump(out, workdir, "out")
    except BaseException:
        (workdir / "error.txt").write_text(traceback.format_exc())
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(_child_main(Path(sys.argv[2])))
    if len(sys.argv) == 2 and sys.argv[1] == "--ensure":
        start = time.perf_counter()
        print(reference_python())
        print(f"ready in {time.perf_counter() - start:.1f} s")
        sys.exit(0)
    print("usage: lifetimes_reference.py --ensure | --child DIR", file=sys.stderr)
    sys.exit(2)
