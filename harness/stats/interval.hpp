// Statistics for verdicts: point estimates and confidence intervals of a sample statistic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpucert::stats {

struct Interval {
  double point = 0; ///< the statistic on the sample
  double lo = 0, hi = 0;
  bool valid = false; ///< false when n is too small for the requested confidence
  std::string method; ///< "order-statistic", "bootstrap-percentile", "exact"
};

/// Statistic names as profiles spell them: "median", "mean", "min", "max", "pNN" (p1..p99).
/// Throws std::invalid_argument on an unknown name.
double statistic(const std::vector<double>& values, const std::string& stat);

/// q-quantile (0<q<1), linear interpolation between order statistics (type 7).
double quantile(std::vector<double> values, double q);

/// Distribution-free CI for the q-quantile from order statistics (binomial), two-sided at
/// `confidence`. Invalid when n is too small.
Interval quantile_ci(std::vector<double> values, double q, double confidence);

/// Percentile-bootstrap CI for any statistic; deterministic for a given seed.
Interval bootstrap_ci(const std::vector<double>& values, const std::string& stat, double confidence,
                      int resamples = 2000, std::uint64_t seed = 42);

/// The CI the verdict engine uses for `stat`: order statistics for median/pNN, bootstrap for
/// mean; for min/max the observed extreme (a bound the data proves, see METHOD.md).
Interval ci_for(const std::vector<double>& values, const std::string& stat, double confidence);

/// Relative half-width of an interval: (hi - lo) / 2 / |point|; infinity when invalid.
double relative_half_width(const Interval& i);

} // namespace gpucert::stats
