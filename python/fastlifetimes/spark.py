"""fastlifetimes on Apache Spark: the transaction summary, fitting and scoring of logs
too large for one machine, with the numbers of the single-machine functions.

- ``summary_data_from_transaction_data``: the same arguments and result as
  :func:`fastlifetimes.utils.summary_data_from_transaction_data`, computed by Spark SQL
  aggregations (the raw log is never collected) and returned as a Spark DataFrame with
  the customer id as a column.
- ``fit``: the summary compressed in Spark to its distinct rows with head counts, which
  are collected (they are few) and fitted with weights by the C++ fitter; the likelihood
  is a sum over customers, so the parameters are those of the uncompressed rows.
- ``score``: prediction columns added by ``mapInPandas``; the fitted models travel to the
  executors as their JSON documents, so the executors need only fastlifetimes installed.

Requires ``pip install "fastlifetimes[spark]"`` (pyspark and pyarrow) and a Java runtime.
"""

from __future__ import annotations

import json
import math
import os
import tempfile

import numpy as np
import pandas as pd

from .utils import _WEEK_ORIGIN_NS, _end_period, _ticks_per_unit

__all__ = ["summary_data_from_transaction_data", "compress", "fit", "score"]

_INT64_MAX = int(np.iinfo(np.int64).max)
_UTC = ("UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "+00:00", "UTC+00:00", "Zulu")


def _spark():
    try:
        from pyspark.sql import functions as F
        from pyspark.sql import types as T
    except ImportError:
        raise ImportError('fastlifetimes.spark needs pyspark: pip install "fastlifetimes[spark]"') from None
    return F, T


def _check_frame(frame, what):
    from pyspark.sql import DataFrame

    if not isinstance(frame, DataFrame):
        raise ValueError(f"{what}: expected a Spark DataFrame, got {type(frame).__name__}")


def _check_columns(frame, columns, what):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; available columns: {frame.columns}")


def _wall_time_ns(frame, column, datetime_format):
    """The column as int64 wall-time nanoseconds (the pandas path's clock), a Column.

    Spark's own date and time types are read with SQL functions: a TIMESTAMP is an
    instant, shown (and given to pandas by toPandas) in the session time zone, so its wall
    time there is what a pandas user of the same data sees. Text and numbers are parsed by
    pandas in the executors with the single-machine parser itself, so a format means the
    same thing (``%Y%m%d``, inferred ISO dates, numbers with a format as text).
    """
    F, T = _spark()
    kind = frame.schema[column].dataType
    # SQL text rather than pyspark.sql.functions: unix_date and unix_micros are there only
    # from pyspark 3.5, in SQL from 3.1
    name = "`" + column.replace("`", "``") + "`"
    if isinstance(kind, T.DateType):
        return _nanoseconds(f"unix_date({name}) * 86400000000L")
    if isinstance(kind, (T.TimestampType, T.TimestampNTZType)):
        zone = frame.sparkSession.conf.get("spark.sql.session.timeZone")
        instant = name if isinstance(kind, T.TimestampType) else f"cast({name} as timestamp)"
        if zone in _UTC:
            # wall time and instant coincide (the usual setting on clusters)
            return _nanoseconds(f"unix_micros({instant})")
        wall = f"cast({name} as timestamp_ntz)" if isinstance(kind, T.TimestampType) else name
        # from the calendar fields, so no time zone enters (NTZ arithmetic goes through the
        # session zone, where a wall time in a DST gap would move); zone offsets are whole
        # seconds, so the instant's microseconds are the wall time's
        seconds = (f"unix_date(cast({wall} as date)) * 86400L + hour({wall}) * 3600L"
                   f" + minute({wall}) * 60L + second({wall})")
        return _nanoseconds(f"({seconds}) * 1000000L + pmod(unix_micros({instant}), 1000000L)")
    from .utils import _parse_datetime_column

    def parse(values: pd.Series) -> pd.Series:
        return pd.Series(_parse_datetime_column(values.reset_index(drop=True), column, datetime_format))

    return F.pandas_udf(parse, "long")(F.col(column))


def _nanoseconds(micros: str):
    """Microseconds as nanoseconds, null outside the int64 range (1677-09-21 .. 2262-04-11)
    rather than wrapped around or failing mid-job: the check pass counts those rows."""
    from pyspark.sql import functions as F

    bound = _INT64_MAX // 1000
    return F.expr(f"CASE WHEN ({micros}) BETWEEN {-bound}L AND {bound}L THEN ({micros}) * 1000L END")


def _raise_as_value_error(error):
    """Errors raised by our checks inside the executors reach the driver wrapped in a
    PythonException; give the user the ValueError's own message."""
    text = str(error)
    marker = "ValueError: "
    if marker in text:
        message = text[text.rindex(marker) + len(marker):].strip().splitlines()[0]
        raise ValueError(message) from error
    raise error


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
    """Summarise a Spark transaction log into frequency, recency, T [, monetary_value].

    Same arguments and values as :func:`fastlifetimes.utils.summary_data_from_transaction_data`
    (see there for the definitions); returns a Spark DataFrame with the columns
    ``customer_id_col``, ``frequency``, ``recency``, ``T`` [, ``monetary_value``] (doubles),
    one row per customer, in no particular order.

    One pass over the log checks it (missing ids, dates or values) and finds its first and
    last period (the default end); the summary itself is a lazy plan: the log partitioned
    by customer once, per (customer, period) sums, then per customer counts, first and
    last periods (and each customer's first period by a window, for the values). Dates of Spark's DATE,
    TIMESTAMP (wall time in the session time zone) and TIMESTAMP_NTZ types are read by
    Spark; text and numbers are parsed by pandas, as the single-machine function does
    (without ``datetime_format`` each batch infers its own format: give one for mixed logs).
    Monetary values are sums of doubles taken in Spark's order: equal to the single-machine
    summary's to about 1e-15 relative, the other columns exactly.
    """
    F, T = _spark()
    _check_frame(transactions, "transactions")
    wanted = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    _check_columns(transactions, wanted, "transactions")
    if not (isinstance(freq_multiplier, (int, float, np.number)) and not isinstance(freq_multiplier, bool)
            and freq_multiplier > 0):
        raise ValueError(f"freq_multiplier: must be a positive number, got {freq_multiplier!r}")
    ticks = _ticks_per_unit(freq)
    origin = _WEEK_ORIGIN_NS if freq == "W" else 0
    if monetary_value_col:
        kind = transactions.schema[monetary_value_col].dataType
        if not isinstance(kind, T.NumericType):
            raise ValueError(f"{monetary_value_col}: expected numbers, got values of type {kind.simpleString()}")

    ns = _wall_time_ns(transactions, datetime_col, datetime_format)
    columns = [F.col(customer_id_col).alias("c"), ns.alias("t"), F.col(datetime_col).isNull().alias("no_date")]
    if monetary_value_col:
        columns.append(F.col(monetary_value_col).cast("double").alias("v"))
    log = transactions.select(*columns)
    # the start of each row's period: floor division on the period grid (pmod is never
    # negative, so dates before 1970 floor down as numpy's // does)
    log = log.withColumn("p", F.col("t") - F.pmod(F.col("t") - F.lit(origin), F.lit(ticks)))

    checks = [F.count(F.lit(1)).alias("rows"),
              F.sum(F.col("c").isNull().cast("long")).alias("missing_ids"),
              F.sum(F.col("no_date").cast("long")).alias("missing_dates"),
              F.sum((F.col("t").isNull() & ~F.col("no_date")).cast("long")).alias("outside"),
              F.min("p").alias("first"), F.max("p").alias("last")]
    if monetary_value_col:
        bad = F.col("v").isNull() | F.isnan("v") | (F.abs("v") == F.lit(float("inf")))
        checks.append(F.sum(bad.cast("long")).alias("bad_values"))
    try:
        found = log.agg(*checks).first()
    except Exception as error:  # re-raised as it came, unless it carries our ValueError
        _raise_as_value_error(error)
    if found["rows"] == 0:
        raise ValueError("transactions: empty DataFrame, at least one transaction is needed")
    for count, message in ((found["missing_ids"], f"{customer_id_col}: missing customer ids"),
                           (found["missing_dates"], f"{datetime_col}: missing dates"),
                           (found["outside"], f"{datetime_col}: dates outside {pd.Timestamp.min} .. "
                                              f"{pd.Timestamp.max} (the range of nanosecond timestamps)"),
                           (found["bad_values"] if monetary_value_col else 0,
                            f"{monetary_value_col}: missing, NaN or infinite values")):
        if count:
            raise ValueError(f"{message} in {count} row{'s' if count != 1 else ''}")
    first, last = int(found["first"]), int(found["last"])
    if observation_period_end is None:
        end = last
    else:
        end = _end_period(observation_period_end, datetime_format, freq, "observation_period_end")
        if end < first:
            raise ValueError(
                f"observation_period_end: {observation_period_end!r} is before the first transaction "
                f"({pd.Timestamp(first)})")
    if end > 0 and first < end - _INT64_MAX:
        raise ValueError(f"{datetime_col}: dates more than 2**63 ns (about 292 years) before the end "
                         f"of the observation period ({pd.Timestamp(end)})")

    from pyspark.sql import Window

    # one shuffle, by customer, serves every step below (the per-period sums, the window,
    # the per-customer counts); Spark's own plan shuffles twice and sorts, about 4 times
    # slower on a 10M-row log (few transactions share a customer and a period, so the
    # partial aggregation before a shuffle saves little)
    kept = log.where(F.col("p") <= F.lit(end)).drop("no_date").repartition("c")
    per_period = (kept.groupBy("c", "p").agg(F.sum("v").alias("v")) if monetary_value_col
                  else kept.select("c", "p").distinct())
    aggregates = [F.count(F.lit(1)).alias("n"), F.min("p").alias("f"), F.max("p").alias("l")]
    if monetary_value_col:
        # the first period's value apart from the others', as the C++ summary keeps them:
        # subtracting it from the total would lose small repeat orders in rounding
        per_period = per_period.withColumn("first_p", F.min("p").over(Window.partitionBy("c")))
        is_first = F.col("p") == F.col("first_p")
        aggregates += [F.sum(F.when(is_first, F.col("v"))).alias("first_value"),
                       F.coalesce(F.sum(F.when(~is_first, F.col("v"))), F.lit(0.0)).alias("repeat_value")]
    per_customer = per_period.groupBy("c").agg(*aggregates)

    n = F.col("n").cast("double")
    scale = F.lit(float(ticks))
    multiplier = F.lit(float(freq_multiplier))
    out = [F.col("c").alias(customer_id_col),
           (n if include_first_transaction else n - F.lit(1.0)).alias("frequency"),
           # differences of int64 ns divided as doubles, then by the multiplier: the same
           # operations, in the same order, as the single-machine summary
           ((F.col("l") - F.col("f")).cast("double") / scale / multiplier).alias("recency"),
           ((F.lit(end) - F.col("f")).cast("double") / scale / multiplier).alias("T")]
    if monetary_value_col:
        if include_first_transaction:
            monetary = (F.col("first_value") + F.col("repeat_value")) / n
        else:
            monetary = F.when(n > 1.0, F.col("repeat_value") / (n - F.lit(1.0))).otherwise(F.lit(0.0))
        out.append(monetary.alias("monetary_value"))
    return per_customer.select(*out)


def compress(summary, columns=("frequency", "recency", "T"), weights_col=None):
    """The distinct rows of ``columns`` with a ``weights`` column: how many rows of
    ``summary`` each stands for (the sum of ``weights_col`` when given). A Spark DataFrame."""
    F, _ = _spark()
    _check_frame(summary, "summary")
    columns = list(columns)
    _check_columns(summary, columns + ([weights_col] if weights_col else []), "summary")
    weight = F.count(F.lit(1)) if weights_col is None else F.sum(F.col(weights_col).cast("double"))
    return summary.groupBy(*columns).agg(weight.alias("weights"))


def fit(model, summary, columns=None, weights_col=None, **fit_kwargs):
    """Fit ``model`` (a fastlifetimes fitter) on a Spark summary and return it.

    The summary is compressed in Spark to its distinct rows of the model's data columns
    (``frequency, recency, T``; ``frequency, recency, n_periods`` for BG/BB;
    ``frequency, monetary_value`` for Gamma-Gamma) with head counts, collected, and fitted
    with those counts as weights. The likelihood lifetimes maximises is a weighted mean over
    rows, so the parameters equal those of fitting every customer's row; ``model.data``
    holds the compressed rows and their ``weights``.

    ``columns`` names the summary's columns in that order when they are named otherwise.
    Select the rows first as on one machine (Gamma-Gamma: ``frequency > 0``). Gamma-Gamma
    rows compress only where (frequency, mean spend) repeat: its likelihood is not a
    function of sums of spend, so nothing smaller would give the same parameters.
    """
    fitted = list(model._fit_columns)
    columns = fitted if columns is None else list(columns)
    if len(columns) != len(fitted):
        raise ValueError(f"columns: expected {len(fitted)} names (for {', '.join(fitted)}), got {columns!r}")
    rows = compress(summary, columns, weights_col).toPandas()
    if len(rows) == 0:
        raise ValueError("summary: no rows to fit")
    return model.fit(*(rows[c] for c in columns), weights=rows["weights"], **fit_kwargs)


def _model_document(model) -> str:
    """The model's JSON document without its data (executors need the parameters only)."""
    if isinstance(model, str):
        return model
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.json")
        model.save_model(path, save_data=False)
        with open(path, encoding="utf-8") as f:
            return f.read()


def _load_model(document: str):
    import fastlifetimes

    from .fitters import _restore

    doc = json.loads(document)
    cls = getattr(fastlifetimes, str(doc.get("model")), None)
    if not (isinstance(cls, type) and issubclass(cls, fastlifetimes.BaseFitter)):
        raise ValueError(f"model: not a fastlifetimes model document ({doc.get('model')!r})")
    model = cls()
    _restore(model, doc, "model")
    return model


def _horizon_name(h) -> str:
    return f"expected_purchases_{int(h) if float(h).is_integer() else str(h).replace('.', '_')}"


def score(frame, model, horizons=(30,), spend_model=None, time=12, discount_rate=0.01, freq="D",
          frequency_col="frequency", recency_col="recency", T_col="T",
          monetary_value_col="monetary_value"):
    """``frame`` with prediction columns added (doubles), computed by ``mapInPandas``:

    - ``expected_purchases_<h>`` for each horizon h: ``model.predict(h, f, r, T)``;
    - ``p_alive``: ``model.conditional_probability_alive(f, r, T)``;
    - with ``spend_model`` (a fitted GammaGammaFitter), ``expected_average_value``
      (``conditional_expected_average_profit(f, m)``) and ``clv``
      (``spend_model.customer_lifetime_value(model, f, r, T, m, time, discount_rate, freq)``).

    ``model`` is a fitted BG/NBD, MBG/NBD or Pareto/NBD fitter (or its JSON document as
    written by ``save_model``). Each is sent to the executors as its JSON document (without
    the fitted data) and loaded once per partition; the values are the single-machine
    methods' on the same rows.
    """
    F, T = _spark()
    _check_frame(frame, "frame")
    transaction_doc = _model_document(model)
    spend_doc = None if spend_model is None else _model_document(spend_model)
    kind = json.loads(transaction_doc).get("model")
    if kind not in ("BetaGeoFitter", "ModifiedBetaGeoFitter", "ParetoNBDFitter"):
        raise ValueError(f"model: expected a fitted BetaGeoFitter, ModifiedBetaGeoFitter or "
                         f"ParetoNBDFitter, got {kind!r}")
    if spend_doc is not None and json.loads(spend_doc).get("model") != "GammaGammaFitter":
        raise ValueError("spend_model: expected a fitted GammaGammaFitter")
    horizons = [float(h) for h in np.atleast_1d(np.asarray(horizons, dtype=float))]
    if not all(math.isfinite(h) and h >= 0 for h in horizons):
        raise ValueError(f"horizons: expected non-negative numbers, got {horizons!r}")
    needed = [frequency_col, recency_col, T_col] + ([monetary_value_col] if spend_doc else [])
    _check_columns(frame, needed, "frame")
    names = [_horizon_name(h) for h in horizons] + ["p_alive"]
    if spend_doc is not None:
        names += ["expected_average_value", "clv"]
    clash = [n for n in names if n in frame.columns]
    if clash:
        raise ValueError(f"frame: already has column(s) {clash}; drop or rename them first")
    schema = T.StructType(frame.schema.fields + [T.StructField(n, T.DoubleType()) for n in names])

    def predict(batches):
        transactions = _load_model(transaction_doc)
        spend = None if spend_doc is None else _load_model(spend_doc)
        for batch in batches:
            f = batch[frequency_col].to_numpy(dtype=float)
            r = batch[recency_col].to_numpy(dtype=float)
            age = batch[T_col].to_numpy(dtype=float)
            for h, name in zip(horizons, names):
                batch[name] = transactions.predict(h, f, r, age)
            batch["p_alive"] = transactions.conditional_probability_alive(f, r, age)
            if spend is not None:
                m = batch[monetary_value_col].to_numpy(dtype=float)
                batch["expected_average_value"] = spend.conditional_expected_average_profit(f, m)
                batch["clv"] = spend.customer_lifetime_value(
                    transactions, f, r, age, m, time=time, discount_rate=discount_rate,
                    freq=freq).to_numpy()
            yield batch

    return frame.mapInPandas(predict, schema)
