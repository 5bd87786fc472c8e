// The smallest HBM working set that measures HBM: one rule for profile planning, the simulator
// and the CUDA instance.
#pragma once

#include <cstdint>
#include <string>

namespace gpucert {

/// Each array of an hbm.* benchmark must be at least this many times the GPU's L2. Smaller ones
/// stay (partly) resident in L2 between passes, and the output's dirty lines are written back
/// during the next L2 flush, outside the timed region: the figure would be L2's, not HBM's.
inline constexpr double kHbmMinL2Multiple = 4;

/// Why `benchmark` with arrays of `bytes` each cannot measure HBM on a GPU with `l2_bytes` of L2
/// (`gpu_label`, e.g. "GPU 0 (NVIDIA H100 80GB HBM3)", names it), or empty when it can or when
/// `l2_bytes` is 0 (unknown).
std::string hbm_l2_refusal(const std::string& benchmark, std::uint64_t bytes,
                           std::uint64_t l2_bytes, const std::string& gpu_label);

} // namespace gpucert
