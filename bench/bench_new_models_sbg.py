#!/usr/bin/env python3
"""Benchmark rows for the sBG and GGompertz/NBD models (issue 8).

Each case times fastlifetimes against a straightforward scipy/numpy implementation written
here (no peer package ships these models for Python with the same surface):

* ``sbg_fit_cohort``: ShiftedBetaGeometricFitter on the High End cohort of Fader & Hardie
  (2007), Table 1 (years 0-7), against scipy.optimize.minimize (L-BFGS-B, numerical
  gradient) on the same log-likelihood with scipy.special.betaln;
* ``sbg_fit_rows``: the same on 1M per-customer (duration, alive) rows (compressed by the
  core; the scipy version first counts them with numpy.unique);
* ``ggnbd_ll_cdnow``: GGompertz/NBD total log-likelihood on the CDNOW sample (2,357
  customers) against scipy.integrate.quad per customer;
* ``ggnbd_fit_cdnow``: the fit on CDNOW (fastlifetimes only: the scipy version would take
  minutes).

Prints ``case | fastlifetimes time | comparison time | ratio`` (median of a few runs;
the machine is shared, so ratios are noisy).

    python bench/bench_new_models_sbg.py
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy import integrate, optimize, special

import fastlifetimes as fl
import fastlifetimes.datasets

HIGH_END = np.array([100.0, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1]) * 10


def timed(f, repeats=3):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def scipy_sbg_fit(duration, alive, weights):
    def nll(x):
        a, b = np.exp(x)
        ll = np.where(alive > 0, special.betaln(a, b + duration), special.betaln(a + 1, b + duration - 1))
        return -(np.sum(weights * ll) - weights.sum() * special.betaln(a, b)) / weights.sum()
    return np.exp(optimize.minimize(nll, np.zeros(2), method="L-BFGS-B").x)


def scipy_sbg_rows(duration, alive):
    keys, counts = np.unique(np.stack([duration, alive]), axis=1, return_counts=True)
    return scipy_sbg_fit(keys[0], keys[1], counts.astype(float))


def scipy_ggnbd_ll(p, x, t_x, T):
    r, alpha, b, s, beta = p
    total = 0.0
    for xi, ti, Ti in zip(x, t_x, T):
        def g(tau, k):
            e = np.expm1(b * tau)
            return s * b * np.exp(b * tau) * beta**s / (beta + e) ** (s + 1) / (alpha + tau) ** (r + k)
        surv = (beta / (beta + np.expm1(b * Ti))) ** s / (alpha + Ti) ** (r + xi)
        integral = integrate.quad(g, ti, Ti, args=(xi,))[0] if Ti > ti else 0.0
        total += (special.gammaln(r + xi) - special.gammaln(r) + r * np.log(alpha)
                  + np.log(surv + integral))
    return total


def main():
    rows = []
    # sBG on the cohort
    d, a, w = fl.ShiftedBetaGeometricFitter.survivors_to_rows(HIGH_END)
    t_fast, f = timed(lambda: fl.ShiftedBetaGeometricFitter().fit(survivors=HIGH_END), 10)
    t_ref, ref = timed(lambda: scipy_sbg_fit(d, a, w), 10)
    assert np.allclose(f.params_.to_numpy(), ref, rtol=1e-3), (f.params_, ref)
    rows.append(("sbg_fit_cohort (8 counts)", t_fast, t_ref))
    # sBG on one million customers
    rng = np.random.default_rng(1)
    theta = rng.beta(0.668, 3.806, 1_000_000)
    churn = rng.geometric(theta)
    duration = np.minimum(churn, 12).astype(float)
    alive = (churn > 12).astype(float)
    t_fast, f = timed(lambda: fl.ShiftedBetaGeometricFitter().fit(duration, alive))
    t_ref, ref = timed(lambda: scipy_sbg_rows(duration, alive))
    assert np.allclose(f.params_.to_numpy(), ref, rtol=1e-3), (f.params_, ref)
    rows.append(("sbg_fit_rows (1M customers)", t_fast, t_ref))

    if hasattr(fl, "GGompertzNBDFitter"):
        cdnow = fl.datasets.load_cdnow_summary()
        x, t_x, T = (cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T"))
        p = np.array([0.55313, 10.5758, 0.0000011, 0.60682, 0.000013])
        g = fl.GGompertzNBDFitter()
        g.params_ = __import__("pandas").Series(p, index=list(g._param_names))
        t_fast, ll = timed(lambda: g.log_likelihood(x, t_x, T).sum())
        t_ref, ll_ref = timed(lambda: scipy_ggnbd_ll(p, x, t_x, T), 1)
        assert abs(ll - ll_ref) < 1e-3, (ll, ll_ref)
        rows.append(("ggnbd_ll_cdnow (2,357 customers)", t_fast, t_ref))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_fast, _ = timed(lambda: fl.GGompertzNBDFitter().fit(x, t_x, T), 1)
        rows.append(("ggnbd_fit_cdnow (fit + boundary check)", t_fast, float("nan")))

    print("case | fastlifetimes time | comparison time | ratio")
    for name, fast, ref in rows:
        if np.isnan(ref):
            print(f"{name} | {fast * 1e3:.2f} ms | - | -")
        else:
            print(f"{name} | {fast * 1e3:.2f} ms | {ref * 1e3:.2f} ms | {ref / fast:.1f}x")


if __name__ == "__main__":
    main()
