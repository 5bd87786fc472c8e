// Trend and lag-1 autocorrelation of a sample series, for tests that check what the simulator's
// drift and autocorrelation faults put into the samples.
#pragma once

#include <cstddef>
#include <numeric>
#include <vector>

namespace gpucert::test {

/// Least-squares slope of y on x.
inline double slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxy / sxx;
}

/// Sample lag-1 autocorrelation.
inline double lag1(const std::vector<double>& v) {
  const double m = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double num = 0, den = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    den += (v[i] - m) * (v[i] - m);
    if (i > 0)
      num += (v[i] - m) * (v[i - 1] - m);
  }
  return num / den;
}

} // namespace gpucert::test
