#include "common.hpp"
#include "fit_common.hpp"

#include <fastlifetimes/clv.hpp>
#include <fastlifetimes/models/bgnbd.hpp>
#include <fastlifetimes/models/gamma_gamma.hpp>
#include <fastlifetimes/optim/gamma_gamma_fit.hpp>

namespace fastlifetimes::python {

namespace {

gamma_gamma::params to_params(const double_array& p) {
  if (p.size() != gamma_gamma::n_params)
    throw std::invalid_argument("Gamma-Gamma needs 3 parameters (p, q, v)");
  return gamma_gamma::from_array(p.data());
}

py::dict fit_gamma_gamma(const double_array& frequency, const double_array& monetary_value,
                         const py::object& weights, double penalizer,
                         const py::object& initial_log_params, double tol, int max_evaluations,
                         bool q_constraint, bool with_uncertainty) {
  const std::size_t n = length_of(frequency);
  require_same_length("fit", n, {{"monetary_value", length_of(monetary_value)}});
  const optional_weights w(weights, n);
  std::optional<Eigen::VectorXd> init;
  if (!initial_log_params.is_none()) {
    const auto a = double_array::ensure(initial_log_params);
    init = Eigen::Map<const Eigen::VectorXd>(a.data(), a.size());
  }
  optim::fit_options options;
  options.tol = tol;
  options.max_evaluations = max_evaluations;
  model_fit<gamma_gamma::n_params> result;
  double correlation = 0.0;
  {
    py::gil_scoped_release release;
    result = gamma_gamma::fit(frequency.data(), monetary_value.data(), w.data, n, penalizer, init,
                              options, q_constraint, with_uncertainty, &correlation);
  }
  py::dict d = fit_result_to_dict(result);
  d["correlation"] = correlation;
  return d;
}

py::tuple uncertainty_gamma_gamma(const double_array& log_params, const double_array& params,
                                  const double_array& frequency,
                                  const double_array& monetary_value, const py::object& weights,
                                  double penalizer) {
  constexpr int N = gamma_gamma::n_params;
  const std::size_t n = length_of(frequency);
  require_same_length("uncertainty", n, {{"monetary_value", length_of(monetary_value)}});
  if (log_params.size() != N || params.size() != N)
    throw std::invalid_argument("uncertainty: wrong number of parameters");
  const optional_weights w(weights, n);
  model_fit<N> result;
  result.log_params = Eigen::Map<const Eigen::VectorXd>(log_params.data(), N);
  for (int k = 0; k < N; ++k) result.params[static_cast<std::size_t>(k)] = params.data()[k];
  {
    py::gil_scoped_release release;
    gamma_gamma::uncertainty(result, frequency.data(), monetary_value.data(), w.data, n,
                             penalizer);
  }
  return py::make_tuple(py::array_t<double>({N, N}, result.hessian.data()),
                        py::array_t<double>({N, N}, result.variance.data()));
}

}  // namespace

void register_gamma_gamma(py::module_& m) {
  m.def("gamma_gamma_fit", &fit_gamma_gamma, py::arg("frequency"), py::arg("monetary_value"),
        py::arg("weights"), py::arg("penalizer_coef"), py::arg("initial_params"), py::arg("tol"),
        py::arg("max_evaluations") = 20000, py::arg("q_constraint") = false,
        py::arg("with_uncertainty") = true,
        "Fit the Gamma-Gamma model with lifetimes' conventions; returns a dict (see model_fit).");
  m.def("gamma_gamma_uncertainty", &uncertainty_gamma_gamma, py::arg("log_params"),
        py::arg("params"), py::arg("frequency"), py::arg("monetary_value"), py::arg("weights"),
        py::arg("penalizer_coef"), "(hessian, variance) of a Gamma-Gamma fit at its log-parameters.");

  m.def(
      "gamma_gamma_log_likelihood",
      [](const double_array& p, const double_array& x, const double_array& monetary) {
        const std::size_t n = length_of(x);
        require_same_length("log_likelihood", n, {{"monetary_value", length_of(monetary)}});
        const auto params = to_params(p);
        gamma_gamma::check_params("log_likelihood", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          gamma_gamma::check_spend_row("log_likelihood", i, x.data()[i], monetary.data()[i]);
          o[i] = gamma_gamma::log_likelihood(params, x.data()[i], monetary.data()[i]);
        }
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("monetary_value"));

  m.def(
      "gamma_gamma_conditional_expected_average_profit",
      [](const double_array& p, const double_array& x, const double_array& monetary) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_expected_average_profit", n,
                            {{"monetary_value", length_of(monetary)}});
        const auto params = to_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        gamma_gamma::conditional_expected_average_profit(params, x.data(), monetary.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("monetary_value"));

  // BG/NBD's conditional expectation (eq. 10) summed over CLV periods in one pass.
  m.def(
      "bgnbd_discounted_purchases",
      [](const double_array& p, const double_array& to, const double_array& from,
         const double_array& discount, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const std::size_t n = length_of(x), steps = length_of(to);
        require_same_length("customer_lifetime_value", n,
                            {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        require_same_length("customer_lifetime_value", steps,
                            {{"from", length_of(from)}, {"discount", length_of(discount)}});
        if (p.size() != bgnbd::n_params)
          throw std::invalid_argument("BG/NBD needs 4 parameters (r, alpha, a, b)");
        const auto params = bgnbd::from_array(p.data());
        bgnbd::check_params("customer_lifetime_value", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        clv::discounted_purchases(
            "customer_lifetime_value", to.data(), from.data(), discount.data(), steps, x.data(),
            t_x.data(), T.data(), n, o,
            [&](double t, double xi, double Ti) {
              return bgnbd::detail::conditional_expectation_numerator(params, t, xi, Ti);
            },
            [&](double xi, double txi, double Ti) {
              return 1.0 / bgnbd::detail::conditional_expectation_denominator(params, xi, txi, Ti);
            });
        return out;
      },
      py::arg("params"), py::arg("to"), py::arg("from"), py::arg("discount"), py::arg("frequency"),
      py::arg("recency"), py::arg("T"),
      "sum_k (E(to[k]) - E(from[k])) / discount[k] per customer, E the BG/NBD conditional "
      "expectation.");
}

}  // namespace fastlifetimes::python
