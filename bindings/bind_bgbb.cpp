#include "common.hpp"
#include "fit_common.hpp"

#include <fastlifetimes/models/bgbb.hpp>

namespace fastlifetimes::python {

namespace {

bgbb::params to_params(const double_array& p) {
  if (p.size() != bgbb::n_params)
    throw std::invalid_argument("BG/BB needs 4 parameters (alpha, beta, gamma, delta)");
  return bgbb::from_array(p.data());
}

/// The shared signature of BG/BB's two conditional predictions, over flat arrays.
using history_prediction = void (*)(const bgbb::params&, const double*, const double*,
                                    const double*, const double*, std::size_t, double*);

py::array_t<double> predict(history_prediction f, const char* name, const double_array& p,
                            const double_array& m, const double_array& x,
                            const double_array& t_x, const double_array& n_periods) {
  const std::size_t n = length_of(x);
  require_same_length(name, n,
                      {{"m_periods_in_future", length_of(m)},
                       {"recency", length_of(t_x)},
                       {"n_periods", length_of(n_periods)}});
  const auto params = to_params(p);
  auto out = new_array(n);
  double* o = out.mutable_data();
  py::gil_scoped_release release;
  f(params, m.data(), x.data(), t_x.data(), n_periods.data(), n, o);
  return out;
}

}  // namespace

void register_bgbb(py::module_& m) {
  m.attr("bgbb_max_periods") = bgbb::max_periods;
  m.def("bgbb_fit", &fit_model<bgbb::model>, py::arg("frequency"), py::arg("recency"),
        py::arg("n_periods"), py::arg("weights"), py::arg("penalizer_coef"),
        py::arg("initial_params"), py::arg("tol"), py::arg("max_evaluations") = 20000,
        py::arg("with_uncertainty") = true,
        "Fit BG/BB with lifetimes' conventions (no time rescaling); returns a dict.");
  m.def("bgbb_uncertainty", &uncertainty_of<bgbb::model>, py::arg("log_params"),
        py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("n_periods"),
        py::arg("weights"), py::arg("penalizer_coef"),
        "(hessian, variance) of a BG/BB fit at its log-parameters.");

  m.def(
      "bgbb_log_likelihood",
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& n_periods) {
        const std::size_t n = length_of(x);
        require_same_length("log_likelihood", n,
                            {{"recency", length_of(t_x)}, {"n_periods", length_of(n_periods)}});
        const auto params = to_params(p);
        bgbb::check_params("log_likelihood", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          bgbb::check_history("log_likelihood", i, x.data()[i], t_x.data()[i], n_periods.data()[i]);
          o[i] = bgbb::log_likelihood(params, x.data()[i], t_x.data()[i], n_periods.data()[i]);
        }
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("n_periods"));

  m.def(
      "bgbb_conditional_expected_number_of_purchases_up_to_time",
      [](const double_array& p, const double_array& m_periods, const double_array& x,
         const double_array& t_x, const double_array& n_periods) {
        return predict(&bgbb::conditional_expected_number_of_purchases_up_to_time,
                       "conditional_expected_number_of_purchases_up_to_time", p, m_periods, x, t_x,
                       n_periods);
      },
      py::arg("params"), py::arg("m_periods_in_future"), py::arg("frequency"), py::arg("recency"),
      py::arg("n_periods"));

  m.def(
      "bgbb_conditional_probability_alive",
      [](const double_array& p, const double_array& m_periods, const double_array& x,
         const double_array& t_x, const double_array& n_periods) {
        return predict(&bgbb::conditional_probability_alive, "conditional_probability_alive", p,
                       m_periods, x, t_x, n_periods);
      },
      py::arg("params"), py::arg("m_periods_in_future"), py::arg("frequency"), py::arg("recency"),
      py::arg("n_periods"));

  m.def(
      "bgbb_probability_of_transactions_in_first_n_periods",
      [](const double_array& p, const double_array& x, const double_array& n_periods) {
        const std::size_t n = length_of(x);
        require_same_length("probability_of_transactions_in_first_n_periods", n,
                            {{"n", length_of(n_periods)}});
        const auto params = to_params(p);
        bgbb::check_params("expected_number_of_transactions_in_first_n_periods", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          const double k = x.data()[i], periods = n_periods.data()[i];
          bgbb::check_periods("expected_number_of_transactions_in_first_n_periods", "n", i, periods);
          if (periods > bgbb::max_periods)
            throw std::domain_error("expected_number_of_transactions_in_first_n_periods: n above " +
                                    std::to_string(bgbb::max_periods));
          bgbb::check_periods("expected_number_of_transactions_in_first_n_periods", "frequency", i, k);
          o[i] = bgbb::probability_of_transactions_in_first_n_periods(params, k, periods);
        }
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("n"),
      "P(X(n) = x) for each (x, n): FHS (2010) eq. 7.");
}

}  // namespace fastlifetimes::python
