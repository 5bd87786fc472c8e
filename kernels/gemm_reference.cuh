// Reference for sampled GEMM output elements: an fp64 dot product of the same stored
// (already converted) inputs, one block per sampled element.
#pragma once

#include "kernels/element_type.cuh"

#include <cstdint>
#include <cuda_runtime_api.h>

namespace gpucert::kernels {

/// Column-major operands as cuBLAS stores them: op(A) is m x k, op(B) is k x n, D is m x n.
/// For each sample s at (rows[s], cols[s]):
///   ref[s]   = sum_p op(A)(i, p) * op(B)(p, j)           in fp64
///   scale[s] = sqrt(sum_p (op(A)(i, p) * op(B)(p, j))^2)  the natural size of that sum
///   got[s]   = D(i, j) converted to fp64
struct GemmReferenceArgs {
  ElementType in_type = ElementType::f32;
  ElementType out_type = ElementType::f32;
  const void* a = nullptr;
  const void* b = nullptr;
  const void* d = nullptr;
  std::int64_t m = 0, n = 0, k = 0, lda = 0, ldb = 0, ldd = 0;
  bool trans_a = false, trans_b = false;
  const int* rows = nullptr; ///< device arrays of `samples` entries
  const int* cols = nullptr;
  int samples = 0;
  double* ref = nullptr; ///< device outputs of `samples` entries
  double* got = nullptr;
  double* scale = nullptr;
};

cudaError_t launch_gemm_reference(const GemmReferenceArgs& args, cudaStream_t stream);

} // namespace gpucert::kernels
