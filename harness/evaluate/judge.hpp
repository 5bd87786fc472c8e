// Judging one clause on one measurement's samples: the interval at the certificate's error
// levels, the assumption checks, and the verdict. The runner's stopping rule and the verdict
// engine call the same function, so the rule that stopped sampling is the rule that decided.
#pragma once

#include "harness/model/certificate.hpp"
#include "harness/profile/profile.hpp"
#include "harness/stats/diagnostics.hpp"
#include "harness/stats/interval.hpp"
#include "harness/stats/limits.hpp"

#include <limits>
#include <string>
#include <vector>

namespace gpucert::evaluate {

using stats::kMaxBatches;
using stats::kMaxDesignLooks;
using stats::kMinBatches;
using stats::kMinBatchSize;
using stats::kMinMeanSamples;
using stats::kToleranceTail;

/// How a certificate controls its errors (METHOD.md §7): PASS errors per check at
/// alpha/2; FAIL errors over the whole family at alpha/2, Bonferroni-split over its checks.
struct JudgeContext {
  double confidence = 0.95;
  int family = 1;              ///< statistical checks in the certificate
  int n_min = 10, n_max = 200; ///< the looks of the sequential design
  bool sustained = false;      ///< held load: window statistics, trend not held against it
  /// The runner saw the samples dependent at some look: batch statistics whatever the final
  /// diagnosis says (a look at which the tests happen not to fire must not re-open the
  /// independent-sample decision: that would be shopping for a diagnosis).
  bool dependent = false;
};

/// Error budget of each decision of one check.
struct Levels {
  double pass = 0.025; ///< P(PASS | the contract is not met), over all looks
  double fail = 0.025; ///< P(FAIL | the contract is met), over all looks
};
Levels levels_for(const JudgeContext& ctx);

struct Judgement {
  report::Verdict verdict = report::Verdict::inconclusive;
  stats::Interval ci; ///< ends at the check's levels; ±inf where there is no bound
  stats::Diagnosis diagnosis;
  /// "sequential" (exact sign test over all looks), "t" (mean, Bonferroni over its looks),
  /// "batch" (dependent samples), "windows" (sustained load).
  std::string mode;
  int batches = 0, batch_size = 0;
  Levels levels;
  double q = 0.5;     ///< the quantile judged (min/max: their tolerance tails)
  double p_below = 0; ///< fraction of samples below the threshold that decides
  double nominal = 0; ///< per-look level of the side the samples lean to
  std::string why;    ///< what kept it undecided, when INCONCLUSIVE
  /// Samples that would likely decide it (normal approximation); infinity when none would.
  double samples_needed = std::numeric_limits<double>::infinity();
  /// Whether the runner may stop on this verdict (a batch verdict is read once, at the end).
  bool final_at_any_look = false;
};

/// Judges samples (in order, as measured) of the clause's metric. Samples must be finite.
Judgement judge(const std::vector<double>& samples, const profile::Clause& clause,
                const JudgeContext& ctx);

/// Verdict of one clause from an interval (ends at the levels; ±inf = no bound that side):
/// PASS when the interval clears every threshold, FAIL when it misses one, else INCONCLUSIVE.
/// Thresholds are inclusive: min 10 is met by 10.
report::Verdict decide(const stats::Interval& ci, const profile::Clause& clause);

} // namespace gpucert::evaluate
