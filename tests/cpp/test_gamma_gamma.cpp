// Gamma-Gamma: Fader & Hardie's CDNOW estimates (note 025; FHL 2005 JMR) and CLVTools'
// log-likelihood, the conditional expectation of Hardie's spreadsheet, the analytic
// gradient against central differences, the q >= 1 constraint, and bad input.

#include <doctest/doctest.h>

#include <fastlifetimes/models/gamma_gamma.hpp>
#include <fastlifetimes/optim/gamma_gamma_fit.hpp>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "test_data.hpp"

using namespace fastlifetimes;

namespace {
const gamma_gamma::params paper{6.25, 3.74, 15.44};

double total_log_likelihood(const gamma_gamma::params& p, const std::vector<double>& x,
                            const std::vector<double>& m) {
  double ll = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) ll += gamma_gamma::log_likelihood(p, x[i], m[i]);
  return ll;
}

/// Mean spend of x transactions for n customers: z ~ Gamma(p, rate nu), nu ~ Gamma(q, rate v).
void simulate_spend(std::size_t n, const gamma_gamma::params& truth, unsigned seed,
                    std::vector<double>& x, std::vector<double>& m) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> nu_dist(truth.q, 1.0 / truth.v);
  std::geometric_distribution<int> count(0.3);
  x.clear();
  m.clear();
  for (std::size_t i = 0; i < n; ++i) {
    const double nu = nu_dist(rng);
    const int k = 1 + count(rng);
    std::gamma_distribution<double> z(truth.p, 1.0 / nu);
    double sum = 0.0;
    for (int j = 0; j < k; ++j) sum += z(rng);
    x.push_back(k);
    m.push_back(sum / k);
  }
}
}  // namespace

TEST_CASE("gamma_gamma: CDNOW log-likelihood at the published estimates (6.25, 3.74, 15.44)") {
  const auto cdnow = fastlifetimes_test::load_cdnow_spend();
  if (!cdnow.found) {
    MESSAGE("skipped: ../shared/data/btyd_r/cdnowSummary_m_x.csv not found");
    return;
  }
  REQUIRE(cdnow.x.size() == 946);
  CHECK(total_log_likelihood(paper, cdnow.x, cdnow.m) == doctest::Approx(-4055.9192).epsilon(1e-7));
}

TEST_CASE("gamma_gamma: the fit on CDNOW reproduces Fader & Hardie's estimates and LL -4055.9177") {
  const auto cdnow = fastlifetimes_test::load_cdnow_spend();
  if (!cdnow.found) {
    MESSAGE("skipped: ../shared/data/btyd_r/cdnowSummary_m_x.csv not found");
    return;
  }
  const auto fit = gamma_gamma::fit(cdnow.x.data(), cdnow.m.data(), nullptr, cdnow.x.size(), 0.0);
  REQUIRE(fit.converged);
  //                                  p     q     gamma (v)
  const double published[] = {6.25, 3.74, 15.44};
  for (std::size_t k = 0; k < 3; ++k) CHECK(fit.params[k] == doctest::Approx(published[k]).epsilon(2e-3));
  // CLVTools' fit on the same data; the LL is the total in dollars
  CHECK(fit.log_likelihood == doctest::Approx(-4055.9177).epsilon(1e-8));
  // the independent MLE of REFERENCE_VALUES.md section 4
  CHECK(fit.params[0] == doctest::Approx(6.24957).epsilon(1e-5));
  CHECK(fit.params[1] == doctest::Approx(3.74422).epsilon(1e-5));
  CHECK(fit.params[2] == doctest::Approx(15.44352).epsilon(1e-5));
  CHECK(fit.log_likelihood == doctest::Approx(total_log_likelihood(gamma_gamma::from_array(fit.params.data()), cdnow.x, cdnow.m)).epsilon(1e-12));
  // population mean spend E(Z) = p v / (q - 1): 35.17 at the MLE
  CHECK(fit.params[0] * fit.params[2] / (fit.params[1] - 1.0) == doctest::Approx(35.17).epsilon(2e-4));
  CHECK(fit.variance(0, 2) == doctest::Approx(fit.variance(2, 0)));
}

TEST_CASE("gamma_gamma: conditional expected spend of Hardie's spreadsheet (note 025)") {
  // the first customers of lifetimes' cdnow_customers_summary_with_transactions (x, zbar)
  // at lifetimes' documented fit; x = 0 customers get the population mean pv/(q-1)
  const gamma_gamma::params docs{6.248802, 3.744588, 15.447748};
  const double x[] = {2, 1, 0, 0, 0, 7, 1, 0, 2, 0};
  const double m[] = {22.35, 11.77, 0, 0, 0, 73.74, 11.77, 0, 25.55, 0};
  const double spreadsheet[] = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
  double out[10];
  gamma_gamma::conditional_expected_average_profit(docs, x, m, 10, out);
  for (int i = 0; i < 10; ++i) CHECK(out[i] == doctest::Approx(spreadsheet[i]).epsilon(0.1 / 35));
  CHECK(out[0] == doctest::Approx(24.658619).epsilon(1e-6));
  CHECK(out[5] == doctest::Approx(71.462843).epsilon(1e-6));
  CHECK(out[2] == doctest::Approx(35.170981).epsilon(1e-6));
  // eq. 5 as the weighted mean of the population mean and the customer's own mean
  const double weight = docs.p * 7 / (docs.p * 7 + docs.q - 1);
  const double population = docs.p * docs.v / (docs.q - 1);
  CHECK(out[5] == doctest::Approx((1 - weight) * population + weight * 73.74).epsilon(1e-13));
}

TEST_CASE("gamma_gamma: the density integrates to one and matches its definition") {
  // x = 1: m is a single Gamma(p, nu) draw with nu ~ Gamma(q, v), so the density is
  // v^q m^(p-1) / (B(p, q) (v + m)^(p+q)); check at a few points against that form
  const gamma_gamma::params p{2.5, 3.0, 10.0};
  for (double m : {0.5, 3.0, 40.0}) {
    const double direct = p.q * std::log(p.v) + (p.p - 1) * std::log(m) - math::lbeta(p.p, p.q) -
                          (p.p + p.q) * std::log(p.v + m);
    CHECK(gamma_gamma::log_likelihood(p, 1, m) == doctest::Approx(direct).epsilon(1e-13));
  }
  // trapezoid rule on a log grid for x = 3
  double integral = 0.0;
  double previous_m = 1e-6, previous_f = std::exp(gamma_gamma::log_likelihood(p, 3, 1e-6));
  for (double lm = std::log(1e-6); lm < std::log(1e6); lm += 1e-3) {
    const double m = std::exp(lm + 1e-3), f = std::exp(gamma_gamma::log_likelihood(p, 3, m));
    integral += 0.5 * (f + previous_f) * (m - previous_m);
    previous_m = m;
    previous_f = f;
  }
  CHECK(integral == doctest::Approx(1.0).epsilon(1e-5));
}

TEST_CASE("gamma_gamma: analytic gradient equals central differences") {
  const double x[] = {1, 2, 1, 5, 30, 1, 7, 200};
  const double m[] = {10.0, 3.5, 250.0, 0.01, 42.0, 10.0, 1e4, 17.0};
  const double w[] = {3, 1, 2, 1, 1, 5, 1, 0.5};
  for (const double* weights : {static_cast<const double*>(nullptr), w}) {
    const auto data = gamma_gamma::prepare(x, m, weights, 8);
    for (double penalizer : {0.0, 0.1}) {
      for (const auto& theta : {std::array<double, 3>{0.1, 0.1, 0.1},
                                std::array<double, 3>{1.8, 1.3, 2.7},
                                std::array<double, 3>{-2.0, -0.5, 4.0}}) {
        double grad[3];
        gamma_gamma::objective(theta.data(), data, penalizer, grad);
        for (std::size_t k = 0; k < 3; ++k) {
          auto plus = theta, minus = theta;
          const double h = 1e-6;
          plus[k] += h;
          minus[k] -= h;
          const double numeric = (gamma_gamma::objective(plus.data(), data, penalizer, nullptr) -
                                  gamma_gamma::objective(minus.data(), data, penalizer, nullptr)) /
                                 (2 * h);
          CAPTURE(k);
          CAPTURE(penalizer);
          CHECK(grad[k] == doctest::Approx(numeric).epsilon(1e-6).scale(1.0));
        }
      }
    }
  }
}

TEST_CASE("gamma_gamma: the objective is the weighted mean of the per-customer densities") {
  const double x[] = {1, 2, 4};
  const double m[] = {10.0, 3.5, 25.0};
  const double w[] = {2, 1, 3};
  const auto data = gamma_gamma::prepare(x, m, w, 3);
  const std::array<double, 3> theta{0.4, 1.1, 2.0};
  const gamma_gamma::params p{std::exp(0.4), std::exp(1.1), std::exp(2.0)};
  double ll = 0.0;
  for (int i = 0; i < 3; ++i) ll += w[i] * gamma_gamma::log_likelihood(p, x[i], m[i]);
  CHECK(gamma_gamma::objective(theta.data(), data, 0.0, nullptr) == doctest::Approx(-ll / 6).epsilon(1e-13));
  CHECK(gamma_gamma::objective(theta.data(), data, 0.5, nullptr) ==
        doctest::Approx(-ll / 6 + 0.5 * (p.p * p.p + p.q * p.q + p.v * p.v)).epsilon(1e-13));
}

TEST_CASE("gamma_gamma: a large simulated set is recovered, warm-started or not") {
  const gamma_gamma::params truth{4.0, 5.0, 30.0};
  std::vector<double> x, m;
  simulate_spend(200'000, truth, 11, x, m);
  const auto fit = gamma_gamma::fit(x.data(), m.data(), nullptr, x.size(), 0.0);
  REQUIRE(fit.converged);
  // an explicit start (lifetimes' 0.1) skips the subsample warm start: the same optimum
  const auto cold = gamma_gamma::fit(x.data(), m.data(), nullptr, x.size(), 0.0,
                                     Eigen::VectorXd::Constant(3, 0.1));
  REQUIRE(cold.converged);
  CHECK(cold.evaluations > fit.evaluations);
  for (std::size_t k = 0; k < 3; ++k) CHECK(cold.params[k] == doctest::Approx(fit.params[k]).epsilon(1e-6));
  const double t[] = {truth.p, truth.q, truth.v};
  for (std::size_t k = 0; k < 3; ++k) {
    CAPTURE(k);
    const auto j = static_cast<Eigen::Index>(k);
    CHECK(std::abs(fit.params[k] - t[k]) < 4.0 * std::sqrt(fit.variance(j, j)));
  }
}

TEST_CASE("gamma_gamma: q_constraint holds q at 1 where the unconstrained fit has q < 1") {
  // heavy-tailed spend: nu ~ Gamma(0.7, v) has no finite mean of 1/nu
  std::vector<double> x, m;
  simulate_spend(5'000, {3.0, 0.7, 20.0}, 5, x, m);
  const auto free_fit = gamma_gamma::fit(x.data(), m.data(), nullptr, x.size(), 0.0);
  REQUIRE(free_fit.converged);
  CHECK(free_fit.params[1] < 1.0);
  const auto bounded = gamma_gamma::fit(x.data(), m.data(), nullptr, x.size(), 0.0, {}, {}, true);
  REQUIRE(bounded.converged);
  CHECK(bounded.params[1] == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(bounded.negative_log_likelihood >= free_fit.negative_log_likelihood);
  // p and v are at their best given q = 1: the free gradient components vanish there
  const auto data = gamma_gamma::prepare(x.data(), m.data(), nullptr, x.size());
  double grad[3];
  gamma_gamma::objective(bounded.log_params.data(), data, 0.0, grad);
  CHECK(std::abs(grad[0]) < 1e-5);
  CHECK(std::abs(grad[2]) < 1e-5);
  CHECK(grad[1] > 0.0);  // the objective would fall with q below 1
  // the same on 200,000 customers, where the fit starts from a subsample fit
  simulate_spend(200'000, {3.0, 0.7, 20.0}, 7, x, m);
  const auto large = gamma_gamma::fit(x.data(), m.data(), nullptr, x.size(), 0.0, {}, {}, true);
  REQUIRE(large.converged);
  CHECK(large.params[1] == doctest::Approx(1.0).epsilon(1e-12));
  const auto large_free = gamma_gamma::fit(x.data(), m.data(), nullptr, x.size(), 0.0);
  REQUIRE(large_free.converged);
  CHECK(large_free.params[1] < 1.0);
  CHECK(large_free.method == "Newton from a subsample fit");
  // and where the bound is inactive the two fits agree
  simulate_spend(5'000, {3.0, 4.0, 20.0}, 6, x, m);
  const auto a = gamma_gamma::fit(x.data(), m.data(), nullptr, x.size(), 0.0);
  const auto b = gamma_gamma::fit(x.data(), m.data(), nullptr, x.size(), 0.0, {}, {}, true);
  for (std::size_t k = 0; k < 3; ++k) CHECK(a.params[k] == doctest::Approx(b.params[k]).epsilon(1e-6));
}

TEST_CASE("gamma_gamma: frequency 0, non-positive spend and bad weights are refused") {
  const double x_ok[] = {1, 2}, m_ok[] = {1.0, 2.0};
  const double x0[] = {1, 0}, m0[] = {1.0, 0.0}, m_neg[] = {1.0, -2.0}, x_half[] = {1.5, 1};
  const double w_neg[] = {1.0, -1.0}, w_zero[] = {0.0, 0.0};
  CHECK_THROWS_WITH_AS(gamma_gamma::prepare(x0, m0, nullptr, 2), doctest::Contains("row 1"), std::domain_error);
  CHECK_THROWS_AS(gamma_gamma::prepare(x_ok, m_neg, nullptr, 2), std::domain_error);
  CHECK_THROWS_AS(gamma_gamma::prepare(x_half, m_ok, nullptr, 2), std::domain_error);
  CHECK_THROWS_AS(gamma_gamma::prepare(x_ok, m_ok, w_neg, 2), std::domain_error);
  CHECK_THROWS_AS(gamma_gamma::prepare(x_ok, m_ok, w_zero, 2), std::domain_error);
  CHECK_THROWS_AS(gamma_gamma::prepare(x_ok, m_ok, nullptr, 0), std::domain_error);
  CHECK_THROWS_AS(gamma_gamma::fit(x_ok, m_ok, nullptr, 2, -1.0), std::domain_error);
  double out[2];
  CHECK_THROWS_AS(gamma_gamma::conditional_expected_average_profit(paper, x_ok, m_neg, 2, out),
                  std::domain_error);
  // rows checked in blocks: the message still names the row, deep in a large input
  std::vector<double> x(10'000, 2.0), m(10'000, 5.0), w(10'000, 1.0), big(10'000);
  m[7'001] = std::nan("");
  CHECK_THROWS_WITH_AS(gamma_gamma::prepare(x.data(), m.data(), nullptr, x.size()),
                       doctest::Contains("row 7001"), std::domain_error);
  CHECK_THROWS_WITH_AS(gamma_gamma::conditional_expected_average_profit(paper, x.data(), m.data(), x.size(), big.data()),
                       doctest::Contains("row 7001"), std::domain_error);
  m[7'001] = 5.0;
  x[9'999] = 2.5;
  CHECK_THROWS_WITH_AS(gamma_gamma::conditional_expected_average_profit(paper, x.data(), m.data(), x.size(), big.data()),
                       doctest::Contains("row 9999"), std::domain_error);
  x[9'999] = 2.0;
  w[4'100] = -1.0;
  CHECK_THROWS_WITH_AS(gamma_gamma::prepare(x.data(), m.data(), w.data(), x.size()),
                       doctest::Contains("row 4100"), std::domain_error);
  CHECK_THROWS_AS(gamma_gamma::conditional_expected_average_profit({-1, 2, 3}, x_ok, m_ok, 2, out),
                  std::domain_error);
}

TEST_CASE("gamma_gamma: extreme but valid rows give finite densities") {
  for (double x : {1.0, 10.0, 1e4, 1e7}) {
    for (double m : {1e-8, 1.0, 1e8}) {
      CAPTURE(x);
      CAPTURE(m);
      CHECK(std::isfinite(gamma_gamma::log_likelihood(paper, x, m)));
      double out;
      gamma_gamma::conditional_expected_average_profit(paper, &x, &m, 1, &out);
      CHECK(std::isfinite(out));
      CHECK(out > 0.0);
    }
  }
}

TEST_CASE("gamma_gamma: prepare groups frequencies and measures their correlation with spend") {
  const double x[] = {1, 2, 3, 5000, 2, 1};
  const double m[] = {10.0, 12.0, 15.0, 40.0, 11.0, 9.0};
  const double w[] = {1, 2, 1, 1, 0.5, 3};
  const auto d = gamma_gamma::prepare(x, m, w, 6);
  REQUIRE(d.x_values.size() == 4);  // 1, 2, 3 in the table, 5000 in the hash table
  CHECK(d.x_weight.sum() == doctest::Approx(8.5));
  double sum_w_log_m = 0, W = 0, mx = 0, mm = 0;
  for (int i = 0; i < 6; ++i) {
    sum_w_log_m += w[i] * std::log(m[i]);
    W += w[i];
    mx += w[i] * x[i];
    mm += w[i] * m[i];
  }
  mx /= W;
  mm /= W;
  double cxy = 0, vx = 0, vy = 0;
  for (int i = 0; i < 6; ++i) {
    cxy += w[i] * (x[i] - mx) * (m[i] - mm);
    vx += w[i] * (x[i] - mx) * (x[i] - mx);
    vy += w[i] * (m[i] - mm) * (m[i] - mm);
  }
  CHECK(d.sum_w_log_m == doctest::Approx(sum_w_log_m).epsilon(1e-13));
  CHECK(d.correlation == doctest::Approx(cxy / std::sqrt(vx * vy)).epsilon(1e-12));
}

TEST_CASE("gamma_gamma: the objective keeps its digits where spend dwarfs v") {
  // xm around 1e7 with v = 100: log(xm + v) - log(xm) is 1e-5 of each logarithm
  std::vector<double> x, m;
  for (int i = 0; i < 2000; ++i) {
    x.push_back(1 + i % 900);
    m.push_back(1e7 * (1.0 + 0.37 * (i % 13)) / x.back());
  }
  const auto data = gamma_gamma::prepare(x.data(), m.data(), nullptr, x.size());
  const std::array<double, 3> theta{std::log(50.0), std::log(1.3), std::log(100.0)};
  const gamma_gamma::params p{50.0, 1.3, 100.0};
  double ll = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) ll += gamma_gamma::log_likelihood(p, x[i], m[i]);
  const double value = gamma_gamma::objective(theta.data(), data, 0.0, nullptr);
  // each row's log((xm + v)/xm), about 1e-5, carries the rounding of log(xm + v) (1e-16 of
  // 16), times p x up to 45,000: 1e-11 of the objective is what double precision allows
  CHECK(value == doctest::Approx(-ll / 2000).epsilon(1e-11));
}
