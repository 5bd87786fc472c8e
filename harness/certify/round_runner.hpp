// Running one round: every lane (one planned measurement on its own target) at the same time. On
// a real backend each lane has its own host thread (and so its own stream and GPU); a lane that
// is decided keeps its GPU loaded, unrecorded, until the last lane is done, so its siblings are
// measured under the same conditions. The simulator runs lanes on per-lane virtual clocks.
#pragma once

#include "harness/certify/plan.hpp"
#include "harness/measure/runner.hpp"

#include <functional>
#include <vector>

namespace gpucert::certify {

/// The stopping rule of lane `i` (may be empty: precision decides).
using RuleFor = std::function<Decided(std::size_t lane)>;

/// Appends the measurements of `lanes` to `out`, in lane order, each with concurrency, lanes and
/// phase_seconds set. Throws what a lane's measure() threw (bad parameters, a crash) once every
/// lane has ended; `out` then holds the lanes that finished, so nothing measured is lost.
void run_round(Backend& backend, const std::vector<const PlannedMeasurement*>& lanes,
               const RuleFor& rule_for, std::vector<Measurement>& out);

} // namespace gpucert::certify
