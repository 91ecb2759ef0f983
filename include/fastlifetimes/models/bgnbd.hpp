#pragma once
/// The BG/NBD model of Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way:
/// An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284.
/// Purchases follow a Poisson process with rate lambda ~ Gamma(r, alpha); after each
/// purchase the customer drops out with probability p ~ Beta(a, b).

#include <Eigen/Core>
#include <boost/math/special_functions/beta.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/core/parallel.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/math/elementwise.hpp"
#include "fastlifetimes/math/special.hpp"

namespace fastlifetimes::bgnbd {

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

/// Log-likelihood of one customer history, FHL (2005) eq. 6:
/// L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / Gamma(r)
///     * [ (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) ].
/// The bracket is summed in log space so that neither power underflows (Fader & Hardie's
/// note 027 on the #NUM! error).
inline double log_likelihood(const params& p, double x, double t_x, double T) {
  const double common = math::log_gamma(p.r + x) - math::log_gamma(p.r) + p.r * std::log(p.alpha) +
                        math::lbeta(p.a, p.b + x) - math::lbeta(p.a, p.b);
  const double alive = -(p.r + x) * std::log(p.alpha + T);
  if (x == 0.0) return common + alive;
  const double dropped = std::log(p.a) - std::log(p.b + x - 1.0) - (p.r + x) * std::log(p.alpha + t_x);
  return common + math::log_sum_exp(alive, dropped);
}

/// Per-customer log-likelihoods. Throws std::domain_error on invalid parameters or rows.
inline Eigen::ArrayXd log_likelihood(const params& p, const rfm& data) {
  check_params("bgnbd::log_likelihood", p);
  Eigen::ArrayXd out(data.size());
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    check::rfm_row("bgnbd::log_likelihood", static_cast<std::size_t>(i), data.frequency[i],
                   data.recency[i], data.T[i]);
    out[i] = log_likelihood(p, data.frequency[i], data.recency[i], data.T[i]);
  }
  return out;
}

namespace detail {

/// Terms of the log-likelihood that depend on the frequency x alone, for each distinct x:
/// lnGamma(r+x) - lnGamma(r) + lnB(a, b+x+s) - lnB(a, b) without the lnGamma(a) terms, and
/// its derivatives, where s is the number of drop-out chances beyond the purchases: 0 for
/// BG/NBD, 1 for MBG/NBD (which may also drop out at time 0). For integer x they are
/// running sums of log(r+j) and 1/(r+j) etc., which cost a log and a division per step
/// instead of lgamma and digamma calls.
struct frequency_terms {
  std::vector<double> constant, d_r, d_a, d_b;
  std::vector<double> log_b1, inv_b1;  ///< log and inverse of b + x - 1 + s (x > 0 when s = 0)

  frequency_terms(const Eigen::ArrayXd& xs, double max_x, double r, double a, double b,
                  int shift = 0) {
    const auto nx = static_cast<std::size_t>(xs.size());
    const double s = shift;
    log_b1.resize(nx);
    inv_b1.resize(nx);
    for (std::size_t j = 0; j < nx; ++j) {
      const double b1 = b + std::max(xs[static_cast<Eigen::Index>(j)], 1.0 - s) - 1.0 + s;
      log_b1[j] = std::log(b1);
      inv_b1[j] = 1.0 / b1;
    }
    constant.resize(nx);
    d_r.resize(nx);
    d_a.resize(nx);
    d_b.resize(nx);
    if (max_x <= 4096.0 && max_x <= 64.0 * static_cast<double>(nx) + 64.0) {
      // prefix sums over j < k, for k up to max_x + shift
      const auto m = static_cast<std::size_t>(max_x) + 1 + static_cast<std::size_t>(shift);
      std::vector<double> lr(m), lb(m), lab(m), ir(m), ib(m), iab(m);
      double sr = 0, sb = 0, sab = 0, tr = 0, tb = 0, tab = 0;
      for (std::size_t k = 0; k < m; ++k) {
        lr[k] = sr, lb[k] = sb, lab[k] = sab, ir[k] = tr, ib[k] = tb, iab[k] = tab;
        const double j = static_cast<double>(k);
        sr += std::log(r + j);
        sb += std::log(b + j);
        sab += std::log(a + b + j);
        tr += 1.0 / (r + j);
        tb += 1.0 / (b + j);
        tab += 1.0 / (a + b + j);
      }
      for (std::size_t j = 0; j < nx; ++j) {
        const auto k = static_cast<std::size_t>(xs[static_cast<Eigen::Index>(j)]);
        const std::size_t ks = k + static_cast<std::size_t>(shift);
        constant[j] = lr[k] + lb[ks] - lab[ks];
        d_r[j] = ir[k];
        d_a[j] = -iab[ks];
        d_b[j] = ib[ks] - iab[ks];
      }
      return;
    }
    const double lg_r = math::log_gamma(r), lg_b = math::log_gamma(b), lg_ab = math::log_gamma(a + b);
    const double dg_r = math::digamma(r), dg_b = math::digamma(b), dg_ab = math::digamma(a + b);
    for (std::size_t j = 0; j < nx; ++j) {
      const double x = xs[static_cast<Eigen::Index>(j)];
      const double dg_abx = math::digamma(a + b + x + s);
      constant[j] = math::log_gamma(r + x) - lg_r + lg_ab + math::log_gamma(b + x + s) - lg_b -
                    math::log_gamma(a + b + x + s);
      d_r[j] = math::digamma(r + x) - dg_r;
      d_a[j] = dg_ab - dg_abx;
      d_b[j] = dg_ab + math::digamma(b + x + s) - dg_b - dg_abx;
    }
  }
};

/// The objective of `bgnbd::objective` for a drop-out chance at each purchase and, with
/// shift = 1, also at time 0 (MBG/NBD, which shares everything else with BG/NBD).
inline double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                        double* grad, int shift) {
  const double r = std::exp(log_params[0]), alpha = std::exp(log_params[1]);
  const double a = std::exp(log_params[2]), b = std::exp(log_params[3]);
  // an optimiser's wild step can leave the representable range (exp under/overflows);
  // answer +inf so it backs off, rather than let the special functions throw
  for (double v : {r, alpha, a, b})
    if (!(v >= 1e-300 && v <= 1e300)) {
      if (grad) std::fill(grad, grad + 4, 0.0);
      return std::numeric_limits<double>::infinity();
    }
  const double log_alpha = std::log(alpha), log_a = std::log(a);
  // exp under- or overflows far from the data: no likelihood there (and digamma would
  // throw at 0)
  for (double v : {r, alpha, a, b})
    if (!(v > 0.0 && v < std::numeric_limits<double>::infinity()))
      return std::numeric_limits<double>::infinity();

  const frequency_terms fx(data.x.values, data.max_frequency, r, a, b, shift);
  // log(alpha + T) and log(alpha + t_x), once per distinct value.
  const Eigen::ArrayXd T_shift = data.T.values + alpha;
  const Eigen::ArrayXd T_log = T_shift.log(), T_inv = T_shift.inverse();
  const Eigen::ArrayXd tx_shift = data.t_x.values + alpha;
  const Eigen::ArrayXd tx_log = tx_shift.log(), tx_inv = tx_shift.inverse();

  // Sums over rows [begin, end): log-likelihood and the four gradient components. Rows go
  // in blocks that stay in cache: whole-range temporaries would be fresh memory on every
  // evaluation, and streaming them costs more than the arithmetic. The block length is a
  // multiple of every SIMD width, so each row is computed as in one long pass.
  auto accumulate = [&](Eigen::Index begin, Eigen::Index end, std::array<double, 5>& sums) {
    constexpr Eigen::Index block = 2048;
    Eigen::ArrayXd diff_buffer(std::min(block, end - begin)), rx_buffer(diff_buffer.size());
    Eigen::ArrayXd e_buffer(diff_buffer.size()), softplus_buffer(diff_buffer.size());
    Eigen::ArrayXd w_buffer(diff_buffer.size());
    double ll = 0.0, g_r = 0.0, g_alpha = 0.0, g_a = 0.0, g_b = 0.0;
    for (Eigen::Index b0 = begin; b0 < end; b0 += block) {
      const Eigen::Index n = std::min(block, end - b0);
      auto diff = diff_buffer.head(n), rx = rx_buffer.head(n), e = e_buffer.head(n);
      auto softplus = softplus_buffer.head(n), w_dropped = w_buffer.head(n);
      // Gather each row's exponent difference between the "dropped after the last
      // purchase" and "still alive" terms; the transcendental part then runs vectorised.
      for (Eigen::Index i = 0; i < n; ++i) {
        const auto u = static_cast<std::size_t>(b0 + i);
        const std::int32_t jx = data.x.index[u];
        const double x = data.x.values[jx];
        rx[i] = r + x;
        diff[i] = x == 0.0 && shift == 0 ? -std::numeric_limits<double>::infinity()
                                         : log_a - fx.log_b1[static_cast<std::size_t>(jx)] +
                                               rx[i] * (T_log[data.T.index[u]] - tx_log[data.t_x.index[u]]);
      }
      // softplus(diff) = max(diff, 0) + log(1 + exp(-|diff|)); its derivative is the
      // weight of the "dropped" term, logistic(diff). log(1 + e) rather than log1p(e):
      // Eigen vectorises log but not log1p, and for e < 1 the absolute error stays below
      // 1e-16.
      e = (-diff.abs()).exp();
      softplus = diff.max(0.0) + (1.0 + e).log();
      w_dropped = (1.0 + e).inverse();
      w_dropped = (diff >= 0.0).select(w_dropped, e * w_dropped);

      for (Eigen::Index i = 0; i < n; ++i) {
        const auto u = static_cast<std::size_t>(b0 + i);
        const auto jx = static_cast<std::size_t>(data.x.index[u]);
        const std::int32_t jT = data.T.index[u], jt = data.t_x.index[u];
        const double wd = w_dropped[i], wa = 1.0 - wd, wi = data.rows.weight[b0 + i];
        ll += wi * (fx.constant[jx] - rx[i] * T_log[jT] + softplus[i]);
        if (grad) {
          g_r += wi * (fx.d_r[jx] - wa * T_log[jT] - wd * tx_log[jt]);
          g_alpha += wi * rx[i] * (wa * T_inv[jT] + wd * tx_inv[jt]);
          g_a += wi * (fx.d_a[jx] + wd / a);
          g_b += wi * (fx.d_b[jx] - wd * fx.inv_b1[jx]);
        }
      }
    }
    sums = {ll, g_r, g_alpha, g_a, g_b};
  };
  // Two halves, always, so the sums do not depend on the machine's core count; on a
  // second thread when there are enough rows to pay for starting it.
  const Eigen::Index n = data.rows.size(), half = n / 2;
  std::array<double, 5> lower{}, upper{};
  if (n >= 40'000) {
    std::thread worker([&] { accumulate(half, n, upper); });
    accumulate(0, half, lower);
    worker.join();
  } else {
    accumulate(0, half, lower);
    accumulate(half, n, upper);
  }
  double ll = lower[0] + upper[0], g_r = lower[1] + upper[1], g_alpha = lower[2] + upper[2];
  double g_a = lower[3] + upper[3], g_b = lower[4] + upper[4];
  const double W = data.total_weight;
  ll += W * r * log_alpha;
  const double value = -ll / W + penalizer * (r * r + alpha * alpha + a * a + b * b);
  if (grad) {
    g_r += W * log_alpha;
    g_alpha = W * r / alpha - g_alpha;
    // chain rule to log-parameters, then the penalty's derivative 2 * c * p^2
    grad[0] = -g_r * r / W + 2.0 * penalizer * r * r;
    grad[1] = -g_alpha * alpha / W + 2.0 * penalizer * alpha * alpha;
    grad[2] = -g_a * a / W + 2.0 * penalizer * a * a;
    grad[3] = -g_b * b / W + 2.0 * penalizer * b * b;
  }
  if (!std::isfinite(value)) return std::numeric_limits<double>::infinity();
  return value;
}

}  // namespace detail

/// lifetimes' objective: the weighted mean negative log-likelihood at parameters
/// exp(log_params) (time already rescaled in `data`), plus penalizer * sum(params^2).
/// Fills `grad` (d/d log_params) when it is not null. Returns +inf where the likelihood
/// cannot be evaluated, so that an optimiser backs off instead of failing.
inline double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                        double* grad) {
  return detail::objective(log_params, data, penalizer, grad, 0);
}

/// A starting point in lifetimes' convention: log-parameters 0.1 on the rescaled time axis.
inline std::array<double, 4> default_initial_log_params() { return {0.1, 0.1, 0.1, 0.1}; }

namespace detail {

/// (1 - S) / (a - 1), where S = (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z) is the quantity in
/// FHL (2005) eq. 10 (and eq. 9 with x = 0, T = 0). Euler's transformation gives
/// S = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z) = (1-z)^eps (1 + eps G) with eps = a-1,
/// so (1 - S)/eps = -expm1(eps L)/eps - G (1-z)^eps with L = log(1-z): no cancellation
/// near a = 1, where the paper's form divides 0 by 0. G's terms alternate when
/// a+b-1-r < 0 (r large): if they cancel, or the series overflows, S is taken from the
/// paper's form in log space instead, which then has terms of one sign.
inline double one_minus_survival_over_a_minus_1(const params& p, double x, double z) {
  const double eps = p.a - 1.0;
  const double A = p.a + p.b - 1.0 - p.r;
  const double c = p.a + p.b + x - 1.0;
  const double L = std::log1p(-z);
  if (c - A - eps >= 0.0) {
    // G = sum_{k>=1} (A)_k (1+eps)_{k-1} / ((c)_k k!) z^k, with the sum of |terms|
    constexpr double tiny = std::numeric_limits<double>::epsilon() * 0.5;
    double term = A / c * z;
    double G = term, magnitude = std::abs(term);
    for (long k = 1; k < 50'000'000 && term != 0.0 && std::isfinite(term); ++k) {
      const double kd = static_cast<double>(k);
      const double ratio = (A + kd) * (eps + kd) / ((c + kd) * (kd + 1.0)) * z;
      term *= ratio;
      G += term;
      magnitude += std::abs(term);
      if (std::abs(term) <= tiny * std::abs(G) && std::abs(ratio) < 1.0) break;
    }
    const double grow = eps == 0.0 ? -L : -std::expm1(eps * L) / eps;
    const double value = grow - G * std::exp(eps * L);
    // accept unless the terms cancelled: magnitude against the larger of the two parts
    if (std::isfinite(value) && magnitude <= 1e3 * std::max(std::abs(G), std::abs(grow)))
      return value;
  }
  if (eps == 0.0) return -L;  // a = 1 exactly with r > b: the limit, to first order
  // S from the paper's form, log S = (r+x) L + log 2F1(r+x, b+x; c; z): a series of
  // positive terms, summed in log space since 2F1 itself can exceed any double
  double log_S;
  try {
    log_S = c > 0.0 ? (p.r + x) * L + math::log_hyp2f1_positive(p.r + x, p.b + x, c, z)
                    : (p.r + x) * L + std::log(math::hyp2f1(p.r + x, p.b + x, c, z));
  } catch (const std::domain_error&) {
    log_S = std::numeric_limits<double>::quiet_NaN();
  }
  if (!std::isfinite(log_S))
    log_S = eps * L + std::log(math::hyp2f1(A, eps, c, z));  // Euler's form, as a last resort
  const double value = -std::expm1(log_S) / eps;
  if (!std::isfinite(value))
    // e.g. r and b in the hundreds of thousands: every series above needs ~1e7+ terms or
    // cancels; say so rather than return NaN
    throw std::domain_error(
        "BG/NBD expected purchases: no stable evaluation (hyp2f1 series) for r=" +
        std::to_string(p.r) + ", a=" + std::to_string(p.a) + ", b=" + std::to_string(p.b) +
        " at z=" + std::to_string(z) + "; parameters this extreme are outside the supported range");
  return value;
}

}  // namespace detail

namespace detail {

/// The part of eq. 10 that does not depend on t_x: (a+b+x-1)/(a-1) * (1 - S).
inline double conditional_expectation_numerator(const params& p, double t, double x, double T) {
  if (t == 0.0) return 0.0;
  const double z = t / (p.alpha + T + t);
  return (p.a + p.b + x - 1.0) * one_minus_survival_over_a_minus_1(p, x, z);
}

/// The eq. 10 numerator at one horizon t for each distinct (x, T), computed at first
/// sight. Laid out for the memory system, as Pareto/NBD's history terms: each distinct T
/// gets a code from a small table that stays in L1, and whole frequencies below 4096 get
/// a dense row indexed by that code. Most customers have few purchases, so the rows in
/// use stay in cache, where a hash of (t, x, T) keys misses it on nearly every lookup.
class numerator_by_history {
 public:
  numerator_by_history(const params& p, double t) : p_(p), t_(t) {}

  double operator()(double x, double T) {
    const auto code = static_cast<std::size_t>(ages_.find_or_insert(T));
    // Rare frequencies and ages beyond the first few thousand distinct ones (ages with a
    // time of day) go to a hash of pairs: dense rows for them would grow to rows x ages.
    if (!(x < dense_limit) || code >= dense_ages) return sparse(x, T);
    const auto k = static_cast<std::size_t>(x);
    if (k >= rows_.size()) rows_.resize(k + 1);
    std::vector<double>& row = rows_[k];
    if (code >= row.size())
      row.resize(std::min(std::max(code + 1, ages_.size()), dense_ages),
                 std::numeric_limits<double>::quiet_NaN());
    double& value = row[code];
    if (std::isnan(value)) value = conditional_expectation_numerator(p_, t_, x, T);  // new
    return value;
  }

 private:
  double sparse(double x, double T) {
    const double key[2] = {x, T};
    const auto id = static_cast<std::size_t>(pairs_.find_or_insert(key));
    if (id == sparse_values_.size())
      sparse_values_.push_back(conditional_expectation_numerator(p_, t_, x, T));
    return sparse_values_[id];
  }

  static constexpr double dense_limit = 4096.0;
  static constexpr std::size_t dense_ages = 4096;
  params p_;
  double t_;
  fastlifetimes::detail::value_codes ages_;
  std::vector<std::vector<double>> rows_;
  fastlifetimes::detail::key_table<2> pairs_{64};
  std::vector<double> sparse_values_;
};

/// Calls `at(i, numerator)` for customers [begin, end) with eq. 10's numerator at
/// (t[i], x[i], T[i]), each distinct one computed once: by (x, T) when the block shares
/// one horizon (the usual call: one t for everyone), by hashing (t, x, T) otherwise.
template <class Use>
void for_each_numerator(const params& p, const double* t, const double* x, const double* T,
                        std::size_t begin, std::size_t end, Use&& at) {
  const char* name = "conditional_expected_number_of_purchases_up_to_time";
  const auto m = static_cast<Eigen::Index>(end - begin);
  const Eigen::Map<const Eigen::ArrayXd> ts(t + begin, m);
  // vectorised (Eigen evaluates boolean .all() one element at a time); a NaN or inf
  // anywhere makes the sum non-finite and sends the block to the per-row checks below
  if (m > 0 && std::isfinite(ts.sum()) && (ts - t[begin]).abs().maxCoeff() == 0.0) {
    numerator_by_history numerator(p, t[begin]);
    check::horizon(name, begin, t[begin]);
    for (std::size_t i = begin; i < end; ++i) at(i, numerator(x[i], T[i]));
    return;
  }
  fastlifetimes::detail::key_table<3> seen(std::min<std::size_t>(end - begin, 4096));
  std::vector<double> numerators;
  for (std::size_t i = begin; i < end; ++i) {
    check::horizon(name, i, t[i]);
    const double key[3] = {t[i], x[i], T[i]};
    const auto id = static_cast<std::size_t>(seen.find_or_insert(key));
    if (id == numerators.size())
      numerators.push_back(conditional_expectation_numerator(p, t[i], x[i], T[i]));
    at(i, numerators[id]);
  }
}

/// Eq. 10's denominator 1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x), from its log
/// d, since the power overflows for frequent customers.
inline double conditional_expectation_denominator(const params& p, double x, double t_x,
                                                  double T) {
  if (x == 0.0) return 1.0;
  const double d = std::log(p.a / (p.b + x - 1.0)) +
                   (p.r + x) * std::log((p.alpha + T) / (p.alpha + t_x));
  return 1.0 + std::exp(d);
}

}  // namespace detail

/// E[X(t) | x, t_x, T]: expected repeat purchases in (T, T+t] of a customer with history
/// (x, t_x, T), FHL (2005) eq. 10.
inline double conditional_expected_number_of_purchases_up_to_time(const params& p, double t,
                                                                   double x, double t_x,
                                                                   double T) {
  return detail::conditional_expectation_numerator(p, t, x, T) /
         detail::conditional_expectation_denominator(p, x, t_x, T);
}

/// P(alive | x, t_x, T), Fader, Hardie & Lee, note 021 ("Computing P(alive) using the
/// BG/NBD model"): 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
inline double conditional_probability_alive(const params& p, double x, double t_x, double T) {
  if (x == 0.0) return 1.0;
  const double d = (p.r + x) * std::log((p.alpha + T) / (p.alpha + t_x)) +
                   std::log(p.a / (p.b + std::max(x, 1.0) - 1.0));
  // logistic(-d) without overflow in exp
  if (d >= 0.0) {
    const double e = std::exp(-d);
    return e / (1.0 + e);
  }
  return 1.0 / (1.0 + std::exp(d));
}

/// E[X(t)]: expected repeat purchases in (0, t] of a new customer, FHL (2005) eq. 9.
inline double expected_number_of_purchases_up_to_time(const params& p, double t) {
  if (t == 0.0) return 0.0;
  const double z = t / (p.alpha + t);
  return (p.a + p.b - 1.0) * detail::one_minus_survival_over_a_minus_1(p, 0.0, z);
}

/// P(X(t) = n), FHL (2005) eq. 8. The tail 1 - sum_{j<n} NB(j) of the negative binomial
/// is the regularised incomplete beta I_q(n, r), q = t/(alpha+t), evaluated directly so
/// that small probabilities keep their relative precision.
inline double probability_of_n_purchases_up_to_time(const params& p, double t, double n) {
  const double q = t / (p.alpha + t);
  const double log_p0 = p.r * (std::log(p.alpha) - std::log(p.alpha + t));
  const double log_qn = n == 0.0 ? 0.0 : n * std::log(q);
  const double first =
      std::exp(math::lbeta(p.a, p.b + n) - math::lbeta(p.a, p.b) + math::log_gamma(p.r + n) -
               math::log_gamma(p.r) - math::log_gamma(n + 1.0) + log_p0 + log_qn);
  if (n == 0.0) return first;
  const double tail = q == 0.0 ? 0.0 : math::ibeta(n, p.r, q);
  const double second = std::exp(math::lbeta(p.a + 1.0, p.b + n - 1.0) - math::lbeta(p.a, p.b));
  return first + second * tail;
}

}  // namespace fastlifetimes::bgnbd

namespace fastlifetimes::bgnbd {

/// What the generic fitter needs to know about the model.
struct model {
  static constexpr int n_params = bgnbd::n_params;
  static constexpr std::array<const char*, 4> names = bgnbd::names;
  /// Powers of the time unit in each parameter: alpha is a time, the rest are pure numbers.
  static constexpr std::array<int, 4> time_power = {0, 1, 0, 0};
  static double objective(const double* log_params, const compressed_rfm& data, double penalizer,
                          double* grad) {
    return bgnbd::objective(log_params, data, penalizer, grad);
  }
  static double log_likelihood(const double* params, double x, double t_x, double T) {
    return bgnbd::log_likelihood(from_array(params), x, t_x, T);
  }
  static std::array<double, 4> initial_log_params() { return default_initial_log_params(); }
};

}  // namespace fastlifetimes::bgnbd

namespace fastlifetimes::bgnbd {

namespace detail {

/// P(alive) of customers [b0, b0 + m) into out[b0, b0 + m), after checking them, with `d`
/// (at least m long) as an aligned work buffer: memory-bound, so one branch-free pass
/// after a vectorised validation. Throws std::domain_error naming the first
/// invalid row.
inline void alive_block(const char* name, const params& p, const double* x, const double* t_x,
                        const double* T, std::size_t b0, Eigen::Index m, Eigen::ArrayXd& d,
                        double* out) {
  check::prediction_rows(name, x + b0, t_x + b0, T + b0, static_cast<std::size_t>(m), b0);
  const Eigen::Map<const Eigen::ArrayXd> xs(x + b0, m), txs(t_x + b0, m), Ts(T + b0, m);
  // P(alive) = 1 / (1 + a/(b+x-1) E) with E = ((alpha+T)/(alpha+t_x))^(r+x), written
  // (b+x-1) / (b+x-1 + a E): one log and one exp per customer (the odds' own log would
  // be a second). E = inf gives 0, as it should; customers without repeat purchases
  // are alive.
  // exp and log through math::exp_in_place / log_in_place, so that a customer's value does
  // not depend on its place in the batch (see math/elementwise.hpp).
  const auto b_x = p.b + xs.max(1.0) - 1.0;
  d.head(m) = (p.alpha + Ts) / (p.alpha + txs);
  math::log_in_place(d.head(m));
  d.head(m) *= p.r + xs;
  math::exp_in_place(d.head(m));
  // a E on its own: inside b_x + a E the compiler may fuse a multiply-add in whole packets
  // and not in the remainder (or the other way round), another last-bit difference
  d.head(m) *= p.a;
  d.head(m) = b_x / (b_x + d.head(m));
  Eigen::Map<Eigen::ArrayXd>(out + b0, m) = (xs == 0.0).select(Eigen::ArrayXd::Ones(m), d.head(m));
}

}  // namespace detail

/// Eq. 10 over n customers: out[i] = E[X(t[i]) | x[i], t_x[i], T[i]]. The hypergeometric
/// numerator depends on (t, x, T) only, and real data repeat those triples, so it is
/// computed once per distinct triple (per thread; see for_each_numerator). Throws std::domain_error naming the
/// first invalid row.
inline void conditional_expected_number_of_purchases_up_to_time(const params& p, const double* t,
                                                                const double* x,
                                                                const double* t_x,
                                                                const double* T, std::size_t n,
                                                                double* out) {
  const char* name = "conditional_expected_number_of_purchases_up_to_time";
  check_params(name, p);
  // eq. 10's denominator is 1 / P(alive): P(alive) first, vectorised, into `out`
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    constexpr std::size_t block = 4096;
    Eigen::ArrayXd d(block);
    for (std::size_t b0 = begin; b0 < end; b0 += block) {
      const auto m = static_cast<Eigen::Index>(std::min(block, end - b0));
      detail::alive_block(name, p, x, t_x, T, b0, m, d, out);
    }
    detail::for_each_numerator(p, t, x, T, begin, end,
                               [&](std::size_t i, double numerator) { out[i] *= numerator; });
  });
}

/// P(alive) over n customers, vectorised in blocks: memory-bound, so one branch-free pass
/// that validates and computes together. Throws std::domain_error naming the first
/// invalid row.
inline void conditional_probability_alive(const params& p, const double* x, const double* t_x,
                                          const double* T, std::size_t n, double* out) {
  const char* name = "conditional_probability_alive";
  check_params(name, p);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    constexpr std::size_t block = 4096;
    Eigen::ArrayXd d(block);
    for (std::size_t b0 = begin; b0 < end; b0 += block) {
      const auto m = static_cast<Eigen::Index>(std::min(block, end - b0));
      detail::alive_block(name, p, x, t_x, T, b0, m, d, out);
    }
  }, 100'000);
}

}  // namespace fastlifetimes::bgnbd
