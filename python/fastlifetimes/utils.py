"""Utilities with lifetimes' names: the transaction summary and the errors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import as_float_array, check_rfm, offending_rows

__all__ = ["ConvergenceError", "summary_data_from_transaction_data"]


class ConvergenceError(ValueError):
    """Raised when a model's likelihood maximisation does not converge; the message says
    what to try."""


# Period widths in nanoseconds for the numpy datetime units lifetimes' `freq` accepts
# (it divides by np.timedelta64(1, freq)). Weeks are pandas' W-SUN periods: they start on
# Mondays, and 1970-01-05, four days after the epoch, was a Monday.
_NS = {"D": 86_400 * 10**9, "h": 3_600 * 10**9, "m": 60 * 10**9, "s": 10**9,
       "ms": 10**6, "us": 10**3, "ns": 1}
_WEEK_NS = 7 * _NS["D"]
_WEEK_ORIGIN_NS = 4 * _NS["D"]


def _ticks_per_unit(freq: str) -> int:
    if freq == "W":
        return _WEEK_NS
    if freq in _NS:
        return _NS[freq]
    raise ValueError(
        f"freq={freq!r} is not supported: use one of 'D', 'W', 'h', 'm', 's', 'ms', 'us', 'ns' "
        "(numpy datetime units of fixed length; months and years have no fixed length - "
        "use freq='D' with freq_multiplier, e.g. 7 for weeks or 30 for months)"
    )


def _floor_to_period(ns: np.ndarray, freq: str) -> np.ndarray:
    width = _ticks_per_unit(freq)
    if freq == "W":
        return (ns - _WEEK_ORIGIN_NS) // width * width + _WEEK_ORIGIN_NS
    if width == 1:
        return ns
    return ns // width * width


def _floorable(ns: np.ndarray, freq: str, name: str, rows=None) -> np.ndarray:
    """``ns``, checked to be late enough that the start of its period fits in int64 (in the
    first days of the nanosecond range, 1677-09-21, it would wrap around)."""
    width, origin = _ticks_per_unit(freq), (_WEEK_ORIGIN_NS if freq == "W" else 0)
    smallest = int(np.iinfo(np.int64).min) + 1  # pd.Timestamp.min; the minimum is NaT
    lowest = -((origin - smallest) // width) * width + origin  # the first period start
    if origin:
        lowest = max(lowest, smallest + origin)  # _floor_to_period subtracts the origin first
    early = ns < lowest
    if early.any():
        raise ValueError(
            f"{name}: dates before {pd.Timestamp(lowest)} have no period start (freq={freq!r}) "
            f"within the range of nanosecond timestamps, in {offending_rows(early, rows)}"
        )
    return ns


def _wall_time_ns(values, name, rows, codes=None) -> np.ndarray:
    """Datetimes (naive, or aware in one zone: its wall time, as pandas periods use) as int64 ns.

    ``values[codes]`` are the dates of the rows labelled ``rows``; dates nanoseconds cannot
    hold (before 1677 or after 2262, which pandas 3 parses into coarser units) are refused:
    numpy would wrap them around silently.
    """
    if isinstance(values, pd.Series):
        values = pd.DatetimeIndex(values)
    if getattr(values, "tz", None) is not None:
        values = values.tz_localize(None)
    if getattr(values, "unit", "ns") != "ns":
        outside = np.asarray((values < pd.Timestamp.min) | (values > pd.Timestamp.max), dtype=bool)
        if outside.any():
            raise ValueError(
                f"{name}: dates outside {pd.Timestamp.min} .. {pd.Timestamp.max} (the range of "
                f"nanosecond timestamps) in {offending_rows(outside if codes is None else outside[codes], rows)}, "
                f"e.g. {values[np.flatnonzero(outside)[0]]}"
            )
    return np.asarray(values, dtype="datetime64[ns]").view(np.int64)


def _zone(value, datetime_format):
    tz = pd.to_datetime(value, format=datetime_format).tzinfo
    return None if tz is None else str(tz)


def _parse_datetime_column(column: pd.Series, name: str, datetime_format) -> np.ndarray:
    """The column as int64 nanoseconds; each distinct raw value is parsed once."""
    if column.isna().any():
        raise ValueError(f"{name}: missing dates in {offending_rows(column.isna().to_numpy(), column.index)}")
    if column.dtype.kind == "M" or isinstance(column.dtype, pd.DatetimeTZDtype):
        return _wall_time_ns(column, name, column.index)
    codes, uniques = pd.factorize(column, sort=False)
    if datetime_format is not None and np.asarray(uniques).dtype.kind in "iu":
        # numbers such as 19970101 with a format are read as text, as pandas 1.x did
        # (pandas 3 deprecates this and will read them as epochs)
        uniques = pd.Index(np.asarray(uniques).astype(str))
    try:
        parsed = pd.to_datetime(uniques, format=datetime_format)
    except (ValueError, TypeError, OverflowError) as error:
        coerced = []
        for u in uniques:
            try:
                pd.to_datetime(u, format=datetime_format)
                coerced.append(False)
            except (ValueError, TypeError, OverflowError):
                coerced.append(True)
        bad_codes = np.flatnonzero(coerced)
        if bad_codes.size == 0:  # each value parses alone: mixed time zones, say
            zones = [_zone(u, datetime_format) for u in uniques]
            differs = np.array([z != zones[codes[0]] for z in zones])
            if differs.any():
                raise ValueError(
                    f"{name}: dates in different time zones (or with and without one): "
                    f"{offending_rows(differs[codes], column.index)} differ from the first row's "
                    f"({zones[codes[0]] or 'no time zone'}), e.g. {uniques[np.flatnonzero(differs)[0]]!r}; "
                    "convert them to one zone first, e.g. with pd.to_datetime(..., utc=True)"
                ) from None
            raise ValueError(f"{name}: dates cannot be parsed together ({error})") from None
        mask = np.isin(codes, bad_codes)
        raise ValueError(
            f"{name}: unparsable dates (format={datetime_format!r}) in "
            f"{offending_rows(mask, column.index)}, e.g. {uniques[bad_codes[0]]!r}"
        ) from None
    if not isinstance(parsed, pd.DatetimeIndex):
        raise ValueError(f"{name}: values could not be read as dates (mixed time zones?)")
    return _wall_time_ns(parsed, name, column.index, codes)[codes]


def _customer_codes(ids: pd.Series):
    """Integer codes 0..k-1 ordered like the sorted ids, and the ids they stand for.

    Integer ids that fill most of their range (the usual 1..n) are their own codes after
    subtracting the smallest; anything else is factorised (a hash table)."""
    dtype = ids.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu" and len(ids) > 0:
        values = ids.to_numpy()
        low, high = values.min(), values.max()
        span = int(high) - int(low) + 1
        if span <= 2 * len(values) + 1024:
            codes = values.astype(np.int64) - np.int64(low)
            return codes, pd.Index(np.arange(low, high + 1, dtype=dtype))
    return pd.factorize(ids, sort=True)


def _to_timestamp_ns(value, datetime_format, what: str) -> int:
    try:
        ts = pd.to_datetime(value, format=datetime_format)
    except (ValueError, TypeError, OverflowError) as error:
        raise ValueError(f"{what}: cannot parse {value!r} as a date ({error})") from None
    if ts is pd.NaT or pd.isna(ts):
        raise ValueError(f"{what}: {value!r} is not a date")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    try:
        return int(ts.as_unit("ns").value) if hasattr(ts, "as_unit") else int(ts.value)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{what}: {value!r} is outside the range of nanosecond timestamps ({error})") from None


def summary_data_from_transaction_data(
    transactions,
    customer_id_col,
    datetime_col,
    monetary_value_col=None,
    datetime_format=None,
    observation_period_end=None,
    freq="D",
    freq_multiplier=1,
    include_first_transaction=False,
):
    """Summarise a transaction log into frequency, recency, T [, monetary_value] per customer.

    Same signature, index, columns and values as lifetimes 0.11.3. Transactions in the
    same period (``freq``) count once and their values are summed; frequency counts the
    periods with a purchase after the first (or all of them with
    ``include_first_transaction``); recency is the time from the first to the last such
    period and T from the first to ``observation_period_end`` (default: the last
    transaction), in units of ``freq`` divided by ``freq_multiplier``; monetary_value is
    the mean period value, excluding the first period unless ``include_first_transaction``.
    Transactions after ``observation_period_end`` are ignored.

    The work per customer is one pass in C++ over integer customer codes.
    """
    from . import _core

    if not isinstance(transactions, pd.DataFrame):
        raise ValueError(f"transactions: expected a pandas DataFrame, got {type(transactions).__name__}")
    wanted = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    missing = [c for c in wanted if not _is_column(transactions, c)]
    if missing:
        raise ValueError(
            f"transactions: missing column(s) {missing}; available columns: {list(transactions.columns)}"
        )
    if len(transactions) == 0:
        raise ValueError("transactions: empty DataFrame, at least one transaction is needed")
    if not (isinstance(freq_multiplier, (int, float, np.number)) and freq_multiplier > 0):
        raise ValueError(f"freq_multiplier: must be a positive number, got {freq_multiplier!r}")
    ticks = _ticks_per_unit(freq)

    ids = transactions[customer_id_col]
    codes, customers = _customer_codes(ids)
    if (codes < 0).any():
        raise ValueError(f"{customer_id_col}: missing customer ids in {offending_rows(codes < 0, transactions.index)}")
    times = _parse_datetime_column(transactions[datetime_col], datetime_col, datetime_format)
    periods = _floor_to_period(_floorable(times, freq, datetime_col, transactions.index), freq)
    if observation_period_end is None:
        end = int(periods.max())
    else:
        end_ns = _to_timestamp_ns(observation_period_end, datetime_format, "observation_period_end")
        end = int(_floor_to_period(_floorable(np.array([end_ns]), freq, "observation_period_end"), freq)[0])
        if end < periods.min():
            raise ValueError(
                f"observation_period_end: {observation_period_end!r} is before the first transaction "
                f"({pd.Timestamp(int(periods.min()))})"
            )
    # T and recency are differences of int64 nanoseconds: refuse spans they cannot hold
    # (lifetimes raises OverflowError there; unchecked, the C++ core would wrap around)
    too_early = periods < end - np.iinfo(np.int64).max if end > 0 else np.zeros(periods.size, dtype=bool)
    if too_early.any():
        raise ValueError(
            f"{datetime_col}: dates more than 2**63 ns (about 292 years) before the end of the "
            f"observation period ({pd.Timestamp(end)}) in {offending_rows(too_early, transactions.index)}"
        )
    values = None
    if monetary_value_col:
        values = as_float_array(monetary_value_col, transactions[monetary_value_col])

    out_codes, frequency, recency, T, monetary = _core.summarize_transactions(
        codes.astype(np.int64, copy=False), periods, values, len(customers), end, float(ticks),
        bool(include_first_transaction), ticks,
    )
    index = customers.take(out_codes)
    index.name = customer_id_col
    columns = {"frequency": frequency, "recency": recency / freq_multiplier, "T": T / freq_multiplier}
    if monetary is not None:
        columns["monetary_value"] = monetary
    return pd.DataFrame(columns, index=index, copy=False)


def _is_column(frame, name) -> bool:
    try:
        return name in frame.columns
    except TypeError:  # unhashable, e.g. a list
        return False


def _scale_time(age):
    """The factor that makes the largest age 1 (lifetimes fits on that axis)."""
    return 1.0 / np.asarray(age).max()


def _check_inputs(frequency, recency=None, T=None, monetary_value=None):
    """lifetimes' input check, with our messages (naming rows) and stricter rules."""
    if recency is not None and T is not None:
        check_rfm(frequency, recency, T)
    else:
        f = as_float_array("frequency", frequency)
        bad = (f < 0) | (f != np.floor(f))
        if bad.any():
            raise ValueError(f"frequency: negative or non-integer values in {offending_rows(bad)}")
    if monetary_value is not None:
        m = as_float_array("monetary_value", monetary_value)
        if (m <= 0).any():
            raise ValueError(f"monetary_value: non-positive values in {offending_rows(m <= 0)}")
