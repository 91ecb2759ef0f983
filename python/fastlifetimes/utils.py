"""Utilities with lifetimes' names: the transaction summary and the errors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._columnar import as_pandas_frame
from ._validation import as_float_array, check_rfm, offending_rows

__all__ = [
    "ConvergenceError",
    "summary_data_from_transaction_data",
    "calibration_and_holdout_data",
    "calculate_alive_path",
    "expected_cumulative_transactions",
    "customer_lifetime_value",
    "inter_transaction_log_times",
]


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


def _read_log(transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format,
              freq, freq_multiplier):
    """The log's customers as integer codes (and the ids they stand for), its dates as int64
    wall-time nanoseconds, its values (or None) and the period width of ``freq`` in ns,
    after the checks every transaction-log function shares."""
    if not isinstance(transactions, pd.DataFrame):
        raise ValueError(f"transactions: expected a pandas, polars or pyarrow DataFrame, "
                         f"got {type(transactions).__name__}")
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
    _floorable(times, freq, datetime_col, transactions.index)
    values = None
    if monetary_value_col:
        values = as_float_array(monetary_value_col, transactions[monetary_value_col])
    return codes.astype(np.int64, copy=False), customers, times, values, ticks


def _columnar_log(transactions, customer_id_col, datetime_col, monetary_value_col):
    """A polars or pyarrow log as a pandas frame of views of the columns used (pandas
    frames pass through); the summaries are pandas frames whatever came in, as in lifetimes."""
    return as_pandas_frame(transactions, [customer_id_col, datetime_col]
                           + ([monetary_value_col] if monetary_value_col else []))


def _end_period(value, datetime_format, freq, what) -> int:
    """The start of the period of ``value`` (a date), in ns."""
    ns = _to_timestamp_ns(value, datetime_format, what)
    return int(_floor_to_period(_floorable(np.array([ns]), freq, what), freq)[0])


def _check_span(periods, end, datetime_col, rows):
    # T and recency are differences of int64 nanoseconds: refuse spans they cannot hold
    # (lifetimes raises OverflowError there; unchecked, the C++ core would wrap around)
    too_early = periods < end - np.iinfo(np.int64).max if end > 0 else np.zeros(periods.size, dtype=bool)
    if too_early.any():
        raise ValueError(
            f"{datetime_col}: dates more than 2**63 ns (about 292 years) before the end of the "
            f"observation period ({pd.Timestamp(end)}) in {offending_rows(too_early, rows)}"
        )


def _summarize(codes, customers, periods, values, end, ticks, freq_multiplier,
               include_first_transaction, customer_id_col, suffix=""):
    """The summary frame of the rows given (periods in ns, all at or before ``end``)."""
    from . import _core

    out_codes, frequency, recency, T, monetary = _core.summarize_transactions(
        codes, periods, values, len(customers), end, float(ticks),
        bool(include_first_transaction), ticks,
    )
    index = customers.take(out_codes)
    index.name = customer_id_col
    columns = {"frequency" + suffix: frequency, "recency" + suffix: recency / freq_multiplier,
               "T" + suffix: T / freq_multiplier}
    if monetary is not None:
        columns["monetary_value" + suffix] = monetary
    return pd.DataFrame(columns, index=index, copy=False), out_codes


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
    transactions = _columnar_log(transactions, customer_id_col, datetime_col, monetary_value_col)
    codes, customers, times, values, ticks = _read_log(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format, freq,
        freq_multiplier)
    periods = _floor_to_period(times, freq)
    if observation_period_end is None:
        end = int(periods.max())
    else:
        end = _end_period(observation_period_end, datetime_format, freq, "observation_period_end")
        if end < periods.min():
            raise ValueError(
                f"observation_period_end: {observation_period_end!r} is before the first transaction "
                f"({pd.Timestamp(int(periods.min()))})"
            )
    _check_span(periods, end, datetime_col, transactions.index)
    frame, _ = _summarize(codes, customers, periods, values, end, ticks, freq_multiplier,
                          include_first_transaction, customer_id_col)
    return frame


def calibration_and_holdout_data(
    transactions,
    customer_id_col,
    datetime_col,
    calibration_period_end,
    observation_period_end=None,
    freq="D",
    freq_multiplier=1,
    datetime_format=None,
    monetary_value_col=None,
    include_first_transaction=False,
):
    """Summarise a transaction log over a calibration period and the holdout period after it.

    Same signature, index, columns, dtypes and values as lifetimes 0.11.3. The calibration
    columns (``frequency_cal``, ``recency_cal``, ``T_cal`` [, ``monetary_value_cal``]) are
    ``summary_data_from_transaction_data`` of the transactions up to
    ``calibration_period_end`` (inclusive), observed until then. The holdout columns
    describe the transactions after ``calibration_period_end`` up to
    ``observation_period_end`` (inclusive; default the last transaction):
    ``frequency_holdout``, the number of distinct periods with a purchase,
    [``monetary_value_holdout``, the mean value of those transactions (each transaction
    counted, not each period),] and ``duration_holdout``, the number of periods from the
    calibration end to the observation end, divided by ``freq_multiplier``. Customers
    whose first purchase falls in the holdout are left out; calibration customers without
    holdout purchases get 0. ``frequency_holdout`` is an integer column when every
    calibration customer bought in the holdout, a float column otherwise (as in lifetimes).

    Both summaries run in C++ over integer customer codes, without a Python loop.
    """
    transactions = _columnar_log(transactions, customer_id_col, datetime_col, monetary_value_col)
    codes, customers, times, values, ticks = _read_log(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format, freq,
        freq_multiplier)
    calibration_ns = _to_timestamp_ns(calibration_period_end, datetime_format, "calibration_period_end")
    observation_ns = (int(times.max()) if observation_period_end is None
                      else _to_timestamp_ns(observation_period_end, datetime_format, "observation_period_end"))
    calibration_end = _end_period(calibration_period_end, datetime_format, freq, "calibration_period_end")
    observation_end = int(_floor_to_period(
        _floorable(np.array([observation_ns]), freq, "observation_period_end"), freq)[0])

    # lifetimes splits on the timestamps themselves, then counts periods on each side
    in_calibration = times <= calibration_ns
    if not in_calibration.any():
        raise ValueError(
            f"calibration_period_end: {calibration_period_end!r} is before the first transaction "
            f"({pd.Timestamp(int(times.min()))})"
        )
    in_holdout = (times > calibration_ns) & (times <= observation_ns)
    if not in_holdout.any():
        raise ValueError(
            "There is no data available. Check the `observation_period_end` and  "
            "`calibration_period_end` and confirm that values in `transactions` occur prior to those dates."
        )
    periods = _floor_to_period(times, freq)
    calibration_periods = periods[in_calibration]
    _check_span(calibration_periods, calibration_end, datetime_col, transactions.index[in_calibration])
    frame, calibration_codes = _summarize(
        codes[in_calibration], customers, calibration_periods,
        None if values is None else values[in_calibration], calibration_end, ticks,
        freq_multiplier, include_first_transaction, customer_id_col, suffix="_cal")

    # holdout: distinct periods per customer (the summary's count with the first period
    # included), and the plain mean of the transaction values
    from . import _core

    holdout_codes = codes[in_holdout]
    holdout_periods = periods[in_holdout]
    present, holdout_frequency, _, _, _ = _core.summarize_transactions(
        holdout_codes, holdout_periods, None, len(customers), int(holdout_periods.max()),
        float(ticks), True, ticks)
    count_by_code = np.zeros(len(customers))
    count_by_code[present] = holdout_frequency
    seen = np.zeros(len(customers), dtype=bool)
    seen[present] = True
    frequency_holdout = count_by_code[calibration_codes]
    if seen[calibration_codes].all():
        frequency_holdout = frequency_holdout.astype(np.int64)
    frame["frequency_holdout"] = frequency_holdout
    if values is not None:
        rows = np.bincount(holdout_codes, minlength=len(customers))
        sums = np.bincount(holdout_codes, weights=values[in_holdout], minlength=len(customers))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(rows > 0, sums / np.maximum(rows, 1), 0.0)
        frame["monetary_value_holdout"] = mean[calibration_codes]
    frame["duration_holdout"] = ((observation_end - calibration_end) // ticks) / freq_multiplier
    return frame


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


def calculate_alive_path(model, transactions, datetime_col, t, freq="D"):
    """P(alive) of one customer at each age 0, 1, ... since the first purchase.

    ``transactions`` holds that customer's purchases. Purchases are counted per period of
    ``freq`` from the first purchase's period; at each age the customer's frequency,
    recency and T are those of the purchases so far, and the model's
    ``conditional_probability_alive`` gives the probability. The path covers
    ``max(t + 1, periods to the last purchase)`` ages, as lifetimes' does.

    Returns a Series with a RangeIndex, one entry per age, holding what the model returns
    for a single customer (lifetimes' and fastlifetimes' BG/NBD return a 1-element array),
    as lifetimes' row-by-row version does; here the model is called once on all ages.
    """
    if not isinstance(transactions, pd.DataFrame):
        raise ValueError(f"transactions: expected a pandas DataFrame, got {type(transactions).__name__}")
    if not _is_column(transactions, datetime_col):
        raise ValueError(
            f"transactions: missing column(s) {[datetime_col]}; available columns: {list(transactions.columns)}"
        )
    if len(transactions) == 0:
        raise ValueError("transactions: empty DataFrame, at least one transaction is needed")
    if not (isinstance(t, (int, np.integer)) and not isinstance(t, (bool, np.bool_)) and t >= 0):
        raise ValueError(f"t: must be a non-negative integer, got {t!r}")
    column = transactions[datetime_col]
    if column.isna().any():
        raise ValueError(f"{datetime_col}: missing dates in {offending_rows(column.isna().to_numpy(), column.index)}")
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(column))
        per_period = pd.Series(np.ones(len(dates), dtype=np.int64), index=dates).resample(freq).sum()
    except (ValueError, TypeError) as error:
        raise ValueError(f"{datetime_col} / freq={freq!r}: {error}") from None
    bought_in = per_period.to_numpy() > 0
    ages = max(t + 1, bought_in.size)
    bought = np.zeros(ages, dtype=bool)
    bought[: bought_in.size] = bought_in
    T = np.arange(ages, dtype=np.float64)
    frequency = np.cumsum(bought) - 1.0  # the first purchase is not a repeat purchase
    recency = np.maximum.accumulate(np.where(bought, T, 0.0))
    probe = model.conditional_probability_alive(frequency[0], recency[0], T[0])
    alive = np.asarray(model.conditional_probability_alive(frequency, recency, T), dtype=np.float64).reshape(-1)
    if np.ndim(probe) == 0:
        return pd.Series(alive)
    # one small array per age, as lifetimes' DataFrame.apply builds from a model that
    # returns arrays for scalars
    cells = np.empty(ages, dtype=object)
    shape = np.shape(probe)
    for i in range(ages):
        cells[i] = np.full(shape, alive[i])
    return pd.Series(cells)


def expected_cumulative_transactions(
    model,
    transactions,
    datetime_col,
    customer_id_col,
    t,
    datetime_format=None,
    freq="D",
    freq_multiplier=1,
    set_index_date=False,
):
    """Actual and expected cumulative repeat transactions, period by period, of the
    customers of a transaction log (Fader, Hardie & Lee, note 008, p. 8).

    Periods of ``freq`` are counted from the first transaction's period for ``t`` periods.
    Every ``freq_multiplier`` periods, ``actual`` is the number of repeat purchase periods
    so far (a customer's purchases in one period count once, the first one not at all) and
    ``predicted`` the sum over customers acquired before that period of the model's
    ``expected_number_of_purchases_up_to_time`` at their age, in units of ``freq`` divided
    by ``freq_multiplier``.

    Returns a DataFrame with columns ``actual`` (int) and ``predicted`` (float), indexed by
    0, 1, ... or, with ``set_index_date``, by the period of each row. Same values and layout
    as lifetimes 0.11.3; the model is called once, on every age at once.
    """
    transactions = _columnar_log(transactions, customer_id_col, datetime_col, None)
    if not (isinstance(t, (int, np.integer)) and not isinstance(t, (bool, np.bool_)) and t > 0):
        raise ValueError(f"t: must be a positive integer, got {t!r}")
    if not (isinstance(freq_multiplier, (int, np.integer)) and not isinstance(freq_multiplier, bool)
            and freq_multiplier > 0):
        raise ValueError(f"freq_multiplier: must be a positive integer here, got {freq_multiplier!r}")
    codes, customers, times, _, ticks = _read_log(
        transactions, customer_id_col, datetime_col, None, datetime_format, freq, freq_multiplier)
    t = int(t)
    periods = _floor_to_period(times, freq)
    first = int(periods.min())
    offset = (periods - first) // ticks
    kept = offset <= t
    # distinct (customer, period) pairs in time order within each customer; the first of
    # each customer is its acquisition, the others its repeat purchases
    keys = np.unique(codes[kept] * np.int64(t + 1) + offset[kept])
    key_customer, key_offset = keys // (t + 1), keys % (t + 1)
    acquisition = np.ones(keys.size, dtype=bool)
    acquisition[1:] = key_customer[1:] != key_customer[:-1]
    acquired = np.bincount(key_offset[acquisition], minlength=t + 1)
    repeats = np.bincount(key_offset[~acquisition], minlength=t + 1)

    # expected purchases of a customer of age d periods, d = 0 .. t (E(0) = 0)
    ages = np.arange(1, t + 1).astype(float) / freq_multiplier
    expected = np.zeros(t + 1)
    expected[1:] = np.asarray(model.expected_number_of_purchases_up_to_time(ages), dtype=float)
    at = np.arange(freq_multiplier, t + 1, freq_multiplier)
    # predicted(i) = sum over acquisition periods k < i of acquired[k] * E(i - k)
    predicted = np.convolve(acquired.astype(float), expected)[at]
    actual = np.cumsum(repeats)[at - 1].astype(np.int64)
    if set_index_date:
        start = pd.Timestamp(int(times.min())).to_period(freq)
        index = pd.period_range(start=start, periods=t + 1, freq=freq)[freq_multiplier - 1:-1:freq_multiplier]
    else:
        index = range(0, t // freq_multiplier)
    return pd.DataFrame({"actual": actual, "predicted": predicted}, index=index)


# Months in each `freq` unit of lifetimes' customer_lifetime_value (its own constants).
_CLV_PERIOD = {"W": 4.345, "M": 1.0, "D": 30, "H": 30 * 24}


def _clv_kernels():
    """Models whose CLV sum has a one-pass C++ kernel, by exact class (a subclass may
    override predict)."""
    from . import _core
    from .fitters.beta_geo_fitter import BetaGeoFitter

    return {BetaGeoFitter: _core.bgnbd_discounted_purchases}


def _customer_lifetime_value(transaction_prediction_model, frequency, recency, T, monetary_value,
                             time=12, discount_rate=0.01, freq="D"):
    """Discounted expected revenue of each customer over the next ``time`` months.

    For month k = 1..time: the expected purchases in month k, predicted by
    ``transaction_prediction_model.predict`` as the difference of its cumulative
    predictions at k and k - 1 months, times ``monetary_value``, divided by
    (1 + discount_rate)^k. ``freq`` is the unit of ``recency`` and ``T``: "D" (a month is
    30 days), "W" (4.345 weeks), "M" or "H" (720 hours), as lifetimes converts.

    Returns a Series named "clv", indexed like ``frequency`` (a RangeIndex for arrays,
    where lifetimes needs a Series). With a fastlifetimes BetaGeoFitter the sum runs in
    one C++ pass; any other model is called period by period, as lifetimes does.
    """
    if freq not in _CLV_PERIOD:
        raise ValueError(f"freq: must be one of {sorted(_CLV_PERIOD)} (the unit of recency and T), got {freq!r}")
    if not (isinstance(time, (int, float, np.number)) and not isinstance(time, (bool, np.bool_))
            and np.isfinite(time) and time >= 0):
        raise ValueError(f"time: must be a non-negative number of months, got {time!r}")
    if not (isinstance(discount_rate, (int, float, np.number)) and not isinstance(discount_rate, (bool, np.bool_))
            and np.isfinite(discount_rate) and discount_rate > -1):
        raise ValueError(f"discount_rate: must be a number above -1, got {discount_rate!r}")
    factor = _CLV_PERIOD[freq]
    to = np.arange(1, time + 1) * factor
    from_ = to - factor
    discount = (1 + discount_rate) ** (to / factor)
    index = frequency.index if isinstance(frequency, pd.Series) else pd.RangeIndex(np.size(frequency))

    series = [v for v in (frequency, recency, T, monetary_value) if isinstance(v, pd.Series)]
    aligned = all(s.index.equals(index) for s in series)
    kernel = _clv_kernels().get(type(transaction_prediction_model))
    if kernel is not None and aligned:
        from ._arrays import Inputs

        params = transaction_prediction_model._params_array()
        inputs = Inputs([("frequency", frequency), ("recency", recency), ("T", T),
                         ("monetary_value", monetary_value)], check_finite=False)
        if inputs.size != len(index):
            raise ValueError(f"mismatched lengths: frequency has {len(index)} values, "
                             f"the inputs broadcast to {inputs.size}")
        try:
            purchases = kernel(params, to.astype(float), from_.astype(float), discount.astype(float),
                               inputs["frequency"], inputs["recency"], inputs["T"])
        except ValueError:
            # the model's own checks name the offending rows
            transaction_prediction_model.predict(1.0, frequency, recency, T)
            raise
        return pd.Series(inputs["monetary_value"] * purchases, index=index, name="clv")

    clv = pd.Series(np.zeros(len(index)), index=index, name="clv")
    for i, j, d in zip(to, from_, discount):
        expected = (transaction_prediction_model.predict(i, frequency, recency, T)
                    - transaction_prediction_model.predict(j, frequency, recency, T))
        clv += (monetary_value * expected) / d
    clv.name = "clv"
    return clv


customer_lifetime_value = _customer_lifetime_value


def inter_transaction_log_times(
    transactions,
    customer_id_col,
    datetime_col,
    observation_period_end=None,
    freq="D",
    freq_multiplier=1,
    datetime_format=None,
):
    """litt per customer: the sum of the logs of the times between successive purchase
    periods, which the (M)BG/CNBD-k likelihood needs (Platzer & Reutterer 2016).

    The periods are those of ``summary_data_from_transaction_data`` with the same
    arguments (transactions in the same ``freq`` period count once; those after
    ``observation_period_end`` are left out), and the times are in its unit (``freq``
    divided by ``freq_multiplier``), so the result lines up with that summary's
    frequency and recency: a Series named ``litt`` with the same index, 0 for customers
    without repeat purchases. For a calibration period, pass its end as
    ``observation_period_end``.
    """
    transactions = _columnar_log(transactions, customer_id_col, datetime_col, None)
    codes, customers, times, _, ticks = _read_log(
        transactions, customer_id_col, datetime_col, None, datetime_format, freq, freq_multiplier)
    periods = _floor_to_period(times, freq)
    if observation_period_end is not None:
        end = _end_period(observation_period_end, datetime_format, freq, "observation_period_end")
        keep = periods <= end
        if not keep.any():
            raise ValueError(
                f"observation_period_end: {observation_period_end!r} is before the first transaction "
                f"({pd.Timestamp(int(periods.min()))})"
            )
        codes, periods = codes[keep], periods[keep]
    # distinct (customer, period) pairs in order; each gap is between neighbours of one customer
    order = np.lexsort((periods, codes))
    codes, periods = codes[order], periods[order]
    distinct = np.ones(codes.size, dtype=bool)
    distinct[1:] = (codes[1:] != codes[:-1]) | (periods[1:] != periods[:-1])
    codes, periods = codes[distinct], periods[distinct]
    same = codes[1:] == codes[:-1]
    gaps = (periods[1:] - periods[:-1])[same] / float(ticks) / freq_multiplier
    litt = np.bincount(codes[1:][same], weights=np.log(gaps), minlength=len(customers))
    present = np.unique(codes)
    index = customers.take(present)
    index.name = customer_id_col
    return pd.Series(litt[present], index=index, name="litt")
