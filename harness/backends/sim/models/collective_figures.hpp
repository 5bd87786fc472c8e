// The simulator's model of a collective on a simulated node: ring vs NVLS bus bandwidth from the
// node's achievable figures, a latency floor, and NVLink faults lowering the bottleneck.
//   time(one collective) = latency + bytes * busbw_factor(n) / busbw      (n >= 2)
// so busbw tends to the modelled figure at large sizes and the latency dominates small ones.
#pragma once

#include "harness/collectives/collective.hpp"
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_node.hpp"

#include <string>
#include <vector>

namespace gpucert::coll {

/// Ring all_reduce over NVSwitch reaches about 0.77 of the NVLS figure on 8 x H100 (~370 vs ~479
/// GB/s, profiles/README.md reference figures). Used when a node gives no "nccl.busbw_ring".
inline constexpr double kRingOverNvls = 0.77;

struct CollectiveModel {
  std::string algorithm;      ///< "nvls", "ring", "p2p" (sendrecv), "local" (one rank)
  double base_busbw_gbps = 0; ///< healthy figure for this algorithm
  double busbw_gbps = 0;      ///< after NVLink faults (n >= 2)
  double local_gbps = 0;      ///< one rank: the node's HBM copy figure / 2 (read + write)
  double latency_s = 0;
  double link_factor = 1; ///< worst NVLink fault factor among the pairs the collective uses
  std::string bottleneck; ///< "gpu2-gpu5 nvlink x0.5" when a fault applies
};

/// Throws InputError when the node file lacks achievable nccl.busbw / nccl.latency_us.
CollectiveModel model_collective(const sim::SimNode& node, const sim::FaultSet& faults,
                                 const Collective& c, const std::vector<int>& gpus);

/// Seconds one collective of `bytes` (nccl-tests size) takes under the model, without noise.
double collective_seconds(const CollectiveModel& m, const Collective& c, int nranks, double bytes,
                          bool inplace);

} // namespace gpucert::coll
