// Simulated peer-to-peer copies between a GPU pair: the node's achievable NVLink figure scaled by
// a gpuA-gpuB:nvlink fault; a node without a peer path skips the pair with the reason.
#include "harness/backends/sim/models/models.hpp"
#include "harness/backends/sim/models/sim_instance.hpp"

#include <fmt/core.h>

namespace gpucert::sim {

namespace {

constexpr double kSmEngineFactor = 0.98; // SM copy kernels over NVLink: close to the engines
constexpr double kTransferLatencyS = 10e-6;

class P2pModel : public SimInstance {
public:
  P2pModel(const BenchmarkContext& ctx, const std::string& dir) : SimInstance(ctx, "p2p." + dir) {
    const double bytes = param_number("bytes");
    work_.bytes = dir == "bidir" ? 2 * bytes : bytes;
    work_.items = 1;
    const int a = target_.gpus.at(0), b = target_.gpus.at(1);
    const auto gbps = achievable("p2p." + dir);
    if (!gbps) {
      skip_ = fmt::format("no peer-to-peer access between GPU {} and GPU {} on simulated node {} "
                          "(interconnect: {})",
                          a, b, sim_.node().name,
                          sim_.node().interconnect.empty() ? "none" : sim_.node().interconnect);
      return;
    }
    const double link = sim_.faults().nvlink_factor(a, b);
    const double engine = param("engine") == "sm" ? kSmEngineFactor : 1;
    rate_ = *gbps * 1e9 * link * engine;
    factors_ = {{"achievable_gbps", *gbps}, {"nvlink_fault", link}, {"engine", engine}};
  }

private:
  double nominal_seconds() const override { return work_.bytes / rate_ + kTransferLatencyS; }
  double clock_sensitivity() const override { return 0; }
  std::string check_description() const override { return "checksum of the received buffer"; }
  double device_bytes() const override { return work_.bytes; }

  double rate_ = 1;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_p2p_model(const BenchmarkContext& ctx,
                                                  const std::string& dir) {
  return std::make_unique<P2pModel>(ctx, dir);
}

void add_p2p_models(const Registry& registry, ModelTable& t) {
  for (const BenchmarkDef* def : registry.family("p2p")) {
    const std::string variant = variant_of(def->name);
    t.instances.add(
        def->name, [variant](const BenchmarkContext& ctx) { return make_p2p_model(ctx, variant); });
    t.figures.insert(def->name);
  }
}

} // namespace gpucert::sim
