#include <doctest/doctest.h>

#include <fastlifetimes/models/bgnbd_covariates.hpp>
#include <fastlifetimes/models/pareto_nbd_covariates.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace fastlifetimes;

namespace {

/// A small data set with one binary and one continuous covariate per process.
struct small_data {
  std::vector<double> x, t_x, T, z_trans, z_life;
  std::size_t n = 60;
  small_data() : small_data(60) {}
  /// Simulated from the model (r, alpha, s, beta) = (0.8, 5, 0.7, 10) over ages 20 to 50.
  explicit small_data(std::size_t size) : n(size) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::gamma_distribution<double> lambda(0.8, 1.0 / 5.0), mu(0.7, 1.0 / 10.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double age = std::floor(20.0 + 30.0 * u(rng));
      const double life = std::min(-std::log(1.0 - u(rng)) / mu(rng), age);
      const double rate = lambda(rng);
      double t = 0.0, last = 0.0, count = 0.0;
      while (true) {
        t += -std::log(1.0 - u(rng)) / rate;
        if (t > life) break;
        last = t;
        count += 1.0;
      }
      x.push_back(count);
      t_x.push_back(last);
      T.push_back(age);
      z_trans.push_back(i % 2 == 0 ? 1.0 : 0.0);
      z_trans.push_back(u(rng) - 0.5);
      z_life.push_back(i % 3 == 0 ? 1.0 : 0.0);
    }
  }
};

}  // namespace

TEST_CASE("pareto_nbd_covariates: gradient matches central differences") {
  const small_data s;
  const auto d = pareto_nbd_covariates::group_customers(s.x.data(), s.t_x.data(), s.T.data(), nullptr,
                                                        s.n, s.z_trans.data(), 2, s.z_life.data(), 1,
                                                        1.0 / 50.0);
  CHECK(d.n_params() == 7);
  const std::vector<double> theta = {0.3, -0.5, -0.2, 0.4, 0.7, -0.4, 0.25};
  std::vector<double> grad(7);
  const double lt = 0.03, ll = 0.1;
  const double f0 = pareto_nbd_covariates::objective(theta.data(), d, lt, ll, grad.data());
  REQUIRE(std::isfinite(f0));
  for (std::size_t k = 0; k < 7; ++k) {
    std::vector<double> p = theta, m = theta;
    const double h = 1e-6;
    p[k] += h;
    m[k] -= h;
    const double numeric = (pareto_nbd_covariates::objective(p.data(), d, lt, ll, nullptr) -
                            pareto_nbd_covariates::objective(m.data(), d, lt, ll, nullptr)) /
                           (2.0 * h);
    CHECK(grad[k] == doctest::Approx(numeric).epsilon(1e-6));
  }
}

TEST_CASE("pareto_nbd_covariates: the objective is the mean of per-customer plain likelihoods") {
  const small_data s;
  const auto d = pareto_nbd_covariates::group_customers(s.x.data(), s.t_x.data(), s.T.data(), nullptr,
                                                        s.n, s.z_trans.data(), 2, s.z_life.data(), 1,
                                                        1.0);
  const std::vector<double> theta = {0.3, 2.5, -0.2, 3.0, 0.7, -0.4, 0.25};
  const pareto_nbd::params base{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]),
                                std::exp(theta[3])};
  double total = 0.0;
  for (std::size_t i = 0; i < s.n; ++i) {
    const auto p = pareto_nbd_covariates::customer_params(base, theta.data() + 4, &s.z_trans[2 * i], 2,
                                                          theta.data() + 6, &s.z_life[i], 1);
    total += pareto_nbd::log_likelihood(p, s.x[i], s.t_x[i], s.T[i]);
  }
  CHECK(pareto_nbd_covariates::objective(theta.data(), d, 0.0, 0.0, nullptr) ==
        doctest::Approx(-total / static_cast<double>(s.n)).epsilon(1e-12));
}

TEST_CASE("pareto_nbd_covariates: all-zero covariates give the plain Pareto/NBD fit") {
  const small_data s(2000);
  const std::vector<double> zeros(s.n, 0.0);
  const auto r = pareto_nbd_covariates::fit(s.x.data(), s.t_x.data(), s.T.data(), nullptr, s.n,
                                            zeros.data(), 1, zeros.data(), 1, 0.0, 0.0);
  const auto plain = fit<pareto_nbd::model>(s.x.data(), s.t_x.data(), s.T.data(), nullptr, s.n, 0.0);
  REQUIRE(r.converged);
  for (int k = 0; k < 4; ++k)
    CHECK(r.params[k] == doctest::Approx(plain.params[static_cast<std::size_t>(k)]).epsilon(1e-4));
  CHECK(r.log_likelihood == doctest::Approx(plain.log_likelihood).epsilon(1e-9));
}

TEST_CASE("pareto_nbd_covariates: invalid input throws naming the row") {
  small_data s;
  s.z_trans[5] = std::nan("");
  CHECK_THROWS_AS(pareto_nbd_covariates::group_customers(s.x.data(), s.t_x.data(), s.T.data(), nullptr,
                                                         s.n, s.z_trans.data(), 2, s.z_life.data(), 1,
                                                         1.0),
                  std::domain_error);
  small_data bad;
  bad.t_x[3] = bad.T[3] + 1.0;
  CHECK_THROWS_AS(pareto_nbd_covariates::fit(bad.x.data(), bad.t_x.data(), bad.T.data(), nullptr, bad.n,
                                             bad.z_trans.data(), 2, bad.z_life.data(), 1, 0.0, 0.0),
                  std::domain_error);
}

TEST_CASE("bgnbd_covariates: gradient matches central differences") {
  const small_data s;
  const auto d = bgnbd_covariates::group_customers(s.x.data(), s.t_x.data(), s.T.data(), nullptr, s.n,
                                                   s.z_trans.data(), 2, s.z_life.data(), 1, 1.0 / 50.0);
  const std::vector<double> theta = {0.3, -0.5, -0.2, 0.4, 0.7, -0.4, 0.25};
  std::vector<double> grad(7);
  const double lt = 0.03, ll = 0.1;
  const double f0 = bgnbd_covariates::objective(theta.data(), d, lt, ll, grad.data());
  REQUIRE(std::isfinite(f0));
  for (std::size_t k = 0; k < 7; ++k) {
    std::vector<double> p = theta, m = theta;
    const double h = 1e-6;
    p[k] += h;
    m[k] -= h;
    const double numeric = (bgnbd_covariates::objective(p.data(), d, lt, ll, nullptr) -
                            bgnbd_covariates::objective(m.data(), d, lt, ll, nullptr)) /
                           (2.0 * h);
    CHECK(grad[k] == doctest::Approx(numeric).epsilon(1e-6));
  }
}

TEST_CASE("bgnbd_covariates: the objective is the mean of per-customer plain likelihoods") {
  const small_data s;
  const auto d = bgnbd_covariates::group_customers(s.x.data(), s.t_x.data(), s.T.data(), nullptr, s.n,
                                                   s.z_trans.data(), 2, s.z_life.data(), 1, 1.0);
  const std::vector<double> theta = {0.3, 2.5, -0.2, 0.6, 0.7, -0.4, 0.25};
  const bgnbd::params base{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]),
                           std::exp(theta[3])};
  double total = 0.0;
  for (std::size_t i = 0; i < s.n; ++i) {
    const auto p = bgnbd_covariates::customer_params(base, theta.data() + 4, &s.z_trans[2 * i], 2,
                                                     theta.data() + 6, &s.z_life[i], 1);
    total += bgnbd::log_likelihood(p, s.x[i], s.t_x[i], s.T[i]);
  }
  CHECK(bgnbd_covariates::objective(theta.data(), d, 0.0, 0.0, nullptr) ==
        doctest::Approx(-total / static_cast<double>(s.n)).epsilon(1e-12));
}
