"""NBD: Ehrenberg (1959), "The pattern of consumer purchases", Applied Statistics 8(1),
26-41; Morrison & Schmittlein (1988), "Generalizing the NBD model for customer purchases",
Journal of Business & Economic Statistics 6(2), 145-159. The baseline of Platzer &
Reutterer (2016) and of the BTYDplus vignette."""

from __future__ import annotations

import numpy as np

from .. import _core
from .._arrays import Inputs
from ._future import check_discount_rate
from .beta_geo_fitter import BetaGeoFitter, _check_prediction_inputs

__all__ = ["NBDFitter"]


class NBDFitter(BetaGeoFitter):
    """The NBD model: Poisson purchases with rate lambda ~ Gamma(r, alpha), no drop-out.

    Shares BetaGeoFitter's machinery (fitting conventions, attributes, files), with the
    NBD's formulas; recency is accepted for a uniform interface but carries no
    information. ``log_likelihood_`` is BTYDplus' (``nbd.cbs.LL``): the negative
    binomial probability without its data-only part sum(x ln T - ln x!).

    Parameters
    ----------
    penalizer_coef: float
        coefficient of an L2 penalty on the parameters (on lifetimes' rescaled time axis).

    Attributes
    ----------
    params_: Series of r, alpha
    data, log_likelihood_, variance_matrix_, standard_errors_, confidence_intervals_, summary
    """

    _param_names = ("r", "alpha")
    _core_fit = staticmethod(_core.nbd_fit)
    _core_uncertainty = staticmethod(_core.nbd_uncertainty)
    _core_conditional_expected = staticmethod(_core.nbd_conditional_expected_number_of_purchases_up_to_time)
    _core_probability_alive = staticmethod(_core.nbd_conditional_probability_alive)
    _core_expected = staticmethod(_core.nbd_expected_number_of_purchases_up_to_time)
    _core_probability_of_n = staticmethod(_core.nbd_probability_of_n_purchases_up_to_time)
    _simulator = "nbd_model"
    _core_prefix = None  # the BG/NBD kernels inherited would be wrong: no bootstrap intervals

    def fit(self, frequency, recency, T, weights=None, initial_params=None, verbose=False,
            tol=1e-7, index=None, **kwargs):
        """Fit the NBD by maximum likelihood; see BetaGeoFitter.fit for the arguments."""
        return super().fit(frequency, recency, T, weights=weights, initial_params=initial_params,
                           verbose=verbose, tol=tol, index=index, **kwargs)

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """E[X(T, T+t) | x, T] = t (r+x)/(alpha+T): the posterior mean rate times t."""
        return super().conditional_expected_number_of_purchases_up_to_time(t, frequency, recency, T)

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive(self, frequency, recency, T):
        """1 for every valid history: nobody drops out in the NBD."""
        return super().conditional_probability_alive(frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t):
        """E[X(t)] = r t / alpha."""
        return super().expected_number_of_purchases_up_to_time(t)

    # -- the predictions beyond lifetimes: with no drop-out they are the rate's alone --------
    def conditional_probability_alive_in_future(self, t, frequency, recency, T):
        """1 for every valid history and t >= 0: nobody drops out in the NBD."""
        inputs = Inputs([("t", t), ("frequency", frequency), ("recency", recency), ("T", T)])
        _check_prediction_inputs(inputs, with_t=True)
        return inputs.wrap(np.ones(inputs.size))

    def discounted_expected_residual_transactions(self, frequency, recency, T, discount_rate):
        """DERT = E[lambda | x, T] / discount_rate = (r+x) / ((alpha+T) discount_rate): the
        posterior mean rate, every future purchase at T + tau weighing exp(-discount_rate tau)."""
        delta = check_discount_rate(discount_rate)
        r, alpha = self._params_array()
        inputs = Inputs([("frequency", frequency), ("recency", recency), ("T", T)])
        _check_prediction_inputs(inputs, with_t=False)
        return inputs.wrap((r + inputs["frequency"]) / ((alpha + inputs["T"]) * delta))

    def probability_alive_of_new_customer(self, t):
        """1 for every t >= 0: nobody drops out in the NBD."""
        inputs = Inputs([("t", t)])
        _check_prediction_inputs(inputs, with_t=True, history=False)
        return inputs.wrap(np.ones(inputs.size))

    def discounted_expected_transactions_of_new_customer(self, discount_rate):
        """r / (alpha discount_rate): the mean rate, discounted continuously. A float."""
        r, alpha = self._params_array()
        return float(r / (alpha * check_discount_rate(discount_rate)))

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(X(t) = n), the negative binomial pmf."""
        return super().probability_of_n_purchases_up_to_time(t, n)
