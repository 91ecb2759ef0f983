// Simulation: the random variates have the moments of their distributions, a seed gives
// the same customers whatever the number of customers (and so of threads), and simulated
// histories are valid ones with the right shares of each outcome.

#include <doctest/doctest.h>

#include <fastlifetimes/simulate.hpp>

#include <cmath>
#include <set>
#include <vector>

using namespace fastlifetimes;

namespace {

struct moments {
  double mean = 0, variance = 0;
};

template <class Draw>
moments sample(std::size_t n, Draw draw) {
  double s = 0, s2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = draw();
    s += v;
    s2 += v * v;
  }
  const double mean = s / static_cast<double>(n);
  return {mean, s2 / static_cast<double>(n) - mean * mean};
}

}  // namespace

TEST_CASE("simulate: gamma, beta and exponential variates have their moments") {
  simulate::random_stream g(7, 0);
  const std::size_t n = 400'000;
  for (double shape : {0.05, 0.25, 1.0, 3.7, 40.0}) {
    const auto m = sample(n, [&] { return g.gamma(shape, 2.0); });
    CAPTURE(shape);
    // mean 2 shape, variance 4 shape; 5 standard errors of the sample mean
    CHECK(std::abs(m.mean - 2 * shape) < 5 * std::sqrt(4 * shape / n));
    CHECK(m.variance == doctest::Approx(4 * shape).epsilon(shape < 0.1 ? 0.15 : 0.03));
  }
  for (auto [a, b] : {std::pair{0.8, 2.5}, std::pair{0.05, 0.05}, std::pair{30.0, 2.0}}) {
    const auto m = sample(n, [&] { return g.beta(a, b); });
    const double mean = a / (a + b), var = a * b / ((a + b) * (a + b) * (a + b + 1));
    CAPTURE(a);
    CHECK(std::abs(m.mean - mean) < 5 * std::sqrt(var / n));
    CHECK(m.variance == doctest::Approx(var).epsilon(0.03));
  }
  const auto e = sample(n, [&] { return g.exponential(); });
  CHECK(std::abs(e.mean - 1) < 5 / std::sqrt(n));
  const auto z = sample(n, [&] { return g.normal(); });
  CHECK(std::abs(z.mean) < 5 / std::sqrt(n));
  CHECK(z.variance == doctest::Approx(1).epsilon(0.01));
}

TEST_CASE("simulate: a customer's draws depend on the seed and its position only") {
  const std::size_t n = 200'000;
  std::vector<double> T(n, 40.0);
  std::vector<double> f(n), r(n), l(n), p(n), alive(n), f2(3), r2(3), l2(3), p2(3), alive2(3);
  simulate::bgnbd_customers(T.data(), n, 0.25, 4.0, 0.8, 2.5, 99, false, f.data(), r.data(), l.data(),
                            p.data(), alive.data());
  simulate::bgnbd_customers(T.data(), 3, 0.25, 4.0, 0.8, 2.5, 99, false, f2.data(), r2.data(), l2.data(),
                            p2.data(), alive2.data());
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(l[i] == l2[i]);
    CHECK(f[i] == f2[i]);
    CHECK(r[i] == r2[i]);
  }
  simulate::bgnbd_customers(T.data(), 3, 0.25, 4.0, 0.8, 2.5, 100, false, f2.data(), r2.data(), l2.data(),
                            p2.data(), alive2.data());
  CHECK(l[0] != l2[0]);
}

TEST_CASE("simulate: BG/NBD histories are valid and MBG/NBD customers may leave at once") {
  const std::size_t n = 100'000;
  std::vector<double> T(n), f(n), r(n), l(n), p(n), alive(n);
  for (std::size_t i = 0; i < n; ++i) T[i] = 10.0 + static_cast<double>(i % 50);
  for (bool modified : {false, true}) {
    simulate::bgnbd_customers(T.data(), n, 0.25, 4.0, 0.8, 2.5, 5, modified, f.data(), r.data(), l.data(),
                              p.data(), alive.data());
    std::size_t dead_without_repeat = 0;
    double mean_p = 0;
    for (std::size_t i = 0; i < n; ++i) {
      CHECK((r[i] >= 0 && r[i] < T[i]));
      CHECK((f[i] == 0) == (r[i] == 0));
      CHECK(f[i] <= std::floor(r[i]) + 1);  // distinct whole time units up to the last purchase
      dead_without_repeat += f[i] == 0 && alive[i] == 0;
      mean_p += p[i] / n;
    }
    CHECK(mean_p == doctest::Approx(0.8 / 3.3).epsilon(0.01));
    // MBG/NBD: a share E[p] = a/(a+b) of customers leave right after the first purchase
    if (modified)
      CHECK(static_cast<double>(dead_without_repeat) / n > 0.8 / 3.3 - 0.01);
    else
      CHECK(dead_without_repeat == 0);
  }
}

TEST_CASE("simulate: Pareto/NBD customers are alive when their lifetime exceeds T") {
  const std::size_t n = 100'000;
  std::vector<double> T(n, 39.0), f(n), r(n), l(n), mu(n), alive(n);
  simulate::pareto_nbd_customers(T.data(), n, 0.55, 10.58, 0.61, 11.67, 3, f.data(), r.data(), l.data(),
                                 mu.data(), alive.data());
  // P(alive at T) = E[exp(-mu T)] = (beta / (beta + T))^s
  double share = 0;
  for (std::size_t i = 0; i < n; ++i) share += alive[i] / n;
  const double expected = std::pow(11.67 / (11.67 + 39.0), 0.61);
  CHECK(std::abs(share - expected) < 5 * std::sqrt(expected * (1 - expected) / n));
}

TEST_CASE("simulate: BG/BB histories over n opportunities") {
  const std::size_t n = 100'000;
  std::vector<double> N(n, 6.0), f(n), r(n), p(n), theta(n), alive(n);
  simulate::bgbb_customers(N.data(), n, 1.2, 0.75, 0.66, 2.8, 3, f.data(), r.data(), p.data(), theta.data(),
                           alive.data());
  double alive_share = 0;
  for (std::size_t i = 0; i < n; ++i) {
    CHECK((f[i] <= r[i] && r[i] <= 6.0));
    CHECK((f[i] == 0) == (r[i] == 0));
    alive_share += alive[i] / n;
  }
  // alive after 7 survival draws: E[(1 - theta)^7] = B(gamma, delta + 7) / B(gamma, delta)
  const double expected = std::exp(std::lgamma(2.8 + 7) - std::lgamma(2.8) + std::lgamma(0.66 + 2.8) -
                                   std::lgamma(0.66 + 2.8 + 7));
  CHECK(std::abs(alive_share - expected) < 5 * std::sqrt(expected * (1 - expected) / n));
}

TEST_CASE("simulate: the transaction log holds each customer's first and repeat purchases") {
  const std::size_t n = 1000;
  std::vector<double> T(n, 30.0);
  const auto log = simulate::bgnbd_transactions(T.data(), n, 0.25, 4.0, 0.8, 2.5, 8);
  std::vector<double> f(n), r(n), l(n), p(n), alive(n);
  simulate::bgnbd_customers(T.data(), n, 0.25, 4.0, 0.8, 2.5, 8, false, f.data(), r.data(), l.data(), p.data(),
                            alive.data());
  std::vector<std::size_t> rows(n, 0);
  std::set<std::int64_t> seen;
  for (std::size_t k = 0; k < log.customer.size(); ++k) {
    const auto c = static_cast<std::size_t>(log.customer[k]);
    if (!seen.count(log.customer[k])) CHECK(log.offset[k] == -1.0);
    seen.insert(log.customer[k]);
    ++rows[c];
    CHECK(log.offset[k] < 30.0);
  }
  CHECK(seen.size() == n);
  // the same streams: the log's repeat purchases are the customer table's (before the
  // counting of distinct whole time units)
  for (std::size_t i = 0; i < n; ++i) CHECK(static_cast<double>(rows[i] - 1) >= f[i]);
}

TEST_CASE("simulate: invalid parameters are refused") {
  std::vector<double> T(2, 10.0), o(2);
  CHECK_THROWS_AS(simulate::bgnbd_customers(T.data(), 2, -1, 4, 1, 1, 0, false, o.data(), o.data(), o.data(),
                                            o.data(), o.data()),
                  std::domain_error);
  T[1] = -1;
  CHECK_THROWS_WITH_AS(simulate::pareto_nbd_customers(T.data(), 2, 1, 1, 1, 1, 0, o.data(), o.data(), o.data(),
                                                      o.data(), o.data()),
                       doctest::Contains("row 1"), std::domain_error);
}
