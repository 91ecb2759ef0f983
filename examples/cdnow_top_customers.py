"""The main job: fit BG/NBD on the CDNOW transaction log and print, for the 10 customers
with the most expected purchases, their expected purchases over the next 30 and 90 days
and the probability that they are still active.

    python examples/cdnow_top_customers.py
"""

import time

import pandas as pd

import fastlifetimes as lifetimes
from fastlifetimes.datasets import load_dataset
from fastlifetimes.utils import summary_data_from_transaction_data

start = time.perf_counter()
# The full CDNOW cohort: 23,570 customers' purchases from January 1997 to June 1998.
log = load_dataset("CDNOW_master.txt", sep=r"\s+", dtype={"date": str})
summary = summary_data_from_transaction_data(
    log, "customer_id", "date", monetary_value_col="dollar_value", datetime_format="%Y%m%d", freq="D"
)
model = lifetimes.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
print(f"{len(log):,} transactions, {len(summary):,} customers; time unit: days")
print(model.summary.round(4).to_string(), "\n")

f, r, T = summary["frequency"], summary["recency"], summary["T"]
summary["purchases_30d"] = model.conditional_expected_number_of_purchases_up_to_time(30, f, r, T)
summary["purchases_90d"] = model.conditional_expected_number_of_purchases_up_to_time(90, f, r, T)
summary["p_alive"] = model.conditional_probability_alive(f, r, T)
top = summary.sort_values("purchases_90d", ascending=False).head(10)
with pd.option_context("display.float_format", "{:.4f}".format):
    print(top[["frequency", "recency", "T", "purchases_30d", "purchases_90d", "p_alive"]].to_string())
print(f"\ndone in {time.perf_counter() - start:.2f} s")
