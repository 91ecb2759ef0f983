"""Fuzz target: summary_data_from_transaction_data on fuzzed transaction logs and options.

Property: a DataFrame, or a ValueError/TypeError with a message; never a crash, a hang or
another exception type. Run by scripts/fuzz.sh (atheris, i.e. libFuzzer, flags after the
script name: python tests/fuzz/fuzz_summary.py CORPUS_DIR -max_total_time=45).
"""

import sys
import warnings

import atheris
import numpy as np
import pandas as pd

with atheris.instrument_imports(include=["fastlifetimes"]):  # coverage of our code only
    from fastlifetimes.utils import summary_data_from_transaction_data

FREQS = ["D", "W", "h", "m", "s", "ms", "us", "ns", "M", "Y", "2D", "", "x", None, 3]
FORMATS = [None, "%Y-%m-%d", "%Y%m%d", "%m/%d/%Y", "%d/%m/%Y %H:%M", "%Y", "%Q", "", "%s"]
ENDS = [None, "2020-01-10", "2019-12-31", "2262-04-11", "1677-09-21", "not a date", 20200110,
        pd.Timestamp("2020-01-10", tz="UTC"), np.datetime64("2020-01-10"), 1.5]


def pick(fdp, options):
    return options[fdp.ConsumeIntInRange(0, len(options) - 1)]


def float_value(fdp):
    kind = fdp.ConsumeIntInRange(0, 5)
    if kind == 0:
        return pick(fdp, [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e308, -1e308, 5e-324])
    if kind == 1:
        return fdp.ConsumeInt(8)
    return fdp.ConsumeRegularFloat() if kind == 2 else fdp.ConsumeFloatInRange(-1e3, 1e3)


def date_value(fdp, kind):
    if kind == 0:  # ISO strings near 2020, sometimes with a time or a zone
        day = fdp.ConsumeIntInRange(-3, 40)
        s = f"2020-{fdp.ConsumeIntInRange(0, 13):02d}-{day:02d}"
        return s + pick(fdp, ["", " 10:00", " 10:00+01:00", "T23:59:59Z", "x"])
    if kind == 1:  # nanoseconds since the epoch, anywhere in int64
        return np.datetime64(fdp.ConsumeIntInRange(-(2**63) + 1, 2**63 - 1), "ns")
    if kind == 2:
        return pd.Timestamp(2020, 1, 1) + pd.Timedelta(fdp.ConsumeIntInRange(0, 10**6), "m")
    if kind == 3:
        return pick(fdp, [None, np.nan, pd.NaT, "", True, 20200101, 1.5])
    return fdp.ConsumeUnicodeNoSurrogates(12)


def id_value(fdp, kind):
    if kind == 0:
        return fdp.ConsumeIntInRange(0, 5)
    if kind == 1:
        return pick(fdp, ["a", "b", "c", "", "a "])
    if kind == 2:
        return float_value(fdp)
    return pick(fdp, [None, 1, "1", 1.0, (1,), True])


def test_one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    n = fdp.ConsumeIntInRange(0, 30)
    id_kind, date_kind = fdp.ConsumeIntInRange(0, 3), fdp.ConsumeIntInRange(0, 4)
    mixed = fdp.ConsumeBool()  # one kind per column, or a kind per row
    ids = [id_value(fdp, fdp.ConsumeIntInRange(0, 3) if mixed else id_kind) for _ in range(n)]
    dates = [date_value(fdp, fdp.ConsumeIntInRange(0, 4) if mixed else date_kind) for _ in range(n)]
    columns = {"id": ids, "date": dates}
    monetary = None
    if fdp.ConsumeBool():
        monetary = "value"
        columns["value"] = [float_value(fdp) if fdp.ConsumeIntInRange(0, 9) else "7" for _ in range(n)]
    try:
        frame = pd.DataFrame(columns)
        if date_kind == 1 and not mixed and fdp.ConsumeBool():
            frame["date"] = frame["date"].astype("datetime64[ns]")
    except (ValueError, TypeError, OverflowError):
        return  # pandas refused to build the frame: nothing of ours to test
    kwargs = dict(
        monetary_value_col=monetary,
        datetime_format=pick(fdp, FORMATS),
        observation_period_end=pick(fdp, ENDS),
        freq=pick(fdp, FREQS),
        freq_multiplier=pick(fdp, [1, 7, 0, -1, 2.5, 10**12, float("nan"), "1"]),
        include_first_transaction=fdp.ConsumeBool(),
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = summary_data_from_transaction_data(frame, "id", "date", **kwargs)
    except (ValueError, TypeError) as e:
        if not str(e):
            raise AssertionError(f"{type(e).__name__} without a message") from e
        return
    assert isinstance(out, pd.DataFrame), type(out)


def main():
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
