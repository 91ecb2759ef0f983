#include "common.hpp"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace fastlifetimes::python {

namespace {

// The mixing densities are infinite at a pole (x = 0 for shapes below 1: CDNOW's r is 0.24).
// Plots want +inf there, as scipy gives; Boost's default policy throws instead.
using infinite_at_pole = boost::math::policies::policy<
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>>;

void check_positive(const char* function, const char* name, double value) {
  if (!(std::isfinite(value) && value > 0))
    throw std::domain_error(std::string(function) + ": " + name +
                            " must be a positive finite number, got " + std::to_string(value));
}

using gamma_type = boost::math::gamma_distribution<double, infinite_at_pole>;
using beta_type = boost::math::beta_distribution<double, infinite_at_pole>;

gamma_type gamma_of(const char* function, double shape, double rate) {
  check_positive(function, "shape", shape);
  check_positive(function, "rate", rate);
  return gamma_type(shape, 1.0 / rate);
}

beta_type beta_of(const char* function, double a, double b) {
  check_positive(function, "a", a);
  check_positive(function, "b", b);
  return beta_type(a, b);
}

template <class Distribution>
double quantile_at(const char* function, const Distribution& d, double p) {
  if (!(p >= 0 && p <= 1))
    throw std::domain_error(std::string(function) + ": probability must be in [0, 1], got " +
                            std::to_string(p));
  return boost::math::quantile(d, p);
}

template <class Distribution>
py::array_t<double> density_at(const Distribution& d, const double_array& x) {
  const std::size_t n = length_of(x);
  auto out = new_array(n);
  double* y = out.mutable_data();
  const double* v = x.data();
  const auto [low, high] = boost::math::range(d);
  for (std::size_t i = 0; i < n; ++i) {
    // outside the support the density is 0 (scipy's convention), where Boost throws
    const bool outside = (v[i] < low) || (v[i] > high);
    y[i] = std::isnan(v[i]) ? v[i] : outside ? 0.0 : boost::math::pdf(d, v[i]);
  }
  return out;
}

}  // namespace

void register_distributions(py::module_& m) {
  m.def(
      "gamma_quantile",
      [](double p, double shape, double rate) {
        return quantile_at("gamma_quantile", gamma_of("gamma_quantile", shape, rate), p);
      },
      py::arg("p"), py::arg("shape"), py::arg("rate"),
      "The p-quantile of Gamma(shape, rate) (rate: 1 / scale).");
  m.def(
      "gamma_density",
      [](const double_array& x, double shape, double rate) {
        auto density = density_at(gamma_of("gamma_density", shape, rate), x);
        // Boost gives 0 at x = 0 for every shape; the density's limit there is +inf below
        // shape 1 and the rate at shape 1
        if (shape <= 1) {
          const double at_zero = shape < 1 ? std::numeric_limits<double>::infinity() : rate;
          double* y = density.mutable_data();
          const double* v = x.data();
          for (std::size_t i = 0; i < length_of(x); ++i)
            if (v[i] == 0) y[i] = at_zero;
        }
        return density;
      },
      py::arg("x"), py::arg("shape"), py::arg("rate"),
      "The density of Gamma(shape, rate) at each x (+inf at 0 when shape < 1).");
  m.def(
      "beta_quantile",
      [](double p, double a, double b) {
        return quantile_at("beta_quantile", beta_of("beta_quantile", a, b), p);
      },
      py::arg("p"), py::arg("a"), py::arg("b"), "The p-quantile of Beta(a, b).");
  m.def(
      "beta_density",
      [](const double_array& x, double a, double b) {
        return density_at(beta_of("beta_density", a, b), x);
      },
      py::arg("x"), py::arg("a"), py::arg("b"),
      "The density of Beta(a, b) at each x (+inf at 0 when a < 1, at 1 when b < 1).");
}

}  // namespace fastlifetimes::python
