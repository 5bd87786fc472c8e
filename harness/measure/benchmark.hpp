// How a benchmark is measured: an instance (set up once, timed many times, then verified) and the
// table by which each backend makes instances of the benchmarks it implements.
#pragma once

#include "harness/model/catalog.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gpucert {

class Backend;

/// One configured benchmark on one target: set up once, timed many times, then verified.
class BenchmarkInstance {
public:
  virtual ~BenchmarkInstance() = default;
  /// Allocate, fill inputs with random data, create handles. May throw DeviceError.
  virtual void setup() = 0;
  /// Work of one sample (constant after setup).
  virtual Work work() const = 0;
  /// Runs one timed sample and returns its device time in seconds (CUDA events on the
  /// benchmark's own stream; simulated time on the simulator). Warm-up calls use it too.
  virtual double sample() = 0;
  /// Checks the result of the last sample (GEMM against a reference, copies by checksum, ...).
  virtual Verification verify() = 0;
  /// Benchmark-specific evidence for the results file (algorithm chosen, link type, ...).
  virtual nlohmann::json evidence() const { return nlohmann::json::object(); }
  /// Why the instance does not apply (e.g. no P2P between the pair); empty when it does.
  virtual std::string skip_reason() const { return {}; }
};

struct BenchmarkContext {
  const Params& params; ///< resolved: every axis has a value
  const Target& target;
  Backend& backend;
};

using InstanceFactory = std::function<std::unique_ptr<BenchmarkInstance>(const BenchmarkContext&)>;

/// A backend's implementations, by benchmark name. Each backend fills its own table, so no
/// benchmark definition names a backend and the CUDA backend can be loaded at run time.
class InstanceTable {
public:
  /// Throws InternalError on a duplicate name.
  void add(const std::string& benchmark, InstanceFactory factory);
  const InstanceFactory* find(const std::string& benchmark) const;
  std::vector<std::string> names() const;

private:
  std::map<std::string, InstanceFactory> factories_;
};

} // namespace gpucert
