// Holdout evaluation: error metrics and ranking metrics on hand-made cases whose answers
// are known in closed form (perfect ranking, reversed ranking, a constant forecast, ties),
// and a random forecast whose Gini is near 0.

#include <doctest/doctest.h>

#include <fastlifetimes/evaluation.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

using namespace fastlifetimes;

TEST_CASE("evaluation: errors of a small forecast, by hand") {
  const std::vector<double> predicted = {1, 2, 3, 4};
  const std::vector<double> actual = {1, 3, 1, 8};  // errors 0, -1, 2, -4
  const auto e = evaluation::errors(predicted.data(), actual.data(), 4);
  CHECK(e.rmse == doctest::Approx(std::sqrt((0 + 1 + 4 + 16) / 4.0)));
  CHECK(e.mae == doctest::Approx(7.0 / 4.0));
  CHECK(e.median_absolute_error == doctest::Approx(1.5));  // middle of 0, 1, 2, 4
  // mean actual 3.25, SS_tot = 5.0625 + 0.0625 + 5.0625 + 22.5625 = 32.75
  CHECK(e.r_squared == doctest::Approx(1.0 - 21.0 / 32.75));
  const auto odd = evaluation::errors(predicted.data(), actual.data(), 3);
  CHECK(odd.median_absolute_error == 1.0);
  const auto exact = evaluation::errors(actual.data(), actual.data(), 4);
  CHECK(exact.rmse == 0.0);
  CHECK(exact.r_squared == 1.0);
  const std::vector<double> flat = {2, 2, 2, 2};
  CHECK(std::isnan(evaluation::errors(predicted.data(), flat.data(), 4).r_squared));
}

TEST_CASE("evaluation: the curve and Gini of perfect, reversed and constant rankings") {
  const std::vector<double> actual = {0, 10, 0, 30, 60};  // total 100
  const std::vector<double> perfect = {1, 2, 0, 3, 4};
  const auto c = evaluation::lorenz_curve(perfect.data(), actual.data(), 5);
  REQUIRE(c.share_of_customers.size() == 6);
  CHECK(c.share_of_value == std::vector<double>{0.0, 0.6, 0.9, 1.0, 1.0, 1.0});
  CHECK(c.share_of_customers[1] == doctest::Approx(0.2));
  // twice the area: 0.2 * (0.6 + 1.5 + 1.9 + 2 + 2) = 1.6, minus 1
  CHECK(evaluation::gini(c) == doctest::Approx(0.6));
  CHECK(evaluation::normalised_gini(perfect.data(), actual.data(), 5) == doctest::Approx(1.0));
  // ranking by the actual values themselves is perfect too
  CHECK(evaluation::normalised_gini(actual.data(), actual.data(), 5) == doctest::Approx(1.0));

  const std::vector<double> reversed = {3, 2, 4, 1, 0};
  // worst order: 0, 0, 10, 30, 60 -> twice the area 0.2 * (0 + 0 + 0.1 + 0.5 + 1.4) = 0.4
  CHECK(evaluation::gini(evaluation::lorenz_curve(reversed.data(), actual.data(), 5)) ==
        doctest::Approx(-0.6));
  CHECK(evaluation::normalised_gini(reversed.data(), actual.data(), 5) == doctest::Approx(-1.0));

  // one tied block: the curve is the diagonal, whatever the input order
  const std::vector<double> constant(5, 7.0);
  const auto flat = evaluation::lorenz_curve(constant.data(), actual.data(), 5);
  CHECK(flat.share_of_customers == std::vector<double>{0.0, 1.0});
  CHECK(evaluation::gini(flat) == doctest::Approx(0.0));
  CHECK(evaluation::share_at(flat, 0.1) == doctest::Approx(0.1));
}

TEST_CASE("evaluation: ties share their block's value evenly") {
  // customers 0 and 1 tie at the top with 30 and 10: each holds 20 on average, so after
  // one customer of four the curve is at 20 / 50
  const std::vector<double> score = {5, 5, 1, 0};
  const std::vector<double> actual = {30, 10, 10, 0};
  const auto c = evaluation::lorenz_curve(score.data(), actual.data(), 4);
  CHECK(c.share_of_customers == std::vector<double>{0.0, 0.5, 0.75, 1.0});
  CHECK(evaluation::share_at(c, 0.25) == doctest::Approx(0.4));
  // swapping the tied customers changes nothing
  const std::vector<double> swapped = {10, 30, 10, 0};
  CHECK(evaluation::gini(evaluation::lorenz_curve(score.data(), swapped.data(), 4)) ==
        doctest::Approx(evaluation::gini(c)));
  // ties in the actual values do not change the best ranking's Gini either
  const std::vector<double> equal = {1, 1, 1, 1};
  CHECK(std::isnan(evaluation::normalised_gini(score.data(), equal.data(), 4)));
}

TEST_CASE("evaluation: a random ranking has a Gini near 0, a noisy one in between") {
  std::mt19937_64 rng(42);
  std::gamma_distribution<double> spend(0.5, 100.0);
  std::uniform_real_distribution<double> noise(0.0, 1.0);
  const std::size_t n = 200000;
  std::vector<double> actual(n), random_score(n), noisy(n);
  for (std::size_t i = 0; i < n; ++i) {
    actual[i] = spend(rng);
    random_score[i] = noise(rng);
    noisy[i] = actual[i] * noise(rng);
  }
  // a random ranking's Gini is 0 up to sampling noise (about 0.01 here: skewed values)
  CHECK(std::abs(evaluation::normalised_gini(random_score.data(), actual.data(), n)) < 0.04);
  const double g = evaluation::normalised_gini(noisy.data(), actual.data(), n);
  CHECK(g > 0.3);
  CHECK(g < 0.99);
}

TEST_CASE("evaluation: share of value in the top fractions") {
  const std::vector<double> actual = {0, 10, 0, 30, 60};
  const std::vector<double> perfect = {1, 2, 0, 3, 4};
  const auto c = evaluation::lorenz_curve(perfect.data(), actual.data(), 5);
  CHECK(evaluation::share_at(c, 0.0) == 0.0);
  CHECK(evaluation::share_at(c, 0.1) == doctest::Approx(0.3));  // half of the top customer
  CHECK(evaluation::share_at(c, 0.2) == doctest::Approx(0.6));
  CHECK(evaluation::share_at(c, 0.5) == doctest::Approx(0.95));
  CHECK(evaluation::share_at(c, 1.0) == 1.0);
  CHECK_THROWS_AS(evaluation::share_at(c, 1.5), std::domain_error);
}

TEST_CASE("evaluation: rank groups of equal size, highest forecast first") {
  const std::vector<double> predicted = {0.5, 4, 3, 2, 1, 0};
  const std::vector<double> actual = {1, 2, 3, 4, 5, 6};
  const auto g = evaluation::rank_groups(predicted.data(), actual.data(), 6, 4);
  // positions 0..5 -> groups 0, 0, 1, 2, 2, 3 (floor(p * 4 / 6))
  CHECK(g.customers == std::vector<std::size_t>{2, 1, 2, 1});
  CHECK(g.predicted == std::vector<double>{7, 2, 1.5, 0});
  CHECK(g.actual == std::vector<double>{5, 4, 6, 6});
  const auto deciles = evaluation::rank_groups(predicted.data(), actual.data(), 6, 6);
  CHECK(deciles.customers == std::vector<std::size_t>(6, 1));
  CHECK_THROWS_AS(evaluation::rank_groups(predicted.data(), actual.data(), 6, 7), std::domain_error);
  CHECK_THROWS_AS(evaluation::rank_groups(predicted.data(), actual.data(), 6, 0), std::domain_error);
}

TEST_CASE("evaluation: segment sums and percentage errors") {
  const std::vector<std::int64_t> segment = {0, 1, 0, 1, 2};
  const std::vector<double> predicted = {1, 2, 3, 4, 5};
  const std::vector<double> actual = {2, 0, 3, 8, 0};
  const auto s = evaluation::segment_totals(segment.data(), 3, predicted.data(), actual.data(), 5);
  CHECK(s.customers == std::vector<std::size_t>{2, 2, 1});
  CHECK(s.predicted == std::vector<double>{4, 6, 5});
  CHECK(s.actual == std::vector<double>{5, 8, 0});
  CHECK(s.absolute_percentage_error == std::vector<double>{0.5, 0.5, 0.0});
  CHECK(s.customers_with_actual == std::vector<std::size_t>{2, 1, 0});
  const std::vector<std::int64_t> bad = {0, 1, 3, 0, 0};
  CHECK_THROWS_AS(evaluation::segment_totals(bad.data(), 3, predicted.data(), actual.data(), 5),
                  std::domain_error);
}

TEST_CASE("evaluation: bad input throws") {
  const std::vector<double> ok = {1, 2};
  const std::vector<double> negative = {1, -2};
  const std::vector<double> zeros = {0, 0};
  const std::vector<double> with_nan = {1, std::nan("")};
  CHECK_THROWS_AS(evaluation::errors(ok.data(), ok.data(), 0), std::domain_error);
  CHECK_THROWS_AS(evaluation::errors(with_nan.data(), ok.data(), 2), std::domain_error);
  CHECK_THROWS_AS(evaluation::lorenz_curve(ok.data(), negative.data(), 2), std::domain_error);
  CHECK_THROWS_AS(evaluation::lorenz_curve(ok.data(), zeros.data(), 2), std::domain_error);
  CHECK_THROWS_AS(evaluation::lorenz_curve(with_nan.data(), ok.data(), 2), std::domain_error);
}
