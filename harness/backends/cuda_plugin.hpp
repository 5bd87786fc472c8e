// The CUDA backend lives in a plugin (libgpucert-cuda.so) loaded only when a command measures
// real GPUs, so every other command starts on machines with no CUDA library at all.
#pragma once

#include "harness/measure/backend.hpp"

#include <memory>
#include <string>
#include <vector>

namespace gpucert::backends {

/// Where the plugin is looked for: $GPUCERT_CUDA_PLUGIN when set, else
/// <dir of the executable>/../lib/gpucert/libgpucert-cuda.so (the same in a build tree and an
/// installed prefix).
std::string cuda_plugin_path();

/// Loads the plugin and makes its backend over `gpus` (empty = all). Throws EnvironmentError
/// naming the plugin and the loader's reason when it is absent, cannot load its CUDA libraries
/// or was built from another gpucert version.
std::unique_ptr<Backend> load_cuda_backend(const std::vector<int>& gpus);

} // namespace gpucert::backends
