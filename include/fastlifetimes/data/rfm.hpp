#pragma once
/// Customer histories (frequency x, recency t_x, age T) with weights, and their compression
/// to unique rows. Real data repeat the same (x, t_x, T) many times and take few distinct
/// values of each column, so the likelihood is evaluated once per unique row, and its
/// column-only terms once per distinct value (see `indexed_column`).

#include <Eigen/Core>

#include <cstdint>
#include <cstring>
#include <vector>

#include "fastlifetimes/core/check.hpp"

namespace fastlifetimes {

/// One array per quantity of the BTYD summary, one entry per customer (or unique row).
struct rfm {
  Eigen::ArrayXd frequency;  ///< x: number of repeat purchases
  Eigen::ArrayXd recency;    ///< t_x: time of the last purchase, from the first
  Eigen::ArrayXd T;          ///< age: time from the first purchase to the end of observation
  Eigen::ArrayXd weight;     ///< how many customers share the row
  Eigen::Index size() const { return frequency.size(); }
};

/// A column reduced to its distinct values; `index[i]` is row i's position in `values`.
struct indexed_column {
  Eigen::ArrayXd values;
  std::vector<std::int32_t> index;
};

/// Unique rows of an rfm with summed weights, plus each column as distinct values.
struct compressed_rfm {
  rfm rows;
  indexed_column x, t_x, T;
  double total_weight = 0.0;
  double weighted_frequency = 0.0;  ///< sum of w * x, converts likelihoods between time units
  double max_frequency = 0.0;
};

namespace detail {

inline std::uint64_t mix_bits(std::uint64_t h) {
  // splitmix64 finaliser: cheap and spreads nearby doubles over the whole table.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

inline std::uint64_t bits_of(double v) {
  if (v == 0.0) v = 0.0;  // -0.0 and 0.0 are the same row
  std::uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

/// Open-addressing hash set of keys of K doubles, assigning each new key the next id.
template <int K>
class key_table {
 public:
  explicit key_table(std::size_t expected) {
    std::size_t cap = 16;
    while (cap < 2 * expected + 16) cap <<= 1;
    slots_.assign(cap, -1);
    mask_ = cap - 1;
    keys_.reserve(expected * K);
  }

  /// The id of `key`, inserting it if it is new.
  std::int32_t find_or_insert(const double* key) {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int k = 0; k < K; ++k) h = mix_bits(h ^ bits_of(key[k]));
    std::size_t pos = h & mask_;
    for (;;) {
      const std::int32_t id = slots_[pos];
      if (id < 0) break;
      if (equal(id, key)) return id;
      pos = (pos + 1) & mask_;
    }
    const auto id = static_cast<std::int32_t>(keys_.size() / K);
    for (int k = 0; k < K; ++k) keys_.push_back(key[k]);
    slots_[pos] = id;
    if (2 * (static_cast<std::size_t>(id) + 1) > slots_.size()) grow();
    return id;
  }

  std::size_t size() const { return keys_.size() / K; }
  double key(std::size_t id, int k) const { return keys_[id * K + static_cast<std::size_t>(k)]; }

 private:
  bool equal(std::int32_t id, const double* key) const {
    for (int k = 0; k < K; ++k)
      if (bits_of(keys_[static_cast<std::size_t>(id) * K + static_cast<std::size_t>(k)]) !=
          bits_of(key[k]))
        return false;
    return true;
  }
  void grow() {
    std::vector<std::int32_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, -1);
    mask_ = slots_.size() - 1;
    for (std::int32_t id : old) {
      if (id < 0) continue;
      std::uint64_t h = 0x9e3779b97f4a7c15ULL;
      for (int k = 0; k < K; ++k) h = mix_bits(h ^ bits_of(key(static_cast<std::size_t>(id), k)));
      std::size_t pos = h & mask_;
      while (slots_[pos] >= 0) pos = (pos + 1) & mask_;
      slots_[pos] = id;
    }
  }

  std::vector<std::int32_t> slots_;
  std::vector<double> keys_;
  std::size_t mask_ = 0;
};

inline indexed_column index_column(const Eigen::ArrayXd& column) {
  key_table<1> table(64);
  indexed_column out;
  out.index.resize(static_cast<std::size_t>(column.size()));
  for (Eigen::Index i = 0; i < column.size(); ++i)
    out.index[static_cast<std::size_t>(i)] = table.find_or_insert(&column[i]);
  out.values.resize(static_cast<Eigen::Index>(table.size()));
  for (std::size_t j = 0; j < table.size(); ++j)
    out.values[static_cast<Eigen::Index>(j)] = table.key(j, 0);
  return out;
}

}  // namespace detail

/// Collapse customers with identical (x, t_x * scale, T * scale) into one weighted row.
/// `time_scale` multiplies recency and T first (lifetimes fits on time rescaled so that
/// max T = 1). Weights may be null (each customer counts once). Throws std::domain_error
/// on an invalid history or a negative or non-finite weight.
inline compressed_rfm compress(const double* frequency, const double* recency, const double* T,
                               const double* weight, std::size_t n, double time_scale = 1.0) {
  detail::key_table<3> table(n < 1024 ? n : n / 4);
  std::vector<double> summed;
  summed.reserve(n < 1024 ? n : n / 4);
  compressed_rfm out;
  for (std::size_t i = 0; i < n; ++i) {
    check::rfm_row("compress", i, frequency[i], recency[i], T[i]);
    const double w = weight ? weight[i] : 1.0;
    if (!(std::isfinite(w) && w >= 0.0))
      throw std::domain_error("compress: weights must be non-negative and finite (row " +
                              std::to_string(i) + ")");
    const double key[3] = {frequency[i], recency[i] * time_scale, T[i] * time_scale};
    const auto id = static_cast<std::size_t>(table.find_or_insert(key));
    if (id == summed.size()) summed.push_back(0.0);
    summed[id] += w;
    out.total_weight += w;
    out.weighted_frequency += w * frequency[i];
  }
  const auto m = static_cast<Eigen::Index>(table.size());
  out.rows.frequency.resize(m);
  out.rows.recency.resize(m);
  out.rows.T.resize(m);
  out.rows.weight.resize(m);
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto u = static_cast<std::size_t>(j);
    out.rows.frequency[j] = table.key(u, 0);
    out.rows.recency[j] = table.key(u, 1);
    out.rows.T[j] = table.key(u, 2);
    out.rows.weight[j] = summed[u];
  }
  out.max_frequency = m > 0 ? out.rows.frequency.maxCoeff() : 0.0;
  out.x = detail::index_column(out.rows.frequency);
  out.t_x = detail::index_column(out.rows.recency);
  out.T = detail::index_column(out.rows.T);
  return out;
}

}  // namespace fastlifetimes
