"""Plots of fitted models against their data: the ten figures of lifetimes 0.11.3's
``plotting`` module, with its function names, arguments and defaults, each returning the
matplotlib Axes it drew on.

The numbers behind every figure come from fastlifetimes' vectorised calls: a whole
frequency/recency grid is one model call, the tracking plots use
``utils.expected_cumulative_transactions`` and ``utils.calculate_alive_path``, and the
simulated bars of ``plot_period_transactions`` come from ``fastlifetimes.generate_data``.
``plot_lorenz_curve`` and ``plot_decile_table`` draw a holdout report of
``fastlifetimes.evaluation`` (they are not in lifetimes).

matplotlib is optional (``pip install "fastlifetimes[plot]"``): it is imported when a
function is called, not with this module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core
from .utils import calculate_alive_path, expected_cumulative_transactions

__all__ = [
    "plot_period_transactions",
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_expected_repeat_purchases",
    "plot_history_alive",
    "plot_cumulative_transactions",
    "plot_incremental_transactions",
    "plot_transaction_rate_heterogeneity",
    "plot_dropout_rate_heterogeneity",
    "plot_lorenz_curve",
    "plot_decile_table",
]

_CALIBRATION_X_LABELS = {
    "frequency_cal": "Purchases in calibration period",
    "recency_cal": "Age of customer at last purchase",
    "T_cal": "Age of customer at the end of calibration period",
    "time_since_last_purchase": "Time since user made last purchase",
}


def _pyplot():
    try:
        from matplotlib import pyplot
    except ImportError as error:
        raise ImportError(
            "fastlifetimes.plotting needs matplotlib, which is not installed: "
            'pip install "fastlifetimes[plot]" (or pip install "matplotlib>=3.5")'
        ) from error
    return pyplot


def _fitted_data(model, function: str) -> pd.DataFrame:
    data = getattr(model, "data", None)
    if data is None:
        raise ValueError(
            f"{function}: the model holds no fitted data; fit it first (a model saved with "
            "save_data=False loads without its data)"
        )
    return data


def _params(model, names, function: str):
    if not hasattr(model, "params_"):
        model._unload_params(*names)  # the fitters' own "not fit yet" error
    missing = [n for n in names if n not in model.params_.index]
    if missing:
        raise ValueError(
            f"{function}: needs a model with parameters {', '.join(names)}; "
            f"{type(model).__name__} has {', '.join(map(str, model.params_.index))}"
        )
    return [float(v) for v in model._unload_params(*names)]


def _is_discrete(model) -> bool:
    from .fitters.beta_geo_beta_binom_fitter import BetaGeoBetaBinomFitter

    return isinstance(model, BetaGeoBetaBinomFitter)


def _age_column(model) -> str:
    """BG/BB's customers are observed for n_periods opportunities, the others for T."""
    return "n_periods" if _is_discrete(model) else "T"


def _simulate_like_fit(model, data: pd.DataFrame, weights):
    """Customers simulated from the fitted parameters, as many as were fitted and each
    observed as long as its fitted counterpart (numpy's global seed makes it
    reproducible). Returns the simulated frequencies and the weight each one counts for."""
    whole = weights is None or np.array_equal(weights, np.floor(weights))
    copies = None if weights is None or not whole else weights.astype(np.int64)
    from . import generate_data
    from .fitters.beta_geo_beta_binom_fitter import BetaGeoBetaBinomFitter
    from .fitters.beta_geo_fitter import BetaGeoFitter
    from .fitters.modified_beta_geo_fitter import ModifiedBetaGeoFitter
    from .fitters.pareto_nbd_fitter import ParetoNBDFitter

    simulators = (  # subclasses before their base class
        (ModifiedBetaGeoFitter, generate_data.modified_beta_geometric_nbd_model),
        (BetaGeoFitter, generate_data.beta_geometric_nbd_model),
        (ParetoNBDFitter, generate_data.pareto_nbd_model),
        (BetaGeoBetaBinomFitter, generate_data.beta_geometric_beta_binom_model),
    )
    for fitter, simulate in simulators:
        if isinstance(model, fitter):
            params = _params(model, fitter._param_names, "plot_period_transactions")
            age = data[_age_column(model)].to_numpy(dtype=np.float64)
            if copies is not None:
                age = np.repeat(age, copies)
            # mypy cannot see that params fill the arguments before size
            simulated = simulate(age, *params, size=age.size)["frequency"].to_numpy()  # type: ignore[misc]
            # fractional weights are not head counts: one draw per row, counted with its weight
            return simulated, (weights if copies is None else None)
    if hasattr(model, "generate_new_data"):  # a lifetimes model, or the user's own simulator
        # it simulates one customer per fitted row, as lifetimes' does
        return np.asarray(model.generate_new_data(size=len(data))["frequency"]), weights
    raise ValueError(
        f"plot_period_transactions: cannot simulate customers of {type(model).__name__} "
        "(no generate_new_data method)"
    )


def _customers_by_frequency(frequency, weights, max_frequency: int) -> np.ndarray:
    """Customers (sums of weights) with 0, 1, ..., max_frequency - 1 repeat purchases."""
    f = np.asarray(frequency, dtype=np.float64)
    w = np.ones(f.size) if weights is None else np.asarray(weights, dtype=np.float64)
    shown = (f >= 0) & (f < max_frequency) & (f == np.floor(f))
    return np.bincount(f[shown].astype(np.int64), weights=w[shown], minlength=max_frequency)


def plot_period_transactions(
    model,
    max_frequency=7,
    title="Frequency of Repeat Transactions",
    xlabel="Number of Calibration Period Transactions",
    ylabel="Customers",
    **kwargs,
):
    """Bars of how many customers made 0, 1, ..., max_frequency - 1 repeat purchases: in
    the fitted data ("Actual") and in as many customers simulated from the fitted model,
    each observed as long as its fitted counterpart ("Model").

    A model fitted with ``weights`` counts each row as that many customers, for the data
    and the simulation alike (lifetimes counts rows). Frequencies with nobody in them get
    a bar of 0 (lifetimes shows the first ``max_frequency`` frequencies present).

    Parameters
    ----------
    model: a fitted BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter or
        BetaGeoBetaBinomFitter (or any model with ``data`` and ``generate_new_data``).
    max_frequency: int
        number of bars per group, for frequencies 0 .. max_frequency - 1.
    title, xlabel, ylabel: str
    kwargs:
        passed to ``pandas.DataFrame.plot(kind="bar")``; ``label`` names the two groups
        (default ``["Actual", "Model"]``).

    Returns
    -------
    matplotlib Axes
    """
    _pyplot()
    if (isinstance(max_frequency, (bool, np.bool_)) or not isinstance(max_frequency, (int, np.integer))
            or max_frequency < 1):
        raise ValueError(f"max_frequency: must be a positive integer, got {max_frequency!r}")
    labels = kwargs.pop("label", ["Actual", "Model"])
    if isinstance(labels, str) or len(labels) != 2:
        raise ValueError(f"label: expected two names (data, model), got {labels!r}")
    data = _fitted_data(model, "plot_period_transactions")
    weights = data["weights"].to_numpy(dtype=np.float64) if "weights" in data.columns else None
    simulated, simulated_weights = _simulate_like_fit(model, data, weights)
    counts = pd.DataFrame(
        {
            labels[0]: _customers_by_frequency(data["frequency"], weights, max_frequency),
            labels[1]: _customers_by_frequency(simulated, simulated_weights, max_frequency),
        },
        index=pd.RangeIndex(max_frequency, name="frequency"),
    )
    ax = counts.plot(kind="bar", **kwargs)
    ax.legend()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def plot_calibration_purchases_vs_holdout_purchases(
    model, calibration_holdout_matrix, kind="frequency_cal", n=7, **kwargs
):
    """Mean purchases in the holdout period, observed and predicted by the model, of the
    customers grouped by one calibration-period quantity (the first n groups).

    Parameters
    ----------
    model: a fitted model.
    calibration_holdout_matrix: DataFrame
        as ``utils.calibration_and_holdout_data`` returns it (frequency_cal, recency_cal,
        T_cal, frequency_holdout, duration_holdout).
    kind: str
        the grouping: "frequency_cal", "recency_cal", "T_cal" or
        "time_since_last_purchase" (T_cal - recency_cal).
    n: int
        number of groups shown, from the smallest value of ``kind``.
    kwargs:
        passed to ``pandas.DataFrame.plot``.

    Returns
    -------
    matplotlib Axes
    """
    _pyplot()
    if kind not in _CALIBRATION_X_LABELS:
        raise ValueError(f"kind: must be one of {list(_CALIBRATION_X_LABELS)}, got {kind!r}")
    matrix = calibration_holdout_matrix
    needed = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
    missing = [c for c in needed if c not in matrix.columns]
    if missing:
        raise ValueError(f"calibration_holdout_matrix: missing column(s) {missing}; "
                         f"available columns: {list(matrix.columns)}")
    # the holdout lasts as long for everyone; its first row says how long
    duration = matrix["duration_holdout"].iloc[0]
    predicted = model.conditional_expected_number_of_purchases_up_to_time(
        duration, matrix["frequency_cal"], matrix["recency_cal"], matrix["T_cal"])
    if kind == "time_since_last_purchase":
        groups = (matrix["T_cal"] - matrix["recency_cal"]).to_numpy()
    else:
        groups = matrix[kind].to_numpy()
    means = (
        pd.DataFrame({"frequency_holdout": matrix["frequency_holdout"].to_numpy(dtype=np.float64),
                      "model_predictions": np.asarray(predicted, dtype=np.float64)})
        .groupby(pd.Index(groups, name=kind))
        .mean()
        .iloc[:n]
    )
    ax = means.plot(**kwargs)
    ax.set_title("Actual Purchases in Holdout Period vs Predicted Purchases")
    ax.set_xlabel(_CALIBRATION_X_LABELS[kind])
    ax.set_ylabel("Average of Purchases in Holdout Period")
    ax.legend()
    return ax


def _draw_matrix(plt, values, title, xlabel, ylabel, kwargs):
    """A heat map of a (recency, frequency) grid with square cells and a colour bar."""
    interpolation = kwargs.pop("interpolation", "none")
    ax = plt.subplot(111)
    image = ax.imshow(values, interpolation=interpolation, **kwargs)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    left, right, bottom, top = image.get_extent()
    # a square picture, however many recencies and frequencies there are
    ax.set_aspect(abs((right - left) / (top - bottom)))
    plt.colorbar(image, ax=ax)
    return ax


def _grid_limits(model, data_getter, max_frequency, max_recency):
    if max_frequency is None:
        max_frequency = int(data_getter()["frequency"].max())
    if max_recency is None:
        max_recency = int(data_getter()[_age_column(model)].max())
    for name, value in (("max_frequency", max_frequency), ("max_recency", max_recency)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name}: must be a non-negative integer, got {value!r}")
    return int(max_frequency), int(max_recency)


def plot_frequency_recency_matrix(
    model,
    T=1,
    max_frequency=None,
    max_recency=None,
    title=None,
    xlabel="Customer's Historical Frequency",
    ylabel="Customer's Recency",
    **kwargs,
):
    """Heat map of the expected purchases in the next T time units of a customer of age
    max_recency, by frequency (columns 0 .. max_frequency) and recency (rows 0 ..
    max_recency). The whole grid is one call of the model's
    ``conditional_expected_number_of_purchases_up_to_time``.

    For a BG/BB model (T then counts opportunities and ages are n_periods), histories no
    customer can have (frequency above recency, or a recency without transactions) are
    left blank (NaN); lifetimes computes numbers for them.

    Parameters
    ----------
    model: a fitted model.
    T: float
        the horizon of the prediction, in the data's time unit.
    max_frequency, max_recency: int, optional
        the grid's extent; by default the largest frequency and the largest age (T, or
        n_periods for BG/BB) of the fitted data.
    title, xlabel, ylabel: str
    kwargs:
        passed to ``Axes.imshow`` (``interpolation`` defaults to "none").

    Returns
    -------
    matplotlib Axes
    """
    plt = _pyplot()
    max_frequency, max_recency = _grid_limits(
        model, lambda: _fitted_data(model, "plot_frequency_recency_matrix"), max_frequency, max_recency)
    recency, frequency = np.meshgrid(np.arange(max_recency + 1, dtype=np.float64),
                                     np.arange(max_frequency + 1, dtype=np.float64), indexing="ij")
    expected = np.full(recency.shape, np.nan)
    if _is_discrete(model):
        possible = ((frequency == 0) & (recency == 0)) | ((frequency >= 1) & (frequency <= recency))
    else:
        possible = np.ones(recency.shape, dtype=bool)
    age = np.full(int(possible.sum()), float(max_recency))
    expected[possible] = np.asarray(model.conditional_expected_number_of_purchases_up_to_time(
        T, frequency[possible], recency[possible], age), dtype=np.float64)
    if title is None:
        units = "Unit" if T == 1 else "Units"
        title = (f"Expected Number of Future Purchases for {T} {units} of Time,"
                 "\nby Frequency and Recency of a Customer")
    return _draw_matrix(plt, expected, title, xlabel, ylabel, kwargs)


def plot_probability_alive_matrix(
    model,
    max_frequency=None,
    max_recency=None,
    title="Probability Customer is Alive,\nby Frequency and Recency of a Customer",
    xlabel="Customer's Historical Frequency",
    ylabel="Customer's Recency",
    **kwargs,
):
    """Heat map of P(alive) of a customer of age max_recency, by frequency (columns) and
    recency (rows): the model's ``conditional_probability_alive_matrix`` (BG/NBD, MBG/NBD,
    Pareto/NBD; BG/BB has none, as in lifetimes).

    Parameters
    ----------
    model: a fitted model.
    max_frequency, max_recency: int, optional
        the grid's extent; by default the largest frequency and the largest T of the
        fitted data.
    title, xlabel, ylabel: str
    kwargs:
        passed to ``Axes.imshow`` (``interpolation`` defaults to "none").

    Returns
    -------
    matplotlib Axes
    """
    plt = _pyplot()
    if not hasattr(model, "conditional_probability_alive_matrix"):
        raise AttributeError(
            f"plot_probability_alive_matrix: {type(model).__name__} has no "
            "conditional_probability_alive_matrix (BG/NBD, MBG/NBD and Pareto/NBD models do)"
        )
    alive = model.conditional_probability_alive_matrix(max_frequency, max_recency)
    return _draw_matrix(plt, alive, title, xlabel, ylabel, kwargs)


def _needs_continuous_time(model, function: str) -> None:
    if _is_discrete(model):
        raise ValueError(
            f"{function}: not defined for {type(model).__name__}, whose customers have discrete "
            "transaction opportunities (lifetimes' fails on it too)"
        )


def plot_expected_repeat_purchases(
    model,
    title="Expected Number of Repeat Purchases per Customer",
    xlabel="Time Since First Purchase",
    ax=None,
    label=None,
    **kwargs,
):
    """The expected repeat purchases of a new customer over time: a solid line up to the
    largest age T of the fitted data, then dashed, in the same colour, up to 1.5 times it.
    Both come from one call of ``expected_number_of_purchases_up_to_time``.

    Parameters
    ----------
    model: a fitted model.
    title, xlabel: str
    ax: matplotlib Axes, optional
        where to draw; by default the current figure's.
    label: str, optional
        legend entry of the solid line.
    kwargs:
        passed to ``Axes.plot`` for both lines (``c`` or ``color`` sets their colour).

    Returns
    -------
    matplotlib Axes
    """
    plt = _pyplot()
    _needs_continuous_time(model, "plot_expected_repeat_purchases")
    data = _fitted_data(model, "plot_expected_repeat_purchases")
    if ax is None:
        ax = plt.subplot(111)
    c, color = kwargs.pop("c", None), kwargs.pop("color", None)
    color = c if c is not None else color
    max_T = float(data["T"].max())
    fitted_span = np.linspace(0, max_T, 100)
    beyond = np.linspace(max_T, 1.5 * max_T, 100)
    expected = np.asarray(
        model.expected_number_of_purchases_up_to_time(np.concatenate([fitted_span, beyond])),
        dtype=np.float64)
    (solid,) = ax.plot(fitted_span, expected[:100], color=color, label=label, **kwargs)
    # the forecast takes the colour the first line drew from the cycle
    ax.plot(beyond, expected[100:], color=solid.get_color(), ls="--", **kwargs)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if ax.get_legend_handles_labels()[0]:  # no empty legend box (and no warning) without labels
        ax.legend(loc="lower right")
    return ax


def plot_history_alive(model, t, transactions, datetime_col, freq="D", start_date=None, ax=None, **kwargs):
    """One customer's P(alive) after each period since the first purchase, with a dashed
    red line at each period with a purchase (``utils.calculate_alive_path``, one model call).

    Parameters
    ----------
    model: a fitted BG/NBD, MBG/NBD or Pareto/NBD model.
    t: int
        the path covers at least t periods after the first purchase.
    transactions: DataFrame
        that customer's transactions.
    datetime_col: str
        the column of the purchase dates (datetimes, or strings pandas can parse).
    freq: str
        the period (the fitted data's time unit): "D", "W", ...
    start_date: datetime or str, optional
        where the x axis starts; default the first purchase.
    ax: matplotlib Axes, optional
        where to draw; by default the current figure's.
    kwargs:
        passed to ``Axes.plot`` for the P(alive) line.

    Returns
    -------
    matplotlib Axes
    """
    plt = _pyplot()
    _needs_continuous_time(model, "plot_history_alive")
    path = calculate_alive_path(model, transactions, datetime_col, t, freq)
    values = path.to_numpy()
    # a BG/NBD path holds one-element arrays (lifetimes' layout); flatten them in one step
    alive = np.asarray(np.concatenate(values) if values.dtype == object else values, dtype=np.float64)
    dates = pd.DatetimeIndex(pd.to_datetime(transactions[datetime_col]))
    first = dates.min()
    start_date = first if start_date is None else pd.Timestamp(start_date)
    if ax is None:
        ax = plt.subplot(111)
    path_dates = pd.date_range(start=first, periods=alive.size, freq=freq)
    ax.plot(path_dates, alive, "-", label="P_alive", **kwargs)
    per_period = pd.Series(np.ones(dates.size, dtype=np.int64), index=dates).resample(freq).sum()
    bought = per_period.index[per_period.to_numpy() >= 1]
    ax.vlines(bought.values, ymin=0, ymax=1, colors="r", linestyles="dashed", label="purchases")
    ax.set_ylim(0, 1.0)
    ax.set_yticks(np.arange(0, 1.1, 0.1))
    ax.set_xlim(start_date, path_dates[-1])
    ax.legend(loc=3)
    ax.set_ylabel("P_alive")
    ax.set_title("History of P_alive")
    return ax


def _tracking_plot(model, transactions, datetime_col, customer_id_col, t, t_cal, datetime_format, freq,
                   set_index_date, title, xlabel, ylabel, ax, kwargs, function, incremental):
    plt = _pyplot()
    _needs_continuous_time(model, function)
    if ax is None:
        ax = plt.subplot(111)
    tracking = expected_cumulative_transactions(
        model, transactions, datetime_col, customer_id_col, t,
        datetime_format=datetime_format, freq=freq, set_index_date=set_index_date)
    if incremental:
        tracking = tracking.diff()
    ax = tracking.plot(ax=ax, title=title, **kwargs)
    if set_index_date:
        calibration_end = tracking.index[int(t_cal)]
        xlabel = "date"
    else:
        calibration_end = t_cal
    ax.axvline(x=calibration_end, color="r", linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def plot_cumulative_transactions(
    model,
    transactions,
    datetime_col,
    customer_id_col,
    t,
    t_cal,
    datetime_format=None,
    freq="D",
    set_index_date=False,
    title="Tracking Cumulative Transactions",
    xlabel="day",
    ylabel="Cumulative Transactions",
    ax=None,
    **kwargs,
):
    """Actual and predicted cumulative repeat transactions of a transaction log's
    customers, period by period (``utils.expected_cumulative_transactions``), with a
    dashed red line at the end of the calibration period.

    Parameters
    ----------
    model: a fitted BG/NBD, MBG/NBD or Pareto/NBD model.
    transactions: DataFrame
        the transaction log.
    datetime_col, customer_id_col: str
        its date and customer columns.
    t: int
        number of periods tracked from the first transaction.
    t_cal: float
        where the calibration period ends (periods since the first transaction).
    datetime_format: str, optional
        the dates' format, when pandas cannot guess it.
    freq: str
        the period: "D", "W", ...
    set_index_date: bool
        index the rows (and the x axis) by period rather than 0, 1, ...; the x label is
        then "date".
    title, xlabel, ylabel: str
    ax: matplotlib Axes, optional
    kwargs:
        passed to ``pandas.DataFrame.plot``.

    Returns
    -------
    matplotlib Axes
    """
    return _tracking_plot(model, transactions, datetime_col, customer_id_col, t, t_cal, datetime_format,
                          freq, set_index_date, title, xlabel, ylabel, ax, kwargs,
                          "plot_cumulative_transactions", incremental=False)


def plot_incremental_transactions(
    model,
    transactions,
    datetime_col,
    customer_id_col,
    t,
    t_cal,
    datetime_format=None,
    freq="D",
    set_index_date=False,
    title="Tracking Daily Transactions",
    xlabel="day",
    ylabel="Transactions",
    ax=None,
    **kwargs,
):
    """Actual and predicted repeat transactions in each period (the differences of
    ``plot_cumulative_transactions``' lines; the first period has none), with a dashed red
    line at the end of the calibration period. Same arguments as
    ``plot_cumulative_transactions``.

    Returns
    -------
    matplotlib Axes
    """
    return _tracking_plot(model, transactions, datetime_col, customer_id_col, t, t_cal, datetime_format,
                          freq, set_index_date, title, xlabel, ylabel, ax, kwargs,
                          "plot_incremental_transactions", incremental=True)


def _density_figure(plt, x, density, mean, variance, suptitle, xlabel, ylabel, suptitle_fontsize, kwargs):
    fig, ax = plt.subplots(1)
    fig.suptitle(suptitle, fontsize=suptitle_fontsize, fontweight="bold")
    ax.set_title(f"mean: {mean:.3f}, var: {variance:.3f}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout(rect=[0, 0.03, 1, 0.95])
    ax.plot(x, density, **kwargs)
    return ax


def plot_transaction_rate_heterogeneity(
    model,
    suptitle="Heterogeneity in Transaction Rate",
    xlabel="Transaction Rate",
    ylabel="Density",
    suptitle_fontsize=14,
    **kwargs,
):
    """The fitted Gamma(r, alpha) density of the customers' purchase rates lambda, from 0
    to its 99% quantile, in a new figure; the Axes title gives its mean and variance.
    For the models with r and alpha (BG/NBD, MBG/NBD, Pareto/NBD). ``suptitle`` is used
    (lifetimes' ignores it and always prints the default).

    Parameters
    ----------
    model: a fitted model.
    suptitle, xlabel, ylabel: str
    suptitle_fontsize: float
    kwargs:
        passed to ``Axes.plot``.

    Returns
    -------
    matplotlib Axes
    """
    plt = _pyplot()
    r, alpha = _params(model, ("r", "alpha"), "plot_transaction_rate_heterogeneity")
    x = np.linspace(0, _core.gamma_quantile(0.99, r, alpha), 100)
    return _density_figure(plt, x, _core.gamma_density(x, r, alpha), r / alpha, r / alpha**2, suptitle,
                           xlabel, ylabel, suptitle_fontsize, kwargs)


def plot_dropout_rate_heterogeneity(
    model,
    suptitle="Heterogeneity in Dropout Probability",
    xlabel="Dropout Probability p",
    ylabel="Density",
    suptitle_fontsize=14,
    **kwargs,
):
    """The fitted Beta(a, b) density of the customers' dropout probabilities p, from 0 to
    its 99% quantile, in a new figure; the Axes title gives its mean and variance. For the
    models with a and b (BG/NBD, MBG/NBD). Same arguments as
    ``plot_transaction_rate_heterogeneity``; returns the matplotlib Axes.
    """
    plt = _pyplot()
    a, b = _params(model, ("a", "b"), "plot_dropout_rate_heterogeneity")
    x = np.linspace(0, _core.beta_quantile(0.99, a, b), 100)
    mean = a / (a + b)
    variance = a * b / ((a + b) ** 2 * (a + b + 1))
    return _density_figure(plt, x, _core.beta_density(x, a, b), mean, variance, suptitle, xlabel, ylabel,
                           suptitle_fontsize, kwargs)


def _holdout_report(report, function: str):
    from .evaluation import HoldoutReport

    if not isinstance(report, HoldoutReport):
        raise ValueError(f"{function}: expected the HoldoutReport of fastlifetimes.evaluation.evaluate_holdout, "
                         f"got {type(report).__name__}")
    return report


def plot_lorenz_curve(report, ax=None, title=None, **kwargs):
    """The gains (Lorenz) curves of a holdout report: the share of the realised holdout
    value (or purchases) held by the top share of customers ranked by the model's forecast,
    by the naive forecast and by the realised values themselves (the best possible), with
    the diagonal of a random ranking. Normalised Ginis are in the legend.

    Parameters
    ----------
    report: the HoldoutReport of ``evaluation.evaluate_holdout``.
    ax: matplotlib Axes to draw on (default: the current one).
    title: str (default: says what is ranked).
    kwargs:
        passed to ``Axes.plot`` for the model's curve.

    Returns
    -------
    matplotlib Axes
    """
    plt = _pyplot()
    report = _holdout_report(report, "plot_lorenz_curve")
    ax = ax if ax is not None else plt.gca()
    gini = report.metrics["normalised_gini"]
    curves = (("model", report.lorenz, kwargs), ("naive", report.lorenz_naive, {"linestyle": "--"}),
              ("perfect", report.lorenz_perfect, {"linestyle": ":", "color": "grey"}))
    for name, curve, style in curves:
        label = name if name == "perfect" else f"{name} (normalised Gini {gini[(report.target, name)]:.3f})"
        ax.plot(curve["share_of_customers"], curve["share_of_value"], label=label, **style)
    ax.plot([0, 1], [0, 1], color="lightgrey", linewidth=1, label="random")
    ax.set_xlabel("Share of customers, by forecast (highest first)")
    ax.set_ylabel(f"Share of holdout {report.target}")
    ax.set_title(title or f"Holdout {report.target} captured by the top customers")
    ax.legend()
    return ax


def plot_decile_table(report, ax=None, title=None, **kwargs):
    """Mean predicted and mean realised holdout value (or purchases) per decile of
    customers ranked by the model's forecast (1 = highest), as grouped bars.

    Parameters
    ----------
    report: the HoldoutReport of ``evaluation.evaluate_holdout``.
    ax: matplotlib Axes to draw on (default: a new one).
    title: str (default: says what is ranked).
    kwargs:
        passed to ``pandas.DataFrame.plot(kind="bar")``.

    Returns
    -------
    matplotlib Axes
    """
    _pyplot()
    report = _holdout_report(report, "plot_decile_table")
    means = report.deciles[["mean_predicted", "mean_actual"]].rename(
        columns={"mean_predicted": "predicted", "mean_actual": "actual"})
    ax = means.plot(kind="bar", ax=ax, **kwargs)
    ax.set_xlabel(f"{report.deciles.index.name.capitalize()} of customers by predicted {report.target} (1 = highest)")
    ax.set_ylabel(f"Mean holdout {report.target} per customer")
    ax.set_title(title or f"Predicted vs actual holdout {report.target} by {report.deciles.index.name}")
    ax.legend()
    return ax
