// Telemetry of real GPUs: a background thread reads clocks, power, temperature and clock-event
// (throttle) reasons from NVML every ~20 ms while a measurement runs.
#pragma once

#include "harness/measure/backend.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace gpucert::inventory {

class NvmlTelemetrySampler : public TelemetrySampler {
public:
  struct Gpu {
    int index = 0;          ///< gpucert's GPU index (CUDA ordinal)
    std::string pci_bus_id; ///< how NVML finds it
  };
  /// Never throws: a GPU NVML cannot read yields a summary with available = false and why.
  explicit NvmlTelemetrySampler(std::vector<Gpu> gpus,
                                std::chrono::milliseconds period = std::chrono::milliseconds(20));
  ~NvmlTelemetrySampler() override;
  NvmlTelemetrySampler(const NvmlTelemetrySampler&) = delete;
  NvmlTelemetrySampler& operator=(const NvmlTelemetrySampler&) = delete;

  /// Takes a first reading at once, then one per period until stop().
  void start() override;
  /// Takes a last reading and summarises the window per GPU index.
  std::map<int, TelemetrySummary> stop() override;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace gpucert::inventory
