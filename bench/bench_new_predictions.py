#!/usr/bin/env python3
"""Benchmark of the predictions lifetimes lacks (DERT, P(alive) at a future time,
parameter-uncertainty intervals) against straightforward numpy/scipy implementations
written here from the same formulas.

Prints rows ``case | fastlifetimes time | comparison time | ratio`` (one run each: the
machine is shared, so the ratios are indicative). Where the scipy version would take
minutes, it runs on a subsample and its time is scaled up linearly (said in the row).

    python bench/bench_new_predictions.py            # 1M customers, about a minute
    python bench/bench_new_predictions.py --quick    # 100k customers
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy import special, stats

import fastlifetimes as fl
from fastlifetimes.uncertainty import parameter_draws, prediction_interval

PNBD = dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)  # CDNOW, weeks
BGNBD = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)


def customers(n, seed=0):
    """CDNOW-like histories in weeks: whole-week ages 1..78, frequencies from the model."""
    rng = np.random.default_rng(seed)
    T = rng.integers(1, 79, n).astype(float)
    lam = rng.gamma(PNBD["r"], 1 / PNBD["alpha"], n)
    x = np.minimum(rng.poisson(lam * T * 0.6), 60).astype(float)
    t_x = np.where(x > 0, np.round(T * rng.uniform(0.3, 1.0, n), 2), 0.0)
    return x, t_x, T


def model(cls, params):
    m = cls()
    m.params_ = pd.Series(params)
    return m


# --- straightforward scipy versions ----------------------------------------------------
def scipy_pnbd_alive(x, t_x, T, r, alpha, s, beta):
    """Note 009 eq. 36-37 as lifetimes writes it (alpha >= beta branch)."""
    c = r + s + x
    z1, z2 = (alpha - beta) / (alpha + t_x), (alpha - beta) / (alpha + T)
    a1 = special.hyp2f1(c, s + 1, c + 1, z1) / (alpha + t_x) ** c
    a2 = special.hyp2f1(c, s + 1, c + 1, z2) / (alpha + T) ** c
    a0 = a1 - a2
    return 1 / (1 + s / c * (alpha + T) ** (r + x) * (beta + T) ** s * a0)


def scipy_pnbd_dert(x, t_x, T, delta, r, alpha, s, beta):
    """FHL (2005, JMR) eq. 2 with scipy's confluent hypergeometric U: P(alive) (r+x)/(alpha+T)
    (beta+T)^s delta^(s-1) U(s, s; delta(beta+T))."""
    b = beta + T
    return (scipy_pnbd_alive(x, t_x, T, r, alpha, s, beta) * (r + x) / (alpha + T)
            * b ** s * delta ** (s - 1) * special.hyperu(s, s, delta * b))


def scipy_bgnbd_alive(x, t_x, T, r, alpha, a, b):
    odds = np.where(x > 0, a / (b + np.maximum(x, 1) - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)
    return 1 / (1 + odds)


def scipy_bgnbd_expected(t, x, t_x, T, r, alpha, a, b):
    """FHL (2005) eq. 10."""
    z = t / (alpha + T + t)
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
                                       * special.hyp2f1(r + x, b + x, a + b + x - 1, z))
    return num * scipy_bgnbd_alive(x, t_x, T, r, alpha, a, b)


def scipy_bgnbd_future_alive(t, x, t_x, T, r, alpha, a, b):
    z = t / (alpha + T + t)
    return scipy_bgnbd_alive(x, t_x, T, r, alpha, a, b) * (1 - z) ** (r + x) * special.hyp2f1(
        r + x, b + x, a + b + x, z)


def scipy_bgnbd_dert(x, t_x, T, delta, r, alpha, a, b, nodes=64):
    """delta int e^(-delta tau) E[X(T, T+tau]] dtau by Gauss-Laguerre (tau = u / delta)."""
    u, w = special.roots_laguerre(nodes)
    return sum(wk * scipy_bgnbd_expected(uk / delta, x, t_x, T, r, alpha, a, b) for uk, wk in zip(u, w))


def scipy_interval(expected, draws, t, x, t_x, T, level=0.9):
    values = np.stack([expected(t, x, t_x, T, *d) for d in draws])
    return np.quantile(values, [(1 - level) / 2, (1 + level) / 2], axis=0)


def scipy_cnbd_future_alive(k, t, x, t_x, T, r, alpha, a, b, grid=400):
    """BG/CNBD-k P(alive at T+t): P(alive) times the phase-weighted chance of surviving the
    purchases that the negative-binomial events of (T, T+t] make, on a grid of event counts."""
    R = r + k * x
    u = (T - t_x) / (alpha + T)
    j = np.arange(k)[None, :]
    log_w = special.gammaln(R[:, None] + j) - special.gammaln(R[:, None]) - special.gammaln(j + 1) \
        + j * np.log(np.maximum(u[:, None], 1e-300))
    w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    w[:, 1:] *= (u[:, None] > 0)
    w /= w.sum(axis=1, keepdims=True)
    S2 = np.exp(special.logsumexp(log_w, axis=1))
    dropped = np.where(x > 0, a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** R, 0.0)
    alive = S2 / (S2 + dropped)
    q = t / (alpha + T + t)
    i = np.arange(grid)[None, :]
    total = np.zeros(x.size)
    for jj in range(k):
        pmf = stats.nbinom.pmf(i, (R + jj)[:, None], (1 - q)[:, None])
        M = (i + jj) // k
        survival = np.exp(special.betaln(a, (b + x)[:, None] + M) - special.betaln(a, (b + x)[:, None]))
        total += w[:, jj] * (pmf * survival).sum(axis=1)
    return alive * total


def scipy_cnbd_pmf(k, t, n, r, alpha, a, b):
    """BG/CNBD-k P(X(t) = n) of a new customer: k negative-binomial terms and a tail."""
    q = t / (alpha + t)
    exactly = sum(stats.nbinom.pmf(n * k + i, r, 1 - q) for i in range(k))
    at_least = np.where(n == 0, 1.0, special.betainc(np.maximum(n * k, 1), r, q))
    first = np.exp(special.betaln(a, b + n) - special.betaln(a, b)) * exactly
    second = np.where(n >= 1, np.exp(special.betaln(a + 1, b + n - 1) - special.betaln(a, b)), 0.0) * at_least
    return first + second


def timed(f):
    start = time.perf_counter()
    out = f()
    return time.perf_counter() - start, out


def row(case, ours, theirs, note=""):
    print(f"{case} | {ours:.3f} s | {theirs:.3f} s{note} | {theirs / ours:.1f}x")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    x, t_x, T = customers(n)
    pnbd, bg = model(fl.ParetoNBDFitter, PNBD), model(fl.BetaGeoFitter, BGNBD)
    delta = np.log(1.1) / 52
    print("case | fastlifetimes | numpy/scipy | ratio")

    ours, d1 = timed(lambda: pnbd.discounted_expected_residual_transactions(x, t_x, T, delta))
    theirs, d2 = timed(lambda: scipy_pnbd_dert(x, t_x, T, delta, **PNBD))
    assert np.allclose(d1, d2, rtol=1e-6), np.max(np.abs(d1 / d2 - 1))
    row(f"Pareto/NBD DERT, {n:,} customers", ours, theirs)

    sub = slice(0, 5_000)
    ours, d1 = timed(lambda: bg.discounted_expected_residual_transactions(x, t_x, T, delta))
    theirs, d2 = timed(lambda: scipy_bgnbd_dert(x[sub], t_x[sub], T[sub], delta, **BGNBD))
    # 64-node Gauss-Laguerre is good to ~1e-4 here (ours agrees with adaptive quad to 1e-9)
    assert np.allclose(d1[sub], d2, rtol=1e-3), np.max(np.abs(d1[sub] / d2 - 1))
    row(f"BG/NBD DERT, {n:,} customers", ours, theirs * n / 5_000, " (5k subsample, scaled)")

    ours, p1 = timed(lambda: pnbd.conditional_probability_alive_in_future(26.0, x, t_x, T))
    theirs, p2 = timed(lambda: scipy_pnbd_alive(x, t_x, T, **PNBD)
                       * (1 + 26.0 / (PNBD["beta"] + T)) ** -PNBD["s"])
    assert np.allclose(p1, p2, rtol=1e-8)
    row(f"Pareto/NBD P(alive at T+26), {n:,} customers", ours, theirs)

    ours, p1 = timed(lambda: bg.conditional_probability_alive_in_future(26.0, x, t_x, T))
    theirs, p2 = timed(lambda: scipy_bgnbd_future_alive(26.0, x, t_x, T, **BGNBD))
    assert np.allclose(p1, p2, rtol=1e-8)
    row(f"BG/NBD P(alive at T+26), {n:,} customers", ours, theirs)

    # BG/CNBD-2: future P(alive) (phase sums) and the purchase-count distribution
    cnbd = fl.BetaGeoCNBDFitter(k=2)
    cnbd.params_ = pd.Series(list(BGNBD.values()), index=list(BGNBD))
    m, sub = 100_000, slice(0, 2_000)
    ours, p1 = timed(lambda: cnbd.conditional_probability_alive_in_future(26.0, x[:m], t_x[:m], T[:m]))
    theirs, p2 = timed(lambda: scipy_cnbd_future_alive(2, 26.0, x[sub], t_x[sub], T[sub], **BGNBD))
    assert np.allclose(p1[sub], p2, rtol=1e-8), np.max(np.abs(p1[sub] / p2 - 1))
    row(f"BG/CNBD-2 P(alive at T+26), {m:,} customers", ours, theirs * m / 2_000, " (2k subsample, scaled)")

    counts = np.tile(np.arange(10.0), m // 10)
    horizons = np.repeat(np.linspace(1.0, 104.0, m // 10), 10)
    ours, f1 = timed(lambda: cnbd.probability_of_n_purchases_up_to_time(horizons, counts))
    theirs, f2 = timed(lambda: scipy_cnbd_pmf(2, horizons, counts, **BGNBD))
    assert np.allclose(f1, f2, rtol=1e-8, atol=1e-15), np.max(np.abs(f1 - f2))
    row(f"BG/CNBD-2 P(X(t) = n), {m:,} (t, n) pairs", ours, theirs)

    # intervals: 200 draws x 100k customers of E[X(T, T+26]]
    m = 100_000
    bg.__dict__["variance_matrix_"] = pd.DataFrame(
        np.diag((0.05 * bg._params_array()) ** 2), index=list(BGNBD), columns=list(BGNBD))
    ours, iv = timed(lambda: prediction_interval(bg, "expected_purchases", x[:m], t_x[:m], T[:m], t=26.0,
                                                 n_draws=200, seed=1))
    draws = parameter_draws(bg, 200, seed=1)
    k = 20
    theirs, q = timed(lambda: scipy_interval(scipy_bgnbd_expected, draws[:k], 26.0, x[:m], t_x[:m], T[:m]))
    row(f"BG/NBD 90% interval of E[X(26)], 200 draws x {m:,} customers", ours, theirs * 200 / k,
        f" ({k} draws, scaled)")


if __name__ == "__main__":
    main()
