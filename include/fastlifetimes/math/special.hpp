#pragma once
/// Special functions the BTYD models need and Boost.Math does not provide (the Gauss
/// hypergeometric function 2F1), plus small numerically careful helpers.

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <math.h>

#include <cmath>
#include <limits>
#include <utility>
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

namespace detail {

/// Stirling's correction: lnGamma(x) - [(x - 1/2) ln x - x + ln(2 pi)/2] for x >= 10,
/// accurate to about 1e-16 with these six terms.
inline double stirling_correction(double x) {
  const double u = 1.0 / (x * x);
  return (1.0 / 12.0 -
          u * (1.0 / 360.0 -
               u * (1.0 / 1260.0 - u * (1.0 / 1680.0 - u * (1.0 / 1188.0 - u * 691.0 / 360360.0))))) /
         x;
}

}  // namespace detail

/// log B(a, b) for a, b > 0. For small arguments the difference of log-gammas is exact
/// enough; when one argument is large, lnGamma(b) - lnGamma(a+b) cancels most of its
/// digits, so it is taken from Stirling's series in the form
/// -(a+b-1/2) log1p(a/b) - a ln b + a + corrections, which keeps them.
inline double lbeta(double a, double b) {
  if (a > b) std::swap(a, b);
  if (b < 10.0) return log_gamma(a) + log_gamma(b) - log_gamma(a + b);
  const double ratio_term = -(a + b - 0.5) * std::log1p(a / b) - a * std::log(b) + a +
                            detail::stirling_correction(b) - detail::stirling_correction(a + b);
  if (a < 10.0) return log_gamma(a) + ratio_term;
  // both large: lnGamma(a) by Stirling too, so the (a - 1/2) ln a terms stay explicit
  return 0.5 * std::log(2.0 * M_PI) + (a - 0.5) * std::log(a) - a +
         detail::stirling_correction(a) + ratio_term;
}

/// digamma psi(x) for x > 0 (Boost.Math).
inline double digamma(double x) { return boost::math::digamma(x); }

/// The regularised incomplete beta I_x(a, b), evaluated in double precision: Boost's
/// default policy promotes to long double, five times slower here for a result rounded
/// back to double (the two agree to ~1e-15 relative).
inline double ibeta(double a, double b, double x) {
  using in_double = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
  return boost::math::ibeta(a, b, x, in_double());
}

namespace detail {

/// A partial sum and its condition: sum |terms| / |sum| (1 when no term cancels another).
struct series_sum {
  double value;
  double condition;
};

/// Power series of 2F1 about z = 0, for |z| < 1. Stops once a term no longer changes the
/// sum and the terms have started to shrink (the series may grow before it decays). The
/// sum is compensated (Neumaier), since near z = 1 it runs to millions of terms.
/// `max_terms` bounds the work; reaching it yields NaN.
inline series_sum hyp2f1_series(double a, double b, double c, double z,
                                long max_terms = 20'000'000) {
  constexpr double eps = std::numeric_limits<double>::epsilon() * 0.5;
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double term = 1.0, sum = 1.0, compensation = 0.0, magnitude = 1.0;
  for (long k = 0; k < max_terms; ++k) {
    const double kd = static_cast<double>(k);
    const double ratio = (a + kd) * (b + kd) / ((c + kd) * (kd + 1.0)) * z;
    term *= ratio;
    if (!std::isfinite(term)) return {nan, nan};
    const double next = sum + term;
    compensation += std::abs(sum) >= std::abs(term) ? (sum - next) + term : (term - next) + sum;
    sum = next;
    magnitude += std::abs(term);
    if (term == 0.0) break;  // terminating series: a or b a non-positive integer
    if (std::abs(term) <= eps * std::abs(sum) && std::abs(ratio) < 1.0) break;
    if (k + 1 == max_terms) return {nan, nan};
  }
  const double value = sum + compensation;
  return {value, magnitude / std::abs(value)};
}

inline double hyp2f1_power_series(double a, double b, double c, double z) {
  return hyp2f1_series(a, b, c, z).value;
}

/// log|Gamma(x)| and its sign, for any real x that is not a non-positive integer.
inline double log_abs_gamma(double x, int& sign) {
#if defined(__GLIBC__)
  return ::lgamma_r(x, &sign);
#else
  sign = (x > 0.0 || static_cast<long>(std::floor(x)) % 2 == 0) ? 1 : -1;
  return std::lgamma(x);
#endif
}

/// Abramowitz & Stegun 15.3.6: 2F1 near z = 1 as two series in 1 - z, for
/// m = c - a - b away from an integer (where the two terms would cancel). NaN when a
/// gamma function is infinite or the terms cancel, so the caller falls back.
inline double hyp2f1_near_one(double a, double b, double c, double one_minus_z) {
  const double m = c - a - b;
  if (std::abs(m - std::round(m)) < 0.05) return std::numeric_limits<double>::quiet_NaN();
  // log-gammas of large arguments carry absolute errors of ~1e-16 * their size into the
  // prefactors; beyond this the power series (which then converges fast) is better
  if (std::max({std::abs(a), std::abs(b), std::abs(c)}) > 60.0)
    return std::numeric_limits<double>::quiet_NaN();
  for (double g : {c - a, c - b, a, b, c})
    if (g <= 0.0 && g == std::floor(g)) return std::numeric_limits<double>::quiet_NaN();
  int s1, s2, s3, s4, s5, s6, s7;
  const double log_c = log_abs_gamma(c, s1);
  const double first = log_c + log_abs_gamma(m, s2) - log_abs_gamma(c - a, s3) - log_abs_gamma(c - b, s4);
  const double second = log_c + log_abs_gamma(-m, s5) - log_abs_gamma(a, s6) - log_abs_gamma(b, s7) +
                        m * std::log(one_minus_z);
  const double w = one_minus_z;
  const double t1 = s1 * s2 * s3 * s4 * std::exp(first) * hyp2f1_power_series(a, b, 1.0 - m, w);
  const double t2 =
      s1 * s5 * s6 * s7 * std::exp(second) * hyp2f1_power_series(c - a, c - b, m + 1.0, w);
  const double value = t1 + t2;
  if (!std::isfinite(value) || std::abs(value) < 1e-3 * std::max(std::abs(t1), std::abs(t2)))
    return std::numeric_limits<double>::quiet_NaN();
  return value;
}

/// Whether the series of 2F1(a, b; c; z >= 0) has terms of one sign (a zero upper
/// parameter ends it after one term, exactly).
inline bool all_positive(double a, double b, double c) { return a >= 0.0 && b >= 0.0 && c > 0.0; }

/// 2F1 for 0 <= z < 1: the direct series or Euler's form
/// (1-z)^(c-a-b) 2F1(c-a, c-b; c; z), whose tail decays like k^(c-a-b-1) z^k rather than
/// k^(a+b-c-1) z^k. The faster one is summed first; if its terms cancel (condition above
/// 1e3) the other is tried and the better conditioned kept. Close to 1, the 1 - z
/// expansion when it applies.
inline double hyp2f1_nonnegative_z(double a, double b, double c, double z, double one_minus_z) {
  const double excess = c - a - b;
  if (z > 0.9) {
    const double near = hyp2f1_near_one(a, b, c, one_minus_z);
    if (std::isfinite(near)) return near;
  }
  auto direct = [&] { return hyp2f1_series(a, b, c, z); };
  auto euler = [&] {
    series_sum s = hyp2f1_series(c - a, c - b, c, z);
    s.value *= std::exp(excess * std::log(one_minus_z));
    return s;
  };
  const bool direct_positive = all_positive(a, b, c);
  const bool euler_positive = all_positive(c - a, c - b, c);
  const bool euler_first = euler_positive && (!direct_positive || excess < 0.0);
  const series_sum first = euler_first ? euler() : direct();
  if (first.condition <= 1e3) return first.value;
  const series_sum second = euler_first ? direct() : euler();
  // NaN conditions (an overflowing series) compare false: keep whichever is finite
  return second.condition < first.condition || std::isnan(first.condition) ? second.value
                                                                          : first.value;
}

}  // namespace detail

namespace detail {
inline double hyp2f1_real(double a, double b, double c, double z);
}

/// log 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1, where every term of the series is
/// positive: the terms are summed relative to a running scale, so values far beyond the
/// range of a double (2F1 grows like (1-z)^(c-a-b) for large a) keep full precision.
/// Throws std::domain_error outside that domain or when the series does not converge.
inline double log_hyp2f1_positive(double a, double b, double c, double z) {
  if (!(a > 0.0 && b > 0.0 && c > 0.0 && z >= 0.0 && z < 1.0))
    throw std::domain_error("log_hyp2f1_positive: needs a, b, c > 0 and 0 <= z < 1");
  constexpr double eps = std::numeric_limits<double>::epsilon() * 0.5;
  constexpr double big = 1e250, log_big = 575.6462732485114;  // log(1e250)
  double log_scale = 0.0, term = 1.0, sum = 1.0;
  for (long k = 0; k < 20'000'000; ++k) {
    const double kd = static_cast<double>(k);
    const double ratio = (a + kd) * (b + kd) / ((c + kd) * (kd + 1.0)) * z;
    term *= ratio;
    sum += term;
    if (sum > big) {  // rescale both so neither overflows
      sum /= big;
      term /= big;
      log_scale += log_big;
    }
    if (term <= eps * sum && ratio < 1.0) return log_scale + std::log(sum);
  }
  throw std::domain_error("log_hyp2f1_positive: no convergence (z too close to 1)");
}

/// Gauss hypergeometric function 2F1(a, b; c; z) for real z < 1.
///
/// Negative z are mapped into (0, 1) with Pfaff's transformation
/// 2F1(a, b; c; z) = (1-z)^(-a) 2F1(a, c-b; c; z/(z-1)), on whichever upper parameter
/// leaves a series of terms of one sign (an alternating series cancels); 0 <= z < 1 is
/// summed directly, after Euler's transformation, or from the 1 - z expansion.
/// Throws std::domain_error for z >= 1, non-finite arguments, or c a non-positive integer.
inline double hyp2f1(double a, double b, double c, double z) {
  if (!(std::isfinite(a) && std::isfinite(b) && std::isfinite(c) && std::isfinite(z)))
    throw std::domain_error("hyp2f1: arguments must be finite");
  if (!(z < 1.0))
    throw std::domain_error("hyp2f1: z must be below 1, got " + std::to_string(z));
  if (c <= 0.0 && c == std::floor(c))
    throw std::domain_error("hyp2f1: c must not be a non-positive integer");
  if (z == 0.0 || a == 0.0 || b == 0.0) return 1.0;
  const double value = detail::hyp2f1_real(a, b, c, z);
  if (std::isnan(value))
    throw std::domain_error(
        "hyp2f1: no convergence: z = " + std::to_string(z) +
        " is too close to 1 for the power series, and c - a - b is an integer or the "
        "parameters are too large for the 1 - z expansion");
  return value;
}

namespace detail {

inline double hyp2f1_real(double a, double b, double c, double z) {
  if (z > 0.0) return detail::hyp2f1_nonnegative_z(a, b, c, z, 1.0 - z);
  const double w = z / (z - 1.0);
  const double one_minus_w = 1.0 / (1.0 - z);  // exact to rounding, unlike 1 - w near 1
  const double log_one_minus_z = std::log1p(-z);
  auto pfaff_on_a = [&] {
    return std::exp(-a * log_one_minus_z) * detail::hyp2f1_nonnegative_z(a, c - b, c, w, one_minus_w);
  };
  auto pfaff_on_b = [&] {
    return std::exp(-b * log_one_minus_z) * detail::hyp2f1_nonnegative_z(b, c - a, c, w, one_minus_w);
  };
  const bool a_positive = detail::all_positive(a, c - b, c);
  const bool b_positive = detail::all_positive(b, c - a, c);
  if (a_positive != b_positive) return a_positive ? pfaff_on_a() : pfaff_on_b();
  // both (or neither) keep one sign: the smaller prefactor exponent loses less to rounding
  return std::abs(a) <= std::abs(b) ? pfaff_on_a() : pfaff_on_b();
}

}  // namespace detail

}  // namespace fastlifetimes::math
