// The measurement method: warm up, then sample until the caller's decision rule is satisfied
// (without one: until the median's interval is tight enough) or the budget is spent. METHOD.md.
#pragma once

#include "harness/measure/backend.hpp"
#include "harness/measure/sampling_policy.hpp"
#include "harness/model/look.hpp"

#include <functional>

namespace gpucert {

/// The caller's stopping rule, asked after every sample once min_samples are in (the verdict
/// engine's: evaluate::decided_rule). Look::decided stops with stop_reason "decided";
/// Look::drifting lets the runner extend the warm-up (see measure()).
using Decided = std::function<Look(const Measurement&)>;

/// Called once the measurement is complete (verified, evidence taken), with its instance still
/// set up: a lane of a round keeps its GPU loaded here until the round ends (unrecorded).
using Hold = std::function<void(BenchmarkInstance&)>;

/// Warm-up extensions a measurement may take when its first samples drift.
inline constexpr int kMaxWarmupExtensions = 2;

/// Runs one benchmark on one target. Never throws for device trouble: a failing setup, sample or
/// verification becomes status error/incorrect with a message; telemetry is always attached.
Measurement measure(Backend& backend, const BenchmarkDef& def, const Params& params,
                    const Target& target, const SamplingPolicy& policy, const Decided& decided = {},
                    const Hold& hold = {});

} // namespace gpucert
