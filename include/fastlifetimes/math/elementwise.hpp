#pragma once
// exp and log over a buffer, every element rounded the same way.
//
// Eigen evaluates `array.exp()` and `.log()` with its own SIMD polynomial on whole
// packets and with std::exp / std::log on the elements left over (and on an unaligned
// head). The two agree to within an ulp but not bit for bit, so a customer's P(alive)
// would depend on where it falls in a batch: in a portable (SSE2, two doubles a packet)
// build a batch of one is always the scalar remainder, while the same customer in a batch
// of six goes through the polynomial. These run the packet kernel on every element,
// the remainder through a padded packet, so the result depends on the value only.

#include <Eigen/Core>

#include <algorithm>
#include <array>

namespace fastlifetimes::math {

namespace detail {

enum class kernel : unsigned char { exp, log };

// Eigen's packet types are vector types carrying alignment attributes, which GCC drops
// (with -Wignored-attributes) wherever one becomes a template argument, as in ploadu<Packet>:
// harmless here, Eigen's own headers hide the same warning as system headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif
template <kernel K>
inline void packetwise(double* v, Eigen::Index n) {
  using Packet = Eigen::internal::packet_traits<double>::type;
  constexpr Eigen::Index size = Eigen::internal::unpacket_traits<Packet>::size;
  const auto apply = [](double* at) {
    const Packet p = Eigen::internal::ploadu<Packet>(at);
    Eigen::internal::pstoreu(at, K == kernel::exp ? Eigen::internal::pexp(p) : Eigen::internal::plog(p));
  };
  Eigen::Index i = 0;
  for (; i + size <= n; i += size) apply(v + i);
  if (i == n) return;
  // 1 is in the domain of both kernels; the padding's results are dropped
  std::array<double, static_cast<std::size_t>(size)> tail;
  tail.fill(1.0);
  std::copy(v + i, v + n, tail.begin());
  apply(tail.data());
  std::copy(tail.begin(), tail.begin() + (n - i), v + i);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace detail

/// v = exp(v), element by element, each the same function of its value.
inline void exp_in_place(Eigen::Ref<Eigen::ArrayXd> v) {
  detail::packetwise<detail::kernel::exp>(v.data(), v.size());
}

/// v = log(v), element by element, each the same function of its value.
inline void log_in_place(Eigen::Ref<Eigen::ArrayXd> v) {
  detail::packetwise<detail::kernel::log>(v.data(), v.size());
}

}  // namespace fastlifetimes::math
