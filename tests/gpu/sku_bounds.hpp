// The GPU tier's number checks: two-sided bounds on a measured figure, taken from the node files
// (harness/backends/sim/nodes/*.yaml), the one table of SKUs the simulator reads too. A card is
// looked up by its CUDA/NVML name (sim::builtin_node_for_gpu); a card without an entry has no
// number checks (the correctness checks still run). Host code: builds without CUDA.
#pragma once

#include "harness/backends/sim/sim_node.hpp"
#include "harness/collectives/collective.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::gputest {

// Why these factors. The tier checks the code, not the card: a card that its shipped profile
// passes must pass here, and a timing or counting bug must not.
//
// Throughput (TFLOP/s, GB/s), higher is better, at the configuration the node figure is for:
//  - floor 0.80 x achievable: below every shipped profile's floor (the loosest is P2P, 335 of 397
//    GB/s = 0.84 of achievable; GEMM 0.90-0.95, HBM 0.93-0.96, PCIe 0.87, all_reduce 0.96), so a
//    card its profile passes clears it;
//    a broken kernel (lost vectorisation or tiling, a bad cuBLASLt algorithm, a wrong stride)
//    costs a factor of 2 or more and does not. The old floors sat at 0.49-0.69 of achievable.
//  - ceiling 1.05 x peak: the datasheet peak is a physical limit (dense tensor peaks are at the
//    boost clock, HBM and PCIe peaks are the wire rates). Above it the time is wrong: a missing
//    synchronisation, events around the enqueueing instead of the work, or work counted twice.
//    5 % covers event resolution and rounding in the datasheet figures. The ceiling holds at
//    every configuration, the floor only at the reference one (other shapes are slower).
// Latency (us per launch), lower is better; the node's peak is the best figure ever measured:
//  - floor 0.2 x best (stream 0.5 us, graph 0.26 us): no launch path issues and retires kernels
//    that fast; a figure below means the launches were not waited for, or were not all made.
//  - ceiling 3 x achievable (stream 7.5 us, graph 3.9 us): above the profiles' ceilings
//    (1.15-1.2 x); a per-launch host round trip (a synchronisation per kernel) lands above it.
inline constexpr double kFloorOfAchievable = 0.80;
inline constexpr double kCeilingOfPeak = 1.05;
inline constexpr double kLatencyFloorOfBest = 0.2;
inline constexpr double kLatencyCeilingOfAchievable = 3.0;

struct Bounds {
  double lo = 0, hi = 0;
  std::string unit;
  std::string basis;     ///< where the bounds come from, for failure messages
  std::string low_means; ///< what a figure below the floor points to
  std::string high_means;
};

/// The node-file entry of a card, or why there is none.
struct Sku {
  std::string gpu_name;
  std::optional<sim::SimNode> node;
  std::string skip_reason; ///< non-empty when `node` is empty
};

/// Looks `gpu_name` up in the built-in node files; `gpu_count` picks among nodes of one card.
Sku sku_for(const std::string& gpu_name, int gpu_count = 0);

/// The figure's bounds as a throughput (see above); `reference` false: the ceiling only (lo 0).
/// nullopt when the node file lacks the figure (then `why` says so).
std::optional<Bounds> throughput_bounds(const sim::SimNode& node, const std::string& key,
                                        const std::string& unit, bool reference, std::string* why);
/// The figure's bounds as a latency in microseconds.
std::optional<Bounds> latency_bounds(const sim::SimNode& node, const std::string& key,
                                     std::string* why);

/// Bus bandwidth (GB/s) of collective `c` over `nranks` GPUs of `node`, from the figure the
/// simulator's collective model takes (coll::model_collective: NVLS or ring from nccl.busbw,
/// sendrecv from p2p.uni), measured at a size near the bandwidth plateau (>= 1 GiB):
///  - floor 0.80 x that figure (as above). The node's figure is for the whole node; with fewer
///    ranks than its GPUs NCCL may not choose NVLS, so the floor is the ring figure then;
///  - ceiling 1.05 x the wire speed (peak nccl.busbw, NVLink per direction): for ring and tree
///    algorithms busbw is the per-GPU link traffic, which cannot exceed the wire. An all_reduce
///    through NVLink SHARP (the switch reduces) moves each byte once each way, so there algbw is
///    at most the wire speed and the ceiling is 1.05 x peak x 2(n-1)/n.
/// nullopt (with `why`) for one rank (busbw 0 by definition) or a node file without the figures.
std::optional<Bounds> busbw_bounds(const sim::SimNode& node, const coll::Collective& c, int nranks,
                                   std::string* why);

/// EXPECT_TRUE(within(...)): the value and the bounds with their basis on failure.
::testing::AssertionResult within(double value, const Bounds& b);

/// The figures the device check (ci/gpu-check.sh, ci/gpu_check_table.py) compares with PyTorch:
/// throughputs both measure the same way on one card. A node file's `acceptance:` names only
/// these.
const std::vector<std::string>& check_figures();

/// The device check's floor on `key` for this node's card (the node file's `acceptance:`), or
/// nullopt when it sets none (then only the ratio to PyTorch is checked).
std::optional<double> acceptance_floor(const sim::SimNode& node, const std::string& key);

/// The SKU-table entry of a card as the device check reads it (gpucert-sku prints this):
/// the card, its node file, and for each check figure the peak, achievable, the tier's bounds
/// at the reference configuration and the acceptance floor (null when none). For a card
/// without an entry: "node" is null and "why" says so.
nlohmann::json sku_json(const Sku& s);

} // namespace gpucert::gputest
