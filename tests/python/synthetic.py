"""Synthetic data shared by the parity tests: deterministic, realistic in form."""

from __future__ import annotations

import numpy as np
import pandas as pd


def bgnbd_customers(n: int, seed: int = 2026, r=0.25, alpha=4.0, a=0.8, b=2.5) -> pd.DataFrame:
    """Simulate the BG/NBD process for n customers acquired over 52 weeks and observed to
    week 78, with purchase times rounded to whole days (as a daily log summarised in weeks
    would be), so T and recency take the few distinct values real data have."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    T = np.round(rng.uniform(0, 52, n) * 7) / 7 + 26
    frequency = np.zeros(n)
    recency = np.zeros(n)
    # simulate purchase by purchase for everyone still active
    now = np.zeros(n)
    active = lam > 0
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0 / lam[idx])
        inside = now[idx] <= T[idx]
        bought = idx[inside]
        frequency[bought] += 1
        recency[bought] = np.round(now[bought] * 7) / 7
        dropped = rng.uniform(size=bought.size) < p[bought]
        active[idx[~inside]] = False
        active[bought[dropped]] = False
    recency = np.minimum(recency, T)
    return pd.DataFrame({"frequency": frequency, "recency": recency, "T": T})


def mbgnbd_customers(n: int, seed: int = 2027, r=0.5, alpha=6.0, a=0.9, b=1.6) -> pd.DataFrame:
    """As ``bgnbd_customers``, for the MBG/NBD process: a customer may also drop out at time
    0, before any repeat purchase, with the same probability p as after each purchase."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    T = np.round(rng.uniform(0, 52, n) * 7) / 7 + 26
    frequency = np.zeros(n)
    recency = np.zeros(n)
    now = np.zeros(n)
    active = (lam > 0) & (rng.uniform(size=n) >= p)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0 / lam[idx])
        inside = now[idx] <= T[idx]
        bought = idx[inside]
        frequency[bought] += 1
        recency[bought] = np.round(now[bought] * 7) / 7
        dropped = rng.uniform(size=bought.size) < p[bought]
        active[idx[~inside]] = False
        active[bought[dropped]] = False
    recency = np.minimum(recency, T)
    return pd.DataFrame({"frequency": frequency, "recency": recency, "T": T})


def bgbb_customers(n: int, seed: int = 2028, alpha=0.8, beta=2.0, gamma=0.4, delta=3.0,
                   periods=(4, 12)) -> pd.DataFrame:
    """Simulate the BG/BB process for n customers, one row each, from cohorts with
    n_periods transaction opportunities uniform in ``periods`` (inclusive). Before each
    opportunity a live customer drops out with probability theta ~ Beta(gamma, delta);
    at each opportunity alive, they transact with probability p ~ Beta(alpha, beta)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(alpha, beta, n)
    theta = rng.beta(gamma, delta, n)
    n_periods = rng.integers(periods[0], periods[1] + 1, n)
    # the first opportunity at which the customer is gone (geometric: 1, 2, ...)
    gone = rng.geometric(np.maximum(theta, 1e-300))
    k = np.arange(1, periods[1] + 1)
    alive = (k[None, :] < gone[:, None]) & (k[None, :] <= n_periods[:, None])
    bought = alive & (rng.uniform(size=alive.shape) < p[:, None])
    frequency = bought.sum(axis=1)
    recency = np.where(bought, k[None, :], 0).max(axis=1)
    return pd.DataFrame({"frequency": frequency, "recency": recency, "n_periods": n_periods})


def transaction_log(n_customers: int, seed: int = 7, string_ids=False, days=730) -> pd.DataFrame:
    """A log of timestamped transactions with amounts, several per day for some customers."""
    rng = np.random.default_rng(seed)
    per_customer = rng.geometric(0.3, n_customers)
    ids = np.repeat(np.arange(n_customers), per_customer)
    start = np.datetime64("2020-01-01T00:00:00", "s")
    seconds = rng.integers(0, days * 86_400, ids.size)
    # bunch each customer's purchases around a personal start so there are same-day repeats
    offset = rng.integers(0, days * 86_400 // 2, n_customers)[ids]
    when = start + np.minimum(offset + seconds // 4, days * 86_400 - 1).astype("timedelta64[s]")
    frame = pd.DataFrame({
        "customer": (np.char.add("c", ids.astype(str)) if string_ids else ids),
        "when": when.astype("datetime64[ns]"),
        "amount": np.round(rng.gamma(2.0, 20.0, ids.size), 2),
    })
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def pareto_nbd_customers(n: int, seed: int = 2027, r=0.55, alpha=10.58, s=0.61, beta=11.67) -> pd.DataFrame:
    """Simulate the Pareto/NBD process (CDNOW-like parameters, weeks) for n customers
    acquired over 52 weeks and observed to week 78. Purchase times are rounded to whole
    days, as a daily log summarised in weeks would be.

    Given the purchase rate lambda and the lifetime omega, the number of purchases in
    (0, min(omega, T)] is Poisson, and the last of k uniform purchase times is
    L * U^(1/k); so no purchase-by-purchase loop is needed."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    T = np.round(rng.uniform(0, 52, n) * 7) / 7 + 26
    alive_until = np.minimum(rng.exponential(1.0 / mu), T)
    frequency = rng.poisson(lam * alive_until).astype(float)
    with np.errstate(divide="ignore"):
        last = alive_until * rng.uniform(size=n) ** (1.0 / np.maximum(frequency, 1.0))
    recency = np.where(frequency > 0, np.minimum(np.round(last * 7) / 7, T), 0.0)
    return pd.DataFrame({"frequency": frequency, "recency": recency, "T": T})
