// Which targets a scope covers: the one place that turns "each: gpu-pair" into GPU pairs, shared
// by planning (what to measure) and evaluation (what to judge), so the two cannot disagree.
#pragma once

#include "harness/model/results.hpp"

#include <vector>

namespace gpucert {

/// Targets of a scope over `gpus`: each GPU, each unordered pair (i < j), or the node as one.
std::vector<Target> targets_for(Scope scope, const std::vector<int>& gpus);

} // namespace gpucert
