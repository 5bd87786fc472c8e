// Check macros for CUDA runtime, cuBLAS(Lt) and NCCL calls: a failure throws DeviceError naming
// the expression, file:line and the library's own error name and text.
#pragma once

#include "harness/core/error.hpp"

#include <cstdio>
#include <cublasLt.h>
#include <cuda_runtime_api.h>
#include <string>
#include <string_view>

#if defined(GPUCERT_HAVE_NCCL)
#include <nccl.h>
#endif

namespace gpucert::detail {

/// The path from the project's top folders on ("harness/backends/cuda/x.cpp"), so messages do
/// not carry the build machine's directory layout.
inline std::string_view short_path(std::string_view file) {
  for (std::string_view top : {"harness/", "kernels/", "tests/", "apps/", "reports/"}) {
    const auto pos = file.rfind(top);
    if (pos != std::string_view::npos)
      return file.substr(pos);
  }
  return file;
}

inline std::string where(const char* expr, const char* file, int line) {
  std::string s = " in `";
  s += expr;
  s += "` at ";
  s += short_path(file);
  s += ":";
  s += std::to_string(line);
  return s;
}

inline std::string cuda_message(cudaError_t rc, const char* expr, const char* file, int line) {
  return std::string("CUDA error ") + cudaGetErrorName(rc) + " (" + cudaGetErrorString(rc) + ")" +
         where(expr, file, line);
}

inline std::string cublas_message(cublasStatus_t rc, const char* expr, const char* file, int line) {
  return std::string("cuBLAS error ") + cublasLtGetStatusName(rc) + " (" +
         cublasLtGetStatusString(rc) + ")" + where(expr, file, line);
}

[[noreturn]] inline void throw_cuda(cudaError_t rc, const char* expr, const char* file, int line) {
  // A non-sticky error stays queued in the runtime and would be reported again by the next
  // cudaGetLastError(); consume it so the next check sees only its own failure.
  (void)cudaGetLastError();
  throw DeviceError(cuda_message(rc, expr, file, line));
}

[[noreturn]] inline void throw_cublas(cublasStatus_t rc, const char* expr, const char* file,
                                      int line) {
  throw DeviceError(cublas_message(rc, expr, file, line));
}

inline void log_cuda(cudaError_t rc, const char* expr, const char* file, int line) noexcept {
  (void)cudaGetLastError();
  std::fprintf(stderr, "gpucert: warning: %s (ignored during cleanup)\n",
               cuda_message(rc, expr, file, line).c_str());
}

inline void log_cublas(cublasStatus_t rc, const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "gpucert: warning: %s (ignored during cleanup)\n",
               cublas_message(rc, expr, file, line).c_str());
}

#if defined(GPUCERT_HAVE_NCCL)
inline std::string nccl_message(ncclResult_t rc, const char* expr, const char* file, int line) {
  std::string s = std::string("NCCL error ") + std::to_string(static_cast<int>(rc)) + " (" +
                  ncclGetErrorString(rc) + ")";
  // The last error text names the failing peer/transport for system and internal errors.
  const char* last = ncclGetLastError(nullptr);
  if (last != nullptr && *last != '\0')
    s += std::string(": ") + last;
  return s + where(expr, file, line);
}

[[noreturn]] inline void throw_nccl(ncclResult_t rc, const char* expr, const char* file, int line) {
  throw DeviceError(nccl_message(rc, expr, file, line));
}

inline void log_nccl(ncclResult_t rc, const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "gpucert: warning: %s (ignored during cleanup)\n",
               nccl_message(rc, expr, file, line).c_str());
}
#endif

} // namespace gpucert::detail

/// Throws gpucert::DeviceError when a CUDA runtime call does not return cudaSuccess.
#define GPUCERT_CUDA_CHECK(expr)                                                                   \
  do {                                                                                             \
    const cudaError_t gpucert_rc_ = (expr);                                                        \
    if (gpucert_rc_ != cudaSuccess)                                                                \
      ::gpucert::detail::throw_cuda(gpucert_rc_, #expr, __FILE__, __LINE__);                       \
  } while (0)

/// For destructors and cleanup paths: logs a failure to stderr instead of throwing.
#define GPUCERT_CUDA_CHECK_NOEXCEPT(expr)                                                          \
  do {                                                                                             \
    const cudaError_t gpucert_rc_ = (expr);                                                        \
    if (gpucert_rc_ != cudaSuccess)                                                                \
      ::gpucert::detail::log_cuda(gpucert_rc_, #expr, __FILE__, __LINE__);                         \
  } while (0)

/// Throws gpucert::DeviceError when a cuBLAS or cuBLASLt call does not return success.
#define GPUCERT_CUBLAS_CHECK(expr)                                                                 \
  do {                                                                                             \
    const cublasStatus_t gpucert_rc_ = (expr);                                                     \
    if (gpucert_rc_ != CUBLAS_STATUS_SUCCESS)                                                      \
      ::gpucert::detail::throw_cublas(gpucert_rc_, #expr, __FILE__, __LINE__);                     \
  } while (0)

#define GPUCERT_CUBLAS_CHECK_NOEXCEPT(expr)                                                        \
  do {                                                                                             \
    const cublasStatus_t gpucert_rc_ = (expr);                                                     \
    if (gpucert_rc_ != CUBLAS_STATUS_SUCCESS)                                                      \
      ::gpucert::detail::log_cublas(gpucert_rc_, #expr, __FILE__, __LINE__);                       \
  } while (0)

#if defined(GPUCERT_HAVE_NCCL)
/// Throws gpucert::DeviceError when an NCCL call does not return ncclSuccess.
#define GPUCERT_NCCL_CHECK(expr)                                                                   \
  do {                                                                                             \
    const ncclResult_t gpucert_rc_ = (expr);                                                       \
    if (gpucert_rc_ != ncclSuccess)                                                                \
      ::gpucert::detail::throw_nccl(gpucert_rc_, #expr, __FILE__, __LINE__);                       \
  } while (0)

#define GPUCERT_NCCL_CHECK_NOEXCEPT(expr)                                                          \
  do {                                                                                             \
    const ncclResult_t gpucert_rc_ = (expr);                                                       \
    if (gpucert_rc_ != ncclSuccess)                                                                \
      ::gpucert::detail::log_nccl(gpucert_rc_, #expr, __FILE__, __LINE__);                         \
  } while (0)
#endif
