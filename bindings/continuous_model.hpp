#pragma once
// The bindings every continuous-time transaction model shares (BG/NBD, MBG/NBD,
// Pareto/NBD): fit, deferred uncertainty, per-customer log-likelihood and the four
// predictions lifetimes has, each as `<prefix>_<name>` in fastlifetimes._core.
//
// A model plugs in through an API struct naming its parameter type and functions, which
// FASTLIFETIMES_CONTINUOUS_MODEL_API writes for a model namespace (namespaces cannot be
// template arguments); see bind_bgnbd.cpp.

#include "common.hpp"
#include "fit_common.hpp"

#include <fastlifetimes/core/check.hpp>

#include <limits>
#include <string>

/// `struct NS_api`: forwards to the model functions of namespace fastlifetimes::NS.
#define FASTLIFETIMES_CONTINUOUS_MODEL_API(NS, TITLE, PARAM_LIST)                              \
  struct NS##_api {                                                                           \
    using model = NS::model;                                                                  \
    using params = NS::params;                                                                \
    static constexpr const char* prefix = #NS;                                                \
    static constexpr const char* title = TITLE;                                               \
    static constexpr const char* param_list = PARAM_LIST;                                     \
    static params from_array(const double* p) { return NS::from_array(p); }                   \
    static void check_params(const char* f, const params& p) { NS::check_params(f, p); }      \
    static double log_likelihood(const params& p, double x, double t_x, double T) {           \
      return NS::log_likelihood(p, x, t_x, T);                                                \
    }                                                                                         \
    static void conditional_expected_number_of_purchases_up_to_time(                          \
        const params& p, const double* t, const double* x, const double* t_x, const double* T, \
        std::size_t n, double* out) {                                                         \
      NS::conditional_expected_number_of_purchases_up_to_time(p, t, x, t_x, T, n, out);       \
    }                                                                                         \
    static void conditional_probability_alive(const params& p, const double* x,               \
                                              const double* t_x, const double* T,             \
                                              std::size_t n, double* out) {                   \
      NS::conditional_probability_alive(p, x, t_x, T, n, out);                                \
    }                                                                                         \
    static double expected_number_of_purchases_up_to_time(const params& p, double t) {        \
      return NS::expected_number_of_purchases_up_to_time(p, t);                               \
    }                                                                                         \
    static double probability_of_n_purchases_up_to_time(const params& p, double t, double n) { \
      return NS::probability_of_n_purchases_up_to_time(p, t, n);                              \
    }                                                                                         \
  }

namespace fastlifetimes::python {

template <class Api>
typename Api::params parameters_of(const double_array& p) {
  if (p.size() != Api::model::n_params)
    throw std::invalid_argument(std::string(Api::title) + " needs " +
                                std::to_string(Api::model::n_params) + " parameters " +
                                Api::param_list);
  return Api::from_array(p.data());
}

template <class Api>
void register_continuous_model(py::module_& m) {
  using model = typename Api::model;
  const std::string prefix = Api::prefix, title = Api::title;
  auto name = [&](const char* what) { return prefix + "_" + what; };

  m.def(name("fit").c_str(), &fit_model<model>, py::arg("frequency"), py::arg("recency"),
        py::arg("T"), py::arg("weights"), py::arg("penalizer_coef"), py::arg("initial_params"),
        py::arg("tol"), py::arg("max_evaluations") = 20000, py::arg("with_uncertainty") = true,
        ("Fit " + title + " with lifetimes' conventions; returns a dict (see model_fit).").c_str());
  m.def(name("uncertainty").c_str(), &uncertainty_of<model>, py::arg("log_params"),
        py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"),
        py::arg("weights"), py::arg("penalizer_coef"),
        ("(hessian, variance) of a " + title + " fit at its log-parameters.").c_str());

  m.def(
      name("log_likelihood").c_str(),
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("log_likelihood", n, {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = parameters_of<Api>(p);
        Api::check_params("log_likelihood", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          check::rfm_row("log_likelihood", i, x.data()[i], t_x.data()[i], T.data()[i]);
          o[i] = Api::log_likelihood(params, x.data()[i], t_x.data()[i], T.data()[i]);
        }
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      name("conditional_expected_number_of_purchases_up_to_time").c_str(),
      [](const double_array& p, const double_array& t, const double_array& x,
         const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_expected_number_of_purchases_up_to_time", n,
                            {{"t", length_of(t)}, {"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = parameters_of<Api>(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        Api::conditional_expected_number_of_purchases_up_to_time(params, t.data(), x.data(),
                                                                 t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("t"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      name("conditional_probability_alive").c_str(),
      [](const double_array& p, const double_array& x, const double_array& t_x,
         const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_probability_alive", n,
                            {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = parameters_of<Api>(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        Api::conditional_probability_alive(params, x.data(), t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("frequency"), py::arg("recency"), py::arg("T"));

  m.def(
      name("expected_number_of_purchases_up_to_time").c_str(),
      [](const double_array& p, const double_array& t) {
        const std::size_t n = length_of(t);
        const auto params = parameters_of<Api>(p);
        Api::check_params("expected_number_of_purchases_up_to_time", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          check::horizon("expected_number_of_purchases_up_to_time", i, t.data()[i]);
          o[i] = Api::expected_number_of_purchases_up_to_time(params, t.data()[i]);
        }
        return out;
      },
      py::arg("params"), py::arg("t"));

  m.def(
      name("probability_of_n_purchases_up_to_time").c_str(),
      [](const double_array& p, const double_array& t, const double_array& n_purchases) {
        const std::size_t n = length_of(t);
        require_same_length("probability_of_n_purchases_up_to_time", n,
                            {{"n", length_of(n_purchases)}});
        const auto params = parameters_of<Api>(p);
        Api::check_params("probability_of_n_purchases_up_to_time", params);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          const double k = n_purchases.data()[i];
          check::horizon("probability_of_n_purchases_up_to_time", i, t.data()[i]);
          if (!(k >= 0.0 && k < std::numeric_limits<double>::infinity() && check::is_whole(k)))
            throw std::domain_error("probability_of_n_purchases_up_to_time: n must be a whole "
                                    "number >= 0 (row " + std::to_string(i) + ")");
          o[i] = Api::probability_of_n_purchases_up_to_time(params, t.data()[i], k);
        }
        return out;
      },
      py::arg("params"), py::arg("t"), py::arg("n"));
}

}  // namespace fastlifetimes::python
