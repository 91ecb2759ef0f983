"""BG/NBD with time-invariant covariates, parametrised as CLVTools' ``bgnbd()`` with
static covariates (Fader & Hardie (2007), "Incorporating Time-Invariant Covariates into
the Pareto/NBD and BG/NBD Models", brucehardie.com note 019):

    alpha_i = alpha * exp(-gamma_trans . z_trans_i),
    a_i = a * exp(gamma_life . z_life_i),  b_i = b * exp(gamma_life . z_life_i),

r shared."""

from __future__ import annotations

from .. import _core
from .pareto_nbd_covariates_fitter import _CovariatesFitter

__all__ = ["BetaGeoCovariatesFitter"]


class BetaGeoCovariatesFitter(_CovariatesFitter):
    """The BG/NBD model with static covariates on the purchase and dropout processes
    (CLVTools' ``bgnbd()`` with static covariates; see the module docstring).

    Parameters
    ----------
    penalizer_coef: float or (float, float)
        L2 penalty on the covariate coefficients as CLVTools' ``reg.lambdas``: the fit
        minimises the mean negative log-likelihood per customer plus
        lambda_trans * sum(gamma_trans^2) + lambda_life * sum(gamma_life^2). One number
        applies to both processes; a pair gives (purchase, dropout). r, alpha, a, b are
        not penalised (unlike lifetimes' ``penalizer_coef`` on BetaGeoFitter).

    Attributes
    ----------
    params_: Series: r, alpha, a, b, then ``trans.<column>`` and ``life.<column>``
    log_likelihood_: the maximised (unpenalised) log-likelihood in the data's time unit
    variance_matrix_, standard_errors_, confidence_intervals_, summary
    """

    _core_fit = staticmethod(_core.bgnbd_covariates_fit)
    _base_names = ("r", "alpha", "a", "b")
    _time_params = (1,)
    _life_columns = (2, 3)
    _life_sign = 1.0
    _plain_alive = staticmethod(_core.bgnbd_conditional_probability_alive)
    _plain_expected = staticmethod(_core.bgnbd_conditional_expected_number_of_purchases_up_to_time)
    _plain_alive_in_future = staticmethod(_core.bgnbd_conditional_probability_alive_in_future)
    _plain_dert = staticmethod(_core.bgnbd_discounted_expected_residual_transactions)
