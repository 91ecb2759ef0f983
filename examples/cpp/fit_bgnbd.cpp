// Read an RFM table (CSV with a header naming frequency, recency and T columns), fit the
// BG/NBD model and print, for the customers with the most expected purchases, the
// expectation over the next 30 time units and P(alive).
//
//   fit_bgnbd cdnow_customers_summary.csv [top_n]

#include <fastlifetimes/fastlifetimes.hpp>
#include <fastlifetimes/optim/model_fit.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) fields.push_back(field);
  return fields;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s rfm.csv [top_n]\n", argv[0]);
    return 2;
  }
  const int top_n = argc > 2 ? std::stoi(argv[2]) : 10;
  std::ifstream file(argv[1]);
  if (!file) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  std::string line;
  std::getline(file, line);
  const auto header = split(line);
  auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  const int cx = column("frequency"), ct = column("recency"), cT = column("T");
  if (cx < 0 || ct < 0 || cT < 0) {
    std::fprintf(stderr, "the header must name frequency, recency and T columns\n");
    return 1;
  }
  std::vector<std::string> ids;
  std::vector<double> x, t_x, T;
  while (std::getline(file, line)) {
    const auto f = split(line);
    ids.push_back(f[0]);
    x.push_back(std::stod(f[static_cast<std::size_t>(cx)]));
    t_x.push_back(std::stod(f[static_cast<std::size_t>(ct)]));
    T.push_back(std::stod(f[static_cast<std::size_t>(cT)]));
  }

  using namespace fastlifetimes;
  const auto fit = fastlifetimes::fit<bgnbd::model>(x.data(), t_x.data(), T.data(), nullptr,
                                                    x.size(), /*penalizer=*/0.0);
  if (!fit.converged) {
    std::fprintf(stderr, "%s\n", fit.message.c_str());
    return 1;
  }
  const bgnbd::params p = bgnbd::from_array(fit.params.data());
  std::printf("fastlifetimes %s: BG/NBD on %zu customers: r=%.6f alpha=%.6f a=%.6f b=%.6f LL=%.4f\n",
              FASTLIFETIMES_VERSION, x.size(), p.r, p.alpha, p.a, p.b, fit.log_likelihood);

  std::vector<double> t(x.size(), 30.0), expected(x.size()), alive(x.size());
  bgnbd::conditional_expected_number_of_purchases_up_to_time(p, t.data(), x.data(), t_x.data(),
                                                             T.data(), x.size(), expected.data());
  bgnbd::conditional_probability_alive(p, x.data(), t_x.data(), T.data(), x.size(), alive.data());
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t i, std::size_t j) { return expected[i] > expected[j]; });
  std::printf("%-10s %9s %9s %9s %12s %9s\n", "customer", "frequency", "recency", "T",
              "E[X(30)]", "P(alive)");
  for (int k = 0; k < top_n && k < static_cast<int>(order.size()); ++k) {
    const std::size_t i = order[static_cast<std::size_t>(k)];
    std::printf("%-10s %9.0f %9.2f %9.2f %12.4f %9.4f\n", ids[i].c_str(), x[i], t_x[i], T[i],
                expected[i], alive[i]);
  }
  return 0;
}
