// SM copy kernel: grid-stride over uint4 vectors, four loads in flight per thread.
#include "kernels/copy_kernels.cuh"

#include <cstdint>

namespace gpucert::kernels {
namespace {

constexpr int kUnroll = 4;

// Blocks [0, blocks0) copy src0 -> dst0; blocks [blocks0, gridDim.x) copy src1 -> dst1.
__global__ void __launch_bounds__(kCopyThreads)
    copy_kernel(uint4* dst0, const uint4* src0, uint4* dst1, const uint4* src1, std::size_t n,
                unsigned blocks0) {
  const bool second = blockIdx.x >= blocks0;
  uint4* __restrict__ dst = second ? dst1 : dst0;
  const uint4* __restrict__ src = second ? src1 : src0;
  const unsigned block = second ? blockIdx.x - blocks0 : blockIdx.x;
  const unsigned blocks = second ? gridDim.x - blocks0 : blocks0;
  const std::size_t stride = static_cast<std::size_t>(blocks) * blockDim.x;
  std::size_t i = static_cast<std::size_t>(block) * blockDim.x + threadIdx.x;
  for (; i + (kUnroll - 1) * stride < n; i += kUnroll * stride) {
    uint4 v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      v[u] = src[i + u * stride];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      dst[i + u * stride] = v[u];
  }
  for (; i < n; i += stride)
    dst[i] = src[i];
}

} // namespace

cudaError_t launch_sm_copy(void* dst, const void* src, std::size_t n_vec, unsigned blocks,
                           cudaStream_t stream) {
  copy_kernel<<<blocks, kCopyThreads, 0, stream>>>(
      static_cast<uint4*>(dst), static_cast<const uint4*>(src), nullptr, nullptr, n_vec, blocks);
  return cudaGetLastError();
}

cudaError_t launch_sm_copy_pair(void* dst0, const void* src0, void* dst1, const void* src1,
                                std::size_t n_vec, unsigned blocks_per_copy, cudaStream_t stream) {
  copy_kernel<<<2 * blocks_per_copy, kCopyThreads, 0, stream>>>(
      static_cast<uint4*>(dst0), static_cast<const uint4*>(src0), static_cast<uint4*>(dst1),
      static_cast<const uint4*>(src1), n_vec, blocks_per_copy);
  return cudaGetLastError();
}

} // namespace gpucert::kernels
