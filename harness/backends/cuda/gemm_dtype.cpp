// GEMM dtype table.
#include "harness/backends/cuda/gemm_dtype.hpp"

#include "harness/core/error.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::cuda {
namespace {

using kernels::ElementType;

constexpr double kU64 = 0x1p-53, kU32 = 0x1p-24, kU16 = 0x1p-11, kUbf16 = 0x1p-8;

// fp16 and bf16 accumulate in fp32 (CUBLAS_COMPUTE_32F); fp8 takes e4m3 A and B and writes bf16
// (cuBLASLt's FP8 kernels need A transposed: layout tn).
const std::array<GemmDtype, 6> kDtypes = {{
    {"fp64", CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F, "CUBLAS_COMPUTE_64F",
     ElementType::f64, ElementType::f64, 0, kU64, 0, kU64},
    {"fp32", CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, "CUBLAS_COMPUTE_32F",
     ElementType::f32, ElementType::f32, 0, kU32, 0, kU32},
    {"tf32", CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32,
     "CUBLAS_COMPUTE_32F_FAST_TF32", ElementType::f32, ElementType::f32, 80, kU32, 0x1p-10, kU32},
    {"fp16", CUDA_R_16F, CUDA_R_16F, CUDA_R_32F, CUBLAS_COMPUTE_32F, "CUBLAS_COMPUTE_32F",
     ElementType::f16, ElementType::f16, 0, kU16, 0, kU32},
    {"bf16", CUDA_R_16BF, CUDA_R_16BF, CUDA_R_32F, CUBLAS_COMPUTE_32F, "CUBLAS_COMPUTE_32F",
     ElementType::bf16, ElementType::bf16, 80, kUbf16, 0, kU32},
    {"fp8", CUDA_R_8F_E4M3, CUDA_R_16BF, CUDA_R_32F, CUBLAS_COMPUTE_32F, "CUBLAS_COMPUTE_32F",
     ElementType::e4m3, ElementType::bf16, 89, kUbf16, 0, 0x1p-14},
}};

} // namespace

const GemmDtype& gemm_dtype(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name)
      return d;
  throw InputError(fmt::format(
      "gemm: parameter 'dtype' = '{}' is not one of fp64, fp32, tf32, fp16, bf16, fp8", name));
}

double gemm_tolerance(const GemmDtype& d, std::int64_t k, bool fast_accum) {
  const double kk = static_cast<double>(std::max<std::int64_t>(k, 1));
  double tol = 8 * (d.u_out + d.u_in) + 4 * d.u_acc * std::sqrt(kk);
  if (fast_accum && d.ab_type == CUDA_R_8F_E4M3)
    tol += 5 * 0x1p-14 * std::ceil(kk / 32);
  return std::max(1e-12, tol);
}

} // namespace gpucert::cuda
