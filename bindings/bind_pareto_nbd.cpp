#include "common.hpp"
#include "fit_common.hpp"

#include <fastlifetimes/models/pareto_nbd.hpp>

namespace fastlifetimes::python {

namespace {

pareto_nbd::params to_params(const double_array& p) {
  if (p.size() != pareto_nbd::n_params)
    throw std::invalid_argument("Pareto/NBD needs 4 parameters (r, alpha, s, beta)");
  return pareto_nbd::from_array(p.data());
}

}  // namespace

void register_pareto_nbd(py::module_& m) {
  m.def("pareto_nbd_fit", &fit_model<pareto_nbd::model>, py::arg("frequency"), py::arg("recency"),
        py::arg("T"), py::arg("weights"), py::arg("penalizer_coef"), py::arg("initial_params"),
        py::arg("tol"), py::arg("max_evaluations") = 20000, py::arg("with_uncertainty") = true,
        "Fit Pareto/NBD with lifetimes' conventions; returns a dict (see model_fit).");
  m.def("pareto_nbd_uncertainty", &uncertainty_of<pareto_nbd::model>, py::arg("log_params"),
        py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"),
        py::arg("weights"), py::arg("penalizer_coef"),
        "(hessian, variance) of a Pareto/NBD fit at its log-parameters.");

  m.def(
      "pareto_nbd_log_likelihood",
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("log_likelihood", n, {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = to_params(p);
        pareto_nbd::check_params("log_likelihood", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          check::rfm_row("log_likelihood", i, x.data()[i], t_x.data()[i], T.data()[i]);
          o[i] = pareto_nbd::log_likelihood(params, x.data()[i], t_x.data()[i], T.data()[i]);
        }
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      "pareto_nbd_conditional_expected_number_of_purchases_up_to_time",
      [](const double_array& p, const double_array& t, const double_array& x,
         const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_expected_number_of_purchases_up_to_time", n,
                            {{"t", length_of(t)}, {"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = to_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        pareto_nbd::conditional_expected_number_of_purchases_up_to_time(
            params, t.data(), x.data(), t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("t"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      "pareto_nbd_conditional_probability_alive",
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_probability_alive", n,
                            {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = to_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        pareto_nbd::conditional_probability_alive(params, x.data(), t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      "pareto_nbd_expected_number_of_purchases_up_to_time",
      [](const double_array& p, const double_array& t) {
        const std::size_t n = length_of(t);
        const auto params = to_params(p);
        pareto_nbd::check_params("expected_number_of_purchases_up_to_time", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          check::horizon("expected_number_of_purchases_up_to_time", i, t.data()[i]);
          o[i] = pareto_nbd::expected_number_of_purchases_up_to_time(params, t.data()[i]);
        }
        return out;
      },
      py::arg("params"), py::arg("t"));

  m.def(
      "pareto_nbd_conditional_probability_of_n_purchases_up_to_time",
      [](const double_array& p, const double_array& n_purchases, const double_array& t,
         const double_array& x, const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_probability_of_n_purchases_up_to_time", n,
                            {{"n", length_of(n_purchases)}, {"t", length_of(t)},
                             {"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = to_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        pareto_nbd::conditional_probability_of_n_purchases_up_to_time(
            params, n_purchases.data(), t.data(), x.data(), t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("n"), py::arg("t"), py::arg("frequency"), py::arg("recency"),
      py::arg("T"));
}

}  // namespace fastlifetimes::python
