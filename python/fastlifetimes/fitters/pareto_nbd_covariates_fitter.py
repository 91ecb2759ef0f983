"""Pareto/NBD with time-invariant covariates, parametrised as CLVTools' ``pnbd()`` with
static covariates (Fader & Hardie (2007), "Incorporating Time-Invariant Covariates into
the Pareto/NBD and BG/NBD Models", brucehardie.com note 019):

    alpha_i = alpha * exp(-gamma_trans . z_trans_i),  beta_i = beta * exp(-gamma_life . z_life_i),

r and s shared. A positive purchase coefficient means more purchases (a smaller scale of
the purchase rate's gamma distribution); a positive dropout coefficient a faster dropout.
"""

from __future__ import annotations

import json
import numbers
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .. import _core
from .._validation import check_rfm, check_weights, index_of
from ..utils import ConvergenceError

__all__ = ["ParetoNBDCovariatesFitter"]  # the shared base is used by beta_geo_covariates_fitter

_FORMAT = "fastlifetimes-covariates-model"
_FORMAT_VERSION = 1


def _covariate_frame(name, value, n, index):
    """Covariates as (column names, n x p float matrix); None means no covariates."""
    if value is None:
        return [], np.zeros((n, 0))
    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, pd.DataFrame):
        columns = [str(c) for c in value.columns]
        try:
            matrix = value.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: covariates must be numeric (encode categories as dummies)") from None
    else:
        matrix = np.asarray(value, dtype=float)
        if matrix.ndim == 1:
            matrix = matrix[:, None]
        columns = [f"z{k}" for k in range(matrix.shape[1])] if matrix.ndim == 2 else []
    if matrix.ndim != 2 or matrix.shape[0] != n:
        raise ValueError(f"{name}: expected one row per customer ({n}), got shape {matrix.shape}")
    bad = ~np.isfinite(matrix).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)[:5]
        labels = list(index[rows]) if index is not None else list(rows)
        raise ValueError(f"{name}: NaN or infinite covariates in rows {labels}")
    if len(set(columns)) != len(columns):
        raise ValueError(f"{name}: duplicate column names {columns}")
    return columns, np.ascontiguousarray(matrix)


def _non_negative(name, value):
    if (not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_))
            or not np.isfinite(value) or value < 0):
        raise ValueError(f"{name}: must be a non-negative number, got {value!r}")
    return float(value)


class _CovariatesFitter:
    """What the covariate models share: fit, uncertainty, predictions, files. Subclasses
    name the core fit, the four model parameters, how the dropout score moves them, and
    the plain model's prediction functions."""

    _core_fit: Callable[..., dict[str, Any]] | None = None
    _base_names: tuple = ()
    _trans_column = 1            # alpha: scaled by exp(-gamma_trans . z)
    _life_columns: tuple = ()    # scaled by exp(_life_sign * gamma_life . z)
    _life_sign = -1.0
    _plain_alive: Callable[..., np.ndarray] | None = None
    _plain_expected: Callable[..., np.ndarray] | None = None
    _plain_alive_in_future: Callable[..., np.ndarray] | None = None
    _plain_dert: Callable[..., np.ndarray] | None = None
    _time_params: tuple = ()  # which of the four are times (rescaled while fitting)

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef

    def __repr__(self):
        name = type(self).__name__
        if not hasattr(self, "params_"):
            return f"<fastlifetimes.{name}>"
        params = ", ".join(f"{k}: {v:.2f}" for k, v in self.params_.items())
        return f"<fastlifetimes.{name}: {params}>"

    def _penalizers(self):
        p = self.penalizer_coef
        if isinstance(p, (tuple, list)) and len(p) == 2:
            return _non_negative("penalizer_coef", p[0]), _non_negative("penalizer_coef", p[1])
        v = _non_negative("penalizer_coef", p)
        return v, v

    def fit(self, frequency, recency, T, purchase_covariates=None, dropout_covariates=None,
            weights=None, initial_params=None, verbose=False, tol=1e-7, maxiter=20000):
        """Fit all parameters jointly by maximum likelihood (note 019, with note 009's
        per-customer likelihood at alpha_i, beta_i).

        Parameters
        ----------
        frequency, recency, T: array_like
            repeat purchases x, time of the last purchase t_x, and age T of each customer.
        purchase_covariates, dropout_covariates: DataFrame or 2-d array, optional
            one row per customer, numeric columns (dummy-code categories); they may hold
            different columns. Dropping one gives the plain Pareto/NBD for that process.
        weights: array_like, optional
            how many customers share each row; default 1 each.
        initial_params: array_like, optional
            starting values in the order of ``params_`` (r, alpha, s, beta positive;
            coefficients free). Default: the plain Pareto/NBD fit with all coefficients 0.
        tol: float
            gradient size accepted as converged.
        maxiter: int
            cap on likelihood evaluations.

        Returns
        -------
        ParetoNBDCovariatesFitter, fitted.
        """
        row_index = index_of(frequency, recency, T)
        x, t_x, age = check_rfm(frequency, recency, T, index=row_index)
        n = x.size
        w = None if weights is None else check_weights(weights, n, row_index)
        index = None if row_index is None else np.asarray(row_index)
        trans_names, z_trans = _covariate_frame("purchase_covariates", purchase_covariates, n, index)
        life_names, z_life = _covariate_frame("dropout_covariates", dropout_covariates, n, index)
        lambda_trans, lambda_life = self._penalizers()
        if not (isinstance(tol, numbers.Real) and np.isfinite(tol) and tol > 0):
            raise ValueError(f"tol: must be a positive number, got {tol!r}")
        names = list(self._base_names) + [f"trans.{c}" for c in trans_names] + \
            [f"life.{c}" for c in life_names]
        init = None
        if initial_params is not None:
            init = np.asarray(initial_params, dtype=float).ravel()
            if init.size != len(names) or not np.isfinite(init).all() or (init[:4] <= 0).any():
                raise ValueError(f"initial_params: expected {len(names)} finite values {names} "
                                 f"with r, alpha, s, beta positive, got {initial_params!r}")
            scale = 1.0 / age.max()
            init = init.copy()
            init[1] *= scale
            init[3] *= scale
            init[:4] = np.log(init[:4])
        try:
            result = type(self)._core_fit(x, t_x, age, w, z_trans, z_life, lambda_trans,
                                                     lambda_life, init, float(tol), int(maxiter), True)
        except ValueError as e:  # std::domain_error from the core: bad input rows
            raise ValueError(str(e)) from None
        if verbose:
            print(f"{type(self).__name__}: {result['method']}, {result['evaluations']} evaluations, "
                  f"objective {result['objective']:.10g}")
        if not result["converged"]:
            raise ConvergenceError(result["message"])
        self.params_ = pd.Series(result["params"], index=names)
        self.log_likelihood_ = float(result["log_likelihood"])
        self._objective = float(result["objective"])
        self._variance = np.asarray(result["variance"])
        self._hessian_ = np.asarray(result["hessian"])
        self._scale = float(result["time_scale"])
        self._total_weight = float(result["total_weight"])
        self.purchase_covariate_names = trans_names
        self.dropout_covariate_names = life_names
        self.data = pd.DataFrame({"frequency": x, "recency": t_x, "T": age}, index=row_index)
        return self

    # -- uncertainty -----------------------------------------------------------------------
    @property
    def variance_matrix_(self) -> pd.DataFrame:
        """Delta-method variance: the inverse Hessian of the penalised mean objective over
        the optimiser's coordinates (log r, log alpha, log s, log beta, coefficients),
        divided by the total weight and mapped to ``params_``."""
        names = list(self.params_.index)
        return pd.DataFrame(self._variance, index=names, columns=names)

    @property
    def standard_errors_(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self._variance)), index=self.params_.index)

    @property
    def confidence_intervals_(self) -> pd.DataFrame:
        se = self.standard_errors_
        return pd.DataFrame({"lower 95% bound": self.params_ - 1.96 * se,
                             "upper 95% bound": self.params_ + 1.96 * se})

    @property
    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors and 95% confidence bounds."""
        df = pd.DataFrame({"coef": self.params_, "se(coef)": self.standard_errors_})
        return df.join(self.confidence_intervals_)

    # -- predictions ---------------------------------------------------------------------
    def _customer_params(self, n, purchase_covariates, dropout_covariates):
        """Each customer's four model parameters, as an n x 4 matrix."""
        if not hasattr(self, "params_"):
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        p = self.params_.to_numpy()
        k_t = len(self.purchase_covariate_names)
        out = np.empty((n, 4))
        out[:] = p[:4]
        for name, value, cols, coef, columns, sign in (
                ("purchase_covariates", purchase_covariates, self.purchase_covariate_names, p[4:4 + k_t],
                 (self._trans_column,), -1.0),
                ("dropout_covariates", dropout_covariates, self.dropout_covariate_names, p[4 + k_t:],
                 self._life_columns, self._life_sign)):
            if not cols:
                continue
            if value is None:
                raise ValueError(f"{name}: the model was fitted with covariates {cols}; give them")
            if isinstance(value, pd.DataFrame):
                missing = [c for c in cols if c not in value.columns.astype(str)]
                if missing:
                    raise ValueError(f"{name}: missing columns {missing}")
                value = value.set_axis(value.columns.astype(str), axis=1)[cols]
            _, z = _covariate_frame(name, value, n, None)
            if z.shape[1] != len(cols):
                raise ValueError(f"{name}: expected {len(cols)} columns {cols}, got {z.shape[1]}")
            for j in columns:
                out[:, j] *= np.exp(sign * (z @ coef))
        return out

    def _by_customer(self, function, columns, purchase_covariates, dropout_covariates, wrap_like):
        """Call a plain model's prediction once per distinct parameter row."""
        arrays = [np.atleast_1d(np.asarray(c, dtype=float)) for c in columns]
        n = max(a.size for a in arrays)
        arrays = [np.broadcast_to(a, (n,)).astype(float) for a in arrays]
        params = self._customer_params(n, purchase_covariates, dropout_covariates)
        keys, inverse = np.unique(params, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        out = np.empty(n)
        for g in range(keys.shape[0]):
            rows = np.flatnonzero(inverse == g)
            try:
                out[rows] = function(params[rows[0]], *(a[rows] for a in arrays))
            except ValueError as e:
                raise ValueError(str(e)) from None
        if isinstance(wrap_like, pd.Series):
            return pd.Series(out, index=wrap_like.index)
        return out

    def conditional_probability_alive(self, frequency, recency, T, purchase_covariates=None,
                                      dropout_covariates=None):
        """P(alive | frequency, recency, T) of customers with these covariates: the plain
        model's at each customer's own parameters."""
        check_rfm(frequency, recency, T, fitting=False)
        return self._by_customer(type(self)._plain_alive,
                                 (frequency, recency, T), purchase_covariates, dropout_covariates,
                                 frequency)

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T,
                                                            purchase_covariates=None,
                                                            dropout_covariates=None):
        """Expected repeat purchases in the next t periods: the plain model's at each
        customer's own parameters."""
        check_rfm(frequency, recency, T, fitting=False)
        return self._by_customer(
            type(self)._plain_expected,
            (t, frequency, recency, T), purchase_covariates, dropout_covariates, frequency)

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive_in_future(self, t, frequency, recency, T, purchase_covariates=None,
                                                dropout_covariates=None):
        """P(alive at T + t | history) of customers with these covariates: the plain
        model's (see ``ParetoNBDFitter.conditional_probability_alive_in_future``) at each
        customer's own parameters. Equals ``conditional_probability_alive`` at t = 0."""
        from .._arrays import Inputs
        from .beta_geo_fitter import _check_prediction_inputs

        check_rfm(frequency, recency, T, fitting=False)
        _check_prediction_inputs(Inputs([("t", t)]), with_t=True, history=False)
        return self._by_customer(type(self)._plain_alive_in_future,
                                 (t, frequency, recency, T), purchase_covariates, dropout_covariates,
                                 frequency)

    def discounted_expected_residual_transactions(self, frequency, recency, T, discount_rate,
                                                  purchase_covariates=None, dropout_covariates=None):
        """DERT of customers with these covariates: the plain model's (see
        ``ParetoNBDFitter.discounted_expected_residual_transactions``; continuous
        discounting at ``discount_rate`` per unit of time) at each customer's own parameters."""
        from ._future import check_discount_rate

        check_rfm(frequency, recency, T, fitting=False)
        delta = check_discount_rate(discount_rate)
        plain = type(self)._plain_dert
        return self._by_customer(lambda params, x, t_x, age: plain(params, delta, x, t_x, age),
                                 (frequency, recency, T), purchase_covariates, dropout_covariates,
                                 frequency)

    # -- model files ---------------------------------------------------------------------
    def save_model(self, path, save_data=True):
        """Save the fitted model as a versioned JSON file."""
        if not hasattr(self, "params_"):
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        document = {
            "format": _FORMAT,
            "format_version": _FORMAT_VERSION,
            "library_version": _core.__version__,
            "model": type(self).__name__,
            "params": {k: float(v) for k, v in self.params_.items()},
            "param_order": list(self.params_.index),
            "purchase_covariates": list(self.purchase_covariate_names),
            "dropout_covariates": list(self.dropout_covariate_names),
            "penalizer_coef": list(self._penalizers()),
            "log_likelihood": self.log_likelihood_,
            "variance_matrix": self._variance.tolist(),
            "hessian": self._hessian_.tolist(),
            "data": (self.data.reset_index(drop=True).to_dict(orient="list")
                     if save_data and self.data is not None else None),
        }
        with open(os.fspath(path), "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1)

    def load_model(self, path):
        """Load a model saved by ``save_model`` into this fitter."""
        try:
            with open(os.fspath(path), encoding="utf-8") as f:
                doc = json.load(f)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ValueError(f"{path}: not a fastlifetimes model file ({e})") from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT or doc.get("model") != type(self).__name__:
            raise ValueError(f"{path}: not a {type(self).__name__} file")
        if not isinstance(doc.get("format_version"), int) or doc["format_version"] > _FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported format_version {doc.get('format_version')!r}")
        try:
            names = [str(n) for n in doc["param_order"]]
            values = np.array([float(doc["params"][n]) for n in names])
            trans, life = list(doc["purchase_covariates"]), list(doc["dropout_covariates"])
            variance = np.asarray(doc["variance_matrix"], dtype=float)
            hessian = np.asarray(doc["hessian"], dtype=float)
            penalizer = [float(v) for v in doc["penalizer_coef"]]
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"{path}: invalid model file ({e!r})") from None
        k = len(names)
        if (len(names) != 4 + len(trans) + len(life) or variance.shape != (k, k) or hessian.shape != (k, k)
                or not np.isfinite(values).all() or (values[:4] <= 0).any()):
            raise ValueError(f"{path}: invalid model file (inconsistent parameters)")
        self.params_ = pd.Series(values, index=names)
        self.purchase_covariate_names, self.dropout_covariate_names = trans, life
        self._variance, self._hessian_ = variance, hessian
        self.penalizer_coef = tuple(penalizer)
        self.log_likelihood_ = doc.get("log_likelihood")
        data = doc.get("data")
        self.data = pd.DataFrame(data) if data is not None else None
        return self


class ParetoNBDCovariatesFitter(_CovariatesFitter):
    """The Pareto/NBD model with static covariates on the purchase and dropout processes:
    alpha_i = alpha exp(-gamma_trans . z_trans_i), beta_i = beta exp(-gamma_life . z_life_i)
    (CLVTools' ``pnbd()`` with static covariates).

    Parameters
    ----------
    penalizer_coef: float or (float, float)
        L2 penalty on the covariate coefficients as CLVTools' ``reg.lambdas``: the fit
        minimises the mean negative log-likelihood per customer plus
        lambda_trans * sum(gamma_trans^2) + lambda_life * sum(gamma_life^2). One number
        applies to both processes; a pair gives (purchase, dropout). r, alpha, s, beta
        are not penalised.

    Attributes
    ----------
    params_: Series: r, alpha, s, beta, then ``trans.<column>`` for each purchase
        covariate and ``life.<column>`` for each dropout covariate (CLVTools' names)
    log_likelihood_: the maximised (unpenalised) log-likelihood in the data's time unit
    variance_matrix_, standard_errors_, confidence_intervals_, summary
    """

    _core_fit = staticmethod(_core.pareto_nbd_covariates_fit)
    _base_names = ("r", "alpha", "s", "beta")
    _time_params = (1, 3)
    _life_columns = (3,)
    _life_sign = -1.0
    _plain_alive = staticmethod(_core.pareto_nbd_conditional_probability_alive)
    _plain_expected = staticmethod(_core.pareto_nbd_conditional_expected_number_of_purchases_up_to_time)
    _plain_alive_in_future = staticmethod(_core.pareto_nbd_conditional_probability_alive_in_future)
    _plain_dert = staticmethod(_core.pareto_nbd_discounted_expected_residual_transactions)
