// Group-sequential sign-test designs (exact, by dynamic programming over the binomial walk) and
// the confidence sequence for a quantile they induce. Method: harness/measure/METHOD.md §7.
#include "harness/stats/sequential.hpp"

#include "harness/stats/distributions.hpp"
#include "harness/stats/statistic_fn.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

namespace gpucert::stats {

namespace {

/// log P(B = k) for B ~ Binomial(n, q), k = 0..n.
std::vector<double> binomial_log_pmf(int n, double q) {
  std::vector<double> out(static_cast<size_t>(n) + 1);
  const double lq = std::log(q), l1q = std::log1p(-q), lnf = std::lgamma(n + 1.0);
  for (int k = 0; k <= n; ++k)
    out[static_cast<size_t>(k)] =
        lnf - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * lq + (n - k) * l1q;
  return out;
}

/// Lower-tail boundaries at one per-look level: bound[n] = largest c with P(B_n <= c) <= level,
/// -1 when even P(B_n = 0) exceeds it. Needs the CDF per n: O(n_max^2) once per level, which is
/// cheap beside the DP and keeps the search exact.
std::vector<int> lower_bounds(const std::vector<std::vector<double>>& cdf, int n_min, int n_max,
                              double level) {
  std::vector<int> bound(static_cast<size_t>(n_max) + 1, -1);
  constexpr double kSlack = 1e-12; // summation rounding must not flip an exact boundary
  for (int n = n_min; n <= n_max; ++n) {
    const auto& f = cdf[static_cast<size_t>(n)];
    // f is nondecreasing: binary search for the last entry <= level.
    const auto it = std::upper_bound(f.begin(), f.end(), level + kSlack);
    bound[static_cast<size_t>(n)] = static_cast<int>(it - f.begin()) - 1;
  }
  return bound;
}

/// Exact P(there is a look n in [n_min, n_max] with B_n <= bound[n]) for the Binomial(·, q)
/// walk: carry the distribution of B_n over the paths not yet absorbed, one sample at a time.
double crossing_probability(const std::vector<int>& bound, int n_min, int n_max, double q) {
  std::vector<double> mass(static_cast<size_t>(n_max) + 2, 0.0), next(mass.size(), 0.0);
  mass[0] = 1.0;
  double crossed = 0;
  for (int n = 1; n <= n_max; ++n) {
    std::fill(next.begin(), next.begin() + n + 1, 0.0);
    for (int k = 0; k < n; ++k) {
      const double m = mass[static_cast<size_t>(k)];
      if (m == 0)
        continue;
      next[static_cast<size_t>(k)] += m * (1 - q);
      next[static_cast<size_t>(k) + 1] += m * q;
    }
    std::swap(mass, next);
    if (n >= n_min) {
      for (int k = 0; k <= bound[static_cast<size_t>(n)]; ++k) {
        crossed += mass[static_cast<size_t>(k)];
        mass[static_cast<size_t>(k)] = 0;
      }
    }
  }
  return crossed;
}

struct Side {
  std::vector<int> bound;
  double nominal = 0, crossing = 0;
};

/// The largest per-look level whose boundaries keep the ever-crossing probability of the lower
/// side within `budget`. The crossing probability is a nondecreasing step function of the level
/// (boundaries only move outward), so bisection on log(level) converges to the last step <=
/// budget; the boundaries are those of the level found, so the guarantee holds exactly.
Side lower_side(double q, int n_min, int n_max, double budget) {
  std::vector<std::vector<double>> cdf(static_cast<size_t>(n_max) + 1);
  for (int n = n_min; n <= n_max; ++n) {
    const auto lp = binomial_log_pmf(n, q);
    auto& f = cdf[static_cast<size_t>(n)];
    f.resize(lp.size());
    double acc = 0;
    for (size_t k = 0; k < lp.size(); ++k)
      f[k] = std::min(acc += std::exp(lp[k]), 1.0);
  }
  Side best;
  best.bound = lower_bounds(cdf, n_min, n_max, 0);
  best.nominal = 0;
  best.crossing = 0;
  if (n_min == n_max) { // one look: the fixed-sample interval at the whole budget
    best.bound = lower_bounds(cdf, n_min, n_max, budget);
    best.nominal = budget;
    best.crossing = crossing_probability(best.bound, n_min, n_max, q);
    return best;
  }
  double lo = std::log(1e-300), hi = std::log(budget);
  {
    const auto at_budget = lower_bounds(cdf, n_min, n_max, budget);
    const double c = crossing_probability(at_budget, n_min, n_max, q);
    if (c <= budget) // one look's level already spends all of it (few looks can reach a bound)
      return {at_budget, budget, c};
  }
  for (int iter = 0; iter < 64; ++iter) {
    const double mid = (lo + hi) / 2;
    const auto b = lower_bounds(cdf, n_min, n_max, std::exp(mid));
    const double c = crossing_probability(b, n_min, n_max, q);
    if (c <= budget) {
      lo = mid;
      best = {b, std::exp(mid), c};
    } else {
      hi = mid;
    }
    if (hi - lo < 1e-6)
      break;
  }
  return best;
}

} // namespace

int SignDesign::first_lower() const {
  for (int n = n_min; n <= n_max; ++n)
    if (lower[static_cast<size_t>(n)] >= 0)
      return n;
  return 0;
}

int SignDesign::first_upper() const {
  for (int n = n_min; n <= n_max; ++n)
    if (upper[static_cast<size_t>(n)] <= n)
      return n;
  return 0;
}

std::shared_ptr<const SignDesign> sign_design(double q, int n_min, int n_max, double alpha_lower,
                                              double alpha_upper) {
  if (!(q > 0 && q < 1))
    throw std::invalid_argument("sign_design: q must lie in (0, 1)");
  if (n_min < 1 || n_max < n_min)
    throw std::invalid_argument("sign_design: need 1 <= n_min <= n_max");
  if (!(alpha_lower > 0 && alpha_lower <= 0.5) || !(alpha_upper > 0 && alpha_upper <= 0.5))
    throw std::invalid_argument("sign_design: error budgets must lie in (0, 0.5]");

  using Key = std::tuple<double, int, int, double, double>;
  static std::mutex mu;
  static std::map<Key, std::shared_ptr<const SignDesign>> cache;
  const Key key{q, n_min, n_max, alpha_lower, alpha_upper};
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(key); it != cache.end())
      return it->second;
  }

  auto d = std::make_shared<SignDesign>();
  d->q = q;
  d->n_min = n_min;
  d->n_max = n_max;
  d->alpha_lower = alpha_lower;
  d->alpha_upper = alpha_upper;
  const Side low = lower_side(q, n_min, n_max, alpha_lower);
  // The upper side is the lower side of the complement count n - B ~ Binomial(n, 1 - q):
  // P(B >= c) <= level  <=>  P(n - B <= n - c) <= level.
  const Side high = lower_side(1 - q, n_min, n_max, alpha_upper);
  d->lower = low.bound;
  d->nominal_lower = low.nominal;
  d->crossing_lower = low.crossing;
  d->nominal_upper = high.nominal;
  d->crossing_upper = high.crossing;
  d->upper.assign(static_cast<size_t>(n_max) + 1, 0);
  for (int n = 0; n <= n_max; ++n) {
    d->upper[static_cast<size_t>(n)] = n + 1;
    if (n >= n_min)
      d->upper[static_cast<size_t>(n)] = n - high.bound[static_cast<size_t>(n)];
    if (n < n_min)
      d->lower[static_cast<size_t>(n)] = -1;
  }

  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() > 4096) // bounded: a long-lived process judging many designs
    cache.clear();
  return cache.emplace(key, std::move(d)).first->second;
}

Interval sequential_quantile_ci(std::vector<double> values, const SignDesign& d) {
  Interval out;
  out.method = "sequential-order-statistic";
  if (values.empty())
    return out;
  std::sort(values.begin(), values.end());
  const int n = static_cast<int>(values.size());
  out.point = quantile_sorted(values, d.q);
  out.lo = -std::numeric_limits<double>::infinity();
  out.hi = std::numeric_limits<double>::infinity();
  if (n < d.n_min || n > d.n_max)
    return out;
  const int a = d.lower[static_cast<size_t>(n)];
  const int b = d.upper[static_cast<size_t>(n)];
  if (a >= 0)
    out.lo = values[static_cast<size_t>(a)]; // x(a + 1), 1-based
  if (b <= n)
    out.hi = values[static_cast<size_t>(b - 1)]; // x(b)
  out.valid = a >= 0 || b <= n;
  return out;
}

double samples_to_decide(double q, double p_below, double nominal) {
  if (p_below == q || !(nominal > 0 && nominal < 0.5))
    return std::numeric_limits<double>::infinity();
  const double z = normal_quantile(1 - nominal);
  const double d = q - p_below;
  return std::ceil(z * z * q * (1 - q) / (d * d));
}

} // namespace gpucert::stats
