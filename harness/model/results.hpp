// Raw results: what the measure layer hands to evaluate. Knows nothing of thresholds.
// Serialised as results.json (schema gpucert/results/v1); `gpucert evaluate` re-reads it.
#pragma once

#include "harness/core/json_dom.hpp"
#include "harness/model/inventory.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gpucert {

inline constexpr const char* kResultsSchema = "gpucert/results/v1";

/// Where a measurement or clause applies (the profile's `each:`).
enum class Scope { gpu, gpu_pair, node };
std::string to_string(Scope s);
Scope scope_from_string(const std::string& s); ///< throws InputError

/// How a measurement shares the node (the profile's `concurrency:`): `all` runs it on every
/// selected target at once, as a customer's job loads the node; `one` alone on an idle node.
enum class Concurrency { all, one };
std::string to_string(Concurrency c);
Concurrency concurrency_from_string(const std::string& s); ///< throws InputError

/// Benchmark parameters, fully resolved, values in canonical text ("8192", "bf16",
/// "8GiB"→"8589934592").
using Params = std::map<std::string, std::string>;

struct Target {
  Scope scope = Scope::gpu;
  std::vector<int> gpus;     ///< gpu: {i}; gpu-pair: {i, j}; node: every GPU measured together
  std::string label() const; ///< "gpu3", "gpu0-gpu1", "node"
  bool operator==(const Target&) const = default;
};

/// Telemetry of one GPU over one measurement window (NVML, sampled on a background thread).
struct TelemetrySummary {
  bool available = false;
  std::string unavailable_reason;
  int samples = 0;
  double sm_clock_mhz_min = 0, sm_clock_mhz_mean = 0, sm_clock_mhz_max = 0;
  double mem_clock_mhz_mean = 0;
  double power_w_mean = 0, power_w_max = 0;
  double temperature_c_max = 0;
  /// Throttle (clock-event) reason → fraction of telemetry samples in which it was active.
  /// Names: "hw_slowdown", "hw_thermal", "hw_power_brake", "sw_thermal", "sw_power_cap",
  /// "sync_boost", "app_clocks", "idle", "display_clocks".
  std::map<std::string, double> throttle_fraction;
};

enum class MeasurementStatus {
  ok,        ///< timed and verified
  incorrect, ///< ran, but the result check failed (fast but wrong is never PASS)
  error,     ///< could not be measured (device error, GPU lost, timeout)
  skipped,   ///< not applicable here (no P2P between the pair, fp8 below sm_89), with reason
};
std::string to_string(MeasurementStatus s);
MeasurementStatus measurement_status_from_string(const std::string& s);

struct Verification {
  bool checked = false;
  bool passed = false;
  std::string detail; ///< e.g. "max rel err 3.1e-3 over 4096 sampled elements (tol 1e-2)"
};

struct Measurement {
  std::string benchmark; ///< registry name, e.g. "gemm", "hbm.triad"
  Params params;
  Target target;
  MeasurementStatus status = MeasurementStatus::ok;
  std::string message; ///< why error/skipped/incorrect; names the call, GPU, link
  Verification verification;
  double bytes_per_sample = 0; ///< bytes moved by one sample (10^9 bytes = 1 GB)
  double flops_per_sample = 0;
  double items_per_sample = 0; ///< launches, iterations: the unit of latency metrics
  int warmup_samples = 0;
  int warmup_extensions = 0; ///< times drifting first samples were discarded as warm-up
  bool dependent = false;    ///< dependence seen at some look: judged on batch statistics
  /// Results files without the field were measured one at a time: they read back as `one`.
  Concurrency concurrency = Concurrency::all;
  int lanes = 1; ///< measurements that ran at the same time as this one (itself included)
  /// Seconds of each phase on the backend's clock: setup, warmup, sampling, hold (kept loading
  /// until its round ended, unrecorded), verify. The plan's time model is checked against these.
  std::map<std::string, double> phase_seconds;
  std::vector<double> seconds; ///< raw time of each sample, in order taken
  /// metric name → one derived value per sample (same order as `seconds`).
  std::map<std::string, std::vector<double>> metrics;
  std::map<int, TelemetrySummary> telemetry; ///< per GPU index
  std::string
      stop_reason; ///< "target_ci_reached", "decided", "max_samples", "time_budget", "error"
  std::string started_at, finished_at;             ///< ISO-8601 UTC
  nlohmann::json extra = nlohmann::json::object(); ///< benchmark-specific evidence (algorithm, ...)

  /// Stable key: benchmark, params and target; the same key in two runs is the same experiment.
  std::string key() const;
};

struct Results {
  std::string schema = kResultsSchema;
  std::string tool_version, git_revision;
  std::string backend; ///< "cuda" or "sim"
  bool simulated = false;
  bool complete = false;         ///< false while running, after a crash or a signal
  std::string incomplete_reason; ///< "SIGTERM", "SIGINT", "crash", ...
  std::string started_at, finished_at;
  std::string profile_name, profile_sha256;             ///< the profile the run was planned from
  nlohmann::json method = nlohmann::json::object();     ///< measurement method, recorded
  nlohmann::json provenance = nlohmann::json::object(); ///< command line, NCCL_* env, versions
  Inventory inventory_before;
  std::optional<Inventory> inventory_after;
  std::vector<Measurement> measurements;
};

/// The one TelemetrySummary codec (results and certificates both embed it). Reading names `doc`
/// ("certificate") and `path` ("checks[3].telemetry.0") in errors; counts are range-checked.
nlohmann::json to_json(const TelemetrySummary& t);
TelemetrySummary telemetry_from_json(const nlohmann::json& j, const std::string& doc,
                                     const std::string& path);
/// The same from a row of the certificate file form: `cells` of the columns `columns` (strings).
TelemetrySummary telemetry_from_row(const std::vector<JsonRef>& columns,
                                    const std::vector<JsonRef>& cells, const std::string& doc,
                                    const std::string& path);
/// A telemetry key: a GPU index "0" .. kMaxGpus-1 written in decimal, else -1.
int gpu_index_from_key(const std::string& key);
nlohmann::json to_json(const Measurement& m);
nlohmann::json to_json(const Results& r);
Measurement measurement_from_json(const nlohmann::json& j);
/// Parses a results document; throws InputError naming the field on a malformed one, and on
/// samples out of physical range (null, NaN or infinite, negative, a sample time ≤ 0, metric
/// values that are not one quantity of work over or per each sample's time) or simulated:false
/// with backend "sim".
Results results_from_json(const nlohmann::json& j);

class Registry;
/// InputError naming the measurement index, metric and sample when a recorded metric value is
/// not what the benchmark's definition derives from the sample's seconds and recorded work
/// (bytes/flops/items_per_sample), within a relative 1e-6 (a metric scaled in the file).
void check_derivations(const Results& r, const Registry& registry);
/// results_from_json, then check_derivations: what a command reading a user's file calls.
Results results_from_json(const nlohmann::json& j, const Registry& registry);

} // namespace gpucert
