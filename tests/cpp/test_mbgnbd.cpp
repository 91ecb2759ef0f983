// MBG/NBD: the CDNOW estimates of BTYDplus (as lifetimes and btyd assert them), an
// independent MLE and predictions (REFERENCE_VALUES.md section 3), identities with
// BG/NBD, the analytic gradient against central differences, and extremes.

#include <doctest/doctest.h>

#include <fastlifetimes/models/mbgnbd.hpp>
#include <fastlifetimes/optim/model_fit.hpp>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>
#include <string>

#include "test_data.hpp"

using namespace fastlifetimes;

namespace {
// the MLE on BTYD's full-precision CDNOW summary (REFERENCE_VALUES.md 3, [H])
const mbgnbd::params cdnow_mle{0.52484325, 6.18308611, 0.89135912, 1.61400141};
}  // namespace

TEST_CASE("mbgnbd: the fit on CDNOW reproduces BTYDplus' estimates (0.525, 6.183, 0.891, 1.614)") {
  const auto cdnow = fastlifetimes_test::load_cdnow_summary();
  if (!cdnow.found) {
    MESSAGE("skipped: ../shared/data/btyd_r/cdnowSummary_cbs.csv not found");
    return;
  }
  const auto fit = fastlifetimes::fit<mbgnbd::model>(cdnow.x.data(), cdnow.t_x.data(),
                                                     cdnow.T.data(), nullptr, cdnow.x.size(), 0.0);
  REQUIRE(fit.converged);
  //                         r      alpha   a      b
  const double btydplus[] = {0.525, 6.183, 0.891, 1.614};
  for (std::size_t k = 0; k < 4; ++k) CHECK(fit.params[k] == doctest::Approx(btydplus[k]).epsilon(1e-3));
  const double mle[] = {cdnow_mle.r, cdnow_mle.alpha, cdnow_mle.a, cdnow_mle.b};
  for (std::size_t k = 0; k < 4; ++k) CHECK(fit.params[k] == doctest::Approx(mle[k]).epsilon(1e-5));
  CHECK(fit.log_likelihood == doctest::Approx(-9582.135716).epsilon(1e-9));
  // MBG/NBD fits CDNOW a little better than BG/NBD (-9582.429)
  CHECK(fit.log_likelihood > -9582.429);
  CHECK(fit.variance(0, 1) == doctest::Approx(fit.variance(1, 0)));
}

TEST_CASE("mbgnbd: the 2-decimal lifetimes summary gives LL -9582.132685") {
  const auto cdnow = fastlifetimes_test::load_cdnow_summary(false);
  REQUIRE(cdnow.found);
  const auto fit = fastlifetimes::fit<mbgnbd::model>(cdnow.x.data(), cdnow.t_x.data(),
                                                     cdnow.T.data(), nullptr, cdnow.x.size(), 0.0);
  REQUIRE(fit.converged);
  CHECK(fit.log_likelihood == doctest::Approx(-9582.132685).epsilon(1e-9));
  CHECK(fit.params[0] == doctest::Approx(0.52483813).epsilon(1e-5));
  CHECK(fit.params[3] == doctest::Approx(1.61399868).epsilon(1e-5));
  // lifetimes' own objective there: mean negative LL on time rescaled by 1/max(T)
  CHECK(fit.negative_log_likelihood == doctest::Approx(0.2501475).epsilon(1e-6));
}

TEST_CASE("mbgnbd: individual log-density of btyd's test (x=200, t_x=38, T=40): 91.808242") {
  const mbgnbd::params p{0.53, 6.18, 0.89, 1.614};
  CHECK(mbgnbd::log_likelihood(p, 200, 38, 40) == doctest::Approx(91.808242).epsilon(1e-8));
}

TEST_CASE("mbgnbd: predictions at the CDNOW MLE") {
  const auto& p = cdnow_mle;
  CHECK(mbgnbd::conditional_expected_number_of_purchases_up_to_time(p, 39, 2, 30.43, 38.86) ==
        doctest::Approx(1.26267).epsilon(1e-5));
  CHECK(mbgnbd::conditional_probability_alive(p, 2, 30.43, 38.86) ==
        doctest::Approx(0.706126).epsilon(1e-6));
  // lifetimes' test input (frequency 0, recency 1, T 1): P(alive) = b/(a+b) < 1, since an
  // MBG customer may drop out at time 0 (a BG/NBD customer without purchases is alive)
  CHECK(mbgnbd::conditional_probability_alive(p, 0, 1, 1) == doctest::Approx(0.644219).epsilon(1e-6));
  CHECK(mbgnbd::conditional_probability_alive(p, 0, 1, 1) == doctest::Approx(p.b / (p.a + p.b)).epsilon(1e-15));
  const double t[] = {0.1429, 1, 3, 31.8571, 32, 78};
  const double expected[] = {0.0078, 0.0531, 0.1508, 1.0335, 1.0366, 1.8036};
  for (int k = 0; k < 6; ++k)
    CHECK(std::abs(mbgnbd::expected_number_of_purchases_up_to_time(p, t[k]) - expected[k]) <= 5e-5);
}

TEST_CASE("mbgnbd: pmf sums to 1 and its mean is E[X(t)]") {
  const auto& p = cdnow_mle;
  for (double t : {0.5, 10.0, 39.0, 200.0}) {
    double total = 0.0, mean = 0.0;
    for (int n = 0; n < 20000; ++n) {
      const double pn = mbgnbd::probability_of_n_purchases_up_to_time(p, t, n);
      total += pn;
      mean += n * pn;
    }
    CAPTURE(t);
    CHECK(total == doctest::Approx(1.0).epsilon(1e-10));
    CHECK(mean == doctest::Approx(mbgnbd::expected_number_of_purchases_up_to_time(p, t)).epsilon(1e-6));
  }
  CHECK(mbgnbd::probability_of_n_purchases_up_to_time(p, 0.0, 0) == doctest::Approx(1.0));
}

TEST_CASE("mbgnbd: a new customer's expectation is a conditional one with no history") {
  // E[X(t)] = P(alive | 0, 0, 0) * E[X(t) | alive, 0, 0, 0]: the same formula at T = 0
  const auto& p = cdnow_mle;
  for (double t : {1.0, 39.0, 500.0})
    CHECK(mbgnbd::conditional_expected_number_of_purchases_up_to_time(p, t, 0, 0, 0) ==
          doctest::Approx(mbgnbd::expected_number_of_purchases_up_to_time(p, t)).epsilon(1e-12));
}

TEST_CASE("mbgnbd: a -> 1 is continuous (the paper's form divides 0 by 0)") {
  for (double a : {1.0 - 1e-9, 1.0, 1.0 + 1e-9}) {
    const mbgnbd::params p{0.5, 6.0, a, 1.6};
    CAPTURE(a);
    CHECK(mbgnbd::expected_number_of_purchases_up_to_time(p, 39) ==
          doctest::Approx(mbgnbd::expected_number_of_purchases_up_to_time({0.5, 6.0, 1.0 + 1e-6, 1.6}, 39))
              .epsilon(1e-5));
  }
}

TEST_CASE("mbgnbd: analytic gradient equals central differences") {
  const double x[] = {0, 1, 2, 5, 30, 0, 7, 200};
  const double t_x[] = {0, 0.3, 0.9, 0.5, 0.99, 0, 0.01, 0.95};
  const double T[] = {1.0, 0.4, 1.0, 0.8, 1.0, 0.2, 0.6, 1.0};
  const double w[] = {3, 1, 2, 1, 1, 5, 1, 1};
  const auto data = compress(x, t_x, T, w, 8);
  for (double penalizer : {0.0, 0.1}) {
    for (const auto& theta : {std::array<double, 4>{0.1, 0.1, 0.1, 0.1},
                              std::array<double, 4>{-0.6, 1.8, -0.1, 0.5},
                              std::array<double, 4>{2.0, -3.0, 1.5, -1.0}}) {
      double grad[4];
      mbgnbd::objective(theta.data(), data, penalizer, grad);
      for (std::size_t k = 0; k < 4; ++k) {
        auto plus = theta, minus = theta;
        const double h = 1e-6;
        plus[k] += h;
        minus[k] -= h;
        const double numeric = (mbgnbd::objective(plus.data(), data, penalizer, nullptr) -
                                mbgnbd::objective(minus.data(), data, penalizer, nullptr)) /
                               (2 * h);
        CAPTURE(k);
        CAPTURE(penalizer);
        CHECK(grad[k] == doctest::Approx(numeric).epsilon(1e-6).scale(1.0));
      }
    }
  }
}

TEST_CASE("mbgnbd: the objective is the mean of the per-customer log-likelihoods") {
  const double x[] = {0, 1, 2, 5, 30};
  const double t_x[] = {0, 0.3, 0.9, 0.5, 0.99};
  const double T[] = {1.0, 0.4, 1.0, 0.8, 1.0};
  const auto data = compress(x, t_x, T, nullptr, 5);
  const std::array<double, 4> theta{-0.6, 1.8, -0.1, 0.5};
  const mbgnbd::params p{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]), std::exp(theta[3])};
  double mean = 0.0;
  for (int i = 0; i < 5; ++i) mean += mbgnbd::log_likelihood(p, x[i], t_x[i], T[i]) / 5.0;
  CHECK(mbgnbd::objective(theta.data(), data, 0.0, nullptr) == doctest::Approx(-mean).epsilon(1e-13));
}

TEST_CASE("mbgnbd: extreme but valid histories give finite values") {
  const mbgnbd::params p{0.525, 6.183, 0.891, 1.614};
  for (double x : {0.0, 1.0, 1e2, 1e4}) {
    for (double T : {0.0, 1.0, 1e3, 1e5}) {
      for (double share : {0.0, 0.5, 1.0}) {
        const double t_x = x == 0 ? 0.0 : share * T;
        CAPTURE(x);
        CAPTURE(T);
        CAPTURE(t_x);
        const double alive = mbgnbd::conditional_probability_alive(p, x, t_x, T);
        CHECK(std::isfinite(mbgnbd::log_likelihood(p, x, t_x, T)));
        CHECK((alive >= 0.0 && alive <= 1.0));
        const double e30 = mbgnbd::conditional_expected_number_of_purchases_up_to_time(p, 30, x, t_x, T);
        const double e90 = mbgnbd::conditional_expected_number_of_purchases_up_to_time(p, 90, x, t_x, T);
        CHECK(std::isfinite(e30));
        CHECK(e30 >= 0.0);
        CHECK(e90 >= e30);
      }
    }
  }
  for (double t : {0.0, 1e-9, 1e5}) {
    CHECK(std::isfinite(mbgnbd::expected_number_of_purchases_up_to_time(p, t)));
    for (double n : {0.0, 1.0, 1e4}) {
      const double pn = mbgnbd::probability_of_n_purchases_up_to_time(p, t, n);
      CHECK((pn >= 0.0 && pn <= 1.0));
    }
  }
}

TEST_CASE("mbgnbd: vectorised predictions equal the scalar ones and name bad rows") {
  const auto& p = cdnow_mle;
  const double t[] = {1, 39, 39, 0};
  const double x[] = {0, 2, 2, 7};
  const double t_x[] = {0, 30.43, 30.43, 3};
  const double T[] = {5, 38.86, 38.86, 8};
  double ce[4], alive[4];
  mbgnbd::conditional_expected_number_of_purchases_up_to_time(p, t, x, t_x, T, 4, ce);
  mbgnbd::conditional_probability_alive(p, x, t_x, T, 4, alive);
  for (int i = 0; i < 4; ++i) {
    CHECK(ce[i] == doctest::Approx(mbgnbd::conditional_expected_number_of_purchases_up_to_time(
                                       p, t[i], x[i], t_x[i], T[i]))
                       .epsilon(1e-15));
    CHECK(alive[i] ==
          doctest::Approx(mbgnbd::conditional_probability_alive(p, x[i], t_x[i], T[i])).epsilon(1e-14));
  }
  const double bad_T[] = {5, 38.86, 20, 8};
  try {
    mbgnbd::conditional_probability_alive(p, x, t_x, bad_T, 4, alive);
    FAIL("no exception");
  } catch (const std::domain_error& e) {
    CHECK(std::string(e.what()).find("row 2") != std::string::npos);
  }
  CHECK_THROWS_AS(mbgnbd::conditional_expected_number_of_purchases_up_to_time(p, t, x, t_x, bad_T, 4, ce),
                  std::domain_error);
}

TEST_CASE("mbgnbd: every invalid value is caught in long inputs too (vectorised check)") {
  const std::size_t size = 9000;
  std::vector<double> x(size), t_x(size), T(size, 40.0), out(size);
  for (std::size_t i = 0; i < size; ++i) {
    x[i] = static_cast<double>(i % 4);
    t_x[i] = x[i] > 0 ? 30.0 : 0.0;
  }
  std::vector<double> t(size, 39.0);
  // both predictions check every row; each must name the spoiled one
  auto refused_at = [&](std::size_t row) {
    int named = 0;
    for (int which = 0; which < 2; ++which) {
      try {
        if (which == 0)
          mbgnbd::conditional_probability_alive(cdnow_mle, x.data(), t_x.data(), T.data(), size, out.data());
        else
          mbgnbd::conditional_expected_number_of_purchases_up_to_time(cdnow_mle, t.data(), x.data(), t_x.data(),
                                                                      T.data(), size, out.data());
      } catch (const std::domain_error& e) {
        named += std::string(e.what()).find("row " + std::to_string(row)) != std::string::npos;
      }
    }
    return named == 2;
  };
  CHECK_FALSE(refused_at(0));
  // row 8191 is (x, t_x, T) = (3, 30, 40)
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<std::vector<double>*, std::vector<double>>> spoilers = {
      {&x, {nan, inf, -1.0, 2.5}}, {&t_x, {nan, inf, -1.0, 41.0}}, {&T, {nan, inf, 29.0}}};
  try {
    t[8191] = -1.0;
    mbgnbd::conditional_expected_number_of_purchases_up_to_time(cdnow_mle, t.data(), x.data(), t_x.data(),
                                                                T.data(), size, out.data());
    FAIL("a negative horizon was accepted");
  } catch (const std::domain_error& e) {
    CHECK(std::string(e.what()).find("row 8191") != std::string::npos);
  }
  t[8191] = 39.0;
  for (const auto& [column, values] : spoilers) {
    for (double bad : values) {
      const double kept = (*column)[8191];
      (*column)[8191] = bad;
      CAPTURE(bad);
      CHECK(refused_at(8191));
      (*column)[8191] = kept;
    }
  }
}
