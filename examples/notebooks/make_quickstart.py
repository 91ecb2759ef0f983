"""Build examples/notebooks/quickstart.ipynb from the cells below and execute it, so the
committed notebook carries its outputs (tables and plots).

    python examples/notebooks/make_quickstart.py            # rebuild and execute
    python examples/notebooks/make_quickstart.py --png DIR  # also save each plot as a PNG

Editing the notebook means editing this file: the cells live here as plain text, which
reviews and merges better than the notebook's JSON.
"""

import argparse
import base64
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "quickstart.ipynb"

CELLS = [
    ("markdown", """# fastlifetimes quickstart: CDNOW, from transactions to customer lifetime value

This is the story of lifetimes' quickstart, told on the CDNOW data set (23,570 customers who
made their first purchase at the CDNOW online music store in the first quarter of 1997,
followed until June 1998). Code written for lifetimes runs unchanged after one line:

```python
import fastlifetimes as lifetimes
```"""),
    ("code", """import time

import matplotlib.pyplot as plt

import fastlifetimes as lifetimes
from fastlifetimes.datasets import load_dataset
from fastlifetimes.plotting import (
    plot_calibration_purchases_vs_holdout_purchases,
    plot_frequency_recency_matrix,
    plot_period_transactions,
    plot_probability_alive_matrix,
)
from fastlifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data

print("fastlifetimes", lifetimes.__version__)"""),
    ("markdown", """## From a transaction log to one row per customer

Each line of the log is a purchase: customer, date, number of CDs, amount. The BTYD models
need three numbers per customer: **frequency** (repeat purchases: purchase periods after the
first), **recency** (age at the last purchase) and **T** (age at the end of the
observation), here in weeks, plus the mean value of the repeat purchases."""),
    ("code", """transactions = load_dataset("CDNOW_master.txt", sep=r"\\s+", dtype={"date": str})
summary = summary_data_from_transaction_data(
    transactions, "customer_id", "date", monetary_value_col="dollar_value",
    datetime_format="%Y%m%d", freq="W")
print(f"{len(transactions):,} transactions, {len(summary):,} customers")
summary.head()"""),
    ("markdown", """## The BG/NBD model

Fader, Hardie & Lee (2005): while active, a customer buys at a Poisson rate λ; after each
purchase they leave for good with probability p; λ and p vary across customers as
Gamma(r, α) and Beta(a, b)."""),
    ("code", """start = time.perf_counter()
bgf = lifetimes.BetaGeoFitter(penalizer_coef=0.0)
bgf.fit(summary["frequency"], summary["recency"], summary["T"])
print(f"fitted in {1e3 * (time.perf_counter() - start):.1f} ms")
bgf.summary"""),
    ("markdown", """Expected purchases in the next week for each (frequency, recency), for a customer of the
oldest age: the best customers bought often and recently (bottom right)."""),
    ("code", """plot_frequency_recency_matrix(bgf)
plt.show()"""),
    ("markdown", """The probability that a customer is still active. A customer who bought often but not for a
long time (bottom left) has probably left."""),
    ("code", """plot_probability_alive_matrix(bgf)
plt.show()"""),
    ("markdown", """## Ranking customers

Expected purchases in the next 4 weeks, and P(alive), for every customer at once."""),
    ("code", """f, r, T = summary["frequency"], summary["recency"], summary["T"]
summary["predicted_purchases_4w"] = bgf.conditional_expected_number_of_purchases_up_to_time(4, f, r, T)
summary["p_alive"] = bgf.conditional_probability_alive(f, r, T)
summary.sort_values("predicted_purchases_4w", ascending=False).head(10)"""),
    ("markdown", """## Does the model fit?

Customers by number of repeat purchases, in the data and in a customer base simulated from
the fitted model."""),
    ("code", """import numpy as np

np.random.seed(2024)  # the simulated bars are random
plot_period_transactions(bgf)
plt.show()"""),
    ("markdown", """## Calibration and holdout

Fit on the first 39 weeks of the data (to 1997-09-30), predict the next 39 weeks, and
compare with what each group of customers actually bought."""),
    ("code", """split = calibration_and_holdout_data(
    transactions, "customer_id", "date", calibration_period_end="19970930",
    observation_period_end="19980630", datetime_format="%Y%m%d", freq="W")
calibrated = lifetimes.BetaGeoFitter().fit(
    split["frequency_cal"], split["recency_cal"], split["T_cal"])
plot_calibration_purchases_vs_holdout_purchases(calibrated, split)
plt.show()"""),
    ("markdown", """## Customer lifetime value

Fader & Hardie's Gamma-Gamma model of spend per transaction, fitted on repeat customers
(the one CDNOW repeat customer whose purchases total $0 is left out: the model needs
positive spend). The model assumes that spend and frequency are independent; check it."""),
    ("code", """repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
print("correlation of frequency and mean spend:",
      round(repeat[["frequency", "monetary_value"]].corr().iloc[0, 1], 3))
ggf = lifetimes.GammaGammaFitter(penalizer_coef=0.0)
ggf.fit(repeat["frequency"], repeat["monetary_value"])
ggf.summary"""),
    ("code", """summary["expected_average_value"] = ggf.conditional_expected_average_profit(
    summary["frequency"], summary["monetary_value"])
summary["clv_12_months"] = ggf.customer_lifetime_value(
    bgf, summary["frequency"], summary["recency"], summary["T"], summary["monetary_value"],
    time=12, discount_rate=0.01, freq="W")
summary.sort_values("clv_12_months", ascending=False).head(10)"""),
    ("markdown", """## Saving the model for a service

`save_model` writes a versioned JSON file; `examples/service` loads such files and answers
predictions over HTTP."""),
    ("code", """import os
import tempfile

path = os.path.join(tempfile.mkdtemp(), "bgnbd.json")
bgf.save_model(path)
loaded = lifetimes.BetaGeoFitter()
loaded.load_model(path)
print(loaded)"""),
]


def build() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in CELLS:
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        notebook.cells.append(make(source))
    return notebook


def execute(notebook: nbformat.NotebookNode, timeout: int = 600) -> nbformat.NotebookNode:
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    return notebook


def save_pngs(notebook: nbformat.NotebookNode, directory: Path) -> list:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                path = directory / f"cell{number:02d}.png"
                path.write_bytes(base64.b64decode(data["image/png"]))
                written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path, help="also write each plot of the executed notebook here")
    args = parser.parse_args()
    executed = execute(build())
    for cell in executed.cells:  # execution counts and timings differ run to run
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(executed, NOTEBOOK)
    print(f"wrote {NOTEBOOK}")
    if args.png:
        for path in save_pngs(executed, args.png):
            print(f"wrote {path}")
