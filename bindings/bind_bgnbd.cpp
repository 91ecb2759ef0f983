#include "common.hpp"
#include "fit_common.hpp"

#include <fastlifetimes/models/bgnbd.hpp>

namespace fastlifetimes::python {

namespace {

bgnbd::params to_params(const double_array& p) {
  if (p.size() != bgnbd::n_params)
    throw std::invalid_argument("BG/NBD needs 4 parameters (r, alpha, a, b)");
  return bgnbd::from_array(p.data());
}

}  // namespace

void register_bgnbd(py::module_& m) {
  m.def("bgnbd_fit", &fit_model<bgnbd::model>, py::arg("frequency"), py::arg("recency"),
        py::arg("T"), py::arg("weights"), py::arg("penalizer_coef"), py::arg("initial_params"),
        py::arg("tol"), py::arg("max_evaluations") = 20000, py::arg("with_uncertainty") = true,
        "Fit BG/NBD with lifetimes' conventions; returns a dict (see model_fit).");
  m.def("bgnbd_uncertainty", &uncertainty_of<bgnbd::model>, py::arg("log_params"),
        py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"),
        py::arg("weights"), py::arg("penalizer_coef"),
        "(hessian, variance) of a BG/NBD fit at its log-parameters.");

  m.def(
      "bgnbd_log_likelihood",
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("log_likelihood", n, {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = to_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i)
          o[i] = bgnbd::log_likelihood(params, x.data()[i], t_x.data()[i], T.data()[i]);
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      "bgnbd_conditional_expected_number_of_purchases_up_to_time",
      [](const double_array& p, const double_array& t, const double_array& x,
         const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_expected_number_of_purchases_up_to_time", n,
                            {{"t", length_of(t)}, {"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = to_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        bgnbd::conditional_expected_number_of_purchases_up_to_time(params, t.data(), x.data(),
                                                                   t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("t"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      "bgnbd_conditional_probability_alive",
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_probability_alive", n,
                            {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = to_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        bgnbd::conditional_probability_alive(params, x.data(), t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      "bgnbd_expected_number_of_purchases_up_to_time",
      [](const double_array& p, const double_array& t) {
        const std::size_t n = length_of(t);
        const auto params = to_params(p);
        bgnbd::check_params("expected_number_of_purchases_up_to_time", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i)
          o[i] = bgnbd::expected_number_of_purchases_up_to_time(params, t.data()[i]);
        return out;
      },
      py::arg("params"), py::arg("t"));

  m.def(
      "bgnbd_probability_of_n_purchases_up_to_time",
      [](const double_array& p, const double_array& t, const double_array& n_purchases) {
        const std::size_t n = length_of(t);
        require_same_length("probability_of_n_purchases_up_to_time", n,
                            {{"n", length_of(n_purchases)}});
        const auto params = to_params(p);
        bgnbd::check_params("probability_of_n_purchases_up_to_time", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i)
          o[i] = bgnbd::probability_of_n_purchases_up_to_time(params, t.data()[i],
                                                              n_purchases.data()[i]);
        return out;
      },
      py::arg("params"), py::arg("t"), py::arg("n"));
}

}  // namespace fastlifetimes::python
