"""The ``fastlifetimes`` command: a CLV job from the shell, with the Python API's numbers.

    fastlifetimes summarize  transactions.csv rfm.csv --customer-id-col id --date-col date
    fastlifetimes fit        rfm.csv model.json --model bgnbd --spend gamma-gamma
    fastlifetimes predict    rfm.csv model.json scores.parquet --horizons 30 90
    fastlifetimes evaluate   transactions.csv --calibration-end 1997-09-30 --freq W ...

Tables are CSV (any separator with ``--sep``) or Parquet (needs pyarrow), by file name.
Bad input or files end the command with one line on stderr and exit status 1; ``--help``
on each subcommand has examples.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from pathlib import Path

import pandas as pd

from . import __version__

MODELS = {
    "bgnbd": "BetaGeoFitter",
    "pareto": "ParetoNBDFitter",
    "mbgnbd": "ModifiedBetaGeoFitter",
    "bgbb": "BetaGeoBetaBinomFitter",
}
SPEND_MODELS = {"gamma-gamma": "GammaGammaFitter"}
# the time units the summary and customer_lifetime_value both understand
FREQS = ("D", "W")
CHUNK = 100_000  # customers scored per step of the progress bar


class UsageError(Exception):
    """Bad input, options or files: one line on stderr, exit status 1."""


# -- tables ----------------------------------------------------------------------------

def _table_kind(path: Path, role: str) -> str:
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if ".csv" in name or name.endswith((".txt", ".tsv")):
        return "csv"
    raise UsageError(f"{role} {path}: unknown table type; name it .csv (.csv.gz, ...) or .parquet")


def _require_pyarrow():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UsageError("Parquet files need pyarrow, which is not installed: pip install pyarrow") from None


def read_table(path, sep=",", text_columns=()) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame; ``text_columns`` (ids, dates; None stands for
    the first column) are read as text from CSV, so ids keep their leading zeros and dates
    are parsed by the library."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"input file not found: {path}")
    kind = _table_kind(path, "input")
    try:
        if kind == "parquet":
            _require_pyarrow()
            return pd.read_parquet(path)
        header = pd.read_csv(path, sep=sep, nrows=0, engine="python" if len(sep) > 1 else "c").columns
        named = [header[0] if c is None and len(header) else c for c in text_columns]
        dtypes = {c: str for c in named if c in header}
        return pd.read_csv(path, sep=sep, dtype=dtypes, engine="python" if len(sep) > 1 else "c")
    except UsageError:
        raise
    except (ValueError, OSError, ImportError) as error:
        raise UsageError(f"{path}: cannot read it as {kind}: {error}") from None


def write_table(frame: pd.DataFrame, path) -> None:
    path = Path(path)
    kind = _table_kind(path, "output")
    if kind == "parquet":
        _require_pyarrow()
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def _check_output(path) -> None:
    """Refuse an output that cannot be written before doing the work."""
    if path is None:
        return
    path = Path(path)
    if path.suffix.lower() != ".json":
        kind = _table_kind(path, "output")
        if kind == "parquet":
            _require_pyarrow()
    if not path.resolve().parent.is_dir():
        raise UsageError(f"output folder does not exist: {path.resolve().parent}")


def _require_columns(frame, columns, path, hint=""):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UsageError(f"{path}: missing column(s) {missing}; available: {list(frame.columns)}{hint}")


# -- progress --------------------------------------------------------------------------

class _Progress:
    """A tqdm bar on stderr when it is a terminal and tqdm is installed; else nothing."""

    def __init__(self, enabled, total, desc, unit):
        self.bar = None
        if enabled and sys.stderr.isatty():
            try:
                from tqdm import tqdm
            except ImportError:
                return
            self.bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)

    def step(self, n=1, what=None):
        if self.bar is not None:
            if what:
                self.bar.set_postfix_str(what)
            self.bar.update(n)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _note(message):
    print(f"fastlifetimes: {message}", file=sys.stderr)


# -- models ----------------------------------------------------------------------------

def _model_class(name):
    import fastlifetimes

    return getattr(fastlifetimes, name)


def _fit_transaction_model(kind, frequency, recency, T, penalizer):
    model = _model_class(MODELS[kind])(penalizer_coef=penalizer)
    # BG/BB's histories are in whole periods: T is the number of opportunities
    return model.fit(frequency, recency, T)


def _fit_spend_model(frequency, monetary_value, penalizer):
    """Gamma-Gamma on repeat customers with a positive mean value (the model describes
    repeat purchases, and a mean of 0 has no Gamma density)."""
    repeat = (frequency > 0) & (monetary_value > 0)
    if not repeat.any():
        raise UsageError("no repeat customer with a positive mean value: Gamma-Gamma has nothing to fit")
    spend = _model_class(SPEND_MODELS["gamma-gamma"])(penalizer_coef=penalizer)
    return spend.fit(frequency[repeat], monetary_value[repeat])


def load_model_file(path):
    """A fitter of the class the file names, loaded from it."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"model file not found: {path}")
    try:
        name = json.loads(path.read_text(encoding="utf-8")).get("model")
    except (ValueError, UnicodeDecodeError, AttributeError):
        raise UsageError(f"{path}: not a fastlifetimes model file (not JSON written by `fastlifetimes fit`)") from None
    known = list(MODELS.values()) + list(SPEND_MODELS.values())
    if name not in known:
        raise UsageError(f"{path}: unknown model {name!r}; expected one of {known}")
    return _model_class(name)().load_model(path)


def _params_text(model) -> str:
    return ", ".join(f"{k}={v:.6g}" for k, v in model.params_.items())


def _is_discrete(model) -> bool:
    return type(model).__name__ == MODELS["bgbb"]


# -- subcommands -----------------------------------------------------------------------

def _summarize(log, args, monetary_col):
    from .segments import net_revenue_summary
    from .utils import summary_data_from_transaction_data

    options = dict(datetime_format=args.date_format, observation_period_end=args.observation_end,
                   freq=args.freq)
    if args.net_refunds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # reported below, with a file to look at
            summary, not_positive = net_revenue_summary(
                log, args.customer_id_col, args.date_col, monetary_col, **options)
        if len(not_positive):
            _note(f"{len(not_positive)} customer(s) have a net value of zero or less after refunds "
                  f"({int((~not_positive['in_summary']).sum())} not in the summary)"
                  + (f"; listed in {args.refunds_output}" if args.refunds_output else
                     "; --refunds-output FILE lists them"))
            if args.refunds_output:
                write_table(not_positive.reset_index(), args.refunds_output)
        return summary
    return summary_data_from_transaction_data(log, args.customer_id_col, args.date_col,
                                              monetary_value_col=monetary_col, **options)


def _read_log(args, extra_columns=()):
    log = read_table(args.input, args.sep, text_columns=(args.customer_id_col, args.date_col))
    columns = [args.customer_id_col, args.date_col] + ([args.monetary_col] if args.monetary_col else [])
    _require_columns(log, columns + list(extra_columns), args.input,
                     " (name them with --customer-id-col, --date-col, --monetary-col, --segment-col)")
    return log


def cmd_summarize(args):
    _check_output(args.output)
    if args.net_refunds and not args.monetary_col:
        raise UsageError("--net-refunds needs --monetary-col (the amounts, refunds negative)")
    _check_output(args.refunds_output)
    log = _read_log(args)
    summary = _summarize(log, args, args.monetary_col)
    write_table(summary.reset_index(), args.output)
    _note(f"{len(log):,} transactions -> {len(summary):,} customers "
          f"({int((summary['frequency'] > 0).sum()):,} repeat) in {args.output}")


def _read_rfm(path, sep, customer_id_col, needed):
    rfm = read_table(path, sep, text_columns=(customer_id_col,))
    if customer_id_col is None:
        customer_id_col = rfm.columns[0]
    _require_columns(rfm, [customer_id_col] + needed, path,
                     " (a table written by `fastlifetimes summarize`)")
    return rfm.set_index(customer_id_col)


def cmd_fit(args):
    for path in (args.output, args.spend_output):
        if path is not None and path.suffix.lower() != ".json":
            raise UsageError(f"model file {path}: name it .json (models are saved as JSON)")
    _check_output(args.output)
    if not (math.isfinite(args.penalizer) and args.penalizer >= 0):
        raise UsageError(f"--penalizer: must be a finite number >= 0, got {args.penalizer}")
    spend_output = None
    if args.spend:
        spend_output = args.spend_output or args.output.with_name(args.output.stem + ".gamma_gamma.json")
        _check_output(spend_output)
    needed = ["frequency", "recency", "T"] + (["monetary_value"] if args.spend else [])
    rfm = _read_rfm(args.input, args.sep, args.customer_id_col, needed)
    progress = _Progress(not args.no_progress, 2 if args.spend else 1, "fitting", " models")
    try:
        model = _fit_transaction_model(args.model, rfm["frequency"], rfm["recency"], rfm["T"], args.penalizer)
        progress.step(what=MODELS[args.model])
        model.save_model(args.output, save_data=args.save_data)
        _note(f"{MODELS[args.model]} on {len(rfm):,} customers: {_params_text(model)} -> {args.output}")
        if args.spend:
            spend = _fit_spend_model(rfm["frequency"], rfm["monetary_value"], args.penalizer)
            progress.step(what="GammaGammaFitter")
            spend.save_model(spend_output, save_data=args.save_data)
            _note(f"GammaGammaFitter on {len(spend.data):,} repeat customers: {_params_text(spend)} "
                  f"-> {spend_output}")
    finally:
        progress.close()


def _score(model, spend, rfm, args):
    f, r, T = rfm["frequency"], rfm["recency"], rfm["T"]
    out = pd.DataFrame(index=rfm.index)
    for h in args.horizons:
        out[f"expected_purchases_{h:g}"] = model.conditional_expected_number_of_purchases_up_to_time(h, f, r, T)
    if _is_discrete(model):
        out["p_alive"] = model.conditional_probability_alive(0, f, r, T)
    else:
        out["p_alive"] = model.conditional_probability_alive(f, r, T)
    if spend is not None:
        m = rfm["monetary_value"]
        out["expected_average_value"] = spend.conditional_expected_average_profit(f, m)
        if not _is_discrete(model):
            out[f"clv_{args.clv_months:g}m"] = spend.customer_lifetime_value(
                model, f, r, T, m, time=args.clv_months, discount_rate=args.discount_rate, freq=args.freq)
    return out


def cmd_predict(args):
    _check_output(args.output)
    for h in args.horizons:
        if not (math.isfinite(h) and h >= 0):
            raise UsageError(f"--horizons: must be finite numbers >= 0, got {h}")
    if not (math.isfinite(args.discount_rate) and args.discount_rate > -1):
        raise UsageError(f"--discount-rate: must be a finite number above -1, got {args.discount_rate}")
    if not (math.isfinite(args.clv_months) and args.clv_months >= 0):
        raise UsageError(f"--clv-months: must be a number of months >= 0, got {args.clv_months}")
    model = load_model_file(args.model_file)
    if type(model).__name__ not in MODELS.values():
        raise UsageError(f"{args.model_file}: holds a {type(model).__name__}, not a transaction model "
                         "(pass the spend model with --spend-model)")
    spend = load_model_file(args.spend_model) if args.spend_model else None
    if spend is not None and type(spend).__name__ not in SPEND_MODELS.values():
        raise UsageError(f"{args.spend_model}: holds a {type(spend).__name__}, not a spend model")
    if spend is not None and _is_discrete(model):
        _note("BG/BB counts opportunities, not calendar time: no CLV column (the expected value per purchase is given)")
    needed = ["frequency", "recency", "T"] + (["monetary_value"] if spend is not None else [])
    rfm = _read_rfm(args.input, args.sep, args.customer_id_col, needed)
    progress = _Progress(not args.no_progress, len(rfm), "scoring", " customers")
    parts = []
    try:
        for begin in range(0, len(rfm), CHUNK):
            block = rfm.iloc[begin:begin + CHUNK]
            parts.append(_score(model, spend, block, args))
            progress.step(len(block))
    finally:
        progress.close()
    scores = pd.concat(parts) if len(parts) > 1 else parts[0]
    if spend is not None and not _is_discrete(model):
        from .segments import value_tiers

        scores["value_tier"] = value_tiers(scores[f"clv_{args.clv_months:g}m"]).astype(str)
    write_table(pd.concat([rfm, scores], axis=1).reset_index(), args.output)
    _note(f"scored {len(scores):,} customers -> {args.output}")


def _first_values(log, args, columns):
    """Each customer's value of ``columns`` at their first transaction."""
    dates = pd.to_datetime(log[args.date_col], format=args.date_format)
    first = log.assign(_date=dates).sort_values("_date", kind="stable").drop_duplicates(args.customer_id_col)
    return first.set_index(args.customer_id_col)[list(columns)]


def cmd_evaluate(args):
    _check_output(args.output)
    _check_output(args.report_output)
    if args.spend and not args.monetary_col:
        raise UsageError("--spend needs --monetary-col (the transaction values)")
    from .evaluation import evaluate_holdout
    from .utils import calibration_and_holdout_data

    progress = _Progress(not args.no_progress, 5, "evaluating", " steps")
    try:
        log = _read_log(args, extra_columns=args.segment_col)
        progress.step(what="read")
        frame = calibration_and_holdout_data(
            log, args.customer_id_col, args.date_col, args.calibration_end,
            observation_period_end=args.observation_end, freq=args.freq, datetime_format=args.date_format,
            monetary_value_col=args.monetary_col)
        progress.step(what="summarised")
        model = _fit_transaction_model(args.model, frame["frequency_cal"], frame["recency_cal"],
                                       frame["T_cal"], args.penalizer)
        spend = None
        if args.spend:
            spend = _fit_spend_model(frame["frequency_cal"], frame["monetary_value_cal"], args.penalizer)
        progress.step(what="fitted")
        segments = {}
        if args.segment_col:
            first = _first_values(log, args, args.segment_col).reindex(frame.index)
            segments.update({c: first[c] for c in args.segment_col})
        if args.by_cohort:
            dates = pd.to_datetime(log[args.date_col], format=args.date_format)
            first_date = dates.groupby(log[args.customer_id_col]).min().reindex(frame.index)
            segments["cohort"] = first_date.dt.to_period("M").astype(str)
        report = evaluate_holdout(model, frame, spend_model=spend, segments=segments or None)
        if args.by_value_tier:
            from .evaluation import calibration_by_segment
            from .segments import value_tiers

            predicted = report.customers[f"predicted_{report.target}"]
            tiers = calibration_by_segment(predicted, report.customers[f"actual_{report.target}"],
                                           {"value_tier": value_tiers(predicted)},
                                           index=report.customers.index)
            report.segments = tiers if report.segments is None else pd.concat([report.segments, tiers])
            report.segments.attrs = tiers.attrs
        progress.step(what="evaluated")
        if args.output:
            write_table(pd.concat([frame, report.customers], axis=1).reset_index(), args.output)
        progress.step(what="written")
    finally:
        progress.close()
    header = (f"{MODELS[args.model]}: {_params_text(model)}"
              + (f"\nGammaGammaFitter: {_params_text(spend)}" if spend is not None else "")
              + f"\ncalibration until {args.calibration_end}, holdout until "
                f"{args.observation_end or 'the last transaction'} (freq {args.freq})\n")
    text = header + report.to_text()
    print(text)
    if args.report_output:
        Path(args.report_output).write_text(text + "\n", encoding="utf-8")


# -- the parser --------------------------------------------------------------------------

EXAMPLES = {
    "summarize": """examples:
  fastlifetimes summarize orders.csv rfm.csv --customer-id-col customer --date-col day
  fastlifetimes summarize orders.parquet rfm.parquet --monetary-col amount --freq W
  fastlifetimes summarize CDNOW_master.txt rfm.csv --sep '\\s+' --customer-id-col customer_id \\
      --date-col date --date-format %Y%m%d --monetary-col dollar_value --freq W
  fastlifetimes summarize orders.csv rfm.csv --monetary-col amount --net-refunds \\
      --refunds-output not_positive.csv      # refunds netted within each period""",
    "fit": """examples:
  fastlifetimes fit rfm.csv bgnbd.json                       # BG/NBD
  fastlifetimes fit rfm.csv pnbd.json --model pareto --spend gamma-gamma
      # also writes pnbd.gamma_gamma.json (or --spend-output FILE)
The model files load in Python with e.g. fastlifetimes.BetaGeoFitter().load_model(path).""",
    "predict": """examples:
  fastlifetimes predict rfm.csv bgnbd.json scores.csv --horizons 30 90 365
  fastlifetimes predict rfm.csv bgnbd.json scores.parquet --spend-model bgnbd.gamma_gamma.json \\
      --clv-months 12 --discount-rate 0.01 --freq D
Horizons and recency/T are in the summary's time unit (--freq); CLV is in months.""",
    "evaluate": """examples:
  fastlifetimes evaluate CDNOW_master.txt --sep '\\s+' --customer-id-col customer_id \\
      --date-col date --date-format %Y%m%d --monetary-col dollar_value --freq W \\
      --calibration-end 19970930 --observation-end 19980630 --spend gamma-gamma --by-cohort
  fastlifetimes evaluate orders.csv --calibration-end 2024-06-30 --segment-col country \\
      --segment-col channel --output holdout_customers.parquet""",
}


def _add_log_options(p, monetary_help):
    p.add_argument("--customer-id-col", default="customer_id", help="default: %(default)s")
    p.add_argument("--date-col", default="date", help="default: %(default)s")
    p.add_argument("--monetary-col", default=None, help=monetary_help)
    p.add_argument("--date-format", default=None,
                   help="strftime format of the dates, e.g. %%Y%%m%%d (default: inferred)")


def _add_common(p):
    p.add_argument("--sep", default=",",
                   help=r"CSV field separator (a regex such as '\s+' for whitespace); default ','")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (there is none off a terminal anyway)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fastlifetimes",
        description="Customer-lifetime-value models (BG/NBD, Pareto/NBD, MBG/NBD, BG/BB, Gamma-Gamma) "
                    "from the command line: summarize a transaction log, fit, predict, evaluate on a holdout.",
        epilog="Run `fastlifetimes <command> --help` for a command's options and examples.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"fastlifetimes {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="command", required=True)

    def command(name, help_text):
        return sub.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES[name],
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("summarize", "transaction log -> one RFM row per customer (frequency, recency, T, monetary_value)")
    p.add_argument("input", type=Path, help="transaction log (.csv or .parquet)")
    p.add_argument("output", type=Path, help="RFM table (.csv or .parquet)")
    _add_log_options(p, "transaction value column; adds monetary_value (mean repeat-period value)")
    p.add_argument("--freq", choices=FREQS, default="D",
                   help="time unit of recency and T: D (days) or W (weeks); default: D")
    p.add_argument("--observation-end", default=None,
                   help="end of observation; later transactions are ignored (default: the last one)")
    p.add_argument("--net-refunds", action="store_true",
                   help="negative amounts are refunds: net them within each period first "
                        "(fastlifetimes.segments.net_revenue_summary)")
    p.add_argument("--refunds-output", type=Path, default=None,
                   help="with --net-refunds: write the customers whose net value is not positive here")
    _add_common(p)
    p.set_defaults(run=cmd_summarize)

    p = command("fit", "RFM table -> model file (JSON)")
    p.add_argument("input", type=Path, help="RFM table from `fastlifetimes summarize` (.csv or .parquet)")
    p.add_argument("output", type=Path, help="model file to write (.json)")
    p.add_argument("--model", choices=sorted(MODELS), default="bgnbd",
                   help="bgnbd (BG/NBD), pareto (Pareto/NBD), mbgnbd (MBG/NBD), bgbb (BG/BB: T is the number "
                        "of opportunities); default: bgnbd")
    p.add_argument("--spend", choices=sorted(SPEND_MODELS), default=None,
                   help="also fit a spend model on the repeat customers with monetary_value > 0")
    p.add_argument("--spend-output", type=Path, default=None,
                   help="spend model file (default: OUTPUT with .gamma_gamma.json)")
    p.add_argument("--penalizer", type=float, default=0.0, help="L2 penalizer_coef; default: 0")
    p.add_argument("--save-data", action="store_true", help="keep the fitted data in the model file (needed for "
                   "standard errors and plots after loading)")
    p.add_argument("--customer-id-col", default=None, help="default: the first column")
    _add_common(p)
    p.set_defaults(run=cmd_fit)

    p = command("predict", "RFM table + model file -> per-customer predictions")
    p.add_argument("input", type=Path, help="RFM table from `fastlifetimes summarize`")
    p.add_argument("model_file", type=Path, help="transaction model from `fastlifetimes fit`")
    p.add_argument("output", type=Path, help="predictions (.csv or .parquet)")
    p.add_argument("--spend-model", type=Path, default=None,
                   help="spend model file: adds expected value, CLV and value tier")
    p.add_argument("--horizons", type=float, nargs="+", default=[30.0, 90.0],
                   help="horizons in the RFM table's time unit; default: 30 90")
    p.add_argument("--clv-months", type=float, default=12, help="CLV horizon in months; default: 12")
    p.add_argument("--discount-rate", type=float, default=0.01,
                   help="monthly discount rate of the CLV; default: 0.01")
    p.add_argument("--freq", choices=FREQS, default="D",
                   help="time unit of recency and T in the table; default: D")
    p.add_argument("--customer-id-col", default=None, help="default: the first column")
    _add_common(p)
    p.set_defaults(run=cmd_predict)

    p = command("evaluate",
                "transaction log -> calibration/holdout split, fit, report (errors, Gini, deciles, segments)")
    p.add_argument("input", type=Path, help="transaction log (.csv or .parquet)")
    _add_log_options(p, "transaction value column (needed for --spend)")
    p.add_argument("--calibration-end", required=True, help="last date of the calibration period")
    p.add_argument("--observation-end", default=None,
                   help="last date of the holdout (default: the last transaction)")
    p.add_argument("--freq", choices=FREQS, default="D", help="time unit; default: D")
    p.add_argument("--model", choices=sorted(MODELS), default="bgnbd", help="default: bgnbd")
    p.add_argument("--spend", choices=sorted(SPEND_MODELS), default=None,
                   help="evaluate value too (needs --monetary-col)")
    p.add_argument("--penalizer", type=float, default=0.0, help="L2 penalizer_coef; default: 0")
    p.add_argument("--segment-col", action="append", default=[],
                   help="calibration by the segments of this log column (each customer's value at their "
                        "first transaction); repeatable")
    p.add_argument("--by-cohort", action="store_true", help="calibration by first-purchase month too")
    p.add_argument("--by-value-tier", action="store_true", help="calibration by predicted value tier too")
    p.add_argument("--output", type=Path, default=None, help="write the per-customer table here")
    p.add_argument("--report-output", type=Path, default=None, help="write the printed report here too")
    _add_common(p)
    p.set_defaults(run=cmd_evaluate)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    def one_line_warning(message, category, filename, lineno, file=None, line=None):
        _note(f"warning: {' '.join(str(message).split())}")

    warnings.showwarning = one_line_warning
    try:
        args.run(args)
    except (UsageError, ValueError, OSError, ImportError) as error:
        # ValueError: the library names the bad column and rows; OSError: unreadable files
        print(f"fastlifetimes {args.command}: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"fastlifetimes {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
