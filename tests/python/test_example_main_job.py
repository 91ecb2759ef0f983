"""The README's first command runs examples/cdnow_clv.py: it must keep running and print
every CDNOW customer's predictions, equal to the library's own calls."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "cdnow_clv.py"


def test_main_job_prints_every_customer():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300, check=True)
    lines = done.stdout.splitlines()
    header = lines[0].split()
    assert header == ["frequency", "recency", "T", "monetary_value", "purchases_30d", "purchases_90d",
                      "p_alive", "clv_12m"]
    rows = [line.split() for line in lines[2:2 + 23_570]]
    table = pd.DataFrame([[float(v) for v in row[1:]] for row in rows], columns=header,
                         index=[int(row[0]) for row in rows])
    assert len(table) == 23_570 and table.index[0] == 1 and table.index[-1] == 23_570
    assert np.isfinite(table.to_numpy()).all()
    assert ((table["p_alive"] >= 0) & (table["p_alive"] <= 1)).all()
    assert (table["purchases_90d"] >= table["purchases_30d"]).all()
    assert "Top 10 customers by 12-month CLV" in done.stdout
    assert "Gamma-Gamma (11,515 repeat customers)" in done.stdout
