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
/// that fails is checked row by row to name the offending row. One thread up to 2M rows:
/// a second one adds little to a memory-bound loop and loses when the cores are busy.
inline void conditional_expected_average_profit(const params& p, const double* x, const double* m,
                                                std::size_t n, double* out) {
  const char* name = "conditional_expected_average_profit";
  check_params(name, p);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    constexpr std::size_t block = 4096;
    for (std::size_t b0 = begin; b0 < end; b0 += block) {
      const auto k = static_cast<Eigen::Index>(std::min(block, end - b0));
      const Eigen::Map<const Eigen::ArrayXd> xs(x + b0, k), ms(m + b0, k);
      // one sum of non-negative terms, 0 only when the block is valid: x - floor(x) is 0 for
      // whole x and NaN for NaN or inf, m * 0 is NaN for NaN or inf, and -min(x, m, 0) is
      // positive for a negative x or m
      const bool valid = ((xs - xs.floor()) + ms * 0.0 - xs.min(ms).min(0.0)).sum() == 0.0;
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
  }, 2'000'000);
}

/// Rows (x, m, weight) prepared for repeated likelihood evaluations: what does not depend
/// on the parameters is computed once. Rows are grouped by frequency (few distinct values):
/// within a group x is a constant, so a row only needs x m and its logarithm (and its
/// weight, if any), and the terms in x alone are evaluated once per group. Fitting a
/// million customers is bound by memory traffic over the rows: two arrays instead of five
/// halve the time of an evaluation.
struct spend_data {
  Eigen::ArrayXd xm;      ///< x m, rows in groups of equal x
  Eigen::ArrayXd log_xm;  ///< log(x m), same order
  Eigen::ArrayXd w;       ///< weights in the same order; empty when every row counts once
  std::vector<Eigen::Index> group_start;  ///< group j is rows [group_start[j], group_start[j+1])
  Eigen::ArrayXd x_values, x_weight;      ///< each group's x and its total weight
  double total_weight = 0.0;
  double sum_w_log_m = 0.0;  ///< sum w log m
  /// Weighted Pearson correlation of x and m: the model assumes they are independent.
  double correlation = 0.0;
  Eigen::Index size() const { return xm.size(); }
};

/// Validates and prepares rows; weights may be null (each row counts once). Throws
/// std::domain_error on an invalid row, a negative or non-finite weight, or no weight.
inline spend_data prepare(const double* x, const double* m, const double* weight, std::size_t n) {
  const char* name = "gamma_gamma::prepare";
  if (n == 0) throw std::domain_error("gamma_gamma: no customers to fit");
  // Frequencies are small whole numbers: a table indexed by x numbers the groups, a hash
  // table the rare large ones.
  constexpr std::size_t small = 4096;
  std::vector<std::int32_t> small_id(small + 1, -1);
  fastlifetimes::detail::key_table<1> large(16);
  std::vector<double> values;  // group j's x, in order of first appearance
  std::vector<std::int32_t> large_id;
  std::vector<std::int32_t> group_of(n);
  // sums for the correlation, around a shift (the first row) for numerical stability
  const double x0 = x[0], m0 = m[0];
  double sx = 0, sm = 0, sxx = 0, smm = 0, sxm = 0, total = 0;
  // In blocks: vectorised reductions check a block and sum it (a NaN or inf anywhere makes
  // a sum non-finite); only a block that fails is checked row by row, to name the row.
  constexpr std::size_t block = 4096;
  for (std::size_t b0 = 0; b0 < n; b0 += block) {
    const auto k = static_cast<Eigen::Index>(std::min(block, n - b0));
    const Eigen::Map<const Eigen::ArrayXd> xs(x + b0, k), ms(m + b0, k);
    bool valid = ((xs - xs.floor()) + ms * 0.0).sum() == 0.0 && xs.minCoeff() >= 1.0 &&
                 ms.minCoeff() > 0.0;
    if (weight) {
      const Eigen::Map<const Eigen::ArrayXd> ws(weight + b0, k);
      valid = valid && std::isfinite(ws.sum()) && ws.minCoeff() >= 0.0;
    }
    if (!valid)
      for (std::size_t i = b0; i < b0 + static_cast<std::size_t>(k); ++i) {
        check_spend_row(name, i, x[i], m[i]);
        if (weight && !(std::isfinite(weight[i]) && weight[i] >= 0.0))
          throw std::domain_error("gamma_gamma: weights must be non-negative and finite (row " +
                                  std::to_string(i) + ")");
      }
    const Eigen::ArrayXd dx = xs - x0, dm = ms - m0;
    if (weight) {
      const Eigen::Map<const Eigen::ArrayXd> ws(weight + b0, k);
      total += ws.sum();
      sx += (ws * dx).sum();
      sm += (ws * dm).sum();
      sxx += (ws * dx * dx).sum();
      smm += (ws * dm * dm).sum();
      sxm += (ws * dx * dm).sum();
    } else {
      total += static_cast<double>(k);
      sx += dx.sum();
      sm += dm.sum();
      sxx += dx.square().sum();
      smm += dm.square().sum();
      sxm += (dx * dm).sum();
    }
    for (std::size_t i = b0; i < b0 + static_cast<std::size_t>(k); ++i) {
      std::int32_t id;
      if (x[i] <= static_cast<double>(small)) {
        auto& slot = small_id[static_cast<std::size_t>(x[i])];
        if (slot < 0) {
          slot = static_cast<std::int32_t>(values.size());
          values.push_back(x[i]);
        }
        id = slot;
      } else {
        const auto h = static_cast<std::size_t>(large.find_or_insert(&x[i]));
        if (h == large_id.size()) {
          large_id.push_back(static_cast<std::int32_t>(values.size()));
          values.push_back(x[i]);
        }
        id = large_id[h];
      }
      group_of[i] = id;
    }
  }
  if (!(total > 0.0)) throw std::domain_error("gamma_gamma: the weights sum to zero");

  // counting sort of the rows by group, groups in ascending x
  const std::size_t groups = values.size();
  std::vector<std::size_t> order(groups);
  for (std::size_t j = 0; j < groups; ++j) order[j] = j;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<std::size_t> rank(groups), start(groups + 1, 0);
  for (std::size_t r = 0; r < groups; ++r) rank[order[r]] = r;
  for (std::size_t i = 0; i < n; ++i) ++start[rank[static_cast<std::size_t>(group_of[i])] + 1];
  for (std::size_t r = 0; r < groups; ++r) start[r + 1] += start[r];

  spend_data d;
  d.total_weight = total;
  d.xm.resize(static_cast<Eigen::Index>(n));
  if (weight) d.w.resize(static_cast<Eigen::Index>(n));
  d.x_values.resize(static_cast<Eigen::Index>(groups));
  d.x_weight.setZero(static_cast<Eigen::Index>(groups));
  d.group_start.resize(groups + 1);
  for (std::size_t r = 0; r <= groups; ++r) d.group_start[r] = static_cast<Eigen::Index>(start[r]);
  for (std::size_t r = 0; r < groups; ++r) d.x_values[static_cast<Eigen::Index>(r)] = values[order[r]];
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t r = rank[static_cast<std::size_t>(group_of[i])];
    const auto to = static_cast<Eigen::Index>(fill[r]++);
    d.xm[to] = x[i] * m[i];
    if (weight) d.w[to] = weight[i];
    d.x_weight[static_cast<Eigen::Index>(r)] += weight ? weight[i] : 1.0;
  }
  // sum w log m = sum w log(xm) - sum_j W_j log x_j
  d.log_xm = d.xm.log();
  d.sum_w_log_m = (weight ? (d.w * d.log_xm).sum() : d.log_xm.sum()) -
                  (d.x_weight * d.x_values.log()).sum();
  const double vx = sxx - sx * sx / total, vm = smm - sm * sm / total, cxm = sxm - sx * sm / total;
  d.correlation = vx > 0.0 && vm > 0.0 ? cxm / std::sqrt(vx * vm) : 0.0;
  return d;
}

/// lifetimes' objective: the weighted mean negative log-likelihood at exp(log_params)
/// plus penalizer * (p^2 + q^2 + v^2). Fills `grad` (d/d log_params) when it is not null.
/// Returns +inf where the likelihood cannot be evaluated.
///
/// Over groups j of equal x, the log-likelihood summed over rows is
///   -sum_j W_j lbeta(p x_j, q) - sum w log m - p sum_j x_j A_j - q sum_j B_j,
///   A_j = sum w log((xm+v)/(xm)),  B_j = sum w log((xm+v)/v)  (rows of group j),
/// and its derivative in v is -p sum_j x_j R_j + q/v sum_j Q_j with R_j = sum w/(xm+v),
/// Q_j = sum w xm/(xm+v). Per row only log(xm + v) and 1/(xm + v) are computed; each row's
/// logarithms are subtracted before summing, which keeps the small differences exact
/// where xm and v are far apart (summing the logarithms first would cancel most digits).
inline double objective(const double* log_params, const spend_data& d, double penalizer,
                        double* grad) {
  const double p = std::exp(log_params[0]), q = std::exp(log_params[1]);
  const double v = std::exp(log_params[2]);
  const double log_v = std::log(v);
  const auto groups = static_cast<std::size_t>(d.x_values.size());
  using sums = std::vector<std::array<double, 4>>;  // A_j, B_j, R_j, Q_j
  auto accumulate = [&](Eigen::Index begin, Eigen::Index end, sums& out) {
    constexpr Eigen::Index block = 4096;
    Eigen::ArrayXd shifted(block), log_shifted(block), inverse(block);
    auto j = static_cast<std::size_t>(
        std::upper_bound(d.group_start.begin(), d.group_start.end(), begin) - d.group_start.begin() - 1);
    for (Eigen::Index b = begin; b < end;) {
      while (d.group_start[j + 1] <= b) ++j;
      const Eigen::Index k = std::min({block, end - b, d.group_start[j + 1] - b});
      shifted.head(k) = d.xm.segment(b, k) + v;
      log_shifted.head(k) = shifted.head(k).log();
      auto& o = out[j];
      if (d.w.size()) {
        const auto wk = d.w.segment(b, k);
        o[0] += (wk * (log_shifted.head(k) - d.log_xm.segment(b, k))).sum();
        o[1] += (wk * (log_shifted.head(k) - log_v)).sum();
        if (grad) {
          inverse.head(k) = wk / shifted.head(k);
          o[2] += inverse.head(k).sum();
          o[3] += (inverse.head(k) * d.xm.segment(b, k)).sum();
        }
      } else {
        o[0] += (log_shifted.head(k) - d.log_xm.segment(b, k)).sum();
        o[1] += (log_shifted.head(k) - log_v).sum();
        if (grad) {
          inverse.head(k) = shifted.head(k).inverse();
          o[2] += inverse.head(k).sum();
          o[3] += (inverse.head(k) * d.xm.segment(b, k)).sum();
        }
      }
      b += k;
    }
  };
  // Two halves of the rows, always, so that the sums do not depend on the core count; on a
  // second thread when there are enough rows to pay for starting it.
  const Eigen::Index n = d.size(), half = n / 2;
  sums lower(groups, {0.0, 0.0, 0.0, 0.0}), upper(groups, {0.0, 0.0, 0.0, 0.0});
  if (n >= 100'000) {
    std::thread worker([&] { accumulate(half, n, upper); });
    accumulate(0, half, lower);
    worker.join();
  } else {
    accumulate(0, half, lower);
    accumulate(half, n, upper);
  }

  const double W = d.total_weight;
  double ll = -d.sum_w_log_m, sum_xA = 0.0, sum_B = 0.0, sum_xR = 0.0, sum_Q = 0.0;
  double g_p = 0.0, g_q = 0.0;
  const double dg_q = grad ? math::digamma(q) : 0.0;
  for (std::size_t r = 0; r < groups; ++r) {
    const auto j = static_cast<Eigen::Index>(r);
    const double xj = d.x_values[j], Wj = d.x_weight[j], px = p * xj;
    ll -= Wj * math::lbeta(px, q);
    sum_xA += xj * (lower[r][0] + upper[r][0]);
    sum_B += lower[r][1] + upper[r][1];
    sum_xR += xj * (lower[r][2] + upper[r][2]);
    sum_Q += lower[r][3] + upper[r][3];
    if (grad) {
      const double dg_pxq = math::digamma(px + q);
      g_p += Wj * xj * (dg_pxq - math::digamma(px));
      g_q += Wj * (dg_pxq - dg_q);
    }
  }
  ll -= p * sum_xA + q * sum_B;
  const double value = -ll / W + penalizer * (p * p + q * q + v * v);
  if (grad) {
    g_p -= sum_xA;
    g_q -= sum_B;
    const double g_v = -p * sum_xR + q / v * sum_Q;
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
