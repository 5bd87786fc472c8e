// A backend measures one node: the real CUDA node or a simulated one. Both produce the same
// plain data (inventory, telemetry, samples); the simulator stamps everything SIMULATED.
#pragma once

#include "harness/measure/benchmark.hpp"
#include "harness/model/inventory.hpp"
#include "harness/model/results.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gpucert {

/// Samples clocks, power, temperature and throttle reasons while a measurement runs.
class TelemetrySampler {
public:
  virtual ~TelemetrySampler() = default;
  virtual void start() = 0;
  virtual std::map<int, TelemetrySummary> stop() = 0;
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0; ///< "cuda" or "sim"
  virtual bool simulated() const = 0;
  /// Node inventory; throws EnvironmentError when there is no driver or no GPU.
  virtual Inventory inventory() = 0;
  /// The benchmarks this backend implements, by name.
  virtual const InstanceTable& instances() const = 0;
  /// Makes an instance of `def` on `target`; throws InputError/EnvironmentError when the backend
  /// has no implementation of it.
  virtual std::unique_ptr<BenchmarkInstance> create(const BenchmarkDef& def, const Params& params,
                                                    const Target& target) = 0;
  virtual std::unique_ptr<TelemetrySampler> telemetry(const std::vector<int>& gpus) = 0;
  /// Monotonic seconds; the simulator's is virtual (advanced by simulated samples), so time
  /// budgets behave the same while tests run instantly.
  virtual double now_seconds() = 0;
  /// GPU indices this backend measures (after --gpus filtering).
  virtual std::vector<int> gpus() const = 0;

  // Rounds: measurements on disjoint targets that run at the same time (certify/schedule.hpp).
  // A backend on real clocks runs each lane of a round on its own host thread, so it must allow
  // create(), now_seconds() and telemetry() from several threads at once (the default). The
  // simulator's clock is virtual: it runs the lanes one after another, each from the round's
  // start, and ends the round at the latest lane's end, so virtual time is what concurrent
  // lanes would take and each GPU carries the round's whole load.
  /// True: lanes run one after another between lane_begin() calls, on per-lane clocks.
  virtual bool virtual_lanes() const { return false; }
  /// A round of `lanes` (one target each, disjoint) starts now.
  virtual void round_begin(const std::vector<Target>& lanes) { (void)lanes; }
  /// Virtual lanes only: lane `i` of the current round runs next.
  virtual void lane_begin(std::size_t i) { (void)i; }
  /// The round ended; returns each lane's seconds of unrecorded load (kept until the round's end
  /// so its siblings are measured under the same conditions) that the backend added itself.
  virtual std::vector<double> round_end() { return {}; }
};

} // namespace gpucert
