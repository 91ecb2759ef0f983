"""Prediction intervals from the uncertainty of the fitted parameters (a parametric
bootstrap over the estimates' sampling distribution).

The log-parameters are drawn from the normal distribution of the maximum-likelihood
estimate, N(log theta_hat, H^-1 / sum(weights)), H the Hessian of the fit's mean negative
log-likelihood in the log-parameters (the same matrix the standard errors come from:
``variance_matrix_`` is its delta-method image on the natural scale). Drawing on the log
scale rather than the natural one keeps every draw positive, so no draw has to be thrown
away for leaving the domain, and the likelihood is closer to quadratic there (the shape
and scale parameters are skewed on the natural scale: their standard errors are often of
the order of the estimates). For each draw the prediction is computed for every customer
in C++ (draws x customers, in blocks), and the interval is the (1-level)/2 and
(1+level)/2 quantiles over the draws. Only the parameters' uncertainty is covered, not
the customer's own randomness (the interval is for the expected value, not for the
number of purchases the customer will make).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from . import _core
from ._arrays import Inputs

__all__ = ["parameter_draws", "prediction_interval"]

KINDS = ("expected_purchases", "probability_alive", "dert", "clv")


def parameter_draws(model, n_draws=1000, seed=None, accept=None):
    """``n_draws`` parameter vectors (rows, in ``model.params_`` order) of a fitted model
    from the normal approximation of its estimate on the log scale (see the module
    docstring). ``accept(draws) -> bool mask`` may reject draws (e.g. a Gamma-Gamma q <= 1
    where the mean spend is infinite); rejected ones are drawn again.

    Reproducible: the same ``seed`` gives the same draws.
    """
    if (isinstance(n_draws, (bool, np.bool_)) or not isinstance(n_draws, numbers.Integral)
            or n_draws < 1):
        raise ValueError(f"n_draws: must be a positive integer, got {n_draws!r}")
    theta = model._params_array()
    variance = np.asarray(model.variance_matrix_.values, dtype=float)
    cov = variance / np.outer(theta, theta)
    if not np.isfinite(cov).all():
        raise ValueError("the model's variance matrix is not finite (a singular Hessian): "
                         "no parameter uncertainty to draw from")
    rng = np.random.default_rng(seed)
    out = np.empty((0, theta.size))
    for _ in range(100):
        z = rng.multivariate_normal(np.log(theta), cov, size=n_draws - out.shape[0], method="eigh")
        draws = np.exp(z)
        keep = np.isfinite(draws).all(axis=1) & (draws > 0).all(axis=1)
        if accept is not None:
            keep &= np.asarray(accept(draws), dtype=bool)
        out = np.vstack([out, draws[keep]])
        if out.shape[0] >= n_draws:
            return out[:n_draws]
    raise ValueError("could not draw parameters inside the model's domain (almost every draw "
                     "was rejected); the estimate is too uncertain for this interval")


def prediction_interval(model, kind, frequency, recency, T, t=None, discount_rate=None,
                        level=0.9, n_draws=1000, seed=None, gamma_gamma_model=None,
                        monetary_value=None):
    """Per-customer prediction intervals from the fitted parameters' uncertainty.

    Parameters
    ----------
    model: a fitted BetaGeoFitter, ModifiedBetaGeoFitter or ParetoNBDFitter.
    kind: str
        "expected_purchases": ``conditional_expected_number_of_purchases_up_to_time(t, ...)``;
        "probability_alive": ``conditional_probability_alive_in_future(t, ...)`` (t = 0 by
        default: P(alive) now);
        "dert": ``discounted_expected_residual_transactions(..., discount_rate)``;
        "clv": DERT times the Gamma-Gamma expected spend
        (``gamma_gamma_model.conditional_expected_average_profit(frequency, monetary_value)``),
        both models' parameters drawn (independently: they are fitted separately).
    frequency, recency, T: array_like, the customers' histories.
    level: float in (0, 1), the interval's coverage (0.9: 5 % and 95 % quantiles).
    n_draws: int, the number of parameter draws.
    seed: int or None, for reproducible draws.

    Returns
    -------
    DataFrame with columns "prediction" (at the fitted parameters), "lower", "upper",
    indexed like ``frequency`` when it is a Series.
    """
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {KINDS}, got {kind!r}")
    prefix = getattr(model, "_core_prefix", None)
    if prefix is None:
        raise ValueError(f"model: prediction intervals need a BG/NBD, MBG/NBD or Pareto/NBD model, "
                         f"got {type(model).__name__}")
    if (isinstance(level, (bool, np.bool_)) or not isinstance(level, numbers.Real)
            or not 0 < level < 1):
        raise ValueError(f"level: must be a number between 0 and 1, got {level!r}")
    inputs = Inputs([("frequency", frequency), ("recency", recency), ("T", T)], check_finite=False)
    x, t_x, age = inputs["frequency"], inputs["recency"], inputs["T"]
    spend_draws = np.empty((0, 3))
    monetary = np.empty(0)
    if kind == "expected_purchases":
        if t is None:
            raise ValueError("t: the horizon is required for expected_purchases")
        argument = float(t)
        point = model.conditional_expected_number_of_purchases_up_to_time(argument, x, t_x, age)
    elif kind == "probability_alive":
        argument = 0.0 if t is None else float(t)
        point = model.conditional_probability_alive_in_future(argument, x, t_x, age)
    else:
        if discount_rate is None:
            raise ValueError(f"discount_rate: required for {kind}")
        argument = discount_rate
        point = model.discounted_expected_residual_transactions(x, t_x, age, argument)
        argument = float(argument)
    point = np.asarray(point, dtype=float).reshape(-1)
    draws = parameter_draws(model, n_draws, seed)
    if kind == "clv":
        if gamma_gamma_model is None or monetary_value is None:
            raise ValueError("clv needs gamma_gamma_model and monetary_value")
        monetary = Inputs([("monetary_value", monetary_value)])["monetary_value"]
        if monetary.size != x.size:
            raise ValueError(f"monetary_value: expected {x.size} values, got {monetary.size}")
        spend = np.asarray(gamma_gamma_model.conditional_expected_average_profit(x, monetary), dtype=float)
        point = point * spend.reshape(-1)
        # the spend draws use their own stream, derived from the seed, so that the
        # transaction model's draws are those of kind="dert" with the same seed
        spend_seed = None if seed is None else np.random.SeedSequence(seed).spawn(1)[0]
        spend_draws = parameter_draws(gamma_gamma_model, n_draws, spend_seed,
                                      accept=lambda d: d[:, 1] > 1)
    probs = np.array([(1 - level) / 2, (1 + level) / 2])
    quantiles = getattr(_core, f"{prefix}_prediction_quantiles")(
        kind, draws, argument, x, t_x, age, probs, spend_draws, monetary)
    index = frequency.index if isinstance(frequency, pd.Series) else None
    return pd.DataFrame({"prediction": point, "lower": quantiles[:, 0], "upper": quantiles[:, 1]},
                        index=index)
