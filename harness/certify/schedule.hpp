// The schedule of a run: planned measurements grouped into rounds that run at the same time.
// A round holds one experiment (benchmark, parameters, concurrency) on disjoint targets: every
// GPU at once, or a set of GPU pairs that share no GPU. The round is the unit of wall time.
#pragma once

#include "harness/certify/plan.hpp"

#include <cstddef>
#include <vector>

namespace gpucert::certify {

struct Round {
  std::vector<std::size_t> lanes; ///< indices into the plan, one per target; targets disjoint
  std::string label;              ///< "gemm-bf16 (8 GPUs at once)", for progress and `plan`
};

/// Rounds in the plan's order of first appearance. `concurrency: one` and node-scope
/// measurements are rounds of one. GPU pairs of one experiment are split into rounds of
/// disjoint pairs by the circle method: the 28 pairs of 8 GPUs in 7 rounds of 4.
std::vector<Round> schedule(const std::vector<PlannedMeasurement>& planned);

/// The circle-method (round-robin tournament) order of the pairs of `gpus`: rounds in which no
/// GPU appears twice, n - 1 rounds of n / 2 pairs for an even n (n rounds for an odd n).
std::vector<std::vector<std::pair<int, int>>> pair_rounds(const std::vector<int>& gpus);

} // namespace gpucert::certify
