// fp64 reference dot products for sampled GEMM outputs; one instantiation per input type.
#include "kernels/gemm_reference.cuh"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

namespace gpucert::kernels {
namespace {

constexpr int kThreads = 256;

__device__ inline double to_double(double x) {
  return x;
}
__device__ inline double to_double(float x) {
  return x;
}
__device__ inline double to_double(__half x) {
  return __half2float(x);
}
__device__ inline double to_double(__nv_bfloat16 x) {
  return __bfloat162float(x);
}
__device__ inline double to_double(__nv_fp8_e4m3 x) {
  return static_cast<float>(x);
}

__device__ double load_output(ElementType t, const void* d, std::int64_t index) {
  switch (t) {
  case ElementType::f64:
    return static_cast<const double*>(d)[index];
  case ElementType::f32:
    return static_cast<const float*>(d)[index];
  case ElementType::f16:
    return to_double(static_cast<const __half*>(d)[index]);
  case ElementType::bf16:
    return to_double(static_cast<const __nv_bfloat16*>(d)[index]);
  case ElementType::e4m3:
    return to_double(static_cast<const __nv_fp8_e4m3*>(d)[index]);
  }
  return __longlong_as_double(0x7ff8000000000000ll); // NaN: fails every comparison
}

template <typename T>
__global__ void __launch_bounds__(kThreads) reference_kernel(GemmReferenceArgs g) {
  const int s = blockIdx.x;
  const std::int64_t i = g.rows[s], j = g.cols[s];
  const T* a = static_cast<const T*>(g.a);
  const T* b = static_cast<const T*>(g.b);
  double sum = 0, sum_sq = 0;
  for (std::int64_t p = threadIdx.x; p < g.k; p += kThreads) {
    const double x = to_double(g.trans_a ? a[p + i * g.lda] : a[i + p * g.lda]);
    const double y = to_double(g.trans_b ? b[j + p * g.ldb] : b[p + j * g.ldb]);
    const double t = x * y; // exact for inputs of at most 26 significant bits (all but fp64)
    sum += t;
    sum_sq += t * t;
  }
  __shared__ double s_sum[kThreads], s_sq[kThreads];
  s_sum[threadIdx.x] = sum;
  s_sq[threadIdx.x] = sum_sq;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) {
      s_sum[threadIdx.x] += s_sum[threadIdx.x + half];
      s_sq[threadIdx.x] += s_sq[threadIdx.x + half];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    g.ref[s] = s_sum[0];
    g.scale[s] = sqrt(s_sq[0]);
    g.got[s] = load_output(g.out_type, g.d, i + j * g.ldd);
  }
}

} // namespace

cudaError_t launch_gemm_reference(const GemmReferenceArgs& args, cudaStream_t stream) {
  if (args.samples <= 0)
    return cudaSuccess;
  const unsigned blocks = static_cast<unsigned>(args.samples);
  switch (args.in_type) {
  case ElementType::f64:
    reference_kernel<double><<<blocks, kThreads, 0, stream>>>(args);
    break;
  case ElementType::f32:
    reference_kernel<float><<<blocks, kThreads, 0, stream>>>(args);
    break;
  case ElementType::f16:
    reference_kernel<__half><<<blocks, kThreads, 0, stream>>>(args);
    break;
  case ElementType::bf16:
    reference_kernel<__nv_bfloat16><<<blocks, kThreads, 0, stream>>>(args);
    break;
  case ElementType::e4m3:
    reference_kernel<__nv_fp8_e4m3><<<blocks, kThreads, 0, stream>>>(args);
    break;
  default:
    return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

} // namespace gpucert::kernels
