// The two symbols the CUDA backend plugin exports: part of the backend interface, shared by the
// plugin (harness/backends/cuda) and its loader (harness/backends/cuda_plugin.cpp).
#pragma once

#include <vector>

namespace gpucert {
class Backend;
} // namespace gpucert

extern "C" {
/// The gpucert version and git revision the plugin was built from ("0.1.0+abc1234"). The loader
/// refuses a plugin from another build: C++ types cross this boundary.
using gpucert_cuda_plugin_build_fn = const char* (*)();
/// A new CudaBackend over `gpus` (empty = all), owned by the caller; throws like its constructor.
using gpucert_cuda_backend_create_fn = gpucert::Backend* (*)(const std::vector<int>& gpus);
}

#define GPUCERT_CUDA_PLUGIN_BUILD_SYMBOL "gpucert_cuda_plugin_build"
#define GPUCERT_CUDA_BACKEND_CREATE_SYMBOL "gpucert_cuda_backend_create"
