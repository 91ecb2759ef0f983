#pragma once
/// The NBD model (Ehrenberg 1959; Morrison & Schmittlein 1988): every customer buys at the
/// times of a Poisson process with rate lambda ~ Gamma(r, alpha) and never drops out, so
/// the number of repeat purchases in (0, T] is negative binomial. It is the baseline of
/// Platzer & Reutterer (2016) and of the BTYDplus vignette.
///
/// The likelihood here is the one BTYDplus maximises and reports (`nbd.LL`): the negative
/// binomial probability without its data-only factor T^x / x!,
///   L = Gamma(r+x)/Gamma(r) alpha^r (alpha+T)^-(r+x).
/// It has the same maximiser, and it changes with the time unit as the timing models'
/// densities do (one factor of the unit per purchase), so the generic fitter's
/// conversion between time units holds. Add sum(x ln T - ln x!) for the probability.

#include <Eigen/Core>
#include <boost/math/special_functions/beta.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/core/parallel.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/math/special.hpp"

namespace fastlifetimes::nbd {

struct params {
  double r, alpha;
};

inline constexpr int n_params = 2;
inline constexpr std::array<const char*, 2> names = {"r", "alpha"};

inline params from_array(const double* p) { return {p[0], p[1]}; }

inline void check_params(const char* function, const params& p) {
  check::positive_finite(function, "r", p.r);
  check::positive_finite(function, "alpha", p.alpha);
}

/// BTYDplus' NBD log-likelihood of one customer (recency is not used):
/// lnGamma(r+x) - lnGamma(r) + r ln(alpha) - (r+x) ln(alpha+T).
inline double log_likelihood(const params& p, double x, double /*t_x*/, double T) {
  return math::log_gamma(p.r + x) - math::log_gamma(p.r) + p.r * std::log(p.alpha) -
         (p.r + x) * std::log(p.alpha + T);
}

/// The data-only term the likelihood above leaves out: x ln T - ln x!.
inline double omitted_constant(double x, double T) {
  return x == 0.0 ? 0.0 : x * std::log(T) - math::log_gamma(x + 1.0);
}

/// lifetimes' objective: weighted mean negative log-likelihood at exp(log_params) on the
/// rescaled time axis plus penalizer * (r^2 + alpha^2); fills the gradient with respect to
/// the log-parameters when `grad` is not null. +inf where it cannot be evaluated.
inline double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                        double* grad) {
  const double r = std::exp(log_params[0]), alpha = std::exp(log_params[1]);
  for (double v : {r, alpha})
    if (!(v >= 1e-300 && v <= 1e300)) {
      if (grad) grad[0] = grad[1] = 0.0;
      return std::numeric_limits<double>::infinity();
    }
  // the x-only terms once per distinct x, the T-only ones once per distinct T
  const auto nx = static_cast<std::size_t>(data.x.values.size());
  std::vector<double> lg(nx), dg(nx);
  const double lg_r = math::log_gamma(r), dg_r = math::digamma(r);
  for (std::size_t j = 0; j < nx; ++j) {
    const double x = data.x.values[static_cast<Eigen::Index>(j)];
    lg[j] = math::log_gamma(r + x) - lg_r;
    dg[j] = grad ? math::digamma(r + x) - dg_r : 0.0;
  }
  const Eigen::ArrayXd T_log = (data.T.values + alpha).log();
  const Eigen::ArrayXd T_inv = (data.T.values + alpha).inverse();
  double ll = 0.0, g_r = 0.0, g_alpha = 0.0;
  for (Eigen::Index i = 0; i < data.rows.size(); ++i) {
    const auto u = static_cast<std::size_t>(i);
    const auto jx = static_cast<std::size_t>(data.x.index[u]);
    const std::int32_t jT = data.T.index[u];
    const double w = data.rows.weight[i], rx = r + data.x.values[data.x.index[u]];
    ll += w * (lg[jx] - rx * T_log[jT]);
    g_r += w * (dg[jx] - T_log[jT]);
    g_alpha -= w * rx * T_inv[jT];
  }
  const double W = data.total_weight, log_alpha = std::log(alpha);
  ll += W * r * log_alpha;
  const double value = -ll / W + penalizer * (r * r + alpha * alpha);
  if (grad) {
    g_r += W * log_alpha;
    g_alpha += W * r / alpha;
    grad[0] = -g_r * r / W + 2.0 * penalizer * r * r;
    grad[1] = -g_alpha * alpha / W + 2.0 * penalizer * alpha * alpha;
  }
  return std::isfinite(value) ? value : std::numeric_limits<double>::infinity();
}

/// E[X(T, T+t) | x, T] = t (r+x)/(alpha+T): the posterior mean rate, Gamma(r+x, alpha+T),
/// times t. Recency carries no information in the NBD.
inline double conditional_expected_number_of_purchases_up_to_time(const params& p, double t,
                                                                   double x, double /*t_x*/,
                                                                   double T) {
  return t * (p.r + x) / (p.alpha + T);
}

/// Nobody drops out in the NBD: P(alive) = 1.
inline double conditional_probability_alive(const params&, double, double, double) { return 1.0; }

/// E[X(t)] = r t / alpha.
inline double expected_number_of_purchases_up_to_time(const params& p, double t) {
  return p.r * t / p.alpha;
}

/// P(X(t) = n) = Gamma(r+n)/(Gamma(r) n!) (alpha/(alpha+t))^r (t/(alpha+t))^n.
inline double probability_of_n_purchases_up_to_time(const params& p, double t, double n) {
  const double log_p0 = p.r * (std::log(p.alpha) - std::log(p.alpha + t));
  if (n == 0.0) return std::exp(log_p0);
  if (t == 0.0) return 0.0;
  return std::exp(math::log_gamma(p.r + n) - math::log_gamma(p.r) - math::log_gamma(n + 1.0) +
                  log_p0 + n * (std::log(t) - std::log(p.alpha + t)));
}

/// Over n customers; throws std::domain_error naming the first invalid row.
inline void conditional_expected_number_of_purchases_up_to_time(const params& p, const double* t,
                                                                const double* x,
                                                                const double* t_x,
                                                                const double* T, std::size_t n,
                                                                double* out) {
  const char* name = "conditional_expected_number_of_purchases_up_to_time";
  check_params(name, p);
  check::prediction_rows(name, x, t_x, T, n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    check::horizon(name, i, t[i]);
    out[i] = conditional_expected_number_of_purchases_up_to_time(p, t[i], x[i], t_x[i], T[i]);
  }
}

/// Over n customers (all 1 for valid rows); throws std::domain_error naming the first
/// invalid row.
inline void conditional_probability_alive(const params& p, const double* x, const double* t_x,
                                          const double* T, std::size_t n, double* out) {
  check_params("conditional_probability_alive", p);
  check::prediction_rows("conditional_probability_alive", x, t_x, T, n, 0);
  std::fill(out, out + n, 1.0);
}

/// What the generic fitter needs to know about the model (see bgnbd::model).
struct model {
  static constexpr int n_params = nbd::n_params;
  static constexpr std::array<const char*, 2> names = nbd::names;
  /// alpha is a time; r a pure number.
  static constexpr std::array<int, 2> time_power = {0, 1};
  static double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                          double* grad) {
    return nbd::objective(log_params, data, penalizer, grad);
  }
  static double log_likelihood(const double* params, double x, double t_x, double T) {
    return nbd::log_likelihood(from_array(params), x, t_x, T);
  }
  static std::array<double, 2> initial_log_params() { return {0.1, 0.1}; }
};

}  // namespace fastlifetimes::nbd
