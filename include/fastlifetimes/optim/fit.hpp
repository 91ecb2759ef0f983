#pragma once
/// Maximum-likelihood fitting shared by every model: minimise a model's objective over
/// log-parameters with NLopt's L-BFGS (analytic gradient), falling back to a
/// derivative-free method when the gradient method fails; the Hessian at the optimum by
/// central differences of the analytic gradient. No global state: fits may run on
/// several threads at once.

#include <nlopt.h>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iomanip>
#include <sstream>
#include <limits>
#include <string>
#include <vector>

namespace fastlifetimes::optim {

/// value(x, grad): the objective at x; fills grad (same size as x) when it is non-null.
using objective_function = std::function<double(const double* x, double* grad)>;

struct fit_options {
  double tol = 1e-7;          ///< lifetimes' `tol`: the gradient size accepted as converged
  int max_evaluations = 20000;
  bool verbose = false;
  /// Box constraints on the minimiser, one entry per coordinate (-inf/+inf where free);
  /// empty means unconstrained. At a bound, only the gradient pointing inwards counts
  /// against convergence.
  std::vector<double> lower_bounds, upper_bounds;
};

struct fit_result {
  Eigen::VectorXd x;        ///< the minimiser (log-parameters)
  double value = std::numeric_limits<double>::quiet_NaN();
  Eigen::VectorXd gradient;
  int evaluations = 0;
  bool converged = false;
  std::string method;       ///< which algorithm produced x
  std::string message;      ///< why it failed, with advice, when !converged
};

namespace detail {

struct nlopt_context {
  const objective_function* f;
  int evaluations = 0;
};

inline double nlopt_trampoline(unsigned n, const double* x, double* grad, void* data) {
  auto* context = static_cast<nlopt_context*>(data);
  ++context->evaluations;
  const double value = (*context->f)(x, grad);
  if (grad && !std::isfinite(value))
    for (unsigned i = 0; i < n; ++i) grad[i] = 0.0;
  return std::isfinite(value) ? value : std::numeric_limits<double>::infinity();
}

inline nlopt_result run_nlopt(nlopt_algorithm algorithm, const objective_function& f,
                              std::vector<double>& x, double& value, int max_evaluations,
                              int& evaluations, const fit_options* bounds = nullptr) {
  const auto n = static_cast<unsigned>(x.size());
  nlopt_opt opt = nlopt_create(algorithm, n);
  if (!opt) return NLOPT_OUT_OF_MEMORY;
  nlopt_context context{&f};
  nlopt_set_min_objective(opt, nlopt_trampoline, &context);
  if (bounds && bounds->lower_bounds.size() == n) nlopt_set_lower_bounds(opt, bounds->lower_bounds.data());
  if (bounds && bounds->upper_bounds.size() == n) nlopt_set_upper_bounds(opt, bounds->upper_bounds.data());
  nlopt_set_ftol_rel(opt, 1e-15);
  nlopt_set_xtol_rel(opt, 1e-12);
  nlopt_set_maxeval(opt, max_evaluations);
  if (algorithm == NLOPT_LD_LBFGS) nlopt_set_vector_storage(opt, 10);
  if (algorithm == NLOPT_LN_NELDERMEAD || algorithm == NLOPT_LN_SBPLX) {
    std::vector<double> step(n, 0.5);
    nlopt_set_initial_step(opt, step.data());
  }
  const nlopt_result status = nlopt_optimize(opt, x.data(), &value);
  nlopt_destroy(opt);
  evaluations += context.evaluations;
  return status;
}

inline double gradient_size(const Eigen::VectorXd& g) {
  return g.size() ? g.cwiseAbs().maxCoeff() : 0.0;
}

/// The gradient with the components that push against an active bound set to zero: a
/// constrained minimum need not be a stationary point.
inline Eigen::VectorXd projected_gradient(Eigen::VectorXd g, const std::vector<double>& x,
                                          const fit_options& options) {
  const auto n = static_cast<std::size_t>(g.size());
  for (std::size_t k = 0; k < n; ++k) {
    const auto j = static_cast<Eigen::Index>(k);
    if (options.lower_bounds.size() == n && x[k] <= options.lower_bounds[k] && g[j] > 0.0) g[j] = 0.0;
    if (options.upper_bounds.size() == n && x[k] >= options.upper_bounds[k] && g[j] < 0.0) g[j] = 0.0;
  }
  return g;
}

/// x moved inside the bounds (NLopt refuses a start outside them).
inline void clamp_to_bounds(std::vector<double>& x, const fit_options& options) {
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (options.lower_bounds.size() == x.size()) x[k] = std::max(x[k], options.lower_bounds[k]);
    if (options.upper_bounds.size() == x.size()) x[k] = std::min(x[k], options.upper_bounds[k]);
  }
}

}  // namespace detail

/// Hessian of f at x by central differences of its analytic gradient, symmetrised.
inline Eigen::MatrixXd hessian(const objective_function& f, const Eigen::VectorXd& x) {
  const Eigen::Index n = x.size();
  Eigen::MatrixXd H(n, n);
  Eigen::VectorXd xp = x, gp(n), gm(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    // step ~ cbrt(machine epsilon) balances truncation against rounding error
    const double h = 6e-6 * std::max(1.0, std::abs(x[j]));
    xp[j] = x[j] + h;
    f(xp.data(), gp.data());
    xp[j] = x[j] - h;
    f(xp.data(), gm.data());
    xp[j] = x[j];
    H.col(j) = (gp - gm) / (2.0 * h);
  }
  return 0.5 * (H + H.transpose());
}

/// Minimise f from x0. L-BFGS first; if it stops with a large gradient or a non-finite
/// value, Nelder-Mead from the best point so far and L-BFGS again. `converged` says
/// whether the final gradient is within max(tol, 1e-5); the caller decides what to raise.
inline fit_result minimize(const objective_function& f, const Eigen::VectorXd& x0,
                           const fit_options& options = {}) {
  fit_result result;
  const auto n = static_cast<std::size_t>(x0.size());
  std::vector<double> x(x0.data(), x0.data() + n);
  double value = std::numeric_limits<double>::infinity();
  Eigen::VectorXd g(x0.size());
  const double accept = std::max(options.tol, 1e-5);

  auto finished = [&](const char* method) {
    result.x = Eigen::Map<Eigen::VectorXd>(x.data(), x0.size());
    result.value = f(result.x.data(), g.data());
    result.gradient = g;
    result.method = method;
    return std::isfinite(result.value) &&
           detail::gradient_size(detail::projected_gradient(g, x, options)) <= accept;
  };

  detail::clamp_to_bounds(x, options);
  detail::run_nlopt(NLOPT_LD_LBFGS, f, x, value, options.max_evaluations, result.evaluations,
                    &options);
  bool ok = finished("L-BFGS");
  if (!ok) {
    // derivative-free restart: robust where the gradient method stalled on a ridge
    std::vector<double> start = x;
    if (!std::isfinite(value)) {
      start.assign(x0.data(), x0.data() + n);
      detail::clamp_to_bounds(start, options);
    }
    x = start;
    detail::run_nlopt(NLOPT_LN_NELDERMEAD, f, x, value, options.max_evaluations,
                      result.evaluations, &options);
    detail::run_nlopt(NLOPT_LD_LBFGS, f, x, value, options.max_evaluations, result.evaluations,
                      &options);
    ok = finished("Nelder-Mead + L-BFGS");
  }
  result.converged = ok;
  if (!ok) {
    std::ostringstream message;
    message << std::setprecision(3) << "The model did not converge (largest gradient component "
            << detail::gradient_size(detail::projected_gradient(g, x, options)) << " after "
            << result.evaluations
            << " likelihood evaluations). Try a larger penalizer_coef (e.g. 0.001 to 0.1), "
               "other initial_params, or check the data for customers with extreme frequency "
               "or recency.";
    result.message = message.str();
  }
  return result;
}

}  // namespace fastlifetimes::optim
