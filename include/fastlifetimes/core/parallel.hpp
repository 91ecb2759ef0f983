#pragma once
/// Split a loop over customers between the machine's cores. Below `min_per_thread` rows
/// per thread the loop runs on the calling thread: starting threads costs more than it
/// saves on small inputs.

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace fastlifetimes {

/// Calls body(begin, end) on disjoint chunks covering [0, n). The first exception thrown
/// by a chunk is rethrown on the calling thread after all chunks finish.
template <class Body>
void parallel_for(std::size_t n, Body&& body, std::size_t min_per_thread = 50'000) {
  const std::size_t hardware = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads = std::min(hardware, std::max<std::size_t>(1, n / min_per_thread));
  if (threads <= 1) {
    body(std::size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(threads);
  const std::size_t chunk = (n + threads - 1) / threads;
  auto run = [&](std::size_t k) {
    const std::size_t begin = k * chunk, end = std::min(n, begin + chunk);
    try {
      body(begin, end);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  };
  // the calling thread takes the first chunk itself: one thread fewer to start
  for (std::size_t k = 1; k < threads; ++k) pool.emplace_back(run, k);
  run(0);
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}


/// body(begin, end, sums) on the two halves of [0, n), added element-wise. Always two
/// halves, so that the sums do not depend on the machine; the second half on a thread of
/// its own from `min_for_thread` rows. For likelihood sums over distinct histories.
template <class Sums, class Body>
Sums sum_in_two_halves(Eigen::Index n, Eigen::Index min_for_thread, Body&& body) {
  const Eigen::Index half = n / 2;
  Sums lower{}, upper{};
  if (n >= min_for_thread) {
    std::thread worker([&] { body(half, n, upper); });
    body(Eigen::Index{0}, half, lower);
    worker.join();
  } else {
    body(Eigen::Index{0}, half, lower);
    body(half, n, upper);
  }
  for (std::size_t k = 0; k < lower.size(); ++k) lower[k] += upper[k];
  return lower;
}

}  // namespace fastlifetimes
