#pragma once
/// The BG/BB model of Fader, Hardie & Shang (2010), "Customer-Base Analysis in a
/// Discrete-Time Noncontractual Setting", Marketing Science 29(6), 1086-1108.
/// Time is a sequence of transaction opportunities 1, 2, ..., n. While alive, a customer
/// transacts at each opportunity with probability p ~ Beta(alpha, beta); before each
/// opportunity after the first purchase they drop out for good with probability
/// theta ~ Beta(gamma, delta). A history is (x, t_x, n): x transactions in the n
/// opportunities, the last at opportunity t_x (0 when x = 0), so 0 <= x <= t_x <= n.

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/core/parallel.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/math/special.hpp"

namespace fastlifetimes::bgbb {

struct params {
  double alpha, beta, gamma, delta;
};

inline constexpr int n_params = 4;
inline constexpr std::array<const char*, 4> names = {"alpha", "beta", "gamma", "delta"};

inline params from_array(const double* p) { return {p[0], p[1], p[2], p[3]}; }

inline void check_params(const char* function, const params& p) {
  check::positive_finite(function, "alpha", p.alpha);
  check::positive_finite(function, "beta", p.beta);
  check::positive_finite(function, "gamma", p.gamma);
  check::positive_finite(function, "delta", p.delta);
}

/// The most transaction opportunities a history may have. The likelihood sums one term
/// per opportunity between the last transaction and n (as lifetimes does); a million
/// (daily opportunities for 2,700 years) keeps every call within milliseconds.
inline constexpr double max_periods = 1e6;

/// Whether (x, t_x, n) is a possible history: whole numbers with 0 <= x <= t_x <= n and
/// t_x = 0 when x = 0, n at most max_periods. Comparisons are false for NaN, so NaN is
/// rejected too.
inline bool valid_history(double x, double t_x, double n) {
  return x >= 0.0 && x <= t_x && t_x <= n && n <= max_periods &&
         (x > 0.0 || t_x == 0.0) && check::is_whole(x) && check::is_whole(t_x) &&
         check::is_whole(n);
}

inline void check_history(const char* function, std::size_t row, double x, double t_x, double n) {
  if (!valid_history(x, t_x, n)) {
    std::ostringstream out;
    out << function << ": invalid customer history at row " << row << " (frequency=" << x
        << ", recency=" << t_x << ", n_periods=" << n
        << "; whole numbers with 0 <= frequency <= recency <= n_periods <= " << max_periods
        << " are required)";
    throw std::domain_error(out.str());
  }
}

/// A number of future transaction opportunities: a whole number >= 0.
inline void check_periods(const char* function, const char* name, std::size_t row, double m) {
  if (!(m >= 0.0 && m < std::numeric_limits<double>::infinity() && check::is_whole(m))) {
    std::ostringstream out;
    out << function << ": " << name << " must be a whole number >= 0, got " << m << " at row "
        << row;
    throw std::domain_error(out.str());
  }
}

namespace detail {

/// log of the likelihood's sum without the constant 1/(B(alpha,beta) B(gamma,delta)):
/// log[ B(alpha+x, beta+n-x) B(gamma, delta+n)
///      + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i) B(gamma+1, delta+t_x+i) ].
/// The first term is "alive through opportunity n"; term i is "alive through t_x + i and
/// gone before the next opportunity". Successive terms differ by the rational factor
/// (beta+t_x-x+i)/(alpha+beta+t_x+i) * (delta+t_x+i)/(gamma+1+delta+t_x+i), so the sum
/// needs one pair of lbeta calls rather than n - t_x. With `grad`, fills the derivative
/// of the result with respect to (alpha, beta, gamma, delta).
inline double log_history_sum(const params& p, double x, double t_x, double n, double* grad) {
  const double alive = math::lbeta(p.alpha + x, p.beta + n - x) + math::lbeta(p.gamma, p.delta + n);
  const long m = static_cast<long>(n - t_x);
  if (m == 0) {
    if (grad) {
      const double ab = math::digamma(p.alpha + p.beta + n);
      const double gd = math::digamma(p.gamma + p.delta + n);
      grad[0] = math::digamma(p.alpha + x) - ab;
      grad[1] = math::digamma(p.beta + n - x) - ab;
      grad[2] = math::digamma(p.gamma) - gd;
      grad[3] = math::digamma(p.delta + n) - gd;
    }
    return alive;
  }
  const double first = math::lbeta(p.alpha + x, p.beta + t_x - x) +
                       math::lbeta(p.gamma + 1.0, p.delta + t_x);
  // the terms relative to the first: ratio products, at most 1 and decreasing
  double term = 1.0, sum = 0.0;
  double u_b = p.beta + t_x - x, u_ab = p.alpha + p.beta + t_x, u_d = p.delta + t_x;
  double u_gd = p.gamma + 1.0 + p.delta + t_x;
  if (!grad) {
    for (long i = 0; i < m; ++i) {
      sum += term;
      term *= (u_b / u_ab) * (u_d / u_gd);
      u_b += 1.0, u_ab += 1.0, u_d += 1.0, u_gd += 1.0;
    }
    return math::log_sum_exp(alive, first + std::log(sum));
  }
  // Each term's log-derivative is a difference of digammas whose arguments step by one
  // with i: psi(z + 1) = psi(z) + 1/z carries them along. Accumulate the term-weighted
  // sums of the i-dependent ones.
  double psi_b = math::digamma(u_b), psi_ab = math::digamma(u_ab), psi_d = math::digamma(u_d);
  double psi_gd = math::digamma(u_gd);
  double s_b = 0.0, s_ab = 0.0, s_d = 0.0, s_gd = 0.0;
  for (long i = 0; i < m; ++i) {
    sum += term;
    s_b += term * psi_b;
    s_ab += term * psi_ab;
    s_d += term * psi_d;
    s_gd += term * psi_gd;
    term *= (u_b / u_ab) * (u_d / u_gd);
    psi_b += 1.0 / u_b, psi_ab += 1.0 / u_ab, psi_d += 1.0 / u_d, psi_gd += 1.0 / u_gd;
    u_b += 1.0, u_ab += 1.0, u_d += 1.0, u_gd += 1.0;
  }
  const double dropped = first + std::log(sum);
  const double total = math::log_sum_exp(alive, dropped);
  // shares of the two parts in the total
  const double w_alive = std::exp(alive - total), w_dropped = std::exp(dropped - total) / sum;
  const double psi_ax = math::digamma(p.alpha + x);
  const double ab_n = math::digamma(p.alpha + p.beta + n), gd_n = math::digamma(p.gamma + p.delta + n);
  grad[0] = psi_ax - w_alive * ab_n - w_dropped * s_ab;
  grad[1] = w_alive * (math::digamma(p.beta + n - x) - ab_n) + w_dropped * (s_b - s_ab);
  grad[2] = w_alive * (math::digamma(p.gamma) - gd_n) +
            w_dropped * (math::digamma(p.gamma + 1.0) * sum - s_gd);
  grad[3] = w_alive * (math::digamma(p.delta + n) - gd_n) + w_dropped * (s_d - s_gd);
  return total;
}

}  // namespace detail

/// Log-likelihood of one history (x, t_x, n), FHS (2010) section 3:
/// L = B(alpha+x, beta+n-x)/B(alpha,beta) B(gamma, delta+n)/B(gamma,delta)
///   + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i)/B(alpha,beta) B(gamma+1, delta+t_x+i)/B(gamma,delta).
/// It is the probability of one particular sequence of x transactions with the last at
/// t_x; the binomial count of such sequences is a constant of the data, and not included.
inline double log_likelihood(const params& p, double x, double t_x, double n) {
  return detail::log_history_sum(p, x, t_x, n, nullptr) - math::lbeta(p.alpha, p.beta) -
         math::lbeta(p.gamma, p.delta);
}

/// Per-customer log-likelihoods (`T` holds n). Throws std::domain_error on invalid
/// parameters or histories.
inline Eigen::ArrayXd log_likelihood(const params& p, const rfm& data) {
  check_params("bgbb::log_likelihood", p);
  Eigen::ArrayXd out(data.size());
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    check_history("bgbb::log_likelihood", static_cast<std::size_t>(i), data.frequency[i],
                  data.recency[i], data.T[i]);
    out[i] = log_likelihood(p, data.frequency[i], data.recency[i], data.T[i]);
  }
  return out;
}

/// lifetimes' objective: the weighted mean negative log-likelihood at parameters
/// exp(log_params), plus penalizer * sum(params^2); no time rescaling (opportunities are
/// counts). `data.T` holds n. Fills `grad` (d/d log_params) when it is not null. Returns
/// +inf where the likelihood cannot be evaluated.
///
/// lifetimes adds 1e-15 to the sum inside the logarithm (before dividing by the beta
/// functions); that changes nothing for short histories and biases long ones, whose
/// sequence probabilities fall below 1e-15. This is the exact likelihood.
inline double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                        double* grad) {
  const params p{std::exp(log_params[0]), std::exp(log_params[1]), std::exp(log_params[2]),
                 std::exp(log_params[3])};
  // exp under- or overflows far from the data: no likelihood there (and digamma would
  // throw at 0)
  for (double v : {p.alpha, p.beta, p.gamma, p.delta})
    if (!(v > 0.0 && v < std::numeric_limits<double>::infinity()))
      return std::numeric_limits<double>::infinity();
  auto accumulate = [&](Eigen::Index begin, Eigen::Index end, std::array<double, 5>& sums) {
    std::array<double, 5> s{};
    double g[4] = {};
    for (Eigen::Index i = begin; i < end; ++i) {
      const double w = data.rows.weight[i];
      s[0] += w * detail::log_history_sum(p, data.rows.frequency[i], data.rows.recency[i],
                                          data.rows.T[i], grad ? g : nullptr);
      if (grad)
        for (int k = 0; k < 4; ++k) s[static_cast<std::size_t>(k) + 1] += w * g[k];
    }
    sums = s;
  };
  // Two halves, always, so that the sums do not depend on the machine; on a second thread
  // when there are enough distinct histories to pay for it.
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
  const double W = data.total_weight;
  const double constant = math::lbeta(p.alpha, p.beta) + math::lbeta(p.gamma, p.delta);
  const double ll = lower[0] + upper[0] - W * constant;
  const double theta[4] = {p.alpha, p.beta, p.gamma, p.delta};
  double penalty = 0.0;
  for (double t : theta) penalty += t * t;
  const double value = -ll / W + penalizer * penalty;
  if (grad) {
    const double ab = math::digamma(p.alpha + p.beta), gd = math::digamma(p.gamma + p.delta);
    // derivative of -lnB(alpha,beta) - lnB(gamma,delta)
    const double d_constant[4] = {ab - math::digamma(p.alpha), ab - math::digamma(p.beta),
                                  gd - math::digamma(p.gamma), gd - math::digamma(p.delta)};
    for (int k = 0; k < 4; ++k) {
      const auto u = static_cast<std::size_t>(k);
      const double d_ll = lower[u + 1] + upper[u + 1] + W * d_constant[k];
      // chain rule to log-parameters, then the penalty's derivative 2 * c * p^2
      grad[k] = -d_ll * theta[k] / W + 2.0 * penalizer * theta[k] * theta[k];
    }
  }
  if (!std::isfinite(value)) return std::numeric_limits<double>::infinity();
  return value;
}

/// P(alive at opportunity n + m | x, t_x, n), FHS (2010) appendix (A10):
/// B(alpha+x, beta+n-x)/B(alpha,beta) B(gamma, delta+n+m)/B(gamma,delta) / L.
/// m = 1 is the paper's "P(alive in the next period)" (its Table 6).
inline double conditional_probability_alive(const params& p, double m, double x, double t_x,
                                            double n) {
  return std::exp(math::lbeta(p.alpha + x, p.beta + n - x) + math::lbeta(p.gamma, p.delta + n + m) -
                  detail::log_history_sum(p, x, t_x, n, nullptr));
}

namespace detail {

/// log(1 + y) / y, continuous at y = 0.
inline double log1p_over(double y) { return y == 0.0 ? 1.0 : std::log1p(y) / y; }
/// (e^d - 1) / d, continuous at d = 0.
inline double expm1_over(double d) { return d == 0.0 ? 1.0 : std::expm1(d) / d; }

/// [1 - Gamma(1+delta+n+m) Gamma(gamma+delta+n) / (Gamma(1+delta+n) Gamma(gamma+delta+n+m))]
/// / (gamma - 1), the factor of FHS (2010) eq. 13 that makes the expectation finite at
/// gamma = 1 (where the paper's form is 0/0). For whole m the log of the gamma ratio is
/// D = -sum_{k<m} log1p(g / u_k), g = gamma - 1, u_k = 1+delta+n+k, and the factor is
/// -expm1(D)/g = s expm1(D)/D with s = -D/g: exact for any g, including 0. Long horizons
/// away from gamma = 1 take D from log-gamma differences instead (relative precision about
/// 1e-16 |lnGamma| / |D|, which |g| >= 0.01 keeps small).
inline double horizon_factor(double gamma, double delta, double n, double m) {
  if (m == 0.0) return 0.0;
  const double g = gamma - 1.0;
  if (m <= 4096.0 || (std::abs(g) < 0.01 && m <= max_periods)) {
    double s = 0.0;
    const auto steps = static_cast<long>(m);
    for (long k = 0; k < steps; ++k) {
      const double u = 1.0 + delta + n + static_cast<double>(k);
      s += log1p_over(g / u) / u;
    }
    return s * expm1_over(-g * s);
  }
  const double D = (math::log_gamma(1.0 + delta + n + m) - math::log_gamma(1.0 + delta + n)) -
                   (math::log_gamma(gamma + delta + n + m) - math::log_gamma(gamma + delta + n));
  if (g == 0.0) return math::digamma(1.0 + delta + n + m) - math::digamma(1.0 + delta + n);
  return -std::expm1(D) / g;
}

}  // namespace detail

/// E[X(n, n+m) | x, t_x, n]: expected transactions in the next m opportunities, FHS
/// (2010) eq. 13. Its factor delta Gamma(gamma+delta)/Gamma(1+delta) Gamma(1+delta+n)/Gamma(gamma+delta+n)
/// equals (delta+n) B(gamma, delta+n)/B(gamma, delta), which leaves
/// B(alpha+x+1, beta+n-x) (delta+n) B(gamma, delta+n) / (B(alpha,beta) B(gamma,delta) L)
/// * [1 - Gamma(1+delta+n+m) Gamma(gamma+delta+n) / (Gamma(1+delta+n) Gamma(gamma+delta+n+m))] / (gamma-1).
inline double conditional_expected_number_of_purchases_up_to_time(const params& p, double m,
                                                                   double x, double t_x,
                                                                   double n) {
  if (m == 0.0) return 0.0;
  return std::exp(math::lbeta(p.alpha + x + 1.0, p.beta + n - x) +
                  math::lbeta(p.gamma, p.delta + n) -
                  detail::log_history_sum(p, x, t_x, n, nullptr)) *
         (p.delta + n) * detail::horizon_factor(p.gamma, p.delta, n, m);
}

/// P(X(n) = x): the probability that a new customer makes x transactions in the first n
/// opportunities, FHS (2010) eq. 7:
/// C(n,x) B(alpha+x, beta+n-x)/B(alpha,beta) B(gamma, delta+n)/B(gamma,delta)
/// + sum_{i=x}^{n-1} C(i,x) B(alpha+x, beta+i-x)/B(alpha,beta) B(gamma+1, delta+i)/B(gamma,delta).
/// 0 for x > n. Terms in log space: the binomial coefficients grow while the betas shrink.
/// n at most max_periods (one term per opportunity).
inline double probability_of_transactions_in_first_n_periods(const params& p, double x, double n) {
  if (x > n) return 0.0;
  const double constant = math::lbeta(p.alpha, p.beta) + math::lbeta(p.gamma, p.delta);
  const double log_choose =
      math::log_gamma(n + 1.0) - math::log_gamma(x + 1.0) - math::log_gamma(n - x + 1.0);
  double total = log_choose + math::lbeta(p.alpha + x, p.beta + n - x) +
                 math::lbeta(p.gamma, p.delta + n);
  // i = x: C(x,x) = 1; then term_{i+1}/term_i =
  // (i+1)/(i+1-x) (beta+i-x)/(alpha+beta+i) (delta+i)/(gamma+1+delta+i)
  double log_term = math::lbeta(p.alpha + x, p.beta) + math::lbeta(p.gamma + 1.0, p.delta + x);
  for (double i = x; i < n; i += 1.0) {
    total = math::log_sum_exp(total, log_term);
    log_term += std::log((i + 1.0) / (i + 1.0 - x) * (p.beta + i - x) / (p.alpha + p.beta + i) *
                         (p.delta + i) / (p.gamma + 1.0 + p.delta + i));
  }
  return std::exp(total - constant);
}

/// What the generic fitter needs to know about the model (see bgnbd::model). `T` holds n.
struct model {
  static constexpr int n_params = bgbb::n_params;
  static constexpr std::array<const char*, 4> names = bgbb::names;
  /// Opportunities are counts: no time rescaling, and no parameter has a time unit.
  static constexpr bool rescale_time = false;
  static constexpr std::array<int, 4> time_power = {0, 0, 0, 0};
  static double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                          double* grad) {
    return bgbb::objective(log_params, data, penalizer, grad);
  }
  static double log_likelihood(const double* params, double x, double t_x, double n) {
    return bgbb::log_likelihood(from_array(params), x, t_x, n);
  }
  static std::array<double, 4> initial_log_params() { return {0.1, 0.1, 0.1, 0.1}; }
  /// BG/BB's histories are whole numbers with x <= t_x, which compression does not check.
  static void check_rows(const double* x, const double* t_x, const double* n, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) check_history("fit", i, x[i], t_x[i], n[i]);
  }
};

namespace detail {

/// Evaluate f(m, x, t_x, n) over customers, once per distinct (m, x, t_x, n) per thread:
/// discrete histories repeat, and each value costs a sum over opportunities. The usual
/// call (one horizon m for everyone, short histories) looks values up in a dense table
/// indexed by (n, t_x, x); otherwise in a hash table of the four numbers.
template <class F>
void per_distinct_history(const char* name, const params& p, const double* m, const double* x,
                          const double* t_x, const double* n, std::size_t size, double* out,
                          F&& f) {
  check_params(name, p);
  parallel_for(size, [&](std::size_t begin, std::size_t end) {
    if (begin == end) return;
    // Validate first, by vectorised reductions over blocks (row by row only in a block
    // that fails, to name the row); this also finds the largest n, and whether there is a
    // single horizon, which the dense table needs.
    double max_n = 0.0;
    bool one_horizon = true;
    constexpr std::size_t block = 4096;
    for (std::size_t b0 = begin; b0 < end; b0 += block) {
      const auto len = static_cast<Eigen::Index>(std::min(block, end - b0));
      const Eigen::Map<const Eigen::ArrayXd> ms(m + b0, len), xs(x + b0, len), ts(t_x + b0, len),
          ns(n + b0, len);
      const bool valid =
          std::isfinite((ms + xs + ts + ns).sum()) && ms.min(xs).minCoeff() >= 0.0 &&
          (ts - xs).minCoeff() >= 0.0 && (ns - ts).minCoeff() >= 0.0 &&
          ns.maxCoeff() <= max_periods && (xs == 0.0).select(ts, 0.0).maxCoeff() == 0.0 &&
          ((ms - ms.floor()).abs() + (xs - xs.floor()).abs() + (ts - ts.floor()).abs() +
           (ns - ns.floor()).abs())
                  .maxCoeff() == 0.0;
      if (!valid)
        for (std::size_t i = b0; i < b0 + static_cast<std::size_t>(len); ++i) {
          check_history(name, i, x[i], t_x[i], n[i]);
          check_periods(name, "m_periods_in_future", i, m[i]);
        }
      max_n = std::max(max_n, ns.maxCoeff());
      one_horizon = one_horizon && (ms - m[begin]).abs().maxCoeff() == 0.0;
    }
    constexpr double max_dense_n = 63.0;  // a table of at most 64^3 values (2 MiB)
    if (one_horizon && max_n <= max_dense_n) {
      const auto side = static_cast<std::size_t>(max_n) + 1;
      std::vector<double> table(side * side * side, std::numeric_limits<double>::quiet_NaN());
      for (std::size_t i = begin; i < end; ++i) {
        const std::size_t k = (static_cast<std::size_t>(n[i]) * side + static_cast<std::size_t>(t_x[i])) * side +
                              static_cast<std::size_t>(x[i]);
        if (std::isnan(table[k])) table[k] = f(p, m[i], x[i], t_x[i], n[i]);
        out[i] = table[k];
      }
      return;
    }
    fastlifetimes::detail::key_table<4> seen(std::min<std::size_t>(end - begin, 4096));
    std::vector<double> values;
    for (std::size_t i = begin; i < end; ++i) {
      const double key[4] = {m[i], x[i], t_x[i], n[i]};
      const auto id = static_cast<std::size_t>(seen.find_or_insert(key));
      if (id == values.size()) values.push_back(f(p, m[i], x[i], t_x[i], n[i]));
      out[i] = values[id];
    }
  });
}

}  // namespace detail

/// Eq. 13 over customers: out[i] = E[X(n[i], n[i]+m[i]) | x[i], t_x[i], n[i]].
/// Throws std::domain_error naming the first invalid row.
inline void conditional_expected_number_of_purchases_up_to_time(const params& p, const double* m,
                                                                const double* x,
                                                                const double* t_x,
                                                                const double* n, std::size_t size,
                                                                double* out) {
  detail::per_distinct_history(
      "conditional_expected_number_of_purchases_up_to_time", p, m, x, t_x, n, size, out,
      [](const params& q, double mm, double xx, double tt, double nn) {
        return conditional_expected_number_of_purchases_up_to_time(q, mm, xx, tt, nn);
      });
}

/// (A10) over customers: out[i] = P(alive at n[i] + m[i] | x[i], t_x[i], n[i]).
/// Throws std::domain_error naming the first invalid row.
inline void conditional_probability_alive(const params& p, const double* m, const double* x,
                                          const double* t_x, const double* n, std::size_t size,
                                          double* out) {
  detail::per_distinct_history(
      "conditional_probability_alive", p, m, x, t_x, n, size, out,
      [](const params& q, double mm, double xx, double tt, double nn) {
        return conditional_probability_alive(q, mm, xx, tt, nn);
      });
}

}  // namespace fastlifetimes::bgbb
