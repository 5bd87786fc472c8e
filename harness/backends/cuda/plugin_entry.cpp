// The entry points of libgpucert-cuda.so, the CUDA backend plugin (see cuda_plugin_abi.hpp).
#include "gpucert/version.hpp"
#include "harness/backends/cuda/cuda_backend.hpp"
#include "harness/measure/backend_plugin_abi.hpp"

#include <string>

extern "C" {

__attribute__((visibility("default"))) const char* gpucert_cuda_plugin_build() {
  static const std::string build = std::string(gpucert::kToolVersion) + "+" + gpucert::kGitRevision;
  return build.c_str();
}

__attribute__((visibility("default"))) gpucert::Backend*
gpucert_cuda_backend_create(const std::vector<int>& gpus) {
  return new gpucert::cuda::CudaBackend(gpus);
}
}
