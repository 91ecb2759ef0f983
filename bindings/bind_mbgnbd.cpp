#include "common.hpp"
#include "fit_common.hpp"

#include <fastlifetimes/models/mbgnbd.hpp>

#include <limits>

namespace fastlifetimes::python {

namespace {

mbgnbd::params to_params(const double_array& p) {
  if (p.size() != mbgnbd::n_params)
    throw std::invalid_argument("MBG/NBD needs 4 parameters (r, alpha, a, b)");
  return mbgnbd::from_array(p.data());
}

}  // namespace

void register_mbgnbd(py::module_& m) {
  m.def("mbgnbd_fit", &fit_model<mbgnbd::model>, py::arg("frequency"), py::arg("recency"),
        py::arg("T"), py::arg("weights"), py::arg("penalizer_coef"), py::arg("initial_params"),
        py::arg("tol"), py::arg("max_evaluations") = 20000, py::arg("with_uncertainty") = true,
        "Fit MBG/NBD with lifetimes' conventions; returns a dict (see model_fit).");
  m.def("mbgnbd_uncertainty", &uncertainty_of<mbgnbd::model>, py::arg("log_params"),
        py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"),
        py::arg("weights"), py::arg("penalizer_coef"),
        "(hessian, variance) of an MBG/NBD fit at its log-parameters.");

  m.def(
      "mbgnbd_log_likelihood",
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("log_likelihood", n, {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = to_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i)
          o[i] = mbgnbd::log_likelihood(params, x.data()[i], t_x.data()[i], T.data()[i]);
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      "mbgnbd_conditional_expected_number_of_purchases_up_to_time",
      [](const double_array& p, const double_array& t, const double_array& x,
         const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_expected_number_of_purchases_up_to_time", n,
                            {{"t", length_of(t)}, {"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = to_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        mbgnbd::conditional_expected_number_of_purchases_up_to_time(params, t.data(), x.data(),
                                                                    t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("t"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      "mbgnbd_conditional_probability_alive",
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_probability_alive", n,
                            {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = to_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        mbgnbd::conditional_probability_alive(params, x.data(), t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      "mbgnbd_expected_number_of_purchases_up_to_time",
      [](const double_array& p, const double_array& t) {
        const std::size_t n = length_of(t);
        const auto params = to_params(p);
        mbgnbd::check_params("expected_number_of_purchases_up_to_time", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          check::horizon("expected_number_of_purchases_up_to_time", i, t.data()[i]);
          o[i] = mbgnbd::expected_number_of_purchases_up_to_time(params, t.data()[i]);
        }
        return out;
      },
      py::arg("params"), py::arg("t"));

  m.def(
      "mbgnbd_probability_of_n_purchases_up_to_time",
      [](const double_array& p, const double_array& t, const double_array& n_purchases) {
        const std::size_t n = length_of(t);
        require_same_length("probability_of_n_purchases_up_to_time", n,
                            {{"n", length_of(n_purchases)}});
        const auto params = to_params(p);
        mbgnbd::check_params("probability_of_n_purchases_up_to_time", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          const double k = n_purchases.data()[i];
          check::horizon("probability_of_n_purchases_up_to_time", i, t.data()[i]);
          if (!(k >= 0.0 && k < std::numeric_limits<double>::infinity() && check::is_whole(k)))
            throw std::domain_error("probability_of_n_purchases_up_to_time: n must be a whole "
                                    "number >= 0 (row " + std::to_string(i) + ")");
          o[i] = mbgnbd::probability_of_n_purchases_up_to_time(params, t.data()[i], k);
        }
        return out;
      },
      py::arg("params"), py::arg("t"), py::arg("n"));
}

}  // namespace fastlifetimes::python
