#pragma once
// Reading the CDNOW calibration summary for the tests that reproduce published numbers.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fastlifetimes_test {

struct cdnow_summary {
  std::vector<double> x, t_x, T;
  bool found = false;
};

/// The full-precision calibration summary of BTYD (GPL-3, read in place, never copied);
/// falls back to the MIT 2-decimal summary shipped with the Python package.
inline cdnow_summary load_cdnow_summary(bool full_precision = true) {
  cdnow_summary out;
  const std::string full = std::string(FASTLIFETIMES_SHARED_DATA) + "/btyd_r/cdnowSummary_cbs.csv";
  const std::string rounded =
      std::string(FASTLIFETIMES_PACKAGE_DATA) + "/cdnow_customers_summary.csv";
  std::ifstream in(full_precision ? full : rounded);
  if (!in) return out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string id, x, t_x, T;
    std::getline(row, id, ',');
    std::getline(row, x, ',');
    std::getline(row, t_x, ',');
    std::getline(row, T, ',');
    out.x.push_back(std::stod(x));
    out.t_x.push_back(std::stod(t_x));
    out.T.push_back(std::stod(T));
  }
  out.found = !out.x.empty();
  return out;
}

/// The donations data of Fader, Hardie & Shang (2010) as lifetimes ships it (MIT): one row
/// per (frequency, recency, n) cell with the number of donors in it. With
/// `with_holdout`, BTYD's copy (GPL-3, read in place) adds each cell's total holdout
/// transactions (2002-2006) in `x_star`.
struct donations_matrix {
  std::vector<double> x, t_x, n, weight, x_star;
  bool found = false;
};

inline donations_matrix load_donations(bool with_holdout = false) {
  donations_matrix out;
  const std::string path =
      with_holdout ? std::string(FASTLIFETIMES_SHARED_DATA) + "/btyd_r/donationsSummary_rf_matrix.csv"
                   : std::string(FASTLIFETIMES_PACKAGE_DATA) + "/donations.csv";
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::vector<double> cells;
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(std::stod(cell));
    // lifetimes: frequency,recency,periods,weights; BTYD: x,t.x,n.cal,custs,x.star
    out.x.push_back(cells[0]);
    out.t_x.push_back(cells[1]);
    out.n.push_back(cells[2]);
    out.weight.push_back(cells[3]);
    if (with_holdout) out.x_star.push_back(cells[4]);
  }
  out.found = !out.x.empty();
  return out;
}

}  // namespace fastlifetimes_test

namespace fastlifetimes_test {

/// CDNOW's calibration frequency x and mean repeat spend m.x (BTYD's cdnowSummary$m.x),
/// for the customers with x > 0: the 946 rows Fader & Hardie fit the Gamma-Gamma model to.
struct cdnow_spend {
  std::vector<double> x, m;
  bool found = false;
};

inline cdnow_spend load_cdnow_spend() {
  cdnow_spend out;
  const auto rfm = load_cdnow_summary(true);
  std::ifstream in(std::string(FASTLIFETIMES_SHARED_DATA) + "/btyd_r/cdnowSummary_m_x.csv");
  if (!rfm.found || !in) return out;
  std::string line;
  std::getline(in, line);  // header
  std::size_t i = 0;
  while (std::getline(in, line) && i < rfm.x.size()) {
    std::stringstream row(line);
    std::string id, m;
    std::getline(row, id, ',');
    std::getline(row, m, ',');
    if (rfm.x[i] > 0) {
      out.x.push_back(rfm.x[i]);
      out.m.push_back(std::stod(m));
    }
    ++i;
  }
  out.found = i == rfm.x.size() && !out.x.empty();
  return out;
}

}  // namespace fastlifetimes_test
