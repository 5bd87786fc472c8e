// The PASS side of a clause's sequential design must reach a bound by max_samples (METHOD.md §7).
#include "harness/profile/profile_decidable.hpp"

#include "harness/profile/yaml_guard.hpp"
#include "harness/stats/limits.hpp"
#include "harness/stats/sequential.hpp"

#include <fmt/core.h>
#include <string>

namespace gpucert::profile::detail {

namespace {

double quantile_of(const std::string& stat) {
  if (stat == "median")
    return 0.5;
  if (stat == "min")
    return stats::kToleranceTail;
  if (stat == "max")
    return 1 - stats::kToleranceTail;
  return std::stod(stat.substr(1)) / 100; // pNN, validated before
}

} // namespace

void check_decidable(const Clause& c, const Method& m, Tier tier, const Loc& clause_loc) {
  if (c.is_health() || c.duration || tier == Tier::soak || c.relative_to_siblings())
    return; // held loads are judged on windows of however many samples the duration gives
  const auto at = c.locs.count("stat") ? c.locs.at("stat") : clause_loc;
  if (c.stat == "mean") {
    if (m.max_samples < stats::kMinMeanSamples)
      fail(at, "stat",
           fmt::format("clause '{}': a mean needs at least {} samples and method.max_samples is "
                       "{}: it could never be decided",
                       c.id, stats::kMinMeanSamples, m.max_samples));
    return;
  }
  const double q = quantile_of(c.stat);
  const double half = (1 - m.confidence) / 2;
  // The PASS side: the lower end of a floor, the upper end of a ceiling (a band needs both).
  const bool need_lower = c.min.has_value(), need_upper = c.max.has_value();
  auto first_bound = [&](int n_max) {
    const auto d = stats::sign_design(q, m.min_samples, n_max, half, half);
    const int lo = d->first_lower(), hi = d->first_upper();
    if ((need_lower && lo == 0) || (need_upper && hi == 0))
      return 0;
    return std::max(need_lower ? lo : 0, need_upper ? hi : 0);
  };
  if (first_bound(m.max_samples) > 0)
    return;
  // How many it would take: the smallest budget whose design has the bound (doubling, then
  // bisection), so the message gives a figure the user can put into max_samples.
  int lo = m.max_samples, hi = m.max_samples;
  while (hi < stats::kMaxDesignLooks && first_bound(hi) == 0) {
    lo = hi;
    hi = std::min(hi * 2, stats::kMaxDesignLooks);
  }
  const bool reachable = first_bound(hi) > 0;
  while (reachable && hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    (first_bound(mid) > 0 ? hi : lo) = mid;
  }
  const std::string side = need_lower && need_upper ? "pass its band"
                           : need_lower             ? "clear its floor"
                                                    : "stay under its ceiling";
  fail(at, "stat",
       reachable
           ? fmt::format("clause '{}': the {} at {:.0f}% confidence cannot {} before {} samples, "
                         "and method.max_samples is {}: raise max_samples or use another "
                         "statistic",
                         c.id, c.stat, 100 * m.confidence, side, hi, m.max_samples)
           : fmt::format("clause '{}': the {} at {:.0f}% confidence cannot {} within {} samples: "
                         "use another statistic",
                         c.id, c.stat, 100 * m.confidence, side, stats::kMaxDesignLooks));
}

} // namespace gpucert::profile::detail
