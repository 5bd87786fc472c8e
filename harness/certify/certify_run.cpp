// The run loop (see certify_run.hpp). Results are always on disk: a crash or a kill leaves the
// file with everything measured so far and complete=false.
#include "harness/certify/certify_run.hpp"

#include "gpucert/version.hpp"
#include "harness/certify/atomic_file.hpp"
#include "harness/certify/plan.hpp"
#include "harness/certify/progress.hpp"
#include "harness/certify/round_runner.hpp"
#include "harness/certify/schedule.hpp"
#include "harness/certify/stop_signal.hpp"
#include "harness/core/error.hpp"
#include "harness/evaluate/evaluate.hpp"
#include "harness/profile/sha256.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fmt/core.h>
#include <mutex>
#include <thread>

extern char** environ;

namespace gpucert::certify {

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms));
}

nlohmann::json relevant_environment() {
  nlohmann::json env = nlohmann::json::object();
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq == std::string::npos)
      continue;
    const std::string key = kv.substr(0, eq);
    if (key.rfind("NCCL_", 0) == 0 || key == "CUDA_VISIBLE_DEVICES" || key == "CUDA_DEVICE_ORDER" ||
        key == "CUBLASLT_LOG_LEVEL" || key == "CUDA_MODULE_LOADING")
      env[key] = kv.substr(eq + 1);
  }
  return env;
}

namespace {

constexpr const char* kInProgress =
    "in progress (a file left like this means the run crashed or was killed)";

/// The bytes of results.json.
std::string results_text(const Results& r) {
  return to_json(r).dump(1) + "\n";
}

void save(const Results& r, const RunOptions& opts) {
  if (!opts.results_path.empty())
    write_file_atomic(opts.results_path, results_text(r));
}

/// A measurement a signal ended says so, not "decided".
void mark_interrupted(Results& r, std::size_t first) {
  if (stop_signal() == 0)
    return;
  for (std::size_t i = first; i < r.measurements.size(); ++i)
    if (r.measurements[i].stop_reason == "decided")
      r.measurements[i].stop_reason = "interrupted (" + stop_signal_name() + ")";
}

void pace(double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until && stop_signal() == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

} // namespace

RunOutput run_certification(const Registry& registry, const profile::Profile& profile,
                            Backend& backend, const RunOptions& opts) {
  Results r;
  r.tool_version = kToolVersion;
  r.git_revision = kGitRevision;
  r.backend = backend.name();
  r.simulated = backend.simulated();
  r.complete = false;
  r.incomplete_reason = kInProgress;
  r.started_at = utc_timestamp();
  r.profile_name = profile.name;
  r.profile_sha256 = profile.sha256;
  const std::vector<int> gpus = backend.gpus();
  r.provenance = opts.provenance;
  r.provenance["gpus"] = gpus;
  r.provenance["environment"] = relevant_environment();
  r.inventory_before = backend.inventory(); // EnvironmentError: nothing to certify

  const std::vector<PlannedMeasurement> planned = plan(registry, profile, gpus);
  const evaluate::JudgeContext judging = evaluate::judge_context(profile, gpus);
  r.method = {{"profile_method",
               {{"confidence", profile.method.confidence},
                {"target_rel_ci", profile.method.target_rel_ci},
                {"min_samples", profile.method.min_samples},
                {"max_samples", profile.method.max_samples},
                {"max_seconds_per_clause", profile.method.max_seconds_per_clause}}},
              {"tier", profile::to_string(profile.tier)},
              {"policy", policy_for(profile.method, profile.tier, 0).to_json()},
              {"planned_measurements", planned.size()}};

  const std::vector<Round> rounds = schedule(planned);
  r.method["planned_rounds"] = rounds.size();
  save(r, opts);

  Progress progress(opts.progress);
  std::mutex progress_mutex; // lanes of a round report from their own threads
  auto round_budget = [&](const Round& round) {
    double s = 0;
    for (std::size_t i : round.lanes)
      s = std::max(s, planned[i].policy.max_seconds);
    return s;
  };
  double budget_left = 0;
  for (const auto& round : rounds)
    budget_left += round_budget(round);
  try {
    for (std::size_t ri = 0; ri < rounds.size() && stop_signal() == 0; ++ri) {
      const Round& round = rounds[ri];
      const int index = static_cast<int>(ri) + 1, total = static_cast<int>(rounds.size());
      const double t0 = backend.now_seconds();
      const double budget = round_budget(round);
      const double later = budget_left - budget;
      progress.update(index, total, round.label, 0, budget_left, true);
      std::vector<const PlannedMeasurement*> lanes;
      for (std::size_t i : round.lanes)
        lanes.push_back(&planned[i]);
      const RuleFor rule_for = [&](std::size_t lane) -> Decided {
        const PlannedMeasurement& p = *lanes[lane];
        Decided verdict_rule;
        if (!p.sustained)
          verdict_rule = evaluate::decided_rule(p.clauses, judging);
        // Asked after every sample once min_samples are in: also where a signal ends the window.
        return [&, verdict_rule, lane](const Measurement& m) {
          if (lane == 0) {
            const std::lock_guard<std::mutex> lock(progress_mutex);
            progress.update(index, total, round.label, static_cast<int>(m.seconds.size()),
                            later + std::max(0.0, budget - (backend.now_seconds() - t0)));
          }
          if (stop_signal() != 0)
            return Look::decided;
          return verdict_rule ? verdict_rule(m) : Look::undecided;
        };
      };
      const std::size_t first = r.measurements.size();
      try {
        run_round(backend, lanes, rule_for, r.measurements);
      } catch (...) {
        mark_interrupted(r, first);
        throw;
      }
      mark_interrupted(r, first);
      budget_left = later;
      save(r, opts);
      if (opts.pace_seconds > 0)
        pace(opts.pace_seconds);
    }
  } catch (const std::exception& e) {
    // Keep what was measured; the caller reports the error itself.
    progress.clear();
    r.incomplete_reason = fmt::format("crash: {}", e.what());
    r.finished_at = utc_timestamp();
    try {
      save(r, opts);
    } catch (const std::exception&) {
    }
    throw;
  }
  progress.clear();

  try {
    r.inventory_after = backend.inventory();
  } catch (const std::exception& e) {
    r.provenance["inventory_after_error"] = e.what();
  }
  r.finished_at = utc_timestamp();
  if (stop_signal() != 0) {
    r.complete = false;
    r.incomplete_reason = stop_signal_name();
  } else {
    r.complete = true;
    r.incomplete_reason.clear();
  }
  save(r, opts);

  RunOutput out;
  out.certificate = evaluate::evaluate(profile, r);
  // The digest of the exact bytes of results.json as written (a verifier hashes the file).
  out.certificate.results.sha256 = sha256_hex(results_text(r));
  out.results = std::move(r);
  return out;
}

} // namespace gpucert::certify
