// The measurement method as recorded in every results file, so a figure always travels with the
// rules that produced it (prose: harness/measure/METHOD.md).
#include "harness/measure/sampling_policy.hpp"

namespace gpucert {

nlohmann::json SamplingPolicy::to_json() const {
  return {
      {"method", "gpucert/method/v2"},
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
       "after min_samples: stop when every clause on the measurement has a verdict that holds at "
       "any look (exact sequential sign test; the mean at its scheduled looks); without clauses "
       "(bench): when the relative half-width of the median's CI < target_rel_ci; otherwise at "
       "max_samples or max_seconds (backend clock, warm-up included). Drifting first samples "
       "extend the warm-up (at most 2 times)"},
      {"ci",
       {{"median", "sequential order-statistic (sign test, exact over all looks)"},
        {"pNN", "sequential order-statistic (sign test, exact over all looks)"},
        {"min", "tolerance bound: the 1st percentile, sequential order-statistic"},
        {"max", "tolerance bound: the 99th percentile, sequential order-statistic"},
        {"mean", "Student t, n >= 30, Bonferroni over its looks"},
        {"dependent samples", "batch statistics: up to 20 batches, t on batch fractions/means"},
        {"sustained", "window statistics (batches), read once at the end"},
        {"error_control", "PASS per check at (1-confidence)/2; FAIL at (1-confidence)/2 over "
                          "the certificate's statistical checks (Bonferroni)"}}},
      {"verification", "the last sample's output is checked after the timed window; a failed "
                       "check makes the measurement 'incorrect'"},
  };
}

} // namespace gpucert
