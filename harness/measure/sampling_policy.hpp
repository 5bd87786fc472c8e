// The sampling policy of the measurement method (prose: harness/measure/METHOD.md): how long to
// warm up, how many samples at least and at most, and when the estimate is tight enough.
#pragma once

#include <nlohmann/json.hpp>

namespace gpucert {

struct SamplingPolicy {
  double confidence = 0.95;
  double target_rel_ci = 0.01; ///< stop when the CI half-width of the median / median is below
  int min_samples = 10;
  int max_samples = 200;
  double max_seconds = 30;     ///< per measurement, backend clock, warm-up included, set-up not
  int warmup_min = 3;          ///< at least this many warm-up samples...
  double warmup_seconds = 0.2; ///< ...and until this much device time has passed
  nlohmann::json to_json() const;
};

} // namespace gpucert
