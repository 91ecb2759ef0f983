#include "common.hpp"

#include <fastlifetimes/version.hpp>

PYBIND11_MODULE(_core, m) {
  m.doc() = "fastlifetimes' compiled core: models, fitting and the transaction summary";
  m.attr("__version__") = FASTLIFETIMES_VERSION;
  m.attr("model_format_version") = FASTLIFETIMES_MODEL_FORMAT_VERSION;
  fastlifetimes::python::register_summary(m);
  fastlifetimes::python::register_bgnbd(m);
  fastlifetimes::python::register_gamma_gamma(m);
  fastlifetimes::python::register_simulate(m);
  fastlifetimes::python::register_mbgnbd(m);
  fastlifetimes::python::register_bgbb(m);
  fastlifetimes::python::register_pareto_nbd(m);
  fastlifetimes::python::register_distributions(m);
  fastlifetimes::python::register_evaluation(m);
  fastlifetimes::python::register_sbg(m);
  fastlifetimes::python::register_ggompertz_nbd(m);
  fastlifetimes::python::register_cnbdk(m);
  fastlifetimes::python::register_pareto_nbd_covariates(m);
  fastlifetimes::python::register_predictions(m);
}
