"""fastlifetimes.plotting against lifetimes 0.11.3's plotting: every figure is drawn with
the Agg backend and saved to a PNG, and what it shows (line, bar and image data, titles,
axis labels) is compared with our models' numbers and with lifetimes' own figure drawn at
the same parameters (closed forms to 1e-8 relative). lifetimes draws all its figures in
one reference process.

Where lifetimes' figure is wrong or fails, the test says so:
- plot_transaction_rate_heterogeneity ignores its ``suptitle`` argument in lifetimes;
- plot_period_transactions fails for BG/BB in lifetimes (TypeError in its
  generate_new_data), ignores weights (counts rows, not customers) and labels its bars
  0.0, 1.0, ... (ours: 0, 1, ...); its simulated bars are random, so only the data bars
  are compared and ours are checked for plausibility;
- plot_history_alive fails in lifetimes when the dates are strings (ours parses them).
"""

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.image import imread  # noqa: E402

import fastlifetimes  # noqa: E402
from fastlifetimes import BetaGeoBetaBinomFitter, BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter, plotting  # noqa: E402
from fastlifetimes.datasets import load_cdnow_summary, load_donations, load_transaction_data  # noqa: E402
from fastlifetimes.utils import (  # noqa: E402
    calibration_and_holdout_data,
    expected_cumulative_transactions,
    summary_data_from_transaction_data,
)
from lifetimes_reference import run_lifetimes  # noqa: E402

RTOL_CLOSED_FORM = 1e-8
CDNOW_MODELS = {"bgf": BetaGeoFitter, "mbgf": ModifiedBetaGeoFitter, "pnbd": ParetoNBDFitter}
CALIBRATION_KINDS = ["frequency_cal", "recency_cal", "T_cal", "time_since_last_purchase"]
HISTORY_CUSTOMER = 35
TRACKING = dict(datetime_col="date", customer_id_col="id", t=300, t_cal=200)

# What is read off a figure, defined once and run in both processes.
FIGURE_READERS = """
def texts(ax):
    legend = ax.get_legend()
    suptitle = ax.figure._suptitle
    return {"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
            "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
            "suptitle": suptitle.get_text() if suptitle else ""}

def lines(ax):
    return [l.get_xydata() for l in ax.lines]
"""
_READERS: dict = {}
exec(FIGURE_READERS, _READERS)
texts, lines = _READERS["texts"], _READERS["lines"]

# lifetimes draws every figure at our parameters (params_ and data set by hand, no fit);
# the Pareto/NBD grid is kept small because lifetimes fills it cell by cell.
REFERENCE_SNIPPET = FIGURE_READERS + """
import inspect
import matplotlib
matplotlib.use("Agg")
from matplotlib import pyplot as plt
from lifetimes import plotting as lp
from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter, BetaGeoBetaBinomFitter
from lifetimes import generate_data as gd

CLASSES = {"bgf": BetaGeoFitter, "mbgf": ModifiedBetaGeoFitter, "pnbd": ParetoNBDFitter}
SIMULATORS = {"bgf": gd.beta_geometric_nbd_model, "mbgf": gd.modified_beta_geometric_nbd_model,
              "pnbd": gd.pareto_nbd_model}

def model(name, params, data):
    m = CLASSES[name]()
    m.params_ = pd.Series(params)
    m.data = data
    # what lifetimes' fit would set
    m.generate_new_data = lambda size=1: SIMULATORS[name](data["T"], *params.values(), size=size)
    return m

def done(key, ax, **extra):
    out[key] = {"texts": texts(ax), "lines": lines(ax), **extra}
    plt.close("all")

for name, params in cdnow_params.items():
    m = model(name, params, cdnow)
    grid = {} if name != "pnbd" else {"max_frequency": 12, "max_recency": 20}
    ax = lp.plot_frequency_recency_matrix(m, **grid)
    done(name + "_fr", ax, image=np.asarray(ax.images[0].get_array()), aspect=float(ax.get_aspect()))
    ax = lp.plot_frequency_recency_matrix(m, T=4, max_frequency=5, max_recency=9)
    done(name + "_fr_small", ax, image=np.asarray(ax.images[0].get_array()))
    ax = lp.plot_probability_alive_matrix(m, **grid)
    done(name + "_alive", ax, image=np.asarray(ax.images[0].get_array()), aspect=float(ax.get_aspect()))
    ax = lp.plot_expected_repeat_purchases(m, label="model")
    done(name + "_repeat", ax, styles=[l.get_linestyle() for l in ax.lines])
    ax = lp.plot_transaction_rate_heterogeneity(m, suptitle="a title lifetimes ignores")
    done(name + "_rate", ax)
    if name != "pnbd":
        ax = lp.plot_dropout_rate_heterogeneity(m)
        done(name + "_dropout", ax)
    ax = lp.plot_period_transactions(m)
    done(name + "_period", ax, heights=np.array([p.get_height() for p in ax.patches]),
         ticks=[t.get_text() for t in ax.get_xticklabels()])

bb = BetaGeoBetaBinomFitter().fit(donations["frequency"], donations["recency"], donations["n_periods"],
                                  weights=donations["weights"])
try:
    lp.plot_period_transactions(bb)
    out["bgbb_period_error"] = ""
except Exception as error:
    out["bgbb_period_error"] = type(error).__name__
plt.close("all")

cal = model("bgf", cal_params, cal_matrix)
for kind in kinds:
    done("cal_" + kind, lp.plot_calibration_purchases_vs_holdout_purchases(cal, cal_matrix, kind=kind))

for name, params in daily_params.items():
    m = model(name, params, daily)
    ax = lp.plot_history_alive(m, 120, customer, "date")
    done(name + "_history", ax, segments=np.array(ax.collections[0].get_segments()),
         xlim=np.array(ax.get_xlim()))
    for dated in (False, True):
        for plot in ("cumulative", "incremental"):
            ax = getattr(lp, "plot_%s_transactions" % plot)(m, log, set_index_date=dated, **tracking)
            done("%s_%s_%s" % (name, plot, dated), ax)

out["signatures"] = {n: str(inspect.signature(getattr(lp, n))) for n in lp.__all__}
"""


def draw(tmp_path, name, ax):
    """Save the figure as a PNG, check it is a real picture, and return the Axes."""
    path = tmp_path / f"{name}.png"
    ax.figure.savefig(path, dpi=60)
    assert path.stat().st_size > 5_000
    pixels = imread(path)
    assert pixels.std() > 0.01  # not a blank canvas
    return ax


def assert_lines(ax, reference_lines):
    ours = lines(ax)
    assert len(ours) == len(reference_lines)
    for mine, theirs in zip(ours, reference_lines):
        np.testing.assert_allclose(mine, theirs, rtol=RTOL_CLOSED_FORM, atol=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_summary(index_col=[0])


@pytest.fixture(scope="module")
def cdnow_models(cdnow):
    return {name: cls().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
            for name, cls in CDNOW_MODELS.items()}


@pytest.fixture(scope="module")
def donations():
    data = load_donations()
    return data.rename(columns={"periods": "n_periods"})


@pytest.fixture(scope="module")
def bgbb(donations):
    return BetaGeoBetaBinomFitter().fit(donations["frequency"], donations["recency"],
                                        donations["n_periods"], weights=donations["weights"])


@pytest.fixture(scope="module")
def log():
    data = load_transaction_data()
    data["date"] = pd.to_datetime(data["date"])
    return data


@pytest.fixture(scope="module")
def daily_models(log):
    rfm = summary_data_from_transaction_data(log, "id", "date")
    return {name: CDNOW_MODELS[name]().fit(rfm["frequency"], rfm["recency"], rfm["T"])
            for name in ("bgf", "pnbd")}


@pytest.fixture(scope="module")
def calibration(log):
    matrix = calibration_and_holdout_data(log, "id", "date", calibration_period_end="2014-09-01",
                                          observation_period_end="2014-12-31")
    model = BetaGeoFitter().fit(matrix["frequency_cal"], matrix["recency_cal"], matrix["T_cal"])
    return matrix, model


@pytest.fixture(scope="module")
def reference(cdnow_models, cdnow, bgbb, donations, log, daily_models, calibration):
    matrix, cal_model = calibration
    customer = log[log["id"] == HISTORY_CUSTOMER]
    return run_lifetimes(
        REFERENCE_SNIPPET,
        cdnow=cdnow,
        cdnow_params={name: m.params_.to_dict() for name, m in cdnow_models.items()},
        donations=bgbb.data,
        cal_params=cal_model.params_.to_dict(),
        cal_matrix=matrix,
        kinds=CALIBRATION_KINDS,
        daily_params={name: m.params_.to_dict() for name, m in daily_models.items()},
        daily=next(iter(daily_models.values())).data,
        customer=customer,
        log=log,
        tracking={k: v for k, v in TRACKING.items()},
    )


# -- the heat maps ---------------------------------------------------------------------

@pytest.mark.parametrize("name", list(CDNOW_MODELS))
def test_frequency_recency_matrix(tmp_path, cdnow_models, reference, name):
    model = cdnow_models[name]
    grid = {} if name != "pnbd" else {"max_frequency": 12, "max_recency": 20}
    ax = draw(tmp_path, f"{name}_fr", plotting.plot_frequency_recency_matrix(model, **grid))
    image = np.asarray(ax.images[0].get_array())
    expected = reference[f"{name}_fr"]
    np.testing.assert_allclose(image, expected["image"], rtol=RTOL_CLOSED_FORM, atol=0)
    assert texts(ax) == expected["texts"]
    assert ax.get_aspect() == pytest.approx(expected["aspect"])
    # the picture is our model's prediction: rows are recencies, columns frequencies
    max_recency = image.shape[0] - 1
    for recency, frequency in [(0, 0), (max_recency, 3), (5, image.shape[1] - 1)]:
        assert image[recency, frequency] == pytest.approx(
            model.conditional_expected_number_of_purchases_up_to_time(1, frequency, recency, max_recency),
            rel=RTOL_CLOSED_FORM)
    assert len(ax.figure.axes) == 2  # the matrix and its colour bar

    plt.close("all")
    ax = draw(tmp_path, f"{name}_fr_small",
              plotting.plot_frequency_recency_matrix(model, T=4, max_frequency=5, max_recency=9))
    expected = reference[f"{name}_fr_small"]
    np.testing.assert_allclose(ax.images[0].get_array(), expected["image"], rtol=RTOL_CLOSED_FORM, atol=0)
    assert texts(ax) == expected["texts"]
    assert "for 4 Units of Time" in ax.get_title()


def test_frequency_recency_matrix_is_one_model_call(cdnow_models):
    model = cdnow_models["bgf"]
    calls = []

    class Counting(BetaGeoFitter):
        def conditional_expected_number_of_purchases_up_to_time(self, *args):
            calls.append(np.shape(args[1]))
            return super().conditional_expected_number_of_purchases_up_to_time(*args)

    counting = Counting()
    counting.__dict__.update(model.__dict__)
    plotting.plot_frequency_recency_matrix(counting, max_frequency=4, max_recency=6)
    assert calls == [(35,)]


def test_frequency_recency_matrix_bgbb_blanks_impossible_histories(tmp_path, bgbb):
    """lifetimes' fails on BG/BB with its defaults (KeyError 'T'), and with explicit limits
    it computes numbers for histories no customer can have."""
    ax = draw(tmp_path, "bgbb_fr", plotting.plot_frequency_recency_matrix(bgbb))
    image = np.ma.filled(ax.images[0].get_array(), np.nan)
    assert image.shape == (7, 7)  # n_periods 0..6, frequency 0..6 on the donations data
    recency, frequency = np.indices(image.shape)
    possible = ((frequency == 0) & (recency == 0)) | ((frequency >= 1) & (frequency <= recency))
    assert np.isnan(image[~possible]).all()
    expected = bgbb.conditional_expected_number_of_purchases_up_to_time(
        1, frequency[possible], recency[possible], np.full(possible.sum(), 6))
    np.testing.assert_allclose(image[possible], expected, rtol=RTOL_CLOSED_FORM)


@pytest.mark.parametrize("name", list(CDNOW_MODELS))
def test_probability_alive_matrix(tmp_path, cdnow_models, reference, name):
    model = cdnow_models[name]
    grid = {} if name != "pnbd" else {"max_frequency": 12, "max_recency": 20}
    ax = draw(tmp_path, f"{name}_alive", plotting.plot_probability_alive_matrix(model, **grid))
    expected = reference[f"{name}_alive"]
    image = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(image, expected["image"], rtol=RTOL_CLOSED_FORM, atol=0)
    np.testing.assert_allclose(image, model.conditional_probability_alive_matrix(**grid), rtol=0, atol=0)
    assert texts(ax) == expected["texts"]
    assert ax.get_aspect() == pytest.approx(expected["aspect"])


def test_probability_alive_matrix_needs_the_method(bgbb):
    with pytest.raises(AttributeError, match="conditional_probability_alive_matrix"):
        plotting.plot_probability_alive_matrix(bgbb)


# -- lines of a new customer and the mixing distributions ------------------------------

@pytest.mark.parametrize("name", list(CDNOW_MODELS))
def test_expected_repeat_purchases(tmp_path, cdnow_models, cdnow, reference, name):
    model = cdnow_models[name]
    ax = draw(tmp_path, f"{name}_repeat", plotting.plot_expected_repeat_purchases(model, label="model"))
    expected = reference[f"{name}_repeat"]
    assert_lines(ax, expected["lines"])
    assert texts(ax) == expected["texts"]
    solid, dashed = ax.lines
    assert [solid.get_linestyle(), dashed.get_linestyle()] == expected["styles"] == ["-", "--"]
    assert solid.get_color() == dashed.get_color()
    t = solid.get_xdata()
    assert t[-1] == cdnow["T"].max() and dashed.get_xdata()[-1] == pytest.approx(1.5 * cdnow["T"].max())
    np.testing.assert_allclose(solid.get_ydata(), model.expected_number_of_purchases_up_to_time(t),
                               rtol=RTOL_CLOSED_FORM)


def test_expected_repeat_purchases_on_given_axes_with_colour(cdnow_models):
    fig, (left, right) = plt.subplots(1, 2)
    ax = plotting.plot_expected_repeat_purchases(cdnow_models["bgf"], ax=right, color="k")
    assert ax is right and not left.lines
    assert [line.get_color() for line in right.lines] == ["k", "k"]
    assert right.get_legend() is None  # no label, no empty legend


@pytest.mark.parametrize("name", list(CDNOW_MODELS))
def test_transaction_rate_heterogeneity(tmp_path, cdnow_models, reference, name):
    model = cdnow_models[name]
    ax = draw(tmp_path, f"{name}_rate", plotting.plot_transaction_rate_heterogeneity(model))
    expected = reference[f"{name}_rate"]
    assert_lines(ax, expected["lines"])  # including the +inf density at 0 (r < 1)
    assert texts(ax) == expected["texts"]
    r, alpha = model.params_["r"], model.params_["alpha"]
    assert ax.get_title() == f"mean: {r / alpha:.3f}, var: {r / alpha ** 2:.3f}"

    # lifetimes prints "Heterogeneity in Transaction Rate" whatever suptitle says
    ax = plotting.plot_transaction_rate_heterogeneity(model, suptitle="Rates")
    assert ax.figure._suptitle.get_text() == "Rates"
    assert reference[f"{name}_rate"]["texts"]["suptitle"] == "Heterogeneity in Transaction Rate"


@pytest.mark.parametrize("name", ["bgf", "mbgf"])
def test_dropout_rate_heterogeneity(tmp_path, cdnow_models, reference, name):
    model = cdnow_models[name]
    ax = draw(tmp_path, f"{name}_dropout", plotting.plot_dropout_rate_heterogeneity(model))
    expected = reference[f"{name}_dropout"]
    assert_lines(ax, expected["lines"])
    assert texts(ax) == expected["texts"]


def test_mixing_densities_at_the_edges():
    """The compiled densities behind the heterogeneity plots, where Boost's conventions
    differ from the limits (scipy's values, which lifetimes plots)."""
    from fastlifetimes import _core

    x = np.array([0.0, 0.5, 2.0, -1.0])
    np.testing.assert_allclose(_core.gamma_density(x, 1.0, 3.0), [3.0, 3 * np.exp(-1.5), 3 * np.exp(-6), 0])
    assert _core.gamma_density(x, 0.5, 1.0)[0] == np.inf
    assert _core.gamma_density(x, 2.0, 1.0)[0] == 0
    np.testing.assert_allclose(_core.gamma_quantile(0.99, 1.0, 2.0), -np.log(0.01) / 2, rtol=1e-14)
    y = np.array([0.0, 0.25, 1.0, 1.5])
    np.testing.assert_allclose(_core.beta_density(y, 1.0, 1.0), [1, 1, 1, 0])
    assert list(_core.beta_density(y, 0.5, 0.5)[[0, 2]]) == [np.inf, np.inf]
    np.testing.assert_allclose(_core.beta_quantile(0.99, 2.0, 1.0), np.sqrt(0.99), rtol=1e-14)
    for bad in (lambda: _core.gamma_quantile(0.99, 0.0, 1.0), lambda: _core.beta_density(y, 1.0, -1.0),
                lambda: _core.beta_quantile(1.5, 1.0, 1.0)):
        with pytest.raises(ValueError):
            bad()


def test_heterogeneity_needs_the_parameters(cdnow_models, bgbb):
    with pytest.raises(ValueError, match="parameters a, b; ParetoNBDFitter has r, alpha, s, beta"):
        plotting.plot_dropout_rate_heterogeneity(cdnow_models["pnbd"])
    with pytest.raises(ValueError, match="parameters r, alpha"):
        plotting.plot_transaction_rate_heterogeneity(bgbb)
    with pytest.raises(ValueError, match="not been fit"):
        plotting.plot_transaction_rate_heterogeneity(BetaGeoFitter())


# -- simulated vs observed frequencies ---------------------------------------------------

@pytest.mark.parametrize("name", list(CDNOW_MODELS))
def test_period_transactions(tmp_path, cdnow_models, cdnow, reference, name):
    model = cdnow_models[name]
    np.random.seed(7)
    ax = draw(tmp_path, f"{name}_period", plotting.plot_period_transactions(model))
    expected = reference[f"{name}_period"]
    assert texts(ax) == expected["texts"]
    heights = np.array([p.get_height() for p in ax.patches])
    assert heights.size == expected["heights"].size == 14
    actual, simulated = heights[:7], heights[7:]
    np.testing.assert_array_equal(actual, expected["heights"][:7])
    np.testing.assert_array_equal(actual, np.bincount(cdnow["frequency"])[:7])
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(k) for k in range(7)]
    assert expected["ticks"] == [f"{k}.0" for k in range(7)]
    # a simulation of the fitted model looks like the data it was fitted to
    assert simulated.sum() <= len(cdnow)
    assert (np.abs(simulated - actual) <= 0.25 * actual + 4 * np.sqrt(actual) + 5).all()

    plt.close("all")
    np.random.seed(7)
    again = plotting.plot_period_transactions(model)
    np.testing.assert_array_equal([p.get_height() for p in again.patches], heights)


def test_period_transactions_bgbb_counts_customers(tmp_path, bgbb, donations, reference):
    """lifetimes' fails on every BG/BB model (its generate_new_data adds lists to 0)."""
    assert reference["bgbb_period_error"] == "TypeError"
    np.random.seed(3)
    ax = draw(tmp_path, "bgbb_period",
              plotting.plot_period_transactions(bgbb, label=["data", "BG/BB"], max_frequency=7))
    heights = np.array([p.get_height() for p in ax.patches])
    actual, simulated = heights[:7], heights[7:]
    counts = donations.groupby("frequency")["weights"].sum()
    np.testing.assert_array_equal(actual, counts.reindex(range(7), fill_value=0))
    assert simulated.sum() == donations["weights"].sum() == 11104  # everyone has 6 opportunities
    np.testing.assert_allclose(simulated, actual, rtol=0.2)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["data", "BG/BB"]


def test_period_transactions_weighted_fit_counts_customers(cdnow):
    """A fit on unique rows with weights draws the same data bars as the fit on customers
    (lifetimes would count the unique rows)."""
    rows = cdnow.groupby(["frequency", "recency", "T"]).size().rename("weights").reset_index()
    model = BetaGeoFitter().fit(rows["frequency"], rows["recency"], rows["T"], weights=rows["weights"])
    np.random.seed(11)
    ax = plotting.plot_period_transactions(model, max_frequency=5)
    heights = np.array([p.get_height() for p in ax.patches])
    np.testing.assert_array_equal(heights[:5], np.bincount(cdnow["frequency"])[:5])
    assert heights[5:].sum() <= len(cdnow) and heights[5] > 0.5 * heights[0]
    with pytest.raises(ValueError, match="label: expected two names"):
        plotting.plot_period_transactions(model, label="Actual")


# -- calibration vs holdout --------------------------------------------------------------

@pytest.mark.parametrize("kind", CALIBRATION_KINDS)
def test_calibration_purchases_vs_holdout_purchases(tmp_path, calibration, reference, kind):
    matrix, model = calibration
    ax = draw(tmp_path, f"cal_{kind}",
              plotting.plot_calibration_purchases_vs_holdout_purchases(model, matrix, kind=kind))
    expected = reference[f"cal_{kind}"]
    assert_lines(ax, expected["lines"])
    assert texts(ax) == expected["texts"]
    if kind == "frequency_cal":
        observed, predicted = ax.lines
        np.testing.assert_array_equal(observed.get_xdata(), np.arange(7))
        customers = matrix[matrix["frequency_cal"] == 2]
        assert observed.get_ydata()[2] == pytest.approx(customers["frequency_holdout"].mean())
        assert predicted.get_ydata()[2] == pytest.approx(model.conditional_expected_number_of_purchases_up_to_time(
            matrix["duration_holdout"].iloc[0], customers["frequency_cal"], customers["recency_cal"],
            customers["T_cal"]).mean(), rel=RTOL_CLOSED_FORM)


def test_calibration_kind_is_checked(calibration):
    matrix, model = calibration
    with pytest.raises(ValueError, match="kind: must be one of"):
        plotting.plot_calibration_purchases_vs_holdout_purchases(model, matrix, kind="T")


# -- one customer's history and the tracking plots ----------------------------------------

@pytest.mark.parametrize("name", ["bgf", "pnbd"])
def test_history_alive(tmp_path, daily_models, log, reference, name):
    model = daily_models[name]
    customer = log[log["id"] == HISTORY_CUSTOMER]
    ax = draw(tmp_path, f"{name}_history", plotting.plot_history_alive(model, 120, customer, "date"))
    expected = reference[f"{name}_history"]
    assert_lines(ax, expected["lines"])
    assert texts(ax) == expected["texts"]
    np.testing.assert_array_equal(np.array(ax.collections[0].get_segments()), expected["segments"])
    np.testing.assert_array_equal(ax.get_xlim(), expected["xlim"])

    # the same figure from dates given as strings (lifetimes' fails on them)
    plt.close("all")
    as_text = customer.assign(date=customer["date"].dt.strftime("%Y-%m-%d"))
    ax = plotting.plot_history_alive(model, 120, as_text, "date", start_date="2014-07-01")
    assert_lines(ax, expected["lines"])
    assert ax.get_xlim()[0] == matplotlib.dates.date2num(pd.Timestamp("2014-07-01"))


@pytest.mark.parametrize("plot", ["cumulative", "incremental"])
@pytest.mark.parametrize("dated", [False, True])
@pytest.mark.parametrize("name", ["bgf", "pnbd"])
def test_tracking_transactions(tmp_path, daily_models, log, reference, name, plot, dated):
    model = daily_models[name]
    function = getattr(plotting, f"plot_{plot}_transactions")
    ax = draw(tmp_path, f"{name}_{plot}_{dated}", function(model, log, set_index_date=dated, **TRACKING))
    expected = reference[f"{name}_{plot}_{dated}"]
    assert_lines(ax, expected["lines"])
    assert texts(ax) == expected["texts"]
    if not dated:
        tracking = expected_cumulative_transactions(model, log, "date", "id", TRACKING["t"])
        if plot == "incremental":
            tracking = tracking.diff()
        np.testing.assert_allclose(ax.lines[1].get_ydata(), tracking["predicted"], rtol=RTOL_CLOSED_FORM)
        np.testing.assert_array_equal(ax.lines[2].get_xdata(), [TRACKING["t_cal"]] * 2)


# -- every fitter, and the package around the module -------------------------------------

@pytest.mark.parametrize("cls", [ModifiedBetaGeoFitter, ParetoNBDFitter, BetaGeoFitter])
def test_every_plot_runs_with_every_continuous_time_fitter(tmp_path, log, cls):
    rfm = summary_data_from_transaction_data(log, "id", "date")
    model = cls().fit(rfm["frequency"], rfm["recency"], rfm["T"])
    customer = log[log["id"] == HISTORY_CUSTOMER]
    figures = {
        "period": lambda: plotting.plot_period_transactions(model),
        "fr": lambda: plotting.plot_frequency_recency_matrix(model, max_frequency=10, max_recency=50),
        "alive": lambda: plotting.plot_probability_alive_matrix(model, max_frequency=10, max_recency=50),
        "repeat": lambda: plotting.plot_expected_repeat_purchases(model),
        "history": lambda: plotting.plot_history_alive(model, 30, customer, "date"),
        "cumulative": lambda: plotting.plot_cumulative_transactions(model, log, "date", "id", 100, 50),
        "rate": lambda: plotting.plot_transaction_rate_heterogeneity(model),
    }
    for label, figure in figures.items():
        draw(tmp_path, f"{cls.__name__}_{label}", figure())
        plt.close("all")


def test_discrete_time_fitter_refuses_continuous_plots(bgbb, log):
    for call in (lambda: plotting.plot_expected_repeat_purchases(bgbb),
                 lambda: plotting.plot_cumulative_transactions(bgbb, log, "date", "id", 10, 5)):
        with pytest.raises(ValueError, match="discrete transaction opportunities"):
            call()


def test_module_layout_and_signatures(reference):
    import inspect

    assert fastlifetimes.plotting is plotting
    # lifetimes' ten, and the holdout report's two (fastlifetimes.evaluation)
    ours = ["plot_lorenz_curve", "plot_decile_table"]
    lifetimes_plots = [name for name in plotting.__all__ if name not in ours]
    assert sorted(lifetimes_plots) == sorted([
        "plot_period_transactions", "plot_calibration_purchases_vs_holdout_purchases",
        "plot_frequency_recency_matrix", "plot_probability_alive_matrix",
        "plot_expected_repeat_purchases", "plot_history_alive", "plot_cumulative_transactions",
        "plot_incremental_transactions", "plot_transaction_rate_heterogeneity",
        "plot_dropout_rate_heterogeneity"])
    assert len(plotting.__all__) == len(lifetimes_plots) + len(ours)
    signatures = reference["signatures"]
    assert sorted(signatures) == sorted(lifetimes_plots)
    for name in lifetimes_plots:
        assert str(inspect.signature(getattr(plotting, name))) == signatures[name]


def test_missing_matplotlib_is_explained(monkeypatch, cdnow_models):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r"fastlifetimes\[plot\]"):
        plotting.plot_transaction_rate_heterogeneity(cdnow_models["bgf"])
