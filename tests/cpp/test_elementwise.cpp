// Tests for fastlifetimes/math/elementwise.hpp: every element of a buffer gets the same
// exp/log whatever the buffer's length or the element's place in it.

#include <doctest/doctest.h>

#include <cmath>

#include "fastlifetimes/math/elementwise.hpp"

TEST_CASE("elementwise exp and log: the value alone decides the result") {
  Eigen::ArrayXd values(11);
  values << 0.24241906, 1e-300, 3.5, 709.0, -700.0, 1.0, 2.0, 1e-8, 0.5, 7.25, 123.456;
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    const double v = std::abs(values[i]) + 1e-3;
    Eigen::ArrayXd alone(1), log_alone(1);
    alone << values[i];
    log_alone << v;
    fastlifetimes::math::exp_in_place(alone);
    fastlifetimes::math::log_in_place(log_alone);
    CHECK(alone[0] == doctest::Approx(std::exp(values[i])).epsilon(1e-14));
    CHECK(log_alone[0] == doctest::Approx(std::log(v)).epsilon(1e-14));
    for (Eigen::Index n = 1; n <= 9; ++n)
      for (Eigen::Index at = 0; at < n; ++at) {
        Eigen::ArrayXd batch = Eigen::ArrayXd::LinSpaced(n, 0.1, 3.0), log_batch = batch;
        batch[at] = values[i];
        log_batch[at] = v;
        fastlifetimes::math::exp_in_place(batch);
        fastlifetimes::math::log_in_place(log_batch);
        CHECK(batch[at] == alone[0]);
        CHECK(log_batch[at] == log_alone[0]);
      }
  }
}

TEST_CASE("elementwise exp and log: on a block of a larger array, and empty") {
  Eigen::ArrayXd a = Eigen::ArrayXd::LinSpaced(13, -2.0, 2.0), b = a;
  fastlifetimes::math::exp_in_place(a.segment(3, 7));
  for (Eigen::Index i = 0; i < 13; ++i) {
    if (i >= 3 && i < 10)
      CHECK(a[i] == doctest::Approx(std::exp(b[i])).epsilon(1e-14));
    else
      CHECK(a[i] == b[i]);  // outside the block: untouched
  }
  Eigen::ArrayXd empty(0);
  fastlifetimes::math::log_in_place(empty);
  CHECK(empty.size() == 0);
}
