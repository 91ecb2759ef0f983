"""The README's Python quickstart, as a user's script: mypy checks it against the installed
package (py.typed, _core.pyi) in tests/python/test_typing.py. It also runs as is."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pandas as pd

import fastlifetimes as lifetimes
from fastlifetimes import _core
from fastlifetimes.datasets import load_transaction_data
from fastlifetimes.plotting import plot_frequency_recency_matrix, plot_period_transactions
from fastlifetimes.utils import summary_data_from_transaction_data


def main(model_dir: str, plots: bool = False) -> pd.DataFrame:
    log = load_transaction_data()
    rfm = summary_data_from_transaction_data(log, "id", "date", freq="D")

    bgf = lifetimes.BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(rfm["frequency"], rfm["recency"], rfm["T"])
    print(bgf.summary)

    rfm["next_30_days"] = bgf.predict(30, rfm["frequency"], rfm["recency"], rfm["T"])
    rfm["p_alive"] = bgf.conditional_probability_alive(rfm["frequency"], rfm["recency"], rfm["T"])

    path = os.path.join(model_dir, "bgnbd.json")
    bgf.save_model(path)
    same = lifetimes.BetaGeoFitter().load_model(path)
    print(same)

    pnbd = lifetimes.ParetoNBDFitter().fit(rfm["frequency"], rfm["recency"], rfm["T"])
    print(pnbd.summary)

    if plots:
        plot_frequency_recency_matrix(bgf)
        plot_period_transactions(bgf)

    # the compiled core as the stubs describe it
    version: str = lifetimes.__version__
    fmt: int = _core.model_format_version
    alive: np.ndarray = _core.bgnbd_conditional_probability_alive(
        np.array([0.24, 4.41, 0.79, 2.43]), [1.0], [30.0], [38.0]
    )
    print(version, fmt, alive)
    return rfm


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(tmp)
