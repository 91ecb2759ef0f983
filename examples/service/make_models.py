"""Fit the two models the service ships on the CDNOW log (time in days) and save them as
fastlifetimes JSON files, parameters only:

    python examples/service/make_models.py            # writes examples/service/models/
    python examples/service/make_models.py other/dir

The nightly job (examples/etl, --models-dir, default --freq D) writes files of the same
kind from any transaction log; the service reads either.
"""

import sys
from pathlib import Path

import fastlifetimes as lifetimes
from fastlifetimes.datasets import load_dataset
from fastlifetimes.utils import summary_data_from_transaction_data

out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "models"
out_dir.mkdir(parents=True, exist_ok=True)

log = load_dataset("CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str})
rfm = summary_data_from_transaction_data(log, "customer_id", "date", "dollar_value",
                                         datetime_format="%Y%m%d", freq="D")
bgf = lifetimes.BetaGeoFitter().fit(rfm["frequency"], rfm["recency"], rfm["T"])
# spend is modelled on repeat purchases; one CDNOW customer's repeat purchases total $0
buyers = rfm[(rfm["frequency"] > 0) & (rfm["monetary_value"] > 0)]
ggf = lifetimes.GammaGammaFitter().fit(buyers["frequency"], buyers["monetary_value"])

bgf.save_model(out_dir / "bgnbd.json", save_data=False)
ggf.save_model(out_dir / "gamma_gamma.json", save_data=False)
for model, fitted_on in ((bgf, f"{len(rfm):,} customers"), (ggf, f"{len(buyers):,} repeat customers")):
    params = ", ".join(f"{name}={value:.6g}" for name, value in model.params_.items())
    print(f"{type(model).__name__} on {fitted_on}: {params}")
print(f"written to {out_dir}")
