#include "fit_common.hpp"

#include <fastlifetimes/models/bgnbd_covariates.hpp>
#include <fastlifetimes/models/pareto_nbd_covariates.hpp>

namespace fastlifetimes::python {

namespace {

/// A covariate matrix as n x p (row-major); a 1-d array of length 0 or None means p = 0.
struct covariate_matrix {
  double_array array;
  Eigen::Index columns = 0;
  covariate_matrix(const py::object& value, std::size_t n, const char* name) {
    if (value.is_none()) return;
    array = double_array::ensure(value);
    if (!array) throw std::invalid_argument(std::string(name) + " must be numbers");
    if (array.ndim() != 2 || static_cast<std::size_t>(array.shape(0)) != n)
      throw std::invalid_argument(std::string(name) + " must be a matrix with one row per customer");
    columns = static_cast<Eigen::Index>(array.shape(1));
  }
  const double* data() const { return columns ? array.data() : nullptr; }
};

/// A covariate model's fit (Fit: pareto_nbd_covariates::fit or bgnbd_covariates::fit) as a dict.
template <auto Fit>
py::dict fit_covariate_model(const double_array& frequency, const double_array& recency,
                             const double_array& T, const py::object& weights,
                             const py::object& z_trans, const py::object& z_life, double lambda_trans,
                             double lambda_life, const py::object& initial, double tol,
                             int max_evaluations, bool with_uncertainty) {
  const std::size_t n = length_of(frequency);
  require_same_length("fit", n, {{"recency", length_of(recency)}, {"T", length_of(T)}});
  const optional_weights w(weights, n);
  const covariate_matrix zt(z_trans, n, "purchase_covariates");
  const covariate_matrix zl(z_life, n, "dropout_covariates");
  std::optional<Eigen::VectorXd> init;
  if (!initial.is_none()) {
    const auto a = double_array::ensure(initial);
    init = Eigen::Map<const Eigen::VectorXd>(a.data(), a.size());
  }
  optim::fit_options options;
  options.tol = tol;
  options.max_evaluations = max_evaluations;
  covariates::fit_result r;
  {
    py::gil_scoped_release release;
    r = Fit(frequency.data(), recency.data(), T.data(), w.data, n, zt.data(), zt.columns, zl.data(),
            zl.columns, lambda_trans, lambda_life, init, options, with_uncertainty);
  }
  const auto np = static_cast<py::ssize_t>(r.params.size());
  py::dict d;
  d["params"] = py::array_t<double>(np, r.params.data());
  d["theta"] = py::array_t<double>(np, r.theta.data());
  d["objective"] = r.objective;
  d["log_likelihood"] = r.log_likelihood;
  d["time_scale"] = r.time_scale;
  d["total_weight"] = r.total_weight;
  d["evaluations"] = r.evaluations;
  d["converged"] = r.converged;
  d["method"] = r.method;
  d["message"] = r.message;
  if (r.hessian.size()) {
    d["hessian"] = py::array_t<double>({np, np}, r.hessian.data());  // symmetric
    d["variance"] = py::array_t<double>({np, np}, r.variance.data());
  }
  return d;
}

}  // namespace

void register_pareto_nbd_covariates(py::module_& m) {
  for (const auto& [name, doc] :
       {std::pair{"pareto_nbd_covariates_fit", "Pareto/NBD with static covariates (CLVTools' parametrisation and objective)."},
        std::pair{"bgnbd_covariates_fit", "BG/NBD with static covariates (CLVTools' parametrisation and objective)."}}) {
    const bool pnbd = std::string(name) == "pareto_nbd_covariates_fit";
    auto f = pnbd ? &fit_covariate_model<&pareto_nbd_covariates::fit>
                  : &fit_covariate_model<&bgnbd_covariates::fit>;
    m.def(name, f, py::arg("frequency"), py::arg("recency"), py::arg("T"), py::arg("weights"),
          py::arg("z_trans"), py::arg("z_life"), py::arg("lambda_trans") = 0.0,
          py::arg("lambda_life") = 0.0, py::arg("initial") = py::none(), py::arg("tol") = 1e-7,
          py::arg("max_evaluations") = 20000, py::arg("with_uncertainty") = true, doc);
  }
}

}  // namespace fastlifetimes::python
