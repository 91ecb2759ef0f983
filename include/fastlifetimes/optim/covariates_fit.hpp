#pragma once
/// Fitting a BTYD model with time-invariant ("static") covariates, as CLVTools does
/// (`pnbd()`/`bgnbd()` on static covariates; Fader & Hardie (2007), "Incorporating
/// Time-Invariant Covariates into the Pareto/NBD and BG/NBD Models", note 019): each
/// customer's parameters are the model's own, moved by the scores
///   u_trans = gamma_trans' z_trans,i (purchase process),  u_life = gamma_life' z_life,i
/// (dropout process) as the model's `Spec` says. Given its parameters a customer's
/// likelihood is the plain model's, so nothing of the models' maths is repeated here.
///
/// The plain objectives collapse customers to unique (x, t_x, T) rows and do the expensive
/// work once per distinct value; with covariates, rows only collapse among customers with
/// the same covariates. Customers are therefore grouped by their covariate rows
/// (categorical covariates such as gender or channel give a handful of groups), and each
/// group is evaluated by the plain model's objective at its own parameters; the gradient
/// in the gammas follows by the chain rule,
///   d/d gamma_trans = z_trans,g d/d u_trans,  d/d gamma_life = z_life,g d/d u_life.
/// The objective is CLVTools': the weighted mean negative log-likelihood over customers
/// plus lambda_trans |gamma_trans|^2 + lambda_life |gamma_life|^2 (its `reg.lambdas`).
///
/// A `Spec` provides: `base` (the plain model's traits, for the starting fit and time
/// units), `prepared` and `prepare(data)` (per-group structure built once),
/// `group_objective(lp, data, prepared, grad)` (the plain mean objective, unpenalised),
/// `log_params(theta, u_trans, u_life, lp)` and `d_trans(g)`, `d_life(g)` (the partials
/// in the scores from those in the 4 log-parameters).

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/optim/model_fit.hpp"

namespace fastlifetimes::covariates {

/// Customers grouped by their covariates, each group compressed to unique (x, t_x, T)
/// rows, on a time axis rescaled by `time_scale`. Built once per fit.
template <class Spec>
struct grouped_data {
  Eigen::MatrixXd z_trans, z_life;  ///< one row per group
  std::vector<compressed_rfm> groups;
  std::vector<typename Spec::prepared> prepared;
  double total_weight = 0.0, weighted_frequency = 0.0, time_scale = 1.0;
  Eigen::Index n_trans() const { return z_trans.cols(); }
  Eigen::Index n_life() const { return z_life.cols(); }
  Eigen::Index n_params() const { return 4 + n_trans() + n_life(); }
};

/// Group n customers by their covariate rows (row-major n x p_trans and n x p_life
/// matrices; either may have no columns). Throws std::domain_error naming the first
/// invalid history or non-finite covariate.
template <class Spec>
grouped_data<Spec> group_customers(const double* x, const double* t_x, const double* T,
                                    const double* weight, std::size_t n, const double* z_trans,
                                    Eigen::Index p_trans, const double* z_life,
                                    Eigen::Index p_life, double time_scale) {
  const char* name = "covariates::fit";
  if (n == 0) throw std::domain_error("fit: no customers to fit");
  const auto pt = static_cast<std::size_t>(p_trans), pl = static_cast<std::size_t>(p_life);
  std::map<std::vector<double>, std::size_t> group_of;
  std::vector<std::vector<std::size_t>> members;
  std::vector<double> key(pt + pl);
  for (std::size_t i = 0; i < n; ++i) {
    check::rfm_row(name, i, x[i], t_x[i], T[i]);
    if (weight && !(std::isfinite(weight[i]) && weight[i] >= 0.0))
      throw std::domain_error(std::string(name) + ": weights must be non-negative and finite (row " +
                              std::to_string(i) + ")");
    for (std::size_t k = 0; k < pt; ++k) key[k] = z_trans[i * pt + k];
    for (std::size_t k = 0; k < pl; ++k) key[pt + k] = z_life[i * pl + k];
    for (double v : key)
      if (!std::isfinite(v))
        throw std::domain_error(std::string(name) + ": covariates must be finite (row " +
                                std::to_string(i) + ")");
    for (double& v : key) v = v == 0.0 ? 0.0 : v;  // -0 and 0 are one group
    const auto [it, inserted] = group_of.emplace(key, members.size());
    if (inserted) members.emplace_back();
    members[it->second].push_back(i);
  }
  grouped_data<Spec> out;
  out.time_scale = time_scale;
  const auto G = static_cast<Eigen::Index>(members.size());
  out.z_trans.resize(G, p_trans);
  out.z_life.resize(G, p_life);
  for (const auto& [k, g] : group_of) {
    const auto gi = static_cast<Eigen::Index>(g);
    for (Eigen::Index c = 0; c < p_trans; ++c) out.z_trans(gi, c) = k[static_cast<std::size_t>(c)];
    for (Eigen::Index c = 0; c < p_life; ++c) out.z_life(gi, c) = k[pt + static_cast<std::size_t>(c)];
  }
  out.groups.reserve(members.size());
  out.prepared.reserve(members.size());
  std::vector<double> gx, gt, gT, gw;
  for (const auto& m : members) {
    gx.clear();
    gt.clear();
    gT.clear();
    gw.clear();
    for (std::size_t i : m) {
      gx.push_back(x[i]);
      gt.push_back(t_x[i]);
      gT.push_back(T[i]);
      gw.push_back(weight ? weight[i] : 1.0);
    }
    out.groups.push_back(compress(gx.data(), gt.data(), gT.data(), gw.data(), m.size(), time_scale));
    out.prepared.push_back(Spec::prepare(out.groups.back()));
    out.total_weight += out.groups.back().total_weight;
    out.weighted_frequency += out.groups.back().weighted_frequency;
  }
  if (!(out.total_weight > 0.0)) throw std::domain_error("fit: the weights sum to zero");
  return out;
}

/// CLVTools' objective at theta = (the model's 4 log-parameters on the rescaled axis,
/// gamma_trans, gamma_life): the weighted mean negative
/// log-likelihood plus lambda_trans |gamma_trans|^2 + lambda_life |gamma_life|^2. Fills
/// `grad` (d/d theta) when not null. +inf where the likelihood cannot be evaluated.
template <class Spec>
double objective(const double* theta, const grouped_data<Spec>& d, double lambda_trans,
                        double lambda_life, double* grad) {
  const Eigen::Index pt = d.n_trans(), pl = d.n_life(), np = d.n_params();
  const Eigen::Map<const Eigen::VectorXd> g_trans(theta + 4, pt), g_life(theta + 4 + pt, pl);
  const Eigen::VectorXd shift_a = d.z_trans * g_trans, shift_b = d.z_life * g_life;
  const auto G = static_cast<std::size_t>(d.groups.size());
  // per group: W_g times the group's mean objective, and its gradient in the 4 log-params
  std::vector<double> value(G);
  std::vector<std::array<double, 4>> g4(G);
  auto run = [&](std::size_t begin, std::size_t end) {
    for (std::size_t g = begin; g < end; ++g) {
      const auto gi = static_cast<Eigen::Index>(g);
      double lp[4];
      Spec::log_params(theta, shift_a[gi], shift_b[gi], lp);
      value[g] = d.groups[g].total_weight *
                 Spec::group_objective(lp, d.groups[g], d.prepared[g], grad ? g4[g].data() : nullptr);
    }
  };
  // many small groups (continuous covariates): two threads over groups; a few large
  // groups may be split inside the plain objective instead
  if (G >= 64) {
    std::thread worker([&] { run(G / 2, G); });
    run(0, G / 2);
    worker.join();
  } else {
    run(0, G);
  }
  double total = 0.0;
  for (double v : value) total += v;
  const double W = d.total_weight;
  double result = total / W + lambda_trans * g_trans.squaredNorm() + lambda_life * g_life.squaredNorm();
  if (!std::isfinite(result)) return std::numeric_limits<double>::infinity();
  if (grad) {
    Eigen::Map<Eigen::VectorXd> out(grad, np);
    out.setZero();
    for (std::size_t g = 0; g < G; ++g) {
      const auto gi = static_cast<Eigen::Index>(g);
      const double w = d.groups[g].total_weight / W;
      for (int k = 0; k < 4; ++k) out[k] += w * g4[g][static_cast<std::size_t>(k)];
      out.segment(4, pt) += w * Spec::d_trans(g4[g].data()) * d.z_trans.row(gi).transpose();
      out.segment(4 + pt, pl) += w * Spec::d_life(g4[g].data()) * d.z_life.row(gi).transpose();
    }
    out.segment(4, pt) += 2.0 * lambda_trans * g_trans;
    out.segment(4 + pt, pl) += 2.0 * lambda_life * g_life;
    if (!out.allFinite()) return std::numeric_limits<double>::infinity();
  }
  return result;
}

struct fit_result {
  /// the model's 4 parameters in the data's time unit, then gamma_trans, gamma_life
  Eigen::VectorXd params;
  Eigen::VectorXd theta;      ///< the minimiser (log-parameters on the rescaled axis, gammas)
  double objective = 0.0;     ///< CLVTools' penalised mean objective at the minimum
  double log_likelihood = 0;  ///< total, unpenalised, in the data's time unit
  double time_scale = 1.0, total_weight = 0.0;
  Eigen::MatrixXd hessian;    ///< of `objective` in theta
  Eigen::MatrixXd variance;   ///< of params (delta method), H^-1 / sum(w) transformed
  int evaluations = 0;
  bool converged = false;
  std::string method, message;
};

/// Fit the model to n customers (covariates row-major, see `group_customers`). Without
/// `initial_theta` the start is the plain model's fit with all gammas 0. Throws
/// std::domain_error on invalid input; a failed optimisation is reported in `converged`.
template <class Spec>
fit_result fit(const double* x, const double* t_x, const double* T, const double* weight,
                      std::size_t n, const double* z_trans, Eigen::Index p_trans,
                      const double* z_life, Eigen::Index p_life, double lambda_trans,
                      double lambda_life, const std::optional<Eigen::VectorXd>& initial_theta = {},
                      const optim::fit_options& options = {}, bool with_uncertainty = true) {
  if (!(std::isfinite(lambda_trans) && lambda_trans >= 0.0 && std::isfinite(lambda_life) &&
        lambda_life >= 0.0))
    throw std::domain_error("fit: the penalizers must be non-negative and finite");
  double max_T = 0.0;
  for (std::size_t i = 0; i < n; ++i) max_T = std::max(max_T, T[i]);
  const grouped_data<Spec> d = group_customers<Spec>(x, t_x, T, weight, n, z_trans, p_trans, z_life, p_life,
                                         max_T > 0.0 ? 1.0 / max_T : 1.0);
  if (!(max_T > 0.0 && std::isfinite(max_T)))
    throw std::domain_error("fit: the largest T must be positive and finite");
  const Eigen::Index np = d.n_params();
  Eigen::VectorXd x0 = Eigen::VectorXd::Zero(np);
  if (initial_theta) {
    if (initial_theta->size() != np)
      throw std::domain_error("fit: initial_params must have " + std::to_string(np) + " values");
    x0 = *initial_theta;
  } else {
    const auto plain = fastlifetimes::fit<typename Spec::base>(x, t_x, T, weight, n, 0.0, {}, options, false);
    if (plain.converged)
      for (int k = 0; k < 4; ++k) x0[k] = plain.log_params[k];
  }
  auto f = [&d, lambda_trans, lambda_life](const double* th, double* grad) {
    return objective<Spec>(th, d, lambda_trans, lambda_life, grad);
  };
  const optim::fit_result r = optim::minimize(f, x0, options);
  fit_result out;
  out.theta = r.x;
  out.objective = r.value;
  out.time_scale = d.time_scale;
  out.total_weight = d.total_weight;
  out.evaluations = r.evaluations;
  out.converged = r.converged;
  out.method = r.method;
  out.message = r.message;
  out.params = r.x;
  for (int k = 0; k < 4; ++k) out.params[k] = std::exp(r.x[k]);
  for (int k = 0; k < 4; ++k)
    out.params[k] *= std::pow(d.time_scale, -Spec::base::time_power[static_cast<std::size_t>(k)]);
  if (!r.converged) return out;
  const Eigen::VectorXd g_trans = r.x.segment(4, p_trans), g_life = r.x.segment(4 + p_trans, p_life);
  const double penalty = lambda_trans * g_trans.squaredNorm() + lambda_life * g_life.squaredNorm();
  // each purchase time density picks up a factor `scale` (see model_fit.hpp)
  out.log_likelihood = -(r.value - penalty) * d.total_weight + std::log(d.time_scale) * d.weighted_frequency;
  if (with_uncertainty) {
    out.hessian = optim::hessian(f, r.x);
    Eigen::MatrixXd inverse = out.hessian.inverse();
    inverse = 0.5 * (inverse + inverse.transpose()).eval();
    Eigen::VectorXd jacobian = Eigen::VectorXd::Ones(np);  // d params / d theta
    jacobian.head(4) = out.params.head(4);
    out.variance = jacobian.asDiagonal() * inverse * jacobian.asDiagonal() / d.total_weight;
  }
  return out;
}

}  // namespace fastlifetimes::covariates
