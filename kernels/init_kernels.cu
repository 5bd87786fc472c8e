// Random fill kernels: one grid-stride kernel per element type.
#include "kernels/init_kernels.cuh"
#include "kernels/pattern.cuh"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

namespace gpucert::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxBlocks = 4096;

template <typename T> __device__ T from_unit(float v);
template <> __device__ float from_unit<float>(float v) {
  return v;
}
template <> __device__ __half from_unit<__half>(float v) {
  return __float2half_rn(v);
}
template <> __device__ __nv_bfloat16 from_unit<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}
template <> __device__ __nv_fp8_e4m3 from_unit<__nv_fp8_e4m3>(float v) {
  return __nv_fp8_e4m3(v); // round to nearest, saturating (|v| < 1 never saturates)
}

template <typename T> __global__ void fill_random_kernel(T* p, std::size_t n, std::uint64_t seed) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride)
    p[i] = from_unit<T>(random_unit_float(seed, i));
}

__global__ void fill_random_double_kernel(double* p, std::size_t n, std::uint64_t seed) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride)
    p[i] = random_unit_double(seed, i);
}

__global__ void fill_words_kernel(std::uint32_t* p, std::size_t n, std::uint64_t seed) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride)
    p[i] = random_word(seed, i);
}

unsigned blocks_for(std::size_t n) {
  const std::size_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < kMaxBlocks ? (b == 0 ? 1 : b) : kMaxBlocks);
}

} // namespace

cudaError_t launch_fill_random(ElementType type, void* p, std::size_t n, std::uint64_t seed,
                               cudaStream_t stream) {
  const unsigned blocks = blocks_for(n);
  switch (type) {
  case ElementType::f64:
    fill_random_double_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<double*>(p), n, seed);
    break;
  case ElementType::f32:
    fill_random_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<float*>(p), n, seed);
    break;
  case ElementType::f16:
    fill_random_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<__half*>(p), n, seed);
    break;
  case ElementType::bf16:
    fill_random_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<__nv_bfloat16*>(p), n, seed);
    break;
  case ElementType::e4m3:
    fill_random_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<__nv_fp8_e4m3*>(p), n, seed);
    break;
  default:
    return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

cudaError_t launch_fill_random_words(std::uint32_t* p, std::size_t n_words, std::uint64_t seed,
                                     cudaStream_t stream) {
  fill_words_kernel<<<blocks_for(n_words), kThreads, 0, stream>>>(p, n_words, seed);
  return cudaGetLastError();
}

} // namespace gpucert::kernels
