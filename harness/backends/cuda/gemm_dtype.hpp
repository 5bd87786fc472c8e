// The GEMM data types of the catalogue: cuBLASLt types per dtype, the compute capability each
// needs, and the verification tolerance model.
#pragma once

#include "kernels/element_type.cuh"

#include <cstdint>
#include <cublasLt.h>
#include <string>

namespace gpucert::cuda {

struct GemmDtype {
  const char* name;          ///< catalogue value: "fp64", "fp32", "tf32", "fp16", "bf16", "fp8"
  cudaDataType_t ab_type;    ///< A and B
  cudaDataType_t cd_type;    ///< C and D (output)
  cudaDataType_t scale_type; ///< alpha, beta
  cublasComputeType_t compute;
  const char* compute_name; ///< for evidence
  kernels::ElementType ab_element, cd_element;
  int min_cc; ///< minimum compute capability, major * 10 + minor (0: any)
  // Verification model. Errors are measured in units of the natural size of the sampled dot
  // product, scale = sqrt(sum_p (a_ip * b_pj)^2), which is what |reference| is for random data:
  //   tolerance(k) = max(1e-12, 8 * (u_out + u_in) + 4 * u_acc * sqrt(k))
  // u_out: unit roundoff of the output type (rounding of the stored result, |ref| <= ~5 scale
  //        over a few thousand samples of random data);
  // u_in:  rounding of the inputs inside the library (tf32 drops 13 mantissa bits of fp32:
  //        2^-10 allows truncation, not only round-to-nearest); 0 where the stored inputs are
  //        the operands;
  // u_acc: unit roundoff of the accumulator; the error of a k-term sum grows as sqrt(k) for
  //        random data. fp8 on Hopper accumulates in tensor cores with about 14 bits before
  //        promotion to fp32 (DeepSeek-V3 report), hence 2^-14.
  // The 1e-12 floor covers the fp64 reference's own rounding.
  // FP8 fast accumulation (never promoted to fp32) may truncate at every 32-deep tensor-core
  // step, a loss biased toward zero that grows linearly: up to 2^-14 of |ref| per step, so
  //   + 5 * 2^-14 * ceil(k / 32)    (|ref| <= ~5 scale, as above).
  double u_out, u_in, u_acc;
};

/// The dtype named `name`; throws InputError listing the known ones.
const GemmDtype& gemm_dtype(const std::string& name);

/// Largest acceptable |got - ref| / scale for a GEMM of depth k (see GemmDtype); fast_accum
/// only matters for fp8.
double gemm_tolerance(const GemmDtype& dtype, std::int64_t k, bool fast_accum = false);

} // namespace gpucert::cuda
