"""MBG/NBD: Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of
models for customer base analysis", International Journal of Research in Marketing 24(3),
201-209; with Wagner & Hoppe (2008), "Erratum on the MBG/NBD model", IJRM 25(3), 225-226."""

from __future__ import annotations

from .. import _core
from .beta_geo_fitter import BetaGeoFitter

__all__ = ["ModifiedBetaGeoFitter"]


class ModifiedBetaGeoFitter(BetaGeoFitter):
    """The MBG/NBD model.

    As BG/NBD, each customer buys at the times of a Poisson process with rate lambda and
    drops out for good with probability p after each purchase, but may also drop out at
    time 0, before any repeat purchase; across customers lambda ~ Gamma(r, alpha) and
    p ~ Beta(a, b). So a customer without repeat purchases is not surely alive.

    A BetaGeoFitter, as in lifetimes: the same fitting conventions (time rescaled so that
    the largest T is 1, the mean log-likelihood, the penalty on the rescaled parameters),
    attributes and methods, with MBG/NBD's formulas.

    Parameters
    ----------
    penalizer_coef: float
        coefficient of an L2 penalty on the parameters (on lifetimes' rescaled time axis).

    Attributes
    ----------
    params_: Series of r, alpha, a, b
    data: DataFrame of the data given to ``fit``
    log_likelihood_: the maximised log-likelihood in the data's own time unit
    variance_matrix_, standard_errors_, confidence_intervals_, summary
    """

    _core_fit = staticmethod(_core.mbgnbd_fit)
    _core_uncertainty = staticmethod(_core.mbgnbd_uncertainty)
    _core_conditional_expected = staticmethod(_core.mbgnbd_conditional_expected_number_of_purchases_up_to_time)
    _core_probability_alive = staticmethod(_core.mbgnbd_conditional_probability_alive)
    _core_expected = staticmethod(_core.mbgnbd_expected_number_of_purchases_up_to_time)
    _core_probability_of_n = staticmethod(_core.mbgnbd_probability_of_n_purchases_up_to_time)
    _simulator = "modified_beta_geometric_nbd_model"
    _core_prefix = "mbgnbd"

    def fit(self, frequency, recency, T, weights=None, initial_params=None, verbose=False,
            tol=1e-7, index=None, **kwargs):
        """Fit the MBG/NBD model to customer histories (maximum likelihood, Batislam et al.
        2007).

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
        ModifiedBetaGeoFitter, fitted.
        """
        return super().fit(frequency, recency, T, weights=weights, initial_params=initial_params,
                           verbose=verbose, tol=tol, index=index, **kwargs)

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected repeat purchases in the next t periods of a customer with history
        (frequency, recency, T), as corrected by Wagner & Hoppe (2008).

        Returns a Series for Series input, a float for scalars, an ndarray otherwise.
        """
        return super().conditional_expected_number_of_purchases_up_to_time(t, frequency, recency, T)

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive | frequency, recency, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))
        (Batislam et al. 2007, appendix A); below 1 also for customers without repeat
        purchases. Always an ndarray of at least one dimension, as in lifetimes."""
        return super().conditional_probability_alive(frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected repeat purchases up to time t of a new customer (Wagner & Hoppe 2008):
        b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]."""
        return super().expected_number_of_purchases_up_to_time(t)

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(N(t) = n): the probability of exactly n repeat purchases in (0, t]. Scalars give
        a float; arrays are taken element by element."""
        return super().probability_of_n_purchases_up_to_time(t, n)
