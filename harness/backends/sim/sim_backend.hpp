// The simulated node as a Backend: models every benchmark from the node's achievable figures,
// fault factors and noise, on a virtual clock. Everything it yields is SIMULATED.
#pragma once

#include <memory>
#include <random>

#include "harness/measure/backend.hpp"
#include "harness/sim/faults.hpp"
#include "harness/sim/sim_node.hpp"

namespace gpucert::sim {

class SimBackend : public Backend {
public:
  /// `gpus`: the GPU indices to measure (empty = all). `seed` makes runs reproducible.
  SimBackend(SimNode node, FaultSet faults, std::vector<int> gpus = {}, std::uint64_t seed = 1);
  std::string name() const override { return "sim"; }
  bool simulated() const override { return true; }
  Inventory inventory() override;
  std::unique_ptr<BenchmarkInstance> create(const BenchmarkDef& def, const Params& params,
                                            const Target& target) override;
  std::unique_ptr<TelemetrySampler> telemetry(const std::vector<int>& gpus) override;
  double now_seconds() override { return clock_s_; }
  std::vector<int> gpus() const override { return gpus_; }

  // For the models (harness/backends/sim/models/):
  const SimNode& node() const { return node_; }
  const FaultSet& faults() const { return faults_; }
  void advance(double seconds) { clock_s_ += seconds; }
  std::mt19937_64& rng() { return rng_; }

private:
  SimNode node_;
  FaultSet faults_;
  std::vector<int> gpus_;
  std::mt19937_64 rng_;
  double clock_s_ = 0;
};

} // namespace gpucert::sim
