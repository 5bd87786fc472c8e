// measure(): warm-up, adaptive sampling with a CI-based stopping rule, telemetry around the
// timed window, verification after it. Device trouble becomes a status, never an exception.
#include "harness/measure/runner.hpp"

#include "harness/core/error.hpp"
#include "harness/core/utc_time.hpp"
#include "harness/stats/interval.hpp"

#include <cmath>
#include <exception>
#include <fmt/core.h>

namespace gpucert {

namespace {

/// Upper bound on warm-up samples, in case an instance reports near-zero device time per sample
/// (warmup_seconds would then never be reached before the time budget).
constexpr int kMaxWarmupSamples = 100000;

double checked_sample(BenchmarkInstance& inst) {
  const double s = inst.sample();
  if (!std::isfinite(s) || s <= 0)
    throw InternalError(fmt::format("sample returned an invalid time ({} s)", s));
  return s;
}

/// Runs `fn`; on any exception records status error with "<phase>: <what>" and returns false.
template <typename Fn> bool guarded(Measurement& m, const std::string& phase, Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const std::exception& e) {
    m.status = MeasurementStatus::error;
    m.message = fmt::format("{}: {}", phase, e.what());
  } catch (...) {
    m.status = MeasurementStatus::error;
    m.message = fmt::format("{}: unknown exception", phase);
  }
  return false;
}

/// The primary metric decides when the estimate is tight enough: it is the figure clauses judge.
/// Without metrics (none declared) the raw seconds are used.
const std::vector<double>& primary_values(const BenchmarkDef& def, const Measurement& m) {
  if (!def.metrics.empty())
    return m.metrics.at(def.metrics.front().name);
  return m.seconds;
}

void record_sample(const BenchmarkDef& def, const Work& work, double seconds, Measurement& m) {
  m.seconds.push_back(seconds);
  for (const auto& metric : def.metrics)
    m.metrics[metric.name].push_back(metric.derive(seconds, work));
}

std::map<int, TelemetrySummary> telemetry_unavailable(const Target& target,
                                                      const std::string& why) {
  std::map<int, TelemetrySummary> out;
  for (int g : target.gpus) {
    out[g].available = false;
    out[g].unavailable_reason = why;
  }
  return out;
}

} // namespace

Measurement measure(Backend& backend, const BenchmarkDef& def, const Params& params,
                    const Target& target, const SamplingPolicy& policy, const Decided& decided) {
  Measurement m;
  m.benchmark = def.name;
  m.params = Registry::resolve(def, params); // bad parameters are input errors: they throw
  m.target = target;
  m.started_at = utc_now_iso8601();
  for (const auto& metric : def.metrics)
    m.metrics[metric.name] = {};

  const double t0 = backend.now_seconds();
  auto elapsed = [&] { return backend.now_seconds() - t0; };
  auto finish = [&](const std::string& stop_reason) {
    if (m.stop_reason.empty())
      m.stop_reason = stop_reason;
    if (m.telemetry.empty())
      m.telemetry = telemetry_unavailable(target, "no timed window (" + to_string(m.status) + ")");
    m.finished_at = utc_now_iso8601();
    return m;
  };

  std::unique_ptr<BenchmarkInstance> inst;
  if (!guarded(m, "create", [&] { inst = backend.create(def, m.params, target); }))
    return finish("error");
  auto skipped = [&] {
    const std::string why = inst->skip_reason();
    if (why.empty())
      return false;
    m.status = MeasurementStatus::skipped;
    m.message = why;
    return true;
  };
  if (skipped())
    return finish("skipped");
  if (!guarded(m, "setup", [&] { inst->setup(); }))
    return finish("error");
  if (skipped())
    return finish("skipped"); // some reasons are only known once set up
  Work work{};
  if (!guarded(m, "setup", [&] { work = inst->work(); }))
    return finish("error");
  m.bytes_per_sample = work.bytes;
  m.flops_per_sample = work.flops;
  m.items_per_sample = work.items;

  // Warm-up: module loading, handle creation, heuristics and clocks settle before timing counts.
  // At least warmup_min samples and warmup_seconds of device time; never more than half the
  // time budget, so the timed window keeps at least half of it.
  double warm_device_s = 0;
  const bool warmed = guarded(m, "warm-up", [&] {
    while (m.warmup_samples < policy.warmup_min || warm_device_s < policy.warmup_seconds) {
      if (m.warmup_samples >= policy.warmup_min &&
          (elapsed() >= policy.max_seconds / 2 || m.warmup_samples >= kMaxWarmupSamples))
        break;
      warm_device_s += checked_sample(*inst);
      ++m.warmup_samples;
    }
  });
  if (!warmed)
    return finish("error");

  std::unique_ptr<TelemetrySampler> sampler;
  std::string telemetry_problem;
  try {
    sampler = backend.telemetry(target.gpus);
    if (sampler)
      sampler->start();
  } catch (const std::exception& e) {
    sampler.reset();
    telemetry_problem = fmt::format("telemetry could not start: {}", e.what());
  }

  // Adaptive sampling. The rule is checked after every sample once min_samples are in:
  //   relative half-width of the median's order-statistic CI < target_rel_ci → target_ci_reached
  //   the caller's Decided says the verdict is settled                        → decided
  // and, at any count, the budget: max_samples → max_samples; max_seconds → time_budget.
  std::string stop;
  while (stop.empty()) {
    const size_t index = m.seconds.size() + 1;
    if (!guarded(m, fmt::format("sample {}", index),
                 [&] { record_sample(def, work, checked_sample(*inst), m); })) {
      stop = "error";
      break;
    }
    const int n = static_cast<int>(m.seconds.size());
    if (n >= policy.min_samples) {
      const auto ci = stats::quantile_ci(primary_values(def, m), 0.5, policy.confidence);
      if (stats::relative_half_width(ci) < policy.target_rel_ci)
        stop = "target_ci_reached";
      else if (decided && decided(m))
        stop = "decided";
    }
    if (stop.empty() && n >= policy.max_samples)
      stop = "max_samples";
    if (stop.empty() && elapsed() >= policy.max_seconds)
      stop = "time_budget";
  }

  if (sampler) {
    try {
      m.telemetry = sampler->stop();
    } catch (const std::exception& e) {
      telemetry_problem = fmt::format("telemetry could not be read: {}", e.what());
    }
  }
  if (!telemetry_problem.empty() || (!sampler && m.telemetry.empty()))
    m.telemetry = telemetry_unavailable(
        target, telemetry_problem.empty() ? "backend gives no telemetry" : telemetry_problem);

  if (m.status == MeasurementStatus::error)
    return finish(stop);

  // Verification after the timed window: it reads the output of the last sample.
  guarded(m, "verify", [&] { m.verification = inst->verify(); });
  if (m.status == MeasurementStatus::ok && m.verification.checked && !m.verification.passed) {
    m.status = MeasurementStatus::incorrect;
    m.message = "result check failed: " + m.verification.detail;
  }
  try {
    m.extra = inst->evidence();
  } catch (const std::exception& e) { // missing evidence does not unmake a measurement
    m.extra = {{"evidence_error", e.what()}};
  }
  return finish(stop);
}

} // namespace gpucert
