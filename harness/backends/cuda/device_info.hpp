// What the CUDA instances need to know about a device, and selecting it for the calling thread.
#pragma once

#include "harness/model/results.hpp"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace gpucert::cuda {

struct DeviceInfo {
  int index = 0; ///< CUDA device ordinal
  std::string name;
  std::string pci_bus_id; ///< "0000:1b:00.0", lower case, as sysfs spells it
  int cc_major = 0, cc_minor = 0;
  int sm_count = 0;
  std::size_t l2_bytes = 0;
  std::size_t total_memory = 0;
  nlohmann::json to_json() const;
};

/// Properties of CUDA device `device`; throws DeviceError (naming the device count) when there
/// is no such device.
DeviceInfo device_info(int device);

/// Makes `device` current for the calling thread. Every instance method calls it first: the
/// runner may interleave instances of different GPUs on one thread.
void set_device(int device);

/// The i-th GPU of a target; throws InternalError when the target has fewer.
int target_gpu(const Target& target, std::size_t i);

} // namespace gpucert::cuda
