"""Pareto/NBD: Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are
They and What Will They Do Next?", Management Science 33(1), 1-24; the expressions are
those of Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related
Expressions" (brucehardie.com, note 009)."""

from __future__ import annotations

import numbers

import numpy as np

from .. import _core
from .._arrays import Inputs
from .._validation import check_rfm, check_weights, index_of
from ._future import ContinuousPredictions
from .beta_geo_fitter import _check_prediction_inputs, _checked_call

__all__ = ["ParetoNBDFitter"]

# Starting log-parameters on the rescaled time axis, tried in this order. lifetimes starts
# Nelder-Mead near (1, 1, 1, 1) with random noise; we start exactly there, and only go on
# to the others if a start does not converge (or `iterative_fitting` asks for more).
_STARTS = (
    (0.0, 0.0, 0.0, 0.0),
    (np.log(0.5), np.log(0.1), np.log(0.5), np.log(0.1)),
    (np.log(2.0), np.log(1.0), np.log(0.2), np.log(0.05)),
    (np.log(0.2), np.log(0.05), np.log(2.0), np.log(1.0)),
)


class ParetoNBDFitter(ContinuousPredictions):
    """The Pareto/NBD model.

    While alive, each customer buys at the times of a Poisson process with rate lambda;
    the lifetime is exponential with rate mu; across customers lambda ~ Gamma(r, alpha)
    and mu ~ Gamma(s, beta), independently.

    Parameters
    ----------
    penalizer_coef: float
        coefficient of an L2 penalty on the parameters (on lifetimes' rescaled time axis).

    Attributes
    ----------
    params_: Series of r, alpha, s, beta
    data: DataFrame of the data given to ``fit``
    log_likelihood_: the maximised log-likelihood in the data's own time unit (the number
        the papers print: -9594.98 on CDNOW in weeks; lifetimes has no such attribute)
    variance_matrix_, standard_errors_, confidence_intervals_, summary (lifetimes'
        Pareto/NBD has none of them: its ``summary`` raises)
    """

    _param_names = ("r", "alpha", "s", "beta")
    _simulator = "pareto_nbd_model"
    _core_prefix = "pareto_nbd"
    _core_uncertainty = staticmethod(_core.pareto_nbd_uncertainty)

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency, recency, T, weights=None, iterative_fitting=1, initial_params=None,
            verbose=False, tol=1e-4, index=None, fit_method="Nelder-Mead", maxiter=2000, **kwargs):
        """Fit the model to customer histories (note 009, eq. 18-22).

        Parameters
        ----------
        frequency, recency, T: array_like
            repeat purchases x, time of the last purchase t_x, and age T of each customer.
        weights: array_like, optional
            how many customers share each (frequency, recency, T) row; default 1 each.
        iterative_fitting: int
            how many starting points to try at least; the best fit is kept. lifetimes draws
            them at random; ours come from a fixed list, so fits are reproducible, and
            further starts are tried only when one does not converge.
        initial_params: array_like, optional
            starting (r, alpha, s, beta) on the rescaled time axis (lifetimes' convention:
            natural values, not logs).
        verbose: bool
            print the optimiser's outcome.
        tol: float
            gradient size accepted as converged (lifetimes passes it to Nelder-Mead).
        index: array_like, optional
            index of ``self.data``.
        fit_method: str
            accepted for compatibility; the fit always uses the analytic gradient.
        maxiter: int
            cap on likelihood evaluations per start.
        kwargs:
            scipy options in lifetimes; ignored.

        Returns
        -------
        ParetoNBDFitter, fitted.
        """
        row_index = index_of(frequency, recency, T)
        x, t_x, age = check_rfm(frequency, recency, T, index=row_index)
        w = None if weights is None else check_weights(weights, x.size, row_index)
        if index is not None and len(index) != x.size:
            raise ValueError(f"index: expected {x.size} labels (one per row), got {len(index)}")
        penalizer = self.penalizer_coef
        if (not isinstance(penalizer, numbers.Real) or isinstance(penalizer, (bool, np.bool_))
                or not np.isfinite(penalizer) or penalizer < 0):
            raise ValueError(f"penalizer_coef: must be a non-negative number, got {penalizer!r}")
        if not (isinstance(tol, numbers.Real) and np.isfinite(tol) and tol > 0):
            raise ValueError(f"tol: must be a positive number, got {tol!r}")
        if (not isinstance(iterative_fitting, numbers.Integral) or isinstance(iterative_fitting, bool)
                or iterative_fitting <= 0):
            raise ValueError(f"iterative_fitting: must be a positive integer, got {iterative_fitting!r}")
        if iterative_fitting > 1 and initial_params is not None:
            raise ValueError("iterative_fitting and initial_params should not be both set, "
                             "as no improvement could be made")
        if not isinstance(fit_method, str):
            raise ValueError(f"fit_method: expected a string, got {fit_method!r}")
        if (not isinstance(maxiter, numbers.Integral) or isinstance(maxiter, bool)):
            raise ValueError(f"maxiter: expected an integer, got {maxiter!r}")
        if initial_params is not None:
            try:
                init = np.asarray(initial_params, dtype=float).ravel()
            except (TypeError, ValueError):
                init = np.empty(0)
            if init.size != 4 or not (np.isfinite(init).all() and (init > 0).all()):
                raise ValueError("initial_params: expected 4 positive finite values (r, alpha, s, beta), "
                                 f"got {initial_params!r}")
            starts = [np.log(init)]
        else:
            starts = [np.asarray(s) for s in _STARTS]

        best = None
        for k, start in enumerate(starts):
            if best is not None and best["converged"] and k >= iterative_fitting:
                break
            result = _core.pareto_nbd_fit(x, t_x, age, w, float(penalizer), start, float(tol),
                                          int(maxiter), False)
            if verbose:
                print(f"ParetoNBDFitter: start {k}: {result['method']}, {result['evaluations']} "
                      f"evaluations, objective {result['negative_log_likelihood']:.10g}"
                      + ("" if result["converged"] else " (did not converge)"))
            if best is None or _better(result, best):
                best = result
        columns = {
            "frequency": x.astype(np.int64),
            "recency": (np.asarray(recency, dtype=float) if not hasattr(recency, "to_numpy")
                        else recency.to_numpy(dtype=float)),
            "T": np.asarray(T, dtype=float) if not hasattr(T, "to_numpy") else T.to_numpy(dtype=float),
            "weights": np.ones(x.size, dtype=np.int64) if weights is None else np.asarray(weights),
            "_weights_given": w,
        }
        self._store_fit(best, columns, index)
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected repeat purchases in the next t periods of a customer with history
        (frequency, recency, T): note 009, eq. 41.

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        params = self._params_array()
        inputs = Inputs([("t", t), ("frequency", frequency), ("recency", recency), ("T", T)],
                        check_finite=False)
        out = _checked_call(
            _core.pareto_nbd_conditional_expected_number_of_purchases_up_to_time, inputs, True,
            params, inputs["t"], inputs["frequency"], inputs["recency"], inputs["T"])
        return inputs.wrap(out)

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive | frequency, recency, T): note 009, eq. 36-37. A Series for Series input,
        a float for scalars, an ndarray otherwise, as lifetimes' Pareto/NBD returns."""
        params = self._params_array()
        inputs = Inputs([("frequency", frequency), ("recency", recency), ("T", T)], check_finite=False)
        out = _checked_call(_core.pareto_nbd_conditional_probability_alive, inputs, False,
                            params, inputs["frequency"], inputs["recency"], inputs["T"])
        return inputs.wrap(out)

    def conditional_probability_alive_matrix(self, max_frequency=None, max_recency=None):
        """P(alive) for every (recency, frequency) on the integer grid, customers of age
        max_recency: rows are recency 0..max_recency, columns frequency 0..max_frequency."""
        params = self._params_array()
        max_frequency = max_frequency or int(self.data["frequency"].max())
        max_recency = max_recency or int(self.data["T"].max())
        recency, frequency = np.meshgrid(np.arange(max_recency + 1, dtype=float),
                                         np.arange(max_frequency + 1, dtype=float), indexing="ij")
        T = np.full(recency.size, float(max_recency))
        out = _core.pareto_nbd_conditional_probability_alive(params, frequency.ravel(), recency.ravel(), T)
        return out.reshape(recency.shape)

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected repeat purchases up to time t of a new customer: note 009, eq. 27."""
        params = self._params_array()
        inputs = Inputs([("t", t)])
        _check_prediction_inputs(inputs, with_t=True, history=False)
        return inputs.wrap(_core.pareto_nbd_expected_number_of_purchases_up_to_time(params, inputs["t"]))

    def conditional_probability_of_n_purchases_up_to_time(self, n, t, frequency, recency, T):
        """P(X(T, T+t] = n | frequency, recency, T): the probability of exactly n purchases
        in the next t periods, Fader & Hardie, "Deriving the Conditional PMF of the
        Pareto/NBD Model" (note 028), eq. 16.

        All arguments broadcast (lifetimes takes one n and one t). At t = 0 this is 1 for
        n = 0 and 0 otherwise (lifetimes returns 0 for any n).
        """
        params = self._params_array()
        inputs = Inputs([("n", n), ("t", t), ("frequency", frequency), ("recency", recency), ("T", T)],
                        check_finite=False)
        _check_counts(inputs)
        out = _checked_call(
            _core.pareto_nbd_conditional_probability_of_n_purchases_up_to_time, inputs, True,
            params, inputs["n"], inputs["t"], inputs["frequency"], inputs["recency"], inputs["T"])
        return inputs.wrap(out)

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(X(t) = n): the probability of exactly n repeat purchases in (0, t] for a new
        customer, Fader & Hardie, note 012 (the conditional pmf with no history). Not in
        lifetimes' Pareto/NBD; the same signature as its BG/NBD method."""
        params = self._params_array()
        inputs = Inputs([("t", t), ("n", n)])
        _check_prediction_inputs(inputs, with_t=True, history=False)
        _check_counts(inputs)
        zeros = np.zeros(inputs.size)
        out = _core.pareto_nbd_conditional_probability_of_n_purchases_up_to_time(
            params, inputs["n"], inputs["t"], zeros, zeros, zeros)
        return inputs.wrap(out)


def _better(result, best) -> bool:
    """A converged fit beats one that did not converge; then the lower objective wins."""
    if result["converged"] != best["converged"]:
        return result["converged"]
    return result["negative_log_likelihood"] < best["negative_log_likelihood"]


def _check_counts(inputs):
    counts = inputs["n"]
    bad = ~np.isfinite(counts) | (counts < 0) | (counts != np.floor(counts))
    if bad.any():
        raise ValueError(f"n: NaN, negative or non-integer values in {inputs.rows_where(bad)}")
