#pragma once
/// The Gamma-Gamma model of spend per transaction: Fader & Hardie (2013), "The Gamma-Gamma
/// Model of Monetary Value" (note 025), and Fader, Hardie & Lee (2005), "RFM and CLV:
/// Using Iso-Value Curves for Customer Base Analysis", JMR 42(4), 415-430.
/// A customer's transaction values z are Gamma(p, nu) with nu ~ Gamma(q, gamma) across
/// customers; lifetimes names gamma `v`. The data are (x, m): the number of transactions
/// whose values are averaged and their mean m. Customers with x = 0 carry no information.

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/core/parallel.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/math/special.hpp"

namespace fastlifetimes::gamma_gamma {

struct params {
  double p, q, v;  ///< v is the paper's gamma, the scale of nu's distribution
};

inline constexpr int n_params = 3;
inline constexpr std::array<const char*, 3> names = {"p", "q", "v"};

inline params from_array(const double* a) { return {a[0], a[1], a[2]}; }

inline void check_params(const char* function, const params& p) {
  check::positive_finite(function, "p", p.p);
  check::positive_finite(function, "q", p.q);
  check::positive_finite(function, "v", p.v);
}

/// A row to fit on: x a whole number >= 1 and m > 0, both finite.
inline void check_spend_row(const char* function, std::size_t row, double x, double m) {
  if (!(x >= 1.0 && x < std::numeric_limits<double>::infinity() && check::is_whole(x) &&
        m > 0.0 && m < std::numeric_limits<double>::infinity())) {
    std::ostringstream out;
    out << function << ": invalid row " << row << " (frequency=" << x << ", monetary_value=" << m
        << "); the model needs frequency >= 1, a whole number, and monetary_value > 0";
    throw std::domain_error(out.str());
  }
}

/// log f(m | p, q, v; x), the density of the mean m of x transaction values, note 025
/// eq. 1a: Gamma(px+q)/(Gamma(px) Gamma(q)) v^q m^(px-1) x^(px) / (v + m x)^(px+q).
/// The powers are regrouped as -px log(1 + v/(xm)) - q log(1 + xm/v) - log m, each term
/// small, instead of differences of large logarithms.
inline double log_likelihood(const params& p, double x, double m) {
  const double xm = x * m;
  return -math::lbeta(p.p * x, p.q) - std::log(m) - p.p * x * std::log1p(p.v / xm) -
         p.q * std::log1p(xm / p.v);
}

/// E(M | p, q, v, m, x): the expected mean transaction value of a customer with x
/// transactions of mean m, note 025 eq. 5: a weighted mean of the population mean
/// pv/(q-1) and m with weight px/(px+q-1) on m, i.e. p(v + xm)/(px + q - 1). For x = 0 it
/// is the population mean (negative when q < 1, where the population mean does not exist).
inline double conditional_expected_average_profit(const params& p, double x, double m) {
  return p.p * (p.v + x * m) / (p.p * x + p.q - 1.0);
}

/// The conditional expectation over n customers. Throws std::domain_error naming the
/// first row with a negative, non-whole or non-finite frequency or a negative or
/// non-finite monetary value (m = 0 is accepted: it is what customers without repeat
/// purchases have, and their m does not enter).
///
/// Memory-bound, so it runs in blocks: vectorised reductions check a block (any NaN or
/// inf makes the sum non-finite), the formula is evaluated vectorised, and only a block
/// that fails is checked row by row to name the offending row.
inline void conditional_expected_average_profit(const params& p, const double* x, const double* m,
                                                std::size_t n, double* out) {
  const char* name = "conditional_expected_average_profit";
  check_params(name, p);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    constexpr std::size_t block = 4096;
    for (std::size_t b0 = begin; b0 < end; b0 += block) {
      const auto k = static_cast<Eigen::Index>(std::min(block, end - b0));
      const Eigen::Map<const Eigen::ArrayXd> xs(x + b0, k), ms(m + b0, k);
      // x - floor(x) is 0 for whole x and NaN for NaN or inf; m * 0 is NaN for NaN or inf
      const bool valid = ((xs - xs.floor()) + ms * 0.0).sum() == 0.0 && xs.min(ms).minCoeff() >= 0.0;
      if (!valid)
        for (Eigen::Index i = 0; i < k; ++i) {
          const auto u = b0 + static_cast<std::size_t>(i);
          if (!(x[u] >= 0.0 && x[u] < std::numeric_limits<double>::infinity() &&
                check::is_whole(x[u]) && m[u] >= 0.0 &&
                m[u] < std::numeric_limits<double>::infinity())) {
            std::ostringstream msg;
            msg << name << ": invalid row " << u << " (frequency=" << x[u]
                << ", monetary_value=" << m[u] << ")";
            throw std::domain_error(msg.str());
          }
        }
      Eigen::Map<Eigen::ArrayXd>(out + b0, k) = p.p * (p.v + xs * ms) / (p.p * xs + (p.q - 1.0));
    }
  }, 250'000);
}

/// Rows (x, m, weight) prepared for repeated likelihood evaluations: what does not depend
/// on the parameters is computed once. The terms in x alone are needed once per distinct
/// x (few of them), the rest once per row.
struct spend_data {
  Eigen::ArrayXd xm;      ///< x m
  Eigen::ArrayXd log_xm;  ///< log(x m)
  Eigen::ArrayXd w;       ///< weight
  Eigen::ArrayXd wx;      ///< weight x
  Eigen::ArrayXd wxm;     ///< weight x m
  Eigen::ArrayXd x_values, x_weight;  ///< distinct x and the total weight of each
  double total_weight = 0.0;
  double sum_w_log_m = 0.0;
  /// Weighted Pearson correlation of x and m: the model assumes they are independent.
  double correlation = 0.0;
  Eigen::Index size() const { return xm.size(); }
};

/// Validates and prepares rows; weights may be null (each row counts once). Throws
/// std::domain_error on an invalid row, a negative or non-finite weight, or no weight.
inline spend_data prepare(const double* x, const double* m, const double* weight, std::size_t n) {
  const char* name = "gamma_gamma::prepare";
  if (n == 0) throw std::domain_error("gamma_gamma: no customers to fit");
  spend_data d;
  const auto rows = static_cast<Eigen::Index>(n);
  d.xm.resize(rows);
  d.w.resize(rows);
  d.wx.resize(rows);
  d.wxm.resize(rows);
  // Frequencies are small whole numbers: their total weights go into a table indexed by
  // x, a hash table serves the rare large ones.
  constexpr double small = 4096.0;
  std::vector<double> weight_by_x(static_cast<std::size_t>(small) + 1, 0.0);
  fastlifetimes::detail::key_table<1> large(16);
  std::vector<double> large_weight;
  // sums for the correlation, around a shift (the first row) for numerical stability
  const double x0 = x[0], m0 = m[0];
  double sx = 0, sm = 0, sxx = 0, smm = 0, sxm = 0;
  for (std::size_t i = 0; i < n; ++i) {
    check_spend_row(name, i, x[i], m[i]);
    const double wi = weight ? weight[i] : 1.0;
    if (!(std::isfinite(wi) && wi >= 0.0))
      throw std::domain_error("gamma_gamma: weights must be non-negative and finite (row " +
                              std::to_string(i) + ")");
    const auto j = static_cast<Eigen::Index>(i);
    d.xm[j] = x[i] * m[i];
    d.w[j] = wi;
    d.wx[j] = wi * x[i];
    d.wxm[j] = wi * d.xm[j];
    d.total_weight += wi;
    if (x[i] <= small) {
      weight_by_x[static_cast<std::size_t>(x[i])] += wi;
    } else {
      const auto id = static_cast<std::size_t>(large.find_or_insert(&x[i]));
      if (id == large_weight.size()) large_weight.push_back(0.0);
      large_weight[id] += wi;
    }
    const double dx = x[i] - x0, dm = m[i] - m0;
    sx += wi * dx;
    sm += wi * dm;
    sxx += wi * dx * dx;
    smm += wi * dm * dm;
    sxm += wi * dx * dm;
  }
  if (!(d.total_weight > 0.0)) throw std::domain_error("gamma_gamma: the weights sum to zero");
  d.log_xm = d.xm.log();
  std::vector<double> values, weights;
  for (std::size_t k = 1; k < weight_by_x.size(); ++k)
    if (weight_by_x[k] > 0.0) {
      values.push_back(static_cast<double>(k));
      weights.push_back(weight_by_x[k]);
    }
  for (std::size_t k = 0; k < large.size(); ++k) {
    values.push_back(large.key(k, 0));
    weights.push_back(large_weight[k]);
  }
  d.x_values = Eigen::Map<const Eigen::ArrayXd>(values.data(), static_cast<Eigen::Index>(values.size()));
  d.x_weight = Eigen::Map<const Eigen::ArrayXd>(weights.data(), static_cast<Eigen::Index>(weights.size()));
  // sum w log m = sum w log(xm) - sum_j W_j log x_j
  d.sum_w_log_m = (d.w * d.log_xm).sum() - (d.x_weight * d.x_values.log()).sum();
  const double W = d.total_weight;
  const double vx = sxx - sx * sx / W, vm = smm - sm * sm / W, cxm = sxm - sx * sm / W;
  d.correlation = vx > 0.0 && vm > 0.0 ? cxm / std::sqrt(vx * vm) : 0.0;
  return d;
}

/// lifetimes' objective: the weighted mean negative log-likelihood at exp(log_params)
/// plus penalizer * (p^2 + q^2 + v^2). Fills `grad` (d/d log_params) when it is not null.
/// Returns +inf where the likelihood cannot be evaluated.
///
/// The log-likelihood summed over rows is
///   -sum_j W_j lbeta(p x_j, q) - sum w log m - p sum w x log((xm+v)/(xm))
///   - q sum w log((xm+v)/v),
/// with W_j the weight of the rows with frequency x_j. Only log(xm + v) and 1/(xm + v)
/// are needed per row; the gamma functions once per distinct x.
inline double objective(const double* log_params, const spend_data& d, double penalizer,
                        double* grad) {
  const double p = std::exp(log_params[0]), q = std::exp(log_params[1]);
  const double v = std::exp(log_params[2]);
  const double log_v = std::log(v);

  double ll = -d.sum_w_log_m, g_p = 0.0, g_q = 0.0;
  const double dg_q = grad ? math::digamma(q) : 0.0;
  for (Eigen::Index j = 0; j < d.x_values.size(); ++j) {
    const double px = p * d.x_values[j], Wj = d.x_weight[j];
    ll -= Wj * math::lbeta(px, q);
    if (grad) {
      const double dg_pxq = math::digamma(px + q);
      g_p += Wj * d.x_values[j] * (dg_pxq - math::digamma(px));
      g_q += Wj * (dg_pxq - dg_q);
    }
  }

  // Sums over rows [begin, end): sum w x log((xm+v)/xm), sum w log((xm+v)/v),
  // sum w x/(xm+v), sum w xm/(xm+v). Blocks keep the temporaries in cache.
  auto accumulate = [&](Eigen::Index begin, Eigen::Index end, std::array<double, 4>& sums) {
    constexpr Eigen::Index block = 4096;
    Eigen::ArrayXd shifted(block), log_shifted(block), inverse(block);
    sums = {0.0, 0.0, 0.0, 0.0};
    for (Eigen::Index b = begin; b < end; b += block) {
      const Eigen::Index k = std::min(block, end - b);
      shifted.head(k) = d.xm.segment(b, k) + v;
      log_shifted.head(k) = shifted.head(k).log();
      sums[0] += (d.wx.segment(b, k) * (log_shifted.head(k) - d.log_xm.segment(b, k))).sum();
      sums[1] += (d.w.segment(b, k) * (log_shifted.head(k) - log_v)).sum();
      if (grad) {
        inverse.head(k) = shifted.head(k).inverse();
        sums[2] += (d.wx.segment(b, k) * inverse.head(k)).sum();
        sums[3] += (d.wxm.segment(b, k) * inverse.head(k)).sum();
      }
    }
  };
  // Two halves, always, so that the sums do not depend on the machine's core count.
  const Eigen::Index n = d.size(), half = n / 2;
  std::array<double, 4> lower{}, upper{};
  if (n >= 100'000) {
    std::thread worker([&] { accumulate(half, n, upper); });
    accumulate(0, half, lower);
    worker.join();
  } else {
    accumulate(0, half, lower);
    accumulate(half, n, upper);
  }
  const double s_x_log = lower[0] + upper[0], s_log = lower[1] + upper[1];
  ll -= p * s_x_log + q * s_log;
  const double W = d.total_weight;
  const double value = -ll / W + penalizer * (p * p + q * q + v * v);
  if (grad) {
    g_p -= s_x_log;
    g_q -= s_log;
    // d/dv of -p log(xm+v) - q log((xm+v)/v) is -p/(xm+v) + q xm / (v (xm+v))
    const double g_v = -p * (lower[2] + upper[2]) + q / v * (lower[3] + upper[3]);
    grad[0] = -g_p * p / W + 2.0 * penalizer * p * p;
    grad[1] = -g_q * q / W + 2.0 * penalizer * q * q;
    grad[2] = -g_v * v / W + 2.0 * penalizer * v * v;
  }
  if (!std::isfinite(value)) return std::numeric_limits<double>::infinity();
  return value;
}

/// lifetimes' starting point: log-parameters 0.1.
inline std::array<double, 3> default_initial_log_params() { return {0.1, 0.1, 0.1}; }

}  // namespace fastlifetimes::gamma_gamma
