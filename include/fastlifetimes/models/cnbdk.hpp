#pragma once
/// BG/CNBD-k and MBG/CNBD-k of Platzer & Reutterer (2016), "Ticking Away the Moments:
/// Timing Regularity Helps to Better Predict Customer Activity", Marketing Science 35(5),
/// 779-799.
///
/// As BG/NBD (bgnbd.hpp) and MBG/NBD (mbgnbd.hpp), but the times between purchases are
/// Erlang-k with rate lambda (a Gamma(k, lambda) wait: every k-th event of a Poisson
/// process with rate lambda is a purchase), lambda ~ Gamma(r, alpha) across customers.
/// After each purchase the customer drops out with probability p ~ Beta(a, b); the
/// "modified" variant (MBG/CNBD-k) also drops out at time 0. k is a whole number fixed by
/// the user (or chosen by likelihood over k = 1..K, see `fit_regularity`); k = 1 is BG/NBD
/// and MBG/NBD exactly, and every function here hands k = 1 to those models' code.
///
/// Per customer the likelihood needs, besides (x, t_x, T), litt = sum of the logs of the x
/// inter-purchase times. It enters only as the data-only term (k-1) litt - x ln((k-1)!),
/// which does not depend on (r, alpha, a, b): fitting for a fixed k uses (x, t_x, T) alone
/// (so customers still collapse to unique rows) and that term is added to the reported
/// log-likelihood, where it matters for comparing k.
///
/// Derivation of the likelihood (paper, section 3; our notation). A customer alive at T
/// with purchases at 0 < t_1 < ... < t_x = t_x has the Erlang densities of the x gaps
/// times the probability that fewer than k Poisson events fall in (t_x, T]:
///   lambda^(kx) exp(-lambda t_x) prod(gaps)^(k-1) / ((k-1)!)^x
///     * exp(-lambda (T-t_x)) sum_{j<k} (lambda (T-t_x))^j / j!,
/// and one who dropped out right after t_x the densities alone. Integrating lambda over
/// Gamma(r, alpha) and p over Beta(a, b) gives, with R = r + kx,
///   L = exp((k-1) litt) / ((k-1)!)^x * B(a, b+x+s)/B(a, b) * Gamma(R)/Gamma(r) alpha^r
///       * (alpha+T)^-R * [ S2 + [x>0 or s] a/(b+x-1+s) ((alpha+T)/(alpha+t_x))^R ],
///   S2 = sum_{j<k} (R)_j / j! ((T-t_x)/(alpha+T))^j,
/// s = 1 for MBG/CNBD-k (one more drop-out chance, at time 0), else 0.

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/core/parallel.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/math/special.hpp"
#include "fastlifetimes/models/bgnbd.hpp"
#include "fastlifetimes/models/mbgnbd.hpp"
#include "fastlifetimes/optim/model_fit.hpp"

namespace fastlifetimes::cnbdk {

/// BG/NBD's four parameters: r, alpha (Gamma of lambda), a, b (Beta of p).
struct params {
  double r, alpha, a, b;
};

/// Which model: the Erlang order k and whether the customer may drop out at time 0.
struct variant {
  int k = 1;
  bool modified = false;  ///< MBG/CNBD-k when true, BG/CNBD-k otherwise
};

inline constexpr int n_params = 4;
inline constexpr std::array<const char*, 4> names = {"r", "alpha", "a", "b"};
/// The largest k the fitter is compiled for (BTYDplus searches k = 1..12 too).
inline constexpr int max_k = 12;
/// The largest k the predictions take: S2 has k terms per customer.
inline constexpr int max_prediction_k = 1000;

inline params from_array(const double* p) { return {p[0], p[1], p[2], p[3]}; }

inline void check_params(const char* function, const params& p) {
  check::positive_finite(function, "r", p.r);
  check::positive_finite(function, "alpha", p.alpha);
  check::positive_finite(function, "a", p.a);
  check::positive_finite(function, "b", p.b);
}

inline void check_variant(const char* function, const variant& v, int largest = max_prediction_k) {
  if (v.k < 1 || v.k > largest) {
    std::ostringstream out;
    out << function << ": k must be a whole number from 1 to " << largest << ", got " << v.k;
    throw std::domain_error(out.str());
  }
}

/// litt of one customer is consistent with (x, t_x) when it is finite, 0 for x = 0, and
/// at most x ln(t_x / x) for x > 0 (the logs of x gaps summing to t_x are largest when the
/// gaps are equal). A small tolerance absorbs rounding in the caller's sums.
inline bool valid_litt(double x, double t_x, double litt) {
  if (!std::isfinite(litt)) return false;
  if (x == 0.0) return litt == 0.0;
  if (!(t_x > 0.0)) return false;
  const double bound = x * std::log(t_x / x);
  return litt <= bound + 1e-9 * (std::abs(bound) + x);
}

/// Throws std::domain_error naming the first row whose litt is not consistent.
inline void check_litt(const char* function, const double* x, const double* t_x,
                       const double* litt, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!valid_litt(x[i], t_x[i], litt[i])) {
      std::ostringstream out;
      out << function << ": invalid litt at row " << i << " (frequency=" << x[i]
          << ", recency=" << t_x[i] << ", litt=" << litt[i]
          << "); litt must be finite, 0 where frequency is 0, and at most "
             "frequency * log(recency / frequency)";
      throw std::domain_error(out.str());
    }
}

/// (k-1) litt - x ln((k-1)!): the likelihood's data-only term.
inline double data_term(int k, double x, double litt) {
  if (k == 1) return 0.0;
  return (k - 1.0) * litt - x * math::log_gamma(static_cast<double>(k));
}

namespace detail {

/// log S2 with S2 = sum_{j<k} (R)_j / j! u^j, u = (T-t_x)/(alpha+T) in [0, 1), and its
/// derivatives d log S2 / dR and u d log S2 / du. The terms are positive; they are summed
/// with a running rescale so that large R u (many purchases, long silence) cannot overflow.
struct erlang_sum {
  double log_value = 0.0, d_R = 0.0, u_d_u = 0.0;
};

inline erlang_sum log_erlang_sum(int k, double R, double u) {
  erlang_sum out;
  if (k == 1 || u == 0.0) return out;
  double term = 1.0, sum = 1.0, harmonic = 0.0, sum_dR = 0.0, sum_j = 0.0, offset = 0.0;
  for (int j = 1; j < k; ++j) {
    const double jd = j;
    harmonic += 1.0 / (R + jd - 1.0);  // d log (R)_j / dR
    term *= (R + jd - 1.0) * u / jd;
    sum += term;
    sum_dR += term * harmonic;
    sum_j += term * jd;
    if (sum > 1e200) {
      constexpr double shrink = 1e-200;
      term *= shrink, sum *= shrink, sum_dR *= shrink, sum_j *= shrink;
      offset += 200.0 * std::log(10.0);
    }
  }
  out.log_value = offset + std::log(sum);
  out.d_R = sum_dR / sum;
  out.u_d_u = sum_j / sum;
  return out;
}

/// The weights (R)_j/j! u^j / S2 of "j of the k events done since the last purchase", for
/// j = 0..k-1, given alive at T: the posterior of the Erlang phase.
inline void phase_weights(int k, double R, double u, std::vector<double>& w) {
  w.assign(static_cast<std::size_t>(k), 0.0);
  // in log space: with R u large the last weights dominate and the first underflow
  std::vector<double> lw(static_cast<std::size_t>(k));
  double top = 0.0;
  for (int j = 0; j < k; ++j) {
    const double jd = j;
    lw[static_cast<std::size_t>(j)] =
        j == 0 ? 0.0
               : (u == 0.0 ? -std::numeric_limits<double>::infinity()
                           : math::log_gamma(R + jd) - math::log_gamma(R) -
                                 math::log_gamma(jd + 1.0) + jd * std::log(u));
    top = std::max(top, lw[static_cast<std::size_t>(j)]);
  }
  double total = 0.0;
  for (int j = 0; j < k; ++j) total += (w[static_cast<std::size_t>(j)] = std::exp(lw[static_cast<std::size_t>(j)] - top));
  for (double& v : w) v /= total;
}

/// log of the "dropped after the last purchase" term relative to (alpha+T)^-R:
/// log(a/(b+x-1+s)) + R log((alpha+T)/(alpha+t_x)); -inf where there is none (BG, x = 0).
inline double log_dropped(const params& p, const variant& v, double x, double t_x, double T) {
  const double s = v.modified ? 1.0 : 0.0;
  if (x == 0.0 && !v.modified) return -std::numeric_limits<double>::infinity();
  const double R = p.r + v.k * x;
  return std::log(p.a / (p.b + x - 1.0 + s)) + R * std::log((p.alpha + T) / (p.alpha + t_x));
}

}  // namespace detail

/// log-likelihood of one customer without the data-only term (k-1) litt - x ln((k-1)!)
/// (see the derivation at the top). For k = 1 it is BG/NBD's (MBG/NBD's) likelihood.
inline double log_likelihood_without_litt(const params& p, const variant& v, double x, double t_x,
                                          double T) {
  if (v.k == 1)
    return v.modified ? mbgnbd::log_likelihood({p.r, p.alpha, p.a, p.b}, x, t_x, T)
                      : bgnbd::log_likelihood({p.r, p.alpha, p.a, p.b}, x, t_x, T);
  const double s = v.modified ? 1.0 : 0.0, R = p.r + v.k * x;
  const double common = math::lbeta(p.a, p.b + x + s) - math::lbeta(p.a, p.b) +
                        math::log_gamma(R) - math::log_gamma(p.r) + p.r * std::log(p.alpha) -
                        R * std::log(p.alpha + T);
  const double log_S2 = detail::log_erlang_sum(v.k, R, (T - t_x) / (p.alpha + T)).log_value;
  return common + math::log_sum_exp(log_S2, detail::log_dropped(p, v, x, t_x, T));
}

/// Log-likelihood of one customer, Platzer & Reutterer (2016): with litt, the sum of the
/// logs of the customer's inter-purchase times (0 when x = 0).
inline double log_likelihood(const params& p, const variant& v, double x, double t_x, double T,
                             double litt) {
  return log_likelihood_without_litt(p, v, x, t_x, T) + data_term(v.k, x, litt);
}

namespace detail {

/// The objective for k > 1 (k = 1 goes to bgnbd::detail::objective): lifetimes' weighted
/// mean negative log-likelihood (without the data-only term) plus the penalty, with its
/// gradient in log-parameters. Terms of x alone are computed once per distinct x, those of
/// T or t_x once per distinct value.
inline double objective_k(const double* log_params, const compressed_rfm& data, const variant& v,
                          double penalizer, double* grad) {
  const double r = std::exp(log_params[0]), alpha = std::exp(log_params[1]);
  const double a = std::exp(log_params[2]), b = std::exp(log_params[3]);
  for (double val : {r, alpha, a, b})
    if (!(val >= 1e-300 && val <= 1e300)) {
      if (grad) std::fill(grad, grad + 4, 0.0);
      return std::numeric_limits<double>::infinity();
    }
  const int k = v.k;
  const double s = v.modified ? 1.0 : 0.0;
  const auto nx = static_cast<std::size_t>(data.x.values.size());
  // per distinct x: lbeta/lgamma part and its derivatives, log and inverse of b+x-1+s
  std::vector<double> c(nx), c_r(nx), c_a(nx), c_b(nx), log_b1(nx), inv_b1(nx);
  const double lg_r = math::log_gamma(r), dg_r = math::digamma(r);
  const double dg_b = math::digamma(b), dg_ab = math::digamma(a + b);
  const double lbeta_ab = math::lbeta(a, b);
  for (std::size_t j = 0; j < nx; ++j) {
    const double x = data.x.values[static_cast<Eigen::Index>(j)], R = r + k * x;
    c[j] = math::lbeta(a, b + x + s) - lbeta_ab + math::log_gamma(R) - lg_r;
    const double b1 = std::max(b + x - 1.0 + s, std::numeric_limits<double>::min());
    log_b1[j] = std::log(b1);
    inv_b1[j] = 1.0 / b1;
    if (grad) {
      const double dg_abx = math::digamma(a + b + x + s);
      c_r[j] = math::digamma(R) - dg_r;
      c_a[j] = dg_ab - dg_abx;
      c_b[j] = math::digamma(b + x + s) - dg_abx - dg_b + dg_ab;
    }
  }
  const Eigen::ArrayXd T_log = (data.T.values + alpha).log(), T_inv = (data.T.values + alpha).inverse();
  const Eigen::ArrayXd tx_log = (data.t_x.values + alpha).log();
  const Eigen::ArrayXd tx_inv = (data.t_x.values + alpha).inverse();
  const double log_a = std::log(a);

  auto accumulate = [&](Eigen::Index begin, Eigen::Index end, std::array<double, 5>& sums) {
    double ll = 0.0, g_r = 0.0, g_alpha = 0.0, g_a = 0.0, g_b = 0.0;
    for (Eigen::Index i = begin; i < end; ++i) {
      const auto u8 = static_cast<std::size_t>(i);
      const auto jx = static_cast<std::size_t>(data.x.index[u8]);
      const std::int32_t jT = data.T.index[u8], jt = data.t_x.index[u8];
      const double x = data.x.values[data.x.index[u8]], R = r + k * x;
      const double T = data.T.values[jT], t_x = data.t_x.values[jt];
      const double u = (T - t_x) * T_inv[jT];
      const erlang_sum S2 = log_erlang_sum(k, R, u);
      const double diff = (x == 0.0 && s == 0.0)
                              ? -std::numeric_limits<double>::infinity()
                              : log_a - log_b1[jx] + R * (T_log[jT] - tx_log[jt]) - S2.log_value;
      // log(S1 + S2) = log S2 + softplus(diff); the weight of the "dropped" term is
      // logistic(diff)
      const double e = std::exp(-std::abs(diff));
      const double softplus = std::max(diff, 0.0) + std::log1p(e);
      const double wd = diff >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e), wa = 1.0 - wd;
      const double w = data.rows.weight[i];
      ll += w * (c[jx] - R * T_log[jT] + S2.log_value + softplus);
      if (grad) {
        // d u / d alpha = -u / (alpha+T)
        g_r += w * (c_r[jx] - T_log[jT] + wa * S2.d_R + wd * (T_log[jT] - tx_log[jt]));
        g_alpha += w * (-R * T_inv[jT] - wa * S2.u_d_u * T_inv[jT] +
                        wd * R * (T_inv[jT] - tx_inv[jt]));
        g_a += w * (c_a[jx] + wd / a);
        g_b += w * (c_b[jx] - wd * inv_b1[jx]);
      }
    }
    sums = {ll, g_r, g_alpha, g_a, g_b};
  };
  // two halves always, so that the sums do not depend on the core count (see bgnbd)
  const Eigen::Index n = data.rows.size(), half = n / 2;
  std::array<double, 5> lower{}, upper{};
  if (n >= 20'000) {
    std::thread worker([&] { accumulate(half, n, upper); });
    accumulate(0, half, lower);
    worker.join();
  } else {
    accumulate(0, half, lower);
    accumulate(half, n, upper);
  }
  const double W = data.total_weight, log_alpha = std::log(alpha);
  const double ll = lower[0] + upper[0] + W * r * log_alpha;
  const double value = -ll / W + penalizer * (r * r + alpha * alpha + a * a + b * b);
  if (grad) {
    const double g_r = lower[1] + upper[1] + W * log_alpha;
    const double g_alpha = lower[2] + upper[2] + W * r / alpha;
    const double g_a = lower[3] + upper[3], g_b = lower[4] + upper[4];
    grad[0] = -g_r * r / W + 2.0 * penalizer * r * r;
    grad[1] = -g_alpha * alpha / W + 2.0 * penalizer * alpha * alpha;
    grad[2] = -g_a * a / W + 2.0 * penalizer * a * a;
    grad[3] = -g_b * b / W + 2.0 * penalizer * b * b;
    for (int q = 0; q < 4; ++q)
      if (!std::isfinite(grad[q])) return std::numeric_limits<double>::infinity();
  }
  return std::isfinite(value) ? value : std::numeric_limits<double>::infinity();
}

}  // namespace detail

/// lifetimes' objective (see bgnbd::objective) for the variant `v`: the weighted mean
/// negative log-likelihood without the data-only term, on rescaled time, plus
/// penalizer * sum(params^2); the gradient in log-parameters when `grad` is not null.
/// k = 1 is BG/NBD's (MBG/NBD's) objective itself.
inline double objective(const double* log_params, const compressed_rfm& data, const variant& v,
                        double penalizer, double* grad) {
  if (v.k == 1) return bgnbd::detail::objective(log_params, data, penalizer, grad, v.modified ? 1 : 0);
  return detail::objective_k(log_params, data, v, penalizer, grad);
}

/// P(alive | x, t_x, T) = S2 / (S2 + S1): the "alive" part of the likelihood's bracket
/// over the whole. For BG/CNBD-k and x = 0 it is 1.
inline double conditional_probability_alive(const params& p, const variant& v, double x,
                                            double t_x, double T) {
  if (v.k == 1)
    return v.modified ? mbgnbd::conditional_probability_alive({p.r, p.alpha, p.a, p.b}, x, t_x, T)
                      : bgnbd::conditional_probability_alive({p.r, p.alpha, p.a, p.b}, x, t_x, T);
  const double R = p.r + v.k * x;
  const double d = detail::log_dropped(p, v, x, t_x, T) -
                   detail::log_erlang_sum(v.k, R, (T - t_x) / (p.alpha + T)).log_value;
  if (d >= 0.0) {
    const double e = std::exp(-d);
    return e / (1.0 + e);
  }
  return 1.0 / (1.0 + std::exp(d));
}

namespace detail {

/// E[purchases in (T, T+t] | alive at T, phase j, x] for one phase j: the future purchases
/// are the events number k-j, 2k-j, ... of a Poisson process with rate
/// lambda ~ Gamma(R+j, alpha+T), stopped by the first drop-out (chance p after each
/// purchase, p ~ Beta(a, b')). With N the number of events in t (negative binomial,
/// q = t/(alpha+T+t)) and c_m = E[(1-p)^(m-1)] = B(a, b'+m-1)/B(a, b'):
///   sum_{m>=1} c_m P(N >= mk - j) = sum_i P(N = i) C(floor((i+j)/k)),  C(M) = sum_{m<=M} c_m.
/// The pmf is summed outwards from its mode in log space (so that it cannot underflow for
/// large R) until the terms are negligible: exact up to rounding, no series truncated
/// early.
/// Partial sums C(M) = sum_{m<=M} c_m of c_m = B(a, b'+m-1)/B(a, b') for one (a, b'),
/// extended on demand: c_1 = 1, c_{m+1} = c_m (b'+m-1)/(a+b'+m-1).
struct drop_out_sums {
  double a = 1.0, b1 = 1.0;
  std::vector<double> C{0.0}, c{0.0};  // c[m] = c_m (c[0] unused), C[M] = sum_{m<=M} c_m
  void reset(double a_, double b1_) {
    a = a_, b1 = b1_;
    C.assign(1, 0.0);
    c.assign(1, 0.0);
  }
  void extend(std::size_t M) {
    while (C.size() <= M) {
      const auto m = static_cast<double>(C.size());
      c.push_back(m == 1.0 ? 1.0 : c.back() * (b1 + m - 2.0) / (a + b1 + m - 2.0));
      C.push_back(C.back() + c.back());
    }
  }
  double operator()(std::size_t M) {
    extend(M);
    return C[M];
  }
  /// E[(1-p)^M] = c_{M+1}: the chance of surviving M purchases.
  double survival(std::size_t M) {
    extend(M + 1);
    return c[M + 1];
  }
};

/// sum_i P(N = i) value(floor((i+j)/k)) for i >= lowest, N ~ NegBin(R+j, q) the number of
/// Poisson events in t: `value` of the number of purchases those events make.
template <class Value>
inline double phase_sum(int k, int j, double R, double q, double log_q, double log_1mq,
                        double lowest, Value&& value) {
  const double Rj = R + j;
  const auto kk = static_cast<double>(k), jd = static_cast<double>(j);
  auto log_pmf = [&](double i) {
    return math::log_gamma(Rj + i) - math::log_gamma(Rj) - math::log_gamma(i + 1.0) +
           Rj * log_1mq + i * log_q;
  };
  double mode = q < 1.0 ? std::floor(std::max(0.0, (Rj - 1.0) * q / (1.0 - q))) : lowest;
  mode = std::max(mode, lowest);
  const double log_top = log_pmf(mode);
  double total = 0.0;
  // upwards from the mode, pmf by its ratio (Rj+i) q / (i+1)
  double pmf = std::exp(log_top);
  for (double i = mode;; i += 1.0) {
    const double contribution = pmf * value(static_cast<std::size_t>((i + jd) / kk));
    total += contribution;
    if (pmf < 1e-18 * std::exp(log_top) && contribution <= 1e-18 * total) break;
    if (i - mode > 1e8) break;  // safeguard; unreachable for t within data's range
    pmf *= (Rj + i) * q / (i + 1.0);
    if (pmf == 0.0) break;
  }
  // downwards from the mode
  pmf = std::exp(log_top);
  for (double i = mode - 1.0; i >= lowest; i -= 1.0) {
    pmf *= (i + 1.0) / ((Rj + i) * q);
    const double contribution = pmf * value(static_cast<std::size_t>((i + jd) / kk));
    total += contribution;
    if (pmf < 1e-18 * std::exp(log_top) && contribution <= 1e-18 * total) break;
    if (pmf == 0.0) break;
  }
  return total;
}

inline double phase_expectation(int k, int j, double R, double q, double log_q, double log_1mq,
                                drop_out_sums& cumulative) {
  if (q == 0.0) return 0.0;
  // P(N = i) counts only from the first purchase on: C(0) = 0
  return phase_sum(k, j, R, q, log_q, log_1mq, static_cast<double>(k - j),
                   [&](std::size_t M) { return cumulative(M); });
}

/// P(no drop-out in (T, T+t] | alive at T, phase j): every one of the M purchases the
/// events make is survived with chance 1-p, so sum_i P(N = i) E[(1-p)^M(i)], from i = 0.
inline double phase_survival(int k, int j, double R, double q, double log_q, double log_1mq,
                             drop_out_sums& sums) {
  if (q == 0.0) return 1.0;
  return phase_sum(k, j, R, q, log_q, log_1mq, 0.0,
                   [&](std::size_t M) { return sums.survival(M); });
}

/// sum_j w_j per_phase(k, j, R, q, log q, log(1-q), sums) with w_j the posterior of the
/// Erlang phase given alive at T, and `sums` set for p ~ Beta(a, b+x+s) (given alive at T,
/// independent of lambda and the phase).
template <class PerPhase>
inline double over_phases(const params& p, const variant& v, double t, double x, double t_x,
                          double T, std::vector<double>& weights, drop_out_sums& sums,
                          PerPhase&& per_phase) {
  const double R = p.r + v.k * x, s = v.modified ? 1.0 : 0.0;
  const double q = t / (p.alpha + T + t);
  const double log_q = std::log(t) - std::log(p.alpha + T + t);
  const double log_1mq = std::log(p.alpha + T) - std::log(p.alpha + T + t);
  phase_weights(v.k, R, (T - t_x) / (p.alpha + T), weights);
  sums.reset(p.a, p.b + x + s);
  double total = 0.0;
  for (int j = 0; j < v.k; ++j) {
    const double w = weights[static_cast<std::size_t>(j)];
    if (w == 0.0) continue;
    total += w * per_phase(v.k, j, R, q, log_q, log_1mq, sums);
  }
  return total;
}

/// E[X(T, T+t) | alive at T, x, t_x, T]: the phase expectations weighted by the phase
/// posterior.
inline double expectation_given_alive(const params& p, const variant& v, double t, double x,
                                      double t_x, double T, std::vector<double>& weights,
                                      drop_out_sums& C) {
  if (t == 0.0) return 0.0;
  return over_phases(p, v, t, x, t_x, T, weights, C, phase_expectation);
}

/// P(alive at T+t | alive at T, x, t_x, T): the phase survivals weighted by the phase
/// posterior.
inline double survival_given_alive(const params& p, const variant& v, double t, double x,
                                   double t_x, double T, std::vector<double>& weights,
                                   drop_out_sums& sums) {
  if (t == 0.0) return 1.0;
  return over_phases(p, v, t, x, t_x, T, weights, sums, phase_survival);
}

}  // namespace detail

/// P(alive at T+t | x, t_x, T), for any k: P(alive at T) times the chance of surviving
/// the purchases made in (T, T+t] (a drop-out can only follow a purchase), conditioning on
/// the Erlang phase reached since the last purchase as the conditional expectation does.
/// At k = 1 this is BG/NBD's (MBG/NBD's) E[exp(-lambda p t)] in series form; t = 0 gives
/// P(alive).
inline double conditional_probability_alive_in_future(const params& p, const variant& v, double t,
                                                      double x, double t_x, double T) {
  std::vector<double> weights;
  detail::drop_out_sums sums;
  return conditional_probability_alive(p, v, x, t_x, T) *
         detail::survival_given_alive(p, v, t, x, t_x, T, weights, sums);
}

/// E[X(T, T+t) | x, t_x, T]: P(alive) times the expected purchases of a customer alive
/// at T. Platzer & Reutterer give no closed form for k > 1 (BTYDplus uses BG/NBD's formula
/// at alpha k as an approximation, rescaled over the whole cohort); here it is computed
/// exactly, conditioning on the Erlang phase j reached since the last purchase, whose
/// posterior weights are S2's terms, and on lambda ~ Gamma(R+j, alpha+T) and
/// p ~ Beta(a, b+x+s) (see detail::phase_expectation). k = 1 is BG/NBD's (MBG/NBD's)
/// closed form.
inline double conditional_expected_number_of_purchases_up_to_time(const params& p,
                                                                   const variant& v, double t,
                                                                   double x, double t_x,
                                                                   double T) {
  if (v.k == 1) {
    if (v.modified)
      return mbgnbd::conditional_expected_number_of_purchases_up_to_time({p.r, p.alpha, p.a, p.b},
                                                                         t, x, t_x, T);
    return bgnbd::conditional_expected_number_of_purchases_up_to_time({p.r, p.alpha, p.a, p.b}, t,
                                                                      x, t_x, T);
  }
  std::vector<double> weights;
  detail::drop_out_sums C;
  return conditional_probability_alive(p, v, x, t_x, T) *
         detail::expectation_given_alive(p, v, t, x, t_x, T, weights, C);
}

/// E[X(t)] of a new customer (a purchase at 0, then t to go): the conditional expectation
/// at x = t_x = T = 0, where P(alive) is 1 (BG) or b/(a+b) (MBG, drop-out at time 0).
inline double expected_number_of_purchases_up_to_time(const params& p, const variant& v,
                                                      double t) {
  if (v.k == 1)
    return v.modified
               ? mbgnbd::expected_number_of_purchases_up_to_time({p.r, p.alpha, p.a, p.b}, t)
               : bgnbd::expected_number_of_purchases_up_to_time({p.r, p.alpha, p.a, p.b}, t);
  std::vector<double> weights;
  detail::drop_out_sums C;
  const double alive = v.modified ? p.b / (p.a + p.b) : 1.0;
  return alive * detail::expectation_given_alive(p, v, t, 0.0, 0.0, 0.0, weights, C);
}

/// P(X(t) = n) for a new customer (a purchase at 0, then t to go). The Poisson events in t
/// number N ~ NegBin(r, q = t/(alpha+t)) and make M = floor(N/k) purchases; the customer
/// drops out at a chance with probability p ~ Beta(a, b), the chances coming after each
/// purchase (and at time 0 for MBG/CNBD-k, s = 1). X(t) = n when M = n and the chances
/// before the (n+1)-th purchase were survived, or when M >= n and the customer left at the
/// chance right after the n-th purchase:
///   P(X(t) = n) = E[(1-p)^(n+s)] P(M = n) + [n+s >= 1] E[p (1-p)^(n-1+s)] P(M >= n),
/// with P(M >= n) = P(N >= nk) = I_q(nk, r) and P(M = n) the k negative-binomial terms
/// from nk. At k = 1 these are BG/NBD's and MBG/NBD's expressions.
inline double probability_of_n_purchases_up_to_time(const params& p, const variant& v, double t,
                                                    double n) {
  const double s = v.modified ? 1.0 : 0.0, kk = static_cast<double>(v.k);
  const double lbeta_ab = math::lbeta(p.a, p.b);
  const double alive_through = std::exp(math::lbeta(p.a, p.b + n + s) - lbeta_ab);
  double exactly_n = 0.0;  // P(M = n)
  if (t == 0.0) {
    exactly_n = n == 0.0 ? 1.0 : 0.0;
  } else {
    const double log_1mq = p.r * (std::log(p.alpha) - std::log(p.alpha + t));
    const double log_q = std::log(t) - std::log(p.alpha + t);
    for (double i = n * kk; i < (n + 1.0) * kk; i += 1.0)
      exactly_n += std::exp(math::log_gamma(p.r + i) - math::log_gamma(p.r) -
                            math::log_gamma(i + 1.0) + log_1mq + (i == 0.0 ? 0.0 : i * log_q));
  }
  double left_after_n = 0.0;
  if (n + s >= 1.0) {
    const double q = t / (p.alpha + t);
    const double at_least_n = n == 0.0 ? 1.0 : (q == 0.0 ? 0.0 : math::ibeta(n * kk, p.r, q));
    left_after_n = std::exp(math::lbeta(p.a + 1.0, p.b + n - 1.0 + s) - lbeta_ab) * at_least_n;
  }
  return alive_through * exactly_n + left_after_n;
}

/// P(X(t[i]) = count[i]) over n rows; throws std::domain_error naming the first invalid row.
inline void probability_of_n_purchases_up_to_time(const params& p, const variant& v, const double* t,
                                                  const double* count, std::size_t n, double* out) {
  const char* name = "probability_of_n_purchases_up_to_time";
  check_params(name, p);
  check_variant(name, v);
  for (std::size_t i = 0; i < n; ++i) {
    check::horizon(name, i, t[i]);
    if (!(count[i] >= 0.0 && count[i] < 1e9 && check::is_whole(count[i])))
      throw std::domain_error(std::string(name) + ": n must be a whole number >= 0 (row " +
                              std::to_string(i) + ")");
  }
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      out[i] = probability_of_n_purchases_up_to_time(p, v, t[i], count[i]);
  }, 5'000);
}

/// P(alive) over n customers; throws std::domain_error naming the first invalid row.
inline void conditional_probability_alive(const params& p, const variant& v, const double* x,
                                          const double* t_x, const double* T, std::size_t n,
                                          double* out) {
  const char* name = "conditional_probability_alive";
  check_params(name, p);
  check_variant(name, v);
  if (v.k == 1) {
    if (v.modified)
      mbgnbd::conditional_probability_alive({p.r, p.alpha, p.a, p.b}, x, t_x, T, n, out);
    else
      bgnbd::conditional_probability_alive({p.r, p.alpha, p.a, p.b}, x, t_x, T, n, out);
    return;
  }
  check::prediction_rows(name, x, t_x, T, n, 0);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      out[i] = conditional_probability_alive(p, v, x[i], t_x[i], T[i]);
  }, 20'000);
}

/// E[X(T, T+t) | x, t_x, T] over n customers; throws std::domain_error naming the first
/// invalid row.
inline void conditional_expected_number_of_purchases_up_to_time(const params& p, const variant& v,
                                                                const double* t, const double* x,
                                                                const double* t_x,
                                                                const double* T, std::size_t n,
                                                                double* out) {
  const char* name = "conditional_expected_number_of_purchases_up_to_time";
  check_params(name, p);
  check_variant(name, v);
  if (v.k == 1) {
    if (v.modified)
      mbgnbd::conditional_expected_number_of_purchases_up_to_time({p.r, p.alpha, p.a, p.b}, t, x,
                                                                  t_x, T, n, out);
    else
      bgnbd::conditional_expected_number_of_purchases_up_to_time({p.r, p.alpha, p.a, p.b}, t, x,
                                                                 t_x, T, n, out);
    return;
  }
  check::prediction_rows(name, x, t_x, T, n, 0);
  for (std::size_t i = 0; i < n; ++i) check::horizon(name, i, t[i]);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    std::vector<double> weights;
  detail::drop_out_sums C;
    for (std::size_t i = begin; i < end; ++i)
      out[i] = conditional_probability_alive(p, v, x[i], t_x[i], T[i]) *
               detail::expectation_given_alive(p, v, t[i], x[i], t_x[i], T[i], weights, C);
  }, 2'000);
}

/// P(alive at T+t | x, t_x, T) over n customers; throws std::domain_error naming the first
/// invalid row.
inline void conditional_probability_alive_in_future(const params& p, const variant& v,
                                                    const double* t, const double* x,
                                                    const double* t_x, const double* T,
                                                    std::size_t n, double* out) {
  const char* name = "conditional_probability_alive_in_future";
  check_params(name, p);
  check_variant(name, v);
  check::prediction_rows(name, x, t_x, T, n, 0);
  for (std::size_t i = 0; i < n; ++i) check::horizon(name, i, t[i]);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    std::vector<double> weights;
    detail::drop_out_sums sums;
    for (std::size_t i = begin; i < end; ++i)
      out[i] = conditional_probability_alive(p, v, x[i], t_x[i], T[i]) *
               detail::survival_given_alive(p, v, t[i], x[i], t_x[i], T[i], weights, sums);
  }, 2'000);
}

/// What the generic fitter needs to know about the model, for a k fixed at compile time
/// (`fit` below picks the instance for a run-time k).
template <int K, bool Modified>
struct model {
  static constexpr int n_params = cnbdk::n_params;
  static constexpr std::array<const char*, 4> names = cnbdk::names;
  /// Powers of the time unit in each parameter: alpha is a time, the rest are numbers.
  static constexpr std::array<int, 4> time_power = {0, 1, 0, 0};
  static double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                          double* grad) {
    return cnbdk::objective(log_params, data, variant{K, Modified}, penalizer, grad);
  }
  static double log_likelihood(const double* params, double x, double t_x, double T) {
    return cnbdk::log_likelihood_without_litt(from_array(params), variant{K, Modified}, x, t_x, T);
  }
  static std::array<double, 4> initial_log_params() { return bgnbd::default_initial_log_params(); }
};

namespace detail {

/// fastlifetimes::fit for the run-time k: the instance of `model` compiled for it.
template <int K = 1>
model_fit<4> fit_fixed_k(const variant& v, const double* frequency, const double* recency,
                         const double* T, const double* weight, std::size_t n, double penalizer,
                         const std::optional<Eigen::VectorXd>& initial,
                         const optim::fit_options& options, bool with_uncertainty) {
  if constexpr (K < max_k) {
    if (v.k != K)
      return fit_fixed_k<K + 1>(v, frequency, recency, T, weight, n, penalizer, initial, options,
                                with_uncertainty);
  }
  if (v.modified)
    return fastlifetimes::fit<model<K, true>>(frequency, recency, T, weight, n, penalizer, initial,
                                              options, with_uncertainty);
  return fastlifetimes::fit<model<K, false>>(frequency, recency, T, weight, n, penalizer, initial,
                                             options, with_uncertainty);
}

/// fastlifetimes::uncertainty for the run-time k.
template <int K = 1>
void uncertainty_fixed_k(model_fit<4>& out, const variant& v, const double* frequency,
                         const double* recency, const double* T, const double* weight,
                         std::size_t n, double penalizer) {
  if constexpr (K < max_k) {
    if (v.k != K)
      return uncertainty_fixed_k<K + 1>(out, v, frequency, recency, T, weight, n, penalizer);
  }
  if (v.modified)
    fastlifetimes::uncertainty<model<K, true>>(out, frequency, recency, T, weight, n, penalizer);
  else
    fastlifetimes::uncertainty<model<K, false>>(out, frequency, recency, T, weight, n, penalizer);
}

}  // namespace detail

/// Add the data-only term and the time-unit correction to a fit's log-likelihood: the
/// generic fitter converts one factor of the time unit per purchase, an Erlang-k
/// likelihood without litt has k (and litt, in the data's own unit, the other k - 1).
inline void complete_log_likelihood(model_fit<4>& out, int k, const double* frequency,
                                    const double* litt, const double* weight, std::size_t n) {
  if (k == 1 || !out.converged) return;
  double data = 0.0, weighted_x = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weight ? weight[i] : 1.0;
    data += w * data_term(k, frequency[i], litt ? litt[i] : 0.0);
    weighted_x += w * frequency[i];
  }
  out.log_likelihood += (k - 1.0) * std::log(out.time_scale) * weighted_x + data;
}

/// Fit the variant `v` (k from 1 to max_k) to histories (x, t_x, T) with their litt (may
/// be null for k = 1, or to leave the data-only term out of `log_likelihood`) and optional
/// weights, with lifetimes' conventions (see model_fit.hpp). Throws std::domain_error on
/// invalid histories, litt or k; a failed optimisation is reported in `converged`.
inline model_fit<4> fit(const variant& v, const double* frequency, const double* recency,
                        const double* T, const double* litt, const double* weight, std::size_t n,
                        double penalizer, const std::optional<Eigen::VectorXd>& initial = {},
                        const optim::fit_options& options = {}, bool with_uncertainty = true) {
  check_variant("fit", v, max_k);
  if (litt) check_litt("fit", frequency, recency, litt, n);
  model_fit<4> out = detail::fit_fixed_k(v, frequency, recency, T, weight, n, penalizer, initial,
                                         options, with_uncertainty);
  complete_log_likelihood(out, v.k, frequency, litt, weight, n);
  return out;
}

/// The Hessian and variance of a finished fit (see fastlifetimes::uncertainty).
inline void uncertainty(model_fit<4>& out, const variant& v, const double* frequency,
                        const double* recency, const double* T, const double* weight,
                        std::size_t n, double penalizer) {
  check_variant("uncertainty", v, max_k);
  detail::uncertainty_fixed_k(out, v, frequency, recency, T, weight, n, penalizer);
}

/// Choose the regularity k by likelihood, as BTYDplus does: fit k = 1, 2, ..., max and
/// keep the largest log-likelihood (litt required). The search stops early once the
/// log-likelihood has fallen twice in a row (it is unimodal in k in practice). Returns
/// every fit made, in order of k; `best` is the position of the chosen one.
struct regularity_search {
  std::vector<model_fit<4>> fits;
  std::size_t best = 0;
};

inline regularity_search fit_regularity(bool modified, int largest_k, const double* frequency,
                                        const double* recency, const double* T,
                                        const double* litt, const double* weight, std::size_t n,
                                        double penalizer, const optim::fit_options& options = {}) {
  if (!litt) throw std::domain_error("fit_regularity: litt is needed to compare k");
  check_variant("fit_regularity", {largest_k, modified}, max_k);
  regularity_search out;
  for (int k = 1; k <= largest_k; ++k) {
    out.fits.push_back(fit({k, modified}, frequency, recency, T, litt, weight, n, penalizer, {},
                           options, false));
    const auto m = out.fits.size();
    if (!out.fits.back().converged) {
      out.fits.pop_back();
      break;
    }
    if (out.fits[m - 1].log_likelihood > out.fits[out.best].log_likelihood) out.best = m - 1;
    if (m >= 3 && out.fits[m - 1].log_likelihood < out.fits[m - 2].log_likelihood &&
        out.fits[m - 2].log_likelihood < out.fits[m - 3].log_likelihood)
      break;
  }
  if (out.fits.empty()) throw std::domain_error("fit_regularity: no k could be fitted");
  return out;
}

}  // namespace fastlifetimes::cnbdk
