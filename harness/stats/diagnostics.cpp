// Trend (Spearman's rho against sample order) and lag-1 autocorrelation of the ranks, each with
// its large-sample normal reference under i.i.d. sampling.
#include "harness/stats/diagnostics.hpp"

#include "harness/stats/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gpucert::stats {

namespace {

/// Ranks 1..n, ties sharing their average rank (timer quantisation makes ties common).
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
      ++j;
    const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (size_t k = i; k <= j; ++k)
      r[order[k]] = avg;
    i = j + 1;
  }
  return r;
}

} // namespace

Diagnosis diagnose(const std::vector<double>& values, double level) {
  Diagnosis d;
  d.n = static_cast<int>(values.size());
  if (d.n < kMinDiagnosisSamples)
    return d;
  const std::vector<double> r = ranks(values);
  const double n = d.n;
  const double mean = (n + 1) / 2;
  double ss = 0, lag = 0, cross = 0, ss_t = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    const double dr = r[i] - mean, dt = static_cast<double>(i) + 1 - mean;
    ss += dr * dr;
    ss_t += dt * dt;
    cross += dr * dt;
    if (i + 1 < r.size())
      lag += dr * (r[i + 1] - mean);
  }
  d.checked = true;
  if (ss == 0) // every sample equal: nothing varies, nothing to diagnose
    return d;
  d.lag1 = lag / ss;
  d.lag1_z = (d.lag1 + 1 / n) * std::sqrt(n);
  d.trend = cross / std::sqrt(ss * ss_t);
  d.trend_z = d.trend * std::sqrt(n - 1);
  d.autocorrelated = d.lag1_z > normal_quantile(1 - level);
  d.trending = std::fabs(d.trend_z) > normal_quantile(1 - level / 2);
  return d;
}

} // namespace gpucert::stats
