// CUDA-only helpers of the GPU tier: how many GPUs CUDA sees (and skipping with the reason when
// too few), the card's node-file entry, this node's inventory (NVML, through the CUDA backend)
// and whether the node file's link figures describe these GPUs. Include only where
// GPUCERT_HAVE_CUDA is defined.
#pragma once

#include "harness/backends/cuda/cuda_backend.hpp"
#include "harness/core/error.hpp"
#include "harness/measure/backend.hpp"
#include "tests/gpu/sku_bounds.hpp"

#include <cuda_runtime_api.h>
#include <fmt/core.h>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::gputest {

inline int gpu_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return n;
}

/// Skips the calling test, saying why, unless CUDA sees at least n GPUs.
#define GPUCERT_REQUIRE_GPUS(n)                                                                    \
  do {                                                                                             \
    const int have_ = ::gpucert::gputest::gpu_count();                                             \
    if (have_ < (n))                                                                               \
      GTEST_SKIP() << "needs " << (n) << " CUDA GPU(s); cudaGetDeviceCount reports " << have_;     \
  } while (0)

inline std::string card_name(int device = 0) {
  cudaDeviceProp p{};
  if (cudaGetDeviceProperties(&p, device) != cudaSuccess)
    return "unknown";
  return p.name;
}

/// The node-file entry for GPU 0's card (CUDA's device name = the node file's gpu name).
inline const Sku& this_sku() {
  static const Sku s = sku_for(card_name(0), gpu_count());
  return s;
}

/// The instances never call their backend; the context still needs one.
class NoBackend final : public Backend {
public:
  std::string name() const override { return "none"; }
  bool simulated() const override { return false; }
  Inventory inventory() override { throw InternalError("NoBackend::inventory"); }
  const InstanceTable& instances() const override {
    static const InstanceTable none;
    return none;
  }
  std::unique_ptr<BenchmarkInstance> create(const BenchmarkDef&, const Params&,
                                            const Target&) override {
    throw InternalError("NoBackend::create");
  }
  std::unique_ptr<TelemetrySampler> telemetry(const std::vector<int>&) override {
    throw InternalError("NoBackend::telemetry");
  }
  double now_seconds() override { return 0; }
  std::vector<int> gpus() const override { return {0}; }
};

/// This node's inventory as gpucert reads it (NVML), once; nullptr with `why` when unreadable.
inline const Inventory* real_inventory(std::string* why) {
  static std::string failure;
  static const std::optional<Inventory> inv = []() -> std::optional<Inventory> {
    try {
      cuda::CudaBackend backend;
      return backend.inventory();
    } catch (const std::exception& e) {
      failure = e.what();
      return std::nullopt;
    }
  }();
  if (!inv && why != nullptr)
    *why = "cannot read this node's inventory to compare its links with the node file: " + failure;
  return inv ? &*inv : nullptr;
}

inline const GpuInfo* real_gpu(const Inventory& inv, int index) {
  for (const auto& g : inv.gpus)
    if (g.index == index)
      return &g;
  return nullptr;
}

inline std::string text(const std::optional<int>& v) {
  return v ? std::to_string(*v) : std::string("unknown");
}

/// Empty when the node file's figures for traffic between `gpus` (p2p.*, nccl.*) describe these
/// GPUs: the same card, as many active NVLink links as the node file's GPUs (an H100 PCIe with an
/// NVLink bridge is not the PCIe-only node), and for a PCIe node one NUMA node (peer traffic
/// across sockets is bound by the CPU interconnect, not the figures). Otherwise why not.
inline std::string topology_mismatch(const sim::SimNode& node, const std::vector<int>& gpus) {
  std::string why;
  const Inventory* inv = real_inventory(&why);
  if (inv == nullptr)
    return why;
  const GpuInfo& want = node.inventory.gpus.at(0);
  std::optional<int> numa;
  for (int gpu : gpus) {
    if (card_name(gpu) != card_name(gpus.front()))
      return fmt::format("GPU {} is a {}, GPU {} a {}: mixed cards", gpu, card_name(gpu),
                         gpus.front(), card_name(gpus.front()));
    const GpuInfo* g = real_gpu(*inv, gpu);
    if (g == nullptr)
      return fmt::format("GPU {} is missing from this node's inventory", gpu);
    if (g->nvlink_links_active != want.nvlink_links_active)
      return fmt::format("GPU {} has {} active NVLink links, the GPUs of node file {} have {}: its "
                         "link figures do not describe this node",
                         gpu, text(g->nvlink_links_active), node.name,
                         text(want.nvlink_links_active));
    if (node.interconnect == "pcie") {
      if (!g->numa_node)
        return fmt::format("GPU {}'s NUMA node is unknown; node file {} describes PCIe peers under "
                           "one socket",
                           gpu, node.name);
      if (numa && *numa != *g->numa_node)
        return fmt::format("GPUs {} and {} are on NUMA nodes {} and {}: node file {} describes "
                           "PCIe peers under one socket",
                           gpus.front(), gpu, *numa, *g->numa_node, node.name);
      numa = g->numa_node;
    }
  }
  return "";
}

/// Empty when GPU `gpu`'s host link can reach what the node file's pcie.* figures were measured
/// on (same maximum generation and width: NVML's maximum is the lower of the card's and the
/// slot's); otherwise why not (a Gen4 host cannot reach Gen5 figures and is not a bug).
inline std::string pcie_link_mismatch(const sim::SimNode& node, int gpu) {
  std::string why;
  const Inventory* inv = real_inventory(&why);
  if (inv == nullptr)
    return why;
  const GpuInfo* g = real_gpu(*inv, gpu);
  if (g == nullptr)
    return fmt::format("GPU {} is missing from this node's inventory", gpu);
  const GpuInfo& want = node.inventory.gpus.at(0);
  if (g->pcie_gen_max != want.pcie_gen_max || g->pcie_width_max != want.pcie_width_max)
    return fmt::format("GPU {}'s host link is at most Gen{} x{}, node file {} is for Gen{} x{}",
                       gpu, text(g->pcie_gen_max), text(g->pcie_width_max), node.name,
                       text(want.pcie_gen_max), text(want.pcie_width_max));
  return "";
}

} // namespace gpucert::gputest
