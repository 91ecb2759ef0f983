// Compression of customer histories to unique weighted rows.

#include <doctest/doctest.h>

#include <fastlifetimes/data/rfm.hpp>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace fastlifetimes;

TEST_CASE("compress: unique rows, summed weights, distinct columns") {
  std::mt19937_64 rng(7);
  const std::size_t n = 20'000;
  std::vector<double> x(n), t_x(n), T(n), w(n);
  std::map<std::tuple<double, double, double>, double> expected;
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = static_cast<double>(rng() % 6);
    T[i] = static_cast<double>(10 + rng() % 20);
    t_x[i] = x[i] == 0 ? 0.0 : static_cast<double>(rng() % static_cast<std::uint64_t>(T[i] + 1));
    w[i] = static_cast<double>(1 + rng() % 3);
    expected[{x[i], t_x[i] * 0.5, T[i] * 0.5}] += w[i];
  }
  const auto c = compress(x.data(), t_x.data(), T.data(), w.data(), n, 0.5);
  REQUIRE(static_cast<std::size_t>(c.rows.size()) == expected.size());
  double total = 0;
  for (Eigen::Index j = 0; j < c.rows.size(); ++j) {
    const auto key = std::make_tuple(c.rows.frequency[j], c.rows.recency[j], c.rows.T[j]);
    REQUIRE(expected.count(key) == 1);
    CHECK(c.rows.weight[j] == expected[key]);
    total += c.rows.weight[j];
    // the indexed columns point at the same values
    CHECK(c.x.values[c.x.index[static_cast<std::size_t>(j)]] == c.rows.frequency[j]);
    CHECK(c.t_x.values[c.t_x.index[static_cast<std::size_t>(j)]] == c.rows.recency[j]);
    CHECK(c.T.values[c.T.index[static_cast<std::size_t>(j)]] == c.rows.T[j]);
  }
  CHECK(total == c.total_weight);
  CHECK(c.x.values.size() == 6);
}

TEST_CASE("compress: invalid histories and weights are errors") {
  const double x[] = {1, 0}, t_x[] = {2, 1}, T[] = {3, 3}, bad_w[] = {1, -1};
  CHECK_THROWS_AS(compress(x, t_x, T, nullptr, 2), std::domain_error);  // x = 0, t_x = 1
  const double ok_tx[] = {2, 0};
  CHECK_THROWS_AS(compress(x, ok_tx, T, bad_w, 2), std::domain_error);
  CHECK_NOTHROW(compress(x, ok_tx, T, nullptr, 2));
}

TEST_CASE("compress: the first bad row is named, in any block of the vectorised check") {
  // 10,000 valid rows (three blocks of the check), then one fault at a time
  std::vector<double> x(10'000), t_x(10'000), T(10'000, 5.0), w(10'000, 1.0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<double>(i % 4);
    t_x[i] = x[i] > 0 ? 1.5 : 0.0;
  }
  CHECK_NOTHROW(compress(x.data(), t_x.data(), T.data(), w.data(), x.size()));
  auto refused_at = [&](std::size_t row) {
    try {
      compress(x.data(), t_x.data(), T.data(), w.data(), x.size());
    } catch (const std::domain_error& e) {
      return std::string(e.what()).find("row " + std::to_string(row)) != std::string::npos;
    }
    return false;
  };
  x[9000] = 0.5;
  CHECK(refused_at(9000));
  x[9000] = 1.0;
  t_x[4100] = 1.0;  // x[4100] = 0: recency without a repeat purchase
  CHECK(refused_at(4100));
  t_x[4100] = 0.0;
  T[5000] = std::nan("");
  CHECK(refused_at(5000));
  T[5000] = 5.0;
  w[9999] = -1.0;
  CHECK(refused_at(9999));
  w[9999] = 1e308;  // the block's sum overflows: a false alarm, still valid
  w[9998] = 1e308;
  CHECK_NOTHROW(compress(x.data(), t_x.data(), T.data(), w.data(), x.size()));
}

TEST_CASE("compress: small and huge frequencies are indexed alike (direct table or hash)") {
  for (double big : {7.0, 65535.0, 65536.0, 1e6, 1099511627776.0}) {
    const double x[] = {big, 0, big, 3, 0}, t_x[] = {2, 0, 2, 1, 0}, T[] = {3, 3, 3, 3, 4};
    const auto c = compress(x, t_x, T, nullptr, 5);
    CAPTURE(big);
    REQUIRE(c.rows.size() == 4);
    // rows come out ordered by (x, T, t_x)
    CHECK(c.rows.frequency[3] == big);
    CHECK(c.rows.weight[3] == 2.0);
    CHECK(c.max_frequency == big);
    CHECK(c.weighted_frequency == 2 * big + 3);
  }
}
