#pragma once
/// Fit any model described by a traits struct (see bgnbd::model) with lifetimes'
/// conventions, kept here in one place. A model whose traits declare
/// `static constexpr bool rescale_time = false` (discrete time, e.g. BG/BB) is fitted on
/// its data as given (and may declare `check_rows` for its own validity rules); the others:
/// - time is rescaled so that max T = 1 while fitting; parameters measured in time units
///   are scaled back afterwards;
/// - the objective is the weighted *mean* negative log-likelihood plus
///   penalizer * sum(params^2), the parameters taken on the rescaled axis. A model whose
///   traits declare `static constexpr bool sums_likelihood = true` (lifetimes' Pareto/NBD:
///   sum(w ll) / mean(w), n input rows) is minimised as that objective divided by n, i.e.
///   the mean with penalizer / n, and reports n times the minimum;
/// - the optimiser works on log-parameters; initial_params are log-parameters on the
///   rescaled axis;
/// - the variance matrix is the delta-method transform of the inverse Hessian of the
///   total negative log-likelihood: V_ij = p_i p_j (H^-1)_ij / sum(w).

#include <Eigen/Dense>

#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "fastlifetimes/data/rfm.hpp"
#include "fastlifetimes/optim/fit.hpp"

namespace fastlifetimes {

template <int N>
struct model_fit {
  std::array<double, static_cast<std::size_t>(N)> params{};  ///< in the data's own time unit
  Eigen::VectorXd log_params;          ///< minimiser, on the rescaled time axis
  double negative_log_likelihood = 0;  ///< lifetimes' `_negative_log_likelihood_`
  double log_likelihood = 0;           ///< total, unpenalised, in the data's time unit
  double time_scale = 1;               ///< 1 / max(T)
  double total_weight = 0;
  Eigen::MatrixXd hessian;             ///< of the objective w.r.t. log_params
  Eigen::MatrixXd variance;            ///< of params, symmetric (delta method)
  int evaluations = 0;
  bool converged = false;
  std::string method, message;
};

/// Fit `Model` to histories (x, t_x, T) with optional weights (may be null).
/// Throws std::domain_error on invalid histories; a failed optimisation is reported in
/// `converged` and `message`, not thrown.
namespace detail {

template <class Model, class = void>
struct rescales_time : std::true_type {};
template <class Model>
struct rescales_time<Model, std::void_t<decltype(Model::rescale_time)>>
    : std::bool_constant<Model::rescale_time> {};

/// Models whose histories obey more than `check::rfm_row` (BG/BB: whole numbers, x <= t_x)
/// declare `static void check_rows(x, t_x, T, n)`, which throws std::domain_error.
template <class Model, class = void>
struct has_row_check : std::false_type {};
template <class Model>
struct has_row_check<Model, std::void_t<decltype(&Model::check_rows)>> : std::true_type {};

template <class Model, class = void>
struct sums_likelihood : std::false_type {};
template <class Model>
struct sums_likelihood<Model, std::void_t<decltype(Model::sums_likelihood)>>
    : std::bool_constant<Model::sums_likelihood> {};

/// How many times the mean objective lifetimes' objective is: n (input rows) for a model
/// that sums the likelihood over rows, 1 for the others.
template <class Model>
double objective_multiple(std::size_t n) {
  return sums_likelihood<Model>::value ? static_cast<double>(n) : 1.0;
}

template <class Model>
compressed_rfm compress_for_fit(const double* frequency, const double* recency, const double* T,
                                const double* weight, std::size_t n, double penalizer) {
  if (n == 0) throw std::domain_error("fit: no customers to fit");
  if (!(std::isfinite(penalizer) && penalizer >= 0.0))
    throw std::domain_error("fit: penalizer_coef must be non-negative and finite");
  if constexpr (has_row_check<Model>::value) Model::check_rows(frequency, recency, T, n);
  double max_T = 0.0;
  for (std::size_t i = 0; i < n; ++i) max_T = std::max(max_T, T[i]);
  if (!(max_T > 0.0 && std::isfinite(max_T)))
    throw std::domain_error("fit: the largest T must be positive and finite");
  const double scale = rescales_time<Model>::value ? 1.0 / max_T : 1.0;
  compressed_rfm data = compress(frequency, recency, T, weight, n, scale);
  if (!(data.total_weight > 0.0)) throw std::domain_error("fit: the weights sum to zero");
  return data;
}

template <class Model, class = void>
struct has_prepared : std::false_type {};
template <class Model>
struct has_prepared<Model, std::void_t<typename Model::prepared>> : std::true_type {};

/// The objective as a function of log-parameters. A model whose traits declare a type
/// `prepared` and `static prepared prepare(const compressed_rfm&)` gets that built once
/// here (structure of the data that does not depend on the parameters) and passed to
/// every evaluation as `objective(x, data, prepared, penalizer, grad)`.
template <class Model>
optim::objective_function objective_of(const compressed_rfm& data, double penalizer) {
  if constexpr (has_prepared<Model>::value) {
    auto prepared = std::make_shared<const typename Model::prepared>(Model::prepare(data));
    return [&data, penalizer, prepared](const double* x, double* grad) {
      return Model::objective(x, data, *prepared, penalizer, grad);
    };
  } else {
    return [&data, penalizer](const double* x, double* grad) {
      return Model::objective(x, data, penalizer, grad);
    };
  }
}

}  // namespace detail

/// The Hessian of the fitting objective at `log_params` and the parameters' delta-method
/// variance, both as defined in `model_fit`; `params` in the data's time unit.
template <class Model, int N = Model::n_params>
void fill_uncertainty(model_fit<N>& out, const compressed_rfm& data, double penalizer) {
  out.hessian = optim::hessian(detail::objective_of<Model>(data, penalizer), out.log_params);
  Eigen::MatrixXd inverse = out.hessian.inverse();
  inverse = 0.5 * (inverse + inverse.transpose()).eval();  // exactly symmetric, not to rounding
  Eigen::VectorXd p(N);
  for (int k = 0; k < N; ++k) p[k] = out.params[static_cast<std::size_t>(k)];
  out.variance = (p * p.transpose()).cwiseProduct(inverse) / data.total_weight;
}

/// Fit `Model` to histories (x, t_x, T) with optional weights (may be null).
/// Throws std::domain_error on invalid histories; a failed optimisation is reported in
/// `converged` and `message`, not thrown. With `with_uncertainty` false the Hessian and
/// variance are left empty (see `uncertainty`), which saves 2 * n_params evaluations.
template <class Model>
model_fit<Model::n_params> fit(const double* frequency, const double* recency, const double* T,
                               const double* weight, std::size_t n, double penalizer,
                               const std::optional<Eigen::VectorXd>& initial_log_params = {},
                               const optim::fit_options& options = {},
                               bool with_uncertainty = true) {
  constexpr int N = Model::n_params;
  const compressed_rfm data =
      detail::compress_for_fit<Model>(frequency, recency, T, weight, n, penalizer);
  const double multiple = detail::objective_multiple<Model>(n);
  const double mean_penalizer = penalizer / multiple;
  Eigen::VectorXd x0(N);
  if (initial_log_params) {
    if (initial_log_params->size() != N)
      throw std::domain_error("fit: initial_params must have " + std::to_string(N) + " values");
    x0 = *initial_log_params;
  } else {
    const auto init = Model::initial_log_params();
    for (int k = 0; k < N; ++k) x0[k] = init[static_cast<std::size_t>(k)];
  }
  const optim::fit_result r =
      optim::minimize(detail::objective_of<Model>(data, mean_penalizer), x0, options);

  double max_T = 0.0;
  for (std::size_t i = 0; i < n; ++i) max_T = std::max(max_T, T[i]);
  const double time_scale = detail::rescales_time<Model>::value ? 1.0 / max_T : 1.0;
  model_fit<N> out;
  out.log_params = r.x;
  out.negative_log_likelihood = r.value * multiple;
  out.time_scale = time_scale;
  out.total_weight = data.total_weight;
  out.evaluations = r.evaluations;
  out.converged = r.converged;
  out.method = r.method;
  out.message = r.message;
  for (int k = 0; k < N; ++k)
    out.params[static_cast<std::size_t>(k)] =
        std::exp(r.x[k]) * std::pow(time_scale, -Model::time_power[static_cast<std::size_t>(k)]);
  if (!r.converged) return out;
  // Unpenalised total log-likelihood in the original unit: each purchase time density
  // picks up a factor `scale`, so LL_original = LL_rescaled + log(scale) * sum(w x).
  double penalty = 0.0;
  for (int k = 0; k < N; ++k) penalty += std::exp(2.0 * r.x[k]);
  out.log_likelihood = -(r.value - mean_penalizer * penalty) * data.total_weight +
                       std::log(time_scale) * data.weighted_frequency;
  if (with_uncertainty) fill_uncertainty<Model>(out, data, mean_penalizer);
  return out;
}

/// The Hessian and variance of a finished fit, computed later on the same data (what
/// `fit(..., with_uncertainty = false)` skipped).
template <class Model>
void uncertainty(model_fit<Model::n_params>& out, const double* frequency, const double* recency,
                 const double* T, const double* weight, std::size_t n, double penalizer) {
  const compressed_rfm data =
      detail::compress_for_fit<Model>(frequency, recency, T, weight, n, penalizer);
  fill_uncertainty<Model>(out, data, penalizer / detail::objective_multiple<Model>(n));
}

}  // namespace fastlifetimes
