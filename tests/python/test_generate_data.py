"""fastlifetimes.generate_data: lifetimes' simulators in C++.

Random streams cannot equal lifetimes', so the tests check (1) the layout (columns,
dtypes, index) against lifetimes 0.11.3's own output, (2) the distribution against
lifetimes' simulations of the same models (means of the simulated quantities agree within
4 standard errors), (3) that large simulated sets, refitted, recover their parameters
within 4 standard errors, and (4) seeds: the same data for a seed on any thread count, and
reproducibility through np.random.seed as with lifetimes.

lifetimes counts a simulated customer's repeat purchases as the distinct whole time units
they fall in (its generators do, and ours follow), which merges close purchases when the
time unit is coarse. The refits therefore simulate time in hours, where that is rare.
"""

import numpy as np
import pandas as pd
import pytest

import fastlifetimes
from fastlifetimes import BetaGeoFitter
from fastlifetimes import generate_data as gd
from fastlifetimes.utils import summary_data_from_transaction_data
from lifetimes_reference import infer_string_dtypes, run_lifetimes

HOURS_PER_WEEK = 168.0
BGNBD = dict(r=0.25, alpha=4.0, a=0.8, b=2.5)        # weeks
PARETO = dict(r=0.55, alpha=10.5, s=0.6, beta=11.7)   # weeks
BGBB = dict(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8)

# name -> (function name, positional arguments, statistics compared between the libraries)
CASES = {
    "bgnbd": ("beta_geometric_nbd_model", ("T", 0.25, 4.0, 0.8, 2.5),
              ("frequency", "recency", "alive", "lambda", "p", "no_repeat")),
    "mbgnbd": ("modified_beta_geometric_nbd_model", ("T", 0.25, 4.0, 0.8, 2.5),
               ("frequency", "recency", "alive", "lambda", "p", "no_repeat")),
    "pareto": ("pareto_nbd_model", (40.0, 0.55, 10.5, 0.6, 11.7),
               ("frequency", "recency", "alive", "lambda", "mu", "no_repeat")),
    "bgbb": ("beta_geometric_beta_binom_model", (6, 1.2, 0.75, 0.66, 2.8),
             ("frequency", "recency", "alive", "p", "theta", "no_repeat")),
}
N_COMPARED = 4000
N_LOG = 2000

REFERENCE_SNIPPET = """
from lifetimes import generate_data as gd
np.random.seed(2024)
for name, (function, args, _) in cases.items():
    args = [T if a == "T" else a for a in args]
    out[name] = getattr(gd, function)(*args, size=len(T))
    small_args = [T[:3] if isinstance(a, np.ndarray) else a for a in args]
    out[name + "_small"] = getattr(gd, function)(*small_args, size=3)
out["log"] = gd.beta_geometric_nbd_model_transactional_data(200, 0.25, 28.0, 0.8, 2.5, size=n_log)
out["log_small"] = gd.beta_geometric_nbd_model_transactional_data(np.array([30.0, 10.0]), 0.25, 4.0, 0.8, 2.5,
                                                                  observation_period_end="2020-06-30", freq="W", size=2)
"""


def horizons(n=N_COMPARED):
    return np.random.default_rng(9).uniform(20, 60, n)


@pytest.fixture(scope="module")
def reference():
    return run_lifetimes(REFERENCE_SNIPPET, cases=CASES, T=horizons(), n_log=N_LOG)


def ours(name, size, seed, T=None):
    function, args, _ = CASES[name]
    T = horizons() if T is None else T
    args = [T[:size] if a == "T" else a for a in args]
    return getattr(gd, function)(*args, size=size, seed=seed)


@pytest.mark.parametrize("name", list(CASES))
def test_layout_matches_lifetimes(reference, name):
    theirs = infer_string_dtypes(reference[name + "_small"])
    mine = ours(name, 3, seed=1)
    assert list(mine.columns) == list(theirs.columns)
    assert list(mine.dtypes) == list(theirs.dtypes)
    pd.testing.assert_index_equal(mine.index, theirs.index)  # values, dtype and name
    if "T" in mine:
        np.testing.assert_array_equal(mine["T"], theirs["T"])


def test_transaction_log_layout_matches_lifetimes(reference):
    theirs = reference["log_small"]
    mine = gd.beta_geometric_nbd_model_transactional_data(np.array([30.0, 10.0]), 0.25, 4.0, 0.8, 2.5,
                                                          observation_period_end="2020-06-30", freq="W", size=2,
                                                          seed=1)
    assert list(mine.columns) == ["customer_id", "date"] == list(theirs.columns)
    assert list(mine.dtypes) == list(theirs.dtypes)
    assert isinstance(mine.index, pd.RangeIndex) and isinstance(theirs.index, pd.RangeIndex)
    assert type(mine["customer_id"].iloc[0]) is int is type(theirs["customer_id"].iloc[0])
    # each customer's first purchase is T units before the end, as in lifetimes
    first = mine.groupby("customer_id", sort=True)["date"].min()
    assert list(first) == list(theirs.groupby("customer_id", sort=True)["date"].min())
    assert list(first) == [pd.Timestamp("2020-06-30") - pd.Timedelta(weeks=30),
                           pd.Timestamp("2020-06-30") - pd.Timedelta(weeks=10)]


def statistics(frame, names):
    cols = {n: frame[n].to_numpy(dtype=float) for n in names if n != "no_repeat"}
    if "no_repeat" in names:
        cols["no_repeat"] = (frame["frequency"].to_numpy() == 0).astype(float)
    return cols


@pytest.mark.parametrize("name", list(CASES))
def test_distribution_matches_lifetimes(reference, name):
    theirs = reference[name]
    mine = ours(name, N_COMPARED, seed=2025)
    a, b = statistics(mine, CASES[name][2]), statistics(theirs, CASES[name][2])
    for stat in a:
        se = np.sqrt(a[stat].var() / a[stat].size + b[stat].var() / b[stat].size)
        z = (a[stat].mean() - b[stat].mean()) / se
        assert abs(z) < 4, f"{name}.{stat}: means {a[stat].mean():.5g} vs lifetimes {b[stat].mean():.5g} (z = {z:.1f})"


def test_transaction_log_distribution_matches_lifetimes(reference):
    theirs = reference["log"]
    mine = gd.beta_geometric_nbd_model_transactional_data(200, 0.25, 28.0, 0.8, 2.5, size=N_LOG, seed=7)
    end = pd.Timestamp("2019-01-01")
    for stat in ("rows", "days_before_end"):
        if stat == "rows":
            a = mine.groupby("customer_id").size().to_numpy(float)
            b = theirs.groupby("customer_id").size().to_numpy(float)
        else:
            a = ((end - mine["date"]) / pd.Timedelta(days=1)).to_numpy()
            b = ((end - theirs["date"]) / pd.Timedelta(days=1)).to_numpy()
        z = (a.mean() - b.mean()) / np.sqrt(a.var() / a.size + b.var() / b.size)
        assert abs(z) < 4, f"{stat}: {a.mean():.5g} vs lifetimes {b.mean():.5g} (z = {z:.1f})"


def within_standard_errors(model, truth, k=4.0):
    z = (model.params_ - pd.Series(truth)[model.params_.index]) / model.standard_errors_
    assert (z.abs() < k).all(), f"estimates {model.params_.to_dict()} vs truth {truth}: z = {z.round(2).to_dict()}"


def hourly(params):
    """Rates per hour: alpha and beta are times."""
    return {k: v * HOURS_PER_WEEK if k in ("alpha", "beta") else v for k, v in params.items()}


def test_bgnbd_refit_recovers_its_parameters():
    n = 200_000
    T = np.random.default_rng(1).uniform(20, 60, n) * HOURS_PER_WEEK
    data = gd.beta_geometric_nbd_model(T, size=n, seed=11, **hourly(BGNBD))
    model = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    within_standard_errors(model, hourly(BGNBD))


def test_transaction_log_summarised_and_refitted_recovers_its_parameters():
    n = 50_000
    T = np.round(np.random.default_rng(2).uniform(20, 60, n) * HOURS_PER_WEEK)
    log = gd.beta_geometric_nbd_model_transactional_data(T, size=n, freq="h", seed=3, **hourly(BGNBD))
    rfm = summary_data_from_transaction_data(log, "customer_id", "date", observation_period_end="2019-1-1",
                                             freq="h", freq_multiplier=HOURS_PER_WEEK)
    assert len(rfm) == n
    model = BetaGeoFitter().fit(rfm["frequency"], rfm["recency"], rfm["T"])
    within_standard_errors(model, BGNBD)


def fitter(name):
    cls = getattr(fastlifetimes, name, None)
    if cls is None:
        pytest.skip(f"fastlifetimes.{name} is not available in this build")
    return cls


def test_mbgnbd_refit_recovers_its_parameters():
    cls = fitter("ModifiedBetaGeoFitter")
    n = 200_000
    T = np.random.default_rng(4).uniform(20, 60, n) * HOURS_PER_WEEK
    data = gd.modified_beta_geometric_nbd_model(T, size=n, seed=12, **hourly(BGNBD))
    within_standard_errors(cls().fit(data["frequency"], data["recency"], data["T"]), hourly(BGNBD))


def test_pareto_nbd_refit_recovers_its_parameters():
    cls = fitter("ParetoNBDFitter")
    n = 200_000
    T = np.random.default_rng(5).uniform(20, 60, n) * HOURS_PER_WEEK
    data = gd.pareto_nbd_model(T, size=n, seed=13, **hourly(PARETO))
    within_standard_errors(cls().fit(data["frequency"], data["recency"], data["T"]), hourly(PARETO))


def test_bgbb_refit_recovers_its_parameters():
    cls = fitter("BetaGeoBetaBinomFitter")
    data = gd.beta_geometric_beta_binom_model(6, size=200_000, seed=14, **BGBB)
    rows = data.groupby(["frequency", "recency", "n_periods"]).size().rename("weights").reset_index()
    model = cls().fit(rows["frequency"], rows["recency"], rows["n_periods"], weights=rows["weights"])
    within_standard_errors(model, BGBB)


def test_a_seed_gives_the_same_customers_whatever_the_size_and_thread_count():
    T = horizons(300_000)
    big = gd.beta_geometric_nbd_model(T, **BGNBD, size=T.size, seed=42)  # split over threads
    small = gd.beta_geometric_nbd_model(T[:50], **BGNBD, size=50, seed=42)
    pd.testing.assert_frame_equal(big.iloc[:50], small)
    again = gd.beta_geometric_nbd_model(T[:50], **BGNBD, size=50, seed=42)
    pd.testing.assert_frame_equal(again, small)
    other = gd.beta_geometric_nbd_model(T[:50], **BGNBD, size=50, seed=43)
    assert not other["lambda"].equals(small["lambda"])


def test_without_a_seed_numpy_global_seed_makes_it_reproducible():
    np.random.seed(7)
    a = gd.pareto_nbd_model(30.0, **PARETO, size=20)
    np.random.seed(7)
    b = gd.pareto_nbd_model(30.0, **PARETO, size=20)
    pd.testing.assert_frame_equal(a, b)
    c = gd.pareto_nbd_model(30.0, **PARETO, size=20)
    assert not a["lambda"].equals(c["lambda"])


def test_simulated_histories_are_valid_customer_histories():
    for name in ("bgnbd", "mbgnbd", "pareto"):
        d = ours(name, N_COMPARED, seed=3)
        assert (d["recency"] <= d["T"]).all() and (d["recency"] >= 0).all()
        assert ((d["frequency"] == 0) == (d["recency"] == 0)).all()
        assert set(np.unique(d["alive"])) <= {0.0, 1.0}
    bgbb = ours("bgbb", N_COMPARED, seed=3)
    assert (bgbb["recency"] <= bgbb["n_periods"]).all() and (bgbb["frequency"] <= bgbb["recency"]).all()
    # MBG/NBD customers can leave before any repeat purchase; BG/NBD customers cannot
    bg, mbg = ours("bgnbd", N_COMPARED, seed=3), ours("mbgnbd", N_COMPARED, seed=3)
    assert (bg.loc[bg["frequency"] == 0, "alive"] == 1).all()
    assert (mbg.loc[mbg["frequency"] == 0, "alive"] == 0).any()


@pytest.mark.parametrize("call, expected", [
    (lambda: gd.beta_geometric_nbd_model(10, -0.25, 4, 0.8, 2.5), ("r", "positive")),
    (lambda: gd.beta_geometric_nbd_model(10, 0.25, 4, 0.8, np.nan), ("b", "positive")),
    (lambda: gd.beta_geometric_nbd_model([10, 20], 0.25, 4, 0.8, 2.5, size=3), ("T", "one value per customer")),
    (lambda: gd.beta_geometric_nbd_model([10, -1], 0.25, 4, 0.8, 2.5, size=2), ("T", "negative", "[1]")),
    (lambda: gd.beta_geometric_nbd_model("10", 0.25, 4, 0.8, 2.5), ("T", "number")),
    (lambda: gd.pareto_nbd_model(10, 0.5, 10, 0.6, 0, size=2), ("beta", "positive")),
    (lambda: gd.modified_beta_geometric_nbd_model(10, 0.25, 4, 0.8, 2.5, size=-1), ("size",)),
    (lambda: gd.beta_geometric_beta_binom_model(6, 1, 1, 1, 1, size=2.5), ("size",)),
    (lambda: gd.beta_geometric_beta_binom_model(np.inf, 1, 1, 1, 1), ("N", "finite")),
    (lambda: gd.beta_geometric_nbd_model(10, 0.25, 4, 0.8, 2.5, seed=-3), ("seed",)),
    (lambda: gd.beta_geometric_nbd_model(10, 0.25, 4, 0.8, 2.5, seed="x"), ("seed",)),
    (lambda: gd.beta_geometric_nbd_model_transactional_data(10, 0.25, 4, 0.8, 2.5, freq="fortnight"), ("freq",)),
    (lambda: gd.beta_geometric_nbd_model_transactional_data(10, 0.25, 4, 0.8, 2.5, observation_period_end="soon"),
     ("observation_period_end",)),
])
def test_bad_arguments_are_refused(call, expected):
    with pytest.raises(ValueError) as info:
        call()
    assert all(s in str(info.value) for s in expected), str(info.value)


def test_transaction_log_works_on_current_pandas():
    """lifetimes' transactional generator calls DataFrame.append, gone since pandas 2."""
    end = pd.Timestamp("2019-01-01")
    log = gd.beta_geometric_nbd_model_transactional_data(30, 0.25, 4, 0.8, 2.5, size=100, seed=1)
    assert log["customer_id"].tolist() == sorted(log["customer_id"]) and log["customer_id"].nunique() == 100
    # first purchases 30 days before the end; repeat purchases up to one day after it
    assert (log.groupby("customer_id")["date"].min() == end - pd.Timedelta(days=30)).all()
    assert log["date"].max() < end + pd.Timedelta(days=1)
    assert all(g.is_monotonic_increasing for _, g in log.groupby("customer_id")["date"])
