#pragma once
/// The MBG/NBD model of Batislam, Denizel & Filiztekin (2007), "Empirical validation and
/// comparison of models for customer base analysis", International Journal of Research in
/// Marketing 24(3), 201-209, with the corrections of Wagner & Hoppe (2008), "Erratum on
/// the MBG/NBD model", IJRM 25(3), 225-226.
///
/// As BG/NBD (bgnbd.hpp), purchases follow a Poisson process with rate
/// lambda ~ Gamma(r, alpha) and the customer drops out with probability p ~ Beta(a, b)
/// after each purchase, but also at time 0, before any repeat purchase. Every formula is
/// then BG/NBD's with one more drop-out chance: the beta part B(a, b+x)/B(a, b) becomes
/// B(a, b+x+1)/B(a, b), and a customer without repeat purchases may be gone. The
/// functions here reuse BG/NBD's numerically careful pieces at b + 1 where that holds.

#include <Eigen/Core>
#include <boost/math/special_functions/beta.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/core/parallel.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/math/elementwise.hpp"
#include "fastlifetimes/math/special.hpp"
#include "fastlifetimes/models/bgnbd.hpp"

namespace fastlifetimes::mbgnbd {

/// The same four parameters as BG/NBD: r, alpha (Gamma), a, b (Beta). A type of its own,
/// so that an MBG/NBD parameter set cannot be passed to a BG/NBD function by mistake.
struct params {
  double r, alpha, a, b;
};

inline constexpr int n_params = 4;
inline constexpr std::array<const char*, 4> names = {"r", "alpha", "a", "b"};

inline params from_array(const double* p) { return {p[0], p[1], p[2], p[3]}; }

inline void check_params(const char* function, const params& p) {
  check::positive_finite(function, "r", p.r);
  check::positive_finite(function, "alpha", p.alpha);
  check::positive_finite(function, "a", p.a);
  check::positive_finite(function, "b", p.b);
}

namespace detail {

/// BG/NBD's parameters at b + 1: MBG/NBD's posterior of p given survival of x + 1
/// drop-out chances is BG/NBD's given x at b + 1.
inline bgnbd::params shifted(const params& p) { return {p.r, p.alpha, p.a, p.b + 1.0}; }

/// log of a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x): the odds of "dropped after the last
/// purchase (or at time 0)" against "still alive".
inline double log_dropout_odds(const params& p, double x, double t_x, double T) {
  return std::log(p.a / (p.b + x)) + (p.r + x) * std::log((p.alpha + T) / (p.alpha + t_x));
}

}  // namespace detail

/// Log-likelihood of one customer history (Batislam et al. 2007):
/// L = B(a, b+x+1)/B(a, b) * Gamma(r+x) alpha^r / Gamma(r)
///     * [ (alpha+T)^-(r+x) + a/(b+x) (alpha+t_x)^-(r+x) ].
/// The bracket is summed in log space, so that neither power underflows.
inline double log_likelihood(const params& p, double x, double t_x, double T) {
  const double common = math::log_gamma(p.r + x) - math::log_gamma(p.r) + p.r * std::log(p.alpha) +
                        math::lbeta(p.a, p.b + x + 1.0) - math::lbeta(p.a, p.b);
  const double alive = -(p.r + x) * std::log(p.alpha + T);
  const double dropped = std::log(p.a) - std::log(p.b + x) - (p.r + x) * std::log(p.alpha + t_x);
  return common + math::log_sum_exp(alive, dropped);
}

/// Per-customer log-likelihoods. Throws std::domain_error on invalid parameters or rows.
inline Eigen::ArrayXd log_likelihood(const params& p, const rfm& data) {
  check_params("mbgnbd::log_likelihood", p);
  Eigen::ArrayXd out(data.size());
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    check::rfm_row("mbgnbd::log_likelihood", static_cast<std::size_t>(i), data.frequency[i],
                   data.recency[i], data.T[i]);
    out[i] = log_likelihood(p, data.frequency[i], data.recency[i], data.T[i]);
  }
  return out;
}

/// lifetimes' objective (as bgnbd::objective): the weighted mean negative log-likelihood
/// on rescaled time plus penalizer * sum(params^2), with the gradient in log-parameters.
inline double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                        double* grad) {
  return bgnbd::detail::objective(log_params, data, penalizer, grad, 1);
}

/// E[X(t) | x, t_x, T] as corrected by Wagner & Hoppe (2008):
/// (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))]
///   / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)),
/// whose numerator is BG/NBD's eq. 10 numerator at b + 1.
inline double conditional_expected_number_of_purchases_up_to_time(const params& p, double t,
                                                                   double x, double t_x,
                                                                   double T) {
  return bgnbd::detail::conditional_expectation_numerator(detail::shifted(p), t, x, T) /
         (1.0 + std::exp(detail::log_dropout_odds(p, x, t_x, T)));
}

/// P(alive | x, t_x, T) (Batislam et al. 2007, appendix A):
/// 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)); below 1 also for x = 0.
inline double conditional_probability_alive(const params& p, double x, double t_x, double T) {
  const double d = detail::log_dropout_odds(p, x, t_x, T);
  // logistic(-d) without overflow in exp
  if (d >= 0.0) {
    const double e = std::exp(-d);
    return e / (1.0 + e);
  }
  return 1.0 / (1.0 + std::exp(d));
}

/// E[X(t)] of a new customer as corrected by Wagner & Hoppe (2008):
/// b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]. The bracket over
/// (a-1) is BG/NBD's at b + 1, computed without cancellation near a = 1.
inline double expected_number_of_purchases_up_to_time(const params& p, double t) {
  if (t == 0.0) return 0.0;
  const double z = t / (p.alpha + t);
  return p.b * bgnbd::detail::one_minus_survival_over_a_minus_1(detail::shifted(p), 0.0, z);
}

/// P(X(t) = n): alive after n + 1 drop-out chances with exactly n purchases, or gone at
/// the n-th chance after at least n purchases would have happened:
/// B(a, b+n+1)/B(a,b) NB(n; r, alpha/(alpha+t)) + B(a+1, b+n)/B(a,b) P(NB >= n).
/// The negative binomial tail is the regularised incomplete beta I_q(n, r),
/// q = t/(alpha+t), so small probabilities keep their relative precision.
inline double probability_of_n_purchases_up_to_time(const params& p, double t, double n) {
  const double q = t / (p.alpha + t);
  const double log_p0 = p.r * (std::log(p.alpha) - std::log(p.alpha + t));
  const double log_qn = n == 0.0 ? 0.0 : n * std::log(q);
  const double first =
      std::exp(math::lbeta(p.a, p.b + n + 1.0) - math::lbeta(p.a, p.b) +
               math::log_gamma(p.r + n) - math::log_gamma(p.r) - math::log_gamma(n + 1.0) +
               log_p0 + log_qn);
  const double tail = n == 0.0 ? 1.0 : (q == 0.0 ? 0.0 : math::ibeta(n, p.r, q));
  const double second = std::exp(math::lbeta(p.a + 1.0, p.b + n) - math::lbeta(p.a, p.b));
  return first + second * tail;
}

/// What the generic fitter needs to know about the model (see bgnbd::model).
struct model {
  static constexpr int n_params = mbgnbd::n_params;
  static constexpr std::array<const char*, 4> names = mbgnbd::names;
  /// Powers of the time unit in each parameter: alpha is a time, the rest are pure numbers.
  static constexpr std::array<int, 4> time_power = {0, 1, 0, 0};
  static double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                          double* grad) {
    return mbgnbd::objective(log_params, data, penalizer, grad);
  }
  static double log_likelihood(const double* params, double x, double t_x, double T) {
    return mbgnbd::log_likelihood(from_array(params), x, t_x, T);
  }
  static std::array<double, 4> initial_log_params() { return bgnbd::default_initial_log_params(); }
};

namespace detail {

/// P(alive) of customers [b0, b0 + m) into `alive` (an aligned buffer of at least m),
/// after checking them: vectorised reductions recognise a valid block, and a block that
/// fails is checked row by row, which names the first bad row.
///
/// exp and log by math::exp_in_place / log_in_place: Eigen's own array exp/log would round
/// the elements of whole SIMD packets and the rest (an unaligned head, the tail) differently,
/// and the same customer would get a different last bit depending on where it falls in the
/// caller's array.
inline void alive_block(const char* name, const params& p, const double* x, const double* t_x,
                        const double* T, std::size_t b0, Eigen::Index m, Eigen::ArrayXd& alive) {
  check::prediction_rows(name, x + b0, t_x + b0, T + b0, static_cast<std::size_t>(m), b0);
  const Eigen::Map<const Eigen::ArrayXd> xs(x + b0, m), txs(t_x + b0, m), Ts(T + b0, m);
  // 1 / (1 + odds), odds = a/(b+x) E, E = exp((r+x) log((alpha+T)/(alpha+t_x))), as
  // (b+x) / (b+x + a E): one log, one exp and two divisions per customer, which keeps up
  // with reading the inputs. E = inf gives 0, as it should.
  auto d = alive.head(m);
  d = (p.alpha + Ts) / (p.alpha + txs);
  math::log_in_place(d);
  d *= p.r + xs;
  math::exp_in_place(d);
  d *= p.a;  // on its own, not a fusable multiply-add (see bgnbd::detail::alive_block)
  d = (p.b + xs) / (p.b + xs + d);
}

}  // namespace detail

/// E[X(t) | x, t_x, T] over n customers: the numerator of Wagner & Hoppe's formula times
/// P(alive). The hypergeometric numerator depends on (t, x, T) only, and real data repeat
/// those triples, so it is computed once per distinct triple (per thread; see
/// bgnbd::detail::for_each_numerator); P(alive) runs
/// vectorised in blocks (scalar exp and log would cost more than all the rest). Throws
/// std::domain_error naming the first invalid row.
inline void conditional_expected_number_of_purchases_up_to_time(const params& p, const double* t,
                                                                const double* x,
                                                                const double* t_x,
                                                                const double* T, std::size_t n,
                                                                double* out) {
  const char* name = "conditional_expected_number_of_purchases_up_to_time";
  check_params(name, p);
  const bgnbd::params q = detail::shifted(p);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    // P(alive) first, into `out`, through an aligned block buffer (see alive_block)
    constexpr std::size_t block = 4096;
    Eigen::ArrayXd alive(block);
    for (std::size_t b0 = begin; b0 < end; b0 += block) {
      const auto m = static_cast<Eigen::Index>(std::min(block, end - b0));
      detail::alive_block(name, p, x, t_x, T, b0, m, alive);
      Eigen::Map<Eigen::ArrayXd>(out + b0, m) = alive.head(m);
    }
    bgnbd::detail::for_each_numerator(q, t, x, T, begin, end,
                                      [&](std::size_t i, double numerator) { out[i] *= numerator; });
  });
}

/// P(alive) over n customers, vectorised in blocks: one pass that validates and computes
/// together. Throws std::domain_error naming the first invalid row.
inline void conditional_probability_alive(const params& p, const double* x, const double* t_x,
                                          const double* T, std::size_t n, double* out) {
  const char* name = "conditional_probability_alive";
  check_params(name, p);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    constexpr std::size_t block = 4096;
    Eigen::ArrayXd alive(block);
    for (std::size_t b0 = begin; b0 < end; b0 += block) {
      const auto m = static_cast<Eigen::Index>(std::min(block, end - b0));
      detail::alive_block("conditional_probability_alive", p, x, t_x, T, b0, m, alive);
      Eigen::Map<Eigen::ArrayXd>(out + b0, m) = alive.head(m);
    }
  }, 100'000);
}

}  // namespace fastlifetimes::mbgnbd
