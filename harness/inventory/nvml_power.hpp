// The power limits of a GPU as NVML gives them: the limit in force, and the default.
#pragma once

#include "harness/inventory/nvml_api.hpp"
#include "harness/model/inventory.hpp"

namespace gpucert::inventory {

/// Fills power_limit_w with the *enforced* limit (the lowest of every limiter, a cap set out of
/// band through the BMC included) and power_default_limit_w with the default; each absent with
/// NVML's reason when it cannot be read. Part of probe_gpu; its own function so a test can drive
/// it with a fake NVML table.
void probe_power_limits(const nvml::Api& api, nvmlDevice_t dev, GpuInfo& g);

} // namespace gpucert::inventory
