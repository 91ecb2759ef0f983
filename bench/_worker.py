"""Benchmark worker: runs ONE case with ONE library inside its own process.

Driven by ``bench/bench_vs_lifetimes.py``; not meant to be run by hand, but it
can be::

    python bench/_worker.py --lib lifetimes --case fit --data X.npz --out r.json

The same file is executed by the reference interpreter (lifetimes 0.11.3,
numpy 1.24, pandas 1.5) and by the main interpreter (fastlifetimes, numpy 2.x,
pandas 3.x), so both libraries are timed by identical code.  It only needs the
standard library, numpy and pandas.

Only the library call is timed (``time.perf_counter``): interpreter start-up,
imports, data loading and DataFrame construction are excluded.

Modes
-----
``--info``      write the versions of the interpreter / numpy / pandas / scipy /
                the library and exit.
(default)       timing mode: run the case repeatedly (see ``--repeats``,
                ``--min-seconds``, ``--max-seconds``), write the list of
                timings plus a small correctness fingerprint, optionally save
                the output arrays (``--save-output``) for cross-checking.
``--mem``       memory mode (summary cases): load the data, record the current
                RSS, reset the kernel's peak-RSS counter, run the call ONCE and
                report ``peak RSS - baseline RSS`` in MiB.

The result is always written as JSON to ``--out`` (also on failure, with an
``error`` key), so the driver never has to parse library noise on stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import resource
import sys
import time
import traceback
import warnings

# Fixed BG/NBD parameters for the prediction cases (lifetimes' CDNOW fit).
PRED_PARAMS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
# Fixed Pareto/NBD parameters for its prediction cases (the CDNOW estimates of FHL 2005).
PNBD_PRED_PARAMS = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
PRED_T = 30
# MBG/NBD's CDNOW fit, and BG/BB's fit on the donations (FHS 2010)
MBG_PRED_PARAMS = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
BGBB_PRED_PARAMS = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
BGBB_PRED_M = 5  # opportunities ahead (the paper's 2002-2006 holdout)

# Gamma-Gamma parameters for the spend and CLV cases (lifetimes' CDNOW fit).
GG_PARAMS = {"p": 6.25, "q": 3.74, "v": 15.44}
CALIBRATION_END = "2019-06-30"

KINDS = ("fit", "predict_expected", "predict_alive", "summary", "gg_fit", "gg_profit", "clv", "holdout",
         "fit_mbg", "predict_mbg_expected", "predict_mbg_alive",
         "fit_bgbb", "predict_bgbb_expected", "predict_bgbb_alive",
         "pnbd_fit", "pnbd_predict_expected", "pnbd_predict_alive")


# --------------------------------------------------------------------------- #
# memory helpers (Linux)
# --------------------------------------------------------------------------- #
def _status_kib(field):
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss():
    """Reset VmHWM to the current RSS (Linux >= 4.0). Returns True on success."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _ru_maxrss_kib():
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    v = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return v / 1024.0 if sys.platform == "darwin" else float(v)


# --------------------------------------------------------------------------- #
# library / data loading
# --------------------------------------------------------------------------- #
def import_lib(name):
    if name == "lifetimes":
        import lifetimes as lib
        from lifetimes import utils as lib_utils
    elif name == "fastlifetimes":
        import fastlifetimes as lib
        from fastlifetimes import utils as lib_utils
    else:
        raise ValueError("unknown library %r" % name)
    return lib, lib_utils


def versions(libname):
    out = {
        "python": platform.python_version(),
        "executable": sys.executable,
    }
    for mod in ("numpy", "pandas", "scipy", "autograd"):
        try:
            m = __import__(mod)
            out[mod] = getattr(m, "__version__", "?")
        except Exception:
            out[mod] = None
    try:
        lib, _ = import_lib(libname)
        out[libname] = getattr(lib, "__version__", "?")
    except Exception as exc:  # library not installed yet
        out[libname] = None
        out["import_error"] = "%s: %s" % (type(exc).__name__, exc)
    return out


def load_data(kind, path):
    """Return the inputs of the call (built outside the timed region)."""
    import numpy as np
    import pandas as pd

    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}

    if kind in ("summary", "holdout"):
        obs_end = str(arrays.pop("observation_period_end"))
        cols = {"customer_id": arrays.pop("customer_id")}
        if "date" in arrays:
            cols["date"] = arrays.pop("date")  # datetime64[ns]
        else:
            # "YYYY-MM-DD" strings -> whatever a string column is in this
            # pandas (object in 1.5, the new ``str`` dtype in 3.x), as from
            # ``pd.read_csv``.
            cols["date"] = arrays.pop("date_str").astype(object)
        cols["amount"] = arrays.pop("amount")
        df = pd.DataFrame(cols)
        del cols, arrays
        return {"df": df, "observation_period_end": obs_end}

    if kind == "gg_fit":
        return {"df": pd.DataFrame({"frequency": arrays["frequency"], "monetary_value": arrays["monetary_value"]})}
    if kind == "gg_profit":  # numpy arrays in, as for the other predictions
        return {"frequency": arrays["frequency"], "monetary_value": arrays["monetary_value"]}
    if kind == "clv":  # Series: lifetimes' CLV needs frequency.index
        return {k: pd.Series(arrays[k]) for k in ("frequency", "recency", "T", "monetary_value")}
    if "bgbb" in kind:
        # discrete time: (frequency, recency, n_periods), weights for a summarised matrix
        cols = {k: arrays[k] for k in ("frequency", "recency", "n_periods", "weights") if k in arrays}
        if kind == "fit_bgbb":
            return {"df": pd.DataFrame(cols)}
        return cols
    f = arrays["frequency"]
    r = arrays["recency"]
    T = arrays["T"]
    if kind in ("fit", "fit_mbg", "pnbd_fit"):
        # The usual way to call fit: columns of the summary DataFrame.
        df = pd.DataFrame({"frequency": f, "recency": r, "T": T})
        return {"df": df}
    # predictions: plain numpy arrays in
    return {"frequency": f, "recency": r, "T": T}


def make_call(kind, lib, lib_utils, data):
    """Return (zero-arg callable performing the timed call, fingerprint fn)."""
    import numpy as np
    import pandas as pd

    def params_finger(m):
        params = {k: float(v) for k, v in dict(m.params_).items()}
        return {"params": params}, {"params": np.array(list(params.values()))}

    def values_finger(out):
        a = np.asarray(out, dtype=float).ravel()
        return ({"n": int(a.size), "sum": float(np.nansum(a)), "n_nan": int(np.isnan(a).sum()),
                 "first": [float(x) for x in a[:3]]}, {"values": a})

    if kind in ("fit", "fit_mbg"):
        df = data["df"]
        fitter = lib.BetaGeoFitter if kind == "fit" else lib.ModifiedBetaGeoFitter

        def call():
            return fitter().fit(df["frequency"], df["recency"], df["T"])

        return call, params_finger

    if kind == "fit_bgbb":
        df = data["df"]
        weights = df["weights"] if "weights" in df else None

        def call():
            return lib.BetaGeoBetaBinomFitter().fit(df["frequency"], df["recency"], df["n_periods"],
                                                    weights=weights)

        return call, params_finger

    if kind in ("predict_mbg_expected", "predict_mbg_alive"):
        m = lib.ModifiedBetaGeoFitter()
        m.params_ = pd.Series(MBG_PRED_PARAMS)[["r", "alpha", "a", "b"]]
        f, r, T = data["frequency"], data["recency"], data["T"]
        if kind == "predict_mbg_expected":
            def call():
                return m.conditional_expected_number_of_purchases_up_to_time(PRED_T, f, r, T)
        else:
            def call():
                return m.conditional_probability_alive(f, r, T)
        return call, values_finger

    if kind in ("predict_bgbb_expected", "predict_bgbb_alive"):
        m = lib.BetaGeoBetaBinomFitter()
        m.params_ = pd.Series(BGBB_PRED_PARAMS)[["alpha", "beta", "gamma", "delta"]]
        f, r, n = data["frequency"], data["recency"], data["n_periods"]
        if kind == "predict_bgbb_expected":
            def call():
                return m.conditional_expected_number_of_purchases_up_to_time(BGBB_PRED_M, f, r, n)
        else:
            def call():
                return m.conditional_probability_alive(1, f, r, n)
        return call, values_finger

    if kind == "pnbd_fit":
        df = data["df"]
        names = ("r", "alpha", "s", "beta")

        def call():
            # lifetimes starts Nelder-Mead at a random point: seed it so runs repeat
            np.random.seed(0)
            return lib.ParetoNBDFitter().fit(df["frequency"], df["recency"], df["T"])

        def finger(m):
            params = {k: float(v) for k, v in dict(m.params_).items()}
            return ({"params": params, "negative_log_likelihood": float(m._negative_log_likelihood_)},
                    {"params": np.array([params[k] for k in names])})

        return call, finger

    if kind in ("pnbd_predict_expected", "pnbd_predict_alive"):
        m = lib.ParetoNBDFitter()
        m.params_ = pd.Series(PNBD_PRED_PARAMS)[["r", "alpha", "s", "beta"]]
        f, r, T = data["frequency"], data["recency"], data["T"]
        if kind == "pnbd_predict_expected":
            def call():
                return m.conditional_expected_number_of_purchases_up_to_time(PRED_T, f, r, T)
        else:
            def call():
                return m.conditional_probability_alive(f, r, T)

        def finger(out):
            a = np.asarray(out, dtype=float).ravel()
            return ({"n": int(a.size), "sum": float(np.nansum(a)), "n_nan": int(np.isnan(a).sum()),
                     "first": [float(x) for x in a[:3]]}, {"values": a})

        return call, finger

    if kind in ("predict_expected", "predict_alive"):
        m = lib.BetaGeoFitter()
        m.params_ = pd.Series(PRED_PARAMS)[["r", "alpha", "a", "b"]]
        f, r, T = data["frequency"], data["recency"], data["T"]
        if kind == "predict_expected":
            def call():
                return m.conditional_expected_number_of_purchases_up_to_time(PRED_T, f, r, T)
        else:
            def call():
                return m.conditional_probability_alive(f, r, T)

        def finger(out):
            a = np.asarray(out, dtype=float).ravel()
            return ({"n": int(a.size), "sum": float(np.nansum(a)), "n_nan": int(np.isnan(a).sum()),
                     "first": [float(x) for x in a[:3]]}, {"values": a})

        return call, finger

    if kind == "summary":
        df = data["df"]
        obs_end = data["observation_period_end"]
        fn = lib_utils.summary_data_from_transaction_data

        def call():
            return fn(df, "customer_id", "date", monetary_value_col="amount",
                      observation_period_end=obs_end, freq="D")

        def finger(out):
            out = out.sort_index()
            arrays = {"index": np.asarray(out.index, dtype=np.int64)}
            for c in ("frequency", "recency", "T", "monetary_value"):
                arrays[c] = np.asarray(out[c], dtype=float)
            fp = {"n_customers": int(len(out)), "columns": [str(c) for c in out.columns],
                  "input_date_dtype": str(df["date"].dtype)}
            for c in ("frequency", "recency", "T", "monetary_value"):
                fp["sum_" + c] = float(arrays[c].sum())
            return fp, arrays

        return call, finger

    def values_finger(out):
        a = np.asarray(out, dtype=float).ravel()
        return ({"n": int(a.size), "sum": float(np.nansum(a)), "n_nan": int(np.isnan(a).sum()),
                 "first": [float(x) for x in a[:3]]}, {"values": a})

    if kind == "gg_fit":
        df = data["df"]

        def call():
            return lib.GammaGammaFitter().fit(df["frequency"], df["monetary_value"])

        def finger(m):
            params = {k: float(v) for k, v in dict(m.params_).items()}
            return {"params": params}, {"params": np.array([params[k] for k in ("p", "q", "v")])}

        return call, finger

    if kind in ("gg_profit", "clv"):
        ggf = lib.GammaGammaFitter()
        ggf.params_ = pd.Series(GG_PARAMS)[["p", "q", "v"]]
        if kind == "gg_profit":
            f, mv = data["frequency"], data["monetary_value"]

            def call():
                return ggf.conditional_expected_average_profit(f, mv)
        else:
            bgf = lib.BetaGeoFitter()
            bgf.params_ = pd.Series(PRED_PARAMS)[["r", "alpha", "a", "b"]]
            if not hasattr(bgf, "predict"):  # lifetimes binds predict in fit
                bgf.predict = bgf.conditional_expected_number_of_purchases_up_to_time
            f, r, T, mv = data["frequency"], data["recency"], data["T"], data["monetary_value"]

            def call():
                return ggf.customer_lifetime_value(bgf, f, r, T, mv, time=12, discount_rate=0.01)

        return call, values_finger

    if kind == "holdout":
        df = data["df"]
        obs_end = data["observation_period_end"]
        fn = lib_utils.calibration_and_holdout_data

        def call():
            return fn(df, "customer_id", "date", calibration_period_end=CALIBRATION_END,
                      observation_period_end=obs_end, monetary_value_col="amount", freq="D")

        def finger(out):
            out = out.sort_index()
            fp = {"n_customers": int(len(out)), "columns": [str(c) for c in out.columns]}
            # every column of the frame, customers in order, as one array to compare
            flat = np.concatenate([np.asarray(out.index, dtype=float)]
                                  + [np.asarray(out[c], dtype=float) for c in out.columns])
            return fp, {"values": flat}

        return call, finger

    raise ValueError("unknown case kind %r" % kind)


# --------------------------------------------------------------------------- #
# modes
# --------------------------------------------------------------------------- #
def run_timing(args, res):
    import numpy as np

    lib, lib_utils = import_lib(args.lib)
    res["version"] = getattr(lib, "__version__", "?")
    data = load_data(args.kind, args.data)
    call, finger = make_call(args.kind, lib, lib_utils, data)

    times = []
    total = 0.0
    out = None
    warmup = None
    while True:
        out = None
        # As timeit does: the collector is off during the timed call (so a collection
        # triggered by earlier garbage is not billed to it), and there is no forced
        # gc.collect() right before it, which would evict the caches and make short
        # calls look several times slower than they are in a loop.
        gc.disable()
        t0 = time.perf_counter()
        out = call()
        dt = time.perf_counter() - t0
        gc.enable()
        if warmup is None and dt < args.warmup_below:
            # very first call was cheap: treat it as warm-up (lazy imports,
            # caches, page faults) and do not count it.
            warmup = dt
            continue
        if warmup is None:
            warmup = False
        times.append(dt)
        total += dt
        n = len(times)
        if n >= args.max_runs:
            break
        if n >= args.repeats and total >= args.min_seconds:
            break
        if total >= args.max_seconds:
            break

    res["times"] = times
    res["median"] = float(np.median(times))
    res["min"] = float(np.min(times))
    res["runs"] = len(times)
    res["warmup_discarded"] = warmup if warmup is not False else None
    fp, arrays = finger(out)
    res["check"] = fp
    if args.save_output:
        np.savez(args.save_output, **arrays)


def run_mem(args, res):
    lib, lib_utils = import_lib(args.lib)
    res["version"] = getattr(lib, "__version__", "?")
    data = load_data(args.kind, args.data)
    call, _ = make_call(args.kind, lib, lib_utils, data)
    gc.collect()
    base_kib = _status_kib("VmRSS")
    ru_before_kib = _ru_maxrss_kib()
    reset_ok = _reset_peak_rss()
    t0 = time.perf_counter()
    out = call()
    dt = time.perf_counter() - t0
    hwm_kib = _status_kib("VmHWM")
    ru_after_kib = _ru_maxrss_kib()
    res["time"] = dt
    res["n_out"] = int(len(out))
    res["baseline_mib"] = base_kib / 1024.0
    res["ru_maxrss_mib"] = ru_after_kib / 1024.0
    res["ru_maxrss_before_mib"] = ru_before_kib / 1024.0
    res["hwm_reset"] = reset_ok
    # ru_maxrss is the process-lifetime peak and cannot be reset; the kernel's
    # VmHWM can (clear_refs=5), so prefer it: it excludes transient peaks of
    # the data loading done before the baseline was taken.
    if reset_ok and hwm_kib is not None:
        peak_kib = hwm_kib
        res["peak_source"] = "VmHWM (reset after baseline)"
    else:
        peak_kib = ru_after_kib
        res["peak_source"] = "ru_maxrss"
    res["peak_mib"] = peak_kib / 1024.0
    res["peak_delta_mib"] = (peak_kib - base_kib) / 1024.0
    res["ru_maxrss_delta_mib"] = (ru_after_kib - base_kib) / 1024.0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lib", required=True, choices=("lifetimes", "fastlifetimes"))
    p.add_argument("--out", required=True, help="JSON result file")
    p.add_argument("--info", action="store_true", help="only report versions")
    p.add_argument("--kind", choices=KINDS)
    p.add_argument("--data", help=".npz input file")
    p.add_argument("--mem", action="store_true", help="peak-memory mode (single run)")
    p.add_argument("--repeats", type=int, default=3, help="minimum number of timed runs")
    p.add_argument("--min-seconds", type=float, default=1.0,
                   help="keep repeating (up to --max-runs) until the timed total reaches this")
    p.add_argument("--max-seconds", type=float, default=60.0,
                   help="stop repeating once the timed total exceeds this (at least one run)")
    p.add_argument("--max-runs", type=int, default=25)
    p.add_argument("--warmup-below", type=float, default=1.0,
                   help="discard the very first run as warm-up if it took less than this")
    p.add_argument("--save-output", help="save the output arrays (.npz) for cross-checking")
    args = p.parse_args(argv)

    warnings.simplefilter("ignore")
    res = {"lib": args.lib, "kind": args.kind, "mode": "info" if args.info else ("mem" if args.mem else "time")}
    rc = 0
    try:
        if args.info:
            res.update(versions(args.lib))
        else:
            if not args.kind or not args.data:
                p.error("--kind and --data are required")
            (run_mem if args.mem else run_timing)(args, res)
    except Exception as exc:
        res["error"] = "%s: %s" % (type(exc).__name__, exc)
        res["traceback"] = traceback.format_exc()
        rc = 1
    with open(args.out, "w") as fh:
        json.dump(res, fh, indent=1)
    return rc


if __name__ == "__main__":
    sys.exit(main())
