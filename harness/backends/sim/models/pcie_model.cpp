// Simulated host<->device copies: the node's achievable PCIe figure for the direction, scaled
// when a gpuN:pcie=genGxW fault trains the link down, and by the copy engine vs SM kernel choice.
#include "harness/backends/sim/models/models.hpp"
#include "harness/backends/sim/models/sim_instance.hpp"

#include <algorithm>
#include <fmt/core.h>

namespace gpucert::sim {

namespace {

/// Usable GB/s per lane and direction of a PCIe generation (line rate × encoding efficiency).
double lane_gbps(int gen) {
  switch (gen) {
  case 1:
    return 2.5 * 0.8 / 8;
  case 2:
    return 5.0 * 0.8 / 8;
  case 3:
    return 8.0 * 128 / 130 / 8;
  case 4:
    return 16.0 * 128 / 130 / 8;
  case 5:
    return 32.0 * 128 / 130 / 8;
  case 6:
    return 64.0 * 242 / 256 / 8; // FLIT mode
  default:
    return 0;
  }
}

/// SM copy kernels reach a little less than the copy engines on H2D/D2H (55 vs 51-52 GB/s on
/// H100, published measurements).
constexpr double kSmEngineFactor = 0.93;
constexpr double kTransferLatencyS = 10e-6;

class PcieModel : public SimInstance {
public:
  PcieModel(const BenchmarkContext& ctx, const std::string& dir) : SimInstance(ctx, "pcie." + dir) {
    const double bytes = param_number("bytes");
    work_.bytes = dir == "bidir" ? 2 * bytes : bytes;
    work_.items = 1;
    const auto gbps = achievable("pcie." + dir);
    if (!gbps) {
      skip_ = fmt::format("simulated node {} has no pcie.{} figure", sim_.node().name, dir);
      return;
    }
    const int gpu = target_.gpus.at(0);
    double link = 1;
    if (const auto fault = sim_.faults().pcie(gpu)) {
      // The healthy link the node's figure was measured on.
      const int gen = sim_.gpu_info(gpu).pcie_gen_max.value_or(5);
      const int width = sim_.gpu_info(gpu).pcie_width_max.value_or(16);
      const double healthy = lane_gbps(gen) * width;
      if (healthy > 0)
        link = std::min(1.0, lane_gbps(fault->pcie_gen) * fault->pcie_width / healthy);
      factors_["pcie_link"] = fmt::format("gen{}x{} (healthy gen{}x{})", fault->pcie_gen,
                                          fault->pcie_width, gen, width);
    }
    const double engine = param("engine") == "sm" ? kSmEngineFactor : 1;
    rate_ = *gbps * 1e9 * link * engine;
    factors_["achievable_gbps"] = *gbps;
    factors_["pcie_fault"] = link;
    factors_["engine"] = engine;
  }

private:
  double nominal_seconds() const override { return work_.bytes / rate_ + kTransferLatencyS; }
  double clock_sensitivity() const override { return 0; } // the link, not the SMs, sets the pace
  std::string check_description() const override { return "checksum of the copied buffer"; }
  double device_bytes() const override { return work_.bytes; }

  double rate_ = 1;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_pcie_model(const BenchmarkContext& ctx,
                                                   const std::string& dir) {
  return std::make_unique<PcieModel>(ctx, dir);
}

void add_pcie_models(const Registry& registry, ModelTable& t) {
  for (const BenchmarkDef* def : registry.family("pcie")) {
    const std::string variant = variant_of(def->name);
    t.instances.add(def->name, [variant](const BenchmarkContext& ctx) {
      return make_pcie_model(ctx, variant);
    });
    t.figures.insert(def->name);
  }
}

} // namespace gpucert::sim
