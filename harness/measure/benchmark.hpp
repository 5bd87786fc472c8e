// What a benchmark is: its axes (parameters), the work one sample does, the metrics derived from
// a sample's time, and how each backend makes an instance. One registry; nothing else switches
// over benchmark names.
#pragma once

#include "harness/model/results.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gpucert {

class Backend;

/// A parameter of a benchmark. Values are text; `kind` says how to parse and canonicalise it.
struct Axis {
  std::string name;
  enum class Kind { integer, bytes, choice, boolean } kind = Kind::integer;
  std::string default_value;
  std::vector<std::string> choices; ///< for Kind::choice
  std::vector<std::string> sweep;   ///< points gpucert-bench registers (default: {default})
  std::string description;
};

/// Work done by one sample; the harness derives rates from it and the sample's time.
struct Work {
  double bytes = 0; ///< counted as the benchmark defines (copy: read + write)
  double flops = 0;
  double items = 0; ///< launches / iterations, for latency metrics
  /// Ranks taking part (collectives: the busbw factor depends on it); 0 when not applicable.
  int ranks = 0;
};

struct MetricDef {
  std::string name; ///< profile metric, e.g. "gemm.tflops", "hbm.copy.gbps", "launch.stream.us"
  std::string unit; ///< "TFLOP/s", "GB/s", "us"
  std::string description;
  bool higher_is_better = true;
  std::function<double(double seconds, const Work& work)> derive;
};

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

struct BenchmarkDef {
  std::string name; ///< "gemm", "hbm.copy", "pcie.h2d", "p2p.copy", "launch.stream", ...
  std::string description;
  Scope scope = Scope::gpu;
  std::vector<Axis> axes;
  std::vector<MetricDef> metrics;
  InstanceFactory cuda; ///< empty when built without CUDA or not implemented for CUDA
  InstanceFactory sim;  ///< simulator model
};

class Registry {
public:
  /// Every built-in benchmark (harness/benchmarks/), registered once.
  static const Registry& builtin();

  void add(BenchmarkDef def); ///< throws InternalError on a duplicate name or metric
  const std::vector<BenchmarkDef>& all() const { return defs_; }
  const BenchmarkDef* find(const std::string& name) const;
  /// The benchmark that produces `metric`, or nullptr.
  const BenchmarkDef* find_metric(const std::string& metric) const;
  const MetricDef* metric(const std::string& metric) const;

  /// Fills defaults and canonicalises values; throws InputError naming the parameter on an
  /// unknown parameter or a value the axis does not accept.
  static Params resolve(const BenchmarkDef& def, const Params& given);

private:
  std::vector<BenchmarkDef> defs_;
};

/// Parses a byte size: "8GiB", "512MiB", "1e9", "4096", "2GB" (10^9). Throws InputError.
double parse_bytes(const std::string& text);

} // namespace gpucert
