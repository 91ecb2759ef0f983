"""GGompertz/NBD: Bemmaor & Glady (2012), "Modeling Purchasing Behavior with Sudden 'Death':
A Flexible Customer Lifetime Model", Management Science 58(5), 1012-1021."""

from __future__ import annotations

import warnings

import numpy as np

from .. import _core
from .._arrays import Inputs
from .._validation import check_fit_options, check_rfm, check_weights, index_of
from ..utils import ConvergenceError
from . import BaseFitter
from .beta_geo_fitter import _check_prediction_inputs, _checked_call

__all__ = ["GGompertzNBDFitter", "BoundaryWarning"]

# b * max(T) below this: e^(b tau) - 1 = b tau (1 + b tau / 2 + ...) departs from the
# Pareto/NBD's linear b tau by under 0.05 % over the whole observation window.
_BOUNDARY = 1e-3


class BoundaryWarning(UserWarning):
    """The GGompertz/NBD maximum likelihood lies at the b -> 0 boundary, where the model is
    the Pareto/NBD; b and beta are then not identified separately."""


class GGompertzNBDFitter(BaseFitter):
    """The GGompertz/NBD model.

    While alive, each customer buys at the times of a Poisson process with rate
    lambda ~ Gamma(r, alpha); lifetimes are Gompertz with hazard eta b e^(b tau), with
    eta ~ Gamma(s, beta), so that S(tau) = (beta / (beta + e^(b tau) - 1))^s. b > 0 lets
    the dropout hazard grow with age; b -> 0 with beta/b fixed is the Pareto/NBD with
    beta_pnbd = beta / b.

    The likelihood needs a one-dimensional integral over the time of death per distinct
    (frequency, recency, T), done by adaptive Gauss-Kronrod quadrature in the C++ core,
    with an analytic gradient.

    When the maximum lies at the b -> 0 boundary (as on CDNOW: the paper's b = 0.0002,
    beta = 0.0026), ``fit`` returns the boundary solution with a ``BoundaryWarning``: its
    log-likelihood is the Pareto/NBD's, r, alpha and s are the Pareto/NBD's, beta / b is
    the Pareto/NBD's beta, but b and beta themselves (and their standard errors) mean
    nothing; use ParetoNBDFitter for such data.

    Parameters
    ----------
    penalizer_coef: float
        coefficient of an L2 penalty on the parameters (on the rescaled time axis,
        max T = 1), added to the weighted mean negative log-likelihood.

    Attributes
    ----------
    params_: Series of r, alpha, b, s, beta (alpha in the data's time unit, b per unit)
    data: DataFrame of the data given to ``fit``
    log_likelihood_: the maximised log-likelihood in the data's time unit (-9594.98 on
        the CDNOW sample in weeks)
    at_boundary_: whether the fit stopped at the b -> 0 boundary
    variance_matrix_, standard_errors_, confidence_intervals_, summary
    """

    _param_names = ("r", "alpha", "b", "s", "beta")
    _simulator = "ggompertz_nbd_model"
    _core_uncertainty = staticmethod(_core.ggompertz_nbd_uncertainty)

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency, recency, T, weights=None, initial_params=None, verbose=False, tol=1e-7,
            index=None, **kwargs):
        """Fit by maximum likelihood (Bemmaor & Glady 2012).

        Parameters
        ----------
        frequency, recency, T: array_like
            repeat purchases x, time of the last purchase t_x, and age T of each customer.
        weights: array_like, optional
            how many customers share each (frequency, recency, T) row; default 1 each.
        initial_params: array_like, optional
            starting log-parameters (r, alpha, b, s, beta) on the rescaled time axis
            (max T = 1); default all 0.
        verbose: bool
            print the optimiser's outcome.
        tol: float
            gradient size accepted as converged.
        index: array_like, optional
            index of ``self.data``.
        kwargs:
            ``maxiter`` caps the likelihood evaluations.

        Returns
        -------
        GGompertzNBDFitter, fitted. Warns ``BoundaryWarning`` at the b -> 0 boundary;
        raises ConvergenceError when the optimiser fails elsewhere.
        """
        row_index = index_of(frequency, recency, T)
        x, t_x, age = check_rfm(frequency, recency, T, index=row_index)
        w = None if weights is None else check_weights(weights, x.size, row_index)
        if index is not None and len(index) != x.size:
            raise ValueError(f"index: expected {x.size} labels (one per row), got {len(index)}")
        init, max_evaluations = check_fit_options(self.penalizer_coef, tol, initial_params,
                                                  self._param_names, kwargs)
        result = _core.ggompertz_nbd_fit(x, t_x, age, w, float(self.penalizer_coef), init, float(tol),
                                         max_evaluations, False)
        if verbose:
            print(f"{type(self).__name__}: {result['method']}, {result['evaluations']} evaluations, "
                  f"objective {result['negative_log_likelihood']:.10g}"
                  + ("" if result["converged"] else " (did not converge)"))
        b, beta = result["params"][2], result["params"][4]
        if b * age.max() < _BOUNDARY:
            if not result["converged"]:
                # the likelihood is flat along the boundary ridge: a gradient test may not
                # pass there, but the point reached is the boundary's (Pareto/NBD's) optimum
                weights_ = np.ones(x.size) if w is None else w
                ll = _core.ggompertz_nbd_log_likelihood(result["params"], x, t_x, age)
                result = dict(result, converged=True, log_likelihood=float(np.dot(weights_, ll)))
            warnings.warn(
                f"GGompertz/NBD: the maximum likelihood is at the b -> 0 boundary (b = {b:.3g}, "
                f"b * max(T) = {b * age.max():.2g}), where the model is the Pareto/NBD with "
                f"beta_pnbd = beta / b = {beta / b:.6g}. b and beta are not identified separately "
                "and their standard errors are meaningless; fit ParetoNBDFitter to this data.",
                BoundaryWarning, stacklevel=3)  # past the columnar wrapper
        elif not result["converged"]:
            raise ConvergenceError(result["message"] + " GGompertz/NBD: if b keeps falling towards 0, "
                                   "the data are better served by ParetoNBDFitter.")
        columns = {
            "frequency": x.astype(np.int64),
            "recency": t_x,
            "T": age,
            "weights": np.ones(x.size, dtype=np.int64) if weights is None else np.asarray(weights),
            "_weights_given": w,
        }
        self._store_fit(result, columns, index)
        return self

    @property
    def at_boundary_(self) -> bool:
        """Whether the fitted b is at the b -> 0 boundary (b * max(T) < 0.001), where the
        model is the Pareto/NBD."""
        scale = getattr(self, "_scale", None)
        b = self._unload_params("b")[0]
        return bool(scale) and bool(b / scale < _BOUNDARY)

    def log_likelihood(self, frequency, recency, T):
        """Per-customer log-likelihood at the fitted parameters."""
        params = self._params_array()
        x, t_x, age = check_rfm(frequency, recency, T, index=index_of(frequency, recency, T))
        return _core.ggompertz_nbd_log_likelihood(params, x, t_x, age)

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive at T | frequency, recency, T): the likelihood's survival term over the
        whole likelihood."""
        params = self._params_array()
        inputs = Inputs([("frequency", frequency), ("recency", recency), ("T", T)], check_finite=False)
        out = _checked_call(_core.ggompertz_nbd_conditional_probability_alive, inputs, False,
                            params, inputs["frequency"], inputs["recency"], inputs["T"])
        return inputs.wrap(out)

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected purchases in (T, T + t] of a customer with history (frequency, recency, T):
        P(alive) (r + x)/(alpha + T) int_0^t S(T + v)/S(T) dv (the integral numerically).

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        params = self._params_array()
        inputs = Inputs([("t", t), ("frequency", frequency), ("recency", recency), ("T", T)],
                        check_finite=False)
        out = _checked_call(
            _core.ggompertz_nbd_conditional_expected_number_of_purchases_up_to_time, inputs, True,
            params, inputs["t"], inputs["frequency"], inputs["recency"], inputs["T"])
        return inputs.wrap(out)

    predict = conditional_expected_number_of_purchases_up_to_time

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected purchases up to time t of a new customer: (r/alpha) int_0^t S(v) dv."""
        params = self._params_array()
        inputs = Inputs([("t", t)])
        _check_prediction_inputs(inputs, with_t=True, history=False)
        return inputs.wrap(_core.ggompertz_nbd_expected_number_of_purchases_up_to_time(params, inputs["t"]))

    # -- the predictions beyond lifetimes -------------------------------------------------
    def _survival_ratio(self, start, horizon):
        """P(still alive at start + horizon | alive at start), averaged over the posterior of
        eta: given alive at `start` the posterior is Gamma(s, beta + e^(b start) - 1), and
        the Gompertz survival exp(-eta (e^(b tau) - 1)) then gives
        ((beta + e^(b start) - 1) / (beta + e^(b (start + horizon)) - 1))^s."""
        _, _, b, s, beta = self._params_array()
        with np.errstate(over="ignore"):  # e^(b tau) beyond a double: survival 0, as it is
            log_ratio = np.log(beta + np.expm1(b * start)) - np.log(beta + np.expm1(b * (start + horizon)))
        return np.exp(s * log_ratio)

    def conditional_probability_alive_in_future(self, t, frequency, recency, T):
        """P(alive at T + t | frequency, recency, T): P(alive at T) times the posterior
        probability of surviving (T, T + t], ((beta + e^(bT) - 1) / (beta + e^(b(T+t)) - 1))^s
        (the purchase history informs eta only through survival to T). As b -> 0 with
        beta / b fixed, the Pareto/NBD's ((beta' + T) / (beta' + T + t))^s. Equals
        ``conditional_probability_alive`` at t = 0.

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        params = self._params_array()
        inputs = Inputs([("t", t), ("frequency", frequency), ("recency", recency), ("T", T)])
        alive = _checked_call(_core.ggompertz_nbd_conditional_probability_alive, inputs, True,
                              params, inputs["frequency"], inputs["recency"], inputs["T"])
        _check_prediction_inputs(inputs, with_t=True)
        return inputs.wrap(alive * self._survival_ratio(inputs["T"], inputs["t"]))

    def probability_alive_of_new_customer(self, t):
        """P(alive at t) of a customer just acquired: S(t) = (beta / (beta + e^(bt) - 1))^s.

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        inputs = Inputs([("t", t)])
        _check_prediction_inputs(inputs, with_t=True, history=False)
        return inputs.wrap(self._survival_ratio(np.zeros(inputs.size), inputs["t"]))
