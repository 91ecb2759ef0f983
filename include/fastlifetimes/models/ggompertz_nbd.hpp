#pragma once
/// The GGompertz/NBD model of Bemmaor & Glady (2012), "Modeling purchasing behavior with
/// sudden 'death': a flexible customer lifetime model", Management Science 58(5),
/// 1012-1021.
///
/// While alive, a customer purchases as a Poisson process with rate lambda ~ Gamma(r, alpha)
/// (the NBD). Their lifetime tau is Gompertz with hazard eta b e^(b tau), and
/// eta ~ Gamma(s, beta), so across customers
///   S(tau) = (beta / (beta + e^(b tau) - 1))^s,
///   g(tau) = -S'(tau) = s b e^(b tau) beta^s / (beta + e^(b tau) - 1)^(s+1).
/// b -> 0 with beta / b fixed gives the Pareto/NBD with beta_pnbd = beta / b (then
/// e^(b tau) - 1 ~ b tau): on the CDNOW data the maximum likelihood runs to that boundary.
///
/// Likelihood of a history (x, t_x, T): given lambda and tau the purchase times
/// have density lambda^x e^(-lambda min(tau, T)); integrating lambda out,
///   L = Gamma(r+x) alpha^r / Gamma(r) * [ S(T) (alpha+T)^-(r+x)
///                                        + int_{t_x}^T g(tau) (alpha+tau)^-(r+x) dtau ].
/// The integral has no closed form. It is computed by adaptive Gauss-Kronrod (15 points,
/// error from the embedded 7-point Gauss rule; Boost.Math's nodes) on u = log((alpha+tau) /
/// (alpha+t_x)), which turns (alpha+tau)^-(r+x) into an exponential and moves its
/// singularity at tau = -alpha to u = -inf, out of the way of the panels; the panels are
/// refined (at most 64) until the estimated error is below 1e-11 of the whole likelihood.
///
/// Gradient: analytic, by differentiating under the integral sign at fixed tau; the
/// derivative integrands are summed on the panels the value chose, so a gradient costs
/// about as much as a value. It is the exact gradient up to the quadrature error (1e-11
/// relative), not the derivative of the quadrature sum (whose nodes move with alpha).

#include <Eigen/Core>

#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/core/parallel.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/math/special.hpp"

namespace fastlifetimes::ggompertz_nbd {

struct params {
  double r, alpha, b, s, beta;
};

inline constexpr int n_params = 5;
inline constexpr std::array<const char*, 5> names = {"r", "alpha", "b", "s", "beta"};

inline params from_array(const double* p) { return {p[0], p[1], p[2], p[3], p[4]}; }

inline void check_params(const char* function, const params& p) {
  check::positive_finite(function, "r", p.r);
  check::positive_finite(function, "alpha", p.alpha);
  check::positive_finite(function, "b", p.b);
  check::positive_finite(function, "s", p.s);
  check::positive_finite(function, "beta", p.beta);
}

namespace detail {

/// log(beta + e^y - 1) for y = b tau >= 0, without overflow for large y and without
/// cancellation for small y and beta (the b -> 0 boundary): both forms add non-negatives.
inline double log_beta_plus(double beta, double y) {
  if (y > 1.0) return y + std::log(beta * std::exp(-y) - std::expm1(-y));
  return std::log(beta + std::expm1(y));
}

/// e^y / (beta + e^y - 1) = 1 / (beta e^-y + 1 - e^-y), the same care.
inline double growth_share(double beta, double y) {
  return 1.0 / (beta * std::exp(-y) - std::expm1(-y));
}

/// log S(tau) = s (log beta - log(beta + e^(b tau) - 1)).
inline double log_survival(const params& p, double tau) {
  return p.s * (std::log(p.beta) - log_beta_plus(p.beta, p.b * tau));
}

/// The Gauss-Kronrod 15-point rule's non-negative nodes and weights, and the 7-point
/// Gauss weights; the Gauss nodes are the Kronrod nodes 0, 2, 4, 6.
struct gk15 {
  const std::array<double, 8>& node = boost::math::quadrature::gauss_kronrod<double, 15>::abscissa();
  const std::array<double, 8>& kronrod = boost::math::quadrature::gauss_kronrod<double, 15>::weights();
  const std::array<double, 4>& gauss = boost::math::quadrature::gauss<double, 7>::weights();
};

/// log(A + I) for one history, A = S(T) (alpha+T)^-(r+x) and I the integral of the file
/// comment; `log_A` receives log A. With `grad`, fills d log(A + I) / d(r, alpha, b, s, beta).
inline double log_bracket(const params& p, double x, double t_x, double T, double* log_A_out,
                          double* grad) {
  const double rx = p.r + x;
  const double log_beta = std::log(p.beta);
  const double y_T = p.b * T;
  const double D_T = log_beta_plus(p.beta, y_T);
  const double log_A = p.s * (log_beta - D_T) - rx * std::log(p.alpha + T);
  if (log_A_out) *log_A_out = log_A;
  double dA[5] = {};
  if (grad) {
    dA[0] = -std::log(p.alpha + T);
    dA[1] = -rx / (p.alpha + T);
    dA[2] = -p.s * T * growth_share(p.beta, y_T);
    dA[3] = log_beta - D_T;
    dA[4] = p.s / p.beta - p.s * std::exp(-D_T);
  }
  if (!(T > t_x)) {
    if (grad)
      for (int k = 0; k < 5; ++k) grad[k] = dA[k];
    return log_A;
  }
  // tau(u) = t_x + (alpha + t_x) expm1(u), u in [0, L]; dtau = (alpha + t_x) e^u du
  const double base = p.alpha + t_x, log_base = std::log(base);
  const double L = std::log1p((T - t_x) / base);
  const double log_const = std::log(p.s) + std::log(p.b) + p.s * log_beta + log_base;
  // log of the integrand in u, and (with d) the derivatives of log g(tau)(alpha+tau)^-(r+x)
  auto q = [&](double u, double* d) {
    const double tau = t_x + base * std::expm1(u);
    const double y = p.b * tau;
    const double D = log_beta_plus(p.beta, y);
    const double log_alpha_tau = log_base + u;
    if (d) {
      d[0] = -log_alpha_tau;
      d[1] = -rx * std::exp(-log_alpha_tau);
      d[2] = 1.0 / p.b + tau - (p.s + 1.0) * tau * growth_share(p.beta, y);
      d[3] = 1.0 / p.s + log_beta - D;
      d[4] = p.s / p.beta - (p.s + 1.0) * std::exp(-D);
    }
    return log_const + y - (p.s + 1.0) * D - rx * log_alpha_tau + u;
  };
  const double scale = std::max({log_A, q(0.0, nullptr), q(L, nullptr)});
  static const gk15 rule;
  // Globally adaptive: split the panel with the largest error estimate |K15 - G7| until
  // the summed estimate is below 1e-11 of A + I (the K15 sums themselves are far more
  // accurate than that), or max_panels are in use; bounded work per history.
  struct panel {
    double a, b, K, error;
    std::array<double, 5> dK;
  };
  constexpr std::size_t max_panels = 64;
  std::array<panel, max_panels> panels{};
  std::size_t used = 0;
  auto evaluate = [&](double a, double b) {
    panel P{a, b, 0.0, 0.0, {}};
    const double half = 0.5 * (b - a), mid = 0.5 * (a + b);
    double G = 0.0;
    for (std::size_t j = 0; j < 8; ++j) {
      const int sides = j == 0 ? 1 : 2;
      for (int side = 0; side < sides; ++side) {
        const double u = side == 0 ? mid + half * rule.node[j] : mid - half * rule.node[j];
        double d[5] = {};
        const double v = std::exp(q(u, grad ? d : nullptr) - scale);
        P.K += rule.kronrod[j] * v;
        if (j % 2 == 0) G += rule.gauss[j / 2] * v;
        if (grad)
          for (std::size_t k = 0; k < 5; ++k) P.dK[k] += rule.kronrod[j] * v * d[k];
      }
    }
    P.K *= half;
    P.error = std::abs(P.K - half * G);
    for (double& v : P.dK) v *= half;
    return P;
  };
  // two first panels: a narrow peak (a large b) is less likely to fall between all nodes
  panels[used++] = evaluate(0.0, L / 2);
  panels[used++] = evaluate(L / 2, L);
  const double A_scaled = std::exp(log_A - scale);
  for (;;) {
    double integral = 0.0, error = 0.0;
    std::size_t worst = 0;
    for (std::size_t k = 0; k < used; ++k) {
      integral += panels[k].K;
      error += panels[k].error;
      if (panels[k].error > panels[worst].error) worst = k;
    }
    if (!(error > 1e-11 * (A_scaled + integral)) || used == max_panels) break;
    const panel P = panels[worst];
    const double mid = 0.5 * (P.a + P.b);
    panels[worst] = evaluate(P.a, mid);
    panels[used++] = evaluate(mid, P.b);
  }
  double integral = 0.0, d_integral[5] = {};
  for (std::size_t k = 0; k < used; ++k) {
    integral += panels[k].K;
    for (std::size_t j = 0; j < 5; ++j) d_integral[j] += panels[k].dK[j];
  }
  const double A = std::exp(log_A - scale), total = A + integral;
  if (grad)
    for (int k = 0; k < 5; ++k) grad[k] = (A * dA[k] + d_integral[k]) / total;
  return scale + std::log(total);
}

}  // namespace detail

/// S(tau) = (beta / (beta + e^(b tau) - 1))^s: the share of customers alive tau after
/// their first purchase.
inline double survival(const params& p, double tau) { return std::exp(detail::log_survival(p, tau)); }

/// Log-likelihood of one history (x, t_x, T) (file comment).
inline double log_likelihood(const params& p, double x, double t_x, double T) {
  return math::log_gamma(p.r + x) - math::log_gamma(p.r) + p.r * std::log(p.alpha) +
         detail::log_bracket(p, x, t_x, T, nullptr, nullptr);
}

/// P(alive at T | x, t_x, T) = S(T) (alpha+T)^-(r+x) / [S(T) (alpha+T)^-(r+x) + I].
inline double conditional_probability_alive(const params& p, double x, double t_x, double T) {
  double log_A = 0.0;
  const double log_total = detail::log_bracket(p, x, t_x, T, &log_A, nullptr);
  return std::exp(log_A - log_total);
}

namespace detail {

/// int_0^t S(T + v) / S(T) dv: the expected time alive in (T, T + t] of someone alive at T.
inline double expected_time_alive(const params& p, double T, double t) {
  if (!(t > 0.0)) return 0.0;
  const double log_S_T = log_survival(p, T);
  auto f = [&](double v) { return std::exp(log_survival(p, T + v) - log_S_T); };
  return boost::math::quadrature::gauss_kronrod<double, 31>::integrate(f, 0.0, t, 20, 1e-12);
}

}  // namespace detail

/// E[X(T, T + t) | x, t_x, T]: P(alive) E[lambda | x, alive at T] E[time alive in (T, T+t]],
/// where lambda | (x, alive at T) ~ Gamma(r + x, alpha + T) and, lambda and tau being
/// independent, tau | tau > T follows S(tau)/S(T).
inline double conditional_expected_number_of_purchases_up_to_time(const params& p, double t,
                                                                   double x, double t_x,
                                                                   double T) {
  if (!(t > 0.0)) return 0.0;
  return conditional_probability_alive(p, x, t_x, T) * (p.r + x) / (p.alpha + T) *
         detail::expected_time_alive(p, T, t);
}

/// E[X(t)] for a new customer: E[lambda] E[min(tau, t)] = (r / alpha) int_0^t S(v) dv.
inline double expected_number_of_purchases_up_to_time(const params& p, double t) {
  return p.r / p.alpha * detail::expected_time_alive(p, 0.0, t);
}

/// Weighted mean negative log-likelihood at exp(log_params) plus penalizer * sum(params^2),
/// over compressed (rescaled) rows; fills `grad` (d/d log_params) when not null. Returns
/// +inf where the likelihood cannot be evaluated.
inline double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                        double* grad) {
  const params p{std::exp(log_params[0]), std::exp(log_params[1]), std::exp(log_params[2]),
                 std::exp(log_params[3]), std::exp(log_params[4])};
  for (double v : {p.r, p.alpha, p.b, p.s, p.beta})
    if (!(v > 0.0 && v < std::numeric_limits<double>::infinity()))
      return std::numeric_limits<double>::infinity();
  using sums = std::array<double, 6>;
  auto accumulate = [&](Eigen::Index begin, Eigen::Index end, sums& out) {
    sums acc{};
    double g[5] = {};
    for (Eigen::Index i = begin; i < end; ++i) {
      const double w = data.rows.weight[i];
      if (w == 0.0) continue;
      const double x = data.rows.frequency[i];
      acc[0] += w * (math::log_gamma(p.r + x) +
                     detail::log_bracket(p, x, data.rows.recency[i], data.rows.T[i], nullptr,
                                         grad ? g : nullptr));
      if (grad) {
        g[0] += math::digamma(p.r + x);
        for (std::size_t k = 0; k < 5; ++k) acc[k + 1] += w * g[k];
      }
    }
    out = acc;
  };
  const sums total = sum_in_two_halves<sums>(data.rows.size(), 400, accumulate);
  const double W = data.total_weight;
  const double ll = total[0] + W * (p.r * std::log(p.alpha) - math::log_gamma(p.r));
  const double theta[5] = {p.r, p.alpha, p.b, p.s, p.beta};
  double penalty = 0.0;
  for (double t : theta) penalty += t * t;
  const double value = -ll / W + penalizer * penalty;
  if (!std::isfinite(value)) return std::numeric_limits<double>::infinity();
  if (grad) {
    double d[5] = {};
    for (std::size_t k = 0; k < 5; ++k) d[k] = total[k + 1];
    d[0] += W * (std::log(p.alpha) - math::digamma(p.r));
    d[1] += W * p.r / p.alpha;
    for (int k = 0; k < 5; ++k)
      grad[k] = -d[k] * theta[k] / W + 2.0 * penalizer * theta[k] * theta[k];
  }
  return value;
}

/// What the generic fitter needs (see bgnbd::model).
struct model {
  static constexpr int n_params = ggompertz_nbd::n_params;
  static constexpr std::array<const char*, 5> names = ggompertz_nbd::names;
  /// alpha is a time, b a rate (1/time); r, s and beta are pure numbers.
  static constexpr std::array<int, 5> time_power = {0, 1, -1, 0, 0};
  static double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                          double* grad) {
    return ggompertz_nbd::objective(log_params, data, penalizer, grad);
  }
  static double log_likelihood(const double* params, double x, double t_x, double T) {
    return ggompertz_nbd::log_likelihood(from_array(params), x, t_x, T);
  }
  /// All ones on the rescaled axis (max T = 1): a Gompertz acceleration e^b = 2.7 over the
  /// observation window, from which both a Pareto/NBD-like (b -> 0) and a strongly ageing
  /// solution are reachable.
  static std::array<double, 5> initial_log_params() { return {0.0, 0.0, 0.0, 0.0, 0.0}; }
};

/// out[i] = f(i) for the customers (x, t_x, T) after checking them and p, on the
/// machine's cores (each row costs a quadrature, so threads pay from a few thousand rows).
template <class F>
void over_customers(const char* name, const params& p, const double* x, const double* t_x,
                    const double* T, std::size_t n, double* out, F&& f) {
  check_params(name, p);
  check::prediction_rows(name, x, t_x, T, n, 0);
  parallel_for(
      n,
      [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) out[i] = f(i);
      },
      2000);
}

/// P(alive) over customers: out[i] = P(alive at T[i] | x[i], t_x[i], T[i]). Throws
/// std::domain_error naming the first invalid row.
inline void conditional_probability_alive(const params& p, const double* x, const double* t_x,
                                          const double* T, std::size_t n, double* out) {
  over_customers("conditional_probability_alive", p, x, t_x, T, n, out, [&](std::size_t i) {
    return conditional_probability_alive(p, x[i], t_x[i], T[i]);
  });
}

/// The conditional expectation over customers, each with its own horizon t[i] >= 0.
/// Throws std::domain_error naming the first invalid row.
inline void conditional_expected_number_of_purchases_up_to_time(const params& p, const double* t,
                                                                const double* x,
                                                                const double* t_x,
                                                                const double* T, std::size_t n,
                                                                double* out) {
  for (std::size_t i = 0; i < n; ++i)
    check::horizon("conditional_expected_number_of_purchases_up_to_time", i, t[i]);
  over_customers("conditional_expected_number_of_purchases_up_to_time", p, x, t_x, T, n, out,
                 [&](std::size_t i) {
                   return conditional_expected_number_of_purchases_up_to_time(p, t[i], x[i],
                                                                              t_x[i], T[i]);
                 });
}

/// Per-customer log-likelihoods, checked (histories as check::rfm_row).
inline void log_likelihood(const params& p, const double* x, const double* t_x, const double* T,
                           std::size_t n, double* out) {
  check_params("log_likelihood", p);
  for (std::size_t i = 0; i < n; ++i) check::rfm_row("log_likelihood", i, x[i], t_x[i], T[i]);
  parallel_for(
      n,
      [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) out[i] = log_likelihood(p, x[i], t_x[i], T[i]);
      },
      2000);
}

}  // namespace fastlifetimes::ggompertz_nbd
