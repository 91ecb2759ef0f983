#include "common.hpp"
#include "fit_common.hpp"

#include <fastlifetimes/models/sbg.hpp>

#include <vector>

namespace fastlifetimes::python {

namespace {

sbg::params to_params(const double_array& p) {
  if (p.size() != sbg::n_params) throw std::invalid_argument("sBG needs 2 parameters (alpha, beta)");
  const auto params = sbg::from_array(p.data());
  sbg::check_params("sbg", params);
  return params;
}

/// The generic fitter's (frequency, recency, T) rows of (duration, alive) rows: see sbg.hpp.
struct fitter_rows {
  std::vector<double> recency;
  explicit fitter_rows(const double_array& duration, const double_array& alive) {
    require_same_length("fit", length_of(duration), {{"alive", length_of(alive)}});
    recency.resize(length_of(duration));
    for (std::size_t i = 0; i < recency.size(); ++i)
      recency[i] = alive.data()[i] * duration.data()[i];
  }
};

/// f(params, t) over an array of periods t, each a whole number >= `least`.
template <class F>
py::array_t<double> over_periods(const char* name, const double_array& p, const double_array& t,
                                 double least, F&& f) {
  const auto params = to_params(p);
  const std::size_t n = length_of(t);
  auto out = new_array(n);
  double* o = out.mutable_data();
  py::gil_scoped_release release;
  for (std::size_t i = 0; i < n; ++i) {
    sbg::check_period(name, "t", i, t.data()[i], least);
    o[i] = f(params, t.data()[i]);
  }
  return out;
}

}  // namespace

void register_sbg(py::module_& m) {
  m.def(
      "sbg_fit",
      [](const double_array& duration, const double_array& alive, const py::object& weights,
         double penalizer, const py::object& initial_params, double tol, int max_evaluations) {
        const fitter_rows rows(duration, alive);
        const auto recency = py::array_t<double>(static_cast<py::ssize_t>(rows.recency.size()),
                                                 rows.recency.data());
        return fit_model<sbg::model>(alive, recency, duration, weights, penalizer, initial_params,
                                     tol, max_evaluations, false);
      },
      py::arg("duration"), py::arg("alive"), py::arg("weights"), py::arg("penalizer_coef"),
      py::arg("initial_params"), py::arg("tol"), py::arg("max_evaluations") = 20000,
      "Fit sBG on (duration, alive) rows by maximum likelihood; returns a dict.");
  m.def(
      "sbg_uncertainty",
      [](const double_array& log_params, const double_array& params, const double_array& duration,
         const double_array& alive, const py::object& weights, double penalizer) {
        const fitter_rows rows(duration, alive);
        const auto recency = py::array_t<double>(static_cast<py::ssize_t>(rows.recency.size()),
                                                 rows.recency.data());
        return uncertainty_of<sbg::model>(log_params, params, alive, recency, duration, weights,
                                          penalizer);
      },
      py::arg("log_params"), py::arg("params"), py::arg("duration"), py::arg("alive"),
      py::arg("weights"), py::arg("penalizer_coef"),
      "(hessian, variance) of an sBG fit at its log-parameters.");

  m.def(
      "sbg_log_likelihood",
      [](const double_array& p, const double_array& duration, const double_array& alive) {
        const auto params = to_params(p);
        const fitter_rows rows(duration, alive);
        sbg::check_rows(alive.data(), rows.recency.data(), duration.data(), rows.recency.size());
        auto out = new_array(rows.recency.size());
        double* o = out.mutable_data();
        for (std::size_t i = 0; i < rows.recency.size(); ++i)
          o[i] = sbg::log_likelihood(params, duration.data()[i], alive.data()[i] > 0.0);
        return out;
      },
      py::arg("params"), py::arg("duration"), py::arg("alive"),
      "Per-row log-likelihood: log S(duration) if alive, log P(T = duration) if churned.");
  m.def(
      "sbg_survival",
      [](const double_array& p, const double_array& t) {
        return over_periods("survival_function", p, t, 0.0,
                            [](const sbg::params& q, double u) { return sbg::survival(q, u); });
      },
      py::arg("params"), py::arg("t"), "S(t) = B(alpha, beta + t)/B(alpha, beta).");
  m.def(
      "sbg_retention_rate",
      [](const double_array& p, const double_array& t) {
        return over_periods("retention_rate", p, t, 1.0, [](const sbg::params& q, double u) {
          return sbg::retention_rate(q, u);
        });
      },
      py::arg("params"), py::arg("t"), "r_t = (beta + t - 1)/(alpha + beta + t - 1).");
  m.def(
      "sbg_probability_churn",
      [](const double_array& p, const double_array& t) {
        return over_periods("probability_of_churn", p, t, 1.0, [](const sbg::params& q, double u) {
          return sbg::probability_churn(q, u);
        });
      },
      py::arg("params"), py::arg("t"), "P(T = t) = B(alpha + 1, beta + t - 1)/B(alpha, beta).");
  m.def(
      "sbg_derl",
      [](const double_array& p, double d, const double_array& n) {
        if (!(std::isfinite(d) && d > 0.0))
          throw std::invalid_argument("discount_rate: must be positive and finite, got " +
                                      std::to_string(d));
        return over_periods("discounted_expected_residual_lifetime", p, n, 1.0,
                            [d](const sbg::params& q, double u) {
                              return sbg::discounted_expected_residual_lifetime(q, d, u);
                            });
      },
      py::arg("params"), py::arg("discount_rate"), py::arg("n"),
      "DERL of a customer who has made n - 1 renewals (Fader & Hardie 2010).");
  m.def(
      "sbg_expected_remaining_lifetime",
      [](const double_array& p, const double_array& n) {
        return over_periods("expected_remaining_lifetime", p, n, 1.0,
                            [](const sbg::params& q, double u) {
                              return sbg::expected_remaining_lifetime(q, u);
                            });
      },
      py::arg("params"), py::arg("n"), "(beta + n - 1)/(alpha - 1), inf when alpha <= 1.");
}

}  // namespace fastlifetimes::python
