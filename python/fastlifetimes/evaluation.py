"""Judge a fitted model on a holdout period, the way a marketing budget uses it.

Start from ``utils.calibration_and_holdout_data`` (with ``monetary_value_col`` for value),
fit the transaction model (and a ``GammaGammaFitter``) on the calibration columns, then::

    report = evaluate_holdout(bgf, calibration_holdout, spend_model=ggf, segments=["country"])
    print(report)            # every table below, as text
    report.metrics           # RMSE, MAE, median absolute error, R^2, Gini, top-k% shares
    report.deciles           # customers ranked by forecast, cut into ten groups
    report.segments          # calibration by segment, with flags

Per customer (``holdout_predictions``):

- predicted purchases: the model's expected purchases over ``duration_holdout``;
- actual purchases: ``frequency_holdout``;
- predicted value: predicted purchases times the spend model's expected mean value
  (``conditional_expected_average_profit``; the population mean for customers without
  repeat purchases);
- actual value: ``frequency_holdout * monetary_value_holdout``, the holdout purchases at
  their mean value (the columns ``calibration_and_holdout_data`` gives);
- the naive forecast: the calibration period's repeat purchases and their value
  (``frequency_cal``, ``frequency_cal * monetary_value_cal``) per unit of ``T_cal``, times
  ``duration_holdout``; 0 for customers with ``T_cal == 0``, whose rate is unknown.

Every metric is reported for the model and for the naive forecast, so each reads as
"model vs naive". The per-customer work (sorting, cumulative shares, Gini, sums per rank
group and per segment) runs in C++ (``include/fastlifetimes/evaluation.hpp``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core
from ._validation import as_float_array, offending_rows

__all__ = [
    "HoldoutReport",
    "holdout_predictions",
    "evaluate_holdout",
    "ranking_metrics",
    "lorenz_curve",
    "calibration_by_segment",
]

TOP_PERCENTS = (1, 5, 10, 20)
# calibration flags: a segment's mean forecast off its mean outcome by more than 20%, or
# its MAPE more than 1.5 times the MAPE over all customers
RATIO_BOUNDS = (0.8, 1.2)
MAPE_FACTOR = 1.5

_ERROR_COLUMNS = ["customers", "mean_predicted", "mean_actual", "rmse", "mae", "median_absolute_error",
                  "r_squared"]
_NEEDED = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
_VALUE_COLUMNS = ["monetary_value_cal", "monetary_value_holdout"]


def _check_frame(calibration_holdout, needed):
    if not isinstance(calibration_holdout, pd.DataFrame):
        raise ValueError("calibration_holdout: expected the DataFrame calibration_and_holdout_data "
                         f"returns, got {type(calibration_holdout).__name__}")
    missing = [c for c in needed if c not in calibration_holdout.columns]
    if missing:
        raise ValueError(f"calibration_holdout: missing column(s) {missing}; available columns: "
                         f"{list(calibration_holdout.columns)}")
    if len(calibration_holdout) == 0:
        raise ValueError("calibration_holdout: no customers")


def holdout_predictions(model, calibration_holdout, spend_model=None) -> pd.DataFrame:
    """Per customer, predicted and actual holdout purchases (and value), and the naive
    forecast: a DataFrame indexed like ``calibration_holdout``.

    Columns: ``predicted_purchases``, ``naive_purchases``, ``actual_purchases``; with a
    ``spend_model`` and the monetary columns also ``predicted_value``, ``naive_value``,
    ``actual_value`` (see the module's docstring for the definitions).
    """
    _check_frame(calibration_holdout, _NEEDED)
    if not hasattr(model, "conditional_expected_number_of_purchases_up_to_time"):
        raise ValueError(f"model: expected a fitted transaction model (BetaGeoFitter, ParetoNBDFitter, ...), "
                         f"got {type(model).__name__}")
    frame = calibration_holdout
    repeat_purchases_cal = as_float_array("frequency_cal", frame["frequency_cal"])
    calibration_length = as_float_array("T_cal", frame["T_cal"])
    holdout_length = as_float_array("duration_holdout", frame["duration_holdout"])
    actual = as_float_array("frequency_holdout", frame["frequency_holdout"])
    predicted = np.asarray(model.conditional_expected_number_of_purchases_up_to_time(
        holdout_length, frame["frequency_cal"], frame["recency_cal"], frame["T_cal"]),
        dtype=float).reshape(-1)
    # the calibration period's repeat-purchase rate, carried over to the holdout length
    holdout_per_calibration = np.divide(holdout_length, calibration_length,
                                        out=np.zeros_like(calibration_length), where=calibration_length > 0)
    out = {"predicted_purchases": predicted, "naive_purchases": repeat_purchases_cal * holdout_per_calibration,
           "actual_purchases": actual}
    if spend_model is not None:
        _check_frame(frame, _VALUE_COLUMNS)
        mean_value_cal = as_float_array("monetary_value_cal", frame["monetary_value_cal"])
        mean_value_holdout = as_float_array("monetary_value_holdout", frame["monetary_value_holdout"])
        expected_mean_value = np.asarray(spend_model.conditional_expected_average_profit(
            frame["frequency_cal"], frame["monetary_value_cal"]), dtype=float).reshape(-1)
        out["predicted_value"] = predicted * expected_mean_value
        out["naive_value"] = repeat_purchases_cal * mean_value_cal * holdout_per_calibration
        out["actual_value"] = actual * mean_value_holdout
    return pd.DataFrame(out, index=frame.index)


def _forecast_pair(customers: pd.DataFrame, target: str):
    return [("model", customers[f"predicted_{target}"].to_numpy()),
            ("naive", customers[f"naive_{target}"].to_numpy())]


def _top_label(percent) -> str:
    return f"top_{percent:g}%"


def _forecast_and_outcome(predicted, actual):
    p = as_float_array("predicted", predicted)
    a = as_float_array("actual", actual)
    if p.size != a.size:
        raise ValueError(f"predicted and actual must have the same length, got {p.size} and {a.size}")
    return p, a


def ranking_metrics(predicted, actual, top_percents=TOP_PERCENTS, groups=10) -> dict:
    """How well ``predicted`` ranks customers by ``actual`` (values >= 0 with a positive
    sum): a dict with ``gini`` (of the gains curve: customers ordered by forecast, highest
    first; equal forecasts share their value evenly), ``normalised_gini`` (divided by the
    Gini of the perfect ranking: 1 perfect, about 0 random), ``top_shares`` (share of the
    actual value held by the top k% of customers, by ``top_percents``), the curve
    (``share_of_customers``, ``share_of_value``) and sums over ``groups`` rank groups
    (at most one per customer)."""
    p, a = _forecast_and_outcome(predicted, actual)
    negative = a < 0
    if negative.any():
        raise ValueError(f"actual: negative values in {offending_rows(negative)} (shares of value need values >= 0)")
    if not a.sum() > 0:
        raise ValueError("actual: every value is 0, so there is no value to rank customers by")
    percents = np.asarray(top_percents, dtype=float)
    if ((percents < 0) | (percents > 100)).any():
        raise ValueError(f"top_percents: must be between 0 and 100, got {list(top_percents)}")
    if not (isinstance(groups, (int, np.integer)) and not isinstance(groups, bool) and groups >= 1):
        raise ValueError(f"groups: must be a positive integer, got {groups!r}")
    # never more groups than customers: a group of one customer is the finest cut
    return _core.evaluation_ranking(p, a, percents / 100.0, min(int(groups), p.size))


def lorenz_curve(predicted, actual) -> pd.DataFrame:
    """The gains (Lorenz) curve of ``actual`` with customers ordered by ``predicted``,
    highest first: columns ``share_of_customers`` and ``share_of_value``, from (0, 0) to
    (1, 1), one point per block of equal forecasts (linear in between)."""
    ranking = ranking_metrics(predicted, actual, top_percents=(), groups=1)
    return pd.DataFrame({"share_of_customers": ranking["share_of_customers"],
                         "share_of_value": ranking["share_of_value"]})


def _segment_codes(name, values, index):
    """Integer codes of a segment column (missing values form a segment of their own)."""
    if isinstance(values, pd.Series):
        if not values.index.equals(index):
            if values.index.has_duplicates:
                raise ValueError(f"segments[{name!r}]: its index has duplicate labels")
            absent = ~index.isin(values.index)
            if absent.any():
                raise ValueError(f"segments[{name!r}]: no value for {offending_rows(absent, index)}")
            values = values.reindex(index)
        values = values.array if isinstance(values.dtype, pd.CategoricalDtype) else values.to_numpy()
    if isinstance(values, pd.Categorical):
        # its categories' order (an ordered scale such as value tiers), empty ones too
        codes, labels = values.codes, list(values.categories)
    else:
        values = np.asarray(values, dtype=object)
        if values.shape != (len(index),):
            raise ValueError(f"segments[{name!r}]: expected {len(index)} values (one per customer), "
                             f"got shape {values.shape}")
        codes, labels = pd.factorize(pd.Series(values), sort=True)
        labels = list(labels)
    if len(codes) != len(index):
        raise ValueError(f"segments[{name!r}]: expected {len(index)} values (one per customer), got {len(codes)}")
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels.append("(missing)")
    return codes.astype(np.int64), labels


def calibration_by_segment(predicted, actual, segments, index=None) -> pd.DataFrame:
    """Calibration of a forecast in each segment of each segment column.

    ``segments``: a dict of name -> values (one per customer, or a Series aligned by
    ``index``), or a DataFrame. Returns one row per (segment column, segment) with
    ``customers``, ``mean_predicted``, ``mean_actual``, ``ratio`` (mean predicted / mean
    actual), ``mape`` (mean ``|predicted - actual| / actual`` over the segment's customers
    with a positive actual value, counted in ``customers_in_mape``: the percentage error of a
    customer with nothing to forecast is undefined), ``ratio_flag`` (ratio outside
    [0.8, 1.2]) and ``mape_flag`` (MAPE above 1.5 times the MAPE over all customers).
    """
    p, a = _forecast_and_outcome(predicted, actual)
    index = pd.RangeIndex(p.size) if index is None else index
    if isinstance(segments, pd.DataFrame):
        segments = {c: segments[c] for c in segments.columns}
    if not isinstance(segments, dict) or not segments:
        raise ValueError("segments: expected a dict of column name -> values, or a DataFrame, with at least one column")
    everyone = _core.evaluation_segments(np.zeros(p.size, dtype=np.int64), 1, p, a)
    global_mape = everyone["absolute_percentage_error"][0] / max(everyone["customers_with_actual"][0], 1)
    tables = []
    for name, values in segments.items():
        codes, labels = _segment_codes(name, values, index)
        sums = _core.evaluation_segments(codes, len(labels), p, a)
        customers = sums["customers"]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_predicted = sums["predicted"] / customers
            mean_actual = sums["actual"] / customers
            ratio = mean_predicted / mean_actual
            in_mape = sums["customers_with_actual"]
            mape = np.where(in_mape > 0, sums["absolute_percentage_error"] / np.maximum(in_mape, 1), np.nan)
        tables.append(pd.DataFrame({
            "customers": customers,
            "mean_predicted": mean_predicted,
            "mean_actual": mean_actual,
            "ratio": ratio,
            "mape": mape,
            "customers_in_mape": in_mape,
            "ratio_flag": ~((ratio >= RATIO_BOUNDS[0]) & (ratio <= RATIO_BOUNDS[1])),
            "mape_flag": mape > MAPE_FACTOR * global_mape,
        }, index=pd.MultiIndex.from_product([[name], labels], names=["segment_column", "segment"])))
    table = pd.concat(tables)
    table.attrs["global_mape"] = global_mape
    return table


class HoldoutReport:
    """What ``evaluate_holdout`` found; ``print(report)`` shows it all.

    Attributes
    ----------
    customers: DataFrame, per customer (``holdout_predictions``)
    target: "value" (with a spend model) or "purchases": what the ranking tables rank by
    metrics: DataFrame, one row per (target, forecast): ``customers``, ``mean_predicted``,
        ``mean_actual``, ``rmse``, ``mae``, ``median_absolute_error``, ``r_squared``,
        ``gini``, ``normalised_gini`` and the ``top_k%`` shares of actual value
    lorenz: DataFrame, the model's gains curve of the target (``share_of_customers``,
        ``share_of_value``); ``lorenz_naive`` and ``lorenz_perfect`` for comparison
    deciles: DataFrame, customers ranked by the model's forecast of the target, highest
        first, in ten groups: ``customers``, ``mean_predicted``, ``mean_actual``,
        ``share_of_actual``, ``cumulative_share_of_actual``
    segments: DataFrame from ``calibration_by_segment``, or None
    duration: the holdout length, in the calibration data's time units
    """

    def __init__(self, customers, target, metrics, curves, deciles, segments, duration):
        self.customers = customers
        self.target = target
        self.metrics = metrics
        self.lorenz, self.lorenz_naive, self.lorenz_perfect = curves
        self.deciles = deciles
        self.segments = segments
        self.duration = duration

    def to_text(self) -> str:
        def table(frame):
            return frame.to_string(float_format=lambda v: f"{v:,.4g}")

        lines = [
            f"Holdout evaluation: {len(self.customers):,} customers, holdout of {self.duration:g} time units; "
            f"ranked by predicted {self.target}",
            "",
            "Errors, model vs naive (the calibration rate carried over to the holdout):",
            table(self.metrics[_ERROR_COLUMNS]),
            "",
            f"Ranking: Gini of the gains curve, and the share of actual holdout {self.target} held by the "
            "top k% of customers by forecast:",
            table(self.metrics.drop(columns=_ERROR_COLUMNS)),
            "",
            f"Deciles of customers by predicted {self.target} (1 = highest):",
            table(self.deciles),
        ]
        if self.segments is not None:
            flagged = self.segments[self.segments["ratio_flag"] | self.segments["mape_flag"]]
            lines += [
                "",
                f"Calibration of predicted {self.target} by segment (ratio = mean predicted / mean actual; "
                f"flags: ratio outside [{RATIO_BOUNDS[0]}, {RATIO_BOUNDS[1]}], MAPE above "
                f"{MAPE_FACTOR} x {self.segments.attrs.get('global_mape', float('nan')):.4g}, "
                f"the MAPE over all customers; {len(flagged)} of {len(self.segments)} flagged):",
                table(self.segments),
            ]
        return "\n".join(lines)

    def __repr__(self):
        return self.to_text()

    __str__ = __repr__


def evaluate_holdout(model, calibration_holdout, spend_model=None, segments=None,
                     top_percents=TOP_PERCENTS, groups=10) -> HoldoutReport:
    """Evaluate a fitted model (and optionally a fitted spend model) on the holdout
    period of ``calibration_holdout`` (``utils.calibration_and_holdout_data``'s output;
    with a spend model, made with ``monetary_value_col``).

    ``segments``: column names of ``calibration_holdout``, or a dict of name -> values (a
    Series indexed by customer, or one value per row), or a DataFrame of such columns; each
    gets a calibration-by-segment table. Returns a ``HoldoutReport``.
    """
    customers = holdout_predictions(model, calibration_holdout, spend_model)
    targets = ["value", "purchases"] if spend_model is not None else ["purchases"]
    target = targets[0]
    rows, rankings = [], {}
    for name in targets:
        actual = customers[f"actual_{name}"].to_numpy()
        if not actual.sum() > 0:
            raise ValueError(f"calibration_holdout: no holdout {name} at all, nothing to evaluate against")
        for forecast, predicted in _forecast_pair(customers, name):
            errors = _core.evaluation_errors(predicted, actual)
            ranking = rankings[(name, forecast)] = ranking_metrics(predicted, actual, top_percents, groups)
            row = {"customers": len(actual), "mean_predicted": predicted.mean(), "mean_actual": actual.mean(),
                   **errors, "gini": ranking["gini"], "normalised_gini": ranking["normalised_gini"]}
            row.update({_top_label(k): s for k, s in zip(top_percents, ranking["top_shares"])})
            rows.append(row)
    metrics = pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(list(rankings), names=["target", "forecast"]))
    metrics["customers"] = metrics["customers"].astype(np.int64)
    actual = customers[f"actual_{target}"].to_numpy()
    model_ranking = rankings[(target, "model")]
    curves = [_curve_frame(model_ranking), _curve_frame(rankings[(target, "naive")]),
              _curve_frame(ranking_metrics(actual, actual, (), 1))]

    counts = model_ranking["group_customers"]
    shares = model_ranking["group_actual"] / actual.sum()
    deciles = pd.DataFrame({
        "customers": counts,
        "mean_predicted": model_ranking["group_predicted"] / counts,
        "mean_actual": model_ranking["group_actual"] / counts,
        "share_of_actual": shares,
        "cumulative_share_of_actual": np.cumsum(shares),
    }, index=pd.RangeIndex(1, len(counts) + 1, name="decile" if groups == 10 else "group"))

    segment_table = None
    if segments is not None:
        segment_table = calibration_by_segment(
            customers[f"predicted_{target}"], customers[f"actual_{target}"],
            _segment_columns(segments, calibration_holdout), index=customers.index)
    duration = float(np.asarray(calibration_holdout["duration_holdout"], dtype=float).max())
    return HoldoutReport(customers, target, metrics, curves, deciles, segment_table, duration)


def _curve_frame(ranking) -> pd.DataFrame:
    return pd.DataFrame({"share_of_customers": ranking["share_of_customers"],
                         "share_of_value": ranking["share_of_value"]})


def _segment_columns(segments, frame):
    if isinstance(segments, str):
        segments = [segments]
    if isinstance(segments, (list, tuple)):
        missing = [c for c in segments if c not in frame.columns]
        if missing:
            raise ValueError(f"segments: column(s) {missing} not in calibration_holdout; available columns: "
                             f"{list(frame.columns)}")
        return {c: frame[c] for c in segments}
    return segments
