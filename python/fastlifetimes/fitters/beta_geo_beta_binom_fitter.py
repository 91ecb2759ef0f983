"""BG/BB: Fader, Hardie & Shang (2010), "Customer-Base Analysis in a Discrete-Time
Noncontractual Setting", Marketing Science 29(6), 1086-1108."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .. import _core
from .._arrays import Inputs
from .._validation import (
    MAX_PERIODS,
    check_discrete_rfm,
    check_finite_values,
    check_fit_options,
    check_weights,
    discrete_history_problems,
    index_of,
)
from . import BaseFitter

__all__ = ["BetaGeoBetaBinomFitter"]


class BetaGeoBetaBinomFitter(BaseFitter):
    """The BG/BB model, for discrete transaction opportunities.

    While alive, a customer transacts at each opportunity with probability p; before each
    opportunity they may drop out for good with probability theta. Across customers
    p ~ Beta(alpha, beta) and theta ~ Beta(gamma, delta). Fitted on a recency/frequency
    summary: frequency x transactions in n_periods opportunities, the last at recency t_x.

    Parameters
    ----------
    penalizer_coef: float
        coefficient of an L2 penalty on the parameters.

    Attributes
    ----------
    params_: Series of alpha, beta, gamma, delta
    data: DataFrame of the data given to ``fit`` (frequency, recency, n_periods, weights)
    log_likelihood_: the maximised log-likelihood (the number the paper prints, -33,225.6
        on the donations data; lifetimes has no such attribute)
    variance_matrix_, standard_errors_, confidence_intervals_, summary
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _fit_columns = ("frequency", "recency", "n_periods")
    _simulator = "beta_geometric_beta_binom_model"

    def _simulation_horizons(self) -> np.ndarray:
        # each row stands for `weights` customers with the same number of opportunities
        data = self.data
        return np.repeat(np.asarray(data["n_periods"], dtype=float), np.asarray(data["weights"], dtype=np.int64))
    _core_uncertainty = staticmethod(_core.bgbb_uncertainty)

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency, recency, n_periods, weights=None, initial_params=None, verbose=False,
            tol=1e-7, index=None, **kwargs):
        """Fit the model to a recency/frequency summary by maximum likelihood (FHS 2010).

        As in lifetimes, opportunities are not rescaled, and the objective is the weighted
        mean negative log-likelihood plus penalizer_coef * sum(params ** 2).

        Parameters
        ----------
        frequency: array_like
            number of opportunities with a transaction, x.
        recency: array_like
            the opportunity of the last transaction, t_x (0 when x = 0).
        n_periods: array_like
            number of transaction opportunities, n.
        weights: array_like, optional
            how many customers share each (frequency, recency, n_periods) row; default 1.
        initial_params: array_like, optional
            starting log-parameters (alpha, beta, gamma, delta); default 0.1 each.
        verbose: bool
            print the optimiser's outcome.
        tol: float
            gradient size accepted as converged.
        index: array_like, optional
            index of ``self.data``.
        kwargs:
            ``maxiter`` caps the likelihood evaluations; other scipy options are ignored.

        Returns
        -------
        BetaGeoBetaBinomFitter, fitted.
        """
        row_index = index_of(frequency, recency, n_periods)
        x, t_x, n = check_discrete_rfm(frequency, recency, n_periods, index=row_index)
        w = None if weights is None else check_weights(weights, x.size, row_index)
        if index is not None and len(index) != x.size:
            raise ValueError(f"index: expected {x.size} labels (one per row), got {len(index)}")
        if not n.max() > 0:
            raise ValueError("n_periods: all zero, no transaction opportunity to fit")
        init, max_evaluations = check_fit_options(self.penalizer_coef, tol, initial_params,
                                                  self._param_names, kwargs)
        result = _core.bgbb_fit(x, t_x, n, w, float(self.penalizer_coef), init, float(tol),
                                max_evaluations, False)
        if verbose:
            print(f"{type(self).__name__}: {result['method']}, {result['evaluations']} evaluations, "
                  f"objective {result['negative_log_likelihood']:.10g}")
        columns = {
            "frequency": x.astype(np.int64),
            "recency": t_x.astype(np.int64),
            "n_periods": n.astype(np.int64),
            "weights": np.ones(x.size, dtype=np.int64) if weights is None else np.asarray(weights),
            "_weights_given": w,
        }
        self._store_fit(result, columns, index)
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future, frequency,
                                                            recency, n_periods):
        """Expected transactions in the next m_periods_in_future opportunities of a customer
        with history (frequency, recency, n_periods): FHS (2010), eq. 13.

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        return self._conditional(_core.bgbb_conditional_expected_number_of_purchases_up_to_time,
                                 m_periods_in_future, frequency, recency, n_periods)

    def conditional_probability_alive(self, m_periods_in_future, frequency, recency, n_periods):
        """P(alive at opportunity n_periods + m_periods_in_future | frequency, recency,
        n_periods): FHS (2010), appendix (A10). m_periods_in_future = 1 is the paper's
        "P(alive in the next period)" (Table 6).

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        return self._conditional(_core.bgbb_conditional_probability_alive,
                                 m_periods_in_future, frequency, recency, n_periods)

    def expected_number_of_transactions_in_first_n_periods(self, n):
        """Expected number of the fitted customers with each observed frequency x of
        transactions in the first n opportunities: sum(weights) * P(X(n) = x), FHS (2010)
        eq. 7. Used to check the in-sample fit (x > n gives 0).

        Returns
        -------
        DataFrame with a column "model", indexed by the data's frequencies ("frequency").
        """
        params = self._params_array()
        if (isinstance(n, (bool, np.bool_)) or not isinstance(n, (numbers.Real, np.ndarray))
                or np.ndim(n) != 0 or not np.isfinite(n) or n < 0 or n != np.floor(n)):
            raise ValueError(f"n: expected a whole number of transaction opportunities >= 0, got {n!r}")
        if n > MAX_PERIODS:
            raise ValueError(f"n: at most {MAX_PERIODS:,} transaction opportunities, got {n!r}")
        data = getattr(self, "data", None)
        if data is None:
            raise ValueError("expected_number_of_transactions_in_first_n_periods needs the fitted "
                             "data, which this model does not hold (saved with save_data=False)")
        counts = data.groupby("frequency")["weights"].sum()
        x = np.asarray(counts.index)
        p = _core.bgbb_probability_of_transactions_in_first_n_periods(
            params, x.astype(np.float64), np.full(x.size, float(n)))
        return pd.DataFrame(p * counts.sum(), index=pd.Index(x, name="frequency"), columns=["model"])

    def conditional_probability_alive_in_future(self, m_periods_in_future, frequency, recency,
                                                n_periods):
        """P(alive at opportunity n_periods + m_periods_in_future | history): the same as
        ``conditional_probability_alive`` (lifetimes' BG/BB already takes a future horizon),
        under the name the continuous models use."""
        return self.conditional_probability_alive(m_periods_in_future, frequency, recency, n_periods)

    def discounted_expected_residual_transactions(self, frequency, recency, n_periods, discount_rate):
        """DERT: expected transactions at opportunities n_periods + 1, n_periods + 2, ...,
        the one at n_periods + k discounted by (1 + discount_rate)^-k (a discrete rate per
        opportunity). Fader, Hardie & Shang (2010), section 4:
        B(alpha+x+1, beta+n-x)/B(alpha,beta) B(gamma, delta+n+1)/(B(gamma,delta)(1+d))
        2F1(1, delta+n+1; gamma+delta+n+1; 1/(1+d)) / L.

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        from ._future import check_discount_rate

        d = check_discount_rate(discount_rate)
        return self._conditional(
            lambda params, m, x, t_x, n: _core.bgbb_discounted_expected_residual_transactions(
                params, d, x, t_x, n),
            0, frequency, recency, n_periods)

    def probability_alive_of_new_customer(self, n):
        """P(alive at opportunity n) of a customer just acquired: B(gamma, delta+n)/B(gamma, delta).
        Returns a Series for Series input, a float for scalars, an ndarray otherwise."""
        return self._conditional(_core.bgbb_conditional_probability_alive, n, 0, 0, 0)

    def discounted_expected_transactions_of_new_customer(self, discount_rate):
        """DERT of a customer just acquired (x = t_x = n = 0), discounted per opportunity by
        (1 + discount_rate)^-k. A float."""
        return float(self.discounted_expected_residual_transactions(0, 0, 0, discount_rate))

    def _conditional(self, function, m, frequency, recency, n_periods):
        params = self._params_array()
        inputs = Inputs([("m_periods_in_future", m), ("frequency", frequency), ("recency", recency),
                         ("n_periods", n_periods)], check_finite=False)
        args = (params, inputs["m_periods_in_future"], inputs["frequency"], inputs["recency"],
                inputs["n_periods"])
        try:
            out = function(*args)
        except ValueError:
            # the core checks every row in its pass; name the offending rows from here
            for name, arr in inputs.given.items():
                check_finite_values(name, arr, inputs.index if arr.size == inputs.size else None)
            m = inputs["m_periods_in_future"]
            for name, mask, what in (
                ("m_periods_in_future", m < 0, "negative values"),
                ("m_periods_in_future", m != np.floor(m), "non-integer values"),
                *discrete_history_problems(inputs["frequency"], inputs["recency"], inputs["n_periods"],
                                           fitting=False),
            ):
                if mask.any():
                    raise ValueError(f"{name}: {what} in {inputs.rows_where(mask)}") from None
            raise
        return inputs.wrap(out)
