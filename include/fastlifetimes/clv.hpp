#pragma once
/// Customer lifetime value as lifetimes computes it: the expected purchases in each of a
/// number of future periods, times the expected spend, discounted per period. For the
/// models whose conditional expectation factors as E(t | x, t_x, T) = A(t, x, T) B(x, t_x, T)
/// (BG/NBD eq. 10; Pareto/NBD and MBG/NBD have the same form), the horizon-dependent part
/// A is shared by every customer with the same (x, T), and B is computed once per
/// customer, where evaluating E period by period would redo both for every period.

#include <algorithm>
#include <cstddef>
#include <vector>

#include "fastlifetimes/core/check.hpp"
#include "fastlifetimes/core/parallel.hpp"
#include "fastlifetimes/data/rfm.hpp"

namespace fastlifetimes::clv {

/// out[i] = sum_k (E_i(to[k]) - E_i(from[k])) / discount[k] over `steps` periods, with
/// E_i(t) = horizon(t, x_i, T_i) * history(x_i, t_x_i, T_i). Throws std::domain_error
/// naming the first invalid history or horizon.
template <class Horizon, class History>
void discounted_purchases(const char* name, const double* to, const double* from,
                          const double* discount, std::size_t steps, const double* x,
                          const double* t_x, const double* T, std::size_t n, double* out,
                          Horizon horizon, History history) {
  for (std::size_t k = 0; k < steps; ++k) {
    check::horizon(name, k, to[k]);
    check::horizon(name, k, from[k]);
  }
  // Period k's end is usually period k-1's start (exactly so for whole-number periods):
  // evaluate A once per distinct horizon.
  std::vector<double> horizons(to, to + steps);
  horizons.insert(horizons.end(), from, from + steps);
  std::sort(horizons.begin(), horizons.end());
  horizons.erase(std::unique(horizons.begin(), horizons.end()), horizons.end());
  auto position = [&](double t) {
    return static_cast<std::size_t>(std::lower_bound(horizons.begin(), horizons.end(), t) -
                                    horizons.begin());
  };
  std::vector<std::size_t> to_at(steps), from_at(steps);
  for (std::size_t k = 0; k < steps; ++k) {
    to_at[k] = position(to[k]);
    from_at[k] = position(from[k]);
  }
  parallel_for(n, [&](std::size_t begin, std::size_t end) {
    fastlifetimes::detail::key_table<2> seen(std::min<std::size_t>(end - begin, 4096));
    std::vector<double> summed;  // per distinct (x, T): sum_k (A(to_k) - A(from_k)) / d_k
    std::vector<double> a(horizons.size());
    for (std::size_t i = begin; i < end; ++i) {
      check::prediction_row(name, i, x[i], t_x[i], T[i]);
      const double key[2] = {x[i], T[i]};
      const auto id = static_cast<std::size_t>(seen.find_or_insert(key));
      if (id == summed.size()) {
        for (std::size_t h = 0; h < horizons.size(); ++h) a[h] = horizon(horizons[h], x[i], T[i]);
        double s = 0.0;
        for (std::size_t k = 0; k < steps; ++k) s += (a[to_at[k]] - a[from_at[k]]) / discount[k];
        summed.push_back(s);
      }
      out[i] = summed[id] * history(x[i], t_x[i], T[i]);
    }
  });
}

}  // namespace fastlifetimes::clv
