#pragma once
/// Predictions beyond lifetimes' for the transaction models: P(alive) at a future time,
/// and discounted expected residual transactions (DERT).
///
/// Every continuous model here has the same structure: given the history (x, t_x, T),
/// the customer is alive at T with probability P(alive), and, if alive, the latent
/// parameters follow a posterior that depends on (x, T) only. So each prediction is
/// P(alive) times an expectation under that posterior:
///
///  * Pareto/NBD (note 009): lambda ~ Gamma(r+x, alpha+T), mu ~ Gamma(s, beta+T),
///    independent. Alive at T+t with probability E[exp(-mu t)] = ((beta+T)/(beta+T+t))^s.
///    Transactions at rate lambda while alive, so with continuous discounting at rate
///    delta, DERT = P(alive) E[lambda] E[1/(mu+delta)] (FHL 2005, JMR eq. 2, there written
///    with the confluent hypergeometric U(s, s; delta(beta+T))).
///  * BG/NBD (FHL 2005, Marketing Science): lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b+x).
///    Drop-out happens at purchases only, with probability p each: given (lambda, p), the
///    number of purchases in (T, T+t] is Poisson(lambda t) thinned by survival, and the
///    customer survives all of them with probability E[(1-p)^N] = exp(-lambda p t). So
///    P(alive at T+t) = P(alive) E[exp(-lambda p t)], and the purchase intensity at T+u is
///    lambda exp(-lambda p u), giving DERT = P(alive) E[lambda / (lambda p + delta)].
///  * MBG/NBD (Batislam et al. 2007): the same with p ~ Beta(a, b+x+1) (one more survived
///    drop-out chance, at time 0) and MBG/NBD's P(alive).
///
/// Both expectations reduce to one function of positive arguments,
///   J(s, y) = E[(1 + y E)^-s] for E ~ Exp(1) = int_0^inf e^-sigma (1 + y sigma)^-s dsigma,
/// (the Laplace transform of a Gamma(s, 1/y) variable at 1; J = z U(1, 2-s, z) with
/// z = 1/y), since E[1/(mu+delta)] = int_0^inf e^(-delta u) E[e^(-mu u)] du. Its integrand
/// is positive and smooth, so a double-exponential rule gets it to ~1e-14 without the
/// cancellation of incomplete-gamma forms at negative order.

#include <Eigen/Core>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/core/parallel.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/math/special.hpp"
#include "fastlifetimes/models/bgbb.hpp"
#include "fastlifetimes/models/bgnbd.hpp"
#include "fastlifetimes/models/mbgnbd.hpp"
#include "fastlifetimes/models/pareto_nbd.hpp"

namespace fastlifetimes::predictions {

/// Relative change between two levels of the double-exponential rules at which they stop.
/// Their error falls quadratically per level, so the last level is good to ~1e-14 (1e-7
/// and 1e-10 give the same DERT to 1e-15; the tighter one costs twice the nodes).
inline constexpr double quadrature_tol = 1e-7;

/// J(s, y) = int_0^inf e^-sigma (1 + y sigma)^-s dsigma for s, y >= 0: E[(1 + y E)^-s],
/// E ~ Exp(1). J(s, 0) = 1.
inline double exponential_mixture(double s, double y) {
  if (y == 0.0 || s == 0.0) return 1.0;
  return pareto_nbd::detail::integrate_half_line<1>(
      [&](double sigma) {
        return std::array<double, 1>{std::exp(-sigma - s * std::log1p(y * sigma))};
      },
      quadrature_tol)[0];
}

/// The discount rate of a continuous model: delta > 0 and finite.
inline void check_discount(const char* function, double delta) {
  if (!(delta > 0.0 && delta < std::numeric_limits<double>::infinity()))
    throw std::domain_error(std::string(function) +
                            ": discount_rate must be positive and finite, got " + std::to_string(delta));
}

/// Applies `factor(i)` to out[i] for i in [0, n) after `alive` filled out with P(alive);
/// each distinct key (computed by `key_of(i, key)`) is evaluated once per thread.
template <int K, class KeyOf, class Value>
void multiply_by_cached(std::size_t n, double* out, KeyOf&& key_of, Value&& value,
                        std::size_t min_per_thread) {
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    fastlifetimes::detail::key_table<K> seen(std::min<std::size_t>(end - begin, 4096));
    std::vector<double> values;
    double key[static_cast<std::size_t>(K)];
    for (std::size_t i = begin; i < end; ++i) {
      key_of(i, key);
      const auto id = static_cast<std::size_t>(seen.find_or_insert(key));
      if (id == values.size()) values.push_back(value(key));
      out[i] *= values[id];
    }
  }, min_per_thread);
}

}  // namespace fastlifetimes::predictions

namespace fastlifetimes::pareto_nbd {

/// P(alive at T+t | x, t_x, T) = P(alive at T | x, t_x, T) ((beta+T)/(beta+T+t))^s: the
/// posterior of mu given survival to T is Gamma(s, beta+T) (note 009, section 5).
inline double conditional_probability_alive_in_future(const params& p, double t, double x,
                                                      double t_x, double T) {
  return conditional_probability_alive(p, x, t_x, T) * std::exp(-p.s * std::log1p(t / (p.beta + T)));
}

/// E[lambda/(mu+delta) | alive at T] / ((r+x)/(alpha+T)): E[1/(mu+delta)] for
/// mu ~ Gamma(s, beta+T), = J(s, 1/(delta(beta+T))) / delta.
inline double discounted_lifetime(const params& p, double delta, double T) {
  return predictions::exponential_mixture(p.s, 1.0 / (delta * (p.beta + T))) / delta;
}

/// DERT(delta | x, t_x, T): the expected number of transactions after T, each discounted
/// by exp(-delta tau) at time T + tau (continuous compounding at rate delta per time
/// unit). Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer
/// Base Analysis", JMR 42(4), eq. 2: P(alive) (r+x)/(alpha+T) E[1/(mu+delta)].
inline double discounted_expected_residual_transactions(const params& p, double delta, double x,
                                                        double t_x, double T) {
  return conditional_probability_alive(p, x, t_x, T) * (p.r + x) / (p.alpha + T) *
         discounted_lifetime(p, delta, T);
}

/// P(alive at T + t[i]) over n customers. Throws std::domain_error naming the first
/// invalid row.
inline void conditional_probability_alive_in_future(const params& p, const double* t,
                                                    const double* x, const double* t_x,
                                                    const double* T, std::size_t n, double* out) {
  const char* name = "conditional_probability_alive_in_future";
  for (std::size_t i = 0; i < n; ++i) check::horizon(name, i, t[i]);
  conditional_probability_alive(p, x, t_x, T, n, out);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      out[i] *= std::exp(-p.s * std::log1p(t[i] / (p.beta + T[i])));
  }, 100'000);
}

/// DERT over n customers (one discount rate): the quadrature runs once per distinct T.
inline void discounted_expected_residual_transactions(const params& p, double delta,
                                                      const double* x, const double* t_x,
                                                      const double* T, std::size_t n, double* out) {
  const char* name = "discounted_expected_residual_transactions";
  predictions::check_discount(name, delta);
  conditional_probability_alive(p, x, t_x, T, n, out);
  predictions::multiply_by_cached<1>(
      n, out, [&](std::size_t i, double* key) { key[0] = T[i]; },
      [&](const double* key) { return discounted_lifetime(p, delta, key[0]) / (p.alpha + key[0]); },
      100'000);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) out[i] *= p.r + x[i];
  }, 100'000);
}

}  // namespace fastlifetimes::pareto_nbd

namespace fastlifetimes::bgnbd {

namespace detail {

/// E[exp(-lambda p t)] for lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b+x): integrating
/// lambda out gives E_p[(1 + p t/(alpha+T))^-(r+x)] = 2F1(r+x, a; a+b+x; -t/(alpha+T)),
/// which Pfaff's transformation turns into (1-z)^(r+x) 2F1(r+x, b+x; a+b+x; z),
/// z = t/(alpha+T+t): a series of positive terms, summed in log space.
inline double survival_in_future(const params& p, double t, double x, double T) {
  if (t == 0.0) return 1.0;
  const double z = t / (p.alpha + T + t), one_minus_z = (p.alpha + T) / (p.alpha + T + t);
  const double log_one_minus_z = -std::log1p(t / (p.alpha + T));
  const double m = p.r + x, bx = p.b + x, c = p.a + p.b + x;
  // Near z = 1 (t much longer than alpha + T) the series needs ~40/(1-z) terms: Euler's
  // form (1-z)^a 2F1(c-m, a; c; z) expanded about z = 1 in 1 - z instead, which also
  // keeps its digits where z has rounded to 1 (t beyond 1e16 (alpha+T)).
  if (one_minus_z < 0.1) {
    const double F = math::detail::hyp2f1_near_one(c - m, p.a, c, one_minus_z);
    if (std::isfinite(F) && F >= 0.0) return std::exp(p.a * log_one_minus_z) * F;
  }
  if (z < 1.0) {
    double log_series;
    try {
      log_series = math::log_hyp2f1_positive(m, bx, c, z);
    } catch (const std::domain_error&) {
      log_series = std::numeric_limits<double>::quiet_NaN();  // the series ran out of terms
    }
    if (std::isfinite(log_series)) return std::exp(m * log_one_minus_z + log_series);
    const double F = math::hyp2f1(c - m, p.a, c, z);
    if (std::isfinite(F)) return std::exp(p.a * log_one_minus_z) * F;
  }
  return 0.0;  // no stable evaluation left: the limit as t grows
}

/// E[lambda/(lambda p + delta)] / ((r+x)/(alpha+T)) under the same posterior. Writing
/// 1/(lambda p + delta) = int_0^inf e^(-(lambda p + delta) u) du and integrating lambda
/// out gives (1/delta) E_p[J(r+x+1, p/(delta(alpha+T)))]; the expectation over p runs in
/// q = p/(1-p), where the Beta density becomes the beta-prime
/// q^(a-1) (1+q)^-(a+b+x) / B(a, b+x) on (0, inf), with power-law ends that the
/// double-exponential rule integrates at full speed, whatever a and b.
inline double discounted_lifetime(const params& p, double delta, double x, double T) {
  const double m = p.r + x, bx = p.b + x;
  const double c = delta * (p.alpha + T);
  const double log_norm = -math::lbeta(p.a, bx);
  const double value = pareto_nbd::detail::integrate_half_line<1>(
      [&](double q) {
        const double log_density =
            log_norm + (p.a - 1.0) * std::log(q) - (p.a + bx) * std::log1p(q);
        // most nodes of the rule lie far in the density's tails (q from 1e-30 to 1e30),
        // where the integrand (density times J <= 1, times the node weight ~ q) is
        // negligible against the density's unit mass: skip the inner quadrature there
        if (log_density + std::log(q) < -60.0) return std::array<double, 1>{0.0};
        const double prob = q / (1.0 + q);
        return std::array<double, 1>{std::exp(log_density) *
                                     predictions::exponential_mixture(m + 1.0, prob / c)};
      },
      predictions::quadrature_tol)[0];
  return value / delta;
}

}  // namespace detail

/// P(alive at T+t | x, t_x, T) = P(alive at T) E[exp(-lambda p t)] (see predictions.hpp):
/// drop-out happens only at purchases, so surviving (T, T+t] means surviving each of its
/// Poisson(lambda t) purchases.
inline double conditional_probability_alive_in_future(const params& p, double t, double x,
                                                      double t_x, double T) {
  return conditional_probability_alive(p, x, t_x, T) * detail::survival_in_future(p, t, x, T);
}

/// DERT(delta | x, t_x, T) with continuous discounting exp(-delta tau):
/// P(alive) E[lambda/(lambda p + delta)] = P(alive) (r+x)/(alpha+T) * discounted lifetime;
/// equal to delta int_0^inf e^(-delta tau) E[X(T, T+tau] | x, t_x, T] dtau (FHL 2005 eq. 10
/// integrated by parts).
inline double discounted_expected_residual_transactions(const params& p, double delta, double x,
                                                        double t_x, double T) {
  return conditional_probability_alive(p, x, t_x, T) * (p.r + x) / (p.alpha + T) *
         detail::discounted_lifetime(p, delta, x, T);
}

namespace detail {

/// P(alive at T + t[i]) over n customers for BG/NBD or MBG/NBD: `alive` fills out with
/// the model's P(alive), then the survival factor at BG/NBD parameters `q` (b + 1 for
/// MBG/NBD) multiplies it, the series once per distinct (t, x, T).
template <class Alive>
void alive_in_future(Alive&& alive, const params& q, const double* t, const double* x,
                     const double* T, std::size_t n, double* out) {
  const char* name = "conditional_probability_alive_in_future";
  for (std::size_t i = 0; i < n; ++i) check::horizon(name, i, t[i]);
  alive(out);
  predictions::multiply_by_cached<3>(
      n, out,
      [&](std::size_t i, double* key) {
        key[0] = t[i], key[1] = x[i], key[2] = T[i];
      },
      [&](const double* key) { return survival_in_future(q, key[0], key[1], key[2]); }, 20'000);
}

/// DERT over n customers (one discount rate) for BG/NBD or MBG/NBD, as alive_in_future:
/// the quadrature once per distinct (x, T).
template <class Alive>
void discounted_transactions(Alive&& alive, const params& q, double delta, const double* x,
                             const double* T, std::size_t n, double* out) {
  predictions::check_discount("discounted_expected_residual_transactions", delta);
  alive(out);
  predictions::multiply_by_cached<2>(
      n, out, [&](std::size_t i, double* key) { key[0] = x[i], key[1] = T[i]; },
      [&](const double* key) {
        return (q.r + key[0]) / (q.alpha + key[1]) * discounted_lifetime(q, delta, key[0], key[1]);
      },
      2'000);
}

}  // namespace detail

/// P(alive at T + t[i]) over n customers. Throws std::domain_error naming the first
/// invalid row.
inline void conditional_probability_alive_in_future(const params& p, const double* t,
                                                    const double* x, const double* t_x,
                                                    const double* T, std::size_t n, double* out) {
  detail::alive_in_future(
      [&](double* o) { conditional_probability_alive(p, x, t_x, T, n, o); }, p, t, x, T, n, out);
}

/// DERT over n customers (one discount rate). Throws std::domain_error naming the first
/// invalid row.
inline void discounted_expected_residual_transactions(const params& p, double delta,
                                                      const double* x, const double* t_x,
                                                      const double* T, std::size_t n, double* out) {
  detail::discounted_transactions(
      [&](double* o) { conditional_probability_alive(p, x, t_x, T, n, o); }, p, delta, x, T, n, out);
}

}  // namespace fastlifetimes::bgnbd

namespace fastlifetimes::mbgnbd {

/// P(alive at T+t | x, t_x, T): MBG/NBD's P(alive) times BG/NBD's survival factor at
/// b + 1 (the posterior of p given x + 1 survived drop-out chances is Beta(a, b+x+1)).
inline double conditional_probability_alive_in_future(const params& p, double t, double x,
                                                      double t_x, double T) {
  return conditional_probability_alive(p, x, t_x, T) *
         bgnbd::detail::survival_in_future(detail::shifted(p), t, x, T);
}

/// DERT(delta | x, t_x, T) with continuous discounting: as BG/NBD's at b + 1, times
/// MBG/NBD's P(alive).
inline double discounted_expected_residual_transactions(const params& p, double delta, double x,
                                                        double t_x, double T) {
  return conditional_probability_alive(p, x, t_x, T) * (p.r + x) / (p.alpha + T) *
         bgnbd::detail::discounted_lifetime(detail::shifted(p), delta, x, T);
}

/// P(alive at T + t[i]) over n customers.
inline void conditional_probability_alive_in_future(const params& p, const double* t,
                                                    const double* x, const double* t_x,
                                                    const double* T, std::size_t n, double* out) {
  bgnbd::detail::alive_in_future(
      [&](double* o) { conditional_probability_alive(p, x, t_x, T, n, o); }, detail::shifted(p), t,
      x, T, n, out);
}

/// DERT over n customers (one discount rate).
inline void discounted_expected_residual_transactions(const params& p, double delta,
                                                      const double* x, const double* t_x,
                                                      const double* T, std::size_t n, double* out) {
  bgnbd::detail::discounted_transactions(
      [&](double* o) { conditional_probability_alive(p, x, t_x, T, n, o); }, detail::shifted(p),
      delta, x, T, n, out);
}

}  // namespace fastlifetimes::mbgnbd

namespace fastlifetimes::bgbb {

/// DERT(d | x, t_x, n): expected transactions at opportunities n+1, n+2, ..., the one at
/// n+k discounted by (1+d)^-k. Fader, Hardie & Shang (2010) section 4:
/// B(alpha+x+1, beta+n-x)/B(alpha,beta) B(gamma, delta+n+1)/(B(gamma,delta)(1+d))
///   2F1(1, delta+n+1; gamma+delta+n+1; 1/(1+d)) / L,
/// written as P(alive at n) E[p] (delta+n)/(gamma+delta+n) z 2F1(...), z = 1/(1+d): given
/// alive at n, sum_k z^k E[p (1-theta)^k] with theta ~ Beta(gamma, delta+n). The series
/// has positive terms falling at least like z^k (log-space sum; d small needs ~40/d terms).
inline double discounted_expected_residual_transactions(const params& p, double d, double x,
                                                        double t_x, double n) {
  const double z = 1.0 / (1.0 + d);
  const double series =
      math::log_hyp2f1_positive(1.0, p.delta + n + 1.0, p.gamma + p.delta + n + 1.0, z);
  return conditional_probability_alive(p, 0.0, x, t_x, n) * (p.alpha + x) /
         (p.alpha + p.beta + n) * (p.delta + n) / (p.gamma + p.delta + n) * z * std::exp(series);
}

/// DERT over customers; throws std::domain_error naming the first invalid row.
inline void discounted_expected_residual_transactions(const params& p, double d, const double* x,
                                                      const double* t_x, const double* n_periods,
                                                      std::size_t n, double* out) {
  const char* name = "discounted_expected_residual_transactions";
  check_params(name, p);
  if (!(d > 0.0 && d < std::numeric_limits<double>::infinity()))
    throw std::domain_error(std::string(name) + ": discount_rate must be positive and finite, got " +
                            std::to_string(d));
  for (std::size_t i = 0; i < n; ++i) check_history(name, i, x[i], t_x[i], n_periods[i]);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    fastlifetimes::detail::key_table<1> seen(64);
    std::vector<double> series;
    const double z = 1.0 / (1.0 + d);
    for (std::size_t i = begin; i < end; ++i) {
      const double age = n_periods[i];
      const auto id = static_cast<std::size_t>(seen.find_or_insert(&age));
      if (id == series.size())
        series.push_back(z * (p.delta + age) / (p.gamma + p.delta + age) *
                         std::exp(math::log_hyp2f1_positive(1.0, p.delta + age + 1.0,
                                                            p.gamma + p.delta + age + 1.0, z)));
      out[i] = conditional_probability_alive(p, 0.0, x[i], t_x[i], age) * (p.alpha + x[i]) /
               (p.alpha + p.beta + age) * series[id];
    }
  }, 2'000);
}

}  // namespace fastlifetimes::bgbb
