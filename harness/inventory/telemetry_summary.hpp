// Reduces telemetry points taken during a measurement to one TelemetrySummary per GPU.
#pragma once

#include "harness/model/results.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::inventory {

/// One reading of one GPU; a value the driver would not give is absent.
struct TelemetryPoint {
  std::optional<double> sm_clock_mhz, mem_clock_mhz, power_w, temperature_c;
  std::optional<std::uint64_t> throttle_mask; ///< NVML clock-event reason bits
};

/// Min/mean/max over the points that have each value; throttle_fraction over the points that
/// have a mask, one entry per known reason (0 included, so "measured, never seen" is explicit).
/// Not available (with `reason_if_empty`) when no point has any value.
TelemetrySummary summarise_telemetry(const std::vector<TelemetryPoint>& points,
                                     const std::string& reason_if_empty);

} // namespace gpucert::inventory
