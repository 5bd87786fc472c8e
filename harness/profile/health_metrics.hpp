// Health metrics: values read from the node inventory (inventory.*) or from the telemetry
// recorded while benchmarks ran (telemetry.*), not from a benchmark. The evaluator reads them.
#pragma once

#include "harness/model/results.hpp"

#include <string>
#include <vector>

namespace gpucert::profile {

struct HealthMetricDef {
  std::string name; ///< "inventory.ecc_uncorrected"
  Scope scope = Scope::gpu;
  enum class Kind { number, boolean, text } kind = Kind::number;
  std::string unit;
  std::string description;
};

/// Every health metric a profile may name (documented in profiles/README.md, Health metrics).
const std::vector<HealthMetricDef>& health_metrics();
/// The definition of `name`, or nullptr.
const HealthMetricDef* find_health_metric(const std::string& name);

} // namespace gpucert::profile
