// The measurement method: warm up, then sample until the confidence interval of the median is
// tight enough (or a caller's decision rule is satisfied) or the budget is spent. See METHOD.md.
#pragma once

#include "harness/measure/backend.hpp"

#include <functional>

namespace gpucert {

struct SamplingPolicy {
  double confidence = 0.95;
  double target_rel_ci = 0.01; ///< stop when the CI half-width of the median / median is below
  int min_samples = 10;
  int max_samples = 200;
  double max_seconds = 30;     ///< per measurement, backend clock, warm-up included
  int warmup_min = 3;          ///< at least this many warm-up samples...
  double warmup_seconds = 0.2; ///< ...and until this much device time has passed
  nlohmann::json to_json() const;
};

/// Optional extra stop rule, asked after every sample once min_samples are in: returns true when
/// the caller has what it needs (e.g. the verdict is decided). Sets stop_reason "decided".
using Decided = std::function<bool(const Measurement&)>;

/// Runs one benchmark on one target. Never throws for device trouble: a failing setup, sample or
/// verification becomes status error/incorrect with a message; telemetry is always attached.
Measurement measure(Backend& backend, const BenchmarkDef& def, const Params& params,
                    const Target& target, const SamplingPolicy& policy,
                    const Decided& decided = {});

} // namespace gpucert
