// The NVML entry points gpucert uses, as a table filled by dlsym. Private to harness/inventory
// (needs nvml.h for the types). A symbol an older driver lacks stays null and calling it returns
// NVML_ERROR_FUNCTION_NOT_FOUND, so callers record "unavailable" instead of crashing.
#pragma once

#if !defined(GPUCERT_HAVE_NVML_H)
#error "nvml_api.hpp needs nvml.h (GPUCERT_HAVE_NVML_H)"
#endif

#include <nvml.h>

namespace gpucert::nvml {

template <class F> struct Fn {
  const char* name;
  F* ptr = nullptr;
  template <class... A> nvmlReturn_t operator()(A... args) const {
    return ptr != nullptr ? ptr(args...) : NVML_ERROR_FUNCTION_NOT_FOUND;
  }
};

// Versioned names on purpose: nvml.h #defines the plain names to these, and dlsym needs the
// real symbol.
#define GPUCERT_NVML_FUNCTIONS(X)                                                                  \
  X(nvmlInit_v2)                                                                                   \
  X(nvmlSystemGetDriverVersion)                                                                    \
  X(nvmlSystemGetCudaDriverVersion_v2)                                                             \
  X(nvmlDeviceGetCount_v2)                                                                         \
  X(nvmlDeviceGetHandleByPciBusId_v2)                                                              \
  X(nvmlDeviceGetName)                                                                             \
  X(nvmlDeviceGetUUID)                                                                             \
  X(nvmlDeviceGetSerial)                                                                           \
  X(nvmlDeviceGetPciInfo_v3)                                                                       \
  X(nvmlDeviceGetMemoryInfo)                                                                       \
  X(nvmlDeviceGetCudaComputeCapability)                                                            \
  X(nvmlDeviceGetMaxClockInfo)                                                                     \
  X(nvmlDeviceGetClockInfo)                                                                        \
  X(nvmlDeviceGetPowerManagementLimit)                                                             \
  X(nvmlDeviceGetEnforcedPowerLimit)                                                               \
  X(nvmlDeviceGetPowerManagementDefaultLimit)                                                      \
  X(nvmlDeviceGetPowerUsage)                                                                       \
  X(nvmlDeviceGetTemperature)                                                                      \
  X(nvmlDeviceGetTemperatureV)                                                                     \
  X(nvmlDeviceGetEccMode)                                                                          \
  X(nvmlDeviceGetTotalEccErrors)                                                                   \
  X(nvmlDeviceGetRetiredPages)                                                                     \
  X(nvmlDeviceGetRetiredPagesPendingStatus)                                                        \
  X(nvmlDeviceGetRemappedRows)                                                                     \
  X(nvmlDeviceGetCurrPcieLinkGeneration)                                                           \
  X(nvmlDeviceGetMaxPcieLinkGeneration)                                                            \
  X(nvmlDeviceGetCurrPcieLinkWidth)                                                                \
  X(nvmlDeviceGetMaxPcieLinkWidth)                                                                 \
  X(nvmlDeviceGetNvLinkState)                                                                      \
  X(nvmlDeviceGetNvLinkRemotePciInfo_v2)                                                           \
  X(nvmlDeviceGetNvLinkRemoteDeviceType)                                                           \
  X(nvmlDeviceGetMigMode)                                                                          \
  X(nvmlDeviceGetPersistenceMode)                                                                  \
  X(nvmlDeviceGetCurrentClocksEventReasons)                                                        \
  X(nvmlDeviceGetCurrentClocksThrottleReasons)

// The table keeps entry points nvml.h now marks deprecated: older drivers have only those.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct Api {
#define GPUCERT_NVML_MEMBER(sym) Fn<decltype(::sym)> sym{#sym};
  GPUCERT_NVML_FUNCTIONS(GPUCERT_NVML_MEMBER)
#undef GPUCERT_NVML_MEMBER
  const char* (*nvmlErrorString)(nvmlReturn_t) = nullptr;

  /// Clock-event (throttle) reasons: the current name, or the one drivers before 535 export.
  nvmlReturn_t clock_event_reasons(nvmlDevice_t dev, unsigned long long* mask) const {
    if (nvmlDeviceGetCurrentClocksEventReasons.ptr != nullptr)
      return nvmlDeviceGetCurrentClocksEventReasons(dev, mask);
    return nvmlDeviceGetCurrentClocksThrottleReasons(dev, mask);
  }

  /// GPU core temperature in °C: the versioned call where the driver has it, else the old one.
  nvmlReturn_t gpu_temperature(nvmlDevice_t dev, int* celsius) const {
    if (nvmlDeviceGetTemperatureV.ptr != nullptr) {
      nvmlTemperature_t t{};
      t.version = nvmlTemperature_v1;
      t.sensorType = NVML_TEMPERATURE_GPU;
      const nvmlReturn_t rc = nvmlDeviceGetTemperatureV(dev, &t);
      *celsius = t.temperature;
      return rc;
    }
    unsigned int v = 0;
    const nvmlReturn_t rc = nvmlDeviceGetTemperature(dev, NVML_TEMPERATURE_GPU, &v);
    *celsius = static_cast<int>(v);
    return rc;
  }
};
#pragma GCC diagnostic pop

/// The loaded table; throws EnvironmentError like ensure_loaded().
const Api& api();

} // namespace gpucert::nvml
