// Planning a certification run: profile clauses → measurements (benchmark, resolved parameters,
// target, sampling policy). Clauses that need the same experiment share one measurement.
#pragma once

#include "harness/measure/runner.hpp"
#include "harness/profile/profile.hpp"

#include <string>
#include <vector>

namespace gpucert::certify {

struct PlannedMeasurement {
  const BenchmarkDef* def = nullptr;
  Params params; ///< resolved
  Target target;
  std::vector<profile::Clause> clauses; ///< every clause this measurement decides
  SamplingPolicy policy;
  bool sustained = false;                     ///< runs its full duration: no early stop
  Concurrency concurrency = Concurrency::all; ///< from its clauses (all share it)
  std::string key;                            ///< benchmark[params]@target
  std::string label;                          ///< "hbm-triad gpu5" for progress lines
};

/// Measurements for `profile` on `gpus`, in clause order then target order. Health clauses
/// (inventory.*, telemetry.*) need no measurement of their own.
std::vector<PlannedMeasurement> plan(const Registry& registry, const profile::Profile& profile,
                                     const std::vector<int>& gpus);

/// The sampling policy of the profile's method; `sustained_s` > 0 makes it run that long.
SamplingPolicy policy_for(const profile::Method& method, profile::Tier tier, double sustained_s);

} // namespace gpucert::certify
