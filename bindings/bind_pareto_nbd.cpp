#include "continuous_model.hpp"

#include <fastlifetimes/models/pareto_nbd.hpp>

namespace fastlifetimes::python {

namespace {

FASTLIFETIMES_CONTINUOUS_MODEL_API(pareto_nbd, "Pareto/NBD", "(r, alpha, s, beta)");

}  // namespace

void register_pareto_nbd(py::module_& m) {
  register_continuous_model<pareto_nbd_api>(m);

  m.def(
      "pareto_nbd_conditional_probability_of_n_purchases_up_to_time",
      [](const double_array& p, const double_array& n_purchases, const double_array& t,
         const double_array& x, const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_probability_of_n_purchases_up_to_time", n,
                            {{"n", length_of(n_purchases)}, {"t", length_of(t)},
                             {"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = parameters_of<pareto_nbd_api>(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        pareto_nbd::conditional_probability_of_n_purchases_up_to_time(
            params, n_purchases.data(), t.data(), x.data(), t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("n"), py::arg("t"), py::arg("frequency"), py::arg("recency"),
      py::arg("T"));
}

}  // namespace fastlifetimes::python
