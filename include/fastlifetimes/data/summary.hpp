#pragma once
/// From a transaction log to the per-customer summary (frequency, recency, T, monetary
/// value) that every BTYD model is fitted on, as a counting problem: customers are
/// integer codes 0..n_customers-1 and times are integer ticks already floored to the start
/// of their period (day, week, ...). Transactions in the same period count once, and
/// their values are summed into one period value.

#include <Eigen/Core>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace fastlifetimes {

struct transaction_summary {
  /// Codes of the customers with at least one transaction up to the end, ascending.
  std::vector<std::int64_t> customer;
  Eigen::ArrayXd frequency, recency, T;
  Eigen::ArrayXd monetary_value;  ///< empty unless values were given
};

/// Summarise a transaction log.
/// - `customer[i]` in [0, n_customers), `period[i]` the start of row i's period in ticks,
///   `value` null or one amount per row;
/// - rows after `end_period` are ignored; customers left without rows are dropped;
/// - frequency = distinct periods - 1 (or all of them with include_first_transaction);
///   recency = (last period - first period) / ticks_per_unit; T = (end - first) / same;
/// - monetary value = mean of the period sums, the first period excluded unless
///   include_first_transaction, 0 when nothing is left.
/// Throws std::domain_error on a customer code out of range.
inline transaction_summary summarize_transactions(const std::int64_t* customer,
                                                  const std::int64_t* period, const double* value,
                                                  std::size_t n, std::int64_t n_customers,
                                                  std::int64_t end_period, double ticks_per_unit,
                                                  bool include_first_transaction) {
  if (n_customers < 0) throw std::domain_error("summarize: n_customers must be non-negative");
  const auto m = static_cast<std::size_t>(n_customers);
  // Pass 1: rows per customer (those inside the observation period), first and last period.
  std::vector<std::int64_t> start(m + 1, 0);
  std::vector<std::int64_t> first(m, INT64_MAX), last(m, INT64_MIN);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t c = customer[i];
    if (c < 0 || c >= n_customers)
      throw std::domain_error("summarize: customer code out of range at row " + std::to_string(i));
    const std::int64_t p = period[i];
    if (p > end_period) continue;
    const auto u = static_cast<std::size_t>(c);
    ++start[u + 1];
    first[u] = std::min(first[u], p);
    last[u] = std::max(last[u], p);
  }
  for (std::size_t c = 0; c < m; ++c) start[c + 1] += start[c];

  // Pass 2: counting sort of the periods by customer, stable, so a log already in time
  // order needs no further sorting inside a customer.
  std::vector<std::int64_t> bucket(static_cast<std::size_t>(start[m]));
  std::vector<double> first_period_value(value ? m : 0, 0.0), repeat_value(value ? m : 0, 0.0);
  {
    std::vector<std::int64_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t p = period[i];
      if (p > end_period) continue;
      const auto u = static_cast<std::size_t>(customer[i]);
      bucket[static_cast<std::size_t>(fill[u]++)] = p;
      if (value) {
        // kept apart rather than subtracted later, so a large first order does not
        // swamp small repeat orders in rounding
        if (p == first[u])
          first_period_value[u] += value[i];
        else
          repeat_value[u] += value[i];
      }
    }
  }

  // Pass 3: distinct periods per customer.
  std::size_t n_present = 0;
  for (std::size_t c = 0; c < m; ++c) n_present += start[c + 1] > start[c];
  transaction_summary out;
  out.customer.reserve(n_present);
  out.frequency.resize(static_cast<Eigen::Index>(n_present));
  out.recency.resize(static_cast<Eigen::Index>(n_present));
  out.T.resize(static_cast<Eigen::Index>(n_present));
  if (value) out.monetary_value.resize(static_cast<Eigen::Index>(n_present));
  Eigen::Index k = 0;
  for (std::size_t c = 0; c < m; ++c) {
    auto* begin = bucket.data() + start[c];
    auto* end = bucket.data() + start[c + 1];
    if (begin == end) continue;
    if (!std::is_sorted(begin, end)) std::sort(begin, end);
    const auto distinct = static_cast<double>(std::unique(begin, end) - begin);
    out.customer.push_back(static_cast<std::int64_t>(c));
    out.frequency[k] = include_first_transaction ? distinct : distinct - 1.0;
    // differences of int64 ticks divided as doubles, the way pandas divides timedeltas
    out.recency[k] = static_cast<double>(last[c] - first[c]) / ticks_per_unit;
    out.T[k] = static_cast<double>(end_period - first[c]) / ticks_per_unit;
    if (value) {
      if (include_first_transaction)
        out.monetary_value[k] = (first_period_value[c] + repeat_value[c]) / distinct;
      else
        out.monetary_value[k] =
            distinct > 1.0 ? repeat_value[c] / (distinct - 1.0) : 0.0;
    }
    ++k;
  }
  return out;
}

}  // namespace fastlifetimes
