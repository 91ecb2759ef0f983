"""Predictions lifetimes does not have, shared by the continuous-time models (BG/NBD,
MBG/NBD, Pareto/NBD): P(alive) at a future time, discounted expected residual
transactions (DERT), and their new-customer counterparts. The maths are in
include/fastlifetimes/predictions.hpp."""

from __future__ import annotations

import numbers

import numpy as np

from .. import _core
from .._arrays import Inputs
from . import BaseFitter


def check_discount_rate(discount_rate, name="discount_rate"):
    """A positive finite number (the rate of a discount, continuous or per period)."""
    if (isinstance(discount_rate, (bool, np.bool_)) or not isinstance(discount_rate, numbers.Real)
            or not np.isfinite(discount_rate) or discount_rate <= 0):
        raise ValueError(f"{name}: must be a positive finite number, got {discount_rate!r}")
    return float(discount_rate)


class ContinuousPredictions(BaseFitter):
    """The continuous models' extra predictions; a model names its compiled functions'
    prefix in ``_core_prefix``."""

    _core_prefix: str | None  # None: no prediction intervals (uncertainty.py) for the model

    def _core_function(self, what):
        return getattr(_core, f"{self._core_prefix}_{what}")

    def conditional_probability_alive_in_future(self, t, frequency, recency, T):
        """P(alive at T + t | frequency, recency, T): the probability that a customer with
        this history is still alive t time units after the end of observation.

        P(alive at T) times the posterior probability of no drop-out in (T, T+t]:
        Pareto/NBD ((beta+T)/(beta+T+t))^s; BG/NBD and MBG/NBD, where a drop-out can only
        follow a purchase, E[exp(-lambda p t)] under the posterior of (lambda, p), a Gauss
        hypergeometric function (see include/fastlifetimes/predictions.hpp). Equals
        ``conditional_probability_alive`` at t = 0 and falls with t.

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        from .beta_geo_fitter import _checked_call

        params = self._params_array()
        inputs = Inputs([("t", t), ("frequency", frequency), ("recency", recency), ("T", T)],
                        check_finite=False)
        out = _checked_call(self._core_function("conditional_probability_alive_in_future"), inputs,
                            True, params, inputs["t"], inputs["frequency"], inputs["recency"],
                            inputs["T"])
        return inputs.wrap(out)

    def discounted_expected_residual_transactions(self, frequency, recency, T, discount_rate):
        """DERT: the expected number of all future transactions of a customer with this
        history, each discounted continuously, a transaction at T + tau weighing
        exp(-discount_rate * tau) (``discount_rate`` is the force of interest per unit of
        time of T: with weekly data and 10 % a year, log(1.1) / 52; a discrete rate d per
        unit becomes log(1 + d)).

        Pareto/NBD: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for
        Customer Base Analysis", JMR 42(4), eq. 2. BG/NBD and MBG/NBD: P(alive) times
        E[lambda / (lambda p + discount_rate)] under the posterior, which equals
        discount_rate * int_0^inf exp(-discount_rate tau) E[X(T, T+tau]] dtau. Multiply
        by the expected spend per transaction for the customer's residual lifetime value.

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        from .beta_geo_fitter import _checked_call

        delta = check_discount_rate(discount_rate)
        params = self._params_array()
        inputs = Inputs([("frequency", frequency), ("recency", recency), ("T", T)], check_finite=False)
        out = _checked_call(self._core_function("discounted_expected_residual_transactions"), inputs,
                            False, params, delta, inputs["frequency"], inputs["recency"], inputs["T"])
        return inputs.wrap(out)

    def probability_alive_of_new_customer(self, t):
        """P(alive at t) of a customer just acquired (no history: x = t_x = T = 0):
        Pareto/NBD (beta/(beta+t))^s; BG/NBD E[exp(-lambda p t)]; MBG/NBD the same times
        b/(a+b), the chance of not leaving at time 0.

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        from .beta_geo_fitter import _check_prediction_inputs

        params = self._params_array()
        inputs = Inputs([("t", t)])
        _check_prediction_inputs(inputs, with_t=True, history=False)
        zeros = np.zeros(inputs.size)
        out = self._core_function("conditional_probability_alive_in_future")(
            params, inputs["t"], zeros, zeros, zeros)
        return inputs.wrap(out)

    def discounted_expected_transactions_of_new_customer(self, discount_rate):
        """DERT of a customer just acquired (x = t_x = T = 0): the expected number of
        their repeat transactions, discounted continuously at ``discount_rate`` (see
        ``discounted_expected_residual_transactions``). A float."""
        delta = check_discount_rate(discount_rate)
        zeros = np.zeros(1)
        return float(self._core_function("discounted_expected_residual_transactions")(
            self._params_array(), delta, zeros, zeros, zeros)[0])
