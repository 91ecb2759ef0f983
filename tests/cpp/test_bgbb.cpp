// BG/BB on the donations data of Fader, Hardie & Shang (2010): the paper's estimates
// and Table 6, Hardie's spreadsheet, the BTYD walkthrough's tables
// (REFERENCE_VALUES.md section 5); identities, the analytic gradient against central
// differences, and extremes.

#include <doctest/doctest.h>

#include <fastlifetimes/models/bgbb.hpp>
#include <fastlifetimes/optim/model_fit.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "test_data.hpp"

using namespace fastlifetimes;

namespace {
// the MLE on the donations rf-matrix (REFERENCE_VALUES.md 5, [H])
const bgbb::params donations_mle{1.2035225, 0.74971639, 0.65671815, 2.78344179};
// the BTYD walkthrough's estimates (section 5.2)
const bgbb::params btyd_walkthrough{1.203507, 0.7497667, 0.6567568, 2.783887};
// the parameters of BTYD's man pages (rounded paper estimates)
const bgbb::params man_page{1.20, 0.75, 0.66, 2.78};
// the walkthrough's re-estimation loop (section 5.2): its later tables are computed at these
const bgbb::params btyd_loop{1.203528, 0.7497260, 0.6567808, 2.783796};

/// |a - b| <= tol: for published values rounded to a number of decimals.
bool near(double a, double b, double tol) { return std::abs(a - b) <= tol; }

double expected_new_customer(const bgbb::params& p, int n) {
  double mean = 0.0;
  for (int x = 0; x <= n; ++x) mean += x * bgbb::probability_of_transactions_in_first_n_periods(p, x, n);
  return mean;
}
}  // namespace

TEST_CASE("bgbb: the fit on the donations reproduces FHS (2010): 1.204, 0.750, 0.657, 2.783, LL -33225.6") {
  const auto d = fastlifetimes_test::load_donations();
  REQUIRE(d.found);
  const auto fit = fastlifetimes::fit<bgbb::model>(d.x.data(), d.t_x.data(), d.n.data(),
                                                   d.weight.data(), d.x.size(), 0.0);
  REQUIRE(fit.converged);
  //                      alpha  beta   gamma  delta
  const double paper[] = {1.204, 0.750, 0.657, 2.783};
  for (std::size_t k = 0; k < 4; ++k) CHECK(fit.params[k] == doctest::Approx(paper[k]).epsilon(1e-3));
  const double mle[] = {donations_mle.alpha, donations_mle.beta, donations_mle.gamma, donations_mle.delta};
  for (std::size_t k = 0; k < 4; ++k) CHECK(fit.params[k] == doctest::Approx(mle[k]).epsilon(1e-5));
  CHECK(fit.log_likelihood == doctest::Approx(-33225.581274).epsilon(1e-10));
  // BTYD's optimiser stops about 2e-4 (relative) away; the LL is flat there: -33225.58
  const double btyd[] = {btyd_walkthrough.alpha, btyd_walkthrough.beta, btyd_walkthrough.gamma,
                         btyd_walkthrough.delta};
  for (std::size_t k = 0; k < 4; ++k) CHECK(fit.params[k] == doctest::Approx(btyd[k]).epsilon(2e-4));
  CHECK(fit.total_weight == 11104.0);
  CHECK(fit.time_scale == 1.0);  // opportunities are counts: never rescaled
  CHECK(fit.variance(2, 3) == doctest::Approx(fit.variance(3, 2)));
}

TEST_CASE("bgbb: FHS (2010) Table 6, P(alive in 2002) at the MLE") {
  const auto& p = donations_mle;
  // (x, t_x) = (0, 0), (2, 4), (6, 6) of n = 6; the paper prints 0.11, 0.59, 0.93
  CHECK(bgbb::conditional_probability_alive(p, 1, 0, 0, 6) == doctest::Approx(0.10813).epsilon(1e-4));
  CHECK(bgbb::conditional_probability_alive(p, 1, 2, 4, 6) == doctest::Approx(0.58966).epsilon(1e-4));
  CHECK(bgbb::conditional_probability_alive(p, 1, 6, 6, 6) == doctest::Approx(0.93043).epsilon(1e-4));
  // the whole table (REFERENCE_VALUES.md 5, [H]), at n = 6 (m = 0) and in 2002 (m = 1)
  struct cell {
    double x, t_x, alive_now, alive_2002;
  };
  const cell table[] = {{0, 0, 0.1162, 0.1081}, {1, 1, 0.0747, 0.0695}, {1, 2, 0.2738, 0.2547},
                        {1, 3, 0.5173, 0.4814}, {1, 4, 0.7313, 0.6804}, {1, 5, 0.8901, 0.8281},
                        {1, 6, 1.0, 0.9304},    {2, 2, 0.0714, 0.0664}, {2, 3, 0.3213, 0.2989},
                        {2, 4, 0.6337, 0.5897}, {2, 5, 0.8647, 0.8046}, {2, 6, 1.0, 0.9304},
                        {3, 3, 0.1021, 0.0950}, {3, 4, 0.4725, 0.4396}, {3, 5, 0.8242, 0.7668},
                        {3, 6, 1.0, 0.9304},    {4, 4, 0.2151, 0.2002}, {4, 5, 0.7489, 0.6968},
                        {4, 6, 1.0, 0.9304},    {5, 5, 0.5610, 0.5220}, {5, 6, 1.0, 0.9304},
                        {6, 6, 1.0, 0.9304}};
  for (const auto& c : table) {
    CAPTURE(c.x);
    CAPTURE(c.t_x);
    CHECK(near(bgbb::conditional_probability_alive(p, 0, c.x, c.t_x, 6), c.alive_now, 5e-5));
    CHECK(near(bgbb::conditional_probability_alive(p, 1, c.x, c.t_x, 6), c.alive_2002, 5e-5));
  }
}

TEST_CASE("bgbb: Hardie's spreadsheet at the MLE: in-sample fit and new-customer expectations") {
  const auto& p = donations_mle;
  // expected donors with x repeat donations in 1996-2001 (N = 11,104): "In-Sample Fit" C18:C24
  const double in_sample[] = {3454.9, 1888.7, 1348.9, 1113.4, 1017.9, 1027.2, 1253.1};
  double total = 0.0;
  for (int x = 0; x <= 6; ++x) {
    const double count = 11104 * bgbb::probability_of_transactions_in_first_n_periods(p, x, 6);
    total += count;
    CAPTURE(x);
    CHECK(near(count, in_sample[x], 0.05));
  }
  CHECK(total == doctest::Approx(11104.0).epsilon(1e-12));
  // E[X(n)] of a new donor, n = 1..11: "Tracking Plot" B7:B17
  const double tracking[] = {0.4985, 0.9233, 1.2969, 1.6323, 1.9381, 2.2202,
                             2.4826, 2.7285, 2.9603, 3.1798, 3.3887};
  for (int n = 1; n <= 11; ++n) {
    CAPTURE(n);
    CHECK(near(expected_new_customer(p, n), tracking[n - 1], 5e-5));
  }
}

TEST_CASE("bgbb: Hardie's spreadsheet: the donors' expected holdout donations add up to 12884.2") {
  const auto d = fastlifetimes_test::load_donations();
  REQUIRE(d.found);
  double total = 0.0;
  for (std::size_t i = 0; i < d.x.size(); ++i)
    total += d.weight[i] * bgbb::conditional_expected_number_of_purchases_up_to_time(
                               donations_mle, 5, d.x[i], d.t_x[i], d.n[i]);
  CHECK(total == doctest::Approx(12884.157).epsilon(1e-7));
}

TEST_CASE("bgbb: the BTYD walkthrough's conditional expectations, customers A and B") {
  const auto& p = btyd_loop;
  CHECK(bgbb::conditional_expected_number_of_purchases_up_to_time(p, 10, 0, 0, 6) ==
        doctest::Approx(0.1302169).epsilon(1e-6));
  CHECK(bgbb::conditional_expected_number_of_purchases_up_to_time(p, 10, 4, 5, 6) ==
        doctest::Approx(3.627858).epsilon(1e-6));
}

TEST_CASE("bgbb: the BTYD walkthrough's holdout expectations by calibration frequency and recency") {
  const auto d = fastlifetimes_test::load_donations(true);
  if (!d.found) {
    MESSAGE("skipped: ../shared/data/btyd_r/donationsSummary_rf_matrix.csv not found");
    return;
  }
  //                               x = 0        1          2          3         4         5         6
  const double by_frequency_exp[] = {0.07286318, 0.3248841, 0.7089417, 1.333666, 2.031203, 2.784482, 3.752500};
  const double by_frequency_act[] = {0.1743649, 0.4328031, 0.8125874, 1.389862, 2.061776, 2.642521, 3.534497};
  const double by_recency_exp[] = {0.07286318, 0.0856939, 0.1798423, 0.4041111, 0.8510811, 1.726323, 3.027190};
  std::map<int, double> f_exp, f_act, f_n, r_exp, r_n;
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double ce = bgbb::conditional_expected_number_of_purchases_up_to_time(
        btyd_loop, 5, d.x[i], d.t_x[i], d.n[i]);
    const int x = static_cast<int>(d.x[i]), t_x = static_cast<int>(d.t_x[i]);
    f_exp[x] += d.weight[i] * ce;
    f_act[x] += d.x_star[i];
    f_n[x] += d.weight[i];
    r_exp[t_x] += d.weight[i] * ce;
    r_n[t_x] += d.weight[i];
  }
  for (int k = 0; k <= 6; ++k) {
    CAPTURE(k);
    CHECK(f_exp[k] / f_n[k] == doctest::Approx(by_frequency_exp[k]).epsilon(1e-6));
    CHECK(f_act[k] / f_n[k] == doctest::Approx(by_frequency_act[k]).epsilon(1e-6));
    CHECK(r_exp[k] / r_n[k] == doctest::Approx(by_recency_exp[k]).epsilon(1e-6));
  }
}

TEST_CASE("bgbb: the BTYD walkthrough's expected cumulative repeat donations 1996-2006") {
  const double cumulative[] = {5535.833, 10252.89, 14400.51, 18125.18, 21521.07, 24652.71,
                               27566.49, 30296.97, 32870.7,  35308.56, 37627.29};
  for (int n = 1; n <= 11; ++n) {
    CAPTURE(n);
    CHECK(11104 * expected_new_customer(btyd_loop, n) ==
          doctest::Approx(cumulative[n - 1]).epsilon(1e-6));
  }
}

TEST_CASE("bgbb: P(alive in the next period) at the man pages' parameters") {
  const auto& p = man_page;
  CHECK(near(bgbb::conditional_probability_alive(p, 1, 3, 4, 6), 0.43834, 5e-6));
  const double alive[] = {0.0692, 0.2538, 0.4801, 0.6792, 0.8274, 0.9301};
  for (int t_x = 1; t_x <= 6; ++t_x)
    CHECK(near(bgbb::conditional_probability_alive(p, 1, 1, t_x, 6), alive[t_x - 1], 5e-5));
}

TEST_CASE("bgbb: identities") {
  const auto& p = donations_mle;
  // FHS (2010) eq. 8: E[X(n)] = alpha/(alpha+beta) delta/(gamma-1)
  //   [1 - Gamma(gamma+delta) Gamma(1+delta+n) / (Gamma(gamma+delta+n) Gamma(1+delta))]
  for (int n : {1, 6, 30, 200}) {
    const double ratio = std::exp(std::lgamma(p.gamma + p.delta) + std::lgamma(1 + p.delta + n) -
                                  std::lgamma(p.gamma + p.delta + n) - std::lgamma(1 + p.delta));
    const double eq8 = p.alpha / (p.alpha + p.beta) * p.delta / (p.gamma - 1) * (1 - ratio);
    CAPTURE(n);
    CHECK(expected_new_customer(p, n) == doctest::Approx(eq8).epsilon(1e-11));
    // a customer with no history (n = 0) expects the same
    CHECK(bgbb::conditional_expected_number_of_purchases_up_to_time(p, n, 0, 0, 0) ==
          doctest::Approx(eq8).epsilon(1e-11));
    double total = 0.0;
    for (int x = 0; x <= n; ++x) total += bgbb::probability_of_transactions_in_first_n_periods(p, x, n);
    CHECK(total == doctest::Approx(1.0).epsilon(1e-12));
  }
  // the log-likelihoods of all sequences of n opportunities sum to 1 (with their counts)
  for (int n : {1, 4, 9}) {
    double total = 0.0;
    for (int x = 0; x <= n; ++x)
      for (int t_x = x; t_x <= n; ++t_x) {
        if (x == 0 && t_x > 0) break;
        // sequences with x ones, the last at t_x: C(t_x - 1, x - 1)
        const double count = x == 0 ? 1.0 : std::round(std::exp(std::lgamma(t_x) - std::lgamma(x) - std::lgamma(t_x - x + 1)));
        total += count * std::exp(bgbb::log_likelihood(p, x, t_x, n));
      }
    CAPTURE(n);
    CHECK(total == doctest::Approx(1.0).epsilon(1e-12));
  }
  CHECK(bgbb::probability_of_transactions_in_first_n_periods(p, 7, 6) == 0.0);
  CHECK(bgbb::conditional_expected_number_of_purchases_up_to_time(p, 0, 3, 4, 6) == 0.0);
}

TEST_CASE("bgbb: gamma -> 1 is continuous (eq. 13 divides 0 by 0 there)") {
  for (double m : {1.0, 5.0, 1000.0, 10000.0}) {
    const double at_one = bgbb::conditional_expected_number_of_purchases_up_to_time({1.2, 0.75, 1.0, 2.8}, m, 3, 4, 6);
    CAPTURE(m);
    CHECK(std::isfinite(at_one));
    for (double g : {1.0 - 1e-7, 1.0 + 1e-7})
      CHECK(bgbb::conditional_expected_number_of_purchases_up_to_time({1.2, 0.75, g, 2.8}, m, 3, 4, 6) ==
            doctest::Approx(at_one).epsilon(1e-6));
  }
}

TEST_CASE("bgbb: analytic gradient equals central differences") {
  const double x[] = {0, 1, 1, 3, 6, 2, 10, 0, 40};
  const double t_x[] = {0, 1, 5, 4, 6, 6, 25, 0, 41};
  const double n[] = {6, 6, 6, 6, 6, 8, 30, 30, 50};
  const double w[] = {3464, 1091, 129, 3, 1203, 7, 2, 5, 1};
  const auto data = compress(x, t_x, n, w, 9);
  for (double penalizer : {0.0, 0.1}) {
    for (const auto& theta : {std::array<double, 4>{0.1, 0.1, 0.1, 0.1},
                              std::array<double, 4>{0.19, -0.29, -0.42, 1.02},
                              std::array<double, 4>{2.0, -3.0, 1.5, -1.0}}) {
      double grad[4];
      bgbb::objective(theta.data(), data, penalizer, grad);
      for (std::size_t k = 0; k < 4; ++k) {
        auto plus = theta, minus = theta;
        const double h = 1e-6;
        plus[k] += h;
        minus[k] -= h;
        const double numeric = (bgbb::objective(plus.data(), data, penalizer, nullptr) -
                                bgbb::objective(minus.data(), data, penalizer, nullptr)) /
                               (2 * h);
        CAPTURE(k);
        CAPTURE(penalizer);
        CHECK(grad[k] == doctest::Approx(numeric).epsilon(1e-6).scale(1.0));
      }
    }
  }
}

TEST_CASE("bgbb: extreme but valid histories give finite values") {
  const auto& p = donations_mle;
  for (double n : {0.0, 1.0, 100.0, 5000.0}) {
    for (double x_share : {0.0, 0.5, 1.0}) {
      for (double t_share : {0.0, 0.5, 1.0}) {
        const double t_x = std::round(t_share * n), x = std::round(x_share * t_x);
        if (x == 0 && t_x > 0) continue;
        CAPTURE(n);
        CAPTURE(x);
        CAPTURE(t_x);
        CHECK(std::isfinite(bgbb::log_likelihood(p, x, t_x, n)));
        for (double m : {0.0, 1.0, 1e4}) {
          const double alive = bgbb::conditional_probability_alive(p, m, x, t_x, n);
          CHECK((alive >= 0.0 && alive <= 1.0));
          const double e = bgbb::conditional_expected_number_of_purchases_up_to_time(p, m, x, t_x, n);
          CHECK(std::isfinite(e));
          CHECK(e >= 0.0);
        }
      }
    }
  }
}

TEST_CASE("bgbb: invalid histories are refused, by row") {
  const double m[] = {1, 1, 1};
  const double x[] = {1, 3, 0};
  const double t_x[] = {2, 2, 0};  // row 1: three donations, the last in period 2
  const double n[] = {6, 6, 6};
  double out[3];
  try {
    bgbb::conditional_probability_alive(donations_mle, m, x, t_x, n, 3, out);
    FAIL("no exception");
  } catch (const std::domain_error& e) {
    CHECK(std::string(e.what()).find("row 1") != std::string::npos);
  }
  const double half[] = {1, 1, 0.5};
  CHECK_THROWS_AS(bgbb::conditional_expected_number_of_purchases_up_to_time(donations_mle, half, x, x, n, 3, out),
                  std::domain_error);
  CHECK_THROWS_AS((fastlifetimes::fit<bgbb::model>(x, t_x, n, nullptr, 3, 0.0)), std::domain_error);
  // one likelihood term per opportunity: beyond max_periods a history is refused, not summed
  CHECK(bgbb::valid_history(1, 1, bgbb::max_periods));
  CHECK_FALSE(bgbb::valid_history(1, 1, 2 * bgbb::max_periods));
}

TEST_CASE("bgbb: every invalid value is caught in long inputs too (vectorised check)") {
  // 9,000 valid customers, then one bad value at a time in each column
  const std::size_t size = 9000;
  std::vector<double> m(size, 5.0), x(size), t_x(size), n(size, 6.0), out(size);
  for (std::size_t i = 0; i < size; ++i) {
    x[i] = static_cast<double>(i % 4);
    t_x[i] = x[i] > 0 ? 5.0 : 0.0;
  }
  auto refused_at = [&](std::size_t row) {
    try {
      bgbb::conditional_probability_alive(donations_mle, m.data(), x.data(), t_x.data(), n.data(),
                                          size, out.data());
    } catch (const std::domain_error& e) {
      return std::string(e.what()).find("row " + std::to_string(row)) != std::string::npos;
    }
    return false;
  };
  CHECK_FALSE(refused_at(0));
  // row 8191 is (x, t_x, n) = (3, 5, 6); each value below spoils it
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<std::vector<double>*, std::vector<double>>> spoilers = {
      {&m, {nan, inf, -1.0, 0.5}},
      {&x, {nan, inf, -1.0, 2.5, 6.0}},     // 6: more than recency
      {&t_x, {nan, inf, 2.0, 4.5, 7.0}},    // 2: less than frequency; 7: more than n
      {&n, {nan, inf, 4.0, 6.5, 2e6}}};     // 4: less than recency; 2e6: above max_periods
  for (const auto& [column, values] : spoilers) {
    for (double bad : values) {
      const double kept = (*column)[8191];
      (*column)[8191] = bad;
      CAPTURE(bad);
      CHECK(refused_at(8191));
      (*column)[8191] = kept;
    }
  }
  t_x[8192] = 3.0;  // x = 0 there: a recency without a transaction
  CHECK(refused_at(8192));
}

