// Facts about the host from /proc and /sys: host name, kernel, CPU model, NUMA layout and each
// GPU's NUMA node. The roots are parameters so tests can point them at a fake tree.
#pragma once

#include "harness/model/inventory.hpp"

#include <optional>
#include <string>

namespace gpucert::inventory {

struct HostPaths {
  std::string proc = "/proc";
  std::string sys = "/sys";
};

/// Fills hostname, kernel_version, cpu_model and numa_nodes; what cannot be read goes to
/// node.unavailable with the reason.
void probe_host(NodeInfo& node, const HostPaths& paths = {});

/// The sysfs spelling of a PCI address: "00000000:18:00.0" (NVML) → "0000:18:00.0".
/// Returns the input unchanged when it is not domain:bus:device.function.
std::string sysfs_pci_address(const std::string& pci_bus_id);

/// NUMA node of a PCI device (/sys/bus/pci/devices/<addr>/numa_node); sets `reason` when absent
/// (file missing, or -1: the platform reports no affinity).
std::optional<int> pci_numa_node(const std::string& pci_bus_id, std::string& reason,
                                 const HostPaths& paths = {});

} // namespace gpucert::inventory
