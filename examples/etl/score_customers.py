"""Nightly scoring job: transaction log in, one row of predictions per customer out.

    python examples/etl/score_customers.py transactions.csv scores.parquet \
        --customer-id-col customer_id --date-col date --monetary-col amount \
        --models-dir models/

Reads a CSV or Parquet log, summarises it per customer (frequency, recency, T, mean
repeat spend), fits BG/NBD on every customer and Gamma-Gamma on the repeat customers, and
writes expected purchases over 30/90/365 days, P(alive), the expected mean spend and the
12-month CLV. See README.md in this folder.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
from pathlib import Path
from time import perf_counter

import pandas as pd

import fastlifetimes as lifetimes
from fastlifetimes.utils import summary_data_from_transaction_data

log = logging.getLogger("score_customers")

HORIZONS_DAYS = (30, 90, 365)
CLV_MONTHS = 12
# The units both the summary and customer_lifetime_value understand
DAYS_PER_UNIT = {"D": 1, "W": 7}
UNIT_NAMES = {"D": "days", "W": "weeks"}


class JobError(Exception):
    """A problem with the job's input or options: reported as one line, exit status 1."""


def file_format(path: Path, role: str) -> str:
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz", ".csv.bz2", ".csv.zst", ".csv.xz")):
        return "csv"
    raise JobError(f"{role} {path}: unknown file type; use a .csv (optionally compressed) or .parquet file")


def parquet_module():
    try:
        import pyarrow.parquet
    except ImportError:
        raise JobError("reading or writing Parquet needs pyarrow: pip install pyarrow") from None
    return pyarrow.parquet


def read_transactions(path: Path, columns: list[str]) -> pd.DataFrame:
    """The log's ``columns`` (id, date, value), after checking they are there, so that a
    misspelt column name costs no full read."""
    if not path.is_file():
        raise JobError(f"input file not found: {path}")
    kind = file_format(path, "input")
    try:
        if kind == "parquet":
            available = parquet_module().read_schema(path).names
        else:
            available = list(pd.read_csv(path, nrows=0).columns)
    except (ValueError, OSError) as error:  # not a CSV / Parquet file after all
        raise JobError(f"{path}: cannot read it as {kind}: {error}") from None
    missing = [c for c in columns if c not in available]
    if missing:
        raise JobError(
            f"{path}: missing column(s) {missing}; available: {available} "
            "(name the columns with --customer-id-col, --date-col, --monetary-col)"
        )
    if kind == "parquet":
        return pd.read_parquet(path, columns=columns)
    # ids and dates as text: ids keep their leading zeros, dates are parsed by the summary
    # (each distinct value once) with --date-format
    customer_id, date = columns[0], columns[1]
    return pd.read_csv(path, usecols=columns, dtype={customer_id: str, date: str})


def fit_models(summary: pd.DataFrame, penalizer: float):
    """BG/NBD on every customer; Gamma-Gamma on repeat customers with a positive mean spend
    (the model describes the values of repeat purchases, and a mean of 0 has no
    Gamma density)."""
    start = perf_counter()
    bgf = lifetimes.BetaGeoFitter(penalizer_coef=penalizer)
    bgf.fit(summary["frequency"], summary["recency"], summary["T"])
    log.info("fitted BG/NBD on %s customers in %.2f s: %s", f"{len(summary):,}",
             perf_counter() - start, format_params(bgf))

    start = perf_counter()
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if repeat.empty:
        raise JobError("no repeat customer with a positive spend: the Gamma-Gamma model has nothing to fit")
    ggf = lifetimes.GammaGammaFitter(penalizer_coef=penalizer)
    ggf.fit(repeat["frequency"], repeat["monetary_value"])
    left_out = int((summary["frequency"] > 0).sum()) - len(repeat)
    log.info("fitted Gamma-Gamma on %s repeat customers (%d left out: mean spend <= 0) in %.2f s: %s",
             f"{len(repeat):,}", left_out, perf_counter() - start, format_params(ggf))
    return bgf, ggf


def format_params(model) -> str:
    return ", ".join(f"{name}={value:.6g}" for name, value in model.params_.items())


def score(summary: pd.DataFrame, bgf, ggf, freq: str, discount_rate: float) -> pd.DataFrame:
    """The summary plus the prediction columns, for one block of customers."""
    f, r, T, m = (summary[c] for c in ("frequency", "recency", "T", "monetary_value"))
    out = summary.copy()
    for days in HORIZONS_DAYS:
        out[f"expected_purchases_{days}d"] = bgf.conditional_expected_number_of_purchases_up_to_time(
            days / DAYS_PER_UNIT[freq], f, r, T)
    out["p_alive"] = bgf.conditional_probability_alive(f, r, T)
    out["expected_average_value"] = ggf.conditional_expected_average_profit(f, m)
    out[f"clv_{CLV_MONTHS}m"] = ggf.customer_lifetime_value(
        bgf, f, r, T, m, time=CLV_MONTHS, discount_rate=discount_rate, freq=freq)
    return out


def score_in_chunks(summary, bgf, ggf, freq, discount_rate, chunk_size, show_progress):
    from tqdm import tqdm

    parts = []
    with tqdm(total=len(summary), unit=" customers", unit_scale=True, desc="scoring",
              disable=not show_progress) as bar:
        for begin in range(0, len(summary), chunk_size):
            block = summary.iloc[begin:begin + chunk_size]
            parts.append(score(block, bgf, ggf, freq, discount_rate))
            bar.update(len(block))
    return pd.concat(parts) if len(parts) > 1 else parts[0]


def write_scores(scores: pd.DataFrame, path: Path) -> None:
    table = scores.reset_index()
    if file_format(path, "output") == "parquet":
        parquet_module()  # a clear message rather than pandas' when pyarrow is missing
        table.to_parquet(path, index=False)
    else:
        table.to_csv(path, index=False)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Score customers from a transaction log with BG/NBD and Gamma-Gamma.")
    parser.add_argument("input", type=Path, help="transaction log, .csv or .parquet")
    parser.add_argument("output", type=Path, help="per-customer scores, .csv or .parquet")
    parser.add_argument("--customer-id-col", default="customer_id", help="default: %(default)s")
    parser.add_argument("--date-col", default="date", help="default: %(default)s")
    parser.add_argument("--monetary-col", default="monetary_value",
                        help="transaction value; default: %(default)s")
    parser.add_argument("--date-format", default=None,
                        help="strftime format of the dates, e.g. %%Y%%m%%d; default: inferred")
    parser.add_argument("--observation-end", default=None, metavar="YYYY-MM-DD",
                        help="end of the observation period; later transactions are ignored "
                             "(default: the last transaction's date)")
    parser.add_argument("--freq", choices=sorted(DAYS_PER_UNIT), default="D",
                        help="time unit of recency and T: D (days) or W (weeks); default: %(default)s")
    parser.add_argument("--discount-rate", type=float, default=0.01,
                        help="monthly discount rate of the CLV; default: %(default)s")
    parser.add_argument("--penalizer", type=float, default=0.0,
                        help="L2 penalizer_coef of both fits; default: %(default)s")
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="also save the fitted models there (bgnbd.json, gamma_gamma.json)")
    parser.add_argument("--chunk-size", type=int, default=200_000,
                        help="customers scored per step of the progress bar; default: %(default)s")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    return parser.parse_args(argv)


def run(args) -> None:
    job_start = perf_counter()
    file_format(args.output, "output")  # refuse an unwritable request before the work
    if not args.output.resolve().parent.is_dir():
        raise JobError(f"output folder does not exist: {args.output.resolve().parent}")
    if args.chunk_size < 1:
        raise JobError(f"--chunk-size: must be at least 1, got {args.chunk_size}")
    if not (math.isfinite(args.discount_rate) and args.discount_rate > -1):
        raise JobError(f"--discount-rate: must be a finite number above -1, got {args.discount_rate}")
    if not (math.isfinite(args.penalizer) and args.penalizer >= 0):
        raise JobError(f"--penalizer: must be a finite number >= 0, got {args.penalizer}")
    observation_end = None
    if args.observation_end is not None:
        try:
            observation_end = pd.Timestamp(args.observation_end)
        except ValueError:
            raise JobError(f"--observation-end: not a date: {args.observation_end!r}") from None

    start = perf_counter()
    columns = [args.customer_id_col, args.date_col, args.monetary_col]
    transactions = read_transactions(args.input, columns)
    log.info("read %s transactions from %s in %.2f s", f"{len(transactions):,}", args.input,
             perf_counter() - start)

    start = perf_counter()
    summary = summary_data_from_transaction_data(
        transactions, args.customer_id_col, args.date_col, monetary_value_col=args.monetary_col,
        datetime_format=args.date_format, observation_period_end=observation_end, freq=args.freq)
    log.info("summarised %s customers (%s repeat customers; time unit: %s) in %.2f s",
             f"{len(summary):,}", f"{int((summary['frequency'] > 0).sum()):,}", UNIT_NAMES[args.freq],
             perf_counter() - start)

    bgf, ggf = fit_models(summary, args.penalizer)

    start = perf_counter()
    show_progress = sys.stderr.isatty() and not args.no_progress
    scores = score_in_chunks(summary, bgf, ggf, args.freq, args.discount_rate, args.chunk_size,
                             show_progress)
    log.info("scored %s customers in %.2f s", f"{len(scores):,}", perf_counter() - start)

    start = perf_counter()
    write_scores(scores, args.output)
    log.info("wrote %s rows x %d columns to %s in %.2f s", f"{len(scores):,}", scores.shape[1] + 1,
             args.output, perf_counter() - start)

    if args.models_dir is not None:
        args.models_dir.mkdir(parents=True, exist_ok=True)
        # the summary is in the scores file already: the model files keep the parameters only
        bgf.save_model(args.models_dir / "bgnbd.json", save_data=False)
        ggf.save_model(args.models_dir / "gamma_gamma.json", save_data=False)
        log.info("saved the models to %s", args.models_dir)
    log.info("done in %.2f s", perf_counter() - job_start)


def main(argv=None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        stream=sys.stderr)
    logging.captureWarnings(True)  # e.g. Gamma-Gamma's frequency/spend correlation warning
    args = parse_args(argv)
    try:
        run(args)
    except (JobError, ValueError, OSError) as error:
        # ValueError: the library names the bad column and rows; OSError: unreadable files
        log.error("%s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
