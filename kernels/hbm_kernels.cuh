// Device-memory bandwidth kernels (STREAM-style): 16-byte accesses, grid-stride, four
// independent accesses in flight per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cuda_runtime_api.h>

namespace gpucert::kernels {

enum class HbmOp { copy, scale, add, triad, read, write };

inline constexpr int kHbmThreads = 256;

/// Element-wise, over n_vec 16-byte vectors (4 floats each):
///   copy  out = a              scale out = scalar * a
///   add   out = a + b          triad out = a + scalar * b   (one rounding: fma)
///   read  *sum += sum of a's 32-bit words (mod 2^64; the caller zeroes *sum)
///   write out's 32-bit word w = write_word(write_seed, w)
struct HbmArgs {
  const void* a = nullptr;
  const void* b = nullptr;
  void* out = nullptr;
  std::size_t n_vec = 0;
  float scalar = 3.0f;
  std::uint32_t write_seed = 0;
  std::uint64_t* sum = nullptr;
};

cudaError_t launch_hbm(HbmOp op, const HbmArgs& args, unsigned blocks, cudaStream_t stream);

/// Resident blocks of kHbmThreads per SM for `op` (occupancy API).
cudaError_t hbm_blocks_per_sm(HbmOp op, int* blocks);

} // namespace gpucert::kernels
