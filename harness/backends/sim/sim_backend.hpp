// The simulated node as a Backend: models every benchmark from the node's achievable figures,
// fault factors and noise, on a virtual clock. Everything it yields is SIMULATED.
#pragma once

#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/measure/backend.hpp"

#include <map>
#include <memory>
#include <random>
#include <set>

namespace gpucert::sim {

class SimBackend : public Backend {
public:
  /// `gpus`: the GPU indices to measure (empty = all). `seed` sets the noise: the same seed
  /// reproduces a run bit for bit (the CLI draws one when --seed is absent and records it).
  SimBackend(SimNode node, FaultSet faults, std::vector<int> gpus = {}, std::uint64_t seed = 1);
  std::string name() const override { return "sim"; }
  bool simulated() const override { return true; }
  Inventory inventory() override;
  const InstanceTable& instances() const override;
  std::unique_ptr<BenchmarkInstance> create(const BenchmarkDef& def, const Params& params,
                                            const Target& target) override;
  std::unique_ptr<TelemetrySampler> telemetry(const std::vector<int>& gpus) override;
  double now_seconds() override { return clock_s_; }
  std::vector<int> gpus() const override { return gpus_; }
  bool virtual_lanes() const override { return true; }
  void round_begin(const std::vector<Target>& lanes) override;
  void lane_begin(std::size_t i) override;
  std::vector<double> round_end() override;
  /// GPUs loaded by the current round (all of a round's lanes run at once): what the round's
  /// models share (host memory, PCIe uplinks). Empty outside a round.
  const std::vector<Target>& round_lanes() const { return round_lanes_; }

  // For the models (harness/backends/sim/models/):
  const SimNode& node() const { return node_; }
  const FaultSet& faults() const { return faults_; }
  void advance(double seconds) { clock_s_ += seconds; }
  /// True the first time `gpu` is used in this run (its CUDA context is created then).
  bool first_use(int gpu) { return used_.insert(gpu).second; }
  std::uint64_t seed() const { return seed_; }
  /// The random stream of a target: one per GPU, one per pair (either order) and one per node
  /// target's GPU set, each seeded from the run seed, the node's hostname and the target, so what
  /// one GPU draws never depends on what another drew or in which order they ran.
  std::mt19937_64& rng(const Target& target) { return stream(target).rng; }

  /// Simulated seconds of device work a GPU has done, and how much of it ran throttled.
  struct GpuLoad {
    double busy_s = 0;
    double throttled_s = 0;
  };
  const GpuLoad& load(int gpu) const { return load_.at(static_cast<size_t>(gpu)); }
  /// Device work on `gpus` for `seconds`, concurrently: advances the clock once and each GPU's
  /// load (which drives the thermal fault and the telemetry).
  void run_load(const std::vector<int>& gpus, double seconds);

  /// True once a gpuN:lost@S fault's S has passed on the virtual clock.
  bool lost(int gpu) const;
  /// Throws DeviceError("GPU N fell off the bus (simulated) ...") when `gpu` is lost.
  void check_alive(int gpu) const;
  /// Clock ratio now: 1, or node().thermal_factor once a gpuN:thermal GPU has carried
  /// node().thermal_throttle_after_s of load.
  double clock_factor(int gpu) const;
  /// Per-GPU silicon factor in [1 - gpu_spread/2, 1 + gpu_spread/2], derived from the node's
  /// hostname and the GPU index (the same on every run and for every seed).
  double spread_factor(int gpu) const;
  /// node:drift=F: (1 + F) ^ (minutes of load the GPU has carried), clamped to [1e-6, 1e6].
  double drift_factor(int gpu) const;
  /// Sample-to-sample coefficient of variation: node:noise=CV when given, else the node's.
  double noise_cv() const;
  /// Multiplicative lognormal noise with median 1 and coefficient of variation noise_cv(), drawn
  /// from the stream of `target`; with node:autocorr=RHO its logarithm is an AR(1) process with
  /// lag-1 correlation RHO and the same marginal distribution.
  double noise(const Target& target);
  /// The healthy inventory entry of `gpu` (an empty one when the node file lacks it).
  const GpuInfo& gpu_info(int gpu) const;
  /// The fault tokens that name `gpu` (for evidence and messages).
  std::vector<std::string> fault_tokens(int gpu) const;

private:
  struct Stream {
    std::mt19937_64 rng;
    double z = 0; ///< the last standard normal drawn (AR(1) state)
    bool started = false;
  };
  Stream& stream(const Target& target);
  void add_load(int gpu, double seconds);

  SimNode node_;
  FaultSet faults_;
  std::vector<int> gpus_;
  std::uint64_t seed_;
  std::map<std::pair<Scope, std::vector<int>>, Stream> streams_;
  double clock_s_ = 0;
  std::vector<GpuLoad> load_;
  std::set<int> used_;
  // The current round: its start, its lanes, where each lane's clock ended.
  double round_start_s_ = 0;
  std::vector<Target> round_lanes_;
  std::vector<double> lane_end_s_;
  std::size_t lane_ = 0;
  bool lane_started_ = false;
};

} // namespace gpucert::sim
