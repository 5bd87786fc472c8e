// Node inventory: what is in the box and its health state. Plain data; filled by the NVML/CUDA
// probe (harness/inventory) or the simulator (harness/sim), rendered by harness/cli.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gpucert {

inline constexpr const char* kInventorySchema = "gpucert/inventory/v1";

/// A field a source could not give is absent (serialised as null) and its reason is recorded in
/// `unavailable[field]`; nothing is ever invented.
using Unavailable = std::map<std::string, std::string>;

struct NvLinkPeer {
  int link = 0;
  bool active = false;
  std::string remote_pci_bus_id; ///< empty when the link is down or unknown
  std::string remote_type;       ///< "gpu", "switch", "cpu", "unknown"
};

struct GpuInfo {
  int index = 0;
  std::optional<std::string> name, uuid, serial, pci_bus_id;
  std::optional<std::uint64_t> memory_total_bytes, memory_free_bytes;
  std::optional<int> sm_count;
  /// L2 cache: working sets it could hold measure the cache, not HBM (hbm.* refuses them).
  std::optional<std::uint64_t> l2_cache_bytes;
  std::optional<std::string> compute_capability; ///< "9.0"
  std::optional<int> sm_clock_max_mhz, mem_clock_max_mhz, sm_clock_mhz, mem_clock_mhz;
  std::optional<double> power_limit_w, power_default_limit_w, power_draw_w;
  std::optional<int> temperature_c;
  std::optional<bool> ecc_enabled;
  std::optional<std::uint64_t> ecc_corrected_volatile, ecc_uncorrected_volatile;
  std::optional<std::uint64_t> ecc_corrected_aggregate, ecc_uncorrected_aggregate;
  std::optional<std::uint64_t> retired_pages_sbe, retired_pages_dbe;
  std::optional<bool> retired_pages_pending;
  std::optional<std::uint64_t> remapped_rows_correctable, remapped_rows_uncorrectable;
  std::optional<bool> remapped_rows_pending, remapped_rows_failed;
  std::optional<int> pcie_gen_current, pcie_gen_max, pcie_width_current, pcie_width_max;
  std::optional<int> nvlink_links_active, nvlink_links_total;
  std::vector<NvLinkPeer> nvlinks;
  std::optional<bool> mig_enabled, persistence_mode;
  std::optional<std::vector<std::string>> throttle_reasons; ///< "hw_slowdown", "sw_thermal", ...
  std::optional<int> numa_node;
  Unavailable unavailable;
};

struct NodeInfo {
  std::optional<std::string> hostname, driver_version, cuda_driver_version, cuda_runtime_version;
  std::optional<std::string> cublas_version, nccl_version, cpu_model, kernel_version;
  std::optional<int> numa_nodes;
  Unavailable unavailable;
};

struct Inventory {
  bool simulated = false;
  std::string sim_node;                ///< simulator node name when simulated
  std::vector<std::string> sim_faults; ///< fault tokens applied, as given
  std::string collected_at;            ///< ISO-8601 UTC
  NodeInfo node;
  std::vector<GpuInfo> gpus;
};

nlohmann::json to_json(const Inventory& inv);
Inventory inventory_from_json(const nlohmann::json& j); ///< throws InputError on a bad document

} // namespace gpucert
