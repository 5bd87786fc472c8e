// The real node as a Backend: CUDA benchmark instances, NVML inventory and telemetry.
#pragma once

#include "harness/measure/backend.hpp"

#include <string>
#include <vector>

namespace gpucert::cuda {

/// The CUDA instance of every benchmark of the built-in catalogue, by name (InternalError when a
/// benchmark has none).
const InstanceTable& builtin_instances();

class CudaBackend : public Backend {
public:
  /// `gpus`: CUDA device indices to measure (empty = all). Throws EnvironmentError naming the
  /// cause when there is no driver, NVML cannot start or CUDA sees no GPU; InputError when `gpus`
  /// names a GPU that does not exist.
  explicit CudaBackend(std::vector<int> gpus = {});

  std::string name() const override { return "cuda"; }
  bool simulated() const override { return false; }
  Inventory inventory() override;
  const InstanceTable& instances() const override;
  std::unique_ptr<BenchmarkInstance> create(const BenchmarkDef& def, const Params& params,
                                            const Target& target) override;
  std::unique_ptr<TelemetrySampler> telemetry(const std::vector<int>& gpus) override;
  double now_seconds() override;
  std::vector<int> gpus() const override { return gpus_; }

private:
  int device_count_ = 0;
  std::vector<std::string> bus_ids_; ///< per CUDA device index, as cudaDeviceGetPCIBusId says
  std::vector<int> gpus_;
};

} // namespace gpucert::cuda
