"""examples/etl/score_customers.py run as the nightly job would run it, on the CDNOW log:
its output must be what the library's own calls give."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fastlifetimes as lifetimes
from fastlifetimes.datasets import load_dataset
from fastlifetimes.utils import summary_data_from_transaction_data

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "etl" / "score_customers.py"
DISCOUNT_RATE = 0.02  # not the default, so that the option is seen to reach the CLV
COLUMNS = ["customer_id", "frequency", "recency", "T", "monetary_value",
           "expected_purchases_30d", "expected_purchases_90d", "expected_purchases_365d",
           "p_alive", "expected_average_value", "clv_12m"]


@pytest.fixture(scope="module")
def cdnow():
    return load_dataset("CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str})


@pytest.fixture(scope="module")
def expected(cdnow):
    """The scores computed directly with the library, one call per column."""
    summary = summary_data_from_transaction_data(cdnow, "customer_id", "date", "dollar_value",
                                                 datetime_format="%Y%m%d", freq="D")
    f, r, T, m = (summary[c] for c in ("frequency", "recency", "T", "monetary_value"))
    bgf = lifetimes.BetaGeoFitter().fit(f, r, T)
    repeat = summary[(f > 0) & (m > 0)]
    ggf = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    out = summary.copy()
    for days in (30, 90, 365):
        out[f"expected_purchases_{days}d"] = bgf.conditional_expected_number_of_purchases_up_to_time(
            days, f, r, T)
    out["p_alive"] = bgf.conditional_probability_alive(f, r, T)
    out["expected_average_value"] = ggf.conditional_expected_average_profit(f, m)
    out["clv_12m"] = ggf.customer_lifetime_value(bgf, f, r, T, m, time=12,
                                                 discount_rate=DISCOUNT_RATE, freq="D")
    return out.reset_index(), bgf, ggf


def run_script(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def check_scores(scores, expected_scores):
    assert list(scores.columns) == COLUMNS
    assert len(scores) == len(expected_scores) == 23_570
    assert scores["customer_id"].tolist() == expected_scores["customer_id"].tolist()
    for column in COLUMNS[1:]:
        np.testing.assert_allclose(scores[column], expected_scores[column], rtol=1e-10, atol=0,
                                   err_msg=column)


def test_csv_with_default_column_names(tmp_path, cdnow, expected):
    log = tmp_path / "cdnow.csv"
    cdnow.rename(columns={"dollar_value": "monetary_value"}).to_csv(log, index=False)
    out = tmp_path / "scores.csv"
    result = run_script(log, out, "--date-format", "%Y%m%d", "--discount-rate", DISCOUNT_RATE)
    assert result.returncode == 0, result.stderr
    check_scores(pd.read_csv(out, dtype={"customer_id": str}), expected[0])
    stages = ["read 69,659 transactions", "summarised 23,570 customers", "fitted BG/NBD",
              "fitted Gamma-Gamma on 11,515 repeat customers", "scored 23,570", "wrote 23,570 rows",
              "done in"]
    for stage in stages:
        assert stage in result.stderr
    assert "scoring" not in result.stderr  # no progress bar when stderr is not a terminal


def test_parquet_with_named_columns_and_saved_models(tmp_path, cdnow, expected):
    log = tmp_path / "cdnow.parquet"
    cdnow.to_parquet(log, index=False)
    out, models = tmp_path / "scores.parquet", tmp_path / "models"
    result = run_script(log, out, "--monetary-col", "dollar_value", "--date-format", "%Y%m%d",
                        "--discount-rate", DISCOUNT_RATE, "--models-dir", models,
                        "--chunk-size", 5000)
    assert result.returncode == 0, result.stderr
    check_scores(pd.read_parquet(out), expected[0])
    _, bgf, ggf = expected
    saved_bgf = lifetimes.BetaGeoFitter().load_model(models / "bgnbd.json")
    saved_ggf = lifetimes.GammaGammaFitter().load_model(models / "gamma_gamma.json")
    np.testing.assert_allclose(saved_bgf.params_, bgf.params_, rtol=1e-10)
    np.testing.assert_allclose(saved_ggf.params_, ggf.params_, rtol=1e-10)


@pytest.mark.parametrize("problem", ["missing file", "missing column"])
def test_bad_input_is_one_error_line(tmp_path, cdnow, problem):
    log = tmp_path / "cdnow.csv"
    if problem == "missing column":
        cdnow.head(100).to_csv(log, index=False)  # its value column is dollar_value
    result = run_script(log, tmp_path / "scores.csv")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ERROR" in lines[0], result.stderr
    assert ("input file not found" if problem == "missing file" else "'monetary_value'") in lines[0]
    assert not (tmp_path / "scores.csv").exists()
