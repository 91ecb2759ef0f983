"""BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An
Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284."""

from __future__ import annotations

import numpy as np

from .. import _core
from .._arrays import Inputs
from .._validation import check_finite_values, check_fit_options, check_rfm, check_weights, index_of
from ._future import ContinuousPredictions

__all__ = ["BetaGeoFitter"]


class BetaGeoFitter(ContinuousPredictions):
    """The BG/NBD model.

    Each customer buys at the times of a Poisson process with rate lambda and, after each
    purchase, drops out for good with probability p; across customers
    lambda ~ Gamma(r, alpha) and p ~ Beta(a, b).

    Parameters
    ----------
    penalizer_coef: float
        coefficient of an L2 penalty on the parameters (on lifetimes' rescaled time axis).

    Attributes
    ----------
    params_: Series of r, alpha, a, b
    data: DataFrame of the data given to ``fit``
    log_likelihood_: the maximised log-likelihood in the data's own time unit (the number
        the papers print; lifetimes has no such attribute)
    variance_matrix_, standard_errors_, confidence_intervals_, summary
    """

    _param_names: tuple[str, ...] = ("r", "alpha", "a", "b")
    # the compiled model; ModifiedBetaGeoFitter swaps in its own and inherits the rest
    _core_fit = staticmethod(_core.bgnbd_fit)
    _core_uncertainty = staticmethod(_core.bgnbd_uncertainty)
    _core_conditional_expected = staticmethod(_core.bgnbd_conditional_expected_number_of_purchases_up_to_time)
    _core_probability_alive = staticmethod(_core.bgnbd_conditional_probability_alive)
    _core_expected = staticmethod(_core.bgnbd_expected_number_of_purchases_up_to_time)
    _core_probability_of_n = staticmethod(_core.bgnbd_probability_of_n_purchases_up_to_time)
    _simulator: str | None = "beta_geometric_nbd_model"  # None: no simulator for the model
    _core_prefix: str | None = "bgnbd"

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency, recency, T, weights=None, initial_params=None, verbose=False,
            tol=1e-7, index=None, **kwargs):
        """Fit the model to customer histories (FHL 2005, eq. 6).

        Parameters
        ----------
        frequency, recency, T: array_like
            repeat purchases x, time of the last purchase t_x, and age T of each customer.
        weights: array_like, optional
            how many customers share each (frequency, recency, T) row; default 1 each.
        initial_params: array_like, optional
            starting log-parameters on the rescaled time axis (lifetimes' convention).
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
        BetaGeoFitter, fitted.
        """
        row_index = index_of(frequency, recency, T)
        x, t_x, age = check_rfm(frequency, recency, T, index=row_index)
        w = None if weights is None else check_weights(weights, x.size, row_index)
        if index is not None and len(index) != x.size:
            raise ValueError(f"index: expected {x.size} labels (one per row), got {len(index)}")
        init, max_evaluations = check_fit_options(self.penalizer_coef, tol, initial_params,
                                                  self._param_names, kwargs)
        result = self._core_fit(x, t_x, age, w, float(self.penalizer_coef), init, float(tol),
                                max_evaluations, False)
        if verbose:
            print(f"{type(self).__name__}: {result['method']}, {result['evaluations']} evaluations, "
                  f"objective {result['negative_log_likelihood']:.10g}")
        columns = {
            "frequency": x.astype(np.int64),
            "recency": (np.asarray(recency, dtype=float) if not hasattr(recency, "to_numpy")
                        else recency.to_numpy(dtype=float)),
            "T": np.asarray(T, dtype=float) if not hasattr(T, "to_numpy") else T.to_numpy(dtype=float),
            "weights": np.ones(x.size, dtype=np.int64) if weights is None else np.asarray(weights),
            "_weights_given": w,
        }
        self._store_fit(result, columns, index)
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected repeat purchases in the next t periods of a customer with history
        (frequency, recency, T): FHL (2005), eq. 10.

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        params = self._params_array()
        inputs = Inputs([("t", t), ("frequency", frequency), ("recency", recency), ("T", T)],
                        check_finite=False)
        out = _checked_call(
            self._core_conditional_expected, inputs, True,
            params, inputs["t"], inputs["frequency"], inputs["recency"], inputs["T"])
        return inputs.wrap(out)

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive | frequency, recency, T): Fader, Hardie & Lee, note 021. Always an ndarray
        of at least one dimension, as in lifetimes."""
        params = self._params_array()
        inputs = Inputs([("frequency", frequency), ("recency", recency), ("T", T)], check_finite=False)
        out = _checked_call(self._core_probability_alive, inputs, False,
                            params, inputs["frequency"], inputs["recency"], inputs["T"])
        return inputs.wrap(out, always_array=True)

    def conditional_probability_alive_matrix(self, max_frequency=None, max_recency=None):
        """P(alive) for every (recency, frequency) on the integer grid, customers of age
        max_recency: rows are recency 0..max_recency, columns frequency 0..max_frequency."""
        params = self._params_array()
        max_frequency = max_frequency or int(self.data["frequency"].max())
        max_recency = max_recency or int(self.data["T"].max())
        recency, frequency = np.meshgrid(np.arange(max_recency + 1, dtype=float),
                                         np.arange(max_frequency + 1, dtype=float), indexing="ij")
        T = np.full(recency.size, float(max_recency))
        out = self._core_probability_alive(params, frequency.ravel(), recency.ravel(), T)
        return out.reshape(recency.shape)

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected repeat purchases up to time t of a new customer: FHL (2005), eq. 9."""
        params = self._params_array()
        inputs = Inputs([("t", t)])
        _check_prediction_inputs(inputs, with_t=True, history=False)
        return inputs.wrap(self._core_expected(params, inputs["t"]))

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(N(t) = n): the probability of exactly n repeat purchases in (0, t], FHL (2005)
        eq. 8. Scalars give a float; arrays are taken element by element (lifetimes sums
        over t when given an array with n > 0, which is not a probability)."""
        params = self._params_array()
        inputs = Inputs([("t", t), ("n", n)])
        _check_prediction_inputs(inputs, with_t=True, history=False)
        counts = inputs["n"]
        bad = (counts < 0) | (counts != np.floor(counts))
        if bad.any():
            raise ValueError(f"n: negative or non-integer values in {inputs.rows_where(bad)}")
        out = self._core_probability_of_n(params, inputs["t"], counts)
        return inputs.wrap(out)


def _checked_call(function, inputs, with_t, *args):
    """Call the core, which validates every row in its own pass; when it refuses, find
    the offending rows here to name them (by index label where there is one)."""
    try:
        return function(*args)
    except ValueError:
        for name, arr in inputs.given.items():
            check_finite_values(name, arr, inputs.index if arr.size == inputs.size else None)
        _check_prediction_inputs(inputs, with_t=with_t)
        raise


def _check_prediction_inputs(inputs, *, with_t, history=True):
    if with_t:
        bad = inputs["t"] < 0
        if bad.any():
            raise ValueError(f"t: negative values in {inputs.rows_where(bad)}")
    if not history:
        return
    x, t_x, T = inputs["frequency"], inputs["recency"], inputs["T"]
    for name, mask, what in (
        ("frequency", (x < 0) | (x != np.floor(x)), "negative or non-integer values"),
        ("recency", t_x < 0, "negative values"),
        ("T", T < 0, "negative values"),
        ("recency", t_x > T, "values larger than T"),
    ):
        if mask.any():
            raise ValueError(f"{name}: {what} in {inputs.rows_where(mask)}")
