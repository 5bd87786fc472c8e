// What a benchmark is, as plain data: its axes (parameters), the work one sample does and the
// metrics derived from a sample's time. One registry holds every definition; it names no backend
// (each backend keeps its own table of instances by benchmark name), so profile validation and
// the verdict engine can read it without linking any measurement code.
#pragma once

#include "harness/model/inventory.hpp"
#include "harness/model/results.hpp"

#include <functional>
#include <string>
#include <vector>

namespace gpucert {

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
  std::string name; ///< profile metric, e.g. "gemm.tflops", "hbm.copy.gbps", "launch.issue.us"
  std::string unit; ///< "TFLOP/s", "GB/s", "us"
  std::string description;
  bool higher_is_better = true;
  std::function<double(double seconds, const Work& work)> derive;
  /// Names this metric had before a rename: a profile still using one is refused with a pointer
  /// to the new name (never silently mapped: the figure's meaning may have been the reason).
  std::vector<std::string> former_names = {};
};

struct BenchmarkDef {
  std::string name; ///< "gemm", "hbm.copy", "pcie.h2d", "p2p.copy", "launch.issue", ...
  std::string description;
  Scope scope = Scope::gpu;
  std::vector<Axis> axes;
  std::vector<MetricDef> metrics;
  /// Checks a combination of resolved parameters that no single axis can (e.g. an option that
  /// applies to one dtype only); throws InputError naming the parameters. Run by resolve().
  std::function<void(const Params& resolved)> check;
  /// Why `gpu` cannot measure these resolved parameters (e.g. arrays small enough to stay in
  /// its L2), or empty when it can or when the GPU's facts needed to tell are unknown. Read
  /// where the node is known: planning against an inventory, and each backend at set-up.
  std::function<std::string(const Params& resolved, const GpuInfo& gpu)> fits;
};

class Registry {
public:
  void add(BenchmarkDef def); ///< throws InternalError on a duplicate name or metric
  const std::vector<BenchmarkDef>& all() const { return defs_; }
  const BenchmarkDef* find(const std::string& name) const;
  /// The benchmark that produces `metric`, or nullptr.
  const BenchmarkDef* find_metric(const std::string& metric) const;
  const MetricDef* metric(const std::string& metric) const;
  /// The benchmarks of a family: `family` itself and every "<family>.<variant>".
  std::vector<const BenchmarkDef*> family(const std::string& family) const;

  /// Fills defaults and canonicalises values; throws InputError naming the parameter on an
  /// unknown parameter, a value the axis does not accept, or a combination `check` refuses.
  static Params resolve(const BenchmarkDef& def, const Params& given);

private:
  std::vector<BenchmarkDef> defs_;
};

/// The part of a benchmark name after its family: "triad" for "hbm.triad", "" for "gemm".
std::string variant_of(const std::string& benchmark);

/// Parses a byte size: "8GiB", "512MiB", "1e9", "4096", "2GB" (10^9). Throws InputError.
double parse_bytes(const std::string& text);

} // namespace gpucert
