// SM-driven copies: the GPU's cores load and store across PCIe (mapped pinned host memory) or
// NVLink (a peer GPU's memory), as opposed to the copy engines behind cudaMemcpyAsync.
#pragma once

#include <cstddef>
#include <cuda_runtime_api.h>

namespace gpucert::kernels {

inline constexpr int kCopyThreads = 256;

/// dst[i] = src[i] for n_vec 16-byte vectors; either pointer may be mapped host memory or a peer
/// device's memory (UVA). Both must be 16-byte aligned.
cudaError_t launch_sm_copy(void* dst, const void* src, std::size_t n_vec, unsigned blocks,
                           cudaStream_t stream);

/// Two copies of n_vec vectors at once in one grid: the first half of the blocks does
/// dst0 = src0, the second half dst1 = src1 (bidirectional transfers from one kernel).
cudaError_t launch_sm_copy_pair(void* dst0, const void* src0, void* dst1, const void* src1,
                                std::size_t n_vec, unsigned blocks_per_copy, cudaStream_t stream);

} // namespace gpucert::kernels
