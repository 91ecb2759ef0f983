#include "common.hpp"

#include <fastlifetimes/evaluation.hpp>

#include <cstdint>
#include <vector>

namespace fastlifetimes::python {

namespace {

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
  return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

py::array_t<std::int64_t> counts_to_numpy(const std::vector<std::size_t>& v) {
  return to_numpy(std::vector<std::int64_t>(v.begin(), v.end()));
}

}  // namespace

void register_evaluation(py::module_& m) {
  m.def(
      "evaluation_errors",
      [](const double_array& predicted, const double_array& actual) {
        const std::size_t n = length_of(predicted);
        require_same_length("evaluation_errors", n, {{"actual", length_of(actual)}});
        evaluation::error_summary e;
        {
          py::gil_scoped_release release;
          e = evaluation::errors(predicted.data(), actual.data(), n);
        }
        py::dict out;
        out["rmse"] = e.rmse;
        out["mae"] = e.mae;
        out["median_absolute_error"] = e.median_absolute_error;
        out["r_squared"] = e.r_squared;
        return out;
      },
      py::arg("predicted"), py::arg("actual"),
      "RMSE, MAE, median absolute error and R^2 of a forecast, as a dict.");
  m.def(
      "evaluation_ranking",
      [](const double_array& score, const double_array& actual, const double_array& fractions,
         std::size_t groups) {
        const std::size_t n = length_of(score);
        require_same_length("evaluation_ranking", n, {{"actual", length_of(actual)}});
        evaluation::curve c;
        evaluation::group_sums g;
        double normalised = 0.0, raw = 0.0;
        std::vector<double> shares(length_of(fractions));
        {
          py::gil_scoped_release release;
          c = evaluation::lorenz_curve(score.data(), actual.data(), n);
          raw = evaluation::gini(c);
          normalised = evaluation::normalised_gini(score.data(), actual.data(), n);
          for (std::size_t k = 0; k < shares.size(); ++k)
            shares[k] = evaluation::share_at(c, fractions.data()[k]);
          g = evaluation::rank_groups(score.data(), actual.data(), n, groups);
        }
        py::dict out;
        out["share_of_customers"] = to_numpy(c.share_of_customers);
        out["share_of_value"] = to_numpy(c.share_of_value);
        out["gini"] = raw;
        out["normalised_gini"] = normalised;
        out["top_shares"] = to_numpy(shares);
        out["group_customers"] = counts_to_numpy(g.customers);
        out["group_predicted"] = to_numpy(g.predicted);
        out["group_actual"] = to_numpy(g.actual);
        return out;
      },
      py::arg("score"), py::arg("actual"), py::arg("fractions"), py::arg("groups"),
      "Ranking of `actual` by `score` (highest first): the gains curve, its Gini and "
      "normalised Gini, the share of value at each fraction of customers, and sums over "
      "`groups` rank groups of equal size, as a dict.");
  m.def(
      "evaluation_segments",
      [](const int64_array& segment, std::size_t n_segments, const double_array& predicted,
         const double_array& actual) {
        const std::size_t n = length_of(predicted);
        require_same_length("evaluation_segments", n,
                            {{"actual", length_of(actual)},
                             {"segment", static_cast<std::size_t>(segment.size())}});
        evaluation::segment_sums s;
        {
          py::gil_scoped_release release;
          s = evaluation::segment_totals(segment.data(), n_segments, predicted.data(),
                                         actual.data(), n);
        }
        py::dict out;
        out["customers"] = counts_to_numpy(s.customers);
        out["predicted"] = to_numpy(s.predicted);
        out["actual"] = to_numpy(s.actual);
        out["absolute_percentage_error"] = to_numpy(s.absolute_percentage_error);
        out["customers_with_actual"] = counts_to_numpy(s.customers_with_actual);
        return out;
      },
      py::arg("segment"), py::arg("n_segments"), py::arg("predicted"), py::arg("actual"),
      "Per segment code: customers, sums of forecasts and actual values, the sum of absolute "
      "percentage errors over customers with a positive actual value and their number.");
}

}  // namespace fastlifetimes::python
