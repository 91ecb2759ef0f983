"""Simulated customer bases, as lifetimes' ``generate_data`` draws them, simulated in C++.

Same functions, arguments and output columns as lifetimes 0.11.3, plus a ``seed``
argument. Each customer is simulated from its own random stream derived from ``seed``
and its position, so a seed gives the same data on any machine and thread count. Without
a seed, one is drawn from numpy's global generator, so ``np.random.seed(...)`` before the
call makes it reproducible, as it does for lifetimes (whose numbers these are not: the
random streams differ, the distributions are the same).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from . import _core

__all__ = [
    "beta_geometric_nbd_model",
    "beta_geometric_nbd_model_transactional_data",
    "pareto_nbd_model",
    "modified_beta_geometric_nbd_model",
    "beta_geometric_beta_binom_model",
    "nbd_model",
    "beta_geometric_cnbd_model",
    "modified_beta_geometric_cnbd_model",
    "ggompertz_nbd_model",
    "shifted_beta_geometric_model",
]


def _seed(seed) -> int:
    if seed is None:
        return int(np.random.randint(0, np.iinfo(np.int64).max, dtype=np.int64))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (numbers.Integral, np.integer)) or seed < 0:
        raise ValueError(f"seed: must be a non-negative integer or None, got {seed!r}")
    return int(seed) & 0xFFFFFFFFFFFFFFFF


def _size(size) -> int:
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (numbers.Integral, np.integer)) or size < 0:
        raise ValueError(f"size: must be a non-negative integer, got {size!r}")
    return int(size)


def _horizon(name, value, size) -> np.ndarray:
    """A scalar for everyone or one value per customer (lifetimes' T and N)."""
    try:
        if isinstance(value, (str, bytes, bool, np.bool_)):
            raise TypeError
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number or an array of numbers, got {value!r}") from None
    if arr.ndim == 0:
        arr = np.full(size, float(arr))
    arr = np.ascontiguousarray(arr.reshape(-1), dtype=np.float64)
    if arr.size != size:
        raise ValueError(f"{name}: expected one value per customer ({size}), got {arr.size}")
    bad = ~(np.isfinite(arr) & (arr >= 0))
    if bad.any():
        raise ValueError(f"{name}: negative or non-finite values at rows {np.flatnonzero(bad)[:5].tolist()}")
    return arr


def _positive(**params):
    for name, value in params.items():
        if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer))
                or not np.isfinite(value) or value <= 0):
            raise ValueError(f"{name}: must be a positive number, got {value!r}")


def _customers(columns, names):
    """lifetimes' layout: float columns, customer_id a float index (0.0, 1.0, ...)."""
    frame = pd.DataFrame(dict(zip(names, columns)))
    frame.index = pd.Index(np.arange(len(frame), dtype=np.float64), name="customer_id")
    return frame


def beta_geometric_nbd_model(T, r, alpha, a, b, size=1, seed=None):
    """Simulate customers of the BG/NBD model (Fader, Hardie & Lee 2005).

    Each customer buys at the times of a Poisson process with rate lambda ~ Gamma(r, alpha)
    (rate alpha) and, after each repeat purchase, leaves with probability p ~ Beta(a, b).
    Observed for ``T`` time units after the first purchase (a number, or one per customer).

    Returns a DataFrame indexed by customer_id (0.0, 1.0, ...) with float columns
    frequency, recency, T, lambda, p, alive. As in lifetimes, frequency counts the distinct
    whole time units of the repeat purchases and recency is the last one's exact time.
    """
    _positive(r=r, alpha=alpha, a=a, b=b)
    n = _size(size)
    T = _horizon("T", T, n)
    f, rec, lam, p, alive = _core.simulate_bgnbd(T, float(r), float(alpha), float(a), float(b), _seed(seed), False)
    return _customers([f, rec, T, lam, p, alive], ["frequency", "recency", "T", "lambda", "p", "alive"])


def modified_beta_geometric_nbd_model(T, r, alpha, a, b, size=1, seed=None):
    """Simulate customers of the MBG/NBD model (Batislam, Denizel & Filiztekin 2007): the
    BG/NBD where a customer may also leave right after the first purchase. Same layout as
    ``beta_geometric_nbd_model``."""
    _positive(r=r, alpha=alpha, a=a, b=b)
    n = _size(size)
    T = _horizon("T", T, n)
    f, rec, lam, p, alive = _core.simulate_bgnbd(T, float(r), float(alpha), float(a), float(b), _seed(seed), True)
    return _customers([f, rec, T, lam, p, alive], ["frequency", "recency", "T", "lambda", "p", "alive"])


def pareto_nbd_model(T, r, alpha, s, beta, size=1, seed=None):
    """Simulate customers of the Pareto/NBD model (Fader & Hardie, note 009): purchases at
    rate lambda ~ Gamma(r, alpha) during an exponential lifetime of rate mu ~ Gamma(s, beta).

    Returns a DataFrame indexed by customer_id with float columns frequency, recency, T,
    lambda, mu, alive (frequency and recency as in ``beta_geometric_nbd_model``)."""
    _positive(r=r, alpha=alpha, s=s, beta=beta)
    n = _size(size)
    T = _horizon("T", T, n)
    f, rec, lam, mu, alive = _core.simulate_pareto_nbd(T, float(r), float(alpha), float(s), float(beta), _seed(seed))
    return _customers([f, rec, T, lam, mu, alive], ["frequency", "recency", "T", "lambda", "mu", "alive"])


def beta_geometric_beta_binom_model(N, alpha, beta, gamma, delta, size=1, seed=None):
    """Simulate customers of the BG/BB model (Fader, Hardie & Shang 2010) over ``N``
    transaction opportunities: purchase probability p ~ Beta(alpha, beta), dropout
    probability theta ~ Beta(gamma, delta) at each opportunity.

    Returns a DataFrame with a RangeIndex and float columns frequency, recency, n_periods,
    p, theta, alive, customer_id (lifetimes leaves customer_id a column here)."""
    _positive(alpha=alpha, beta=beta, gamma=gamma, delta=delta)
    n = _size(size)
    N = _horizon("N", N, n)
    f, rec, p, theta, alive = _core.simulate_bgbb(N, float(alpha), float(beta), float(gamma), float(delta), _seed(seed))
    return pd.DataFrame({"frequency": f, "recency": rec, "n_periods": N, "p": p, "theta": theta,
                         "alive": alive, "customer_id": np.arange(n, dtype=np.float64)})


def beta_geometric_nbd_model_transactional_data(T, r, alpha, a, b, observation_period_end="2019-1-1",
                                                freq="D", size=1, seed=None):
    """Simulate the transaction log of BG/NBD customers.

    Customer i (observed ``T`` units of ``freq``, a number or one per customer) starts at
    s_i = observation_period_end - (T_i - 1) units; as in lifetimes, its first purchase is
    one unit before s_i and its repeat purchases follow the BG/NBD process from s_i for
    T_i units (so the last of them may fall up to one unit after observation_period_end).

    Returns a DataFrame with columns customer_id (integers, object dtype as in lifetimes)
    and date (datetime64[ns]), customers in order, each customer's purchases in time order.
    """
    _positive(r=r, alpha=alpha, a=a, b=b)
    n = _size(size)
    T = _horizon("T", T, n)
    try:
        end = pd.Timestamp(pd.to_datetime(observation_period_end))
        unit = pd.Timedelta(1, unit=freq)
    except (ValueError, TypeError) as error:
        raise ValueError(f"observation_period_end / freq={freq!r}: {error}") from None
    if end is pd.NaT:
        raise ValueError(f"observation_period_end: {observation_period_end!r} is not a date")
    customer, offset = _core.simulate_bgnbd_transactions(T, float(r), float(alpha), float(a), float(b), _seed(seed))
    unit_ns = float(unit.value)
    end_ns = int(end.as_unit("ns").value) if hasattr(end, "as_unit") else int(end.value)
    start_ns = end_ns - np.round((T - 1.0) * unit_ns).astype(np.int64)
    when = start_ns[customer] + np.round(offset * unit_ns).astype(np.int64)
    ids = np.empty(customer.size, dtype=object)
    ids[:] = customer.tolist()
    return pd.DataFrame({"customer_id": ids, "date": when.view("datetime64[ns]")})


# -- the models beyond lifetimes, simulated with numpy --------------------------------------
# Each draws the customers' latent rates first and then their purchases period by period
# of the purchase clock, all customers at once; `seed` seeds numpy's generator (these
# streams are not the C++ simulators'). frequency is the number of repeat purchases in
# (0, T] and recency the time of the last one (0 without repeat purchases).

def _renewals(rng, T, lam, k, p, lifetime, drop_at_start):
    """Repeat purchases in (0, T] of customers whose gaps are Gamma(k, lam) (Erlang-k), who
    leave after a purchase with chance p (and at time 0 too when drop_at_start) or at
    `lifetime`, whichever comes first. Returns frequency, recency, litt (the sum of the
    logs of the gaps) and whether each is alive at T."""
    n = T.size
    frequency, recency, litt = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool) if p is None or not drop_at_start else rng.random(n) >= p
    clock = np.zeros(n)
    buying = alive.copy()
    while buying.any():
        idx = np.flatnonzero(buying)
        gap = rng.gamma(k, 1.0 / lam[idx])
        when = clock[idx] + gap
        dead = when > lifetime[idx]  # the lifetime ends before the next purchase
        later = (when > T[idx]) | dead
        buying[idx[later]] = False
        bought = idx[~later]
        clock[bought] = when[~later]
        frequency[bought] += 1
        recency[bought] = clock[bought]
        litt[bought] += np.log(gap[~later])
        if p is not None:
            left = bought[rng.random(bought.size) < p[bought]]
            alive[left] = False
            buying[left] = False
    alive &= lifetime > T
    return frequency, recency, litt, alive


def nbd_model(T, r, alpha, size=1, seed=None):
    """Simulate customers of the NBD (Ehrenberg 1959): Poisson purchases with rate
    lambda ~ Gamma(r, alpha) and no drop-out.

    Returns a DataFrame indexed by customer_id with float columns frequency, recency, T,
    lambda."""
    _positive(r=r, alpha=alpha)
    n = _size(size)
    T = _horizon("T", T, n)
    rng = np.random.default_rng(_seed(seed))
    lam = rng.gamma(float(r), 1.0 / float(alpha), n)
    f, rec, _, _ = _renewals(rng, T, lam, 1, None, np.full(n, np.inf), False)
    return _customers([f, rec, T, lam], ["frequency", "recency", "T", "lambda"])


def _check_k(k):
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (numbers.Integral, np.integer)) or not 1 <= k <= 1000:
        raise ValueError(f"k: must be a whole number from 1 to 1000, got {k!r}")
    return int(k)


def _cnbd(T, k, r, alpha, a, b, size, seed, modified):
    _positive(r=r, alpha=alpha, a=a, b=b)
    k = _check_k(k)
    n = _size(size)
    T = _horizon("T", T, n)
    rng = np.random.default_rng(_seed(seed))
    lam = rng.gamma(float(r), 1.0 / float(alpha), n)
    p = rng.beta(float(a), float(b), n)
    f, rec, litt, alive = _renewals(rng, T, lam, k, p, np.full(n, np.inf), modified)
    return _customers([f, rec, T, litt, lam, p, alive.astype(float)],
                      ["frequency", "recency", "T", "litt", "lambda", "p", "alive"])


def beta_geometric_cnbd_model(T, k, r, alpha, a, b, size=1, seed=None):
    """Simulate customers of the BG/CNBD-k model (Platzer & Reutterer 2016): Erlang-k gaps
    between purchases with rate lambda ~ Gamma(r, alpha), drop-out after each purchase with
    probability p ~ Beta(a, b). k = 1 is the BG/NBD.

    Returns a DataFrame indexed by customer_id with float columns frequency, recency, T,
    litt (the sum of the logs of the gaps, which the fitter takes), lambda, p, alive."""
    return _cnbd(T, k, r, alpha, a, b, size, seed, False)


def modified_beta_geometric_cnbd_model(T, k, r, alpha, a, b, size=1, seed=None):
    """Simulate customers of the MBG/CNBD-k model: the BG/CNBD-k with a drop-out chance
    at time 0 too. Same layout as ``beta_geometric_cnbd_model``."""
    return _cnbd(T, k, r, alpha, a, b, size, seed, True)


def ggompertz_nbd_model(T, r, alpha, b, s, beta, size=1, seed=None):
    """Simulate customers of the GGompertz/NBD model (Bemmaor & Glady 2012): Poisson
    purchases with rate lambda ~ Gamma(r, alpha) during a Gompertz lifetime, survival
    exp(-eta (e^(b tau) - 1)) with eta ~ Gamma(s, beta).

    Returns a DataFrame indexed by customer_id with float columns frequency, recency, T,
    lambda, eta, alive."""
    _positive(r=r, alpha=alpha, b=b, s=s, beta=beta)
    n = _size(size)
    T = _horizon("T", T, n)
    rng = np.random.default_rng(_seed(seed))
    lam = rng.gamma(float(r), 1.0 / float(alpha), n)
    eta = rng.gamma(float(s), 1.0 / float(beta), n)
    # inverse of the survival function at an exponential draw: e^(b tau) - 1 = E / eta
    lifetime = np.log1p(rng.exponential(1.0, n) / eta) / float(b)
    f, rec, _, alive = _renewals(rng, T, lam, 1, None, lifetime, False)
    return _customers([f, rec, T, lam, eta, alive.astype(float)],
                      ["frequency", "recency", "T", "lambda", "eta", "alive"])


def shifted_beta_geometric_model(n_periods, alpha, beta, size=1, seed=None):
    """Simulate a cohort of the shifted-beta-geometric model (Fader & Hardie 2007): each
    customer cancels at the end of any period with probability theta ~ Beta(alpha, beta).
    Observed for ``n_periods`` periods (a number, or one per customer).

    Returns a DataFrame indexed by customer_id with float columns duration (the period of
    cancellation, or the periods observed for those still active), alive, theta: the
    (duration, alive) rows ShiftedBetaGeometricFitter.fit takes."""
    _positive(alpha=alpha, beta=beta)
    n = _size(size)
    periods = _horizon("n_periods", n_periods, n)
    if (periods != np.floor(periods)).any():
        raise ValueError("n_periods: must be whole numbers")
    rng = np.random.default_rng(_seed(seed))
    theta = rng.beta(float(alpha), float(beta), n)
    lifetime = rng.geometric(np.clip(theta, 1e-300, 1.0)).astype(float)  # the period of cancellation
    alive = lifetime > periods
    duration = np.where(alive, periods, lifetime)
    return _customers([duration, alive.astype(float), theta], ["duration", "alive", "theta"])
