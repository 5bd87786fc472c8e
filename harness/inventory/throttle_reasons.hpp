// NVML clock-event (throttle) reason bits and the names gpucert reports them by
// (results.hpp TelemetrySummary, inventory throttle_reasons).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpucert::inventory {

struct ThrottleReason {
  std::uint64_t bit; ///< nvmlClocksEventReason* value
  const char* name;  ///< "hw_slowdown", "sw_thermal", ...
};

/// Every reason bit NVML defines, in bit order.
const std::vector<ThrottleReason>& throttle_reasons();

/// Names of the bits set in `mask`; a bit gpucert does not know is named "bit_0x...".
std::vector<std::string> throttle_reason_names(std::uint64_t mask);

} // namespace gpucert::inventory
