// The verdict engine: a pure function (profile, raw results) → certificate. Same inputs, same
// certificate. Fails closed: what was not measured is ERROR, never PASS.
#pragma once

#include "harness/model/certificate.hpp"
#include "harness/model/results.hpp"
#include "harness/model/targets.hpp"
#include "harness/profile/profile.hpp"
#include "harness/stats/interval.hpp"

#include <functional>
#include <vector>

namespace gpucert::evaluate {

/// Verdict of one clause from the confidence interval of its statistic: PASS when the whole
/// interval clears the threshold, FAIL when the whole interval misses it, else INCONCLUSIVE.
report::Verdict decide(const stats::Interval& ci, const profile::Clause& clause);

/// The runner's early-stop rule for one measurement shared by `clauses`: decided when every
/// clause's interval lies wholly on one side of its threshold (the runner's `Decided`).
std::function<bool(const Measurement&)> decided_rule(std::vector<profile::Clause> clauses,
                                                     double confidence);

/// The GPUs a run covered: results.provenance["gpus"] when recorded, else every GPU in the
/// inventory taken before the run.
std::vector<int> measured_gpus(const Results& results);

report::Certificate evaluate(const profile::Profile& profile, const Results& results);

} // namespace gpucert::evaluate
