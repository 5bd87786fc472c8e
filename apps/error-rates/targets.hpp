// The error-rate targets of issue 9, read from the tables (not timed unit tests): a target is
// violated only when the observation is beyond it by more than Monte Carlo error (3 standard
// errors of a proportion at the target itself).
#pragma once

#include "apps/error-rates/tables.hpp"

#include <string>
#include <vector>

namespace gpucert::error_rates {

/// At the floor, P(PASS) <= this at every CV (the PASS level of one check).
inline constexpr double kMaxPassAtFloor = 0.025;
/// A healthy node (1 % above every floor, CV 5 %): P(any FAIL) <= this.
inline constexpr double kMaxNodeFalseFail = 0.05;
/// 3 % above the floor at CV 2 %, within the standard tier's budget: P(PASS) >= this.
inline constexpr double kMinPassAbove = 0.99;
inline constexpr double kMonteCarloSigmas = 3;

struct TargetResult {
  std::string what;                            ///< which table and row
  std::string relation;                        ///< "<=" or ">="
  double observed = 0, limit = 0, allowed = 0; ///< allowed: the limit with Monte Carlo error
  long long trials = 0;
  bool ok = true;
  /// Reported, never failing --check: the targets are for independent samples; the
  /// dependent rows show how far the method's guard against dependence holds.
  bool informational = false;
};

std::vector<TargetResult> check_targets(const std::vector<MethodTable>& methods,
                                        const std::vector<NodeTable>& nodes);

} // namespace gpucert::error_rates
