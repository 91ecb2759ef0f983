"""BG/CNBD-k and MBG/CNBD-k: Platzer & Reutterer (2016), "Ticking Away the Moments:
Timing Regularity Helps to Better Predict Customer Activity", Marketing Science 35(5),
779-799."""

from __future__ import annotations

import functools
import json
import numbers
import os

import numpy as np
import pandas as pd

from .. import _core
from .._validation import (
    as_float_array,
    check_fit_options,
    check_rfm,
    check_weights,
    index_of,
    offending_rows,
)
from .beta_geo_fitter import BetaGeoFitter

__all__ = ["BetaGeoCNBDFitter", "ModifiedBetaGeoCNBDFitter"]

MAX_K = 12  # cnbdk::max_k: the fitter is compiled for k = 1..12, BTYDplus' search range


def _check_k(k, largest=MAX_K, name="k"):
    if not (isinstance(k, numbers.Integral) and not isinstance(k, bool) and 1 <= k <= largest):
        raise ValueError(f"{name}: must be a whole number from 1 to {largest}, got {k!r}")
    return int(k)


def check_litt(litt, x, t_x, index=None):
    """litt as a float array, checked against the histories: finite, 0 where frequency is
    0, and at most frequency * log(recency / frequency) (the logs of x gaps that sum to
    recency are largest when the gaps are equal)."""
    values = as_float_array("litt", litt, check_finite=False)
    if values.size != x.size:
        raise ValueError(f"litt: expected {x.size} values (one per row), got {values.size}")
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"litt: NaN or infinite values in {offending_rows(bad, index)}")
    bad = (x == 0) & (values != 0)
    if bad.any():
        raise ValueError(f"litt: non-zero litt where frequency is 0 in {offending_rows(bad, index)}")
    positive = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.where(positive, x * np.log(np.where(positive, t_x, 1.0) / np.where(positive, x, 1.0)), 0.0)
    bad = positive & ((t_x <= 0) | (values > bound + 1e-9 * (np.abs(bound) + x)))
    if bad.any():
        raise ValueError(
            "litt: larger than frequency * log(recency / frequency), which no inter-purchase "
            f"times summing to recency can give, in {offending_rows(bad, index)}; litt is the sum "
            "of the logs of the times between repeat purchases, in the unit of recency")
    return values


class BetaGeoCNBDFitter(BetaGeoFitter):
    """The BG/CNBD-k model (Platzer & Reutterer 2016).

    As BG/NBD, but the times between a customer's purchases are Erlang-k (every k-th event
    of a Poisson process with rate lambda, lambda ~ Gamma(r, alpha)): k > 1 models regular
    buyers. After each purchase the customer drops out with probability p ~ Beta(a, b).
    k = 1 is BG/NBD: the same likelihood, P(alive) and expectations as BetaGeoFitter.

    The likelihood needs, per customer, litt = the sum of the logs of the inter-purchase
    times (``fastlifetimes.utils.inter_transaction_log_times`` computes it from a
    transaction log); it enters only as the data-only term (k-1) litt - x ln((k-1)!), so
    the parameters for a given k do not depend on it, but the log-likelihoods of
    different k can only be compared with it.

    The conditional expectation has no closed form for k > 1; it is computed exactly (to
    rounding) by conditioning on the Erlang phase reached since the last purchase (see
    include/fastlifetimes/models/cnbdk.hpp). BTYDplus approximates it instead, so its
    figures differ in the second digit for some histories.

    Parameters
    ----------
    k: int
        the Erlang order, 1 to 12 (``select_k`` chooses it by likelihood).
    penalizer_coef: float
        coefficient of an L2 penalty on the parameters (on lifetimes' rescaled time axis).

    Attributes
    ----------
    params_: Series of r, alpha, a, b
    k: the Erlang order
    data, log_likelihood_ (with the litt term when litt was given), variance_matrix_,
    standard_errors_, confidence_intervals_, summary
    """

    _modified = False
    _simulator = "beta_geometric_cnbd_model"
    _core_prefix = None  # the BG/NBD kernels inherited are right for k = 1 only: no bootstrap intervals

    def __init__(self, k=1, penalizer_coef=0.0):
        self.k = _check_k(k)
        self.penalizer_coef = penalizer_coef

    def __repr__(self):
        return super().__repr__().replace(f"<fastlifetimes.{type(self).__name__}",
                                          f"<fastlifetimes.{type(self).__name__} k={self.k}", 1)

    # the compiled model, with this fitter's k
    def _core_uncertainty(self, *args):
        return _core.cnbdk_uncertainty(self.k, self._modified, *args)

    def _core_conditional_expected(self, *args):
        return _core.cnbdk_conditional_expected_number_of_purchases_up_to_time(self.k, self._modified, *args)

    def _core_probability_alive(self, *args):
        return _core.cnbdk_conditional_probability_alive(self.k, self._modified, *args)

    def _core_expected(self, *args):
        return _core.cnbdk_expected_number_of_purchases_up_to_time(self.k, self._modified, *args)

    def _simulator_arguments(self, params):
        return (self.k, *params)

    def _core_function(self, what):
        # the predictions beyond lifetimes: at k = 1 the model is BG/NBD or MBG/NBD, whose
        # kernels these are; for k > 1 future P(alive) has its own (cnbdk.hpp), and DERT,
        # which has none yet, is refused rather than computed with the k = 1 formulas
        if self.k == 1:
            return getattr(_core, f"{'mbgnbd' if self._modified else 'bgnbd'}_{what}")
        if what == "conditional_probability_alive_in_future":
            return functools.partial(_core.cnbdk_conditional_probability_alive_in_future, self.k,
                                     self._modified)
        raise NotImplementedError(
            f"{what} is implemented for k = 1 (BG/NBD, MBG/NBD) only, not for k = {self.k}")

    def _core_probability_of_n(self, *args):
        if self.k == 1:  # BG/NBD's and MBG/NBD's closed forms, as the other predictions
            core = _core.mbgnbd_probability_of_n_purchases_up_to_time if self._modified \
                else _core.bgnbd_probability_of_n_purchases_up_to_time
            return core(*args)
        return _core.cnbdk_probability_of_n_purchases_up_to_time(self.k, self._modified, *args)

    def _checked_inputs(self, frequency, recency, T, litt, weights, index, require_litt):
        row_index = index_of(frequency, recency, T)
        x, t_x, age = check_rfm(frequency, recency, T, index=row_index)
        if litt is None:
            if require_litt:
                raise ValueError(
                    f"litt: required for k = {self.k} (the log-likelihood includes (k-1) * litt); "
                    "compute it with fastlifetimes.utils.inter_transaction_log_times")
            lt = None
        else:
            lt = check_litt(litt, x, t_x, row_index)
        w = None if weights is None else check_weights(weights, x.size, row_index)
        if index is not None and len(index) != x.size:
            raise ValueError(f"index: expected {x.size} labels (one per row), got {len(index)}")
        columns = {
            "frequency": x.astype(np.int64),
            "recency": t_x,
            "T": age,
            "weights": np.ones(x.size, dtype=np.int64) if weights is None else np.asarray(weights),
            "_weights_given": w,
        }
        if lt is not None:
            columns["litt"] = lt
        return x, t_x, age, lt, w, columns

    def fit(self, frequency, recency, T, litt=None, weights=None, initial_params=None,
            verbose=False, tol=1e-7, index=None, **kwargs):
        """Fit the model for this fitter's k by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T: array_like
            repeat purchases x, time of the last purchase t_x, and age T of each customer.
        litt: array_like
            sum of the logs of each customer's inter-purchase times (0 where frequency is
            0); required for k > 1, optional for k = 1 (where it does not enter).
        weights: array_like, optional
            how many customers share each row; default 1 each.
        initial_params: array_like, optional
            starting log-parameters on the rescaled time axis (lifetimes' convention).
        verbose, tol, index, kwargs: as BetaGeoFitter.fit.

        Returns
        -------
        self, fitted.
        """
        x, t_x, age, lt, w, columns = self._checked_inputs(frequency, recency, T, litt, weights,
                                                           index, require_litt=self.k > 1)
        init, max_evaluations = check_fit_options(self.penalizer_coef, tol, initial_params,
                                                  self._param_names, kwargs)
        result = _core.cnbdk_fit(self.k, self._modified, x, t_x, age, lt, w,
                                 float(self.penalizer_coef), init, float(tol), max_evaluations, False)
        if verbose:
            print(f"{type(self).__name__}(k={self.k}): {result['method']}, {result['evaluations']} "
                  f"evaluations, objective {result['negative_log_likelihood']:.10g}")
        self._store_fit(result, columns, index)
        return self

    def select_k(self, frequency, recency, T, litt, max_k=MAX_K, weights=None, verbose=False,
                 tol=1e-7, index=None, **kwargs):
        """Choose k by likelihood, as BTYDplus does: fit k = 1, 2, ..., max_k (stopping once
        the log-likelihood has fallen twice in a row), keep the best, and set ``self.k``.
        ``regularity_log_likelihoods_`` holds each fitted k's log-likelihood. Returns self,
        fitted at the chosen k."""
        max_k = _check_k(max_k, name="max_k")
        x, t_x, age, lt, w, columns = self._checked_inputs(frequency, recency, T, litt, weights,
                                                           index, require_litt=True)
        _, max_evaluations = check_fit_options(self.penalizer_coef, tol, None, self._param_names, kwargs)
        fits, best = _core.cnbdk_fit_regularity(self._modified, max_k, x, t_x, age, lt, w,
                                                float(self.penalizer_coef), float(tol), max_evaluations)
        lls = pd.Series([f["log_likelihood"] for f in fits], index=pd.RangeIndex(1, len(fits) + 1, name="k"),
                        name="log_likelihood")
        if verbose:
            print(lls.to_string())
        self.k = int(best)
        self._store_fit(fits[best - 1], columns, index)
        self.regularity_log_likelihoods_ = lls
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected repeat purchases in the next t periods of a customer with history
        (frequency, recency, T): P(alive) times the expectation given alive, exact for every
        k (BG/NBD's closed form at k = 1)."""
        return super().conditional_expected_number_of_purchases_up_to_time(t, frequency, recency, T)

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive | x, t_x, T) = S2 / (S2 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+kx)), with
        S2 = sum_{j<k} (r+kx)_j / j! ((T-t_x)/(alpha+T))^j (Platzer & Reutterer 2016)."""
        return super().conditional_probability_alive(frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected repeat purchases up to time t of a new customer (exact for every k)."""
        return super().expected_number_of_purchases_up_to_time(t)

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(X(t) = n) for a new customer, any k: the negative-binomial count of events in
        t makes floor(N/k) purchases, cut short by the first drop-out (see
        include/fastlifetimes/models/cnbdk.hpp); BG/NBD's and MBG/NBD's at k = 1."""
        return super().probability_of_n_purchases_up_to_time(t, n)

    def log_likelihood(self, frequency, recency, T, litt=None):
        """Per-customer log-likelihoods at the fitted parameters (with the litt term when
        litt is given)."""
        x, t_x, age, lt, _, _ = self._checked_inputs(frequency, recency, T, litt, None, None,
                                                     require_litt=False)
        return _core.cnbdk_log_likelihood(self.k, self._modified, self._params_array(), x, t_x, age, lt)

    # -- model files: the JSON document carries k as well --------------------------------
    def save_model(self, path, save_data=True, save_generate_data_method=True, values_to_save=None):
        """Save the fitted model as a versioned JSON file (with k)."""
        super().save_model(path, save_data, save_generate_data_method, values_to_save)
        with open(os.fspath(path), encoding="utf-8") as f:
            document = json.load(f)
        document["k"] = self.k
        with open(os.fspath(path), "w", encoding="utf-8") as out:
            out.write(json.dumps(document, allow_nan=True, indent=1))

    def load_model(self, path):
        """Load a model saved by ``save_model`` into this fitter, k included. A refused file
        leaves the fitter as it was."""
        k = 1
        try:
            with open(os.fspath(path), encoding="utf-8") as f:
                document = json.load(f)
            k = document.get("k", 1) if isinstance(document, dict) else 1
        except (OSError, ValueError, TypeError):
            pass  # the base class reports unreadable files
        else:
            try:
                k = _check_k(k)
            except ValueError as e:
                raise ValueError(f"{path}: not a valid fastlifetimes model file ({e})") from None
        super().load_model(path)
        self.k = k
        return self


class ModifiedBetaGeoCNBDFitter(BetaGeoCNBDFitter):
    """The MBG/CNBD-k model (Platzer & Reutterer 2016): BG/CNBD-k with one more drop-out
    chance at time 0, as MBG/NBD is to BG/NBD. k = 1 is MBG/NBD (ModifiedBetaGeoFitter).
    See BetaGeoCNBDFitter for the arguments, litt and the expectations."""

    _modified = True
    _simulator = "modified_beta_geometric_cnbd_model"
