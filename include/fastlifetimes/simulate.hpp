#pragma once
/// Simulated customer bases for the BTYD models, as lifetimes' generate_data module draws
/// them (same per-customer process, including its conventions, listed at each function),
/// with a seed. Every customer draws from its own random stream, derived from the seed
/// and the customer's position, so results do not depend on the number of threads.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "fastlifetimes/core/parallel.hpp"

namespace fastlifetimes::simulate {

namespace detail {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace detail

/// xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
/// 2021), seeded through splitmix64 as its authors recommend; the distributions are
/// written here rather than taken from <random>, whose algorithms differ between
/// standard libraries, so that a seed gives the same data everywhere.
class random_stream {
 public:
  /// The stream of customer `index` under `seed`.
  random_stream(std::uint64_t seed, std::uint64_t index) {
    std::uint64_t state = seed ^ (0xd1b54a32d192ed03ULL * (index + 1));
    for (auto& s : s_) s = detail::splitmix64(state);
  }

  std::uint64_t next() {
    const std::uint64_t result = detail::rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = detail::rotl(s_[3], 45);
    return result;
  }

  /// Uniform on (0, 1), never 0 or 1, so that its logarithm is finite.
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

  /// Exponential with mean 1.
  double exponential() { return -std::log(uniform()); }

  /// Standard normal, Marsaglia's polar method.
  double normal() {
    for (;;) {
      const double u = 2.0 * uniform() - 1.0, v = 2.0 * uniform() - 1.0;
      const double s = u * u + v * v;
      if (s < 1.0 && s > 0.0) return u * std::sqrt(-2.0 * std::log(s) / s);
    }
  }

  /// log of a Gamma(shape, 1) draw: Marsaglia & Tsang (2000), "A simple method for
  /// generating gamma variables", with their U^(1/shape) boost for shape < 1. In logs,
  /// because for small shapes the draw itself underflows (and Beta draws built from two of
  /// them would be 0/0).
  double log_gamma(double shape) {
    if (shape < 1.0) return log_gamma(shape + 1.0) + std::log(uniform()) / shape;
    const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      const double x = normal();
      const double v = 1.0 + c * x;
      if (v <= 0.0) continue;
      const double v3 = v * v * v;
      if (std::log(uniform()) < 0.5 * x * x + d - d * v3 + d * std::log(v3))
        return std::log(d) + std::log(v3);
    }
  }

  /// Gamma with the given shape and scale.
  double gamma(double shape, double scale) { return std::exp(log_gamma(shape)) * scale; }

  /// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), from their logarithms.
  double beta(double a, double b) {
    const double lx = log_gamma(a), ly = log_gamma(b);
    return 1.0 / (1.0 + std::exp(ly - lx));
  }

 private:
  std::uint64_t s_[4]{};
};

namespace detail {

inline void check_positive(const char* function, const char* name, double value) {
  if (!(value > 0.0 && value < std::numeric_limits<double>::infinity()))
    throw std::domain_error(std::string(function) + ": " + name +
                            " must be positive and finite, got " + std::to_string(value));
}

inline void check_horizon(const char* function, const char* name, const double* T, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!(T[i] >= 0.0 && T[i] < std::numeric_limits<double>::infinity()))
      throw std::domain_error(std::string(function) + ": " + name +
                              " must be non-negative and finite (row " + std::to_string(i) + ")");
}

/// Purchase times t_1 < t_2 < ... in (0, T) of a customer with rate lambda who, after
/// each purchase, stays with probability 1 - p, and who (with `modified`) may also leave
/// before the first one. `visit(t)` is called for each purchase; returns whether the
/// customer is still alive at T.
template <class Visit>
bool bgnbd_purchases(random_stream& g, double T, double lambda, double p, bool modified,
                     Visit visit) {
  double t = 0.0;
  double next = g.exponential() / lambda;
  bool alive = modified ? g.uniform() > p : true;
  while (alive && t + next < T) {
    t += next;
    visit(t);
    next = g.exponential() / lambda;
    alive = g.uniform() > p;
  }
  return alive;
}

/// lifetimes counts repeat purchases as the distinct whole parts of their times (two in
/// the same time unit count once) and reports the last purchase time unrounded.
struct purchase_counter {
  double frequency = 0.0, recency = 0.0, last_unit = -1.0;
  void operator()(double t) {
    const double unit = std::floor(t);
    if (unit != last_unit) {
      frequency += 1.0;
      last_unit = unit;
    }
    recency = t;
  }
};

}  // namespace detail

/// Customers of the BG/NBD model (Fader, Hardie & Lee 2005) observed for T[i] time units
/// after their first purchase: lambda ~ Gamma(r, 1/alpha), p ~ Beta(a, b); after each
/// repeat purchase the customer leaves with probability p. With `modified`, the MBG/NBD
/// of Batislam, Denizel & Filiztekin (2007): the customer may also leave right after the
/// first purchase. As in lifetimes, frequency counts the distinct whole time units of the
/// repeat purchases and recency is the last purchase time. Outputs have n entries each;
/// alive is 1 or 0.
inline void bgnbd_customers(const double* T, std::size_t n, double r, double alpha, double a,
                            double b, std::uint64_t seed, bool modified, double* frequency,
                            double* recency, double* lambda, double* p, double* alive) {
  const char* name = modified ? "modified_beta_geometric_nbd_model" : "beta_geometric_nbd_model";
  detail::check_positive(name, "r", r);
  detail::check_positive(name, "alpha", alpha);
  detail::check_positive(name, "a", a);
  detail::check_positive(name, "b", b);
  detail::check_horizon(name, "T", T, n);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      random_stream g(seed, i);
      // the same order of draws in every customer: p, then lambda
      p[i] = g.beta(a, b);
      lambda[i] = g.gamma(r, 1.0 / alpha);
      detail::purchase_counter count;
      const bool still_alive = detail::bgnbd_purchases(g, T[i], lambda[i], p[i], modified,
                                                       [&](double t) { count(t); });
      alive[i] = still_alive ? 1.0 : 0.0;
      frequency[i] = count.frequency;
      recency[i] = count.recency;
    }
  }, 20'000);
}

/// Customers of the Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): purchases at
/// rate lambda ~ Gamma(r, 1/alpha) until an exponential lifetime with rate
/// mu ~ Gamma(s, 1/beta); observed for T[i]. frequency and recency as in bgnbd_customers;
/// alive = lifetime > T.
inline void pareto_nbd_customers(const double* T, std::size_t n, double r, double alpha,
                                 double s, double beta, std::uint64_t seed, double* frequency,
                                 double* recency, double* lambda, double* mu, double* alive) {
  const char* name = "pareto_nbd_model";
  detail::check_positive(name, "r", r);
  detail::check_positive(name, "alpha", alpha);
  detail::check_positive(name, "s", s);
  detail::check_positive(name, "beta", beta);
  detail::check_horizon(name, "T", T, n);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      random_stream g(seed, i);
      lambda[i] = g.gamma(r, 1.0 / alpha);
      mu[i] = g.gamma(s, 1.0 / beta);
      const double death = g.exponential() / mu[i];
      const double horizon = std::min(death, T[i]);
      detail::purchase_counter count;
      double t = 0.0;
      for (double next = g.exponential() / lambda[i]; t + next < horizon;
           next = g.exponential() / lambda[i]) {
        t += next;
        count(t);
      }
      frequency[i] = count.frequency;
      recency[i] = count.recency;
      alive[i] = death > T[i] ? 1.0 : 0.0;
    }
  }, 20'000);
}

/// Customers of the BG/BB model (Fader, Hardie & Shang 2010) over N[i] transaction
/// opportunities: purchase probability p ~ Beta(alpha, beta), dropout probability
/// theta ~ Beta(gamma, delta). At each opportunity the customer first survives with
/// probability 1 - theta and, if alive, buys with probability p; after the last
/// opportunity there is one more survival draw (lifetimes' convention). recency is the
/// opportunity of the last purchase counted from 1, 0 without purchases.
inline void bgbb_customers(const double* N, std::size_t n, double alpha, double beta, double gamma,
                           double delta, std::uint64_t seed, double* frequency, double* recency,
                           double* p, double* theta, double* alive) {
  const char* name = "beta_geometric_beta_binom_model";
  detail::check_positive(name, "alpha", alpha);
  detail::check_positive(name, "beta", beta);
  detail::check_positive(name, "gamma", gamma);
  detail::check_positive(name, "delta", delta);
  detail::check_horizon(name, "N", N, n);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      random_stream g(seed, i);
      p[i] = g.beta(alpha, beta);
      theta[i] = g.beta(gamma, delta);
      bool is_alive = true;
      double count = 0.0, last = -1.0, t = 0.0;
      for (; t < N[i] && is_alive; t += 1.0) {
        is_alive = !(g.uniform() < theta[i]);
        if (is_alive && g.uniform() < p[i]) {
          count += 1.0;
          last = t;
        }
      }
      if (is_alive) is_alive = !(g.uniform() < theta[i]);
      frequency[i] = count;
      recency[i] = count > 0.0 ? last + 1.0 : 0.0;
      alive[i] = is_alive ? 1.0 : 0.0;
    }
  }, 20'000);
}

/// The transaction log of BG/NBD customers, in lifetimes' layout: customer i's first
/// purchase at offset -1 time units from its start s_i (lifetimes puts s_i at T[i] - 1
/// units before the end of observation), then its repeat purchases at offsets in (0, T[i])
/// from s_i. Returns (customer index, offset) rows, customers in order, each in time
/// order. Draws per customer as bgnbd_customers (same seed, same p and lambda).
struct transaction_log {
  std::vector<std::int64_t> customer;
  std::vector<double> offset;
};

inline transaction_log bgnbd_transactions(const double* T, std::size_t n, double r, double alpha,
                                          double a, double b, std::uint64_t seed) {
  const char* name = "beta_geometric_nbd_model_transactional_data";
  detail::check_positive(name, "r", r);
  detail::check_positive(name, "alpha", alpha);
  detail::check_positive(name, "a", a);
  detail::check_positive(name, "b", b);
  detail::check_horizon(name, "T", T, n);
  // lifetimes measures each repeat purchase from s_i and keeps it while its offset is
  // below T[i]: the same stopping rule as bgnbd_purchases with the clock starting at s_i
  auto simulate = [&](std::size_t i, auto&& visit) {
    random_stream g(seed, i);
    const double p = g.beta(a, b);
    const double lambda = g.gamma(r, 1.0 / alpha);
    detail::bgnbd_purchases(g, T[i], lambda, p, false, visit);
  };
  // Two passes over the same streams: count each customer's rows, then write them at
  // their final place, so threads never append to a shared log.
  std::vector<std::size_t> start(n + 1, 0);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      std::size_t rows = 1;
      simulate(i, [&](double) { ++rows; });
      start[i + 1] = rows;
    }
  }, 20'000);
  for (std::size_t i = 0; i < n; ++i) start[i + 1] += start[i];
  transaction_log log;
  log.customer.resize(start[n]);
  log.offset.resize(start[n]);
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      std::size_t k = start[i];
      log.customer[k] = static_cast<std::int64_t>(i);
      log.offset[k++] = -1.0;
      simulate(i, [&](double t) {
        log.customer[k] = static_cast<std::int64_t>(i);
        log.offset[k++] = t;
      });
    }
  }, 20'000);
  return log;
}

}  // namespace fastlifetimes::simulate
