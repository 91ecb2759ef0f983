#pragma once
/// Special functions the BTYD models need and Boost.Math does not provide (the Gauss
/// hypergeometric function 2F1), plus small numerically careful helpers.

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <math.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace fastlifetimes::math {

/// log(1 + exp(x)) without overflow for large x or loss of precision for very negative x.
inline double log1pexp(double x) {
  if (x > 35.0) return x + std::exp(-x);  // exp(-x) is below half an ulp of x beyond here
  if (x > -35.0) return std::log1p(std::exp(x));
  return std::exp(x);
}

/// log(exp(x) + exp(y)); either argument may be -inf.
inline double log_sum_exp(double x, double y) {
  const double hi = x > y ? x : y;
  const double lo = x > y ? y : x;
  if (hi == -std::numeric_limits<double>::infinity()) return hi;
  return hi + std::log1p(std::exp(lo - hi));
}

/// log |Gamma(x)|. glibc's std::lgamma writes the global `signgam`, a data race when
/// models run on several threads; lgamma_r keeps the sign local.
inline double log_gamma(double x) {
#if defined(__GLIBC__)
  int sign = 0;
  return ::lgamma_r(x, &sign);
#else
  return boost::math::lgamma(x);
#endif
}

/// log B(a, b) for a, b > 0, as the difference of log-gammas (the form lifetimes uses,
/// so that likelihoods agree with it to rounding).
inline double lbeta(double a, double b) { return log_gamma(a) + log_gamma(b) - log_gamma(a + b); }

/// digamma psi(x) for x > 0 (Boost.Math).
inline double digamma(double x) { return boost::math::digamma(x); }

namespace detail {

/// Power series of 2F1 about z = 0, for 0 <= z < 1. Stops once a term no longer changes
/// the sum and the terms have started to shrink (the series may grow before it decays).
/// `max_terms` bounds the work for z very close to 1; reaching it yields NaN.
inline double hyp2f1_power_series(double a, double b, double c, double z,
                                  long max_terms = 50'000'000) {
  constexpr double eps = std::numeric_limits<double>::epsilon() * 0.5;
  double term = 1.0;
  double sum = 1.0;
  for (long k = 0; k < max_terms; ++k) {
    const double kd = static_cast<double>(k);
    const double ratio = (a + kd) * (b + kd) / ((c + kd) * (kd + 1.0)) * z;
    term *= ratio;
    sum += term;
    if (term == 0.0) return sum;  // terminating series: a or b a non-positive integer
    if (std::abs(term) <= eps * std::abs(sum) && std::abs(ratio) < 1.0) return sum;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

/// 2F1 for 0 <= z < 1 with non-negative z only. Of the direct series and Euler's form
/// (1-z)^(c-a-b) 2F1(c-a, c-b; c; z), sum the one whose terms decay faster: their tails
/// behave like k^(a+b-c-1) z^k and k^(c-a-b-1) z^k respectively.
inline double hyp2f1_nonnegative_z(double a, double b, double c, double z) {
  const double excess = c - a - b;
  if (excess >= 0.0) return hyp2f1_power_series(a, b, c, z);
  return std::exp(excess * std::log1p(-z)) * hyp2f1_power_series(c - a, c - b, c, z);
}

}  // namespace detail

/// Gauss hypergeometric function 2F1(a, b; c; z) for real z < 1.
///
/// Negative z are mapped into (0, 1) with Pfaff's transformation
/// 2F1(a, b; c; z) = (1-z)^(-a) 2F1(a, c-b; c; z/(z-1)), which turns an alternating
/// (cancelling) series into one of constant sign when the parameters are positive; the
/// remaining 0 <= z < 1 are summed directly or after Euler's transformation.
/// Throws std::domain_error for z >= 1, non-finite arguments, or c a non-positive integer.
inline double hyp2f1(double a, double b, double c, double z) {
  if (!(std::isfinite(a) && std::isfinite(b) && std::isfinite(c) && std::isfinite(z)))
    throw std::domain_error("hyp2f1: arguments must be finite");
  if (!(z < 1.0))
    throw std::domain_error("hyp2f1: z must be below 1, got " + std::to_string(z));
  if (c <= 0.0 && c == std::floor(c))
    throw std::domain_error("hyp2f1: c must not be a non-positive integer");
  if (z == 0.0 || a == 0.0 || b == 0.0) return 1.0;
  if (z > 0.0) return detail::hyp2f1_nonnegative_z(a, b, c, z);
  const double w = z / (z - 1.0);
  const double log_one_minus_z = std::log1p(-z);
  // Transform on whichever upper parameter leaves the smaller prefactor exponent.
  if (std::abs(a) <= std::abs(b))
    return std::exp(-a * log_one_minus_z) * detail::hyp2f1_nonnegative_z(a, c - b, c, w);
  return std::exp(-b * log_one_minus_z) * detail::hyp2f1_nonnegative_z(b, c - a, c, w);
}

}  // namespace fastlifetimes::math
