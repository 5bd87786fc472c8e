// Loads the CUDA backend plugin with dlopen, as NVML is loaded: a missing CUDA runtime, cuBLASLt
// or NCCL becomes one clear EnvironmentError at the moment GPUs are needed, not a loader failure
// before main().
#include "harness/backends/cuda_plugin.hpp"

#include "gpucert/version.hpp"
#include "harness/core/error.hpp"
#include "harness/measure/backend_plugin_abi.hpp"

#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <fmt/format.h>

namespace gpucert::backends {
namespace {

std::string this_build() {
  return fmt::format("{}+{}", kToolVersion, kGitRevision);
}

} // namespace

std::string cuda_plugin_path() {
  if (const char* env = std::getenv("GPUCERT_CUDA_PLUGIN"); env && *env)
    return env;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    return "libgpucert-cuda.so"; // the loader's own search path
  return (exe.parent_path().parent_path() / "lib" / "gpucert" / "libgpucert-cuda.so").string();
}

std::unique_ptr<Backend> load_cuda_backend(const std::vector<int>& gpus) {
  const std::string path = cuda_plugin_path();
  std::error_code ec;
  if (path.find('/') != std::string::npos && !std::filesystem::exists(path, ec))
    throw EnvironmentError(fmt::format(
        "this gpucert has no CUDA backend ({} is not there): install the gpucert-cuda package, or "
        "build gpucert where the CUDA toolkit and NCCL are found",
        path));
  // Loaded once and never closed: instances and their code live until exit.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw EnvironmentError(fmt::format(
        "the CUDA backend could not be loaded ({}): {}; it needs the CUDA 13 runtime, cuBLASLt "
        "and NCCL on the library path (set GPUCERT_CUDA_PLUGIN to use another plugin file)",
        path, why ? why : "unknown reason"));
  }
  auto build = reinterpret_cast<gpucert_cuda_plugin_build_fn>(
      dlsym(handle, GPUCERT_CUDA_PLUGIN_BUILD_SYMBOL));
  auto create = reinterpret_cast<gpucert_cuda_backend_create_fn>(
      dlsym(handle, GPUCERT_CUDA_BACKEND_CREATE_SYMBOL));
  if (!build || !create)
    throw EnvironmentError(fmt::format(
        "{} is not a gpucert CUDA backend plugin (its entry points are missing)", path));
  if (const std::string theirs = build(); theirs != this_build())
    throw EnvironmentError(fmt::format("{} was built from gpucert {}, this gpucert is {}: install "
                                       "the plugin of the same build",
                                       path, theirs, this_build()));
  return std::unique_ptr<Backend>(create(gpus));
}

} // namespace gpucert::backends
