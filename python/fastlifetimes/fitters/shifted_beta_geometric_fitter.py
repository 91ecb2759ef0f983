"""Shifted-beta-geometric (sBG): Fader & Hardie (2007), "How to project customer retention",
Journal of Interactive Marketing 21(1), 76-90; residual lifetime value from Fader & Hardie
(2010), "Customer-base valuation in a contractual setting: the perils of ignoring
heterogeneity", Marketing Science 29(1), 85-93."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import _core
from .._arrays import Inputs
from .._validation import as_float_array, check_fit_options, check_weights, index_of, offending_rows
from . import BaseFitter

__all__ = ["ShiftedBetaGeometricFitter"]


def _as_flags(values, index=None) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype == bool:
        return arr.astype(np.float64).ravel()
    arr = as_float_array("alive", values)
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        raise ValueError(f"alive: values other than 0/1 (True/False) in {offending_rows(bad, index)}")
    return arr


class ShiftedBetaGeometricFitter(BaseFitter):
    """The sBG model for contractual settings (subscriptions with renewal decisions).

    Each customer renews at the end of every period with probability 1 - theta until they
    first fail to renew; theta ~ Beta(alpha, beta) across customers. The period of
    churn T then has P(T = t) = B(alpha + 1, beta + t - 1)/B(alpha, beta) and survival
    S(t) = B(alpha, beta + t)/B(alpha, beta); the retention rate
    r_t = (beta + t - 1)/(alpha + beta + t - 1) rises with t.

    Fit either on a cohort's survivor counts (``fit(survivors=[1000, 869, 743, ...])``:
    the customers active at the start of periods 0..n), or on per-customer rows
    ``fit(duration, alive, weights)``: ``alive`` false means the customer churned in
    period ``duration`` (>= 1); true means they were still active at the start of period
    ``duration`` (right-censored).

    Parameters
    ----------
    penalizer_coef: float
        coefficient of an L2 penalty on the parameters (alpha^2 + beta^2), added to the
        weighted mean negative log-likelihood.

    Attributes
    ----------
    params_: Series of alpha, beta
    data: DataFrame of the fitted rows (duration, alive, weights)
    log_likelihood_: the maximised total log-likelihood (-1611.158 for the paper's High
        End cohort of 1,000, years 0-7)
    variance_matrix_, standard_errors_, confidence_intervals_, summary
    """

    _param_names = ("alpha", "beta")
    _fit_columns = ("duration", "alive")
    _core_uncertainty = staticmethod(_core.sbg_uncertainty)

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef

    @staticmethod
    def survivors_to_rows(survivors):
        """(duration, alive, weights) rows of a cohort's survivor counts N_0, ..., N_n:
        N_{t-1} - N_t churned in period t, and N_n were still active at the start of n."""
        n_alive = as_float_array("survivors", survivors)
        if n_alive.ndim != 1 or n_alive.size < 2:
            raise ValueError("survivors: expected the counts active at the start of periods 0..n, n >= 1")
        churned = n_alive[:-1] - n_alive[1:]
        if (n_alive < 0).any() or (churned < 0).any():
            bad = np.concatenate([[False], churned < 0]) | (n_alive < 0)
            raise ValueError(f"survivors: must be non-negative and non-increasing; not so at "
                             f"{offending_rows(bad)}")
        n = n_alive.size - 1
        duration = np.concatenate([np.arange(1, n + 1, dtype=np.float64), [float(n)]])
        alive = np.concatenate([np.zeros(n), [1.0]])
        return duration, alive, np.concatenate([churned, [n_alive[-1]]])

    def fit(self, duration=None, alive=None, weights=None, survivors=None, initial_params=None,
            verbose=False, tol=1e-7, index=None, **kwargs):
        """Fit alpha and beta by maximum likelihood (Fader & Hardie 2007, appendix).

        Parameters
        ----------
        duration: array_like, optional
            per row, the period of churn (alive false, >= 1) or the number of periods
            survived so far (alive true, >= 0).
        alive: array_like of bool or 0/1, optional
            whether the row's customers are still active (right-censored).
        weights: array_like, optional
            how many customers share each row; default 1.
        survivors: array_like, optional
            instead of rows: the number (or share) of a cohort active at the start of
            periods 0..n, e.g. the paper's Table 1 column read as % of 1,000.
        initial_params: array_like, optional
            starting log-parameters (alpha, beta); default (0, 0), i.e. alpha = beta = 1.
        verbose: bool
            print the optimiser's outcome.
        tol: float
            gradient size accepted as converged.
        index: array_like, optional
            index of ``self.data``.

        Returns
        -------
        ShiftedBetaGeometricFitter, fitted.
        """
        if survivors is not None:
            if duration is not None or alive is not None or weights is not None:
                raise ValueError("survivors: give either survivors or (duration, alive, weights), not both")
            d, a, w = self.survivors_to_rows(survivors)
        else:
            if duration is None or alive is None:
                raise ValueError("duration, alive: both are required (or give survivors=)")
            row_index = index_of(duration, alive)
            d = as_float_array("duration", duration)
            a = _as_flags(alive, row_index)
            if a.size != d.size:
                raise ValueError(f"alive: expected {d.size} values (one per row), got {a.size}")
            bad = (d != np.floor(d)) | (d < 1 - a)
            if bad.any():
                raise ValueError("duration: whole numbers required, >= 1 for customers who churned; "
                                 f"not so in {offending_rows(bad, row_index)}")
            w = None if weights is None else check_weights(weights, d.size, row_index)
        if not d.max() > 0:
            raise ValueError("duration: all zero, no renewal observed to fit")
        if index is not None and len(index) != d.size:
            raise ValueError(f"index: expected {d.size} labels (one per row), got {len(index)}")
        init, max_evaluations = check_fit_options(self.penalizer_coef, tol, initial_params,
                                                  self._param_names, kwargs)
        result = _core.sbg_fit(d, a, w, float(self.penalizer_coef), init, float(tol), max_evaluations)
        if verbose:
            print(f"{type(self).__name__}: {result['method']}, {result['evaluations']} evaluations, "
                  f"objective {result['negative_log_likelihood']:.10g}")
        columns = {
            "duration": d.astype(np.int64),
            "alive": a.astype(bool),
            "weights": np.ones(d.size, dtype=np.int64) if w is None else w,
            "_weights_given": w,
        }
        self._store_fit(result, columns, index)
        return self

    _simulator = "shifted_beta_geometric_model"

    def _simulation_horizons(self):
        # a cohort is observed for as many periods as its longest row: churned rows say when
        # they left, not how long they would have been watched
        duration = np.asarray(self.data["duration"], dtype=float)
        return np.full(int(np.asarray(self.data["weights"]).sum()), duration.max())

    def _over_periods(self, function, name, t):
        params = self._params_array()
        inputs = Inputs([(name, t)])
        return inputs.wrap(function(params, inputs[name]))

    def survival_function(self, t):
        """S(t) = B(alpha, beta + t)/B(alpha, beta): the share of a new cohort still active
        at the start of period t, for whole t >= 0."""
        return self._over_periods(_core.sbg_survival, "t", t)

    def retention_rate(self, t):
        """r_t = (beta + t - 1)/(alpha + beta + t - 1): the share of those active in period
        t - 1 who renew into period t, for whole t >= 1."""
        return self._over_periods(_core.sbg_retention_rate, "t", t)

    def probability_of_churn(self, t):
        """P(T = t) = B(alpha + 1, beta + t - 1)/B(alpha, beta): the probability that a new
        customer churns in period t, for whole t >= 1."""
        return self._over_periods(_core.sbg_probability_churn, "t", t)

    def conditional_probability_alive_in_future(self, t, n):
        """P(still active at the start of period n + t | active at the start of period n):
        S(n + t)/S(n) = B(alpha, beta + n + t)/B(alpha, beta + n), the product of the
        retention rates r_{n+1} ... r_{n+t}; 1 at t = 0. Whole t, n >= 0; the contractual
        counterpart of the other models' future P(alive) (a customer's churn is observed,
        so "alive now" is known, and only the future is uncertain).

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        alpha, beta = self._params_array()
        inputs = Inputs([("t", t), ("n", n)])
        for name in ("t", "n"):
            values = inputs[name]
            bad = (values < 0) | (values != np.floor(values))
            if bad.any():
                raise ValueError(f"{name}: negative or non-integer values in {inputs.rows_where(bad)}")
        periods, start = inputs["t"], inputs["n"]
        # log Gamma differences, so that a long tenure n cannot underflow S(n) itself
        lgamma = np.vectorize(math.lgamma, otypes=[float])
        log_ratio = (lgamma(beta + start + periods) - lgamma(beta + start)
                     + lgamma(alpha + beta + start) - lgamma(alpha + beta + start + periods))
        return inputs.wrap(np.exp(log_ratio))

    def expected_survivors(self, t, n_customers=None):
        """The expected number of a cohort active at the start of period t:
        n_customers * S(t). ``n_customers`` defaults to the fitted cohort's size (the sum of
        the weights)."""
        if n_customers is None:
            n_customers = getattr(self, "_total_weight", None)
            if n_customers is None:
                raise ValueError("n_customers: required (this model holds no fitted cohort size)")
        if not (np.isfinite(n_customers) and n_customers >= 0):
            raise ValueError(f"n_customers: must be a non-negative number, got {n_customers!r}")
        return n_customers * self.survival_function(t)

    def discounted_expected_residual_lifetime(self, discount_rate, n=1):
        """DERL (Fader & Hardie 2010): the expected number of future renewals of a
        customer who has made n - 1 renewals, the next (the n-th) undiscounted and later
        ones discounted at ``discount_rate`` per period:
        (beta+n-1)/(alpha+beta+n-1) 2F1(1, beta+n; alpha+beta+n; 1/(1+d)).
        Multiply by the net cash flow per period for the residual value."""
        params = self._params_array()
        if not (np.ndim(discount_rate) == 0 and np.isfinite(discount_rate) and discount_rate > 0):
            raise ValueError(f"discount_rate: must be a positive number, got {discount_rate!r}")
        inputs = Inputs([("n", n)])
        return inputs.wrap(_core.sbg_derl(params, float(discount_rate), inputs["n"]))

    def expected_remaining_lifetime(self, n=1):
        """The undiscounted expected number of future renewals of a customer who has made
        n - 1 renewals: (beta + n - 1)/(alpha - 1); infinite when alpha <= 1."""
        return self._over_periods(_core.sbg_expected_remaining_lifetime, "n", n)

    def log_likelihood(self, duration, alive):
        """Per-row log-likelihood at the fitted parameters: log S(duration) for the still
        active, log P(T = duration) for churners."""
        params = self._params_array()
        d = as_float_array("duration", duration)
        a = _as_flags(alive)
        out = _core.sbg_log_likelihood(params, d, a)
        if isinstance(duration, pd.Series):
            return pd.Series(out, index=duration.index)
        return out
