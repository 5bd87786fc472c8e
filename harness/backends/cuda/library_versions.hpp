// Versions of the CUDA driver, CUDA runtime, cuBLAS(Lt) and NCCL this build runs with.
#pragma once

#include "harness/model/inventory.hpp"

namespace gpucert::cuda {

/// Fills cuda_driver_version, cuda_runtime_version, cublas_version and nccl_version (absent with
/// the reason when a library cannot say, e.g. "built without NCCL").
void fill_library_versions(NodeInfo& node);

} // namespace gpucert::cuda
