// NBD, BG/CNBD-k and MBG/CNBD-k (Platzer & Reutterer 2016). The NBD plugs into the
// shared continuous-model bindings; the CNBD-k functions take the variant (k, modified)
// as their first two arguments and litt where the likelihood needs it.

#include "continuous_model.hpp"

#include <fastlifetimes/models/cnbdk.hpp>
#include <fastlifetimes/models/nbd.hpp>

#include <optional>

namespace fastlifetimes::python {

namespace {

FASTLIFETIMES_CONTINUOUS_MODEL_API(nbd, "NBD", "(r, alpha)");

cnbdk::params cnbdk_params(const double_array& p) {
  if (p.size() != 4) throw std::invalid_argument("(M)BG/CNBD-k needs 4 parameters (r, alpha, a, b)");
  return cnbdk::from_array(p.data());
}

/// litt as a pointer into a kept-alive array (null when None).
struct optional_litt {
  double_array array;
  const double* data = nullptr;
  optional_litt(const py::object& litt, std::size_t n) {
    if (litt.is_none()) return;
    array = double_array::ensure(litt);
    if (!array) throw std::invalid_argument("litt must be numbers");
    require_same_length("fit", n, {{"litt", length_of(array)}});
    data = array.data();
  }
};

py::dict cnbdk_fit(int k, bool modified, const double_array& frequency, const double_array& recency,
                   const double_array& T, const py::object& litt, const py::object& weights,
                   double penalizer, const py::object& initial_log_params, double tol,
                   int max_evaluations, bool with_uncertainty) {
  const std::size_t n = length_of(frequency);
  require_same_length("fit", n, {{"recency", length_of(recency)}, {"T", length_of(T)}});
  const optional_weights w(weights, n);
  const optional_litt l(litt, n);
  std::optional<Eigen::VectorXd> init;
  if (!initial_log_params.is_none()) {
    const auto a = double_array::ensure(initial_log_params);
    init = Eigen::Map<const Eigen::VectorXd>(a.data(), a.size());
  }
  optim::fit_options options;
  options.tol = tol;
  options.max_evaluations = max_evaluations;
  model_fit<4> result;
  {
    py::gil_scoped_release release;
    result = cnbdk::fit({k, modified}, frequency.data(), recency.data(), T.data(), l.data, w.data,
                        n, penalizer, init, options, with_uncertainty);
  }
  return fit_result_to_dict(result);
}

}  // namespace

void register_cnbdk(py::module_& m) {
  register_continuous_model<nbd_api>(m);

  m.def("cnbdk_fit", &cnbdk_fit, py::arg("k"), py::arg("modified"), py::arg("frequency"),
        py::arg("recency"), py::arg("T"), py::arg("litt"), py::arg("weights"),
        py::arg("penalizer_coef"), py::arg("initial_params"), py::arg("tol"),
        py::arg("max_evaluations") = 20000, py::arg("with_uncertainty") = true,
        "Fit (M)BG/CNBD-k for a fixed k with lifetimes' conventions; returns a dict (see "
        "model_fit). log_likelihood includes (k-1) litt - x ln((k-1)!) when litt is given.");

  m.def(
      "cnbdk_fit_regularity",
      [](bool modified, int largest_k, const double_array& frequency, const double_array& recency,
         const double_array& T, const double_array& litt, const py::object& weights,
         double penalizer, double tol, int max_evaluations) {
        const std::size_t n = length_of(frequency);
        require_same_length("fit_regularity", n,
                            {{"recency", length_of(recency)}, {"T", length_of(T)}, {"litt", length_of(litt)}});
        const optional_weights w(weights, n);
        optim::fit_options options;
        options.tol = tol;
        options.max_evaluations = max_evaluations;
        cnbdk::regularity_search search;
        {
          py::gil_scoped_release release;
          search = cnbdk::fit_regularity(modified, largest_k, frequency.data(), recency.data(),
                                         T.data(), litt.data(), w.data, n, penalizer, options);
        }
        py::list fits;
        for (const auto& f : search.fits) fits.append(fit_result_to_dict(f));
        return py::make_tuple(fits, search.best + 1);
      },
      py::arg("modified"), py::arg("largest_k"), py::arg("frequency"), py::arg("recency"),
      py::arg("T"), py::arg("litt"), py::arg("weights"), py::arg("penalizer_coef"), py::arg("tol"),
      py::arg("max_evaluations") = 20000,
      "Fit k = 1..largest_k (stopping once the log-likelihood fell twice in a row); returns "
      "(list of fit dicts without uncertainty, best k).");

  m.def(
      "cnbdk_uncertainty",
      [](int k, bool modified, const double_array& log_params, const double_array& params,
         const double_array& frequency, const double_array& recency, const double_array& T,
         const py::object& weights, double penalizer) {
        const std::size_t n = length_of(frequency);
        require_same_length("uncertainty", n, {{"recency", length_of(recency)}, {"T", length_of(T)}});
        if (log_params.size() != 4 || params.size() != 4)
          throw std::invalid_argument("uncertainty: wrong number of parameters");
        const optional_weights w(weights, n);
        model_fit<4> result;
        result.log_params = Eigen::Map<const Eigen::VectorXd>(log_params.data(), 4);
        for (std::size_t j = 0; j < 4; ++j) result.params[j] = params.data()[j];
        {
          py::gil_scoped_release release;
          cnbdk::uncertainty(result, {k, modified}, frequency.data(), recency.data(), T.data(),
                             w.data, n, penalizer);
        }
        return py::make_tuple(py::array_t<double>({4, 4}, result.hessian.data()),
                              py::array_t<double>({4, 4}, result.variance.data()));
      },
      py::arg("k"), py::arg("modified"), py::arg("log_params"), py::arg("params"),
      py::arg("frequency"), py::arg("recency"), py::arg("T"), py::arg("weights"),
      py::arg("penalizer_coef"));

  m.def(
      "cnbdk_log_likelihood",
      [](int k, bool modified, const double_array& p, const double_array& x,
         const double_array& t_x, const double_array& T, const py::object& litt) {
        const std::size_t n = length_of(x);
        require_same_length("log_likelihood", n, {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = cnbdk_params(p);
        const cnbdk::variant v{k, modified};
        cnbdk::check_params("log_likelihood", params);
        cnbdk::check_variant("log_likelihood", v);
        const optional_litt l(litt, n);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        if (l.data) cnbdk::check_litt("log_likelihood", x.data(), t_x.data(), l.data, n);
        for (std::size_t i = 0; i < n; ++i) {
          check::rfm_row("log_likelihood", i, x.data()[i], t_x.data()[i], T.data()[i]);
          o[i] = cnbdk::log_likelihood(params, v, x.data()[i], t_x.data()[i], T.data()[i],
                                       l.data ? l.data[i] : 0.0);
        }
        return out;
      },
      py::arg("k"), py::arg("modified"), py::arg("params"), py::arg("frequency"),
      py::arg("recency"), py::arg("T"), py::arg("litt"));

  m.def(
      "cnbdk_conditional_expected_number_of_purchases_up_to_time",
      [](int k, bool modified, const double_array& p, const double_array& t, const double_array& x,
         const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_expected_number_of_purchases_up_to_time", n,
                            {{"t", length_of(t)}, {"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = cnbdk_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        cnbdk::conditional_expected_number_of_purchases_up_to_time(
            params, {k, modified}, t.data(), x.data(), t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("k"), py::arg("modified"), py::arg("params"), py::arg("t"), py::arg("frequency"),
      py::arg("recency"), py::arg("T"));

  m.def(
      "cnbdk_probability_of_n_purchases_up_to_time",
      [](int k, bool modified, const double_array& p, const double_array& t,
         const double_array& n_purchases) {
        const char* name = "probability_of_n_purchases_up_to_time";
        const std::size_t n = length_of(t);
        require_same_length(name, n, {{"n", length_of(n_purchases)}});
        const auto params = cnbdk_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        cnbdk::probability_of_n_purchases_up_to_time(params, {k, modified}, t.data(), n_purchases.data(),
                                                     n, o);
        return out;
      },
      py::arg("k"), py::arg("modified"), py::arg("params"), py::arg("t"), py::arg("n"));

  m.def(
      "cnbdk_conditional_probability_alive_in_future",
      [](int k, bool modified, const double_array& p, const double_array& t, const double_array& x,
         const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_probability_alive_in_future", n,
                            {{"t", length_of(t)}, {"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = cnbdk_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        cnbdk::conditional_probability_alive_in_future(params, {k, modified}, t.data(), x.data(),
                                                       t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("k"), py::arg("modified"), py::arg("params"), py::arg("t"), py::arg("frequency"),
      py::arg("recency"), py::arg("T"));

  m.def(
      "cnbdk_conditional_probability_alive",
      [](int k, bool modified, const double_array& p, const double_array& x,
         const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_probability_alive", n,
                            {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const auto params = cnbdk_params(p);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        cnbdk::conditional_probability_alive(params, {k, modified}, x.data(), t_x.data(), T.data(),
                                             n, o);
        return out;
      },
      py::arg("k"), py::arg("modified"), py::arg("params"), py::arg("frequency"),
      py::arg("recency"), py::arg("T"));

  m.def(
      "cnbdk_expected_number_of_purchases_up_to_time",
      [](int k, bool modified, const double_array& p, const double_array& t) {
        const std::size_t n = length_of(t);
        const auto params = cnbdk_params(p);
        const cnbdk::variant v{k, modified};
        cnbdk::check_params("expected_number_of_purchases_up_to_time", params);
        cnbdk::check_variant("expected_number_of_purchases_up_to_time", v);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
          check::horizon("expected_number_of_purchases_up_to_time", i, t.data()[i]);
          o[i] = cnbdk::expected_number_of_purchases_up_to_time(params, v, t.data()[i]);
        }
        return out;
      },
      py::arg("k"), py::arg("modified"), py::arg("params"), py::arg("t"));
}

}  // namespace fastlifetimes::python
