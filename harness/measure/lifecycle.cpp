// One instance's lifecycle (see lifecycle.hpp): every step's failure named the same way for
// every program.
#include "harness/measure/lifecycle.hpp"

#include "harness/core/error.hpp"

#include <cmath>
#include <exception>
#include <fmt/core.h>

namespace gpucert {

namespace {

/// Upper bound on warm-up samples, in case an instance reports near-zero device time per sample
/// (warmup_seconds would then never be reached before the time budget).
constexpr int kMaxWarmupSamples = 100000;

Outcome failed(MeasurementStatus status, std::string message) {
  return {status, std::move(message)};
}

double checked_sample(BenchmarkInstance& instance) {
  const double s = instance.sample();
  if (!std::isfinite(s) || s <= 0)
    throw InternalError(fmt::format("sample returned an invalid time ({} s)", s));
  return s;
}

} // namespace

std::string Outcome::text() const {
  return to_string(status) + ": " + message;
}

void Outcome::record(Measurement& m) const {
  if (ok())
    return;
  m.status = status;
  m.message = message;
}

Outcome guarded(const std::string& phase, const std::function<void()>& fn) {
  try {
    fn();
    return {};
  } catch (const std::exception& e) {
    return failed(MeasurementStatus::error, fmt::format("{}: {}", phase, e.what()));
  } catch (...) {
    return failed(MeasurementStatus::error, fmt::format("{}: unknown exception", phase));
  }
}

Prepared prepare(const MakeInstance& make) {
  Prepared p;
  auto skipped = [&] {
    std::string why = p.instance->skip_reason();
    if (why.empty())
      return false;
    p.outcome = failed(MeasurementStatus::skipped, std::move(why));
    return true;
  };
  p.outcome = guarded("create", [&] { p.instance = make(); });
  if (!p.outcome.ok() || skipped())
    return p;
  p.outcome = guarded("setup", [&] { p.instance->setup(); });
  if (!p.outcome.ok() || skipped())
    return p;
  p.outcome = guarded("setup", [&] { p.work = p.instance->work(); });
  return p;
}

Prepared prepare(Backend& backend, const BenchmarkDef& def, const Params& params,
                 const Target& target) {
  return prepare([&] { return backend.create(def, params, target); });
}

Outcome take_sample(BenchmarkInstance& instance, const std::string& label, double& seconds) {
  return guarded(label, [&] { seconds = checked_sample(instance); });
}

Outcome warm_up(BenchmarkInstance& instance, const SamplingPolicy& policy,
                const std::function<double()>& elapsed, int& samples) {
  double device_s = 0;
  return guarded("warm-up", [&] {
    while (samples < policy.warmup_min || device_s < policy.warmup_seconds) {
      if (samples >= policy.warmup_min &&
          (elapsed() >= policy.max_seconds / 2 || samples >= kMaxWarmupSamples))
        break;
      device_s += checked_sample(instance);
      ++samples;
    }
  });
}

Outcome verify(BenchmarkInstance& instance, Verification& verification) {
  Outcome o = guarded("verify", [&] { verification = instance.verify(); });
  if (o.ok() && verification.checked && !verification.passed)
    o = failed(MeasurementStatus::incorrect, "result check failed: " + verification.detail);
  return o;
}

nlohmann::json evidence(const BenchmarkInstance& instance) {
  try {
    return instance.evidence();
  } catch (const std::exception& e) {
    return {{"evidence_error", e.what()}};
  }
}

void TelemetryWindow::open(Backend& backend, const std::vector<int>& gpus) {
  try {
    sampler_ = backend.telemetry(gpus);
    if (!sampler_) {
      problem_ = "backend gives no telemetry";
      return;
    }
    sampler_->start();
  } catch (const std::exception& e) {
    sampler_.reset();
    problem_ = fmt::format("telemetry could not start: {}", e.what());
  }
}

std::map<int, TelemetrySummary> TelemetryWindow::close() {
  if (!sampler_)
    return {};
  try {
    auto seen = sampler_->stop();
    sampler_.reset();
    return seen;
  } catch (const std::exception& e) {
    sampler_.reset();
    problem_ = fmt::format("telemetry could not be read: {}", e.what());
    return {};
  }
}

} // namespace gpucert
