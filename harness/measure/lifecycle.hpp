// The lifecycle of one benchmark instance, the same for every program that measures (the runner,
// gpucert-bench, gpucert-mpi): create → skip check → setup → skip check → warm-up → samples →
// verify. Each step turns an exception into an Outcome (a Measurement status and message), so a
// caller only decides how many samples to take and when to stop, never how a failure is named.
#pragma once

#include "harness/measure/backend.hpp"
#include "harness/measure/sampling_policy.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gpucert {

/// How a step ended: ok, or the status and message a Measurement records.
struct Outcome {
  MeasurementStatus status = MeasurementStatus::ok;
  std::string message;
  bool ok() const { return status == MeasurementStatus::ok; }
  /// "<status>: <message>", e.g. "error: setup: out of memory".
  std::string text() const;
  /// Writes a failed outcome's status and message into `m`; an ok one changes nothing.
  void record(Measurement& m) const;
};

/// Runs `fn`; any exception becomes status error with message "<phase>: <what>".
Outcome guarded(const std::string& phase, const std::function<void()>& fn);

/// An instance made, found applicable and set up, with the work of one sample.
struct Prepared {
  std::unique_ptr<BenchmarkInstance> instance; ///< set once created, also when skipped
  Work work{};
  Outcome outcome; ///< skipped (message: the instance's reason) or error ("create: …", "setup: …")
};

using MakeInstance = std::function<std::unique_ptr<BenchmarkInstance>()>;

/// create → skip check → setup → skip check (some reasons are only known once set up) → work.
Prepared prepare(const MakeInstance& make);
/// The same with the backend's instance of `def` (`params` resolved).
Prepared prepare(Backend& backend, const BenchmarkDef& def, const Params& params,
                 const Target& target);

/// One sample. A non-finite or non-positive time is an error too; `label` ("sample 3") starts
/// the message.
Outcome take_sample(BenchmarkInstance& instance, const std::string& label, double& seconds);

/// Warm-up: module loading, handles, heuristics and clocks settle before timing counts. At least
/// policy.warmup_min samples and warmup_seconds of device time; once the minimum is in, it stops
/// at half of max_seconds by `elapsed` (the timed window keeps at least half of the budget).
/// Counts the samples taken in `samples`; a failure is "warm-up: …".
Outcome warm_up(BenchmarkInstance& instance, const SamplingPolicy& policy,
                const std::function<double()>& elapsed, int& samples);

/// Checks the last sample's output: error "verify: …" when the check itself fails, incorrect
/// "result check failed: <detail>" when it ran and found the output wrong.
Outcome verify(BenchmarkInstance& instance, Verification& verification);

/// The instance's evidence; when it cannot be given, {"evidence_error": why}: missing evidence
/// does not unmake a measurement.
nlohmann::json evidence(const BenchmarkInstance& instance);

/// Telemetry around a timed window. Never throws: a backend without a sampler, or one that
/// fails to start or to be read, leaves the reason in problem().
class TelemetryWindow {
public:
  void open(Backend& backend, const std::vector<int>& gpus);
  /// What the sampler saw; empty when problem() is set.
  std::map<int, TelemetrySummary> close();
  const std::string& problem() const { return problem_; }

private:
  std::unique_ptr<TelemetrySampler> sampler_;
  std::string problem_;
};

} // namespace gpucert
