// A statistic name ("median", "mean", "min", "max", "pNN") parsed once into a callable, so the
// bootstrap does not re-parse it on every resample. Internal to harness/stats.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpucert::stats {

/// Type-7 quantile (linear interpolation between order statistics) of sorted values.
inline double quantile_sorted(const std::vector<double>& sorted, double q) {
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const auto lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

struct StatisticFn {
  enum class Kind { quantile, mean, min, max } kind = Kind::quantile;
  double q = 0.5; ///< for Kind::quantile

  /// Throws std::invalid_argument on a name profiles cannot use.
  static StatisticFn parse(const std::string& name) {
    if (name == "median")
      return {Kind::quantile, 0.5};
    if (name == "mean")
      return {Kind::mean, 0};
    if (name == "min")
      return {Kind::min, 0};
    if (name == "max")
      return {Kind::max, 0};
    if (name.size() >= 2 && name.size() <= 3 && name[0] == 'p') {
      int pct = 0;
      const char* first = name.data() + 1;
      const char* last = name.data() + name.size();
      auto [ptr, ec] = std::from_chars(first, last, pct);
      if (ec == std::errc() && ptr == last && pct >= 1 && pct <= 99 && first[0] != '0')
        return {Kind::quantile, pct / 100.0};
    }
    throw std::invalid_argument("unknown statistic '" + name +
                                "' (known: median, mean, min, max, p1..p99)");
  }

  /// Evaluates the statistic; reorders `values` (callers pass a scratch copy).
  double operator()(std::vector<double>& values) const {
    if (values.empty())
      throw std::invalid_argument("statistic of no values");
    switch (kind) {
    case Kind::mean:
      return std::accumulate(values.begin(), values.end(), 0.0) /
             static_cast<double>(values.size());
    case Kind::min:
      return *std::min_element(values.begin(), values.end());
    case Kind::max:
      return *std::max_element(values.begin(), values.end());
    case Kind::quantile:
      break;
    }
    // Type 7 needs the order statistics at floor(h) and floor(h)+1 only: two selections.
    const double h = (static_cast<double>(values.size()) - 1) * q;
    const auto lo = static_cast<size_t>(std::floor(h));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo),
                     values.end());
    const double a = values[lo];
    if (lo + 1 >= values.size())
      return a;
    const double b =
        *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1, values.end());
    return a + (h - static_cast<double>(lo)) * (b - a);
  }
};

} // namespace gpucert::stats
