// predictions.hpp: DERT and P(alive) at a future time. CLVTools' apparel values
// (REFERENCE_VALUES.md section 9), DERT against quadrature of the conditional
// expectation, the BG/BB closed form against its defining sum, identities at t = 0, and
// the vectorised forms against the scalar ones.

#include <doctest/doctest.h>

#include <fastlifetimes/predictions.hpp>

#include <boost/math/quadrature/exp_sinh.hpp>

#include <cmath>
#include <vector>

using namespace fastlifetimes;

namespace {
const pareto_nbd::params apparel{1.4489768, 48.6360845, 0.5612598, 46.8843633};
const bgnbd::params cdnow_bgnbd{0.243, 4.414, 0.793, 2.426};
const mbgnbd::params cdnow_mbgnbd{0.525, 6.183, 0.891, 1.614};
const bgbb::params donations{1.204, 0.750, 0.657, 2.783};

/// delta int_0^inf e^(-delta tau) E[X(T, T+tau] | history] dtau: DERT by parts.
template <class F>
double discounted_integral(double delta, F&& expected) {
  boost::math::quadrature::exp_sinh<double> rule;
  // beyond u = 700 the weight underflows (and t/(alpha+T+t) rounds to 1)
  return rule.integrate([&](double u) { return u > 700.0 ? 0.0 : std::exp(-u) * expected(u / delta); },
                        1e-12);
}
}  // namespace

TEST_CASE("predictions: Pareto/NBD DERT reproduces CLVTools' apparel table") {
  // Id: x, t_x (weeks), DERT at delta = ln 1.1, T = 104
  const double rows[][3] = {{6, 653.0 / 7, 0.46765602}, {2, 697.0 / 7, 0.22469806},
                            {0, 0, 0.02675392},        {1, 32.0, 0.07696458}};
  for (const auto& row : rows)
    CHECK(pareto_nbd::discounted_expected_residual_transactions(apparel, std::log(1.1), row[0], row[1],
                                                                104.0) ==
          doctest::Approx(row[2]).epsilon(2e-7));
}

TEST_CASE("predictions: continuous DERT is the discounted integral of E[X(T, T+tau)]") {
  const double histories[][3] = {{0, 0, 38.9}, {2, 30.4, 38.9}, {7, 35, 38.9}, {40, 38.9, 38.9}};
  for (double delta : {0.002, 0.05, 1.0})
    for (const auto& h : histories) {
      const double x = h[0], t_x = h[1], T = h[2];
      CHECK(bgnbd::discounted_expected_residual_transactions(cdnow_bgnbd, delta, x, t_x, T) ==
            doctest::Approx(discounted_integral(delta, [&](double tau) {
              return bgnbd::conditional_expected_number_of_purchases_up_to_time(cdnow_bgnbd, tau, x, t_x, T);
            })).epsilon(1e-9));
      CHECK(mbgnbd::discounted_expected_residual_transactions(cdnow_mbgnbd, delta, x, t_x, T) ==
            doctest::Approx(discounted_integral(delta, [&](double tau) {
              return mbgnbd::conditional_expected_number_of_purchases_up_to_time(cdnow_mbgnbd, tau, x, t_x, T);
            })).epsilon(1e-9));
      CHECK(pareto_nbd::discounted_expected_residual_transactions(apparel, delta, x, t_x, T) ==
            doctest::Approx(discounted_integral(delta, [&](double tau) {
              return pareto_nbd::conditional_expected_number_of_purchases_up_to_time(apparel, tau, x, t_x, T);
            })).epsilon(1e-9));
    }
}

TEST_CASE("predictions: BG/BB DERT is the discounted sum over future opportunities") {
  const double d = 0.1;
  const double histories[][3] = {{0, 0, 6}, {3, 5, 6}, {6, 6, 6}, {1, 1, 30}};
  for (const auto& h : histories) {
    double sum = 0.0, previous = 0.0;
    for (int k = 1; k <= 700; ++k) {
      const double now = bgbb::conditional_expected_number_of_purchases_up_to_time(donations, k, h[0], h[1], h[2]);
      sum += (now - previous) / std::pow(1.0 + d, k);
      previous = now;
    }
    CHECK(bgbb::discounted_expected_residual_transactions(donations, d, h[0], h[1], h[2]) ==
          doctest::Approx(sum).epsilon(1e-11));
  }
}

TEST_CASE("predictions: P(alive) in the future is today's at t = 0 and falls with t") {
  for (double x : {0.0, 1.0, 5.0, 300.0}) {
    const double t_x = x == 0.0 ? 0.0 : 20.0, T = 38.0;
    CHECK(bgnbd::conditional_probability_alive_in_future(cdnow_bgnbd, 0.0, x, t_x, T) ==
          bgnbd::conditional_probability_alive(cdnow_bgnbd, x, t_x, T));
    CHECK(mbgnbd::conditional_probability_alive_in_future(cdnow_mbgnbd, 0.0, x, t_x, T) ==
          mbgnbd::conditional_probability_alive(cdnow_mbgnbd, x, t_x, T));
    CHECK(pareto_nbd::conditional_probability_alive_in_future(apparel, 0.0, x, t_x, T) ==
          pareto_nbd::conditional_probability_alive(apparel, x, t_x, T));
    double previous = 2.0;
    for (double t : {1.0, 10.0, 1000.0, 1e6}) {
      const double now = bgnbd::conditional_probability_alive_in_future(cdnow_bgnbd, t, x, t_x, T);
      CHECK(now < previous);
      CHECK(now >= 0.0);
      previous = now;
    }
  }
  // BG/NBD's survival factor E[exp(-lambda p t)] against direct quadrature over p
  const double x = 3, T = 30, t = 25;
  const double m = cdnow_bgnbd.r + x, A = cdnow_bgnbd.alpha + T;
  const double a = cdnow_bgnbd.a, b = cdnow_bgnbd.b + x;
  boost::math::quadrature::exp_sinh<double> rule;
  const double direct = rule.integrate(
      [&](double q) {  // p = q/(1+q): beta-prime density times E_lambda[e^(-lambda p t)]
        const double p = q / (1.0 + q);
        return std::exp((a - 1.0) * std::log(q) - (a + b) * std::log1p(q) - math::lbeta(a, b) -
                        m * std::log1p(p * t / A));
      },
      1e-13);
  CHECK(bgnbd::detail::survival_in_future(cdnow_bgnbd, t, x, T) == doctest::Approx(direct).epsilon(1e-11));
}

TEST_CASE("predictions: vectorised forms equal the scalar ones; bad input throws") {
  const std::vector<double> x = {0, 1, 4, 4, 0}, t_x = {0, 3, 20, 20, 0}, T = {38, 38, 38, 38, 10};
  const std::vector<double> t = {5, 5, 5, 50, 5};
  const std::size_t n = x.size();
  std::vector<double> out(n);
  bgnbd::discounted_expected_residual_transactions(cdnow_bgnbd, 0.05, x.data(), t_x.data(), T.data(), n, out.data());
  for (std::size_t i = 0; i < n; ++i)
    CHECK(out[i] == doctest::Approx(bgnbd::discounted_expected_residual_transactions(cdnow_bgnbd, 0.05, x[i], t_x[i], T[i])).epsilon(1e-15));
  mbgnbd::conditional_probability_alive_in_future(cdnow_mbgnbd, t.data(), x.data(), t_x.data(), T.data(), n, out.data());
  for (std::size_t i = 0; i < n; ++i)
    CHECK(out[i] == doctest::Approx(mbgnbd::conditional_probability_alive_in_future(cdnow_mbgnbd, t[i], x[i], t_x[i], T[i])).epsilon(1e-15));
  pareto_nbd::discounted_expected_residual_transactions(apparel, 0.05, x.data(), t_x.data(), T.data(), n, out.data());
  for (std::size_t i = 0; i < n; ++i)
    CHECK(out[i] == doctest::Approx(pareto_nbd::discounted_expected_residual_transactions(apparel, 0.05, x[i], t_x[i], T[i])).epsilon(1e-14));

  CHECK_THROWS_AS(bgnbd::discounted_expected_residual_transactions(cdnow_bgnbd, 0.0, x.data(), t_x.data(), T.data(), n, out.data()),
                  std::domain_error);
  const std::vector<double> bad_t = {5, -1, 5, 5, 5};
  CHECK_THROWS_AS(pareto_nbd::conditional_probability_alive_in_future(apparel, bad_t.data(), x.data(), t_x.data(), T.data(), n, out.data()),
                  std::domain_error);
  const std::vector<double> bad_tx = {0, 3, 50, 20, 0};
  CHECK_THROWS_AS(mbgnbd::discounted_expected_residual_transactions(cdnow_mbgnbd, 0.1, x.data(), bad_tx.data(), T.data(), n, out.data()),
                  std::domain_error);
  CHECK_THROWS_AS(bgbb::discounted_expected_residual_transactions(donations, 0.1, x.data(), bad_tx.data(), T.data(), n, out.data()),
                  std::domain_error);
}
