#!/usr/bin/env python3
"""End-to-end benchmark of fastlifetimes.spark in local mode, next to the single-machine path.

One synthetic transaction log (default 10M rows, 1M customers, two years of timestamps
with amounts; deterministic) is written once as Parquet, then timed:

* Spark (``local[*]``): read the Parquet file, ``fastlifetimes.spark.summary_data_from_
  transaction_data`` written out as Parquet; ``fit`` of BG/NBD and Gamma-Gamma (compressed
  in Spark, collected, fitted); ``score`` (expected purchases over 30 and 90 days, P(alive),
  expected average value, 12-month CLV) written out as Parquet;
* one machine, pandas: ``pd.read_parquet`` and the summary; the two fits on the summary's
  rows; the same predictions;
* one machine, pyarrow: ``pyarrow.parquet.read_table`` and the summary of the Table.

Each step is timed once (it is an end-to-end run, not a micro-benchmark); rows per second
are log rows over the step's time. The summaries of both paths are checked to agree.
Prints a Markdown table for docs/spark.md and writes bench/results/spark.json.

    python bench/bench_spark.py                    # 10M rows
    python bench/bench_spark.py --rows 1000000     # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def make_log(path: Path, rows: int, customers: int, seed: int = 2026) -> None:
    """Customers acquired over the first year, Gamma-Gamma spend, rows in random order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    day = 86_400
    start = rng.integers(0, 365 * day, customers)
    # each customer buys at uniform times over their own lifetime (exponential, mean 300
    # days) or until the end of the two years, whichever comes first
    lifetime = np.minimum(rng.exponential(300 * day, customers), 730 * day - 1 - start)
    ids = rng.integers(0, customers, rows)
    seconds = start[ids] + (rng.uniform(size=rows) * lifetime[ids]).astype(np.int64)
    when = np.datetime64("2019-01-01T00:00:00", "s") + seconds.astype("timedelta64[s]")
    table = pa.table({
        "customer_id": ids.astype(np.int64),
        "when": pa.array(when.astype("datetime64[us]")),
        # Gamma-Gamma spend: Gamma(p = 2) amounts around a customer's own mean, with the
        # customers' scale nu ~ Gamma(q = 4, v = 100)
        "amount": np.round(rng.gamma(2.0, 1.0, rows) / rng.gamma(4.0, 1.0 / 100.0, customers)[ids], 2) + 0.01,
    })
    pq.write_table(table, path, row_group_size=1_000_000)


class Timer:
    def __init__(self):
        self.rows = []

    def __call__(self, path, step, seconds, rows):
        self.rows.append({"path": path, "step": step, "seconds": seconds, "rows_per_second": rows / seconds})
        print(f"  {path:<22} {step:<44} {seconds:8.1f} s  {rows / seconds:12,.0f} rows/s", flush=True)


def run_spark(path: Path, rows: int, timer: Timer, work: Path, partitions: int):
    from pyspark.sql import SparkSession

    import fastlifetimes as lifetimes
    from fastlifetimes import spark as fls

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    began = time.perf_counter()
    spark = (SparkSession.builder.master("local[*]").appName("fastlifetimes-bench")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(partitions))
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.memory", "4g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - began
    print(f"  (Spark session start: {startup:.1f} s, not counted)")

    total = 0.0
    t = time.perf_counter()
    log = spark.read.parquet(str(path))
    summary = fls.summary_data_from_transaction_data(log, "customer_id", "when", "amount",
                                                     observation_period_end="2020-12-31")
    summary.write.mode("overwrite").parquet(str(work / "summary.parquet"))
    seconds = time.perf_counter() - t
    total += seconds
    timer("Spark local[*]", "summary (read Parquet, write Parquet)", seconds, rows)

    summary = spark.read.parquet(str(work / "summary.parquet"))
    t = time.perf_counter()
    bgf = fls.fit(lifetimes.BetaGeoFitter(), summary)
    ggf = fls.fit(lifetimes.GammaGammaFitter(), summary.where("frequency > 0 AND monetary_value > 0"))
    seconds = time.perf_counter() - t
    total += seconds
    timer("Spark local[*]", f"fit BG/NBD ({len(bgf.data):,} rows) + Gamma-Gamma ({len(ggf.data):,})",
          seconds, rows)

    t = time.perf_counter()
    scored = fls.score(summary, bgf, horizons=[30, 90], spend_model=ggf)
    scored.write.mode("overwrite").parquet(str(work / "scores.parquet"))
    seconds = time.perf_counter() - t
    total += seconds
    timer("Spark local[*]", "score (write Parquet)", seconds, rows)
    timer("Spark local[*]", "end to end", total, rows)

    check = summary.selectExpr("count(*) n", "sum(frequency) f", "sum(recency) r", "sum(T) T",
                               "sum(monetary_value) m").first().asDict()
    spark.stop()
    return check, bgf.params_, ggf.params_


def run_single_machine(path: Path, rows: int, timer: Timer):
    import pyarrow.parquet as pq

    import fastlifetimes as lifetimes
    from fastlifetimes.utils import summary_data_from_transaction_data

    total = 0.0
    t = time.perf_counter()
    log = pd.read_parquet(path)
    summary = summary_data_from_transaction_data(log, "customer_id", "when", "amount",
                                                 observation_period_end="2020-12-31")
    seconds = time.perf_counter() - t
    total += seconds
    timer("one machine, pandas", "summary (pd.read_parquet)", seconds, rows)
    del log

    t = time.perf_counter()
    f, r, T, m = (summary[c] for c in ("frequency", "recency", "T", "monetary_value"))
    bgf = lifetimes.BetaGeoFitter().fit(f, r, T)
    repeat = summary[(f > 0) & (m > 0)]
    ggf = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    seconds = time.perf_counter() - t
    total += seconds
    timer("one machine, pandas", "fit BG/NBD + Gamma-Gamma", seconds, rows)

    t = time.perf_counter()
    scores = summary.assign(
        expected_purchases_30=bgf.predict(30, f, r, T), expected_purchases_90=bgf.predict(90, f, r, T),
        p_alive=bgf.conditional_probability_alive(f, r, T),
        expected_average_value=ggf.conditional_expected_average_profit(f, m),
        clv=ggf.customer_lifetime_value(bgf, f, r, T, m))
    seconds = time.perf_counter() - t
    total += seconds
    timer("one machine, pandas", "score", seconds, rows)
    timer("one machine, pandas", "end to end", total, rows)
    del scores

    t = time.perf_counter()
    table = pq.read_table(path)
    from_arrow = summary_data_from_transaction_data(table, "customer_id", "when", "amount",
                                                    observation_period_end="2020-12-31")
    seconds = time.perf_counter() - t
    timer("one machine, pyarrow", "summary (pq.read_table)", seconds, rows)
    pd.testing.assert_frame_equal(from_arrow, summary)
    check = {"n": len(summary), "f": summary["frequency"].sum(), "r": summary["recency"].sum(),
             "T": summary["T"].sum(), "m": summary["monetary_value"].sum()}
    return check, bgf.params_, ggf.params_


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=None, help="default: rows / 10")
    parser.add_argument("--partitions", type=int, default=8, help="spark.sql.shuffle.partitions")
    parser.add_argument("--data-dir", type=Path, default=HERE / "results" / "spark-data")
    parser.add_argument("--skip", choices=["spark", "single"], default=None)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support")
    warnings.filterwarnings("ignore", message="The copy keyword is deprecated")

    customers = args.customers or max(args.rows // 10, 1)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    path = args.data_dir / f"log-{args.rows}-{customers}.parquet"
    if not path.exists():
        t = time.perf_counter()
        make_log(path, args.rows, customers)
        print(f"wrote {path} ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s")
    import pyspark

    import fastlifetimes

    print(f"{args.rows:,} rows, {customers:,} customers; {os.cpu_count()} CPUs; Python "
          f"{platform.python_version()}, fastlifetimes {fastlifetimes.__version__}, pyspark "
          f"{pyspark.__version__}, pandas {pd.__version__}")
    timer = Timer()
    results = {}
    work = Path(tempfile.mkdtemp(prefix="fastlifetimes-bench-"))
    try:
        if args.skip != "single":
            results["single"] = run_single_machine(path, args.rows, timer)
        if args.skip != "spark":
            results["spark"] = run_spark(path, args.rows, timer, work, args.partitions)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if len(results) == 2:
        (a, bgf_a, ggf_a), (b, bgf_b, ggf_b) = results["single"], results["spark"]
        def largest(x, y):
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            return float(np.max(np.abs(x - y) / np.abs(y)))

        print(f"customers: {a['n']:,} and {b['n']:,}; largest relative differences: column sums "
              f"{largest([a[k] for k in 'frTm'], [b[k] for k in 'frTm']):.1e}, BG/NBD parameters "
              f"{largest(bgf_a, bgf_b):.1e}, Gamma-Gamma parameters {largest(ggf_a, ggf_b):.1e}")
        print("BG/NBD", dict(bgf_b.round(6)), " Gamma-Gamma", dict(ggf_b.round(6)))

    print("\n| path | step | seconds | rows/s |\n|---|---|---:|---:|")
    for row in timer.rows:
        print(f"| {row['path']} | {row['step']} | {row['seconds']:.1f} | {row['rows_per_second']:,.0f} |")
    out = HERE / "results" / "spark.json"
    out.write_text(json.dumps({"rows": args.rows, "customers": customers, "timings": timer.rows}, indent=1))


if __name__ == "__main__":
    main()
