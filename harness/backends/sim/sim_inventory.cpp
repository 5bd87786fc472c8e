// A simulated node's inventory with its faults applied, so the evidence a real node would show
// (a link trained down, NVLink links down, ECC counts, a GPU gone) shows here too.
#include "harness/backends/sim/sim_inventory.hpp"

#include "harness/core/utc_time.hpp"
#include "harness/model/inventory_fields.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::sim {
namespace {

/// Lowest nvlink factor among the faults that touch `gpu`: through an NVSwitch a pair's bandwidth
/// is bounded by both ends' links, and the fault does not say which end failed, so both show it.
double nvlink_factor_of(const FaultSet& faults, int gpu) {
  double f = 1;
  for (const auto& fault : faults.all())
    if (fault.kind == Fault::Kind::nvlink &&
        std::find(fault.gpus.begin(), fault.gpus.end(), gpu) != fault.gpus.end())
      f = std::min(f, fault.factor);
  return f;
}

void take_links_down(GpuInfo& g, double factor) {
  const int total = g.nvlink_links_total.value_or(0);
  if (total == 0 || factor >= 1)
    return;
  // Active links scale with the factor; any factor below 1 takes at least one link down.
  const int active = std::clamp(static_cast<int>(std::lround(total * factor)), 0, total - 1);
  for (auto& link : g.nvlinks) {
    if (link.link >= active) {
      link.active = false;
      link.remote_pci_bus_id.clear();
    }
  }
  g.nvlink_links_active = active;
}

void add_uncorrectable(GpuInfo& g, long long count) {
  const auto k = static_cast<std::uint64_t>(count);
  g.ecc_uncorrected_volatile = g.ecc_uncorrected_volatile.value_or(0) + k;
  g.ecc_uncorrected_aggregate = g.ecc_uncorrected_aggregate.value_or(0) + k;
  // Hopper answers an uncorrectable error by remapping the row at the next reset: pending now.
  g.remapped_rows_uncorrectable = g.remapped_rows_uncorrectable.value_or(0) + k;
  g.remapped_rows_pending = true;
}

/// NVML answers GPU_IS_LOST to every query of a GPU that fell off the bus.
void lose(GpuInfo& g, const std::string& reason) {
  g.unavailable.clear();
  for_each_gpu_field(g, [&](const char* name, auto& field) {
    field.reset();
    g.unavailable[name] = reason;
  });
  g.nvlinks.clear();
  g.unavailable["nvlinks"] = reason;
}

} // namespace

Inventory inventory_with_faults(const SimNode& node, const FaultSet& faults, double elapsed_s) {
  Inventory inv = node.inventory;
  inv.simulated = true;
  inv.sim_node = node.name;
  inv.collected_at = utc_now_iso8601();
  for (const auto& f : faults.all())
    inv.sim_faults.push_back(f.token);

  for (auto& g : inv.gpus) {
    const int i = g.index;
    if (auto p = faults.pcie(i)) {
      g.pcie_gen_current = p->pcie_gen;
      g.pcie_width_current = p->pcie_width;
    }
    take_links_down(g, nvlink_factor_of(faults, i));
    if (const long long k = faults.ecc_uncorrectable(i); k > 0)
      add_uncorrectable(g, k);
    // gpuN:thermal changes nothing here: the GPU throttles under load, and an inventory is taken
    // at idle; the telemetry of a run shows it.
    for (const auto& f : faults.all())
      if (f.kind == Fault::Kind::lost && f.gpus[0] == i && elapsed_s >= f.at_seconds)
        lose(g, fmt::format("GPU fell off the bus (simulated fault {})", f.token));
  }
  return inv;
}

} // namespace gpucert::sim
