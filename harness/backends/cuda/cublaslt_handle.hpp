// Move-only owners of cuBLASLt objects: the handle, and the matmul, layout and preference
// descriptors.
#pragma once

#include "harness/backends/cuda/cuda_check.hpp"

#include <cublasLt.h>
#include <utility>

namespace gpucert::cuda {

/// Owns one cuBLASLt object of pointer type T, destroyed by Destroy.
template <typename T, cublasStatus_t (*Destroy)(T)> class LtObject {
public:
  LtObject() = default;
  explicit LtObject(T p) : p_(p) {}
  ~LtObject() {
    if (p_ != nullptr)
      GPUCERT_CUBLAS_CHECK_NOEXCEPT(Destroy(p_));
  }
  LtObject(LtObject&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  LtObject& operator=(LtObject&& o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  LtObject(const LtObject&) = delete;
  LtObject& operator=(const LtObject&) = delete;
  T get() const { return p_; }

private:
  T p_ = nullptr;
};

using LtMatmulDesc = LtObject<cublasLtMatmulDesc_t, cublasLtMatmulDescDestroy>;
using LtMatrixLayout = LtObject<cublasLtMatrixLayout_t, cublasLtMatrixLayoutDestroy>;
using LtPreference = LtObject<cublasLtMatmulPreference_t, cublasLtMatmulPreferenceDestroy>;

class CublasLtHandle : public LtObject<cublasLtHandle_t, cublasLtDestroy> {
public:
  CublasLtHandle() : LtObject(create()) {}

private:
  static cublasLtHandle_t create() {
    cublasLtHandle_t h = nullptr;
    GPUCERT_CUBLAS_CHECK(cublasLtCreate(&h));
    return h;
  }
};

} // namespace gpucert::cuda
