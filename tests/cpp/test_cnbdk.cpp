// NBD, BG/CNBD-k and MBG/CNBD-k (Platzer & Reutterer 2016): identities with BG/NBD and
// MBG/NBD at k = 1, the analytic gradients against central differences, the exact
// conditional expectation against simulation, litt checks and extremes. The grocery
// parity (REFERENCE_VALUES.md section 7) is in tests/python/test_cnbdk.py, which builds
// the CBS from the event log with our own summary functions.

#include <doctest/doctest.h>

#include <fastlifetimes/models/cnbdk.hpp>
#include <fastlifetimes/models/nbd.hpp>
#include <fastlifetimes/optim/model_fit.hpp>
#include <fastlifetimes/predictions.hpp>

#include <array>
#include <cmath>
#include <random>
#include <vector>

using namespace fastlifetimes;

namespace {

const double xs[] = {0, 1, 2, 5, 30, 0, 7, 200};
const double t_xs[] = {0, 0.3, 0.9, 0.5, 0.99, 0, 0.01, 0.95};
const double Ts[] = {1.0, 0.4, 1.0, 0.8, 1.0, 0.2, 0.6, 1.0};
const double ws[] = {3, 1, 2, 1, 1, 5, 1, 1};

template <class Objective>
void check_gradient(Objective&& f, const std::array<double, 4>& theta, int n) {
  double grad[4];
  f(theta.data(), grad);
  for (int k = 0; k < n; ++k) {
    auto plus = theta, minus = theta;
    const double h = 1e-6;
    plus[static_cast<std::size_t>(k)] += h;
    minus[static_cast<std::size_t>(k)] -= h;
    const double numeric = (f(plus.data(), nullptr) - f(minus.data(), nullptr)) / (2 * h);
    CAPTURE(k);
    CHECK(grad[k] == doctest::Approx(numeric).epsilon(1e-6).scale(1.0));
  }
}

}  // namespace

TEST_CASE("nbd: analytic gradient equals central differences") {
  const auto data = compress(xs, t_xs, Ts, ws, 8);
  for (double penalizer : {0.0, 0.1})
    for (const auto& theta : {std::array<double, 4>{0.1, 0.1, 0, 0}, std::array<double, 4>{-0.9, 1.6, 0, 0},
                              std::array<double, 4>{2.0, -3.0, 0, 0}})
      check_gradient([&](const double* p, double* g) { return nbd::objective(p, data, penalizer, g); },
                     theta, 2);
}

TEST_CASE("nbd: likelihood, predictions and the pmf summing to one") {
  const nbd::params p{0.42, 5.245};
  // BTYDplus' LL leaves out x ln T - ln x!: adding it back gives the NB probability
  const double x = 3, T = 52;
  const double ll = nbd::log_likelihood(p, x, 10, T) + nbd::omitted_constant(x, T);
  CHECK(std::exp(ll) == doctest::Approx(nbd::probability_of_n_purchases_up_to_time(p, T, x)).epsilon(1e-12));
  double total = 0.0;
  for (int n = 0; n < 2000; ++n) total += nbd::probability_of_n_purchases_up_to_time(p, 52, n);
  CHECK(total == doctest::Approx(1.0).epsilon(1e-10));
  CHECK(nbd::conditional_expected_number_of_purchases_up_to_time(p, 52, 1, 12, 52) ==
        doctest::Approx(52 * 1.42 / 57.245).epsilon(1e-14));
  CHECK(nbd::expected_number_of_purchases_up_to_time(p, 52) == doctest::Approx(0.42 * 52 / 5.245));
}

TEST_CASE("cnbdk: analytic gradient equals central differences (k = 2, 3, 7; BG and MBG)") {
  const auto data = compress(xs, t_xs, Ts, ws, 8);
  for (bool modified : {false, true})
    for (int k : {2, 3, 7})
      for (double penalizer : {0.0, 0.1})
        for (const auto& theta : {std::array<double, 4>{0.1, 0.1, 0.1, 0.1},
                                  std::array<double, 4>{-0.6, 1.8, -0.1, 0.5},
                                  std::array<double, 4>{2.0, -3.0, 1.5, -1.0}}) {
          CAPTURE(k);
          CAPTURE(modified);
          check_gradient(
              [&](const double* p, double* g) {
                return cnbdk::objective(p, data, {k, modified}, penalizer, g);
              },
              theta, 4);
        }
}

TEST_CASE("cnbdk: the objective is the weighted mean of the per-customer likelihoods") {
  const auto data = compress(xs, t_xs, Ts, ws, 8);
  const cnbdk::params p{0.7, 0.4, 0.9, 2.5};
  const std::array<double, 4> theta{std::log(p.r), std::log(p.alpha), std::log(p.a), std::log(p.b)};
  for (bool modified : {false, true})
    for (int k : {1, 2, 4}) {
      double total = 0.0, W = 0.0;
      for (std::size_t i = 0; i < 8; ++i) {
        total += ws[i] * cnbdk::log_likelihood_without_litt(p, {k, modified}, xs[i], t_xs[i], Ts[i]);
        W += ws[i];
      }
      CHECK(cnbdk::objective(theta.data(), data, {k, modified}, 0.0, nullptr) ==
            doctest::Approx(-total / W).epsilon(1e-12));
    }
}

TEST_CASE("cnbdk: k = 1 is BG/NBD and MBG/NBD (likelihood, P(alive), CE, E[X(t)])") {
  const cnbdk::params p{0.349, 2.581, 0.504, 3.644};
  const bgnbd::params q{p.r, p.alpha, p.a, p.b};
  const mbgnbd::params m{p.r, p.alpha, p.a, p.b};
  for (std::size_t i = 0; i < 8; ++i) {
    const double x = xs[i], t_x = t_xs[i] * 50, T = Ts[i] * 50;
    // the same function; equal to the last bits but for the compiler's fused multiply-adds
    CHECK(cnbdk::log_likelihood(p, {1, false}, x, t_x, T, 0.0) ==
          doctest::Approx(bgnbd::log_likelihood(q, x, t_x, T)).epsilon(1e-14));
    CHECK(cnbdk::log_likelihood(p, {1, true}, x, t_x, T, 0.0) ==
          doctest::Approx(mbgnbd::log_likelihood(m, x, t_x, T)).epsilon(1e-14));
    CHECK(cnbdk::conditional_probability_alive(p, {1, false}, x, t_x, T) ==
          bgnbd::conditional_probability_alive(q, x, t_x, T));
    CHECK(cnbdk::conditional_probability_alive(p, {1, true}, x, t_x, T) ==
          mbgnbd::conditional_probability_alive(m, x, t_x, T));
    CHECK(cnbdk::conditional_expected_number_of_purchases_up_to_time(p, {1, false}, 39, x, t_x, T) ==
          bgnbd::conditional_expected_number_of_purchases_up_to_time(q, 39, x, t_x, T));
  }
  CHECK(cnbdk::expected_number_of_purchases_up_to_time(p, {1, true}, 52) ==
        mbgnbd::expected_number_of_purchases_up_to_time(m, 52));
}

TEST_CASE("cnbdk: the exact expectation at k = 1 agrees with BG/NBD's hypergeometric form") {
  // the phase-and-pmf sum (used for k > 1) against the closed forms, which share nothing
  const cnbdk::params p{0.349, 2.581, 0.504, 3.644};
  std::vector<double> weights;
  cnbdk::detail::drop_out_sums C;
  for (bool modified : {false, true})
    for (std::size_t i = 0; i < 8; ++i) {
      const double x = xs[i], t_x = t_xs[i] * 50, T = Ts[i] * 50;
      const cnbdk::variant v{1, modified};
      const double general = cnbdk::conditional_probability_alive(p, v, x, t_x, T) *
                             cnbdk::detail::expectation_given_alive(p, v, 39, x, t_x, T, weights, C);
      CHECK(general == doctest::Approx(cnbdk::conditional_expected_number_of_purchases_up_to_time(
                                           p, v, 39, x, t_x, T))
                           .epsilon(1e-11));
    }
}

TEST_CASE("cnbdk: the expectations agree with simulation (k = 2, 3)") {
  // Customers with purchase at 0, Erlang-k gaps, drop-out chance p after each purchase
  // (and at 0 for MBG). New customers: E[X(t)]; customers silent over (0, T]:
  // E[X(T, T+t) | x = 0, T], which exercises the Erlang-phase posterior.
  const cnbdk::params p{0.8, 3.0, 0.9, 2.5};
  const double T = 6.0, t = 10.0;
  for (bool modified : {false, true})
    for (int k : {2, 3}) {
      std::mt19937_64 rng(42u + static_cast<unsigned>(k) + (modified ? 10u : 0u));
      std::gamma_distribution<double> rate(p.r, 1.0 / p.alpha);
      std::gamma_distribution<double> pa(p.a, 1.0), pb(p.b, 1.0);
      std::uniform_real_distribution<double> unif(0.0, 1.0);
      double new_sum = 0.0, silent_sum = 0.0;
      long silent_n = 0;
      const long n = 400'000;
      for (long c = 0; c < n; ++c) {
        const double lambda = rate(rng), ga = pa(rng), gb = pb(rng), drop = ga / (ga + gb);
        std::gamma_distribution<double> gap(k, 1.0 / lambda);
        bool alive = !(modified && unif(rng) < drop);
        double time = 0.0;
        int in_t = 0, before_T = 0, in_T_window = 0;
        while (alive) {
          time += gap(rng);
          if (time > T + t && time > t) break;
          if (time <= t) ++in_t;
          if (time <= T) ++before_T;
          else if (time <= T + t) ++in_T_window;
          alive = unif(rng) >= drop;
        }
        new_sum += in_t;
        if (before_T == 0) {
          silent_sum += in_T_window;
          ++silent_n;
        }
      }
      const cnbdk::variant v{k, modified};
      CAPTURE(k);
      CAPTURE(modified);
      CHECK(cnbdk::expected_number_of_purchases_up_to_time(p, v, t) ==
            doctest::Approx(new_sum / n).epsilon(0.01));
      CHECK(cnbdk::conditional_expected_number_of_purchases_up_to_time(p, v, t, 0, 0, T) ==
            doctest::Approx(silent_sum / static_cast<double>(silent_n)).epsilon(0.015));
    }
}

TEST_CASE("cnbdk: litt consistency and k bounds are checked") {
  CHECK(cnbdk::valid_litt(0, 0, 0.0));
  CHECK_FALSE(cnbdk::valid_litt(0, 0, 0.1));
  CHECK(cnbdk::valid_litt(2, 4, 2 * std::log(2.0)));  // two gaps of 2
  CHECK(cnbdk::valid_litt(2, 4, std::log(1.0) + std::log(3.0)));
  CHECK_FALSE(cnbdk::valid_litt(2, 4, 2 * std::log(2.0) + 1e-3));  // above the AM-GM bound
  CHECK_FALSE(cnbdk::valid_litt(1, 1, std::nan("")));
  const double x[] = {1, 0}, t_x[] = {2, 0}, T[] = {3, 3}, litt[] = {std::log(2.0), 1.0};
  CHECK_THROWS_AS(cnbdk::fit({2, false}, x, t_x, T, litt, nullptr, 2, 0.0), std::domain_error);
  CHECK_THROWS_AS(cnbdk::fit({13, false}, x, t_x, T, nullptr, nullptr, 2, 0.0), std::domain_error);
  CHECK_THROWS_AS(cnbdk::fit({0, true}, x, t_x, T, nullptr, nullptr, 2, 0.0), std::domain_error);
  double out[2];
  CHECK_THROWS_AS(cnbdk::conditional_probability_alive({1, 1, 1, 1}, {0, false}, x, t_x, T, 2, out),
                  std::domain_error);
}

TEST_CASE("cnbdk: extremes stay finite") {
  const cnbdk::params p{0.359, 1.129, 0.523, 2.785};
  for (bool modified : {false, true}) {
    const cnbdk::variant v{12, modified};
    // many purchases and a long silence: S2's terms would overflow without rescaling
    const double ll = cnbdk::log_likelihood_without_litt(p, v, 1e6, 10, 1e4);
    CHECK(std::isfinite(ll));
    const double alive = cnbdk::conditional_probability_alive(p, v, 1e6, 10, 1e4);
    CHECK((alive >= 0.0 && alive <= 1.0));
    const double ce = cnbdk::conditional_expected_number_of_purchases_up_to_time(p, v, 52, 500, 51, 52);
    CHECK(std::isfinite(ce));
    CHECK(ce > 0.0);
    CHECK(cnbdk::conditional_expected_number_of_purchases_up_to_time(p, v, 0, 5, 3, 52) == 0.0);
  }
  const double big = cnbdk::log_likelihood_without_litt(p, {200, false}, 1e5, 1, 1e7);
  CHECK(std::isfinite(big));
}

TEST_CASE("cnbdk: future P(alive) at k = 1 is BG/NBD's and MBG/NBD's hypergeometric form") {
  // the phase survival sums (used for k > 1) against predictions.hpp's closed forms
  const cnbdk::params p{0.349, 2.581, 0.504, 3.644};
  for (bool modified : {false, true})
    for (std::size_t i = 0; i < 8; ++i) {
      const double x = xs[i], t_x = t_xs[i] * 50, T = Ts[i] * 50;
      const double series = cnbdk::conditional_probability_alive_in_future(p, {1, modified}, 26, x, t_x, T);
      const double closed =
          modified ? mbgnbd::conditional_probability_alive_in_future({p.r, p.alpha, p.a, p.b}, 26, x, t_x, T)
                   : bgnbd::conditional_probability_alive_in_future({p.r, p.alpha, p.a, p.b}, 26, x, t_x, T);
      CHECK(series == doctest::Approx(closed).epsilon(1e-10));
      // t = 0 is P(alive); k = 3 survives no better than the present
      CHECK(cnbdk::conditional_probability_alive_in_future(p, {3, modified}, 0, x, t_x, T) ==
            cnbdk::conditional_probability_alive(p, {3, modified}, x, t_x, T));
      CHECK(cnbdk::conditional_probability_alive_in_future(p, {3, modified}, 26, x, t_x, T) <=
            cnbdk::conditional_probability_alive(p, {3, modified}, x, t_x, T));
    }
}

TEST_CASE("cnbdk: the purchase-count distribution (k = 1 closed forms, sums to one, its mean)") {
  const cnbdk::params p{0.6, 4.0, 0.8, 2.5};
  for (bool modified : {false, true}) {
    for (double n = 0; n < 6; ++n) {
      const double closed = modified
                                ? mbgnbd::probability_of_n_purchases_up_to_time({p.r, p.alpha, p.a, p.b}, 30, n)
                                : bgnbd::probability_of_n_purchases_up_to_time({p.r, p.alpha, p.a, p.b}, 30, n);
      CHECK(cnbdk::probability_of_n_purchases_up_to_time(p, {1, modified}, 30, n) ==
            doctest::Approx(closed).epsilon(1e-12));
    }
    for (int k : {2, 5}) {
      double total = 0, mean = 0;
      for (double n = 0; n < 400; ++n) {
        const double pmf = cnbdk::probability_of_n_purchases_up_to_time(p, {k, modified}, 30, n);
        total += pmf;
        mean += n * pmf;
      }
      CHECK(total == doctest::Approx(1.0).epsilon(1e-12));
      CHECK(mean == doctest::Approx(cnbdk::expected_number_of_purchases_up_to_time(p, {k, modified}, 30))
                        .epsilon(1e-9));
    }
  }
}
