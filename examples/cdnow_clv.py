"""The main job: fit BG/NBD and Gamma-Gamma on the CDNOW transaction log and print every
customer's expected purchases over the next 30 and 90 days, the probability that they are
still active, and their 12-month customer lifetime value.

    python examples/cdnow_clv.py            # every customer, then the top 10 by CLV
    python examples/cdnow_clv.py --top 20   # only the top 20 by CLV
"""

import argparse
import sys
import time

import pandas as pd

import fastlifetimes as lifetimes
from fastlifetimes.datasets import load_dataset
from fastlifetimes.utils import summary_data_from_transaction_data

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--top", type=int, default=None, help="print only the N customers of highest CLV")
args = parser.parse_args()

start = time.perf_counter()
# The full CDNOW cohort: 23,570 customers' purchases from January 1997 to June 1998.
log = load_dataset("CDNOW_master.txt", sep=r"\s+", dtype={"date": str})
summary = summary_data_from_transaction_data(
    log, "customer_id", "date", monetary_value_col="dollar_value", datetime_format="%Y%m%d", freq="D"
)
f, r, T, spend = summary["frequency"], summary["recency"], summary["T"], summary["monetary_value"]

purchases = lifetimes.BetaGeoFitter().fit(f, r, T)
# Gamma-Gamma models the spend of repeat customers; one CDNOW repeat customer spent $0,
# which the model (positive spend) cannot describe
repeat = summary[(f > 0) & (spend > 0)]
value = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])

summary["purchases_30d"] = purchases.conditional_expected_number_of_purchases_up_to_time(30, f, r, T)
summary["purchases_90d"] = purchases.conditional_expected_number_of_purchases_up_to_time(90, f, r, T)
summary["p_alive"] = purchases.conditional_probability_alive(f, r, T)
summary["clv_12m"] = value.customer_lifetime_value(purchases, f, r, T, spend, time=12, discount_rate=0.01, freq="D")
elapsed = time.perf_counter() - start

columns = ["frequency", "recency", "T", "monetary_value", "purchases_30d", "purchases_90d", "p_alive", "clv_12m"]
by_value = summary.sort_values("clv_12m", ascending=False)[columns]
with pd.option_context("display.float_format", "{:.4f}".format, "display.max_rows", None):
    if args.top is None:
        print(summary[columns].to_string())
        print()
    print(f"{len(log):,} transactions, {len(summary):,} customers; time unit: days")
    print("BG/NBD:\n" + purchases.summary.round(4).to_string())
    print(f"Gamma-Gamma ({len(repeat):,} repeat customers):\n" + value.summary.round(4).to_string())
    print(f"\nTop {args.top or 10} customers by 12-month CLV (discount 1% a month):")
    print(by_value.head(args.top or 10).to_string())
print(f"\nfit and scored in {elapsed:.2f} s", file=sys.stderr)
