// measure(): warm-up, adaptive sampling with a CI-based stopping rule, telemetry around the
// timed window, verification after it. Device trouble becomes a status, never an exception.
#include "harness/measure/runner.hpp"

#include "harness/core/utc_time.hpp"
#include "harness/measure/lifecycle.hpp"
#include "harness/stats/interval.hpp"

#include <algorithm>
#include <fmt/core.h>

namespace gpucert {

namespace {

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
                    const Target& target, const SamplingPolicy& policy, const Decided& decided,
                    const Hold& hold) {
  Measurement m;
  m.benchmark = def.name;
  m.params = Registry::resolve(def, params); // bad parameters are input errors: they throw
  m.target = target;
  m.started_at = utc_now_iso8601();
  for (const auto& metric : def.metrics)
    m.metrics[metric.name] = {};

  // The time budget counts warm-up and samples, not set-up: allocation, algorithm search and
  // communicator init cost what they cost and must not eat the samples a verdict needs.
  double t0 = backend.now_seconds();
  auto elapsed = [&] { return backend.now_seconds() - t0; };
  double phase_start = t0;
  auto phase_end = [&](const char* phase) { // durations on the backend's clock, for `gpucert plan`
    const double now = backend.now_seconds();
    m.phase_seconds[phase] += std::max(0.0, now - phase_start);
    phase_start = now;
  };
  auto finish = [&](const std::string& stop_reason) {
    if (m.stop_reason.empty())
      m.stop_reason = stop_reason;
    if (m.telemetry.empty())
      m.telemetry = telemetry_unavailable(target, "no timed window (" + to_string(m.status) + ")");
    m.finished_at = utc_now_iso8601();
    return m;
  };

  Prepared prepared = prepare(backend, def, m.params, target);
  phase_end("setup");
  t0 = backend.now_seconds();
  prepared.outcome.record(m);
  if (!prepared.outcome.ok())
    return finish(m.status == MeasurementStatus::skipped ? "skipped" : "error");
  BenchmarkInstance& inst = *prepared.instance;
  const Work work = prepared.work;
  m.bytes_per_sample = work.bytes;
  m.flops_per_sample = work.flops;
  m.items_per_sample = work.items;

  const Outcome warmed = warm_up(inst, policy, elapsed, m.warmup_samples);
  phase_end("warmup");
  warmed.record(m);
  if (!warmed.ok())
    return finish("error");

  TelemetryWindow window;
  window.open(backend, target.gpus);

  // Adaptive sampling, asked after every sample once min_samples are in:
  //   with a decision rule: it says decided                      → decided
  //     (precision is reported, never a reason to stop a clause that is still undecided)
  //   without one: the median's relative half-width < target_rel_ci → target_ci_reached
  // and, at any count, the budget: max_samples → max_samples; max_seconds → time_budget.
  // A rule that sees the first 2 x min_samples samples drift gets the warm-up extended: they
  // are discarded as warm-up and sampling starts afresh (at most kMaxWarmupExtensions times,
  // and only while that stays within half the budget). Checked once per start, so samples that
  // do not drift are not thrown away on a false alarm of a test asked at every look.
  std::string stop;
  while (stop.empty()) {
    const std::string label = fmt::format("sample {}", m.seconds.size() + 1);
    double seconds = 0;
    Outcome sampled = take_sample(inst, label, seconds);
    if (sampled.ok()) // a metric that cannot be derived fails the sample too
      sampled = guarded(label, [&] { record_sample(def, work, seconds, m); });
    if (!sampled.ok()) {
      sampled.record(m);
      stop = "error";
      break;
    }
    const int n = static_cast<int>(m.seconds.size());
    if (n >= policy.min_samples) {
      if (decided) {
        const Look look = decided(m);
        if (look == Look::decided)
          stop = "decided";
        else if (look == Look::dependent)
          m.dependent = true;
        else if (look == Look::drifting && n == 2 * policy.min_samples &&
                 m.warmup_extensions < kMaxWarmupExtensions && n <= policy.max_samples / 2 &&
                 elapsed() <= policy.max_seconds / 2) {
          ++m.warmup_extensions;
          phase_end("warmup"); // the discarded samples were warm-up after all
          m.dependent = false; // a fresh start is judged on its own samples
          m.warmup_samples += n;
          m.seconds.clear();
          for (auto& [name, values] : m.metrics)
            values.clear();
          continue;
        }
      } else {
        const auto ci = stats::quantile_ci(primary_values(def, m), 0.5, policy.confidence);
        if (stats::relative_half_width(ci) < policy.target_rel_ci)
          stop = "target_ci_reached";
      }
    }
    if (stop.empty() && n >= policy.max_samples)
      stop = "max_samples";
    if (stop.empty() && elapsed() >= policy.max_seconds)
      stop = "time_budget";
  }

  phase_end("sampling");
  m.telemetry = window.close();
  if (!window.problem().empty())
    m.telemetry = telemetry_unavailable(target, window.problem());

  if (m.status == MeasurementStatus::error)
    return finish(stop);

  // Verification after the timed window: it reads the output of the last sample.
  verify(inst, m.verification).record(m);
  m.extra = evidence(inst);
  phase_end("verify");
  if (hold) {
    hold(inst);
    phase_end("hold");
  }
  return finish(stop);
}

} // namespace gpucert
