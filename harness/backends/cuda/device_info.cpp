// Device properties and selection.
#include "harness/backends/cuda/device_info.hpp"

#include "harness/backends/cuda/cuda_check.hpp"

#include <cctype>
#include <cuda_runtime_api.h>
#include <fmt/core.h>

namespace gpucert::cuda {

nlohmann::json DeviceInfo::to_json() const {
  return {
      {"cuda_device", index},     {"name", name},
      {"pci_bus_id", pci_bus_id}, {"compute_capability", fmt::format("{}.{}", cc_major, cc_minor)},
      {"sm_count", sm_count},     {"l2_bytes", l2_bytes}};
}

void set_device(int device) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();
    count = 0;
  }
  if (device < 0 || device >= count)
    throw DeviceError(fmt::format("GPU {} does not exist: CUDA sees {} device(s)", device, count));
  GPUCERT_CUDA_CHECK(cudaSetDevice(device));
}

DeviceInfo device_info(int device) {
  set_device(device);
  cudaDeviceProp p{};
  GPUCERT_CUDA_CHECK(cudaGetDeviceProperties(&p, device));
  DeviceInfo d;
  d.index = device;
  d.name = p.name;
  d.cc_major = p.major;
  d.cc_minor = p.minor;
  d.sm_count = p.multiProcessorCount;
  d.l2_bytes = static_cast<std::size_t>(p.l2CacheSize);
  d.total_memory = p.totalGlobalMem;
  char bus[64] = {};
  GPUCERT_CUDA_CHECK(cudaDeviceGetPCIBusId(bus, sizeof bus, device));
  for (char* c = bus; *c != '\0'; ++c)
    *c = static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
  d.pci_bus_id = bus;
  return d;
}

int target_gpu(const Target& target, std::size_t i) {
  if (target.gpus.size() <= i)
    throw InternalError(
        fmt::format("target has {} GPU(s), GPU #{} was asked for", target.gpus.size(), i + 1));
  return target.gpus[i];
}

} // namespace gpucert::cuda
