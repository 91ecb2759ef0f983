#pragma once
// Included first by every binding file, so that all of them see the same pybind11
// configuration and helpers.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace fastlifetimes::python {

namespace py = pybind11;

/// A read-only, contiguous float64 view of what Python passed (no copy when it already is).
using double_array = py::array_t<double, py::array::c_style | py::array::forcecast>;
using int64_array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

inline std::size_t length_of(const double_array& a) { return static_cast<std::size_t>(a.size()); }

inline void require_same_length(const char* function, std::size_t expected,
                                std::initializer_list<std::pair<const char*, std::size_t>> arrays) {
  for (const auto& [name, size] : arrays)
    if (size != expected)
      throw std::invalid_argument(std::string(function) + ": " + name + " has " +
                                  std::to_string(size) + " elements, expected " +
                                  std::to_string(expected));
}

/// A new float64 numpy array of length n, to be filled without the GIL.
inline py::array_t<double> new_array(std::size_t n) {
  return py::array_t<double>(static_cast<py::ssize_t>(n));
}

void register_summary(py::module_& m);
void register_bgnbd(py::module_& m);
void register_gamma_gamma(py::module_& m);
void register_simulate(py::module_& m);
void register_mbgnbd(py::module_& m);
void register_bgbb(py::module_& m);
void register_pareto_nbd(py::module_& m);
void register_distributions(py::module_& m);
void register_evaluation(py::module_& m);
void register_sbg(py::module_& m);
void register_ggompertz_nbd(py::module_& m);
void register_cnbdk(py::module_& m);
void register_pareto_nbd_covariates(py::module_& m);
void register_predictions(py::module_& m);

}  // namespace fastlifetimes::python
