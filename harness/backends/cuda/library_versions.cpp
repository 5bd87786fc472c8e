// Library versions recorded with every figure: software versions move results (FP8 GEMM at
// 16384^3 on H200 lost about 4 % between CUDA 12.6 and 12.8).
#include "harness/backends/cuda/library_versions.hpp"

#include <cublasLt.h>
#include <cuda_runtime_api.h>
#include <fmt/core.h>

#if defined(GPUCERT_HAVE_NCCL)
#include <nccl.h>
#endif

#include "harness/inventory/nvml_inventory.hpp"

namespace gpucert::cuda {
namespace {

/// CUDA encodes 13.0 as 13000.
std::string cuda_version(int v) {
  return fmt::format("{}.{}", v / 1000, (v % 1000) / 10);
}

} // namespace

void fill_library_versions(NodeInfo& node) {
  using inventory::set_field;
  int v = 0;
  if (cudaDriverGetVersion(&v) == cudaSuccess && v > 0)
    set_field(node, "cuda_driver_version", node.cuda_driver_version, cuda_version(v));
  else if (!node.cuda_driver_version)
    node.unavailable["cuda_driver_version"] = "cudaDriverGetVersion: no CUDA driver";
  if (cudaRuntimeGetVersion(&v) == cudaSuccess)
    set_field(node, "cuda_runtime_version", node.cuda_runtime_version, cuda_version(v));
  else
    node.unavailable["cuda_runtime_version"] = "cudaRuntimeGetVersion failed";

  // cuBLASLt encodes 13.1.0 as 130100 (major*10000 + minor*100 + patch).
  const std::size_t lt = cublasLtGetVersion();
  set_field(node, "cublas_version", node.cublas_version,
            fmt::format("{}.{}.{}", lt / 10000, (lt / 100) % 100, lt % 100));

#if defined(GPUCERT_HAVE_NCCL)
  int nccl = 0;
  if (ncclGetVersion(&nccl) == ncclSuccess) {
    // NCCL >= 2.9 encodes major*10000 + minor*100 + patch; older major*1000 + minor*100 + patch.
    const std::string text =
        nccl >= 10000 ? fmt::format("{}.{}.{}", nccl / 10000, (nccl / 100) % 100, nccl % 100)
                      : fmt::format("{}.{}.{}", nccl / 1000, (nccl / 100) % 10, nccl % 100);
    set_field(node, "nccl_version", node.nccl_version, text);
  } else {
    node.unavailable["nccl_version"] = "ncclGetVersion failed";
  }
#else
  node.unavailable["nccl_version"] = "built without NCCL";
#endif
}

} // namespace gpucert::cuda
