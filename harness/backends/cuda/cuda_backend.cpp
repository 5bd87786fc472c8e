// CudaBackend: GPUs are CUDA device indices; NVML finds the same GPU by its PCI bus id, so
// CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER cannot mix two GPUs' records.
#include "harness/backends/cuda/cuda_backend.hpp"

#include "harness/backends/cuda/cuda_check.hpp"
#include "harness/backends/cuda/library_versions.hpp"
#include "harness/core/error.hpp"
#include "harness/core/utc_time.hpp"
#include "harness/inventory/nvml_inventory.hpp"
#include "harness/inventory/nvml_library.hpp"
#include "harness/inventory/nvml_telemetry.hpp"

#include <chrono>
#include <cstdlib>
#include <cuda_runtime_api.h>
#include <fmt/core.h>

namespace gpucert::cuda {
namespace {

[[noreturn]] void no_cuda_devices(cudaError_t rc) {
  const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
  const std::string hint =
      visible != nullptr ? fmt::format(" (CUDA_VISIBLE_DEVICES={})", visible) : "";
  const char* what = rc == cudaErrorNoDevice             ? "no GPU"
                     : rc == cudaErrorInsufficientDriver ? "NVIDIA driver too old for this build"
                                                         : "CUDA cannot start";
  throw EnvironmentError(
      fmt::format("{}: cudaGetDeviceCount: {}{}", what, cudaGetErrorString(rc), hint));
}

void check_gpu(int gpu, int count, const std::string& what) {
  if (gpu < 0 || gpu >= count)
    throw InputError(fmt::format("{}: GPU {} does not exist (this node has {} GPU{}: 0-{})", what,
                                 gpu, count, count == 1 ? "" : "s", count - 1));
}

} // namespace

CudaBackend::CudaBackend(std::vector<int> gpus) : gpus_(std::move(gpus)) {
  nvml::ensure_loaded(); // the clearest words for "no driver" come from NVML
  const cudaError_t rc = cudaGetDeviceCount(&device_count_);
  if (rc != cudaSuccess) {
    (void)cudaGetLastError();
    no_cuda_devices(rc);
  }
  if (device_count_ == 0)
    no_cuda_devices(cudaErrorNoDevice);
  for (int i = 0; i < device_count_; ++i) {
    char bus_id[32] = {};
    GPUCERT_CUDA_CHECK(cudaDeviceGetPCIBusId(bus_id, sizeof bus_id, i));
    bus_ids_.emplace_back(bus_id);
  }
  if (gpus_.empty())
    for (int i = 0; i < device_count_; ++i)
      gpus_.push_back(i);
  for (int g : gpus_)
    check_gpu(g, device_count_, "--gpus");
}

Inventory CudaBackend::inventory() {
  using inventory::set_field;
  Inventory inv;
  inv.collected_at = utc_now_iso8601();
  inv.node = inventory::probe_node();
  fill_library_versions(inv.node);
  for (int i = 0; i < device_count_; ++i) {
    GpuInfo g = inventory::probe_gpu(i, bus_ids_[i]);
    cudaDeviceProp prop{};
    // A GPU that failed during a run must not take the inventory after it down with it.
    if (const cudaError_t rc = cudaGetDeviceProperties(&prop, i); rc != cudaSuccess) {
      (void)cudaGetLastError();
      g.unavailable["sm_count"] = g.unavailable["l2_cache_bytes"] =
          fmt::format("cudaGetDeviceProperties: {}", cudaGetErrorString(rc));
      inv.gpus.push_back(std::move(g));
      continue;
    }
    set_field(g, "sm_count", g.sm_count, prop.multiProcessorCount);
    set_field(g, "l2_cache_bytes", g.l2_cache_bytes, static_cast<std::uint64_t>(prop.l2CacheSize));
    // Where NVML could not say, the runtime can.
    if (!g.name)
      set_field(g, "name", g.name, std::string(prop.name));
    if (!g.memory_total_bytes)
      set_field(g, "memory_total_bytes", g.memory_total_bytes,
                static_cast<std::uint64_t>(prop.totalGlobalMem));
    if (!g.compute_capability)
      set_field(g, "compute_capability", g.compute_capability,
                fmt::format("{}.{}", prop.major, prop.minor));
    inv.gpus.push_back(std::move(g));
  }
  return inv;
}

std::unique_ptr<BenchmarkInstance> CudaBackend::create(const BenchmarkDef& def,
                                                       const Params& params, const Target& target) {
  const InstanceFactory* factory = instances().find(def.name);
  if (!factory)
    throw EnvironmentError(fmt::format("{}: no CUDA implementation in this build", def.name));
  for (int g : target.gpus)
    check_gpu(g, device_count_, def.name);
  const BenchmarkContext ctx{params, target, *this};
  return (*factory)(ctx);
}

std::unique_ptr<TelemetrySampler> CudaBackend::telemetry(const std::vector<int>& gpus) {
  std::vector<inventory::NvmlTelemetrySampler::Gpu> devices;
  for (int g : gpus) {
    check_gpu(g, device_count_, "telemetry");
    devices.push_back({g, bus_ids_[g]});
  }
  return std::make_unique<inventory::NvmlTelemetrySampler>(std::move(devices));
}

double CudaBackend::now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

} // namespace gpucert::cuda
