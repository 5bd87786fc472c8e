// Position-weighted checksum: a grid-stride sum, reduced per warp, one atomic per warp.
#include "kernels/checksum_kernels.cuh"
#include "kernels/pattern.cuh"

namespace gpucert::kernels {
namespace {

constexpr int kThreads = 256;

__global__ void weighted_checksum_kernel(const std::uint32_t* __restrict__ p, std::size_t n,
                                         unsigned long long* out) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  unsigned long long acc = 0;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride)
    acc += checksum_term(p[i], i);
  for (int offset = 16; offset > 0; offset /= 2)
    acc += __shfl_down_sync(0xffffffffu, acc, offset);
  if ((threadIdx.x & 31) == 0)
    atomicAdd(out, acc);
}

} // namespace

cudaError_t launch_weighted_checksum(const std::uint32_t* p, std::size_t n_words,
                                     std::uint64_t* out, cudaStream_t stream) {
  static_assert(sizeof(unsigned long long) == sizeof(std::uint64_t));
  if (const cudaError_t rc = cudaMemsetAsync(out, 0, sizeof(*out), stream); rc != cudaSuccess)
    return rc;
  int device = 0, sms = 0;
  if (const cudaError_t rc = cudaGetDevice(&device); rc != cudaSuccess)
    return rc;
  if (const cudaError_t rc = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
      rc != cudaSuccess)
    return rc;
  weighted_checksum_kernel<<<sms * 8, kThreads, 0, stream>>>(
      p, n_words, reinterpret_cast<unsigned long long*>(out));
  return cudaGetLastError();
}

} // namespace gpucert::kernels
