// STREAM-style bandwidth kernels over float4 / uint4 vectors.
#include "kernels/hbm_kernels.cuh"
#include "kernels/pattern.cuh"

namespace gpucert::kernels {
namespace {

constexpr int kUnroll = 4; // independent 16-byte accesses in flight per thread

__device__ inline float4 scale4(float s, float4 x) {
  return make_float4(__fmul_rn(s, x.x), __fmul_rn(s, x.y), __fmul_rn(s, x.z), __fmul_rn(s, x.w));
}
__device__ inline float4 add4(float4 x, float4 y) {
  return make_float4(__fadd_rn(x.x, y.x), __fadd_rn(x.y, y.y), __fadd_rn(x.z, y.z),
                     __fadd_rn(x.w, y.w));
}
__device__ inline float4 triad4(float4 x, float s, float4 y) {
  return make_float4(__fmaf_rn(s, y.x, x.x), __fmaf_rn(s, y.y, x.y), __fmaf_rn(s, y.z, x.z),
                     __fmaf_rn(s, y.w, x.w));
}

// One function for the four element-wise ops; `op` is a template parameter so each kernel holds
// only its own arithmetic and loads.
template <HbmOp op>
__global__ void __launch_bounds__(kHbmThreads)
    elementwise_kernel(const float4* __restrict__ a, const float4* __restrict__ b,
                       float4* __restrict__ out, std::size_t n, float s) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  auto compute = [s](float4 x, float4 y) {
    if constexpr (op == HbmOp::copy)
      return x;
    else if constexpr (op == HbmOp::scale)
      return scale4(s, x);
    else if constexpr (op == HbmOp::add)
      return add4(x, y);
    else
      return triad4(x, s, y);
  };
  constexpr bool two_inputs = op == HbmOp::add || op == HbmOp::triad;
  for (; i + (kUnroll - 1) * stride < n; i += kUnroll * stride) {
    float4 x[kUnroll], y[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      x[u] = a[i + u * stride];
      y[u] = float4{};
      if constexpr (two_inputs)
        y[u] = b[i + u * stride];
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      out[i + u * stride] = compute(x[u], y[u]);
  }
  for (; i < n; i += stride) {
    float4 y{};
    if constexpr (two_inputs)
      y = b[i];
    out[i] = compute(a[i], y);
  }
}

__device__ inline unsigned long long word_sum(uint4 v) {
  return static_cast<unsigned long long>(v.x) + v.y + v.z + v.w;
}

__global__ void __launch_bounds__(kHbmThreads)
    read_kernel(const uint4* __restrict__ a, std::size_t n, unsigned long long* sum) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  unsigned long long acc = 0;
  for (; i + (kUnroll - 1) * stride < n; i += kUnroll * stride) {
    uint4 v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      v[u] = a[i + u * stride];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      acc += word_sum(v[u]);
  }
  for (; i < n; i += stride)
    acc += word_sum(a[i]);
  for (int offset = 16; offset > 0; offset /= 2)
    acc += __shfl_down_sync(0xffffffffu, acc, offset);
  if ((threadIdx.x & 31) == 0)
    atomicAdd(sum, acc);
}

__device__ inline uint4 write_vec(std::uint32_t seed, std::size_t i) {
  const std::size_t w = 4 * i;
  return make_uint4(write_word(seed, w), write_word(seed, w + 1), write_word(seed, w + 2),
                    write_word(seed, w + 3));
}

__global__ void __launch_bounds__(kHbmThreads)
    write_kernel(uint4* __restrict__ out, std::size_t n, std::uint32_t seed) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride)
    out[i] = write_vec(seed, i); // stores do not wait on each other: no unrolling needed
}

} // namespace

cudaError_t launch_hbm(HbmOp op, const HbmArgs& args, unsigned blocks, cudaStream_t stream) {
  const auto* a = static_cast<const float4*>(args.a);
  const auto* b = static_cast<const float4*>(args.b);
  auto* out = static_cast<float4*>(args.out);
  switch (op) {
  case HbmOp::copy:
    elementwise_kernel<HbmOp::copy>
        <<<blocks, kHbmThreads, 0, stream>>>(a, b, out, args.n_vec, args.scalar);
    break;
  case HbmOp::scale:
    elementwise_kernel<HbmOp::scale>
        <<<blocks, kHbmThreads, 0, stream>>>(a, b, out, args.n_vec, args.scalar);
    break;
  case HbmOp::add:
    elementwise_kernel<HbmOp::add>
        <<<blocks, kHbmThreads, 0, stream>>>(a, b, out, args.n_vec, args.scalar);
    break;
  case HbmOp::triad:
    elementwise_kernel<HbmOp::triad>
        <<<blocks, kHbmThreads, 0, stream>>>(a, b, out, args.n_vec, args.scalar);
    break;
  case HbmOp::read:
    read_kernel<<<blocks, kHbmThreads, 0, stream>>>(
        static_cast<const uint4*>(args.a), args.n_vec,
        reinterpret_cast<unsigned long long*>(args.sum));
    break;
  case HbmOp::write:
    write_kernel<<<blocks, kHbmThreads, 0, stream>>>(static_cast<uint4*>(args.out), args.n_vec,
                                                     args.write_seed);
    break;
  default:
    return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

cudaError_t hbm_blocks_per_sm(HbmOp op, int* blocks) {
  switch (op) {
  case HbmOp::copy:
    return cudaOccupancyMaxActiveBlocksPerMultiprocessor(blocks, elementwise_kernel<HbmOp::copy>,
                                                         kHbmThreads, 0);
  case HbmOp::scale:
    return cudaOccupancyMaxActiveBlocksPerMultiprocessor(blocks, elementwise_kernel<HbmOp::scale>,
                                                         kHbmThreads, 0);
  case HbmOp::add:
    return cudaOccupancyMaxActiveBlocksPerMultiprocessor(blocks, elementwise_kernel<HbmOp::add>,
                                                         kHbmThreads, 0);
  case HbmOp::triad:
    return cudaOccupancyMaxActiveBlocksPerMultiprocessor(blocks, elementwise_kernel<HbmOp::triad>,
                                                         kHbmThreads, 0);
  case HbmOp::read:
    return cudaOccupancyMaxActiveBlocksPerMultiprocessor(blocks, read_kernel, kHbmThreads, 0);
  case HbmOp::write:
    return cudaOccupancyMaxActiveBlocksPerMultiprocessor(blocks, write_kernel, kHbmThreads, 0);
  }
  return cudaErrorInvalidValue;
}

} // namespace gpucert::kernels
