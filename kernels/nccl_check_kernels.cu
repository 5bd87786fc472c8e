// Grid-stride fill and check kernels for the collectives' exact patterns.
#include "kernels/nccl_check_kernels.cuh"

namespace gpucert::kernels {
namespace {

constexpr int kThreads = 256;

__global__ void fill_kernel(void* data, std::uint64_t count, coll::Pattern p, int rank) {
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
  for (std::uint64_t j = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       j < count; j += stride)
    coll::store_bits(p.dtype, data, j, coll::encode_bits(p.dtype, coll::input_value(p, rank, j)));
}

__global__ void check_kernel(const void* data, std::uint64_t count, coll::Pattern p, int rank,
                             unsigned long long* result) {
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
  unsigned long long wrong = 0, first = ~0ull;
  for (std::uint64_t k = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       k < count; k += stride) {
    const std::uint32_t want = coll::encode_bits(p.dtype, coll::expected_value(p, rank, k));
    if (coll::load_bits(p.dtype, data, k) != want) {
      ++wrong;
      if (k < first)
        first = k;
    }
  }
  if (wrong != 0) {
    atomicAdd(&result[0], wrong);
    atomicMin(&result[1], first);
  }
}

cudaError_t grid_for(std::uint64_t count, int& blocks) {
  int device = 0, sms = 0;
  if (const cudaError_t rc = cudaGetDevice(&device); rc != cudaSuccess)
    return rc;
  if (const cudaError_t rc = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
      rc != cudaSuccess)
    return rc;
  const std::uint64_t needed = (count + kThreads - 1) / kThreads;
  const std::uint64_t cap = static_cast<std::uint64_t>(sms) * 8;
  blocks = static_cast<int>(needed < cap ? (needed > 0 ? needed : 1) : cap);
  return cudaSuccess;
}

} // namespace

cudaError_t launch_collective_fill(void* data, std::uint64_t count, const coll::Pattern& p,
                                   int rank, cudaStream_t stream) {
  if (count == 0)
    return cudaSuccess;
  int blocks = 0;
  if (const cudaError_t rc = grid_for(count, blocks); rc != cudaSuccess)
    return rc;
  fill_kernel<<<blocks, kThreads, 0, stream>>>(data, count, p, rank);
  return cudaGetLastError();
}

cudaError_t launch_collective_check(const void* data, std::uint64_t count, const coll::Pattern& p,
                                    int rank, unsigned long long* result, cudaStream_t stream) {
  if (const cudaError_t rc = cudaMemsetAsync(result, 0, sizeof(unsigned long long), stream);
      rc != cudaSuccess)
    return rc;
  if (const cudaError_t rc = cudaMemsetAsync(result + 1, 0xFF, sizeof(unsigned long long), stream);
      rc != cudaSuccess)
    return rc;
  if (count == 0)
    return cudaSuccess;
  int blocks = 0;
  if (const cudaError_t rc = grid_for(count, blocks); rc != cudaSuccess)
    return rc;
  check_kernel<<<blocks, kThreads, 0, stream>>>(data, count, p, rank, result);
  return cudaGetLastError();
}

} // namespace gpucert::kernels
