// Cause attribution for FAILs, from the evidence recorded with the results: a number below its
// floor is only actionable when the report says which GPU or link and why.
#include "harness/evaluate/checks.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::evaluate::detail {

const GpuInfo* find_gpu(const Inventory& inv, int index) {
  for (const auto& g : inv.gpus)
    if (g.index == index)
      return &g;
  return nullptr;
}

std::string throttle_text(const TelemetrySummary& t) {
  if (!t.available)
    return {};
  auto frac = [&](const char* k) {
    auto it = t.throttle_fraction.find(k);
    return it == t.throttle_fraction.end() ? 0.0 : it->second;
  };
  const double hw = std::max({frac("hw_slowdown"), frac("hw_thermal"), frac("hw_power_brake")});
  const double sw_thermal = frac("sw_thermal");
  constexpr double kSeen = 0.005; // half a percent of the window: below that, sampling noise
  std::string temp = t.temperature_c_max > 0 ? fmt::format(", {:.0f} °C", t.temperature_c_max) : "";
  if (hw > kSeen) {
    std::string why;
    if (frac("hw_thermal") > kSeen)
      why = " (thermal)";
    else if (frac("hw_power_brake") > kSeen)
      why = " (power brake)";
    return fmt::format("HW slowdown{} {:.0f}% of window{}", why, 100 * hw, temp);
  }
  if (sw_thermal > kSeen)
    return fmt::format("SW thermal slowdown {:.0f}% of window{}", 100 * sw_thermal, temp);
  return {};
}

namespace {

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::string pcie_text(const GpuInfo& g) {
  if (!g.pcie_gen_current || !g.pcie_gen_max || !g.pcie_width_current || !g.pcie_width_max)
    return {};
  if (*g.pcie_gen_current >= *g.pcie_gen_max && *g.pcie_width_current >= *g.pcie_width_max)
    return {};
  return fmt::format("PCIe link trained down to gen{} x{} (capable of gen{} x{})",
                     *g.pcie_gen_current, *g.pcie_width_current, *g.pcie_gen_max,
                     *g.pcie_width_max);
}

std::string nvlink_text(const GpuInfo& g) {
  if (!g.nvlink_links_active || !g.nvlink_links_total)
    return {};
  if (*g.nvlink_links_active >= *g.nvlink_links_total)
    return {};
  return fmt::format("NVLink {} of {} links active", *g.nvlink_links_active, *g.nvlink_links_total);
}

std::string ecc_text(const GpuInfo& g) {
  std::uint64_t unc =
      std::max(g.ecc_uncorrected_volatile.value_or(0), g.ecc_uncorrected_aggregate.value_or(0));
  std::vector<std::string> parts;
  if (unc > 0)
    parts.push_back(fmt::format("{} uncorrectable ECC error{}", unc, unc == 1 ? "" : "s"));
  if (g.remapped_rows_pending.value_or(false))
    parts.push_back("row remap pending");
  if (g.remapped_rows_failed.value_or(false))
    parts.push_back("row remap failed");
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : ", ") + p;
  return out;
}

/// Clocks well below the card's maximum without a throttle reason still explain a low figure.
std::string clock_text(const TelemetrySummary& t, const GpuInfo* g) {
  if (!t.available || !g || !g->sm_clock_max_mhz || *g->sm_clock_max_mhz <= 0 ||
      t.sm_clock_mhz_mean <= 0)
    return {};
  const double ratio = t.sm_clock_mhz_mean / *g->sm_clock_max_mhz;
  if (ratio >= 0.85)
    return {};
  return fmt::format("SM clock averaged {:.0f} MHz ({:.0f}% of max {} MHz)", t.sm_clock_mhz_mean,
                     100 * ratio, *g->sm_clock_max_mhz);
}

} // namespace

std::vector<std::string> failure_causes(const std::string& metric, const Target& target,
                                        const Measurement* m, const Results& r) {
  std::vector<std::string> causes;
  const bool multi = target.gpus.size() > 1;
  auto add = [&](int gpu, const std::string& text) {
    if (text.empty())
      return;
    std::string line = multi ? fmt::format("gpu{}: {}", gpu, text) : text;
    if (std::find(causes.begin(), causes.end(), line) == causes.end())
      causes.push_back(line);
  };
  const bool link_pcie = starts_with(metric, "pcie.");
  const bool link_nvlink = starts_with(metric, "p2p.") || starts_with(metric, "nccl.");
  for (int gpu : target.gpus) {
    const GpuInfo* before = find_gpu(r.inventory_before, gpu);
    const GpuInfo* after = r.inventory_after ? find_gpu(*r.inventory_after, gpu) : nullptr;
    if (m) {
      auto t = m->telemetry.find(gpu);
      if (t != m->telemetry.end()) {
        const std::string throttle = throttle_text(t->second);
        add(gpu, throttle);
        if (throttle.empty())
          add(gpu, clock_text(t->second, before));
      }
    }
    for (const GpuInfo* g : {before, after}) {
      if (!g)
        continue;
      if (link_pcie)
        add(gpu, pcie_text(*g));
      if (link_nvlink)
        add(gpu, nvlink_text(*g));
      add(gpu, ecc_text(*g));
    }
  }
  return causes;
}

} // namespace gpucert::evaluate::detail
