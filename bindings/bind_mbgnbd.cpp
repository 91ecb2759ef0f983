#include "continuous_model.hpp"

#include <fastlifetimes/models/mbgnbd.hpp>

namespace fastlifetimes::python {

namespace {

FASTLIFETIMES_CONTINUOUS_MODEL_API(mbgnbd, "MBG/NBD", "(r, alpha, a, b)");

}  // namespace

void register_mbgnbd(py::module_& m) { register_continuous_model<mbgnbd_api>(m); }

}  // namespace fastlifetimes::python
