// NVML clock-event reason bits → names. The values are NVML's ABI (stable across drivers), so
// they are spelled here and checked against nvml.h where it is available.
#include "harness/inventory/throttle_reasons.hpp"

#include <fmt/core.h>

#if defined(GPUCERT_HAVE_NVML_H)
#include <nvml.h>
static_assert(nvmlClocksEventReasonGpuIdle == 0x1);
static_assert(nvmlClocksEventReasonApplicationsClocksSetting == 0x2);
static_assert(nvmlClocksEventReasonSwPowerCap == 0x4);
static_assert(nvmlClocksThrottleReasonHwSlowdown == 0x8);
static_assert(nvmlClocksEventReasonSyncBoost == 0x10);
static_assert(nvmlClocksEventReasonSwThermalSlowdown == 0x20);
static_assert(nvmlClocksThrottleReasonHwThermalSlowdown == 0x40);
static_assert(nvmlClocksThrottleReasonHwPowerBrakeSlowdown == 0x80);
static_assert(nvmlClocksEventReasonDisplayClockSetting == 0x100);
#endif

namespace gpucert::inventory {

const std::vector<ThrottleReason>& throttle_reasons() {
  static const std::vector<ThrottleReason> reasons = {
      {0x1, "idle"},          {0x2, "app_clocks"},      {0x4, "sw_power_cap"},
      {0x8, "hw_slowdown"},   {0x10, "sync_boost"},     {0x20, "sw_thermal"},
      {0x40, "hw_thermal"},   {0x80, "hw_power_brake"}, {0x100, "display_clocks"},
      {0x200, "board_limit"}, {0x400, "reliability"}};
  return reasons;
}

std::vector<std::string> throttle_reason_names(std::uint64_t mask) {
  std::vector<std::string> names;
  std::uint64_t known = 0;
  for (const auto& r : throttle_reasons()) {
    known |= r.bit;
    if (mask & r.bit)
      names.emplace_back(r.name);
  }
  for (std::uint64_t bit = 1; bit != 0; bit <<= 1)
    if ((mask & bit) && !(known & bit))
      names.push_back(fmt::format("bit_{:#x}", bit));
  return names;
}

} // namespace gpucert::inventory
