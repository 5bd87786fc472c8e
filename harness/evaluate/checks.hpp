// Internal pieces of the verdict engine: check skeletons, health/match checks, cause attribution.
#pragma once

#include "harness/model/certificate.hpp"
#include "harness/model/results.hpp"
#include "harness/profile/profile.hpp"

#include <string>
#include <vector>

namespace gpucert::evaluate::detail {

/// Every GPU index in `inv` → its GpuInfo (nullptr when the inventory lacks it).
const GpuInfo* find_gpu(const Inventory& inv, int index);

/// Checks of the `match` block (ids "match.<key>"), one per GPU or for the node.
std::vector<report::Check> match_checks(const profile::Profile& p, const Results& r,
                                        const std::vector<int>& gpus);

/// Checks of a clause on an inventory.* or telemetry.* metric.
std::vector<report::Check> health_checks(const profile::Clause& c, const profile::Profile& p,
                                         const Results& r, const std::vector<int>& gpus);

/// What the evidence says about a FAIL of `metric` on `target`: throttling during the window,
/// clocks held low, PCIe trained down, NVLink links down, ECC errors. Empty when nothing shows.
std::vector<std::string> failure_causes(const std::string& metric, const Target& target,
                                        const Measurement* m, const Results& r);

/// "HW slowdown (thermal) 41% of window, 87 °C" for one GPU's window; empty when none.
std::string throttle_text(const TelemetrySummary& t);

} // namespace gpucert::evaluate::detail
