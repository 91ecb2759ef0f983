"""Gamma-Gamma spend model: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary
Value" (http://www.brucehardie.com/notes/025/), and Fader, Hardie & Lee (2005), "RFM and
CLV: Using Iso-Value Curves for Customer Base Analysis", JMR 42(4), 415-430."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import _core
from .._arrays import Inputs
from .._validation import as_float_array, check_finite_values, check_weights, index_of, offending_rows
from . import BaseFitter

__all__ = ["GammaGammaFitter"]

# Above this absolute (weighted Pearson) correlation between frequency and mean spend, fit
# warns: the model assumes spend per transaction does not depend on how often one buys.
CORRELATION_WARNING = 0.3


class GammaGammaFitter(BaseFitter):
    """The Gamma-Gamma model of the mean transaction value.

    A customer's transaction values are Gamma(p, nu) with nu ~ Gamma(q, v) across
    customers, independent of the customer's purchase frequency. Fitted on customers with
    at least one repeat purchase: their number of repeat transactions ``frequency`` and
    the mean value ``monetary_value`` of those transactions.

    Parameters
    ----------
    penalizer_coef: float
        coefficient of an L2 penalty on the parameters.

    Attributes
    ----------
    params_: Series of p, q, v
    data: DataFrame of monetary_value, frequency, weights given to ``fit``
    log_likelihood_: the maximised log-likelihood (lifetimes has no such attribute)
    variance_matrix_, standard_errors_, confidence_intervals_, summary
    """

    _param_names = ("p", "q", "v")
    _fit_columns = ("frequency", "monetary_value")
    _core_uncertainty = staticmethod(_core.gamma_gamma_uncertainty)

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency, monetary_value, weights=None, initial_params=None, verbose=False,
            tol=1e-7, index=None, q_constraint=False, **kwargs):
        """Fit the model to customers' repeat-purchase counts and mean spend (note 025,
        eq. 1a).

        Parameters
        ----------
        frequency: array_like
            number of repeat transactions x of each customer; every one must be >= 1
            (customers without repeat purchases say nothing about spend: leave them out).
        monetary_value: array_like
            mean value m > 0 of those transactions.
        weights: array_like, optional
            how many customers share each (frequency, monetary_value) row; default 1 each.
        initial_params: array_like, optional
            starting log-parameters (log p, log q, log v).
        verbose: bool
            print the optimiser's outcome.
        tol: float
            gradient size accepted as converged.
        index: array_like, optional
            index of ``self.data``.
        q_constraint: bool
            keep q >= 1, so that the population mean spend p v / (q - 1) exists (with
            q < 1 it is negative, and so are CLVs built on it).
        kwargs:
            ``maxiter`` caps the likelihood evaluations; other scipy options are ignored.

        Returns
        -------
        GammaGammaFitter, fitted.
        """
        row_index = index_of(frequency, monetary_value)
        # the C++ pass checks every row; the row-naming checks run only when it refuses
        x = as_float_array("frequency", frequency, check_finite=False)
        m = as_float_array("monetary_value", monetary_value, check_finite=False)
        if x.size != m.size:
            raise ValueError(f"frequency and monetary_value must have the same length, got {x.size} and {m.size}")
        w = None if weights is None else check_weights(weights, x.size, row_index)
        if index is not None and len(index) != x.size:
            raise ValueError(f"index: expected {x.size} labels (one per row), got {len(index)}")
        penalizer = self.penalizer_coef
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
            if init.size != 3 or not np.isfinite(init).all():
                raise ValueError("initial_params: expected 3 finite log-parameters (p, q, v), "
                                 f"got {initial_params!r}")
        max_evaluations = int(kwargs.get("maxiter", kwargs.get("max_evaluations", 20000)))
        try:
            result = _core.gamma_gamma_fit(x, m, w, float(penalizer), init, float(tol),
                                           max_evaluations, bool(q_constraint), False)
        except ValueError:
            _check_spend(frequency, monetary_value, row_index)
            raise
        _warn_if_correlated(result["correlation"])
        if verbose:
            print(f"GammaGammaFitter: {result['method']}, {result['evaluations']} evaluations, "
                  f"objective {result['negative_log_likelihood']:.10g}")
        columns = {
            "monetary_value": m,
            "frequency": x,
            # lifetimes' column of ones, as a view: the DataFrame is only built if asked for
            "weights": np.broadcast_to(np.int64(1), x.shape) if weights is None else np.asarray(weights),
            "_weights_given": w,
        }
        self._store_fit(result, columns, index)
        # lifetimes' Gamma-Gamma has no time axis; keep no time scale
        self.__dict__.pop("_scale", None)
        return self

    def conditional_expected_average_profit(self, frequency=None, monetary_value=None):
        """Expected mean transaction value of customers with ``frequency`` repeat
        transactions of mean ``monetary_value`` (note 025, eq. 5): p (v + x m) / (p x + q - 1),
        the population mean p v / (q - 1) for customers with frequency 0.

        Defaults to the data the model was fitted on. Returns a Series for Series input, a
        float for scalars, an ndarray otherwise.
        """
        params = self._params_array()
        if frequency is None or monetary_value is None:
            data = getattr(self, "data", None)
            if data is None:
                raise ValueError("frequency, monetary_value: required, as this model holds no fitted data "
                                 "(it was loaded from a file saved with save_data=False)")
            if monetary_value is None:
                monetary_value = data["monetary_value"]
            if frequency is None:
                frequency = data["frequency"]
        inputs = Inputs([("frequency", frequency), ("monetary_value", monetary_value)],
                        check_finite=False)
        try:
            out = _core.gamma_gamma_conditional_expected_average_profit(
                params, inputs["frequency"], inputs["monetary_value"])
        except ValueError:
            _explain_bad_prediction_rows(inputs)
            raise
        return inputs.wrap(out)

    def customer_lifetime_value(self, transaction_prediction_model, frequency, recency, T,
                                monetary_value, time=12, discount_rate=0.01, freq="D"):
        """Discounted expected revenue of each customer over the next ``time`` months.

        The expected spend per transaction comes from this model
        (``conditional_expected_average_profit``), the expected transactions month by
        month from ``transaction_prediction_model.predict``; see
        ``fastlifetimes.utils.customer_lifetime_value`` for the discounting and ``freq``.

        Returns
        -------
        Series named "clv", indexed like ``frequency`` when it is a Series.
        """
        from ..utils import _customer_lifetime_value

        adjusted = self.conditional_expected_average_profit(frequency, monetary_value)
        return _customer_lifetime_value(transaction_prediction_model, frequency, recency, T,
                                        adjusted, time, discount_rate, freq=freq)

    def new_customer_lifetime_value(self, transaction_prediction_model, time=12, discount_rate=0.01,
                                    freq="D"):
        """Expected discounted revenue over the next ``time`` months of a customer just
        acquired, with lifetimes' ``customer_lifetime_value`` conventions: for month
        k = 1..time, the new customer's expected repeat purchases in month k
        (``transaction_prediction_model.expected_number_of_purchases_up_to_time`` at the
        end minus the start of the month), divided by (1 + discount_rate)^k, times the
        population mean spend p v / (q - 1) (note 025, eq. 5 with x = 0). ``freq`` is the
        time unit of the transaction model ("D": a month is 30 units, "W" 4.345, "M" 1,
        "H" 720).

        Returns
        -------
        float
        """
        from ..utils import _CLV_PERIOD

        if freq not in _CLV_PERIOD:
            raise ValueError(f"freq: must be one of {sorted(_CLV_PERIOD)}, got {freq!r}")
        if (isinstance(time, (bool, np.bool_)) or not isinstance(time, numbers.Real)
                or not np.isfinite(time) or time < 0):
            raise ValueError(f"time: must be a non-negative number of months, got {time!r}")
        if (isinstance(discount_rate, (bool, np.bool_)) or not isinstance(discount_rate, numbers.Real)
                or not np.isfinite(discount_rate) or discount_rate <= -1):
            raise ValueError(f"discount_rate: must be a number above -1, got {discount_rate!r}")
        expected = getattr(transaction_prediction_model, "expected_number_of_purchases_up_to_time", None)
        if expected is None:
            raise ValueError("transaction_prediction_model: needs expected_number_of_purchases_up_to_time "
                             "(BG/NBD, MBG/NBD or Pareto/NBD)")
        p, q, v = self._params_array()
        if q <= 1:
            raise ValueError(f"the fitted q is {q:.4g} <= 1: the mean spend p v / (q - 1) is infinite")
        months = np.arange(0, int(time) + 1, dtype=float) * _CLV_PERIOD[freq]
        cumulative = np.asarray(expected(months), dtype=float)
        per_month = np.diff(cumulative)
        discount = (1.0 + discount_rate) ** np.arange(1, per_month.size + 1)
        return float(p * v / (q - 1) * np.sum(per_month / discount))


def _check_spend(frequency, monetary_value, index):
    """(x, m) as float64 arrays, refused unless every x is a whole number >= 1 and m > 0."""
    x = as_float_array("frequency", frequency)
    m = as_float_array("monetary_value", monetary_value)
    if x.size != m.size:
        raise ValueError(f"frequency and monetary_value must have the same length, got {x.size} and {m.size}")
    checks = (
        ("frequency", x < 0, "negative values", ""),
        ("frequency", x != np.floor(x), "non-integer values", ""),
        ("frequency", x == 0, "zero values",
         "; customers without repeat purchases say nothing about spend, and the Gamma-Gamma "
         "model is fitted on frequency > 0 only: select those first, e.g. "
         "data[data['frequency'] > 0]"),
        ("monetary_value", m <= 0, "non-positive (<= 0) values", ""),
    )
    for name, mask, what, advice in checks:
        if mask.any():
            raise ValueError(f"{name}: {what} in {offending_rows(mask, index)}{advice}")
    return x, m


def _warn_if_correlated(rho):
    """Warn when frequency and mean spend are clearly correlated (weighted Pearson
    correlation, computed in C++ while the rows are prepared): the model's key assumption,
    which lifetimes' documentation asks users to check by hand."""
    if abs(rho) > CORRELATION_WARNING:
        warnings.warn(
            f"frequency and monetary_value are correlated (Pearson {rho:.2f}): the Gamma-Gamma "
            "model assumes spend per transaction is independent of purchase frequency, so its "
            "estimates may mislead on these data",
            UserWarning, stacklevel=3)


def _explain_bad_prediction_rows(inputs):
    x, m = inputs["frequency"], inputs["monetary_value"]
    for name, arr in inputs.given.items():
        check_finite_values(name, arr, inputs.index if arr.size == inputs.size else None)
    for name, mask, what in (
        ("frequency", (x < 0) | (x != np.floor(x)), "negative or non-integer values"),
        ("monetary_value", m < 0, "negative values"),
    ):
        if mask.any():
            raise ValueError(f"{name}: {what} in {inputs.rows_where(mask)}")
