// Check macro for NVML calls: a failure throws DeviceError naming the call, file:line and
// NVML's own error string. NVML is dlopen'ed (harness/inventory/nvml_library), so the string
// comes from the loaded library; this header needs no nvml.h.
#pragma once

namespace gpucert::detail {

/// Throws DeviceError("NVML error <string> (<rc>) in `<expr>` at <file>:<line>").
[[noreturn]] void throw_nvml(int rc, const char* expr, const char* file, int line);

} // namespace gpucert::detail

/// Throws gpucert::DeviceError when an NVML call does not return NVML_SUCCESS (0).
#define GPUCERT_NVML_CHECK(expr)                                                                   \
  do {                                                                                             \
    const int gpucert_nvml_rc_ = static_cast<int>(expr);                                           \
    if (gpucert_nvml_rc_ != 0)                                                                     \
      ::gpucert::detail::throw_nvml(gpucert_nvml_rc_, #expr, __FILE__, __LINE__);                  \
  } while (0)
