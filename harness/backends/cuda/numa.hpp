// Where a GPU sits in the host's NUMA topology (sysfs), read without libnuma.
#pragma once

#include <string>
#include <vector>

namespace gpucert::cuda {

/// "0000:1B:00.0" or "00000000:1b:00.0" (CUDA / NVML spellings) -> "0000:1b:00.0" (sysfs).
std::string sysfs_pci_id(const std::string& bus_id);

/// "0-3,8,10-11" -> {0,1,2,3,8,10,11}; empty on an empty or malformed list.
std::vector<int> parse_cpu_list(const std::string& text);

struct NumaNode {
  int node = -1;         ///< -1: unknown (no NUMA, or the kernel does not say)
  std::vector<int> cpus; ///< the node's CPUs
  std::string reason;    ///< why node is -1, or where it was read
};

/// NUMA node of a PCI device: <sysfs>/bus/pci/devices/<id>/numa_node, and that node's CPUs from
/// <sysfs>/devices/system/node/node<N>/cpulist. `sysfs` is a parameter so tests can fake it.
NumaNode numa_node_of_pci(const std::string& bus_id, const std::string& sysfs = "/sys");

} // namespace gpucert::cuda
