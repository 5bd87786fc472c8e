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
};

} // namespace gpucert
