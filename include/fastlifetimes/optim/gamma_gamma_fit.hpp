#pragma once
/// Fitting the Gamma-Gamma spend model, with lifetimes' conventions: the objective is the
/// weighted mean negative log-likelihood plus penalizer * sum(params^2), minimised over
/// log-parameters from 0.1 each; there is no time axis to rescale. `q_constraint` keeps
/// q >= 1 (log q >= 0) as lifetimes' bounded optimiser does, so that the population mean
/// spend pv/(q-1) exists. The variance is the delta-method transform of the inverse
/// Hessian of the objective, as for the other models (see model_fit.hpp).

#include <Eigen/Cholesky>
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
/// of about 20,000 rows, with the Hessian of the subsample's objective there. Each
/// evaluation on the full data costs a logarithm per row; from this point Newton steps
/// with the subsample's Hessian (`newton`) reach the full data's optimum in about 5
/// evaluations, where L-BFGS from lifetimes' start takes about 25.
struct warm_point {
  Eigen::VectorXd x;
  Eigen::MatrixXd hessian;
  bool found = false;
};

inline warm_point warm_start(const double* x, const double* m, const double* weight,
                             std::size_t n, double penalizer, const Eigen::VectorXd& x0,
                             const optim::fit_options& options) {
  constexpr std::size_t target = 20'000;
  warm_point out;
  if (n < 5 * target) return out;
  const std::size_t step = n / target;
  std::vector<double> xs, ms, ws;
  for (std::size_t i = 0; i < n; i += step) {
    xs.push_back(x[i]);
    ms.push_back(m[i]);
    if (weight) ws.push_back(weight[i]);
  }
  try {
    const spend_data sample = prepare(xs.data(), ms.data(), weight ? ws.data() : nullptr, xs.size());
    const auto f = objective_of(sample, penalizer);
    const optim::fit_result r = optim::minimize(f, x0, options);
    if (!r.converged) return out;
    out.x = r.x;
    out.hessian = optim::hessian(f, r.x);
    out.found = true;
  } catch (const std::domain_error&) {  // NOLINT(bugprone-empty-catch)
    // e.g. the sampled weights sum to zero: no warm start
  }
  return out;
}

/// Quasi-Newton steps on the full data from a warm point, starting from the subsample's
/// Hessian and refining it with BFGS updates from the gradients seen: the first steps
/// already shrink the gradient by about the subsample's relative sampling error, and the
/// updates make the convergence faster than that, to below 1e-9, tighter than L-BFGS's own
/// stopping point. Steps are halved while the objective rises (beyond rounding); with
/// bounds, a step leaving them ends the attempt. Returns a result with `converged` false
/// when it does not get there in 15 evaluations, for L-BFGS to take over from `x`.
inline optim::fit_result newton(const optim::objective_function& f, const warm_point& start,
                                const optim::fit_options& options) {
  constexpr double target = 1e-9;
  constexpr int budget = 15;
  optim::fit_result r;
  r.method = "Newton from a subsample fit";
  r.x = start.x;
  r.gradient.resize(start.x.size());
  Eigen::MatrixXd H = start.hessian;
  const auto n = static_cast<std::size_t>(start.x.size());
  auto inside = [&](const Eigen::VectorXd& v) {
    for (std::size_t k = 0; k < n; ++k) {
      const double vk = v[static_cast<Eigen::Index>(k)];
      if (options.lower_bounds.size() == n && vk < options.lower_bounds[k]) return false;
      if (options.upper_bounds.size() == n && vk > options.upper_bounds[k]) return false;
    }
    return true;
  };
  if (!inside(r.x)) return r;
  r.value = f(r.x.data(), r.gradient.data());
  r.evaluations = 1;
  Eigen::VectorXd trial(r.x.size()), trial_gradient(r.x.size());
  while (std::isfinite(r.value) && r.evaluations < budget) {
    if (r.gradient.cwiseAbs().maxCoeff() <= target) {
      r.converged = true;
      break;
    }
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(H);
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive()) break;
    const Eigen::VectorXd step = ldlt.solve(r.gradient);
    bool moved = false;
    for (double t = 1.0; t > 1e-3 && r.evaluations < budget; t *= 0.5) {
      trial = r.x - t * step;
      if (!inside(trial)) return r;
      const double value = f(trial.data(), trial_gradient.data());
      ++r.evaluations;
      // near the optimum the objective is flat to rounding: a rise of a few ulps is no rise
      const double slack = 8.0 * std::numeric_limits<double>::epsilon() * std::abs(r.value);
      if (std::isfinite(value) && value <= r.value + slack) {
        const Eigen::VectorXd s_k = trial - r.x, y_k = trial_gradient - r.gradient;
        const double ys = y_k.dot(s_k);
        const Eigen::VectorXd Hs = H * s_k;
        const double sHs = s_k.dot(Hs);
        if (ys > 0.0 && sHs > 0.0) H += y_k * y_k.transpose() / ys - Hs * Hs.transpose() / sHs;
        r.x = trial;
        r.value = value;
        r.gradient = trial_gradient;
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  return r;
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
  const auto f = detail::objective_of(data, penalizer);
  optim::fit_result r;
  const detail::warm_point warm =
      initial_log_params ? detail::warm_point{} : detail::warm_start(x, m, weight, n, penalizer, x0, options);
  if (warm.found) {
    r = detail::newton(f, warm, options);
    if (!r.converged) {
      // L-BFGS takes over from the best point Newton reached
      const int spent = r.evaluations;
      r = optim::minimize(f, std::isfinite(r.value) ? r.x : warm.x, options);
      r.evaluations += spent;
    }
  } else {
    r = optim::minimize(f, x0, options);
  }

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
