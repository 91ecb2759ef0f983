#pragma once
// Binding helpers shared by every model fitted through fastlifetimes::fit<Model>: the
// fit itself (GIL released) and the result as a dict, and the deferred uncertainty.

#include "common.hpp"

#include <fastlifetimes/optim/model_fit.hpp>

#include <optional>

namespace fastlifetimes::python {

/// The generic fit result as a dict, shared by every model's binding.
template <int N>
py::dict fit_result_to_dict(const model_fit<N>& f) {
  py::dict d;
  d["params"] = py::array_t<double>(N, f.params.data());
  d["log_params"] = py::array_t<double>(N, f.log_params.data());
  d["negative_log_likelihood"] = f.negative_log_likelihood;
  d["log_likelihood"] = f.log_likelihood;
  d["time_scale"] = f.time_scale;
  d["total_weight"] = f.total_weight;
  d["evaluations"] = f.evaluations;
  d["converged"] = f.converged;
  d["method"] = f.method;
  d["message"] = f.message;
  if (f.hessian.size()) {
    d["hessian"] = py::array_t<double>({N, N}, f.hessian.data());  // symmetric: order moot
    d["variance"] = py::array_t<double>({N, N}, f.variance.data());
  }
  return d;
}

/// Optional weights as a pointer into a kept-alive array (null when None).
struct optional_weights {
  double_array array;
  const double* data = nullptr;
  optional_weights(const py::object& weights, std::size_t n) {
    if (weights.is_none()) return;
    array = double_array::ensure(weights);
    if (!array) throw std::invalid_argument("weights must be numbers");
    require_same_length("fit", n, {{"weights", length_of(array)}});
    data = array.data();
  }
};

template <class Model>
py::dict fit_model(const double_array& frequency, const double_array& recency,
                   const double_array& T, const py::object& weights, double penalizer,
                   const py::object& initial_log_params, double tol, int max_evaluations,
                   bool with_uncertainty) {
  const std::size_t n = length_of(frequency);
  require_same_length("fit", n, {{"recency", length_of(recency)}, {"T", length_of(T)}});
  const optional_weights w(weights, n);
  std::optional<Eigen::VectorXd> init;
  if (!initial_log_params.is_none()) {
    const auto a = double_array::ensure(initial_log_params);
    init = Eigen::Map<const Eigen::VectorXd>(a.data(), a.size());
  }
  optim::fit_options options;
  options.tol = tol;
  options.max_evaluations = max_evaluations;
  model_fit<Model::n_params> result;
  {
    py::gil_scoped_release release;
    result = fit<Model>(frequency.data(), recency.data(), T.data(), w.data, n, penalizer, init,
                        options, with_uncertainty);
  }
  return fit_result_to_dict(result);
}

/// (hessian, variance) at fitted log-parameters, for fits run without them.
template <class Model>
py::tuple uncertainty_of(const double_array& log_params, const double_array& params,
                         const double_array& frequency, const double_array& recency,
                         const double_array& T, const py::object& weights, double penalizer) {
  constexpr int N = Model::n_params;
  const std::size_t n = length_of(frequency);
  require_same_length("uncertainty", n, {{"recency", length_of(recency)}, {"T", length_of(T)}});
  if (log_params.size() != N || params.size() != N)
    throw std::invalid_argument("uncertainty: wrong number of parameters");
  const optional_weights w(weights, n);
  model_fit<N> result;
  result.log_params = Eigen::Map<const Eigen::VectorXd>(log_params.data(), N);
  for (int k = 0; k < N; ++k) result.params[static_cast<std::size_t>(k)] = params.data()[k];
  {
    py::gil_scoped_release release;
    uncertainty<Model>(result, frequency.data(), recency.data(), T.data(), w.data, n, penalizer);
  }
  return py::make_tuple(py::array_t<double>({N, N}, result.hessian.data()),
                        py::array_t<double>({N, N}, result.variance.data()));
}


}  // namespace fastlifetimes::python
