"""The ``fastlifetimes`` console script, run as a subprocess on the CDNOW log: every
subcommand gives the Python API's numbers, and bad input ends in one line and exit 1."""

import json
import shutil
import subprocess
import sys
import warnings
from importlib.resources import as_file, files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fastlifetimes as lifetimes
from fastlifetimes.datasets import load_dataset
from fastlifetimes.evaluation import evaluate_holdout
from fastlifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data

SCRIPT = shutil.which("fastlifetimes", path=str(Path(sys.executable).parent)) or "fastlifetimes"
CDNOW = ["--sep", r"\s+", "--customer-id-col", "customer_id", "--date-col", "date",
         "--date-format", "%Y%m%d", "--monetary-col", "dollar_value"]


def run(*args, module=False):
    command = [sys.executable, "-m", "fastlifetimes"] if module else [SCRIPT]
    return subprocess.run(command + [str(a) for a in args], capture_output=True, text=True, timeout=300)


def ok(*args, **kwargs):
    result = run(*args, **kwargs)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def fails(*args, message):
    result = run(*args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("fastlifetimes ") and "error:" in lines[0]
    assert message in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def cdnow_path():
    with as_file(files("fastlifetimes.datasets") / "CDNOW_master.txt") as path:
        yield path


@pytest.fixture(scope="module")
def cdnow():
    return load_dataset("CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str})


@pytest.fixture(scope="module")
def summary(cdnow):
    return summary_data_from_transaction_data(cdnow, "customer_id", "date", "dollar_value",
                                              datetime_format="%Y%m%d", freq="W")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def rfm_csv(cdnow_path, workdir):
    out = workdir / "rfm.csv"
    ok("summarize", cdnow_path, out, *CDNOW, "--freq", "W")
    return out


def test_help_lists_the_subcommands_with_examples():
    top = ok("--help").stdout
    for command in ("summarize", "fit", "predict", "evaluate"):
        assert command in top
        text = ok(command, "--help").stdout
        assert "examples:" in text and f"fastlifetimes {command}" in text
    assert ok("--version").stdout.startswith("fastlifetimes ")
    assert "summarize" in ok("--help", module=True).stdout


def test_summarize_gives_the_summary(rfm_csv, summary):
    table = pd.read_csv(rfm_csv, dtype={"customer_id": str}).set_index("customer_id")
    pd.testing.assert_frame_equal(table, summary, check_dtype=False, rtol=1e-15)
    assert table.index[0] == "00001"  # ids keep their leading zeros


def test_summarize_to_parquet(cdnow_path, workdir, summary):
    pytest.importorskip("pyarrow")
    out = workdir / "rfm.parquet"
    ok("summarize", cdnow_path, out, *CDNOW, "--freq", "W", module=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out).set_index("customer_id"), summary)


@pytest.mark.parametrize("kind, cls", [("bgnbd", "BetaGeoFitter"), ("pareto", "ParetoNBDFitter"),
                                       ("mbgnbd", "ModifiedBetaGeoFitter"), ("bgbb", "BetaGeoBetaBinomFitter")])
def test_fit_gives_the_python_fit(kind, cls, rfm_csv, workdir, summary):
    out = workdir / f"{kind}.json"
    result = ok("fit", rfm_csv, out, "--model", kind)
    assert cls in result.stderr
    loaded = getattr(lifetimes, cls)().load_model(out)
    direct = getattr(lifetimes, cls)().fit(summary["frequency"], summary["recency"], summary["T"])
    np.testing.assert_allclose(loaded.params_, direct.params_, rtol=1e-12)


@pytest.fixture(scope="module")
def fitted(rfm_csv, workdir):
    out = workdir / "model.json"
    ok("fit", rfm_csv, out, "--model", "bgnbd", "--spend", "gamma-gamma")
    spend = workdir / "model.gamma_gamma.json"
    assert json.loads(spend.read_text())["model"] == "GammaGammaFitter"
    return out, spend


def test_predict_gives_the_python_predictions(rfm_csv, fitted, workdir, summary):
    model_file, spend_file = fitted
    out = workdir / "scores.csv"
    ok("predict", rfm_csv, model_file, out, "--spend-model", spend_file, "--horizons", "4", "52",
       "--clv-months", "6", "--discount-rate", "0.02", "--freq", "W")
    scores = pd.read_csv(out, dtype={"customer_id": str}).set_index("customer_id")
    f, r, T, m = (summary[c] for c in ("frequency", "recency", "T", "monetary_value"))
    bgf = lifetimes.BetaGeoFitter().fit(f, r, T)
    repeat = (f > 0) & (m > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ggf = lifetimes.GammaGammaFitter().fit(f[repeat], m[repeat])
    expected = {
        "expected_purchases_4": bgf.predict(4, f, r, T),
        "expected_purchases_52": bgf.predict(52, f, r, T),
        "p_alive": bgf.conditional_probability_alive(f, r, T),
        "expected_average_value": ggf.conditional_expected_average_profit(f, m),
        "clv_6m": ggf.customer_lifetime_value(bgf, f, r, T, m, time=6, discount_rate=0.02, freq="W"),
    }
    assert scores.index.equals(summary.index)
    for column, values in expected.items():
        np.testing.assert_allclose(scores[column], values, rtol=1e-10, err_msg=column)
    assert set(scores["value_tier"]) == {"Low", "Medium", "High", "VIP"}


def test_predict_bgbb_and_parquet(rfm_csv, workdir, summary):
    pytest.importorskip("pyarrow")
    model_file = workdir / "bgbb_predict.json"
    ok("fit", rfm_csv, model_file, "--model", "bgbb")
    out = workdir / "bgbb_scores.parquet"
    ok("predict", rfm_csv, model_file, out, "--horizons", "10", "--no-progress")
    scores = pd.read_parquet(out).set_index("customer_id")
    bgbb = lifetimes.BetaGeoBetaBinomFitter().load_model(model_file)
    f, r, n = summary["frequency"], summary["recency"], summary["T"]
    np.testing.assert_allclose(scores["expected_purchases_10"],
                               bgbb.conditional_expected_number_of_purchases_up_to_time(10, f, r, n), rtol=1e-12)
    np.testing.assert_allclose(scores["p_alive"], bgbb.conditional_probability_alive(0, f, r, n), rtol=1e-12)


def test_evaluate_prints_the_report_with_the_python_numbers(cdnow_path, cdnow, workdir):
    per_customer = workdir / "holdout.csv"
    report_file = workdir / "report.txt"
    result = ok("evaluate", cdnow_path, *CDNOW, "--freq", "W", "--calibration-end", "19970930",
                "--observation-end", "19980630", "--spend", "gamma-gamma", "--by-cohort", "--by-value-tier",
                "--output", per_customer, "--report-output", report_file)
    text = result.stdout
    for heading in ("BetaGeoFitter: r=", "GammaGammaFitter: p=", "Holdout evaluation: 23,570 customers",
                    "normalised_gini", "Deciles", "Calibration", "1997-03", "VIP"):
        assert heading in text
    assert report_file.read_text().strip() == text.strip()

    frame = calibration_and_holdout_data(cdnow, "customer_id", "date", "19970930", "19980630", freq="W",
                                         datetime_format="%Y%m%d", monetary_value_col="dollar_value")
    bgf = lifetimes.BetaGeoFitter().fit(frame["frequency_cal"], frame["recency_cal"], frame["T_cal"])
    repeat = (frame["frequency_cal"] > 0) & (frame["monetary_value_cal"] > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ggf = lifetimes.GammaGammaFitter().fit(frame.loc[repeat, "frequency_cal"],
                                               frame.loc[repeat, "monetary_value_cal"])
    report = evaluate_holdout(bgf, frame, spend_model=ggf)
    table = pd.read_csv(per_customer, dtype={"customer_id": str}).set_index("customer_id")
    for column in report.customers.columns:
        np.testing.assert_allclose(table[column], report.customers[column], rtol=1e-10, err_msg=column)
    # the printed metrics are the Python report's, to the digits shown
    model_row = report.metrics.loc[("value", "model")]
    assert f"{model_row['rmse']:,.4g}" in text and f"{model_row['normalised_gini']:,.4g}" in text


def test_evaluate_by_a_segment_column(tmp_path):
    log = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c", "c", "c", "d", "d"],
        "date": ["2024-01-01", "2024-02-01", "2024-05-01", "2024-01-05", "2024-03-10", "2024-01-10",
                 "2024-01-20", "2024-04-20", "2024-02-01", "2024-05-15"],
        "country": ["FR", "DE", "DE", "DE", "DE", "FR", "FR", "FR", "US", "US"],
    })
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)
    result = ok("evaluate", path, "--calibration-end", "2024-03-31", "--segment-col", "country")
    # each customer's segment is its value at the first transaction: a is FR
    assert "country" in result.stdout and "FR" in result.stdout and "US" in result.stdout


def test_net_refunds(tmp_path):
    log = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b"],
                        "date": ["2024-01-01", "2024-01-02", "2024-01-15", "2024-01-03", "2024-01-03"],
                        "amount": [100.0, -30.0, 50.0, 20.0, -20.0]})
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)
    out, refunds = tmp_path / "rfm.csv", tmp_path / "refunds.csv"
    result = ok("summarize", path, out, "--monetary-col", "amount", "--freq", "W", "--net-refunds",
                "--refunds-output", refunds)
    assert "1 customer(s) have a net value of zero or less" in result.stderr
    assert pd.read_csv(out)["customer_id"].tolist() == ["a"]
    assert pd.read_csv(refunds)["customer_id"].tolist() == ["b"]


def test_bad_input_is_one_line_and_exit_1(cdnow_path, rfm_csv, fitted, tmp_path):
    model_file, spend_file = fitted
    fails("summarize", tmp_path / "missing.csv", tmp_path / "out.csv", message="input file not found")
    fails("summarize", cdnow_path, tmp_path / "out.csv", "--sep", r"\s+", "--date-col", "day",
          message="missing column(s) ['day']")
    fails("summarize", cdnow_path, tmp_path / "out.xlsx", *CDNOW, message="unknown table type")
    fails("summarize", cdnow_path, tmp_path / "no" / "out.csv", *CDNOW, message="output folder does not exist")
    bad_dates = tmp_path / "bad.csv"
    pd.DataFrame({"customer_id": [1, 2], "date": ["2024-01-01", "yesterday"]}).to_csv(bad_dates, index=False)
    fails("summarize", bad_dates, tmp_path / "out.csv", message="unparsable dates")
    fails("predict", rfm_csv, spend_file, tmp_path / "p.csv", message="not a transaction model")
    fails("predict", rfm_csv, rfm_csv, tmp_path / "p.csv", message="not a fastlifetimes model file")
    fails("predict", rfm_csv, model_file, tmp_path / "p.csv", "--discount-rate", "-2", message="--discount-rate")
    fails("fit", cdnow_path, tmp_path / "m.json", "--sep", r"\s+", message="missing column(s)")
    fails("fit", rfm_csv, tmp_path / "m.csv", message="name it .json")
    fails("evaluate", cdnow_path, *CDNOW, "--calibration-end", "19900101", message="calibration_period_end")
    usage = run("fit")  # argparse: usage and exit status 2
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_parquet_without_pyarrow_says_so(rfm_csv, fitted, tmp_path):
    model_file, _ = fitted
    code = ("import sys; sys.modules['pyarrow'] = None; from fastlifetimes.cli import main; "
            f"sys.exit(main(['predict', {str(rfm_csv)!r}, {str(model_file)!r}, {str(tmp_path / 'p.parquet')!r}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == ("fastlifetimes predict: error: Parquet files need pyarrow, which is not "
                                     "installed: pip install pyarrow")
