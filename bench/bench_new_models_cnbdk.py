#!/usr/bin/env python3
"""Benchmark: NBD, BG/CNBD-k and MBG/CNBD-k fits (fastlifetimes) against a straightforward
scipy implementation written here (numpy log-likelihood over every customer, L-BFGS-B on
log-parameters with finite-difference gradients, as BTYDplus fits with R's optim).

Prints rows ``case | fastlifetimes time | comparison time | ratio`` (one run each; the
machine is shared, so read the ratios as rough). Uses the grocery data of the BTYDplus
vignette when ../shared/data is present, and a synthetic set of 1M customers.

    python bench/bench_new_models_cnbdk.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln

from fastlifetimes import BetaGeoCNBDFitter, ModifiedBetaGeoCNBDFitter, NBDFitter
from fastlifetimes.utils import calibration_and_holdout_data, inter_transaction_log_times

HERE = os.path.dirname(os.path.abspath(__file__))
GROCERY = os.path.join(HERE, "..", "..", "shared", "data", "btydplus", "groceryElog.csv")


def cnbdk_ll(params, k, s, x, t_x, T, litt):
    """The (M)BG/CNBD-k log-likelihood per customer, vectorised over customers."""
    r, alpha, a, b = params
    R = r + k * x
    ll = ((k - 1) * litt - x * gammaln(k) + betaln(a, b + x + s) - betaln(a, b) + gammaln(R)
          - gammaln(r) + r * np.log(alpha) - R * np.log(alpha + T))
    u = (T - t_x) / (alpha + T)
    S2, term = np.ones_like(x), np.ones_like(x)
    for j in range(1, k):
        term = term * (R + j - 1) * u / j
        S2 = S2 + term
    with np.errstate(divide="ignore"):
        dropped = a / (b + x - 1 + s) * np.exp(R * (np.log(alpha + T) - np.log(alpha + t_x)))
        S1 = np.where((x > 0) | (s == 1), dropped, 0.0)
    return ll + np.log(S1 + S2)


def nbd_ll(params, x, T):
    r, alpha = params
    return gammaln(r + x) - gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + T)


def scipy_fit(f, n_params):
    def objective(lp):
        with np.errstate(all="ignore"):
            value = -f(np.exp(lp)).sum()
        return value if np.isfinite(value) else 1e300

    res = minimize(objective, np.zeros(n_params), method="L-BFGS-B")
    return np.exp(res.x), -res.fun


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def row(case, ours, theirs):
    print(f"{case:<44} | {ours:9.3f} s | {theirs:9.3f} s | {theirs / ours:6.1f}x")


def synthetic(n, seed=1):
    """Valid (x, t_x, T, litt) rows of the grocery's shape (times in whole days / 7)."""
    rng = np.random.default_rng(seed)
    T = rng.integers(7, 365, n) / 7.0
    x = rng.negative_binomial(0.5, 0.5 / (0.5 + T / 8.0)).astype(float)
    t_x = np.where(x > 0, np.ceil(rng.uniform(0.2, 1.0, n) * T * 7) / 7.0, 0.0)
    x = np.minimum(x, np.round(t_x * 7))  # at most one purchase per day
    t_x = np.where(x > 0, t_x, 0.0)
    litt = np.where(x > 0, x * np.log(np.maximum(t_x, 1e-9) / np.maximum(x, 1)) - 0.3 * x, 0.0)
    return x, t_x, T, litt


def main():
    print(f"{'case':<44} | fastlifetimes | scipy (here) | ratio")
    if os.path.exists(GROCERY):
        elog = pd.read_csv(GROCERY)
        cbs = calibration_and_holdout_data(elog, "cust", "date", "2006-12-31", "2007-12-30",
                                           freq="D", freq_multiplier=7)
        litt = inter_transaction_log_times(elog, "cust", "date", "2006-12-31", freq="D",
                                           freq_multiplier=7).reindex(cbs.index).to_numpy()
        x, t_x, T = (cbs[c].to_numpy(float) for c in ("frequency_cal", "recency_cal", "T_cal"))
        ours, _ = timed(lambda: NBDFitter().fit(x, t_x, T))
        theirs, _ = timed(lambda: scipy_fit(lambda p: nbd_ll(p, x, T), 2))
        row("NBD fit, grocery (1,525)", ours, theirs)
        for cls, s, name in ((BetaGeoCNBDFitter, 0, "BG/CNBD-2"), (ModifiedBetaGeoCNBDFitter, 1, "MBG/CNBD-2")):
            ours, m = timed(lambda cls=cls: cls(k=2).fit(x, t_x, T, litt=litt))
            theirs, (_, ll) = timed(
                lambda s=s: scipy_fit(lambda q: cnbdk_ll(q, 2, s, x, t_x, T, litt), 4))
            row(f"{name} fit, grocery (1,525)", ours, theirs)
            print(f"    LL fastlifetimes {m.log_likelihood_:.3f}, scipy {ll:.3f}")
        ours, _ = timed(lambda: ModifiedBetaGeoCNBDFitter().select_k(x, t_x, T, litt, max_k=12))
        print(f"{'MBG/CNBD-k select_k (k = 1..)  grocery':<44} | {ours:9.3f} s |")
        m = ModifiedBetaGeoCNBDFitter(k=2).fit(x, t_x, T, litt=litt)
        ours, _ = timed(lambda: m.predict(52.0, x, t_x, T))
        print(f"{'MBG/CNBD-2 CE (exact), grocery':<44} | {ours:9.3f} s |")
    else:
        print("(grocery rows skipped: ../shared/data is absent)")

    n = 1_000_000
    x, t_x, T, litt = synthetic(n)
    ours, m = timed(lambda: BetaGeoCNBDFitter(k=2).fit(x, t_x, T, litt=litt))
    evals = m._fit_evaluations
    theirs_one, _ = timed(lambda: cnbdk_ll(np.array(m.params_), 2, 0, x, t_x, T, litt).sum())
    # the scipy fit needs ~5 evaluations (value + 4 finite differences) per gradient; it is
    # estimated from one timed evaluation rather than run (tens of seconds)
    theirs = theirs_one * 5 * evals
    row(f"BG/CNBD-2 fit, synthetic 1M ({evals} evals)", ours, theirs)
    print("    (scipy time = one numpy evaluation x 5 x the same number of evaluations)")
    sub = slice(0, 100_000)
    ours, _ = timed(lambda: BetaGeoCNBDFitter(k=2).fit(x[sub], t_x[sub], T[sub], litt=litt[sub]))
    theirs, _ = timed(lambda: scipy_fit(lambda p: cnbdk_ll(p, 2, 0, x[sub], t_x[sub], T[sub], litt[sub]), 4))
    row("BG/CNBD-2 fit, synthetic 100k (full scipy fit)", ours, theirs)
    ours, _ = timed(lambda: m.predict(52.0, x[:100_000], t_x[:100_000], T[:100_000]))
    print(f"{'BG/CNBD-2 CE (exact), synthetic 100k':<44} | {ours:9.3f} s |")


if __name__ == "__main__":
    main()
