// dlopen's libnvidia-ml.so.1 once per process and tells apart "no driver", "NVML cannot start"
// and "no GPU", each in one line.
#include "harness/inventory/nvml_library.hpp"

#include "harness/core/error.hpp"
#include "harness/inventory/nvml_check.hpp"

#include <cstdlib>
#include <dlfcn.h>
#include <fmt/core.h>
#include <string>

#if defined(GPUCERT_HAVE_NVML_H)
#include "harness/inventory/nvml_api.hpp"
#endif

namespace gpucert {
namespace nvml {

#if defined(GPUCERT_HAVE_NVML_H)
namespace {

struct Loaded {
  Api api;
  std::string error; ///< empty when NVML is usable
};

std::string library_path() {
  const char* override_path = std::getenv("GPUCERT_NVML_LIBRARY");
  return override_path != nullptr && *override_path != '\0' ? override_path : "libnvidia-ml.so.1";
}

Loaded load() {
  Loaded l;
  const std::string path = library_path();
  // Never dlclose'd and never nvmlShutdown'ed: telemetry threads may use it until exit.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    l.error = fmt::format("no NVIDIA driver: {} not found ({})", path, why ? why : "dlopen failed");
    return l;
  }
#define GPUCERT_NVML_LOAD(sym)                                                                     \
  l.api.sym.ptr = reinterpret_cast<decltype(l.api.sym.ptr)>(dlsym(handle, #sym));
  GPUCERT_NVML_FUNCTIONS(GPUCERT_NVML_LOAD)
#undef GPUCERT_NVML_LOAD
  l.api.nvmlErrorString =
      reinterpret_cast<decltype(l.api.nvmlErrorString)>(dlsym(handle, "nvmlErrorString"));

  for (const char* needed : {"nvmlInit_v2", "nvmlDeviceGetCount_v2",
                             "nvmlDeviceGetHandleByPciBusId_v2", "nvmlErrorString"}) {
    if (dlsym(handle, needed) == nullptr) {
      l.error = fmt::format("NVIDIA driver too old: {} has no {}", path, needed);
      return l;
    }
  }

  const nvmlReturn_t rc = l.api.nvmlInit_v2();
  const std::string what = fmt::format("nvmlInit_v2: {}", l.api.nvmlErrorString(rc));
  switch (rc) {
  case NVML_SUCCESS:
    break;
  case NVML_ERROR_DRIVER_NOT_LOADED:
    l.error = fmt::format("no NVIDIA driver: {} is installed but the kernel driver is not loaded "
                          "({})",
                          path, what);
    return l;
  case NVML_ERROR_NO_PERMISSION:
    l.error = fmt::format("NVML cannot start: no permission on the GPU device files ({})", what);
    return l;
  case NVML_ERROR_LIB_RM_VERSION_MISMATCH:
    l.error = fmt::format("NVML cannot start: {} and the kernel driver differ in version (driver "
                          "updated without a reboot?) ({})",
                          path, what);
    return l;
  default:
    l.error = fmt::format("NVML cannot start ({})", what);
    return l;
  }

  unsigned int count = 0;
  if (const nvmlReturn_t c = l.api.nvmlDeviceGetCount_v2(&count); c != NVML_SUCCESS)
    l.error =
        fmt::format("NVML cannot list GPUs (nvmlDeviceGetCount_v2: {})", l.api.nvmlErrorString(c));
  else if (count == 0)
    l.error = "driver loaded but no GPU (nvmlDeviceGetCount_v2 found 0 devices)";
  return l;
}

const Loaded& loaded() {
  static const Loaded l = load();
  return l;
}

} // namespace

const Api& api() {
  ensure_loaded();
  return loaded().api;
}

void ensure_loaded() {
  if (!loaded().error.empty())
    throw EnvironmentError(loaded().error);
}

std::string error_string(int rc) {
  const auto fn = loaded().api.nvmlErrorString;
  if (fn != nullptr)
    return fn(static_cast<nvmlReturn_t>(rc));
  return fmt::format("NVML error {}", rc);
}

#else // built without nvml.h

void ensure_loaded() {
  throw EnvironmentError("built without nvml.h: gpucert cannot read NVIDIA GPUs (run "
                         "ci/setup.sh, which fetches it, and rebuild)");
}

std::string error_string(int rc) {
  return fmt::format("NVML error {}", rc);
}

#endif

} // namespace nvml

namespace detail {

[[noreturn]] void throw_nvml(int rc, const char* expr, const char* file, int line) {
  std::string_view path(file);
  if (const auto pos = path.rfind("harness/"); pos != std::string_view::npos)
    path = path.substr(pos);
  throw DeviceError(fmt::format("NVML error {} ({}) in `{}` at {}:{}", nvml::error_string(rc), rc,
                                expr, path, line));
}

} // namespace detail
} // namespace gpucert
