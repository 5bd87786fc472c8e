// The verdict engine: a pure function (profile, raw results) → certificate. Same inputs, same
// certificate. Fails closed: what was not measured is ERROR, never PASS.
#pragma once

#include "harness/measure/runner.hpp"
#include "harness/model/results.hpp"
#include "harness/profile/profile.hpp"
#include "harness/stats/interval.hpp"
#include "reports/certificate.hpp"

#include <vector>

namespace gpucert::evaluate {

/// Verdict of one clause from the confidence interval of its statistic: PASS when the whole
/// interval clears the threshold, FAIL when the whole interval misses it, else INCONCLUSIVE.
report::Verdict decide(const stats::Interval& ci, const profile::Clause& clause);

/// The runner's early-stop rule for one measurement shared by `clauses`: decided when every
/// clause's interval lies wholly on one side of its threshold.
Decided decided_rule(std::vector<profile::Clause> clauses, double confidence);

/// The GPUs a run covered: results.provenance["gpus"] when recorded, else every GPU in the
/// inventory taken before the run.
std::vector<int> measured_gpus(const Results& results);

/// Targets of a scope over `gpus`: each GPU, each unordered pair (i < j), or the node as one.
std::vector<Target> targets_for(Scope scope, const std::vector<int>& gpus);

report::Certificate evaluate(const profile::Profile& profile, const Results& results);

} // namespace gpucert::evaluate
