// The verdict engine: a pure function (profile, raw results) → certificate. Same inputs, same
// certificate. Fails closed: what was not measured is ERROR, never PASS.
#pragma once

#include "harness/evaluate/judge.hpp"
#include "harness/model/certificate.hpp"
#include "harness/model/look.hpp"
#include "harness/model/results.hpp"
#include "harness/model/targets.hpp"
#include "harness/profile/profile.hpp"
#include "harness/stats/interval.hpp"

#include <functional>
#include <vector>

namespace gpucert::evaluate {

/// The runner's stopping rule for one measurement shared by `clauses` (the runner's `Decided`):
/// decided when every clause has a verdict that holds at any look; drifting when the samples
/// trend (the runner may extend the warm-up). Sibling-relative clauses do not hold it up.
std::function<Look(const Measurement&)> decided_rule(std::vector<profile::Clause> clauses,
                                                     JudgeContext ctx);

/// Statistical checks a certificate of `profile` on `gpus` holds: the family the FAIL side's
/// error is controlled over (one per benchmark clause and target).
int family_size(const profile::Profile& profile, const std::vector<int>& gpus);

/// The judging context of `profile` on `gpus` (method, family); not yet `sustained`.
JudgeContext judge_context(const profile::Profile& profile, const std::vector<int>& gpus);

/// The GPUs a run covered: results.provenance["gpus"] when recorded, else every GPU in the
/// inventory taken before the run.
std::vector<int> measured_gpus(const Results& results);

report::Certificate evaluate(const profile::Profile& profile, const Results& results);

} // namespace gpucert::evaluate
