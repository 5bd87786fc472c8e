// Internal pieces of the verdict engine: check skeletons, health/match checks, cause attribution.
#pragma once

#include "harness/evaluate/judge.hpp"
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

/// The check of a `relative: siblings` clause on target `t`: the ratio of t's statistic to the
/// median of the same statistic over the node's other targets of its scope (siblings.cpp).
report::Check sibling_check(const profile::Clause& c, const profile::Profile& p, const Results& r,
                            const Target& t, const std::vector<int>& gpus, const JudgeContext& ctx);

/// The last measurement of the clause's benchmark with its resolved parameters on `t` (a rerun
/// supersedes an earlier one); nullptr when there is none (measurement_lookup.cpp).
const Measurement* find_measurement(const Results& r, const profile::Clause& c, const Target& t);
/// Why find_measurement found nothing: "not measured", or the concurrency that was measured.
std::string not_measured_reason(const Results& r, const profile::Clause& c, const Target& t);

/// Canonical parameters as a check shows them: "dtype=bf16 k=8192 ...".
std::string params_text(const Params& p);

/// Whether a target of a sibling clause is measured precisely enough to be compared: its own
/// interval of the clause's quantile, at the per-interval budgets of the sibling check, is
/// narrower than half the ratio band, (hi - lo) / point < (1 - min_ratio) / 2 (siblings.cpp).
bool sibling_precise_enough(const std::vector<double>& samples, const profile::Clause& c,
                            const JudgeContext& ctx);

/// What the evidence says about a FAIL of `metric` on `target`: throttling during the window,
/// clocks held low, PCIe trained down, NVLink links down, ECC errors. Empty when nothing shows.
std::vector<std::string> failure_causes(const std::string& metric, const Target& target,
                                        const Measurement* m, const Results& r);

/// "HW slowdown (thermal) 41% of window, 87 °C" for one GPU's window; empty when none.
std::string throttle_text(const TelemetrySummary& t);

} // namespace gpucert::evaluate::detail
