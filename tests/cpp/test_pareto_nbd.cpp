// Pareto/NBD: the published CDNOW numbers (Fader, Hardie & Lee 2005; the BTYD
// walkthrough; CLVTools' tests), the analytic gradient against central differences, and
// histories where the textbook formula overflows.

#include <doctest/doctest.h>

#include <fastlifetimes/models/pareto_nbd.hpp>
#include <fastlifetimes/optim/model_fit.hpp>

#include <cmath>

#include "test_data.hpp"

using namespace fastlifetimes;

namespace {
// BTYD's `cdnowSummary$est.params` (hardie = TRUE)
const pareto_nbd::params btyd{0.553397143256635, 10.580198543474351, 0.606062497117662,
                              11.656223670707698};
// CLVTools' estimate on the same data (test_correctness_pnbd_nocovstaticcov.R)
const pareto_nbd::params clvtools{0.55315, 10.57633, 0.60625, 11.67150};

double cdnow_log_likelihood(const pareto_nbd::params& p,
                            const fastlifetimes_test::cdnow_summary& cdnow) {
  double ll = 0.0;
  for (std::size_t i = 0; i < cdnow.x.size(); ++i)
    ll += pareto_nbd::log_likelihood(p, cdnow.x[i], cdnow.t_x[i], cdnow.T[i]);
  return ll;
}
}  // namespace

TEST_CASE("pareto_nbd: CDNOW log-likelihood at published estimates (FHL 2005: -9595.0)") {
  const auto cdnow = fastlifetimes_test::load_cdnow_summary();
  if (!cdnow.found) {
    MESSAGE("skipped: ../shared/data/btyd_r/cdnowSummary_cbs.csv not found");
    return;
  }
  //                                        published    independent recomputation
  CHECK(cdnow_log_likelihood(btyd, cdnow) == doctest::Approx(-9594.97620).epsilon(2e-9));
  CHECK(cdnow_log_likelihood(clvtools, cdnow) == doctest::Approx(-9594.97618).epsilon(2e-9));
  const pareto_nbd::params paper{0.553, 10.578, 0.606, 11.669};
  CHECK(cdnow_log_likelihood(paper, cdnow) == doctest::Approx(-9595.0).epsilon(1e-5));
}

TEST_CASE("pareto_nbd: the fit on CDNOW reproduces the MLE, LL -9594.976 and CLVTools' SEs") {
  const auto cdnow = fastlifetimes_test::load_cdnow_summary();
  if (!cdnow.found) {
    MESSAGE("skipped: ../shared/data/btyd_r/cdnowSummary_cbs.csv not found");
    return;
  }
  const auto fit = fastlifetimes::fit<pareto_nbd::model>(cdnow.x.data(), cdnow.t_x.data(),
                                                         cdnow.T.data(), nullptr, cdnow.x.size(), 0.0);
  REQUIRE(fit.converged);
  CAPTURE(fit.params[0]);
  CAPTURE(fit.params[1]);
  CAPTURE(fit.params[2]);
  CAPTURE(fit.params[3]);
  //                         r      alpha   s      beta
  const double paper[] = {0.553, 10.578, 0.606, 11.669};  // FHL (2005)
  for (std::size_t k = 0; k < 4; ++k) CHECK(fit.params[k] == doctest::Approx(paper[k]).epsilon(2e-3));
  CHECK(fit.log_likelihood == doctest::Approx(-9594.976179).epsilon(1e-10));
  // The likelihood is flat along beta (REFERENCE_VALUES 2a): BTYD, CLVTools and an
  // independent fit differ by 1e-3 in beta for 3e-5 in LL. Ours must be at least as high.
  CHECK(fit.log_likelihood >= cdnow_log_likelihood(clvtools, cdnow) - 1e-9);
  CHECK(fit.log_likelihood >= cdnow_log_likelihood(btyd, cdnow) - 1e-9);
  // CLVTools' standard errors (start (1,2,1,2), tolerance 1e-3)
  const double se[] = {0.0476264, 0.8427222, 0.1872594, 6.2105448};
  for (std::size_t k = 0; k < 4; ++k) {
    CAPTURE(k);
    const auto i = static_cast<Eigen::Index>(k);
    CHECK(std::sqrt(fit.variance(i, i)) == doctest::Approx(se[k]).epsilon(1e-3));
  }
}

TEST_CASE("pareto_nbd: predictions of the BTYD walkthrough and man pages") {
  // P(alive | x = 0, T = 39) at est.params: pnbd.PAlive.Rd's example comment
  CHECK(pareto_nbd::conditional_probability_alive(btyd, 0, 0, 39) ==
        doctest::Approx(0.2941633).epsilon(2e-7));
  CHECK(pareto_nbd::conditional_probability_alive(btyd, 23, 39, 39) == 1.0);
  // E[X(t)], t = 1..10, at pnbd.Expectation.Rd's parameters (values asserted by
  // lifetimes' test_expectation_returns_same_value_as_R_BTYD; t = 10 recomputed)
  const pareto_nbd::params man{0.55, 10.56, 0.61, 11.64};
  const double expected[] = {0.05077821, 0.09916088, 0.14542507, 0.18979930, 0.23247466,
                             0.27361274, 0.31335159, 0.35181024, 0.38909211, 0.42528771};
  for (int t = 1; t <= 10; ++t)
    CHECK(pareto_nbd::expected_number_of_purchases_up_to_time(man, t) ==
          doctest::Approx(expected[t - 1]).epsilon(2e-8));
}

TEST_CASE("pareto_nbd: predictions at the CDNOW MLE (BTYD walkthrough section 3)") {
  const pareto_nbd::params mle{0.55327708, 10.57768487, 0.60623993, 11.66873451};
  CHECK(pareto_nbd::expected_number_of_purchases_up_to_time(mle, 52) ==
        doctest::Approx(1.473434).epsilon(1e-6));
  // customer "1516". The walkthrough's 25.45647 comes from BTYD's own 2F1 series at
  // slightly different parameters; 25.45518 is the exact value at the MLE.
  CHECK(pareto_nbd::conditional_expected_number_of_purchases_up_to_time(mle, 52, 26, 30.85714, 31) ==
        doctest::Approx(25.45518).epsilon(1e-6));
  CHECK(pareto_nbd::conditional_expected_number_of_purchases_up_to_time(mle, 52, 26, 30.85714, 31) ==
        doctest::Approx(25.45647).epsilon(1e-4));
  CHECK(pareto_nbd::conditional_probability_alive(mle, 26, 30.85714, 31) ==
        doctest::Approx(0.997874).epsilon(1e-6));
  // the "increasing frequency paradox": t_x = 20, T = 39, T* = 52
  const double x[] = {10, 15, 20, 25};
  const double walkthrough[] = {0.7062289, 0.1442396, 0.02250658, 0.00309267};
  for (std::size_t k = 0; k < 4; ++k)
    CHECK(pareto_nbd::conditional_expected_number_of_purchases_up_to_time(mle, 52, x[k], 20, 39) ==
          doctest::Approx(walkthrough[k]).epsilon(1e-3));
}

TEST_CASE("pareto_nbd: lifetimes' underflow cases, x = 132 and 133 at t_x = T = 200") {
  const pareto_nbd::params p{0.55, 10.58, 0.61, 11.67};
  // 50-digit evaluations: 6.2060517889629, 6.2528722475745
  CHECK(pareto_nbd::conditional_expected_number_of_purchases_up_to_time(p, 10, 132, 200, 200) ==
        doctest::Approx(6.2060517889629).epsilon(1e-12));
  CHECK(pareto_nbd::conditional_expected_number_of_purchases_up_to_time(p, 10, 133, 200, 200) ==
        doctest::Approx(6.2528722475745).epsilon(1e-12));
}

TEST_CASE("pareto_nbd: P(alive) where the textbook formula overflows") {
  // lifetimes' overflow-test parameters; 50-digit values (REFERENCE_VALUES appendix H)
  const pareto_nbd::params p{10.465, 7.98565181e-03, 3.0516, 2.820};
  CHECK(pareto_nbd::conditional_probability_alive(p, 40, 5, 6) ==
        doctest::Approx(1.88512818736e-03).epsilon(1e-10));
  CHECK(pareto_nbd::conditional_probability_alive(p, 50, 1, 37) ==
        doctest::Approx(1.41714429129e-96).epsilon(1e-9));
  CHECK(pareto_nbd::conditional_probability_alive(p, 50, 4, 37) ==
        doctest::Approx(6.7329748718e-60).epsilon(1e-9));
  CHECK(pareto_nbd::conditional_probability_alive(p, 400, 5, 6) ==
        doctest::Approx(5.13745811332e-31).epsilon(1e-9));
  // 7.9e-800 and 2.1e-493: below the smallest double, so exactly 0, not NaN
  CHECK(pareto_nbd::conditional_probability_alive(p, 500, 1, 37) == 0.0);
  CHECK(pareto_nbd::conditional_probability_alive(p, 500, 4, 37) == 0.0);
  // CLVTools' "NaN in previous implementation" customers
  const pareto_nbd::params q{0.5143, 2.8845, 0.2856, 14.1087};
  const double x[] = {221, 254, 161, 204};
  const double t_x[] = {103.42857, 97.14286, 94.71429, 98.57143};
  const double T[] = {103.57143, 97.28571, 98.00000, 99.42857};
  const double alive[] = {0.999596052318, 0.999558226123, 0.749487752258, 0.994255079638};
  for (std::size_t k = 0; k < 4; ++k)
    CHECK(pareto_nbd::conditional_probability_alive(q, x[k], t_x[k], T[k]) ==
          doctest::Approx(alive[k]).epsilon(1e-11));
}

namespace {
/// Central differences of the objective against its analytic gradient, at log-parameters
/// theta, on the given histories.
void check_gradient(const compressed_rfm& data, const std::array<double, 4>& theta, double penalizer,
                    double tolerance = 1e-6) {
  double grad[4];
  const double value = pareto_nbd::objective(theta.data(), data, penalizer, grad);
  REQUIRE(std::isfinite(value));
  for (std::size_t k = 0; k < 4; ++k) {
    auto plus = theta, minus = theta;
    const double h = 1e-6;
    plus[k] += h;
    minus[k] -= h;
    const double numeric = (pareto_nbd::objective(plus.data(), data, penalizer, nullptr) -
                            pareto_nbd::objective(minus.data(), data, penalizer, nullptr)) /
                           (2 * h);
    CAPTURE(k);
    CAPTURE(theta[0]);
    CAPTURE(theta[1]);
    CAPTURE(theta[2]);
    CAPTURE(theta[3]);
    CHECK(grad[k] == doctest::Approx(numeric).epsilon(tolerance).scale(1.0));
  }
}
}  // namespace

TEST_CASE("pareto_nbd: analytic gradient equals central differences") {
  const double x[] = {0, 1, 2, 5, 30, 0, 7, 200, 3, 3};
  const double t_x[] = {0, 0.3, 0.9, 0.5, 0.99, 0, 0.01, 0.95, 0.6, 0.6};
  const double T[] = {1.0, 0.4, 1.0, 0.8, 1.0, 0.2, 0.6, 1.0, 0.6, 0.9};
  const double w[] = {3, 1, 2, 1, 1, 5, 1, 1, 2, 1};
  const auto data = compress(x, t_x, T, w, 10);
  for (double penalizer : {0.0, 0.1})
    for (const auto& theta : {std::array<double, 4>{0.0, 0.0, 0.0, 0.0},      // alpha = beta
                              std::array<double, 4>{-0.6, -1.3, -0.5, -1.2},   // CDNOW-like
                              std::array<double, 4>{-0.6, -1.2, -0.5, -1.3},   // alpha > beta
                              std::array<double, 4>{0.3, 1e-9, -0.2, -1e-9},   // alpha ~ beta
                              std::array<double, 4>{2.0, -3.0, 1.5, 2.0},      // beta >> alpha
                              std::array<double, 4>{-1.0, 2.5, 0.5, -4.0}})    // alpha >> beta
      check_gradient(data, theta, penalizer);
}

TEST_CASE("pareto_nbd: gradient at extreme rows: x = 1000, T = 1e4, alpha ~ beta") {
  // time as lifetimes rescales it: the largest T is 1, so T = 1e4 units become 1 and a
  // customer of age 1 is 1e-4
  const double x[] = {1000, 1000, 0, 1, 1000, 50};
  const double t_x[] = {0.9999, 0.5, 0, 1e-4, 1.0, 1e-4};
  const double T[] = {1.0, 1.0, 1.0, 1e-4, 1.0, 1.0};
  const auto data = compress(x, t_x, T, nullptr, 6);
  for (const auto& theta : {std::array<double, 4>{-0.6, -3.6, -0.5, -3.6 + 1e-7},
                            std::array<double, 4>{-0.6, -3.6, -0.5, -3.5},
                            std::array<double, 4>{1.0, -8.0, 0.2, -2.0},
                            std::array<double, 4>{1.0, -2.0, 0.2, -8.0}})
    check_gradient(data, theta, 0.0, 1e-5);
  // and the same rows in the data's own unit (T up to 1e4), the large-argument regime
  const double T_raw[] = {1e4, 1e4, 1e4, 1.0, 1e4, 1e4};
  const double t_raw[] = {9999, 5000, 0, 1.0, 1e4, 1.0};
  const auto raw = compress(x, t_raw, T_raw, nullptr, 6);
  for (const auto& theta : {std::array<double, 4>{-0.6, 2.4, -0.5, 2.4 - 1e-8},
                            std::array<double, 4>{-0.6, 2.4, -0.5, 2.5}})
    check_gradient(raw, theta, 0.0, 1e-5);
}

TEST_CASE("pareto_nbd: series and integral forms of Psi agree") {
  // the quadrature fallback must be the same function as the series it replaces
  for (double tau : {0.0, 0.3, 5.0}) {
    for (const auto& p : {pareto_nbd::params{0.55, 0.27, 0.61, 0.30}, pareto_nbd::params{2.0, 3.0, 0.2, 0.1},
                          pareto_nbd::params{0.3, 0.1, 1.5, 2.0}}) {
      for (double x : {0.0, 3.0, 40.0}) {
        const auto g = pareto_nbd::detail::tail_geometry(p.alpha, p.beta, tau);
        const auto series = pareto_nbd::detail::tail_from_series(
            g, pareto_nbd::detail::log_series(g.alpha_larger ? p.r + x : p.s + 1.0, p.r + p.s + x + 1.0,
                                              g.y, true, 1'000'000));
        const auto integral = pareto_nbd::detail::tail_from_integral(p.r, p.alpha, p.s, p.beta, x, tau);
        CAPTURE(tau);
        CAPTURE(x);
        CAPTURE(p.alpha);
        CHECK(integral.value == doctest::Approx(series.value).epsilon(1e-13).scale(1.0));
        CHECK(integral.d_r == doctest::Approx(series.d_r).epsilon(1e-12).scale(1.0));
        CHECK(integral.d_alpha == doctest::Approx(series.d_alpha).epsilon(1e-12).scale(1.0));
        CHECK(integral.d_s == doctest::Approx(series.d_s).epsilon(1e-12).scale(1.0));
        CHECK(integral.d_beta == doctest::Approx(series.d_beta).epsilon(1e-12).scale(1.0));
      }
    }
  }
}

TEST_CASE("pareto_nbd: extreme but valid histories give finite values") {
  const pareto_nbd::params p{0.553, 10.578, 0.606, 11.669};
  for (const auto& q : {p, pareto_nbd::params{0.553, 11.669, 0.606, 10.578},
                        pareto_nbd::params{0.553, 1e-3, 0.606, 1e3}, pareto_nbd::params{0.553, 1e3, 0.606, 1e-3},
                        pareto_nbd::params{0.553, 5.0, 1.0, 5.0}}) {
    for (double x : {0.0, 1.0, 1e2, 1e4}) {
      for (double T : {0.0, 1.0, 1e3, 1e5}) {
        for (double share : {0.0, 0.5, 1.0}) {
          const double t_x = x == 0 ? 0.0 : share * T;
          CAPTURE(q.alpha);
          CAPTURE(q.s);
          CAPTURE(x);
          CAPTURE(T);
          CAPTURE(t_x);
          const double alive = pareto_nbd::conditional_probability_alive(q, x, t_x, T);
          CHECK(std::isfinite(pareto_nbd::log_likelihood(q, x, t_x, T)));
          CHECK((alive >= 0.0 && alive <= 1.0));
          const double e30 = pareto_nbd::conditional_expected_number_of_purchases_up_to_time(q, 30, x, t_x, T);
          const double e90 = pareto_nbd::conditional_expected_number_of_purchases_up_to_time(q, 90, x, t_x, T);
          CHECK(std::isfinite(e30));
          CHECK(e30 >= 0.0);
          CHECK(e90 >= e30);
          const double p0 = pareto_nbd::conditional_probability_of_n_purchases_up_to_time(q, 0, 30, x, t_x, T);
          CHECK((p0 >= 0.0 && p0 <= 1.0));
        }
      }
    }
  }
}

TEST_CASE("pareto_nbd: the conditional pmf sums to 1 and its mean is the conditional expectation") {
  const pareto_nbd::params p{0.55327708, 10.57768487, 0.60623993, 11.66873451};
  const double histories[][3] = {{0, 0, 39}, {2, 30.43, 38.86}, {26, 30.85714, 31}, {7, 5, 60}};
  for (const auto& h : histories) {
    for (double t : {1.0, 10.0, 52.0}) {
      double total = 0.0, mean = 0.0;
      for (int n = 0; n < 400; ++n) {
        const double pn = pareto_nbd::conditional_probability_of_n_purchases_up_to_time(p, n, t, h[0], h[1], h[2]);
        total += pn;
        mean += n * pn;
      }
      CAPTURE(h[0]);
      CAPTURE(t);
      CHECK(total == doctest::Approx(1.0).epsilon(1e-12));
      CHECK(mean == doctest::Approx(pareto_nbd::conditional_expected_number_of_purchases_up_to_time(
                                        p, t, h[0], h[1], h[2]))
                        .epsilon(1e-10));
    }
  }
  // a new customer: the unconditional pmf, whose mean is E[X(t)]
  double mean = 0.0;
  for (int n = 0; n < 400; ++n) mean += n * pareto_nbd::probability_of_n_purchases_up_to_time(p, 52, n);
  CHECK(mean == doctest::Approx(pareto_nbd::expected_number_of_purchases_up_to_time(p, 52)).epsilon(1e-10));
}

TEST_CASE("pareto_nbd: vectorised predictions equal the per-customer functions") {
  // many distinct ages and recencies (more than the 4096 the dense rows hold, so the hash of
  // (x, tau) pairs serves the later ones; the tables grow while rows refer to them),
  // frequencies beyond the dense tables, t_x = T, x = 0 with t_x > 0, and varying horizons
  std::vector<double> x, t_x, T, t;
  for (int i = 0; i < 9000; ++i) {
    const double age = 1.0 + (i % 2311) * 0.173;
    const double frequency = i % 97 == 0 ? 5000.0 + i : static_cast<double>((i * 7) % 23);
    const double last = i % 13 == 0 ? age : age * ((i * 37) % 101) / 101.0;
    x.push_back(frequency);
    t_x.push_back(frequency == 0 && i % 5 != 0 ? 0.0 : last);
    T.push_back(age);
    t.push_back(i % 3 == 0 ? 30.0 : (i % 3 == 1 ? 30.0 : 1.0 + i % 7));
  }
  const std::size_t n = x.size();
  for (const auto& p : {pareto_nbd::params{0.553, 10.578, 0.606, 11.669},
                        pareto_nbd::params{0.553, 11.669, 0.606, 10.578},
                        pareto_nbd::params{2.0, 0.01, 0.3, 50.0}}) {
    std::vector<double> alive(n), expected(n);
    pareto_nbd::conditional_probability_alive(p, x.data(), t_x.data(), T.data(), n, alive.data());
    pareto_nbd::conditional_expected_number_of_purchases_up_to_time(p, t.data(), x.data(), t_x.data(),
                                                                    T.data(), n, expected.data());
    for (std::size_t i = 0; i < n; ++i) {
      CAPTURE(i);
      CAPTURE(x[i]);
      CAPTURE(t_x[i]);
      CAPTURE(T[i]);
      CHECK(alive[i] == doctest::Approx(pareto_nbd::conditional_probability_alive(p, x[i], t_x[i], T[i]))
                            .epsilon(1e-11).scale(1e-300));
      CHECK(expected[i] == doctest::Approx(pareto_nbd::conditional_expected_number_of_purchases_up_to_time(
                                               p, t[i], x[i], t_x[i], T[i]))
                               .epsilon(1e-11).scale(1e-300));
    }
  }
}
