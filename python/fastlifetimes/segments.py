"""Turn per-customer scores into groups a marketing team acts on, and build the summary
on net revenue when the log holds refunds.

- ``value_tiers``: bucket customers by predicted value at quantiles (Low / Medium / High /
  VIP by default).
- ``cohort_table``: customers grouped by the month of their first purchase, with their
  mean predicted CLV, mean P(alive) and the share likely alive.
- ``net_revenue_summary``: ``summary_data_from_transaction_data`` on net revenue.
  Refunds are transactions with negative amounts. Within each period (day, week, ...
  of ``freq``) a customer's transactions are netted: a period whose net value is positive
  is a purchase of that net value; a period that nets to zero or less (a refund, or a
  purchase returned within the period) is not a purchase and adds nothing to frequency,
  recency or the mean value. Only then are the periods averaged into
  ``monetary_value``. Customers whose net value over the whole log is not positive are
  returned in a second table (and a ``UserWarning`` says how many): those whose every
  period nets to zero or less are not in the summary at all, and a refund in a later
  period than its purchase cannot be netted there, so this table is where to look.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._validation import as_float_array, offending_rows
from .utils import _end_period, _floor_to_period, _read_log, summary_data_from_transaction_data

__all__ = ["value_tiers", "cohort_table", "net_revenue_summary"]


def value_tiers(values, labels=("Low", "Medium", "High", "VIP"), quantiles=(0.5, 0.8, 0.95)) -> pd.Series:
    """The tier of each customer's value: with the defaults, ``Low`` up to the median,
    ``Medium`` up to the 80th percentile, ``High`` up to the 95th, ``VIP`` above it.

    A value equal to a cut-off is in the lower tier, so customers with equal values are
    always in the same tier (many zeros all land in ``Low``). Returns an ordered
    categorical Series named ``value_tier``, indexed like ``values`` when it is a Series.
    """
    v = as_float_array("values", values)
    q = np.asarray(quantiles, dtype=float).reshape(-1)
    labels = list(labels)
    if len(labels) != q.size + 1:
        raise ValueError(f"labels: expected {q.size + 1} labels for {q.size} quantiles, got {len(labels)}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels: must be distinct, got {labels}")
    if q.size and not ((q > 0).all() and (q < 1).all() and (np.diff(q) > 0).all()):
        raise ValueError(f"quantiles: must increase strictly within (0, 1), got {list(quantiles)}")
    cut_offs = np.quantile(v, q) if q.size else q
    codes = np.searchsorted(cut_offs, v, side="left")
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(pd.Categorical.from_codes(codes, categories=labels, ordered=True), index=index,
                     name="value_tier")


def _first_purchase(transactions, customer_id_col, datetime_col, datetime_format):
    codes, customers, times, _, _ = _read_log(transactions, customer_id_col, datetime_col, None,
                                              datetime_format, "D", 1)
    first = np.full(len(customers), np.iinfo(np.int64).max)
    np.minimum.at(first, codes, times)
    seen = first < np.iinfo(np.int64).max
    return pd.Series(pd.to_datetime(first[seen]), index=customers[seen])


def cohort_table(transactions, customer_id_col, datetime_col, predicted_clv, p_alive,
                 datetime_format=None, alive_threshold=0.5, freq="M") -> pd.DataFrame:
    """Customers grouped by the month (``freq``: a pandas period alias) of their first
    purchase in ``transactions``: ``customers``, ``mean_predicted_clv``, ``mean_p_alive``
    and ``share_alive`` (the share with P(alive) above ``alive_threshold``).

    ``predicted_clv``: a Series indexed by customer id (the summary's index), e.g.
    ``customer_lifetime_value(...)``; ``p_alive``: the same customers' P(alive), a Series
    with the same index or values in the same order (``conditional_probability_alive`` of
    the summary's rows). Every such customer must appear in the log.
    """
    if not isinstance(predicted_clv, pd.Series):
        raise ValueError(f"predicted_clv: expected a Series indexed by customer id, got {type(predicted_clv).__name__}")
    if isinstance(p_alive, pd.Series) and not predicted_clv.index.equals(p_alive.index):
        raise ValueError("predicted_clv and p_alive: expected the same index (the same customers in the same order)")
    if not (0 <= alive_threshold <= 1):
        raise ValueError(f"alive_threshold: must be between 0 and 1, got {alive_threshold!r}")
    first = _first_purchase(transactions, customer_id_col, datetime_col, datetime_format)
    absent = ~predicted_clv.index.isin(first.index)
    if absent.any():
        raise ValueError("predicted_clv: customers not in the transaction log, "
                         f"{offending_rows(absent, predicted_clv.index)}")
    clv = as_float_array("predicted_clv", predicted_clv)
    alive = as_float_array("p_alive", p_alive)  # BG/NBD returns an array: rows as predicted_clv's
    if alive.size != clv.size:
        raise ValueError(f"p_alive: expected {clv.size} values (one per customer of predicted_clv), got {alive.size}")
    try:
        cohort = pd.PeriodIndex(first.reindex(predicted_clv.index).to_numpy(), freq=freq)
    except (ValueError, TypeError) as error:
        raise ValueError(f"freq: {freq!r} is not a pandas period ({error})") from None
    frame = pd.DataFrame({"clv": clv, "p_alive": alive, "alive": alive > alive_threshold},
                         index=pd.Index(cohort, name="cohort"))
    grouped = frame.groupby(level="cohort", sort=True)
    return pd.DataFrame({
        "customers": grouped.size().astype(np.int64),
        "mean_predicted_clv": grouped["clv"].mean(),
        "mean_p_alive": grouped["p_alive"].mean(),
        "share_alive": grouped["alive"].mean(),
    })


def net_revenue_summary(transactions, customer_id_col, datetime_col, monetary_value_col,
                        datetime_format=None, observation_period_end=None, freq="D",
                        freq_multiplier=1, include_first_transaction=False):
    """``summary_data_from_transaction_data`` on net revenue, refunds (negative amounts)
    netted within each period first; see the module's docstring for the rules.

    Returns ``(summary, not_positive)``: the summary (same columns as
    ``summary_data_from_transaction_data``), and one row per customer whose net value is
    zero or negative, with ``gross_value`` (sum of positive amounts), ``refunds`` (sum of
    negative amounts), ``net_value``, ``unnetted_refunds`` (net value of the periods that
    are not purchases) and ``in_summary``. Warns when ``not_positive`` is not empty.
    """
    if not monetary_value_col:
        raise ValueError("monetary_value_col: required (the column of amounts, refunds negative)")
    codes, customers, times, values, ticks = _read_log(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format, freq, freq_multiplier)
    periods = _floor_to_period(times, freq)
    end = (int(periods.max()) if observation_period_end is None
           else _end_period(observation_period_end, datetime_format, freq, "observation_period_end"))
    kept = periods <= end
    if not kept.any():
        raise ValueError(f"observation_period_end: {observation_period_end!r} is before the first transaction")
    codes, periods, values = codes[kept], periods[kept], values[kept]

    per_period = (pd.DataFrame({"code": codes, "period": periods, "value": values})
                  .groupby(["code", "period"], sort=False)["value"].sum())
    period_codes = per_period.index.get_level_values("code").to_numpy()
    purchase = per_period.to_numpy() > 0
    purchases = per_period[purchase]
    net_log = pd.DataFrame({
        customer_id_col: customers.take(period_codes[purchase]),
        datetime_col: pd.to_datetime(purchases.index.get_level_values("period").to_numpy()),
        monetary_value_col: purchases.to_numpy(),
    })
    summary = None
    if len(net_log):
        summary = summary_data_from_transaction_data(
            net_log, customer_id_col, datetime_col, monetary_value_col=monetary_value_col,
            observation_period_end=pd.Timestamp(end), freq=freq, freq_multiplier=freq_multiplier,
            include_first_transaction=include_first_transaction)

    n = len(customers)
    gross = np.bincount(codes, weights=np.where(values > 0, values, 0.0), minlength=n)
    refunds = np.bincount(codes, weights=np.where(values < 0, values, 0.0), minlength=n)
    unnetted = np.bincount(period_codes[~purchase], weights=per_period.to_numpy()[~purchase], minlength=n)
    present = np.bincount(codes, minlength=n) > 0
    in_summary = np.bincount(period_codes[purchase], minlength=n) > 0
    net = gross + refunds
    flagged = present & (net <= 0)
    not_positive = pd.DataFrame({
        "gross_value": gross[flagged], "refunds": refunds[flagged], "net_value": net[flagged],
        "unnetted_refunds": unnetted[flagged], "in_summary": in_summary[flagged],
    }, index=pd.Index(customers.take(np.flatnonzero(flagged)), name=customer_id_col))
    if len(not_positive):
        left_out = int((~not_positive["in_summary"]).sum())
        warnings.warn(
            f"{len(not_positive)} customer(s) have a net value of zero or less after refunds "
            f"({left_out} of them have no period with a positive net value and are not in the summary); "
            "they are listed in the second table returned", UserWarning, stacklevel=2)
    if summary is None:
        raise ValueError(f"{monetary_value_col}: no period with a positive net value, nothing to summarise")
    return summary, not_positive
