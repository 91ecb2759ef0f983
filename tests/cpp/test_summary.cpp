// The transaction summary: a hand-made log read like a table, and the two algorithms
// (radix keys, per-customer buckets) agreeing on a random log.

#include <doctest/doctest.h>

#include <fastlifetimes/data/summary.hpp>

#include <random>
#include <vector>

using namespace fastlifetimes;

TEST_CASE("summary: a hand-made log, days as periods") {
  // customer, day, amount; the end of observation is day 10
  //   0: days 0, 0, 3, 7  -> periods {0, 3, 7}: frequency 2, recency 7, T 10
  //   1: day 4           -> frequency 0, recency 0, T 6
  //   2: day 12 only     -> after the end: dropped
  //   3: days 9, 2        -> frequency 1, recency 7, T 8 (rows out of order)
  const std::vector<std::int64_t> customer = {0, 0, 1, 0, 2, 3, 0, 3};
  const std::vector<std::int64_t> day = {0, 0, 4, 3, 12, 9, 7, 2};
  const std::vector<double> amount = {10, 5, 8, 20, 99, 30, 40, 6};
  for (std::int64_t width : {0, 1}) {
    CAPTURE(width);
    const auto s = summarize_transactions(customer.data(), day.data(), amount.data(), customer.size(),
                                          4, 10, 1.0, false, width);
    REQUIRE(s.customer == std::vector<std::int64_t>{0, 1, 3});
    CHECK(s.frequency[0] == 2);
    CHECK(s.recency[0] == 7);
    CHECK(s.T[0] == 10);
    CHECK(s.monetary_value[0] == doctest::Approx(30.0));  // mean of 20 and 40; day 0 excluded
    CHECK(s.frequency[1] == 0);
    CHECK(s.T[1] == 6);
    CHECK(s.monetary_value[1] == 0.0);
    CHECK(s.frequency[2] == 1);
    CHECK(s.recency[2] == 7);
    CHECK(s.T[2] == 8);
    CHECK(s.monetary_value[2] == 30.0);
    const auto with_first = summarize_transactions(customer.data(), day.data(), amount.data(),
                                                   customer.size(), 4, 10, 1.0, true, width);
    CHECK(with_first.frequency[0] == 3);
    CHECK(with_first.monetary_value[0] == doctest::Approx((15.0 + 20 + 40) / 3));
  }
}

TEST_CASE("summary: radix keys and per-customer buckets agree on a random log") {
  std::mt19937_64 rng(42);
  const std::size_t n = 50'000;
  const std::int64_t customers = 3'000, width = 86'400, end = 700 * width;
  std::vector<std::int64_t> c(n), p(n);
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    c[i] = static_cast<std::int64_t>(rng() % customers);
    p[i] = static_cast<std::int64_t>(rng() % 730) * width;  // some after the end
    v[i] = static_cast<double>(rng() % 10'000) / 100.0;
  }
  for (bool first : {false, true}) {
    const auto a = summarize_transactions(c.data(), p.data(), v.data(), n, customers, end, 7.0 * width,
                                          first, width);
    const auto b = summarize_transactions(c.data(), p.data(), v.data(), n, customers, end, 7.0 * width,
                                          first, 0);
    REQUIRE(a.customer == b.customer);
    CHECK((a.frequency == b.frequency).all());
    CHECK((a.recency == b.recency).all());
    CHECK((a.T == b.T).all());
    CHECK(((a.monetary_value - b.monetary_value).abs() <= 1e-12 * b.monetary_value.abs()).all());
  }
}

TEST_CASE("summary: a customer code out of range is an error, not a crash") {
  const std::vector<std::int64_t> c = {0, 5}, p = {0, 1};
  CHECK_THROWS_AS(summarize_transactions(c.data(), p.data(), nullptr, 2, 2, 10, 1.0, false, 1),
                  std::domain_error);
}
