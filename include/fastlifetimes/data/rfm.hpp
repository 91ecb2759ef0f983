#pragma once
/// Customer histories (frequency x, recency t_x, age T) with weights, and their compression
/// to unique rows. Real data repeat the same (x, t_x, T) many times and take few distinct
/// values of each column, so the likelihood is evaluated once per unique row, and its
/// column-only terms once per distinct value (see `indexed_column`).

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
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
///
/// Every customer of a prediction goes through `find_or_insert`, so the probe is kept to
/// one cache line: the key sits in its slot next to its id (no second, dependent load),
/// and the hash is one multiply per component plus one finalising mix.
template <int K>
class key_table {
 public:
  explicit key_table(std::size_t expected) {
    std::size_t cap = 16;
    while (cap < 2 * expected + 16) cap <<= 1;
    slots_.assign(cap, slot{});
    mask_ = cap - 1;
    keys_.reserve(expected * K);
  }

  /// The id of `key`, inserting it if it is new.
  std::int32_t find_or_insert(const double* key) {
    std::uint64_t bits[static_cast<std::size_t>(K)];
    for (int k = 0; k < K; ++k) bits[k] = bits_of(key[k]);
    return find_or_insert(bits, hash(bits));
  }

  std::size_t size() const { return keys_.size() / K; }
  double key(std::size_t id, int k) const { return keys_[id * K + static_cast<std::size_t>(k)]; }

 private:
  std::int32_t find_or_insert(const std::uint64_t* bits, std::uint64_t h) {
    std::size_t pos = h & mask_;
    for (;;) {
      const slot& s = slots_[pos];
      if (s.id < 0) break;
      if (s.holds(bits)) return s.id;
      pos = (pos + 1) & mask_;
    }
    const auto id = static_cast<std::int32_t>(keys_.size() / K);
    for (int k = 0; k < K; ++k) {
      double v;
      std::memcpy(&v, &bits[k], sizeof v);
      keys_.push_back(v);
    }
    slots_[pos].set(bits, id);
    if (2 * (static_cast<std::size_t>(id) + 1) > slots_.size()) grow();
    return id;
  }

  struct slot {
    std::uint64_t bits[static_cast<std::size_t>(K)] = {};
    std::int32_t id = -1;
    bool holds(const std::uint64_t* b) const {
      bool same = true;
      for (int k = 0; k < K; ++k) same &= bits[k] == b[k];
      return same;
    }
    void set(const std::uint64_t* b, std::int32_t i) {
      for (int k = 0; k < K; ++k) bits[k] = b[k];
      id = i;
    }
  };

  static std::uint64_t hash(const std::uint64_t* bits) {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int k = 0; k < K; ++k) h = (h ^ bits[k]) * 0xbf58476d1ce4e5b9ULL;
    return mix_bits(h);
  }

  void grow() {
    std::vector<slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, slot{});
    mask_ = slots_.size() - 1;
    for (const slot& s : old) {
      if (s.id < 0) continue;
      std::size_t pos = hash(s.bits) & mask_;
      while (slots_[pos].id >= 0) pos = (pos + 1) & mask_;
      slots_[pos] = s;
    }
  }

  std::vector<slot> slots_;
  std::vector<double> keys_;
  std::size_t mask_ = 0;
};

/// Codes 0, 1, 2, ... for distinct doubles, in order of first sight: an open-addressing
/// table with key and code side by side (one cache line per probe), Fibonacci-hashed,
/// grown from small and filled to 3/4, so that the thousand-odd ages and recencies of
/// real data stay in L1.
class value_codes {
 public:
  std::int32_t find_or_insert(double v) {
    if (v == 0.0) v = 0.0;  // -0.0 is 0.0
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    std::size_t pos = static_cast<std::size_t>((bits * 0x9E3779B97F4A7C15ULL) >> shift_);
    for (;;) {
      const slot& here = slots_[pos];
      if (here.code < 0) break;
      if (here.key == v) return here.code;
      pos = (pos + 1) & (slots_.size() - 1);
    }
    slots_[pos] = {v, count_};
    if (4 * static_cast<std::size_t>(++count_) > 3 * slots_.size()) grow();
    return count_ - 1;
  }
  std::size_t size() const { return static_cast<std::size_t>(count_); }

 private:
  struct slot {
    double key;
    std::int32_t code;
  };
  void grow() {
    std::vector<slot> old(slots_.size() * 2, slot{0.0, -1});
    old.swap(slots_);
    --shift_;
    const std::int32_t count = count_;
    count_ = 0;
    std::vector<slot> ordered(static_cast<std::size_t>(count));
    for (const slot& e : old)
      if (e.code >= 0) ordered[static_cast<std::size_t>(e.code)] = e;
    for (const slot& e : ordered) find_or_insert(e.key);  // same codes: same order
  }
  std::vector<slot> slots_ = std::vector<slot>(256, slot{0.0, -1});
  int shift_ = 64 - 8;
  std::int32_t count_ = 0;
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

namespace detail {

/// Sort (key, row) pairs by key with a least-significant-digit radix sort: linear in n,
/// where a hash table of the rows would miss the cache on every lookup.
/// `rows` may be empty: then only the keys are sorted (half the memory traffic).
inline void radix_sort_pairs(std::vector<std::uint64_t>& keys, std::vector<std::uint32_t>& rows,
                             std::uint64_t max_key) {
  constexpr int digit_bits = 11;
  constexpr std::size_t buckets = std::size_t{1} << digit_bits;
  int bits = 0;
  while (bits < 64 && (max_key >> bits) != 0) ++bits;
  const std::size_t n = keys.size();
  const bool with_rows = !rows.empty();
  std::vector<std::uint64_t> keys_tmp(n);
  std::vector<std::uint32_t> rows_tmp(with_rows ? n : 0);
  std::vector<std::size_t> count(buckets);
  for (int shift = 0; shift < bits; shift += digit_bits) {
    std::fill(count.begin(), count.end(), 0);
    for (std::size_t i = 0; i < n; ++i) ++count[(keys[i] >> shift) & (buckets - 1)];
    std::size_t total = 0;
    for (auto& c : count) {
      const std::size_t here = c;
      c = total;
      total += here;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t to = count[(keys[i] >> shift) & (buckets - 1)]++;
      keys_tmp[to] = keys[i];
      if (with_rows) rows_tmp[to] = rows[i];
    }
    keys.swap(keys_tmp);
    rows.swap(rows_tmp);
  }
}

/// As index_values for whole numbers in [0, max]: a direct table instead of a hash.
inline indexed_column index_small_whole_numbers(const double* values, std::size_t n, double max) {
  std::vector<std::int32_t> id(static_cast<std::size_t>(max) + 1, -1);
  std::vector<double> distinct;
  indexed_column out;
  out.index.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& slot = id[static_cast<std::size_t>(values[i])];
    if (slot < 0) {
      slot = static_cast<std::int32_t>(distinct.size());
      distinct.push_back(values[i]);
    }
    out.index[i] = slot;
  }
  out.values = Eigen::Map<const Eigen::ArrayXd>(distinct.data(), static_cast<Eigen::Index>(distinct.size()));
  return out;
}

/// Distinct values of one column, in first-seen order, and each row's position among them.
inline indexed_column index_values(const double* values, std::size_t n, double scale) {
  key_table<1> table(64);
  indexed_column out;
  out.index.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = values[i] * scale;
    out.index[i] = table.find_or_insert(&v);
  }
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
///
/// Each column is first reduced to its few distinct values; the three small codes then
/// form one integer key per row, and a radix sort of the keys groups identical rows.
/// The unique rows come out ordered by (x, T, t_x), which keeps the likelihood's table
/// lookups local.
inline compressed_rfm compress(const double* frequency, const double* recency, const double* T,
                               const double* weight, std::size_t n, double time_scale = 1.0) {
  // Valid blocks are recognised by vectorised reductions (a row-by-row check costs as
  // much as the rest of the compression); a block that fails is checked row by row, which
  // names the first bad row.
  constexpr std::size_t block = 4096;
  double max_frequency = 0.0;
  for (std::size_t b0 = 0; b0 < n; b0 += block) {
    const auto m = static_cast<Eigen::Index>(std::min(block, n - b0));
    const Eigen::Map<const Eigen::ArrayXd> x(frequency + b0, m), t_x(recency + b0, m), age(T + b0, m);
    max_frequency = std::max(max_frequency, x.maxCoeff());
    // A NaN or inf anywhere makes the sum non-finite (a sum that overflows is a false
    // alarm, settled by the row check). Rows with x = 0 must have t_x = 0: the largest
    // t_x among them is 0.
    bool valid = std::isfinite((x + t_x + age).sum()) && x.minCoeff() >= 0.0 &&
                 t_x.minCoeff() >= 0.0 && (age - t_x).minCoeff() >= 0.0 &&
                 (x - x.floor()).abs().maxCoeff() == 0.0 &&
                 (x == 0.0).select(t_x, 0.0).maxCoeff() == 0.0;
    if (weight) {
      const Eigen::Map<const Eigen::ArrayXd> w(weight + b0, m);
      valid = valid && std::isfinite(w.sum()) && w.minCoeff() >= 0.0;
    }
    if (valid) continue;
    for (std::size_t i = b0; i < b0 + static_cast<std::size_t>(m); ++i) {
      check::rfm_row("compress", i, frequency[i], recency[i], T[i]);
      if (weight && !(std::isfinite(weight[i]) && weight[i] >= 0.0))
        throw std::domain_error("compress: weights must be non-negative and finite (row " +
                                std::to_string(i) + ")");
    }
  }
  if (n > std::size_t{0xFFFFFFFFu}) throw std::domain_error("compress: more than 2^32 rows");
  // The three columns are independent. Frequencies are whole numbers, mostly small: a
  // direct table indexes them several times faster than hashing, which leaves time for
  // the ages on the same second thread while this one indexes the recencies.
  indexed_column x, t_x, age;
  auto index_x_and_age = [&] {
    x = max_frequency < 65536.0 ? detail::index_small_whole_numbers(frequency, n, max_frequency)
                                : detail::index_values(frequency, n, 1.0);
    age = detail::index_values(T, n, time_scale);
  };
  {
    std::thread worker;
    if (n >= 200'000)
      worker = std::thread(index_x_and_age);
    else
      index_x_and_age();
    t_x = detail::index_values(recency, n, time_scale);
    if (worker.joinable()) worker.join();
  }
  const auto nx = static_cast<std::uint64_t>(x.values.size());
  const auto nT = static_cast<std::uint64_t>(age.values.size());
  const auto nt = static_cast<std::uint64_t>(t_x.values.size());
  // Rank the distinct values so that keys sort by value, not by first appearance.
  auto ranks = [](const Eigen::ArrayXd& v) {
    std::vector<std::uint32_t> order(static_cast<std::size_t>(v.size())), rank(order.size());
    for (std::size_t j = 0; j < order.size(); ++j) order[j] = static_cast<std::uint32_t>(j);
    std::sort(order.begin(), order.end(), [&](std::uint32_t p, std::uint32_t q) {
      return v[static_cast<Eigen::Index>(p)] < v[static_cast<Eigen::Index>(q)];
    });
    for (std::size_t j = 0; j < order.size(); ++j) rank[order[j]] = static_cast<std::uint32_t>(j);
    return rank;
  };
  const auto rank_x = ranks(x.values), rank_T = ranks(age.values), rank_t = ranks(t_x.values);

  std::vector<std::uint64_t> keys(n);
  std::vector<std::uint32_t> rows(weight ? n : 0);  // only weights need the original rows
  for (std::size_t i = 0; i < n; ++i)
    keys[i] = (static_cast<std::uint64_t>(rank_x[static_cast<std::size_t>(x.index[i])]) * nT +
               rank_T[static_cast<std::size_t>(age.index[i])]) * nt +
              rank_t[static_cast<std::size_t>(t_x.index[i])];
  if (weight)
    for (std::size_t i = 0; i < n; ++i) rows[i] = static_cast<std::uint32_t>(i);
  // nx * nT * nt < 2^64 whenever n < 2^21; beyond, distinct counts that large are
  // implausible, but refuse rather than overflow.
  if (nx && nT && nt && static_cast<long double>(nx) * nT * nt > 1.8e19L)
    throw std::domain_error("compress: too many distinct values to combine");
  detail::radix_sort_pairs(keys, rows, n ? nx * nT * nt - 1 : 0);

  compressed_rfm out;
  std::vector<std::uint64_t> unique_key;
  std::vector<double> summed;
  unique_key.reserve(n / 2 + 1);
  summed.reserve(n / 2 + 1);
  for (std::size_t k = 0; k < n; ++k) {
    if (k == 0 || keys[k] != keys[k - 1]) {
      unique_key.push_back(keys[k]);
      summed.push_back(0.0);
    }
    // rows[k] jumps around the input: touch the weights only when there are any
    summed.back() += weight ? weight[rows[k]] : 1.0;
  }
  // Distinct values in ascending order, so that a rank is an index into them.
  auto sorted_values = [](const Eigen::ArrayXd& v, const std::vector<std::uint32_t>& rank) {
    Eigen::ArrayXd out(v.size());
    for (Eigen::Index j = 0; j < v.size(); ++j) out[rank[static_cast<std::size_t>(j)]] = v[j];
    return out;
  };
  out.x.values = sorted_values(x.values, rank_x);
  out.T.values = sorted_values(age.values, rank_T);
  out.t_x.values = sorted_values(t_x.values, rank_t);
  const auto m = static_cast<Eigen::Index>(unique_key.size());
  out.rows.frequency.resize(m);
  out.rows.recency.resize(m);
  out.rows.T.resize(m);
  out.rows.weight.resize(m);
  out.x.index.resize(unique_key.size());
  out.t_x.index.resize(unique_key.size());
  out.T.index.resize(unique_key.size());
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto u = static_cast<std::size_t>(j);
    // decode the ranks from the key rather than look the row up: the rows are scattered
    // over the input, the keys are in hand
    const std::uint64_t key = unique_key[u];
    const auto rt = static_cast<std::int32_t>(key % nt);
    const std::uint64_t rest = key / nt;
    const auto rT = static_cast<std::int32_t>(rest % nT);
    const auto rx = static_cast<std::int32_t>(rest / nT);
    out.x.index[u] = rx;
    out.t_x.index[u] = rt;
    out.T.index[u] = rT;
    out.rows.frequency[j] = out.x.values[rx];
    out.rows.recency[j] = out.t_x.values[rt];
    out.rows.T[j] = out.T.values[rT];
    out.rows.weight[j] = summed[u];
    out.total_weight += summed[u];
    out.weighted_frequency += summed[u] * out.rows.frequency[j];
  }
  out.max_frequency = m > 0 ? out.rows.frequency.maxCoeff() : 0.0;
  return out;
}

}  // namespace fastlifetimes
