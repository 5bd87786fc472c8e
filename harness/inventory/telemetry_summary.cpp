// Telemetry points → TelemetrySummary (see telemetry_summary.hpp).
#include "harness/inventory/telemetry_summary.hpp"

#include "harness/inventory/throttle_reasons.hpp"

#include <algorithm>

namespace gpucert::inventory {
namespace {

struct Stat {
  int n = 0;
  double min = 0, max = 0, sum = 0;
  void add(const std::optional<double>& v) {
    if (!v)
      return;
    min = n == 0 ? *v : std::min(min, *v);
    max = n == 0 ? *v : std::max(max, *v);
    sum += *v;
    ++n;
  }
  double mean() const { return n == 0 ? 0 : sum / n; }
};

} // namespace

TelemetrySummary summarise_telemetry(const std::vector<TelemetryPoint>& points,
                                     const std::string& reason_if_empty) {
  TelemetrySummary s;
  s.samples = static_cast<int>(points.size());
  Stat sm, mem, power, temp;
  int masks = 0;
  std::vector<int> active(throttle_reasons().size(), 0);
  for (const auto& p : points) {
    sm.add(p.sm_clock_mhz);
    mem.add(p.mem_clock_mhz);
    power.add(p.power_w);
    temp.add(p.temperature_c);
    if (!p.throttle_mask)
      continue;
    ++masks;
    for (std::size_t i = 0; i < active.size(); ++i)
      if (*p.throttle_mask & throttle_reasons()[i].bit)
        ++active[i];
  }
  s.available = sm.n + mem.n + power.n + temp.n + masks > 0;
  if (!s.available) {
    s.unavailable_reason = reason_if_empty;
    return s;
  }
  s.sm_clock_mhz_min = sm.min;
  s.sm_clock_mhz_mean = sm.mean();
  s.sm_clock_mhz_max = sm.max;
  s.mem_clock_mhz_mean = mem.mean();
  s.power_w_mean = power.mean();
  s.power_w_max = power.max;
  s.temperature_c_max = temp.max;
  if (masks > 0)
    for (std::size_t i = 0; i < active.size(); ++i)
      s.throttle_fraction[throttle_reasons()[i].name] = static_cast<double>(active[i]) / masks;
  return s;
}

} // namespace gpucert::inventory
