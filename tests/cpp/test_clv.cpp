// CLV: the one-pass discounted sum equals the period-by-period sum of BG/NBD conditional
// expectations that lifetimes computes, for whole and fractional period lengths.

#include <doctest/doctest.h>

#include <fastlifetimes/clv.hpp>
#include <fastlifetimes/models/bgnbd.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

using namespace fastlifetimes;

namespace {

void discounted(const bgnbd::params& p, const std::vector<double>& to, const std::vector<double>& from,
                const std::vector<double>& discount, const std::vector<double>& x,
                const std::vector<double>& t_x, const std::vector<double>& T, std::vector<double>& out) {
  out.assign(x.size(), 0.0);
  clv::discounted_purchases(
      "test", to.data(), from.data(), discount.data(), to.size(), x.data(), t_x.data(), T.data(),
      x.size(), out.data(),
      [&](double t, double xi, double Ti) { return bgnbd::detail::conditional_expectation_numerator(p, t, xi, Ti); },
      [&](double xi, double txi, double Ti) {
        return 1.0 / bgnbd::detail::conditional_expectation_denominator(p, xi, txi, Ti);
      });
}

}  // namespace

TEST_CASE("clv: discounted purchases equal lifetimes' month-by-month sum") {
  const bgnbd::params p{0.243, 4.414, 0.793, 2.426};
  // a repeated history (the cache) and distinct ones
  const std::vector<double> x = {0, 2, 2, 7, 26, 1, 2};
  const std::vector<double> t_x = {0, 30.43, 30.43, 12.0, 30.86, 0.5, 10.0};
  const std::vector<double> T = {38.86, 38.86, 38.86, 39.0, 31.0, 20.0, 38.86};
  for (double factor : {30.0, 4.345, 1.0}) {  // lifetimes' days, weeks and months per month
    for (double rate : {0.0, 0.01, 0.1}) {
      std::vector<double> to, from, discount;
      for (int k = 1; k <= 12; ++k) {
        to.push_back(k * factor);
        from.push_back(k * factor - factor);
        discount.push_back(std::pow(1.0 + rate, to.back() / factor));
      }
      std::vector<double> out;
      discounted(p, to, from, discount, x, t_x, T, out);
      for (std::size_t i = 0; i < x.size(); ++i) {
        double direct = 0.0;
        for (std::size_t k = 0; k < to.size(); ++k)
          direct += (bgnbd::conditional_expected_number_of_purchases_up_to_time(p, to[k], x[i], t_x[i], T[i]) -
                     bgnbd::conditional_expected_number_of_purchases_up_to_time(p, from[k], x[i], t_x[i], T[i])) /
                    discount[k];
        CAPTURE(factor);
        CAPTURE(i);
        CHECK(out[i] == doctest::Approx(direct).epsilon(1e-13));
      }
      // undiscounted, the sum telescopes to the expectation over the whole horizon
      if (rate == 0.0)
        CHECK(out[1] == doctest::Approx(bgnbd::conditional_expected_number_of_purchases_up_to_time(
                                            p, to.back(), x[1], t_x[1], T[1])).epsilon(1e-12));
    }
  }
}

TEST_CASE("clv: invalid histories and horizons are refused with their row") {
  const bgnbd::params p{0.243, 4.414, 0.793, 2.426};
  std::vector<double> out;
  CHECK_THROWS_WITH_AS(discounted(p, {30}, {0}, {1}, {1, 2}, {1, 5}, {2, 4}, out), doctest::Contains("row 1"),
                       std::domain_error);
  CHECK_THROWS_AS(discounted(p, {-30}, {0}, {1}, {1}, {1}, {2}, out), std::domain_error);
  CHECK_THROWS_AS(discounted(p, {30}, {0}, {1}, {NAN}, {1}, {2}, out), std::domain_error);
}
