// The measurement method as recorded in every results file, so a figure always travels with the
// rules that produced it (prose: harness/measure/METHOD.md).
#include "harness/measure/sampling_policy.hpp"

namespace gpucert {

nlohmann::json SamplingPolicy::to_json() const {
  return {
      {"method", "gpucert/method/v1"},
      {"document", "harness/measure/METHOD.md"},
      {"confidence", confidence},
      {"target_rel_ci", target_rel_ci},
      {"min_samples", min_samples},
      {"max_samples", max_samples},
      {"max_seconds", max_seconds},
      {"warmup_min", warmup_min},
      {"warmup_seconds", warmup_seconds},
      {"timing", "device time of each sample: CUDA events recorded on the benchmark's own stream "
                 "(simulator: virtual clock); every sample kept"},
      {"warmup", "at least warmup_min samples and warmup_seconds of device time, at most half "
                 "the time budget; warm-up samples are discarded"},
      {"inputs", "random data (never zeros); working sets >= 8x L2 or L2 flushed between samples"},
      {"queueing", "short operations queue behind a blocking spin kernel so launch overhead is "
                   "not timed"},
      {"telemetry", "SM/memory clock, power, temperature, throttle reasons sampled on a "
                    "background thread during the timed window, summarised per GPU"},
      {"stopping_rule",
       "after min_samples: stop when the relative half-width of the median's CI "
       "(primary metric) < target_rel_ci, or when the verdict is decided; "
       "otherwise at max_samples or max_seconds (backend clock, warm-up included)"},
      {"ci",
       {{"median", "order-statistic (binomial, distribution-free)"},
        {"pNN", "order-statistic (binomial, distribution-free)"},
        {"mean", "bootstrap-percentile (2000 resamples, seed 42)"},
        {"min", "exact (observed extreme)"},
        {"max", "exact (observed extreme)"}}},
      {"verification", "the last sample's output is checked after the timed window; a failed "
                       "check makes the measurement 'incorrect'"},
  };
}

} // namespace gpucert
