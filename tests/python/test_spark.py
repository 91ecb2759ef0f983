"""fastlifetimes.spark on a real local Spark (local[2]) against the single-machine functions:
the summary on the CDNOW log and on synthetic logs (text, TIMESTAMP, TIMESTAMP_NTZ and DATE
columns), fitting on compressed rows against fitting every customer, scoring against the
fitters' own methods, and the checks. One SparkSession for the module."""

import os
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (scripts/setup.sh installs openjdk-17-jre-headless)",
                allow_module_level=True)

import fastlifetimes as lifetimes
from fastlifetimes import spark as fls
from fastlifetimes.datasets import load_dataset
from fastlifetimes.utils import summary_data_from_transaction_data
from synthetic import transaction_log

CDNOW = dict(customer_id_col="customer_id", datetime_col="date", monetary_value_col="dollar_value",
             datetime_format="%Y%m%d")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # the executors' Python is this one (with this fastlifetimes), not python3 on PATH
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("fastlifetimes-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# pyspark warns about pandas versions newer than those it was tested with
pytestmark = [pytest.mark.filterwarnings("ignore:PySpark does not yet fully support"),
              pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]


@pytest.fixture(scope="module")
def cdnow():
    return load_dataset("CDNOW_master.txt", sep=r"\s+", dtype={"date": str})


@pytest.fixture(scope="module")
def cdnow_spark(spark, cdnow):
    return spark.createDataFrame(cdnow).cache()


def as_frame(summary, customer_id_col):
    """A Spark summary as the single-machine function returns it: indexed by id, sorted."""
    frame = summary.toPandas().set_index(customer_id_col).sort_index()
    frame.index.name = customer_id_col
    return frame


def assert_same_summary(ours, expected):
    assert list(ours.columns) == list(expected.columns)
    assert list(ours.index) == list(expected.index)
    for column in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(ours[column].to_numpy(), expected[column].to_numpy(), err_msg=column)
    if "monetary_value" in expected:
        # sums of doubles in Spark's order
        np.testing.assert_allclose(ours["monetary_value"].to_numpy(), expected["monetary_value"].to_numpy(),
                                   rtol=1e-13, atol=0)


@pytest.mark.parametrize("options", [
    {},
    dict(observation_period_end="19970930", freq_multiplier=7),
    dict(freq="W", include_first_transaction=True),
], ids=["days", "calibration end in weeks", "weekly periods with the first purchase"])
def test_cdnow_summary_matches_pandas(cdnow, cdnow_spark, options):
    expected = summary_data_from_transaction_data(cdnow, **CDNOW, **options)
    summary = fls.summary_data_from_transaction_data(cdnow_spark, **CDNOW, **options)
    assert summary.columns == ["customer_id", "frequency", "recency", "T", "monetary_value"]
    assert_same_summary(as_frame(summary, "customer_id"), expected)


@pytest.fixture(scope="module")
def synthetic():
    return transaction_log(4000, string_ids=True)


@pytest.mark.parametrize("column_type", ["timestamp", "timestamp_ntz", "string", "date"])
def test_synthetic_summary_matches_pandas(spark, synthetic, column_type):
    log = synthetic
    options = dict(freq="h", observation_period_end="2021-01-01 12:30:00")
    if column_type == "string":
        log = log.assign(when=log["when"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    if column_type == "date":
        log = log.assign(when=log["when"].dt.floor("D"))
        options = dict(freq="W", include_first_transaction=True)
    frame = spark.createDataFrame(log)
    if column_type in ("timestamp_ntz", "date"):
        frame = frame.withColumn("when", frame["when"].cast(column_type))
    expected = summary_data_from_transaction_data(log, "customer", "when", "amount", **options)
    summary = fls.summary_data_from_transaction_data(frame, "customer", "when", "amount", **options)
    assert_same_summary(as_frame(summary, "customer"), expected)


def test_wall_time_of_timestamps_in_a_zone_with_daylight_saving(spark):
    """A TIMESTAMP's wall time in the session zone is what toPandas shows; periods are
    counted on it, across a DST change, as pandas counts on naive times."""
    log = pd.DataFrame({"id": [1, 1, 1, 2], "when": pd.to_datetime(
        ["2021-03-13 23:30", "2021-03-14 03:30", "2021-03-15 00:10", "2021-03-14 12:00"])})
    expected = summary_data_from_transaction_data(log, "id", "when", freq="h")
    previous = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    try:
        summary = fls.summary_data_from_transaction_data(spark.createDataFrame(log), "id", "when", freq="h")
        assert_same_summary(as_frame(summary, "id"), expected)
    finally:
        spark.conf.set("spark.sql.session.timeZone", previous)


@pytest.fixture(scope="module")
def cdnow_summaries(cdnow, cdnow_spark):
    summary = fls.summary_data_from_transaction_data(cdnow_spark, **CDNOW).cache()
    return summary_data_from_transaction_data(cdnow, **CDNOW), summary


@pytest.mark.parametrize("model", [lifetimes.BetaGeoFitter, lifetimes.ParetoNBDFitter,
                                   lifetimes.ModifiedBetaGeoFitter])
def test_fit_on_compressed_rows_gives_the_parameters_of_every_row(cdnow_summaries, model):
    rows, summary = cdnow_summaries
    everyone = model().fit(rows["frequency"], rows["recency"], rows["T"])
    compressed = fls.fit(model(), summary)
    assert len(compressed.data) < len(rows) / 2  # really compressed (daily units: 11,104 rows)
    assert compressed.data["weights"].sum() == len(rows)
    # the C++ fitter compresses to unique rows itself, so the two fits are the same sums:
    # the parameters agree to the last bit
    np.testing.assert_array_equal(compressed.params_.to_numpy(), everyone.params_.to_numpy())
    assert compressed.log_likelihood_ == everyone.log_likelihood_


def test_gamma_gamma_fit_on_compressed_rows(cdnow_summaries):
    rows, summary = cdnow_summaries
    repeat = rows[(rows["frequency"] > 0) & (rows["monetary_value"] > 0)]
    everyone = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    compressed = fls.fit(lifetimes.GammaGammaFitter(), summary.where("frequency > 0 AND monetary_value > 0"))
    assert compressed.data["weights"].sum() == len(repeat)
    # sums over rows in another order: the last bits differ
    np.testing.assert_allclose(compressed.params_.to_numpy(), everyone.params_.to_numpy(), rtol=1e-11)


def test_fit_sums_given_weights_and_takes_other_column_names(spark):
    """BG/BB on the donations data, already one row per history with its head count: rows
    split in two still fit to the same parameters, the weights summed in Spark."""
    from fastlifetimes.datasets import load_donations

    donations = load_donations()
    expected = lifetimes.BetaGeoBetaBinomFitter().fit(
        donations["frequency"], donations["recency"], donations["periods"], weights=donations["weights"])
    halves = pd.concat([donations.assign(weights=donations["weights"] // 2),
                        donations.assign(weights=donations["weights"] - donations["weights"] // 2)])
    fitted = fls.fit(lifetimes.BetaGeoBetaBinomFitter(), spark.createDataFrame(halves),
                     columns=["frequency", "recency", "periods"], weights_col="weights")
    assert fitted.data["weights"].sum() == donations["weights"].sum()
    np.testing.assert_allclose(fitted.params_.to_numpy(), expected.params_.to_numpy(), rtol=1e-12)


def test_score_matches_the_fitters_methods(cdnow_summaries):
    rows, summary = cdnow_summaries
    bgf = lifetimes.BetaGeoFitter().fit(rows["frequency"], rows["recency"], rows["T"])
    repeat = rows[(rows["frequency"] > 0) & (rows["monetary_value"] > 0)]
    ggf = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    scored = fls.score(summary, bgf, horizons=[30, 90.5], spend_model=ggf, time=6, discount_rate=0.02)
    assert scored.columns[-5:] == ["expected_purchases_30", "expected_purchases_90_5", "p_alive",
                                   "expected_average_value", "clv"]
    got = as_frame(scored, "customer_id")
    f, r, T, m = (rows[c] for c in ("frequency", "recency", "T", "monetary_value"))
    np.testing.assert_allclose(got["expected_purchases_30"], bgf.predict(30, f, r, T), rtol=1e-13)
    np.testing.assert_allclose(got["expected_purchases_90_5"], bgf.predict(90.5, f, r, T), rtol=1e-13)
    np.testing.assert_allclose(got["p_alive"], bgf.conditional_probability_alive(f, r, T), rtol=1e-13)
    np.testing.assert_allclose(got["expected_average_value"], ggf.conditional_expected_average_profit(f, m),
                               rtol=1e-13)
    np.testing.assert_allclose(got["clv"], ggf.customer_lifetime_value(bgf, f, r, T, m, time=6, discount_rate=0.02),
                               rtol=1e-12)


def test_score_takes_a_saved_model_document(tmp_path, cdnow_summaries):
    rows, summary = cdnow_summaries
    pnbd = lifetimes.ParetoNBDFitter().fit(rows["frequency"], rows["recency"], rows["T"])
    pnbd.save_model(tmp_path / "pnbd.json")
    scored = as_frame(fls.score(summary, (tmp_path / "pnbd.json").read_text(), horizons=7), "customer_id")
    np.testing.assert_allclose(scored["expected_purchases_7"],
                               pnbd.predict(7, rows["frequency"], rows["recency"], rows["T"]), rtol=1e-13)
    assert "clv" not in scored


def test_bad_logs_are_refused_naming_the_column(spark):
    good = pd.DataFrame({"id": [1, 2], "when": ["2020-01-01", "2020-01-02"], "amount": [1.0, 2.0]})
    frame = spark.createDataFrame(good)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['day'\]"):
        fls.summary_data_from_transaction_data(frame, "id", "day")
    with pytest.raises(ValueError, match="transactions: expected a Spark DataFrame"):
        fls.summary_data_from_transaction_data(good, "id", "when")
    with pytest.raises(ValueError, match="freq="):
        fls.summary_data_from_transaction_data(frame, "id", "when", freq="M")
    with pytest.raises(ValueError, match="observation_period_end: .* before the first transaction"):
        fls.summary_data_from_transaction_data(frame, "id", "when", observation_period_end="2019-01-01")
    missing = spark.createDataFrame(pd.DataFrame({"id": [1.0, None], "when": pd.to_datetime(["2020-01-01"] * 2)}))
    with pytest.raises(ValueError, match="id: missing customer ids in 1 row"):
        fls.summary_data_from_transaction_data(missing, "id", "when")
    nan_amount = spark.createDataFrame(good.assign(amount=[1.0, np.nan]))
    with pytest.raises(ValueError, match="amount: missing, NaN or infinite values in 1 row"):
        fls.summary_data_from_transaction_data(nan_amount, "id", "when", "amount")
    text_amount = spark.createDataFrame(good.assign(amount=["1", "2"]))
    with pytest.raises(ValueError, match="amount: expected numbers"):
        fls.summary_data_from_transaction_data(text_amount, "id", "when", "amount")
    ancient = spark.createDataFrame(good).selectExpr("id", "if(id = 2, date'1500-01-01', date'2020-01-01') as day")
    with pytest.raises(ValueError, match="day: dates outside .* in 1 row"):
        fls.summary_data_from_transaction_data(ancient, "id", "day")
    bad_date = spark.createDataFrame(good.assign(when=["2020-01-01", "not a date"]))
    with pytest.raises(ValueError, match="when: unparsable dates"):
        fls.summary_data_from_transaction_data(bad_date, "id", "when", datetime_format="%Y-%m-%d")


def test_fit_and_score_refuse_what_they_cannot_use(cdnow_summaries):
    _, summary = cdnow_summaries
    with pytest.raises(ValueError, match=r"columns: expected 3 names"):
        fls.fit(lifetimes.BetaGeoFitter(), summary, columns=["frequency", "recency"])
    with pytest.raises(ValueError, match=r"missing column\(s\) \['age'\]"):
        fls.fit(lifetimes.BetaGeoFitter(), summary, columns=["frequency", "recency", "age"])
    bgbb = lifetimes.BetaGeoBetaBinomFitter().fit([1, 0, 2], [3, 0, 4], [5, 5, 5])
    with pytest.raises(ValueError, match="model: expected a fitted BetaGeoFitter"):
        fls.score(summary, bgbb)
    bgf = lifetimes.BetaGeoFitter().fit([1, 0, 2], [3, 0, 4], [5, 5, 5])
    with pytest.raises(ValueError, match="already has column"):
        fls.score(summary.withColumn("p_alive", summary["T"]), bgf)
