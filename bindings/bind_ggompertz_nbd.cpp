#include "common.hpp"
#include "fit_common.hpp"

#include <fastlifetimes/models/ggompertz_nbd.hpp>

namespace fastlifetimes::python {

namespace {

ggompertz_nbd::params to_params(const double_array& p) {
  if (p.size() != ggompertz_nbd::n_params)
    throw std::invalid_argument("GGompertz/NBD needs 5 parameters (r, alpha, b, s, beta)");
  return ggompertz_nbd::from_array(p.data());
}

/// A per-customer function over (x, t_x, T) arrays, GIL released.
template <class F>
py::array_t<double> per_customer(const char* name, const double_array& x, const double_array& t_x,
                                 const double_array& T, F&& f) {
  const std::size_t n = length_of(x);
  require_same_length(name, n, {{"recency", length_of(t_x)}, {"T", length_of(T)}});
  auto out = new_array(n);
  double* o = out.mutable_data();
  py::gil_scoped_release release;
  f(n, o);
  return out;
}

}  // namespace

void register_ggompertz_nbd(py::module_& m) {
  m.def("ggompertz_nbd_fit", &fit_model<ggompertz_nbd::model>, py::arg("frequency"),
        py::arg("recency"), py::arg("T"), py::arg("weights"), py::arg("penalizer_coef"),
        py::arg("initial_params"), py::arg("tol"), py::arg("max_evaluations") = 20000,
        py::arg("with_uncertainty") = true,
        "Fit GGompertz/NBD (time rescaled to max T = 1); returns a dict (see model_fit).");
  m.def("ggompertz_nbd_uncertainty", &uncertainty_of<ggompertz_nbd::model>, py::arg("log_params"),
        py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"),
        py::arg("weights"), py::arg("penalizer_coef"),
        "(hessian, variance) of a GGompertz/NBD fit at its log-parameters.");
  m.def(
      "ggompertz_nbd_log_likelihood",
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const auto params = to_params(p);
        return per_customer("log_likelihood", x, t_x, T, [&](std::size_t n, double* o) {
          ggompertz_nbd::log_likelihood(params, x.data(), t_x.data(), T.data(), n, o);
        });
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"));
  m.def(
      "ggompertz_nbd_conditional_probability_alive",
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const auto params = to_params(p);
        return per_customer("conditional_probability_alive", x, t_x, T, [&](std::size_t n, double* o) {
          ggompertz_nbd::conditional_probability_alive(params, x.data(), t_x.data(), T.data(), n, o);
        });
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"));
  m.def(
      "ggompertz_nbd_conditional_expected_number_of_purchases_up_to_time",
      [](const double_array& p, const double_array& t, const double_array& x,
         const double_array& t_x, const double_array& T) {
        const auto params = to_params(p);
        require_same_length("conditional_expected_number_of_purchases_up_to_time", length_of(x),
                            {{"t", length_of(t)}});
        return per_customer("conditional_expected_number_of_purchases_up_to_time", x, t_x, T,
                            [&](std::size_t n, double* o) {
                              ggompertz_nbd::conditional_expected_number_of_purchases_up_to_time(
                                  params, t.data(), x.data(), t_x.data(), T.data(), n, o);
                            });
      },
      py::arg("params"), py::arg("t"), py::arg("frequency"), py::arg("recency"), py::arg("T"));
  m.def(
      "ggompertz_nbd_expected_number_of_purchases_up_to_time",
      [](const double_array& p, const double_array& t) {
        const auto params = to_params(p);
        ggompertz_nbd::check_params("expected_number_of_purchases_up_to_time", params);
        const std::size_t n = length_of(t);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          check::horizon("expected_number_of_purchases_up_to_time", i, t.data()[i]);
          o[i] = ggompertz_nbd::expected_number_of_purchases_up_to_time(params, t.data()[i]);
        }
        return out;
      },
      py::arg("params"), py::arg("t"));
}

}  // namespace fastlifetimes::python
