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
#include <utility>
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
namespace detail {

/// The general algorithm: a counting sort of the periods by customer, then a sort inside
/// each customer when its periods are not already in order. Memory access follows the
/// customers, so it is cache-unfriendly for many customers in random order.
inline transaction_summary summarize_by_buckets(const std::int64_t* customer,
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

/// LSD radix sort of 64-bit keys (with values alongside when given) on `bits` low bits.
inline void radix_sort(std::vector<std::uint64_t>& keys, std::vector<double>& values, int bits) {
  // 11-bit digits: 2048 scatter targets stay within what the caches and TLB follow
  // (measured: two 15-bit passes are slower than three 11-bit ones)
  constexpr int digit = 11;
  constexpr std::size_t buckets = std::size_t{1} << digit;
  const std::size_t n = keys.size();
  const bool with_values = !values.empty();
  std::vector<std::uint64_t> keys_tmp(n);
  std::vector<double> values_tmp(with_values ? n : 0);
  std::vector<std::size_t> count(buckets);
  for (int shift = 0; shift < bits; shift += digit) {
    std::fill(count.begin(), count.end(), 0);
    for (std::size_t i = 0; i < n; ++i) ++count[(keys[i] >> shift) & (buckets - 1)];
    std::size_t total = 0;
    for (auto& c : count) total += std::exchange(c, total);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t to = count[(keys[i] >> shift) & (buckets - 1)]++;
      keys_tmp[to] = keys[i];
      if (with_values) values_tmp[to] = values[i];
    }
    keys.swap(keys_tmp);
    if (with_values) values.swap(values_tmp);
  }
}

}  // namespace detail

/// Summarise a transaction log.
/// - `customer[i]` in [0, n_customers), `period[i]` the start of row i's period in ticks,
///   `value` null or one amount per row; `period_width` the period's length in ticks
///   (periods start on multiples of it from a common origin), or 0 if unknown;
/// - rows after `end_period` are ignored; customers left without rows are dropped;
/// - frequency = distinct periods - 1 (or all of them with include_first_transaction);
///   recency = (last period - first period) / ticks_per_unit; T = (end - first) / same;
/// - monetary value = mean of the period sums, the first period excluded unless
///   include_first_transaction, 0 when nothing is left.
/// Throws std::domain_error on a customer code out of range.
///
/// With a known period width, each row becomes one integer key (customer, period index)
/// and a radix sort of the keys puts every customer's periods together and in order;
/// one sequential scan then reads off the summary. Radix passes stream through memory,
/// where grouping by customer directly jumps around it once per row.
inline transaction_summary summarize_transactions(const std::int64_t* customer,
                                                  const std::int64_t* period, const double* value,
                                                  std::size_t n, std::int64_t n_customers,
                                                  std::int64_t end_period, double ticks_per_unit,
                                                  bool include_first_transaction,
                                                  std::int64_t period_width = 0) {
  if (n_customers < 0) throw std::domain_error("summarize: n_customers must be non-negative");
  std::int64_t first_period = INT64_MAX;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (customer[i] < 0 || customer[i] >= n_customers)
      throw std::domain_error("summarize: customer code out of range at row " + std::to_string(i));
    if (period[i] > end_period) continue;
    first_period = std::min(first_period, period[i]);
    ++kept;
  }
  int customer_bits = 0, slot_bits = 0;
  while (customer_bits < 63 && (std::int64_t{1} << customer_bits) < n_customers) ++customer_bits;
  if (kept > 0 && period_width > 0) {
    const auto slots = static_cast<std::uint64_t>((end_period - first_period) / period_width) + 1;
    while (slot_bits < 63 && (std::uint64_t{1} << slot_bits) < slots) ++slot_bits;
  }
  if (kept == 0 || period_width <= 0 || customer_bits + slot_bits > 62)
    return detail::summarize_by_buckets(customer, period, value, n, n_customers, end_period,
                                        ticks_per_unit, include_first_transaction);

  std::vector<std::uint64_t> keys;
  std::vector<double> values;
  keys.reserve(kept);
  if (value) values.reserve(kept);
  for (std::size_t i = 0; i < n; ++i) {
    if (period[i] > end_period) continue;
    const auto slot = static_cast<std::uint64_t>((period[i] - first_period) / period_width);
    keys.push_back(static_cast<std::uint64_t>(customer[i]) << slot_bits | slot);
    if (value) values.push_back(value[i]);
  }
  detail::radix_sort(keys, values, customer_bits + slot_bits);

  const std::uint64_t slot_mask = (std::uint64_t{1} << slot_bits) - 1;
  transaction_summary out;
  std::vector<double> frequency, recency, age, monetary;
  auto finish = [&](std::uint64_t c, std::uint64_t first_slot, std::uint64_t last_slot,
                    double distinct, double first_value, double repeat_value) {
    out.customer.push_back(static_cast<std::int64_t>(c));
    frequency.push_back(include_first_transaction ? distinct : distinct - 1.0);
    const std::int64_t first = first_period + static_cast<std::int64_t>(first_slot) * period_width;
    recency.push_back(static_cast<double>(static_cast<std::int64_t>(last_slot - first_slot) *
                                          period_width) / ticks_per_unit);
    age.push_back(static_cast<double>(end_period - first) / ticks_per_unit);
    if (value) {
      if (include_first_transaction)
        monetary.push_back((first_value + repeat_value) / distinct);
      else
        monetary.push_back(distinct > 1.0 ? repeat_value / (distinct - 1.0) : 0.0);
    }
  };
  std::uint64_t c = 0, first_slot = 0, last_slot = 0;
  double distinct = 0, first_value = 0, repeat_value = 0;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const std::uint64_t key = keys[k];
    const std::uint64_t kc = key >> slot_bits, slot = key & slot_mask;
    if (k == 0 || kc != c) {
      if (k > 0) finish(c, first_slot, last_slot, distinct, first_value, repeat_value);
      c = kc;
      first_slot = last_slot = slot;
      distinct = 1;
      first_value = repeat_value = 0;
    } else if (key != keys[k - 1]) {
      last_slot = slot;
      ++distinct;
    }
    if (value) (slot == first_slot ? first_value : repeat_value) += values[k];
  }
  if (!keys.empty()) finish(c, first_slot, last_slot, distinct, first_value, repeat_value);
  auto to_array = [](const std::vector<double>& v) {
    return Eigen::Map<const Eigen::ArrayXd>(v.data(), static_cast<Eigen::Index>(v.size())).eval();
  };
  out.frequency = to_array(frequency);
  out.recency = to_array(recency);
  out.T = to_array(age);
  if (value) out.monetary_value = to_array(monetary);
  return out;
}

}  // namespace fastlifetimes
