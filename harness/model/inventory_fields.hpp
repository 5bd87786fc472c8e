// The inventory's optional fields as one named list, so JSON, the simulator's YAML and the
// "every absent field has a reason" checks cannot drift apart from the structs.
#pragma once

#include "harness/model/inventory.hpp"

namespace gpucert {

/// Calls `v(name, field)` for every optional field of a GPU (not index, nvlinks, unavailable).
/// `G` is GpuInfo or const GpuInfo.
template <class G, class V> void for_each_gpu_field(G& g, V&& v) {
  v("name", g.name);
  v("uuid", g.uuid);
  v("serial", g.serial);
  v("pci_bus_id", g.pci_bus_id);
  v("memory_total_bytes", g.memory_total_bytes);
  v("memory_free_bytes", g.memory_free_bytes);
  v("sm_count", g.sm_count);
  v("l2_cache_bytes", g.l2_cache_bytes);
  v("compute_capability", g.compute_capability);
  v("sm_clock_max_mhz", g.sm_clock_max_mhz);
  v("mem_clock_max_mhz", g.mem_clock_max_mhz);
  v("sm_clock_mhz", g.sm_clock_mhz);
  v("mem_clock_mhz", g.mem_clock_mhz);
  v("power_limit_w", g.power_limit_w);
  v("power_default_limit_w", g.power_default_limit_w);
  v("power_draw_w", g.power_draw_w);
  v("temperature_c", g.temperature_c);
  v("ecc_enabled", g.ecc_enabled);
  v("ecc_corrected_volatile", g.ecc_corrected_volatile);
  v("ecc_uncorrected_volatile", g.ecc_uncorrected_volatile);
  v("ecc_corrected_aggregate", g.ecc_corrected_aggregate);
  v("ecc_uncorrected_aggregate", g.ecc_uncorrected_aggregate);
  v("retired_pages_sbe", g.retired_pages_sbe);
  v("retired_pages_dbe", g.retired_pages_dbe);
  v("retired_pages_pending", g.retired_pages_pending);
  v("remapped_rows_correctable", g.remapped_rows_correctable);
  v("remapped_rows_uncorrectable", g.remapped_rows_uncorrectable);
  v("remapped_rows_pending", g.remapped_rows_pending);
  v("remapped_rows_failed", g.remapped_rows_failed);
  v("pcie_gen_current", g.pcie_gen_current);
  v("pcie_gen_max", g.pcie_gen_max);
  v("pcie_width_current", g.pcie_width_current);
  v("pcie_width_max", g.pcie_width_max);
  v("nvlink_links_active", g.nvlink_links_active);
  v("nvlink_links_total", g.nvlink_links_total);
  v("mig_enabled", g.mig_enabled);
  v("persistence_mode", g.persistence_mode);
  v("throttle_reasons", g.throttle_reasons);
  v("numa_node", g.numa_node);
}

/// Calls `v(name, field)` for every optional field of the node (not unavailable).
template <class N, class V> void for_each_node_field(N& n, V&& v) {
  v("hostname", n.hostname);
  v("driver_version", n.driver_version);
  v("cuda_driver_version", n.cuda_driver_version);
  v("cuda_runtime_version", n.cuda_runtime_version);
  v("cublas_version", n.cublas_version);
  v("nccl_version", n.nccl_version);
  v("cpu_model", n.cpu_model);
  v("kernel_version", n.kernel_version);
  v("numa_nodes", n.numa_nodes);
}

} // namespace gpucert
