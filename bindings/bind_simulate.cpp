#include "common.hpp"

#include <fastlifetimes/simulate.hpp>

#include <array>

namespace fastlifetimes::python {

namespace {

/// Five columns of n simulated customers, filled without the GIL.
template <class Simulate>
py::tuple five_columns(std::size_t n, Simulate simulate) {
  std::array<py::array_t<double>, 5> columns{new_array(n), new_array(n), new_array(n),
                                             new_array(n), new_array(n)};
  std::array<double*, 5> data{};
  for (std::size_t k = 0; k < 5; ++k) data[k] = columns[k].mutable_data();
  {
    py::gil_scoped_release release;
    simulate(data);
  }
  return py::make_tuple(columns[0], columns[1], columns[2], columns[3], columns[4]);
}

}  // namespace

void register_simulate(py::module_& m) {
  m.def(
      "simulate_bgnbd",
      [](const double_array& T, double r, double alpha, double a, double b, std::uint64_t seed,
         bool modified) {
        const std::size_t n = length_of(T);
        return five_columns(n, [&](const std::array<double*, 5>& c) {
          simulate::bgnbd_customers(T.data(), n, r, alpha, a, b, seed, modified, c[0], c[1], c[2],
                                    c[3], c[4]);
        });
      },
      py::arg("T"), py::arg("r"), py::arg("alpha"), py::arg("a"), py::arg("b"), py::arg("seed"),
      py::arg("modified") = false,
      "(frequency, recency, lambda, p, alive) of simulated BG/NBD (or MBG/NBD) customers.");
  m.def(
      "simulate_pareto_nbd",
      [](const double_array& T, double r, double alpha, double s, double beta,
         std::uint64_t seed) {
        const std::size_t n = length_of(T);
        return five_columns(n, [&](const std::array<double*, 5>& c) {
          simulate::pareto_nbd_customers(T.data(), n, r, alpha, s, beta, seed, c[0], c[1], c[2],
                                         c[3], c[4]);
        });
      },
      py::arg("T"), py::arg("r"), py::arg("alpha"), py::arg("s"), py::arg("beta"), py::arg("seed"),
      "(frequency, recency, lambda, mu, alive) of simulated Pareto/NBD customers.");
  m.def(
      "simulate_bgbb",
      [](const double_array& N, double alpha, double beta, double gamma, double delta,
         std::uint64_t seed) {
        const std::size_t n = length_of(N);
        return five_columns(n, [&](const std::array<double*, 5>& c) {
          simulate::bgbb_customers(N.data(), n, alpha, beta, gamma, delta, seed, c[0], c[1], c[2],
                                   c[3], c[4]);
        });
      },
      py::arg("N"), py::arg("alpha"), py::arg("beta"), py::arg("gamma"), py::arg("delta"),
      py::arg("seed"), "(frequency, recency, p, theta, alive) of simulated BG/BB customers.");
  m.def(
      "simulate_bgnbd_transactions",
      [](const double_array& T, double r, double alpha, double a, double b, std::uint64_t seed) {
        const std::size_t n = length_of(T);
        simulate::transaction_log log;
        {
          py::gil_scoped_release release;
          log = simulate::bgnbd_transactions(T.data(), n, r, alpha, a, b, seed);
        }
        const auto rows = static_cast<py::ssize_t>(log.customer.size());
        return py::make_tuple(py::array_t<std::int64_t>(rows, log.customer.data()),
                              py::array_t<double>(rows, log.offset.data()));
      },
      py::arg("T"), py::arg("r"), py::arg("alpha"), py::arg("a"), py::arg("b"), py::arg("seed"),
      "(customer index, offset in time units from the customer's start) of a simulated "
      "BG/NBD transaction log.");
}

}  // namespace fastlifetimes::python
