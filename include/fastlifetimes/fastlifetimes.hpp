#pragma once
/// Umbrella header: every model and utility of fastlifetimes. Fitting
/// (fastlifetimes/optim/...) needs NLopt: link fastlifetimes::fit for those.

#include "fastlifetimes/version.hpp"
#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/math/elementwise.hpp"
#include "fastlifetimes/math/special.hpp"
#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/data/summary.hpp"
#include "fastlifetimes/models/bgnbd.hpp"
#include "fastlifetimes/models/gamma_gamma.hpp"
#include "fastlifetimes/models/mbgnbd.hpp"
#include "fastlifetimes/models/bgbb.hpp"
#include "fastlifetimes/models/pareto_nbd.hpp"
#include "fastlifetimes/evaluation.hpp"
