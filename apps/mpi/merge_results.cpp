// Merging the ranks' reports (see merge_results.hpp).
#include "apps/mpi/merge_results.hpp"

#include "harness/core/utc_time.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <fmt/format.h>

namespace gpucert::coll::mpi {

std::string who(const Roster& roster, int rank) {
  if (rank >= 0 && static_cast<size_t>(rank) < roster.size() && roster[rank].is_object()) {
    const json& r = roster[rank];
    return fmt::format("rank {} (host {}, gpu {})", rank, r.value("host", "?"),
                       r.contains("gpu") ? std::to_string(r["gpu"].get<int>()) : "?");
  }
  return fmt::format("rank {} (host unknown: it never reported)", rank);
}

std::vector<std::string> rank_errors(const std::vector<json>& reports, const Roster& roster) {
  std::vector<std::string> errors;
  for (size_t r = 0; r < reports.size(); ++r)
    if (reports[r].contains("error"))
      errors.push_back(fmt::format("{}: {}", who(roster, static_cast<int>(r)),
                                   reports[r]["error"].get<std::string>()));
  return errors;
}

Measurement start_measurement(const Planned& p, int world) {
  Measurement m;
  m.benchmark = p.def->name;
  m.params = p.params;
  m.target = Target{Scope::node, {}};
  for (int r = 0; r < world; ++r)
    m.target.gpus.push_back(r);
  m.started_at = utc_now_iso8601();
  for (const auto& metric : p.def->metrics)
    m.metrics[metric.name] = {};
  return m;
}

Measurement not_run(const Planned& p, int world, const std::string& why) {
  Measurement m = start_measurement(p, world);
  m.status = MeasurementStatus::error;
  m.message = why;
  m.stop_reason = "error";
  m.finished_at = m.started_at;
  return m;
}

void finish_measurement(Measurement& m) {
  if (m.finished_at.empty())
    m.finished_at = utc_now_iso8601();
  if (m.stop_reason.empty())
    m.stop_reason = m.status == MeasurementStatus::ok ? "max_samples" : "error";
}

Decision decide_failure(const std::vector<json>& reports, const Roster& roster, Measurement& m,
                        const std::string& phase, std::string& stop_reason) {
  const std::vector<std::string> errors = rank_errors(reports, roster);
  bool fatal = false, skip = false;
  for (const auto& r : reports) {
    fatal = fatal || (r.contains("error") && r.value("fatal", false));
    skip = skip || r.contains("skip");
  }
  if (errors.empty())
    return skip ? kSkip : kGo;
  m.status = MeasurementStatus::error;
  m.message = fmt::format("{}", fmt::join(errors, "; "));
  m.stop_reason = "error";
  if (fatal)
    stop_reason = fmt::format("{} failed and the NCCL communicator was aborted", phase);
  return fatal ? kStopRun : kFailMeasurement;
}

std::string first_skip(const std::vector<json>& reports) {
  for (const auto& r : reports)
    if (r.contains("skip"))
      return r["skip"].get<std::string>();
  return {};
}

void merge_sample(const std::vector<json>& reports, const BenchmarkDef& def, const Work& work,
                  std::vector<std::vector<double>>& rank_seconds, Measurement& m) {
  rank_seconds.resize(std::max(rank_seconds.size(), reports.size()));
  double slowest = 0;
  for (size_t r = 0; r < reports.size(); ++r) {
    const double t = reports[r]["t"].get<double>();
    rank_seconds[r].push_back(t);
    slowest = std::max(slowest, t);
  }
  m.seconds.push_back(slowest);
  for (const auto& metric : def.metrics)
    m.metrics[metric.name].push_back(metric.derive(slowest, work));
}

namespace {

void merge_verification(const std::vector<json>& reports, const Roster& roster, Measurement& m) {
  Verification& v = m.verification;
  v.checked = true;
  v.passed = true;
  for (size_t r = 0; r < reports.size(); ++r) {
    const json& rv = reports[r]["verification"];
    v.checked = v.checked && rv.value("checked", false);
    if (rv.value("checked", false) && !rv.value("passed", false) && v.passed) {
      v.passed = false;
      v.detail = fmt::format("{}: {}", who(roster, static_cast<int>(r)), rv.value("detail", ""));
    }
  }
  if (v.passed)
    v.detail = fmt::format("every rank checked its output: {}",
                           reports[0]["verification"].value("detail", ""));
  if (v.checked && !v.passed) {
    m.status = MeasurementStatus::incorrect;
    m.message = "result check failed: " + v.detail;
  }
}

/// Telemetry per rank, read through the results codec so it is checked like a results file.
void merge_telemetry(const std::vector<json>& reports, Measurement& m) {
  json tel = json::object();
  for (size_t r = 0; r < reports.size(); ++r)
    if (reports[r].contains("telemetry"))
      tel[std::to_string(r)] = reports[r]["telemetry"];
  if (!tel.empty()) {
    Measurement shape;
    shape.target = m.target;
    json probe = to_json(shape);
    probe["telemetry"] = tel;
    m.telemetry = measurement_from_json(probe).telemetry;
  }
  for (int r = 0; r < static_cast<int>(reports.size()); ++r)
    if (!m.telemetry.count(r)) {
      m.telemetry[r].available = false;
      m.telemetry[r].unavailable_reason = "this rank's backend gave no telemetry";
    }
}

} // namespace

void merge_check(const std::vector<json>& reports, const Roster& roster,
                 const std::vector<std::vector<double>>& rank_seconds, Measurement& m) {
  merge_verification(reports, roster, m);
  m.extra = reports[0].value("evidence", json::object());
  json ranks = json::array();
  for (size_t r = 0; r < reports.size(); ++r) {
    const json& k = r < roster.size() && roster[r].is_object() ? roster[r] : json::object();
    ranks.push_back(
        {{"rank", r},
         {"host", k.value("host", "?")},
         {"gpu", k.value("gpu", -1)},
         {"seconds", r < rank_seconds.size() ? rank_seconds[r] : std::vector<double>{}}});
  }
  m.extra["mpi_ranks"] = ranks;
  // The instance's own evidence ("start_sync") says how the ranks' clocks are started together.
  m.extra["timing"] = "each rank times its samples (CUDA events after a 1-element all_reduce "
                      "every rank completes together; simulated time under --simulate); sample "
                      "time = the slowest rank";
  merge_telemetry(reports, m);
  m.stop_reason = "max_samples";
}

void mark_silent(Roster& roster, const std::vector<std::optional<json>>& payloads,
                 const std::vector<int>& missing, const std::string& phase) {
  if (roster.size() < payloads.size())
    roster.resize(payloads.size(), json(nullptr));
  for (size_t r = 0; r < payloads.size(); ++r)
    if (payloads[r] && payloads[r]->is_object()) {
      if (roster[r].is_object())
        roster[r].update(*payloads[r]);
      else
        roster[r] = *payloads[r];
    }
  for (int r : missing)
    if (r >= 0 && static_cast<size_t>(r) < roster.size() && roster[r].is_object()) {
      roster[r]["arrived"] = false;
      roster[r]["silent_at"] = phase;
    }
}

void add_roster(const Roster& roster, int world, bool simulated, Results& results) {
  json ranks = json::array();
  for (size_t i = 0; i < roster.size(); ++i) {
    if (!roster[i].is_object()) {
      ranks.push_back({{"rank", i}, {"arrived", false}});
      continue;
    }
    json e = roster[i];
    e["arrived"] = e.value("arrived", true);
    ranks.push_back(e);
  }
  results.provenance["mpi"]["world_size"] = world;
  results.provenance["mpi"]["ranks"] = ranks;
  if (!roster.empty() && roster[0].is_object() && roster[0].contains("inventory")) {
    try {
      results.inventory_before = inventory_from_json(roster[0]["inventory"]);
    } catch (const std::exception& e) {
      results.provenance["inventory_error"] = e.what();
    }
  }
  results.inventory_before.simulated = simulated || results.inventory_before.simulated;
}

} // namespace gpucert::coll::mpi
