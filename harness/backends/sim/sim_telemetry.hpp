// Telemetry of a simulated node: clocks, power, temperature and throttle reasons that follow
// the load the models put on each GPU and the thermal fault. Stamped simulated by its backend.
#pragma once

#include "harness/backends/sim/sim_backend.hpp"

#include <map>
#include <vector>

namespace gpucert::sim {

class SimTelemetry : public TelemetrySampler {
public:
  SimTelemetry(SimBackend& backend, std::vector<int> gpus);
  void start() override;
  std::map<int, TelemetrySummary> stop() override;

  /// NVML-like sampling period, used to report how many readings the window holds.
  static constexpr double kPeriodS = 0.1;

private:
  TelemetrySummary summarise(int gpu, const SimBackend::GpuLoad& before, double window_s) const;

  SimBackend& backend_;
  std::vector<int> gpus_;
  double start_s_ = 0;
  std::map<int, SimBackend::GpuLoad> start_load_;
};

} // namespace gpucert::sim
