// The simulator's instance of nccl.<collective>: sample times from the collective model
// (sim_model.hpp), the exact-pattern check run on the host over a modelled exchange.
#pragma once

#include "harness/collectives/collective.hpp"
#include "harness/measure/benchmark.hpp"

#include <memory>

namespace gpucert::coll {

/// ctx.backend must be a sim::SimBackend; ctx.target.gpus are the ranks (rank i = gpus[i]).
std::unique_ptr<BenchmarkInstance> make_sim_collective(const BenchmarkContext& ctx,
                                                       const Collective& c);

} // namespace gpucert::coll
