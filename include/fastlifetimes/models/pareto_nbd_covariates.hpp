#pragma once
/// The Pareto/NBD model with time-invariant ("static") covariates, parametrised as
/// CLVTools' `pnbd()` on static covariates (Fader & Hardie (2007), note 019): customer i's
/// purchase-rate and dropout-rate scales are
///   alpha_i = alpha exp(-gamma_trans' z_trans,i),   beta_i = beta exp(-gamma_life' z_life,i),
/// with r and s shared. Given alpha_i and beta_i the likelihood is the plain Pareto/NBD
/// one (pareto_nbd.hpp); fitting is `covariates::fit` (optim/covariates_fit.hpp).

#include <cmath>

#include "fastlifetimes/models/pareto_nbd.hpp"
#include "fastlifetimes/optim/covariates_fit.hpp"

namespace fastlifetimes::pareto_nbd_covariates {

/// How covariates enter the Pareto/NBD (see covariates_fit.hpp): log alpha - u_trans and
/// log beta - u_life.
struct spec {
  using base = pareto_nbd::model;
  using prepared = pareto_nbd::detail::tail_pairs;
  static prepared prepare(const compressed_rfm& data) { return prepared(data); }
  static double group_objective(const double* lp, const compressed_rfm& data, const prepared& pairs,
                                double* grad) {
    return pareto_nbd::objective(lp, data, pairs, 0.0, grad);
  }
  static void log_params(const double* theta, double u_trans, double u_life, double* lp) {
    lp[0] = theta[0];
    lp[1] = theta[1] - u_trans;
    lp[2] = theta[2];
    lp[3] = theta[3] - u_life;
  }
  static double d_trans(const double* g) { return -g[1]; }
  static double d_life(const double* g) { return -g[3]; }
};

using grouped_data = covariates::grouped_data<spec>;
using covariates::fit_result;

/// Group customers by covariates (see `covariates::group_customers`).
inline grouped_data group_customers(const double* x, const double* t_x, const double* T,
                                    const double* weight, std::size_t n, const double* z_trans,
                                    Eigen::Index p_trans, const double* z_life, Eigen::Index p_life,
                                    double time_scale) {
  return covariates::group_customers<spec>(x, t_x, T, weight, n, z_trans, p_trans, z_life, p_life,
                                           time_scale);
}

/// CLVTools' objective at theta = (log r, log alpha, log s, log beta, gamma_trans, gamma_life).
inline double objective(const double* theta, const grouped_data& d, double lambda_trans,
                        double lambda_life, double* grad) {
  return covariates::objective<spec>(theta, d, lambda_trans, lambda_life, grad);
}

/// Customer i's plain Pareto/NBD parameters: (r, alpha exp(-gamma_trans' z), s,
/// beta exp(-gamma_life' z)).
inline pareto_nbd::params customer_params(const pareto_nbd::params& base, const double* gamma_trans,
                                          const double* z_trans, Eigen::Index p_trans,
                                          const double* gamma_life, const double* z_life,
                                          Eigen::Index p_life) {
  double a = 0.0, b = 0.0;
  for (Eigen::Index k = 0; k < p_trans; ++k) a += gamma_trans[k] * z_trans[k];
  for (Eigen::Index k = 0; k < p_life; ++k) b += gamma_life[k] * z_life[k];
  return {base.r, base.alpha * std::exp(-a), base.s, base.beta * std::exp(-b)};
}

/// Fit (see `covariates::fit`); params are (r, alpha, s, beta, gamma_trans, gamma_life).
inline fit_result fit(const double* x, const double* t_x, const double* T, const double* weight,
                      std::size_t n, const double* z_trans, Eigen::Index p_trans,
                      const double* z_life, Eigen::Index p_life, double lambda_trans,
                      double lambda_life, const std::optional<Eigen::VectorXd>& initial_theta = {},
                      const optim::fit_options& options = {}, bool with_uncertainty = true) {
  return covariates::fit<spec>(x, t_x, T, weight, n, z_trans, p_trans, z_life, p_life, lambda_trans,
                               lambda_life, initial_theta, options, with_uncertainty);
}

}  // namespace fastlifetimes::pareto_nbd_covariates
