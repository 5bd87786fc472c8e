// Evicts the L2 cache between samples by reading a buffer larger than it.
#pragma once

#include <cstddef>
#include <cuda_runtime_api.h>

namespace gpucert::kernels {

/// Reads every 16-byte vector of buf (bytes a multiple of 16). Reading rather than writing
/// leaves clean lines behind, so no write-back of the flush lands in the next timed region;
/// the previous sample's dirty lines are written back here, outside it. `sink` (4 bytes of
/// device memory) is written only if the data sums to an impossible value, which keeps the
/// loads from being optimised away.
cudaError_t launch_l2_flush(const void* buf, std::size_t bytes, unsigned* sink, unsigned blocks,
                            cudaStream_t stream);

} // namespace gpucert::kernels
