// Predictions beyond lifetimes' (predictions.hpp): P(alive) at a future time, DERT, and
// parametric-bootstrap quantiles of a prediction over parameter draws. One file for the
// four models, so that their own binding files stay as they are.

#include "common.hpp"

#include <fastlifetimes/core/parallel.hpp>
#include <fastlifetimes/predictions.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace fastlifetimes::python {

namespace {

/// One prediction for customers [begin, begin + count) at parameters `params`, into out.
using block_prediction =
    std::function<void(const double* params, std::size_t begin, std::size_t count, double* out)>;

/// Quantiles (numpy's default, linear interpolation) over the rows of `draws` (one
/// parameter vector per row) of a per-customer prediction, for n customers: an n x
/// len(probs) array. Customers go in blocks, each block's draws x customers predictions
/// held at once, so memory stays at draws x block whatever n. `multiplier(d, i)`, when
/// given, scales draw d's prediction of customer i (the spend of a CLV).
py::array_t<double> draw_quantiles(const block_prediction& predict, const double_array& draws,
                                   std::size_t n, const double_array& probs,
                                   const std::function<double(std::size_t, std::size_t)>& multiplier) {
  if (draws.ndim() != 2) throw std::invalid_argument("prediction_quantiles: draws must be 2-d");
  const auto D = static_cast<std::size_t>(draws.shape(0)), k = static_cast<std::size_t>(draws.shape(1));
  const std::size_t L = length_of(probs);
  if (D == 0) throw std::invalid_argument("prediction_quantiles: no draws");
  for (std::size_t l = 0; l < L; ++l)
    if (!(probs.data()[l] >= 0.0 && probs.data()[l] <= 1.0))
      throw std::invalid_argument("prediction_quantiles: probabilities must lie in [0, 1]");
  py::array_t<double> out({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(L)});
  double* o = out.mutable_data();
  const double* P = draws.data();
  const double* q = probs.data();
  py::gil_scoped_release release;
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    constexpr std::size_t block = 8192;
    std::vector<double> values(D * std::min(block, end - begin)), column(D);
    for (std::size_t b0 = begin; b0 < end; b0 += block) {
      const std::size_t m = std::min(block, end - b0);
      for (std::size_t d = 0; d < D; ++d) predict(P + d * k, b0, m, values.data() + d * m);
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t d = 0; d < D; ++d)
          column[d] = values[d * m + i] * (multiplier ? multiplier(d, b0 + i) : 1.0);
        std::sort(column.begin(), column.end());
        for (std::size_t l = 0; l < L; ++l) {
          const double h = static_cast<double>(D - 1) * q[l];
          const auto lo = static_cast<std::size_t>(std::floor(h));
          const std::size_t hi = std::min(lo + 1, D - 1);
          o[(b0 + i) * L + l] = column[lo] + (h - static_cast<double>(lo)) * (column[hi] - column[lo]);
        }
      }
    }
  }, 2'000);
  return out;
}

/// The Gamma-Gamma mean spend p (v + x m)/(p x + q - 1) of each customer at each draw of
/// (p, q, v), for a CLV; throws when q <= 1 at a draw (no finite mean).
std::function<double(std::size_t, std::size_t)> spend_of(const double_array& spend_draws,
                                                         const double_array& x,
                                                         const double_array& monetary,
                                                         std::size_t n, std::size_t D) {
  if (spend_draws.size() == 0) return {};
  if (spend_draws.ndim() != 2 || static_cast<std::size_t>(spend_draws.shape(0)) != D ||
      spend_draws.shape(1) != 3)
    throw std::invalid_argument("prediction_quantiles: spend_draws must be draws x 3 (p, q, v)");
  require_same_length("prediction_quantiles", n, {{"monetary_value", length_of(monetary)}});
  const double* S = spend_draws.data();
  for (std::size_t d = 0; d < D; ++d)
    if (!(S[3 * d] > 0.0 && S[3 * d + 1] > 1.0 && S[3 * d + 2] > 0.0))
      throw std::domain_error("prediction_quantiles: a Gamma-Gamma draw has q <= 1 (no finite mean)");
  const double* xs = x.data();
  const double* ms = monetary.data();
  return [S, xs, ms](std::size_t d, std::size_t i) {
    const double p = S[3 * d], q = S[3 * d + 1], v = S[3 * d + 2];
    return p * (v + xs[i] * ms[i]) / (p * xs[i] + q - 1.0);
  };
}

template <class Params>
Params params_of(const double_array& p, Params (*from_array)(const double*), const char* title) {
  if (p.size() != 4) throw std::invalid_argument(std::string(title) + " needs 4 parameters");
  return from_array(p.data());
}

/// The continuous models' bindings: `<prefix>_conditional_probability_alive_in_future`,
/// `<prefix>_discounted_expected_residual_transactions` and `<prefix>_prediction_quantiles`.
template <class Params>
void register_continuous(py::module_& m, const std::string& prefix, const char* title,
                         Params (*from_array)(const double*),
                         void (*check_params)(const char*, const Params&),
                         void (*expected)(const Params&, const double*, const double*, const double*,
                                          const double*, std::size_t, double*),
                         void (*alive)(const Params&, const double*, const double*, const double*,
                                       std::size_t, double*),
                         void (*alive_in_future)(const Params&, const double*, const double*,
                                                 const double*, const double*, std::size_t, double*),
                         void (*dert)(const Params&, double, const double*, const double*,
                                      const double*, std::size_t, double*)) {
  m.def(
      (prefix + "_conditional_probability_alive_in_future").c_str(),
      [=](const double_array& p, const double_array& t, const double_array& x,
          const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("conditional_probability_alive_in_future", n,
                            {{"t", length_of(t)}, {"recency", length_of(t_x)}, {"T", length_of(T)}});
        const Params params = params_of(p, from_array, title);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        alive_in_future(params, t.data(), x.data(), t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("t"), py::arg("frequency"), py::arg("recency"), py::arg("T"),
      (std::string("P(alive at T + t | history) under ") + title + ".").c_str());

  m.def(
      (prefix + "_discounted_expected_residual_transactions").c_str(),
      [=](const double_array& p, double discount_rate, const double_array& x,
          const double_array& t_x, const double_array& T) {
        const std::size_t n = length_of(x);
        require_same_length("discounted_expected_residual_transactions", n,
                            {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const Params params = params_of(p, from_array, title);
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        dert(params, discount_rate, x.data(), t_x.data(), T.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("discount_rate"), py::arg("frequency"), py::arg("recency"),
      py::arg("T"),
      (std::string("DERT with continuous discounting exp(-discount_rate tau) under ") + title + ".")
          .c_str());

  m.def(
      (prefix + "_prediction_quantiles").c_str(),
      [=](const std::string& kind, const double_array& draws, double t, const double_array& x,
          const double_array& t_x, const double_array& T, const double_array& probs,
          const double_array& spend_draws, const double_array& monetary) {
        const std::size_t n = length_of(x);
        require_same_length("prediction_quantiles", n,
                            {{"recency", length_of(t_x)}, {"T", length_of(T)}});
        const double* xs = x.data();
        const double* txs = t_x.data();
        const double* Ts = T.data();
        const char* name = "prediction_quantiles";
        // every row and the horizon checked once, at the point estimate's first draw
        if (draws.ndim() == 2 && draws.shape(0) > 0 && draws.shape(1) == 4) {
          const Params first = from_array(draws.data());
          check_params(name, first);
          std::vector<double> probe(n);
          alive(first, xs, txs, Ts, n, probe.data());
        } else {
          throw std::invalid_argument(std::string(name) + ": draws must be draws x 4");
        }
        block_prediction predict;
        if (kind == "expected_purchases") {
          check::horizon(name, 0, t);
          predict = [=](const double* q, std::size_t b, std::size_t c, double* out) {
            const std::vector<double> ts(c, t);
            expected(from_array(q), ts.data(), xs + b, txs + b, Ts + b, c, out);
          };
        } else if (kind == "probability_alive") {
          check::horizon(name, 0, t);
          predict = [=](const double* q, std::size_t b, std::size_t c, double* out) {
            const std::vector<double> ts(c, t);
            alive_in_future(from_array(q), ts.data(), xs + b, txs + b, Ts + b, c, out);
          };
        } else if (kind == "dert" || kind == "clv") {
          predictions::check_discount(name, t);
          predict = [=](const double* q, std::size_t b, std::size_t c, double* out) {
            dert(from_array(q), t, xs + b, txs + b, Ts + b, c, out);
          };
        } else {
          throw std::invalid_argument(std::string(name) + ": unknown kind '" + kind + "'");
        }
        const auto D = static_cast<std::size_t>(draws.shape(0));
        auto spend = kind == "clv" ? spend_of(spend_draws, x, monetary, n, D)
                                   : std::function<double(std::size_t, std::size_t)>{};
        if (kind == "clv" && !spend)
          throw std::invalid_argument(std::string(name) + ": clv needs spend_draws");
        return draw_quantiles(predict, draws, n, probs, spend);
      },
      py::arg("kind"), py::arg("draws"), py::arg("t"), py::arg("frequency"), py::arg("recency"),
      py::arg("T"), py::arg("probs"), py::arg("spend_draws"), py::arg("monetary_value"),
      "Quantiles over parameter draws (rows) of a prediction per customer: kind "
      "'expected_purchases' (t = horizon), 'probability_alive' (t = horizon), 'dert' or 'clv' "
      "(t = continuous discount rate; clv multiplies by the Gamma-Gamma mean spend at "
      "spend_draws).");
}

}  // namespace

void register_predictions(py::module_& m) {
  register_continuous<bgnbd::params>(
      m, "bgnbd", "BG/NBD", &bgnbd::from_array, &bgnbd::check_params,
      &bgnbd::conditional_expected_number_of_purchases_up_to_time,
      &bgnbd::conditional_probability_alive, &bgnbd::conditional_probability_alive_in_future,
      &bgnbd::discounted_expected_residual_transactions);
  register_continuous<mbgnbd::params>(
      m, "mbgnbd", "MBG/NBD", &mbgnbd::from_array, &mbgnbd::check_params,
      &mbgnbd::conditional_expected_number_of_purchases_up_to_time,
      &mbgnbd::conditional_probability_alive, &mbgnbd::conditional_probability_alive_in_future,
      &mbgnbd::discounted_expected_residual_transactions);
  register_continuous<pareto_nbd::params>(
      m, "pareto_nbd", "Pareto/NBD", &pareto_nbd::from_array, &pareto_nbd::check_params,
      &pareto_nbd::conditional_expected_number_of_purchases_up_to_time,
      &pareto_nbd::conditional_probability_alive,
      &pareto_nbd::conditional_probability_alive_in_future,
      &pareto_nbd::discounted_expected_residual_transactions);

  m.def(
      "bgbb_discounted_expected_residual_transactions",
      [](const double_array& p, double discount_rate, const double_array& x,
         const double_array& t_x, const double_array& n_periods) {
        const std::size_t n = length_of(x);
        require_same_length("discounted_expected_residual_transactions", n,
                            {{"recency", length_of(t_x)}, {"n_periods", length_of(n_periods)}});
        const bgbb::params params = params_of(p, &bgbb::from_array, "BG/BB");
        auto out = new_array(n);
        double* o = out.mutable_data();
        py::gil_scoped_release release;
        bgbb::discounted_expected_residual_transactions(params, discount_rate, x.data(), t_x.data(),
                                                        n_periods.data(), n, o);
        return out;
      },
      py::arg("params"), py::arg("discount_rate"), py::arg("frequency"), py::arg("recency"),
      py::arg("n_periods"),
      "BG/BB DERT: transactions at opportunities n+1, n+2, ... discounted by (1+d)^-k.");
}

}  // namespace fastlifetimes::python
