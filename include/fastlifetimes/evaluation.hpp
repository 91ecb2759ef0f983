#pragma once
/// Holdout evaluation of per-customer forecasts: error metrics, and how well a forecast
/// ranks customers by what they really did (the gains or Lorenz curve, the normalised
/// Gini coefficient, the share of value in the top k%, rank groups such as deciles), and
/// sums per segment for calibration tables.
///
/// Ranking convention: customers ordered by forecast, highest first, so the curve
/// (share of customers, share of actual value) rises above the diagonal for a useful
/// forecast. Customers with equal forecasts cannot be told apart, so a tied block shares
/// its value evenly along the curve: the curve is linear across the block, which is the
/// average over every order of the tied customers. That keeps a constant forecast at
/// Gini 0 instead of whatever the input order happens to give.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fastlifetimes::evaluation {

namespace detail {

inline void finite_values(const char* function, const char* name, const double* v,
                          std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i])) {
      std::ostringstream out;
      out << function << ": " << name << " must be finite, got " << v[i] << " at row " << i;
      throw std::domain_error(out.str());
    }
}

inline void non_negative_values(const char* function, const char* name, const double* v,
                                std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!(std::isfinite(v[i]) && v[i] >= 0.0)) {
      std::ostringstream out;
      out << function << ": " << name << " must be non-negative and finite, got " << v[i]
          << " at row " << i;
      throw std::domain_error(out.str());
    }
}

inline void not_empty(const char* function, std::size_t n) {
  if (n == 0) throw std::domain_error(std::string(function) + ": no customers");
}

/// Row numbers ordered by score, highest first; equal scores keep their input order, so
/// the result (and every rank group built on it) is deterministic.
inline std::vector<std::size_t> order_by_score(const double* score, std::size_t n) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [score](std::size_t i, std::size_t j) { return score[i] > score[j]; });
  return order;
}

}  // namespace detail

/// Point-forecast errors of `predicted` against `actual`.
struct error_summary {
  double rmse;                   ///< sqrt(mean((predicted - actual)^2))
  double mae;                    ///< mean |predicted - actual|
  double median_absolute_error;  ///< median |predicted - actual| (mean of the middle two for even n)
  double r_squared;  ///< 1 - SS_res / SS_tot; NaN when every actual value is the same
};

/// Errors of n forecasts. Throws std::domain_error on n = 0 or a non-finite value.
inline error_summary errors(const double* predicted, const double* actual, std::size_t n) {
  constexpr const char* function = "evaluation::errors";
  detail::not_empty(function, n);
  detail::finite_values(function, "predicted", predicted, n);
  detail::finite_values(function, "actual", actual, n);
  const double mean_actual = std::accumulate(actual, actual + n, 0.0) / static_cast<double>(n);
  std::vector<double> absolute(n);
  double squares = 0.0, total = 0.0, spread = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double e = predicted[i] - actual[i];
    absolute[i] = std::abs(e);
    squares += e * e;
    total += absolute[i];
    spread += (actual[i] - mean_actual) * (actual[i] - mean_actual);
  }
  const auto middle = absolute.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(absolute.begin(), middle, absolute.end());
  double median = *middle;
  if (n % 2 == 0) median = 0.5 * (median + *std::max_element(absolute.begin(), middle));
  const double size = static_cast<double>(n);
  return {std::sqrt(squares / size), total / size, median,
          spread > 0.0 ? 1.0 - squares / spread : std::numeric_limits<double>::quiet_NaN()};
}

/// The gains (Lorenz) curve: points (share of customers, share of actual value), from
/// (0, 0) to (1, 1), customers ordered by score, highest first, one point per block of
/// equal scores (the curve is linear in between).
struct curve {
  std::vector<double> share_of_customers, share_of_value;
};

/// The curve of `actual` ranked by `score`. Throws std::domain_error on n = 0, a
/// non-finite score, a negative or non-finite actual value, or actual values summing to 0
/// (there is no value to share).
inline curve lorenz_curve(const double* score, const double* actual, std::size_t n) {
  constexpr const char* function = "evaluation::lorenz_curve";
  detail::not_empty(function, n);
  detail::finite_values(function, "score", score, n);
  detail::non_negative_values(function, "actual", actual, n);
  const double total = std::accumulate(actual, actual + n, 0.0);
  if (!(total > 0.0))
    throw std::domain_error(std::string(function) + ": actual values sum to 0, no value to share");
  const auto order = detail::order_by_score(score, n);
  curve c;
  c.share_of_customers.push_back(0.0);
  c.share_of_value.push_back(0.0);
  double value = 0.0;
  for (std::size_t k = 0; k < n;) {
    std::size_t end = k;
    for (; end < n && score[order[end]] == score[order[k]]; ++end) value += actual[order[end]];
    k = end;
    c.share_of_customers.push_back(static_cast<double>(k) / static_cast<double>(n));
    c.share_of_value.push_back(value / total);
  }
  c.share_of_value.back() = 1.0;  // exactly, whatever the rounding of the running sum
  return c;
}

/// Gini coefficient of a curve: twice the area between it and the diagonal (trapezoids,
/// exact for the piecewise-linear curve). 0 for a ranking no better than chance.
inline double gini(const curve& c) {
  double area = 0.0;
  for (std::size_t k = 1; k < c.share_of_customers.size(); ++k)
    area += (c.share_of_customers[k] - c.share_of_customers[k - 1]) *
            (c.share_of_value[k] + c.share_of_value[k - 1]);  // twice the trapezoid
  return area - 1.0;
}

/// Gini of the ranking by `score`, divided by the Gini of the best possible ranking (by
/// `actual` itself): 1 for a perfect ranking, about 0 for a random one, negative for one
/// worse than chance. NaN when every actual value is the same (no ranking beats another).
/// Throws as `lorenz_curve`.
inline double normalised_gini(const double* score, const double* actual, std::size_t n) {
  const double best = gini(lorenz_curve(actual, actual, n));
  if (!(best > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  return gini(lorenz_curve(score, actual, n)) / best;
}

/// The share of actual value held by the first `fraction` of customers on the curve,
/// by linear interpolation between its points (a fraction of a customer, or of a tied
/// block, holds that fraction of its value). Throws std::domain_error unless
/// 0 <= fraction <= 1.
inline double share_at(const curve& c, double fraction) {
  if (!(fraction >= 0.0 && fraction <= 1.0)) {
    std::ostringstream out;
    out << "evaluation::share_at: fraction must be in [0, 1], got " << fraction;
    throw std::domain_error(out.str());
  }
  const auto& x = c.share_of_customers;
  const auto& y = c.share_of_value;
  const auto above = std::lower_bound(x.begin(), x.end(), fraction);
  if (above == x.begin()) return y.front();
  const auto k = static_cast<std::size_t>(above - x.begin());
  if (above == x.end()) return y.back();
  const double width = x[k] - x[k - 1];
  return y[k - 1] + (y[k] - y[k - 1]) * (fraction - x[k - 1]) / width;
}

/// Sums over groups of customers.
struct group_sums {
  std::vector<std::size_t> customers;
  std::vector<double> predicted, actual;
};

/// Customers ranked by `predicted` (highest first) cut into `groups` groups of equal size
/// (sizes differ by at most one; deciles for groups = 10): the customer at rank position
/// p (from 0) is in group floor(p * groups / n). Equal forecasts at a group boundary are
/// split in input order. Throws std::domain_error on n = 0, groups = 0, groups > n or a
/// non-finite value.
inline group_sums rank_groups(const double* predicted, const double* actual, std::size_t n,
                              std::size_t groups) {
  constexpr const char* function = "evaluation::rank_groups";
  detail::not_empty(function, n);
  if (groups == 0 || groups > n) {
    std::ostringstream out;
    out << function << ": groups must be between 1 and the number of customers (" << n
        << "), got " << groups;
    throw std::domain_error(out.str());
  }
  detail::finite_values(function, "predicted", predicted, n);
  detail::finite_values(function, "actual", actual, n);
  const auto order = detail::order_by_score(predicted, n);
  group_sums g{std::vector<std::size_t>(groups, 0), std::vector<double>(groups, 0.0),
               std::vector<double>(groups, 0.0)};
  for (std::size_t p = 0; p < n; ++p) {
    const std::size_t k = p * groups / n;
    ++g.customers[k];
    g.predicted[k] += predicted[order[p]];
    g.actual[k] += actual[order[p]];
  }
  return g;
}

/// Sums per segment, for calibration tables.
struct segment_sums {
  std::vector<std::size_t> customers;
  std::vector<double> predicted, actual;
  /// sum of |predicted - actual| / actual over the segment's customers with actual > 0
  std::vector<double> absolute_percentage_error;
  std::vector<std::size_t> customers_with_actual;  ///< how many have actual > 0
};

/// Per segment s in [0, n_segments): customers, sums of forecasts and actual values, and
/// the sum of absolute percentage errors over the customers with a positive actual value
/// (the percentage error of a customer with nothing to forecast is undefined). Throws
/// std::domain_error on a segment code out of range or a non-finite value.
inline segment_sums segment_totals(const std::int64_t* segment, std::size_t n_segments,
                                   const double* predicted, const double* actual,
                                   std::size_t n) {
  constexpr const char* function = "evaluation::segment_totals";
  detail::finite_values(function, "predicted", predicted, n);
  detail::finite_values(function, "actual", actual, n);
  segment_sums s{std::vector<std::size_t>(n_segments, 0), std::vector<double>(n_segments, 0.0),
                 std::vector<double>(n_segments, 0.0), std::vector<double>(n_segments, 0.0),
                 std::vector<std::size_t>(n_segments, 0)};
  for (std::size_t i = 0; i < n; ++i) {
    if (segment[i] < 0 || static_cast<std::uint64_t>(segment[i]) >= n_segments) {
      std::ostringstream out;
      out << function << ": segment code " << segment[i] << " at row " << i << " is outside [0, "
          << n_segments << ")";
      throw std::domain_error(out.str());
    }
    const auto k = static_cast<std::size_t>(segment[i]);
    ++s.customers[k];
    s.predicted[k] += predicted[i];
    s.actual[k] += actual[i];
    if (actual[i] > 0.0) {
      s.absolute_percentage_error[k] += std::abs(predicted[i] - actual[i]) / actual[i];
      ++s.customers_with_actual[k];
    }
  }
  return s;
}

}  // namespace fastlifetimes::evaluation
