#include "continuous_model.hpp"

#include <fastlifetimes/models/bgnbd.hpp>

namespace fastlifetimes::python {

namespace {

FASTLIFETIMES_CONTINUOUS_MODEL_API(bgnbd, "BG/NBD", "(r, alpha, a, b)");

}  // namespace

void register_bgnbd(py::module_& m) { register_continuous_model<bgnbd_api>(m); }

}  // namespace fastlifetimes::python
