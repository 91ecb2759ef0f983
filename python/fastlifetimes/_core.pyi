"""
fastlifetimes' compiled core: models, fitting and the transaction summary
"""
from __future__ import annotations
import numpy
import numpy.typing
import typing

# Inputs are cast once to contiguous float64 (or int64) arrays; results are float64 arrays.
_Floats: typing.TypeAlias = numpy.typing.ArrayLike
_Array: typing.TypeAlias = numpy.typing.NDArray[numpy.float64]
__all__: list[str] = ['beta_density', 'beta_quantile', 'bgbb_conditional_expected_number_of_purchases_up_to_time', 'bgbb_conditional_probability_alive', 'bgbb_discounted_expected_residual_transactions', 'bgbb_fit', 'bgbb_log_likelihood', 'bgbb_max_periods', 'bgbb_probability_of_transactions_in_first_n_periods', 'bgbb_uncertainty', 'bgnbd_conditional_expected_number_of_purchases_up_to_time', 'bgnbd_conditional_probability_alive', 'bgnbd_conditional_probability_alive_in_future', 'bgnbd_covariates_fit', 'bgnbd_discounted_expected_residual_transactions', 'bgnbd_discounted_purchases', 'bgnbd_expected_number_of_purchases_up_to_time', 'bgnbd_fit', 'bgnbd_log_likelihood', 'bgnbd_prediction_quantiles', 'bgnbd_probability_of_n_purchases_up_to_time', 'bgnbd_uncertainty', 'cnbdk_conditional_expected_number_of_purchases_up_to_time', 'cnbdk_conditional_probability_alive', 'cnbdk_conditional_probability_alive_in_future', 'cnbdk_expected_number_of_purchases_up_to_time', 'cnbdk_fit', 'cnbdk_fit_regularity', 'cnbdk_log_likelihood', 'cnbdk_probability_of_n_purchases_up_to_time', 'cnbdk_uncertainty', 'evaluation_errors', 'evaluation_ranking', 'evaluation_segments', 'gamma_density', 'gamma_gamma_conditional_expected_average_profit', 'gamma_gamma_fit', 'gamma_gamma_log_likelihood', 'gamma_gamma_uncertainty', 'gamma_quantile', 'ggompertz_nbd_conditional_expected_number_of_purchases_up_to_time', 'ggompertz_nbd_conditional_probability_alive', 'ggompertz_nbd_expected_number_of_purchases_up_to_time', 'ggompertz_nbd_fit', 'ggompertz_nbd_log_likelihood', 'ggompertz_nbd_uncertainty', 'mbgnbd_conditional_expected_number_of_purchases_up_to_time', 'mbgnbd_conditional_probability_alive', 'mbgnbd_conditional_probability_alive_in_future', 'mbgnbd_discounted_expected_residual_transactions', 'mbgnbd_expected_number_of_purchases_up_to_time', 'mbgnbd_fit', 'mbgnbd_log_likelihood', 'mbgnbd_prediction_quantiles', 'mbgnbd_probability_of_n_purchases_up_to_time', 'mbgnbd_uncertainty', 'model_format_version', 'nbd_conditional_expected_number_of_purchases_up_to_time', 'nbd_conditional_probability_alive', 'nbd_expected_number_of_purchases_up_to_time', 'nbd_fit', 'nbd_log_likelihood', 'nbd_probability_of_n_purchases_up_to_time', 'nbd_uncertainty', 'pareto_nbd_conditional_expected_number_of_purchases_up_to_time', 'pareto_nbd_conditional_probability_alive', 'pareto_nbd_conditional_probability_alive_in_future', 'pareto_nbd_conditional_probability_of_n_purchases_up_to_time', 'pareto_nbd_covariates_fit', 'pareto_nbd_discounted_expected_residual_transactions', 'pareto_nbd_expected_number_of_purchases_up_to_time', 'pareto_nbd_fit', 'pareto_nbd_log_likelihood', 'pareto_nbd_prediction_quantiles', 'pareto_nbd_probability_of_n_purchases_up_to_time', 'pareto_nbd_uncertainty', 'sbg_derl', 'sbg_expected_remaining_lifetime', 'sbg_fit', 'sbg_log_likelihood', 'sbg_probability_churn', 'sbg_retention_rate', 'sbg_survival', 'sbg_uncertainty', 'simulate_bgbb', 'simulate_bgnbd', 'simulate_bgnbd_transactions', 'simulate_pareto_nbd', 'summarize_transactions']
def beta_density(x: _Floats, a: float, b: float) -> _Array:
    """
    The density of Beta(a, b) at each x (+inf at 0 when a < 1, at 1 when b < 1).
    """
def beta_quantile(p: float, a: float, b: float) -> float:
    """
    The p-quantile of Beta(a, b).
    """
def bgbb_conditional_expected_number_of_purchases_up_to_time(params: _Floats, m_periods_in_future: _Floats, frequency: _Floats, recency: _Floats, n_periods: _Floats) -> _Array:
    ...
def bgbb_conditional_probability_alive(params: _Floats, m_periods_in_future: _Floats, frequency: _Floats, recency: _Floats, n_periods: _Floats) -> _Array:
    ...
def bgbb_discounted_expected_residual_transactions(params: _Floats, discount_rate: float, frequency: _Floats, recency: _Floats, n_periods: _Floats) -> _Array:
    """
    BG/BB DERT: transactions at opportunities n+1, n+2, ... discounted by (1+d)^-k.
    """
def bgbb_fit(frequency: _Floats, recency: _Floats, n_periods: _Floats, weights: typing.Any, penalizer_coef: float, initial_params: typing.Any, tol: float, max_evaluations: int = 20000, with_uncertainty: bool = True) -> dict[str, typing.Any]:
    """
    Fit BG/BB with lifetimes' conventions (no time rescaling); returns a dict.
    """
def bgbb_log_likelihood(params: _Floats, frequency: _Floats, recency: _Floats, n_periods: _Floats) -> _Array:
    ...
def bgbb_probability_of_transactions_in_first_n_periods(params: _Floats, frequency: _Floats, n: _Floats) -> _Array:
    """
    P(X(n) = x) for each (x, n): FHS (2010) eq. 7.
    """
def bgbb_uncertainty(log_params: _Floats, params: _Floats, frequency: _Floats, recency: _Floats, n_periods: _Floats, weights: typing.Any, penalizer_coef: float) -> tuple[typing.Any, ...]:
    """
    (hessian, variance) of a BG/BB fit at its log-parameters.
    """
def bgnbd_conditional_expected_number_of_purchases_up_to_time(params: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def bgnbd_conditional_probability_alive(params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def bgnbd_conditional_probability_alive_in_future(params: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    """
    P(alive at T + t | history) under BG/NBD.
    """
def bgnbd_covariates_fit(frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, z_trans: typing.Any, z_life: typing.Any, lambda_trans: float = 0.0, lambda_life: float = 0.0, initial: typing.Any = None, tol: float = 1e-07, max_evaluations: int = 20000, with_uncertainty: bool = True) -> dict[str, typing.Any]:
    """
    BG/NBD with static covariates (CLVTools' parametrisation and objective).
    """
def bgnbd_discounted_expected_residual_transactions(params: _Floats, discount_rate: float, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    """
    DERT with continuous discounting exp(-discount_rate tau) under BG/NBD.
    """
# the binding names this argument `from`, a Python keyword: pass it by position
def bgnbd_discounted_purchases(params: _Floats, to: _Floats, from_: _Floats, discount: _Floats, frequency: _Floats, recency: _Floats, T: _Floats, /) -> _Array:
    """
    sum_k (E(to[k]) - E(from[k])) / discount[k] per customer, E the BG/NBD conditional expectation.
    """
def bgnbd_expected_number_of_purchases_up_to_time(params: _Floats, t: _Floats) -> _Array:
    ...
def bgnbd_fit(frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float, initial_params: typing.Any, tol: float, max_evaluations: int = 20000, with_uncertainty: bool = True) -> dict[str, typing.Any]:
    """
    Fit BG/NBD with lifetimes' conventions; returns a dict (see model_fit).
    """
def bgnbd_log_likelihood(params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def bgnbd_prediction_quantiles(kind: str, draws: _Floats, t: float, frequency: _Floats, recency: _Floats, T: _Floats, probs: _Floats, spend_draws: _Floats, monetary_value: _Floats) -> _Array:
    """
    Quantiles over parameter draws (rows) of a prediction per customer: kind 'expected_purchases' (t = horizon), 'probability_alive' (t = horizon), 'dert' or 'clv' (t = continuous discount rate; clv multiplies by the Gamma-Gamma mean spend at spend_draws).
    """
def bgnbd_probability_of_n_purchases_up_to_time(params: _Floats, t: _Floats, n: _Floats) -> _Array:
    ...
def bgnbd_uncertainty(log_params: _Floats, params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float) -> tuple[typing.Any, ...]:
    """
    (hessian, variance) of a BG/NBD fit at its log-parameters.
    """
def cnbdk_conditional_expected_number_of_purchases_up_to_time(k: int, modified: bool, params: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def cnbdk_conditional_probability_alive(k: int, modified: bool, params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def cnbdk_conditional_probability_alive_in_future(k: int, modified: bool, params: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def cnbdk_expected_number_of_purchases_up_to_time(k: int, modified: bool, params: _Floats, t: _Floats) -> _Array:
    ...
def cnbdk_fit(k: int, modified: bool, frequency: _Floats, recency: _Floats, T: _Floats, litt: typing.Any, weights: typing.Any, penalizer_coef: float, initial_params: typing.Any, tol: float, max_evaluations: int = 20000, with_uncertainty: bool = True) -> dict[str, typing.Any]:
    """
    Fit (M)BG/CNBD-k for a fixed k with lifetimes' conventions; returns a dict (see model_fit). log_likelihood includes (k-1) litt - x ln((k-1)!) when litt is given.
    """
def cnbdk_fit_regularity(modified: bool, largest_k: int, frequency: _Floats, recency: _Floats, T: _Floats, litt: _Floats, weights: typing.Any, penalizer_coef: float, tol: float, max_evaluations: int = 20000) -> tuple[list, int]:
    """
    Fit k = 1..largest_k (stopping once the log-likelihood fell twice in a row); returns (list of fit dicts without uncertainty, best k).
    """
def cnbdk_log_likelihood(k: int, modified: bool, params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats, litt: typing.Any) -> _Array:
    ...
def cnbdk_probability_of_n_purchases_up_to_time(k: int, modified: bool, params: _Floats, t: _Floats, n: _Floats) -> _Array:
    ...
def cnbdk_uncertainty(k: int, modified: bool, log_params: _Floats, params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float) -> tuple[_Array, _Array]:
    ...
def evaluation_errors(predicted: _Floats, actual: _Floats) -> dict[str, typing.Any]:
    """
    RMSE, MAE, median absolute error and R^2 of a forecast, as a dict.
    """
def evaluation_ranking(score: _Floats, actual: _Floats, fractions: _Floats, groups: int) -> dict[str, typing.Any]:
    """
    Ranking of `actual` by `score` (highest first): the gains curve, its Gini and normalised Gini, the share of value at each fraction of customers, and sums over `groups` rank groups of equal size, as a dict.
    """
def evaluation_segments(segment: numpy.typing.ArrayLike, n_segments: int, predicted: _Floats, actual: _Floats) -> dict[str, typing.Any]:
    """
    Per segment code: customers, sums of forecasts and actual values, the sum of absolute percentage errors over customers with a positive actual value and their number.
    """
def gamma_density(x: _Floats, shape: float, rate: float) -> _Array:
    """
    The density of Gamma(shape, rate) at each x (+inf at 0 when shape < 1).
    """
def gamma_gamma_conditional_expected_average_profit(params: _Floats, frequency: _Floats, monetary_value: _Floats) -> _Array:
    ...
def gamma_gamma_fit(frequency: _Floats, monetary_value: _Floats, weights: typing.Any, penalizer_coef: float, initial_params: typing.Any, tol: float, max_evaluations: int = 20000, q_constraint: bool = False, with_uncertainty: bool = True) -> dict[str, typing.Any]:
    """
    Fit the Gamma-Gamma model with lifetimes' conventions; returns a dict (see model_fit).
    """
def gamma_gamma_log_likelihood(params: _Floats, frequency: _Floats, monetary_value: _Floats) -> _Array:
    ...
def gamma_gamma_uncertainty(log_params: _Floats, params: _Floats, frequency: _Floats, monetary_value: _Floats, weights: typing.Any, penalizer_coef: float) -> tuple[typing.Any, ...]:
    """
    (hessian, variance) of a Gamma-Gamma fit at its log-parameters.
    """
def gamma_quantile(p: float, shape: float, rate: float) -> float:
    """
    The p-quantile of Gamma(shape, rate) (rate: 1 / scale).
    """
def ggompertz_nbd_conditional_expected_number_of_purchases_up_to_time(params: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def ggompertz_nbd_conditional_probability_alive(params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def ggompertz_nbd_expected_number_of_purchases_up_to_time(params: _Floats, t: _Floats) -> _Array:
    ...
def ggompertz_nbd_fit(frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float, initial_params: typing.Any, tol: float, max_evaluations: int = 20000, with_uncertainty: bool = True) -> dict[str, typing.Any]:
    """
    Fit GGompertz/NBD (time rescaled to max T = 1); returns a dict (see model_fit).
    """
def ggompertz_nbd_log_likelihood(params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def ggompertz_nbd_uncertainty(log_params: _Floats, params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float) -> tuple[typing.Any, ...]:
    """
    (hessian, variance) of a GGompertz/NBD fit at its log-parameters.
    """
def mbgnbd_conditional_expected_number_of_purchases_up_to_time(params: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def mbgnbd_conditional_probability_alive(params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def mbgnbd_conditional_probability_alive_in_future(params: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    """
    P(alive at T + t | history) under MBG/NBD.
    """
def mbgnbd_discounted_expected_residual_transactions(params: _Floats, discount_rate: float, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    """
    DERT with continuous discounting exp(-discount_rate tau) under MBG/NBD.
    """
def mbgnbd_expected_number_of_purchases_up_to_time(params: _Floats, t: _Floats) -> _Array:
    ...
def mbgnbd_fit(frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float, initial_params: typing.Any, tol: float, max_evaluations: int = 20000, with_uncertainty: bool = True) -> dict[str, typing.Any]:
    """
    Fit MBG/NBD with lifetimes' conventions; returns a dict (see model_fit).
    """
def mbgnbd_log_likelihood(params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def mbgnbd_prediction_quantiles(kind: str, draws: _Floats, t: float, frequency: _Floats, recency: _Floats, T: _Floats, probs: _Floats, spend_draws: _Floats, monetary_value: _Floats) -> _Array:
    """
    Quantiles over parameter draws (rows) of a prediction per customer: kind 'expected_purchases' (t = horizon), 'probability_alive' (t = horizon), 'dert' or 'clv' (t = continuous discount rate; clv multiplies by the Gamma-Gamma mean spend at spend_draws).
    """
def mbgnbd_probability_of_n_purchases_up_to_time(params: _Floats, t: _Floats, n: _Floats) -> _Array:
    ...
def mbgnbd_uncertainty(log_params: _Floats, params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float) -> tuple[typing.Any, ...]:
    """
    (hessian, variance) of a MBG/NBD fit at its log-parameters.
    """
def nbd_conditional_expected_number_of_purchases_up_to_time(params: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def nbd_conditional_probability_alive(params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def nbd_expected_number_of_purchases_up_to_time(params: _Floats, t: _Floats) -> _Array:
    ...
def nbd_fit(frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float, initial_params: typing.Any, tol: float, max_evaluations: int = 20000, with_uncertainty: bool = True) -> dict[str, typing.Any]:
    """
    Fit NBD with lifetimes' conventions; returns a dict (see model_fit).
    """
def nbd_log_likelihood(params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def nbd_probability_of_n_purchases_up_to_time(params: _Floats, t: _Floats, n: _Floats) -> _Array:
    ...
def nbd_uncertainty(log_params: _Floats, params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float) -> tuple[typing.Any, ...]:
    """
    (hessian, variance) of a NBD fit at its log-parameters.
    """
def pareto_nbd_conditional_expected_number_of_purchases_up_to_time(params: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def pareto_nbd_conditional_probability_alive(params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def pareto_nbd_conditional_probability_alive_in_future(params: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    """
    P(alive at T + t | history) under Pareto/NBD.
    """
def pareto_nbd_conditional_probability_of_n_purchases_up_to_time(params: _Floats, n: _Floats, t: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def pareto_nbd_covariates_fit(frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, z_trans: typing.Any, z_life: typing.Any, lambda_trans: float = 0.0, lambda_life: float = 0.0, initial: typing.Any = None, tol: float = 1e-07, max_evaluations: int = 20000, with_uncertainty: bool = True) -> dict[str, typing.Any]:
    """
    Pareto/NBD with static covariates (CLVTools' parametrisation and objective).
    """
def pareto_nbd_discounted_expected_residual_transactions(params: _Floats, discount_rate: float, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    """
    DERT with continuous discounting exp(-discount_rate tau) under Pareto/NBD.
    """
def pareto_nbd_expected_number_of_purchases_up_to_time(params: _Floats, t: _Floats) -> _Array:
    ...
def pareto_nbd_fit(frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float, initial_params: typing.Any, tol: float, max_evaluations: int = 20000, with_uncertainty: bool = True) -> dict[str, typing.Any]:
    """
    Fit Pareto/NBD with lifetimes' conventions; returns a dict (see model_fit).
    """
def pareto_nbd_log_likelihood(params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats) -> _Array:
    ...
def pareto_nbd_prediction_quantiles(kind: str, draws: _Floats, t: float, frequency: _Floats, recency: _Floats, T: _Floats, probs: _Floats, spend_draws: _Floats, monetary_value: _Floats) -> _Array:
    """
    Quantiles over parameter draws (rows) of a prediction per customer: kind 'expected_purchases' (t = horizon), 'probability_alive' (t = horizon), 'dert' or 'clv' (t = continuous discount rate; clv multiplies by the Gamma-Gamma mean spend at spend_draws).
    """
def pareto_nbd_probability_of_n_purchases_up_to_time(params: _Floats, t: _Floats, n: _Floats) -> _Array:
    ...
def pareto_nbd_uncertainty(log_params: _Floats, params: _Floats, frequency: _Floats, recency: _Floats, T: _Floats, weights: typing.Any, penalizer_coef: float) -> tuple[typing.Any, ...]:
    """
    (hessian, variance) of a Pareto/NBD fit at its log-parameters.
    """
def sbg_derl(params: _Floats, discount_rate: float, n: _Floats) -> _Array:
    """
    DERL of a customer who has made n - 1 renewals (Fader & Hardie 2010).
    """
def sbg_expected_remaining_lifetime(params: _Floats, n: _Floats) -> _Array:
    """
    (beta + n - 1)/(alpha - 1), inf when alpha <= 1.
    """
def sbg_fit(duration: _Floats, alive: _Floats, weights: typing.Any, penalizer_coef: float, initial_params: typing.Any, tol: float, max_evaluations: int = 20000) -> dict[str, typing.Any]:
    """
    Fit sBG on (duration, alive) rows by maximum likelihood; returns a dict.
    """
def sbg_log_likelihood(params: _Floats, duration: _Floats, alive: _Floats) -> _Array:
    """
    Per-row log-likelihood: log S(duration) if alive, log P(T = duration) if churned.
    """
def sbg_probability_churn(params: _Floats, t: _Floats) -> _Array:
    """
    P(T = t) = B(alpha + 1, beta + t - 1)/B(alpha, beta).
    """
def sbg_retention_rate(params: _Floats, t: _Floats) -> _Array:
    """
    r_t = (beta + t - 1)/(alpha + beta + t - 1).
    """
def sbg_survival(params: _Floats, t: _Floats) -> _Array:
    """
    S(t) = B(alpha, beta + t)/B(alpha, beta).
    """
def sbg_uncertainty(log_params: _Floats, params: _Floats, duration: _Floats, alive: _Floats, weights: typing.Any, penalizer_coef: float) -> tuple[typing.Any, ...]:
    """
    (hessian, variance) of an sBG fit at its log-parameters.
    """
def simulate_bgbb(N: _Floats, alpha: float, beta: float, gamma: float, delta: float, seed: int) -> tuple[typing.Any, ...]:
    """
    (frequency, recency, p, theta, alive) of simulated BG/BB customers.
    """
def simulate_bgnbd(T: _Floats, r: float, alpha: float, a: float, b: float, seed: int, modified: bool = False) -> tuple[typing.Any, ...]:
    """
    (frequency, recency, lambda, p, alive) of simulated BG/NBD (or MBG/NBD) customers.
    """
def simulate_bgnbd_transactions(T: _Floats, r: float, alpha: float, a: float, b: float, seed: int) -> tuple[numpy.typing.NDArray[numpy.int64], _Array]:
    """
    (customer index, offset in time units from the customer's start) of a simulated BG/NBD transaction log.
    """
def simulate_pareto_nbd(T: _Floats, r: float, alpha: float, s: float, beta: float, seed: int) -> tuple[typing.Any, ...]:
    """
    (frequency, recency, lambda, mu, alive) of simulated Pareto/NBD customers.
    """
def summarize_transactions(customer: numpy.typing.ArrayLike, period: numpy.typing.ArrayLike, value: typing.Any, n_customers: int, end_period: int, ticks_per_unit: float, include_first_transaction: bool, period_width: int = 0) -> tuple[numpy.typing.NDArray[numpy.int64], _Array, _Array, _Array, typing.Any]:
    """
    Per-customer (codes, frequency, recency, T, monetary_value or None) of a log given as integer customer codes and period-start ticks.
    """
__version__: str
bgbb_max_periods: float
model_format_version: int
