// The real inventory from NVML and the host: per GPU (found by PCI bus id) and per node.
#pragma once

#include "harness/model/inventory.hpp"

#include <string>

namespace gpucert::inventory {

/// NVML's view of the GPU at `pci_bus_id`, reported as gpucert's GPU `index` (the CUDA ordinal).
/// Throws EnvironmentError when NVML cannot be loaded; a field NVML cannot give is absent with
/// the reason in `unavailable` (sm_count is the CUDA runtime's to fill).
GpuInfo probe_gpu(int index, const std::string& pci_bus_id);

/// Host facts and the driver version. The CUDA runtime, cuBLAS and NCCL versions are the CUDA
/// backend's to fill; until then they are absent with reason "built without CUDA".
NodeInfo probe_node();

/// Sets an optional field and clears its "unavailable" entry (for sources layered over NVML).
template <class Info, class T, class V>
void set_field(Info& info, const char* name, std::optional<T>& field, V&& value) {
  field = std::forward<V>(value);
  info.unavailable.erase(name);
}

} // namespace gpucert::inventory
