"""fastlifetimes.evaluation and fastlifetimes.segments: the metrics on hand-made cases
with known answers, then CDNOW with a 39/39-week calibration/holdout split."""

import warnings

import numpy as np
import pandas as pd
import pytest

import fastlifetimes as lifetimes
from fastlifetimes.datasets import load_dataset
from fastlifetimes.evaluation import (
    HoldoutReport,
    calibration_by_segment,
    evaluate_holdout,
    holdout_predictions,
    lorenz_curve,
    ranking_metrics,
)
from fastlifetimes.segments import cohort_table, net_revenue_summary, value_tiers
from fastlifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data


def reference_gini(score, actual):
    """Gini of the gains curve in plain numpy: tied scores share their value evenly."""
    order = np.argsort(-score, kind="stable")
    s, a = score[order], actual[order]
    blocks = np.flatnonzero(np.r_[True, s[1:] != s[:-1], True])
    x = blocks / len(a)
    y = np.r_[0.0, np.cumsum(a)][blocks] / a.sum()
    return np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1])) - 1.0


# -- hand-made cases ---------------------------------------------------------------------

def test_perfect_ranking_has_normalised_gini_one_and_reversed_minus_one():
    actual = np.array([0.0, 10, 0, 30, 60])
    perfect = ranking_metrics([1, 2, 0, 3, 4], actual, top_percents=(20, 50), groups=5)
    assert perfect["normalised_gini"] == pytest.approx(1.0)
    assert perfect["gini"] == pytest.approx(0.6)
    np.testing.assert_allclose(perfect["top_shares"], [0.6, 0.95])
    np.testing.assert_allclose(perfect["group_actual"], [60, 30, 10, 0, 0])
    reversed_ = ranking_metrics([3, 2, 4, 1, 0], actual)
    assert reversed_["normalised_gini"] == pytest.approx(-1.0)


def test_random_ranking_has_gini_near_zero():
    rng = np.random.default_rng(7)
    actual = rng.gamma(0.5, 100.0, size=100_000)
    g = ranking_metrics(rng.random(actual.size), actual)["normalised_gini"]
    assert abs(g) < 0.05  # 0 up to sampling noise (about 0.015 for such skewed values)


def test_ties_share_their_value_and_a_constant_forecast_ranks_like_chance():
    actual = np.array([30.0, 10, 10, 0])
    ranking = ranking_metrics([5, 5, 1, 0], actual, top_percents=(25,), groups=2)
    assert ranking["top_shares"][0] == pytest.approx(0.4)  # half of the tied block's 40
    assert ranking["gini"] == pytest.approx(reference_gini(np.array([5.0, 5, 1, 0]), actual))
    flat = ranking_metrics(np.ones(4), actual, top_percents=(1, 5, 10, 20))
    assert flat["gini"] == pytest.approx(0.0)
    np.testing.assert_allclose(flat["top_shares"], [0.01, 0.05, 0.10, 0.20])
    curve = lorenz_curve(np.ones(4), actual)
    assert curve.to_numpy().tolist() == [[0.0, 0.0], [1.0, 1.0]]


def test_gini_matches_a_plain_numpy_computation_with_many_ties():
    rng = np.random.default_rng(3)
    score = rng.integers(0, 20, size=5000).astype(float)
    actual = rng.poisson(score / 4.0).astype(float)
    ours = ranking_metrics(score, actual)
    assert ours["gini"] == pytest.approx(reference_gini(score, actual), abs=1e-12)
    assert ours["normalised_gini"] == pytest.approx(
        reference_gini(score, actual) / reference_gini(actual, actual), abs=1e-12)


def test_ranking_input_checks():
    with pytest.raises(ValueError, match="every value is 0"):
        ranking_metrics([1, 2], [0, 0])
    with pytest.raises(ValueError, match="actual: negative values"):
        ranking_metrics([1, 2], [1, -1])
    with pytest.raises(ValueError, match="same length"):
        ranking_metrics([1, 2, 3], [1, 1])
    with pytest.raises(ValueError, match="groups"):
        ranking_metrics([1, 2], [1, 1], groups=0)
    with pytest.raises(ValueError, match="top_percents"):
        ranking_metrics([1, 2], [1, 1], top_percents=(120,))


def test_calibration_by_segment_by_hand():
    predicted = np.array([1.0, 2, 3, 4, 5, 1])
    actual = np.array([2.0, 0, 3, 8, 0, 1])
    segments = {"channel": ["web", "shop", "web", "shop", "app", None]}
    table = calibration_by_segment(predicted, actual, segments)
    assert list(table.index.get_level_values("segment")) == ["app", "shop", "web", "(missing)"]
    web = table.loc[("channel", "web")]
    assert web["customers"] == 2
    assert web["ratio"] == pytest.approx(4 / 5)
    assert web["mape"] == pytest.approx(0.25)  # (0.5 + 0) / 2
    shop = table.loc[("channel", "shop")]
    assert shop["mape"] == pytest.approx(0.5) and shop["customers_in_mape"] == 1
    # global MAPE: (0.5 + 0 + 0.5 + 0) / 4 = 0.25; shop's 0.5 is above 1.5 x 0.25
    assert table.attrs["global_mape"] == pytest.approx(0.25)
    assert bool(shop["mape_flag"]) and not bool(web["mape_flag"])
    assert bool(table.loc[("channel", "app"), "ratio_flag"])  # nothing realised: ratio inf
    assert not bool(table.loc[("channel", "(missing)"), "ratio_flag"])  # 1 / 1


def test_calibration_by_an_ordered_segment_keeps_its_order():
    tiers = value_tiers(np.arange(1.0, 21.0))
    table = calibration_by_segment(np.arange(1.0, 21.0), np.arange(1.0, 21.0), {"tier": tiers})
    assert list(table.index.get_level_values("segment")) == ["Low", "Medium", "High", "VIP"]
    assert table["customers"].tolist() == [10, 6, 3, 1]
    assert not table["ratio_flag"].any()


def test_value_tiers_cut_at_quantiles_and_keep_ties_together():
    tiers = value_tiers(pd.Series(np.arange(1.0, 101.0), index=[f"c{i}" for i in range(100)]))
    assert tiers.cat.ordered and tiers.name == "value_tier"
    assert tiers.value_counts().to_dict() == {"Low": 50, "Medium": 30, "High": 15, "VIP": 5}
    assert tiers["c0"] == "Low" and tiers["c99"] == "VIP"
    zeros = value_tiers(np.r_[np.zeros(90), np.arange(1.0, 11.0)])
    assert (zeros[:90] == "Low").all()
    custom = value_tiers([1, 2, 3, 4], labels=("low", "high"), quantiles=(0.5,))
    assert custom.tolist() == ["low", "low", "high", "high"]
    with pytest.raises(ValueError, match="labels"):
        value_tiers([1, 2], labels=("a", "b"))
    with pytest.raises(ValueError, match="quantiles"):
        value_tiers([1, 2], labels=("a", "b", "c"), quantiles=(0.8, 0.5))


def test_net_revenue_summary_nets_refunds_within_the_period_and_reports_the_rest():
    log = pd.DataFrame({
        "id": ["a", "a", "a", "b", "b", "c", "c", "d"],
        "date": ["2024-01-01", "2024-01-02", "2024-01-15", "2024-01-03", "2024-01-03",
                 "2024-01-01", "2024-01-10", "2024-01-20"],
        "amount": [100.0, -30.0, 50.0, 20.0, -20.0, 40.0, -60.0, 10.0],
    })
    with pytest.warns(UserWarning, match="2 customer"):
        summary, not_positive = net_revenue_summary(log, "id", "date", "amount", freq="W")
    # a: weeks of Jan 1 (100 - 30 = 70) and Jan 15 (50): one repeat purchase of 50
    assert summary.loc["a", "frequency"] == 1 and summary.loc["a", "monetary_value"] == 50
    assert "b" not in summary.index  # bought and returned within the week: no purchase
    assert summary.loc["c", "frequency"] == 0  # the refund week is not a purchase
    assert list(not_positive.index) == ["b", "c"]
    assert not_positive.loc["b"].to_dict() == {"gross_value": 20.0, "refunds": -20.0, "net_value": 0.0,
                                               "unnetted_refunds": 0.0, "in_summary": False}
    assert not_positive.loc["c", "net_value"] == -20 and not_positive.loc["c", "unnetted_refunds"] == -60
    assert bool(not_positive.loc["c", "in_summary"])
    # without refunds it is the plain summary, and nothing to report
    plain = log[log["amount"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net, nothing = net_revenue_summary(plain, "id", "date", "amount", freq="W")
    pd.testing.assert_frame_equal(net, summary_data_from_transaction_data(plain, "id", "date", "amount", freq="W"))
    assert nothing.empty


# -- CDNOW, 39 weeks of calibration and 39 of holdout -------------------------------------

@pytest.fixture(scope="module")
def cdnow():
    return load_dataset("CDNOW_master.txt", sep=r"\s+", dtype={"date": str})


@pytest.fixture(scope="module")
def split(cdnow):
    frame = calibration_and_holdout_data(cdnow, "customer_id", "date", "19970930", "19980630", freq="W",
                                         datetime_format="%Y%m%d", monetary_value_col="dollar_value")
    bgf = lifetimes.BetaGeoFitter().fit(frame["frequency_cal"], frame["recency_cal"], frame["T_cal"])
    repeat = frame[(frame["frequency_cal"] > 0) & (frame["monetary_value_cal"] > 0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # CDNOW's frequency/spend correlation warning
        ggf = lifetimes.GammaGammaFitter().fit(repeat["frequency_cal"], repeat["monetary_value_cal"])
    return frame, bgf, ggf


@pytest.fixture(scope="module")
def report(split):
    frame, bgf, ggf = split
    return evaluate_holdout(bgf, frame, spend_model=ggf)


def test_cdnow_split_is_39_weeks_each(split):
    frame, _, _ = split
    assert len(frame) == 23_570
    assert (frame["duration_holdout"] == 39).all()
    assert frame["T_cal"].max() == 39


def test_cdnow_per_customer_predictions(split, report):
    frame, bgf, ggf = split
    customers = report.customers
    np.testing.assert_allclose(customers["predicted_purchases"], bgf.predict(
        39, frame["frequency_cal"], frame["recency_cal"], frame["T_cal"]), rtol=1e-14)
    spend = ggf.conditional_expected_average_profit(frame["frequency_cal"], frame["monetary_value_cal"])
    np.testing.assert_allclose(customers["predicted_value"], customers["predicted_purchases"] * spend, rtol=1e-14)
    np.testing.assert_array_equal(customers["actual_value"],
                                  frame["frequency_holdout"] * frame["monetary_value_holdout"])
    np.testing.assert_allclose(customers["naive_purchases"], frame["frequency_cal"] * 39 / frame["T_cal"])
    assert customers.index.equals(frame.index)
    pd.testing.assert_frame_equal(customers, holdout_predictions(bgf, frame, ggf))


def test_cdnow_metrics_match_numpy(report):
    customers = report.customers
    for target in ("value", "purchases"):
        actual = customers[f"actual_{target}"].to_numpy()
        for forecast in ("model", "naive"):
            predicted = customers[f"{'predicted' if forecast == 'model' else 'naive'}_{target}"].to_numpy()
            row = report.metrics.loc[(target, forecast)]
            error = predicted - actual
            assert row["rmse"] == pytest.approx(np.sqrt(np.mean(error**2)), rel=1e-12)
            assert row["mae"] == pytest.approx(np.mean(np.abs(error)), rel=1e-12)
            assert row["median_absolute_error"] == pytest.approx(np.median(np.abs(error)), rel=1e-12)
            r2 = 1 - np.sum(error**2) / np.sum((actual - actual.mean()) ** 2)
            assert row["r_squared"] == pytest.approx(r2, rel=1e-10)
            assert row["gini"] == pytest.approx(reference_gini(predicted, actual), abs=1e-10)
            assert row["normalised_gini"] == pytest.approx(
                reference_gini(predicted, actual) / reference_gini(actual, actual), abs=1e-10)


def test_cdnow_the_model_beats_the_naive_forecast(report):
    m = report.metrics
    for target in ("value", "purchases"):
        model, naive = m.loc[(target, "model")], m.loc[(target, "naive")]
        assert model["rmse"] < naive["rmse"]
        assert model["mae"] < naive["mae"]
        assert model["normalised_gini"] > naive["normalised_gini"]
        assert 0.5 < model["normalised_gini"] < 1
    shares = m.loc[("value", "model"), ["top_1%", "top_5%", "top_10%", "top_20%"]].to_numpy(dtype=float)
    assert (np.diff(shares) > 0).all() and 0.01 < shares[0] and shares[-1] < 1


def test_cdnow_top_shares_and_deciles(report):
    customers = report.customers.sort_values("predicted_value", ascending=False, kind="stable")
    actual = customers["actual_value"].to_numpy()
    top = int(0.2 * len(actual))  # 4714 customers: no tie at this boundary in CDNOW
    assert customers["predicted_value"].iloc[top - 1] != customers["predicted_value"].iloc[top]
    top_share = actual[:top].sum() / actual.sum()
    assert report.metrics.loc[("value", "model"), "top_20%"] == pytest.approx(top_share, rel=1e-12)
    deciles = report.deciles
    assert list(deciles.index) == list(range(1, 11)) and deciles.index.name == "decile"
    assert deciles["customers"].sum() == len(actual)
    assert set(deciles["customers"]) == {2357}
    assert deciles["share_of_actual"].sum() == pytest.approx(1.0)
    assert deciles["mean_predicted"].is_monotonic_decreasing
    assert deciles["mean_actual"].iloc[0] > 5 * deciles["mean_actual"].iloc[-1]
    curve = report.lorenz
    assert curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]


def test_cdnow_calibration_by_cohort_and_readable_report(split, cdnow, report):
    frame, bgf, ggf = split
    first = pd.to_datetime(cdnow["date"], format="%Y%m%d").groupby(cdnow["customer_id"]).min()
    cohort = first.dt.to_period("M").astype(str).reindex(frame.index)
    with_segments = evaluate_holdout(bgf, frame, spend_model=ggf, segments={"cohort": cohort})
    table = with_segments.segments
    assert list(table.index.get_level_values("segment")) == ["1997-01", "1997-02", "1997-03"]
    assert table["customers"].sum() == len(frame)
    for label in ("1997-01", "1997-02", "1997-03"):
        members = cohort == label
        row = table.loc[("cohort", label)]
        assert row["mean_predicted"] == pytest.approx(with_segments.customers.loc[members, "predicted_value"].mean())
        assert row["mean_actual"] == pytest.approx(with_segments.customers.loc[members, "actual_value"].mean())
    text = repr(with_segments)
    for heading in ("Holdout evaluation: 23,570 customers", "normalised_gini", "Deciles", "Calibration",
                    "1997-02", "naive"):
        assert heading in text
    assert isinstance(report, HoldoutReport) and "Calibration" not in repr(report)


def test_cdnow_purchases_only_without_a_spend_model(split):
    frame, bgf, _ = split
    report = evaluate_holdout(lifetimes.ParetoNBDFitter().fit(
        frame["frequency_cal"], frame["recency_cal"], frame["T_cal"]), frame, segments=None)
    assert report.target == "purchases"
    assert list(report.metrics.index) == [("purchases", "model"), ("purchases", "naive")]
    assert "predicted_value" not in report.customers


def test_cdnow_cohort_table(cdnow):
    summary = summary_data_from_transaction_data(cdnow, "customer_id", "date", datetime_format="%Y%m%d", freq="W")
    bgf = lifetimes.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    alive = bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
    clv = bgf.predict(52, summary["frequency"], summary["recency"], summary["T"])  # any per-customer score
    table = cohort_table(cdnow, "customer_id", "date", clv, alive, datetime_format="%Y%m%d")
    assert [str(p) for p in table.index] == ["1997-01", "1997-02", "1997-03"]
    assert table["customers"].sum() == 23_570
    first_month = pd.to_datetime(cdnow["date"], format="%Y%m%d").groupby(cdnow["customer_id"]).min().dt.to_period("M")
    for month in table.index:
        members = (first_month == month).reindex(clv.index).to_numpy()
        assert table.loc[month, "customers"] == members.sum()
        assert table.loc[month, "share_alive"] == pytest.approx((alive[members] > 0.5).mean())
        assert table.loc[month, "mean_p_alive"] == pytest.approx(alive[members].mean())
        assert table.loc[month, "mean_predicted_clv"] == pytest.approx(clv[members].mean())
    with pytest.raises(ValueError, match="not in the transaction log"):
        cohort_table(cdnow[cdnow["customer_id"] > 10], "customer_id", "date", clv, alive, datetime_format="%Y%m%d")


def test_evaluation_input_checks(split):
    frame, bgf, ggf = split
    with pytest.raises(ValueError, match="missing column"):
        evaluate_holdout(bgf, frame.drop(columns="frequency_holdout"))
    with pytest.raises(ValueError, match="monetary_value_cal"):
        evaluate_holdout(bgf, frame.drop(columns="monetary_value_cal"), spend_model=ggf)
    with pytest.raises(ValueError, match="transaction model"):
        evaluate_holdout(ggf, frame)
    with pytest.raises(ValueError, match="not in calibration_holdout"):
        evaluate_holdout(bgf, frame, segments=["country"])
    with pytest.raises(ValueError, match="no holdout purchases"):
        evaluate_holdout(bgf, frame.assign(frequency_holdout=0))


def test_plots_return_axes(report):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from fastlifetimes.plotting import plot_decile_table, plot_lorenz_curve

    ax = plot_lorenz_curve(report)
    assert len(ax.get_lines()) == 4  # model, naive, perfect, random
    assert "normalised Gini" in ax.get_legend().get_texts()[0].get_text()
    plt.close("all")
    ax = plot_decile_table(report)
    assert len(ax.patches) == 20
    plt.close("all")
    with pytest.raises(ValueError, match="HoldoutReport"):
        plot_lorenz_curve(report.metrics)
