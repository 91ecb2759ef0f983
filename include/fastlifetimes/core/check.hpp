#pragma once
/// Argument checks that throw std::domain_error with the name of what was wrong. The
/// Python layer checks data with row numbers before it reaches C++; these guard the C++
/// API itself, so a C++ caller gets the same promise: bad input throws, never crashes.

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

namespace fastlifetimes::check {

inline void positive_finite(const char* function, const char* name, double value) {
  if (!(std::isfinite(value) && value > 0.0)) {
    std::ostringstream out;
    out << function << ": " << name << " must be positive and finite, got " << value;
    throw std::domain_error(out.str());
  }
}

inline void non_negative_finite(const char* function, const char* name, double value) {
  if (!(std::isfinite(value) && value >= 0.0)) {
    std::ostringstream out;
    out << function << ": " << name << " must be non-negative and finite, got " << value;
    throw std::domain_error(out.str());
  }
}

inline void same_size(const char* function, const char* name, std::size_t size,
                      std::size_t expected) {
  if (size != expected) {
    std::ostringstream out;
    out << function << ": " << name << " has " << size << " elements, expected " << expected;
    throw std::domain_error(out.str());
  }
}

/// A customer history (x, t_x, T) is valid when x is a non-negative integer,
/// 0 <= t_x <= T, and t_x = 0 when x = 0.
inline void rfm_row(const char* function, std::size_t row, double x, double t_x, double T) {
  const bool ok = std::isfinite(x) && std::isfinite(t_x) && std::isfinite(T) && x >= 0.0 &&
                  x == std::floor(x) && t_x >= 0.0 && t_x <= T && (x > 0.0 || t_x == 0.0);
  if (!ok) {
    std::ostringstream out;
    out << function << ": invalid customer history at row " << row << " (frequency=" << x
        << ", recency=" << t_x << ", T=" << T << ")";
    throw std::domain_error(out.str());
  }
}

/// Whether a finite x >= 0 is a whole number. Doubles from 2^52 up are all whole; below,
/// a round trip through an integer decides, which (unlike std::floor on the baseline x86-64
/// instruction set) compiles to two instructions.
inline bool is_whole(double x) {
  return x >= 4503599627370496.0 || x == static_cast<double>(static_cast<std::int64_t>(x));
}

/// A history to predict for: as `rfm_row`, but t_x may be non-zero where x = 0
/// (predictions ignore t_x then, and P(alive) matrices evaluate such grid points).
/// Comparisons are false for NaN, so they also reject NaN; T < inf rejects infinities.
inline bool valid_prediction_row(double x, double t_x, double T) {
  return x >= 0.0 && x < std::numeric_limits<double>::infinity() && t_x >= 0.0 && t_x <= T &&
         T < std::numeric_limits<double>::infinity() &&
         is_whole(x);
}

inline void prediction_row(const char* function, std::size_t row, double x, double t_x, double T) {
  if (!valid_prediction_row(x, t_x, T)) {
    std::ostringstream out;
    out << function << ": invalid customer history at row " << row << " (frequency=" << x
        << ", recency=" << t_x << ", T=" << T << ")";
    throw std::domain_error(out.str());
  }
}

/// `prediction_row` for n histories starting at x, t_x, T (row numbers counted from
/// `first_row`). Vectorised reductions recognise a valid block (a row-by-row check costs
/// as much as a prediction; Eigen evaluates boolean .all() one element at a time): a NaN
/// or inf anywhere makes the sum non-finite, and a false alarm (a sum overflowing) only
/// sends the block to the per-row check, which names the first bad row.
inline void prediction_rows(const char* function, const double* x, const double* t_x,
                            const double* T, std::size_t n, std::size_t first_row) {
  const auto m = static_cast<Eigen::Index>(n);
  const Eigen::Map<const Eigen::ArrayXd> xs(x, m), txs(t_x, m), Ts(T, m);
  const bool valid = std::isfinite((xs + txs + Ts).sum()) && xs.minCoeff() >= 0.0 &&
                     txs.minCoeff() >= 0.0 && (Ts - txs).minCoeff() >= 0.0 &&
                     (xs - xs.floor()).abs().maxCoeff() == 0.0;
  if (!valid)
    for (std::size_t i = 0; i < n; ++i) prediction_row(function, first_row + i, x[i], t_x[i], T[i]);
}

inline void horizon(const char* function, std::size_t row, double t) {
  if (!(std::isfinite(t) && t >= 0.0)) {
    std::ostringstream out;
    out << function << ": t must be non-negative and finite, got " << t << " at row " << row;
    throw std::domain_error(out.str());
  }
}

}  // namespace fastlifetimes::check
