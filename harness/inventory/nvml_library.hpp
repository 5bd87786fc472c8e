// NVML, loaded at run time with dlopen so gpucert starts on a machine without a driver and says
// so in one line. The function table itself (nvml_api.hpp) is private to harness/inventory.
#pragma once

#include <string>

namespace gpucert::nvml {

/// Loads libnvidia-ml.so.1 (or the file named by GPUCERT_NVML_LIBRARY) and initialises NVML,
/// once per process. Throws EnvironmentError saying which of these it is: no NVIDIA driver
/// (library not found, or kernel driver not loaded), NVML cannot start (permissions, version
/// mismatch), or driver loaded but no GPU.
void ensure_loaded();

/// NVML's text for a return code ("Not Supported", "GPU is lost"); a generic text when NVML is
/// not loaded.
std::string error_string(int rc);

} // namespace gpucert::nvml
