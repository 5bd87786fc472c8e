// Simulated telemetry: each window is split into idle, busy and busy-throttled time (from the
// backend's load accounting) and each part contributes its clock, power and throttle reasons.
#include "harness/backends/sim/sim_telemetry.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::sim {

namespace {

// Plausible H100/H200-class figures for the parts the node file does not give.
constexpr double kIdleSmClockMhz = 345;
constexpr double kIdlePowerW = 75;
constexpr double kLoadPowerShare = 0.82; ///< busy power as a share of the power limit
constexpr double kAmbientC = 34;
constexpr double kLoadRiseC = 30;         ///< healthy steady-state rise under load
constexpr double kHeatTimeConstantS = 30; ///< how fast a GPU warms up under load
constexpr double kThrottleTemperatureC = 87;

} // namespace

SimTelemetry::SimTelemetry(SimBackend& backend, std::vector<int> gpus)
    : backend_(backend), gpus_(std::move(gpus)) {}

void SimTelemetry::start() {
  start_s_ = backend_.now_seconds();
  start_load_.clear();
  for (int g : gpus_)
    start_load_[g] = backend_.load(g);
}

std::map<int, TelemetrySummary> SimTelemetry::stop() {
  const double window = backend_.now_seconds() - start_s_;
  std::map<int, TelemetrySummary> out;
  for (int g : gpus_)
    out[g] = summarise(g, start_load_[g], window);
  return out;
}

TelemetrySummary SimTelemetry::summarise(int gpu, const SimBackend::GpuLoad& before,
                                         double window_s) const {
  TelemetrySummary t;
  if (backend_.lost(gpu)) {
    t.unavailable_reason = fmt::format("GPU {} fell off the bus (simulated): NVML reports "
                                       "NVML_ERROR_GPU_IS_LOST",
                                       gpu);
    return t;
  }
  const SimNode& node = backend_.node();
  const GpuInfo& info = backend_.gpu_info(gpu);
  const double max_clock = info.sm_clock_max_mhz.value_or(1980);
  const double mem_clock = info.mem_clock_max_mhz.value_or(2619);
  const double power_limit = info.power_limit_w.value_or(700);

  const SimBackend::GpuLoad& now = backend_.load(gpu);
  double busy = 0, throttled = 0;
  if (window_s > 0) {
    busy = std::clamp((now.busy_s - before.busy_s) / window_s, 0.0, 1.0);
    throttled = std::clamp((now.throttled_s - before.throttled_s) / window_s, 0.0, busy);
  }
  const double cool_busy = busy - throttled, idle = 1 - busy;
  const double spread = backend_.spread_factor(gpu);
  const double load_clock = std::min(max_clock, max_clock * (0.985 + (spread - 1)));
  const double hot_clock = max_clock * node.thermal_factor;
  const double load_power = power_limit * kLoadPowerShare;
  const double hot_power = load_power * node.thermal_factor;

  t.available = true;
  t.samples = std::max(1, static_cast<int>(std::lround(window_s / kPeriodS)));
  t.sm_clock_mhz_mean = idle * kIdleSmClockMhz + cool_busy * load_clock + throttled * hot_clock;
  t.power_w_mean = idle * kIdlePowerW + cool_busy * load_power + throttled * hot_power;
  t.mem_clock_mhz_mean = mem_clock;
  // Extremes over the states the window visited (an instantaneous reading when it had none).
  std::vector<std::pair<double, double>> states; // (clock, power)
  if (idle > 0 || busy == 0)
    states.emplace_back(kIdleSmClockMhz, kIdlePowerW);
  if (cool_busy > 0)
    states.emplace_back(load_clock, load_power);
  if (throttled > 0)
    states.emplace_back(hot_clock, hot_power);
  t.sm_clock_mhz_min = t.sm_clock_mhz_max = states.front().first;
  t.power_w_max = states.front().second;
  for (const auto& [clock, power] : states) {
    t.sm_clock_mhz_min = std::min(t.sm_clock_mhz_min, clock);
    t.sm_clock_mhz_max = std::max(t.sm_clock_mhz_max, clock);
    t.power_w_max = std::max(t.power_w_max, power);
  }

  // Temperature at the end of the window, from the GPU's accumulated load. A healthy GPU settles
  // ~30 °C over ambient; a GPU with a cooling fault climbs to the throttle point as its load
  // approaches thermal_throttle_after_s and stays there.
  const double load_s = now.busy_s;
  if (backend_.faults().thermal(gpu)) {
    const double ramp = std::min(1.0, load_s / std::max(node.thermal_throttle_after_s, 1e-9));
    t.temperature_c_max = kAmbientC + 10 + (kThrottleTemperatureC - kAmbientC - 10) * ramp;
  } else {
    t.temperature_c_max = kAmbientC + kLoadRiseC * (1 - std::exp(-load_s / kHeatTimeConstantS)) +
                          100 * (spread - 1); // cooling position: a degree or two between GPUs
  }
  t.temperature_c_max = std::round(t.temperature_c_max);

  t.throttle_fraction = {{"hw_slowdown", throttled},
                         {"hw_thermal", throttled},
                         {"sw_thermal", throttled},
                         {"sw_power_cap", 0},
                         {"idle", idle}};
  return t;
}

} // namespace gpucert::sim
