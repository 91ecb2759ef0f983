#!/usr/bin/env python3
"""Fit time of the Pareto/NBD and BG/NBD with static covariates (ParetoNBDCovariatesFitter,
BetaGeoCovariatesFitter) next to straightforward scipy implementations
(tests/python/covariates_reference.py: note 009 with scipy's hyp2f1, FHL 2005 eq. 6; BFGS
with numerical gradients), on CLVTools' apparel data (skipped where ../shared/data is
absent) and on 100k simulated customers with two binary covariates on each process. One
run each; prints `case | fastlifetimes time | comparison time | ratio` rows. The scipy
Pareto/NBD fit on 100k customers takes about a minute and a half.

    python bench/bench_new_models_covariates.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

import covariates_reference as ref  # noqa: E402
from fastlifetimes import BetaGeoCovariatesFitter, ParetoNBDCovariatesFitter  # noqa: E402


def _apparel():
    for root in (ROOT.parent / "shared" / "data", Path("/work/shared/data")):
        if (root / "clvtools" / "apparelTrans.csv").exists():
            break
    else:
        return None
    tr = pd.read_csv(root / "clvtools" / "apparelTrans.csv", parse_dates=["Date"]).drop_duplicates(["Id", "Date"])
    cov = pd.read_csv(root / "clvtools" / "apparelStaticCov.csv").set_index("Id")
    first = tr.groupby("Id").Date.min()
    end = first.min() + pd.Timedelta(weeks=104)
    dates = tr[tr.Date <= end].groupby("Id").Date
    x = (dates.nunique() - 1).to_numpy(float)
    t_x = ((dates.max() - first) / pd.Timedelta(weeks=1)).to_numpy()
    T = ((end - first) / pd.Timedelta(weeks=1)).to_numpy()
    z = cov.loc[first.index, ["Gender", "Channel"]].to_numpy(float)
    return x, t_x, T, z, z


def _simulated(n, seed=1):
    rng = np.random.default_rng(seed)
    z_t = rng.integers(0, 2, (n, 2)).astype(float)
    z_l = rng.integers(0, 2, (n, 2)).astype(float)
    lam = rng.gamma(0.8, 1.0 / (5.0 * np.exp(-z_t @ [0.5, -0.3])))
    mu = rng.gamma(0.7, 1.0 / (10.0 * np.exp(-z_l @ [0.6, 0.2])))
    T = rng.uniform(20.0, 52.0, n).round()
    life = np.minimum(rng.exponential(1.0 / mu), T)
    x = rng.poisson(lam * life).astype(float)
    t_x = np.where(x > 0, life * rng.beta(np.maximum(x, 1), 1), 0.0)
    return x, t_x, T, z_t, z_l


def _row(case, data, bgnbd=False):
    x, t_x, T, z_t, z_l = data
    t0 = time.perf_counter()
    f = (BetaGeoCovariatesFitter() if bgnbd else ParetoNBDCovariatesFitter()).fit(x, t_x, T, z_t, z_l)
    ours = time.perf_counter() - t0
    scale = T.max()
    gammas = np.zeros(z_t.shape[1] + z_l.shape[1])
    t0 = time.perf_counter()
    if bgnbd:
        _, ll = ref.bgnbd_fit(x, t_x, T, z_t, z_l, np.r_[0.0, np.log(scale), 0.0, 0.0, gammas])
    else:
        _, ll = ref.fit(x, t_x, T, z_t, z_l, np.r_[0.0, np.log(scale), 0.0, np.log(scale), gammas])
    theirs = time.perf_counter() - t0
    print(f"{case} | {ours:.3f} s | {theirs:.3f} s | {theirs / ours:.0f}x "
          f"(LL {f.log_likelihood_:.4f} vs {ll:.4f})")


def main():
    print("case | fastlifetimes time | comparison time (scipy) | ratio")
    data = _apparel()
    if data is not None:
        _row("Pareto/NBD + static covariates, apparel (600 customers, 2+2 covariates)", data)
        x, t_x, T, z_t, z_l = data
        _row("BG/NBD + static covariates, apparel (600 customers, 2+1 covariates)",
             (x, t_x, T, z_t, z_l[:, :1]), bgnbd=True)
    sim = _simulated(100_000)
    _row("BG/NBD + static covariates, 100k simulated (2+2 binary covariates)", sim, bgnbd=True)
    _row("Pareto/NBD + static covariates, 100k simulated (2+2 binary covariates)", sim)


if __name__ == "__main__":
    main()
