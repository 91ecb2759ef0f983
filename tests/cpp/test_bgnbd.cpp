// BG/NBD: the published CDNOW numbers of Fader, Hardie & Lee (2005) and the BTYD
// walkthrough, the analytic gradient against central differences, and extremes.

#include <doctest/doctest.h>

#include <fastlifetimes/models/bgnbd.hpp>
#include <fastlifetimes/optim/model_fit.hpp>

#include <cmath>

#include "test_data.hpp"

using namespace fastlifetimes;

namespace {
const bgnbd::params paper{0.243, 4.414, 0.793, 2.426};
const bgnbd::params btyd_walkthrough{0.2425982, 4.4136842, 0.7929899, 2.4261667};
}  // namespace

TEST_CASE("bgnbd: CDNOW log-likelihood at the paper's estimates (FHL 2005: -9582.4)") {
  const auto cdnow = fastlifetimes_test::load_cdnow_summary();
  if (!cdnow.found) {
    MESSAGE("skipped: ../shared/data/btyd_r/cdnowSummary_cbs.csv not found");
    return;
  }
  double ll = 0.0;
  for (std::size_t i = 0; i < cdnow.x.size(); ++i)
    ll += bgnbd::log_likelihood(paper, cdnow.x[i], cdnow.t_x[i], cdnow.T[i]);
  CHECK(ll == doctest::Approx(-9582.4305).epsilon(1e-7));
}

TEST_CASE("bgnbd: the fit on CDNOW reproduces the paper's estimates and LL -9582.429") {
  const auto cdnow = fastlifetimes_test::load_cdnow_summary();
  if (!cdnow.found) {
    MESSAGE("skipped: ../shared/data/btyd_r/cdnowSummary_cbs.csv not found");
    return;
  }
  const auto fit = fastlifetimes::fit<bgnbd::model>(cdnow.x.data(), cdnow.t_x.data(),
                                                    cdnow.T.data(), nullptr, cdnow.x.size(), 0.0);
  REQUIRE(fit.converged);
  //                       r        alpha     a        b
  const double paper_estimates[] = {0.243, 4.414, 0.793, 2.426};
  for (std::size_t k = 0; k < 4; ++k)
    CHECK(fit.params[k] == doctest::Approx(paper_estimates[k]).epsilon(2e-3));
  CHECK(fit.log_likelihood == doctest::Approx(-9582.429).epsilon(1e-7));
  // the helper's MLE on the same data (REFERENCE_VALUES.md 1a)
  CHECK(fit.params[0] == doctest::Approx(0.24259452).epsilon(1e-5));
  CHECK(fit.params[1] == doctest::Approx(4.41360186).epsilon(1e-5));
  // standard errors of lifetimes' docs on the 2-dp data are within 1% of these
  CHECK(std::sqrt(fit.variance(0, 0)) == doctest::Approx(0.012557).epsilon(1e-2));
  CHECK(std::sqrt(fit.variance(1, 1)) == doctest::Approx(0.378221).epsilon(1e-2));
  CHECK(fit.variance(0, 1) == doctest::Approx(fit.variance(1, 0)));
}

TEST_CASE("bgnbd: predictions at the BTYD walkthrough's estimates") {
  const auto& p = btyd_walkthrough;
  // customer "1516": x = 26, t_x = 30.85714, T = 31. The walkthrough prints 25.75659; an
  // independent mpmath evaluation gives 25.756538 (REFERENCE_VALUES.md 1b), which we match.
  CHECK(bgnbd::conditional_expected_number_of_purchases_up_to_time(p, 52, 26, 30.85714, 31) ==
        doctest::Approx(25.756538).epsilon(1e-7));
  CHECK(bgnbd::conditional_probability_alive(p, 26, 30.85714, 31) ==
        doctest::Approx(0.9688523).epsilon(1e-6));
  CHECK(bgnbd::expected_number_of_purchases_up_to_time(p, 52) == doctest::Approx(1.444004).epsilon(1e-6));
  // the "increasing frequency paradox": t_x = 20, T = 39, T* = 52
  const double x[] = {10, 15, 20, 25};
  const double expected[] = {0.3474606, 0.04283391, 0.004158973, 0.0003583685};
  for (int k = 0; k < 4; ++k)
    CHECK(bgnbd::conditional_expected_number_of_purchases_up_to_time(p, 52, x[k], 20, 39) ==
          doctest::Approx(expected[k]).epsilon(1e-6));
}

TEST_CASE("bgnbd: Hardie's spreadsheet and BTYD's pmf at the paper's estimates") {
  CHECK(bgnbd::conditional_expected_number_of_purchases_up_to_time(paper, 39, 2, 30.43, 38.86) ==
        doctest::Approx(1.226028).epsilon(1e-6));
  CHECK(bgnbd::probability_of_n_purchases_up_to_time(paper, 2, 10) ==
        doctest::Approx(1.0786896e-07).epsilon(1e-6));
  CHECK(bgnbd::probability_of_n_purchases_up_to_time(paper, 39, 0) ==
        doctest::Approx(0.57378635).epsilon(1e-7));
  const double pmf30[] = {0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638,
                          0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260};
  for (int n = 11; n <= 20; ++n)
    CHECK(bgnbd::probability_of_n_purchases_up_to_time(paper, 30, n) ==
          doctest::Approx(pmf30[n - 11]).epsilon(1e-7));
}

TEST_CASE("bgnbd: individual log-likelihoods of Fader & Hardie's note 027") {
  const bgnbd::params p{0.25, 4.0, 0.8, 2.5};
  CHECK(bgnbd::log_likelihood(p, 0, 0, 40) == doctest::Approx(-0.59947382).epsilon(1e-8));
  CHECK(bgnbd::log_likelihood(p, 200, 38, 40) == doctest::Approx(100.7957).epsilon(1e-6));
}

TEST_CASE("bgnbd: analytic gradient equals central differences") {
  const double x[] = {0, 1, 2, 5, 30, 0, 7, 200};
  const double t_x[] = {0, 0.3, 0.9, 0.5, 0.99, 0, 0.01, 0.95};
  const double T[] = {1.0, 0.4, 1.0, 0.8, 1.0, 0.2, 0.6, 1.0};
  const double w[] = {3, 1, 2, 1, 1, 5, 1, 1};
  const auto data = compress(x, t_x, T, w, 8);
  for (double penalizer : {0.0, 0.1}) {
    for (const auto& theta : {std::array<double, 4>{0.1, 0.1, 0.1, 0.1},
                              std::array<double, 4>{-1.4, 1.2, -0.2, 0.9},
                              std::array<double, 4>{2.0, -3.0, 1.5, -1.0}}) {
      double grad[4];
      bgnbd::objective(theta.data(), data, penalizer, grad);
      for (std::size_t k = 0; k < 4; ++k) {
        auto plus = theta, minus = theta;
        const double h = 1e-6;
        plus[k] += h;
        minus[k] -= h;
        const double numeric = (bgnbd::objective(plus.data(), data, penalizer, nullptr) -
                                bgnbd::objective(minus.data(), data, penalizer, nullptr)) /
                               (2 * h);
        CAPTURE(k);
        CAPTURE(penalizer);
        CHECK(grad[k] == doctest::Approx(numeric).epsilon(1e-6).scale(1.0));
      }
    }
  }
}

TEST_CASE("bgnbd: extreme but valid histories give finite values") {
  const bgnbd::params p{0.243, 4.414, 0.793, 2.426};
  for (double x : {0.0, 1.0, 1e2, 1e4}) {
    for (double T : {0.0, 1.0, 1e3, 1e5}) {
      for (double share : {0.0, 0.5, 1.0}) {
        const double t_x = x == 0 ? 0.0 : share * T;
        CAPTURE(x);
        CAPTURE(T);
        CAPTURE(t_x);
        const double alive = bgnbd::conditional_probability_alive(p, x, t_x, T);
        CHECK(std::isfinite(bgnbd::log_likelihood(p, x, t_x, T)));
        CHECK((alive >= 0.0 && alive <= 1.0));
        const double e30 = bgnbd::conditional_expected_number_of_purchases_up_to_time(p, 30, x, t_x, T);
        const double e90 = bgnbd::conditional_expected_number_of_purchases_up_to_time(p, 90, x, t_x, T);
        CHECK(std::isfinite(e30));
        CHECK(e30 >= 0.0);
        CHECK(e90 >= e30);
      }
    }
  }
}

TEST_CASE("bgnbd: expectations where the Euler-transformed series cancels or overflows") {
  // found by the property tests; references from mpmath at 50 digits (FHL eq. 9)
  //  r     alpha  a          b   t     E[X(t)]
  struct row {
    double r, alpha, a, b, t, expected, tolerance;
  };
  const row rows[] = {
      {130, 1, 1 + 1e-6, 1, 1, 5.440888843469664, 1e-8},  // a+b-1-r << 0: alternating terms
      {1, 1, 106, 1, 920, 1.0084171645452859, 1e-12},     // transformed 2F1 overflows
      {1, 1, 106, 1, 1, 0.50235838563230175, 1e-12},
      {1, 1, 106, 1, 2, 0.67087259758186366, 1e-12},
  };
  for (const auto& q : rows) {
    CAPTURE(q.r);
    CAPTURE(q.a);
    CAPTURE(q.t);
    const double got = bgnbd::expected_number_of_purchases_up_to_time({q.r, q.alpha, q.a, q.b}, q.t);
    CHECK(got == doctest::Approx(q.expected).epsilon(q.tolerance));
  }
}

TEST_CASE("bgnbd: expected purchases over many distinct ages and frequencies equal the scalar formula") {
  // ages with a time of day: more distinct ages than the dense table holds, so both the
  // dense rows and the hash of (x, T) pairs are used; frequencies past the dense limit too
  const bgnbd::params p{0.243, 4.414, 0.793, 2.426};
  const std::size_t n = 20'000;
  std::vector<double> t(n, 30.0), x(n), t_x(n), T(n), out(n);
  for (std::size_t i = 0; i < n; ++i) {
    T[i] = 10.0 + 0.001 * static_cast<double>(i);
    x[i] = i % 7 == 0 ? 5000.0 + static_cast<double>(i % 3) : static_cast<double>(i % 5);
    t_x[i] = x[i] > 0.0 ? 0.5 * T[i] : 0.0;
  }
  bgnbd::conditional_expected_number_of_purchases_up_to_time(p, t.data(), x.data(), t_x.data(), T.data(),
                                                             n, out.data());
  for (std::size_t i = 0; i < n; i += 37)
    CHECK(out[i] == doctest::Approx(bgnbd::conditional_expected_number_of_purchases_up_to_time(
                                        p, t[i], x[i], t_x[i], T[i]))
                        .epsilon(1e-13));
}
