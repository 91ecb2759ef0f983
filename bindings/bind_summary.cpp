#include "common.hpp"

#include <fastlifetimes/data/summary.hpp>

namespace fastlifetimes::python {

void register_summary(py::module_& m) {
  m.def(
      "summarize_transactions",
      [](const int64_array& customer, const int64_array& period, const py::object& value,
         std::int64_t n_customers, std::int64_t end_period, double ticks_per_unit,
         bool include_first_transaction, std::int64_t period_width) {
        const auto n = static_cast<std::size_t>(customer.size());
        require_same_length("summarize_transactions", n,
                            {{"period", static_cast<std::size_t>(period.size())}});
        double_array values;
        const double* value_ptr = nullptr;
        if (!value.is_none()) {
          values = double_array::ensure(value);
          if (!values) throw std::invalid_argument("summarize_transactions: bad value array");
          require_same_length("summarize_transactions", n,
                              {{"value", static_cast<std::size_t>(values.size())}});
          value_ptr = values.data();
        }
        transaction_summary s;
        {
          py::gil_scoped_release release;
          s = summarize_transactions(customer.data(), period.data(), value_ptr, n, n_customers,
                                     end_period, ticks_per_unit, include_first_transaction,
                                     period_width);
        }
        py::array_t<std::int64_t> codes(static_cast<py::ssize_t>(s.customer.size()),
                                        s.customer.data());
        auto to_numpy = [](const Eigen::ArrayXd& a) {
          return py::array_t<double>(static_cast<py::ssize_t>(a.size()), a.data());
        };
        py::object monetary = py::none();
        if (value_ptr) monetary = to_numpy(s.monetary_value);
        return py::make_tuple(codes, to_numpy(s.frequency), to_numpy(s.recency), to_numpy(s.T),
                              monetary);
      },
      py::arg("customer"), py::arg("period"), py::arg("value"), py::arg("n_customers"),
      py::arg("end_period"), py::arg("ticks_per_unit"), py::arg("include_first_transaction"),
      py::arg("period_width") = 0,
      "Per-customer (codes, frequency, recency, T, monetary_value or None) of a log given as "
      "integer customer codes and period-start ticks.");
}

}  // namespace fastlifetimes::python
