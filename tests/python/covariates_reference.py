"""Straightforward scipy likelihoods with per-customer parameters: Pareto/NBD (note 009,
eqs. 18-22 as written, with scipy's hyp2f1) and BG/NBD (FHL 2005, eq. 6), used to check the compiled covariate models
independently (CLVTools' printed static-covariate estimates were not available)."""

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1


def log_likelihood(r, alpha, s, beta, x, t_x, T):
    """Per-customer log-likelihood; alpha and beta may be arrays (one per customer)."""
    alpha, beta = np.broadcast_to(alpha, x.shape), np.broadcast_to(beta, x.shape)
    rsx = r + s + x
    big = np.maximum(alpha, beta)
    second = np.where(alpha >= beta, s + 1.0, r + x)
    diff = np.abs(alpha - beta)

    def term(tau):
        return hyp2f1(rsx, second, rsx + 1.0, diff / (big + tau)) / (big + tau) ** rsx

    a0 = term(t_x) - term(T)
    first = 1.0 / ((alpha + T) ** (r + x) * (beta + T) ** s)
    return (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
            + np.log(first + s / rsx * a0))


def negative_mean_ll(theta, x, t_x, T, z_trans, z_life, lambda_trans=0.0, lambda_life=0.0):
    r, alpha, s, beta = np.exp(theta[:4])
    pt = z_trans.shape[1]
    g_t, g_l = theta[4:4 + pt], theta[4 + pt:]
    ll = log_likelihood(r, alpha * np.exp(-z_trans @ g_t), s, beta * np.exp(-z_life @ g_l), x, t_x, T)
    return -ll.mean() + lambda_trans * g_t @ g_t + lambda_life * g_l @ g_l


def fit(x, t_x, T, z_trans, z_life, start, lambda_trans=0.0, lambda_life=0.0):
    """theta = (log r, log alpha, log s, log beta, gamma_trans, gamma_life) at the minimum."""
    res = minimize(negative_mean_ll, start, args=(x, t_x, T, z_trans, z_life, lambda_trans, lambda_life),
                   method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
    return res.x, -res.fun * x.size


def bgnbd_log_likelihood(r, alpha, a, b, x, t_x, T):
    """BG/NBD per-customer log-likelihood (Fader, Hardie & Lee 2005, eq. 6); alpha, a, b may
    be arrays (one per customer)."""
    from scipy.special import betaln

    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    alive = betaln(a, b + x) - (r + x) * np.log(alpha + T)
    dropped = np.where(x > 0, betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
                       -np.inf)
    return common + np.logaddexp(alive, dropped)


def bgnbd_negative_mean_ll(theta, x, t_x, T, z_trans, z_life, lambda_trans=0.0, lambda_life=0.0):
    r, alpha, a, b = np.exp(theta[:4])
    pt = z_trans.shape[1]
    g_t, g_l = theta[4:4 + pt], theta[4 + pt:]
    up = np.exp(z_life @ g_l)
    ll = bgnbd_log_likelihood(r, alpha * np.exp(-z_trans @ g_t), a * up, b * up, x, t_x, T)
    return -ll.mean() + lambda_trans * g_t @ g_t + lambda_life * g_l @ g_l


def bgnbd_fit(x, t_x, T, z_trans, z_life, start, lambda_trans=0.0, lambda_life=0.0):
    """theta = (log r, log alpha, log a, log b, gamma_trans, gamma_life) at the minimum."""
    res = minimize(bgnbd_negative_mean_ll, start,
                   args=(x, t_x, T, z_trans, z_life, lambda_trans, lambda_life),
                   method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
    return res.x, -res.fun * x.size
