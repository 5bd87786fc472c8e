// The measurement method: warm up, then sample until the confidence interval of the median is
// tight enough (or a caller's decision rule is satisfied) or the budget is spent. See METHOD.md.
#pragma once

#include "harness/measure/backend.hpp"
#include "harness/measure/sampling_policy.hpp"

#include <functional>

namespace gpucert {

/// Optional extra stop rule, asked after every sample once min_samples are in: returns true when
/// the caller has what it needs (e.g. the verdict is decided). Sets stop_reason "decided".
using Decided = std::function<bool(const Measurement&)>;

/// Runs one benchmark on one target. Never throws for device trouble: a failing setup, sample or
/// verification becomes status error/incorrect with a message; telemetry is always attached.
Measurement measure(Backend& backend, const BenchmarkDef& def, const Params& params,
                    const Target& target, const SamplingPolicy& policy,
                    const Decided& decided = {});

} // namespace gpucert
