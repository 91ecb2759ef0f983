#pragma once
/// The shifted-beta-geometric (sBG) model of Fader & Hardie (2007), "How to project
/// customer retention", Journal of Interactive Marketing 21(1), 76-90, for contractual
/// settings where each customer's renewal decisions are observed.
///
/// A customer who signs up at period 0 renews at the end of each period with probability
/// 1 - theta until the first non-renewal; theta ~ Beta(alpha, beta) across customers. T,
/// the period in which a customer churns, has
///   P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta),   t = 1, 2, ...
///   S(t) = P(T > t) = B(alpha, beta + t) / B(alpha, beta),     S(0) = 1,
/// and the retention rate r_t = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)
/// which rises with t as the customers most likely to churn leave the cohort.
///
/// Data are per-customer rows (duration, alive): a customer who churned in period
/// `duration` >= 1 contributes log P(T = duration); one still active at the start of
/// period `duration` (survived `duration` renewals, right-censored) contributes
/// log S(duration). A cohort's survivor counts N_0, ..., N_n become the rows
/// (t, churned) with weight N_{t-1} - N_t for t = 1..n and (n, alive) with weight N_n
/// (the paper's appendix).
///
/// The generic fitter (optim/model_fit.hpp) compresses recency/frequency rows, so the
/// rows are passed to it as (frequency, recency, T) = (alive, alive * duration, duration):
/// a churner is (0, 0, t), which the history checks accept, and a survivor (1, n, n).

#include <Eigen/Core>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/math/special.hpp"

namespace fastlifetimes::sbg {

struct params {
  double alpha, beta;
};

inline constexpr int n_params = 2;
inline constexpr std::array<const char*, 2> names = {"alpha", "beta"};

inline params from_array(const double* p) { return {p[0], p[1]}; }

inline void check_params(const char* function, const params& p) {
  check::positive_finite(function, "alpha", p.alpha);
  check::positive_finite(function, "beta", p.beta);
}

/// A period number: a whole number >= `least` (and finite).
inline void check_period(const char* function, const char* name, std::size_t row, double t,
                         double least) {
  if (!(t >= least && t < std::numeric_limits<double>::infinity() && check::is_whole(t))) {
    std::ostringstream out;
    out << function << ": " << name << " must be a whole number >= " << least << ", got " << t
        << " at row " << row;
    throw std::domain_error(out.str());
  }
}

/// log S(t) = log B(alpha, beta + t) - log B(alpha, beta).
inline double log_survival(const params& p, double t) {
  return math::lbeta(p.alpha, p.beta + t) - math::lbeta(p.alpha, p.beta);
}

/// S(t) = P(T > t): the share of a new cohort still active at the start of period t.
inline double survival(const params& p, double t) { return std::exp(log_survival(p, t)); }

/// log P(T = t) = log B(alpha + 1, beta + t - 1) - log B(alpha, beta), t >= 1.
inline double log_probability_churn(const params& p, double t) {
  return math::lbeta(p.alpha + 1.0, p.beta + t - 1.0) - math::lbeta(p.alpha, p.beta);
}

/// P(T = t): the probability that a new customer churns in period t >= 1.
inline double probability_churn(const params& p, double t) {
  return std::exp(log_probability_churn(p, t));
}

/// r_t = (beta + t - 1) / (alpha + beta + t - 1), t >= 1: the share of those
/// active at the start of period t - 1 who renew into period t.
inline double retention_rate(const params& p, double t) {
  return (p.beta + t - 1.0) / (p.alpha + p.beta + t - 1.0);
}

/// Discounted expected residual lifetime of a customer who has made n - 1 renewals and is
/// about to decide on the n-th, Fader & Hardie (2010), "Customer-base valuation in a
/// contractual setting: the perils of ignoring heterogeneity", Marketing Science 29(1),
/// 85-93: the expected number of future renewals, each discounted at rate d per period,
/// the next one undiscounted:
///   DERL = sum_{t >= n} S(t) / S(n - 1) (1 + d)^-(t - n).
/// S(t)/S(n-1) = B(alpha, beta + t)/B(alpha, beta + n - 1), and successive terms differ by
/// (beta + t)/(alpha + beta + t) / (1 + d); the first is r_n = (beta+n-1)/(alpha+beta+n-1).
/// The sum is thus r_n 2F1(1, beta + n; alpha + beta + n; 1/(1 + d)).
/// Multiply by the margin per renewal for the customer's residual value. d > 0, n >= 1.
inline double discounted_expected_residual_lifetime(const params& p, double d, double n) {
  const double r_n = retention_rate(p, n);
  return r_n * math::hyp2f1(1.0, p.beta + n, p.alpha + p.beta + n, 1.0 / (1.0 + d));
}

/// The undiscounted expected number of future renewals of a customer who has made n - 1
/// renewals: DERL at d = 0, where Gauss' theorem gives
/// 2F1(1, beta+n; alpha+beta+n; 1) = (alpha+beta+n-1)/(alpha-1), so (beta + n - 1)/(alpha - 1)
/// when alpha > 1; infinite for alpha <= 1 (theta's density near 0 is too heavy: enough
/// customers practically never leave).
inline double expected_remaining_lifetime(const params& p, double n) {
  if (!(p.alpha > 1.0)) return std::numeric_limits<double>::infinity();
  return (p.beta + n - 1.0) / (p.alpha - 1.0);
}

/// Log-likelihood of one customer row (duration, alive): log S(duration) when still
/// active (alive != 0), log P(T = duration) when churned in that period.
inline double log_likelihood(const params& p, double duration, bool alive) {
  return alive ? log_survival(p, duration) : log_probability_churn(p, duration);
}

/// The rows as the generic fitter sees them (file comment): (alive, alive * duration,
/// duration). Throws std::domain_error naming the first invalid row.
inline void check_rows(const double* alive, const double* recency, const double* duration,
                       std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const bool ok = (alive[i] == 0.0 || alive[i] == 1.0) &&
                    duration[i] >= 1.0 - alive[i] &&
                    duration[i] < std::numeric_limits<double>::infinity() &&
                    check::is_whole(duration[i]) && recency[i] == alive[i] * duration[i];
    if (!ok) {
      std::ostringstream out;
      out << "sbg: invalid row " << i << " (duration=" << duration[i] << ", alive=" << alive[i]
          << "; durations are whole numbers, >= 1 for customers who churned)";
      throw std::domain_error(out.str());
    }
  }
}

/// The weighted mean negative log-likelihood at exp(log_params) plus
/// penalizer * (alpha^2 + beta^2), over rows compressed as in the file comment; fills
/// `grad` (d/d log_params) when not null. Returns +inf where it cannot be evaluated.
/// d log B(a, b)/da = psi(a) - psi(a + b).
inline double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                        double* grad) {
  const params p{std::exp(log_params[0]), std::exp(log_params[1])};
  if (!(p.alpha > 0.0 && p.beta > 0.0 && std::isfinite(p.alpha) && std::isfinite(p.beta)))
    return std::numeric_limits<double>::infinity();
  double ll = 0.0, d_alpha = 0.0, d_beta = 0.0;
  for (Eigen::Index i = 0; i < data.rows.size(); ++i) {
    const double w = data.rows.weight[i];
    if (w == 0.0) continue;
    const bool alive = data.rows.frequency[i] > 0.0;
    const double t = data.rows.T[i];
    const double a = alive ? p.alpha : p.alpha + 1.0, b = alive ? p.beta + t : p.beta + t - 1.0;
    ll += w * math::lbeta(a, b);
    if (grad) {
      const double ab = math::digamma(a + b);
      d_alpha += w * (math::digamma(a) - ab);
      d_beta += w * (math::digamma(b) - ab);
    }
  }
  const double W = data.total_weight;
  ll -= W * math::lbeta(p.alpha, p.beta);
  const double value = -ll / W + penalizer * (p.alpha * p.alpha + p.beta * p.beta);
  if (!std::isfinite(value)) return std::numeric_limits<double>::infinity();
  if (grad) {
    const double ab = math::digamma(p.alpha + p.beta);
    d_alpha -= W * (math::digamma(p.alpha) - ab);
    d_beta -= W * (math::digamma(p.beta) - ab);
    grad[0] = -d_alpha * p.alpha / W + 2.0 * penalizer * p.alpha * p.alpha;
    grad[1] = -d_beta * p.beta / W + 2.0 * penalizer * p.beta * p.beta;
  }
  return value;
}

/// What the generic fitter needs (see bgnbd::model). Rows are (alive, alive * duration,
/// duration), as in the file comment.
struct model {
  static constexpr int n_params = sbg::n_params;
  static constexpr std::array<const char*, 2> names = sbg::names;
  /// Periods are counts: no rescaling, and neither parameter has a time unit.
  static constexpr bool rescale_time = false;
  static constexpr std::array<int, 2> time_power = {0, 0};
  static double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                          double* grad) {
    return sbg::objective(log_params, data, penalizer, grad);
  }
  static double log_likelihood(const double* params, double alive, double /*recency*/,
                               double duration) {
    return sbg::log_likelihood(from_array(params), duration, alive > 0.0);
  }
  /// (1, 1): the paper's starting point in its Excel walk-through.
  static std::array<double, 2> initial_log_params() { return {0.0, 0.0}; }
  static void check_rows(const double* alive, const double* recency, const double* duration,
                         std::size_t n) {
    sbg::check_rows(alive, recency, duration, n);
  }
};

}  // namespace fastlifetimes::sbg
