// Point statistics and confidence intervals for quantiles (order statistics) and for any
// statistic (ci_for picks the method the verdict engine uses). Method in harness/measure/METHOD.md.
#include "harness/stats/interval.hpp"

#include "harness/stats/statistic_fn.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace gpucert::stats {

double statistic(const std::vector<double>& values, const std::string& stat) {
  const StatisticFn fn = StatisticFn::parse(stat);
  std::vector<double> copy = values;
  return fn(copy);
}

double quantile(std::vector<double> values, double q) {
  if (values.empty())
    throw std::invalid_argument("quantile of no values");
  if (!(q >= 0 && q <= 1))
    throw std::invalid_argument("quantile level outside [0, 1]");
  std::sort(values.begin(), values.end());
  return quantile_sorted(values, q);
}

namespace {

/// CDF of Binomial(n, q) at k = 0..n-1 (index k holds P(B <= k)). Computed in log space with
/// lgamma so that large n neither underflows (0.5^n) nor overflows (n choose k).
std::vector<double> binomial_cdf(int n, double q) {
  std::vector<double> cdf(static_cast<size_t>(n) + 1);
  const double lq = std::log(q), l1q = std::log1p(-q), lnf = std::lgamma(n + 1.0);
  double acc = 0;
  for (int k = 0; k <= n; ++k) {
    acc += std::exp(lnf - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * lq + (n - k) * l1q);
    cdf[static_cast<size_t>(k)] = std::min(acc, 1.0);
  }
  return cdf;
}

} // namespace

// Distribution-free interval for the q-quantile ξ. With x(1) <= ... <= x(n) and B, the number of
// samples below ξ, distributed Binomial(n, q) (any continuous distribution):
//   P(x(l) <= ξ <= x(u)) = P(l <= B <= u-1) = F(u-1) - F(l-1).
// We take the largest l with F(l-1) <= α/2 and the smallest u with F(u-1) >= 1-α/2, so each tail
// misses with probability at most α/2 and coverage is at least `confidence` (it is exact at the
// attainable binomial level, hence slightly conservative for small n). When even l = 1 or u = n
// cannot reach α/2 (for the median at 95 %: n < 6), the interval is invalid.
Interval quantile_ci(std::vector<double> values, double q, double confidence) {
  if (!(q > 0 && q < 1))
    throw std::invalid_argument("quantile_ci: q must lie in (0, 1)");
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument("quantile_ci: confidence must lie in (0, 1)");
  Interval out;
  out.method = "order-statistic";
  if (values.empty())
    return out;
  std::sort(values.begin(), values.end());
  const int n = static_cast<int>(values.size());
  out.point = quantile_sorted(values, q);
  out.lo = values.front();
  out.hi = values.back();

  const double half_alpha = (1 - confidence) / 2;
  constexpr double kSlack = 1e-12; // rounding in the CDF sum must not flip an exact boundary
  const std::vector<double> cdf = binomial_cdf(n, q);
  int l = 0; // 1-based order statistic; 0 = none qualifies
  for (int cand = 1; cand <= n && cdf[static_cast<size_t>(cand - 1)] <= half_alpha + kSlack; ++cand)
    l = cand;
  int u = 0;
  for (int cand = n; cand >= 1 && cdf[static_cast<size_t>(cand - 1)] >= 1 - half_alpha - kSlack;
       --cand)
    u = cand;
  if (l == 0 || u == 0 || l > u)
    return out;
  out.lo = values[static_cast<size_t>(l - 1)];
  out.hi = values[static_cast<size_t>(u - 1)];
  out.valid = true;
  return out;
}

Interval ci_for(const std::vector<double>& values, const std::string& stat, double confidence) {
  const StatisticFn fn = StatisticFn::parse(stat);
  switch (fn.kind) {
  case StatisticFn::Kind::quantile:
    return quantile_ci(values, fn.q, confidence);
  case StatisticFn::Kind::mean:
    return bootstrap_ci(values, stat, confidence);
  case StatisticFn::Kind::min:
  case StatisticFn::Kind::max: {
    // The observed extreme is what the samples prove: every sample taken was at least (at
    // most) this. It is not an estimate of a population extreme, so no interval around it.
    Interval out;
    out.method = "exact";
    if (values.empty())
      return out;
    std::vector<double> copy = values;
    out.point = out.lo = out.hi = fn(copy);
    out.valid = true;
    return out;
  }
  }
  throw std::invalid_argument("unknown statistic '" + stat + "'");
}

double relative_half_width(const Interval& i) {
  if (!i.valid || i.point == 0 || !std::isfinite(i.point))
    return std::numeric_limits<double>::infinity();
  return (i.hi - i.lo) / 2 / std::fabs(i.point);
}

} // namespace gpucert::stats
