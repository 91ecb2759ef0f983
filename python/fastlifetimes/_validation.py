"""Input checks shared by every public function.

Each check raises ``ValueError`` naming the argument or column and the first offending
rows (by index label when the data came with an index), so a user can find the bad
records. The C++ core checks again, but only this layer knows names and labels.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ._columnar import as_array

_SHOWN = 5


def offending_rows(mask, index=None) -> str:
    """Describe the rows where ``mask`` is true: how many, and the first few."""
    mask = np.asarray(mask, dtype=bool).ravel()
    positions = np.flatnonzero(mask)
    shown = positions[:_SHOWN]
    if index is not None and len(index) == mask.size:
        labels = ", ".join(repr(index[p]) for p in shown)
        where = f"index labels [{labels}]"
    else:
        where = "rows [" + ", ".join(str(p) for p in shown) + "]"
    more = f" (and {positions.size - shown.size} more)" if positions.size > shown.size else ""
    return f"{positions.size} row{'s' if positions.size != 1 else ''}, first at {where}{more}"


def index_of(*values):
    """The index of the first pandas object among ``values``, else None."""
    for v in values:
        if isinstance(v, (pd.Series, pd.DataFrame)):
            return v.index
    return None


def as_float_array(name: str, values, *, allow_empty: bool = False, check_finite: bool = True) -> np.ndarray:
    """``values`` as a float64 array; refuses strings, objects, booleans, and (unless
    ``check_finite`` is false: the caller's C++ call checks) NaN and inf."""
    if values is None:
        raise ValueError(f"{name}: a value is required, got None")
    values = as_array(values)
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"{name}: expected a column (Series or 1-d array), got a DataFrame")
    raw = values
    if isinstance(values, (pd.Series, pd.Index)):
        dtype = values.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
            arr = values.to_numpy()  # the common case: plain numbers, no copy
        elif isinstance(dtype, pd.CategoricalDtype):
            raise ValueError(f"{name}: expected numbers, got a categorical column")
        else:
            if values.isna().any() and not (isinstance(dtype, np.dtype) and dtype.kind == "f"):
                mask = values.isna().to_numpy()
                raise ValueError(f"{name}: missing values in {offending_rows(mask, index_of(raw))}")
            arr = values.to_numpy()
    else:
        try:
            arr = np.asarray(values)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name}: expected a 1-d array of numbers ({error})") from None
    kind = arr.dtype.kind
    if kind == "b":
        raise ValueError(f"{name}: expected numbers, got booleans")
    if kind in "mMc":
        what = {"m": "timedeltas", "M": "dates", "c": "complex numbers"}[kind]
        raise ValueError(f"{name}: expected numbers, got {what} (dtype {arr.dtype})")
    if kind not in "iuf":
        if kind in "OUS" and any(isinstance(v, (str, bytes, bool, np.bool_)) for v in np.ravel(arr)):
            raise ValueError(
                f"{name}: expected numbers, got strings or booleans (dtype {arr.dtype}); "
                "convert the column with pd.to_numeric first"
            )
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name}: expected numbers, got values of dtype {arr.dtype}; "
                "convert the column with pd.to_numeric first"
            ) from None
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if arr.ndim > 1:
        arr = arr.ravel() if arr.size == max(arr.shape) else arr
        if arr.ndim > 1:
            raise ValueError(f"{name}: expected a 1-d array, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name}: empty input, at least one value is needed")
    if check_finite:
        check_finite_values(name, arr, index_of(raw))
    return arr


def check_finite_values(name: str, arr: np.ndarray, index=None) -> None:
    bad = ~np.isfinite(arr)
    if bad.any():
        what = "NaN" if np.isnan(arr[bad]).all() else "NaN or infinite values"
        raise ValueError(f"{name}: {what} in {offending_rows(bad, index)}")


def check_rfm(frequency, recency, T, *, index=None, fitting: bool = True):
    """Validate customer histories; returns (x, t_x, T) as float64 arrays.

    Rules: frequency a non-negative integer; 0 <= recency <= T; and, when fitting,
    recency = 0 where frequency = 0 (lifetimes' rule: no repeat purchase, no recency).
    """
    x = as_float_array("frequency", frequency)
    t_x = as_float_array("recency", recency)
    age = as_float_array("T", T)
    if not (x.size == t_x.size == age.size):
        raise ValueError(
            f"frequency, recency and T must have the same length, got {x.size}, {t_x.size} and {age.size}"
        )
    checks = (
        ("frequency", x < 0, "negative values"),
        ("frequency", x != np.floor(x), "non-integer values (lifetimes truncates them silently)"),
        ("recency", t_x < 0, "negative values"),
        ("T", age < 0, "negative values"),
        ("recency", t_x > age, "values larger than T"),
    )
    for name, mask, what in checks:
        if mask.any():
            raise ValueError(f"{name}: {what} in {offending_rows(mask, index)}")
    if fitting:
        mask = (x == 0) & (t_x != 0)
        if mask.any():
            raise ValueError(
                f"recency: non-zero recency where frequency is 0 in {offending_rows(mask, index)}"
            )
    return x, t_x, age


def check_weights(weights, n: int, index=None) -> np.ndarray:
    w = as_float_array("weights", weights)
    if w.size != n:
        raise ValueError(f"weights: expected {n} values (one per row), got {w.size}")
    bad = w < 0
    if bad.any():
        raise ValueError(f"weights: negative values in {offending_rows(bad, index)}")
    if not w.sum() > 0:
        raise ValueError("weights: they sum to zero, nothing to fit")
    return w


def check_non_negative_scalar_or_array(name: str, values) -> np.ndarray:
    arr = as_float_array(name, values)
    bad = arr < 0
    if bad.any():
        raise ValueError(f"{name}: negative values in {offending_rows(bad, index_of(values))}")
    return arr


def is_scalar(v) -> bool:
    return isinstance(v, numbers.Number) or (isinstance(v, np.ndarray) and v.ndim == 0) or np.isscalar(v)


def check_fit_options(penalizer, tol, initial_params, param_names, kwargs):
    """The options every ``fit`` shares; returns (initial log-parameters or None, the cap on
    likelihood evaluations)."""
    if (not isinstance(penalizer, numbers.Real) or isinstance(penalizer, (bool, np.bool_))
            or not np.isfinite(penalizer) or penalizer < 0):
        raise ValueError(f"penalizer_coef: must be a non-negative number, got {penalizer!r}")
    if not (isinstance(tol, numbers.Real) and np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol: must be a positive number, got {tol!r}")
    init = None
    if initial_params is not None:
        try:
            init = np.asarray(initial_params, dtype=float).ravel()
        except (TypeError, ValueError):
            init = np.empty(0)
        if init.size != len(param_names) or not np.isfinite(init).all():
            raise ValueError(
                f"initial_params: expected {len(param_names)} finite log-parameters "
                f"({', '.join(param_names)}), got {initial_params!r}")
    max_evaluations = int(kwargs.get("maxiter", kwargs.get("max_evaluations", 20000)))
    return init, max_evaluations


MAX_PERIODS = 1_000_000  # bgbb::max_periods: the likelihood sums a term per opportunity


def discrete_history_problems(x, t_x, n, names=("frequency", "recency", "n_periods"), fitting=True):
    """What can be wrong with discrete-time histories (BG/BB): each (column, mask, what).
    x transactions in opportunities 1..n, the last at t_x, so whole numbers with
    0 <= x <= t_x <= n, and t_x = 0 when x = 0; n at most MAX_PERIODS."""
    f, r, p = names
    whole = "non-integer values" + (" (lifetimes truncates them silently)" if fitting else "")
    return (
        (f, x < 0, "negative values"),
        (f, x != np.floor(x), whole),
        (r, t_x < 0, "negative values"),
        (r, t_x != np.floor(t_x), whole),
        (p, n < 0, "negative values"),
        (p, n != np.floor(n), whole),
        (p, n > MAX_PERIODS, f"values above {MAX_PERIODS:,} (the likelihood sums over opportunities)"),
        (r, t_x > n, f"values larger than {p}"),
        (f, x > t_x, f"values larger than {r} (the period of the last transaction)"),
        (r, (x == 0) & (t_x != 0), f"non-zero {r} where {f} is 0"),
    )


def check_discrete_rfm(frequency, recency, n_periods, *, index=None):
    """Validate discrete-time histories for fitting; returns (x, t_x, n) as float64 arrays."""
    x = as_float_array("frequency", frequency)
    t_x = as_float_array("recency", recency)
    n = as_float_array("n_periods", n_periods)
    if not (x.size == t_x.size == n.size):
        raise ValueError(
            f"frequency, recency and n_periods must have the same length, got {x.size}, {t_x.size} and {n.size}"
        )
    for name, mask, what in discrete_history_problems(x, t_x, n):
        if mask.any():
            raise ValueError(f"{name}: {what} in {offending_rows(mask, index)}")
    return x, t_x, n
