// Percentile bootstrap for statistics without a distribution-free interval (the mean). Uses its
// own index draw so the same seed gives the same interval on every platform and standard library.
#include "harness/stats/interval.hpp"
#include "harness/stats/statistic_fn.hpp"

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>

namespace gpucert::stats {

// Efron's percentile interval: draw `resamples` samples of size n with replacement, evaluate the
// statistic on each, and take the α/2 and 1-α/2 quantiles of those values. Index draws use the
// multiply-high reduction of a 64-bit mt19937_64 output (bias < n / 2^64), not
// std::uniform_int_distribution, whose algorithm differs between standard libraries.
Interval bootstrap_ci(const std::vector<double>& values, const std::string& stat, double confidence,
                      int resamples, std::uint64_t seed) {
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument("bootstrap_ci: confidence must lie in (0, 1)");
  const StatisticFn fn = StatisticFn::parse(stat);
  Interval out;
  out.method = "bootstrap-percentile";
  if (values.empty())
    return out;
  std::vector<double> scratch = values;
  out.point = out.lo = out.hi = fn(scratch);
  // One value has no spread to resample; too few resamples cannot place the α/2 tails.
  const double alpha = 1 - confidence;
  if (values.size() < 2 || resamples < 1 || resamples * alpha / 2 < 1)
    return out;

  std::mt19937_64 rng(seed);
  const auto n = static_cast<unsigned __int128>(values.size());
  std::vector<double> stats(static_cast<size_t>(resamples));
  for (auto& s : stats) {
    for (auto& x : scratch)
      x = values[static_cast<size_t>((rng() * n) >> 64)];
    s = fn(scratch);
  }
  std::sort(stats.begin(), stats.end());
  out.lo = quantile_sorted(stats, alpha / 2);
  out.hi = quantile_sorted(stats, 1 - alpha / 2);
  out.valid = true;
  return out;
}

} // namespace gpucert::stats
