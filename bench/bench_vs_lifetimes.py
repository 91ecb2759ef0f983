#!/usr/bin/env python3
"""Side-by-side benchmark: lifetimes 0.11.3 vs fastlifetimes.

One run times both libraries on the same data files and prints

* the environment (CPU, both Python stacks),
* a plain-text table: median time of each side, speed-up
  (lifetimes / fastlifetimes), target, and agreement of the outputs,
* the same as a Markdown table ready to paste into the README,

and writes everything as JSON to ``bench/results/latest.json``
(``bench/results`` is git-ignored).

How it works
------------
lifetimes 0.11.3 only runs on its pinned stack (numpy 1.24, pandas 1.5,
scipy 1.10), so it runs in a separate *reference* interpreter
(``tests/python/lifetimes_reference.py:reference_python()`` when available,
otherwise ``~/.cache/fastlifetimes/lifetimes-0.11.3``, created on demand).
fastlifetimes runs in the interpreter that runs this script (or
``--fast-python``).  Both sides run the very same worker, ``bench/_worker.py``,
in a fresh subprocess per (case, library); it loads the inputs from an
``.npz`` file generated once here (deterministic, ``numpy.random.default_rng``
with a fixed seed, cached in ``--data-dir``) and times only the library call.

Repeats
-------
Each side's time is the MEDIAN of its timed runs (the machine is small and
noisy).  Per (case, library) the worker does at least ``--repeats`` runs
(default 3), but

* stops early once the timed runs add up to ``--max-seconds`` (default 60 s):
  the slow lifetimes cases (BG/NBD fit on 1M customers ~15 s per run, the
  10M-row summary ~35 s per run) therefore get 2-3 runs instead of N;
* keeps going (up to 25 runs) while the timed total is under ``--min-seconds``
  (default 1 s), so millisecond-scale timings are medians of many runs;
* discards the very first run as warm-up when it took less than 1 s.

The number of runs actually used is reported for each side.

Peak memory (summary cases)
---------------------------
For each side a fresh subprocess loads the data and builds the DataFrame,
records its RSS (baseline), resets the kernel's peak-RSS counter
(``/proc/self/clear_refs``; falls back to ``ru_maxrss`` when that is not
possible), runs ``summary_data_from_transaction_data`` once and reports
``peak RSS - baseline`` in MiB.

Usage
-----
    python bench/bench_vs_lifetimes.py                 # everything, full sizes
    python bench/bench_vs_lifetimes.py --quick         # small sizes, smoke run
    python bench/bench_vs_lifetimes.py --cases fit_cdnow,predict
    python bench/bench_vs_lifetimes.py --only lifetimes --repeats 5
    python bench/bench_vs_lifetimes.py --list

A full run takes roughly 13 minutes (plus ~30 s to generate the data the first
time), almost all of it on the lifetimes side; lifetimes' BG/BB fit on 1M customers
alone takes about 6 minutes (one run).
This is a stand-alone script, not a pytest test.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORKER = HERE / "_worker.py"
DEFAULT_RESULTS = HERE / "results" / "latest.json"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "fastlifetimes-bench-data"
DEFAULT_REF_DIR = "~/.cache/fastlifetimes/lifetimes-0.11.3"  # or $FASTLIFETIMES_REF_ENV
# fallback only: tests/python/lifetimes_reference.py is the canonical builder.
# setuptools<81: lifetimes.datasets imports pkg_resources.
REF_REQUIREMENTS = ["numpy==1.24.4", "pandas==1.5.3", "scipy==1.10.1", "autograd", "dill", "lifetimes==0.11.3",
                    "setuptools<81"]

LIBS = ("lifetimes", "fastlifetimes")
SEED = 20240521
DATA_VERSION = 1  # bump when a generator changes, invalidates the cache

# BG/NBD process for the synthetic customer base (time unit: weeks)
SYNTH_PARAMS = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
# MBG/NBD (weeks) and BG/BB (yearly opportunities) processes of the other synthetic sets
MBG_SYNTH_PARAMS = {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}
BGBB_SYNTH_PARAMS = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.78}
# Pareto/NBD process for its synthetic customer base: CDNOW-like (weeks)
PNBD_SYNTH_PARAMS = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}
ACQ_DAYS = 52 * 7        # first purchases uniform over a 52-week window
END_DAY = 104 * 7        # observation end (day index, inclusive)

# transaction logs for summary_data_from_transaction_data
LOG_START = np.datetime64("2018-01-01", "D")
LOG_DAYS = 730           # two years: 2018-01-01 .. 2019-12-31
LOG_END = str(LOG_START + LOG_DAYS - 1)


# --------------------------------------------------------------------------- #
# cases
# --------------------------------------------------------------------------- #
def case_table(quick):
    """name -> spec. Sizes are reduced with --quick."""
    n_fit = 20_000 if quick else 1_000_000
    n_pred = 100_000 if quick else 1_000_000
    s1 = (100_000, 10_000) if quick else (1_000_000, 100_000)
    s10 = (1_000_000, 100_000) if quick else (10_000_000, 1_000_000)

    def h(n):
        if n >= 1_000_000 and n % 1_000_000 == 0:
            return "%dM" % (n // 1_000_000)
        if n >= 1000 and n % 1000 == 0:
            return "%dk" % (n // 1000)
        return f"{n:,}"

    return {
        "fit_cdnow": dict(
            kind="fit", data=("cdnow",), target=100,
            title="BG/NBD fit, CDNOW sample", size="2,357 customers"),
        "fit_synth": dict(
            kind="fit", data=("bgnbd", n_fit), target=50,
            title="BG/NBD fit, synthetic", size="%s customers" % h(n_fit)),
        "summary_dt": dict(
            kind="summary", data=("txlog", s1[0], s1[1], False), target=10, mem=True,
            title="summary_data_from_transaction_data (datetime64)",
            size="%s rows / %s customers" % (h(s1[0]), h(s1[1]))),
        "summary_dt_large": dict(
            kind="summary", data=("txlog", s10[0], s10[1], False), target=10, mem=True,
            title="summary_data_from_transaction_data (datetime64)",
            size="%s rows / %s customers" % (h(s10[0]), h(s10[1]))),
        "summary_str": dict(
            kind="summary", data=("txlog", s1[0], s1[1], True), target=10, mem=True,
            title='summary_data_from_transaction_data ("YYYY-MM-DD" strings)',
            size="%s rows / %s customers" % (h(s1[0]), h(s1[1]))),
        "predict_expected": dict(
            kind="predict_expected", data=("bgnbd", n_pred), target=10,
            title="conditional_expected_number_of_purchases_up_to_time(30)",
            size="%s customers" % h(n_pred)),
        "predict_alive": dict(
            kind="predict_alive", data=("bgnbd", n_pred), target=10,
            title="conditional_probability_alive", size="%s customers" % h(n_pred)),
        # -- Gamma-Gamma, CLV and the calibration/holdout split ------------------------------
        "gg_fit_cdnow": dict(
            kind="gg_fit", data=("cdnow_spend",), target=100,
            title="Gamma-Gamma fit, CDNOW sample", size="946 customers"),
        "gg_fit_synth": dict(
            kind="gg_fit", data=("spend", n_fit), target=100,
            title="Gamma-Gamma fit, synthetic", size="%s customers" % h(n_fit)),
        "gg_profit": dict(
            kind="gg_profit", data=("clv", n_pred), target=10,
            title="conditional_expected_average_profit", size="%s customers" % h(n_pred)),
        "clv": dict(
            kind="clv", data=("clv", n_pred), target=10,
            title="customer_lifetime_value(BG/NBD, time=12)", size="%s customers" % h(n_pred)),
        "holdout": dict(
            kind="holdout", data=("txlog", s1[0], s1[1], False), target=10,
            title="calibration_and_holdout_data (datetime64)",
            size="%s rows / %s customers" % (h(s1[0]), h(s1[1]))),
        "fit_mbg_cdnow": dict(
            kind="fit_mbg", data=("cdnow",), target=100,
            title="MBG/NBD fit, CDNOW sample", size="2,357 customers"),
        "fit_mbg_synth": dict(
            kind="fit_mbg", data=("mbgnbd", n_fit), target=100,
            title="MBG/NBD fit, synthetic", size="%s customers" % h(n_fit)),
        "predict_mbg_expected": dict(
            kind="predict_mbg_expected", data=("mbgnbd", n_pred), target=10,
            title="MBG/NBD conditional_expected_number_of_purchases_up_to_time(30)",
            size="%s customers" % h(n_pred)),
        "predict_mbg_alive": dict(
            kind="predict_mbg_alive", data=("mbgnbd", n_pred), target=10,
            title="MBG/NBD conditional_probability_alive", size="%s customers" % h(n_pred)),
        "fit_bgbb_donations": dict(
            kind="fit_bgbb", data=("donations",), target=100,
            title="BG/BB fit, donations (rf-matrix with weights)", size="22 cells / 11,104 donors"),
        "fit_bgbb_synth": dict(
            kind="fit_bgbb", data=("bgbb", n_fit), target=100,
            title="BG/BB fit, synthetic (one row per customer)", size="%s customers" % h(n_fit)),
        "predict_bgbb_expected": dict(
            kind="predict_bgbb_expected", data=("bgbb", n_pred), target=10,
            title="BG/BB conditional_expected_number_of_purchases_up_to_time(5)",
            size="%s customers" % h(n_pred)),
        "predict_bgbb_alive": dict(
            kind="predict_bgbb_alive", data=("bgbb", n_pred), target=10,
            title="BG/BB conditional_probability_alive(1)", size="%s customers" % h(n_pred)),
        "pnbd_fit_cdnow": dict(
            kind="pnbd_fit", data=("cdnow",), target=200,
            title="Pareto/NBD fit, CDNOW sample", size="2,357 customers"),
        # lifetimes' Nelder-Mead needs ~70 s per 235,700 customers here: stop it at
        # --lifetimes-timeout and report its time as a lower bound
        "pnbd_fit_synth": dict(
            kind="pnbd_fit", data=("pnbd", n_fit), target=200, lifetimes_timeout=True,
            title="Pareto/NBD fit, synthetic", size="%s customers" % h(n_fit)),
        "pnbd_predict_expected": dict(
            kind="pnbd_predict_expected", data=("pnbd", n_pred), target=10,
            title="Pareto/NBD conditional_expected_number_of_purchases_up_to_time(30)",
            size="%s customers" % h(n_pred)),
        "pnbd_predict_alive": dict(
            kind="pnbd_predict_alive", data=("pnbd", n_pred), target=10,
            title="Pareto/NBD conditional_probability_alive", size="%s customers" % h(n_pred)),
    }


def select_cases(all_cases, spec):
    if not spec:
        return list(all_cases)
    """Comma-separated names; a token that is not a case name selects every
    case starting with it (``fit`` -> fit_cdnow, fit_synth)."""
    chosen = set()
    for w in (s.strip() for s in spec.split(",")):
        if not w:
            continue
        hits = [w] if w in all_cases else [n for n in all_cases if n.startswith(w)]
        if not hits:
            sys.exit("unknown case %r (use --list)" % w)
        chosen.update(hits)
    return [n for n in all_cases if n in chosen]


# --------------------------------------------------------------------------- #
# data generation (deterministic, cached)
# --------------------------------------------------------------------------- #
def _atomic_savez(path, **arrays):
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def find_cdnow_csv(ref_python):
    cands = [
        Path("/work/shared/data/lifetimes/cdnow_customers_summary.csv"),
        REPO / "python" / "fastlifetimes" / "datasets" / "cdnow_customers_summary.csv",
    ]
    if ref_python:
        cands += sorted(Path(ref_python).resolve().parent.parent.glob(
            "lib/python*/site-packages/lifetimes/datasets/cdnow_customers_summary.csv"))
        cands += sorted(Path(ref_python).parent.parent.glob(
            "lib/python*/site-packages/lifetimes/datasets/cdnow_customers_summary.csv"))
    for c in cands:
        if c.is_file():
            return c
    raise FileNotFoundError("cdnow_customers_summary.csv not found in: %s" % ", ".join(map(str, cands)))


def make_cdnow(path, ref_python):
    """lifetimes' bundled ``load_cdnow_summary()`` data (2,357 customers of the
    CDNOW sample, time unit weeks)."""
    src = find_cdnow_csv(ref_python)
    a = np.genfromtxt(src, delimiter=",", names=True)
    _atomic_savez(path, frequency=a["frequency"].astype(float), recency=a["recency"].astype(float),
                  T=a["T"].astype(float))
    return {"source": str(src), "n": int(a.size)}


def simulate_bgnbd(n, seed, r, alpha, a, b, acq_days=ACQ_DAYS, end_day=END_DAY):
    """Simulate a BG/NBD customer base observed through a daily transaction log.

    Each customer makes a first purchase on a day uniform over the acquisition
    window; afterwards purchases arrive as a Poisson process with rate
    lambda ~ Gamma(r, 1/alpha) per week, and after each repeat purchase the
    customer drops out with probability p ~ Beta(a, b).  Purchases are logged
    by day and summarised like ``summary_data_from_transaction_data(freq='D',
    freq_multiplier=7)``: frequency = number of distinct repeat-purchase days,
    recency / T in weeks, multiples of 1/7.
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)                     # per week
    p = rng.beta(a, b, n)
    first = rng.integers(0, acq_days, n)                   # day index
    t = first.astype(float)                                # continuous time, days
    last_day = first.copy()
    freq = np.zeros(n, dtype=np.int64)
    idx = np.arange(n)
    with np.errstate(divide="ignore", over="ignore"):
        while idx.size:
            t_new = t[idx] + 7.0 * rng.standard_exponential(idx.size) / lam[idx]
            ok = t_new < end_day + 1                        # purchase day <= end_day
            idx, t_new = idx[ok], t_new[ok]
            day = np.floor(t_new).astype(np.int64)
            new_day = day > last_day[idx]
            freq[idx[new_day]] += 1
            last_day[idx] = day
            t[idx] = t_new
            idx = idx[rng.random(idx.size) >= p[idx]]       # survives this purchase?
    return (freq.astype(float), (last_day - first) / 7.0, (end_day - first) / 7.0)


def simulate_pareto_nbd(n, seed, r, alpha, s, beta, acq_days=ACQ_DAYS, end_day=END_DAY):
    """Simulate a Pareto/NBD customer base observed through a daily transaction log.

    As ``simulate_bgnbd``, but each customer buys at rate lambda ~ Gamma(r, 1/alpha) per
    week until an exponential lifetime with rate mu ~ Gamma(s, 1/beta) per week ends,
    whatever the purchases; summarised like ``freq='D', freq_multiplier=7``.
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)                     # per week
    mu = rng.gamma(s, 1.0 / beta, n)
    first = rng.integers(0, acq_days, n)                   # day index
    with np.errstate(divide="ignore", over="ignore"):
        death = first + 7.0 * rng.standard_exponential(n) / mu
    stop = np.minimum(death, end_day + 1)                  # no purchase after this
    t = first.astype(float)
    last_day = first.copy()
    freq = np.zeros(n, dtype=np.int64)
    idx = np.arange(n)
    with np.errstate(divide="ignore", over="ignore"):
        while idx.size:
            t_new = t[idx] + 7.0 * rng.standard_exponential(idx.size) / lam[idx]
            ok = t_new < stop[idx]
            idx, t_new = idx[ok], t_new[ok]
            day = np.floor(t_new).astype(np.int64)
            new_day = day > last_day[idx]
            freq[idx[new_day]] += 1
            last_day[idx] = day
            t[idx] = t_new
    return (freq.astype(float), (last_day - first) / 7.0, (end_day - first) / 7.0)


def make_pnbd(path, n):
    f, r, T = simulate_pareto_nbd(n, SEED, **PNBD_SYNTH_PARAMS)
    _atomic_savez(path, frequency=f, recency=r, T=T)
    return {"n": n, "params": PNBD_SYNTH_PARAMS, "mean_frequency": float(f.mean()),
            "share_repeat": float((f > 0).mean()), "distinct_T": int(np.unique(T).size)}


def simulate_mbgnbd(n, seed, r, alpha, a, b, acq_days=ACQ_DAYS, end_day=END_DAY):
    """As ``simulate_bgnbd`` for the MBG/NBD process: a customer may also drop out right
    after the first purchase, before any repeat purchase, with the same probability p."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    first = rng.integers(0, acq_days, n)
    t = first.astype(float)
    last_day = first.copy()
    freq = np.zeros(n, dtype=np.int64)
    idx = np.flatnonzero(rng.random(n) >= p)                  # alive after the first purchase
    with np.errstate(divide="ignore", over="ignore"):
        while idx.size:
            t_new = t[idx] + 7.0 * rng.standard_exponential(idx.size) / lam[idx]
            ok = t_new < end_day + 1
            idx, t_new = idx[ok], t_new[ok]
            day = np.floor(t_new).astype(np.int64)
            new_day = day > last_day[idx]
            freq[idx[new_day]] += 1
            last_day[idx] = day
            t[idx] = t_new
            idx = idx[rng.random(idx.size) >= p[idx]]
    return (freq.astype(float), (last_day - first) / 7.0, (end_day - first) / 7.0)


def simulate_bgbb(n, seed, alpha, beta, gamma, delta, periods=(4, 12)):
    """Simulate BG/BB customers in cohorts with 4..12 yearly transaction opportunities:
    before each opportunity a live customer drops out with probability theta ~
    Beta(gamma, delta); while alive they transact with probability p ~ Beta(alpha, beta).
    Returns (frequency, recency, n_periods) as int64, one row per customer."""
    rng = np.random.default_rng(seed)
    p = rng.beta(alpha, beta, n)
    theta = rng.beta(gamma, delta, n)
    n_periods = rng.integers(periods[0], periods[1] + 1, n)
    gone = rng.geometric(np.maximum(theta, 1e-300))          # first opportunity not alive
    freq = np.zeros(n, dtype=np.int64)
    rec = np.zeros(n, dtype=np.int64)
    for k in range(1, periods[1] + 1):
        bought = (k < gone) & (k <= n_periods) & (rng.random(n) < p)
        freq += bought
        rec[bought] = k
    return freq, rec, n_periods


def make_mbgnbd(path, n):
    f, r, T = simulate_mbgnbd(n, SEED, **MBG_SYNTH_PARAMS)
    _atomic_savez(path, frequency=f, recency=r, T=T)
    return {"n": n, "params": MBG_SYNTH_PARAMS, "mean_frequency": float(f.mean()),
            "share_repeat": float((f > 0).mean()), "distinct_T": int(np.unique(T).size)}


def make_bgbb(path, n):
    f, r, periods = simulate_bgbb(n, SEED, **BGBB_SYNTH_PARAMS)
    _atomic_savez(path, frequency=f, recency=r, n_periods=periods)
    return {"n": n, "params": BGBB_SYNTH_PARAMS, "mean_frequency": float(f.mean()),
            "share_repeat": float((f > 0).mean()),
            "distinct_rows": int(np.unique(np.c_[f, r, periods], axis=0).shape[0])}


def make_donations(path):
    """lifetimes' ``load_donations()``: the FHS (2010) rf-matrix, 22 cells with counts."""
    src = REPO / "python" / "fastlifetimes" / "datasets" / "donations.csv"
    a = np.genfromtxt(src, delimiter=",", names=True, dtype=np.int64)
    _atomic_savez(path, frequency=a["frequency"], recency=a["recency"], n_periods=a["periods"],
                  weights=a["weights"])
    return {"source": str(src), "cells": int(a.size), "donors": int(a["weights"].sum())}


def make_bgnbd(path, n):
    f, r, T = simulate_bgnbd(n, SEED, **SYNTH_PARAMS)
    _atomic_savez(path, frequency=f, recency=r, T=T)
    return {"n": n, "params": SYNTH_PARAMS, "mean_frequency": float(f.mean()),
            "share_repeat": float((f > 0).mean()), "distinct_T": int(np.unique(T).size)}


# Gamma-Gamma spend (lifetimes' CDNOW estimates): mean of x transaction values, each
# Gamma(p, nu), nu ~ Gamma(q, rate v) per customer.
SPEND_PARAMS = {"p": 6.25, "q": 3.74, "v": 15.44}


def simulate_spend(x, seed):
    rng = np.random.default_rng(seed)
    nu = rng.gamma(SPEND_PARAMS["q"], 1.0 / SPEND_PARAMS["v"], x.size)
    shape = SPEND_PARAMS["p"] * np.maximum(x, 1)
    return np.where(x > 0, rng.gamma(shape, 1.0 / nu) / np.maximum(x, 1), 0.0)


def make_cdnow_spend(path, ref_python):
    """The 946 CDNOW customers with repeat purchases and their mean spend (lifetimes'
    ``load_cdnow_summary_data_with_monetary_value``)."""
    src = find_cdnow_csv(ref_python).with_name("cdnow_customers_summary_with_transactions.csv")
    a = np.genfromtxt(src, delimiter=",", names=True)
    keep = a["x"] > 0
    _atomic_savez(path, frequency=a["x"][keep].astype(float), monetary_value=a["zbar"][keep].astype(float))
    return {"source": str(src), "n": int(keep.sum())}


def make_spend(path, n):
    x = np.random.default_rng(SEED + 1).geometric(0.4, n).astype(float)
    _atomic_savez(path, frequency=x, monetary_value=simulate_spend(x, SEED + 2))
    return {"n": n, "params": SPEND_PARAMS, "mean_frequency": float(x.mean())}


def make_clv(path, n):
    """The synthetic BG/NBD customers with a mean spend for those with repeat purchases."""
    f, r, T = simulate_bgnbd(n, SEED, **SYNTH_PARAMS)
    _atomic_savez(path, frequency=f, recency=r, T=T, monetary_value=simulate_spend(f, SEED + 3))
    return {"n": n, "bgnbd": SYNTH_PARAMS, "spend": SPEND_PARAMS}


def simulate_txlog(n_rows, n_cust, seed):
    """Synthetic transaction log over two years, sorted by time like a real log.

    Every customer has a first purchase on a day uniform over the two years;
    the other rows go to customers with a heavy-tailed propensity (Gamma(0.6))
    times their remaining lifetime, on days uniform between their first
    purchase and the end.  Timestamps carry a time of day; amounts lognormal.
    """
    rng = np.random.default_rng(seed + n_rows)
    first_day = rng.integers(0, LOG_DAYS, n_cust)
    w = rng.gamma(0.6, 1.0, n_cust) * (LOG_DAYS - first_day)
    extra = rng.choice(n_cust, size=n_rows - n_cust, p=w / w.sum())
    cust = np.concatenate([np.arange(n_cust), extra])
    del extra
    span = LOG_DAYS - first_day[cust]
    day = first_day[cust] + (rng.random(cust.size) * span).astype(np.int64)
    day[:n_cust] = first_day
    secs = rng.integers(0, 86400, cust.size)
    ts = (day * 86400 + secs) * 1_000_000_000                         # ns since start
    order = np.argsort(ts, kind="stable")
    ids = 1_000_000 + rng.permutation(n_cust)                         # non-contiguous ids
    customer_id = ids[cust[order]].astype(np.int64)
    date = LOG_START.astype("datetime64[ns]") + ts[order].astype("timedelta64[ns]")
    amount = np.round(rng.lognormal(3.0, 0.9, cust.size), 2)[order]
    return customer_id, date, amount


def make_txlog(path, n_rows, n_cust, strings):
    cid, date, amount = simulate_txlog(n_rows, n_cust, SEED)
    arrays = dict(customer_id=cid, amount=amount, observation_period_end=np.array(LOG_END))
    if strings:
        arrays["date_str"] = np.datetime_as_string(date.astype("datetime64[D]"), unit="D")
    else:
        arrays["date"] = date
    _atomic_savez(path, **arrays)
    return {"rows": n_rows, "customers": n_cust, "date": "str YYYY-MM-DD" if strings else "datetime64[ns]",
            "observation_period_end": LOG_END}


def data_file(data_dir, spec, ref_python, log):
    kind = spec[0]
    if kind == "cdnow":
        name, maker = "cdnow_summary", lambda p: make_cdnow(p, ref_python)
    elif kind == "bgnbd":
        n = spec[1]
        name, maker = "bgnbd_%d" % n, lambda p: make_bgnbd(p, n)
    elif kind == "cdnow_spend":
        name, maker = "cdnow_spend", lambda p: make_cdnow_spend(p, ref_python)
    elif kind == "spend":
        n = spec[1]
        name, maker = "spend_%d" % n, lambda p: make_spend(p, n)
    elif kind == "clv":
        n = spec[1]
        name, maker = "clv_%d" % n, lambda p: make_clv(p, n)
    elif kind == "mbgnbd":
        n = spec[1]
        name, maker = "mbgnbd_%d" % n, lambda p: make_mbgnbd(p, n)
    elif kind == "bgbb":
        n = spec[1]
        name, maker = "bgbb_%d" % n, lambda p: make_bgbb(p, n)
    elif kind == "donations":
        name, maker = "donations", make_donations
    elif kind == "pnbd":
        n = spec[1]
        name, maker = "pnbd_%d" % n, lambda p: make_pnbd(p, n)
    elif kind == "txlog":
        _, rows, cust, strings = spec
        name = "txlog_%d_%d_%s" % (rows, cust, "str" if strings else "dt")
        maker = lambda p: make_txlog(p, rows, cust, strings)  # noqa: E731
    else:
        raise ValueError(kind)
    path = data_dir / ("%s_s%d_v%d.npz" % (name, SEED, DATA_VERSION))
    meta_path = path.with_suffix(".json")
    if not path.is_file() or not meta_path.is_file():
        t0 = time.perf_counter()
        log("  generating %s ..." % path.name)
        meta = maker(path)
        meta_path.write_text(json.dumps(meta, indent=1))
        log("  generated %s in %.1f s (%.0f MiB)" % (path.name, time.perf_counter() - t0,
                                                     path.stat().st_size / 2**20))
    return path, json.loads(meta_path.read_text())


# --------------------------------------------------------------------------- #
# interpreters
# --------------------------------------------------------------------------- #
def _clean_env():
    """Environment for the reference interpreter: nothing of the main stack leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _ref_python_works(py):
    try:
        r = subprocess.run([str(py), "-I", "-c", "import lifetimes, numpy, pandas, scipy"],
                           capture_output=True, timeout=300, env=_clean_env())
        return r.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def reference_python(explicit, log):
    """Path of an interpreter with lifetimes 0.11.3 and its pinned stack."""
    if explicit:
        return str(explicit)
    helper = REPO / "tests" / "python" / "lifetimes_reference.py"
    if helper.is_file():
        try:
            import importlib.util

            spec = importlib.util.spec_from_file_location("_lifetimes_reference", helper)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            py = mod.reference_python()
            if py:
                return str(py)
            log("  lifetimes_reference.reference_python() returned %r; using own venv" % (py,))
        except Exception as exc:  # pragma: no cover - depends on the helper
            log("  lifetimes_reference.reference_python() failed (%s: %s); using own venv"
                % (type(exc).__name__, exc))
    venv = Path(os.environ.get("FASTLIFETIMES_REF_ENV", DEFAULT_REF_DIR)).expanduser().absolute()
    py = venv / "bin" / "python"
    if py.exists() and _ref_python_works(py):
        return str(py)
    log("  creating reference venv %s (lifetimes 0.11.3, numpy 1.24.4, pandas 1.5.3, scipy 1.10.1) ..." % venv)
    if venv.exists() and any(venv.iterdir()) and not (venv / "pyvenv.cfg").exists():
        raise RuntimeError("%s exists and is not a venv; pass --ref-python or set FASTLIFETIMES_REF_ENV" % venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, env=_clean_env())
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-input"]
                   + REF_REQUIREMENTS, check=True, env=_clean_env())
    if not _ref_python_works(py):
        raise RuntimeError("reference venv %s does not import lifetimes" % venv)
    return str(py)


# --------------------------------------------------------------------------- #
# running the worker
# --------------------------------------------------------------------------- #
def run_worker(python, lib, extra, timeout):
    fd, out = tempfile.mkstemp(prefix="flbench_%s_" % lib, suffix=".json")
    os.close(fd)
    if lib == "lifetimes":
        # isolated: nothing of the main stack (PYTHONPATH, user site) leaks in
        cmd, env = [python, "-I"], _clean_env()
    else:
        cmd, env = [python], dict(os.environ)
    cmd += [str(WORKER), "--lib", lib, "--out", out] + extra
    env["PYTHONWARNINGS"] = "ignore"
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=str(HERE))
        try:
            with open(out) as fh:
                res = json.load(fh)
        except (OSError, ValueError):
            res = {"error": "worker produced no result (exit %d): %s"
                   % (proc.returncode, (proc.stderr or proc.stdout).strip()[-2000:])}
    except subprocess.TimeoutExpired:
        res = {"error": "timeout after %d s" % timeout, "timed_out": timeout}
    except OSError as exc:
        res = {"error": "cannot run %s: %s" % (python, exc)}
    finally:
        try:
            os.unlink(out)
        except OSError:
            pass
    return res


def cpu_info():
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem = round(int(line.split()[1]) / 2**20, 1)
                    break
    except OSError:
        pass
    return {"cpu": model, "logical_cpus": os.cpu_count(), "mem_gib": mem,
            "os": "%s %s" % (platform.system(), platform.release())}


# --------------------------------------------------------------------------- #
# comparing outputs
# --------------------------------------------------------------------------- #
def compare_outputs(kind, p_ref, p_fast):
    """Max relative difference of fastlifetimes' output vs lifetimes'."""
    try:
        with np.load(p_ref) as zr, np.load(p_fast) as zf:
            if kind.startswith("fit") or kind in ("gg_fit", "pnbd_fit"):
                a, b = zr["params"], zf["params"]
                return {"max_rel_diff": float(np.max(np.abs(a - b) / np.abs(a)))}
            if kind == "summary":
                if zr["index"].shape != zf["index"].shape or not np.array_equal(zr["index"], zf["index"]):
                    return {"max_rel_diff": None, "note": "customer index differs"}
                worst = 0.0
                for c in ("frequency", "recency", "T", "monetary_value"):
                    a, b = zr[c], zf[c]
                    d = np.abs(a - b) / np.maximum(np.abs(a), 1e-12)
                    worst = max(worst, float(np.max(d)) if d.size else 0.0)
                return {"max_rel_diff": worst}
            a, b = zr["values"], zf["values"]
            if a.shape != b.shape:
                return {"max_rel_diff": None, "note": "shape differs"}
            d = np.abs(a - b) / np.maximum(np.abs(a), 1e-300)
            return {"max_rel_diff": float(np.nanmax(d)) if d.size else 0.0,
                    "max_abs_diff": float(np.nanmax(np.abs(a - b))) if d.size else 0.0,
                    "nan_mismatch": int((np.isnan(a) != np.isnan(b)).sum())}
    except Exception as exc:
        return {"max_rel_diff": None, "note": "%s: %s" % (type(exc).__name__, exc)}


# --------------------------------------------------------------------------- #
# formatting
# --------------------------------------------------------------------------- #
def fmt_time(s):
    if s is None:
        return "n/a"
    if s >= 100:
        return "%.0f s" % s
    if s >= 1:
        return "%.2f s" % s
    if s >= 1e-3:
        return "%.1f ms" % (s * 1e3)
    return "%.0f µs" % (s * 1e6)


def fmt_ratio(x):
    if x is None:
        return "n/a"
    if x >= 100:
        return "%.0f×" % x
    if x >= 10:
        return "%.1f×" % x
    return "%.2f×" % x


def fmt_mib(x):
    return "n/a" if x is None else "%.0f MiB" % x


def fmt_diff(x):
    if x is None:
        return "n/a"
    return "0" if x == 0 else "%.1e" % x


def side_time(res):
    return None if res is None or "error" in res or "median" not in res else res["median"]


def side_mem(res):
    return None if res is None or "error" in res or "peak_delta_mib" not in res else res["peak_delta_mib"]


def text_table(headers, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(headers), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def md_table(headers, rows, align):
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join(":---" if a == "l" else "---:" for a in align) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def build_tables(results):
    t_head = ["Case", "Size", "lifetimes 0.11.3", "fastlifetimes", "Speed-up", "Target", "Max rel. diff"]
    t_rows, m_rows = [], []
    for r in results:
        ref, fast = r["sides"].get("lifetimes"), r["sides"].get("fastlifetimes")
        tr, tf = side_time(ref), side_time(fast)
        runs = lambda x: "" if side_time(x) is None else " (%d)" % x["runs"]  # noqa: E731
        sp = r.get("speedup")
        ok = "" if sp is None else (" ✓" if sp >= r["target"] else " ✗")
        at_least = r.get("speedup_at_least")
        ref_time = fmt_time(tr) + runs(ref)
        speedup = fmt_ratio(sp)
        if at_least is not None:
            ref_time = "> %s" % fmt_time(ref["timed_out"])
            speedup = "> %s" % fmt_ratio(at_least)
            ok = " ✓" if at_least >= r["target"] else ""
        t_rows.append([r["title"], r["size"], ref_time, fmt_time(tf) + runs(fast),
                       speedup, "≥%d×%s" % (r["target"], ok),
                       fmt_diff((r.get("agreement") or {}).get("max_rel_diff"))])
        if r.get("mem"):
            mr, mf = side_mem(r["mem"].get("lifetimes")), side_mem(r["mem"].get("fastlifetimes"))
            ratio = r.get("mem_ratio")
            m_rows.append([r["title"], r["size"], fmt_mib(mr), fmt_mib(mf),
                           "n/a" if ratio is None else "%.2f×" % ratio])
    m_head = ["Case", "Size", "lifetimes 0.11.3", "fastlifetimes", "Memory ratio"]
    return (t_head, t_rows), (m_head, m_rows)


# --------------------------------------------------------------------------- #
# main
# --------------------------------------------------------------------------- #
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Cases: " + ", ".join(case_table(False)))
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run, ~1-2 min)")
    ap.add_argument("--cases", help="comma-separated case names or prefixes (e.g. fit,predict_alive)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per side (median is reported; default 3)")
    ap.add_argument("--max-seconds", type=float, default=60.0,
                    help="stop repeating a side once its timed runs add up to this (default 60)")
    ap.add_argument("--min-seconds", type=float, default=1.0,
                    help="keep repeating a fast side (up to 25 runs) until its runs add up to this (default 1)")
    ap.add_argument("--only", choices=LIBS, help="run one side only")
    ap.add_argument("--no-mem", action="store_true", help="skip the peak-memory runs")
    ap.add_argument("--ref-python", help="interpreter with lifetimes 0.11.3 (default: reference venv)")
    ap.add_argument("--fast-python", default=sys.executable,
                    help="interpreter with fastlifetimes (default: this one)")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="cache of the generated inputs")
    ap.add_argument("--json", type=Path, default=DEFAULT_RESULTS,
                    help="JSON output (default bench/results/latest.json)")
    ap.add_argument("--timeout", type=int, default=1800, help="per-worker timeout in seconds")
    ap.add_argument("--lifetimes-timeout", type=int, default=600,
                    help="stop lifetimes after this many seconds in the cases marked for it (the "
                         "Pareto/NBD fit on 1M customers) and report its time as '> N s' (default 600)")
    args = ap.parse_args(argv)

    all_cases = case_table(args.quick)
    if args.list:
        for name, c in all_cases.items():
            print("%-18s %-60s %s (target ≥%d×%s)" % (name, c["title"], c["size"], c["target"],
                                                      ", + peak memory" if c.get("mem") else ""))
        return 0
    names = select_cases(all_cases, args.cases)
    libs = [args.only] if args.only else list(LIBS)

    def log(msg):
        print(msg, flush=True)

    t_start = time.perf_counter()
    log("# fastlifetimes vs lifetimes 0.11.3 benchmark%s" % (" (--quick)" if args.quick else ""))

    # -- interpreters --------------------------------------------------------
    pythons = {}
    if "lifetimes" in libs:
        pythons["lifetimes"] = reference_python(args.ref_python, log)
    if "fastlifetimes" in libs:
        pythons["fastlifetimes"] = args.fast_python
    info = {lib: run_worker(py, lib, ["--info"], 600) for lib, py in pythons.items()}
    available = {lib: info[lib].get(lib) is not None and "error" not in info[lib] for lib in pythons}

    env = cpu_info()
    log("")
    log("Machine: %s, %s logical CPUs, %s GiB RAM, %s" % (env["cpu"], env["logical_cpus"], env["mem_gib"], env["os"]))
    for lib in pythons:
        v = info[lib]
        if "error" in v:
            log("%-14s %s" % (lib + ":", v["error"]))
            continue
        log("%-14s %s %s | Python %s, numpy %s, pandas %s, scipy %s | %s" % (
            lib + ":", lib, v.get(lib) or "n/a (%s)" % v.get("import_error", "not importable"),
            v.get("python"), v.get("numpy"), v.get("pandas"), v.get("scipy"), v.get("executable")))
    log("Repeats: median of >= %d runs per side (fewer once a side's runs add up to %g s; "
        "more, up to 25, while they add up to < %g s)" % (args.repeats, args.max_seconds, args.min_seconds))
    log("")

    # -- data ------------------------------------------------------------------
    args.data_dir.mkdir(parents=True, exist_ok=True)
    out_dir = Path(tempfile.mkdtemp(prefix="flbench_out_"))
    results = []
    try:
        for name in names:
            c = all_cases[name]
            log("[%s] %s, %s" % (name, c["title"], c["size"]))
            path, data_meta = data_file(args.data_dir, c["data"], pythons.get("lifetimes"), log)
            rec = {"case": name, "kind": c["kind"], "title": c["title"], "size": c["size"],
                   "target": c["target"], "data": dict(data_meta, file=str(path)), "sides": {}}
            outputs = {}
            for lib in libs:
                if not available[lib]:
                    rec["sides"][lib] = {"error": "not available: %s" % info[lib].get(
                        "import_error", info[lib].get("error", "?"))}
                    log("  %-14s n/a (%s not importable)" % (lib, lib))
                    continue
                outputs[lib] = out_dir / ("%s_%s.npz" % (name, lib))
                timeout = args.timeout
                if lib == "lifetimes" and c.get("lifetimes_timeout"):
                    timeout = min(timeout, args.lifetimes_timeout)
                res = run_worker(pythons[lib], lib, [
                    "--kind", c["kind"], "--data", str(path), "--repeats", str(args.repeats),
                    "--max-seconds", str(args.max_seconds), "--min-seconds", str(args.min_seconds),
                    "--save-output", str(outputs[lib])], timeout)
                rec["sides"][lib] = res
                if "error" in res:
                    log("  %-14s n/a  (%s)" % (lib, res["error"].splitlines()[0][:200]))
                else:
                    log("  %-14s median %-10s runs=%d  [%s]" % (
                        lib, fmt_time(res["median"]), res["runs"], ", ".join(fmt_time(t) for t in res["times"])))
            tr, tf = side_time(rec["sides"].get("lifetimes")), side_time(rec["sides"].get("fastlifetimes"))
            rec["speedup"] = tr / tf if tr and tf else None
            timed_out = (rec["sides"].get("lifetimes") or {}).get("timed_out")
            if timed_out and tf:
                # lifetimes did not finish: its time, and so the speed-up, is a lower bound
                rec["speedup_at_least"] = timed_out / tf
                log("  speed-up > %s (lifetimes stopped after %d s; target ≥%d×)" % (
                    fmt_ratio(rec["speedup_at_least"]), timed_out, c["target"]))
            if tr and tf and all(p.is_file() for p in outputs.values()):
                rec["agreement"] = compare_outputs(c["kind"], outputs["lifetimes"], outputs["fastlifetimes"])
            if rec["speedup"] is not None:
                log("  speed-up %s (target ≥%d×); max rel. diff of outputs %s" % (
                    fmt_ratio(rec["speedup"]), c["target"], fmt_diff((rec.get("agreement") or {}).get("max_rel_diff"))))

            if c.get("mem") and not args.no_mem:
                rec["mem"] = {}
                for lib in libs:
                    if not available[lib]:
                        rec["mem"][lib] = {"error": "not available"}
                        continue
                    res = run_worker(pythons[lib], lib, ["--kind", c["kind"], "--data", str(path), "--mem"],
                                     args.timeout)
                    rec["mem"][lib] = res
                    if "error" in res:
                        log("  %-14s peak memory n/a (%s)" % (lib, res["error"].splitlines()[0][:200]))
                    else:
                        log("  %-14s peak memory +%.0f MiB over a %.0f MiB baseline (one run, %s)" % (
                            lib, res["peak_delta_mib"], res["baseline_mib"], fmt_time(res["time"])))
                mr, mf = side_mem(rec["mem"].get("lifetimes")), side_mem(rec["mem"].get("fastlifetimes"))
                rec["mem_ratio"] = mf / mr if mr and mf is not None else None
            results.append(rec)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)

    # -- report ----------------------------------------------------------------
    (t_head, t_rows), (m_head, m_rows) = build_tables(results)
    log("")
    log("Time: median per call; (n) = timed runs; speed-up = lifetimes / fastlifetimes")
    log(text_table(t_head, t_rows))
    if m_rows:
        log("")
        log("Peak memory: peak RSS increase during the call, fresh process; ratio = fastlifetimes / lifetimes")
        log(text_table(m_head, m_rows))

    def v(lib, key):
        return (info.get(lib) or {}).get(key) or "n/a"

    md = ["", "<!-- markdown: paste into the README -->", ""]
    stack = []
    if "lifetimes" in info:
        stack.append("lifetimes %s (numpy %s, pandas %s, scipy %s)" % (
            v("lifetimes", "lifetimes"), v("lifetimes", "numpy"), v("lifetimes", "pandas"), v("lifetimes", "scipy")))
    if "fastlifetimes" in info:
        stack.append("fastlifetimes %s (numpy %s, pandas %s)" % (
            v("fastlifetimes", "fastlifetimes"), v("fastlifetimes", "numpy"), v("fastlifetimes", "pandas")))
    md.append("Benchmark (`python bench/bench_vs_lifetimes.py%s`): %s, %s logical CPUs; Python %s; %s. "
              "Median of repeated runs; speed-up = lifetimes time / fastlifetimes time."
              % (" --quick" if args.quick else "", env["cpu"], env["logical_cpus"], platform.python_version(),
                 "; ".join(stack)))
    md.append("")
    t_rows_md = [[r[0], r[1], r[2].split(" (")[0], r[3].split(" (")[0],
                  "**%s**" % r[4].replace(">", "&gt;") if r[4] != "n/a" else r[4],
                  r[5].replace(" ✓", "").replace(" ✗", "")] for r in t_rows]
    md.append(md_table(t_head[:6], t_rows_md, "llrrrr"))
    if m_rows:
        md.append("")
        md.append("Peak memory of `summary_data_from_transaction_data` (increase of peak RSS during the call):")
        md.append("")
        md.append(md_table(m_head, m_rows, "llrrr"))
    log("\n".join(md))

    payload = {
        "generated": _dt.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name] + (argv if argv is not None else sys.argv[1:])),
        "quick": args.quick,
        "config": {"repeats": args.repeats, "max_seconds": args.max_seconds, "min_seconds": args.min_seconds,
                   "max_runs": 25, "warmup_below_s": 1.0, "seed": SEED, "data_version": DATA_VERSION,
                   "data_dir": str(args.data_dir)},
        "machine": env,
        "stacks": info,
        "cases": results,
        "markdown": "\n".join(md[3:]),
        "elapsed_s": time.perf_counter() - t_start,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=1))
    log("")
    log("Wrote %s (total %.0f s)" % (args.json, time.perf_counter() - t_start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
