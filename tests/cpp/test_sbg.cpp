// sBG on the High End and Regular cohorts of Fader & Hardie (2007), Table 1 (published
// numbers, typed in): the paper's estimates, its log-likelihoods and projections
// (REFERENCE_VALUES.md section 6); identities, the gradient against central differences,
// DERL against a direct sum, input checks.

#include <doctest/doctest.h>

#include <fastlifetimes/models/sbg.hpp>
#include <fastlifetimes/optim/model_fit.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

using namespace fastlifetimes;

namespace {

// % of 1,000 customers active at the start of years 0..12 (Fader & Hardie 2007, Table 1)
const double high_end[] = {100.0, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7,
                           49.1,  46.8, 44.5, 42.7, 40.9, 39.4};
const double regular[] = {100.0, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2,
                          24.1,  22.3, 20.7, 19.4, 18.3, 17.3};

/// The rows (alive, alive * duration, duration) with weights of 1,000 customers observed
/// for years 0..n (file comment of sbg.hpp).
struct cohort_rows {
  std::vector<double> alive, recency, duration, weight;
};

cohort_rows rows_of(const double* pct, int n) {
  cohort_rows r;
  for (int t = 1; t <= n; ++t) {
    r.alive.push_back(0.0);
    r.recency.push_back(0.0);
    r.duration.push_back(t);
    r.weight.push_back(10.0 * (pct[t - 1] - pct[t]));
  }
  r.alive.push_back(1.0);
  r.recency.push_back(n);
  r.duration.push_back(n);
  r.weight.push_back(10.0 * pct[n]);
  return r;
}

model_fit<2> fit_of(const cohort_rows& r) {
  return fastlifetimes::fit<sbg::model>(r.alive.data(), r.recency.data(), r.duration.data(),
                                        r.weight.data(), r.alive.size(), 0.0);
}

double total_ll(const sbg::params& p, const cohort_rows& r) {
  double ll = 0.0;
  for (std::size_t i = 0; i < r.alive.size(); ++i)
    ll += r.weight[i] * sbg::log_likelihood(p, r.duration[i], r.alive[i] > 0.0);
  return ll;
}

}  // namespace

TEST_CASE("sbg: High End, years 0-7: alpha 0.668, beta 3.806, LL -1611.158 (Fader & Hardie 2007)") {
  const auto rows = rows_of(high_end, 7);
  const auto fit = fit_of(rows);
  REQUIRE(fit.converged);
  CHECK(fit.params[0] == doctest::Approx(0.668).epsilon(1e-3));
  CHECK(fit.params[1] == doctest::Approx(3.806).epsilon(1e-3));
  CHECK(fit.params[0] == doctest::Approx(0.668088).epsilon(2e-5));
  CHECK(fit.params[1] == doctest::Approx(3.806095).epsilon(2e-5));
  CHECK(fit.log_likelihood == doctest::Approx(-1611.158).epsilon(1e-6));
  CHECK(fit.total_weight == doctest::Approx(1000.0));
  // the appendix's starting point alpha = beta = 1: -2.115 per customer
  CHECK(total_ll({1.0, 1.0}, rows) == doctest::Approx(-2115.546).epsilon(1e-6));
  // the projection for years 8..12
  const double projected[] = {0.4604, 0.4358, 0.4142, 0.3951, 0.3780};
  const sbg::params p{fit.params[0], fit.params[1]};
  for (int t = 8; t <= 12; ++t)
    CHECK(sbg::survival(p, t) == doctest::Approx(projected[t - 8]).epsilon(2e-4));
}

TEST_CASE("sbg: Regular, years 0-7: alpha 0.704, beta 1.182, LL -1680.265") {
  const auto fit = fit_of(rows_of(regular, 7));
  REQUIRE(fit.converged);
  CHECK(fit.params[0] == doctest::Approx(0.704).epsilon(1e-3));
  CHECK(fit.params[1] == doctest::Approx(1.182).epsilon(1e-3));
  CHECK(fit.log_likelihood == doctest::Approx(-1680.265).epsilon(1e-6));
  const double projected[] = {0.2201, 0.2044, 0.1912, 0.1799, 0.1700};
  const sbg::params p{fit.params[0], fit.params[1]};
  for (int t = 8; t <= 12; ++t)
    CHECK(sbg::survival(p, t) == doctest::Approx(projected[t - 8]).epsilon(3e-4));
  // the variance is symmetric and positive on the diagonal
  CHECK(fit.variance(0, 1) == doctest::Approx(fit.variance(1, 0)));
  CHECK(fit.variance(0, 0) > 0.0);
}

TEST_CASE("sbg: identities: S is the product of retention rates and 1 - sum of churn probabilities") {
  const sbg::params p{0.668, 3.806};
  double product = 1.0, churned = 0.0;
  CHECK(sbg::survival(p, 0.0) == doctest::Approx(1.0));
  for (int t = 1; t <= 40; ++t) {
    product *= sbg::retention_rate(p, t);
    churned += sbg::probability_churn(p, t);
    CHECK(sbg::survival(p, t) == doctest::Approx(product).epsilon(1e-12));
    CHECK(sbg::survival(p, t) == doctest::Approx(1.0 - churned).epsilon(1e-12));
  }
}

TEST_CASE("sbg: DERL equals the direct discounted sum; d -> 0 gives (beta + n - 1)/(alpha - 1)") {
  for (const sbg::params p : {sbg::params{0.668, 3.806}, sbg::params{0.704, 1.182},
                              sbg::params{3.5, 2.0}, sbg::params{1.0, 1.0}}) {
    for (double d : {0.1, 0.02}) {
      for (double n : {1.0, 2.0, 5.0, 13.0}) {
        double sum = 0.0;
        for (int k = 0; k < 20000; ++k) {
          const double t = n + k;
          sum += std::exp(sbg::log_survival(p, t) - sbg::log_survival(p, n - 1.0) -
                          k * std::log1p(d));
        }
        CHECK(sbg::discounted_expected_residual_lifetime(p, d, n) ==
              doctest::Approx(sum).epsilon(1e-10));
      }
    }
  }
  const sbg::params p{3.5, 2.0};
  CHECK(sbg::expected_remaining_lifetime(p, 4.0) == doctest::Approx((2.0 + 3.0) / 2.5));
  CHECK(sbg::discounted_expected_residual_lifetime(p, 1e-7, 4.0) ==
        doctest::Approx(sbg::expected_remaining_lifetime(p, 4.0)).epsilon(1e-5));
  CHECK(std::isinf(sbg::expected_remaining_lifetime({0.668, 3.806}, 1.0)));
}

TEST_CASE("sbg: the analytic gradient matches central differences, with and without a penalty") {
  const auto rows = rows_of(regular, 12);
  const compressed_rfm data = compress(rows.alive.data(), rows.recency.data(), rows.duration.data(),
                                       rows.weight.data(), rows.alive.size());
  for (double penalizer : {0.0, 0.1}) {
    for (const auto& x : {std::vector<double>{-0.35, 0.17}, std::vector<double>{1.2, -2.0},
                          std::vector<double>{-3.0, 3.0}}) {
      double g[2];
      sbg::objective(x.data(), data, penalizer, g);
      for (int k = 0; k < 2; ++k) {
        std::vector<double> xp = x, xm = x;
        const double h = 1e-6;
        xp[static_cast<std::size_t>(k)] += h;
        xm[static_cast<std::size_t>(k)] -= h;
        const double numeric = (sbg::objective(xp.data(), data, penalizer, nullptr) -
                                sbg::objective(xm.data(), data, penalizer, nullptr)) /
                               (2.0 * h);
        CHECK(g[k] == doctest::Approx(numeric).epsilon(1e-6).scale(1.0));
      }
    }
  }
}

TEST_CASE("sbg: extremes stay finite; bad rows throw naming the row") {
  const sbg::params p{0.5, 2.0};
  CHECK(std::isfinite(sbg::log_survival(p, 1e9)));
  CHECK(sbg::survival(p, 1e9) > 0.0);
  CHECK(std::isfinite(sbg::log_probability_churn(p, 1e9)));
  CHECK(std::isfinite(sbg::log_survival({1e-8, 1e8}, 5.0)));
  CHECK(std::isfinite(sbg::discounted_expected_residual_lifetime({1e-3, 1e3}, 0.1, 1.0)));

  const double alive[] = {0.0, 0.0}, recency[] = {0.0, 0.0}, duration[] = {1.0, 0.0};
  CHECK_THROWS_WITH_AS(sbg::check_rows(alive, recency, duration, 2),
                       doctest::Contains("row 1"), std::domain_error);
  const double half[] = {1.5, 2.0};
  CHECK_THROWS_AS(sbg::check_rows(alive, recency, half, 2), std::domain_error);
  const double flag[] = {2.0, 0.0}, rec[] = {4.0, 0.0}, dur[] = {2.0, 3.0};
  CHECK_THROWS_WITH_AS(
      (fastlifetimes::fit<sbg::model>(flag, rec, dur, nullptr, 2, 0.0)),
      doctest::Contains("row 0"), std::domain_error);
}
