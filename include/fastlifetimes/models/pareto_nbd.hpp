#pragma once
/// The Pareto/NBD model of Schmittlein, Morrison & Colombo (1987), "Counting Your
/// Customers: Who Are They and What Will They Do Next?", Management Science 33(1), 1-24,
/// in the notation of Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and
/// Related Expressions" (note 009). While alive a customer buys at the times of a Poisson
/// process with rate lambda ~ Gamma(r, alpha); the lifetime is exponential with rate
/// mu ~ Gamma(s, beta), independent of lambda.
///
/// How the likelihood is evaluated. Note 009 (eqs. 18-22) writes it as
///   L = Gamma(r+x) alpha^r beta^s / Gamma(r) * [ A + s/(r+s+x) A_0 ],
///   A = (alpha+T)^-(r+x) (beta+T)^-s,
/// with A_0 a difference of two Gauss hypergeometric terms, one at t_x and one at T.
/// Taken as written, the powers over- or underflow for frequent or old customers and the
/// difference cancels. Here everything is a ratio to A, in logs:
///   log L = log Gamma(r+x) - log Gamma(r) + r log alpha + s log beta + log A + softplus(l),
///   l = log(s/(r+s+x)) + log(P - Q),
/// where P and Q are note 009's two hypergeometric terms divided by A (times r+s+x):
///   P = R * exp(Psi(t_x)),  Q = exp(Psi(T)),
///   R = ((alpha+T)/(alpha+t_x))^(r+x) ((beta+T)/(beta+t_x))^s  >= 1,
/// and Psi(tau) = log[(r+s+x) (alpha+tau)^(r+x) (beta+tau)^s int_tau^inf
///   (alpha+v)^-(r+x) (beta+v)^-(s+1) dv], which is 0 at alpha = beta and grows only
/// like the log of (alpha+tau)/(beta+tau). Euler's transformation turns note 009's
/// 2F1(r+s+x, s+1; r+s+x+1; z) into (1-z)^-s 2F1(1, r+x; r+s+x+1; z), a series of
/// positive terms with no overflowing prefactor; see `detail::tail`.

#include <Eigen/Core>
#include <boost/math/quadrature/gauss_kronrod.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <thread>
#include <vector>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/core/parallel.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/math/elementwise.hpp"
#include "fastlifetimes/math/special.hpp"

namespace fastlifetimes::pareto_nbd {

struct params {
  double r, alpha, s, beta;
};

inline constexpr int n_params = 4;
inline constexpr std::array<const char*, 4> names = {"r", "alpha", "s", "beta"};

inline params from_array(const double* p) { return {p[0], p[1], p[2], p[3]}; }

inline void check_params(const char* function, const params& p) {
  check::positive_finite(function, "r", p.r);
  check::positive_finite(function, "alpha", p.alpha);
  check::positive_finite(function, "s", p.s);
  check::positive_finite(function, "beta", p.beta);
}

namespace detail {

/// Psi(tau) (see the file comment) and its partial derivatives.
struct tail_value {
  double value, d_r, d_alpha, d_s, d_beta;
};

/// log G and the partials of log G, for G(u, c; y) = 2F1(1, u; c; y) = sum_k (u)_k/(c)_k y^k.
struct series_value {
  double log_value, d_u, d_c, d_y;
  bool converged;
};

/// The series G(u, c; y), 0 <= y < 1, c > u > 0: terms positive and falling by at least
/// y each, so no cancellation, and the tail after a term t is below t y / (1 - y). The
/// derivatives come from the same terms: d t_k/du = t_k sum_{j<k} 1/(u+j), likewise for
/// c, and d t_k/dy = k t_k / y (accumulated without dividing by y).
inline series_value log_series(double u, double c, double y, bool with_grad, long max_terms) {
  constexpr double tiny = std::numeric_limits<double>::epsilon() * 0.25;
  double t = 1.0, G = 1.0, Gu = 0.0, Gc = 0.0, Gy = 0.0, su = 0.0, sc = 0.0;
  const double slack = (1.0 - y) * (1.0 - y);
  bool converged = false;
  for (long k = 0; k < max_terms; ++k) {
    const double kd = static_cast<double>(k);
    const double tq = t * (u + kd) / (c + kd);
    t = tq * y;
    G += t;
    if (with_grad) {
      Gy += (kd + 1.0) * tq;
      su += 1.0 / (u + kd);
      sc += 1.0 / (c + kd);
      Gu += t * su;
      Gc -= t * sc;
    }
    // bound on the neglected tail of G and of its derivative series
    if (t * (kd + 2.0 + su) <= tiny * G * slack) {
      converged = true;
      break;
    }
  }
  return {std::log(G), Gu / G, Gc / G, Gy / G, converged};
}

/// Double-exponential (exp-sinh) quadrature over (0, inf) of a positive vector-valued
/// integrand: sigma = exp(pi/2 sinh t) turns both an endpoint feature at 0 and a slow
/// decay at infinity into a doubly-exponentially decaying integrand in t, where the
/// trapezoidal rule converges geometrically; the step is halved until every component
/// changes by less than `tol` relatively. Each node evaluates all components at once.
template <std::size_t K, class F>
std::array<double, K> integrate_half_line(const F& f, double tol) {
  constexpr double half_pi = 1.5707963267948966;
  constexpr double t_max = 4.5;  // sigma from 2e-31 to 5e30: beyond, nothing is left
  std::array<double, K> sum{}, previous{};
  auto add = [&](double t) {
    const double sigma = std::exp(half_pi * std::sinh(t));
    const double weight = half_pi * std::cosh(t) * sigma;
    const std::array<double, K> v = f(sigma);
    for (std::size_t k = 0; k < K; ++k) sum[k] += weight * v[k];
  };
  double h = 0.5;
  for (int j = -9; j <= 9; ++j) add(j * h);
  for (int level = 1; level <= 9; ++level) {
    for (std::size_t k = 0; k < K; ++k) previous[k] = sum[k] * h;
    h *= 0.5;
    const int last = static_cast<int>(t_max / h);
    for (int j = -last + (last % 2 == 0 ? 1 : 0); j <= last; j += 2) add(j * h);
    bool done = level >= 3;
    for (std::size_t k = 0; k < K; ++k)
      done = done && std::abs(sum[k] * h - previous[k]) <= tol * std::abs(sum[k] * h);
    if (done) break;
  }
  for (std::size_t k = 0; k < K; ++k) sum[k] *= h;
  return sum;
}

/// The integral form of exp(Psi) / (r+s+x), for where the series converges too slowly
/// (y close to 1: one of alpha + tau, beta + tau much larger than the other). With
/// beta + v = (beta + tau) e^sigma the integral of the file comment becomes
///   J = int_0^inf e^(-s sigma) (1 + k (e^sigma - 1))^-(r+x) d sigma,
///   k = (beta+tau)/(alpha+tau),
/// a smooth decreasing integrand starting at 1; its derivatives in s, m = r + x and k
/// are integrals of positive functions too. Returns log J and d log J / d(s, m, k).
inline std::array<double, 4> log_tail_integral(double s, double m, double k) {
  const auto J = integrate_half_line<4>(
      [&](double sigma) {
        // 1 + k (e^sigma - 1) = e^sigma (k + (1-k) e^-sigma), whose log is taken without
        // overflow at large sigma and without cancellation at small sigma
        const double one_minus_e = -std::expm1(-sigma);
        const double inner = sigma < 1.0 ? 0.0 : k + (1.0 - k) * std::exp(-sigma);
        const double L = sigma + (sigma < 1.0 ? std::log1p((k - 1.0) * one_minus_e) : std::log(inner));
        const double f = std::exp(-s * sigma - m * L);
        const double slope = one_minus_e / (sigma < 1.0 ? 1.0 + (k - 1.0) * one_minus_e : inner);
        return std::array<double, 4>{f, sigma * f, L * f, slope * f};
      },
      1e-14);
  return {std::log(J[0]), -J[1] / J[0], -J[2] / J[0], -m * J[3] / J[0]};
}

/// Where the series for Psi(tau) stands: which side is larger, and its argument y.
struct tail_geometry {
  bool alpha_larger;
  double big, small, y;  ///< big, small: the larger and smaller of alpha+tau, beta+tau
  tail_geometry(double alpha, double beta, double tau)
      : alpha_larger(alpha >= beta),
        big(alpha_larger ? alpha + tau : beta + tau),
        small(alpha_larger ? beta + tau : alpha + tau),
        y((alpha_larger ? alpha - beta : beta - alpha) / big) {}
};

/// Psi and its partials in (r, alpha, s, beta) from the series' log G and partials in
/// (u, c, y): the chain rule through each branch's u, c = r+s+x+1 and y (file comment).
inline tail_value tail_from_series(const tail_geometry& g, const series_value& v) {
  const double big = g.big, small = g.small;
  if (g.alpha_larger)  // u = r + x, y = (alpha - beta) / (alpha + tau)
    return {v.log_value, v.d_u + v.d_c, v.d_y * small / (big * big), v.d_c, -v.d_y / big};
  // u = s + 1, y = (beta - alpha) / (beta + tau), times (alpha + tau) / (beta + tau)
  return {v.log_value + std::log(small / big), v.d_c, -v.d_y / big + 1.0 / small,
          v.d_u + v.d_c, v.d_y * small / (big * big) - 1.0 / big};
}

/// Psi and its partials from the integral, where the series would need too many terms.
inline tail_value tail_from_integral(double r, double alpha, double s, double beta, double x,
                                     double tau) {
  const double k = (beta + tau) / (alpha + tau);
  const auto J = log_tail_integral(s, r + x, k);
  const double rsx = r + s + x;
  return {std::log(rsx) + J[0], 1.0 / rsx + J[2], -J[3] * k / (alpha + tau), 1.0 / rsx + J[1],
          J[3] / (alpha + tau)};
}

/// Terms fall by at least y each; beyond this many, quadrature is cheaper than the series.
inline constexpr long series_budget = 4000;

/// Psi(tau) for a customer with frequency x, and its partials in (r, alpha, s, beta)
/// (left zero unless `with_grad`). The hypergeometric series runs on whichever side is
/// larger:
///   alpha >= beta: exp(Psi) = G(r+x, r+s+x+1; (alpha-beta)/(alpha+tau)),
///   alpha <  beta: exp(Psi) = G(s+1, r+s+x+1; (beta-alpha)/(beta+tau))
///                             * (alpha+tau)/(beta+tau),
/// note 009's two cases after Euler's transformation. Both are 1 at alpha = beta, so
/// Psi and its derivatives pass smoothly from one to the other.
inline tail_value tail(double r, double alpha, double s, double beta, double x, double tau,
                       bool with_grad) {
  const tail_geometry g(alpha, beta, tau);
  if (g.y < 0.99) {
    const series_value v = log_series(g.alpha_larger ? r + x : s + 1.0, r + s + x + 1.0, g.y,
                                      with_grad, series_budget);
    if (v.converged) return tail_from_series(g, v);
  }
  return tail_from_integral(r, alpha, s, beta, x, tau);
}

/// l = log(s/(r+s+x)) + log(P - Q), -inf when P = Q (t_x = T: no time to have died
/// unobserved), from log P and log Q.
inline double log_dropped_over_alive(double log_c, double log_P, double log_Q) {
  const double delta = log_Q - log_P;
  if (!(delta < 0.0)) return -std::numeric_limits<double>::infinity();
  return log_c + log_P + std::log(-std::expm1(delta));
}

/// l for one customer (see the file comment): the log-odds of "died unobserved after the
/// last purchase" against "still alive at T".
inline double log_odds_dropped(const params& p, double x, double t_x, double T) {
  if (!(t_x < T)) return -std::numeric_limits<double>::infinity();
  const double log_R = (p.r + x) * std::log1p((T - t_x) / (p.alpha + t_x)) +
                       p.s * std::log1p((T - t_x) / (p.beta + t_x));
  const double log_P = log_R + tail(p.r, p.alpha, p.s, p.beta, x, t_x, false).value;
  const double log_Q = tail(p.r, p.alpha, p.s, p.beta, x, T, false).value;
  return log_dropped_over_alive(std::log(p.s / (p.r + p.s + x)), log_P, log_Q);
}

/// logistic(-l) = 1 / (1 + e^l) without overflow.
inline double logistic_of_minus(double l) {
  if (l <= 0.0) return 1.0 / (1.0 + std::exp(l));
  const double e = std::exp(-l);
  return e / (1.0 + e);
}

/// (1 - (b/(b+t))^(s-1)) / (s-1), continuous through s = 1 (where it is log(1 + t/b)).
inline double survival_integral(double s, double b, double t) {
  const double L = -std::log1p(t / b);
  if (s == 1.0) return -L;
  return -std::expm1((s - 1.0) * L) / (s - 1.0);
}

}  // namespace detail

/// Log-likelihood of one customer history, note 009 eq. 18-22 evaluated as described in
/// the file comment (finite for any valid history: x in the thousands, T of 1e5).
inline double log_likelihood(const params& p, double x, double t_x, double T) {
  const double l = detail::log_odds_dropped(p, x, t_x, T);
  // r log alpha - (r+x) log(alpha+T) and s log beta - s log(beta+T) through log1p, exact
  // where alpha or beta dwarfs T (see `objective`)
  return math::log_gamma(p.r + x) - math::log_gamma(p.r) - x * std::log(p.alpha) -
         (p.r + x) * std::log1p(T / p.alpha) - p.s * std::log1p(T / p.beta) +
         (l == -std::numeric_limits<double>::infinity() ? 0.0 : math::log1pexp(l));
}

/// Per-customer log-likelihoods. Throws std::domain_error on invalid parameters or rows.
inline Eigen::ArrayXd log_likelihood(const params& p, const rfm& data) {
  check_params("pareto_nbd::log_likelihood", p);
  Eigen::ArrayXd out(data.size());
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    check::rfm_row("pareto_nbd::log_likelihood", static_cast<std::size_t>(i), data.frequency[i],
                   data.recency[i], data.T[i]);
    out[i] = log_likelihood(p, data.frequency[i], data.recency[i], data.T[i]);
  }
  return out;
}

/// P(alive | x, t_x, T), note 009 eq. 36-37: A / (A + s/(r+s+x) A_0) = 1 / (1 + e^l).
inline double conditional_probability_alive(const params& p, double x, double t_x, double T) {
  return detail::logistic_of_minus(detail::log_odds_dropped(p, x, t_x, T));
}

/// E[X(T, T+t] | x, t_x, T], note 009 eq. 41:
/// P(alive) (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)].
inline double conditional_expected_number_of_purchases_up_to_time(const params& p, double t,
                                                                   double x, double t_x,
                                                                   double T) {
  if (t == 0.0) return 0.0;
  return conditional_probability_alive(p, x, t_x, T) * (p.r + x) / (p.alpha + T) *
         (p.beta + T) * detail::survival_integral(p.s, p.beta + T, t);
}

/// E[X(t)] of a new customer, note 009 eq. 27: r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)].
inline double expected_number_of_purchases_up_to_time(const params& p, double t) {
  if (t == 0.0) return 0.0;
  return p.r / p.alpha * p.beta * detail::survival_integral(p.s, p.beta, t);
}

/// P(X(T, T+t] = n | x, t_x, T), Fader & Hardie, "Deriving the Conditional PMF of the
/// Pareto/NBD Model" (note 028), eq. 16. A customer dead at T buys nothing; one alive at
/// T has lambda ~ Gamma(r+x, alpha+T) and mu ~ Gamma(s, beta+T) a posteriori, so
///   P(n) = [n=0] (1 - P(alive)) + P(alive) [NB_n(t) S(t) + int_0^t NB_n(tau) f(tau) dtau]
/// with NB_n the negative binomial pmf of purchases in (T, T+tau], S the survival and f
/// the density of the remaining lifetime. The note writes the integral as a difference
/// of hypergeometric terms (its B_2 - B_3), which cancels for small t; it is integrated
/// here directly (positive integrand), in u = tau/(alpha+T+tau), where it is a beta-like
///   (r+x)_n/n! u^n (1-u)^(r+x+s-1) s a b^s (b + (a-b) u)^-(s+1),  a = alpha+T, b = beta+T.
inline double conditional_probability_of_n_purchases_up_to_time(const params& p, double n,
                                                                double t, double x, double t_x,
                                                                double T) {
  const double alive = conditional_probability_alive(p, x, t_x, T);
  const double dead = n == 0.0 ? 1.0 - alive : 0.0;
  if (t == 0.0) return n == 0.0 ? 1.0 : 0.0;
  const double a = p.alpha + T, b = p.beta + T, m = p.r + x;
  const double log_coefficient = math::log_gamma(m + n) - math::log_gamma(m) - math::log_gamma(n + 1.0);
  // alive throughout (T, T+t] with n purchases
  const double log_u_end = std::log(t) - std::log(a + t);
  const double log_1mu_end = -std::log1p(t / a);
  const double log_survive = -p.s * std::log1p(t / b);
  const double through =
      std::exp(log_coefficient + (n == 0.0 ? 0.0 : n * log_u_end) + m * log_1mu_end + log_survive);
  // died at some tau in (0, t] after n purchases
  const double u_end = t / (a + t);
  const double log_front = log_coefficient + std::log(p.s) + std::log(a) + p.s * std::log(b);
  auto integrand = [&](double u) {
    if (u <= 0.0) return n == 0.0 ? std::exp(log_front - (p.s + 1.0) * std::log(b)) : 0.0;
    const double v = std::log(u) * n + std::log1p(-u) * (m + p.s - 1.0) -
                     (p.s + 1.0) * std::log(b + (a - b) * u);
    return std::exp(log_front + v);
  };
  double died = 0.0;
  try {
    // The stopping test compares the 31-point Kronrod sum with the embedded 15-point
    // Gauss sum, i.e. it bounds the error of the cruder rule: at 1e-10 the Kronrod value
    // is already exact to rounding, and a tighter tolerance only makes rounding noise
    // look like error and subdivide to the maximum depth.
    died = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(integrand, 0.0, u_end, 10, 1e-10);
  } catch (const std::exception&) {
    died = std::numeric_limits<double>::quiet_NaN();
  }
  return dead + alive * (through + died);
}

/// P(X(t) = n) of a new customer: the conditional pmf at x = t_x = T = 0 (Fader & Hardie,
/// note 012, "Deriving an Expression for P(X(t) = x) Under the Pareto/NBD Model").
inline double probability_of_n_purchases_up_to_time(const params& p, double t, double n) {
  return conditional_probability_of_n_purchases_up_to_time(p, n, t, 0.0, 0.0, 0.0);
}

namespace detail {

/// log Gamma(r+x) - log Gamma(r) and its derivative in r for each distinct x: running sums
/// of log(r+j) and 1/(r+j) while x is small, log-gamma and digamma beyond.
struct frequency_terms {
  std::vector<double> constant, d_r;
  frequency_terms(const Eigen::ArrayXd& xs, double max_x, double r) {
    const auto nx = static_cast<std::size_t>(xs.size());
    constant.resize(nx);
    d_r.resize(nx);
    if (max_x <= 4096.0 && max_x <= 64.0 * static_cast<double>(nx) + 64.0) {
      const auto m = static_cast<std::size_t>(max_x) + 1;
      std::vector<double> c(m), d(m);
      double lr = 0.0, ir = 0.0;
      for (std::size_t k = 0; k < m; ++k) {
        c[k] = lr;
        d[k] = ir;
        lr += std::log(r + static_cast<double>(k));
        ir += 1.0 / (r + static_cast<double>(k));
      }
      for (std::size_t j = 0; j < nx; ++j) {
        const auto k = static_cast<std::size_t>(xs[static_cast<Eigen::Index>(j)]);
        constant[j] = c[k];
        d_r[j] = d[k];
      }
      return;
    }
    const double lg_r = math::log_gamma(r), dg_r = math::digamma(r);
    for (std::size_t j = 0; j < nx; ++j) {
      const double x = xs[static_cast<Eigen::Index>(j)];
      constant[j] = math::log_gamma(r + x) - lg_r;
      d_r[j] = math::digamma(r + x) - dg_r;
    }
  }
};

/// The distinct (x, tau) pairs of the unique rows, for tau = T and tau = t_x, so that
/// Psi (the expensive part) is computed once per pair: first every (x, T) pair, then
/// every (x, t_x) pair, each part ordered by x. Unique rows come sorted by (x, T, t_x),
/// so (x, T) pairs are runs of rows, and (x, t_x) pairs are found with a table indexed
/// by t_x code, cleared between x blocks. Depends on the data only: built once per fit.
struct tail_pairs {
  std::vector<std::int32_t> x_code;  ///< each pair's frequency (code into data.x)
  std::vector<double> tau;           ///< each pair's T or t_x
  std::vector<std::int32_t> row_T, row_t;  ///< each row's two pairs
  std::vector<std::size_t> group_end;      ///< pairs [group_end[g-1], group_end[g]) share x

  explicit tail_pairs(const compressed_rfm& data) {
    const auto n = static_cast<std::size_t>(data.rows.size());
    row_T.resize(n);
    row_t.resize(n);
    x_code.reserve(n);
    tau.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t jx = data.x.index[i], jT = data.T.index[i];
      if (i == 0 || jx != data.x.index[i - 1] || jT != data.T.index[i - 1]) {
        x_code.push_back(jx);
        tau.push_back(data.T.values[jT]);
      }
      row_T[i] = static_cast<std::int32_t>(x_code.size()) - 1;
    }
    std::vector<std::int32_t> slot(static_cast<std::size_t>(data.t_x.values.size()), -1);
    std::vector<std::int32_t> touched;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t jx = data.x.index[i], jt = data.t_x.index[i];
      if (i > 0 && jx != data.x.index[i - 1]) {
        for (std::int32_t k : touched) slot[static_cast<std::size_t>(k)] = -1;
        touched.clear();
      }
      std::int32_t& id = slot[static_cast<std::size_t>(jt)];
      if (id < 0) {
        id = static_cast<std::int32_t>(x_code.size());
        x_code.push_back(jx);
        tau.push_back(data.t_x.values[jt]);
        touched.push_back(jt);
      }
      row_t[i] = id;
    }
    for (std::size_t k = 1; k <= x_code.size(); ++k)
      if (k == x_code.size() || x_code[k] != x_code[k - 1]) group_end.push_back(k);
  }
  std::size_t size() const { return x_code.size(); }
};

}  // namespace detail

namespace detail {

/// The coefficients a_k = (u)_k / (c)_k of G(u, c; y) = sum_k a_k y^k for one frequency,
/// premultiplied for the derivatives: with su_k = sum_{j<k} 1/(u+j) and
/// sc_k = sum_{j<k} 1/(c+j), d a_k/du = a_k su_k and d a_k/dc = -a_k sc_k. Every pair
/// with that frequency shares them, so a pair's series is multiply-adds only, and pairs
/// with the same frequency are summed side by side (vectorised over pairs).
struct series_coefficients {
  std::vector<double> a, a_su, a_sc, bound;  ///< bound_k = a_k (k + 1 + su_k)

  /// Enough terms for any y <= y_max (the tail bound of `log_series` grows with y), or
  /// `series_budget` of them.
  void build(double u, double c, double y_max) {
    constexpr double tiny = std::numeric_limits<double>::epsilon() * 0.25;
    const double slack = (1.0 - y_max) * (1.0 - y_max);
    // terms fall at least like y_max^k: room for that many, so that the vectors do not
    // reallocate while growing (this runs per frequency at every evaluation)
    const double expected = y_max > 0.0 ? std::log(tiny * slack) / std::log(y_max) + 8.0 : 2.0;
    const auto room = static_cast<std::size_t>(std::min(expected, static_cast<double>(series_budget))) + 2;
    for (auto* v : {&a, &a_su, &a_sc, &bound}) v->reserve(room);
    a.assign(1, 1.0);
    a_su.assign(1, 0.0);
    a_sc.assign(1, 0.0);
    bound.assign(1, 1.0);
    double ak = 1.0, yk = 1.0, su = 0.0, sc = 0.0;
    for (long k = 0; k < series_budget; ++k) {
      const double kd = static_cast<double>(k);
      ak *= (u + kd) / (c + kd);
      su += 1.0 / (u + kd);
      sc += 1.0 / (c + kd);
      yk *= y_max;
      a.push_back(ak);
      a_su.push_back(ak * su);
      a_sc.push_back(ak * sc);
      bound.push_back(ak * (kd + 2.0 + su));
      if (bound.back() * yk <= tiny * slack) break;
    }
  }

  /// G(y) alone, stopping as soon as the tail is negligible; NaN when the terms run out
  /// first (the caller then integrates instead).
  double value(double y) const {
    constexpr double tiny = std::numeric_limits<double>::epsilon() * 0.25;
    const double slack = (1.0 - y) * (1.0 - y);
    double G = 1.0, yk = 1.0;
    for (std::size_t k = 1; k < a.size(); ++k) {
      yk *= y;
      const double t = a[k] * yk;
      G += t;
      if (bound[k] * yk <= tiny * G * slack) return G;
    }
    return a.size() < 2 ? 1.0 : std::numeric_limits<double>::quiet_NaN();
  }

  /// For m pairs with arguments y[0..m): G (not its log: the caller takes all the logs at
  /// once) and the partials of log G in u, c, y; `converged[i]` false where the terms ran
  /// out before pair i's tail was negligible. Loops run over pairs innermost, so they
  /// vectorise.
  /// (`__restrict`: the arrays do not overlap, which lets the compiler vectorise.)
  void sum(const double* __restrict y, std::size_t m, double* __restrict G,
           double* __restrict d_u, double* __restrict d_c, double* __restrict d_y,
           bool* __restrict converged, double* __restrict scratch) const {
    constexpr double tiny = std::numeric_limits<double>::epsilon() * 0.25;
    double* yk = scratch;  // y^(k-1), then y^k
    for (std::size_t i = 0; i < m; ++i) {
      yk[i] = 1.0;
      G[i] = 1.0;
      d_u[i] = 0.0;
      d_c[i] = 0.0;
      d_y[i] = 0.0;
    }
    // As many terms as this group's largest y needs (the table serves the frequency's
    // largest y, which may be far larger); pairs beyond the table's reach (y > 0.99) go
    // to the integral anyway and do not count.
    double y_hi = 0.0;
    for (std::size_t i = 0; i < m; ++i) y_hi = std::max(y_hi, y[i] <= 0.99 ? y[i] : 0.0);
    std::size_t K = a.size();
    {
      const double slack = (1.0 - y_hi) * (1.0 - y_hi);
      double yk_hi = 1.0;
      for (std::size_t k = 1; k < a.size(); ++k) {
        yk_hi *= y_hi;
        if (bound[k] * yk_hi <= tiny * slack) {
          K = k + 1;
          break;
        }
      }
    }
    for (std::size_t k = 1; k < K; ++k) {
      const double ak = a[k], ak_su = a_su[k], ak_sc = a_sc[k];
      const double k_ak = static_cast<double>(k) * ak;
      for (std::size_t i = 0; i < m; ++i) {
        d_y[i] += k_ak * yk[i];
        yk[i] *= y[i];
        G[i] += ak * yk[i];
        d_u[i] += ak_su * yk[i];
        d_c[i] -= ak_sc * yk[i];
      }
    }
    for (std::size_t i = 0; i < m; ++i) {
      const double inv = 1.0 / G[i];
      d_u[i] *= inv;
      d_c[i] *= inv;
      d_y[i] *= inv;
      const double slack = (1.0 - y[i]) * (1.0 - y[i]);
      converged[i] = K < 2 || bound[K - 1] * yk[i] <= tiny * G[i] * slack;
    }
  }
};

}  // namespace detail

/// lifetimes' objective divided by the number of input rows (see `model::sums_likelihood`):
/// the weighted mean negative log-likelihood at parameters exp(log_params) (time already
/// rescaled in `data`), plus penalizer * sum(params^2). Fills `grad` (d/d log_params) when
/// it is not null. Returns +inf where the likelihood cannot be evaluated. `pairs` must be
/// built from `data`.
///
/// Work is done once per distinct value where it can be: log Gamma(r+x) per frequency,
/// the logs of alpha + tau and beta + tau per distinct t_x and T, the series Psi once per
/// distinct (x, t_x) and (x, T) pair with coefficients shared per frequency; what remains
/// per unique row (three exps and two logs) runs vectorised.
inline double objective(const double* log_params, const compressed_rfm& data,
                        const detail::tail_pairs& pairs, double penalizer, double* grad) {
  constexpr double minus_inf = -std::numeric_limits<double>::infinity();
  const double r = std::exp(log_params[0]), alpha = std::exp(log_params[1]);
  const double s = std::exp(log_params[2]), beta = std::exp(log_params[3]);
  const bool with_grad = grad != nullptr;
  const bool alpha_larger = alpha >= beta;

  const detail::frequency_terms fx(data.x.values, data.max_frequency, r);
  const auto nx = static_cast<std::size_t>(data.x.values.size());
  std::vector<double> log_c(nx);  // log(s / (r+s+x))
  for (std::size_t j = 0; j < nx; ++j)
    log_c[j] = std::log(s / (r + s + data.x.values[static_cast<Eigen::Index>(j)]));

  // Psi per (x, tau) pair, from series coefficients built per frequency for the largest
  // y among its pairs (the smallest tau).
  const std::size_t n_pairs = pairs.size();
  const double gap = alpha_larger ? alpha - beta : beta - alpha;
  const double base = alpha_larger ? alpha : beta;
  std::vector<double> y_max(nx, 0.0);
  for (std::size_t k = 0; k < n_pairs; ++k) {
    auto& m = y_max[static_cast<std::size_t>(pairs.x_code[k])];
    m = std::max(m, gap / (base + pairs.tau[k]));
  }
  std::vector<detail::series_coefficients> coefficients(nx);
  for (std::size_t j = 0; j < nx; ++j) {
    const double x = data.x.values[static_cast<Eigen::Index>(j)];
    coefficients[j].build(alpha_larger ? r + x : s + 1.0, r + s + x + 1.0, std::min(y_max[j], 0.99));
  }
  // exp(Psi) per pair (its log is taken below, vectorised) and Psi's partials, one
  // array each so that the chain rule below runs vectorised over a group's pairs
  const auto np = static_cast<Eigen::Index>(n_pairs);
  Eigen::ArrayXd psi(np), psi_r(np), psi_a(np), psi_s(np), psi_b(np);
  const double other = alpha_larger ? beta : alpha;  // the smaller of alpha, beta
  auto compute_pairs = [&](std::size_t begin, std::size_t end) {
    std::size_t widest = 0, previous = 0;
    for (std::size_t e : pairs.group_end) {
      widest = std::max(widest, e - previous);
      previous = e;
    }
    widest = std::min(widest, end - begin);
    std::vector<double> buffer(7 * widest);
    std::vector<char> converged(widest);
    double *y = buffer.data(), *G = y + widest, *du = G + widest, *dc = du + widest;
    double *dy = dc + widest, *scratch = dy + widest, *inv_big = scratch + widest;
    auto group = std::lower_bound(pairs.group_end.begin(), pairs.group_end.end(), begin + 1);
    for (std::size_t g0 = begin; g0 < end; ++group) {
      const std::size_t g1 = std::min(*group, end), m = g1 - g0;
      const std::int32_t jx = pairs.x_code[g0];
      const double* tau = pairs.tau.data() + g0;
      for (std::size_t i = 0; i < m; ++i) {
        inv_big[i] = 1.0 / (base + tau[i]);
        y[i] = gap * inv_big[i];
      }
      coefficients[static_cast<std::size_t>(jx)].sum(y, m, G, du, dc, dy,
                                                     reinterpret_cast<bool*>(converged.data()), scratch);
      // the chain rule through each branch's u, c and y (see `tail_from_series`)
      double *v = psi.data() + g0, *pr = psi_r.data() + g0, *pa = psi_a.data() + g0;
      double *ps = psi_s.data() + g0, *pb = psi_b.data() + g0;
      if (alpha_larger) {
        for (std::size_t i = 0; i < m; ++i) {
          const double dy_big = dy[i] * inv_big[i];
          v[i] = G[i];
          pr[i] = du[i] + dc[i];
          pa[i] = dy_big * (other + tau[i]) * inv_big[i];
          ps[i] = dc[i];
          pb[i] = -dy_big;
        }
      } else {
        for (std::size_t i = 0; i < m; ++i) {
          const double small = other + tau[i], dy_big = dy[i] * inv_big[i];
          v[i] = G[i] * small * inv_big[i];
          pr[i] = dc[i];
          pa[i] = -dy_big + 1.0 / small;
          ps[i] = du[i] + dc[i];
          pb[i] = (dy_big * small - 1.0) * inv_big[i];
        }
      }
      for (std::size_t i = 0; i < m; ++i) {
        if (converged[i]) continue;
        const detail::tail_value t = detail::tail_from_integral(r, alpha, s, beta, data.x.values[jx], tau[i]);
        v[i] = std::exp(t.value);
        pr[i] = t.d_r;
        pa[i] = t.d_alpha;
        ps[i] = t.d_s;
        pb[i] = t.d_beta;
      }
      g0 = g1;
    }
  };

  // The likelihood's powers enter as r log alpha - (r+x) log(alpha+T) and s log beta -
  // s log(beta+T), which differ by little once alpha or beta is large against T: where the
  // fit runs along the ridge s, beta -> inf (dropout rates without heterogeneity; likewise
  // r, alpha for purchase rates), s log beta and s log(beta+T) are each ~1e7 per customer
  // and their difference O(1), which left the objective and its gradient with a rounding
  // noise far above the ridge's curvature (a Hessian of random sign there). So every such
  // difference is formed directly: log1p(tau/alpha) = log(alpha+tau) - log(alpha), and
  // T/(alpha(alpha+T)) = 1/alpha - 1/(alpha+T).
  const Eigen::ArrayXd aT = data.T.values + alpha, bT = data.T.values + beta;
  const Eigen::ArrayXd at = data.t_x.values + alpha, bt = data.t_x.values + beta;
  const Eigen::ArrayXd log_aT = (data.T.values / alpha).log1p(), log_bT = (data.T.values / beta).log1p();
  const Eigen::ArrayXd log_at = (data.t_x.values / alpha).log1p(), log_bt = (data.t_x.values / beta).log1p();
  const Eigen::ArrayXd inv_aT = aT.inverse(), inv_bT = bT.inverse();
  const Eigen::ArrayXd inv_at = at.inverse(), inv_bt = bt.inverse();
  const Eigen::ArrayXd gap_aT = data.T.values * inv_aT / alpha, gap_bT = data.T.values * inv_bT / beta;
  const double log_alpha = std::log(alpha);

  Eigen::ArrayXd log_psi;  // Psi per pair, filled once the pairs are done

  // Sums over rows [begin, end): log-likelihood and the four gradient components.
  auto accumulate = [&](Eigen::Index begin, Eigen::Index end, std::array<double, 5>& sums) {
    sums = {0.0, 0.0, 0.0, 0.0, 0.0};
    constexpr Eigen::Index block = 2048;
    Eigen::ArrayXd log_cP(block), delta(block);
    for (Eigen::Index b0 = begin; b0 < end; b0 += block) {
      const Eigen::Index m = std::min(block, end - b0);
      // gather: log(c P) and log(Q/P); delta = 0 marks t_x = T (nothing to integrate)
      for (Eigen::Index i = 0; i < m; ++i) {
        const auto u = static_cast<std::size_t>(b0 + i);
        const auto jx = static_cast<std::size_t>(data.x.index[u]);
        const std::int32_t jT = data.T.index[u], jt = data.t_x.index[u];
        const double rx = r + data.x.values[static_cast<Eigen::Index>(jx)];
        const double log_P = rx * (log_aT[jT] - log_at[jt]) + s * (log_bT[jT] - log_bt[jt]) +
                             log_psi[pairs.row_t[u]];
        log_cP[i] = log_c[jx] + log_P;
        const double d = log_psi[pairs.row_T[u]] - log_P;
        delta[i] = data.T.values[jT] > data.t_x.values[jt] ? std::min(d, 0.0) : 0.0;
      }
      // l = log(c (P - Q)); softplus(l) = max(l, 0) + log(1 + e^-|l|); sigma(l) its slope.
      // Eigen 3.4 evaluates select() one coefficient at a time (scalar exp and log):
      // the transcendental work goes into plain expressions first, vectorised.
      const auto dl = delta.head(m);
      const Eigen::ArrayXd rho = dl.exp();
      const Eigen::ArrayXd l_value = log_cP.head(m) + (1.0 - rho).log();
      const Eigen::ArrayXd l = (dl < 0.0).select(l_value, minus_inf);
      const Eigen::ArrayXd e = (-l.abs()).exp();
      const Eigen::ArrayXd softplus = l.max(0.0) + (1.0 + e).log();
      double ll = 0.0, g_r = 0.0, g_a = 0.0, g_s = 0.0, g_b = 0.0;
      if (!with_grad) {
        for (Eigen::Index i = 0; i < m; ++i) {
          const auto u = static_cast<std::size_t>(b0 + i);
          const auto jx = static_cast<std::size_t>(data.x.index[u]);
          const std::int32_t jT = data.T.index[u];
          const double x = data.x.values[static_cast<Eigen::Index>(jx)], rx = r + x;
          ll += data.rows.weight[b0 + i] *
                (fx.constant[jx] - x * log_alpha - rx * log_aT[jT] - s * log_bT[jT] + softplus[i]);
        }
        sums[0] += ll;
        continue;
      }
      const Eigen::ArrayXd sig = (l >= 0.0).select((1.0 + e).inverse(), e / (1.0 + e));
      // d softplus(l) = sigma(l) d log c + w (d log P - rho d log Q), w = c P / (1 + e^l):
      // no 0/0 as t_x -> T, where P - Q -> 0 (see the file comment)
      const Eigen::ArrayXd w_value = (log_cP.head(m) - softplus).exp();
      const Eigen::ArrayXd w = (dl < 0.0).select(w_value, 0.0);
      for (Eigen::Index i = 0; i < m; ++i) {
        const auto u = static_cast<std::size_t>(b0 + i);
        const auto jx = static_cast<std::size_t>(data.x.index[u]);
        const std::int32_t jT = data.T.index[u], jt = data.t_x.index[u];
        const double wi = data.rows.weight[b0 + i];
        const double x = data.x.values[static_cast<Eigen::Index>(jx)], rx = r + x, rsx = rx + s;
        const std::int32_t q = pairs.row_T[u], pt = pairs.row_t[u];
        const double wt = w[i], rh = rho[i], sg = sig[i];
        // 1/(a+T) - 1/(a+t_x) without cancellation
        const double span = data.t_x.values[jt] - data.T.values[jT];
        ll += wi * (fx.constant[jx] - x * log_alpha - rx * log_aT[jT] - s * log_bT[jT] + softplus[i]);
        g_r += wi * (fx.d_r[jx] - log_aT[jT] - sg / rsx +
                     wt * (log_aT[jT] - log_at[jt] + psi_r[pt] - rh * psi_r[q]));
        g_a += wi * (r * gap_aT[jT] - x * inv_aT[jT] +
                     wt * (rx * span * inv_aT[jT] * inv_at[jt] + psi_a[pt] - rh * psi_a[q]));
        g_s += wi * (-log_bT[jT] + sg * (1.0 / s - 1.0 / rsx) +
                     wt * (log_bT[jT] - log_bt[jt] + psi_s[pt] - rh * psi_s[q]));
        g_b += wi * (s * gap_bT[jT] +
                     wt * (s * span * inv_bT[jT] * inv_bt[jt] + psi_b[pt] - rh * psi_b[q]));
      }
      sums[0] += ll;
      sums[1] += g_r;
      sums[2] += g_a;
      sums[3] += g_s;
      sums[4] += g_b;
    }
  };

  // Two halves, always, so the sums do not depend on the machine's core count; on a
  // second thread when there is enough work to pay for starting it.
  const Eigen::Index n = data.rows.size(), half = n / 2;
  std::array<double, 5> lower{}, upper{};
  const bool two_threads = n >= 40'000 || n_pairs >= 20'000;
  if (two_threads) {
    std::thread worker([&] { compute_pairs(n_pairs / 2, n_pairs); });
    compute_pairs(0, n_pairs / 2);
    worker.join();
  } else {
    compute_pairs(0, n_pairs);
  }
  log_psi = psi.log();
  if (two_threads) {
    std::thread worker([&] { accumulate(half, n, upper); });
    accumulate(0, half, lower);
    worker.join();
  } else {
    accumulate(0, half, lower);
    accumulate(half, n, upper);
  }
  double ll = lower[0] + upper[0], g_r = lower[1] + upper[1], g_a = lower[2] + upper[2];
  double g_s = lower[3] + upper[3], g_b = lower[4] + upper[4];
  const double W = data.total_weight;
  const double value = -ll / W + penalizer * (r * r + alpha * alpha + s * s + beta * beta);
  if (grad) {
    // chain rule to log-parameters, then the penalty's derivative 2 c p^2
    grad[0] = -g_r * r / W + 2.0 * penalizer * r * r;
    grad[1] = -g_a * alpha / W + 2.0 * penalizer * alpha * alpha;
    grad[2] = -g_s * s / W + 2.0 * penalizer * s * s;
    grad[3] = -g_b * beta / W + 2.0 * penalizer * beta * beta;
    for (int k = 0; k < 4; ++k)
      if (!std::isfinite(grad[k])) return std::numeric_limits<double>::infinity();
  }
  if (!std::isfinite(value)) return std::numeric_limits<double>::infinity();
  return value;
}

/// The same, building the pair list itself (for single evaluations; the fitter builds it
/// once, see `model::prepare`).
inline double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                        double* grad) {
  return objective(log_params, data, detail::tail_pairs(data), penalizer, grad);
}

/// What the generic fitter needs to know about the model.
struct model {
  static constexpr int n_params = pareto_nbd::n_params;
  static constexpr std::array<const char*, 4> names = pareto_nbd::names;
  /// alpha and beta are times (rates' scales); r and s are pure numbers.
  static constexpr std::array<int, 4> time_power = {0, 1, 0, 1};
  /// lifetimes' Pareto/NBD objective is sum(w ll) / mean(w): a total over the input rows,
  /// not a mean, so its penalty weighs n times less than BG/NBD's.
  static constexpr bool sums_likelihood = true;
  /// The (x, tau) pairs of the data, found once per fit.
  using prepared = detail::tail_pairs;
  static prepared prepare(const compressed_rfm& data) { return prepared(data); }
  static double objective(const double* log_params, const compressed_rfm& data,
                          const prepared& pairs, double penalizer, double* grad) {
    return pareto_nbd::objective(log_params, data, pairs, penalizer, grad);
  }
  static double log_likelihood(const double* params, double x, double t_x, double T) {
    return pareto_nbd::log_likelihood(from_array(params), x, t_x, T);
  }
  /// lifetimes starts Nelder-Mead near (1, 1, 1, 1) on the rescaled axis; so do we.
  static std::array<double, 4> initial_log_params() { return {0.0, 0.0, 0.0, 0.0}; }
};

}  // namespace fastlifetimes::pareto_nbd

namespace fastlifetimes::pareto_nbd {

namespace detail {

using fastlifetimes::detail::value_codes;

/// What the predictions need of a history (x, t_x, T), from values kept per distinct
/// (x, tau) and per distinct tau, so that a customer costs table lookups, one exp and one
/// log. With Phi(x, tau) = log[(r+s+x) int_tau^inf (alpha+v)^-(r+x) (beta+v)^-(s+1) dv]
/// (= Psi(tau) + log A at tau) and Theta(x, T) = (r+x) log(alpha+T) + s log(beta+T)
/// (= -log A), the log-odds of the file comment is
///   l = log(s/(r+s+x)) + Phi(x, t_x) + Theta(x, T) + log(1 - exp(Phi(x, T) - Phi(x, t_x))).
///
/// Laid out for the memory system: each distinct tau gets a code from a small table, and
/// for whole frequencies below 4096 the values of the first 4096 distinct taus sit in one
/// dense row per frequency, indexed by that code. Most customers have few purchases, so the
/// rows in use stay in cache; a hash of (x, tau) pairs would miss it on nearly every lookup.
/// Later taus (ages with a time of day) go to such a hash all the same: dense rows for
/// them would grow to frequencies x taus (10k customers with spread frequencies and
/// continuous ages took 1 GB). A new pair sums its series from coefficients kept per
/// frequency (built for tau = 0, the largest y), so even a first sight costs
/// multiply-adds, not divisions.
class history_terms {
 public:
  explicit history_terms(const params& p)
      : p_(p),
        alpha_larger_(p.alpha >= p.beta),
        gap_(alpha_larger_ ? p.alpha - p.beta : p.beta - p.alpha),
        base_(alpha_larger_ ? p.alpha : p.beta) {}

  /// For m customers: log_cP[i] = log(s/(r+s+x)) + Phi(x, t_x) + Theta(x, T) and
  /// delta[i] = Phi(x, T) - Phi(x, t_x) (0 where t_x = T), and each T's code. Validates
  /// each row first (throws std::domain_error naming it, counted from `first_row`).
  void gather(const double* x, const double* t_x, const double* T, Eigen::Index m,
              std::size_t first_row, const char* name, double* log_cP, double* delta,
              std::int32_t* T_code) {
    check::prediction_rows(name, x, t_x, T, static_cast<std::size_t>(m), first_row);
    const Eigen::Map<const Eigen::ArrayXd> xs(x, m);
    // rows for every frequency of the block that gets one (those below the limit)
    const auto largest = static_cast<std::size_t>(std::min(xs.maxCoeff(), dense_limit - 1.0));
    if (largest >= rows_.size()) rows_.resize(largest + 1);
    for (Eigen::Index i = 0; i < m; ++i) {
      if (!(x[i] < dense_limit)) {
        direct(x[i], t_x[i], T[i], log_cP[i], delta[i]);
        T_code[i] = code_of(T[i]);
        continue;
      }
      const auto k = static_cast<std::size_t>(x[i]);
      const std::int32_t ct = code_of(t_x[i]), cT = code_of(T[i]);
      row_data& row = row_of(k);
      // copies: the second lookup may grow the row and move the first one's cell
      const cell at_t = cell_of(row, k, ct, t_x[i]);
      const cell at_T = cell_of(row, k, cT, T[i]);
      log_cP[i] = row.log_c + at_t.phi + at_T.theta;
      delta[i] = t_x[i] < T[i] ? std::min(at_T.phi - at_t.phi, 0.0) : 0.0;
      T_code[i] = cT;
    }
  }

 private:
  static constexpr double dense_limit = 4096.0;
  static constexpr std::size_t dense_taus = 4096;
  struct cell {
    double phi = std::numeric_limits<double>::quiet_NaN(), theta = 0.0;
  };
  struct row_data {
    std::vector<cell> cells;
    series_coefficients coefficients;
    double log_c = 0.0;
  };

  std::int32_t code_of(double tau) {
    const std::int32_t code = taus_.find_or_insert(tau);
    if (static_cast<std::size_t>(code) == log_a_.size()) {
      log_a_.push_back(std::log(p_.alpha + tau));
      log_b_.push_back(std::log(p_.beta + tau));
    }
    return code;
  }

  row_data& row_of(std::size_t k) {
    row_data& row = rows_[k];  // sized for the block's largest frequency by `gather`
    if (row.coefficients.a.empty()) {
      const double x = static_cast<double>(k);
      row.coefficients.build(alpha_larger_ ? p_.r + x : p_.s + 1.0, p_.r + p_.s + x + 1.0,
                             std::min(gap_ / base_, 0.99));
      row.log_c = std::log(p_.s / (p_.r + p_.s + x));
    }
    return row;
  }

  cell cell_of(row_data& row, std::size_t k, std::int32_t code, double tau) {
    const auto c = static_cast<std::size_t>(code);
    if (c >= dense_taus) {
      const double key[2] = {static_cast<double>(k), tau};
      const auto id = static_cast<std::size_t>(pairs_.find_or_insert(key));
      if (id == sparse_cells_.size()) sparse_cells_.push_back(computed_cell(row, k, c, tau));
      return sparse_cells_[id];
    }
    if (c >= row.cells.size()) row.cells.resize(std::min(std::max(c + 1, taus_.size()), dense_taus));
    cell& v = row.cells[c];
    if (std::isnan(v.phi)) v = computed_cell(row, k, c, tau);  // not computed yet
    return v;
  }

  cell computed_cell(const row_data& row, std::size_t k, std::size_t code, double tau) const {
    const double x = static_cast<double>(k);
    cell v;
    v.theta = (p_.r + x) * log_a_[code] + p_.s * log_b_[code];
    v.phi = psi(row.coefficients, x, tau) - v.theta;
    return v;
  }

  double psi(const series_coefficients& c, double x, double tau) const {
    const double G = c.value(gap_ / (base_ + tau));
    if (G == G) {  // not NaN: the series converged
      if (alpha_larger_) return std::log(G);
      return std::log(G * ((p_.alpha + tau) / (p_.beta + tau)));
    }
    return tail(p_.r, p_.alpha, p_.s, p_.beta, x, tau, false).value;
  }

  /// A frequency too large for a dense row: the log-odds on the spot, in the form of the
  /// scalar functions (Phi and Theta are then logs of size (r+x) log(alpha+T), whose
  /// difference would lose digits). Passed on as log_cP = l, delta = -inf (1 - e^delta = 1).
  void direct(double x, double t_x, double T, double& log_cP, double& delta) const {
    const double l = log_odds_dropped(p_, x, t_x, T);
    const bool dropped = l != -std::numeric_limits<double>::infinity();
    log_cP = dropped ? l : 0.0;
    delta = dropped ? -std::numeric_limits<double>::infinity() : 0.0;
  }

  params p_;
  value_codes taus_;
  std::vector<double> log_a_, log_b_;  ///< per tau code
  std::vector<row_data> rows_;
  fastlifetimes::detail::key_table<2> pairs_{64};  ///< (x, tau) beyond the dense taus
  std::vector<cell> sparse_cells_;
  bool alpha_larger_;
  double gap_, base_;
};

/// 1 / (1 + e^l) in place for l = log_cP + log(1 - e^delta) (-inf where delta = 0),
/// vectorised. 1 - e^delta rather than -expm1(delta), which Eigen does not vectorise:
/// near t_x = T its relative error eps/|delta| reaches l, but l then only matters
/// through e^l ~ c P |delta|, so P(alive) keeps a relative error of about c P eps.
/// Large l underflows to 0 rather than giving inf/inf. `l`, `e` are work arrays of at
/// least out.size() (kept by the caller: allocating them per block would let the heap
/// shrink and grow again, a page fault per page each time).
inline void probability_alive(const Eigen::ArrayXd& log_cP, const Eigen::ArrayXd& delta,
                              Eigen::ArrayXd& l, Eigen::ArrayXd& e, Eigen::Map<Eigen::ArrayXd> out) {
  const Eigen::Index m = out.size();
  // Eigen 3.4 evaluates select() one coefficient at a time: the transcendental work
  // goes into plain expressions first, vectorised, every element alike whatever its place
  // in the block (math/elementwise.hpp)
  e.head(m) = delta.head(m);
  math::exp_in_place(e.head(m));
  e.head(m) = 1.0 - e.head(m);
  math::log_in_place(e.head(m));
  e.head(m) += log_cP.head(m);
  l.head(m) = (delta.head(m) < 0.0).select(e.head(m), -std::numeric_limits<double>::infinity());
  e.head(m) = -l.head(m).abs();
  math::exp_in_place(e.head(m));
  out = (1.0 + e.head(m)).inverse();
  out = (l.head(m) > 0.0).select(e.head(m) * out, out);
  // Eigen's exp stops at the smallest normal double instead of underflowing: where
  // e^-l is that small, the scalar form (0 or a subnormal) replaces it
  if ((l.head(m) > 700.0).any())
    for (Eigen::Index i = 0; i < m; ++i)
      if (l[i] > 700.0) out[i] = logistic_of_minus(l[i]);
}

}  // namespace detail

/// P(alive) over n customers (note 009 eq. 36-37). Throws std::domain_error naming the
/// first invalid row.
inline void conditional_probability_alive(const params& p, const double* x, const double* t_x,
                                          const double* T, std::size_t n, double* out) {
  const char* name = "conditional_probability_alive";
  check_params(name, p);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    constexpr std::size_t block = 4096;
    detail::history_terms terms(p);
    Eigen::ArrayXd log_cP(block), delta(block), work_l(block), work_e(block);
    std::vector<std::int32_t> T_code(block);
    for (std::size_t b0 = begin; b0 < end; b0 += block) {
      const auto m = static_cast<Eigen::Index>(std::min(block, end - b0));
      terms.gather(x + b0, t_x + b0, T + b0, m, b0, name, log_cP.data(), delta.data(), T_code.data());
      detail::probability_alive(log_cP, delta, work_l, work_e, Eigen::Map<Eigen::ArrayXd>(out + b0, m));
    }
  });
}

/// E[X(T, T+t] | x, t_x, T] over n customers (note 009 eq. 41). Throws std::domain_error
/// naming the first invalid row.
inline void conditional_expected_number_of_purchases_up_to_time(const params& p, const double* t,
                                                                const double* x,
                                                                const double* t_x,
                                                                const double* T, std::size_t n,
                                                                double* out) {
  const char* name = "conditional_expected_number_of_purchases_up_to_time";
  check_params(name, p);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    constexpr std::size_t block = 4096;
    detail::history_terms terms(p);
    // (beta+T)/(alpha+T) times the survival integral depends on (t, T) alone; nearly
    // always t is one number, and then it is kept per T code (T a few hundred whole-day
    // ages). Rows with another t compute it on the spot.
    double cached_t = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> per_T;
    auto factor_of = [&](double t, double age) {
      return t == 0.0 ? 0.0
                      : (p.beta + age) / (p.alpha + age) * detail::survival_integral(p.s, p.beta + age, t);
    };
    Eigen::ArrayXd log_cP(block), delta(block), factor(block), work_l(block), work_e(block);
    std::vector<std::int32_t> T_code(block);
    for (std::size_t b0 = begin; b0 < end; b0 += block) {
      const auto m = static_cast<Eigen::Index>(std::min(block, end - b0));
      terms.gather(x + b0, t_x + b0, T + b0, m, b0, name, log_cP.data(), delta.data(), T_code.data());
      for (Eigen::Index i = 0; i < m; ++i) {
        const auto u = b0 + static_cast<std::size_t>(i);
        check::horizon(name, u, t[u]);
        if (std::isnan(cached_t)) cached_t = t[u];
        if (t[u] != cached_t) {
          factor[i] = factor_of(t[u], T[u]);
          continue;
        }
        const auto c = static_cast<std::size_t>(T_code[static_cast<std::size_t>(i)]);
        if (c >= per_T.size()) per_T.resize(c + 1, std::numeric_limits<double>::quiet_NaN());
        if (std::isnan(per_T[c])) per_T[c] = factor_of(t[u], T[u]);
        factor[i] = per_T[c];
      }
      Eigen::Map<Eigen::ArrayXd> expected(out + b0, m);
      detail::probability_alive(log_cP, delta, work_l, work_e, expected);
      const Eigen::Map<const Eigen::ArrayXd> xs(x + b0, m);
      expected *= (p.r + xs) * factor.head(m);
    }
  });
}

/// P(X(T, T+t] = n | x, t_x, T) over customers (note 028). Throws std::domain_error naming
/// the first invalid row.
inline void conditional_probability_of_n_purchases_up_to_time(const params& p, const double* n_purchases,
                                                              const double* t, const double* x,
                                                              const double* t_x, const double* T,
                                                              std::size_t n, double* out) {
  const char* name = "conditional_probability_of_n_purchases_up_to_time";
  check_params(name, p);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      check::prediction_row(name, i, x[i], t_x[i], T[i]);
      check::horizon(name, i, t[i]);
      if (!check::valid_prediction_row(n_purchases[i], 0.0, 0.0))
        throw std::domain_error(std::string(name) + ": n must be a non-negative integer (row " +
                                std::to_string(i) + ")");
      out[i] = conditional_probability_of_n_purchases_up_to_time(p, n_purchases[i], t[i], x[i], t_x[i], T[i]);
    }
  }, 2'000);
}

}  // namespace fastlifetimes::pareto_nbd
