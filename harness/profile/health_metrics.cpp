// The health-metric catalogue; harness/evaluate/health.cpp extracts each value.
#include "harness/profile/health_metrics.hpp"

namespace gpucert::profile {

const std::vector<HealthMetricDef>& health_metrics() {
  using K = HealthMetricDef::Kind;
  static const std::vector<HealthMetricDef> defs = {
      {"inventory.gpu_count", Scope::node, K::number, "GPUs", "GPUs the node reports"},
      {"inventory.gpu_name", Scope::gpu, K::text, "", "GPU product name (NVML)"},
      {"inventory.memory_gib", Scope::gpu, K::number, "GiB", "total device memory, GiB (2^30 B)"},
      {"inventory.pcie_gen", Scope::gpu, K::number, "", "PCIe generation the link trained at"},
      {"inventory.pcie_width", Scope::gpu, K::number, "lanes", "PCIe width the link trained at"},
      {"inventory.nvlink_links", Scope::gpu, K::number, "links", "NVLink links active"},
      {"inventory.ecc_enabled", Scope::gpu, K::boolean, "", "ECC mode on"},
      {"inventory.remapped_rows_pending", Scope::gpu, K::boolean, "",
       "a row remap waits for a GPU reset"},
      {"inventory.remapped_rows_failed", Scope::gpu, K::boolean, "", "a row remap failed"},
      {"inventory.ecc_uncorrected", Scope::gpu, K::number, "errors",
       "uncorrectable ECC errors (larger of the volatile and aggregate counters)"},
      {"inventory.power_limit_at_default", Scope::gpu, K::boolean, "",
       "enforced power limit equals the default limit (within 1 W)"},
      {"telemetry.hw_slowdown_fraction", Scope::gpu, K::number, "fraction",
       "largest fraction of a measurement window with HW slowdown (incl. HW thermal, power "
       "brake) active"},
      {"telemetry.thermal_fraction", Scope::gpu, K::number, "fraction",
       "largest fraction of a measurement window with HW or SW thermal slowdown active"},
      {"telemetry.temperature_c_max", Scope::gpu, K::number, "°C",
       "highest GPU temperature seen while measuring"},
  };
  return defs;
}

const HealthMetricDef* find_health_metric(const std::string& name) {
  for (const auto& d : health_metrics())
    if (d.name == name)
      return &d;
  return nullptr;
}

} // namespace gpucert::profile
