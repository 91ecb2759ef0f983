"""Base fitter: what every model shares (parameters, uncertainty, files, repr)."""

from __future__ import annotations

import functools
import json
import math
import os
import re
import types
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .. import _core
from .._columnar import as_array, is_columnar
from ..utils import ConvergenceError

_FORMAT = "fastlifetimes-model"
_CACHED = ("variance_matrix_", "standard_errors_", "confidence_intervals_", "_hessian_", "_variance")


class BaseFitter:
    """Base class for fitters.

    Subclasses set ``_param_names`` and call ``_store_fit`` from ``fit``.
    """

    _param_names: tuple = ()
    _param_index_cache: ClassVar[pd.Index]  # set per subclass by _param_index
    # the columns of ``data`` the likelihood reads, in the order ``_core_uncertainty`` takes them
    _fit_columns: tuple = ("frequency", "recency", "T")

    def __init_subclass__(cls, **kwargs):
        # polars Series and pyarrow Arrays are read as numpy arrays (views where they can
        # be) on the way into every public method, so each method's body and its return
        # type (an ndarray, as for numpy input) stay those of the pandas/numpy code
        super().__init_subclass__(**kwargs)
        wrapped = {}  # one wrapper per function, so aliases (predict) stay the same method
        for name, member in list(vars(cls).items()):
            if not name.startswith("_") and isinstance(member, types.FunctionType):
                if id(member) not in wrapped:
                    wrapped[id(member)] = _reading_columnar(member)
                setattr(cls, name, wrapped[id(member)])

    def __repr__(self):
        classname = self.__class__.__name__
        try:
            subjects = f" fitted with {self.data.shape[0]:d} subjects,"
        except AttributeError:
            subjects = ""
        try:
            params = ", ".join(f"{k}: {v:.2f}" for k, v in sorted(self.params_.items()))
        except AttributeError:
            return f"<fastlifetimes.{classname}>"
        return f"<fastlifetimes.{classname}:{subjects} {params}>"

    def _unload_params(self, *names):
        if not hasattr(self, "params_"):
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        return [self.params_[n] for n in names]

    @classmethod
    def _param_index(cls) -> pd.Index:
        # built once and shared: pandas 3 builds string indexes slowly (through Arrow)
        index = cls.__dict__.get("_param_index_cache")
        if index is None:
            index = pd.Index(list(cls._param_names))
            cls._param_index_cache = index
        return index

    def _params_array(self) -> np.ndarray:
        return np.asarray(self._unload_params(*self._param_names), dtype=np.float64)

    # -- the fitted data, built as a DataFrame only when someone asks for it -------------
    @property
    def data(self):
        if "_data_frame" in self.__dict__:
            return self.__dict__["_data_frame"]
        columns = self.__dict__.get("_data_columns")
        if columns is None:
            raise AttributeError("data")
        frame = pd.DataFrame({k: v for k, v in columns.items() if not k.startswith("_")},
                             index=self.__dict__.get("_data_index"))
        self.__dict__["_data_frame"] = frame
        return frame

    @data.setter
    def data(self, frame):
        # None is kept (lifetimes: a model saved with save_data=False loads with data None)
        self.__dict__.pop("_data_columns", None)
        self.__dict__.pop("_data_index", None)
        self.__dict__["_data_frame"] = frame

    def _store_fit(self, result: dict, columns: dict, index) -> None:
        if not result["converged"]:
            raise ConvergenceError(result["message"])
        for key in _CACHED + ("_data_frame",):
            self.__dict__.pop(key, None)
        self._scale = result["time_scale"]
        self._negative_log_likelihood_ = result["negative_log_likelihood"]
        self.log_likelihood_ = result["log_likelihood"]
        self._log_params = result["log_params"]
        if "hessian" in result:
            self._hessian_ = result["hessian"]
            self._variance = result["variance"]
        self._total_weight = result["total_weight"]
        self._fit_evaluations = result["evaluations"]
        self.params_ = pd.Series(result["params"], index=self._param_index())
        self.__dict__["_data_columns"] = columns
        self.__dict__["_data_index"] = index

    # -- simulation from the fitted model -----------------------------------------------
    # lifetimes sets `generate_new_data` in `fit` as a closure over the fitted T; here it is
    # a method reading the fitted data, so fitted models stay picklable without dill.
    # Subclasses name their simulator in `fastlifetimes.generate_data`; None means none.
    _simulator: str | None = None

    def _simulation_horizons(self) -> np.ndarray:
        """Each fitted customer's observation length (T), as the simulator takes it."""
        return np.asarray(self.data["T"], dtype=float)

    @property
    def generate_new_data(self):
        """``generate_new_data(size=1, seed=None)``: simulate ``size`` customers from the
        fitted parameters, observed as long as the first ``size`` customers of the fitted
        data were (as lifetimes does). ``seed`` makes the draw reproducible (lifetimes has
        no such argument). Like lifetimes, only fitted transaction models have it."""
        if self._simulator is None or not hasattr(self, "params_"):
            raise AttributeError("generate_new_data")
        return self._generate_new_data

    def _generate_new_data(self, size=1, seed=None):
        params = self._unload_params(*self._param_names)
        try:
            horizons = self._simulation_horizons()
        except (AttributeError, KeyError, TypeError):
            raise ValueError("generate_new_data needs the fitted data, which this model does not hold "
                             "(it was saved with save_data=False)") from None
        if isinstance(size, (int, np.integer)) and not isinstance(size, bool) and 0 <= size <= horizons.size:
            horizons = horizons[:size]
        elif isinstance(size, (int, np.integer)) and not isinstance(size, bool) and size > horizons.size:
            raise ValueError(f"size: at most {horizons.size} (the number of fitted customers, whose "
                             f"observation lengths are reused), got {size}")
        from .. import generate_data

        return getattr(generate_data, self._simulator)(horizons, *self._simulator_arguments(params),
                                                       size=size, seed=seed)

    def _simulator_arguments(self, params):
        """The simulator's arguments after the horizons: the parameters (and, for a model
        with a structural setting such as CNBD-k's k, that first)."""
        return tuple(params)

    # -- uncertainty (lifetimes' delta method), computed on first use --------------------
    # Fitting stops at the optimum; the Hessian (2 * n_params more likelihood evaluations)
    # is taken when one of these attributes is first read, on the data kept for `data`.
    @cached_property
    def _hessian_(self) -> np.ndarray:
        return self._uncertainty()[0]

    @cached_property
    def _variance(self) -> np.ndarray:
        return self._uncertainty()[1]

    def _uncertainty(self):
        columns = self.__dict__.get("_data_columns")
        if columns is None and self.__dict__.get("_data_frame") is not None:
            frame = self.__dict__["_data_frame"]
            columns = {c: frame[c].to_numpy() for c in self._fit_columns}
            columns["_weights_given"] = frame["weights"].to_numpy(dtype=float)
        log_params = self.__dict__.get("_log_params")
        if columns is None or log_params is None:
            raise AttributeError("the variance needs the fitted data, which this model does not hold")
        hessian, variance = self._core_uncertainty(
            np.asarray(log_params, dtype=float), self._params_array(),
            *(np.asarray(columns[c], dtype=float) for c in self._fit_columns),
            columns.get("_weights_given"), float(self.penalizer_coef))
        self.__dict__["_hessian_"] = hessian
        self.__dict__["_variance"] = variance
        return hessian, variance

    @cached_property
    def variance_matrix_(self) -> pd.DataFrame:
        """Delta-method variance of the parameters: p_i p_j (H^-1)_ij / sum(weights).

        lifetimes multiplies column j by p_j^2 instead, which gives the same diagonal but a
        matrix that is not symmetric; this one is.
        """
        names = list(self.params_.index)
        return pd.DataFrame(np.array(self._variance, dtype=float), index=names, columns=names)

    @cached_property
    def standard_errors_(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.variance_matrix_.values)), index=self.params_.index)

    @cached_property
    def confidence_intervals_(self) -> pd.DataFrame:
        z = 1.96
        return pd.DataFrame(
            {
                "lower 95% bound": self.params_ - z * self.standard_errors_,
                "upper 95% bound": self.params_ + z * self.standard_errors_,
            },
            index=self.params_.index,
        )

    @property
    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors and 95% confidence bounds."""
        df = pd.DataFrame(index=self.params_.index)
        df["coef"] = self.params_
        df["se(coef)"] = self.standard_errors_
        df["lower 95% bound"] = self.confidence_intervals_["lower 95% bound"]
        df["upper 95% bound"] = self.confidence_intervals_["upper 95% bound"]
        return df

    # -- model files ---------------------------------------------------------------------
    def save_model(self, path, save_data=True, save_generate_data_method=True, values_to_save=None):
        """Save the fitted model as a versioned JSON file.

        ``save_generate_data_method`` and ``values_to_save`` exist for lifetimes
        compatibility; a JSON file stores no code, so they change nothing.
        """
        if not hasattr(self, "params_"):
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        document = {
            "format": _FORMAT,
            "format_version": int(_core.model_format_version),
            "library_version": _core.__version__,
            "model": type(self).__name__,
            "params": {k: float(v) for k, v in self.params_.items()},
            "penalizer_coef": float(getattr(self, "penalizer_coef", 0.0)),
            "fit": {
                "negative_log_likelihood": _float(getattr(self, "_negative_log_likelihood_", None)),
                "log_likelihood": _float(getattr(self, "log_likelihood_", None)),
                "time_scale": _float(getattr(self, "_scale", None)),
                "total_weight": _float(getattr(self, "_total_weight", None)),
                "hessian": _matrix(getattr(self, "_hessian_", None)),
                "variance_matrix": _matrix(getattr(self, "_variance", None)),
            },
            "data": _frame_to_json(self.data) if save_data and _has_data(self) else None,
        }
        text = json.dumps(document, allow_nan=True, indent=1)
        with open(os.fspath(path), "w", encoding="utf-8") as out:
            out.write(text)

    def load_model(self, path):
        """Load a model saved by ``save_model`` into this fitter (as lifetimes does)."""
        if not isinstance(path, (str, bytes, os.PathLike)):
            raise ValueError(f"path: expected a file path, got {type(path).__name__}")
        try:
            with open(os.fspath(path), encoding="utf-8") as f:
                document = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not a fastlifetimes model file (invalid JSON: {e})") from None
        except UnicodeDecodeError:
            raise ValueError(f"{path}: not a fastlifetimes model file (not text)") from None
        _restore(self, document, path)
        return self


def _reading_columnar(method):
    if getattr(method, "_reads_columnar", False):
        return method

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if any(map(is_columnar, args)) or any(map(is_columnar, kwargs.values())):
            args = tuple(as_array(a) for a in args)
            kwargs = {k: as_array(v) for k, v in kwargs.items()}
        return method(self, *args, **kwargs)

    wrapper._reads_columnar = True
    return wrapper


def _float(v):
    return None if v is None else float(v)


def _matrix(m):
    return None if m is None else np.asarray(m, dtype=float).tolist()


def _has_data(fitter) -> bool:
    try:
        return fitter.data is not None
    except AttributeError:
        return False


def _frame_to_json(frame: pd.DataFrame) -> dict:
    index = frame.index
    index_doc: dict[str, Any] | None
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        index_doc = None
    elif index.dtype.kind == "M":
        index_doc = {"dtype": "datetime64[ns]", "values": [str(v) for v in index]}
    else:
        values = index.tolist()
        index_doc = {"dtype": str(index.dtype), "name": index.name, "values": values}
    return {
        "columns": {c: {"dtype": str(frame[c].dtype), "values": frame[c].tolist()} for c in frame.columns},
        "index": index_doc,
    }


# A saved frame names its dtypes as pandas prints them ("float64", "int64", "object",
# "datetime64[ns]"); anything else would reach numpy's dtype-string parser, which evaluates
# comma-separated forms and fails with SyntaxError rather than ValueError.
_SAVED_DTYPE = re.compile(r"[a-z]+[0-9]*(\[[a-z]+\])?")


def _saved_dtype(name, where: str) -> str:
    if not isinstance(name, str) or not _SAVED_DTYPE.fullmatch(name):
        raise ValueError(f"model file: {where} has dtype {name!r}, not a plain numpy dtype name")
    return name


def _column_from_json(name: str, column: dict) -> np.ndarray:
    dtype = _saved_dtype(column["dtype"], f"data column {name!r}")
    try:
        return np.asarray(column["values"], dtype=dtype)
    except (TypeError, ValueError, OverflowError) as e:
        raise ValueError(f"model file: data column {name!r} cannot be read as {dtype}: {e}") from None


def _frame_from_json(doc: dict) -> pd.DataFrame:
    columns = {c: _column_from_json(c, v) for c, v in doc["columns"].items()}
    index = None
    if doc.get("index") is not None:
        idx = doc["index"]
        _saved_dtype(idx["dtype"], "data index")
        if idx["dtype"].startswith("datetime64"):
            index = pd.DatetimeIndex(idx["values"])
        else:
            dtype = idx["dtype"]
            index = pd.Index(idx["values"], dtype=None if dtype in ("object", "str", "string") else dtype,
                             name=idx.get("name"))
    lengths = {c: len(v) for c, v in columns.items()}
    if index is not None:
        lengths["index"] = len(index)
    if len(set(lengths.values())) > 1:
        raise ValueError(f"columns of different lengths {lengths}")
    return pd.DataFrame(columns, index=index)


def _is_number(v) -> bool:
    """An int or a float, not a bool, that a float can hold (JSON integers have any size)."""
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return False
    try:
        float(v)
    except OverflowError:
        return False
    return True


def _restore(fitter, document, path):
    """Check the whole document first, then replace the fitter's state: a refused file
    leaves the fitter as it was."""
    def bad(reason):
        return ValueError(f"{path}: not a valid fastlifetimes model file ({reason})")

    if not isinstance(document, dict) or document.get("format") != _FORMAT:
        raise bad("missing format marker")
    version = document.get("format_version")
    if not _is_number(version) or not isinstance(version, int) or version < 1:
        raise bad(f"missing or invalid format_version: {version!r}")
    if version > int(_core.model_format_version):
        raise ValueError(
            f"{path}: model file format {version} is newer than this fastlifetimes "
            f"({_core.__version__}) reads (format {int(_core.model_format_version)}); upgrade fastlifetimes"
        )
    if document.get("model") != type(fitter).__name__:
        raise ValueError(
            f"{path}: the file holds a {document.get('model')!r}, not a {type(fitter).__name__}"
        )
    params = document.get("params")
    names = list(fitter._param_names)
    if not isinstance(params, dict) or sorted(params) != sorted(names):
        raise bad(f"parameters must be {names}")
    values = [params[n] for n in names]
    if not all(_is_number(v) and math.isfinite(v) and v > 0 for v in values):
        raise bad("parameters must be positive finite numbers")
    penalizer = document.get("penalizer_coef", 0.0)
    if not (_is_number(penalizer) and math.isfinite(penalizer) and penalizer >= 0):
        raise bad(f"penalizer_coef must be a non-negative number, got {penalizer!r}")
    fit = document.get("fit") or {}
    if not isinstance(fit, dict):
        raise bad("fit must be an object")
    scalars = {}
    for key in ("negative_log_likelihood", "log_likelihood", "time_scale", "total_weight"):
        v = fit.get(key)
        if v is not None and not _is_number(v):
            raise bad(f"fit.{key} must be a number, got {v!r}")
        scalars[key] = v
    n = len(names)
    matrices = {}
    for key in ("hessian", "variance_matrix"):
        m = fit.get(key)
        if m is not None:
            try:
                m = np.asarray(m, dtype=float)
            except (TypeError, ValueError, OverflowError) as e:
                raise bad(f"{key}: {e}") from None
            if m.shape != (n, n):
                raise bad(f"{key} must be {n}x{n}")
        matrices[key] = m
    data = document.get("data")
    if data is not None:
        try:
            data = _frame_from_json(data)
        except (TypeError, KeyError, AttributeError, ValueError, OverflowError) as e:
            raise bad(f"data: {e}") from None
        # the variance is computed from these on first use
        missing = [c for c in (*fitter._fit_columns, "weights") if c not in data.columns]
        if missing:
            raise bad(f"data: missing columns {missing}")

    for key in _CACHED + ("_data_frame", "_data_columns", "_data_index", "_hessian_", "_variance",
                          "_log_params", "_fit_evaluations"):
        fitter.__dict__.pop(key, None)
    fitter.params_ = pd.Series(np.asarray(values, dtype=float), index=fitter._param_index())
    fitter.penalizer_coef = float(penalizer)
    fitter._negative_log_likelihood_ = scalars["negative_log_likelihood"]
    fitter.log_likelihood_ = scalars["log_likelihood"]
    fitter._scale = scalars["time_scale"]
    fitter._total_weight = scalars["total_weight"]
    for attr, key in (("_hessian_", "hessian"), ("_variance", "variance_matrix")):
        if matrices[key] is not None:
            fitter.__dict__[attr] = matrices[key]
    fitter.data = data
