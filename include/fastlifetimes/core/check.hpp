#pragma once
/// Argument checks that throw std::domain_error with the name of what was wrong. The
/// Python layer checks data with row numbers before it reaches C++; these guard the C++
/// API itself, so a C++ caller gets the same promise: bad input throws, never crashes.

#include <cmath>
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

}  // namespace fastlifetimes::check
