#pragma once
/// Fitting the Gamma-Gamma spend model, with lifetimes' conventions: the objective is the
/// weighted mean negative log-likelihood plus penalizer * sum(params^2), minimised over
/// log-parameters from 0.1 each; there is no time axis to rescale. `q_constraint` keeps
/// q >= 1 (log q >= 0) as lifetimes' bounded optimiser does, so that the population mean
/// spend pv/(q-1) exists. The variance is the delta-method transform of the inverse
/// Hessian of the objective, as for the other models (see model_fit.hpp).

#include <Eigen/Dense>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "fastlifetimes/models/gamma_gamma.hpp"
#include "fastlifetimes/optim/fit.hpp"
#include "fastlifetimes/optim/model_fit.hpp"

namespace fastlifetimes::gamma_gamma {

namespace detail {

inline optim::objective_function objective_of(const spend_data& data, double penalizer) {
  return [&data, penalizer](const double* x, double* grad) {
    return objective(x, data, penalizer, grad);
  };
}

/// A starting point near the optimum for large data: the fit on an evenly spaced subsample
/// of about 20,000 rows, from `x0`. Each evaluation on the full data costs a logarithm per
/// row; from here the full fit needs a third as many. The optimum is the full data's all
/// the same (the same convergence test); when the subsample fit fails, `x0` is returned.
inline Eigen::VectorXd warm_start(const double* x, const double* m, const double* weight,
                                  std::size_t n, double penalizer, const Eigen::VectorXd& x0,
                                  const optim::fit_options& options) {
  constexpr std::size_t target = 20'000;
  if (n < 5 * target) return x0;
  const std::size_t step = n / target;
  std::vector<double> xs, ms, ws;
  for (std::size_t i = 0; i < n; i += step) {
    xs.push_back(x[i]);
    ms.push_back(m[i]);
    if (weight) ws.push_back(weight[i]);
  }
  try {
    const spend_data sample = prepare(xs.data(), ms.data(), weight ? ws.data() : nullptr, xs.size());
    const optim::fit_result r = optim::minimize(objective_of(sample, penalizer), x0, options);
    return r.converged ? r.x : x0;
  } catch (const std::domain_error&) {
    return x0;  // e.g. the sampled weights sum to zero
  }
}

inline void check_penalizer(double penalizer) {
  if (!(std::isfinite(penalizer) && penalizer >= 0.0))
    throw std::domain_error("fit: penalizer_coef must be non-negative and finite");
}

}  // namespace detail

/// The Hessian of the objective at `out.log_params` and the delta-method variance of
/// `out.params`: V_ij = p_i p_j (H^-1)_ij / sum(w).
inline void fill_uncertainty(model_fit<n_params>& out, const spend_data& data, double penalizer) {
  out.hessian = optim::hessian(detail::objective_of(data, penalizer), out.log_params);
  Eigen::MatrixXd inverse = out.hessian.inverse();
  inverse = 0.5 * (inverse + inverse.transpose()).eval();
  Eigen::VectorXd p(n_params);
  for (int k = 0; k < n_params; ++k) p[k] = out.params[static_cast<std::size_t>(k)];
  out.variance = (p * p.transpose()).cwiseProduct(inverse) / data.total_weight;
}

/// Fit to rows (frequency x >= 1, mean spend m > 0) with optional weights (may be null).
/// Throws std::domain_error on invalid rows; a failed optimisation is reported in
/// `converged` and `message`. With `with_uncertainty` false the Hessian and variance are
/// left empty (see `uncertainty`). `correlation`, when not null, receives the weighted
/// Pearson correlation of x and m (see spend_data).
inline model_fit<n_params> fit(const double* x, const double* m, const double* weight,
                               std::size_t n, double penalizer,
                               const std::optional<Eigen::VectorXd>& initial_log_params = {},
                               optim::fit_options options = {}, bool q_constraint = false,
                               bool with_uncertainty = true, double* correlation = nullptr) {
  detail::check_penalizer(penalizer);
  const spend_data data = prepare(x, m, weight, n);
  if (correlation) *correlation = data.correlation;
  Eigen::VectorXd x0(n_params);
  if (initial_log_params) {
    if (initial_log_params->size() != n_params)
      throw std::domain_error("fit: initial_params must have 3 values");
    x0 = *initial_log_params;
  } else {
    const auto init = default_initial_log_params();
    for (int k = 0; k < n_params; ++k) x0[k] = init[static_cast<std::size_t>(k)];
  }
  if (q_constraint) {
    const double inf = std::numeric_limits<double>::infinity();
    options.lower_bounds = {-inf, 0.0, -inf};
    options.upper_bounds = {inf, inf, inf};
  }
  if (!initial_log_params) x0 = detail::warm_start(x, m, weight, n, penalizer, x0, options);
  const optim::fit_result r = optim::minimize(detail::objective_of(data, penalizer), x0, options);

  model_fit<n_params> out;
  out.log_params = r.x;
  out.negative_log_likelihood = r.value;
  out.time_scale = 1.0;
  out.total_weight = data.total_weight;
  out.evaluations = r.evaluations;
  out.converged = r.converged;
  out.method = r.method;
  out.message = r.message;
  double penalty = 0.0;
  for (int k = 0; k < n_params; ++k) {
    out.params[static_cast<std::size_t>(k)] = std::exp(r.x[k]);
    penalty += std::exp(2.0 * r.x[k]);
  }
  if (!r.converged) return out;
  out.log_likelihood = -(r.value - penalizer * penalty) * data.total_weight;
  if (with_uncertainty) fill_uncertainty(out, data, penalizer);
  return out;
}

/// The Hessian and variance of a finished fit, computed later on the same rows.
inline void uncertainty(model_fit<n_params>& out, const double* x, const double* m,
                        const double* weight, std::size_t n, double penalizer) {
  detail::check_penalizer(penalizer);
  fill_uncertainty(out, prepare(x, m, weight, n), penalizer);
}

}  // namespace fastlifetimes::gamma_gamma
